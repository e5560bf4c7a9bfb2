"""One spreadsheet core (pure: no Flask, no database): reading and writing sheets.

Reading: .xlsx / .xlsm / .xls / .ods with python-calamine (a Rust reader, ~10x faster than
openpyxl and it opens the old binary .xls and OpenDocument files too), merged ranges
honoured; .csv / .tsv / .txt in UTF-8, UTF-8 with BOM, UTF-16 or GBK/GB18030, comma-,
tab- or semicolon-separated. Size, row and column limits are checked before a whole sheet
is materialised, and a zip whose members unpack to more than the limit is refused unread.

Writing: `safe_cell` is the one definition every export uses. Text beginning with
= + - @ (or a tab / carriage return) would run as a formula in Excel or WPS: it gets a
leading apostrophe, which the catalogue importer removes again (`unneutralise`). Control
characters that the .xlsx format cannot hold are dropped, so a stray one stored in a name
never makes an export fail. `write_xlsx` builds a workbook from plain rows through it.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from matchmaker.i18n import N_, Message

# ------------------------------------------------------------------------------ limits


class SheetError(ValueError):
    """The whole file cannot be read; `message` says why (translatable)."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class SheetLimits:
    max_rows: int = 200_000
    max_uncompressed_bytes: int = 200 * 1024 * 1024
    max_columns: int = 200


@dataclass
class Sheet:
    name: str | None
    rows: list[tuple[Any, ...]]  # index i is sheet row i + 1; '' and None both mean empty
    # (first_row, first_col, last_row, last_col), 0-based and inclusive
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)

    def merged_over(self, row: int, col: int) -> tuple[int, int, int, int] | None:
        """The merged range that covers (row, col), if any (0-based)."""
        for merged in self.merged:
            if merged[0] <= row <= merged[2] and merged[1] <= col <= merged[3]:
                return merged
        return None


@dataclass
class Book:
    format: str  # 'xlsx' | 'xls' | 'ods' | 'csv'
    sheets: list[Sheet]
    encoding: str | None = None  # csv only
    delimiter: str | None = None  # csv only


def _refuse(template: str, **params: Any) -> SheetError:
    return SheetError(Message(template, params))


def _too_many_rows(limits: SheetLimits) -> SheetError:
    return _refuse(
        N_("The file has more than %(max)d rows; split it into smaller files."),
        max=limits.max_rows,
    )


def _too_many_columns(limits: SheetLimits) -> SheetError:
    return _refuse(N_("The sheet has more than %(max)d columns."), max=limits.max_columns)


def _fit_row(row: Sequence[Any], limits: SheetLimits) -> tuple[Any, ...]:
    if len(row) > limits.max_columns:
        if any(v not in (None, "") for v in row[limits.max_columns :]):
            raise _too_many_columns(limits)
        row = row[: limits.max_columns]
    return tuple(row)


# ------------------------------------------------------------------------------ workbooks

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")


def _check_zip(data: bytes, limits: SheetLimits) -> str:
    """'xlsx' or 'ods' for a workbook zip; refuses damaged, foreign or oversized zips."""
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
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "content.xml" in names and "mimetype" in names:
        try:
            if archive.read("mimetype").strip() == b"application/vnd.oasis.opendocument.spreadsheet":
                return "ods"
        except (KeyError, zipfile.BadZipFile, OSError):
            pass
    raise _refuse(N_("The file is a zip archive but not an Excel workbook (.xlsx)."))


def _read_workbook(data: bytes, fmt: str, limits: SheetLimits) -> list[Sheet]:

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except Exception as exc:  # CalamineError and friends: a damaged or foreign file
        raise _refuse(N_("The file is not a valid Excel workbook (.xlsx).")) from exc
    sheets: list[Sheet] = []
    try:
        for meta in workbook.sheets_metadata:
            if str(getattr(meta, "typ", "")).rsplit(".", 1)[-1] not in ("WorkSheet", ""):
                continue  # chart sheets, macro sheets
            sheet = workbook.get_sheet_by_name(meta.name)
            height, width = sheet.end[0] + 1 if sheet.end else 0, sheet.end[1] + 1 if sheet.end else 0
            if height > limits.max_rows:
                raise _too_many_rows(limits)
            rows = [_fit_row(r, limits) for r in sheet.to_python(skip_empty_area=False)] if height else []
            merged = [
                (r0, c0, r1, c1) for (r0, c0), (r1, c1) in (sheet.merged_cell_ranges or [])
            ]
            del width
            sheets.append(Sheet(meta.name, rows, merged))
    except SheetError:
        raise
    except Exception as exc:
        raise _refuse(N_("The file is not a valid Excel workbook (.xlsx).")) from exc
    finally:
        workbook.close()
    for sheet in sheets:
        fill_merged_down(sheet)
    return sheets


def fill_merged_down(sheet: Sheet) -> None:
    """A vertically merged cell applies to every row of its block (its first column only:
    a title or section heading merged across the sheet stays one cell)."""
    rows = sheet.rows
    for first_row, first_col, last_row, _last_col in sheet.merged:
        if last_row <= first_row or first_row >= len(rows):
            continue
        source = rows[first_row]
        value = source[first_col] if first_col < len(source) else None
        for index in range(first_row + 1, min(last_row, len(rows) - 1) + 1):
            row = list(rows[index])
            if len(row) <= first_col:
                row.extend([None] * (first_col + 1 - len(row)))
            if row[first_col] in (None, ""):
                row[first_col] = value
                rows[index] = tuple(row)


# ------------------------------------------------------------------------------ text files


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding) for a text file in UTF-8, UTF-8 with BOM, UTF-16 or GBK/GB18030.

    The one decoder of the project: catalogue CSVs, investor lists and name lists."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise _refuse(
                N_("The text file is in an unknown encoding; save it as UTF-8 or GBK CSV.")
            ) from exc
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise _refuse(
                N_("The text file is in an unknown encoding; save it as UTF-8 or GBK CSV.")
            ) from exc
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


def sniff_delimiter(text: str) -> str:
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


def _read_csv(data: bytes, limits: SheetLimits) -> Book:
    if len(data) > limits.max_uncompressed_bytes:
        raise _refuse(
            N_("The file is larger than %(max)d MB."),
            max=limits.max_uncompressed_bytes // (1024 * 1024),
        )
    text, encoding = decode_text(data)
    if not text.strip():
        raise _refuse(N_("The file is empty."))
    delimiter = sniff_delimiter(text)
    rows: list[tuple[Any, ...]] = []
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if len(rows) >= limits.max_rows:
                raise _too_many_rows(limits)
            rows.append(_fit_row(row, limits))
    except csv.Error as exc:
        raise _refuse(N_("The CSV file cannot be read: %(detail)s"), detail=str(exc)) from exc
    return Book("csv", [Sheet(None, rows)], encoding, delimiter)


def read_sheets(
    data: bytes,
    filename: str,
    limits: SheetLimits = SheetLimits(),  # noqa: B008 - frozen, safe as a default
) -> Book:
    """Every sheet of a workbook, or the one sheet of a text file; raises `SheetError`."""
    lower = (filename or "").lower()
    if not data or not data.strip():
        raise _refuse(N_("The file is empty."))
    if data.startswith(_OLE_MAGIC):
        if len(data) > limits.max_uncompressed_bytes:
            raise _refuse(
                N_("The file is larger than %(max)d MB."),
                max=limits.max_uncompressed_bytes // (1024 * 1024),
            )
        return Book("xls", _read_workbook(data, "xls", limits))
    if data.startswith(_ZIP_MAGIC):
        fmt = _check_zip(data, limits)
        return Book(fmt, _read_workbook(data, fmt, limits))
    if lower.endswith(WORKBOOK_SUFFIXES):
        raise _refuse(N_("The file is not a valid Excel workbook (.xlsx)."))
    if lower.endswith(TEXT_SUFFIXES) or "." not in lower.rsplit("/", 1)[-1]:
        return _read_csv(data, limits)
    raise _refuse(
        N_(
            "Unsupported file type %(name)s; upload an Excel workbook (.xlsx, .xls, .ods) "
            "or a .csv file."
        ),
        name=filename,
    )


# ------------------------------------------------------------------------------ cells

# Control characters other than tab and line breaks: never part of a name or a figure,
# refused by the .xlsx format, and invisible to the person who pasted them.
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_SPACE_RE = re.compile(r"[ \t]{2,}|\t")


def cell_text(value: Any) -> str:
    """A cell as the user typed it: 3.0 -> '3', 8.51e10 -> '85100000000', dates ISO.

    Text is kept as written (full-width characters stay full-width): only the ends are
    trimmed, line breaks unified, runs of spaces inside a line made one space and control
    characters dropped. Normalisation for comparison is `text.compact`'s job."""
    if value.__class__ is str:  # the common case first: this runs for every cell
        if not value:
            return ""
        text = value
        if "\r" in text:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        if _CONTROL_RE.search(text):
            text = _CONTROL_RE.sub("", text)
        if "  " in text or "\t" in text or "\n" in text:
            lines = (_LINE_SPACE_RE.sub(" ", line).strip() for line in text.split("\n"))
            text = "\n".join(line for line in lines if line)
        return text.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return str(value)
        if value.is_integer() and abs(value) < 1e18:
            return str(int(value))
        return format(Decimal(repr(value)), "f")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (datetime, date, time)):
        if isinstance(value, datetime) and value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat()
    return cell_text(str(value))


# ------------------------------------------------------------------------------ writing

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NEUTRALISED_RE = re.compile(r"^'(?=[=+\-@\t\r])")


def strip_control(text: str) -> str:
    """The text without the control characters no spreadsheet cell may hold."""
    return _CONTROL_RE.sub("", text) if _CONTROL_RE.search(text) else text


def safe_cell(value: Any) -> Any:
    """A cell value no spreadsheet runs as a formula and .xlsx can hold; numbers and dates
    pass unchanged."""
    if isinstance(value, str):
        value = strip_control(value)
        if value.startswith(FORMULA_START):
            return "'" + value
    return value


def unneutralise(text: str) -> str:
    """Undo `safe_cell` on text read back from an exported file."""
    return _NEUTRALISED_RE.sub("", text, count=1) if text.startswith("'") else text


def safe_sheet_title(title: str, fallback: str = "Sheet") -> str:
    """A worksheet name .xlsx accepts: no []:*?/\\ or control characters, 31 characters."""
    cleaned = re.sub(r"[\[\]:*?/\\]", " ", strip_control(title or "")).strip().strip("'")
    return (cleaned or fallback)[:31]


def write_xlsx(sheets: Iterable[tuple[str, Iterable[Sequence[Any]]]]) -> bytes:
    """A workbook (write-only, streamed) with one sheet per (title, rows); every cell goes
    through `safe_cell`."""

    workbook = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title=safe_sheet_title(title))
        for row in rows:
            sheet.append([safe_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def write_csv(rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a byte-order mark (Excel then opens Chinese text correctly); cells go
    through `safe_cell` as in .xlsx, since spreadsheets run formulas from CSV too."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(["" if v is None else str(safe_cell(v)) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
