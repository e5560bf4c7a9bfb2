"""Cross-feature reactions, as blinker signals: the writer sends, the reacting feature
subscribes in its `init_app` (as indico's modules connect in their `__init__.py`).

The sender is always the application (`current_app._get_current_object()`), so a feature
subscribes with `signal.connect(receiver, sender=app)` and hears only its own app. Signals
are sent inside the writer's transaction, after its flush: a receiver writes in the same
transaction (search rewrites its documents) and a failing receiver rolls the write back.

    projects_written(ids=[...])   projects added, changed or deleted, or their catalogue
                                  published / unpublished (catalogue sends: ORM flushes are
                                  announced by the catalogue's flush hook, Core bulk writes
                                  by the writer itself)
    investors_written(ids=[...])  investors added, renamed, given aliases, merged
"""

from __future__ import annotations

from collections.abc import Iterable

from blinker import Namespace
from flask import current_app

_signals = Namespace()

projects_written = _signals.signal(
    "projects-written", doc="Projects changed in this transaction; `ids` lists them."
)
investors_written = _signals.signal(
    "investors-written", doc="Investors changed in this transaction; `ids` lists them."
)


def send(signal, ids: Iterable[int]) -> None:
    """Send `signal` from the current app with the sorted, distinct `ids` (none: no send)."""
    unique = sorted({int(i) for i in ids})
    if unique:
        signal.send(current_app._get_current_object(), ids=unique)
