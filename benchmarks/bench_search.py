"""Search latency: the search service (index + facets + loading the page of projects)
against a plain SQL `LIKE '%term%'` baseline (no facets) on the same database, same run.

Run: python -m benchmarks.bench_search [--sizes 220,10000,100000] [--json]
(or through the harness: python -m benchmarks --only search). Also times
`reindex_projects(None)` (full rebuild) and the first search of a process (cold load).
"""

from __future__ import annotations

import argparse
import json
import sys
import time

from benchmarks.harness import Row, Timing, loaded_app

# (query, filters): 2-character Chinese, phrases, mixed, English, pinyin, typos, filters
QUERIES: list[tuple[str, dict]] = [
    ("光伏", {}), ("锂电", {}), ("风电", {}), ("储能", {}), ("茶叶", {}), ("氢能", {}), ("磷化工", {}),
    ("数据中心", {}), ("农光互补光伏", {}), ("磷石膏综合利用", {}), ("新型储能电站", {}),
    ("煤矸石综合利用制砖", {}),
    ("遵义 光伏", {}), ("锂电 贵阳", {}), ("贵安 数据中心", {}), ("铜仁储能", {}),
    ("battery Zunyi", {}), ("lithium battery", {}), ("photovoltaic", {}), ("energy storage", {}),
    ("data center", {}), ("hydrogen", {}), ("wind farms", {}), ("tea", {}),
    ("guiyang", {}), ("zunyi", {}), ("guian data center", {}), ("liupanshui", {}),
    ("photovoltic", {}), ("zunyl", {}), ("遵以 光伏", {}), ("hydrogne", {}), ("数据中新", {}),
    ("光伏", {"region": "520300"}), ("", {"sector": "storage"}), ("储能", {"min_sought": "5亿"}),
    ("", {"mode": "ppp", "sort": "sought_desc"}), ("锂电", {"status": "open", "page": "3"}),
]
RUNS_PER_QUERY = 5


def _service(query: str, filters: dict):
    from werkzeug.datastructures import MultiDict

    from matchmaker.search.operations import search_projects
    from matchmaker.search.params import request_from_args

    return search_projects(request_from_args(MultiDict({"q": query, **filters})))


def _like_baseline(query: str, filters: dict):
    """What a plain implementation would do: LIKE per word over name and content, plus the
    same filters, a count and the first page (no facets, no aliases, no typo tolerance)."""
    import sqlalchemy as sa

    from matchmaker.catalogue.models import (
        Catalogue,
        CatalogueStatus,
        Project,
        Region,
        Sector,
        project_sectors,
    )
    from matchmaker.extensions import db

    where = [Catalogue.status == CatalogueStatus.PUBLISHED, Project.status != "withdrawn"]
    for word in query.split():
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        where.append(sa.or_(Project.name.like(pattern, escape="\\"),
                            Project.construction_content.like(pattern, escape="\\")))
    if "region" in filters:
        parent = sa.select(Region.id).where(Region.code == filters["region"]).scalar_subquery()
        where.append(Project.region_id.in_(sa.select(Region.id).where(
            sa.or_(Region.id == parent, Region.parent_id == parent))))
    if "sector" in filters:
        where.append(Project.id.in_(sa.select(project_sectors.c.project_id).join(Sector).where(
            sa.or_(Sector.code == filters["sector"], Sector.code.like(filters["sector"] + ".%")))))
    base = sa.select(Project.id).join(Catalogue).where(*where)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(base.subquery()))
    ids = db.session.scalars(base.order_by(Project.id).limit(20)).all()
    db.session.scalars(sa.select(Project).where(Project.id.in_(ids))).all()
    return total


def _latencies(fn) -> list[float]:
    samples = []
    for query, filters in QUERIES:
        fn(query, filters)  # warm-up
        for _ in range(RUNS_PER_QUERY):
            start = time.perf_counter()
            fn(query, filters)
            samples.append((time.perf_counter() - start) * 1000)
    return samples


def search_case(size: int) -> list[Row]:
    from matchmaker.extensions import db
    from matchmaker.search import index as search_index
    from matchmaker.search.operations import reindex_projects

    with loaded_app("search", size) as (_app, loaded):
        start = time.perf_counter()
        reindex_projects(None)
        db.session.commit()
        rebuild_ms = (time.perf_counter() - start) * 1000
        search_index.forget_indexes()
        start = time.perf_counter()
        _service("光伏", {})
        cold_ms = (time.perf_counter() - start) * 1000
        ours = Timing(_latencies(_service))
        db.session.rollback()
        baseline = Timing(_latencies(_like_baseline))
        hits = sum(_service(q, f).result.total > 0 for q, f in QUERIES)
        like_hits = sum(_like_baseline(q, f) > 0 for q, f in QUERIES)
        db.session.rollback()
        search_index.forget_indexes()
    return [
        Row.of(f"search, {len(QUERIES)} queries (with facets)", size, ours, baseline,
               "SQL LIKE, no facets", queries_with_results=hits, like_queries_with_results=like_hits),
        Row.of("reindex_projects(None)", size, Timing([rebuild_ms]), load_s=loaded["load_s"],
               first_reindex_s=loaded["reindex_s"], dataset_reused=loaded["reused"]),
        Row.of("first search of a process (cold load)", size, Timing([cold_ms])),
    ]


def register(registry) -> None:
    registry.add("search", search_case)


def run(sizes: list[int]) -> list[dict]:
    """Rows as dicts (name, size, median_ms, p95_ms, baseline_ms, ratio, runs, note)."""
    result = []
    for size in sizes:
        for row in search_case(size):
            data = row.as_dict()
            data["note"] = ", ".join(f"{k}={v}" for k, v in row.extra.items())
            result.append(data)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_search")
    parser.add_argument("--sizes", default="220,10000,100000")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    rows = run([int(s) for s in args.sizes.split(",") if s.strip()])
    if args.json:
        print(json.dumps(rows, ensure_ascii=False))
        return 0
    print(f"{'case':<42} {'size':>7} {'p50 ms':>8} {'p95 ms':>8} {'LIKE p50':>9} {'ratio':>7}  note")
    for r in rows:
        base = f"{r['baseline_ms']:.2f}" if r["baseline_ms"] is not None else ""
        ratio = f"{r['ratio']}x" if r["ratio"] else ""
        print(f"{r['name'][:42]:<42} {r['size']:>7} {r['median_ms']:>8.2f} {r['p95_ms']:>8.2f} "
              f"{base:>9} {ratio:>7}  {r['note']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
