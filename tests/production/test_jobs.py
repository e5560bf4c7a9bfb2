"""Long work off the request, on the real Redis (its own database number) with a real RQ
worker (SimpleWorker, burst, in this process): large imports, event-wide matching, the
progress page, and a job that dies leaving nothing half-written."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import csrf_token
from factories import make_catalogue, make_user
from openpyxl import load_workbook

from matchmaker import jobs
from matchmaker.accounts.models import Role
from matchmaker.catalogue.models import Project
from matchmaker.extensions import db

REDIS_URL = "redis://127.0.0.1:6379/13"
SHEETS = Path(__file__).resolve().parents[1] / "data" / "catalogue" / "import"


def _redis_or_skip():
    import redis

    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("needs Redis on 127.0.0.1:6379 (.ci/run starts it)")
    return connection


@pytest.fixture
def queue_app(app):
    """The app with jobs on the RQ queue; Redis database 13 emptied before and after."""
    connection = _redis_or_skip()
    connection.flushdb()
    app.config.update(REDIS_URL=REDIS_URL, REDIS_PREFIX="mmtest", JOB_IMPORT_BYTES=1000)
    app.extensions.pop("matchmaker.redis", None)
    yield app
    connection.flushdb()
    app.extensions.pop("matchmaker.redis", None)


def work_off_the_queue() -> None:
    from rq import Queue, SimpleWorker

    connection = jobs.redis_connection()
    SimpleWorker([Queue(jobs.QUEUE_NAME, connection=connection)], connection=connection).work(burst=True)


def upload(client, catalogue_id: int, name: str):
    return client.post(f"/catalogues/{catalogue_id}/upload",
                       data={"file": (io.BytesIO((SHEETS / name).read_bytes()), name),
                             "csrf_token": csrf_token(client)},
                       content_type="multipart/form-data")


def test_a_large_upload_is_previewed_and_imported_by_a_worker(queue_app, client, login):
    login(make_user(Role.STAFF))
    catalogue = make_catalogue()
    response = upload(client, catalogue.id, "guiyang_v1.xlsx")
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job_url = response.headers["Location"]
    waiting = client.get(job_url).get_data(as_text=True)
    assert "等待" in waiting and 'http-equiv="refresh"' in waiting  # refreshes itself
    assert db.session.scalar(sa.select(sa.func.count(Project.id))) == 0

    work_off_the_queue()
    db.session.expire_all()
    done = client.get(job_url + "?lang=en").get_data(as_text=True)
    assert "Done." in done and 'http-equiv="refresh"' not in done
    assert "5 new, 0 changed, 0 unchanged, 0 rejected." in done
    report_link = re.search(r'id="job-result" href="([^"]+)"', done).group(1)
    assert "Preview: nothing has been imported yet." in client.get(report_link + "?lang=en").get_data(as_text=True)

    committed = client.post(report_link + "/commit", data={"commit": "1", "csrf_token": csrf_token(client)})
    assert "/jobs/" in committed.headers["Location"]
    work_off_the_queue()
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Project.id))) == 5
    status = client.get(committed.headers["Location"] + ".json").json
    assert status["state"] == "done" and status["result"]["committed"] is True


@jobs.task("test_half_written")
def _half_written(job, params, progress):
    catalogue = make_catalogue_row()
    for number in range(3):
        db.session.add(Project(catalogue_id=catalogue.id, code=f"h{number}", name=f"半途项目{number}",
                               investment_sought_yuan=1))
        db.session.flush()
        progress("writing", number + 1, 10)
    raise RuntimeError("the disk filled up")


def make_catalogue_row():
    from matchmaker.catalogue.models import Catalogue, CatalogueStatus
    from matchmaker.editions.operations import ensure_edition

    catalogue = Catalogue(name="半途目录", year=2023, edition=ensure_edition(2023, user=None),
                          status=CatalogueStatus.DRAFT)
    db.session.add(catalogue)
    db.session.flush()
    return catalogue


def test_a_job_that_fails_leaves_nothing_half_written_and_says_so(queue_app, client, login):
    user = login(make_user(Role.STAFF))
    job = jobs.start_job("test_half_written", {}, user=user)
    work_off_the_queue()
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count(Project.id))) == 0
    assert db.session.get(jobs.Job, job.id).state == jobs.JobState.FAILED
    page = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert "未保存任何内容" in page and "the disk filled up" in page


def test_a_job_whose_worker_died_is_shown_as_stopped(queue_app, client, login):
    from rq.job import Job as RQJob
    from rq.job import JobStatus

    user = login(make_user(Role.STAFF))
    job = jobs.start_job("test_half_written", {}, user=user)
    job.state = jobs.JobState.RUNNING  # the worker took it, then was killed (no final commit)
    db.session.commit()
    rq_job = RQJob.fetch(job.queue_id, connection=jobs.redis_connection())
    rq_job.set_status(JobStatus.FAILED)
    state, error = jobs.effective_state(job)
    assert state == jobs.JobState.FAILED and "nothing was saved" in error
    assert "未保存任何内容" in client.get(f"/jobs/{job.id}").get_data(as_text=True)


def test_progress_shows_row_counts_and_the_page_can_be_left(queue_app, client, login):
    user = login(make_user(Role.STAFF))
    job = jobs.create_job("catalogue_import", {}, user=user)
    job.state = jobs.JobState.RUNNING
    db.session.commit()
    jobs.Progress(job.id)("checking", 500, 2000)
    page = client.get(f"/jobs/{job.id}?lang=en").get_data(as_text=True)
    assert '<progress id="job-progress" max="2000" value="500">' in page
    assert "500 of 2000 rows" in page and "Checking rows" in page and "come back" in page
    stranger = make_user(Role.STAFF)
    login(stranger)
    assert client.get(f"/jobs/{job.id}").status_code == 404  # only its owner (and admins)


def test_event_wide_meetings_run_on_the_worker_and_download(queue_app, client, login):
    login(make_user(Role.STAFF))
    response = client.post("/matches/meetings", data={"top": "3", "cap": "5", "min_score": "0",
                                                      "csrf_token": csrf_token(client)})
    job_url = response.headers["Location"]
    work_off_the_queue()
    db.session.expire_all()
    done = client.get(job_url).get_data(as_text=True)
    download = re.search(r'id="job-result" href="([^"]+)"', done).group(1)
    sheet = client.get(download)
    assert sheet.status_code == 200
    assert load_workbook(io.BytesIO(sheet.data)).sheetnames


def test_without_redis_jobs_run_inline(app, client, login):
    login(make_user(Role.STAFF))
    app.config["REDIS_URL"] = None
    response = client.post("/matches/meetings", data={"top": "3", "cap": "5", "min_score": "40",
                                                      "csrf_token": csrf_token(client)})
    status = client.get(response.headers["Location"] + ".json").json
    assert status["state"] == "done" and status["result"]["meetings"] == 0
