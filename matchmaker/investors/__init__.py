"""Investors: the companies, funds and organisations that invest, and their names.

The process's name resolver follows `signals.investors_written`, subscribed in `init_app`.
"""

from __future__ import annotations

from matchmaker import signals
from matchmaker.investors import resolution


def _forget_resolver(_app, ids: list[int]) -> None:
    resolution.invalidate()


def init_app(app) -> None:
    signals.investors_written.connect(_forget_resolver, sender=app)
