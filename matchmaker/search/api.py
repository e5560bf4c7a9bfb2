"""Search's API routes: GET /projects (ranked, filtered, with facets) and GET /projects/<id>."""

from __future__ import annotations

from matchmaker.api.auth import current_api_user
from matchmaker.api.blueprint import bp, endpoint
from matchmaker.catalogue.attachments import ordered, project_attachment
from matchmaker.catalogue.schemas import (
    AttachmentList,
    AttachmentOut,
    ProjectOut,
    ProjectWithContact,
)
from matchmaker.errors import NotFound
from matchmaker.filetypes import BY_MIMETYPE
from matchmaker.i18n import N_
from matchmaker.search import operations
from matchmaker.search.core import SearchError
from matchmaker.search.files import attachment_response
from matchmaker.search.params import request_from_args
from matchmaker.search.schemas import AttachmentQuery, SearchQuery, SearchResultOut
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


def _visible(project_id: int):
    """A published project; staff (with a token) also see unpublished ones. 404 otherwise."""
    project = operations.visible_project(project_id, user=current_api_user())
    if project is None:
        raise NotFound(N_("Not found."))
    return project


@bp.get("/projects/<int:id>/attachments")
@endpoint(resp={200: (AttachmentList, "the project's attachments, studies first")},
          tags=["projects"])
def project_attachments(id: int):
    """The documents and photos attached to a project of a published catalogue"""
    project = _visible(id)
    return AttachmentList(items=[AttachmentOut.of(a) for a in ordered(project.attachments)])


@bp.get("/projects/<int:id>/attachments/<int:attachment_id>")
@endpoint(query=AttachmentQuery, resp={200: None, 206: None, 304: None}, tags=["projects"],
          files={200: sorted(BY_MIMETYPE), 206: sorted(BY_MIMETYPE)})
def project_attachment_file(id: int, attachment_id: int, query: AttachmentQuery):
    """One attachment's file, as the project page serves it (ETag, ranges, nosniff)"""
    _visible(id)
    attachment = project_attachment(id, attachment_id)
    if attachment is None:
        raise NotFound(N_("Not found."))
    response = attachment_response(attachment, download=query.download)
    response.direct_passthrough = False  # spectree reads the body it validates
    return response
