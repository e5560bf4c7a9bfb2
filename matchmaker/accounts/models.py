"""Users, their roles, and API tokens (stored hashed)."""

from __future__ import annotations

import hashlib
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from matchmaker.db import Base, UTCDateTime, str_enum, utcnow
from matchmaker.i18n import NP_
from matchmaker.reference.vocabulary import LabelledEnum

DEFAULT_PASSWORD_HASH = "scrypt"


class Role(LabelledEnum):
    INVESTOR = "investor", NP_("role", "Investor")
    STAFF = "staff", NP_("role", "Provincial staff")
    ORGANIZER = "organizer", NP_("role", "Organiser")
    ADMIN = "admin", NP_("role", "Administrator")


# The prefectures (or counties) a staff account works for; none: the whole province.
user_regions = sa.Table(
    "user_regions",
    Base.metadata,
    sa.Column("user_id", sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("region_id", sa.ForeignKey("regions.id"), primary_key=True),
)


class User(UserMixin, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), nullable=False, unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(255), nullable=False)
    role: Mapped[Role] = mapped_column(str_enum(Role, "user_role"), nullable=False)
    display_name: Mapped[str] = mapped_column(sa.String(100), nullable=False, default="")
    # The language the person reads the platform in ('zh', 'en'; None: not chosen yet, the
    # browser's Accept-Language decides). Set when they switch language while signed in.
    locale: Mapped[str | None] = mapped_column(sa.String(8), nullable=True)
    investor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("investors.id"), nullable=True)
    active: Mapped[bool] = mapped_column(nullable=False, default=True)
    # Bumped to sign the user out everywhere (sign-out, password reset, role change,
    # deactivation): sessions carry the version they were issued with.
    session_version: Mapped[int] = mapped_column(nullable=False, default=1, server_default="1")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    investor: Mapped["Investor | None"] = relationship()  # noqa: F821, UP037
    scope_regions: Mapped[list["Region"]] = relationship(  # noqa: F821, UP037
        secondary=user_regions, order_by="Region.position"
    )

    @property
    def is_scoped(self) -> bool:
        """A staff account limited to some prefectures or counties (organisers, admins and
        province-level staff are not)."""
        return self.role == Role.STAFF and bool(self.scope_regions)

    def covers_region(self, region) -> bool:
        """May this account act on something located in `region`? Unscoped accounts: yes.
        A scoped one: only inside its prefectures (a county counts for its prefecture) or
        its counties; nothing without a place."""
        if not self.is_scoped:
            return True
        if region is None:
            return False
        ids = {r.id for r in self.scope_regions}
        return region.id in ids or (region.parent_id is not None and region.parent_id in ids)

    def set_password(self, password: str) -> None:
        # scrypt unless configured otherwise (the test suite's cheap PASSWORD_HASH_METHOD);
        # checking reads the method from the stored hash, so both kinds verify.
        method = current_app.config.get("PASSWORD_HASH_METHOD", DEFAULT_PASSWORD_HASH)
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str:  # Flask-Login: what the session cookie holds
        return f"{self.id}:{self.session_version}"

    def has_role(self, *roles: Role | str) -> bool:
        """Admins may do everything; other users only what their role allows."""
        return self.role == Role.ADMIN or self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email} {self.role}>"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), nullable=False, unique=True)
    prefix: Mapped[str] = mapped_column(sa.String(12), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<ApiToken {self.prefix}… user={self.user_id}>"
