"""The rates provincial reports state for an edition's signings, exact to the rows:

- 履约率 (fulfilled): agreements with any step after the signing recorded (company
  registered, construction started, in production, or funds in place) and not terminated,
  over the agreements counted;
- 开工率 (construction started) and 投产率 (in production): agreements with that date, over
  the agreements counted;
- 资金到位率 (funds in place): the funds in place over the signed amount (money, not count).

Counted: agreements of the edition that are not voided and not letters of intent - the same
agreements `signing.totals` counts by default. Every rate carries its numerator and its
denominator (counts and yuan, Decimal) so a reader can check it; percentages are rounded
half-up to one decimal, None when there is nothing to divide by.

Breakdowns by session, sector (a catalogue project's first sector rolled up to the top
level; an off-catalogue agreement's own), prefecture (a county counts for its prefecture)
and investor kind: a GROUP BY each, summed in SQL (Money sums exact on both databases); the
rows of each breakdown add up to the whole.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from matchmaker.catalogue.models import Project, project_sectors
from matchmaker.db import money_sum
from matchmaker.extensions import db
from matchmaker.followup.models import Followup, FollowupState, ProgressEntry
from matchmaker.followup.operations import local_today
from matchmaker.i18n import NP_
from matchmaker.investors.models import Investor, InvestorKind
from matchmaker.money import yuan_str
from matchmaker.reference.labels import label_in, names
from matchmaker.reference.models import Region, Sector
from matchmaker.signing.models import Agreement, AgreementKind, AgreementLink, SigningSession

ZERO = Decimal("0.00")
TOTAL = NP_("rates row", "Total")
UNASSIGNED_LABEL = NP_("rates row", "Not specified")  # no sector or no place
DIMENSIONS = ("session", "sector", "prefecture", "investor_kind")


def _labels(member) -> tuple[str, str]:
    return label_in(member, "zh"), label_in(member, "en")


def percent(numerator: Decimal | int, denominator: Decimal | int) -> Decimal | None:
    """numerator / denominator as a percentage with one decimal, half up; None for x/0."""
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP)


class _StageRates:
    """The rates both a group and a quarter state: from the counts and amounts they carry."""

    count: int
    signed_yuan: Decimal
    started: int
    in_production: int
    funds_yuan: Decimal

    @property
    def started_rate(self) -> Decimal | None:
        return percent(self.started, self.count)

    @property
    def in_production_rate(self) -> Decimal | None:
        return percent(self.in_production, self.count)

    @property
    def funds_rate(self) -> Decimal | None:
        return percent(self.funds_yuan, self.signed_yuan)


def _rate_text(value: Decimal | None) -> str | None:
    return f"{value:f}" if value is not None else None


@dataclass
class RateRow(_StageRates):
    """One group's figures: counts and amounts behind every rate."""

    key: str
    name: str
    name_en: str
    count: int = 0
    signed_yuan: Decimal = ZERO
    fulfilled: int = 0
    fulfilled_yuan: Decimal = ZERO
    started: int = 0
    started_yuan: Decimal = ZERO
    in_production: int = 0
    in_production_yuan: Decimal = ZERO
    funds_yuan: Decimal = ZERO
    stalled: int = 0
    terminated: int = 0

    def add(self, other: RateRow) -> None:
        for name in ("count", "signed_yuan", "fulfilled", "fulfilled_yuan", "started",
                     "started_yuan", "in_production", "in_production_yuan", "funds_yuan",
                     "stalled", "terminated"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def fulfilled_rate(self) -> Decimal | None:
        return percent(self.fulfilled, self.count)

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key, "name": self.name, "name_en": self.name_en,
            "count": self.count, "signed_yuan": yuan_str(self.signed_yuan),
            "fulfilled": {"count": self.fulfilled, "signed_yuan": yuan_str(self.fulfilled_yuan),
                          "rate": _rate_text(self.fulfilled_rate)},
            "started": {"count": self.started, "signed_yuan": yuan_str(self.started_yuan),
                        "rate": _rate_text(self.started_rate)},
            "in_production": {"count": self.in_production,
                              "signed_yuan": yuan_str(self.in_production_yuan),
                              "rate": _rate_text(self.in_production_rate)},
            "funds": {"in_place_yuan": yuan_str(self.funds_yuan),
                      "signed_yuan": yuan_str(self.signed_yuan), "rate": _rate_text(self.funds_rate)},
            "stalled": self.stalled, "terminated": self.terminated,
        }


@dataclass(frozen=True)
class QuarterPoint(_StageRates):
    """Cumulative figures at the end of a calendar quarter."""

    label: str  # "2025Q3"
    ends_on: date
    started: int
    in_production: int
    funds_yuan: Decimal
    count: int
    signed_yuan: Decimal

    def as_json(self) -> dict[str, Any]:
        return {"quarter": self.label, "ends_on": self.ends_on.isoformat(),
                "started": self.started, "started_rate": _rate_text(self.started_rate),
                "in_production": self.in_production,
                "in_production_rate": _rate_text(self.in_production_rate),
                "funds_yuan": yuan_str(self.funds_yuan), "funds_rate": _rate_text(self.funds_rate)}


@dataclass
class Rates:
    edition: Any
    whole: RateRow
    breakdowns: dict[str, list[RateRow]] = field(default_factory=dict)
    quarters: list[QuarterPoint] = field(default_factory=list)
    linked: int = 0  # agreements left out as the same agreement as another (linked)

    def as_json(self) -> dict[str, Any]:
        edition = self.edition
        return {
            "edition": {"year": edition.year, "name": edition.name, "name_en": edition.name_en}
            if getattr(edition, "id", None) is not None else None,
            "whole": self.whole.as_json(),
            **{f"by_{name}": [row.as_json() for row in rows]
               for name, rows in self.breakdowns.items()},
            "by_quarter": [point.as_json() for point in self.quarters],
            "linked": self.linked,
        }


# --- SQL -------------------------------------------------------------------------------------


def _in_edition(column, edition):
    if getattr(edition, "id", None) is None:
        return sa.true()
    return column.in_(sa.select(SigningSession.id).where(SigningSession.edition_id == edition.id))


def _linked_here(edition):
    """SQL: the agreement is linked as the same as another counted agreement of the same
    scope (counted once: the original counts, as in signing.totals)."""
    original = aliased(Agreement)
    return sa.exists(
        sa.select(AgreementLink.duplicate_id)
        .join(original, original.id == AgreementLink.original_id)
        .where(AgreementLink.duplicate_id == Agreement.id, original.voided.is_(False),
               original.kind != AgreementKind.INTENT, _in_edition(original.session_id, edition))
    )


def counted_condition(edition):
    """WHERE of the agreements counted for `edition` (None / ALL: every edition)."""
    return sa.and_(Agreement.voided.is_(False), Agreement.kind != AgreementKind.INTENT,
                   _in_edition(Agreement.session_id, edition), ~_linked_here(edition))


def _linked_count(edition) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Agreement).where(
        Agreement.voided.is_(False), Agreement.kind != AgreementKind.INTENT,
        _in_edition(Agreement.session_id, edition), _linked_here(edition))) or 0


def _measures():
    """The aggregate columns of a RateRow, in the order `_row` reads them."""
    funds = sa.func.coalesce(Followup.funds_yuan, 0)
    reached = sa.or_(Followup.registered_on.isnot(None), Followup.started_on.isnot(None),
                     Followup.in_production_on.isnot(None), Followup.funds_yuan > 0)
    fulfilled = sa.and_(reached, Followup.state != FollowupState.TERMINATED)
    started = Followup.started_on.isnot(None)
    producing = Followup.in_production_on.isnot(None)

    def n(condition):
        return sa.func.sum(sa.case((condition, 1), else_=0))

    def yuan(condition):
        return money_sum(sa.case((condition, Agreement.amount_yuan), else_=0))

    return [
        sa.func.count(Agreement.id), money_sum(Agreement.amount_yuan),
        n(fulfilled), yuan(fulfilled), n(started), yuan(started), n(producing), yuan(producing),
        money_sum(funds),
        n(Followup.state == FollowupState.STALLED), n(Followup.state == FollowupState.TERMINATED),
    ]


def _row(key: str, name: str, name_en: str, values) -> RateRow:
    (count, signed, fulfilled, fulfilled_yuan, started, started_yuan, producing,
     producing_yuan, funds, stalled, terminated) = values
    return RateRow(key, name, name_en, int(count or 0), signed or ZERO, int(fulfilled or 0),
                   fulfilled_yuan or ZERO, int(started or 0), started_yuan or ZERO,
                   int(producing or 0), producing_yuan or ZERO, funds or ZERO, int(stalled or 0),
                   int(terminated or 0))


def _grouped(*keys, join_investor: bool = False, where=None):
    statement = (
        sa.select(*keys, *_measures())
        .select_from(Agreement)
        .outerjoin(Followup, Followup.agreement_id == Agreement.id)
        .where(where)
        .group_by(*keys)
    )
    if join_investor:
        statement = statement.join(Investor, Investor.id == Agreement.investor_id)
    return db.session.execute(statement).all()


def _merge(rows: dict[Any, RateRow], key: Any, labels: tuple[str, str, str], values) -> None:
    row = _row(*labels, values)
    if key in rows:
        rows[key].add(row)
    else:
        rows[key] = row


def _sorted(rows: dict[Any, RateRow]) -> list[RateRow]:
    return sorted(rows.values(), key=lambda r: (r.key == "unassigned", -r.signed_yuan, r.key))


def _sector_labels() -> tuple[dict[int, int], dict[int, tuple[str, str, str]]]:
    sectors = db.session.execute(
        sa.select(Sector.id, Sector.parent_id, Sector.code, Sector.name, Sector.name_en)).all()
    parent = {s.id: s.parent_id for s in sectors}

    def root(sector_id: int) -> int:
        while parent.get(sector_id) is not None:
            sector_id = parent[sector_id]
        return sector_id

    return {s.id: root(s.id) for s in sectors}, {s.id: (s.code, s.name, s.name_en) for s in sectors}


def _prefecture_labels() -> tuple[dict[int, int], dict[int, tuple[str, str, str]]]:
    regions = db.session.execute(
        sa.select(Region.id, Region.parent_id, Region.code, Region.name, Region.name_en)).all()
    return ({r.id: (r.parent_id or r.id) for r in regions},
            {r.id: (r.code, r.name, r.name_en) for r in regions})


def _project_maps(project_ids: list[int]) -> tuple[dict[int, int], dict[int, int | None]]:
    """Each project's first sector (lowest taxonomy position) and region."""
    first_sector: dict[int, int] = {}
    region: dict[int, int | None] = {}
    if not project_ids:
        return first_sector, region
    for chunk_start in range(0, len(project_ids), 5000):
        chunk = project_ids[chunk_start:chunk_start + 5000]
        for project_id, sector_id in db.session.execute(
            sa.select(project_sectors.c.project_id, project_sectors.c.sector_id)
            .join(Sector, Sector.id == project_sectors.c.sector_id)
            .where(project_sectors.c.project_id.in_(chunk))
            .order_by(project_sectors.c.project_id, Sector.position.desc())
        ):
            first_sector[project_id] = sector_id
        region.update(db.session.execute(
            sa.select(Project.id, Project.region_id).where(Project.id.in_(chunk))).all())
    return first_sector, region


def _quarter(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def _quarter_end(year: int, quarter: int) -> date:
    month = quarter * 3
    return date(year, month, {3: 31, 6: 30, 9: 30, 12: 31}[month])


def _quarters(where, whole: RateRow, today: date) -> list[QuarterPoint]:
    """Cumulative started, in production and funds in place at the end of each calendar
    quarter from the first signing's quarter to today's (grouped by year and month in SQL)."""
    first_signed = db.session.scalar(sa.select(sa.func.min(Agreement.signed_at)).where(where))
    if first_signed is None:
        return []
    year, month = sa.extract("year", Followup.started_on), sa.extract("month", Followup.started_on)
    started = db.session.execute(
        sa.select(year, month, sa.func.count()).select_from(Agreement)
        .join(Followup, Followup.agreement_id == Agreement.id)
        .where(where, Followup.started_on.isnot(None)).group_by(year, month)).all()
    year, month = (sa.extract("year", Followup.in_production_on),
                   sa.extract("month", Followup.in_production_on))
    producing = db.session.execute(
        sa.select(year, month, sa.func.count()).select_from(Agreement)
        .join(Followup, Followup.agreement_id == Agreement.id)
        .where(where, Followup.in_production_on.isnot(None)).group_by(year, month)).all()
    year, month = (sa.extract("year", ProgressEntry.occurred_on),
                   sa.extract("month", ProgressEntry.occurred_on))
    funds = db.session.execute(
        sa.select(year, month, money_sum(ProgressEntry.amount_yuan)).select_from(Agreement)
        .join(ProgressEntry, ProgressEntry.agreement_id == Agreement.id)
        .where(where, ProgressEntry.amount_yuan.isnot(None)).group_by(year, month)).all()

    def by_quarter(rows, zero):
        sums: dict[tuple[int, int], Any] = defaultdict(lambda: zero)
        for y, m, value in rows:
            sums[_quarter(date(int(y), int(m), 1))] += value or zero
        return sums

    started_q, producing_q, funds_q = by_quarter(started, 0), by_quarter(producing, 0), \
        by_quarter(funds, ZERO)
    points: list[QuarterPoint] = []
    current = _quarter(first_signed.date())
    last = max(_quarter(today), *started_q, *producing_q, *funds_q, current)
    totals = [0, 0, ZERO]
    while current <= last:
        totals[0] += started_q.get(current, 0)
        totals[1] += producing_q.get(current, 0)
        totals[2] += funds_q.get(current, ZERO)
        points.append(QuarterPoint(f"{current[0]}Q{current[1]}", _quarter_end(*current),
                                   totals[0], totals[1], totals[2], whole.count, whole.signed_yuan))
        current = (current[0] + 1, 1) if current[1] == 4 else (current[0], current[1] + 1)
    return points


def edition_rates(edition, *, today: date | None = None, extra_where=None) -> Rates:
    """The rates of `edition` (an Edition; None / ALL: every edition) with their breakdowns
    and the quarter-by-quarter series. `extra_where` narrows the agreements counted (the
    links of "no double counting" leave out agreements already counted elsewhere)."""
    unassigned = ("unassigned", *_labels(UNASSIGNED_LABEL))
    where = counted_condition(edition)
    if extra_where is not None:
        where = sa.and_(where, extra_where)
    # One grouped statement; every breakdown (and the whole) is summed from its groups.
    groups = _grouped(Agreement.session_id, Investor.kind, Agreement.project_id,
                      Agreement.sector_id, Agreement.region_id, join_investor=True, where=where)
    whole = RateRow("all", *_labels(TOTAL))
    session_names = dict(
        (s.id, (str(s.id), s.name, s.name_en or s.name))
        for s in db.session.scalars(sa.select(SigningSession)))
    project_ids = sorted({row[2] for row in groups if row[2] is not None})
    first_sector, project_region = _project_maps(project_ids)
    sector_root, sector_labels = _sector_labels()
    to_prefecture, region_labels = _prefecture_labels()
    sessions: dict[Any, RateRow] = {}
    investor_kinds: dict[Any, RateRow] = {}
    sectors: dict[Any, RateRow] = {}
    prefectures: dict[Any, RateRow] = {}
    kind_labels: dict[Any, tuple[str, str, str]] = {}
    for session_id, kind, project_id, sector_id, region_id, *values in groups:
        whole.add(_row(whole.key, whole.name, whole.name_en, values))
        _merge(sessions, session_id, session_names.get(session_id, unassigned), values)
        member = InvestorKind(kind)
        if member not in kind_labels:
            labels = names(member)
            kind_labels[member] = (member.value, labels["name"], labels["name_en"])
        _merge(investor_kinds, member, kind_labels[member], values)
        if project_id is not None:
            sector_id, region_id = first_sector.get(project_id), project_region.get(project_id)
        key = sector_root[sector_id] if sector_id is not None else None
        _merge(sectors, key, sector_labels[key] if key is not None else unassigned, values)
        key = to_prefecture[region_id] if region_id is not None else None
        _merge(prefectures, key, region_labels[key] if key is not None else unassigned, values)

    order = [s.id for s in db.session.scalars(
        sa.select(SigningSession).order_by(SigningSession.held_on, SigningSession.id))]
    return Rates(
        edition=edition,
        whole=whole,
        breakdowns={
            "session": sorted(sessions.values(), key=lambda r: order.index(int(r.key))
                              if r.key.isdigit() and int(r.key) in order else len(order)),
            "sector": _sorted(sectors),
            "prefecture": _sorted(prefectures),
            "investor_kind": _sorted(investor_kinds),
        },
        quarters=_quarters(where, whole, today or local_today()),
        linked=_linked_count(edition),
    )
