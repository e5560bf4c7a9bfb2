"""Catalogue file (bytes) -> project rows, row errors, warnings (pure: no Flask, no DB).

Reads the sheets provincial staff really send: .xlsx (read-only openpyxl, dimension record
ignored, merged cells read from the sheet XML) and .csv in UTF-8, UTF-8 with BOM or
GBK/GB18030, comma-, tab- or semicolon-separated. It finds the header row under the title
rows, recognises the columns (`columns.py`), skips blank, subtotal, section-heading and
note rows (saying so), and turns each remaining row into a `ParsedRow` or `RowError`s.

Project codes (re-uploads update projects by (catalogue, code)):
- a 序号/编号 column present: its cell is the code ('3', '3.0' -> '3'); an empty cell is an error;
- no such column: 'N-' + the first 10 hex digits of sha1(compact(name)), stable as long as the
  name is.

Warnings are given for every reading that changes what a cell says: amounts not written in
亿元 (converted, the result stated in 亿元), approximate amounts, sectors matched fuzzily,
regions deduced from a bare county name or a loose match, unrecognised cooperation modes.
A bare number in a column whose header says 亿元 is not a conversion and gives no warning.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

import numpy as np
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries
from rapidfuzz import fuzz, process

from matchmaker.amounts import AmountError, ParsedAmount, parse_amount
from matchmaker.catalogue.columns import ColumnMapping, map_columns
from matchmaker.i18n import N_, Message
from matchmaker.money import YI, to_yi
from matchmaker.reference.taxonomy import Gazetteer, Taxonomy, mode_parts
from matchmaker.text import clean, compact

HEADER_SCAN_ROWS = 30
SECTOR_MIN_SCORE = 70.0  # below: the sector is unknown and the row rejected
REGION_MIN_SCORE = 75.0  # below (ambiguous or far-fetched): the location is rejected
DUPLICATE_MIN_SCORE = 90.0
DUPLICATE_AMOUNT_TOLERANCE = Decimal("0.05")

TEXT_FIELDS = (
    "name_en", "construction_content", "market_outlook", "preparation_status", "owner",
    "contact_person",
)


# ------------------------------------------------------------------------------ results


class ParseError(ValueError):
    """The whole file is refused; `message` says why."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class ParseLimits:
    max_rows: int = 200_000
    max_uncompressed_bytes: int = 200 * 1024 * 1024
    max_columns: int = 200


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


@dataclass(frozen=True)
class RowWarning:
    row: int
    column: str
    message: Message


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
    extra: dict[str, str] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)


@dataclass
class ParseResult:
    format: str  # 'xlsx' | 'csv'
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
    usd_rate: Decimal | None = None

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({e.row for e in self.errors})

    @property
    def total_sought_yuan(self) -> Decimal:
        return sum((r.investment_sought_yuan for r in self.rows), Decimal(0))


# ------------------------------------------------------------------------------ reading


@dataclass
class _Sheet:
    name: str | None
    rows: list[tuple[Any, ...]]  # index i is sheet row i + 1


_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MERGE_RE = re.compile(rb"<(?:\w+:)?mergeCell\s[^>]*?ref=\"([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)\"")


def _refuse(template: str, **params: Any) -> ParseError:
    return ParseError(Message(template, params))


def _too_many_rows(limits: ParseLimits) -> ParseError:
    return _refuse(
        N_("The file has more than %(max)d rows; split it into smaller files."),
        max=limits.max_rows,
    )


def _fit_row(row: Sequence[Any], limits: ParseLimits) -> tuple[Any, ...]:
    if len(row) > limits.max_columns:
        if any(v not in (None, "") for v in row[limits.max_columns :]):
            raise _refuse(
                N_("The sheet has more than %(max)d columns."), max=limits.max_columns
            )
        row = row[: limits.max_columns]
    return tuple(row)


def _merged_ranges(archive: zipfile.ZipFile, path: str) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row) of every <mergeCell>, streamed (one pass)."""
    refs: set[bytes] = set()
    tail = b""
    with archive.open(path) as stream:
        while chunk := stream.read(1 << 20):
            buffer = tail + chunk
            refs.update(_MERGE_RE.findall(buffer))
            tail = buffer[-256:]
    ranges = []
    for ref in refs:
        if b":" in ref:
            bounds = range_boundaries(ref.decode())
            ranges.append(tuple(int(b) for b in bounds))  # type: ignore[arg-type]
    return ranges  # type: ignore[return-value]


def _fill_merged_down(rows: list[list[Any]], ranges: list[tuple[int, int, int, int]]) -> None:
    """A vertically merged cell applies to every row of its block (its first column only:
    a title or section heading merged across the sheet stays one cell)."""
    for min_col, min_row, _max_col, max_row in ranges:
        if max_row <= min_row or min_row > len(rows):
            continue
        value = rows[min_row - 1][min_col - 1] if min_col - 1 < len(rows[min_row - 1]) else None
        for r in range(min_row + 1, min(max_row, len(rows)) + 1):
            row = rows[r - 1]
            if len(row) < min_col:
                row.extend([None] * (min_col - len(row)))
            if row[min_col - 1] in (None, ""):
                row[min_col - 1] = value


def _read_xlsx(data: bytes, limits: ParseLimits) -> Iterator[_Sheet]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise _refuse(N_("The file is not a valid Excel workbook (.xlsx).")) from exc
    total = sum(info.file_size for info in infos)
    if total > limits.max_uncompressed_bytes:
        raise _refuse(
            N_(
                "The workbook unpacks to %(size)d MB, more than the %(max)d MB allowed; "
                "it may be damaged or malicious."
            ),
            size=total // (1024 * 1024),
            max=limits.max_uncompressed_bytes // (1024 * 1024),
        )
    names = {info.filename for info in infos}
    if "xl/workbook.xml" not in names:
        raise _refuse(N_("The file is a zip archive but not an Excel workbook (.xlsx)."))


    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on damaged files
        raise _refuse(N_("The file is not a valid Excel workbook (.xlsx).")) from exc
    try:
        for worksheet in workbook.worksheets:
            if not hasattr(worksheet, "reset_dimensions"):
                continue  # a chartsheet
            worksheet.reset_dimensions()  # the <dimension> record may lie
            rows: list[list[Any]] = []
            for row in worksheet.iter_rows(values_only=True):
                if len(rows) >= limits.max_rows:
                    raise _too_many_rows(limits)
                rows.append(list(_fit_row(row, limits)))
            path = getattr(worksheet, "_worksheet_path", None)
            if path:
                _fill_merged_down(rows, _merged_ranges(archive, path))
            yield _Sheet(worksheet.title, [tuple(r) for r in rows])
    except ParseError:
        raise
    except Exception as exc:
        raise _refuse(N_("The file is not a valid Excel workbook (.xlsx).")) from exc
    finally:
        workbook.close()


def _decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if b"\x00" in data[:4096]:
        raise _refuse(N_("The file is neither an Excel workbook (.xlsx) nor a CSV text file."))
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise _refuse(
            N_("The text file is in an unknown encoding; save it as UTF-8 or GBK CSV.")
        ) from exc


def _sniff_delimiter(text: str) -> str:
    lines = [line for line in text.splitlines()[:40] if line.strip()]
    best, best_score = ",", (-1, -1)
    for delimiter in ("\t", ",", ";"):
        counts = sorted(line.count(delimiter) for line in lines)
        if not counts:
            continue
        median = counts[len(counts) // 2]
        score = (median, sum(1 for c in counts if c == median))
        if median > 0 and score > best_score:
            best, best_score = delimiter, score
    return best


def _read_csv(data: bytes, limits: ParseLimits) -> tuple[_Sheet, str, str]:
    if len(data) > limits.max_uncompressed_bytes:
        raise _refuse(
            N_("The file is larger than %(max)d MB."),
            max=limits.max_uncompressed_bytes // (1024 * 1024),
        )
    text, encoding = _decode(data)
    if not text.strip():
        raise _refuse(N_("The file is empty."))
    delimiter = _sniff_delimiter(text)
    rows: list[tuple[Any, ...]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if len(rows) >= limits.max_rows:
                raise _too_many_rows(limits)
            rows.append(_fit_row(row, limits))
    except csv.Error as exc:
        raise _refuse(N_("The CSV file cannot be read: %(detail)s"), detail=str(exc)) from exc
    return _Sheet(None, rows), encoding, delimiter


# ------------------------------------------------------------------------------ cells


def as_written(value: Any) -> str:
    """A cell as the user typed it: 3.0 -> '3', 8.51e10 -> '85100000000', dates ISO."""
    if value.__class__ is str:  # the common case first: this runs for every cell
        return clean(value) if value else ""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e18:
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    if isinstance(value, (int, Decimal)):
        return format(value, "f") if isinstance(value, Decimal) else str(value)
    if isinstance(value, (datetime, date, time)):
        if isinstance(value, datetime) and value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat()
    return clean(value)


_SUBTOTAL_RE = re.compile(r"^(合计|小计|总计|共计|累计|total|subtotal|grandtotal|sum)")
_SUBTOTAL_FIRST = set("合小总共累TtSs")
_NOTE_RE = re.compile(
    r"^(注[:：\d]|注$|备注|说明|数据来源|资料来源|填表|制表|审核|note|source|remark)", re.IGNORECASE
)
_HEADING_RE = re.compile(
    r"^([一二三四五六七八九十百]+[、.．]|[(（][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十\d]+[部分类篇章]"
    r"|[A-Za-z]?\d+[、.．]\D)|[(（]\d+个?[)）]$|\d+个[)）]?$"
)


# ------------------------------------------------------------------------------ parsing


def _find_header(rows: list[tuple[Any, ...]]) -> tuple[int, list[ColumnMapping]] | None:
    best: tuple[int, int, list[ColumnMapping]] | None = None
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        cells = [as_written(v) for v in row]
        if sum(1 for c in cells if c) < 2:
            continue
        columns = map_columns(list(cells))
        fields = {c.field for c in columns if c.field}
        if "name" not in fields or not fields & {"total_investment", "investment_sought", "sectors"}:
            continue
        if best is None or len(fields) > best[1]:
            best = (index, len(fields), columns)
    return (best[0], best[2]) if best else None


def _stable_code(name: str) -> str:
    return "N-" + hashlib.sha1(compact(name).encode("utf-8")).hexdigest()[:10]


class _RowParser:
    def __init__(
        self,
        columns: list[ColumnMapping],
        taxonomy: Taxonomy,
        gazetteer: Gazetteer,
        usd_rate: Decimal | None,
    ) -> None:
        self.columns = columns
        self.by_field = {c.field: c for c in columns if c.field}
        self.extra_columns = [c for c in columns if c.field is None]
        self.taxonomy = taxonomy
        self.gazetteer = gazetteer
        self.usd_rate = usd_rate
        self.errors: list[RowError] = []
        self.warnings: list[RowWarning] = []
        self.labels = {c.index: c.header_text or _column_letter(c.index) for c in columns}
        self._mode_memo: dict[str, list[tuple[str, str | None]]] = {}
        self._sector_memo: dict[str, tuple[list[str], list[tuple[str, Message]], list[tuple[str, Message]]]] = {}

    def _cell(self, values: tuple[Any, ...], fieldname: str) -> Any:
        column = self.by_field.get(fieldname)
        if column is None or column.index >= len(values):
            return None
        return values[column.index]

    def _header(self, fieldname: str) -> str:
        column = self.by_field.get(fieldname)
        return column.header_text if column else ""

    def _error(self, row: int, fieldname: str, cell: Any, template: str, **params: Any) -> None:
        self.errors.append(
            RowError(row, self._header(fieldname), as_written(cell), Message(template, params))
        )

    def _warn(self, row: int, fieldname: str, template: str, **params: Any) -> None:
        self.warnings.append(RowWarning(row, self._header(fieldname), Message(template, params)))

    def _amount(self, row: int, fieldname: str, values: tuple[Any, ...]) -> tuple[bool, ParsedAmount | None]:
        value = self._cell(values, fieldname)
        column = self.by_field.get(fieldname)
        try:
            parsed = parse_amount(
                value, header_unit=column.unit if column else None, usd_rate=self.usd_rate
            )
        except AmountError as exc:
            self.errors.append(
                RowError(row, self._header(fieldname), as_written(value), exc.message)
            )
            return False, None
        if parsed is not None:
            if parsed.unit != "亿元":
                self._warn(
                    row,
                    fieldname,
                    N_("%(value)s read as %(unit)s: %(yi)s亿元."),
                    value=parsed.original,
                    unit=parsed.unit,
                    yi=_yi_text(parsed.yuan),
                )
            if parsed.approximate:
                self._warn(
                    row,
                    fieldname,
                    N_("%(value)s is approximate; recorded as %(yi)s亿元."),
                    value=parsed.original,
                    yi=_yi_text(parsed.yuan),
                )
        return True, parsed

    def _sectors(self, row: int, value: Any) -> list[str] | None:
        text = as_written(value)
        if text not in self._sector_memo:
            codes: list[str] = []
            errors: list[tuple[str, Message]] = []
            warnings: list[tuple[str, Message]] = []
            for part in self.taxonomy.split_cell(text):
                matches = self.taxonomy.match(part)
                if matches and matches[0].exact:
                    code = matches[0].code
                elif matches and matches[0].score >= SECTOR_MIN_SCORE:
                    code = matches[0].code
                    warnings.append(
                        (
                            part,
                            Message(
                                N_("Sector %(value)s read as %(sector)s (score %(score)s); candidates: %(candidates)s."),
                                {
                                    "value": part,
                                    "sector": self._sector_label(code),
                                    "score": f"{matches[0].score:.0f}",
                                    "candidates": self._candidates(matches),
                                },
                            ),
                        )
                    )
                else:
                    if matches:
                        reason = Message(
                            N_("Unknown sector %(value)s; closest: %(candidates)s."),
                            {"value": part, "candidates": self._candidates(matches)},
                        )
                    else:
                        reason = Message(N_("Unknown sector %(value)s."), {"value": part})
                    errors.append((part, reason))
                    continue
                if code not in codes:
                    codes.append(code)
            self._sector_memo[text] = (codes, errors, warnings)
        codes, errors, warnings = self._sector_memo[text]
        for _part, message in warnings:
            self.warnings.append(RowWarning(row, self._header("sectors"), message))
        for _part, message in errors:
            self.errors.append(RowError(row, self._header("sectors"), text, message))
        return None if errors else list(codes)

    def _modes(self, cell: str) -> list[tuple[str, str | None]]:
        if cell not in self._mode_memo:
            self._mode_memo[cell] = mode_parts(cell)
        return self._mode_memo[cell]

    def _sector_label(self, code: str) -> str:
        sector = self.taxonomy.get(code)
        return f"{sector.name} ({code})" if sector else code

    def _candidates(self, matches: list[Any]) -> str:
        return ", ".join(f"{self._sector_label(m.code)} {m.score:.0f}" for m in matches[:3])

    def _text(self, cells: list[str], fieldname: str) -> str:
        column = self.by_field.get(fieldname)
        if column is None or column.index >= len(cells):
            return ""
        return cells[column.index]

    def parse(self, row: int, values: tuple[Any, ...], cells: list[str]) -> ParsedRow | None:
        """`cells` are `values` as written (computed once by the caller)."""
        errors_before = len(self.errors)
        get = self._cell
        text = self._text

        name = text(cells, "name")
        if not name:
            self._error(row, "name", "", N_("The project name is missing."))

        if "code" in self.by_field:
            code = text(cells, "code")
            if not code:
                self._error(row, "code", "", N_("The project number is missing."))
        else:
            code = _stable_code(name) if name else ""

        sectors: list[str] = []
        if "sectors" in self.by_field:
            value = get(values, "sectors")
            if not as_written(value):
                self._error(row, "sectors", value, N_("The sector is missing."))
            else:
                sectors = self._sectors(row, value) or []

        location = text(cells, "location")
        region_code = None
        if "location" in self.by_field:
            if not location:
                self._error(row, "location", "", N_("The location is missing."))
            else:
                match = self.gazetteer.match_location(location)
                if match is None or match.score < REGION_MIN_SCORE:
                    self._error(
                        row, "location", location,
                        N_("The location %(value)s is not a known place in Guizhou."),
                        value=location,
                    )
                else:
                    region_code = match.code
                    if match.inferred or match.score < 100:
                        prefecture = self.gazetteer.get(match.prefecture_code)
                        region = self.gazetteer.get(match.code)
                        self._warn(
                            row, "location",
                            N_("Location %(value)s read as %(region)s, %(prefecture)s."),
                            value=location,
                            region=region.name if region else match.code,
                            prefecture=prefecture.name if prefecture else match.prefecture_code,
                        )

        _, total = self._amount(row, "total_investment", values)
        ok_sought, sought = self._amount(row, "investment_sought", values)
        if ok_sought and sought is None:
            self._error(row, "investment_sought", "", N_("The investment sought is missing."))
        elif sought is not None and sought.yuan <= 0:
            self._error(
                row, "investment_sought", sought.original,
                N_("The investment sought must be more than zero."),
            )
        if total is not None and sought is not None and total.yuan < sought.yuan:
            self._error(
                row, "total_investment", total.original,
                N_("The total investment (%(total)s亿元) is less than the investment sought (%(sought)s亿元)."),
                total=_yi_text(total.yuan), sought=_yi_text(sought.yuan),
            )

        modes: list[str] = []
        for part, mode in self._modes(text(cells, "cooperation_modes")):
            if mode is None:
                self._warn(
                    row, "cooperation_modes",
                    N_("Cooperation mode %(value)s is not a known mode; recorded as other."),
                    value=part,
                )
            mode = mode or "other"
            if mode not in modes:
                modes.append(mode)

        if len(self.errors) > errors_before or sought is None:
            return None
        texts = {f: text(cells, f) for f in TEXT_FIELDS}
        extra = {
            self.labels[c.index]: cells[c.index]
            for c in self.extra_columns
            if c.index < len(cells) and cells[c.index]
        }
        raw = {self.labels[c.index]: cells[c.index] for c in self.columns if c.index < len(cells)}
        return ParsedRow(
            row=row,
            code=code,
            name=name,
            sectors=sectors,
            location=location,
            region_code=region_code,
            total_investment_yuan=total.yuan if total else None,
            investment_sought_yuan=sought.yuan,
            cooperation_modes=modes,
            contact_phone=text(cells, "contact_phone"),
            extra=extra,
            raw=raw,
            **texts,
        )


def _yi_text(yuan: Decimal) -> str:
    """Amount in 亿元 for messages: exact when short ('0.5'), else two decimals."""
    exact = (yuan / YI).normalize()
    if exact == exact.to_integral_value():
        return f"{exact.quantize(Decimal(1)):f}"
    text = f"{exact:f}"
    return text if len(text.split(".")[1]) <= 4 else f"{to_yi(yuan):f}"


def _column_letter(index: int) -> str:
    return get_column_letter(index + 1)


def _classify(
    values: tuple[Any, ...], cells: list[str], parser: _RowParser, header_keys: list[str], after_note: bool
) -> Message | None:
    """Why a row is not a project row (None: it is one)."""
    filled = [(i, c) for i, c in enumerate(cells) if c]
    if not filled:
        return Message(N_("Blank row."))
    first = filled[0][1]
    first_key = compact(first)
    code_col = parser.by_field.get("code")
    name_col = parser.by_field.get("name")
    for column in (code_col, name_col):
        if column is not None and column.index < len(cells):
            cell = cells[column.index]
            if cell[:1] in _SUBTOTAL_FIRST and _SUBTOTAL_RE.match(compact(cell)):
                return Message(N_("Subtotal or total row."))
    if _SUBTOTAL_RE.match(first_key) and len(first_key) <= 12:
        return Message(N_("Subtotal or total row."))
    if len(filled) <= 2 and _NOTE_RE.match(first):
        return Message(N_("Note below the table."))
    if after_note and len(filled) == 1:
        return Message(N_("Note below the table."))
    first_index = filled[0][0]
    if first_index < len(header_keys) and first_key == header_keys[first_index]:
        if [compact(c) for c in cells[: len(header_keys)]] == header_keys:
            return Message(N_("The header repeated."))
    if len(filled) == 1:
        index, text = filled[0]
        in_name = name_col is not None and index == name_col.index
        if not in_name or _HEADING_RE.search(text):
            return Message(N_("Section heading: %(text)s"), {"text": text})
    return None


def parse_catalogue(
    data: bytes,
    filename: str,
    *,
    taxonomy: Taxonomy,
    gazetteer: Gazetteer,
    usd_rate: Decimal | None = None,
    limits: ParseLimits = ParseLimits(),  # noqa: B008 - frozen, safe as a default
) -> ParseResult:
    """Read a catalogue file; raises `ParseError` when the whole file is refused."""
    lower = filename.lower()
    if not data or not data.strip():
        raise _refuse(N_("The file is empty."))
    encoding = delimiter = None
    if data.startswith(_OLE_MAGIC) or lower.endswith(".xls"):
        raise _refuse(
            N_("Old Excel files (.xls) cannot be read; open the file in Excel and save it as .xlsx.")
        )
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        fmt = "xlsx"
        sheets: Iterator[_Sheet] = _read_xlsx(data, limits)
    elif lower.endswith((".xlsx", ".xlsm")):
        raise _refuse(N_("The file is not a valid Excel workbook (.xlsx)."))
    elif lower.endswith((".csv", ".txt", ".tsv")) or "." not in lower.rsplit("/", 1)[-1]:
        fmt = "csv"
        sheet, encoding, delimiter = _read_csv(data, limits)
        sheets = iter([sheet])
    else:
        raise _refuse(
            N_("Unsupported file type %(name)s; upload an .xlsx workbook or a .csv file."),
            name=filename,
        )

    found = None
    any_rows = False
    for sheet in sheets:
        any_rows = any_rows or any(any(v not in (None, "") for v in r) for r in sheet.rows[:50])
        header = _find_header(sheet.rows)
        if header is not None:
            found = (sheet, *header)
            break
    if found is None:
        if not any_rows:
            raise _refuse(N_("The file is empty."))
        raise _refuse(
            N_(
                "No header row found: the first %(rows)d rows need a column named like "
                "项目名称 / Project name and one like 拟引资金额 / 总投资 / 所属产业."
            ),
            rows=HEADER_SCAN_ROWS,
        )
    sheet, header_index, columns = found
    return _parse_rows(
        sheet, header_index, columns, fmt, encoding, delimiter, taxonomy, gazetteer, usd_rate
    )


def _parse_rows(
    sheet: _Sheet,
    header_index: int,
    columns: list[ColumnMapping],
    fmt: str,
    encoding: str | None,
    delimiter: str | None,
    taxonomy: Taxonomy,
    gazetteer: Gazetteer,
    usd_rate: Decimal | None,
) -> ParseResult:
    parser = _RowParser(columns, taxonomy, gazetteer, usd_rate)
    skipped: list[SkippedRow] = []
    title_rows: list[int] = []
    for index in range(header_index):
        if any(v not in (None, "") for v in sheet.rows[index]):
            title_rows.append(index + 1)
            skipped.append(SkippedRow(index + 1, Message(N_("Title above the header."))))
    header_cells = [as_written(v) for v in sheet.rows[header_index]]
    header_keys = [compact(c) for c in header_cells]

    rows: list[ParsedRow] = []
    codes: dict[str, list[int]] = defaultdict(list)
    code_values: dict[int, Any] = {}
    after_note = False
    for index in range(header_index + 1, len(sheet.rows)):
        values = sheet.rows[index]
        row_number = index + 1
        cells = [as_written(v) for v in values]
        reason = _classify(values, cells, parser, header_keys, after_note)
        if reason is not None:
            if reason.template == N_("Note below the table."):
                after_note = True
            skipped.append(SkippedRow(row_number, reason))
            continue
        after_note = False
        parsed = parser.parse(row_number, values, cells)
        code_column = parser.by_field.get("code")
        code = parsed.code if parsed else (
            cells[code_column.index] if code_column and code_column.index < len(cells) else ""
        )
        if code:
            codes[code].append(row_number)
            code_values[row_number] = code
        if parsed is not None:
            rows.append(parsed)

    duplicated = {r: rs for rs in codes.values() if len(rs) > 1 for r in rs}
    if duplicated:
        for row_number, same in sorted(duplicated.items()):
            parser.errors.append(
                RowError(
                    row_number,
                    parser._header("code") or parser._header("name"),
                    code_values[row_number],
                    Message(
                        N_("Project number %(code)s is used by more than one row (rows %(rows)s)."),
                        {"code": code_values[row_number], "rows": ", ".join(map(str, same))},
                    ),
                )
            )
        rows = [r for r in rows if r.row not in duplicated]

    order = {id(e): i for i, e in enumerate(parser.errors)}
    errors = sorted(parser.errors, key=lambda e: (e.row, order[id(e)]))
    rejected = {e.row for e in errors}
    rows = [r for r in rows if r.row not in rejected]
    return ParseResult(
        format=fmt,
        encoding=encoding,
        delimiter=delimiter,
        sheet_name=sheet.name,
        header_row=header_index + 1,
        title_rows=title_rows,
        columns=columns,
        rows=rows,
        errors=errors,
        warnings=parser.warnings,
        skipped=skipped,
        duplicates=find_duplicates_within(rows),
        usd_rate=usd_rate,
    )


# ------------------------------------------------------------------------------ duplicates


def _amount_close(a: Decimal | None, b: Decimal | None) -> bool:
    if a is None or b is None:
        return a is b
    high = max(a, b)
    return abs(a - b) <= high * DUPLICATE_AMOUNT_TOLERANCE


def _candidate_pairs(
    left_names: list[str],
    left_amounts: np.ndarray,
    right_names: list[str],
    right_amounts: np.ndarray,
    same_list: bool,
) -> Iterator[tuple[int, int, float]]:
    """(i, j, score) for name ratio >= DUPLICATE_MIN_SCORE among rows whose amounts are
    within the tolerance; both sides sorted by amount, compared block by block with cdist."""
    block = 512
    factor = 1 + float(DUPLICATE_AMOUNT_TOLERANCE) + 1e-9
    for start in range(0, len(left_names), block):
        stop = min(start + block, len(left_names))
        low = np.searchsorted(right_amounts, left_amounts[start] / factor, side="left")
        high = np.searchsorted(right_amounts, left_amounts[stop - 1] * factor, side="right")
        if same_list:
            low = max(low, start)
        if high <= low:
            continue
        scores = process.cdist(
            left_names[start:stop],
            right_names[low:high],
            scorer=fuzz.ratio,
            score_cutoff=DUPLICATE_MIN_SCORE,
            dtype=np.float32,
            workers=-1,
        )
        for i, j in zip(*np.nonzero(scores), strict=True):
            li, rj = start + int(i), low + int(j)
            if same_list and rj <= li:
                continue
            yield li, rj, round(float(scores[i, j]), 1)


def _by_region(items: list[tuple[Any, str, str | None, Decimal | None]]) -> dict[str | None, list[tuple[Any, str, Decimal | None]]]:
    groups: dict[str | None, list[tuple[Any, str, Decimal | None]]] = defaultdict(list)
    for key, name, region, amount in items:
        groups[region].append((key, compact(name), amount))
    for group in groups.values():
        group.sort(key=lambda item: item[2] if item[2] is not None else Decimal(-1))
    return groups


def _amount_array(group: list[tuple[Any, str, Decimal | None]]) -> np.ndarray:
    return np.array([float(a) if a is not None else -1.0 for _, _, a in group], dtype=np.float64)


def find_duplicates_within(rows: Sequence[ParsedRow]) -> list[DuplicateHint]:
    """Rows that are probably the same project as an earlier row of the same file: name
    ratio >= 90 on compact names, same region, investment sought within 5%."""
    groups = _by_region(
        [(r.row, r.name, r.region_code, r.investment_sought_yuan) for r in rows]
    )
    hints: list[DuplicateHint] = []
    for group in groups.values():
        if len(group) < 2:
            continue
        names = [name for _, name, _ in group]
        amounts = _amount_array(group)
        for i, j, score in _candidate_pairs(names, amounts, names, amounts, True):
            if _amount_close(group[i][2], group[j][2]):
                first, second = sorted((group[i][0], group[j][0]))
                hints.append(DuplicateHint(second, first, score))
    return sorted(hints, key=lambda h: (h.row, h.other_row))


def find_duplicates(
    rows: Sequence[ParsedRow],
    existing: Sequence[tuple[Any, str, str | None, Decimal | None]],
) -> list[DuplicateHint]:
    """Rows that are probably an existing project: `existing` holds
    (project_id, name, region_code, investment_sought_yuan); hints carry `project_id`."""
    new_groups = _by_region(
        [(r.row, r.name, r.region_code, r.investment_sought_yuan) for r in rows]
    )
    old_groups = _by_region(list(existing))
    hints: list[DuplicateHint] = []
    for region, group in new_groups.items():
        others = old_groups.get(region)
        if not others:
            continue
        for i, j, score in _candidate_pairs(
            [n for _, n, _ in group], _amount_array(group),
            [n for _, n, _ in others], _amount_array(others), False,
        ):
            if _amount_close(group[i][2], others[j][2]):
                hints.append(DuplicateHint(group[i][0], None, score, others[j][0]))
    return sorted(hints, key=lambda h: (h.row, str(h.project_id)))
