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

Deltas instead of rebuilds: `bump(name, ids=...)` also records which items changed, at
the new generation, in `cache_changes` (same transaction). A cache given an `apply`
function brings a value from generation g to the current one by applying the ids changed
after g - milliseconds for a few rows where a rebuild reads every row. It rebuilds in
full, with a log line, only when the log cannot vouch for every generation in between
(trimmed, a gap, a bump that named no ids, or too many changes to be worth it): never a
wrong answer. The log keeps the last `KEEP_GENERATIONS` generations of each name.

Snapshots instead of builds: a cache given `snapshot=(to_arrays, from_arrays)` writes its
value as a compact snapshot (`matchmaker.snapshot`) after each full build, in the folder
`SNAPSHOT_DIR` (default: `snapshots` in the instance folder), and a process that has no
value yet maps that file instead of building - then brings it forward from the snapshot's
generation through the change log like any other value. A snapshot is used only when it
is intact (checksum), of this format, of this database (`database_identity`, a random
number stored once in the database) and not ahead of it; otherwise: a log line and a
full build.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Mapped, mapped_column

from matchmaker import snapshot
from matchmaker.db import Base, UTCDateTime, utcnow
from matchmaker.extensions import db

log = logging.getLogger(__name__)

INVESTOR_NAMES = "investor_names"
MATCHING_PROJECTS = "matching_projects"
NAMES = (INVESTOR_NAMES, MATCHING_PROJECTS)
IDENTITY = "database_identity"  # a row whose `generation` is a random number, set once

_MEMO = "cache_generations"  # session.info key: {name: generation} read in this transaction
_BUMPED = "cache_bumped"  # session.info key: {name: generation} bumped in this transaction
_LOGGED = "cache_logged"  # session.info key: {name: ids already logged in this transaction}
KEEP_GENERATIONS = 1000  # change-log rows kept per name (older ones are trimmed)
TRIM_EVERY = 100  # trim when a bump reaches a multiple of this
MAX_DELTA_IDS = 20_000  # past this many changed items a rebuild is the cheaper way
FULL = None  # an item id of None in the log: "everything may have changed"

T = TypeVar("T")


class CacheGeneration(Base):
    __tablename__ = "cache_generations"

    name: Mapped[str] = mapped_column(sa.String(50), primary_key=True)
    generation: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    def __repr__(self) -> str:
        return f"<CacheGeneration {self.name} {self.generation}>"


class CacheChange(Base):
    """One item changed at one generation of one cache (item_id NULL: everything)."""

    __tablename__ = "cache_changes"

    id: Mapped[int] = mapped_column(sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(50), nullable=False)
    generation: Mapped[int] = mapped_column(sa.BigInteger, nullable=False)
    item_id: Mapped[int | None] = mapped_column(sa.BigInteger, nullable=True)

    __table_args__ = (sa.Index("ix_cache_changes_name_generation", "name", "generation"),)

    def __repr__(self) -> str:
        return f"<CacheChange {self.name} {self.generation} {self.item_id}>"


def _fresh_start() -> int:
    """A starting generation for a missing row: never one an emptied database had before."""
    return time.time_ns() // 1000


def bump(name: str, session=None, *, ids: Iterable[int] | None = None) -> None:
    """Mark the cache `name` stale for every process, in the current transaction, and log
    what changed: the item `ids`, or (None) everything - which costs every other process a
    full rebuild.

    Safe inside flush events (it only uses the session's connection)."""
    session = session if session is not None else db.session
    connection = session.connection()
    bumped = session.info.setdefault(_BUMPED, {})
    if name not in bumped:  # once per transaction: other workers see it at commit
        url = str(connection.engine.url)
        if url not in _identified:  # once per process: the row is made once per database
            ensure_identity(connection)
            _identified.add(url)
        bumped[name] = _increment(connection, name)
        session.info.get(_MEMO, {}).pop(name, None)
        if bumped[name] % TRIM_EVERY == 0:
            changes = CacheChange.__table__
            connection.execute(changes.delete().where(
                changes.c.name == name, changes.c.generation <= bumped[name] - KEEP_GENERATIONS))
    logged = session.info.setdefault(_LOGGED, {}).setdefault(name, set())
    new = [FULL] if ids is None else sorted({int(i) for i in ids})
    new = [item for item in new if item not in logged]
    if new:
        logged.update(new)
        connection.execute(CacheChange.__table__.insert(), [
            {"name": name, "generation": bumped[name], "item_id": item} for item in new
        ])


_identified: set[str] = set()


def ensure_identity(connection) -> int:
    """This database's identity (created at the first call: a random 62-bit number)."""
    table = CacheGeneration.__table__
    found = database_identity(connection)
    if found is not None:
        return found
    insert = pg_insert if connection.dialect.name == "postgresql" else sqlite_insert
    connection.execute(insert(table).values(name=IDENTITY, generation=secrets.randbits(62), updated_at=utcnow())
                       .on_conflict_do_nothing())
    return database_identity(connection)


def database_identity(connection=None) -> int | None:
    """The random number that tells this database from any other (None: none made yet).
    Snapshots carry it: a snapshot of another database, or of this one before it was
    emptied, is never loaded."""
    connection = connection if connection is not None else db.session.connection()
    table = CacheGeneration.__table__
    return connection.execute(sa.select(table.c.generation).where(table.c.name == IDENTITY)).scalar_one_or_none()


def identify_database() -> int:
    """This database's identity, made when it has none yet (committed on a connection of
    its own: a database loaded in bulk, never written through the app, has none, and
    snapshots are written only for a database that has one)."""
    found = database_identity()
    if found is None:
        with db.engine.begin() as connection:
            found = ensure_identity(connection)
    return found


def snapshot_path(name: str) -> Path | None:
    """Where the snapshot of cache `name` lives (None: snapshots are turned off)."""
    if not current_app.config.get("SNAPSHOTS", True):
        return None
    folder = current_app.config.get("SNAPSHOT_DIR") or Path(current_app.instance_path) / "snapshots"
    return Path(folder) / f"{name}.snapshot"


def _increment(connection, name: str) -> int:
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
    return connection.execute(sa.select(table.c.generation).where(table.c.name == name)).scalar_one()


def changes_between(name: str, after: int, upto: int) -> set[int] | None:
    """The ids changed in generations (after, upto], or None when the log cannot vouch for
    every one of them (trimmed, a gap, a change of everything, too many)."""
    if upto <= after or upto - after > KEEP_GENERATIONS:
        return None
    changes = CacheChange.__table__
    rows = db.session.execute(
        sa.select(changes.c.generation, changes.c.item_id)
        .where(changes.c.name == name, changes.c.generation > after, changes.c.generation <= upto)
        .limit(MAX_DELTA_IDS + 1)
    ).all()
    if len(rows) > MAX_DELTA_IDS or len({g for g, _ in rows}) != upto - after:
        return None
    ids = {item for _, item in rows}
    return None if FULL in ids else ids


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
        session.info.pop(_LOGGED, None)
        session.info.pop("cache_local", None)


_caches: list[GenerationCache] = []


ToArrays = Callable[[Any], tuple[dict, dict]]  # value -> (numpy arrays, JSON-able metadata)
FromArrays = Callable[[dict, dict], Any]  # (arrays, metadata) -> value


class GenerationCache(Generic[T]):
    """A value built from the database, kept at the current generation: brought forward by
    `apply(value, changed_ids) -> new value` when given and the change log allows, else
    rebuilt. `apply` must not change `value` (other threads may be using it).

    With `snapshot=(to_arrays, from_arrays)` (and its `snapshot_version`, raised whenever
    the arrays change meaning) a full build also writes the snapshot, and a process with no
    value starts from the snapshot instead of building."""

    def __init__(
        self, name: str, build: Callable[[], T], apply: Callable[[T, set[int]], T] | None = None,
        *, apply_in_place: Callable[[T, set[int]], None] | None = None,
        snapshot: tuple[ToArrays, FromArrays] | None = None, snapshot_version: int = 1,
    ) -> None:
        self.name = name
        self.build = build
        self.apply = apply
        # `apply_in_place(value, changed_ids)` brings the shared value forward itself (it
        # must keep readers from seeing half of it); `apply` still serves a transaction's
        # own uncommitted view, which must not touch the shared value.
        self.apply_in_place = apply_in_place
        self.snapshot = snapshot
        self.snapshot_version = snapshot_version
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[int, T]] = {}
        self._snapshots: dict[str, int] = {}  # url -> generation of the snapshot written or read
        self.builds = 0  # how often this process built it (tests and logs)
        self.deltas = 0  # how often it applied a delta instead
        self.loads = 0  # how often it started from a snapshot
        _caches.append(self)

    def get(self) -> T:
        current = generation(self.name)
        url = str(db.engine.url)
        entry = self._entries.get(url)
        if self.name in db.session.info.get(_BUMPED, ()):
            # Stale for everyone else until this transaction commits: build for it alone.
            local = db.session.info.setdefault("cache_local", {})
            key = (self.name, current)
            if key not in local:
                local.clear()
                local[key] = self._forward(entry, current, keep=False)
            return local[key]
        if entry is not None and current is not None and entry[0] == current:
            return entry[1]
        if entry is not None and current is not None and self.apply_in_place is not None:
            brought = self._forward_in_place(url, current)
            if brought is not None:
                return brought
        value = self._forward(entry, current, keep=current is not None)
        if current is not None:
            with self._lock:
                self._entries[url] = (current, value)
        return value

    def _forward(self, entry: tuple[int, T] | None, current: int | None, *, keep: bool) -> T:
        mapped = False  # a value just read from the snapshot: no one else holds it yet
        if entry is None and current is not None and self.snapshot is not None:
            entry = self._from_snapshot(current)
            if entry is not None and entry[0] == current:
                return entry[1]
            mapped = entry is not None
        if entry is not None and current is not None and self.apply is not None:
            changed = changes_between(self.name, entry[0], current)
            if changed is not None:
                started = time.perf_counter()
                if mapped and self.apply_in_place is not None:
                    # brought forward in place: a copy of a million-row matrix (what `apply`
                    # makes, to leave a shared value untouched) took minutes at the start of
                    # every worker whose snapshot was older than the database
                    self.apply_in_place(entry[1], changed)
                    value = entry[1]
                else:
                    value = self.apply(entry[1], changed)
                self.deltas += 1
                log.info("cache %s: %d changed items applied (generation %d -> %d) in %.1f ms",
                         self.name, len(changed), entry[0], current,
                         (time.perf_counter() - started) * 1000)
                return value
            log.warning("cache %s: the change log does not cover generations %d..%d "
                        "(trimmed, a gap, or a change of everything): full rebuild",
                        self.name, entry[0], current)
        value = self._build()
        if keep and self.snapshot is not None:
            self._write(value, current)
        return value

    # -- snapshots --
    def _from_snapshot(self, current: int) -> tuple[int, T] | None:
        """(generation, value) from this machine's snapshot when it is usable, else None
        (with a log line saying why, unless there is no snapshot at all)."""
        path = snapshot_path(self.name)
        if path is None or not path.exists():
            return None
        try:
            started = time.perf_counter()
            found = snapshot.read(path, self.name, self.snapshot_version)
            meta = found.meta
            identity = database_identity()
            if identity is None or meta.get("identity") != identity:
                problem = "it is of another database (or of this one before it was emptied)"
            elif meta["generation"] > current:
                problem = f"its generation {meta['generation']} is ahead of the database's {current}"
            else:
                value = self.snapshot[1](found.arrays, meta["value"])
                self.loads += 1
                self._snapshots[str(db.engine.url)] = meta["generation"]
                log.info("cache %s: snapshot of generation %d mapped (%.0f MiB) in %.0f ms", self.name,
                         meta["generation"], found.nbytes / 2**20, (time.perf_counter() - started) * 1000)
                return meta["generation"], value
        except (snapshot.SnapshotError, ValueError, KeyError, TypeError) as error:
            problem = str(error)
        log.warning("cache %s: snapshot %s not used (%s): full rebuild", self.name, path, problem)
        return None

    def _write(self, value: T, current: int) -> Path | None:
        path = snapshot_path(self.name)
        identity = database_identity()
        if path is None or identity is None:
            return None
        started = time.perf_counter()
        arrays, meta = self.snapshot[0](value)
        url = db.engine.url
        try:
            size = snapshot.write(path, self.name, self.snapshot_version, arrays, {
                "identity": identity, "generation": current, "value": meta,
                "database": url.render_as_string(hide_password=True)})
        except OSError as error:
            log.warning("cache %s: cannot write the snapshot %s (%s)", self.name, path, error)
            return None
        self._snapshots[str(url)] = current
        log.info("cache %s: snapshot of generation %d written (%.0f MiB) in %.0f ms", self.name, current,
                 size / 2**20, (time.perf_counter() - started) * 1000)
        return path

    def write_snapshot(self) -> Path | None:
        """The value at the current generation, its snapshot written unless this process
        wrote or read the snapshot of that generation (and the file is still there)."""
        value = self.get()
        current = generation(self.name)
        path = snapshot_path(self.name)
        if current is None or path is None:
            return None
        if self._snapshots.get(str(db.engine.url)) == current and path.exists():
            return path
        return self._write(value, current)

    def _forward_in_place(self, url: str, current: int) -> T | None:
        """The shared value brought to `current` in place, one delta at a time and in
        generation order (a thread that read an older generation gets the newer value:
        never an older one); None when the log cannot vouch for it (then: a rebuild)."""
        with self._lock:
            entry = self._entries.get(url)
            if entry is None:
                return None
            if entry[0] >= current:
                return entry[1]
            changed = changes_between(self.name, entry[0], current)
            if changed is None:
                return None
            started = time.perf_counter()
            self.apply_in_place(entry[1], changed)
            self.deltas += 1
            self._entries[url] = (current, entry[1])
            log.info("cache %s: %d changed items applied in place (generation %d -> %d) in %.1f ms",
                     self.name, len(changed), entry[0], current, (time.perf_counter() - started) * 1000)
            return entry[1]

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
            self._snapshots.clear()


def write_snapshots() -> list[Path]:
    """Every snapshot-keeping cache brought to the current generation, its snapshot
    written if it does not hold that generation yet; the paths."""
    paths = []
    for cache in _caches:
        if cache.snapshot is not None:
            path = cache.write_snapshot()
            if path is not None:
                paths.append(path)
    return paths


def clear_local() -> None:
    """Forget every in-process value (tests that empty the database call this)."""
    for cache in _caches:
        cache.clear()
    _identified.clear()


def init_app(app) -> None:
    if not sa.event.contains(db.session, "after_transaction_end", _end_of_transaction):
        sa.event.listen(db.session, "after_transaction_end", _end_of_transaction)
