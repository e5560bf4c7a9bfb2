"""Rate limits (Flask-Limiter): sign-in, sign-up and token-authenticated API writes.

Counters live in Redis when REDIS_URL is set, so every worker and machine counts together;
in memory otherwise (one process: `matchmaker run`). Limits come from the configuration
(LOGIN_LIMIT, SIGNUP_LIMIT, API_WRITE_LIMIT) and RATE_LIMITS turns them off.

Sign-in is limited per address *and* per e-mail: 300 wrong passwords at 12/s from rotating
addresses still hit the e-mail's limit, and the right password is refused too until the
window passes (the page says to wait).
"""

from __future__ import annotations

from flask import Flask, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from matchmaker.accounts.models import hash_token
from matchmaker.accounts.operations import normalize_email
from matchmaker.accounts.roles import bearer_token

limiter = Limiter(key_func=get_remote_address, strategy="moving-window")


def _disabled() -> bool:
    return not current_app.config.get("RATE_LIMITS", True)


def _email_key() -> str:

    return "email:" + normalize_email(request.form.get("email", ""))[:254]


def _token_key() -> str:

    token = bearer_token()
    return "token:" + hash_token(token)[:24] if token else "ip:" + get_remote_address()


def login_limits(view):
    """Per address and per e-mail, counted on POST only."""
    view = limiter.limit(
        lambda: current_app.config["LOGIN_LIMIT"], methods=["POST"], exempt_when=_disabled,
        key_func=_email_key, scope="login-email",
    )(view)
    return limiter.limit(
        lambda: current_app.config["LOGIN_LIMIT"], methods=["POST"], exempt_when=_disabled,
        scope="login-ip",
    )(view)


def signup_limits(view):
    return limiter.limit(
        lambda: current_app.config["SIGNUP_LIMIT"], methods=["POST"], exempt_when=_disabled,
        scope="signup",
    )(view)


def api_write_limits(view):
    """Per token: writes through the API (POST, PUT, PATCH, DELETE)."""
    return limiter.limit(
        lambda: current_app.config["API_WRITE_LIMIT"],
        methods=["POST", "PUT", "PATCH", "DELETE"],
        exempt_when=_disabled,
        key_func=_token_key,
        scope="api-write",
    )(view)


def init_app(app: Flask) -> None:
    redis_url = app.config.get("REDIS_URL")
    app.config.setdefault("RATELIMIT_STORAGE_URI", redis_url or "memory://")
    app.config.setdefault("RATELIMIT_KEY_PREFIX", app.config.get("REDIS_PREFIX", "matchmaker"))
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", True)
    # A Redis outage must not take sign-in down with it: fall back to memory meanwhile.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    limiter.init_app(app)
