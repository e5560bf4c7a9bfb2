"""Spreadsheet cells that are safe to open: one definition for every export (pure).

Text beginning with = + - @ (or a tab / carriage return) would run as a formula in Excel
or WPS; it gets a leading apostrophe, which the catalogue importer removes again.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NEUTRALISED_RE = re.compile(r"^'(?=[=+\-@\t\r])")


def safe_cell(value: Any) -> Any:
    """A cell value no spreadsheet runs as a formula; numbers and dates pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def unneutralise(text: str) -> str:
    """Undo `safe_cell` on text read back from an exported file."""
    return _NEUTRALISED_RE.sub("", text, count=1) if text.startswith("'") else text
