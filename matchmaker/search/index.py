"""The database side of the search index: writing `search_documents` (Core bulk statements)
and keeping each process's in-memory `SearchIndex` in step with them.

Upkeep: search subscribes to `signals.projects_written` (see `matchmaker.search.init_app`):
the catalogue announces every project it adds, changes or deletes (and every project of a
catalogue whose status changed), and `reindex_projects(ids)` rewrites their documents in
the same transaction.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from matchmaker import cache, snapshot
from matchmaker.catalogue.models import (
    Catalogue,
    CatalogueStatus,
    Project,
    Region,
    Sector,
    project_sectors,
)
from matchmaker.extensions import db
from matchmaker.reference import loaders as reference
from matchmaker.reference.pinyin import pinyin_words
from matchmaker.search.core import Document, SearchIndex, fen
from matchmaker.search.models import SearchDocument, SearchIndexState
from matchmaker.text import fold

log = logging.getLogger(__name__)
CHUNK = 2000
documents_table = SearchDocument.__table__
state_table = SearchIndexState.__table__
projects_table = Project.__table__


# ---------------------------------------------------------------------------- writing
def _lineage(token: str | None) -> str | None:
    """The first half of a state token names its lineage: it changes with every full
    rebuild and whenever the state row is created afresh (an emptied database), so an
    index never takes a newer lineage's documents for increments of its own."""
    return token[:16] if token else None


def _next_generation(connection: Connection, *, full: bool) -> int:
    fresh = uuid.uuid4().hex
    current = connection.execute(
        sa.select(state_table.c.token).where(state_table.c.id == 1)).scalar_one_or_none()
    lineage = fresh[:16] if full or current is None else _lineage(current)
    token = lineage + fresh[16:]
    values = {"generation": state_table.c.generation + 1, "token": token}
    if full:
        values["full_generation"] = state_table.c.generation + 1
    updated = connection.execute(state_table.update().where(state_table.c.id == 1).values(**values))
    if updated.rowcount == 0:
        connection.execute(state_table.insert().values(id=1, generation=1, full_generation=1, token=token))
    return connection.execute(sa.select(state_table.c.generation).where(state_table.c.id == 1)).scalar_one()


def _enum_value(value) -> str:
    return str(getattr(value, "value", value))


def _rows(connection: Connection, project_ids: list[int] | None, generation: int) -> list[dict]:
    regions = dict(connection.execute(sa.select(Region.__table__.c.id, Region.__table__.c.code)).all())
    sector_codes = dict(connection.execute(sa.select(Sector.__table__.c.id, Sector.__table__.c.code)).all())
    p = projects_table.c
    catalogue_status = Catalogue.__table__.c.status.label("catalogue_status")
    query = sa.select(
        p.id, p.code, p.name, p.name_en, p.location, p.construction_content, p.market_outlook,
        p.preparation_status, p.owner, p.region_id, p.investment_sought_yuan, p.cooperation_modes,
        p.status, p.created_at, catalogue_status,
    ).join(Catalogue.__table__, Catalogue.__table__.c.id == p.catalogue_id)
    links = sa.select(project_sectors.c.project_id, project_sectors.c.sector_id)
    if project_ids is not None:
        query = query.where(p.id.in_(project_ids))
        links = links.where(project_sectors.c.project_id.in_(project_ids))
    sectors_of: dict[int, list[str]] = {}
    for project_id, sector_id in connection.execute(links):
        sectors_of.setdefault(project_id, []).append(sector_codes[sector_id])
    rows = []
    for r in connection.execute(query):
        rows.append({
            "project_id": r.id,
            "generation": generation,
            "visible": _enum_value(r.catalogue_status) == CatalogueStatus.PUBLISHED.value,
            # pinyin of the name too: 'guangfu' finds 光伏 (reference.pinyin)
            "name_text": " ".join(filter(None, (fold(f"{r.name} {r.name_en or ''}"), pinyin_words(r.name)))),
            "content_text": fold(" ".join((r.code, r.location, r.construction_content, r.market_outlook,
                                           r.preparation_status, r.owner))),
            "sector_codes": " ".join(sorted(sectors_of.get(r.id, []))),
            "region_code": regions.get(r.region_id),
            "investment_sought_yuan": r.investment_sought_yuan,
            "cooperation_modes": " ".join(r.cooperation_modes or []),
            "status": _enum_value(r.status),
            "created_at": r.created_at,
        })
    if project_ids is not None:
        found = {row["project_id"] for row in rows}
        for missing in sorted(set(project_ids) - found):  # deleted: a tombstone
            rows.append({"project_id": missing, "generation": generation, "visible": False,
                         "name_text": "", "content_text": "", "sector_codes": "", "region_code": None,
                         "investment_sought_yuan": 0, "cooperation_modes": "", "status": "withdrawn",
                         "created_at": None})
    return rows


def reindex(connection: Connection, project_ids: Iterable[int] | None = None) -> int:
    """Rewrite the search documents of these projects (all when None); returns the count."""
    if project_ids is None:
        generation = _next_generation(connection, full=True)
        connection.execute(documents_table.delete())
        rows = _rows(connection, None, generation)
        if rows:
            connection.execute(documents_table.insert(), rows)
        return len(rows)
    ids = sorted({int(i) for i in project_ids})
    if not ids:
        return 0
    generation = _next_generation(connection, full=False)
    written = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = _rows(connection, chunk, generation)
        connection.execute(documents_table.delete().where(documents_table.c.project_id.in_(chunk)))
        connection.execute(documents_table.insert(), rows)
        written += len(rows)
    return written


# ---------------------------------------------------------------------------- reading
_lock = threading.RLock()
_indexes: dict[str, SearchIndex] = {}


def _document(row) -> Document:
    created: datetime | None = row.created_at
    return Document(
        project_id=row.project_id,
        visible=bool(row.visible),
        name=row.name_text,
        content=row.content_text,
        sector_codes=tuple(row.sector_codes.split()),
        region_code=row.region_code,
        sought_fen=fen(row.investment_sought_yuan),
        modes=tuple(row.cooperation_modes.split()),
        status=row.status,
        created_key=int(created.timestamp() * 1_000_000) if created else 0,
    )


SNAPSHOT = "search_index"
SNAPSHOT_VERSION = 2  # 2: the facet cells (col_cell, cells_*)


def _needs_full_load(index: SearchIndex, state) -> bool:
    """Whether the documents newer than the index's generation cannot bring it to `state`."""
    return (index.token is None or _lineage(state.token) != _lineage(index.token)
            or state.full_generation > index.generation or state.generation <= index.generation)


def load_snapshot(index: SearchIndex, connection: Connection, state) -> bool:
    """Take the index from this machine's snapshot when it is intact, of this database and
    of the current lineage, not ahead of `state`; False (and a log line) otherwise."""
    path = cache.snapshot_path(SNAPSHOT)
    if path is None or not path.exists():
        return False
    try:
        found = snapshot.read(path, SNAPSHOT, SNAPSHOT_VERSION)
        meta = found.meta
        problem = None
        if meta.get("identity") is None or meta.get("identity") != cache.database_identity(connection):
            problem = "it is of another database (or of this one before it was emptied)"
        elif _lineage(meta.get("token")) != _lineage(state.token) or meta["generation"] < state.full_generation:
            problem = "the index was rebuilt since"
        elif meta["generation"] > state.generation or (
                meta["generation"] == state.generation and meta["token"] != state.token):
            problem = "it is ahead of the database"
        if problem is None:
            started = time.perf_counter()
            index.from_arrays(found.arrays, meta)
            index.token, index.generation = meta["token"], meta["generation"]
            index.snapshot_token = (path, index.token)
            log.info("search index: snapshot of generation %d mapped (%d projects, %.0f MiB) in %.0f ms",
                     meta["generation"], index.size, found.nbytes / 2**20, (time.perf_counter() - started) * 1000)
            return True
    except (snapshot.SnapshotError, ValueError, KeyError) as error:
        problem = str(error)
    log.warning("search index: snapshot %s not used (%s): full load from the database", path, problem)
    return False


def write_snapshot(index: SearchIndex, connection: Connection, *, unless_current: bool = False) -> Path | None:
    """Write the index as this machine's snapshot (skipped when snapshots are off, or the
    database has no identity yet; with `unless_current`, when the file already holds this
    generation)."""
    path = cache.snapshot_path(SNAPSHOT)
    identity = cache.database_identity(connection)
    if path is None or identity is None or index.token is None:
        return None
    if unless_current and index.snapshot_token == (path, index.token) and path.exists():
        return path
    started = time.perf_counter()
    arrays, meta = index.to_arrays()
    try:
        size = snapshot.write(path, SNAPSHOT, SNAPSHOT_VERSION, arrays,
                              {**meta, "identity": identity, "token": index.token,
                               "generation": index.generation, "database": _described(connection)})
    except OSError as error:
        log.warning("search index: cannot write the snapshot %s (%s)", path, error)
        return None
    index.snapshot_token = (path, index.token)
    log.info("search index: snapshot of generation %d written (%.0f MiB) in %.0f ms", index.generation,
             size / 2**20, (time.perf_counter() - started) * 1000)
    return path


def _described(connection: Connection) -> str:
    return connection.engine.url.render_as_string(hide_password=True)


def refresh(index: SearchIndex, engine) -> None:
    """Bring the in-memory index up to the committed state (read on its own connection):
    a new process starts from the snapshot when there is a usable one, then loads only the
    documents written since; after a full load it writes the snapshot."""
    with engine.connect() as connection:
        state = connection.execute(sa.select(state_table).where(state_table.c.id == 1)).first()
        if state is None:
            if index.token is not None or index.size:
                index.load([])
            index.token, index.generation = None, 0
            return
        if state.token == index.token:
            return
        if index.token is None and load_snapshot(index, connection, state) and state.token == index.token:
            return
        if _needs_full_load(index, state):
            rows = connection.execute(sa.select(documents_table).order_by(documents_table.c.project_id))
            index.load(_document(r) for r in rows)
            index.token, index.generation = state.token, state.generation
            write_snapshot(index, connection)
            return
        else:
            rows = connection.execute(
                sa.select(documents_table).where(documents_table.c.generation > index.generation)
                .order_by(documents_table.c.project_id))
            index.update(_document(r) for r in rows)
        index.token, index.generation = state.token, state.generation


@contextmanager
def current_index() -> Iterator[SearchIndex]:
    """This process's index for the app's database, fresh, held under a lock while in use."""
    taxonomy, gazetteer, glossary = reference.taxonomy(), reference.gazetteer(), reference.glossary()
    key = str(db.engine.url)
    with _lock:
        index = _indexes.get(key)
        if index is None or index.taxonomy is not taxonomy or index.gazetteer is not gazetteer:
            index = _indexes[key] = SearchIndex(taxonomy, gazetteer, glossary)
        refresh(index, db.engine)
        yield index


def forget_indexes() -> None:
    """Drop every in-memory index (tests, benchmarks)."""
    with _lock:
        _indexes.clear()
