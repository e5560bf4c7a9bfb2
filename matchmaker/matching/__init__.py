"""Matching: investors' profiles, ranked matches, leads and event-wide meetings.

The matching matrix's cache follows the catalogue: `models.projects_flushed` bumps its
generation when an ORM write changes what the matrix reads (connected in `init_app`);
Core writes bump it themselves.
"""

from __future__ import annotations

from sqlalchemy import event

from matchmaker.extensions import db
from matchmaker.matching.models import projects_flushed


def init_app(app) -> None:
    if not event.contains(db.session, "after_flush", projects_flushed):
        event.listen(db.session, "after_flush", projects_flushed)
