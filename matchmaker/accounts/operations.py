"""Account actions shared by the pages, the API and the CLI."""

from __future__ import annotations

import functools
import logging
import re
import secrets
from datetime import timedelta

import sqlalchemy as sa
import sqlalchemy.exc
from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from matchmaker import audit
from matchmaker.accounts.models import DEFAULT_PASSWORD_HASH, ApiToken, Role, User, hash_token
from matchmaker.db import utcnow
from matchmaker.errors import Conflict, DomainError, Forbidden, NotFound
from matchmaker.extensions import db
from matchmaker.i18n import N_
from matchmaker.reference.models import Region, RegionLevel

log = logging.getLogger(__name__)

EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "mm_"


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


MIN_PASSWORD_SCORE = 3  # zxcvbn: 0-4; 3 is "safely unguessable" (about 10^8 guesses or more)


def check_password_strength(password: str, *, user_inputs: tuple[str, ...] = ()) -> None:
    """At least 10 characters, and not guessable: zxcvbn rates it against its lists of
    common passwords, words, names, keyboard patterns and dates (so 'password123' and
    'qwerty1234' are refused), and against the person's own e-mail and name."""
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
    inputs = [part for value in user_inputs for part in re.split(r"[@.\s_-]+", value or "") if part]
    if zxcvbn(password[:100], user_inputs=inputs)["score"] < MIN_PASSWORD_SCORE:
        raise DomainError(
            N_("The password is too easy to guess (a common password, word or pattern); "
               "choose a longer one, e.g. three unrelated words and a number."),
            field="password",
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
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise DomainError(N_("Enter a valid email address."), field="email")
    role = parse_role(role) if not isinstance(role, Role) else role
    check_password_strength(password, user_inputs=(email, display_name))
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


def sign_up(email: str, password: str, *, display_name: str = "") -> User | None:
    """An investor account for a new e-mail; None when the e-mail already has one.

    The caller answers both cases alike (the page never says that an address has an
    account), and the time is alike too: a password is hashed either way."""
    try:
        return create_user(email, password, Role.INVESTOR, display_name=display_name)
    except Conflict:
        generate_password_hash(password)  # the same work as creating the account
        log.warning("sign-up with an existing e-mail refused silently: %s", normalize_email(email))
        return None


@functools.cache
def _dummy_hash_for(method: str) -> str:
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def _dummy_hash() -> str:
    """A hash of the kind real passwords get (PASSWORD_HASH_METHOD), made once."""
    return _dummy_hash_for(current_app.config.get("PASSWORD_HASH_METHOD", DEFAULT_PASSWORD_HASH))


def authenticate(email: str, password: str) -> User:
    """The active user with this e-mail and password, else 'Wrong email or password'.

    An unknown e-mail checks the password against a dummy hash of the same kind, so the
    answer takes as long as for a known one (64 ms against 3 ms told which e-mails exist)."""
    user = db.session.scalar(sa.select(User).where(User.email == normalize_email(email)))
    if user is None:
        check_password_hash(_dummy_hash(), password or "")
        raise DomainError(N_("Wrong email or password."), field="password")
    if not user.check_password(password or "") or not user.active:
        raise DomainError(N_("Wrong email or password."), field="password")
    return user


def find_user(email: str) -> User:
    user = db.session.scalar(sa.select(User).where(User.email == normalize_email(email)))
    if user is None:
        raise NotFound(N_("There is no user with the email %(email)s."), field="email",
                       email=(email or "")[:254])
    return user


def active_admins() -> int:
    return db.session.scalar(
        sa.select(sa.func.count(User.id)).where(User.role == Role.ADMIN, User.active.is_(True))
    )


def _keep_an_admin(user: User) -> None:
    """Refuse to remove the last active administrator (nobody could manage users then)."""
    if user.role == Role.ADMIN and user.active and active_admins() <= 1:
        raise Conflict(
            N_("%(email)s is the last active administrator; make another user an "
               "administrator first."),
            email=user.email,
        )


def end_sessions(user: User) -> None:
    """Sign the user out everywhere: every session cookie issued so far stops working."""
    user.session_version = (user.session_version or 1) + 1


def sign_out(user: User) -> None:
    end_sessions(user)
    audit.record("sign_out", "user", user.id, user=user)


def set_role(user: User, role: Role | str, *, actor: User) -> User:
    role = parse_role(role) if not isinstance(role, Role) else role
    if role == user.role:
        return user
    if role != Role.ADMIN:
        _keep_an_admin(user)
    before = {"role": user.role}
    user.role = role
    end_sessions(user)
    audit.record("set_role", "user", user.id, user=actor, before=before, after={"role": role})
    return user


def covered_region_ids(user) -> set[int] | None:
    """The region ids a scoped staff account covers (its regions and their counties); None
    for accounts that cover the whole province (and the console, user None)."""
    if user is None or not getattr(user, "is_scoped", False):
        return None
    ids = {r.id for r in user.scope_regions}
    ids |= set(db.session.scalars(sa.select(Region.id).where(Region.parent_id.in_(ids))))
    return ids


def require_region(user, region, *, field: str | None = None) -> None:
    """Refuse (Forbidden, nothing written) a scoped account's act on something outside its
    prefectures or counties, or without a place."""
    if user is None or user.covers_region(region):
        return
    if region is None:
        raise Forbidden(N_("This has no place in Guizhou: only province-level staff can "
                           "change it."), field=field)
    raise Forbidden(N_("%(region)s is outside the prefectures your account covers: nothing "
                       "was changed."), field=field, region=region.name)


def require_province_level(user) -> None:
    """Refuse a scoped (prefecture) account an act of the province-level staff."""
    if user is not None and getattr(user, "is_scoped", False):
        raise Forbidden(N_("Only province-level staff can do this; your account covers "
                           "some prefectures only."))


def set_scope(user: User, region_codes: list[str], *, actor: User | None) -> User:
    """Limit a staff account to prefectures or counties (codes such as 520300, 520303);
    an empty list makes it province-level again. Only staff accounts carry a scope."""
    codes = [code.strip() for code in region_codes if code and code.strip()]
    if codes and user.role != Role.STAFF:
        raise DomainError(N_("Only staff accounts can be limited to prefectures."), field="regions")
    regions = list(db.session.scalars(sa.select(Region).where(Region.code.in_(codes))))
    unknown = sorted(set(codes) - {r.code for r in regions})
    if unknown:
        raise DomainError(N_("Unknown region code: %(codes)s."), field="regions",
                          codes=", ".join(unknown))
    if any(r.level == RegionLevel.PROVINCE for r in regions):
        raise DomainError(N_("A scope is prefectures or counties; leave it empty for the whole "
                             "province."), field="regions")
    before = {"regions": [r.code for r in user.scope_regions]}
    user.scope_regions = sorted(regions, key=lambda r: r.code)
    audit.record("set_scope", "user", user.id, user=actor, before=before,
                 after={"regions": [r.code for r in user.scope_regions]})
    db.session.flush()
    return user


def deactivate_user(user: User, *, actor: User | None) -> User:
    """The user can no longer sign in; their sessions and API tokens stop working."""
    if not user.active:
        return user
    _keep_an_admin(user)
    user.active = False
    end_sessions(user)
    revoked = revoke_tokens(user_id=user.id, actor=actor)
    audit.record("deactivate", "user", user.id, user=actor, before={"active": True},
                 after={"active": False, "tokens_revoked": revoked})
    return user


def reactivate_user(user: User, *, actor: User | None) -> User:
    if user.active:
        return user
    user.active = True
    audit.record("reactivate", "user", user.id, user=actor, before={"active": False},
                 after={"active": True})
    return user


def reset_password(user: User, password: str | None = None, *, actor: User | None) -> str:
    """Set a new password (a random one when none is given, returned to be handed over);
    every session of the user ends."""
    generated = password is None
    if generated:
        password = secrets.token_urlsafe(12)
    else:
        check_password_strength(password, user_inputs=(user.email, user.display_name))
    user.set_password(password)
    end_sessions(user)
    audit.record("reset_password", "user", user.id, user=actor, after={"generated": generated})
    return password


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
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_GRANULARITY:
        note_token_use(token.id, now)
    return token.user


LAST_USED_GRANULARITY = timedelta(minutes=5)


def note_token_use(token_id: int, when) -> None:
    """Record when a token was last used, at most every few minutes, on its own short
    connection and only if the database is free right now: a GET must never wait for (or
    fail on) the write lock that a long import holds on SQLite, and the request's own
    transaction stays free of this bookkeeping."""

    try:
        with db.engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                connection.exec_driver_sql("PRAGMA busy_timeout = 0")
            else:
                connection.execute(sa.text("SET LOCAL lock_timeout = '200ms'"))
            try:
                connection.execute(
                    sa.update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=when)
                )
                connection.commit()
            finally:
                if sqlite:
                    connection.exec_driver_sql("PRAGMA busy_timeout = 5000")
    except sqlalchemy.exc.OperationalError:
        log.info("token %s: last use not recorded (database busy)", token_id)


def token_query(*, user_id: int | None = None, live_only: bool = False):
    query = sa.select(ApiToken).order_by(ApiToken.id)
    if user_id is not None:
        query = query.where(ApiToken.user_id == user_id)
    if live_only:
        now = utcnow()
        query = query.where(
            ApiToken.revoked_at.is_(None),
            sa.or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > now),
        )
    return query


def token_state(token: ApiToken) -> str:
    if token.revoked_at is not None:
        return "revoked"
    if token.expires_at is not None and token.expires_at <= utcnow():
        return "expired"
    return "active"


def revoke_token(token: ApiToken, *, actor: User | None) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record("revoke", "api_token", token.id, user=actor,
                     after={"prefix": token.prefix, "user_id": token.user_id})
    return token


def revoke_tokens(*, user_id: int | None = None, actor: User | None) -> int:
    """Revoke every live token (of one user, or of everyone); the number revoked."""
    tokens = db.session.scalars(token_query(user_id=user_id, live_only=True)).all()
    for token in tokens:
        revoke_token(token, actor=actor)
    return len(tokens)


def expire_tokens(*, user_id: int | None = None, days: int, actor: User | None) -> int:
    """Shorten live tokens to expire within `days` (0: now); the number changed."""
    if days < 0:
        raise DomainError(N_("The number of days cannot be negative."), field="days")
    deadline = utcnow() + timedelta(days=days)
    changed = 0
    for token in db.session.scalars(token_query(user_id=user_id, live_only=True)).all():
        if token.expires_at is None or token.expires_at > deadline:
            before = {"expires_at": token.expires_at}
            token.expires_at = deadline
            audit.record("expire", "api_token", token.id, user=actor, before=before,
                         after={"expires_at": deadline})
            changed += 1
    return changed

