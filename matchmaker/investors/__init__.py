"""Investors: the companies, funds and organisations that invest, and their names.

The process's name resolver follows `signals.investors_written` and the generation bumped
by `models.investor_names_flushed`, both connected in `init_app`.
"""

from __future__ import annotations

from sqlalchemy import event

from matchmaker import signals
from matchmaker.extensions import db
from matchmaker.investors import resolution
from matchmaker.investors.models import investor_names_flushed


def _forget_resolver(_app, ids: list[int]) -> None:
    resolution.invalidate()


def init_app(app) -> None:
    signals.investors_written.connect(_forget_resolver, sender=app)
    # On the app's session, once (not on every SQLAlchemy session of the process).
    if not event.contains(db.session, "after_flush", investor_names_flushed):
        event.listen(db.session, "after_flush", investor_names_flushed)
