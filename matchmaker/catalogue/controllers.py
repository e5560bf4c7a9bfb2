"""Catalogue pages for staff: list and create catalogues, upload -> preview -> import,
the import history, publish/unpublish, export, and editing one project.
Thin: load by id (404), then `views.submit` (validate, call one operation, commit), flash,
redirect."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from matchmaker import jobs
from matchmaker.accounts.models import Role
from matchmaker.accounts.roles import roles_required
from matchmaker.catalogue import attachments, operations, tasks
from matchmaker.catalogue.forms import (
    AttachmentForm,
    CatalogueForm,
    CommitForm,
    ProjectForm,
    ReplaceAttachmentForm,
    ReviewForm,
    UploadForm,
)
from matchmaker.catalogue.models import Catalogue, CatalogueStatus, ImportBatch, Project
from matchmaker.editions.selection import selected_edition
from matchmaker.extensions import db
from matchmaker.forms import BaseForm
from matchmaker.i18n import translate
from matchmaker.views import flash_errors, submit

PROJECTS_SHOWN = 500
HISTORY_SHOWN = 100


def _catalogue(catalogue_id: int) -> Catalogue:
    return db.session.get(Catalogue, catalogue_id) or abort(404)


def _batch(catalogue: Catalogue, batch_id: int) -> ImportBatch:
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None or batch.catalogue_id != catalogue.id:
        abort(404)
    return batch


@roles_required(Role.STAFF)
def index():
    edition = selected_edition()
    form = CatalogueForm()
    if not form.is_submitted() and edition is not None:
        form.year.data = edition.year
    outcome = submit(form, lambda: operations.create_catalogue(
        {**form.data, "rates": getattr(form.rates, "parsed", {})}, user=current_user))
    if outcome:
        flash(_("Catalogue created. Upload its sheet now."), "success")
        return redirect(url_for(".catalogue", catalogue_id=outcome.result.id))
    status = 422 if form.errors or form.form_errors else 200
    return render_template(
        "catalogue/index.html", rows=operations.catalogue_summaries(edition), form=form,
        edition=edition,
    ), status


def _catalogue_page(catalogue: Catalogue, upload_form: UploadForm, status: int = 200):
    projects = db.session.scalars(
        sa.select(Project).where(Project.catalogue_id == catalogue.id).order_by(Project.id).limit(PROJECTS_SHOWN)
    ).all()
    unclassified = operations.unclassified_projects(catalogue, limit=PROJECTS_SHOWN)
    batches = db.session.scalars(
        sa.select(ImportBatch).where(ImportBatch.catalogue_id == catalogue.id)
        .order_by(ImportBatch.id.desc()).limit(5)
    ).all()
    return render_template(
        "catalogue/catalogue.html",
        catalogue=catalogue,
        summary=operations.catalogue_json(catalogue),
        projects=projects,
        unclassified=unclassified,
        shown=PROJECTS_SHOWN,
        batches=batches,
        form=upload_form,
        action_form=BaseForm(),
        review_form=ReviewForm(formdata=None),
        changes=operations.changes_since_approval(catalogue),
        prefectures=operations.prefecture_summary(catalogue),
        max_mb=(current_app.config.get("MAX_CONTENT_LENGTH") or 0) // (1024 * 1024),
    ), status


@roles_required(Role.STAFF)
def catalogue(catalogue_id: int):
    return _catalogue_page(_catalogue(catalogue_id), UploadForm())


@roles_required(Role.STAFF)
def upload(catalogue_id: int):
    catalogue = _catalogue(catalogue_id)
    form = UploadForm()

    def preview():
        upload_file = form.file.data
        data, filename = upload_file.read(), upload_file.filename or "upload"
        if tasks.import_is_large(len(data)):  # a worker previews it; the page shows progress
            return tasks.start_import(catalogue, data, filename, user=current_user, dry_run=True)
        return operations.import_catalogue(catalogue, data, filename, user=current_user,
                                           dry_run=True)

    outcome = submit(form, preview)
    if not outcome:
        return _catalogue_page(catalogue, form, 422)
    if isinstance(outcome.result, jobs.Job):
        return redirect(url_for("jobs.job_page", job_id=outcome.result.id))
    return redirect(url_for(".batch", catalogue_id=catalogue.id, batch_id=outcome.result.batch_id))


def too_large(_error):
    """413 from the upload limit (MAX_CONTENT_LENGTH), said plainly."""
    limit = f"{(current_app.config.get('MAX_CONTENT_LENGTH') or 0) / 1048576:.2f}".rstrip("0").rstrip(".")
    if "attachment" in (request.endpoint or ""):
        message = _("The files together are larger than the upload limit of %(max)s MB; upload "
                    "fewer at a time (each attachment may be %(each)s).", max=limit,
                    each=attachments.human_size(attachments.limits().max_bytes))
    else:
        message = _("The file is larger than the upload limit of %(max)s MB; split it or remove unused sheets.", max=limit)
    return render_template("error.html", status=413, message=message), 413


@roles_required(Role.STAFF)
def batch(catalogue_id: int, batch_id: int):
    catalogue = _catalogue(catalogue_id)
    record = _batch(catalogue, batch_id)
    latest = db.session.scalar(
        sa.select(sa.func.max(ImportBatch.id)).where(ImportBatch.catalogue_id == catalogue.id)
    )
    report = operations.translate_stored(record.report)
    can_commit = (not record.committed) and report.get("dry_run") and record.id == latest
    choices = report.get("choices") or {}
    form = CommitForm(
        sought_from_total=choices.get("sought_from_total", False),
        keep_unclassified=choices.get("keep_unclassified", False),
    ) if can_commit else None
    return render_template(
        "catalogue/batch.html", catalogue=catalogue, batch=record, report=report, form=form,
    )


@roles_required(Role.STAFF)
def commit(catalogue_id: int, batch_id: int):
    catalogue = _catalogue(catalogue_id)
    record = _batch(catalogue, batch_id)
    form = CommitForm()
    if record.committed:
        abort(400)

    def run():
        data = operations.stored_upload(record)
        choices = {"sought_from_total": bool(form.sought_from_total.data),
                   "keep_unclassified": bool(form.keep_unclassified.data)}
        flags = {"skip_invalid": bool(form.commit_valid.data),
                 "confirm_withdraw": bool(form.confirm_withdraw.data)}
        if tasks.import_is_large(len(data)):
            return tasks.start_import(catalogue, data, record.filename, user=current_user,
                                      dry_run=bool(form.recheck.data), **flags, **choices)
        if form.recheck.data:  # a new preview with these choices; nothing is imported
            return operations.import_catalogue(catalogue, data, record.filename,
                                               user=current_user, dry_run=True, **choices)
        return operations.import_catalogue(catalogue, data, record.filename, user=current_user,
                                           **flags, **choices)

    outcome = submit(form, run)
    if not outcome:
        if outcome.error is None:
            abort(400)
        flash_errors(form, "error")
        return redirect(url_for(".batch", catalogue_id=catalogue.id, batch_id=record.id))
    report = outcome.result
    if isinstance(report, jobs.Job):
        return redirect(url_for("jobs.job_page", job_id=report.id))
    if form.recheck.data:
        return redirect(url_for(".batch", catalogue_id=catalogue.id, batch_id=report.batch_id))
    if report.committed:
        flash(_("Imported: %(created)d new, %(updated)d changed, %(unchanged)d unchanged, %(withdrawn)d withdrawn.",
                created=report.created, updated=report.updated, unchanged=report.unchanged,
                withdrawn=report.withdrawn), "success")
    else:
        flash(translate(report.blocked) if report.blocked else _("Nothing was imported."), "error")
    return redirect(url_for(".batch", catalogue_id=catalogue.id, batch_id=report.batch_id))


@roles_required(Role.STAFF)
def imports(catalogue_id: int):
    catalogue = _catalogue(catalogue_id)
    batches = db.session.scalars(
        sa.select(ImportBatch).where(ImportBatch.catalogue_id == catalogue.id)
        .order_by(ImportBatch.id.desc()).limit(HISTORY_SHOWN)
    ).all()
    return render_template("catalogue/imports.html", catalogue=catalogue, batches=batches)


def _set_status(catalogue_id: int, status: CatalogueStatus, message: str):
    catalogue = _catalogue(catalogue_id)
    form = BaseForm()
    outcome = submit(form, lambda: operations.set_catalogue_status(catalogue, status,
                                                                   user=current_user))
    if outcome:
        flash(message, "success")
    elif outcome.error is None:
        abort(400)
    else:
        flash_errors(form, "error")
    return redirect(url_for(".catalogue", catalogue_id=catalogue.id))


@roles_required(Role.STAFF)
def publish(catalogue_id: int):
    return _set_status(catalogue_id, CatalogueStatus.PUBLISHED, _("The catalogue is published."))


@roles_required(Role.STAFF)
def unpublish(catalogue_id: int):
    return _set_status(catalogue_id, CatalogueStatus.DRAFT, _("The catalogue is no longer published."))


def _review(catalogue_id: int, action, message: str):
    catalogue = _catalogue(catalogue_id)
    form = ReviewForm()
    outcome = submit(form, lambda: action(catalogue, form))
    if outcome:
        flash(message, "success")
    elif outcome.error is None:
        abort(400)
    else:
        flash_errors(form, "error")
    return redirect(url_for(".catalogue", catalogue_id=catalogue.id) + "#review")


@roles_required(Role.STAFF)
def submit_review(catalogue_id: int):
    return _review(catalogue_id, lambda c, f: operations.submit_catalogue(c, user=current_user),
                   _("The catalogue is submitted for the province's review."))


@roles_required(Role.STAFF)
def approve(catalogue_id: int):
    return _review(catalogue_id, lambda c, f: operations.approve_catalogue(c, user=current_user),
                   _("The catalogue is approved; it can be published."))


@roles_required(Role.STAFF)
def return_for_corrections(catalogue_id: int):
    return _review(catalogue_id, lambda c, f: operations.return_catalogue(
        c, f.comment.data or "", user=current_user),
        _("The catalogue is returned to the prefectures with your comment."))


@roles_required(Role.STAFF)
def export(catalogue_id: int, file_format: str):
    catalogue = _catalogue(catalogue_id)
    if tasks.export_is_large(catalogue):
        job = jobs.start_job("catalogue_export", {"catalogue_id": catalogue.id, "format": file_format},
                             user=current_user)
        return redirect(url_for("jobs.job_page", job_id=job.id))
    data = operations.export_catalogue(catalogue, file_format)
    mimetype = operations.EXPORT_TYPES[file_format]
    name = f"catalogue-{catalogue.id}-{catalogue.year}.{file_format}"
    return Response(data, mimetype=mimetype, headers={"Content-Disposition": f"attachment; filename={name}"})


def _project(catalogue: Catalogue, project_id: int) -> Project:
    project = db.session.get(Project, project_id)
    if project is None or project.catalogue_id != catalogue.id:
        abort(404)
    return project


def _edit_page(catalogue: Catalogue, project: Project, form: ProjectForm,
               attachment_form: AttachmentForm | None = None, status: int = 200):
    cap = attachments.limits()
    return render_template(
        "catalogue/edit_project.html", catalogue=catalogue, project=project, form=form,
        attachment_form=attachment_form or AttachmentForm(formdata=None),
        replace_form=ReplaceAttachmentForm(formdata=None), action_form=BaseForm(),
        attachments=attachments.ordered(project.attachments),
        attachment_limits={"each": attachments.human_size(cap.max_bytes), "count": cap.max_count,
                           "total": attachments.human_size(cap.max_total)},
    ), status


@roles_required(Role.STAFF)
def edit_project(catalogue_id: int, project_id: int):
    catalogue = _catalogue(catalogue_id)
    project = _project(catalogue, project_id)
    form = ProjectForm(data=operations.project_form_data(project))
    outcome = submit(form, lambda: operations.update_project(project, form.data, user=current_user))
    if outcome:
        result = outcome.result
        flash(_("Project saved.") if result.changed else _("Nothing changed."), "success")
        for warning in result.warnings:
            flash(translate(warning), "warning")
        return redirect(url_for(".catalogue", catalogue_id=catalogue.id))
    status = 422 if form.errors or form.form_errors else 200
    return _edit_page(catalogue, project, form, status=status)


def _back_to_attachments(catalogue: Catalogue, project: Project):
    return redirect(url_for(".edit_project", catalogue_id=catalogue.id, project_id=project.id)
                    + "#attachments")


def _received(storage) -> attachments.Upload:
    return attachments.Upload(storage.filename or "", storage.read())


@roles_required(Role.STAFF)
def upload_attachments(catalogue_id: int, project_id: int):
    catalogue = _catalogue(catalogue_id)
    project = _project(catalogue, project_id)
    form = AttachmentForm()
    outcome = submit(form, lambda: attachments.add_attachments(
        project, [_received(f) for f in form.files.data or [] if f], form.data, user=current_user))
    if outcome:
        flash(_("Attached: %(names)s.", names=", ".join(a.filename for a in outcome.result)),
              "success")
        return _back_to_attachments(catalogue, project)
    if outcome.error is None and not form.errors:
        abort(400)
    db.session.expire(project, ["attachments"])
    return _edit_page(catalogue, project, ProjectForm(data=operations.project_form_data(project)),
                      form, 422)


def _attachment(project: Project, attachment_id: int):
    return attachments.project_attachment(project.id, attachment_id) or abort(404)


@roles_required(Role.STAFF)
def replace_attachment(catalogue_id: int, project_id: int, attachment_id: int):
    catalogue = _catalogue(catalogue_id)
    project = _project(catalogue, project_id)
    attachment = _attachment(project, attachment_id)
    form = ReplaceAttachmentForm()
    outcome = submit(form, lambda: attachments.replace_attachment(
        attachment, _received(form.file.data), user=current_user))
    if outcome:
        flash(_("Replaced: %(name)s.", name=outcome.result.filename), "success")
    elif outcome.error is None and not form.errors:
        abort(400)
    else:
        flash_errors(form, "error")
    return _back_to_attachments(catalogue, project)


@roles_required(Role.STAFF)
def delete_attachment(catalogue_id: int, project_id: int, attachment_id: int):
    catalogue = _catalogue(catalogue_id)
    project = _project(catalogue, project_id)
    attachment = _attachment(project, attachment_id)
    name = attachment.filename
    form = BaseForm()
    outcome = submit(form, lambda: attachments.delete_attachment(attachment, user=current_user))
    if outcome:
        flash(_("Deleted: %(name)s.", name=name), "success")
    elif outcome.error is None:
        abort(400)
    else:
        flash_errors(form, "error")
    return _back_to_attachments(catalogue, project)
