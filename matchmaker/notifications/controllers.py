"""Notification pages: a user's list (mark read), their choices; the outbox for admins."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from matchmaker.accounts.models import Role
from matchmaker.accounts.roles import roles_required
from matchmaker.errors import NotFound
from matchmaker.notifications import operations
from matchmaker.notifications.forms import ActionForm, PreferencesForm
from matchmaker.notifications.models import Delivery, DeliveryState
from matchmaker.validation import local_path
from matchmaker.views import flash_errors, load, submit

ANY_ROLE = tuple(Role)


@roles_required(*ANY_ROLE)
def index():
    found = operations.recent(current_user)
    return render_template("notifications/index.html", notifications=found, form=ActionForm(),
                           unread=sum(1 for n in found if n.read_at is None))


@roles_required(*ANY_ROLE)
def read(notification_id: int):
    form = ActionForm()
    try:
        notification = operations.own_notification(notification_id, user=current_user)
    except NotFound:
        abort(404)  # someone else's notification: its existence is not told
    if submit(form, lambda: operations.mark_read(notification, user=current_user)):
        target = local_path(request.form.get("next")) or local_path(notification.link)
        return redirect(target or url_for("notifications.index"))
    flash_errors(form)
    return redirect(url_for("notifications.index"))


@roles_required(*ANY_ROLE)
def read_all():
    form = ActionForm()
    if submit(form, lambda: operations.mark_all_read(user=current_user)):
        flash(_("All notifications marked read."), "success")
    else:
        flash_errors(form)
    return redirect(url_for("notifications.index"))


@roles_required(*ANY_ROLE)
def preferences():
    preference = operations.preference_of(current_user)
    form = PreferencesForm(obj=preference if request.method == "GET" else None)
    save = lambda: operations.save_preferences(  # noqa: E731
        user=current_user, locale=form.locale.data, email_enabled=form.email_enabled.data,
        digest_enabled=form.digest_enabled.data)
    if submit(form, save):
        flash(_("Notification settings saved."), "success")
        return redirect(url_for("notifications.preferences"))
    return render_template("notifications/preferences.html", form=form,
                           mail_enabled=operations.mail_enabled()), 400 if form.errors else 200


@roles_required(Role.ADMIN)
def deliveries():
    state = request.args.get("state", "")
    return render_template(
        "notifications/deliveries.html", deliveries=operations.deliveries(state=state),
        counts=operations.delivery_counts(), states=list(DeliveryState), state=state,
        mail_enabled=operations.mail_enabled(), form=ActionForm(),
    )


@roles_required(Role.ADMIN)
def retry(delivery_id: int):
    delivery = load(Delivery, delivery_id)
    form = ActionForm()
    if submit(form, lambda: operations.retry_delivery(delivery, user=current_user)):
        flash(_("The e-mail is back in the outbox."), "success")
    else:
        flash_errors(form)
    return redirect(url_for("notifications.deliveries"))


@roles_required(Role.ADMIN)
def send_test():
    form = ActionForm()
    test = lambda: operations.notify(  # noqa: E731
        [current_user], "test", {"actor": current_user.email},
        link=url_for("notifications.index"))
    if submit(form, test):
        flash(_("A test notice was written; the e-mail is in the outbox.")
              if operations.mail_enabled() else
              _("A test notice was written; e-mail is off (no MATCHMAKER_MAIL_SERVER)."), "info")
    else:
        flash_errors(form)
    return redirect(url_for("notifications.deliveries"))
