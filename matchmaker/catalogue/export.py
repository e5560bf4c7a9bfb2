"""Catalogue export to .xlsx and .csv in the layout the importer reads back.

Layout: a title row, then one header row with Chinese names (amounts in 亿元, the unit in
the header), one row per project. Importing an exported file gives the same projects:
amounts written in a foreign currency are written as such ('USD 1740 million', read at the
catalogue's rate), a project without a sector says 未分类, extra columns come back as extra
columns.

Every cell - the title, the headers (extra headers come from uploaded sheets) and the
values - goes through `sheets.safe_cell`: text a spreadsheet would run as a formula gets a
leading apostrophe (the importer removes exactly that apostrophe again) and control
characters .xlsx cannot hold are dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from matchmaker.money import YI
from matchmaker.reference.labels import joined
from matchmaker.reference.taxonomy import Taxonomy
from matchmaker.reference.vocabulary import CooperationMode
from matchmaker.sheets import write_csv as write_csv_rows
from matchmaker.sheets import write_xlsx as write_xlsx_sheets

UNCLASSIFIED = "未分类"  # the sector cell of a project kept without a sector

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
    ("summary_en", "英文简介"),
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
    summary_en: str = ""
    currency: str | None = None  # amounts written in a foreign currency (None: yuan)
    total_investment_original: Decimal | None = None
    investment_sought_original: Decimal | None = None


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


def foreign_text(amount: Decimal, currency: str) -> str:
    """An amount in a foreign currency as the importer reads it back exactly:
    'USD 1740 million' (the cell's own unit wins over the column's 亿元)."""
    millions = (amount / Decimal(1_000_000)).normalize()
    if millions == millions.to_integral_value():
        millions = millions.quantize(Decimal(1))
    return f"{currency} {millions:f} million"


def _amount(yuan: Decimal | None, original: Decimal | None, currency: str | None, for_xlsx: bool) -> Any:
    if original is not None and currency:
        return foreign_text(original, currency)
    return yi_value(yuan, for_xlsx=for_xlsx)


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
            "sectors": "、".join(sector_label(taxonomy, c) for c in project.sector_codes) or UNCLASSIFIED,
            "location": project.location,
            "total_investment": _amount(project.total_investment_yuan, project.total_investment_original,
                                        project.currency, for_xlsx),
            "investment_sought": _amount(project.investment_sought_yuan, project.investment_sought_original,
                                         project.currency, for_xlsx),
            "cooperation_modes": mode_text(project.cooperation_modes),
            "construction_content": project.construction_content,
            "market_outlook": project.market_outlook,
            "preparation_status": project.preparation_status,
            "owner": project.owner,
            "contact_person": project.contact_person,
            "contact_phone": project.contact_phone,
            "summary_en": project.summary_en,
        }
        row = [values[field] for field, _ in COLUMNS]
        row.extend((project.extra or {}).get(key, "") for key in extra)
        rows.append(row)
    return [*standard, *extra], rows


def _title(title: str, rates: dict[str, Decimal] | None) -> str:
    if not rates:
        return title
    listed = "，".join(f"{code} {rate:f}" for code, rate in sorted(rates.items()))
    return f"{title}　汇率（元）：{listed}"


def write_xlsx(
    title: str, projects: Sequence[ExportProject], taxonomy: Taxonomy, *, rates: dict[str, Decimal] | None = None
) -> bytes:
    header, rows = table(projects, taxonomy, for_xlsx=True)
    return write_xlsx_sheets([("项目", [[_title(title, rates)], header, *rows])])


def write_csv(
    title: str, projects: Sequence[ExportProject], taxonomy: Taxonomy, *, rates: dict[str, Decimal] | None = None
) -> bytes:
    """UTF-8 with a byte-order mark, so that Excel opens the Chinese text correctly."""
    header, rows = table(projects, taxonomy, for_xlsx=False)
    return write_csv_rows([[_title(title, rates)], header, *rows])
