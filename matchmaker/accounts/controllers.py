"""Sign-up, sign-in, sign-out, API tokens and user administration."""

from __future__ import annotations

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from matchmaker.accounts import operations
from matchmaker.accounts.forms import EmptyForm, LoginForm, RoleForm, SignupForm, UserForm
from matchmaker.accounts.models import Role, User
from matchmaker.accounts.roles import roles_required
from matchmaker.errors import DomainError
from matchmaker.extensions import db


def _safe_next(default: str) -> str:
    target = request.args.get("next") or ""
    # Only same-site paths: never redirect to another host.
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = operations.authenticate(form.email.data, form.password.data)
        except DomainError as error:
            form.attach_error(error)
        else:
            login_user(user)
            db.session.commit()
            flash(_("Welcome back, %(name)s.", name=user.display_name or user.email), "success")
            return redirect(_safe_next(url_for("home.index")))
    return render_template("accounts/login.html", form=form), 200 if not form.errors else 400


def logout():
    form = EmptyForm()
    if form.validate_on_submit():
        logout_user()
        flash(_("You are signed out."), "info")
    return redirect(url_for("home.index"))


def _join_company(user, organisation: str) -> str | None:
    """Naming a company at sign-up: a pending claim on a known one, or - when no known
    company is certainly it - a new company pending review (the profile page lets the user
    pick one of the close matches instead). Returns what to tell the user."""
    from matchmaker.investors.operations import link_user_to_investor
    from matchmaker.investors.resolution import InvestorUnresolved

    if not organisation.strip():
        return None
    try:
        _investor, claim = link_user_to_investor(user, organisation, create=False)
    except InvestorUnresolved as error:
        link_user_to_investor(user, organisation, create=True)
        names = "、".join(c.record.name for c in error.candidates[:3])
        if names:
            return _("No known company is certainly “%(name)s”: it is registered as a new company "
                     "for staff to review. If it is one of %(names)s, choose it on your profile page.",
                     name=organisation.strip(), names=names)
        return _("“%(name)s” is registered as a new company for staff to review.",
                 name=organisation.strip())
    except DomainError:
        return None
    if claim is not None:
        from flask_babel import get_locale

        company = claim.investor
        name = (company.name_en or company.name) if str(get_locale()) == "en" else company.name
        return _("You asked to speak for %(name)s: staff or a confirmed member will approve it. "
                 "Until then your profile and interests are yours only.", name=name)
    return None


def signup():
    form = SignupForm()
    if form.validate_on_submit():
        try:
            user = operations.create_user(
                form.email.data,
                form.password.data,
                Role.INVESTOR,
                display_name=form.display_name.data,
            )
        except DomainError as error:
            db.session.rollback()
            form.attach_error(error)
        else:
            notice = _join_company(user, form.organisation.data or "")
            db.session.commit()
            login_user(user)
            flash(_("Your investor account is ready."), "success")
            if notice:
                flash(notice, "info")
            return redirect(url_for("home.index"))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("accounts/signup.html", form=form), status


@login_required
def tokens():
    form = EmptyForm()
    new_token = None
    if form.validate_on_submit():
        new_token, _token = operations.create_token(current_user)
        db.session.commit()
    return render_template("accounts/tokens.html", form=form, new_token=new_token)


@roles_required(Role.ADMIN)
def users():
    form = UserForm()
    if form.validate_on_submit():
        try:
            operations.create_user(
                form.email.data,
                form.password.data,
                form.role.data,
                display_name=form.display_name.data or "",
                actor=current_user,
            )
        except DomainError as error:
            db.session.rollback()
            form.attach_error(error)
        else:
            db.session.commit()
            flash(_("User created."), "success")
            return redirect(url_for("accounts.users"))
    all_users = db.session.scalars(sa.select(User).order_by(User.email)).all()
    role_forms = {user.id: RoleForm(role=user.role.value, prefix=f"u{user.id}") for user in all_users}
    status = 400 if form.errors or form.form_errors else 200
    return render_template("accounts/users.html", form=form, users=all_users, role_forms=role_forms), status


@roles_required(Role.ADMIN)
def set_role(user_id: int):
    user = db.get_or_404(User, user_id)
    form = RoleForm(prefix=f"u{user.id}")
    if form.validate_on_submit():
        operations.set_role(user, form.role.data, actor=current_user)
        db.session.commit()
        flash(_("Role changed."), "success")
    return redirect(url_for("accounts.users"))
