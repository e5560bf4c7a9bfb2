"""The forum edition record."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker.db import Base, Money, UTCDateTime, utcnow

FORUM_NAME_ZH = "生态文明贵阳国际论坛"
FORUM_NAME_EN = "Eco Forum Global Guiyang"


def default_names(year: int) -> tuple[str, str]:
    """'2025年生态文明贵阳国际论坛', 'Eco Forum Global Guiyang 2025'."""
    return f"{year}年{FORUM_NAME_ZH}", f"{FORUM_NAME_EN} {year}"


class Edition(Base):
    __tablename__ = "editions"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(nullable=False, unique=True)
    name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    name_en: Mapped[str] = mapped_column(sa.String(300), nullable=False, default="")
    starts_on: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    ends_on: Mapped[date | None] = mapped_column(sa.Date, nullable=True)
    # The edition's signing target (e.g. "over 160亿元"); sessions keep their own targets.
    target_yuan: Mapped[Decimal] = mapped_column(Money, nullable=False, default=Decimal("0"))
    # Yuan per unit of foreign currency for this edition, {"USD": "7.1", "EUR": "7.8"}
    # (decimal strings, checked by amounts.check_rate). A catalogue's own rate wins.
    rates: Mapped[dict[str, str]] = mapped_column(sa.JSON, nullable=False, default=dict)
    # Pinned by an organiser as the current edition (at most one); without a pin the
    # latest year is current (see operations.current_edition).
    pinned: Mapped[bool] = mapped_column(nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )

    __table_args__ = (
        sa.CheckConstraint("year BETWEEN 2000 AND 2100", name="year_range"),
        sa.CheckConstraint("target_yuan >= 0", name="target_non_negative"),
        sa.CheckConstraint(
            "starts_on IS NULL OR ends_on IS NULL OR ends_on >= starts_on", name="dates_in_order"
        ),
        sa.Index(
            "uq_editions_pinned", "pinned", unique=True,
            sqlite_where=sa.text("pinned"), postgresql_where=sa.text("pinned"),
        ),
    )

    def exchange_rates(self) -> dict[str, Decimal]:
        """Yuan per unit, by currency code."""
        return {code: Decimal(str(value)) for code, value in (self.rates or {}).items() if value}

    def __repr__(self) -> str:
        return f"<Edition {self.year} {self.name!r}>"
