"""Matching and investor-name resolution over the API.

POST /match (a public read sent as POST: it computes matches and writes nothing),
GET /projects/<id>/investors, GET /investors/resolve.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import jsonify, request
from flask_babel import gettext as _

from matchmaker.accounts.models import Role
from matchmaker.amounts import AmountError, parse_amount
from matchmaker.api.auth import token_required
from matchmaker.api.blueprint import bp
from matchmaker.errors import DomainError, api_error
from matchmaker.i18n import N_
from matchmaker.investors.resolution import resolution_json, resolve_investor
from matchmaker.matching import operations
from matchmaker.matching.operations import ProfileInput
from matchmaker.reference.taxonomy import mode_parts
from matchmaker.reference.vocabulary import CooperationMode
from matchmaker.serializers import investor_json, project_json, reasons_json

_REASONS = {"type": "array", "items": {"type": "object", "properties": {
    "kind": {"type": "string", "enum": ["sector", "region", "amount", "mode", "text"]},
    "text": {"type": "string"}}}}
_TOP = {"name": "top", "in": "query", "schema": {"type": "integer", "default": 20, "maximum": 200}}

PATHS = {
    "/match": {"post": {
        "summary": "Projects ranked for an investor profile, with reasons (writes nothing)",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "type": "object",
            "properties": {
                "sectors": {"type": "array", "items": {"type": "string"},
                            "description": "sector codes (GET /sectors)"},
                "regions": {"type": "array", "items": {"type": "string"},
                            "description": "region codes (GET /regions)"},
                "min_yuan": {"type": "string", "description": "yuan, or '5亿元', '5000万'"},
                "max_yuan": {"type": "string"},
                "modes": {"type": "array", "items": {"type": "string"},
                          "description": "sole, joint_venture, cooperation, ppp, equity, other "
                                         "(or 独资, 合资 ...)"},
                "keywords": {"type": "string", "maxLength": 500},
                "top": {"type": "integer", "default": 20, "maximum": 200},
            }}}}},
        "responses": {
            "200": {"description": "{items: [{project, score 0-100, reasons: [{kind, text}]}]}"},
            "400": {"description": "no JSON body, or a profile that cannot be matched"},
        },
    }},
    "/projects/{id}/investors": {"get": {
        "summary": "Investors with a profile ranked for one project, with reasons (staff)",
        "security": [{"bearer": []}],
        "parameters": [{"name": "id", "in": "path", "required": True,
                        "schema": {"type": "integer"}}, _TOP],
        "responses": {"200": {"description": "{project, items: [{investor, score, reasons}]}"},
                      "401": {"description": "no valid token"},
                      "403": {"description": "not staff"},
                      "404": {"description": "no such published project"}},
    }},
    "/investors/resolve": {"get": {
        "summary": "The known investor a written company name means (or none when unsure)",
        "parameters": [{"name": "name", "in": "query", "required": True,
                        "schema": {"type": "string"}}],
        "responses": {"200": {"description": "{query, match: investor|null, score, runner_up: "
                                             "investor|null, candidates: [{id, name, name_en, score, "
                                             "why: {kind, source, matched, text}}] (up to 5, best "
                                             "first, also when match is null)}"},
                      "400": {"description": "no name, or nothing to match in it"}},
    }},
}


def _strings(body: dict[str, Any], key: str) -> tuple[str, ...]:
    value = body.get(key) or []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DomainError(N_("%(name)s must be a list of strings."), field=key, name=key)
    return tuple(v.strip() for v in value if v.strip())


def _amount(body: dict[str, Any], key: str) -> Decimal | None:
    value = body.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, float) or isinstance(value, bool) or not isinstance(value, (int, str)):
        raise DomainError(
            N_("Send %(name)s as a string of yuan or with its unit, e.g. \"500000000\" or "
               "\"5亿元\"."), field=key, name=key)
    try:
        parsed = parse_amount(value, header_unit="元")
    except AmountError as error:
        raise DomainError(error.message, field=key) from error
    return parsed.yuan if parsed else None


def _modes(body: dict[str, Any]) -> tuple[str, ...]:
    codes: list[str] = []
    for text in _strings(body, "modes"):
        code = CooperationMode.parse(text)
        if code is None:
            parts = mode_parts(text)
            code = parts[0][1] if len(parts) == 1 else None
        if code is None:
            raise DomainError(N_("Unknown cooperation mode: %(mode)s"), field="modes",
                              mode=text[:40])
        codes.append(code)
    return tuple(dict.fromkeys(codes))


def profile_from_json(body: Any) -> ProfileInput:
    if not isinstance(body, dict):
        raise DomainError(N_(
            "Send a JSON object describing what you look for, e.g. "
            "{\"sectors\": [\"new_energy\"], \"keywords\": \"光伏\"}."))
    keywords = body.get("keywords") or ""
    if not isinstance(keywords, str):
        raise DomainError(N_("%(name)s must be a string."), field="keywords", name="keywords")
    return ProfileInput(
        sectors=_strings(body, "sectors"),
        regions=_strings(body, "regions"),
        min_yuan=_amount(body, "min_yuan"),
        max_yuan=_amount(body, "max_yuan"),
        modes=_modes(body),
        keywords=keywords,
    )


def _top(value: Any) -> int:
    if value is None or value == "":
        return operations.DEFAULT_TOP
    try:
        top = int(value)
    except (TypeError, ValueError):
        top = 0
    if isinstance(value, bool) or top < 1:
        raise DomainError(N_("top must be a whole number from 1 to %(max)d."), field="top",
                          max=operations.MAX_TOP)
    return min(top, operations.MAX_TOP)


@bp.post("/match")
def match():
    body = request.get_json(silent=True)
    profile = profile_from_json(body)
    matches = operations.match_projects(profile, top=_top(body.get("top")))
    return jsonify({"items": [
        {"project": project_json(m.project), "score": m.score, "reasons": reasons_json(m.reasons)}
        for m in matches
    ]})


@bp.get("/projects/<int:project_id>/investors")
@token_required(Role.STAFF)
def project_investors(project_id: int):
    project = operations.matchable_project(project_id)
    matches = operations.match_investors(project, top=_top(request.args.get("top")))
    return jsonify({"project": project_json(project), "items": [
        {"investor": investor_json(m.investor), "score": m.score,
         "reasons": reasons_json(m.reasons)}
        for m in matches
    ]})


@bp.get("/investors/resolve")
def resolve():
    name = request.args.get("name", "")
    if not name.strip():
        return api_error("invalid", _("Give a company name: ?name=…"), 400)
    return jsonify(resolution_json(resolve_investor(name)))
