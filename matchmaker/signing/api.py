"""Signing's API routes: sessions with their totals, recording and voiding agreements,
the totals."""

from __future__ import annotations

import sqlalchemy as sa
from flask import current_app, jsonify

from matchmaker.accounts.models import Role
from matchmaker.api.auth import current_api_user
from matchmaker.api.blueprint import bp, endpoint
from matchmaker.api.errors import ErrorOut
from matchmaker.editions.selection import ALL, selected_edition
from matchmaker.errors import api_error
from matchmaker.extensions import db
from matchmaker.investors.resolution import InvestorUnresolved
from matchmaker.signing import operations
from matchmaker.signing.models import Agreement, SigningSession
from matchmaker.signing.schemas import (
    AgreementIn,
    AgreementOut,
    ReasonIn,
    SessionList,
    SessionOut,
    TotalsOut,
    TotalsQuery,
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
                409: (ErrorOut, "investor_unresolved {error: {code, message, candidates: [{id, "
                                "name, name_en, score, why}]}}, or the session is not open"),
                422: (ErrorOut, "amount_unconfirmed: above 10,000亿元 without confirm_large")})
def signing_record(id: int, json: AgreementIn):
    """Record an agreement (organizer); idempotent with idempotency_key

    When the investor name has no confident match the answer is 409 with the candidates,
    unless create_investor is true. Invalid input writes nothing."""
    session = load(SigningSession, id)
    try:
        agreement = operations.record_agreement(session, json.agreement_input(),
                                                user=current_api_user())
    except InvestorUnresolved as error:
        db.session.rollback()
        return api_error(error.code, error.translated(), error.status,
                         candidates=error.candidates_json())
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    replayed = getattr(agreement, "replayed", False)
    return AgreementOut.of(agreement), 200 if replayed else 201


@bp.post("/signing/agreements/<int:id>/void")
@endpoint(json=ReasonIn, roles=(Role.ORGANIZER,), tags=["signing"], finds={"id": Agreement},
          resp={200: (AgreementOut, "the agreement, voided: it stays, out of the totals"),
                409: (ErrorOut, "already voided, or its session is closed")})
def signing_void(id: int, json: ReasonIn):
    """Void an agreement with a reason (organizer)"""
    agreement = load(Agreement, id)
    try:
        operations.void_agreement(agreement, json.reason, user=current_api_user())
    except Exception:
        db.session.rollback()
        raise
    db.session.commit()
    return AgreementOut.of(agreement)
