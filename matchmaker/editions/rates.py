"""Which exchange rate applies: "the rate for currency X for this session, catalogue or
edition" (pure: no Flask, no database; it reads the objects it is given).

The most specific holder that states a rate wins: a catalogue's (or session's) own rate,
then its edition's. No rate anywhere is None - the caller refuses the amount naming the
missing rate; a rate is never guessed. Yuan is 1 from the platform itself.

Holders are duck-typed so that this feature imports none of the features using it: a
holder has `own_exchange_rates()` (or `exchange_rates()`) returning {code: Decimal}, and
optionally `edition` (an Edition or None).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

CNY = "CNY"


@dataclass(frozen=True)
class Rate:
    """A rate with where it comes from, for people to see ("USD 7.1, the 2025 edition's")."""

    currency: str
    yuan_per_unit: Decimal
    source: str  # "catalogue", "session", "edition", "yuan"
    source_id: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {"currency": self.currency, "rate": f"{self.yuan_per_unit:f}",
                "source": self.source, "source_id": self.source_id}


def _kind(holder: Any) -> str:
    return getattr(holder, "rate_source", None) or type(holder).__name__.lower()


def _own(holder: Any) -> dict[str, Decimal]:
    method = getattr(holder, "own_exchange_rates", None) or getattr(holder, "exchange_rates", None)
    return dict(method() or {}) if method is not None else {}


def chain(holder: Any) -> list[Any]:
    """The holder, then its edition (when it has one and is not one itself)."""
    holders = [holder]
    edition = getattr(holder, "edition", None)
    if edition is not None and not isinstance(edition, int) and edition is not holder:
        holders.append(edition)
    return holders


def rate_for(currency: str, holder: Any) -> Rate | None:
    """The rate for `currency` that applies to `holder` (a catalogue, session or edition)."""
    code = (currency or "").strip().upper()
    if code in (CNY, "RMB", ""):
        return Rate(CNY, Decimal(1), "yuan")
    for item in chain(holder):
        rate = _own(item).get(code)
        if rate is not None:
            return Rate(code, rate, _kind(item), getattr(item, "id", None))
    return None


def effective_rates(holder: Any) -> dict[str, Rate]:
    """Every foreign rate that applies to `holder`, the most specific per currency."""
    result: dict[str, Rate] = {}
    for item in reversed(chain(holder)):
        for code, rate in _own(item).items():
            result[code] = Rate(code, rate, _kind(item), getattr(item, "id", None))
    return dict(sorted(result.items()))
