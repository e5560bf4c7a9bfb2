"""Search where it scales (issue 17, item 3): the in-memory engine against search inside
PostgreSQL on a GIN index over the same tokens (`benchmarks/pg_search.py`), same database,
same documents, same run.

For each probe - the search benchmark's 38 queries and the queries the search tests assert
(tests/search/test_search_api.py) - both engines answer the same request; the answers are
compared whole (total, the page's ids and scores in order, every facet, the typo
corrections) and each engine is timed (the engine alone: the page's projects are not
loaded from the database on either side). PostgreSQL only (MATCHMAKER_BENCH_DATABASE_URL);
on SQLite the case says it was skipped.

    python -m benchmarks --only "search engines" --sizes 100000
    MATCHMAKER_BENCH_ENGINES=1 python -m benchmarks --only "search engines" --sizes 1000000
"""

from __future__ import annotations

import os
import time

from benchmarks.bench_search import QUERIES
from benchmarks.harness import Row, Timing, loaded_app

# The queries tests/search/test_search_api.py asserts answers for (on its own catalogue).
TEST_PROBES = ["光伏", "锂电", "锂电 遵义", "遵义 光伏", "遵义光伏", "battery Zunyi", "lithium battery",
               "photovoltaic", "guian data center", "Gui'an", "guìyáng", "ｇｕｉｙａｎｇ", "battery Tongren",
               "数据中心", "磷酸铁锂", "photovoltic", "zunyl", "遵以 光伏"]
PROBES: list[tuple[str, dict]] = QUERIES + [(q, {}) for q in TEST_PROBES if (q, {}) not in QUERIES]
RUNS = 3


def _request(query: str, filters: dict):
    from werkzeug.datastructures import MultiDict

    from matchmaker.search.params import request_from_args

    return request_from_args(MultiDict({"q": query, **filters}))


def answer(result) -> tuple:
    """What a reader sees of a result: comparable between engines."""
    return (result.total, [(h.project_id, h.score) for h in result.hits], result.facets,
            sorted(result.corrections))


def _timed(fn, probes, runs: int = RUNS) -> tuple[Timing, list[float]]:
    samples, firsts = [], []
    for query, filters in probes:
        start = time.perf_counter()
        fn(_request(query, filters))
        firsts.append((time.perf_counter() - start) * 1000)
        for _ in range(runs):
            start = time.perf_counter()
            fn(_request(query, filters))
            samples.append((time.perf_counter() - start) * 1000)
    return Timing(samples), firsts


def engines(size: int) -> list[Row]:
    name = f"search engines: in-memory vs PostgreSQL GIN, {len(PROBES)} probes"
    url = os.environ.get("MATCHMAKER_BENCH_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        return [Row.skipped(name, size, "needs PostgreSQL (MATCHMAKER_BENCH_DATABASE_URL)")]
    if size > 100_000 and not os.environ.get("MATCHMAKER_BENCH_ENGINES"):
        return [Row.skipped(name, size, "past 100k run it alone (a GIN table of every project and seconds per "
                                        "probe on PostgreSQL): MATCHMAKER_BENCH_ENGINES=1 python -m benchmarks "
                                        "--only 'search engines' --sizes N")]

    import sqlalchemy as sa

    from benchmarks import pg_search
    from matchmaker.extensions import db
    from matchmaker.reference import loaders
    from matchmaker.search import index as search_index

    with loaded_app("engines", size) as (_app, loaded):
        loaded_s, reindexed_s = loaded["load_s"], loaded["reindex_s"]
        search_index.forget_indexes()
        started = time.perf_counter()
        with search_index.current_index() as index:
            index._arrays()
            memory_load_s = time.perf_counter() - started
            raw = db.engine.raw_connection()
            try:
                connection = raw.driver_connection
                started = time.perf_counter()
                pg_search.build(connection, index)
                pg_build_s = time.perf_counter() - started
                pg = pg_search.PgSearch(connection, loaders.taxonomy(), loaders.gazetteer(), loaders.glossary())
                different = []
                for query, filters in PROBES:
                    ours = answer(index.search(_request(query, filters), explain=False))
                    theirs = answer(pg.search(_request(query, filters)))
                    if ours != theirs:
                        different.append(f"{query or filters}: total {ours[0]} vs {theirs[0]}")
                memory, memory_first = _timed(lambda r: index.search(r, explain=False), PROBES)
                # past 100k PostgreSQL takes seconds a probe: its first (timed) run only
                postgres, postgres_first = _timed(pg.search, PROBES, RUNS if size <= 100_000 else 0)
                if size > 100_000:
                    postgres = Timing(postgres_first)
                with connection.cursor() as cursor:
                    cursor.execute(f"SELECT pg_total_relation_size('{pg_search.TABLE}') / 1048576")
                    pg_mib = int(cursor.fetchone()[0])
                connection.commit()
            finally:
                raw.close()
        db.session.execute(sa.text(f"DROP TABLE IF EXISTS {pg_search.TABLE}, {pg_search.WORDS}"))
        db.session.commit()
        search_index.forget_indexes()
    identical = f"{len(PROBES) - len(different)}/{len(PROBES)}"
    return [
        Row.of(name, size, memory, postgres, "PostgreSQL GIN (b)", identical=identical,
               different="; ".join(different[:5]), in_memory_p95_ms=round(memory.p95, 1),
               postgres_p95_ms=round(postgres.p95, 1)),
        Row.of("search engines: first run of each probe (in-memory)", size, Timing(memory_first),
               Timing(postgres_first), "PostgreSQL GIN (b), first run"),
        Row.of("search engines: building them", size, Timing([memory_load_s * 1000]), Timing([pg_build_s * 1000]),
               "PostgreSQL table + GIN (COPY)", bulk_load_s=round(loaded_s, 1),
               reindex_s=round(reindexed_s, 1), pg_table_and_indexes_mib=pg_mib),
    ]


def register(registry) -> None:
    registry.add("search engines", engines)
