"""Editions: create, change, pin the current one, and find the one a request names.

Operations add and flush, raise DomainError, never commit; every change is audited.

The current edition: the one an organiser pinned; without a pin, the latest year. Pages,
the API and the CLI show the current edition unless told otherwise ("?edition=2024");
figures across editions appear only where the page says so (`ALL`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from matchmaker import audit
from matchmaker.amounts import (
    CNY,
    FOREIGN_CURRENCIES,
    AmountError,
    check_rate,
    parse_amount,
    parse_rates,
)
from matchmaker.editions.models import Edition, default_names
from matchmaker.errors import Conflict, DomainError, NotFound
from matchmaker.extensions import db
from matchmaker.i18n import N_
from matchmaker.money import MAX_YUAN, format_yi, to_yuan, yuan_str
from matchmaker.validation import check_year, whole_number

EDITION_FIELDS = ["year", "name", "name_en", "starts_on", "ends_on", "target_yuan", "rates", "pinned"]
FIRST_YEAR, LAST_YEAR = 2000, 2100


class AllEditions:
    """The explicit choice of every edition at once (only pages that say so accept it)."""

    year = None
    name = "全部届次"
    name_en = "All editions"

    def __repr__(self) -> str:
        return "<AllEditions>"


ALL = AllEditions()


# --- reading ------------------------------------------------------------------------------


def list_editions() -> list[Edition]:
    """Every edition, the latest year first."""
    return list(db.session.scalars(sa.select(Edition).order_by(Edition.year.desc())))


def edition_by_year(year: int) -> Edition | None:
    return db.session.scalar(sa.select(Edition).where(Edition.year == year))


def current_edition() -> Edition | None:
    """The pinned edition, else the one with the latest year; None when there is none."""
    return db.session.scalar(
        sa.select(Edition).order_by(Edition.pinned.desc(), Edition.year.desc()).limit(1)
    )


def parse_year(value: Any, *, field_name: str = "edition") -> int | None:
    """A forum year from a form, query or JSON: '2025', 2025; None when blank."""
    year = whole_number(value, field=field_name, maximum=9999)
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        raise DomainError(N_("The forum edition is a year, like 2025."), field=field_name)
    return year


def resolve_edition(value: Any, *, allow_all: bool = False) -> Edition | AllEditions | None:
    """What `?edition=` names: blank -> the current edition (None when there is none yet);
    'all' -> ALL where the caller allows it; a year -> that edition (404 when unknown)."""
    text = value.strip().casefold() if isinstance(value, str) else value
    if text in (None, ""):
        return current_edition()
    if text == "all":
        if not allow_all:
            raise DomainError(
                N_("This page shows one edition; totals across editions are on their own page."),
                field="edition",
            )
        return ALL
    year = parse_year(value)
    edition = edition_by_year(year)
    if edition is None:
        raise NotFound(N_("There is no %(year)s edition of the forum."), field="edition", year=year)
    return edition


# --- writing ------------------------------------------------------------------------------


@dataclass
class EditionInput:
    year: int | str
    name: str = ""
    name_en: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    target: object = ""  # '160', '160亿元', a Decimal in yuan
    rates: dict[str, object] | str | None = None  # {"USD": "7.1"} or 'USD=7.1, EUR=7.8'
    extra: dict[str, Any] = field(default_factory=dict)


def parse_target(value: object) -> Decimal:
    """A target as typed ('160' = 160亿元, '160亿元', '1600000万元') or a Decimal in yuan."""
    if isinstance(value, Decimal):
        if not value.is_finite() or value > MAX_YUAN:
            raise DomainError(
                N_("%(value)s is more than %(max)s亿元, the largest amount accepted."),
                field="target", value=f"{value:f}"[:40], max=format_yi(MAX_YUAN),
            )
        amount = to_yuan(value)
    elif value in (None, ""):
        return Decimal("0.00")
    else:
        try:
            # Placeholder rates let foreign amounts parse, so that they are refused below as
            # "not in yuan" rather than with the catalogue's "no exchange rate" message.
            parsed = parse_amount(value, header_unit="亿元",
                                  rates={code: Decimal(1) for code in FOREIGN_CURRENCIES})
        except AmountError as error:
            raise DomainError(error.message, field="target") from error
        if parsed is None:
            return Decimal("0.00")
        if parsed.currency != CNY:
            raise DomainError(N_("The target is in yuan (亿元)."), field="target")
        amount = parsed.yuan
    if amount < 0:
        raise DomainError(N_("The target cannot be negative."), field="target")
    return amount


def clean_rates(value: dict[str, object] | str | None) -> dict[str, str]:
    """Checked rates as decimal strings; 'USD=7.1, EUR=7.8' or a mapping (editions and
    signing sessions store their rates so)."""
    try:
        if isinstance(value, str):
            parsed = parse_rates(value)
        else:
            parsed = {}
            for code, rate in (value or {}).items():
                code = str(code).strip().upper()
                if code not in FOREIGN_CURRENCIES:
                    raise DomainError(
                        N_("Unknown currency %(value)s; rates are for %(currencies)s."),
                        field="rates", value=code[:10], currencies=", ".join(FOREIGN_CURRENCIES),
                    )
                parsed[code] = check_rate(rate, code)
    except AmountError as error:
        raise DomainError(error.message, field="rates") from error
    return {code: f"{rate:f}" for code, rate in sorted(parsed.items())}


def _apply(edition: Edition, data: EditionInput) -> None:
    year = edition.year
    default_zh, default_en = default_names(year)
    name = " ".join((data.name or "").split()) or default_zh
    if len(name) > 200:
        raise DomainError(N_("The name is too long (200 characters at most)."), field="name")
    name_en = " ".join((data.name_en or "").split()) or default_en
    if len(name_en) > 300:
        raise DomainError(N_("The English name is too long (300 characters at most)."), field="name_en")
    starts_on = check_year(data.starts_on, field="starts_on")
    ends_on = check_year(data.ends_on, field="ends_on")
    if starts_on and ends_on and ends_on < starts_on:
        raise DomainError(N_("The forum cannot end before it starts."), field="ends_on")
    target = parse_target(data.target)
    rates = clean_rates(data.rates) if data.rates is not None else dict(edition.rates or {})
    edition.name, edition.name_en = name, name_en
    edition.starts_on, edition.ends_on = starts_on, ends_on
    edition.target_yuan, edition.rates = target, rates


def create_edition(data: EditionInput, *, user) -> Edition:
    year = parse_year(data.year, field_name="year")
    if year is None:
        raise DomainError(N_("The forum edition is a year, like 2025."), field="year")
    if edition_by_year(year) is not None:
        raise Conflict(N_("The %(year)s edition exists already."), field="year", year=year)
    edition = Edition(year=year, rates={}, pinned=False)
    _apply(edition, data)
    db.session.add(edition)
    db.session.flush()
    audit.record("create", "edition", edition.id, user=user,
                 after=audit.snapshot(edition, EDITION_FIELDS))
    return edition


def update_edition(edition: Edition, data: EditionInput, *, user) -> Edition:
    """Change the name, dates, target and rates; the year is the edition's identity."""
    year = parse_year(data.year, field_name="year") if data.year not in (None, "") else edition.year
    if year != edition.year:
        raise DomainError(
            N_("An edition keeps its year; create the %(year)s edition instead."),
            field="year", year=year,
        )
    before = audit.snapshot(edition, EDITION_FIELDS)
    with db.session.no_autoflush:
        try:
            _apply(edition, data)
        except DomainError:
            db.session.refresh(edition)
            raise
    after = audit.snapshot(edition, EDITION_FIELDS)
    if after != before:
        db.session.flush()
        audit.record("update", "edition", edition.id, user=user, before=before, after=after)
    return edition


def ensure_edition(year: int, *, user) -> Edition:
    """The edition of `year`, created with the forum's default names when it is new (a
    catalogue or session named its year explicitly; the creation is audited)."""
    edition = edition_by_year(year)
    if edition is None:
        edition = create_edition(EditionInput(year=year), user=user)
    return edition


def pin_edition(edition: Edition, *, user) -> Edition:
    """Make `edition` the current one for every page (until another is pinned)."""
    if edition.pinned:
        return edition
    previous = db.session.scalar(sa.select(Edition).where(Edition.pinned.is_(True)))
    if previous is not None:
        previous.pinned = False
        db.session.flush()
    edition.pinned = True
    db.session.flush()
    audit.record("pin", "edition", edition.id, user=user,
                 before={"pinned": previous.year if previous else None},
                 after={"pinned": edition.year})
    return edition


def unpin_editions(*, user) -> None:
    """No pin: the latest year is current again."""
    previous = db.session.scalar(sa.select(Edition).where(Edition.pinned.is_(True)))
    if previous is None:
        return
    previous.pinned = False
    db.session.flush()
    audit.record("unpin", "edition", previous.id, user=user,
                 before={"pinned": previous.year}, after={"pinned": None})


def edition_json(edition: Edition, *, current: Edition | None = None) -> dict[str, Any]:
    return {
        "id": edition.id,
        "year": edition.year,
        "name": edition.name,
        "name_en": edition.name_en,
        "starts_on": edition.starts_on.isoformat() if edition.starts_on else None,
        "ends_on": edition.ends_on.isoformat() if edition.ends_on else None,
        "target_yuan": yuan_str(edition.target_yuan),
        "rates": dict(sorted((edition.rates or {}).items())),
        "pinned": bool(edition.pinned),
        "current": current is not None and current.id == edition.id,
    }


def edition_for_year(year: int) -> Edition:
    """The edition of `year`, or a new one with the default names that is not yet added to
    the database session (it is written with whatever refers to it; the writer audits it)."""
    edition = edition_by_year(year)
    if edition is None:
        name, name_en = default_names(year)
        edition = Edition(year=year, name=name, name_en=name_en, rates={}, pinned=False,
                          target_yuan=Decimal("0.00"))
    return edition
