"""Sign-up, sign-in, sign-out, API tokens and user administration."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from matchmaker.accounts import operations
from matchmaker.accounts.forms import EmptyForm, LoginForm, RoleForm, SignupForm, UserForm
from matchmaker.accounts.models import ApiToken, Role, User
from matchmaker.accounts.roles import roles_required
from matchmaker.audit import AuditEvent
from matchmaker.errors import DomainError
from matchmaker.extensions import db
from matchmaker.investors.operations import link_user_to_investor
from matchmaker.investors.resolution import InvestorUnresolved
from matchmaker.validation import check_year, local_path, whole_number
from matchmaker.views import flash_errors, load, submit

TOKENS_SHOWN = 500
AUDIT_SHOWN = 300


def _safe_next(default: str) -> str:
    return local_path(request.args.get("next")) or default


def login():
    form = LoginForm()

    def sign_in():
        user = operations.authenticate(form.email.data, form.password.data)
        login_user(user)
        return user

    outcome = submit(form, sign_in)
    if outcome:
        user = outcome.result
        flash(_("Welcome back, %(name)s.", name=user.display_name or user.email), "success")
        return redirect(_safe_next(url_for("home.index")))
    return render_template("accounts/login.html", form=form), 200 if not form.errors else 400


def logout():
    form = EmptyForm()
    # Signing out ends every copy of this session cookie too.
    if submit(form, lambda: current_user.is_authenticated and operations.sign_out(current_user)):
        logout_user()
        flash(_("You are signed out."), "info")
    return redirect(url_for("home.index"))


def _join_company(user, organisation: str) -> None:
    """Naming a company at sign-up: a pending claim on a known one, or - when no known
    company is certainly it - a new company pending staff review. The sign-up page says the
    same whatever happened (it must not tell which e-mails have accounts); the profile page
    shows the claim or the review after signing in, and lets the user pick another company."""

    if not organisation.strip():
        return
    try:
        link_user_to_investor(user, organisation, create=False)
    except InvestorUnresolved:
        link_user_to_investor(user, organisation, create=True)


def signup():
    form = SignupForm()

    def sign_up():
        user = operations.sign_up(
            form.email.data, form.password.data, display_name=form.display_name.data
        )
        if user is not None:  # a new account only: never a claim for someone else's
            _join_company(user, form.organisation.data or "")
        return user

    if submit(form, sign_up):
        # The same answer whether or not the address already had an account: the page
        # must not tell a visitor which e-mails are registered.
        flash(_("If this email had no account yet, your investor account is ready: sign in "
                "with it now. If it already had one, sign in with that account's password "
                "(an administrator can reset it)."), "success")
        return redirect(url_for("accounts.login"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("accounts/signup.html", form=form), status


@login_required
def tokens():
    form = EmptyForm()
    outcome = submit(form, lambda: operations.create_token(current_user))
    new_token = outcome.result[0] if outcome else None
    own = db.session.scalars(operations.token_query(user_id=current_user.id)).all()
    return render_template("accounts/tokens.html", form=form, new_token=new_token, tokens=own,
                           token_state=operations.token_state, action_form=EmptyForm())


@login_required
def revoke_own_token(token_id: int):
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != current_user.id:
        abort(404)
    if submit(EmptyForm(), lambda: operations.revoke_token(token, actor=current_user)):
        flash(_("Token %(prefix)s… revoked.", prefix=token.prefix), "success")
    return redirect(url_for("accounts.tokens"))


@roles_required(Role.ADMIN)
def users():
    form = UserForm()
    outcome = submit(form, lambda: operations.create_user(
        form.email.data, form.password.data, form.role.data,
        display_name=form.display_name.data or "", actor=current_user,
    ))
    if outcome:
        flash(_("User created."), "success")
        return redirect(url_for("accounts.users"))
    all_users = db.session.scalars(sa.select(User).order_by(User.email)).all()
    role_forms = {user.id: RoleForm(role=user.role.value, prefix=f"u{user.id}") for user in all_users}
    status = 400 if form.errors or form.form_errors else 200
    return render_template("accounts/users.html", form=form, users=all_users, role_forms=role_forms), status


@roles_required(Role.ADMIN)
def set_role(user_id: int):
    user = load(User, user_id)
    form = RoleForm(prefix=f"u{user.id}")
    if not form.is_submitted() or not form.validate():
        return redirect(url_for("accounts.users"))
    return _admin_action(lambda: operations.set_role(user, form.role.data, actor=current_user),
                         lambda _result: _("Role changed."), form=form)


def _admin_action(action, message, target: str = "accounts.users", *, form=None):
    """Run one admin operation from a button: commit and say so (`message(result)`), or
    show why not."""
    form = form or EmptyForm()
    outcome = submit(form, action)
    if outcome:
        flash(message(outcome.result), "success")
    elif outcome.error is None:
        abort(400)
    else:
        flash_errors(form, "error")
    return redirect(url_for(target))


@roles_required(Role.ADMIN)
def deactivate(user_id: int):
    user = load(User, user_id)
    return _admin_action(lambda: operations.deactivate_user(user, actor=current_user),
                         lambda _r: _("%(email)s is deactivated: signed out everywhere, API "
                                      "tokens revoked.", email=user.email))


@roles_required(Role.ADMIN)
def reactivate(user_id: int):
    user = load(User, user_id)
    return _admin_action(lambda: operations.reactivate_user(user, actor=current_user),
                         lambda _r: _("%(email)s can sign in again.", email=user.email))


@roles_required(Role.ADMIN)
def reset_password(user_id: int):
    user = load(User, user_id)
    return _admin_action(
        lambda: operations.reset_password(user, actor=current_user),
        lambda new: _("New password for %(email)s (shown only now; hand it over privately): "
                      "%(password)s", email=user.email, password=new),
    )


@roles_required(Role.ADMIN)
def admin_tokens():
    owner_id = whole_number(request.args.get("user"), field="user")
    query = operations.token_query(user_id=owner_id)
    all_tokens = db.session.scalars(query.limit(TOKENS_SHOWN)).all()
    users = db.session.scalars(sa.select(User).order_by(User.email)).all()
    return render_template("accounts/admin_tokens.html", tokens=all_tokens, users=users,
                           owner_id=owner_id, token_state=operations.token_state,
                           action_form=EmptyForm(), shown=TOKENS_SHOWN)


@roles_required(Role.ADMIN)
def admin_revoke_token(token_id: int):
    token = load(ApiToken, token_id)
    return _admin_action(lambda: operations.revoke_token(token, actor=current_user),
                         lambda _r: _("Token %(prefix)s… revoked.", prefix=token.prefix),
                         "accounts.admin_tokens")


@roles_required(Role.ADMIN)
def admin_revoke_tokens():
    owner_id = whole_number(request.form.get("user"), field="user")
    return _admin_action(
        lambda: operations.revoke_tokens(user_id=owner_id, actor=current_user),
        lambda count: _("%(count)d token(s) revoked.", count=count), "accounts.admin_tokens")


@roles_required(Role.ADMIN)
def admin_expire_tokens():
    owner_id = whole_number(request.form.get("user"), field="user")
    days = whole_number(request.form.get("days"), field="days", default=0, maximum=3650)
    return _admin_action(
        lambda: operations.expire_tokens(user_id=owner_id, days=days, actor=current_user),
        lambda count: _("%(count)d token(s) now expire within %(days)d day(s).", count=count,
                        days=days),
        "accounts.admin_tokens")


@roles_required(Role.ADMIN)
def audit_log():
    """Who changed what, when: filtered by user e-mail, entity/action and a date range."""

    who = (request.args.get("who") or "").strip()[:254]
    what = (request.args.get("what") or "").strip()[:50]
    start = _day(request.args.get("from"), "from")
    end = _day(request.args.get("to"), "to")
    query = sa.select(AuditEvent).order_by(AuditEvent.id.desc())
    if who:
        query = query.join(User, User.id == AuditEvent.user_id).where(
            User.email.contains(operations.normalize_email(who))
        )
    if what:
        query = query.where(sa.or_(AuditEvent.entity == what, AuditEvent.action == what))
    if start:
        query = query.where(AuditEvent.at >= start)
    if end:
        query = query.where(AuditEvent.at < end + timedelta(days=1))
    events = db.session.scalars(query.limit(AUDIT_SHOWN)).all()
    entities = db.session.scalars(sa.select(AuditEvent.entity).distinct().order_by(AuditEvent.entity)).all()
    return render_template("accounts/audit.html", events=events, who=who, what=what,
                           start=request.args.get("from", ""), end=request.args.get("to", ""),
                           entities=entities, shown=AUDIT_SHOWN)


def _day(value, field_name):
    if not value:
        return None
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        raise DomainError(_("Give dates as YYYY-MM-DD."), field=field_name) from None
    check_year(day, field=field_name)
    return datetime.combine(day, datetime.min.time(), tzinfo=UTC)
