"""Company-name resolution against the investors in the database.

The pure `NameResolver` (names.py) is built once per process over every investor's name,
English name and aliases, and rebuilt when the investors change: the cache key is
(database, count, max id, max created_at) - one cheap aggregate query per lookup - and
`invalidate()` drops it explicitly (call it after editing names or aliases in place).

`find_or_create_investor` is how signing (and later matching) turns a typed name into an
investor: a confident match is always used, so a company already known never gets a
second row; otherwise it raises `InvestorUnresolved` (a `Conflict`) with the candidates,
unless the caller confirmed that none of them is the same company (`create=True`).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from matchmaker import audit, signals
from matchmaker.db import savepoint
from matchmaker.errors import Conflict, DomainError
from matchmaker.extensions import db
from matchmaker.i18n import N_
from matchmaker.investors.models import Investor, InvestorKind
from matchmaker.investors.names import InvestorName, NameInputError, NameResolver, Resolution

log = logging.getLogger(__name__)

_lock = threading.Lock()
_cache: dict[str, tuple[tuple[Any, ...], NameResolver]] = {}


class InvestorUnresolved(Conflict):
    """No confident match for a typed investor name; `resolution.candidates` lists the
    closest known investors (API: 409 `investor_unresolved` with `candidates`)."""

    code = "investor_unresolved"

    def __init__(self, resolution: Resolution, *, field: str | None = "investor") -> None:
        super().__init__(resolution.message, field=field)
        self.resolution = resolution

    @property
    def candidates(self) -> list[tuple[InvestorName, float]]:
        return list(self.resolution.candidates)

    def candidates_json(self) -> list[dict[str, Any]]:
        return candidates_json(self.resolution)


def candidates_json(resolution: Resolution) -> list[dict[str, Any]]:
    """`[{"id", "name", "name_en", "score"}]`, best first."""
    return [
        {"id": record.id, "name": record.name, "name_en": record.name_en, "score": score}
        for record, score in resolution.candidates
    ]


def invalidate() -> None:
    """Forget every cached resolver (the next lookup rebuilds it)."""
    with _lock:
        _cache.clear()


def _fingerprint() -> tuple[Any, ...]:
    count, max_id, max_created = db.session.execute(
        sa.select(
            sa.func.count(Investor.id), sa.func.max(Investor.id), sa.func.max(Investor.created_at)
        )
    ).one()
    return (count, max_id, max_created)


def investor_resolver() -> NameResolver:
    """The resolver over all investors of the current database (cached, see module doc)."""
    url = str(db.engine.url)
    fingerprint = _fingerprint()
    cached = _cache.get(url)
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    rows = db.session.execute(
        sa.select(Investor.id, Investor.name, Investor.name_en, Investor.aliases).order_by(
            Investor.id
        )
    ).all()
    resolver = NameResolver(
        InvestorName(row.id, row.name, row.name_en, tuple(row.aliases or ())) for row in rows
    )
    with _lock:
        _cache[url] = (fingerprint, resolver)
    return resolver


def resolve_investor(name: str) -> Resolution:
    """Best known investor for `name` (`match` is None unless confident).

    Raises `DomainError` (field "investor") for a blank name or one with nothing to match."""
    try:
        return investor_resolver().resolve(name)
    except NameInputError as error:
        raise DomainError(error.message, field="investor") from error


def find_or_create_investor(
    name: str,
    *,
    create: bool,
    kind: InvestorKind | str = InvestorKind.ENTERPRISE,
    user=None,
) -> Investor:
    """The investor `name` means: its confident match; else, with `create=True`, a new
    investor of that name and kind (audited); else `InvestorUnresolved` with candidates.

    An exact registered name always wins, even when the resolver is not confident
    (two investors sharing a key). Concurrent creation of the same name is safe: the
    loser of the unique-name race gets the winner's row."""
    name = (name or "").strip()
    resolution = resolve_investor(name)
    if resolution.match is not None:
        investor = db.session.get(Investor, resolution.match.id)
        if investor is not None:
            return investor
    same_name = db.session.scalar(sa.select(Investor).where(Investor.name == name))
    if same_name is not None:
        return same_name
    if not create:
        raise InvestorUnresolved(resolution)
    if len(name) > 300:
        raise DomainError(
            N_("The investor name is too long (300 characters at most)."), field="investor"
        )
    investor = Investor(name=name, kind=InvestorKind(kind))
    try:
        with savepoint(db.session):
            db.session.add(investor)
            db.session.flush()
    except IntegrityError:
        existing = db.session.scalar(sa.select(Investor).where(Investor.name == name))
        if existing is None:  # pragma: no cover - the constraint that failed was not the name
            raise
        return existing
    audit.record(
        "create",
        "investor",
        investor.id,
        user=user,
        after={"name": investor.name, "kind": investor.kind, "via": "signing"},
    )
    log.info("investor created: %s (%s)", investor.name, investor.kind)
    signals.send(signals.investors_written, [investor.id])
    return investor
