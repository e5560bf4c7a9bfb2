"""Reading a search request from URL parameters (shared by the page, the API and the CLI).

Filters may repeat (`sector=a&sector=b`) or be comma-separated (`sector=a,b`): values of one
filter are alternatives, different filters combine. Pure: takes any mapping with `getlist`.
"""

from __future__ import annotations

from collections.abc import Mapping

from matchmaker.amounts import AmountError, parse_amount
from matchmaker.i18n import N_, Message
from matchmaker.search.core import DEFAULT_PER_PAGE, SearchError, SearchRequest, fen

LIST_PARAMS = {"sector": "sectors", "region": "regions", "mode": "modes", "status": "statuses",
               "band": "bands"}
PARAMS = ("q", *LIST_PARAMS, "min_sought", "max_sought", "sort", "page", "per_page")


def _values(args: Mapping, name: str) -> tuple[str, ...]:
    raw = args.getlist(name) if hasattr(args, "getlist") else ([args[name]] if name in args else [])
    values: list[str] = []
    for item in raw:
        for value in str(item).split(","):
            value = value.strip()
            if value and value not in values:
                values.append(value)
    return tuple(values[:50])


def _integer(args: Mapping, name: str, default: int) -> int:
    raw = str(args.get(name) or "").strip()
    if not raw:
        return default
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:  # '²'.isdigit() is True
        raise SearchError(Message(N_("%(name)s must be a whole number."), {"name": name}), name)
    return int(raw)


def _amount(args: Mapping, name: str) -> int | None:
    raw = str(args.get(name) or "").strip()
    if not raw:
        return None
    try:
        parsed = parse_amount(raw[:40], header_unit="元")
    except AmountError as error:
        raise SearchError(error.message, name) from error
    return fen(parsed.yuan) if parsed else None


def request_from_args(args: Mapping) -> SearchRequest:
    """A SearchRequest from URL parameters; SearchError (a 400) for what cannot be read."""
    q = str(args.get("q") or "")
    sort = str(args.get("sort") or "relevance")
    lists = {attr: _values(args, name) for name, attr in LIST_PARAMS.items()}
    return SearchRequest(
        q=q, sort=sort, page=_integer(args, "page", 1),
        per_page=_integer(args, "per_page", DEFAULT_PER_PAGE),
        min_sought_fen=_amount(args, "min_sought"), max_sought_fen=_amount(args, "max_sought"),
        **lists,
    )
