"""Signing sessions at the forum and the agreements signed in them."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.db import Base, Money, UTCDateTime, str_enum, utcnow
from matchmaker.editions.models import Edition
from matchmaker.i18n import NP_
from matchmaker.reference.vocabulary import LabelledEnum


class SessionKind(LabelledEnum):
    # 生态文明贵阳国际论坛绿色产业项目签约
    GREEN_INDUSTRY = "green_industry", NP_("session kind", "Green-industry project signing")
    # 贵州省重大绿色发展项目及战略合作协议签约
    MAJOR_PROJECTS = "major_projects", NP_(
        "session kind", "Major green-development projects and strategic cooperation agreements"
    )
    OTHER = "other", NP_("session kind", "Other signing")


class SessionState(LabelledEnum):
    PLANNED = "planned", NP_("session state", "Planned")
    OPEN = "open", NP_("session state", "Open")
    CLOSED = "closed", NP_("session state", "Closed")


class AgreementKind(LabelledEnum):
    INVESTMENT_CONTRACT = "investment_contract", NP_("agreement kind", "Investment contract")
    FRAMEWORK = "framework", NP_("agreement kind", "Framework agreement")
    STRATEGIC = "strategic", NP_("agreement kind", "Strategic cooperation agreement")
    # not counted as signed by default
    INTENT = "intent", NP_("agreement kind", "Letter of intent")


class SigningSession(Base):
    __tablename__ = "signing_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("editions.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    name_en: Mapped[str] = mapped_column(sa.String(300), nullable=False, default="")
    kind: Mapped[SessionKind] = mapped_column(str_enum(SessionKind, "session_kind"), nullable=False)
    held_on: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    venue: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    target_yuan: Mapped[Decimal] = mapped_column(Money, nullable=False, default=Decimal("0"))
    state: Mapped[SessionState] = mapped_column(
        str_enum(SessionState, "session_state"), nullable=False, default=SessionState.PLANNED
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    agreements: Mapped[list[Agreement]] = relationship(back_populates="session")
    edition: Mapped[Edition] = relationship()

    # Yuan per unit of foreign currency for this session's agreements, {"USD": "7.1"}
    # (decimal strings, checked by amounts.check_rate); where a currency has none here the
    # edition's rate applies (editions.rates.rate_for).
    rates: Mapped[dict[str, str]] = mapped_column(sa.JSON, nullable=False, default=dict)

    rate_source = "session"  # for editions.rates: where a rate comes from

    __table_args__ = (sa.CheckConstraint("target_yuan >= 0", name="target_non_negative"),)

    @property
    def year(self) -> int:
        return self.edition.year

    def own_exchange_rates(self) -> dict[str, Decimal]:
        return {code: Decimal(str(value)) for code, value in (self.rates or {}).items() if value}

    def __repr__(self) -> str:
        return f"<SigningSession {self.id} {self.name!r} {self.state}>"


class Agreement(Base):
    __tablename__ = "agreements"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        sa.ForeignKey("signing_sessions.id"), nullable=False, index=True
    )
    investor_id: Mapped[int] = mapped_column(
        sa.ForeignKey("investors.id"), nullable=False, index=True
    )
    project_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("projects.id"), nullable=True, index=True
    )
    # Off-catalogue agreements name their project, sector and region here.
    project_name: Mapped[str] = mapped_column(sa.String(300), nullable=False, default="")
    sector_id: Mapped[int | None] = mapped_column(sa.ForeignKey("sectors.id"), nullable=True)
    region_id: Mapped[int | None] = mapped_column(sa.ForeignKey("regions.id"), nullable=True)
    amount_yuan: Mapped[Decimal] = mapped_column(Money, nullable=False)
    # An agreement signed in a foreign currency keeps what was signed (合同外资): the
    # currency, the amount in it and the rate it was converted at; amount_yuan is that
    # amount times the rate, to the fen, and is what every total counts.
    currency: Mapped[str] = mapped_column(sa.String(3), nullable=False, default="CNY")
    amount_original: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    exchange_rate: Mapped[Decimal | None] = mapped_column(sa.Numeric(18, 8), nullable=True)
    kind: Mapped[AgreementKind] = mapped_column(
        str_enum(AgreementKind, "agreement_kind"), nullable=False
    )
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    voided: Mapped[bool] = mapped_column(nullable=False, default=False)
    void_reason: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    idempotency_key: Mapped[str | None] = mapped_column(sa.String(100), nullable=True, unique=True)
    # sha256 of the session and the input the key was first used with: a repeat must match.
    idempotency_fingerprint: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )

    session: Mapped[SigningSession] = relationship(back_populates="agreements")
    investor: Mapped["Investor"] = relationship()  # noqa: F821, UP037
    project: Mapped["Project | None"] = relationship()  # noqa: F821, UP037
    sector: Mapped["Sector | None"] = relationship()  # noqa: F821, UP037
    region: Mapped["Region | None"] = relationship()  # noqa: F821, UP037

    __table_args__ = (
        sa.CheckConstraint("amount_yuan > 0", name="amount_positive"),
        sa.CheckConstraint(
            "(currency = 'CNY' AND amount_original IS NULL AND exchange_rate IS NULL) OR "
            "(currency <> 'CNY' AND amount_original > 0 AND exchange_rate > 0)",
            name="foreign_amount_complete",
        ),
        sa.CheckConstraint("voided = false OR void_reason <> ''", name="void_needs_reason"),
        sa.CheckConstraint("project_id IS NOT NULL OR project_name <> ''", name="project_or_name"),
        # Covering indexes of signing.totals.grouped_tallies (one per part of its statement).
        sa.Index("ix_agreements_tally_session", "session_id", "kind", "voided", "amount_yuan"),
        sa.Index("ix_agreements_tally_placement", "project_id", "sector_id", "region_id", "voided",
                 "kind", "amount_yuan"),
        sa.Index("ix_agreements_tally_investor", "investor_id", "voided", "kind", "amount_yuan"),
    )

    def __repr__(self) -> str:
        return f"<Agreement {self.id} {self.amount_yuan} {self.kind} voided={self.voided}>"

    @property
    def foreign(self) -> bool:
        return self.currency != "CNY"


class TallyDimension(enum.IntEnum):
    """What `AgreementTally.key` is."""

    SESSION = 0  # key 0: the row of (session, kind, voided) itself
    PROJECT = 1  # key: project id (catalogue agreements only)
    SECTOR = 2  # key: sector id, 0 for none (off-catalogue agreements only)
    REGION = 3  # key: region id, 0 for none (off-catalogue agreements only)
    INVESTOR = 4  # key: investor id
    CURRENCY = 5  # key 0, `currency` set: foreign-currency agreements (also amount_original)


class AgreementTally(Base):
    """Running count and sum of agreements per (dimension, key, session, kind, voided).

    Maintained by database triggers on `agreements` (migration 1701), so
    every write - ORM, Core or SQL - updates them in its own transaction; totals read a
    few hundred of these rows instead of every agreement."""

    __tablename__ = "agreement_tallies"

    id: Mapped[int] = mapped_column(primary_key=True)
    dimension: Mapped[int] = mapped_column(sa.SmallInteger, nullable=False)
    key: Mapped[int] = mapped_column(nullable=False)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("signing_sessions.id"), nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    voided: Mapped[bool] = mapped_column(nullable=False)
    currency: Mapped[str] = mapped_column(sa.String(3), nullable=False)  # '' but in CURRENCY
    agreements: Mapped[int] = mapped_column(nullable=False)
    yuan: Mapped[Decimal] = mapped_column(Money, nullable=False)
    amount_original: Mapped[Decimal] = mapped_column(Money, nullable=False)  # CURRENCY only

    __table_args__ = (
        sa.UniqueConstraint("dimension", "key", "currency", "session_id", "kind", "voided"),
    )

    def __repr__(self) -> str:
        return f"<AgreementTally {self.dimension}:{self.key} {self.session_id} {self.kind} {self.agreements}>"


class AgreementLink(Base):
    """"Same agreement, do not count again": the duplicate (recorded at another session or
    edition, or announced again by a county, a city or the province) points at the agreement
    it repeats. Totals that span both count it once (signing.totals); it stays recorded."""

    __tablename__ = "agreement_links"

    duplicate_id: Mapped[int] = mapped_column(sa.ForeignKey("agreements.id"), primary_key=True)
    original_id: Mapped[int] = mapped_column(sa.ForeignKey("agreements.id"), nullable=False,
                                             index=True)
    linked_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), nullable=True)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (sa.CheckConstraint("duplicate_id <> original_id", name="not_itself"),)

    def __repr__(self) -> str:
        return f"<AgreementLink {self.duplicate_id} -> {self.original_id}>"
