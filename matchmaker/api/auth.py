"""Bearer-token authentication for the JSON API's writes."""

from __future__ import annotations

from functools import wraps

from flask import request
from flask_babel import gettext as _

from matchmaker.accounts.models import Role
from matchmaker.accounts.operations import user_for_token
from matchmaker.errors import api_error


def bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


def current_api_user():
    """The user of the request's bearer token (None when absent or invalid)."""

    # Cached on the request itself: `g` can outlive a request when the app context is reused.
    key = "matchmaker.api_user"
    if key not in request.environ:
        request.environ[key] = user_for_token(bearer_token())
    return request.environ[key]


def token_required(*roles: Role):
    """401 without a valid token, 403 when the token's user lacks the role (admins pass)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            user = current_api_user()
            if user is None:
                return api_error(
                    "unauthorized", _("A valid API token is required (Authorization: Bearer …)."), 401
                )
            if roles and not user.has_role(*roles):
                return api_error("forbidden", _("Your role does not allow this."), 403)
            return view(*args, **kwargs)

        wrapped.required_roles = roles
        return wrapped

    return decorator
