"""Creating the database and loading N projects: ORM add per row (baseline) vs Core bulk."""

from __future__ import annotations

import time

from benchmarks import synthetic
from benchmarks.harness import Row, Timing, temp_app, time_runs


def _create_database() -> None:
    with temp_app("create"):
        pass


def _orm_per_row(rows: list[dict]) -> None:
    from matchmaker.catalogue.models import Catalogue, Project
    from matchmaker.extensions import db
    from matchmaker.reference.loaders import regions_by_code, sectors_by_code

    sectors, regions = sectors_by_code(), regions_by_code()
    catalogue = Catalogue(name="ORM", year=2023)
    db.session.add(catalogue)
    for row in rows:
        project = Project(
            catalogue=catalogue, code=row["code"], name=row["name"], location=row["location"],
            region=regions[row["region_code"]],
            investment_sought_yuan=row["investment_sought_yuan"],
            total_investment_yuan=row["total_investment_yuan"],
            cooperation_modes=row["cooperation_modes"],
            construction_content=row["construction_content"],
        )
        project.sectors = [sectors[c] for c in row["sectors"]]
        db.session.add(project)
    db.session.commit()


def load_projects(size: int) -> list[Row]:
    """The bulk path (COPY on PostgreSQL, Core executemany on SQLite) against ORM add per
    row - or, past 100,000 projects (ORM per row: minutes per 100,000), against Core
    executemany, the bulk path before COPY."""
    import os

    rows = synthetic.projects(size)
    runs = 3 if size <= 10_000 else 1
    postgres = os.environ.get("MATCHMAKER_BENCH_DATABASE_URL", "").startswith("postgresql")
    old_bulk = size > 100_000
    bulk, baseline_ms = [], []
    for _ in range(runs):
        with temp_app("bulk"):
            start = time.perf_counter()
            synthetic.bulk_load(rows)
            bulk.append((time.perf_counter() - start) * 1000)
        if old_bulk and not postgres:
            continue  # on SQLite executemany is the bulk path itself
        with temp_app("orm"):
            start = time.perf_counter()
            if old_bulk:
                synthetic.bulk_load(rows, executemany=True)
            else:
                _orm_per_row(rows)
            baseline_ms.append((time.perf_counter() - start) * 1000)
    ours = Timing(bulk)
    baseline = Timing(baseline_ms) if baseline_ms else None
    name = "load projects (bulk: COPY)" if postgres else "load projects (Core bulk)"
    return [Row.of(name, size, ours, baseline,
                   ("Core executemany (old bulk path)" if old_bulk else "ORM add per row") if baseline else None,
                   rows_per_s=round(size / (ours.median / 1000)),
                   baseline_rows_per_s=round(size / (baseline.median / 1000)) if baseline else None)]


def create_database(size: int) -> list[Row]:
    return [Row.of("create + migrate + reference data", size, time_runs(_create_database, runs=3))]


def register(registry) -> None:
    registry.add("create database", create_database, sizes=(220,))
    registry.add("load projects", load_projects)
