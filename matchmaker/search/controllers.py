"""The catalogue list (search page) and the project page: thin views over operations."""

from __future__ import annotations

from flask import abort, render_template, request, url_for
from flask_login import current_user

from matchmaker.catalogue import attachments
from matchmaker.i18n import translate
from matchmaker.search import operations
from matchmaker.search.core import SORTS, SearchError, highlight
from matchmaker.search.files import attachment_response
from matchmaker.search.params import PARAMS, request_from_args
from matchmaker.text import fold


def _link(**changes) -> str:
    """This page's URL with some parameters changed (None removes one); back to page 1."""
    args = {k: request.args.getlist(k) for k in PARAMS if request.args.getlist(k)}
    changes.setdefault("page", None)
    for key, value in changes.items():
        if value is None or value == "":
            args.pop(key, None)
        else:
            args[key] = value
    return url_for("search.index", **args)


def index():
    error = None
    page = None
    try:
        search_request = request_from_args(request.args)
        page = operations.search_projects(search_request)
    except SearchError as exc:
        error = translate(exc.message)
    status = 400 if error else 200
    terms = page.result.highlight_terms() if page else []
    return render_template(
        "search/index.html", page=page, error=error, link=_link, highlight=highlight, terms=terms,
        sorts=SORTS, translate=translate, args=request.args,
    ), status


def project(project_id: int):
    item = operations.visible_project(project_id, user=current_user)
    if item is None:
        abort(404)
    terms = [fold(t) for t in request.args.get("q", "")[:200].split() if fold(t)][:10]
    return render_template(
        "search/project.html", project=item, similar=operations.similar_projects(item),
        show_contact=current_user.is_authenticated, highlight=highlight, terms=terms,
        attachments=attachments.ordered(item.attachments),
    )


def attachment(project_id: int, attachment_id: int):
    """One attachment's file (search.files: headers, caching, ranges); 404 unless the
    visitor may see the project (a published catalogue's; staff also preview unpublished
    ones)."""
    item = operations.visible_project(project_id, user=current_user)
    found = attachments.project_attachment(project_id, attachment_id) if item else None
    if found is None:
        abort(404)
    return attachment_response(found, download=request.args.get("download") == "1")
