"""Project catalogues: upload, parse, import.

The parser is a pure core: bytes in, rows and row errors out. `rowtypes.py` holds what it
returns, `parser.py` reads headers, units and rows (`parse_catalogue`, `parse_row`),
`duplicates.py` finds probable duplicates, `columns.py` recognises column names; reading
the file itself is `matchmaker.sheets`'.
"""

from matchmaker.catalogue.columns import FIELD_ALIASES, ColumnMapping
from matchmaker.catalogue.duplicates import find_duplicates, find_duplicates_within
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
    "parse_catalogue",
    "parse_row",
]
