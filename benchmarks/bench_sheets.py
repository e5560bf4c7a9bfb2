"""Reading and importing .xlsx catalogues: python-calamine (what `matchmaker.sheets` uses)
against openpyxl read-only (the reader before it), at 20,000 and 100,000 rows.

    python -m benchmarks --only sheets --sizes 20000,100000

"read": bytes -> rows of every sheet. "import": the whole catalogue import (read, parse,
validate, write, reindex) with each reader plugged into `matchmaker.sheets`.
"""

from __future__ import annotations

import io
import time

from benchmarks import synthetic
from benchmarks.bench_catalogue import MODE_LABELS, _import
from benchmarks.harness import Row, Timing, temp_app, time_runs

HEADER = ["序号", "项目名称", "所属产业", "建设地点", "总投资（亿元）", "拟引资金额（亿元）", "合作方式", "建设内容"]


def catalogue_xlsx(size: int) -> bytes:
    """The real layout as .xlsx: a title row, then the header, amounts as numbers."""
    from pathlib import Path

    from openpyxl import Workbook

    from matchmaker.reference.taxonomy import Taxonomy

    taxonomy = Taxonomy.load(Path(__file__).resolve().parent.parent / "data" / "sectors.json")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("项目")
    sheet.append(["合成测试目录"])
    sheet.append(HEADER)
    for row in synthetic.projects(size):
        sector = taxonomy.get(row["sectors"][0]).name
        sheet.append([
            int(row["code"]) if row["code"].isdigit() else row["code"], row["name"], sector, row["location"],
            float(row["total_investment_yuan"] / 100_000_000), float(row["investment_sought_yuan"] / 100_000_000),
            MODE_LABELS[row["cooperation_modes"][0]], row["construction_content"],
        ])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def openpyxl_read_workbook(data: bytes, fmt: str, limits):
    """The baseline: openpyxl in read-only mode, rows as values (what the project used
    before python-calamine); merged ranges are left out, which only flatters it."""
    from openpyxl import load_workbook

    from matchmaker.sheets import Sheet, _fit_row, _too_many_rows

    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    sheets = []
    try:
        for worksheet in workbook.worksheets:
            worksheet.reset_dimensions()
            rows = []
            for row in worksheet.iter_rows(values_only=True):
                if len(rows) >= limits.max_rows:
                    raise _too_many_rows(limits)
                rows.append(_fit_row(row, limits))
            sheets.append(Sheet(worksheet.title, rows))
    finally:
        workbook.close()
    return sheets


class _Reader:
    """Swap `sheets._read_workbook` for the duration of a block."""

    def __init__(self, replacement) -> None:
        self.replacement = replacement

    def __enter__(self):
        from matchmaker import sheets

        self.original = sheets._read_workbook
        sheets._read_workbook = self.replacement

    def __exit__(self, *exc) -> None:
        from matchmaker import sheets

        sheets._read_workbook = self.original


def read(size: int) -> list[Row]:
    from matchmaker.sheets import read_sheets

    data = catalogue_xlsx(size)
    runs = 5 if size <= 20_000 else 3
    ours = time_runs(lambda: read_sheets(data, "c.xlsx"), runs=runs)
    with _Reader(openpyxl_read_workbook):
        theirs = time_runs(lambda: read_sheets(data, "c.xlsx"), runs=runs)
    return [Row.of("read .xlsx (calamine)", size, ours, theirs, "openpyxl read-only",
                   rows_per_s=round(size / (ours.median / 1000)), file_mb=round(len(data) / 1048576, 1))]


def imported(size: int) -> list[Row]:
    runs = 3 if size <= 20_000 else 1
    ours, theirs = [], []
    data = catalogue_xlsx(size)
    for _ in range(runs):
        with temp_app("sheets"):
            start = time.perf_counter()
            _import(data, "c.xlsx")
            ours.append((time.perf_counter() - start) * 1000)
        with temp_app("sheets-openpyxl"), _Reader(openpyxl_read_workbook):
            start = time.perf_counter()
            _import(data, "c.xlsx")
            theirs.append((time.perf_counter() - start) * 1000)
    return [Row.of("import .xlsx end to end (calamine)", size, Timing(ours), Timing(theirs),
                   "the same with openpyxl read-only", rows_per_s=round(size / (Timing(ours).median / 1000)))]


def register(registry) -> None:
    registry.add("sheets read xlsx", read, sizes=(20_000, 100_000))
    registry.add("sheets import xlsx", imported, sizes=(20_000, 100_000))
