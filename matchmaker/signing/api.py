"""Signing API: sessions with their totals, recording and voiding agreements, totals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from flask import current_app, jsonify, request
from flask_babel import gettext as _

from matchmaker.accounts.models import Role
from matchmaker.api.auth import current_api_user, token_required
from matchmaker.api.blueprint import bp
from matchmaker.errors import DomainError, api_error
from matchmaker.extensions import db
from matchmaker.investors.models import InvestorKind
from matchmaker.investors.resolution import InvestorUnresolved
from matchmaker.money import yuan_str
from matchmaker.serializers import investor_json, project_json
from matchmaker.signing import operations
from matchmaker.signing.models import Agreement, SigningSession
from matchmaker.signing.totals import session_summaries, signed_totals
from matchmaker.validation import (
    aware_datetime,
    clean_text,
    optional_code,
    record_id,
    whole_number,
)

_AGREEMENT_SCHEMA = {
    "type": "object",
    "description": "{id, session_id, investor: {id, name, name_en}, project: project|null, project_name, "
    "amount_yuan, kind, signed_at, voided, void_reason}",
}
PATHS: dict = {
    "/signing/sessions": {
        "get": {
            "summary": "Signing sessions with their counted totals",
            "parameters": [{"name": "edition", "in": "query", "schema": {"type": "integer"}}],
            "responses": {
                "200": {
                    "description": "{items: [{id, edition, name, name_en, kind, held_on, venue, "
                    "state, target_yuan, count, total_yuan}]}"
                }
            },
        }
    },
    "/signing/sessions/{id}/agreements": {
        "post": {
            "summary": "Record an agreement (organizer). Idempotent with idempotency_key.",
            "security": [{"bearer": []}],
            "requestBody": {
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "investor": {
                                    "description": "investor id, or a name resolved against known investors"
                                },
                                "project": {"type": ["integer", "null"]},
                                "project_name": {
                                    "type": "string",
                                    "description": "when off-catalogue",
                                },
                                "sector": {
                                    "type": "string",
                                    "description": "sector code (off-catalogue)",
                                },
                                "region": {
                                    "type": "string",
                                    "description": "region code (off-catalogue)",
                                },
                                "amount": {
                                    "type": "string",
                                    "description": "'5' (亿元), '5亿元', '5000万元', '3.25亿元'",
                                },
                                "kind": {
                                    "type": "string",
                                    "description": "investment_contract | framework | strategic | intent, "
                                    "or 投资合同 / 框架协议 / 战略合作协议 / 意向",
                                },
                                "signed_at": {"type": "string", "format": "date-time"},
                                "create_investor": {"type": "boolean"},
                                "investor_kind": {"type": "string"},
                                "confirm_large": {
                                    "type": "boolean",
                                    "description": "needed above 10,000亿元",
                                },
                                "idempotency_key": {"type": "string", "maxLength": 100},
                            },
                            "required": ["investor", "amount", "kind"],
                        }
                    }
                }
            },
            "responses": {
                "201": {
                    "description": "the agreement",
                    "content": {"application/json": {"schema": _AGREEMENT_SCHEMA}},
                },
                "200": {"description": "the first agreement of this idempotency_key (a repeat)"},
                "400": {"description": "invalid input, nothing written"},
                "404": {"description": "unknown session, project or investor id"},
                "409": {
                    "description": "investor_unresolved {error: {code, message, candidates: [{id, name, "
                    "name_en, score}]}}, or the session is not open"
                },
                "422": {
                    "description": "amount_unconfirmed: above 10,000亿元 without confirm_large"
                },
            },
        }
    },
    "/signing/agreements/{id}/void": {
        "post": {
            "summary": "Void an agreement with a reason (organizer); it stays, out of the totals",
            "security": [{"bearer": []}],
            "requestBody": {
                "content": {
                    "application/json": {
                        "schema": {
                            "type": "object",
                            "properties": {"reason": {"type": "string"}},
                            "required": ["reason"],
                        }
                    }
                }
            },
            "responses": {
                "200": {"description": "the agreement"},
                "409": {"description": "already voided, or closed"},
            },
        }
    },
    "/signing/totals": {
        "get": {
            "summary": "Signed totals and breakdowns (the dashboard's figures)",
            "parameters": [
                {"name": "count_intent", "in": "query", "schema": {"type": "boolean"}},
                {"name": "edition", "in": "query", "schema": {"type": "integer"}},
            ],
            "responses": {
                "200": {
                    "description": "{total_yuan, count, target_yuan, by_session, by_sector, by_region, "
                    "by_kind, by_investor_kind, count_intent, intent, voided_count, "
                    "catalogue, press}; rows {key, name, name_en, count, total_yuan}"
                }
            },
        }
    },
}


def agreement_json(agreement: Agreement) -> dict[str, Any]:
    return {
        "id": agreement.id,
        "session_id": agreement.session_id,
        "investor": investor_json(agreement.investor),
        "project": project_json(agreement.project) if agreement.project is not None else None,
        "project_name": agreement.project_name,
        "amount_yuan": yuan_str(agreement.amount_yuan),
        "kind": agreement.kind.value,
        "signed_at": agreement.signed_at.isoformat(),
        "voided": agreement.voided,
        "void_reason": agreement.void_reason,
    }


def session_json(session: SigningSession, count: int, total_yuan) -> dict[str, Any]:
    return {
        "id": session.id,
        "edition": session.edition,
        "name": session.name,
        "name_en": session.name_en,
        "kind": session.kind.value,
        "held_on": session.held_on.isoformat() if session.held_on else None,
        "venue": session.venue,
        "state": session.state.value,
        "target_yuan": yuan_str(session.target_yuan),
        "count": count,
        "total_yuan": yuan_str(total_yuan),
    }


def _flag(name: str) -> bool:
    value = request.args.get(name)
    if value is None:
        return bool(current_app.config["SIGNING_COUNT_INTENT"])
    return value.lower() in ("1", "true", "yes")


def _edition() -> int | None:
    return whole_number(request.args.get("edition"), field="edition", maximum=9999)


@bp.get("/signing/sessions")
def signing_sessions():
    edition = _edition()
    query = sa.select(SigningSession).order_by(SigningSession.held_on, SigningSession.id)
    if edition is not None:
        query = query.where(SigningSession.edition == edition)
    sessions = db.session.scalars(query).all()
    totals = signed_totals(count_intent=_flag("count_intent"), edition=edition)
    items = [
        session_json(row["session"], row["count"], row["total_yuan"])
        for row in session_summaries(totals, list(sessions))
    ]
    return jsonify({"items": items})


@bp.get("/signing/totals")
def signing_totals():
    return jsonify(signed_totals(count_intent=_flag("count_intent"), edition=_edition()).as_json())


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise DomainError(_("Send a JSON object."))
    return body


def _signed_at(value: Any) -> datetime | None:
    return aware_datetime(value, field="signed_at")


def _agreement_input(body: dict[str, Any]) -> operations.AgreementInput:
    investor = body.get("investor")
    if isinstance(investor, bool) or not isinstance(investor, int | str) or investor in ("",):
        raise DomainError(
            _("investor is required: an investor id or a company name."), field="investor"
        )
    project = body.get("project")
    if project is not None and (isinstance(project, bool) or not isinstance(project, int)):
        raise DomainError(
            _("project is a catalogue project id, or null with project_name."), field="project"
        )
    if project is not None:
        project = record_id(project, field="project")
    if isinstance(investor, int):
        investor = record_id(investor, field="investor")
    for name in ("investor", "project_name", "kind", "investor_kind", "idempotency_key"):
        if isinstance(body.get(name), str):
            clean_text(body[name], field=name, max_length=300)
    amount = body.get("amount")
    if amount is None or isinstance(amount, bool | float | dict | list):
        raise DomainError(_('amount is required as a string, for example "5亿元".'), field="amount")
    return operations.AgreementInput(
        investor=investor,
        amount=str(amount),
        kind=str(body.get("kind") or ""),
        project_id=project,
        project_name=str(body.get("project_name") or ""),
        sector_code=optional_code(body.get("sector"), field="sector"),
        region_code=optional_code(body.get("region"), field="region"),
        signed_at=_signed_at(body.get("signed_at")),
        idempotency_key=(
            str(body["idempotency_key"]) if body.get("idempotency_key") not in (None, "") else None
        ),
        create_investor=body.get("create_investor") is True,
        investor_kind=str(body.get("investor_kind") or "enterprise"),
        confirm_large=body.get("confirm_large") is True,
    )


@bp.post("/signing/sessions/<int:session_id>/agreements")
@token_required(Role.ORGANIZER)
def signing_record(session_id: int):
    session = db.session.get(SigningSession, session_id)
    if session is None:
        return api_error("not_found", _("Not found."), 404)
    try:
        data = _agreement_input(_body())
        if data.investor_kind not in {k.value for k in InvestorKind}:
            raise DomainError(_("Unknown investor kind."), field="investor_kind")
        agreement = operations.record_agreement(session, data, user=current_api_user())
    except InvestorUnresolved as error:
        db.session.rollback()
        return api_error(
            error.code, error.translated(), error.status, candidates=error.candidates_json()
        )
    except DomainError:
        db.session.rollback()
        raise
    db.session.commit()
    replayed = getattr(agreement, "replayed", False)
    return jsonify(agreement_json(agreement)), 200 if replayed else 201


@bp.post("/signing/agreements/<int:agreement_id>/void")
@token_required(Role.ORGANIZER)
def signing_void(agreement_id: int):
    agreement = db.session.get(Agreement, agreement_id)
    if agreement is None:
        return api_error("not_found", _("Not found."), 404)
    body = _body()
    try:
        operations.void_agreement(agreement, str(body.get("reason") or ""), user=current_api_user())
    except DomainError:
        db.session.rollback()
        raise
    db.session.commit()
    return jsonify(agreement_json(agreement))
