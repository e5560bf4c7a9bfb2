"""What an RQ worker process runs: `perform(job_id)`, with the app it builds once when the
work horse has none (see `matchmaker.jobs`, which enqueues it by its path)."""

from __future__ import annotations

import os

from flask import current_app, has_app_context

from matchmaker import jobs
from matchmaker.app import create_app
from matchmaker.extensions import db
from matchmaker.notifications import delivery


def perform(job_id: int) -> None:
    """The RQ entry point (runs in a worker process, which has no app context yet)."""
    if has_app_context():
        if current_app.extensions.get("matchmaker.pid") != os.getpid():
            # An RQ work horse, forked from the worker: never reuse the parent's connections.
            db.engine.dispose(close=False)
        jobs.run_job(job_id)
        return
    app = _worker_app()
    with app.app_context():
        try:
            jobs.run_job(job_id)
        finally:
            db.session.remove()


def deliver_notifications() -> None:
    """The RQ entry point of the e-mail outbox (see matchmaker.notifications.delivery)."""
    if has_app_context():
        delivery.deliver_due()
        return
    with _worker_app().app_context():
        try:
            delivery.deliver_due()
        finally:
            db.session.remove()


_APP = None


def _worker_app():
    global _APP
    if _APP is None:
        _APP = create_app()
    return _APP
