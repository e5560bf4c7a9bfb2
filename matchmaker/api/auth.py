"""Bearer-token authentication for the JSON API's writes."""

from __future__ import annotations

from functools import wraps

from flask import request
from flask_babel import gettext as _
from flask_login import current_user

from matchmaker.accounts.limits import api_write_limits
from matchmaker.accounts.models import Role
from matchmaker.accounts.operations import user_for_token
from matchmaker.accounts.roles import bearer_token
from matchmaker.errors import api_error

SAFE_METHODS = frozenset({"GET", "HEAD"})


def current_api_user():
    """The user of the request's bearer token (None when absent or invalid). A read (GET)
    without a token may also come from a page's script: then the signed-in user of the
    page's session counts (reads write nothing, so no CSRF token is needed)."""

    # Cached on the request itself: `g` can outlive a request when the app context is reused.
    key = "matchmaker.api_user"
    if key not in request.environ:
        token = bearer_token()
        user = user_for_token(token) if token else None
        if not token and request.method in SAFE_METHODS and current_user.is_authenticated:
            user = current_user._get_current_object()
        request.environ[key] = user
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
        return api_write_limits(wrapped)

    return decorator
