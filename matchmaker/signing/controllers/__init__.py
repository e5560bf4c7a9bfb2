"""Signing pages, by audience:

- `sessions`: organisers plan sessions (list, create, edit) and run their life cycle
  (open, close, reopen with a reason);
- `desk`: organisers at the ceremony desk: the session page, recording, one agreement
  (amend, void, history) and the recording form's type-ahead;
- `public`: the totals dashboard, totals across editions and the venue screen;
- `downloads`: the totals workbook (public) and the agreements workbook (organisers).

Thin: load, validate, call one operation through `views.submit`, redirect."""

from __future__ import annotations

from flask import current_app, request


def count_intent() -> bool:
    """The page's choice (?intent=1|0, visible on the page), else the configured default."""
    choice = request.args.get("intent")
    if choice in ("1", "0"):
        return choice == "1"
    return bool(current_app.config["SIGNING_COUNT_INTENT"])
