"""Investors, their profiles, and leads (an investor's registered interest in a project)."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.db import Base, Money, UTCDateTime, str_enum, utcnow


class InvestorKind(enum.StrEnum):
    ENTERPRISE = "enterprise"
    SOE = "soe"
    FUND = "fund"
    FOREIGN = "foreign"
    OTHER = "other"


class LeadStatus(enum.StrEnum):
    NEW = "new"
    CONTACTED = "contacted"
    MEETING = "meeting"
    SIGNED = "signed"
    DROPPED = "dropped"


class Investor(Base):
    __tablename__ = "investors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(300), nullable=False, unique=True)
    name_en: Mapped[str | None] = mapped_column(sa.String(300), nullable=True)
    aliases: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False, default=list)
    kind: Mapped[InvestorKind] = mapped_column(
        str_enum(InvestorKind, "investor_kind"), nullable=False, default=InvestorKind.ENTERPRISE
    )
    country: Mapped[str] = mapped_column(sa.String(2), nullable=False, default="CN")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    profile: Mapped[InvestorProfile | None] = relationship(back_populates="investor", uselist=False)

    def __repr__(self) -> str:
        return f"<Investor {self.id} {self.name!r}>"


class InvestorProfile(Base):
    __tablename__ = "investor_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    investor_id: Mapped[int] = mapped_column(
        sa.ForeignKey("investors.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    sectors: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False, default=list)
    regions: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False, default=list)
    min_yuan: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    max_yuan: Mapped[Decimal | None] = mapped_column(Money, nullable=True)
    modes: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False, default=list)
    keywords: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )

    investor: Mapped[Investor] = relationship(back_populates="profile")

    __table_args__ = (
        sa.CheckConstraint("min_yuan IS NULL OR min_yuan >= 0", name="min_non_negative"),
        sa.CheckConstraint(
            "min_yuan IS NULL OR max_yuan IS NULL OR min_yuan <= max_yuan", name="min_le_max"
        ),
    )

    def __repr__(self) -> str:
        return f"<InvestorProfile investor={self.investor_id}>"


class Lead(Base):
    __tablename__ = "leads"

    id: Mapped[int] = mapped_column(primary_key=True)
    investor_id: Mapped[int] = mapped_column(sa.ForeignKey("investors.id"), nullable=False, index=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), nullable=False, index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), nullable=True)
    message: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    status: Mapped[LeadStatus] = mapped_column(
        str_enum(LeadStatus, "lead_status"), nullable=False, default=LeadStatus.NEW
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )

    investor: Mapped[Investor] = relationship()
    project: Mapped["Project"] = relationship()  # noqa: F821, UP037

    __table_args__ = (sa.UniqueConstraint("investor_id", "project_id", name="uq_leads_investor_project"),)

    def __repr__(self) -> str:
        return f"<Lead {self.id} investor={self.investor_id} project={self.project_id} {self.status}>"
