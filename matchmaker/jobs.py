"""Long work off the request: large imports, event-wide matching, large exports.

A `Job` row records what was asked, by whom, its state and its result. With REDIS_URL set,
`start_job` puts it on an RQ queue (`matchmaker worker` runs the workers) and the page that
asked redirects to the job's page, which shows the progress (row counts, kept in Redis so
that reading them never waits on the database) and can be left and come back to. Without
Redis the job runs inline, at once, in the same process (one machine, `matchmaker run`).

A job's work and its "done" state are committed together, in one transaction: a job that
fails - an error, a worker killed, the machine lost - leaves nothing half-written, and its
page says that it stopped and that nothing was saved.

Kinds register a function with `@task("kind")`: `fn(job, params, progress) -> result`
(a JSON-able dict). `job_finished` (a blinker signal) is sent after every job, the hook for
notification delivery (e-mail, chat) off the request.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from blinker import Namespace
from flask import current_app
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker.db import Base, UTCDateTime, str_enum, utcnow
from matchmaker.errors import DomainError
from matchmaker.extensions import db

log = logging.getLogger(__name__)
signals = Namespace()
job_finished = signals.signal("job-finished")  # sender: the Job, after its final commit

QUEUE_NAME = "matchmaker"
STOPPED_MESSAGE = "The job stopped before it finished (the worker ended); nothing was saved. Start it again."


class JobState(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(Base):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(50), nullable=False)
    state: Mapped[JobState] = mapped_column(str_enum(JobState, "job_state"), nullable=False,
                                            default=JobState.QUEUED)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), nullable=True,
                                                index=True)
    params: Mapped[dict[str, Any]] = mapped_column(sa.JSON, nullable=False, default=dict)
    result: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON, nullable=True)
    error: Mapped[str | None] = mapped_column(sa.Text, nullable=True)
    queue_id: Mapped[str | None] = mapped_column(sa.String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    def __repr__(self) -> str:
        return f"<Job {self.id} {self.kind} {self.state}>"


TASKS: dict[str, Callable[[Job, dict[str, Any], Progress], dict[str, Any]]] = {}


def task(kind: str):
    def register(fn):
        TASKS[kind] = fn
        return fn

    return register


# --- Redis -------------------------------------------------------------------------------


def redis_connection():
    import redis

    url = current_app.config.get("REDIS_URL")
    cache = current_app.extensions.setdefault("matchmaker.redis", {})
    if url not in cache:
        cache[url] = redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=2)
    return cache[url]


def queued() -> bool:
    """True when jobs go to the RQ queue (REDIS_URL set and JOBS_INLINE not forced)."""
    return bool(current_app.config.get("REDIS_URL")) and not current_app.config.get("JOBS_INLINE")


def _progress_key(job_id: int) -> str:
    return f"{current_app.config.get('REDIS_PREFIX', 'matchmaker')}:job:{job_id}:progress"


# --- progress ----------------------------------------------------------------------------


class Progress:
    """Where a running job says how far it is: `progress(phase, done, total)`.

    Saved in Redis (when there is one) at most every 0.2 s, and passed on to `echo` (the
    CLI's progress line)."""

    def __init__(self, job_id: int | None, echo: Callable[[str, int, int], None] | None = None):
        self.job_id = job_id
        self.echo = echo
        self._last = 0.0
        self.use_redis = bool(job_id) and bool(current_app.config.get("REDIS_URL"))

    def __call__(self, phase: str, done: int, total: int) -> None:
        if self.echo is not None:
            self.echo(phase, done, total)
        now = time.monotonic()
        if not self.use_redis or (now - self._last < 0.2 and done < total):
            return
        self._last = now
        try:
            key = _progress_key(self.job_id)
            pipe = redis_connection().pipeline()
            pipe.hset(key, mapping={"phase": phase, "done": done, "total": total})
            pipe.expire(key, 7 * 24 * 3600)
            pipe.execute()
        except Exception as error:  # progress is a courtesy; the work goes on
            log.warning("job %s: progress not saved: %s", self.job_id, error)


def progress_of(job: Job) -> dict[str, Any]:
    """{phase, done, total, percent} as last reported (empty before the first report)."""
    if job.state == JobState.DONE:
        total = int((job.result or {}).get("rows") or 0)
        return {"phase": "done", "done": total, "total": total, "percent": 100}
    if not current_app.config.get("REDIS_URL"):
        return {}
    try:
        raw = redis_connection().hgetall(_progress_key(job.id))
    except Exception:
        return {}
    if not raw:
        return {}
    values = {k.decode(): v.decode() for k, v in raw.items()}
    done, total = int(values.get("done", 0)), int(values.get("total", 0))
    percent = int(done * 100 / total) if total else 0
    return {"phase": values.get("phase", ""), "done": done, "total": total, "percent": percent}


# --- starting and running ----------------------------------------------------------------


def create_job(kind: str, params: dict[str, Any], *, user) -> Job:
    if kind not in TASKS:
        raise KeyError(kind)
    job = Job(kind=kind, params=params, user_id=getattr(user, "id", None))
    db.session.add(job)
    db.session.flush()
    return job


def start_job(kind: str, params: dict[str, Any], *, user, echo=None) -> Job:
    """Record a job and run it: on the queue when Redis is configured, else now.

    Commits (the job row must exist for the worker to find it): call it as a door's last
    step, like `commit()`."""
    job = create_job(kind, params, user=user)
    job_id = job.id
    db.session.commit()
    if queued():
        from rq import Queue

        queue = Queue(QUEUE_NAME, connection=redis_connection())
        timeout = int(current_app.config.get("JOB_TIMEOUT", 3600))
        rq_job = queue.enqueue_call(
            PERFORM, args=(job_id,), timeout=timeout, result_ttl=86400, failure_ttl=7 * 86400,
            description=f"matchmaker {kind} job {job_id}",
        )
        job = db.session.get(Job, job_id)
        job.queue_id = rq_job.id
        db.session.commit()
        return job
    run_job(job_id, echo=echo)
    return db.session.get(Job, job_id)


def enqueue_call(path: str, *, description: str, delay_seconds: int = 0,
                 timeout: int = 600) -> str:
    """Put a function (named by its path, in a module above the app factory) on the RQ
    queue, now or after `delay_seconds` (run by the worker's scheduler); its RQ id. For
    work that needs no Job row (the notification outbox, which keeps its own state)."""
    from rq import Queue

    queue = Queue(QUEUE_NAME, connection=redis_connection())
    options = {"job_timeout": timeout, "result_ttl": 3600, "failure_ttl": 86400,
               "description": description}
    if delay_seconds:
        return queue.enqueue_in(timedelta(seconds=delay_seconds), path, **options).id
    return queue.enqueue(path, **options).id


# The RQ entry point, named by path: it lives above the app factory (a worker process
# builds the app), which this module, used by the features, must not import.
PERFORM = "matchmaker.worker.perform"


def run_job(job_id: int, *, echo=None) -> None:
    job = db.session.get(Job, job_id)
    if job is None or job.state in (JobState.DONE, JobState.FAILED):
        return
    job.state, job.started_at = JobState.RUNNING, utcnow()
    db.session.commit()
    fn = TASKS[job.kind]
    try:
        result = fn(job, dict(job.params or {}), Progress(job_id, echo))
        job = db.session.get(Job, job_id)
        job.state, job.result, job.finished_at = JobState.DONE, result, utcnow()
        db.session.commit()  # the work and its "done" together
    except Exception as error:
        db.session.rollback()
        log.exception("job %s (%s) failed; its work was rolled back", job_id, job.kind)
        job = db.session.get(Job, job_id)
        job.state, job.finished_at = JobState.FAILED, utcnow()
        job.error = _error_text(error)
        db.session.commit()
        job_finished.send(job)
        if queued():
            raise
        return
    job_finished.send(job)


def _error_text(error: Exception) -> str:
    if isinstance(error, DomainError):
        return error.translated()[:2000]
    return f"{type(error).__name__}: {str(error)[:500]}"


def effective_state(job: Job) -> tuple[JobState, str | None]:
    """The state to show, and the error: a queued or running job whose RQ job ended without
    reaching its final commit (worker killed, timed out) has failed, and nothing was saved."""
    if job.state in (JobState.DONE, JobState.FAILED) or not job.queue_id:
        return job.state, job.error
    try:
        from rq.exceptions import NoSuchJobError
        from rq.job import Job as RQJob

        try:
            status = RQJob.fetch(job.queue_id, connection=redis_connection()).get_status()
        except NoSuchJobError:
            status = None
    except Exception:  # Redis down: say what the database knows
        return job.state, job.error
    if status in (None, "failed", "stopped", "canceled", "finished"):
        # "finished" without our final commit cannot happen unless the commit failed.
        db.session.refresh(job)
        if job.state in (JobState.DONE, JobState.FAILED):
            return job.state, job.error
        return JobState.FAILED, STOPPED_MESSAGE
    return job.state, job.error


def visible_to(job: Job, user) -> bool:
    # has_role() with no role: only an admin (who may do everything) passes.
    return bool(user) and (job.user_id == user.id or user.has_role())
