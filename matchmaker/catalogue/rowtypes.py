"""What the catalogue parser gives back: rows, row errors, warnings, the whole result (pure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from matchmaker.catalogue.columns import ColumnMapping
from matchmaker.i18n import Message
from matchmaker.sheets import SheetError, SheetLimits, cell_text

ParseError = SheetError  # the whole file is refused; `message` says why
ParseLimits = SheetLimits

CNY = "CNY"


@dataclass(frozen=True)
class ParseOptions:
    """Choices the person importing makes (in the preview, or as CLI/API flags)."""

    rates: dict[str, Decimal] = field(default_factory=dict)  # yuan per unit, by currency
    accepts_outside: bool = False  # projects in other provinces are kept (no Guizhou region)
    keep_unclassified: bool = False  # a label outside the taxonomy leaves the project unclassified
    sought_from_total: bool = False  # no 拟引资 column: investment sought = total investment


@dataclass(frozen=True)
class SkippedRow:
    row: int
    reason: Message


@dataclass(frozen=True)
class RowError:
    row: int
    column: str  # the header as written ('' when the error concerns the whole row)
    value: str  # the cell as written
    reason: Message
    field: str | None = None  # the parser field ('investment_sought'), for forms


@dataclass(frozen=True)
class RowWarning:
    row: int
    column: str
    message: Message
    field: str | None = None


@dataclass(frozen=True)
class WarningSummary:
    """A routine reading counted per column instead of one warning per cell
    ('项目总投资: 1,247 cells in 万元')."""

    column: str
    count: int
    message: Message
    field: str | None = None


@dataclass(frozen=True)
class DuplicateHint:
    row: int
    other_row: int | None  # another row of the same file
    score: float
    project_id: Any = None  # an existing project (see `find_duplicates`)


@dataclass
class ParsedRow:
    row: int  # 1-based sheet row, as the user sees it
    code: str
    name: str
    sectors: list[str]
    location: str
    region_code: str | None
    total_investment_yuan: Decimal | None
    investment_sought_yuan: Decimal
    cooperation_modes: list[str]
    construction_content: str = ""
    market_outlook: str = ""
    preparation_status: str = ""
    owner: str = ""
    contact_person: str = ""
    contact_phone: str = ""
    name_en: str = ""
    summary_en: str = ""  # the English summary staff (or an English column) wrote
    extra: dict[str, str] = field(default_factory=dict)
    # amounts written in a foreign currency: the currency, its rate and the amounts as
    # written in it (None where that amount was written in yuan)
    currency: str = CNY
    exchange_rate: Decimal | None = None
    total_investment_original: Decimal | None = None
    investment_sought_original: Decimal | None = None
    province: str | None = None  # a project outside Guizhou (catalogue accepts them)
    fingerprint: str = ""  # parser `row_fingerprint` of the sheet row (stored on the project)


class UnchangedRow(NamedTuple):  # a tuple: made for nearly every row of a re-upload
    """A row whose fingerprint is the one stored on project `code` (parse_catalogue's
    `known`): it reads as that project reads now, so it was not parsed again."""

    row: int
    code: str
    fingerprint: str
    name_value: Any = None  # the name cell as read (see `name`)

    @property
    def name(self) -> str:
        """The name cell as written (made only for the rows a report lists)."""
        return cell_text(self.name_value)


@dataclass
class ParseResult:
    format: str  # 'xlsx' | 'xls' | 'ods' | 'csv'
    encoding: str | None  # csv: 'utf-8', 'utf-8-sig', 'gb18030', 'utf-16'
    delimiter: str | None  # csv: ',', '\t' or ';'
    sheet_name: str | None
    header_row: int
    title_rows: list[int]
    columns: list[ColumnMapping]
    rows: list[ParsedRow]
    errors: list[RowError]
    warnings: list[RowWarning]
    skipped: list[SkippedRow]
    duplicates: list[DuplicateHint]
    summary: list[WarningSummary] = field(default_factory=list)
    options: ParseOptions = field(default_factory=ParseOptions)
    sheet_unit: str | None = None  # '万元' from a line such as 单位：万元 above the header
    header_rows: list[int] = field(default_factory=list)  # two-row headers: both rows
    # no 拟引资 column but a 总投资 one: the preview offers "sought = total"
    sought_column_missing: bool = False
    # rows recognised by their fingerprint (parse_catalogue's `known`), in sheet order
    unchanged: list[UnchangedRow] = field(default_factory=list)
    unchanged_codes: set[str] = field(default_factory=set)  # their codes (one each)

    @property
    def usd_rate(self) -> Decimal | None:
        return self.options.rates.get("USD")

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors})

    @property
    def total_sought_yuan(self) -> Decimal:
        return sum((r.investment_sought_yuan for r in self.rows), Decimal(0))
