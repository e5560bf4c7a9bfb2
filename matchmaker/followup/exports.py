"""The rates as an .xlsx in the layout provincial reports use: one sheet per breakdown
(市州, 产业, 签约活动, 投资方类型), a row per group and a 合计 row, each rate beside the counts
and amounts behind it; a sheet of the quarters. Cells through `sheets.safe_cell`."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from matchmaker.followup.rates import RateRow, Rates
from matchmaker.money import to_yi
from matchmaker.sheets import safe_cell

SHEETS = {"prefecture": "按市州 By prefecture", "sector": "按产业 By sector",
          "session": "按签约活动 By session", "investor_kind": "按投资方类型 By investor kind"}
HEADER = [
    "序号 No.", "分组 Group", "签约项目数 Agreements", "签约金额（亿元）Signed (亿元)",
    "履约项目数 Fulfilled", "履约率 Fulfilled %", "开工项目数 Started", "开工率 Started %",
    "投产项目数 In production", "投产率 In production %", "到位资金（亿元）Funds in place (亿元)",
    "资金到位率 Funds in place %", "停滞 Stalled", "终止 Terminated",
]


def _rate(value) -> Any:
    """A percentage as the fraction a '0.0%' cell shows (Decimal, exact)."""
    return value / 100 if value is not None else "—"


def _line(number: Any, row: RateRow) -> list[Any]:
    return [number, row.name, row.count, to_yi(row.signed_yuan), row.fulfilled,
            _rate(row.fulfilled_rate), row.started, _rate(row.started_rate), row.in_production,
            _rate(row.in_production_rate), to_yi(row.funds_yuan), _rate(row.funds_rate),
            row.stalled, row.terminated]


def _sheet(workbook: Workbook, title: str, rows: list[RateRow], whole: RateRow, caption: str,
           *, first: bool) -> None:
    sheet = workbook.active if first else workbook.create_sheet()
    sheet.title = title[:31]
    sheet.append([safe_cell(caption)])
    sheet.append([safe_cell(h) for h in HEADER])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for number, row in enumerate(rows, start=1):
        sheet.append([safe_cell(v) for v in _line(number, row)])
    sheet.append([safe_cell(v) for v in _line("合计 Total", whole)])
    for cells in sheet.iter_rows(min_row=3):
        for cell in cells:
            if cell.column in (6, 8, 10, 12) and not isinstance(cell.value, str):
                cell.number_format = "0.0%"
            elif cell.column in (4, 11):
                cell.number_format = "#,##0.00"
    sheet.freeze_panes = "C3"


def rates_workbook(rates: Rates) -> bytes:
    edition = rates.edition
    caption = (f"{edition.name} 签约项目履约情况 / {edition.name_en}: follow-through of signed "
               f"agreements" if getattr(edition, "id", None) is not None
               else "历届签约项目履约情况 / all editions: follow-through of signed agreements")
    if rates.linked:
        caption += f"（{rates.linked} 个重复签约已关联，只计一次 / {rates.linked} linked, counted once）"
    workbook = Workbook()
    for index, (name, title) in enumerate(SHEETS.items()):
        _sheet(workbook, title, rates.breakdowns.get(name, []), rates.whole, caption,
               first=index == 0)
    sheet = workbook.create_sheet("按季度 By quarter")
    sheet.append([safe_cell(h) for h in [
        "季度 Quarter", "季末 Quarter end", "开工项目数 Started", "开工率 Started %",
        "投产项目数 In production", "投产率 In production %",
        "到位资金（亿元）Funds in place (亿元)", "资金到位率 Funds in place %"]])
    for point in rates.quarters:
        sheet.append([safe_cell(v) for v in [
            point.label, point.ends_on, point.started, _rate(point.started_rate),
            point.in_production, _rate(point.in_production_rate), to_yi(point.funds_yuan),
            _rate(point.funds_rate)]])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
