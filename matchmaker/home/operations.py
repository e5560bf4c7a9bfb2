"""The headline figures of the home page, computed from the database."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa

from matchmaker.catalogue.models import Catalogue, CatalogueStatus, Project, ProjectStatus
from matchmaker.extensions import db
from matchmaker.signing.models import Agreement, AgreementKind, SigningSession


@dataclass(frozen=True)
class Headline:
    projects: int
    sought_yuan: Decimal
    signed_yuan: Decimal
    signed_count: int
    target_yuan: Decimal


def headline_figures(*, count_intent: bool = False) -> Headline:
    """Projects and amount sought of published catalogues (withdrawn projects left out);
    signed total of agreements not voided (letters of intent only when chosen)."""
    listed = (
        sa.select(sa.func.count(Project.id), sa.func.sum(Project.investment_sought_yuan))
        .join(Catalogue)
        .where(Catalogue.status == CatalogueStatus.PUBLISHED)
        .where(Project.status != ProjectStatus.WITHDRAWN)
    )
    projects, sought = db.session.execute(listed).one()
    signed_kinds = [k for k in AgreementKind if count_intent or k != AgreementKind.INTENT]
    signed = sa.select(sa.func.count(Agreement.id), sa.func.sum(Agreement.amount_yuan)).where(
        Agreement.voided.is_(False), Agreement.kind.in_(signed_kinds)
    )
    signed_count, signed_yuan = db.session.execute(signed).one()
    target = db.session.scalar(sa.select(sa.func.sum(SigningSession.target_yuan)))
    return Headline(
        projects=projects or 0,
        sought_yuan=sought or Decimal("0.00"),
        signed_yuan=signed_yuan or Decimal("0.00"),
        signed_count=signed_count or 0,
        target_yuan=target or Decimal("0.00"),
    )
