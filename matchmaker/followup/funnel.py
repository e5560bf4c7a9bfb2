"""Catalogue -> landing funnel of an edition, exact to the rows: projects in the edition's
published catalogues (not withdrawn) -> with interest (a lead) -> with meetings (a meeting
not declined or cancelled) -> signed (a counted agreement of the edition: not voided, no
letter of intent, not a linked duplicate) -> construction started -> in production.

Counts are catalogue projects; the amounts are the investment sought for the first three
steps and the signed amounts (of the counted agreements) for the last three. Off-catalogue
agreements have no catalogue project and are outside the funnel (the page says how many).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from matchmaker.catalogue.models import Catalogue, CatalogueStatus, Project, ProjectStatus
from matchmaker.db import money_sum
from matchmaker.extensions import db
from matchmaker.followup.models import Followup
from matchmaker.followup.rates import counted_condition
from matchmaker.matching.models import Lead
from matchmaker.money import yuan_str
from matchmaker.signing.models import Agreement

ZERO = Decimal("0.00")
# The meetings feature sits beside this one (no import either way): its table is read by
# name. Statuses that are not a meeting that happens or may happen:
MEETINGS = sa.table("meetings", sa.column("project_id"), sa.column("status"))
NOT_A_MEETING = ("declined", "cancelled")
STEPS = ("catalogue", "interest", "meetings", "signed", "started", "in_production")


@dataclass(frozen=True)
class FunnelStep:
    key: str
    projects: int | None  # None: not available (no meetings on this platform)
    amount_yuan: Decimal | None
    amount_kind: str  # "sought" | "signed"

    def as_json(self) -> dict[str, Any]:
        return {"step": self.key, "projects": self.projects, "amount_kind": self.amount_kind,
                "amount_yuan": yuan_str(self.amount_yuan) if self.amount_yuan is not None
                else None}


@dataclass(frozen=True)
class Funnel:
    steps: list[FunnelStep]
    off_catalogue: int  # counted agreements without a catalogue project

    def as_json(self) -> dict[str, Any]:
        return {"steps": [s.as_json() for s in self.steps], "off_catalogue": self.off_catalogue}


def _meetings_available() -> bool:
    return sa.inspect(db.engine).has_table("meetings")


def edition_funnel(edition) -> Funnel:
    listed = (sa.select(Project.id).join(Catalogue, Catalogue.id == Project.catalogue_id)
              .where(Catalogue.edition_id == edition.id,
                     Catalogue.status == CatalogueStatus.PUBLISHED,
                     Project.status != ProjectStatus.WITHDRAWN))

    def sought(condition=None) -> tuple[int, Decimal]:
        query = sa.select(sa.func.count(Project.id), money_sum(Project.investment_sought_yuan)) \
            .where(Project.id.in_(listed))
        if condition is not None:
            query = query.where(condition)
        count, total = db.session.execute(query).one()
        return count or 0, total or ZERO

    steps = [FunnelStep("catalogue", *sought(), "sought")]
    steps.append(FunnelStep("interest", *sought(
        Project.id.in_(sa.select(Lead.project_id))), "sought"))
    if _meetings_available():
        steps.append(FunnelStep("meetings", *sought(Project.id.in_(
            sa.select(MEETINGS.c.project_id).where(MEETINGS.c.status.notin_(NOT_A_MEETING)))),
            "sought"))
    else:
        steps.append(FunnelStep("meetings", None, None, "sought"))

    counted = sa.and_(counted_condition(edition), Agreement.project_id.in_(listed))

    def signed(condition=None) -> tuple[int, Decimal]:
        query = (sa.select(sa.func.count(sa.distinct(Agreement.project_id)),
                           money_sum(Agreement.amount_yuan))
                 .select_from(Agreement)
                 .outerjoin(Followup, Followup.agreement_id == Agreement.id).where(counted))
        if condition is not None:
            query = query.where(condition)
        count, total = db.session.execute(query).one()
        return count or 0, total or ZERO

    steps.append(FunnelStep("signed", *signed(), "signed"))
    steps.append(FunnelStep("started", *signed(Followup.started_on.isnot(None)), "signed"))
    steps.append(FunnelStep("in_production", *signed(Followup.in_production_on.isnot(None)),
                            "signed"))
    off = db.session.scalar(sa.select(sa.func.count()).select_from(Agreement).where(
        counted_condition(edition), Agreement.project_id.is_(None))) or 0
    return Funnel(steps, off)
