"""Catalogue work that runs as a job when it is large: imports (preview and commit) and
exports of big catalogues. Small ones stay on the request, as before."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import current_app

from matchmaker import jobs
from matchmaker.accounts.models import User
from matchmaker.catalogue.models import Catalogue, Project, ProjectStatus
from matchmaker.catalogue.operations import export_catalogue, import_catalogue, store_upload
from matchmaker.errors import NotFound
from matchmaker.extensions import db
from matchmaker.i18n import N_
from matchmaker.storage import uploads


def import_is_large(size: int) -> bool:
    return jobs.queued() and size > int(current_app.config.get("JOB_IMPORT_BYTES", 1_000_000))


def export_is_large(catalogue: Catalogue) -> bool:
    if not jobs.queued():
        return False

    count = db.session.scalar(
        sa.select(sa.func.count(Project.id)).where(Project.catalogue_id == catalogue.id,
                                                   Project.status != ProjectStatus.WITHDRAWN)
    )
    return count > int(current_app.config.get("JOB_EXPORT_PROJECTS", 5_000))


def start_import(catalogue: Catalogue, data: bytes, filename: str, *, user, **flags) -> jobs.Job:
    """Keep the bytes where every machine can read them, then queue the import."""

    key = store_upload(data)
    return jobs.start_job("catalogue_import", {
        "catalogue_id": catalogue.id, "sha256": key, "filename": filename, **flags,
    }, user=user)


@jobs.task("catalogue_import")
def run_import(job: jobs.Job, params: dict[str, Any], progress) -> dict[str, Any]:

    catalogue = db.session.get(Catalogue, params["catalogue_id"])
    data = uploads().get(params["sha256"])
    if catalogue is None or data is None:
        raise NotFound(N_("The uploaded file is no longer available; upload it again."))
    user = db.session.get(User, job.user_id) if job.user_id else None
    report = import_catalogue(
        catalogue, data, params["filename"], user=user, progress=progress,
        dry_run=bool(params.get("dry_run")), skip_invalid=bool(params.get("skip_invalid")),
        confirm_withdraw=bool(params.get("confirm_withdraw")),
        sought_from_total=bool(params.get("sought_from_total")),
        keep_unclassified=bool(params.get("keep_unclassified")),
    )
    rows = report.created + report.updated + report.unchanged + len(report.rejected_rows)
    return {"catalogue_id": catalogue.id, "batch_id": report.batch_id, "rows": rows,
            "committed": report.committed, "created": report.created, "updated": report.updated,
            "unchanged": report.unchanged, "rejected": len(report.rejected_rows)}


@jobs.task("catalogue_export")
def run_export(job: jobs.Job, params: dict[str, Any], progress) -> dict[str, Any]:

    catalogue = db.session.get(Catalogue, params["catalogue_id"])
    progress("export", 0, 1)
    data = export_catalogue(catalogue, params["format"])
    key = uploads().put(data)
    progress("export", 1, 1)
    return {"file_key": key, "rows": 1,
            "filename": f"catalogue-{catalogue.id}-{catalogue.year}.{params['format']}",
            "mimetype": {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                         "csv": "text/csv; charset=utf-8"}[params["format"]]}
