"""The headline figures of the home page, computed from the database."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from matchmaker.catalogue.models import Catalogue, CatalogueStatus, Project, ProjectStatus
from matchmaker.db import money_sum
from matchmaker.extensions import db
from matchmaker.signing.totals import signed_totals


@dataclass(frozen=True)
class Headline:
    projects: int
    sought_yuan: Decimal
    signed_yuan: Decimal
    signed_count: int
    target_yuan: Decimal


def headline_figures(*, count_intent: bool = False, edition=None) -> Headline:
    """Projects and amount sought of published catalogues (withdrawn projects left out) of
    `edition` (None: every edition); the signed figures are the signing totals' (one
    definition of "signed") for the same edition."""
    listed = (
        sa.select(sa.func.count(Project.id), money_sum(Project.investment_sought_yuan))
        .join(Catalogue)
        .where(Catalogue.status == CatalogueStatus.PUBLISHED)
        .where(Project.status != ProjectStatus.WITHDRAWN)
    )
    if getattr(edition, "id", None) is not None:
        listed = listed.where(Catalogue.edition_id == edition.id)
    projects, sought = db.session.execute(listed).one()
    totals = signed_totals(count_intent=count_intent, edition=edition)
    return Headline(
        projects=projects or 0,
        sought_yuan=sought or Decimal("0.00"),
        signed_yuan=totals.total_yuan,
        signed_count=totals.count,
        target_yuan=totals.target_yuan,
    )
