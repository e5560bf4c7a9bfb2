"""One decorator enforces roles on every write route, for pages and the API alike."""

from __future__ import annotations

from functools import wraps

import sqlalchemy as sa
from flask import abort, request
from flask_login import current_user

from matchmaker.accounts.models import Role, User
from matchmaker.errors import Forbidden, NotFound
from matchmaker.extensions import db, login
from matchmaker.i18n import N_


def roles_required(*roles: Role):
    """Allow the listed roles (and admins) on a page: sign-in redirect, then 403.
    The API has its twin, `api.auth.token_required`, for bearer tokens."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = current_user
            if not user.is_authenticated:

                return login.unauthorized()
            if not user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles  # read by the role-enforcement tests
        return wrapped

    return decorator


def bearer_token() -> str:
    """The API token the request carries (`Authorization: Bearer …`), or ""."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def acting_user(email: str | None, *roles: Role):
    """The account a command acts as (`--as EMAIL`): its changes are audited under it and
    checked against its role (admins pass). Without `--as`, None: the operator at the
    console, as `matchmaker import` always acted."""
    if not email:
        return None
    user = db.session.scalar(sa.select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        raise NotFound(N_("There is no active user with the email %(email)s."), email=email[:254])
    if roles and not user.has_role(*roles):
        raise Forbidden(N_("The role of %(email)s does not allow this."), email=user.email)
    return user
