"""Search's API routes: GET /projects (ranked, filtered, with facets) and GET /projects/<id>."""

from __future__ import annotations

from matchmaker.api.auth import current_api_user
from matchmaker.api.blueprint import bp, endpoint
from matchmaker.catalogue.schemas import ProjectOut, ProjectWithContact
from matchmaker.errors import NotFound
from matchmaker.i18n import N_
from matchmaker.search import operations
from matchmaker.search.core import SearchError
from matchmaker.search.params import request_from_args
from matchmaker.search.schemas import SearchQuery, SearchResultOut
from matchmaker.validation import InputError


@bp.get("/projects")
@endpoint(query=SearchQuery, resp={200: SearchResultOut}, tags=["projects"])
def search_projects(query: SearchQuery):
    """Search projects of published catalogues: ranked, filtered, with facets

    Withdrawn projects are hidden unless status is given. per_page is capped at 100. Each
    item has `score` and `matched_fields`. Unknown codes, page < 1: 400."""
    try:
        page = operations.search_projects(request_from_args(query.args()))
    except SearchError as error:
        raise InputError(error.message, field=error.field) from error
    return SearchResultOut.of(page)


@bp.get("/projects/<int:id>")
@endpoint(resp={200: (ProjectOut, "the project (ProjectWithContact with a token)")},
          tags=["projects"])
def project_detail(id: int):
    """One project of a published catalogue

    The owner and contact details only with a valid bearer token."""
    project = operations.published_project(id)
    if project is None:
        raise NotFound(N_("Not found."))
    if current_api_user() is not None:
        return ProjectWithContact.of(project)
    return ProjectOut.of(project)
