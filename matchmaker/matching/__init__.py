"""Matching: investors' profiles, ranked matches, leads and event-wide meetings.

The matching matrix's cache follows the catalogue through `signals.projects_written`
(subscribed in `init_app`): each write logs the ids it changed with the cache's
generation, and every worker applies those rows instead of rebuilding.
"""

from __future__ import annotations

from matchmaker import signals
from matchmaker.matching import operations


def _projects_written(_app, ids: list[int]) -> None:
    operations.projects_changed(ids)


def init_app(app) -> None:
    signals.projects_written.connect(_projects_written, sender=app)
