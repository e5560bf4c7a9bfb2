"""Matching: the matcher's pure-core cases (bench_matching_core) plus the DB-backed path
(building the ProjectMatrix from the database, then one POST /api/v1/match)."""

from __future__ import annotations

import time

from benchmarks.harness import Row, Timing, loaded_app, time_runs


def _core_rows(rows: list[dict]) -> list[Row]:
    return [
        Row(name=r["name"], size=r["size"], median_ms=r["median_ms"], p95_ms=r["p95_ms"],
            runs=r["runs"], baseline=r["baseline"], baseline_ms=r["baseline_ms"],
            ratio=r["ratio"], extra=r["extra"])
        for r in rows
    ]


def quality(size: int) -> list[Row]:
    from benchmarks import bench_matching_core as core

    return _core_rows(core.bench_quality() + core.bench_names())


def one_profile(size: int) -> list[Row]:
    from benchmarks import bench_matching_core as core

    return _core_rows(core.bench_one_profile(size))


def candidates(size: int) -> list[Row]:
    from benchmarks import bench_matching_core as core

    return _core_rows(core.bench_candidates(size))


def delta(size: int) -> list[Row]:
    from benchmarks import bench_matching_core as core

    return _core_rows(core.bench_delta(size))


def glossary(size: int) -> list[Row]:
    from benchmarks import bench_matching_core as core

    return _core_rows(core.bench_glossary(size))


def event(size: int) -> list[Row]:
    from benchmarks import bench_matching_core as core

    return _core_rows(core.bench_event(investors=1000, size=size))


def database_path(size: int) -> list[Row]:
    """Matrix build from the database (what a worker pays after a full invalidation, or
    with no snapshot) and one API call, against the same call after a full invalidation."""
    from matchmaker.extensions import db
    from matchmaker.matching import operations

    with loaded_app("matching", size) as (app, _loaded):
        # build_context itself: every run reads the rows and builds the matrix and its
        # candidate index (the cache would hand back the matrix already built)
        built = time_runs(operations.build_context, runs=3 if size <= 10_000 else 1, warmup=0)
        client = app.test_client()
        body = {"sectors": ["new_energy"], "regions": ["520100"], "min_yuan": "1亿",
                "max_yuan": "10亿", "modes": ["joint_venture"], "keywords": "光伏 储能"}
        operations.matching_context()

        def call() -> None:
            response = client.post("/api/v1/match", json=body)
            assert response.status_code == 200, response.json

        api = time_runs(call, runs=11)
        # baseline: the same call after a full invalidation, committed as a write would
        # commit it: the request rebuilds the matrix (and writes its snapshot), as every
        # request did before the matrix was cached. (Invalidating without committing
        # would hand the same transaction its own copy again: no rebuild.)
        operations.invalidate()
        db.session.commit()
        builds = operations._contexts.builds
        start = time.perf_counter()
        call()
        cold = Timing([(time.perf_counter() - start) * 1000])
        assert operations._contexts.builds == builds + 1, "the baseline call did not rebuild"
        return [
            Row.of("matching: build ProjectMatrix from the database", size, built),
            Row.of("matching: POST /api/v1/match, top 20 (cached matrix)", size, api, cold,
                   "same call rebuilding the matrix"),
        ]


def register(registry) -> None:
    registry.add("matching quality and name resolution", quality, sizes=(220,))
    registry.add("matching one profile (pure)", one_profile, sizes=(10_000, 100_000))
    registry.add("matching candidate stage vs exhaustive (pure)", candidates,
                 sizes=(10_000, 100_000, 1_000_000))
    registry.add("matching delta in place vs copy (pure)", delta, sizes=(100_000, 300_000, 1_000_000))
    registry.add("matching with the bilingual glossary (pure)", glossary, sizes=(10_000, 100_000))
    registry.add("matching event-wide 1000 investors (pure)", event, sizes=(10_000,))
    registry.add("matching over the database", database_path)
