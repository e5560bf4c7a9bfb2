"""The one cache mechanism: in-process caches built from the database, kept correct across
worker processes by a generation row per cache name.

- `bump(name)` is an UPDATE of that name's row in `cache_generations`, issued in the same
  transaction as the write that makes the cache stale (investor created, renamed, alias
  added, merged; projects imported, edited, published, withdrawn). It commits or rolls
  back with the write, so no other worker can see the new data with the old generation.
- `GenerationCache(name, build)` keeps one value per database URL in this process with the
  generation it was built at. `get()` reads the generation with one primary-key lookup (at
  most once per transaction: a request is one transaction) and rebuilds when it changed.

A value built inside a transaction that bumped its generation is returned to that
transaction only and never kept: if the transaction rolls back, the process must not keep
a value built from rows that never existed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker.db import Base, UTCDateTime, utcnow
from matchmaker.extensions import db

log = logging.getLogger(__name__)

INVESTOR_NAMES = "investor_names"
MATCHING_PROJECTS = "matching_projects"
NAMES = (INVESTOR_NAMES, MATCHING_PROJECTS)

_MEMO = "cache_generations"  # session.info key: {name: generation} read in this transaction
_BUMPED = "cache_bumped"  # session.info key: names bumped in this transaction

T = TypeVar("T")


class CacheGeneration(Base):
    __tablename__ = "cache_generations"

    name: Mapped[str] = mapped_column(sa.String(50), primary_key=True)
    generation: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    def __repr__(self) -> str:
        return f"<CacheGeneration {self.name} {self.generation}>"


def _fresh_start() -> int:
    """A starting generation for a missing row: never one an emptied database had before."""
    return time.time_ns() // 1000


def bump(name: str, session=None) -> None:
    """Mark the cache `name` stale for every process, in the current transaction.

    Safe inside flush events (it only uses the session's connection)."""
    session = session if session is not None else db.session
    if name in session.info.get(_BUMPED, ()):
        return  # once per transaction is enough: other workers see it at commit
    connection = session.connection()
    table = CacheGeneration.__table__
    increment = (
        table.update()
        .where(table.c.name == name)
        .values(generation=table.c.generation + 1, updated_at=utcnow())
    )
    if not connection.execute(increment).rowcount:
        insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
        inserted = connection.execute(
            insert(table)
            .values(name=name, generation=_fresh_start(), updated_at=utcnow())
            .on_conflict_do_nothing()
        ).rowcount
        if not inserted:  # another transaction inserted it first
            connection.execute(increment)
    session.info.setdefault(_BUMPED, set()).add(name)
    session.info.get(_MEMO, {}).pop(name, None)


def generation(name: str) -> int | None:
    """The current generation of `name` (one primary-key read per transaction)."""
    memo = db.session.info.setdefault(_MEMO, {})
    if name not in memo:
        memo[name] = db.session.execute(
            sa.select(CacheGeneration.generation).where(CacheGeneration.name == name)
        ).scalar_one_or_none()
    return memo[name]


def _end_of_transaction(session, transaction) -> None:
    if transaction.parent is None:  # the outermost transaction: commit or rollback
        session.info.pop(_MEMO, None)
        session.info.pop(_BUMPED, None)
        session.info.pop("cache_local", None)


_caches: list[GenerationCache] = []


class GenerationCache(Generic[T]):
    """A value built from the database, rebuilt when its generation changes."""

    def __init__(self, name: str, build: Callable[[], T]) -> None:
        self.name = name
        self.build = build
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[int, T]] = {}
        self.builds = 0  # how often this process built it (tests and logs)
        _caches.append(self)

    def get(self) -> T:
        current = generation(self.name)
        if self.name in db.session.info.get(_BUMPED, ()):
            # Stale for everyone else until this transaction commits: build for it alone.
            local = db.session.info.setdefault("cache_local", {})
            key = (self.name, current)
            if key not in local:
                local.clear()
                local[key] = self._build()
            return local[key]
        url = str(db.engine.url)
        entry = self._entries.get(url)
        if entry is not None and current is not None and entry[0] == current:
            return entry[1]
        value = self._build()
        if current is not None:
            with self._lock:
                self._entries[url] = (current, value)
        return value

    def _build(self) -> T:
        started = time.perf_counter()
        value = self.build()
        self.builds += 1
        log.info("cache %s rebuilt in %.0f ms", self.name, (time.perf_counter() - started) * 1000)
        return value

    def clear(self) -> None:
        """Forget this process's values (the generation rows are untouched)."""
        with self._lock:
            self._entries.clear()


def clear_local() -> None:
    """Forget every in-process value (tests that empty the database call this)."""
    for cache in _caches:
        cache.clear()


def init_app(app) -> None:
    if not sa.event.contains(db.session, "after_transaction_end", _end_of_transaction):
        sa.event.listen(db.session, "after_transaction_end", _end_of_transaction)
