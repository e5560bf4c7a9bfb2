"""Catalogue export to .xlsx and .csv in the layout the importer reads back.

Layout: a title row, then one header row with Chinese names (amounts in 亿元, the unit in
the header), one row per project. Importing an exported file gives the same projects.

Text cells that a spreadsheet would run as a formula (beginning with =, +, -, @, or a tab
or carriage return) are neutralised by `safe_cell` with a leading apostrophe; the importer
removes exactly that apostrophe again (`unneutralise`).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from openpyxl import Workbook

from matchmaker.money import YI
from matchmaker.reference.labels import joined
from matchmaker.reference.taxonomy import Taxonomy
from matchmaker.reference.vocabulary import CooperationMode
from matchmaker.spreadsheet import safe_cell

_SEPARATORS = set("、，,;；/／|｜\n")


# (field, header): the headers are names the column recogniser maps back to the field.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("code", "序号"),
    ("name", "项目名称"),
    ("name_en", "英文名称"),
    ("sectors", "所属产业"),
    ("location", "建设地点"),
    ("total_investment", "总投资（亿元）"),
    ("investment_sought", "拟引资金额（亿元）"),
    ("cooperation_modes", "合作方式"),
    ("construction_content", "建设内容"),
    ("market_outlook", "市场前景"),
    ("preparation_status", "项目进展"),
    ("owner", "项目业主"),
    ("contact_person", "联系人"),
    ("contact_phone", "联系电话"),
)


@dataclass(frozen=True)
class ExportProject:
    """What an exported row needs (plain data: no database objects)."""

    code: str
    name: str
    name_en: str
    sector_codes: Sequence[str]
    location: str
    total_investment_yuan: Decimal | None
    investment_sought_yuan: Decimal
    cooperation_modes: Sequence[str]
    construction_content: str = ""
    market_outlook: str = ""
    preparation_status: str = ""
    owner: str = ""
    contact_person: str = ""
    contact_phone: str = ""
    extra: dict[str, Any] | None = None


def sector_label(taxonomy: Taxonomy, code: str) -> str:
    """A label for the sector that reads back as exactly this code and holds no separator."""
    sector = taxonomy.get(code)
    if sector is None:
        return code
    for label in (sector.name, sector.name_en, *sector.aliases):
        if label and not (_SEPARATORS & set(label)) and taxonomy.exact(label) == code:
            return label
    return sector.name


def mode_text(codes: Iterable[str]) -> str:
    """Cooperation modes as the import format writes them, in Chinese: '合资、合作'."""
    return joined((CooperationMode(code) for code in codes), "zh")


def yi_value(yuan: Decimal | None, *, for_xlsx: bool) -> Any:
    """An amount in 亿元, exact: a number in .xlsx when a float holds it exactly, else text."""
    if yuan is None:
        return None
    yi = (yuan / YI).normalize()
    if yi == yi.to_integral_value():
        yi = yi.quantize(Decimal(1))
    if not for_xlsx:
        return f"{yi:f}"
    if yi == yi.to_integral_value() and abs(yi) < 10**15:
        return int(yi)
    as_float = float(yi)
    if Decimal(repr(as_float)) == yi:
        return as_float
    return f"{yi:f}亿元"


def headers(projects: Sequence[ExportProject]) -> tuple[list[str], list[str]]:
    """(standard headers, extra headers in first-seen order)."""
    extra: list[str] = []
    for project in projects:
        for key in project.extra or {}:
            if key not in extra:
                extra.append(key)
    return [header for _, header in COLUMNS], extra


def table(
    projects: Sequence[ExportProject], taxonomy: Taxonomy, *, for_xlsx: bool
) -> tuple[list[str], list[list[Any]]]:
    standard, extra = headers(projects)
    rows = []
    for project in projects:
        values: dict[str, Any] = {
            "code": project.code,
            "name": project.name,
            "name_en": project.name_en or "",
            "sectors": "、".join(sector_label(taxonomy, c) for c in project.sector_codes),
            "location": project.location,
            "total_investment": yi_value(project.total_investment_yuan, for_xlsx=for_xlsx),
            "investment_sought": yi_value(project.investment_sought_yuan, for_xlsx=for_xlsx),
            "cooperation_modes": mode_text(project.cooperation_modes),
            "construction_content": project.construction_content,
            "market_outlook": project.market_outlook,
            "preparation_status": project.preparation_status,
            "owner": project.owner,
            "contact_person": project.contact_person,
            "contact_phone": project.contact_phone,
        }
        row = [values[field] for field, _ in COLUMNS]
        row.extend((project.extra or {}).get(key, "") for key in extra)
        rows.append([safe_cell(v) for v in row])
    return [*standard, *extra], rows


def write_xlsx(title: str, projects: Sequence[ExportProject], taxonomy: Taxonomy) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="项目")
    header, rows = table(projects, taxonomy, for_xlsx=True)
    sheet.append([title])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_csv(title: str, projects: Sequence[ExportProject], taxonomy: Taxonomy) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens the Chinese text correctly."""
    header, rows = table(projects, taxonomy, for_xlsx=False)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([title])
    writer.writerow(header)
    writer.writerows(_csv_rows(rows))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_rows(rows: Iterable[list[Any]]) -> Iterable[list[str]]:
    for row in rows:
        yield ["" if v is None else str(v) for v in row]
