"""Matching's records: what an investor looks for (profile) and registered interest (leads)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from matchmaker.catalogue.models import Project
from matchmaker.db import Base, Money, UTCDateTime, str_enum, utcnow
from matchmaker.i18n import NP_
from matchmaker.investors.models import Investor
from matchmaker.reference.vocabulary import LabelledEnum


class LeadStatus(LabelledEnum):
    NEW = "new", NP_("lead status", "New")
    CONTACTED = "contacted", NP_("lead status", "Contacted")
    MEETING = "meeting", NP_("lead status", "Meeting")
    SIGNED = "signed", NP_("lead status", "Signed")
    DROPPED = "dropped", NP_("lead status", "Dropped")


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

    # `Investor.profile` is declared from here (backref): investors do not know matching.
    investor: Mapped[Investor] = relationship(backref=backref("profile", uselist=False))

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
