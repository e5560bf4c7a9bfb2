"""Matching's API routes: POST /match (a public read sent as POST: it computes matches and
writes nothing), GET /projects/<id>/investors (staff), an investor's profile (read, save)
and the leads (list, move; staff) - the matching pages' actions, through the same
operations."""

from __future__ import annotations

from matchmaker.accounts.models import Role
from matchmaker.api.auth import current_api_user
from matchmaker.api.blueprint import bp, endpoint, perform
from matchmaker.api.errors import ErrorOut
from matchmaker.errors import Forbidden, NotFound
from matchmaker.i18n import N_
from matchmaker.investors.models import Investor
from matchmaker.investors.operations import can_edit
from matchmaker.matching import operations
from matchmaker.matching.models import Lead
from matchmaker.matching.schemas import (
    InvestorMatches,
    LeadList,
    LeadOut,
    LeadsQuery,
    MatchIn,
    MoveIn,
    ProfileIn,
    ProfileOut,
    ProjectMatches,
    TopQuery,
)
from matchmaker.validation import InputError
from matchmaker.views import load


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


# --- profiles (the investor's own page, and staff's) and leads (staff) ----------------------


def _investor_to_edit(investor_id: int, user) -> Investor:
    investor = load(Investor, investor_id)
    if not can_edit(user, investor):
        raise Forbidden(N_("You cannot change the profile of %(name)s."), name=investor.name)
    return investor


@bp.get("/investors/<int:id>/profile")
@endpoint(roles=(Role.INVESTOR, Role.STAFF), tags=["matching"], finds={"id": Investor},
          resp={200: ProfileOut, 404: (ErrorOut, "no such investor, or it has no profile yet")})
def investor_profile_api(id: int):
    """What an investor looks for (staff, or a confirmed member of that company)"""
    investor = _investor_to_edit(id, current_api_user())
    if investor.profile is None:
        raise NotFound(N_("%(name)s has no profile yet."), name=investor.name)
    return ProfileOut.of(investor.profile)


@bp.post("/investors/<int:id>/profile")
@endpoint(json=ProfileIn, roles=(Role.INVESTOR, Role.STAFF), tags=["matching"],
          finds={"id": Investor},
          resp={200: (ProfileOut, "the profile as saved (it replaces the previous one)")})
def save_profile_api(id: int, json: ProfileIn):
    """Save what an investor looks for (staff, or a confirmed member of that company)

    A pending claim does not allow it: until staff approve the claim, the company's profile
    is not the user's to change (403)."""
    user = current_api_user()
    investor = _investor_to_edit(id, user)
    profile = perform(lambda: operations.save_profile(investor, json.profile(), user=user))
    return ProfileOut.of(profile)


@bp.get("/leads")
@endpoint(query=LeadsQuery, roles=(Role.STAFF,), tags=["matching"], resp={200: LeadList})
def leads_api(query: LeadsQuery):
    """Registered interest, newest first, by project, region or state (staff; the leads page)"""
    found = operations.list_leads(project_id=query.project, region_code=query.region,
                                  status=query.status, page=query.page, per_page=query.per_page)
    return LeadList(items=[LeadOut.of(lead) for lead in found.leads], page=query.page,
                    per_page=query.per_page)


@bp.post("/leads/<int:id>/move")
@endpoint(json=MoveIn, roles=(Role.STAFF,), tags=["matching"], finds={"id": Lead},
          resp={200: (LeadOut, "the lead in its new state"),
                409: (ErrorOut, "the lead cannot move to that state from where it is")})
def move_lead_api(id: int, json: MoveIn):
    """Move a lead along new -> contacted -> meeting -> signed, or drop it (staff)"""
    lead = load(Lead, id)
    if json.status is None:
        raise InputError(N_("%(name)s is required."), field="status", name="status")
    perform(lambda: operations.move_lead(lead, json.status, user=current_api_user()))
    return LeadOut.of(lead)
