"""GET /projects (search with facets) and GET /projects/<id>."""

from __future__ import annotations

from flask import jsonify, request

from matchmaker.api.auth import current_api_user
from matchmaker.api.blueprint import bp
from matchmaker.errors import NotFound, api_error
from matchmaker.i18n import N_, translate
from matchmaker.search import operations
from matchmaker.search.core import SearchError
from matchmaker.search.params import request_from_args
from matchmaker.serializers import project_json

_PARAM = {"in": "query", "schema": {"type": "string"}}
PATHS = {
    "/projects": {"get": {
        "summary": "Search projects of published catalogues: ranked, filtered, with facets",
        "description": (
            "q: Chinese, English or pinyin words, sector aliases, region names; typos tolerated. "
            "Filters repeat or take commas (sector=a,b); values of one filter are alternatives. "
            "Withdrawn projects are hidden unless status is given. sort: relevance | sought_desc "
            "| sought_asc | newest. per_page is capped at 100. Each item has `score` and "
            "`matched_fields` (name, sector, region, content). Facets' region, status and "
            "sought_band counts add up to total. Unknown codes, page < 1: 400."),
        "parameters": [{"name": n, **_PARAM} for n in (
            "q", "sector", "region", "min_sought", "max_sought", "mode", "status", "band",
            "sort", "page", "per_page")],
        "responses": {"200": {"description": "{total, page, per_page, items: [project], facets, "
                                             "corrections, explanation, suggestions}"},
                      "400": {"description": "{error: {code, message}}"}},
    }},
    "/projects/{id}": {"get": {
        "summary": "One project; owner and contact details only with a valid bearer token",
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "responses": {"200": {"description": "project"}, "404": {"description": "not found"}},
    }},
}


@bp.get("/projects")
def search_projects():
    try:
        page = operations.search_projects(request_from_args(request.args))
    except SearchError as error:
        return api_error("invalid", translate(error.message), 400, field=error.field)
    result = page.result
    items = []
    for project, hit in page.items:
        item = project_json(project)
        item["score"] = hit.score
        item["matched_fields"] = list(hit.fields)
        items.append(item)
    return jsonify({
        "total": result.total,
        "page": result.page,
        "per_page": result.per_page,
        "items": items,
        "facets": result.facets,
        "corrections": [{"from": a, "to": b} for a, b in result.corrections],
        "explanation": [translate(m) for m in result.explanation],
        "suggestions": [{"text": translate(s.message), "params": s.changes, "count": s.count}
                        for s in result.suggestions],
    })


@bp.get("/projects/<int:project_id>")
def project_detail(project_id: int):
    project = operations.published_project(project_id)
    if project is None:
        raise NotFound(N_("Not found."))
    return jsonify(project_json(project, with_contact=current_api_user() is not None))
