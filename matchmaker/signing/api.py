"""Signing's API routes: sessions with their totals and their life cycle (create, edit,
open, close, reopen), recording, amending and voiding agreements, the totals - the signing
pages' actions, through the same operations."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, jsonify

from matchmaker.accounts.models import Role
from matchmaker.api.auth import current_api_user
from matchmaker.api.blueprint import bp, endpoint, perform
from matchmaker.api.errors import ErrorOut
from matchmaker.editions.selection import ALL, selected_edition
from matchmaker.errors import DomainError, api_error
from matchmaker.extensions import db
from matchmaker.i18n import translate
from matchmaker.investors.resolution import InvestorUnresolved, resolve_investor
from matchmaker.investors.schemas import InvestorRef
from matchmaker.money import format_original, format_yi, yuan_str
from matchmaker.signing import operations
from matchmaker.signing.models import Agreement, SigningSession
from matchmaker.signing.schemas import (
    AgreementIn,
    AgreementList,
    AgreementOut,
    AmendIn,
    AmountPreviewOut,
    AmountQuery,
    InvestorLookupOut,
    InvestorSuggestion,
    LookupQuery,
    ProjectLookupOut,
    ProjectSuggestion,
    ReasonIn,
    ReopenIn,
    SessionIn,
    SessionList,
    SessionOut,
    TotalsOut,
    TotalsQuery,
    rate_source_text,
    session_out,
)
from matchmaker.signing.totals import session_summaries, signed_totals
from matchmaker.views import load


def _edition():
    """?edition=YEAR, else the current edition; 'all' for every edition (said in the answer).
    The rules are editions.selection's (an unknown year is a 404, a non-year a 400)."""
    return selected_edition(allow_all=True)


def _count_intent(query: TotalsQuery) -> bool:
    if query.count_intent is None:
        return bool(current_app.config["SIGNING_COUNT_INTENT"])
    return query.count_intent


@bp.get("/signing/sessions")
@endpoint(query=TotalsQuery, resp={200: SessionList}, tags=["signing"])
def signing_sessions(query: TotalsQuery):
    """Signing sessions with their counted totals"""
    edition = _edition()
    statement = sa.select(SigningSession).order_by(SigningSession.held_on, SigningSession.id)
    if getattr(edition, "id", None) is not None:
        statement = statement.where(SigningSession.edition_id == edition.id)
    sessions = db.session.scalars(statement).all()
    totals = signed_totals(count_intent=_count_intent(query), edition=edition)
    return SessionList(items=[
        SessionOut.of(row["session"], row["count"], row["total_yuan"])
        for row in session_summaries(totals, list(sessions))
    ])


@bp.get("/signing/totals")
@endpoint(query=TotalsQuery, resp={200: TotalsOut}, tags=["signing"])
def signing_totals(query: TotalsQuery):
    """Signed totals and breakdowns (the dashboard's figures)"""
    edition = _edition()
    data = signed_totals(count_intent=_count_intent(query), edition=edition).as_json()
    data["scope"] = "all_editions" if edition is ALL else "edition"
    return jsonify(data)


@bp.post("/signing/sessions/<int:id>/agreements")
@endpoint(json=AgreementIn, roles=(Role.ORGANIZER,), tags=["signing"], finds={"id": SigningSession},
          resp={201: (AgreementOut, "the agreement"),
                200: (AgreementOut, "the first agreement of this idempotency_key (a repeat)"),
                409: (ErrorOut, "same_agreement {error: {code, message, candidates: [{id, "
                                "edition, session, investor, project, amount_yuan}]}}: send "
                                "same_as or new_agreement; or investor_unresolved {error: "
                                "{code, message, candidates: [{id, "
                                "name, name_en, score, why}]}}, or the session is not open"),
                422: (ErrorOut, "amount_unconfirmed: above 10,000亿元 without confirm_large")})
def signing_record(id: int, json: AgreementIn):
    """Record an agreement (organizer); idempotent with idempotency_key

    When the investor name has no confident match the answer is 409 with the candidates,
    unless create_investor is true. Invalid input writes nothing."""
    session = load(SigningSession, id)
    try:
        agreement = perform(lambda: operations.record_agreement(
            session, json.agreement_input(), user=current_api_user()))
    except InvestorUnresolved as error:
        return _unresolved(error)
    except operations.SameAgreementFound as error:
        return api_error(error.code, error.translated(), error.status,
                         candidates=error.candidates_json())
    replayed = getattr(agreement, "replayed", False)
    return AgreementOut.of(agreement), 200 if replayed else 201


@bp.post("/signing/agreements/<int:id>/void")
@endpoint(json=ReasonIn, roles=(Role.ORGANIZER,), tags=["signing"], finds={"id": Agreement},
          resp={200: (AgreementOut, "the agreement, voided: it stays, out of the totals"),
                409: (ErrorOut, "already voided, or its session is closed")})
def signing_void(id: int, json: ReasonIn):
    """Void an agreement with a reason (organizer)"""
    agreement = load(Agreement, id)
    perform(lambda: operations.void_agreement(agreement, json.reason, user=current_api_user()))
    return AgreementOut.of(agreement)


def _unresolved(error: InvestorUnresolved):
    return api_error(error.code, error.translated(), error.status,
                     candidates=error.candidates_json())


# --- the organisers' session pages: create, edit, open, close, reopen; corrections ---------


@bp.post("/signing/sessions")
@endpoint(json=SessionIn, roles=(Role.ORGANIZER,), tags=["signing"],
          resp={201: (SessionOut, "the new session, planned (open it when the signing starts)")})
def signing_create_session(json: SessionIn):
    """Create a signing session (organizer), as the signing page's form does"""
    session = perform(lambda: operations.create_session(json.session_input(),
                                                        user=current_api_user()))
    return _session_out(session), 201


@bp.get("/signing/sessions/<int:id>")
@endpoint(query=TotalsQuery, resp={200: SessionOut}, tags=["signing"],
          finds={"id": SigningSession})
def signing_session(id: int, query: TotalsQuery):
    """One signing session with its counted totals"""
    return _session_out(load(SigningSession, id), _count_intent(query))


@bp.post("/signing/sessions/<int:id>/edit")
@endpoint(json=SessionIn, roles=(Role.ORGANIZER,), tags=["signing"],
          finds={"id": SigningSession},
          resp={200: (SessionOut, "the session as saved"),
                409: (ErrorOut, "the session is closed (reopen it first)")})
def signing_edit_session(id: int, json: SessionIn):
    """Change a session's details (organizer); fields left out keep their value"""
    session = load(SigningSession, id)
    perform(lambda: operations.update_session(session, json.session_input(session),
                                              user=current_api_user()))
    return _session_out(session)


_STATE_ANSWERS = {409: (ErrorOut, "the session's state does not allow this")}


def _change_state(id: int, change) -> SessionOut:
    session = load(SigningSession, id)
    perform(lambda: change(session, current_api_user()))
    return _session_out(session)


@bp.post("/signing/sessions/<int:id>/open")
@endpoint(roles=(Role.ORGANIZER,), tags=["signing"], finds={"id": SigningSession},
          resp={200: (SessionOut, "the session, open"), **_STATE_ANSWERS})
def signing_open_session(id: int):
    """Open a session: agreements can be recorded (organizer)"""
    return _change_state(id, lambda session, user: operations.open_session(session, user=user))


@bp.post("/signing/sessions/<int:id>/close")
@endpoint(roles=(Role.ORGANIZER,), tags=["signing"], finds={"id": SigningSession},
          resp={200: (SessionOut, "the session, closed: its agreements are frozen"),
                **_STATE_ANSWERS})
def signing_close_session(id: int):
    """Close a session (organizer)"""
    return _change_state(id, lambda session, user: operations.close_session(session, user=user))


@bp.post("/signing/sessions/<int:id>/reopen")
@endpoint(json=ReopenIn, roles=(Role.ORGANIZER,), tags=["signing"], finds={"id": SigningSession},
          resp={200: (SessionOut, "the session, open again"), **_STATE_ANSWERS})
def signing_reopen_session(id: int, json: ReopenIn):
    """Reopen a closed session, with the reason (organizer)"""
    return _change_state(id, lambda session, user: operations.reopen_session(
        session, json.reason, user=user))


@bp.get("/signing/sessions/<int:id>/agreements")
@endpoint(roles=(Role.ORGANIZER,), tags=["signing"], finds={"id": SigningSession},
          resp={200: (AgreementList, "the session's agreements, the latest signed first "
                                     "(voided ones too, marked)")})
def signing_session_agreements(id: int):
    """A session's agreements, as its page lists them (organizer)"""
    session = load(SigningSession, id)
    return AgreementList(items=[AgreementOut.of(a) for a in operations.session_agreements(session)])


@bp.post("/signing/agreements/<int:id>/amend")
@endpoint(json=AmendIn, roles=(Role.ORGANIZER,), tags=["signing"], finds={"id": Agreement},
          resp={200: (AgreementOut, "the agreement as corrected (its history keeps the "
                                    "values before)"),
                409: (ErrorOut, "investor_unresolved with candidates, voided, or its session "
                                "is closed"),
                422: (ErrorOut, "amount_unconfirmed: above 10,000亿元 without confirm_large")})
def signing_amend(id: int, json: AmendIn):
    """Correct an agreement with a reason (organizer); fields left out keep their value"""
    agreement = load(Agreement, id)
    try:
        perform(lambda: operations.amend_agreement(agreement, json.agreement_input(agreement),
                                                   json.reason, user=current_api_user()))
    except InvestorUnresolved as error:
        return _unresolved(error)
    return AgreementOut.of(agreement)


def _session_out(session: SigningSession, count_intent: bool | None = None) -> SessionOut:
    if count_intent is None:
        count_intent = bool(current_app.config["SIGNING_COUNT_INTENT"])
    return session_out(session, count_intent=count_intent)


# --- the recording form's type-ahead (organisers; the page's script calls them signed in) ---


@bp.get("/signing/lookup/investors")
@endpoint(query=LookupQuery, roles=(Role.ORGANIZER,), tags=["signing"],
          resp={200: InvestorLookupOut})
def signing_lookup_investors(query: LookupQuery):
    """Investors a typed name may mean, best first, with why (organizer)

    `match` only when the text means that company with confidence; a name that cannot be
    resolved at all says why in `message`."""
    if not query.q:
        return InvestorLookupOut(items=[])
    try:
        resolution = resolve_investor(query.q)
    except DomainError as error:
        return InvestorLookupOut(items=[], message=error.translated())
    match = resolution.match
    return InvestorLookupOut(
        items=[InvestorSuggestion(
            id=c.record.id, name=c.record.name, name_en=c.record.name_en, score=c.score,
            why=translate(c.why), confident=match is not None and c.record.id == match.id,
            value=f"#{c.record.id} {c.record.name}") for c in resolution.candidates],
        match=InvestorRef(id=match.id, name=match.name, name_en=match.name_en) if match else None,
        message=None if match else translate(resolution.message),
    )


@bp.get("/signing/lookup/projects")
@endpoint(query=LookupQuery, roles=(Role.ORGANIZER,), tags=["signing"],
          resp={200: ProjectLookupOut})
def signing_lookup_projects(query: LookupQuery):
    """Catalogue projects whose name, code or words match the typed text (organizer)"""
    projects = operations.find_projects(query.q, limit=12) if query.q else []
    return ProjectLookupOut(items=[ProjectSuggestion(
        id=p.id, code=p.code, name=p.name, value=f"#{p.id} {p.name}",
        region=p.region.name if p.region else "", sought_yuan=p.investment_sought_yuan)
        for p in projects])


@bp.get("/signing/lookup/amount")
@endpoint(query=AmountQuery, roles=(Role.ORGANIZER,), tags=["signing"],
          resp={200: AmountPreviewOut})
def signing_lookup_amount(query: AmountQuery):
    """The amount as saving would store it (organizer): yuan, 亿元 and the unit read; a
    foreign amount with its currency and the rate it is converted at"""
    rates = {}
    if query.agreement:  # a correction keeps the rate the agreement was signed at
        agreement = load(Agreement, query.agreement)
        rates = operations.session_rates(agreement.session, agreement)
    elif query.session:
        rates = operations.session_rates(load(SigningSession, query.session))
    try:
        parsed = operations.parse_signed_amount(query.amount, confirm_large=query.confirm_large,
                                                rates=rates)
    except operations.AmountNeedsConfirmation as error:
        return AmountPreviewOut(ok=False, needs_confirmation=True, message=error.translated(),
                                yuan=yuan_str(error.parsed.yuan), yi=format_yi(error.parsed.yuan))
    except DomainError as error:
        return AmountPreviewOut(ok=False, message=error.translated())
    answer = AmountPreviewOut(ok=True, yuan=yuan_str(parsed.yuan), yi=format_yi(parsed.yuan),
                              unit=parsed.unit, unit_source=parsed.unit_source)
    if parsed.currency != "CNY":
        rate = rates[parsed.currency]
        answer = answer.model_copy(update={
            "currency": parsed.currency,
            "original": format_original(parsed.amount_original, parsed.currency),
            "rate": f"{rate.yuan_per_unit:f}", "rate_source": rate_source_text(rate)})
    return answer
