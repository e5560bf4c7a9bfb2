"""The catalogue announces its writes: ORM flushes that add, change or delete projects, or
change a catalogue's publication state, become one `signals.projects_written` per flush.

Core bulk writes (the importer's INSERT/UPDATE statements) bypass the ORM; their writer
sends the signal itself with the ids it wrote.

A project changed through the ORM (an edit, a classification, a signing's status) forgets
the fingerprint of the sheet row it was imported from: its row is read again at the next
upload instead of being taken as unchanged.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from matchmaker import signals
from matchmaker.catalogue.models import Catalogue, Project


def flushed_project_ids(session: Session) -> set[int]:
    """Projects written by this flush: added, changed or deleted ones, and every project
    of a catalogue whose status changed or that was deleted."""
    ids: set[int] = set()
    catalogues: set[int] = set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, Project) and obj.id is not None:
            ids.add(obj.id)
        elif isinstance(obj, Catalogue) and obj.id is not None and obj not in session.new:
            history = sa.inspect(obj).attrs.status.history
            if history.has_changes() or obj in session.deleted:
                catalogues.add(obj.id)
    if catalogues:
        projects = Project.__table__
        ids.update(session.connection().execute(
            sa.select(projects.c.id).where(projects.c.catalogue_id.in_(catalogues))
        ).scalars())
    return ids


def forget_fingerprints(session: Session, _flush_context, _instances) -> None:
    """Before a flush: a project whose columns or sectors changed (other than its
    fingerprint) no longer reads as its sheet row did; its fingerprint is cleared."""
    for obj in session.dirty:
        if not isinstance(obj, Project) or obj.row_fingerprint is None:
            continue
        state = sa.inspect(obj)
        if any(attr.key != "row_fingerprint" and attr.history.has_changes() for attr in state.attrs):
            obj.row_fingerprint = None


def announce_flushed_projects(session: Session, _flush_context) -> None:
    signals.send(signals.projects_written, flushed_project_ids(session))
