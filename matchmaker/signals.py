"""Cross-feature reactions, as blinker signals: the writer sends, the reacting feature
subscribes (in its `init_app`, as indico's modules connect in their `__init__.py`, or in
its own module when the receiver must answer the sender), and no import runs back up.

Signals are sent inside the writer's transaction, after its flush: a receiver writes in
the same transaction (search rewrites its documents) and a failing receiver rolls the
write back.

    projects_written(app, ids=[...])    projects added, changed or deleted, or their
                                        catalogue published / unpublished (the catalogue
                                        sends: its flush hook for ORM writes, the writer
                                        itself for Core bulk writes); subscribe with
                                        `connect(receiver, sender=app)`
    investors_written(app, ids=[...])   investors created, renamed, given aliases
    investor_merged(other, into, user)  each receiver returns (name, record) of what it
                                        moved; the merge keeps the records in its audit
                                        event
    investor_merge_undone(other, into, moved, user)
                                        each receiver gets its own record back
    agreement_suggestions(app, edition_id, investor_id, project_id)
                                        asked by the signing desk: each receiver returns
                                        a list of agreements it expects (the negotiation
                                        zone: meetings whose outcome is "agreement
                                        expected"); `collect` joins them
"""

from __future__ import annotations

from collections.abc import Iterable

from blinker import Namespace
from flask import current_app

signals = Namespace()

projects_written = signals.signal(
    "projects-written", doc="Projects changed in this transaction; `ids` lists them."
)
investors_written = signals.signal(
    "investors-written", doc="Investors changed in this transaction; `ids` lists them."
)
# sender: the investor merged away; kwargs: into (the survivor), user.
# Each receiver returns (name, record) - name keys its record in the audit event.
investor_merged = signals.signal("investor-merged")
# sender: the investor restored; kwargs: into, moved (the receiver's own record), user.
investor_merge_undone = signals.signal("investor-merge-undone")
# sender: the app; kwargs: edition_id, investor_id and project_id (None: any). Each receiver
# returns a list of dicts {"investor_id", "investor", "project_id", "project", "note", "link"}.
agreement_suggestions = signals.signal("agreement-suggestions")


def collect(signal, **kwargs) -> list:
    """Every receiver's list, joined (the signals whose receivers answer with lists)."""
    answers = signal.send(current_app._get_current_object(), **kwargs)
    return [item for _receiver, found in answers for item in (found or [])]


def send(signal, ids: Iterable[int]) -> None:
    """Send `signal` from the current app with the sorted, distinct `ids` (none: no send)."""
    unique = sorted({int(i) for i in ids})
    if unique:
        signal.send(current_app._get_current_object(), ids=unique)
