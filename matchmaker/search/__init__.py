"""Search: the catalogue as investors find it (page, API, CLI share `operations`).

The index follows the catalogue through `signals.projects_written`: search subscribes in
`init_app`; the catalogue never imports search.
"""

from __future__ import annotations

from matchmaker import signals
from matchmaker.search import operations


def _reindex(_app, ids: list[int]) -> None:
    operations.reindex_projects(ids)


def init_app(app) -> None:
    signals.projects_written.connect(_reindex, sender=app)
