"""Signed totals: the one definition of "signed" (home page, dashboard, venue screen, API,
CLI, exports and press lines all read `signed_totals`).

Counted: agreements not voided, of every kind except letters of intent - those are
shown apart and counted only when the organiser chooses so (`count_intent`).

Every figure comes from running tallies (`AgreementTally`: counts and sums per session,
kind and project / sector / region / investor, kept by triggers in the same transaction as
each agreement write), a few hundred rows whatever the number of agreements; the exact
grouped statement over the agreements (`grouped_tallies`, one statement over covering
indexes) is the fallback and the tests' check. Money sums are exact on both databases; each of by_session, by_sector, by_region, by_kind and
by_investor_kind adds up to `total_yuan`, checked on every call. This module is the one
place that decides what counts and how much: amounts are stored in yuan whatever the
currency they were signed in. An agreement counts once per breakdown: a catalogue project's FIRST sector
(`project.sectors[0]`, the lowest in taxonomy order) rolled up to its top-level sector, and its region's prefecture;
an off-catalogue agreement uses its own sector and region; agreements with none fall in
an "unassigned" row.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from flask import current_app

from matchmaker import cache
from matchmaker.catalogue.models import (
    Catalogue,
    CatalogueStatus,
    Project,
    ProjectStatus,
    Region,
    Sector,
    project_sectors,
)
from matchmaker.db import among, money_sum
from matchmaker.editions.models import Edition
from matchmaker.errors import NotFound
from matchmaker.extensions import db
from matchmaker.i18n import N_, NP_
from matchmaker.investors.models import Investor, InvestorKind
from matchmaker.money import yuan_str
from matchmaker.reference.labels import label_in, names
from matchmaker.signing.models import (
    Agreement,
    AgreementKind,
    AgreementLink,
    AgreementTally,
    SigningSession,
    TallyDimension,
)
from matchmaker.signing.press import (
    event_en,
    event_zh,
    foreign_line_en,
    foreign_line_zh,
    press_line_en,
    press_line_zh,
)

ZERO = Decimal("0.00")
ACROSS_EDITIONS_ZH = "历届生态文明贵阳国际论坛合计"
ACROSS_EDITIONS_EN = "all editions of the Eco Forum Global Guiyang together"
UNASSIGNED = NP_("totals breakdown", "Not specified")  # agreements with no sector or region


def _unassigned() -> tuple[str, str, str]:
    return ("unassigned", label_in(UNASSIGNED, "zh"), label_in(UNASSIGNED, "en"))


def _enum_labels(members) -> dict[Any, tuple[str, str, str]]:
    """(key, Chinese, English) of each member: the labels of breakdown rows."""
    return {m: (m.value, names(m)["name"], names(m)["name_en"]) for m in members}


@dataclass(frozen=True)
class BreakdownRow:
    key: str
    name: str
    name_en: str
    count: int
    total_yuan: Decimal

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "name_en": self.name_en,
            "count": self.count,
            "total_yuan": yuan_str(self.total_yuan),
        }


@dataclass(frozen=True)
class ForeignRow:
    """Counted agreements signed in one foreign currency (合同外资): their sum in that
    currency and in yuan (already inside `Totals.total_yuan`)."""

    currency: str
    count: int
    amount_original: Decimal
    total_yuan: Decimal

    def as_json(self) -> dict[str, Any]:
        return {"currency": self.currency, "count": self.count,
                "amount_original": yuan_str(self.amount_original), "total_yuan": yuan_str(self.total_yuan)}


@dataclass
class Totals:
    total_yuan: Decimal
    count: int
    target_yuan: Decimal
    count_intent: bool
    by_session: list[BreakdownRow]
    by_sector: list[BreakdownRow]
    by_region: list[BreakdownRow]
    by_kind: list[BreakdownRow]
    by_investor_kind: list[BreakdownRow]
    intent_count: int = 0
    intent_yuan: Decimal = ZERO
    voided_count: int = 0
    catalogue_projects: int = 0  # listed: published catalogues, not withdrawn
    sought_yuan: Decimal = ZERO
    signed_projects: int = 0  # distinct catalogue projects with a counted agreement
    signed_on_catalogue_yuan: Decimal = ZERO
    session_targets: dict[int, Decimal] = field(default_factory=dict)
    # The one edition counted (None: every edition - only pages that say so show that).
    edition: Edition | None = None
    # Where the target comes from: "edition" (its own target) or "sessions" (their sum).
    target_source: str = "sessions"
    # Of which foreign-currency agreements, by currency (largest yuan total first).
    foreign: list[ForeignRow] = field(default_factory=list)
    # Agreements linked as the same agreement as another one counted here (counted once).
    linked_count: int = 0

    @property
    def foreign_total_yuan(self) -> Decimal:
        return sum((row.total_yuan for row in self.foreign), ZERO)

    @property
    def foreign_zh(self) -> str:
        """'其中外币签约（合同外资）：6.70亿美元，折合47.57亿元' ('' when there is none)."""
        return foreign_line_zh([(r.currency, r.amount_original) for r in self.foreign], self.foreign_total_yuan)

    @property
    def foreign_en(self) -> str:
        return foreign_line_en([(r.currency, r.amount_original) for r in self.foreign], self.foreign_total_yuan)

    @property
    def progress_percent(self) -> Decimal | None:
        if self.target_yuan <= 0:
            return None
        return (self.total_yuan / self.target_yuan * 100).quantize(Decimal("0.1"))

    @property
    def press_zh(self) -> str:
        # Never "本次论坛" for several editions: their sum says so.
        event = event_zh(self.edition.name) if self.edition is not None else ACROSS_EDITIONS_ZH
        return press_line_zh(self.count, self.total_yuan, event=event)

    @property
    def press_en(self) -> str:
        event = event_en(self.edition.name_en) if self.edition is not None else ACROSS_EDITIONS_EN
        return press_line_en(self.count, self.total_yuan, event=event)

    def session_press(self, session: SigningSession) -> tuple[str, str]:
        """The press lines of one session of these totals (its counted agreements)."""
        row = next((r for r in self.by_session if r.key == str(session.id)), None)
        count, total = (row.count, row.total_yuan) if row else (0, ZERO)
        edition = session.edition
        return (
            press_line_zh(count, total, event=event_zh(edition.name, session.name), session=True),
            press_line_en(count, total, event=event_en(edition.name_en, session.name_en or session.name),
                          session=True),
        )

    def breakdowns(self) -> dict[str, list[BreakdownRow]]:
        return {
            "by_session": self.by_session,
            "by_sector": self.by_sector,
            "by_region": self.by_region,
            "by_kind": self.by_kind,
            "by_investor_kind": self.by_investor_kind,
        }

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "total_yuan": yuan_str(self.total_yuan),
            "count": self.count,
            "target_yuan": yuan_str(self.target_yuan),
            "target_source": self.target_source,
            "edition": (
                {"year": self.edition.year, "name": self.edition.name, "name_en": self.edition.name_en}
                if self.edition is not None else None
            ),
        }
        for name, rows in self.breakdowns().items():
            data[name] = [row.as_json() for row in rows]
        data.update(
            {
                "count_intent": self.count_intent,
                "intent": {"count": self.intent_count, "total_yuan": yuan_str(self.intent_yuan)},
                "foreign": [row.as_json() for row in self.foreign],
                "foreign_total_yuan": yuan_str(self.foreign_total_yuan),
                "voided_count": self.voided_count,
                "linked_count": self.linked_count,
                "catalogue": {
                    "projects": self.catalogue_projects,
                    "signed_projects": self.signed_projects,
                    "sought_yuan": yuan_str(self.sought_yuan),
                    "signed_yuan": yuan_str(self.signed_on_catalogue_yuan),
                },
                "press": {"zh": self.press_zh, "en": self.press_en},
            }
        )
        return data


def counted_kinds(count_intent: bool) -> list[AgreementKind]:
    return [k for k in AgreementKind if count_intent or k != AgreementKind.INTENT]


class _Sum:
    __slots__ = ("count", "total")

    def __init__(self) -> None:
        self.count = 0
        self.total = ZERO

    def add(self, count: int, total: Decimal) -> None:
        self.count += count
        self.total += total


def _rows(
    sums: dict[Any, _Sum], labels: dict[Any, tuple[str, str, str]], order: list[Any] | None
) -> list[BreakdownRow]:
    unassigned = _unassigned()
    keys = (
        list(order)
        if order is not None
        else sorted(sums, key=lambda k: (k is None, -sums[k].total, labels.get(k, unassigned)[0]))
    )
    rows = []
    for key in keys:
        value = sums.get(key)
        if value is None and order is None:
            continue
        value = value or _Sum()
        code, name, name_en = labels.get(key, unassigned)
        rows.append(BreakdownRow(code, name, name_en, value.count, value.total))
    if order is not None:  # extra keys not in the fixed order (e.g. unassigned) go last
        for key in sums:
            if key not in order:
                code, name, name_en = labels.get(key, unassigned)
                rows.append(BreakdownRow(code, name, name_en, sums[key].count, sums[key].total))
    return rows


def _sector_roots() -> tuple[dict[int, int], dict[int, tuple[str, str, str]]]:
    sectors = db.session.execute(
        sa.select(Sector.id, Sector.parent_id, Sector.code, Sector.name, Sector.name_en)
    ).all()
    parent = {s.id: s.parent_id for s in sectors}
    labels = {s.id: (s.code, s.name, s.name_en) for s in sectors}

    def root(sector_id: int) -> int:
        while parent.get(sector_id) is not None:
            sector_id = parent[sector_id]  # type: ignore[assignment]
        return sector_id

    return {s.id: root(s.id) for s in sectors}, labels


def _prefectures() -> tuple[dict[int, int], dict[int, tuple[str, str, str]]]:
    regions = db.session.execute(
        sa.select(Region.id, Region.parent_id, Region.code, Region.name, Region.name_en)
    ).all()
    to_prefecture = {r.id: (r.parent_id or r.id) for r in regions}
    labels = {r.id: (r.code, r.name, r.name_en) for r in regions}
    return to_prefecture, labels


def _edition(edition: Edition | int | None | Any) -> Edition | None:
    """An Edition, a year, or None / editions.ALL (every edition)."""
    if isinstance(edition, Edition) or edition is None:
        return edition
    if isinstance(edition, int) and not isinstance(edition, bool):
        found = db.session.scalar(sa.select(Edition).where(Edition.year == edition))
        if found is None:  # an unknown year is never read as every edition
            raise NotFound(N_("There is no %(year)s edition of the forum."), field="edition", year=edition)
        return found
    return None  # editions.ALL


def signed_totals(*, count_intent: bool = False, edition: Edition | int | None | Any = None) -> Totals:
    """Every signed figure, exact (see the module docstring for what counts), for one
    edition (an Edition or its year) or, with None / editions.ALL, every edition."""
    totals = _compute(count_intent=count_intent, edition=_edition(edition))
    # Every breakdown comes from the same statement (one snapshot, even under READ
    # COMMITTED), so they add up by construction; a failure here is a bug, never shown.
    for name, rows in totals.breakdowns().items():
        if sum((r.total_yuan for r in rows), ZERO) != totals.total_yuan or sum(
            r.count for r in rows
        ) != totals.count:
            raise AssertionError(f"signing totals: {name} does not add up")
    if totals.foreign_total_yuan > totals.total_yuan:
        raise AssertionError("signing totals: more in foreign currencies than in all")
    return totals


def _compute(*, count_intent: bool, edition: Edition | None) -> Totals:
    sessions_query = sa.select(SigningSession).order_by(SigningSession.held_on, SigningSession.id)
    if edition is not None:
        sessions_query = sessions_query.where(SigningSession.edition_id == edition.id)
    sessions = db.session.scalars(sessions_query).all()
    session_ids = [s.id for s in sessions]
    counted = counted_kinds(count_intent)

    tallies = read_tallies(counted, session_ids if edition is not None else None)
    # "No double counting": duplicates linked to an agreement inside the same totals leave them.
    tallies, linked_count = without_links(tallies, counted, session_ids if edition is not None else None)
    by_session_kind = tallies.sessions
    investor_kinds = _investor_kinds(sorted(key for key, _rows, _yuan in tallies.investors))
    by_investor_kind_rows = [(investor_kinds[i], rows, yuan) for i, rows, yuan in tallies.investors]
    project_ids = sorted(key for key, _rows, _yuan in tallies.projects)
    first_sector: dict[int, int] = {}
    project_region: dict[int, int | None] = {}
    project_edition: dict[int, int] = {}
    for chunk in _chunks(project_ids):
        for project_id, sector_id in db.session.execute(
            sa.select(project_sectors.c.project_id, project_sectors.c.sector_id)
            .join(Sector, Sector.id == project_sectors.c.sector_id)
            .where(among(project_sectors.c.project_id, chunk))
            .order_by(project_sectors.c.project_id, Sector.position.desc())
        ):
            first_sector[project_id] = sector_id  # the last one written has the lowest position
        for project_id, region_id, edition_id in db.session.execute(
            sa.select(Project.id, Project.region_id, Catalogue.edition_id)
            .join(Catalogue, Catalogue.id == Project.catalogue_id)
            .where(among(Project.id, chunk))
        ):
            project_region[project_id] = region_id
            project_edition[project_id] = edition_id
    sector_root, sector_labels = _sector_roots()
    to_prefecture, region_labels = _prefectures()

    by_session: dict[Any, _Sum] = defaultdict(_Sum)
    by_kind: dict[Any, _Sum] = defaultdict(_Sum)
    total, count = ZERO, 0
    intent_count, intent_yuan, voided_count = 0, ZERO, 0
    for session_id, kind, voided, rows, yuan in by_session_kind:
        kind, yuan = AgreementKind(kind), yuan or ZERO
        if voided:
            voided_count += rows
            continue
        if kind == AgreementKind.INTENT:
            intent_count += rows
            intent_yuan += yuan
        if kind in counted:
            total += yuan
            count += rows
            by_session[session_id].add(rows, yuan)
            by_kind[kind].add(rows, yuan)
    by_investor_kind: dict[Any, _Sum] = defaultdict(_Sum)
    for kind, rows, yuan in by_investor_kind_rows:
        by_investor_kind[InvestorKind(kind)].add(rows, yuan or ZERO)
    by_sector: dict[Any, _Sum] = defaultdict(_Sum)
    by_region: dict[Any, _Sum] = defaultdict(_Sum)
    signed_projects: set[int] = set()
    on_catalogue = ZERO
    for project_id, rows, yuan in tallies.projects:
        # A catalogue agreement counts where its project is now, not where it was.
        sector_id, region_id = first_sector.get(project_id), project_region.get(project_id)
        by_sector[sector_root[sector_id] if sector_id is not None else None].add(rows, yuan)
        by_region[to_prefecture[region_id] if region_id is not None else None].add(rows, yuan)
        # Catalogue conversion is per edition: projects of this edition's catalogues.
        if edition is None or project_edition.get(project_id) == edition.id:
            signed_projects.add(project_id)
            on_catalogue += yuan
    for sector_id, rows, yuan in tallies.sectors:  # off-catalogue agreements
        by_sector[sector_root[sector_id] if sector_id is not None else None].add(rows, yuan)
    for region_id, rows, yuan in tallies.regions:
        by_region[to_prefecture[region_id] if region_id is not None else None].add(rows, yuan)

    listed_projects, sought = listed_figures(edition)
    sessions_target = sum((s.target_yuan for s in sessions), ZERO)
    edition_target = edition.target_yuan if edition is not None and edition.target_yuan else ZERO

    session_labels = {s.id: (str(s.id), s.name, s.name_en) for s in sessions}
    kind_labels = _enum_labels(AgreementKind)
    investor_labels = _enum_labels(InvestorKind)
    return Totals(
        total_yuan=total,
        count=count,
        target_yuan=edition_target if edition_target > 0 else sessions_target,
        target_source="edition" if edition_target > 0 else "sessions",
        edition=edition,
        count_intent=count_intent,
        by_session=_rows(by_session, session_labels, session_ids),
        by_sector=_rows(by_sector, {k: sector_labels[k] for k in by_sector if k is not None}, None),
        by_region=_rows(by_region, {k: region_labels[k] for k in by_region if k is not None}, None),
        by_kind=_rows(by_kind, kind_labels, [k for k in AgreementKind if k in counted]),
        by_investor_kind=_rows(by_investor_kind, investor_labels, None),
        intent_count=intent_count,
        intent_yuan=intent_yuan,
        voided_count=voided_count,
        catalogue_projects=listed_projects or 0,
        sought_yuan=sought or ZERO,
        signed_projects=len(signed_projects),
        signed_on_catalogue_yuan=on_catalogue,
        session_targets={s.id: s.target_yuan for s in sessions},
        linked_count=linked_count,
        foreign=sorted(
            (ForeignRow(currency, rows, original, yuan) for currency, rows, original, yuan in tallies.currencies),
            key=lambda row: (-row.total_yuan, row.currency),
        ),
    )


@dataclass
class Tallies:
    """Counts and sums of agreements, the input of every signed figure:
    sessions: (session_id, kind, voided, count, yuan) over every agreement;
    projects: (project_id, count, yuan) of counted catalogue agreements;
    sectors, regions: (id or None, count, yuan) of counted off-catalogue agreements;
    investors: (investor_id, count, yuan) of counted agreements;
    currencies: (currency, count, amount in it, yuan) of counted foreign-currency ones."""

    sessions: list[tuple[int, str, bool, int, Decimal]] = field(default_factory=list)
    projects: list[tuple[int, int, Decimal]] = field(default_factory=list)
    sectors: list[tuple[int | None, int, Decimal]] = field(default_factory=list)
    regions: list[tuple[int | None, int, Decimal]] = field(default_factory=list)
    investors: list[tuple[int, int, Decimal]] = field(default_factory=list)
    currencies: list[tuple[str, int, Decimal, Decimal]] = field(default_factory=list)

    def normalised(self) -> dict[str, list]:
        """Order-free and zero-free, for comparing two ways of computing them."""
        return {
            "sessions": sorted((r for r in self.sessions if r[3]), key=repr),
            **{name: sorted((r for r in getattr(self, name) if r[1]), key=repr)
               for name in ("projects", "sectors", "regions", "investors", "currencies")},
        }


def read_tallies(counted: list[AgreementKind], session_ids: list[int] | None) -> Tallies:
    """The running tallies (a few rows per session, kind and key, kept by triggers in
    each writer's transaction); the exact grouped statement over the agreements when they
    cannot be trusted (SQLite turned a sum past 2^63 fen into a float)."""
    t = AgreementTally
    scope = [t.session_id.in_(session_ids or [-1])] if session_ids is not None else []
    # Two aggregates that each follow the tallies' unique index (dimension, key, currency,
    # session, kind, voided), so neither sorts: the session rows by (session, kind,
    # voided) under their constant key, the others by (dimension, key, currency).
    no_int, no_bool = sa.cast(sa.null(), sa.Integer), sa.cast(sa.null(), sa.Boolean)
    sessions = (
        sa.select(t.dimension, t.key, t.currency, t.session_id, t.kind, t.voided,
                  sa.func.sum(t.agreements), money_sum(t.yuan), money_sum(t.amount_original))
        .where(t.dimension == TallyDimension.SESSION, *scope)
        .group_by(t.dimension, t.key, t.currency, t.session_id, t.kind, t.voided)
        .having(sa.func.sum(t.agreements) != 0)
    )
    others = (
        sa.select(t.dimension, t.key, t.currency, no_int, sa.cast(sa.null(), t.kind.type), no_bool,
                  sa.func.sum(t.agreements), money_sum(t.yuan), money_sum(t.amount_original))
        .where(t.dimension > TallyDimension.SESSION, t.voided.is_(False),
               t.kind.in_([k.value for k in counted]), *scope)
        .group_by(t.dimension, t.key, t.currency)
        .having(sa.func.sum(t.agreements) != 0)
    )
    query = sa.union_all(sessions, others)
    rows = None
    # SQLite: an integer sum that overflowed in a trigger turned into a float (inexact).
    if db.session.get_bind().dialect.name != "sqlite" or db.session.scalar(
        sa.select(t.id).where(sa.or_(sa.func.typeof(t.yuan) != "integer",
                                     sa.func.typeof(t.amount_original) != "integer")).limit(1)
    ) is None:
        rows = db.session.execute(query).all()
    if rows is None:
        current_app.logger.warning("signing totals: tallies unusable, summing the agreements instead")
        return grouped_tallies(counted, session_ids)
    tallies = Tallies()
    for dimension, key, currency, session_id, kind, voided, count, yuan, original in rows:
        yuan = yuan or ZERO
        if dimension == TallyDimension.SESSION:
            tallies.sessions.append((session_id, kind, bool(voided), count, yuan))
        elif dimension == TallyDimension.PROJECT:
            tallies.projects.append((key, count, yuan))
        elif dimension == TallyDimension.SECTOR:
            tallies.sectors.append((key or None, count, yuan))
        elif dimension == TallyDimension.REGION:
            tallies.regions.append((key or None, count, yuan))
        elif dimension == TallyDimension.INVESTOR:
            tallies.investors.append((key, count, yuan))
        else:
            tallies.currencies.append((currency, count, original or ZERO, yuan))
    return tallies


def grouped_tallies(counted: list[AgreementKind], session_ids: list[int] | None) -> Tallies:
    """The same tallies from the agreements themselves, in ONE grouped statement (one
    snapshot), each part an aggregate over its own covering index (migration 1701):
    (session, kind, voided) over every agreement; (project, sector, region), investor and
    currency over the counted ones. The fallback of `read_tallies`, and its check in the tests."""
    n, amount = sa.func.count(), money_sum(Agreement.amount_yuan)
    is_counted = sa.and_(Agreement.voided.is_(False), Agreement.kind.in_(counted))
    scope = [Agreement.session_id.in_(session_ids or [-1])] if session_ids is not None else []
    null_int, null_str, null_bool = (
        sa.cast(sa.null(), sa.Integer), sa.cast(sa.null(), sa.String), sa.cast(sa.null(), sa.Boolean)
    )
    no_original = sa.cast(sa.null(), Agreement.amount_original.type)
    sessions = (
        sa.select(sa.literal(0).label("part"), Agreement.session_id, Agreement.kind.label("kind"),
                  Agreement.voided, null_int, null_int, null_int, null_int, null_str, n, amount,
                  no_original)
        .where(*scope)
        .group_by(Agreement.session_id, Agreement.kind, Agreement.voided)
    )
    placements = (
        sa.select(sa.literal(1), null_int, null_str, null_bool, Agreement.project_id,
                  Agreement.sector_id, Agreement.region_id, null_int, null_str, n, amount, no_original)
        .where(is_counted, *scope)
        .group_by(Agreement.project_id, Agreement.sector_id, Agreement.region_id)
    )
    investors = (
        sa.select(sa.literal(2), null_int, null_str, null_bool, null_int, null_int, null_int,
                  Agreement.investor_id, null_str, n, amount, no_original)
        .where(is_counted, *scope)
        .group_by(Agreement.investor_id)
    )
    currencies = (
        sa.select(sa.literal(3), null_int, null_str, null_bool, null_int, null_int, null_int,
                  null_int, Agreement.currency, n, amount, money_sum(Agreement.amount_original))
        .where(is_counted, Agreement.currency != "CNY", *scope)
        .group_by(Agreement.currency)
    )
    tallies = Tallies()
    projects: dict[int, _Sum] = defaultdict(_Sum)
    sectors: dict[int | None, _Sum] = defaultdict(_Sum)
    regions: dict[int | None, _Sum] = defaultdict(_Sum)
    for row in db.session.execute(sa.union_all(sessions, placements, investors, currencies)):
        (part, session_id, kind, voided, project_id, sector_id, region_id, investor_id, currency,
         count, yuan, original) = row
        yuan = yuan or ZERO
        if part == 0:
            tallies.sessions.append((session_id, kind, bool(voided), count, yuan))
        elif part == 2:
            tallies.investors.append((investor_id, count, yuan))
        elif part == 3:
            tallies.currencies.append((currency, count, original or ZERO, yuan))
        elif project_id is not None:
            projects[project_id].add(count, yuan)
        else:
            sectors[sector_id].add(count, yuan)
            regions[region_id].add(count, yuan)
    tallies.projects = [(key, s.count, s.total) for key, s in projects.items()]
    tallies.sectors = [(key, s.count, s.total) for key, s in sectors.items()]
    tallies.regions = [(key, s.count, s.total) for key, s in regions.items()]
    return tallies


def without_links(tallies: Tallies, counted: list[AgreementKind],
                  session_ids: list[int] | None) -> tuple[Tallies, int]:
    """The tallies less the counted agreements linked as the same agreement as another
    counted one inside the same scope (both in `session_ids`, or anywhere when None): in a
    total spanning both, the pair counts once; a total of the duplicate's edition alone,
    without its original, still counts it. Returns (tallies, how many were left out)."""
    # The links first (a handful, from their own table), then their agreements by primary
    # key: as one join, SQLite walked every agreement looking for a link (97 ms at 100,000).
    pairs = db.session.execute(sa.select(AgreementLink.duplicate_id, AgreementLink.original_id)).all()
    if not pairs:
        return tallies, 0
    kinds = {k.value for k in counted}
    scope = set(session_ids) if session_ids is not None else None
    agreements: dict[int, sa.Row] = {}
    for chunk in _chunks(sorted({i for pair in pairs for i in pair})):
        agreements.update((row.id, row) for row in db.session.execute(
            sa.select(Agreement.id, Agreement.voided, Agreement.session_id, Agreement.kind,
                      Agreement.project_id, Agreement.sector_id, Agreement.region_id,
                      Agreement.investor_id, Agreement.currency, Agreement.amount_yuan,
                      Agreement.amount_original)
            .where(among(Agreement.id, chunk))
        ))

    def counted_here(agreement_id: int) -> bool:
        row = agreements.get(agreement_id)
        return row is not None and not row.voided and getattr(row.kind, "value", row.kind) in kinds \
            and (scope is None or row.session_id in scope)

    rows = [
        (row.session_id, row.kind, row.project_id, row.sector_id, row.region_id, row.investor_id,
         row.currency, row.amount_yuan, row.amount_original)
        for duplicate_id, original_id in sorted(pairs)
        if counted_here(duplicate_id) and counted_here(original_id)
        for row in (agreements[duplicate_id],)
    ]
    if not rows:
        return tallies, 0

    sessions = {(s, str(k), bool(v)): [n, y] for s, k, v, n, y in tallies.sessions}
    projects = {p: [n, y] for p, n, y in tallies.projects}
    sectors = {k: [n, y] for k, n, y in tallies.sectors}
    regions = {k: [n, y] for k, n, y in tallies.regions}
    investors = {k: [n, y] for k, n, y in tallies.investors}
    currencies = {c: [n, o, y] for c, n, o, y in tallies.currencies}
    for (session_id, kind, project_id, sector_id, region_id, investor_id, currency, yuan,
         original_amount) in rows:
        kind = getattr(kind, "value", kind)
        for table, key, values in (
            (sessions, (session_id, kind, False), (1, yuan)),
            (investors, investor_id, (1, yuan)),
        ):
            table[key] = [a - b for a, b in zip(table[key], values, strict=True)]
        if project_id is not None:
            projects[project_id] = [projects[project_id][0] - 1, projects[project_id][1] - yuan]
        else:
            sectors[sector_id] = [sectors[sector_id][0] - 1, sectors[sector_id][1] - yuan]
            regions[region_id] = [regions[region_id][0] - 1, regions[region_id][1] - yuan]
        if currency and currency != "CNY" and currency in currencies:
            n, o, y = currencies[currency]
            currencies[currency] = [n - 1, o - (original_amount or ZERO), y - yuan]
    result = Tallies(
        sessions=[(s, k, v, n, y) for (s, k, v), (n, y) in sessions.items()],
        projects=[(p, n, y) for p, (n, y) in projects.items() if n],
        sectors=[(k, n, y) for k, (n, y) in sectors.items() if n],
        regions=[(k, n, y) for k, (n, y) in regions.items() if n],
        investors=[(k, n, y) for k, (n, y) in investors.items() if n],
        currencies=[(c, n, o, y) for c, (n, o, y) in currencies.items() if n],
    )
    return result, len(rows)


def _investor_kinds(investor_ids: list[int]) -> dict[int, str]:
    kinds: dict[int, str] = {}
    for chunk in _chunks(investor_ids):
        kinds.update(db.session.execute(
            sa.select(Investor.id, Investor.kind).where(among(Investor.id, chunk))
        ).all())
    return kinds


def _chunks(ids: list[int], size: int = 5000):
    """Bounded IN lists (SQLite allows 32,766 parameters per statement)."""
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def listed_figures(edition: Edition | None) -> tuple[int, Decimal]:
    """Projects listed (published catalogues, not withdrawn) and the amount they seek, of
    one edition or all: the catalogues' counts kept by the projects' generation cache (a
    write recounts only its catalogues), summed over the published ones read now."""
    published = sa.select(Catalogue.id).where(Catalogue.status == CatalogueStatus.PUBLISHED)
    if edition is not None:
        published = published.where(Catalogue.edition_id == edition.id)
    counts = _catalogue_counts.get()
    projects, sought = 0, ZERO
    for catalogue_id in db.session.scalars(published):
        count, yuan = counts.get(catalogue_id, (0, ZERO))
        projects, sought = projects + count, sought + yuan
    return projects, sought


CatalogueCounts = dict[int, tuple[int, Decimal]]  # catalogue id -> (listed projects, sought)


def _count_catalogues(catalogue_ids: list[int] | None = None) -> CatalogueCounts:
    query = (
        sa.select(Project.catalogue_id, sa.func.count(Project.id), money_sum(Project.investment_sought_yuan))
        .where(Project.status != ProjectStatus.WITHDRAWN)
        .group_by(Project.catalogue_id)
    )
    if catalogue_ids is not None:
        query = query.where(Project.catalogue_id.in_(catalogue_ids))
    return {catalogue_id: (count, yuan or ZERO) for catalogue_id, count, yuan in db.session.execute(query)}


def _recount(counts: CatalogueCounts, project_ids: set[int]) -> CatalogueCounts:
    """Recount the catalogues of these projects only (all of them when one was deleted:
    its catalogue is no longer known)."""
    ids = sorted(project_ids)
    catalogues: set[int] = set()
    found = 0
    for chunk in _chunks(ids):
        rows = db.session.execute(
            sa.select(Project.id, Project.catalogue_id).where(among(Project.id, chunk))
        ).all()
        found += len(rows)
        catalogues.update(catalogue_id for _id, catalogue_id in rows)
    if found < len(ids):
        return _count_catalogues()
    fresh = dict(counts)
    recounted = _count_catalogues(sorted(catalogues))
    for catalogue_id in catalogues:
        fresh[catalogue_id] = recounted.get(catalogue_id, (0, ZERO))
    return fresh


# Keyed by the projects' generation (bumped with the changed ids by every write of
# projects, see matchmaker.matching): one primary-key read per request, no recount.
_catalogue_counts: cache.GenerationCache[CatalogueCounts] = cache.GenerationCache(
    cache.MATCHING_PROJECTS, lambda: _count_catalogues(), lambda counts, ids: _recount(counts, ids)
)


def session_summaries(totals: Totals, sessions: list[SigningSession]) -> list[dict[str, Any]]:
    """Each session with its counted figures (for lists and the API)."""
    rows = {row.key: row for row in totals.by_session}
    result = []
    for session in sessions:
        row = rows.get(str(session.id))
        result.append(
            {
                "session": session,
                "count": row.count if row else 0,
                "total_yuan": row.total_yuan if row else ZERO,
            }
        )
    return result
