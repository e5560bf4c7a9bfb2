"""Investors: the companies, funds and organisations that invest, and who may speak for them."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from matchmaker import cache
from matchmaker.db import Base, UTCDateTime, str_enum, utcnow
from matchmaker.i18n import NP_
from matchmaker.reference.vocabulary import LabelledEnum


class InvestorKind(LabelledEnum):
    ENTERPRISE = "enterprise", NP_("investor kind", "Domestic enterprise")
    SOE = "soe", NP_("investor kind", "State-owned enterprise")
    FUND = "fund", NP_("investor kind", "Fund")
    FOREIGN = "foreign", NP_("investor kind", "Foreign company")
    OTHER = "other", NP_("investor kind", "Other")


class Investor(Base):
    """A company. `private` investors belong to one user whose claim or new company is not
    reviewed yet: only that user and staff see them, and names never resolve to them.
    A merged investor keeps its row (`merged_into_id`) so the merge can be undone."""

    __tablename__ = "investors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(300), nullable=False)
    name_en: Mapped[str | None] = mapped_column(sa.String(300), nullable=True)
    aliases: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False, default=list)
    # Texts an organiser chose this investor for at the signing desk when they resolved to
    # no investor with confidence: each matches only when written exactly (names.InvestorName).
    known_as: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False, default=list,
                                                server_default="[]")
    kind: Mapped[InvestorKind] = mapped_column(
        str_enum(InvestorKind, "investor_kind"), nullable=False, default=InvestorKind.ENTERPRISE
    )
    country: Mapped[str] = mapped_column(sa.String(2), nullable=False, default="CN")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )
    # How it came to exist: import, signing, signup, staff, demo (None: before this was kept).
    created_via: Mapped[str | None] = mapped_column(sa.String(20), nullable=True)
    needs_review: Mapped[bool] = mapped_column(nullable=False, default=False)
    private: Mapped[bool] = mapped_column(nullable=False, default=False)
    merged_into_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("investors.id"), nullable=True, index=True
    )

    merged_into: Mapped[Investor | None] = relationship(remote_side=[id])

    __table_args__ = (
        # Public names are unique; a user's private draft may repeat a known name.
        sa.Index(
            "uq_investors_public_name",
            "name",
            unique=True,
            sqlite_where=sa.text("private = 0"),
            postgresql_where=sa.text("NOT private"),
        ),
    )

    @property
    def active(self) -> bool:
        return self.merged_into_id is None

    def __repr__(self) -> str:
        return f"<Investor {self.id} {self.name!r}>"


class ClaimStatus(LabelledEnum):
    PENDING = "pending", NP_("claim status", "waiting for approval")
    APPROVED = "approved", NP_("claim status", "approved")
    REJECTED = "rejected", NP_("claim status", "rejected")


class InvestorClaim(Base):
    """A user's claim to speak for an investor. Signing up and naming a company creates a
    pending claim; staff or an approved member of that company decide it."""

    __tablename__ = "investor_claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    investor_id: Mapped[int] = mapped_column(sa.ForeignKey("investors.id"), nullable=False, index=True)
    status: Mapped[ClaimStatus] = mapped_column(
        str_enum(ClaimStatus, "claim_status"), nullable=False, default=ClaimStatus.PENDING
    )
    written_name: Mapped[str] = mapped_column(sa.String(300), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), nullable=True)

    investor: Mapped[Investor] = relationship()
    user: Mapped["User"] = relationship(foreign_keys=[user_id])  # noqa: F821, UP037
    decided_by: Mapped["User | None"] = relationship(foreign_keys=[decided_by_id])  # noqa: F821, UP037

    __table_args__ = (sa.UniqueConstraint("user_id", "investor_id", name="uq_investor_claims_user_investor"),)

    def __repr__(self) -> str:
        return f"<InvestorClaim user={self.user_id} investor={self.investor_id} {self.status}>"


# Names that resolve change when an investor is created, renamed, given an alias or an
# English name, merged, made public or deleted: bump the resolver's generation in the same
# transaction (every process rebuilds on its next request; see matchmaker/cache.py).
_NAME_FIELDS = ("name", "name_en", "aliases", "known_as", "private", "merged_into_id")


def investor_names_flushed(session: Session, _flush_context) -> None:
    for obj in (*session.new, *session.deleted):
        if isinstance(obj, Investor):
            cache.bump(cache.INVESTOR_NAMES, session)
            return
    for obj in session.dirty:
        if isinstance(obj, Investor):
            state = sa.inspect(obj)
            if any(state.attrs[name].history.has_changes() for name in _NAME_FIELDS):
                cache.bump(cache.INVESTOR_NAMES, session)
                return
