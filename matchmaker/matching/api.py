"""Matching's API routes: POST /match (a public read sent as POST: it computes matches and
writes nothing) and GET /projects/<id>/investors (staff)."""

from __future__ import annotations

from matchmaker.accounts.models import Role
from matchmaker.api.blueprint import bp, endpoint
from matchmaker.matching import operations
from matchmaker.matching.schemas import InvestorMatches, MatchIn, ProjectMatches, TopQuery


@bp.post("/match")
@endpoint(json=MatchIn, resp={200: ProjectMatches}, tags=["matching"])
def match(json: MatchIn):
    """Projects ranked for an investor profile, with reasons (writes nothing)"""
    return ProjectMatches.of(operations.match_projects(json.profile(), top=json.top))


@bp.get("/projects/<int:id>/investors")
@endpoint(query=TopQuery, roles=(Role.STAFF,), resp={200: InvestorMatches}, tags=["matching"])
def project_investors(id: int, query: TopQuery):
    """Investors with a profile ranked for one project, with reasons (staff)"""
    project = operations.matchable_project(id)
    return InvestorMatches.of(project, operations.match_investors(project, top=query.top))
