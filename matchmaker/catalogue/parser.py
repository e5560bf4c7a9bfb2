"""Catalogue file (bytes) -> project rows, row errors, warnings (pure: no Flask, no DB).

Reading is `matchmaker.sheets`' (.xlsx/.xls/.ods with calamine, CSV in UTF-8/GBK). This
module reads the sheet the way an experienced provincial staff member does:

- the header row is found under the title rows; a two-row header (a merged parent over a
  column group, or a second row naming the columns under it) is read as one;
- each amount column's unit comes from its own header ('总投资（万元）'), else a merged
  parent header ('投资情况（万元）'), else a line of the sheet above the table ('单位：万元',
  '金额单位：亿元'); a unit written in a cell wins over all of them; the column mapping
  says where each unit came from;
- blank, subtotal (by the row's shape: a project numbered 12 named 'Total Energies …' is
  a project), section-heading and note rows are skipped, saying so;
- each remaining row becomes a `ParsedRow` or `RowError`s, with warnings for what a
  person must look at (approximate amounts, annotations, guessed places, fuzzy sectors)
  and a per-column summary for routine readings ('项目总投资: 1,247 cells in 万元').

Project codes (re-uploads update projects by (catalogue, code)):
- a 序号/编号 column present: its cell is the code ('3', '3.0' -> '3'); an empty cell is an error;
- no such column: 'N-' + the first 10 hex digits of sha1(compact(name)), stable as long as the
  name is.

Text is kept as written (full-width punctuation stays); comparisons use `text.compact`.
`parse_row` reads one row given as {field: value} (the project edit form uses it).

Row fingerprints (re-uploads cost what changed): each project row gets `fingerprint`, a
hash of its cells in the header's columns keyed by everything outside the row that gives
them their meaning - the column mapping with each column's unit and where it came from,
the sheet's unit, the options (rates, choices), PARSER_VERSION and the caller's `context`
(reference data, importer rules). Given `known` ({fingerprint: code} stored on the
catalogue's projects), a row with a known fingerprint is not parsed: it is listed in
`unchanged`, unless another row uses its code (then both are parsed and rejected as today).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter
from typing import Any

from matchmaker.amounts import (
    CNY,
    AmountError,
    ParsedAmount,
    _split_unit,
    is_pending,
    parse_amount,
    unit_from_header,
)
from matchmaker.catalogue.columns import AMOUNT_FIELDS, ColumnMapping, map_columns
from matchmaker.catalogue.duplicates import (
    DUPLICATE_AMOUNT_TOLERANCE,
    DUPLICATE_MIN_SCORE,
    find_duplicates,
    find_duplicates_within,
)
from matchmaker.catalogue.rowtypes import (
    DuplicateHint,
    ParsedRow,
    ParseError,
    ParseLimits,
    ParseOptions,
    ParseResult,
    RowError,
    RowWarning,
    SkippedRow,
    UnchangedRow,
    WarningSummary,
)
from matchmaker.i18n import N_, Message
from matchmaker.money import MAX_YUAN, YI, to_yi
from matchmaker.reference.taxonomy import Gazetteer, OutsideMatch, Taxonomy, mode_parts
from matchmaker.sheets import Sheet, cell_text, read_sheets
from matchmaker.text import compact, nfkc

__all__ = [
    "DUPLICATE_AMOUNT_TOLERANCE", "DUPLICATE_MIN_SCORE", "DuplicateHint", "ParseError",
    "ParseLimits", "ParseOptions", "ParseResult", "ParsedRow", "RowError", "RowWarning",
    "SkippedRow", "UnchangedRow", "WarningSummary", "find_duplicates", "find_duplicates_within",
    "parse_catalogue", "parse_row",
]

HEADER_SCAN_ROWS = 30
# Part of every row fingerprint: change it whenever a change to this module (or to what it
# calls: amounts, taxonomy, text) can read the same cells differently, so that the next
# upload of every catalogue is read again in full.
PARSER_VERSION = "2026-12-01.1"
# Sector labels that are not a name or alias of the taxonomy: a fuzzy candidate is taken
# (with a warning naming the candidates) only when it scores at least SECTOR_ACCEPT_SCORE
# and beats the runner-up (another sector) by SECTOR_MARGIN. Calibrated on 77 labelled
# real labels, see benchmarks/calibrate_sectors.py: tuning 51 labels, 0 forced into a
# wrong or any sector, 2 green labels missed; held out 26 labels, 1 forced ('煤电烟酒' ->
# 煤炭清洁高效利用, shown as a fuzzy reading), 0 missed.
SECTOR_ACCEPT_SCORE = 80.0
SECTOR_MARGIN = 12.0
REGION_MIN_SCORE = 75.0  # below (ambiguous or far-fetched): the location is rejected
ROWS_NAMED_AT_MOST = 5  # "used by more than one row (rows 2, 3, 4, 5, 6 and 7,995 more)"
UNCLASSIFIED_WORDS = {"未分类", "待分类", "未归类", "unclassified", "notclassified"}
# Where the label of a project kept unclassified is kept (an extra column); the name holds
# neither 产业 nor 行业, so it is never read back as the sector column.
UNCLASSIFIED_LABEL = "未归类标签"

TEXT_FIELDS = (
    "name_en", "summary_en", "construction_content", "market_outlook", "preparation_status", "owner",
    "contact_person",
)

# ------------------------------------------------------------------------------ cells

as_written = cell_text  # the name the rest of the project knows

_SUBTOTAL_RE = re.compile(r"^(合计|小计|总计|共计|累计|total|subtotal|grandtotal|sum)")
_SUBTOTAL_FIRST = set("合小总共累TtSs")
_NOTE_RE = re.compile(
    r"^(注[:：\d]|注$|备注|说明|数据来源|资料来源|填表|制表|审核|note|source|remark)", re.IGNORECASE
)
_HEADING_RE = re.compile(
    r"^([一二三四五六七八九十百]+[、.．]|[(（][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十\d]+[部分类篇章]"
    r"|[A-Za-z]?\d+[、.．]\D)|[(（]\d+个?[)）]$|\d+个[)）]?$"
)
_SHEET_UNIT_RE = re.compile(r"(?:金额|投资|资金)?单位\s*[:：]\s*([^\s,，;；:：)）]+)", re.IGNORECASE)
_ENGLISH_UNIT_RE = re.compile(r"\b(?:unit|units|amounts?\s+in|in)\s*[:：]?\s*((?:usd|rmb|cny|eur|hkd|us\$)\s*(?:million|billion|thousand)?|(?:million|billion)\s+(?:usd|yuan|rmb))", re.IGNORECASE)


def _sheet_unit(text: str) -> str | None:
    """The unit a line of the sheet states for the table: '单位：万元', '(金额单位:亿元)',
    '填报单位：遵义市投资促进局  单位：万元' -> '万元'; 'Unit: USD million'."""
    text = nfkc(text)
    for match in _SHEET_UNIT_RE.finditer(text):
        if _split_unit(match[1]):
            return match[1]
    match = _ENGLISH_UNIT_RE.search(text)
    if match and _split_unit(match[1]):
        return match[1]
    return None


# ------------------------------------------------------------------------------ header


@dataclass
class _Header:
    index: int  # 0-based row of the (last) header row
    rows: list[int]  # 0-based rows the header spans (two for a two-row header)
    columns: list[ColumnMapping]
    sheet_unit: str | None = None


def _fields(columns: list[ColumnMapping]) -> set[str]:
    return {c.field for c in columns if c.field}


def _acceptable(fields: set[str]) -> bool:
    return "name" in fields and bool(fields & {"total_investment", "investment_sought", "sectors"})


def _cell_above(sheet: Sheet, row: int, col: int) -> str:
    """The text over (row, col) in the row above, through a merged range."""
    if row <= 0:
        return ""
    merged = sheet.merged_over(row - 1, col)
    r, c = (merged[0], merged[1]) if merged else (row - 1, col)
    values = sheet.rows[r] if r < len(sheet.rows) else ()
    return cell_text(values[c]) if c < len(values) else ""


def _is_pure_unit(text: str) -> bool:
    unit = unit_from_header(text) or (text.strip("()（） ") if _split_unit(text.strip("()（） ")) else None)
    if not unit:
        return False
    rest = nfkc(text).replace(unit, "")
    return not compact(re.sub(r"单位|[()（）:：]", "", rest))


def _combined_cells(sheet: Sheet, index: int, cells: list[str]) -> list[str] | None:
    """Row `index` read together with the row above as one header, or None when the row
    above is not part of a header (blank, or a title)."""
    above = [cell_text(v) for v in sheet.rows[index - 1]]
    if len({c for c in above if c}) < 2:
        return None
    width = max(len(cells), len(above))
    combined = []
    for col in range(width):
        child = cells[col] if col < len(cells) else ""
        parent = _cell_above(sheet, index, col)
        if not child:
            combined.append(parent)
        elif parent and _is_pure_unit(child):
            combined.append(f"{parent}（{child.strip('()（） ')}）")
        else:
            combined.append(child)
    return combined


def _find_header(sheet: Sheet) -> _Header | None:
    best: tuple[tuple[int, int, int], _Header] | None = None
    for index, row in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
        cells = [cell_text(v) for v in row]
        if sum(1 for c in cells if c) < 2:
            continue
        candidates = [(cells, [index], 1)]
        if index > 0:
            combined = _combined_cells(sheet, index, cells)
            if combined is not None:
                candidates.append((combined, [index - 1, index], 0))
        for texts, rows, prefer in candidates:
            columns = map_columns(list(texts))
            fields = _fields(columns)
            if not _acceptable(fields):
                continue
            units = sum(1 for c in columns if c.field in AMOUNT_FIELDS and c.unit)
            rank = (len(fields), units, prefer)
            if best is None or rank > best[0]:
                best = (rank, _Header(index, rows, columns))
    if best is None:
        return None
    header = best[1]
    if len(header.rows) == 1 and _is_parent_row(sheet, header.index):
        header.rows = [header.index - 1, header.index]
    _assign_units(sheet, header)
    return header


def _table_width(sheet: Sheet, index: int) -> int:
    cells = [cell_text(v) for v in sheet.rows[index]]
    return max((i + 1 for i, c in enumerate(cells) if c), default=0)


def _is_parent_row(sheet: Sheet, index: int) -> bool:
    """The row above the header is its first row: a merged parent over a column group
    ('投资情况（万元）' over 项目总投资 | 拟引资金额), not a title over the whole table."""
    if index == 0:
        return False
    above = index - 1
    if len({cell_text(v) for v in sheet.rows[above] if cell_text(v)}) < 2:
        return False
    width = _table_width(sheet, index)
    for first_row, first_col, last_row, last_col in sheet.merged:
        if first_row == above and last_row >= index:
            return True  # '序号' merged down over both header rows
        if first_row == above == last_row and last_col - first_col + 1 < max(width - 1, 2):
            return True
    return False


def _assign_units(sheet: Sheet, header: _Header) -> None:
    """Units for amount columns whose header names none: a parent header over the column
    ('投资情况（万元）'), else a line of the sheet above the table ('单位：万元') or a unit
    cell of the header row."""
    first = header.rows[0]
    sheet_unit = None
    for index in range(header.index + 1):
        for value in sheet.rows[index]:
            text = cell_text(value)
            if text and (unit := _sheet_unit(text)):
                if index >= first and not compact(text).startswith(("单位", "金额单位")):
                    continue  # a header cell ('投资（单位：万元）') is that column's own unit
                sheet_unit = sheet_unit or unit
    header.sheet_unit = sheet_unit
    columns = []
    for column in header.columns:
        if column.field in AMOUNT_FIELDS and not column.unit:
            unit, source = None, None
            if len(header.rows) > 1:
                found = unit_from_header(_cell_above(sheet, header.index, column.index))
                if found:
                    unit, source = found, "parent header"
            if unit is None and sheet_unit:
                unit, source = sheet_unit, "sheet"
            if unit:
                column = dataclasses.replace(column, unit=unit, unit_source=source)
        columns.append(column)
    header.columns = columns


def _stable_code(name: str) -> str:
    return "N-" + hashlib.sha1(compact(name).encode("utf-8")).hexdigest()[:10]


# ------------------------------------------------------------------------------ rows


class _RowParser:
    def __init__(
        self,
        columns: list[ColumnMapping],
        taxonomy: Taxonomy,
        gazetteer: Gazetteer,
        options: ParseOptions,
    ) -> None:
        self.columns = columns
        self.by_field = {c.field: c for c in columns if c.field}
        self.index_of = {name: c.index for name, c in self.by_field.items()}
        self.text_indexes = [(name, self.index_of.get(name, 1 << 30)) for name in TEXT_FIELDS]
        self.extra_columns = [c for c in columns if c.field is None]
        self.taxonomy = taxonomy
        self.gazetteer = gazetteer
        self.options = options
        self.rates = dict(options.rates)
        self.errors: list[RowError] = []
        self.warnings: list[RowWarning] = []
        self.counts: Counter[tuple[str, str, tuple[tuple[str, Any], ...]]] = Counter()
        self.labels = {c.index: c.header_text or _column_letter(c.index) for c in columns}
        self._mode_memo: dict[str, list[tuple[str, str | None]]] = {}
        self._sector_memo: dict[str, tuple[list[str], list[Message], list[Message], list[str]]] = {}
        self._location_memo: dict[str, Any] = {}
        self.sought_missing = "investment_sought" not in self.by_field

    # -- recording

    def _header(self, fieldname: str) -> str:
        column = self.by_field.get(fieldname)
        return column.header_text if column else ""

    def _error(self, row: int, fieldname: str, cell: Any, template: str, **params: Any) -> None:
        self.errors.append(
            RowError(row, self._header(fieldname), as_written(cell), Message(template, params), fieldname)
        )

    def _warn(self, row: int, fieldname: str, template: str, **params: Any) -> None:
        self.warnings.append(
            RowWarning(row, self._header(fieldname), Message(template, params), fieldname)
        )

    def _count(self, fieldname: str, template: str, **params: Any) -> None:
        self.counts[(fieldname, template, tuple(sorted(params.items())))] += 1

    def summary(self) -> list[WarningSummary]:
        result = []
        for (fieldname, template, params), count in sorted(
            self.counts.items(), key=lambda item: (self._order(item[0][0]), item[0][1], item[0][2])
        ):
            result.append(
                WarningSummary(
                    self._header(fieldname), count,
                    Message(template, {"count": count, **dict(params)}), fieldname,
                )
            )
        return result

    def _order(self, fieldname: str) -> int:
        column = self.by_field.get(fieldname)
        return column.index if column else 10_000

    # -- cells

    def _cell(self, values: Sequence[Any], fieldname: str) -> Any:
        index = self.index_of.get(fieldname, 1 << 30)
        return values[index] if index < len(values) else None

    def _text(self, cells: list[str], fieldname: str) -> str:
        index = self.index_of.get(fieldname, 1 << 30)
        return cells[index] if index < len(cells) else ""

    def _amount(self, row: int, fieldname: str, values: Sequence[Any]) -> tuple[bool, ParsedAmount | None]:
        """(readable, amount): (True, None) for a blank cell, (False, None) when rejected."""
        value = self._cell(values, fieldname)
        column = self.by_field.get(fieldname)
        if is_pending(value):
            return True, None  # the caller decides: a pending total is a warning
        try:
            parsed = parse_amount(
                value,
                header_unit=column.unit if column else None,
                rates=self.rates,
                max_yuan=MAX_YUAN,
                allow_annotation=True,
            )
        except AmountError as exc:
            self.errors.append(
                RowError(row, self._header(fieldname), as_written(value), exc.message, fieldname)
            )
            return False, None
        if parsed is None:
            return True, None
        if parsed.currency != CNY:
            self._count(
                fieldname, N_("%(count)d cells in %(unit)s, converted at %(rate)s yuan per %(currency)s."),
                unit=parsed.unit, rate=f"{parsed.rate:f}", currency=parsed.currency,
            )
        elif parsed.unit != "亿元":
            if parsed.unit_source == "cell" and column is not None and column.unit:
                self._count(fieldname, N_("%(count)d cells written in %(unit)s, not the column's unit."),
                            unit=parsed.unit)
            else:
                self._count(fieldname, N_("%(count)d cells in %(unit)s."), unit=parsed.unit)
        if parsed.approximate:
            self._warn(
                row, fieldname, N_("%(value)s is approximate; recorded as %(yi)s亿元."),
                value=parsed.original, yi=_yi_text(parsed.yuan),
            )
        if parsed.annotation:
            self._warn(
                row, fieldname, N_("%(value)s read as %(yi)s亿元; the rest (%(note)s) is a note, not an amount."),
                value=parsed.original, yi=_yi_text(parsed.yuan), note=parsed.annotation,
            )
        return True, parsed

    def _sectors(self, row: int, value: Any) -> tuple[list[str] | None, list[str]]:
        """(codes or None when rejected, labels kept unclassified)."""
        text = as_written(value)
        if text not in self._sector_memo:
            self._sector_memo[text] = self._read_sectors(text)
        codes, errors, warnings, unknown = self._sector_memo[text]
        for message in warnings:
            self.warnings.append(RowWarning(row, self._header("sectors"), message, "sectors"))
        if unknown and self.options.keep_unclassified:
            self._warn(
                row, "sectors",
                N_("Sector %(value)s is not in the green-industry taxonomy; kept unclassified (classify it on the catalogue page)."),
                value="、".join(unknown),
            )
            return list(codes), unknown
        for message in errors:
            self.errors.append(RowError(row, self._header("sectors"), text, message, "sectors"))
        return (None if errors else list(codes)), []

    def _read_sectors(self, text: str) -> tuple[list[str], list[Message], list[Message], list[str]]:
        codes: list[str] = []
        errors: list[Message] = []
        warnings: list[Message] = []
        unknown: list[str] = []
        for part in self.taxonomy.split_cell(text):
            if compact(part) in UNCLASSIFIED_WORDS:
                continue
            matches = self.taxonomy.classify(part)
            code = None
            if matches and matches[0].exact:
                code = matches[0].code
            elif matches and _clear_winner(matches):
                code = matches[0].code
                warnings.append(
                    Message(
                        N_("Sector %(value)s read as %(sector)s (score %(score)s); candidates: %(candidates)s."),
                        {"value": part, "sector": self._sector_label(code),
                         "score": f"{matches[0].score:.0f}", "candidates": self._candidates(matches)},
                    )
                )
            if code is None:
                unknown.append(part)
                if self.taxonomy.is_outside(part):
                    errors.append(Message(
                        N_("Sector %(value)s is outside the green-industry taxonomy; no green sector is assigned."),
                        {"value": part},
                    ))
                elif matches:
                    errors.append(Message(
                        N_("Unknown sector %(value)s; closest: %(candidates)s."),
                        {"value": part, "candidates": self._candidates(matches)},
                    ))
                else:
                    errors.append(Message(N_("Unknown sector %(value)s."), {"value": part}))
                continue
            if code not in codes:
                codes.append(code)
        return codes, errors, warnings, unknown

    def _modes(self, cell: str) -> list[tuple[str, str | None]]:
        if cell not in self._mode_memo:
            self._mode_memo[cell] = mode_parts(cell)
        return self._mode_memo[cell]

    def _sector_label(self, code: str) -> str:
        sector = self.taxonomy.get(code)
        return f"{sector.name} ({code})" if sector else code

    def _candidates(self, matches: list[Any]) -> str:
        return ", ".join(f"{self._sector_label(m.code)} {m.score:.0f}" for m in matches[:3])

    def _location(self, row: int, location: str) -> tuple[bool, str | None, str | None]:
        """(ok, region code, province outside Guizhou)."""
        found = self._location_memo.get(location)
        if found is None:
            found = self.gazetteer.locate(location) or False
            self._location_memo[location] = found
        if isinstance(found, OutsideMatch):
            if self.options.accepts_outside:
                return True, None, found.province
            self._error(
                row, "location", location,
                N_("The location %(value)s is not in Guizhou (it is in %(province)s); this catalogue takes projects in Guizhou only."),
                value=location, province=found.province,
            )
            return False, None, None
        if not found or found.score < REGION_MIN_SCORE:
            self._error(
                row, "location", location,
                N_("The location %(value)s is not a known place in Guizhou."), value=location,
            )
            return False, None, None
        if found.score >= 100 and not found.written_prefecture_code and not found.written_as:
            if found.inferred and found.code != found.prefecture_code:
                self._count("location", N_("%(count)d locations name only the county; the prefecture was deduced."))
            return True, found.code, None
        region = self.gazetteer.get(found.code)
        prefecture = self.gazetteer.get(found.prefecture_code)
        region_name = region.name if region else found.code
        prefecture_name = prefecture.name if prefecture else found.prefecture_code
        if found.written_prefecture_code:
            written = self.gazetteer.get(found.written_prefecture_code)
            self._warn(
                row, "location",
                N_("Location %(value)s names %(region)s under %(written)s, but %(region)s is in %(prefecture)s; read as %(region)s, %(prefecture)s."),
                value=location, region=region_name,
                written=written.name if written else found.written_prefecture_code,
                prefecture=prefecture_name,
            )
        elif found.written_as:
            self._warn(
                row, "location",
                N_("Location %(value)s: Guizhou has no %(written)s; read as %(region)s, %(prefecture)s. Check the place is in Guizhou."),
                value=location, written=found.written_as, region=region_name, prefecture=prefecture_name,
            )
        elif found.score < 100:
            self._warn(
                row, "location", N_("Location %(value)s read as %(region)s, %(prefecture)s."),
                value=location, region=region_name, prefecture=prefecture_name,
            )
        elif found.inferred and found.code != found.prefecture_code:
            self._count("location", N_("%(count)d locations name only the county; the prefecture was deduced."))
        return True, found.code, None

    # -- one row

    def parse(self, row: int, values: Sequence[Any], cells: list[str]) -> ParsedRow | None:
        """`cells` are `values` as written (computed once by the caller)."""
        errors_before = len(self.errors)
        text = self._text

        name = text(cells, "name")
        if not name:
            self._error(row, "name", "", N_("The project name is missing."))

        if "code" in self.by_field:
            code = nfkc(text(cells, "code")).strip()
            if not code:
                self._error(row, "code", "", N_("The project number is missing."))
        else:
            code = _stable_code(name) if name else ""

        sectors: list[str] = []
        unclassified: list[str] = []
        if "sectors" in self.by_field:
            value = self._cell(values, "sectors")
            written = as_written(value)
            if not written:
                if self.options.keep_unclassified:
                    self._warn(row, "sectors", N_("No sector given; kept unclassified (classify it on the catalogue page)."))
                else:
                    self._error(row, "sectors", value, N_("The sector is missing."))
            else:
                codes, unclassified = self._sectors(row, value)
                sectors = codes or []
                if codes == [] and not unclassified:
                    self._count("sectors", N_("%(count)d rows marked unclassified."))

        location = text(cells, "location")
        region_code = province = None
        if "location" in self.by_field:
            if not location:
                self._error(row, "location", "", N_("The location is missing."))
            else:
                _, region_code, province = self._location(row, location)

        _, total = self._amount(row, "total_investment", values)
        total_cell = self._cell(values, "total_investment")
        if total is None and is_pending(total_cell):
            self._warn(
                row, "total_investment", N_("The total investment %(value)s is not known yet; left empty."),
                value=as_written(total_cell),
            )
        if self.sought_missing:
            sought, ok_sought = self._sought_from_total(row, total, total_cell)
        else:
            ok_sought, sought = self._amount(row, "investment_sought", values)
            sought_cell = self._cell(values, "investment_sought")
            if sought is None and ok_sought:
                if is_pending(sought_cell):
                    self._error(row, "investment_sought", sought_cell,
                                N_("The investment sought %(value)s is not known yet; the catalogue needs a figure."),
                                value=as_written(sought_cell))
                else:
                    self._error(row, "investment_sought", "", N_("The investment sought is missing."))
        if sought is not None and sought.yuan <= 0:
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
        foreign = {a.currency for a in (total, sought) if a is not None and a.currency != CNY}
        if len(foreign) > 1:
            self._error(
                row, "investment_sought", sought.original if sought else "",
                N_("The amounts of this row are in %(currencies)s; write both in one currency."),
                currencies=" and ".join(sorted(foreign)),
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
        width = len(cells)
        texts = {f: cells[i] if i < width else "" for f, i in self.text_indexes}
        extra = {
            self.labels[c.index]: cells[c.index]
            for c in self.extra_columns
            if c.index < len(cells) and cells[c.index]
        }
        if unclassified:
            extra[UNCLASSIFIED_LABEL] = "、".join(unclassified)
        currency = next(iter(foreign), CNY)
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
            currency=currency,
            exchange_rate=self.rates.get(currency) if currency != CNY else None,
            total_investment_original=total.amount_original if total and total.currency != CNY else None,
            investment_sought_original=sought.amount_original if sought.currency != CNY else None,
            province=province,
            **texts,
        )

    def _sought_from_total(self, row: int, total: ParsedAmount | None, total_cell: Any) -> tuple[ParsedAmount | None, bool]:
        if not self.options.sought_from_total or "total_investment" not in self.by_field:
            self.errors.append(RowError(
                row, "", "",
                Message(N_("The sheet has no investment-sought column (拟引资金额); choose “investment sought = total investment” to import it.")),
                "investment_sought",
            ))
            return None, False
        if total is None:
            if not any(e.row == row and e.field == "total_investment" for e in self.errors[-3:]):
                self._error(row, "total_investment", total_cell,
                            N_("The total investment is missing; it is used as the investment sought."))
            return None, False
        return total, True


def _clear_winner(
    matches: list[Any], threshold: float = SECTOR_ACCEPT_SCORE, margin: float = SECTOR_MARGIN
) -> bool:
    """A fuzzy sector candidate is taken only above the calibrated score and clearly ahead
    of the best candidate for another sector (no ties)."""
    best = matches[0]
    if best.score < threshold:
        return False
    runner_up = next((m for m in matches[1:] if m.code != best.code), None)
    return runner_up is None or best.score - runner_up.score >= margin


def sector_for_label(
    taxonomy: Taxonomy, label: str, threshold: float = SECTOR_ACCEPT_SCORE, margin: float = SECTOR_MARGIN
) -> str | None:
    """The sector code the importer gives one label, or None (rejected / unclassified)."""
    matches = taxonomy.classify(label)
    if not matches:
        return None
    if matches[0].exact or _clear_winner(matches, threshold, margin):
        return matches[0].code
    return None


def _yi_text(yuan: Decimal) -> str:
    """Amount in 亿元 for messages: exact when short ('0.5'), else two decimals."""
    exact = (yuan / YI).normalize()
    if exact == exact.to_integral_value():
        return f"{exact.quantize(Decimal(1)):f}"
    text = f"{exact:f}"
    return text if len(text.split(".")[1]) <= 4 else f"{to_yi(yuan):f}"


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _classify(
    cells: list[str], parser: _RowParser, header_keys: list[str], after_note: bool
) -> Message | None:
    """Why a row is not a project row (None: it is one)."""
    filled = [(i, c) for i, c in enumerate(cells) if c]
    if not filled:
        return Message(N_("Blank row."))
    first = filled[0][1]
    first_key = compact(first)
    code_col = parser.by_field.get("code")
    name_col = parser.by_field.get("name")
    code = cells[code_col.index] if code_col is not None and code_col.index < len(cells) else ""
    name = cells[name_col.index] if name_col is not None and name_col.index < len(cells) else ""
    if code[:1] in _SUBTOTAL_FIRST and _SUBTOTAL_RE.match(compact(code)):
        return Message(N_("Subtotal or total row."))
    # 'Total…' in the name column is a subtotal only when the row has no number of its
    # own and the name is short (合计, 小计（15个）, Total of Zunyi): 'TotalEnergies solar
    # plant' numbered 12 is a project
    if name[:1] in _SUBTOTAL_FIRST and _SUBTOTAL_RE.match(compact(name)):
        if not code and len(compact(name)) <= 16:
            return Message(N_("Subtotal or total row."))
    elif first_key[:1] in _SUBTOTAL_FIRST and _SUBTOTAL_RE.match(first_key) and len(first_key) <= 12 and not code:
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


# ------------------------------------------------------------------------------ fingerprints


def _fingerprint_key(header: _Header, options: ParseOptions, context: str) -> bytes:
    """Everything outside a row that changes what its cells mean, as one hash key."""
    described = {
        "parser": PARSER_VERSION,
        "context": context,
        "columns": [[c.index, c.field, c.header_text, c.unit, c.unit_source] for c in header.columns],
        "sheet_unit": header.sheet_unit,
        "rates": sorted((code, f"{rate:f}") for code, rate in options.rates.items()),
        "accepts_outside": options.accepts_outside,
        "keep_unclassified": options.keep_unclassified,
        "sought_from_total": options.sought_from_total,
    }
    text = json.dumps(described, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=32).digest()


class _Fingerprints:
    """`row_fingerprint` of a row's raw values in the header's columns (cells past the
    header are never read, so they are left out)."""

    def __init__(self, columns: Sequence[ColumnMapping], key: bytes) -> None:
        indexes = sorted({c.index for c in columns})
        self.width = (indexes[-1] + 1) if indexes else 0
        self.key = key
        pick = itemgetter(*indexes) if indexes else (lambda values: ())
        self.pick = pick if len(indexes) != 1 else (lambda values: (values[indexes[0]],))
        self.separators = max(len(indexes) - 1, 0)

    def __call__(self, values: Sequence[Any]) -> str:
        if len(values) < self.width:
            values = (*values, *([None] * (self.width - len(values))))
        picked = self.pick(values)
        try:
            # all text (every CSV cell): joined, 3x faster than repr; unambiguous while no
            # cell holds the separator (a control character), which the count checks
            text = "\x1e" + "\x1f".join(picked)
            if text.count("\x1f") != self.separators:
                text = repr(picked)
        except TypeError:  # numbers, dates, None: repr keeps types apart (3.0 and '3')
            text = repr(picked)
        return hashlib.blake2b(text.encode("utf-8", "backslashreplace"), digest_size=16,
                               key=self.key).hexdigest()


# ------------------------------------------------------------------------------ entry points


def _options(options: ParseOptions | None, usd_rate: Decimal | None) -> ParseOptions:
    options = options or ParseOptions()
    if usd_rate is not None and "USD" not in options.rates:
        options = dataclasses.replace(options, rates={**options.rates, "USD": usd_rate})
    return options


def parse_catalogue(
    data: bytes,
    filename: str,
    *,
    taxonomy: Taxonomy,
    gazetteer: Gazetteer,
    usd_rate: Decimal | None = None,
    options: ParseOptions | None = None,
    limits: ParseLimits = ParseLimits(),  # noqa: B008 - frozen, safe as a default
    known: Mapping[str, str] | None = None,
    context: str = "",
) -> ParseResult:
    """Read a catalogue file; raises `ParseError` when the whole file is refused.

    `known` ({row fingerprint: project code}): rows with one of these fingerprints are
    listed in `unchanged` instead of being parsed; `context` describes what outside the
    sheet gives its cells their meaning (see the module docstring)."""
    book = read_sheets(data, filename, limits)
    found = None
    any_rows = False
    for sheet in book.sheets:
        any_rows = any_rows or any(any(v not in (None, "") for v in r) for r in sheet.rows[:50])
        header = _find_header(sheet)
        if header is not None:
            found = (sheet, header)
            break
    if found is None:
        if not any_rows:
            raise ParseError(Message(N_("The file is empty.")))
        raise ParseError(
            Message(
                N_(
                    "No header row found: the first %(rows)d rows need a column named like "
                    "项目名称 / Project name and one like 拟引资金额 / 总投资 / 所属产业."
                ),
                {"rows": HEADER_SCAN_ROWS},
            )
        )
    sheet, header = found
    return _parse_rows(
        sheet, header, book.format, book.encoding, book.delimiter, taxonomy, gazetteer,
        _options(options, usd_rate), known or {}, context,
    )


def _parse_rows(
    sheet: Sheet,
    header: _Header,
    fmt: str,
    encoding: str | None,
    delimiter: str | None,
    taxonomy: Taxonomy,
    gazetteer: Gazetteer,
    options: ParseOptions,
    known: Mapping[str, str],
    context: str,
) -> ParseResult:
    parser = _RowParser(header.columns, taxonomy, gazetteer, options)
    fingerprint = _Fingerprints(header.columns, _fingerprint_key(header, options, context))
    skipped: list[SkippedRow] = []
    title_rows: list[int] = []
    for index in range(header.rows[0]):
        if any(v not in (None, "") for v in sheet.rows[index]):
            title_rows.append(index + 1)
            skipped.append(SkippedRow(index + 1, Message(N_("Title above the header."))))
    for index in header.rows[:-1]:
        skipped.append(SkippedRow(index + 1, Message(N_("First row of a two-row header."))))
    header_cells = [cell_text(v) for v in sheet.rows[header.index]]
    header_keys = [compact(c) for c in header_cells]

    rows: list[ParsedRow] = []
    codes: dict[str, list[int]] = defaultdict(list)
    code_values: dict[int, str] = {}
    after_note = False
    code_column = parser.by_field.get("code")
    recognised: list[UnchangedRow] = []  # rows with a known fingerprint
    name_index = parser.index_of.get("name", 1 << 30)

    def parse(row_number: int, values: Sequence[Any], cells: list[str], row_fingerprint: str) -> None:
        parsed = parser.parse(row_number, values, cells)
        code = parsed.code if parsed else (
            nfkc(cells[code_column.index]).strip() if code_column and code_column.index < len(cells) else ""
        )
        if code:
            codes[code].append(row_number)
            code_values[row_number] = code
        if parsed is not None:
            parsed.fingerprint = row_fingerprint
            rows.append(parsed)

    for index in range(header.index + 1, len(sheet.rows)):
        values = sheet.rows[index]
        row_number = index + 1
        row_fingerprint = fingerprint(values)
        if known:
            code = known.get(row_fingerprint)
            if code is not None:
                # a project row with these very cells last time (a note or a blank row
                # never gets a fingerprint stored): it reads the same, so it is not read
                recognised.append(UnchangedRow(
                    row_number, code, row_fingerprint, values[name_index] if name_index < len(values) else None,
                ))
                after_note = False
                continue
        cells = [cell_text(v) for v in values]
        reason = _classify(cells, parser, header_keys, after_note)
        if reason is not None:
            if reason.template == N_("Note below the table."):
                after_note = True
            skipped.append(SkippedRow(row_number, reason))
            continue
        after_note = False
        parse(row_number, values, cells, row_fingerprint)

    unchanged = recognised
    recognised_codes = {item.code for item in recognised}
    if len(recognised_codes) < len(recognised) or not recognised_codes.isdisjoint(codes):
        # another row uses the code of a recognised one: it is read like any other (and
        # both are rejected, as always)
        seen = Counter(item.code for item in recognised)
        unchanged = []
        for item in recognised:
            if seen[item.code] > 1 or item.code in codes:
                values = sheet.rows[item.row - 1]
                parse(item.row, values, [cell_text(v) for v in values], item.fingerprint)
            else:
                unchanged.append(item)
        recognised_codes = {item.code for item in unchanged}
        rows.sort(key=lambda r: r.row)
        parser.warnings.sort(key=lambda w: w.row)

    for same in codes.values():
        if len(same) < 2:
            continue
        same.sort()
        # one message per code, naming a few rows: 8,000 rows numbered 1 give 8,000 short
        # errors, not 8,000 lists of 8,000 rows
        named = ", ".join(map(str, same[:ROWS_NAMED_AT_MOST]))
        more = len(same) - ROWS_NAMED_AT_MOST
        message = Message(
            N_("Project number %(code)s is used by more than one row (rows %(rows)s)."),
            {"code": code_values[same[0]], "rows": named},
        ) if more <= 0 else Message(
            N_("Project number %(code)s is used by %(count)d rows (rows %(rows)s and %(more)d more)."),
            {"code": code_values[same[0]], "count": len(same), "rows": named, "more": more},
        )
        column = parser._header("code") or parser._header("name")
        for row_number in same:
            parser.errors.append(RowError(row_number, column, code_values[row_number], message, "code"))

    order = {id(e): i for i, e in enumerate(parser.errors)}
    errors = sorted(parser.errors, key=lambda e: (e.row, order[id(e)]))
    rejected = {e.row for e in errors}
    rows = [r for r in rows if r.row not in rejected]
    return ParseResult(
        format=fmt,
        encoding=encoding,
        delimiter=delimiter,
        sheet_name=sheet.name,
        header_row=header.index + 1,
        title_rows=title_rows,
        columns=header.columns,
        rows=rows,
        errors=errors,
        warnings=parser.warnings,
        skipped=sorted(skipped, key=lambda s: s.row),
        duplicates=find_duplicates_within(rows),
        summary=parser.summary(),
        options=options,
        sheet_unit=header.sheet_unit,
        header_rows=[i + 1 for i in header.rows],
        sought_column_missing=parser.sought_missing and "total_investment" in parser.by_field,
        unchanged=unchanged,
        unchanged_codes=recognised_codes,
    )


@dataclass
class RowOutcome:
    row: ParsedRow | None
    errors: list[RowError]
    warnings: list[RowWarning]


ROW_FIELDS = (
    "code", "name", "name_en", "summary_en", "sectors", "location", "total_investment", "investment_sought",
    "cooperation_modes", "construction_content", "market_outlook", "preparation_status",
    "owner", "contact_person", "contact_phone",
)


def parse_row(
    values: Mapping[str, Any],
    *,
    taxonomy: Taxonomy,
    gazetteer: Gazetteer,
    units: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
    options: ParseOptions | None = None,
    row: int = 1,
) -> RowOutcome:
    """Read one project given as {field: value} with the importer's own rules (amounts in
    `units` per amount field, e.g. {'total_investment': '亿元'}; sectors through the
    taxonomy, the location through the gazetteer). `headers` names the fields in messages."""
    units = units or {}
    headers = headers or {}
    fields = [f for f in ROW_FIELDS if f in values]
    columns = [
        ColumnMapping(i, headers.get(f, f), f, 100.0, units.get(f), "header" if units.get(f) else None)
        for i, f in enumerate(fields)
    ]
    parser = _RowParser(columns, taxonomy, gazetteer, _options(options, None))
    raw = [values[f] for f in fields]
    cells = [cell_text(v) for v in raw]
    parsed = parser.parse(row, raw, cells)
    return RowOutcome(parsed, parser.errors, parser.warnings)
