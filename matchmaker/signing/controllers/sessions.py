"""Organisers' session pages: the list with its totals, create, edit, and the life cycle
(open, close, reopen with a reason)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from matchmaker.accounts.forms import EmptyForm
from matchmaker.accounts.models import Role
from matchmaker.accounts.roles import roles_required
from matchmaker.editions.selection import selected_edition
from matchmaker.extensions import db
from matchmaker.money import format_yi
from matchmaker.signing import operations
from matchmaker.signing.forms import ReasonForm, ReopenForm, SessionForm
from matchmaker.signing.models import SigningSession
from matchmaker.signing.totals import session_summaries, signed_totals
from matchmaker.views import flash_errors, load, submit


def _status(form) -> int:
    return 400 if form.errors or form.form_errors else 200


@roles_required(Role.ORGANIZER)
def index():
    edition = selected_edition()
    form = SessionForm()
    if request.method == "GET" and edition is not None:
        form.edition.data = edition.year
    outcome = submit(form, lambda: operations.create_session(form.session_input(),
                                                             user=current_user))
    if outcome:
        flash(_("Session created. Open it when the signing starts."), "success")
        return redirect(url_for("signing.session", session_id=outcome.result.id))
    query = sa.select(SigningSession).order_by(SigningSession.held_on, SigningSession.id)
    if edition is not None:
        query = query.where(SigningSession.edition_id == edition.id)
    sessions = db.session.scalars(query).all()
    totals = signed_totals(
        count_intent=bool(current_app.config["SIGNING_COUNT_INTENT"]), edition=edition
    )
    return render_template(
        "signing/index.html",
        form=form,
        rows=session_summaries(totals, list(sessions)),
        reopen_form=ReasonForm(),
        totals=totals,
        edition=edition,
    ), _status(form)


@roles_required(Role.ORGANIZER)
def edit_session(session_id: int):
    session = load(SigningSession, session_id)
    # Not obj=session: its edition is a record and its rates a mapping, which the fields
    # would fail to read (an edit was then always refused as "not a valid integer").
    form = SessionForm(data={
        "name": session.name, "name_en": session.name_en, "edition": session.edition.year,
        "kind": session.kind.value, "held_on": session.held_on, "venue": session.venue,
        "target": format_yi(session.target_yuan).replace(",", ""),
        "rates": ", ".join(f"{code}={rate}" for code, rate in sorted((session.rates or {}).items())),
    })
    outcome = submit(form, lambda: operations.update_session(session, form.session_input(),
                                                             user=current_user))
    if outcome:
        flash(_("Session saved."), "success")
        return redirect(url_for("signing.session", session_id=session.id))
    return render_template("signing/edit_session.html", form=form, session=session), _status(form)


def _state_change(session_id: int, form, operation, message: str):
    """Open, close, reopen: a button on the session page; the outcome is flashed there."""
    session = load(SigningSession, session_id)
    if submit(form, lambda: operation(session)):
        flash(message, "success")
    else:
        flash_errors(form, "error")
    return redirect(url_for("signing.session", session_id=session.id))


@roles_required(Role.ORGANIZER)
def open_session(session_id: int):
    return _state_change(
        session_id, EmptyForm(),
        lambda session: operations.open_session(session, user=current_user),
        _("Session open: agreements can be recorded."),
    )


@roles_required(Role.ORGANIZER)
def close_session(session_id: int):
    return _state_change(
        session_id, EmptyForm(),
        lambda session: operations.close_session(session, user=current_user),
        _("Session closed: its agreements are frozen."),
    )


@roles_required(Role.ORGANIZER)
def reopen_session(session_id: int):
    form = ReopenForm()
    return _state_change(
        session_id, form,
        lambda session: operations.reopen_session(session, form.reason.data or "",
                                                  user=current_user),
        _("Session reopened."),
    )
