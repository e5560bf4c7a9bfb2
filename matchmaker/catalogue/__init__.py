"""Project catalogues: upload, parse, import.

The parser is a pure core: bytes in, rows and row errors out. `rowtypes.py` holds what it
returns, `parser.py` reads headers, units and rows (`parse_catalogue`, `parse_row`),
`duplicates.py` finds probable duplicates, `columns.py` recognises column names; reading
the file itself is `matchmaker.sheets`'.
"""

from sqlalchemy import event

from matchmaker.catalogue.attachments import human_size, type_label
from matchmaker.catalogue.columns import FIELD_ALIASES, ColumnMapping
from matchmaker.catalogue.duplicates import find_duplicates, find_duplicates_within
from matchmaker.catalogue.models import ProjectStatus
from matchmaker.catalogue.parser import parse_catalogue, parse_row
from matchmaker.catalogue.rowtypes import (
    DuplicateHint,
    ParsedRow,
    ParseError,
    ParseLimits,
    ParseOptions,
    ParseResult,
    RowError,
    RowWarning,
    SkippedRow,
    WarningSummary,
)
from matchmaker.catalogue.upkeep import announce_flushed_projects, forget_fingerprints
from matchmaker.extensions import db
from matchmaker.reference.labels import label

__all__ = [
    "FIELD_ALIASES",
    "ColumnMapping",
    "DuplicateHint",
    "ParseError",
    "ParseLimits",
    "ParseOptions",
    "ParseResult",
    "ParsedRow",
    "RowError",
    "RowWarning",
    "SkippedRow",
    "WarningSummary",
    "find_duplicates",
    "find_duplicates_within",
    "init_app",
    "parse_catalogue",
    "parse_row",
]


def init_app(app) -> None:
    """Announce every ORM write of projects (and of a catalogue's publication state) as
    `signals.projects_written`, once per flush, to whoever subscribed (search, caches); a
    project written through the ORM forgets its row fingerprint."""
    app.jinja_env.filters["project_status"] = lambda code: label(ProjectStatus(code))
    # attachments: "2.5 MB", and the verified type's label ("PDF", "Word (.docx)")
    app.jinja_env.filters["filesize"] = human_size
    app.jinja_env.filters["attachment_type"] = lambda a: label(type_label(a)) if type_label(a) else a.content_type
    if not event.contains(db.session, "after_flush", announce_flushed_projects):
        event.listen(db.session, "after_flush", announce_flushed_projects)
    if not event.contains(db.session, "before_flush", forget_fingerprints):
        event.listen(db.session, "before_flush", forget_fingerprints)
