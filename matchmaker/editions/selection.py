"""The edition a page or an API call shows: `?edition=YEAR`, else the current edition.

`selected_edition()` is what controllers call. A year the platform does not know is a 404
and a non-year a 400 (the DomainError handlers answer), never a silent fallback to another
edition. Pages that may show every edition at once pass `allow_all=True` and say so.
"""

from __future__ import annotations

from flask import request

from matchmaker.editions.models import Edition
from matchmaker.editions.operations import ALL, AllEditions, resolve_edition


def selected_edition(*, allow_all: bool = False) -> Edition | AllEditions | None:
    # Kept on the request itself: `g` outlives a request when an app context is reused.
    key = ("edition", allow_all)
    cache = request.environ.setdefault("matchmaker.editions.selected", {})
    if key not in cache:
        cache[key] = resolve_edition(request.args.get("edition"), allow_all=allow_all)
    return cache[key]


def edition_arg(edition: Edition | AllEditions | None) -> str | int | None:
    """The value of `?edition=` that selects `edition` (for links and the selector)."""
    if edition is ALL:
        return "all"
    return edition.year if edition is not None else None


__all__ = ["ALL", "AllEditions", "edition_arg", "selected_edition"]
