"""Project catalogues: upload, parse, import.

The parser (`parser.py`, `columns.py`) is a pure core: bytes in, rows and row errors out.
"""

from matchmaker.catalogue.columns import FIELD_ALIASES, ColumnMapping
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
    "parse_catalogue",
]
