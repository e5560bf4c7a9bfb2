"""The investors' API routes: GET /investors/resolve (which known company a written name
means, or none when unsure)."""

from __future__ import annotations

from matchmaker.api.blueprint import bp, endpoint
from matchmaker.i18n import N_
from matchmaker.investors.resolution import resolution_json, resolve_investor
from matchmaker.investors.schemas import ResolutionOut, ResolveQuery
from matchmaker.validation import InputError, clean_text


@bp.get("/investors/resolve")
@endpoint(query=ResolveQuery, resp={200: ResolutionOut}, tags=["investors"])
def resolve(query: ResolveQuery):
    """The known investor a written company name means (or none when unsure)

    candidates: up to 5, best first, with their scores and why each was considered, also
    when match is null."""
    name = clean_text(query.name, field="name", max_length=300)
    if not name:
        raise InputError(N_("Give a company name: ?name=…"), field="name")
    return ResolutionOut.model_validate(resolution_json(resolve_investor(name)))
