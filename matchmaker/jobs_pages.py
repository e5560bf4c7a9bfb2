"""The page of a job: state, a progress bar with row counts, the result or why it stopped.

It refreshes itself while the job runs; it can be left and come back to (the job runs on a
worker, not in the browser). /jobs/<id>.json gives the same for scripts."""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from matchmaker.extensions import db
from matchmaker.jobs import Job, JobState, effective_state, progress_of, visible_to
from matchmaker.storage import uploads

bp = Blueprint("jobs", __name__, url_prefix="/jobs")


def _job(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if job is None or not visible_to(job, current_user):
        abort(404)
    return job


def _result_link(job: Job) -> str | None:
    result = job.result or {}
    if job.kind == "catalogue_import" and result.get("batch_id"):
        return url_for("catalogue.batch", catalogue_id=result["catalogue_id"], batch_id=result["batch_id"])
    if result.get("file_key"):
        return url_for("jobs.download", job_id=job.id)
    return None


def job_json(job: Job) -> dict:
    state, error = effective_state(job)
    return {"id": job.id, "kind": job.kind, "state": state.value, "error": error,
            "progress": progress_of(job), "result": job.result,
            "created_at": job.created_at.isoformat(),
            "finished_at": job.finished_at.isoformat() if job.finished_at else None}


@bp.get("/<int:job_id>")
@login_required
def job_page(job_id: int):
    job = _job(job_id)
    state, error = effective_state(job)
    kind_names = {"catalogue_import": _("Catalogue import"), "catalogue_export": _("Catalogue export"),
                  "event_meetings": _("Meeting suggestions for the whole event")}
    phase_names = {"reading": _("Reading the file"), "checking": _("Checking rows"),
                   "writing": _("Writing"), "export": _("Writing the file"),
                   "matching": _("Matching every investor"), "workbook": _("Writing the workbook"),
                   "done": _("Done")}
    return render_template("jobs/job.html", job=job, state=state, error=error,
                           kind_names=kind_names, phase_names=phase_names,
                           progress=progress_of(job), result_link=_result_link(job),
                           running=state in (JobState.QUEUED, JobState.RUNNING))


@bp.get("/<int:job_id>.json")
@login_required
def job_status(job_id: int):
    return jsonify(job_json(_job(job_id)))


@bp.get("/<int:job_id>/download")
@login_required
def download(job_id: int):

    job = _job(job_id)
    result = job.result or {}
    data = uploads().get(result.get("file_key", "")) if job.state == JobState.DONE else None
    if data is None:
        abort(404)
    return Response(data, mimetype=result.get("mimetype", "application/octet-stream"),
                    headers={"Content-Disposition": f"attachment; filename={result.get('filename', 'result')}"})
