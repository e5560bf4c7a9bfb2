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
from matchmaker.validation import local_path


def _safe_next(default: str) -> str:
    return local_path(request.args.get("next")) or default


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
        if current_user.is_authenticated:
            operations.sign_out(current_user)  # every copy of this session cookie ends too
            db.session.commit()
        logout_user()
        flash(_("You are signed out."), "info")
    return redirect(url_for("home.index"))


def signup():
    form = SignupForm()
    if form.validate_on_submit():
        try:
            operations.sign_up(
                form.email.data, form.password.data, display_name=form.display_name.data
            )
        except DomainError as error:
            db.session.rollback()
            form.attach_error(error)
        else:
            db.session.commit()
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
