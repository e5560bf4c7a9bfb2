"""The lead funnel of an edition: interest → meeting requested → meeting held → negotiating
→ signed, per prefecture and per project, with counts and conversion.

A lead (an investor's interest in a project of the edition's catalogues) counts at the
furthest stage it reached, and so at every stage before it: requested = it has a meeting;
held = a meeting of it was held; negotiating = a meeting's outcome is "negotiating" or
"agreement expected", or the lead was moved to signed; signed = the investor signed an
agreement (not voided) for the project, or staff marked the lead signed. The flags come
from one statement whatever the number of leads."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from matchmaker.catalogue.models import Catalogue, Project
from matchmaker.editions.models import Edition
from matchmaker.extensions import db
from matchmaker.matching.models import Lead, LeadStatus
from matchmaker.meetings.models import Meeting, MeetingOutcome, MeetingStatus
from matchmaker.reference.models import Region, RegionLevel
from matchmaker.signing.models import Agreement

STAGES = ("interest", "requested", "held", "negotiating", "signed")


@dataclass
class Funnel:
    key: object
    name: str = ""
    name_en: str = ""
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))

    def add(self, reached: int) -> None:
        for stage in STAGES[: reached + 1]:
            self.counts[stage] += 1

    def conversion(self) -> dict[str, float | None]:
        """Each stage as a share of the one before (None when the one before is empty)."""
        shares: dict[str, float | None] = {}
        for before, stage in zip(STAGES, STAGES[1:], strict=False):
            shares[stage] = (round(self.counts[stage] / self.counts[before], 3)
                             if self.counts[before] else None)
        return shares

    def overall(self) -> float | None:
        return (round(self.counts["signed"] / self.counts["interest"], 3)
                if self.counts["interest"] else None)


@dataclass
class FunnelReport:
    total: Funnel
    by_prefecture: list[Funnel]
    by_project: list[Funnel]


def _flags(edition: Edition, region_ids: list[int] | None):
    held = (MeetingStatus.HELD,)
    negotiating = (MeetingOutcome.NEGOTIATING, MeetingOutcome.AGREEMENT_EXPECTED)
    meeting = sa.select(Meeting.id).where(Meeting.lead_id == Lead.id)
    signed = sa.select(Agreement.id).where(
        Agreement.investor_id == Lead.investor_id, Agreement.project_id == Lead.project_id,
        Agreement.voided.is_(False))
    prefecture = sa.case((Region.level == RegionLevel.COUNTY, Region.parent_id), else_=Region.id)
    query = (
        sa.select(Lead.id, Lead.project_id, prefecture.label("prefecture_id"),
                  sa.exists(meeting).label("requested"),
                  sa.exists(meeting.where(sa.or_(Meeting.status.in_(held),
                                                 Meeting.outcome.is_not(None)))).label("held"),
                  sa.exists(meeting.where(Meeting.outcome.in_(negotiating))).label("negotiating"),
                  sa.or_(sa.exists(signed), Lead.status == LeadStatus.SIGNED).label("signed"))
        .join(Project, Lead.project_id == Project.id)
        .join(Catalogue, Project.catalogue_id == Catalogue.id)
        .outerjoin(Region, Project.region_id == Region.id)
        .where(Catalogue.edition_id == edition.id)
    )
    if region_ids is not None:
        query = query.where(sa.or_(Project.region_id.in_(region_ids),
                                   Region.parent_id.in_(region_ids)))
    return db.session.execute(query).all()


def funnel(edition: Edition, *, user=None, projects: int = 50) -> FunnelReport:
    """The edition's funnel; scoped staff see their prefectures' projects only."""
    region_ids = None
    if user is not None and user.is_scoped:
        region_ids = [r.id for r in user.scope_regions]
    total = Funnel("total")
    prefectures: dict[object, Funnel] = {}
    by_project: dict[int, Funnel] = {}
    for row in _flags(edition, region_ids):
        reached = (4 if row.signed else 3 if row.negotiating else 2 if row.held
                   else 1 if row.requested else 0)
        total.add(reached)
        prefectures.setdefault(row.prefecture_id, Funnel(row.prefecture_id)).add(reached)
        by_project.setdefault(row.project_id, Funnel(row.project_id)).add(reached)
    names = defaultdict(lambda: ("—", "—"))
    ids = [k for k in prefectures if k is not None]
    regions = {r.id: r for r in db.session.scalars(sa.select(Region).where(Region.id.in_(ids)))}
    for key, item in prefectures.items():
        region = regions.get(key)
        item.name, item.name_en = (region.name, region.name_en) if region else names[key]
    top = sorted(by_project.values(), key=lambda f: (-f.counts["interest"], f.key))[:projects]
    found = {p.id: p for p in db.session.scalars(
        sa.select(Project).where(Project.id.in_([f.key for f in top])))}
    for item in top:
        item.name, item.name_en = found[item.key].name, found[item.key].name_en or ""
    ordered = sorted(prefectures.values(),
                     key=lambda f: (regions[f.key].position if f.key in regions else 10**6))
    return FunnelReport(total, ordered, top)


def as_json(report: FunnelReport) -> dict:
    def one(item: Funnel) -> dict:
        return {"key": item.key, "name": item.name, "name_en": item.name_en, **item.counts,
                "conversion": item.conversion(), "interest_to_signed": item.overall()}

    return {"stages": list(STAGES), "total": one(report.total),
            "by_prefecture": [one(f) for f in report.by_prefecture],
            "by_project": [one(f) for f in report.by_project]}
