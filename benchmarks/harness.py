"""Registry, timing and temporary databases for the benchmarks."""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass
class Timing:
    samples_ms: list[float]

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        ordered = sorted(self.samples_ms)
        return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]

    @property
    def spread(self) -> tuple[float, float]:
        return min(self.samples_ms), max(self.samples_ms)


def time_runs(fn: Callable[[], object], *, runs: int = 5, warmup: int = 1) -> Timing:
    """Call fn warmup times untimed, then `runs` times timed (milliseconds)."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return Timing(samples)


@dataclass
class Row:
    name: str
    size: int
    median_ms: float
    p95_ms: float | None = None
    spread_ms: tuple[float, float] | None = None
    runs: int = 0
    baseline: str | None = None
    baseline_ms: float | None = None
    ratio: float | None = None  # baseline / ours: how many times faster
    extra: dict = field(default_factory=dict)

    @classmethod
    def of(cls, name: str, size: int, ours: Timing, baseline: Timing | None = None,
           baseline_name: str | None = None, **extra) -> Row:
        return cls(
            name=name,
            size=size,
            median_ms=round(ours.median, 3),
            p95_ms=round(ours.p95, 3),
            spread_ms=(round(ours.spread[0], 3), round(ours.spread[1], 3)),
            runs=len(ours.samples_ms),
            baseline=baseline_name,
            baseline_ms=round(baseline.median, 3) if baseline else None,
            ratio=round(baseline.median / ours.median, 2) if baseline and ours.median else None,
            extra=extra,
        )

    @classmethod
    def skipped(cls, name: str, size: int, reason: str) -> Row:
        """A case that does not run at this size (or on this database), and why."""
        return cls(name=name, size=size, median_ms=0.0, extra={"skipped": reason})

    def as_dict(self) -> dict:
        return asdict(self)


Case = Callable[[int], list[Row]]


@dataclass
class Registry:
    cases: list[tuple[str, Case, tuple[int, ...] | None]] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, case: Case, *, sizes: tuple[int, ...] | None = None,
            reason: str | None = None) -> None:
        """A case runs once per requested size (or only at `sizes` when given; `reason` says
        why not at the others - the run reports the skip instead of staying silent)."""
        self.cases.append((name, case, sizes))
        if reason:
            self.reasons[name] = reason


@contextlib.contextmanager
def temp_app(prefix: str = "bench", *, instance: str | None = None) -> Iterator[object]:
    """An app on a fresh, migrated database with reference data, inside an app context.

    SQLite in a temporary folder by default; MATCHMAKER_BENCH_DATABASE_URL points it at a
    PostgreSQL database instead (emptied first)."""
    from flask_migrate import upgrade

    from matchmaker.app import MIGRATIONS_DIR, create_app
    from matchmaker.extensions import db
    from matchmaker.reference.loaders import load_reference_data

    _forget_kept()  # the database is emptied: nothing loaded is kept any more
    with _folder(prefix, instance) as tmp:
        url = os.environ.get("MATCHMAKER_BENCH_DATABASE_URL") or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        os.environ["MATCHMAKER_INSTANCE"] = tmp
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
        with app.app_context():
            import sqlalchemy as sa

            meta = sa.MetaData()
            meta.reflect(bind=db.engine)
            meta.drop_all(bind=db.engine)
            upgrade(directory=MIGRATIONS_DIR)
            load_reference_data(app.config["DATA_DIR"])
            db.session.commit()
            try:
                yield app
            finally:
                db.session.remove()
                db.engine.dispose()


# What loaded_app left in the PostgreSQL benchmark database: {"size", "catalogue_id", "load_s",
# "instance", ...}; the instance folder (snapshots) is kept with it.
_kept: dict = {}


@contextlib.contextmanager
def _folder(prefix: str, instance: str | None) -> Iterator[str]:
    if instance is not None:
        yield instance
        return
    with tempfile.TemporaryDirectory(prefix=f"mm-{prefix}-") as tmp:
        yield tmp


def _forget_kept() -> None:
    if _kept.get("instance") and _kept["instance"] != os.environ.get("MATCHMAKER_BENCH_INSTANCE"):
        shutil.rmtree(_kept["instance"], ignore_errors=True)
    _kept.clear()


atexit.register(_forget_kept)


@contextlib.contextmanager
def loaded_app(prefix: str, size: int) -> Iterator[object]:
    """An app whose database holds `size` synthetic projects (benchmarks.synthetic, bulk
    path) with their search documents, inside an app context; yields (app, info) where
    info says how long loading took ({"catalogue_id", "load_s", "reindex_s", "reused"}).

    On PostgreSQL the loaded database is kept for the next case of the same size in this
    run (a million projects load once, not once per case); a case may add or edit a few
    projects, not remove any. temp_app empties the database and forgets it."""
    from benchmarks import synthetic
    from matchmaker.app import create_app
    from matchmaker.extensions import db

    url = os.environ.get("MATCHMAKER_BENCH_DATABASE_URL", "")
    if url.startswith("postgresql") and _kept.get("size") == size:
        with _folder(prefix, _kept["instance"]) as tmp:
            os.environ["MATCHMAKER_INSTANCE"] = tmp
            app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
            with app.app_context():
                try:
                    yield app, {**_kept, "reused": True}
                finally:
                    db.session.remove()
                    db.engine.dispose()
        return
    if url.startswith("postgresql") and not _kept and os.environ.get("MATCHMAKER_BENCH_REUSE_DATABASE"):
        found = _already_loaded(url, size)
        if found:
            _analyze(url)
            _kept.update(found)
            with loaded_app(prefix, size) as loaded:
                yield loaded
            return
    from matchmaker.search.operations import reindex_projects

    keep = url.startswith("postgresql")
    instance = tempfile.mkdtemp(prefix="mm-loaded-") if keep else None
    with temp_app(prefix, instance=instance) as app:
        started = time.perf_counter()
        catalogue_id = synthetic.bulk_load(synthetic.projects(size))
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        reindex_projects(None)
        db.session.commit()
        if keep:
            _analyze(url)
        info = {"size": size, "catalogue_id": catalogue_id, "load_s": round(loaded, 1),
                "reindex_s": round(time.perf_counter() - started, 1), "instance": instance}
        try:
            yield app, {**info, "reused": False}
        except BaseException:
            if instance:
                shutil.rmtree(instance, ignore_errors=True)
            raise
        if keep:
            _kept.update(info)


def _analyze(url: str) -> None:
    """ANALYZE the PostgreSQL benchmark database: what autovacuum does after a big load in
    production (it is off on this machine, and a `createdb -T` copy has no statistics).
    Without them the planner scans a million project_sectors rows to load 20 projects'
    sectors (244 ms instead of 0.4 ms per search page)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("ANALYZE"))
            conn.commit()
    finally:
        engine.dispose()


def _already_loaded(url: str, size: int) -> dict | None:
    """With MATCHMAKER_BENCH_REUSE_DATABASE set, a PostgreSQL benchmark database that already
    holds exactly `size` synthetic projects with their search documents (left by an earlier
    run, or copied with `createdb -T`) is used as it is instead of being emptied and loaded
    again: several runs and engineers share one load of a million projects. Its instance folder
    (snapshots) is new, so the first process still builds or writes its snapshot - unless
    MATCHMAKER_BENCH_INSTANCE names a folder to keep between runs (the snapshots in it are
    used only if they are of this very database: the app checks their identity)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            names = set(sa.inspect(conn).get_table_names())
            if not {"projects", "catalogues", "search_documents"} <= names:
                return None
            projects = conn.scalar(sa.text("SELECT count(*) FROM projects"))
            documents = conn.scalar(sa.text("SELECT count(*) FROM search_documents"))
            catalogue_id = conn.scalar(sa.text(
                "SELECT min(id) FROM catalogues WHERE name = 'Synthetic'"))
    finally:
        engine.dispose()
    if projects != size or documents < size or catalogue_id is None:
        return None
    print(f"[bench] reusing the {size:,} projects already in the database (MATCHMAKER_BENCH_REUSE_DATABASE)",
          flush=True)
    return {"size": size, "catalogue_id": catalogue_id, "load_s": float("nan"), "reindex_s": float("nan"),
            "instance": os.environ.get("MATCHMAKER_BENCH_INSTANCE") or tempfile.mkdtemp(prefix="mm-loaded-")}
