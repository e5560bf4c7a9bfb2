"""The headline figures of the home page, computed from the database."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

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
    definition of "signed") for the same edition, and so are the listed figures (kept
    per catalogue by a generation cache, not recounted per request)."""
    totals = signed_totals(count_intent=count_intent, edition=edition)
    return Headline(
        projects=totals.catalogue_projects,
        sought_yuan=totals.sought_yuan,
        signed_yuan=totals.total_yuan,
        signed_count=totals.count,
        target_yuan=totals.target_yuan,
    )
