"""Catalogue import end to end (parse + validate + commit): the 220-row demo .xlsx, and
generated CSVs of 10,000 / 100,000 rows; baseline: the same parse, then an ORM add per row."""

from __future__ import annotations

import csv
import functools
import io
import time

import sqlalchemy as sa

from benchmarks import synthetic
from benchmarks.harness import Row, Timing, temp_app, time_runs

MODE_LABELS = {"sole": "独资", "joint_venture": "合资", "cooperation": "合作", "ppp": "PPP", "equity": "股权合作"}


def edition_for_year(year: int):
    from matchmaker.editions.operations import edition_for_year as edition

    return edition(year)


def catalogue_csv(size: int) -> bytes:
    """A GBK CSV in the real layout: title row, Chinese headers with units in 亿元."""
    from matchmaker.reference.loaders import taxonomy

    tax = taxonomy()
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["合成测试目录"])
    writer.writerow(["序号", "项目名称", "所属产业", "建设地点", "总投资（亿元）", "拟引资金额（亿元）", "合作方式", "建设内容"])
    for row in synthetic.projects(size):
        sector = tax.get(row["sectors"][0])
        writer.writerow([
            row["code"], row["name"], sector.name, row["location"],
            f"{row['total_investment_yuan'] / 100_000_000:f}", f"{row['investment_sought_yuan'] / 100_000_000:f}",
            MODE_LABELS[row["cooperation_modes"][0]], row["construction_content"],
        ])
    return buffer.getvalue().encode("gb18030")


def _import(data: bytes, filename: str) -> None:
    from matchmaker.catalogue.models import Catalogue
    from matchmaker.catalogue.operations import import_catalogue
    from matchmaker.extensions import db

    catalogue = Catalogue(name=f"bench {time.perf_counter_ns()}", year=2023, edition=edition_for_year(2023))
    report = import_catalogue(catalogue, data, filename, user=None)
    assert report.committed and not report.rejected, report.rejected[:3]
    db.session.commit()


def _orm_baseline(data: bytes, filename: str) -> None:
    """The same parse, then one ORM object per row (what a naive importer does)."""
    from matchmaker.catalogue.models import Catalogue, Project
    from matchmaker.catalogue.parser import parse_catalogue
    from matchmaker.extensions import db
    from matchmaker.reference.loaders import gazetteer, regions_by_code, sectors_by_code, taxonomy

    result = parse_catalogue(data, filename, taxonomy=taxonomy(), gazetteer=gazetteer())
    sectors, regions = sectors_by_code(), regions_by_code()
    catalogue = Catalogue(name=f"orm {time.perf_counter_ns()}", year=2023, edition=edition_for_year(2023))
    db.session.add(catalogue)
    for row in result.rows:
        project = Project(
            catalogue=catalogue, code=row.code, name=row.name, location=row.location,
            region=regions.get(row.region_code or ""),
            investment_sought_yuan=row.investment_sought_yuan,
            total_investment_yuan=row.total_investment_yuan,
            cooperation_modes=row.cooperation_modes, construction_content=row.construction_content,
        )
        project.sectors = [sectors[c] for c in row.sectors]
        db.session.add(project)
    db.session.commit()


def _measure(size: int, make, filename: str, runs: int) -> list[Row]:
    ours, baseline = [], []
    for _ in range(runs):
        with temp_app("catalogue"):
            data = make(size)
            start = time.perf_counter()
            _import(data, filename)
            ours.append((time.perf_counter() - start) * 1000)
        with temp_app("catalogue-orm"):
            data = make(size)
            start = time.perf_counter()
            _orm_baseline(data, filename)
            baseline.append((time.perf_counter() - start) * 1000)
    mine, theirs = Timing(ours), Timing(baseline)
    return [Row.of(f"catalogue import {filename.rsplit('.', 1)[1]} (parse+validate+commit)", size, mine,
                   theirs, "same parse + ORM add per row",
                   rows_per_s=round(size / (mine.median / 1000)),
                   baseline_rows_per_s=round(size / (theirs.median / 1000)))]


def demo_xlsx(size: int) -> list[Row]:
    from flask import current_app

    def make(_size: int) -> bytes:
        from pathlib import Path

        return (Path(current_app.config["DATA_DIR"]) / "demo" / "catalogue-2023.xlsx").read_bytes()

    return _measure(220, make, "catalogue-2023.xlsx", runs=5)


def generated_csv(size: int) -> list[Row]:
    return _measure(size, catalogue_csv, "generated.csv", runs=3 if size <= 10_000 else 1)


def _changed(data: bytes, rows: int, size: int) -> bytes:
    """`data` with the construction content of `rows` rows, spread over the file, changed."""
    lines = data.decode("gb18030").split("\r\n")
    step = max(1, size // rows)
    for n in range(rows):
        index = 2 + n * step  # after the title and the header
        lines[index] = lines[index] + "（已更新）"
    return "\r\n".join(lines).encode("gb18030")


def reupload_changed(size: int) -> list[Row]:
    """Re-uploading a catalogue of `size` rows where 1 or 1,000 rows changed (issue 17: the
    cost should follow the change): rows with an unchanged fingerprint are not read again.
    Baseline in the same run: the full path (`reread=True`: every row parsed, validated and
    compared, as before fingerprints). Each upload differs from the stored catalogue in that
    many rows (the runs alternate between two versions of the file). Also: the first
    upload, reading the file alone (sheets.read_sheets), the parse with fingerprints alone.

    Past 100,000 (the national database, PostgreSQL): a prefecture's sheet of
    PREFECTURE_SHEET rows re-uploaded into a database that already holds `size` projects
    (benchmarks.harness.loaded_app); its catalogue is deleted again at the end, so the
    database still holds `size` projects for the next case or run."""
    if size > 100_000:
        import os

        if not os.environ.get("MATCHMAKER_BENCH_DATABASE_URL", "").startswith("postgresql"):
            return [Row.skipped("catalogue re-upload changed rows", size,
                                "past 100,000 on PostgreSQL only (MATCHMAKER_BENCH_DATABASE_URL)")]
        return _reupload_into_national(size)
    with temp_app("catalogue-reupload"):
        return _reupload_rows(size, size, {})


PREFECTURE_SHEET = 100_000


def _reupload_into_national(size: int) -> list[Row]:
    import sqlalchemy as sa

    from benchmarks.harness import loaded_app
    from matchmaker.catalogue.models import Catalogue
    from matchmaker.extensions import db

    with loaded_app("catalogue-reupload", size) as (_app, info):
        existing = db.session.scalar(sa.select(sa.func.count()).select_from(sa.table("projects")))
        try:
            return _reupload_rows(PREFECTURE_SHEET, existing + PREFECTURE_SHEET,
                                  {"projects_before": existing, "dataset_reused": info["reused"]})
        finally:
            db.session.rollback()
            catalogue = db.session.scalar(sa.select(Catalogue).where(Catalogue.name == "bench reupload"))
            if catalogue is not None:
                _delete_catalogue(catalogue.id)


def _delete_catalogue(catalogue_id: int) -> None:
    """The benchmark's own catalogue and everything hanging on its projects (Core: the
    projects leave the search documents by cascade or by these statements)."""
    import sqlalchemy as sa

    from matchmaker.extensions import db

    ids = f"SELECT id FROM projects WHERE catalogue_id = {int(catalogue_id)}"
    names = set(sa.inspect(db.session.connection()).get_table_names())
    for table, column in (("search_documents", "project_id"), ("project_sectors", "project_id")):
        if table in names:
            db.session.execute(sa.text(f"DELETE FROM {table} WHERE {column} IN ({ids})"))
    db.session.execute(sa.text(f"DELETE FROM audit_events WHERE entity = 'project' AND entity_id IN ({ids})"))
    db.session.execute(sa.text(f"DELETE FROM import_batches WHERE catalogue_id = {int(catalogue_id)}"))
    db.session.execute(sa.text(f"DELETE FROM projects WHERE catalogue_id = {int(catalogue_id)}"))
    db.session.execute(sa.text(f"DELETE FROM catalogues WHERE id = {int(catalogue_id)}"))
    db.session.commit()


def _reupload_rows(rows: int, size: int, extra: dict) -> list[Row]:
    """The re-upload measurements for a sheet of `rows` rows, in a database that will hold
    `size` projects (reported as the row's size)."""
    from matchmaker.catalogue.models import Catalogue, Project
    from matchmaker.catalogue.operations import import_catalogue, import_context
    from matchmaker.catalogue.parser import parse_catalogue
    from matchmaker.catalogue.rowtypes import ParseOptions
    from matchmaker.extensions import db
    from matchmaker.reference.loaders import gazetteer, taxonomy
    from matchmaker.sheets import read_sheets

    runs = 3 if rows >= 100_000 else 5
    results = []
    data = catalogue_csv(rows)
    catalogue = Catalogue(name="bench reupload", year=2023, edition=edition_for_year(2023))
    start = time.perf_counter()
    report = import_catalogue(catalogue, data, "generated.csv", user=None)
    db.session.commit()
    first = (time.perf_counter() - start) * 1000
    assert report.committed and report.created == rows
    reading = time_runs(lambda: read_sheets(data, "generated.csv"), runs=runs, warmup=0)
    for changed_rows in (1, 1000):
        versions = [_changed(data, changed_rows, rows), data]
        ours, old = [], []
        for run in range(runs * 2):
            reread = run % 4 in (1, 2)  # ours, old, old, ours, ...; each run flips the file
            start = time.perf_counter()
            report = import_catalogue(catalogue, versions[run % 2], "generated.csv", user=None,
                                      reread=reread)
            db.session.commit()
            (old if reread else ours).append((time.perf_counter() - start) * 1000)
            assert (report.updated, report.unchanged) == (changed_rows, rows - changed_rows), \
                (report.updated, report.unchanged)
            assert report.recognised == (0 if reread else rows - changed_rows)
        known = dict(db.session.execute(
            sa.select(Project.row_fingerprint, Project.code).where(Project.catalogue_id == catalogue.id)
        ).all())
        parse = time_runs(functools.partial(
            parse_catalogue, versions[0], "generated.csv", taxonomy=taxonomy(), gazetteer=gazetteer(),
            options=ParseOptions(rates=catalogue.exchange_rates()), known=known,
            context=import_context()), runs=runs, warmup=0)
        mine, theirs = Timing(ours), Timing(old)
        results.append(Row.of(
            f"catalogue re-upload, {changed_rows} changed ({db.engine.dialect.name})", size,
            mine, theirs, "every row read (old path)",
            sheet_rows=rows, first_upload_ms=round(first), read_file_ms=round(reading.median),
            parse_with_fingerprints_ms=round(parse.median),
            not_reading_ms=round(mine.median - parse.median),
            read_file_share=f"{reading.median / mine.median:.0%}", **extra,
        ))
    return results


def register(registry) -> None:
    registry.add("catalogue re-upload changed rows", reupload_changed, sizes=(10_000, 100_000, 1_000_000),
                 reason="runs at 10000, 100000, and at 1000000 on PostgreSQL only (a 100,000-row "
                        "prefecture sheet into the national database)")
    registry.add("catalogue import demo xlsx", demo_xlsx, sizes=(220,))
    registry.add("catalogue import csv", generated_csv, sizes=(10_000, 100_000))
