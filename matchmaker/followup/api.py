"""Follow-through's API routes: an agreement's position and history; recording a stage, a
payment of funds in place, a change of state (staff of the project's prefecture,
province-level staff, organisers)."""

from __future__ import annotations

from matchmaker.accounts.models import Role
from matchmaker.api.auth import current_api_user
from matchmaker.api.blueprint import bp, endpoint
from matchmaker.api.errors import ErrorOut
from matchmaker.editions.selection import selected_edition
from matchmaker.errors import Forbidden, NotFound
from matchmaker.extensions import db
from matchmaker.followup import operations
from matchmaker.followup.funnel import edition_funnel
from matchmaker.followup.history import history
from matchmaker.followup.rates import edition_rates
from matchmaker.followup.schemas import (
    FollowupOut,
    FundsIn,
    FunnelOut,
    RatesOut,
    RatesQuery,
    StageIn,
    StateIn,
)
from matchmaker.i18n import N_
from matchmaker.signing.models import Agreement
from matchmaker.views import load

FOLLOWERS = (Role.STAFF, Role.ORGANIZER)
_REFUSED = {403: (ErrorOut, "outside the prefectures the account covers"),
            409: (ErrorOut, "the agreement is voided or terminated")}


def _answer(agreement: Agreement) -> FollowupOut:
    return FollowupOut.of(agreement, operations.followup_of(agreement),
                          operations.payments_of(agreement), history(agreement))


def _write(agreement: Agreement, action) -> FollowupOut:
    try:
        action()
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return _answer(agreement)


@bp.get("/followup/agreements/<int:id>")
@endpoint(roles=FOLLOWERS, tags=["followup"], finds={"id": Agreement},
          resp={200: (FollowupOut, "the agreement's stages, funds, state and history"),
                403: (ErrorOut, "outside the prefectures the account covers")})
def followup_show(id: int):
    """An agreement's follow-through: stages, funds in place, state, history as sentences"""
    agreement = load(Agreement, id)
    if not operations.may_follow(current_api_user(), agreement):
        raise Forbidden(N_("This agreement is outside the prefectures your account covers."))
    return _answer(agreement)


@bp.post("/followup/agreements/<int:id>/stages")
@endpoint(json=StageIn, roles=FOLLOWERS, tags=["followup"], finds={"id": Agreement},
          resp={200: (FollowupOut, "the stage is recorded"), **_REFUSED})
def followup_stage(id: int, json: StageIn):
    """Record a stage reached (注册 / 开工 / 投产) with its date and evidence

    A date before the signing date or in the future is refused; recording a stage again
    with another date corrects it and needs a reason."""
    agreement = load(Agreement, id)
    return _write(agreement, lambda: operations.record_stage(
        agreement, json.stage_input(), user=current_api_user()))


@bp.post("/followup/agreements/<int:id>/funds")
@endpoint(json=FundsIn, roles=FOLLOWERS, tags=["followup"], finds={"id": Agreement},
          resp={200: (FollowupOut, "the payment is recorded"), **_REFUSED})
def followup_funds(id: int, json: FundsIn):
    """Record a payment of funds in place (资金到位): amount, date, evidence

    Funds in place above the signed amount need over_reason."""
    agreement = load(Agreement, id)
    return _write(agreement, lambda: operations.record_funds(
        agreement, json.funds_input(), user=current_api_user()))


@bp.post("/followup/agreements/<int:id>/state")
@endpoint(json=StateIn, roles=FOLLOWERS, tags=["followup"], finds={"id": Agreement},
          resp={200: (FollowupOut, "the state is changed"), **_REFUSED})
def followup_state(id: int, json: StateIn):
    """Mark the agreement stalled or terminated, or back on track, with a reason"""
    agreement = load(Agreement, id)
    return _write(agreement, lambda: operations.change_state(
        agreement, json.state_input(), user=current_api_user()))


@bp.get("/followup/rates")
@endpoint(query=RatesQuery, roles=FOLLOWERS, tags=["followup"],
          resp={200: (RatesOut, "the edition's rates with their breakdowns and quarters")})
def followup_rates(query: RatesQuery):
    """Follow-through rates of an edition (?edition=YEAR, default the current one)

    A staff account scoped to prefectures counts only agreements there."""
    edition = selected_edition()
    if edition is None:
        raise NotFound(N_("There is no edition of the forum yet."))
    figures = edition_rates(edition, extra_where=operations.scope_condition(current_api_user()))
    return RatesOut(**figures.as_json())


@bp.get("/followup/funnel")
@endpoint(query=RatesQuery, roles=FOLLOWERS, tags=["followup"],
          resp={200: (FunnelOut, "catalogue -> landing, projects and amounts at each step")})
def followup_funnel(query: RatesQuery):
    """Catalogue -> interest -> meetings -> signed -> started -> in production (?edition=YEAR)"""
    edition = selected_edition()
    if edition is None:
        raise NotFound(N_("There is no edition of the forum yet."))
    return FunnelOut(**edition_funnel(edition).as_json())
