"""One decorator enforces roles on every write route, for pages and the API alike."""

from __future__ import annotations

from functools import wraps

from flask import abort, request
from flask_login import current_user

from matchmaker.accounts.models import Role
from matchmaker.extensions import login


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
