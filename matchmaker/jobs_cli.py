"""`matchmaker worker`: run background jobs from the Redis queue (see matchmaker.jobs)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from matchmaker.console import fail
from matchmaker.jobs import QUEUE_NAME, redis_connection


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queue is empty.")
@with_appcontext
def worker_command(burst: bool) -> None:
    """Work through the job queue (needs MATCHMAKER_REDIS_URL); Ctrl+C stops after the
    current job."""
    from rq import Worker


    if not current_app.config.get("REDIS_URL"):
        fail("Error: set MATCHMAKER_REDIS_URL (e.g. redis://127.0.0.1:6379/0): without Redis "
             "jobs run inline and need no worker.")
    # The scheduler runs delayed jobs: the notification outbox's retries.
    Worker([QUEUE_NAME], connection=redis_connection()).work(burst=burst, with_scheduler=True)


commands = [worker_command]
