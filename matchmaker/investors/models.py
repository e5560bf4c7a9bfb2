"""Investors: the companies, funds and organisations that invest."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

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


    def __repr__(self) -> str:
        return f"<Investor {self.id} {self.name!r}>"
