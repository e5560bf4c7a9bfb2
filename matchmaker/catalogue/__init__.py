"""Project catalogues: upload, parse, import.

The parser (`parser.py`, `columns.py`) is a pure core: bytes in, rows and row errors out.
"""

from sqlalchemy import event

from matchmaker.catalogue.columns import FIELD_ALIASES, ColumnMapping
from matchmaker.catalogue.models import ProjectStatus
from matchmaker.catalogue.parser import (
    DuplicateHint,
    ParsedRow,
    ParseError,
    ParseLimits,
    ParseResult,
    RowError,
    RowWarning,
    SkippedRow,
    find_duplicates,
    find_duplicates_within,
    parse_catalogue,
)
from matchmaker.catalogue.upkeep import announce_flushed_projects
from matchmaker.extensions import db
from matchmaker.reference.labels import label

__all__ = [
    "FIELD_ALIASES",
    "ColumnMapping",
    "DuplicateHint",
    "ParseError",
    "ParseLimits",
    "ParseResult",
    "ParsedRow",
    "RowError",
    "RowWarning",
    "SkippedRow",
    "find_duplicates",
    "find_duplicates_within",
    "init_app",
    "parse_catalogue",
]


def init_app(app) -> None:
    """Announce every ORM write of projects (and of a catalogue's publication state) as
    `signals.projects_written`, once per flush, to whoever subscribed (search, caches)."""
    app.jinja_env.filters["project_status"] = lambda code: label(ProjectStatus(code))
    if not event.contains(db.session, "after_flush", announce_flushed_projects):
        event.listen(db.session, "after_flush", announce_flushed_projects)
