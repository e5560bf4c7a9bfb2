"""Accounts: users, roles, sign-in, API tokens."""

from __future__ import annotations

from matchmaker.accounts.models import DEFAULT_PASSWORD_HASH


def init_app(app) -> None:
    """Refuse to run in production with a password hash cheaper than the default (a
    PASSWORD_HASH_METHOD meant for the test suite)."""
    method = app.config.get("PASSWORD_HASH_METHOD", DEFAULT_PASSWORD_HASH)
    if app.config.get("ENV") == "production" and method != DEFAULT_PASSWORD_HASH:
        raise RuntimeError(
            f"Refusing to start in production with PASSWORD_HASH_METHOD={method!r}: "
            f"passwords are hashed with {DEFAULT_PASSWORD_HASH} there"
        )
