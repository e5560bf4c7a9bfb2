"""The catalogue's API routes (staff tokens): import a file (POST /catalogues, answering
the import report), list, create, publish, unpublish and export catalogues, edit a
project - the catalogue pages' actions, through the same operations."""

from __future__ import annotations

from flask import Response, jsonify

from matchmaker.accounts.models import Role
from matchmaker.amounts import AmountError, parse_rates
from matchmaker.api.auth import current_api_user
from matchmaker.api.blueprint import bp, endpoint, perform
from matchmaker.api.errors import ErrorOut
from matchmaker.catalogue.attachments import (
    Upload,
    add_attachments,
    delete_attachment,
    project_attachment,
    replace_attachment,
)
from matchmaker.catalogue.models import Catalogue, CatalogueStatus, Project
from matchmaker.catalogue.operations import (
    EXPORT_TYPES,
    approve_catalogue,
    catalogue_json,
    catalogue_summaries,
    create_catalogue,
    export_catalogue,
    find_or_new_catalogue,
    import_catalogue,
    project_form_data,
    restore_catalogue_rates,
    return_catalogue,
    saved_rates,
    set_catalogue_rates,
    set_catalogue_status,
    submit_catalogue,
    update_project,
)
from matchmaker.catalogue.schemas import (
    AttachmentList,
    AttachmentOut,
    AttachmentReplaceForm,
    AttachmentUploadForm,
    CatalogueIn,
    CatalogueList,
    CatalogueOut,
    CatalogueQuery,
    ExportQuery,
    ImportForm,
    ImportReportOut,
    ProjectEditIn,
    ProjectEditOut,
    ProjectWithContact,
    ReviewIn,
)
from matchmaker.editions.operations import resolve_edition
from matchmaker.errors import NotFound
from matchmaker.i18n import N_, translate
from matchmaker.validation import InputError
from matchmaker.views import load


@bp.post("/catalogues")
@endpoint(form=ImportForm, roles=(Role.STAFF,), tags=["catalogues"],
          resp={200: (ImportReportOut, "Import report (committed, or a dry run)"),
                413: None,
                422: (ImportReportOut, "Rejected rows blocked the import (the report), or "
                                       "the file was refused ({error})")})
def import_catalogue_api(form: ImportForm):
    """Import a catalogue file (.xlsx/.xls/.ods/.csv; UTF-8, UTF-8 BOM or GBK)

    Creates the catalogue (name + year) when missing. By default any rejected row blocks
    the import (422 with the report); skip_invalid imports the valid rows. dry_run checks
    and reports without writing projects. Projects missing from the file are listed and
    withdrawn only with confirm_withdraw."""
    try:
        rates = parse_rates(form.rates or "")
    except AmountError as error:
        raise InputError(error.message, field="rates") from error
    user = current_api_user()

    def run():
        catalogue = find_or_new_catalogue(form.name, form.year, usd_rate=form.usd_rate)
        saved = saved_rates(catalogue)
        if form.usd_rate is not None or rates or form.accepts_outside:
            set_catalogue_rates(catalogue, usd_rate=form.usd_rate, rates=rates,
                                accepts_outside=True if form.accepts_outside else None,
                                user=user, audit=not form.dry_run)
        report = import_catalogue(
            catalogue,
            form.file.read(),
            form.file.filename,
            user=user,
            dry_run=form.dry_run,
            skip_invalid=form.skip_invalid,
            confirm_withdraw=form.confirm_withdraw,
            sought_from_total=form.sought_from_total,
            keep_unclassified=form.keep_unclassified,
        )
        if form.dry_run:
            restore_catalogue_rates(catalogue, saved)
        return report

    report = perform(run)  # the batch is kept (dry runs too): the import history shows it
    status = 422 if report.blocked else 200  # rejected rows refuse the file (dry run too)
    return jsonify(report.as_json()), status


def _catalogue(catalogue_id: int) -> Catalogue:
    return load(Catalogue, catalogue_id)


@bp.get("/catalogues")
@endpoint(query=CatalogueQuery, roles=(Role.STAFF,), tags=["catalogues"],
          resp={200: CatalogueList})
def list_catalogues(query: CatalogueQuery):
    """Catalogues of an edition (drafts too) with their project count and investment sought
    (staff; the catalogue list page)"""
    edition = resolve_edition(query.edition, allow_all=True)
    catalogues = [c for c, _count, _sought in catalogue_summaries(edition)]
    return CatalogueList(items=[CatalogueOut(**catalogue_json(c)) for c in catalogues])


@bp.post("/catalogues/new")
@endpoint(json=CatalogueIn, roles=(Role.STAFF,), tags=["catalogues"],
          resp={201: (CatalogueOut, "the new, empty catalogue (a draft)")})
def create_catalogue_api(json: CatalogueIn):
    """Create an empty catalogue of an edition (staff); upload its sheet with POST /catalogues"""
    try:
        rates = parse_rates(json.rates or "")
    except AmountError as error:
        raise InputError(error.message, field="rates") from error
    data = {**json.model_dump(), "rates": rates}
    catalogue = perform(lambda: create_catalogue(data, user=current_api_user()))
    return CatalogueOut(**catalogue_json(catalogue)), 201


def _set_status(catalogue_id: int, status: CatalogueStatus) -> CatalogueOut:
    catalogue = _catalogue(catalogue_id)
    perform(lambda: set_catalogue_status(catalogue, status, user=current_api_user()))
    return CatalogueOut(**catalogue_json(catalogue))


@bp.post("/catalogues/<int:id>/publish")
@endpoint(roles=(Role.STAFF,), tags=["catalogues"], finds={"id": Catalogue},
          resp={200: (CatalogueOut, "the catalogue, published: its projects are public")})
def publish_catalogue_api(id: int):
    """Publish a catalogue (staff), as its page's button does"""
    return _set_status(id, CatalogueStatus.PUBLISHED)


@bp.post("/catalogues/<int:id>/unpublish")
@endpoint(roles=(Role.STAFF,), tags=["catalogues"], finds={"id": Catalogue},
          resp={200: (CatalogueOut, "the catalogue, a draft again")})
def unpublish_catalogue_api(id: int):
    """Take a catalogue back to draft (staff)"""
    return _set_status(id, CatalogueStatus.DRAFT)


def _review(catalogue_id: int, action) -> CatalogueOut:
    catalogue = _catalogue(catalogue_id)
    perform(lambda: action(catalogue))
    return CatalogueOut(**catalogue_json(catalogue))


@bp.post("/catalogues/<int:id>/submit")
@endpoint(roles=(Role.STAFF,), tags=["catalogues"], finds={"id": Catalogue},
          resp={200: (CatalogueOut, "the catalogue, submitted for the province's review"),
                409: (ErrorOut, "already submitted, or approved and unchanged")})
def submit_catalogue_api(id: int):
    """Submit a catalogue for review (staff, also a prefecture's)"""
    return _review(id, lambda c: submit_catalogue(c, user=current_api_user()))


@bp.post("/catalogues/<int:id>/approve")
@endpoint(roles=(Role.STAFF,), tags=["catalogues"], finds={"id": Catalogue},
          resp={200: (CatalogueOut, "the catalogue, approved: it can be published"),
                403: (ErrorOut, "a prefecture's account cannot approve"),
                409: (ErrorOut, "not submitted")})
def approve_catalogue_api(id: int):
    """Approve a submitted catalogue (province-level staff)"""
    return _review(id, lambda c: approve_catalogue(c, user=current_api_user()))


@bp.post("/catalogues/<int:id>/return")
@endpoint(json=ReviewIn, roles=(Role.STAFF,), tags=["catalogues"], finds={"id": Catalogue},
          resp={200: (CatalogueOut, "the catalogue, returned with the comment"),
                403: (ErrorOut, "a prefecture's account cannot return"),
                409: (ErrorOut, "not submitted")})
def return_catalogue_api(id: int, json: ReviewIn):
    """Return a submitted catalogue to the prefectures with a comment (province-level staff)"""
    return _review(id, lambda c: return_catalogue(c, json.comment, user=current_api_user()))


@bp.get("/catalogues/<int:id>/export")
@endpoint(query=ExportQuery, roles=(Role.STAFF,), tags=["catalogues"], finds={"id": Catalogue},
          resp={200: None}, files={200: EXPORT_TYPES.values()})
def export_catalogue_api(id: int, query: ExportQuery):
    """The catalogue as a file in the import layout (.xlsx or UTF-8 .csv; staff)"""
    catalogue = _catalogue(id)
    return Response(export_catalogue(catalogue, query.format), mimetype=EXPORT_TYPES[query.format],
                    headers={"Content-Disposition": "attachment; filename="
                             f"catalogue-{catalogue.id}-{catalogue.year}.{query.format}"})


@bp.post("/projects/<int:id>/edit")
@endpoint(json=ProjectEditIn, roles=(Role.STAFF,), tags=["projects"], finds={"id": Project},
          resp={200: (ProjectEditOut, "the project as saved, what changed, the warnings")})
def edit_project_api(id: int, json: ProjectEditIn):
    """Edit one project with the importer's rules (staff), as the project edit page does

    Fields left out keep their value; a refused value writes nothing (400 naming the field)."""
    project = load(Project, id)
    data = {**project_form_data(project), **json.model_dump(exclude_none=True)}
    result = perform(lambda: update_project(project, data, user=current_api_user()))
    return ProjectEditOut(project=ProjectWithContact.of(project), changed=list(result.changed),
                          warnings=[translate(w) for w in result.warnings])


# --- attachments (the project edit page's section) -------------------------------------

ATTACHMENT_REFUSALS = {413: None,
                       422: (ErrorOut, "a file refused (type, size, the project's limits, a "
                                       "duplicate): nothing is attached")}


def _project_attachment(project_id: int, attachment_id: int):
    attachment = project_attachment(project_id, attachment_id)
    if attachment is None:
        raise NotFound(N_("Not found."))
    return attachment


def _form_required(form) -> None:
    if form is None:
        raise InputError(N_("Send the files as multipart/form-data."))


@bp.post("/projects/<int:id>/attachments")
@endpoint(form=AttachmentUploadForm, roles=(Role.STAFF,), tags=["projects"], finds={"id": Project},
          resp={201: (AttachmentList, "the attachments added"), **ATTACHMENT_REFUSALS})
def add_attachments_api(id: int, form: AttachmentUploadForm):
    """Attach one or several files to a project (staff whose prefectures cover it)

    The type is read from each file's content and must agree with its name; each file
    and the project's count and total have limits. One refused file refuses them all."""
    _form_required(form)
    project = load(Project, id)
    files = [Upload(item.filename or "", item.read()) for item in form.files]
    data = form.model_dump(exclude={"files"})
    added = perform(lambda: add_attachments(project, files, data, user=current_api_user()))
    return AttachmentList(items=[AttachmentOut.of(a) for a in added]), 201


@bp.post("/projects/<int:id>/attachments/<int:attachment_id>/replace")
@endpoint(form=AttachmentReplaceForm, roles=(Role.STAFF,), tags=["projects"], finds={"id": Project},
          resp={200: (AttachmentOut, "the attachment with its new file"), **ATTACHMENT_REFUSALS})
def replace_attachment_api(id: int, attachment_id: int, form: AttachmentReplaceForm):
    """Put a corrected file in place of an attachment's (same kind, title and language)"""
    _form_required(form)
    attachment = _project_attachment(id, attachment_id)
    upload = Upload(form.file.filename or "", form.file.read())
    perform(lambda: replace_attachment(attachment, upload, user=current_api_user()))
    return AttachmentOut.of(attachment)


@bp.delete("/projects/<int:id>/attachments/<int:attachment_id>")
@endpoint(roles=(Role.STAFF,), tags=["projects"], finds={"id": Project},
          resp={200: (AttachmentOut, "the attachment as it was; it is deleted (audited)")})
def delete_attachment_api(id: int, attachment_id: int):
    """Delete an attachment (staff whose prefectures cover the project)"""
    attachment = _project_attachment(id, attachment_id)
    answer = AttachmentOut.of(attachment)
    perform(lambda: delete_attachment(attachment, user=current_api_user()))
    return answer
