"""Account actions shared by the pages, the API and the CLI."""

from __future__ import annotations

import logging
import re
import secrets
from datetime import timedelta

import sqlalchemy as sa

from matchmaker import audit
from matchmaker.accounts.models import ApiToken, Role, User, hash_token
from matchmaker.db import utcnow
from matchmaker.errors import Conflict, DomainError
from matchmaker.extensions import db
from matchmaker.i18n import N_

log = logging.getLogger(__name__)

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "mm_"


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def check_password_strength(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise DomainError(
            N_("The password must have at least %(min)d characters."),
            field="password",
            min=MIN_PASSWORD_LENGTH,
        )
    if password.isdigit() or password.isalpha() or len(set(password)) < 4:
        raise DomainError(
            N_("The password is too weak: mix letters with digits or symbols."), field="password"
        )


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise DomainError(
            N_("Unknown role %(role)s: use investor, staff, organizer or admin."),
            field="role",
            role=value,
        ) from None


def create_user(
    email: str,
    password: str,
    role: Role | str,
    *,
    display_name: str = "",
    investor_id: int | None = None,
    actor: User | None = None,
) -> User:
    email = normalize_email(email)
    if not EMAIL_RE.match(email):
        raise DomainError(N_("Enter a valid email address."), field="email")
    role = parse_role(role) if not isinstance(role, Role) else role
    check_password_strength(password)
    exists = db.session.scalar(sa.select(User.id).where(User.email == email))
    if exists:
        raise Conflict(N_("An account with this email already exists."), field="email")
    user = User(email=email, role=role, display_name=display_name.strip(), investor_id=investor_id)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    audit.record("create", "user", user.id, user=actor or user, after={"email": email, "role": role})
    log.info("created user %s with role %s", email, role)
    return user


def authenticate(email: str, password: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == normalize_email(email)))
    if user is None or not user.check_password(password or "") or not user.active:
        raise DomainError(N_("Wrong email or password."), field="password")
    return user


def set_role(user: User, role: Role | str, *, actor: User) -> User:
    role = parse_role(role) if not isinstance(role, Role) else role
    before = {"role": user.role}
    user.role = role
    audit.record("set_role", "user", user.id, user=actor, before=before, after={"role": role})
    return user


def create_token(user: User, *, days: int | None = 365) -> tuple[str, ApiToken]:
    """A new API token; the plain value is returned once and only its hash is stored."""
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        token_hash=hash_token(plain),
        prefix=plain[:10],
        expires_at=utcnow() + timedelta(days=days) if days else None,
    )
    db.session.add(token)
    db.session.flush()
    audit.record("create", "api_token", token.id, user=user, after={"prefix": token.prefix})
    return plain, token


def user_for_token(plain: str) -> User | None:
    """The active user a token belongs to, or None if unknown, revoked or expired."""
    if not plain:
        return None
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_token(plain)))
    now = utcnow()
    if token is None or token.revoked_at is not None:
        return None
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if not token.user.active:
        return None
    token.last_used_at = now
    return token.user
