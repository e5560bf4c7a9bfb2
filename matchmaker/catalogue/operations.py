"""Catalogue business actions: import (one service for the page, the CLI and the API),
export, create, publish, and editing a single project.

`import_catalogue` parses the file with the pure parser, compares every valid row with the
catalogue's projects by (catalogue, code), and - unless it is a dry run or rejected rows
block it - writes everything in the caller's transaction with Core bulk statements:
new projects, changed fields, sector links, one AuditEvent per change, withdrawals the
user confirmed, the search index, and an ImportBatch with the report. Operations never
commit; every door rolls back on an exception, so a failure leaves nothing behind.

A re-upload costs what changed: one indexed read gives the code and stored row fingerprint
of every live project (a dict and a set, no object per project); rows whose fingerprint is
unchanged are not parsed, validated or compared (the parser lists them as unchanged), only
the other rows' projects are loaded (by number), the projects missing from the file are
found by a set difference of codes and loaded alone, the recognised rows' investment
sought is summed in SQL, and the possible duplicates of new rows are looked up through the
same index (same catalogue and region, investment sought within the 5 % the comparison
allows).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from operator import itemgetter
from typing import Any, NamedTuple

import sqlalchemy as sa
from flask import current_app
from openpyxl.utils import get_column_letter
from sqlalchemy.orm import selectinload

from matchmaker import signals
from matchmaker.accounts.operations import (
    covered_region_ids,
    require_province_level,
    require_region,
)
from matchmaker.amounts import AmountError, check_rate
from matchmaker.audit import AuditEvent, jsonable, record, snapshot
from matchmaker.catalogue import export as exporting
from matchmaker.catalogue.duplicates import DUPLICATE_AMOUNT_TOLERANCE, find_duplicates
from matchmaker.catalogue.models import (
    Catalogue,
    CatalogueStatus,
    ImportBatch,
    Project,
    ProjectStatus,
    ReviewState,
    project_sectors,
)
from matchmaker.catalogue.parser import UNCLASSIFIED_LABEL, parse_catalogue, parse_row
from matchmaker.catalogue.rowtypes import (
    ParsedRow,
    ParseError,
    ParseLimits,
    ParseOptions,
    ParseResult,
    RowError,
)
from matchmaker.db import among, money_sum, utcnow
from matchmaker.editions.models import Edition
from matchmaker.editions.operations import (
    EDITION_FIELDS,
    edition_for_year,
    ensure_edition,
    parse_year,
)
from matchmaker.editions.rates import effective_rates
from matchmaker.errors import Conflict, DomainError, NotFound
from matchmaker.extensions import db
from matchmaker.i18n import N_, Message, translate
from matchmaker.reference.loaders import (
    gazetteer,
    reference_digest,
    regions_by_code,
    sectors_by_code,
    taxonomy,
)
from matchmaker.reference.models import Region, Sector
from matchmaker.sheets import unneutralise
from matchmaker.storage import uploads

log = logging.getLogger(__name__)

LIST_LIMIT = 1000  # entries kept in each list of the report (the totals say how many in all)
CHUNK = 5000
IN_CHUNK = 5000  # values per IN list (`db.among`: one array on PostgreSQL)
# Part of every row fingerprint (with the parser's PARSER_VERSION): change it whenever a
# change to this module's row rules (lengths, scope, the values stored) can treat the same
# parsed row differently, so that the next upload reads every row again.
IMPORT_RULES_VERSION = "2026-12-01.1"

# Project fields an upload can change, and the parser field whose column must be present
# for the upload to say anything about them (a sheet without a contact column leaves the
# contacts alone).
COMPARED: tuple[tuple[str, str], ...] = (
    ("name", "name"),
    ("name_en", "name_en"),
    ("summary_en", "summary_en"),
    ("sectors", "sectors"),
    ("location", "location"),
    ("region_id", "location"),
    ("total_investment_yuan", "total_investment"),
    ("investment_sought_yuan", "investment_sought"),
    ("currency", "investment_sought"),
    ("exchange_rate", "investment_sought"),
    ("total_investment_original", "total_investment"),
    ("investment_sought_original", "investment_sought"),
    ("province", "location"),
    ("cooperation_modes", "cooperation_modes"),
    ("construction_content", "construction_content"),
    ("market_outlook", "market_outlook"),
    ("preparation_status", "preparation_status"),
    ("owner", "owner"),
    ("contact_person", "contact_person"),
    ("contact_phone", "contact_phone"),
    ("extra", "extra"),
)
TEXT_FIELDS = (
    "name", "name_en", "summary_en", "location", "construction_content", "market_outlook",
    "preparation_status", "owner", "contact_person", "contact_phone",
)
MAX_LENGTHS = {
    "code": 64, "name": 300, "name_en": 300, "location": 300, "owner": 300,
    "contact_person": 100, "contact_phone": 100,
}
PARSER_FIELD_OF = {"code": "code", **{f: c for f, c in COMPARED}}


class FileRefused(DomainError):
    """The whole file cannot be imported (type, size, encoding, no header...)."""

    code = "file_refused"
    status = 422


# ------------------------------------------------------------------------------ the report


@dataclass
class FieldChange:
    field: str
    before: Any
    after: Any


@dataclass
class RowChange:
    row: int
    project_id: int
    code: str
    name: str
    fields: list[FieldChange]


@dataclass
class ImportReport:
    catalogue: dict[str, Any]
    committed: bool
    dry_run: bool
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    rejected: list[RowError] = field(default_factory=list)
    warnings: list[Any] = field(default_factory=list)  # parser RowWarning
    summary: list[Any] = field(default_factory=list)  # parser WarningSummary (per column)
    # the explicit choices made for this import (recorded in the import history)
    choices: dict[str, bool] = field(default_factory=dict)
    sought_column_missing: bool = False
    duplicates: list[Any] = field(default_factory=list)  # parser DuplicateHint
    skipped: list[Any] = field(default_factory=list)  # parser SkippedRow
    columns: list[dict[str, Any]] = field(default_factory=list)
    new: list[dict[str, Any]] = field(default_factory=list)
    changes: list[RowChange] = field(default_factory=list)
    unchanged_rows: list[dict[str, Any]] = field(default_factory=list)
    missing: list[dict[str, Any]] = field(default_factory=list)
    file: dict[str, Any] = field(default_factory=dict)
    blocked: Message | None = None
    notes: list[Message] = field(default_factory=list)
    total_sought_yuan: Decimal = Decimal("0.00")
    batch_id: int | None = None
    # unchanged rows recognised by their fingerprint (not read again; counted in `unchanged`)
    recognised: int = 0

    @property
    def rejected_rows(self) -> list[int]:
        return sorted({e.row for e in self.rejected})

    def stored(self) -> dict[str, Any]:
        """JSON-ready, messages kept as {"template", "params"} (translated when shown).

        Every list holds at most LIST_LIMIT entries; `totals` says how many there are in
        all and `truncated` names the lists that were cut."""
        lists = {
            "rejected": self.rejected, "warnings": self.warnings, "duplicates": self.duplicates,
            "skipped": self.skipped, "changes": self.changes,
        }
        totals = {name: len(items) for name, items in lists.items()}
        totals.update(new=self.created, unchanged_rows=self.unchanged, missing=len(self.missing),
                      rejected_rows=len(self.rejected_rows))
        shown = {name: items[:LIST_LIMIT] for name, items in lists.items()}
        truncated = [name for name, items in lists.items() if len(items) > LIST_LIMIT]
        truncated += [name for name, count, items in (
            ("new", self.created, self.new), ("unchanged_rows", self.unchanged, self.unchanged_rows),
        ) if count > len(items)]
        return {
            "catalogue": self.catalogue,
            "committed": self.committed,
            "dry_run": self.dry_run,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "withdrawn": self.withdrawn,
            "rejected": [
                {"row": e.row, "column": e.column, "value": e.value[:200], "reason": _msg(e.reason)}
                for e in shown["rejected"]
            ],
            "warnings": [
                {"row": w.row, "column": w.column, "message": _msg(w.message)} for w in shown["warnings"]
            ],
            "warning_summary": [
                {"column": w.column, "field": w.field, "count": w.count, "message": _msg(w.message)}
                for w in self.summary
            ],
            "duplicates": [
                {"row": d.row, "project_id": d.project_id, "other_row": d.other_row, "score": d.score}
                for d in shown["duplicates"]
            ],
            "skipped": [{"row": s.row, "reason": _msg(s.reason)} for s in shown["skipped"]],
            "columns": self.columns,
            "new": self.new,
            "changes": [
                {
                    "row": c.row, "project_id": c.project_id, "code": c.code, "name": c.name,
                    "fields": [
                        {"field": f.field, "before": jsonable(f.before), "after": jsonable(f.after)}
                        for f in c.fields
                    ],
                }
                for c in shown["changes"]
            ],
            "unchanged_rows": self.unchanged_rows,
            "missing": self.missing,
            "file": self.file,
            "blocked": _msg(self.blocked) if self.blocked else None,
            "notes": [_msg(n) for n in self.notes],
            "total_sought_yuan": f"{self.total_sought_yuan:f}",
            "batch_id": self.batch_id,
            "choices": dict(self.choices),
            "sought_column_missing": self.sought_column_missing,
            "recognised": self.recognised,
            "totals": totals,
            "truncated": truncated,
        }

    def as_json(self) -> dict[str, Any]:
        """The import report of INTERFACES.md (and more), in the current user's language."""
        return translate_stored(self.stored())


def _msg(message: Message) -> dict[str, Any]:
    return {"template": message.template, "params": jsonable(message.params)}


def translate_stored(value: Any) -> Any:
    """Replace every stored message ({"template", "params"}) by its translation."""

    if isinstance(value, dict):
        if set(value) == {"template", "params"}:
            return translate(Message(value["template"], value["params"] or {}))
        return {k: translate_stored(v) for k, v in value.items()}
    if isinstance(value, list):
        return [translate_stored(v) for v in value]
    return value


def catalogue_json(catalogue: Catalogue) -> dict[str, Any]:
    projects, sought, no_english = (0, Decimal("0.00"), 0)
    if catalogue.id is not None:
        lacking = sa.func.sum(sa.case((sa.func.coalesce(Project.name_en, "") == "", 1), else_=0))
        projects, sought, no_english = db.session.execute(
            sa.select(sa.func.count(Project.id), money_sum(Project.investment_sought_yuan), lacking)
            .where(Project.catalogue_id == catalogue.id)
            .where(Project.status != ProjectStatus.WITHDRAWN)
        ).one()
    return {
        "id": catalogue.id,
        "name": catalogue.name,
        "year": catalogue.year,
        "edition": catalogue.edition.year if catalogue.edition is not None else catalogue.year,
        "status": (catalogue.status or CatalogueStatus.DRAFT).value,
        "usd_rate": f"{catalogue.usd_rate:f}" if catalogue.usd_rate is not None else None,
        "rates": {code: f"{rate:f}" for code, rate in sorted(catalogue.exchange_rates().items())},
        # where each rate comes from: the catalogue's own, or its edition's
        "rate_sources": {code: rate.source for code, rate in effective_rates(catalogue).items()},
        "accepts_outside": bool(catalogue.accepts_outside),
        "projects": projects or 0,
        "investment_sought_yuan": f"{(sought or Decimal('0.00')):f}",
        # projects whose English name no person has written (English pages show a draft)
        "without_english_name": int(no_english or 0),
        "review_state": (catalogue.review_state or ReviewState.DRAFT).value,
        "review_comment": catalogue.review_comment or "",
    }


# ------------------------------------------------------------------------------ uploads


def store_upload(data: bytes) -> str:
    """Keep the uploaded bytes until they are imported, where every machine can read them
    (`matchmaker.storage`); the key is their sha256, never the user's file name."""

    return uploads().put(data)


def stored_upload(batch: ImportBatch) -> bytes:

    data = uploads().get(batch.sha256)
    if data is None:
        raise NotFound(N_("The uploaded file is no longer available; upload it again."))
    return data


def parse_limits() -> ParseLimits:
    config = current_app.config
    default = ParseLimits()
    return ParseLimits(
        max_rows=int(config.get("CATALOGUE_MAX_ROWS", default.max_rows)),
        max_uncompressed_bytes=int(
            config.get("CATALOGUE_MAX_UNCOMPRESSED_BYTES", default.max_uncompressed_bytes)
        ),
        max_columns=int(config.get("CATALOGUE_MAX_COLUMNS", default.max_columns)),
    )


def check_upload_size(size: int) -> None:
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit and size > limit:
        raise FileRefused(
            N_("The file is %(size)s MB; uploads are limited to %(max)s MB."),
            field="file",
            size=f"{size / 1048576:.1f}",
            max=f"{limit / 1048576:.0f}",
        )


# ------------------------------------------------------------------------------ import


@dataclass
class _Existing:
    id: int
    code: str
    status: str
    row_fingerprint: str | None
    values: dict[str, Any]  # COMPARED fields, sectors as a set of codes


@dataclass
class _Keys:
    """What an import reads of every project its upload speaks for - the catalogue's live
    (not withdrawn) projects, of the account's prefectures when it is scoped: their codes
    and the row fingerprints stored on them, and nothing else."""

    known: dict[str, str]  # row fingerprint -> code (the projects that have one)
    codes: set[str]  # every one of them, with or without a fingerprint


def _stored_keys(catalogue_id: int | None, covered: set[int] | None) -> _Keys:
    """One statement on the covering index ix_projects_import_lookup (code and fingerprint
    only: no id, so PostgreSQL answers from the index), its rows taken from the driver's
    cursor as plain tuples and turned into a dict and a set in C (no result rows, no type
    processing, no object per project; the catalogue and region ids are ints written into
    the statement, so it needs no paramstyle)."""
    if catalogue_id is None or covered == set():
        return _Keys({}, set())
    sql = (f"SELECT row_fingerprint, code FROM projects WHERE catalogue_id = {int(catalogue_id)} "
           f"AND status <> '{ProjectStatus.WITHDRAWN.value}'")
    if covered is not None:
        sql += f" AND region_id IN ({', '.join(str(int(i)) for i in sorted(covered))})"
    result = db.session.connection().exec_driver_sql(sql)
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    known = dict(rows)  # the pairs as they came: no tuple made per project
    known.pop(None, None)  # the projects without a fingerprint
    return _Keys(known, set(map(itemgetter(1), rows)))


def _live_in_scope(table: sa.Table, catalogue_id: int, covered: set[int] | None) -> list[Any]:
    where = [table.c.catalogue_id == catalogue_id, table.c.status != ProjectStatus.WITHDRAWN.value]
    if covered is not None:
        where.append(table.c.region_id.in_(sorted(covered)))
    return where


def _recognised_sought(catalogue_id: int, covered: set[int] | None, recognised: set[str],
                       others: set[str]) -> Decimal:
    """The investment sought of the projects of the recognised rows, summed in SQL.

    The recognised projects are the live projects in scope with a fingerprint, less those
    the file did not recognise, which are all numbered in `others` (the codes of the rows
    read, and of the projects missing from the file): one aggregate over the index and one
    per IN list of `others` - or, when the recognised projects are fewer, one per IN list
    of theirs."""
    table = Project.__table__
    total = sa.select(money_sum(table.c.investment_sought_yuan)).where(
        *_live_in_scope(table, catalogue_id, covered), table.c.row_fingerprint.is_not(None))
    if len(others) < len(recognised):
        result = db.session.scalar(total) or Decimal("0.00")
        sign, codes = -1, sorted(others)
    else:
        result, sign, codes = Decimal("0.00"), 1, sorted(recognised)
    for start in range(0, len(codes), IN_CHUNK):
        part = db.session.scalar(total.where(among(table.c.code, codes[start : start + IN_CHUNK])))
        result += sign * (part or Decimal("0.00"))
    return result


class _Missing(NamedTuple):
    id: int
    code: str
    name: str
    status: str


def _by_code(catalogue_id: int, codes: Iterable[str], *columns: sa.Column) -> list[sa.Row]:
    """`columns` of the catalogue's projects numbered `codes`, one IN list at a time."""
    table = Project.__table__
    codes = sorted(codes)
    found: list[sa.Row] = []
    for start in range(0, len(codes), IN_CHUNK):
        found.extend(db.session.execute(
            sa.select(*columns).where(table.c.catalogue_id == catalogue_id,
                                      among(table.c.code, codes[start : start + IN_CHUNK]))
        ))
    return found


def _has_projects(catalogue_id: int | None) -> bool:
    """Whether the catalogue holds any project (withdrawn or another prefecture's too)."""
    if catalogue_id is None:
        return False
    table = Project.__table__
    return db.session.scalar(sa.select(table.c.id).where(table.c.catalogue_id == catalogue_id).limit(1)) \
        is not None


def _missing_projects(catalogue_id: int, codes: set[str]) -> list[_Missing]:
    """The projects numbered `codes` (live ones the file does not list), in id order."""
    table = Project.__table__
    rows = _by_code(catalogue_id, codes, table.c.id, table.c.code, table.c.name, table.c.status)
    return sorted((_Missing(*row) for row in rows), key=lambda m: m.id)


def _existing_projects(catalogue_id: int | None, codes: Sequence[str], live: int) -> dict[str, _Existing]:
    """The compared fields of the catalogue's projects numbered `codes` (any status, any
    prefecture); when `codes` are many against the `live` projects, the whole catalogue's
    are read at once instead of one IN list after another."""
    if catalogue_id is None or not codes:
        return {}
    table = Project.__table__
    columns = [table.c.id, table.c.code, table.c.status, table.c.row_fingerprint] + [
        table.c[name] for name, _ in COMPARED if name != "sectors"
    ]
    existing: dict[str, _Existing] = {}
    by_id: dict[int, _Existing] = {}
    query = sa.select(*columns).where(table.c.catalogue_id == catalogue_id)
    everything = len(codes) * 4 >= live
    chunks = [query] if everything else [
        query.where(among(table.c.code, codes[start : start + IN_CHUNK]))
        for start in range(0, len(codes), IN_CHUNK)
    ]
    for chunk in chunks:
        for row in db.session.execute(chunk):
            values = {name: row._mapping[name] for name, _ in COMPARED if name != "sectors"}
            values["sectors"] = set()
            item = _Existing(row.id, row.code, row.status, row.row_fingerprint, values)
            existing[row.code] = item
            by_id[row.id] = item
    if not by_id:
        return existing

    links = (
        sa.select(project_sectors.c.project_id, Sector.code)
        .join(Sector, Sector.id == project_sectors.c.sector_id)
    )
    if everything:
        links = [links.join(table, table.c.id == project_sectors.c.project_id)
                 .where(table.c.catalogue_id == catalogue_id)]
    else:
        ids = list(by_id)
        links = [links.where(among(project_sectors.c.project_id, ids[start : start + IN_CHUNK]))
                 for start in range(0, len(ids), IN_CHUNK)]
    for chunk in links:
        for project_id, code in db.session.execute(chunk):
            by_id[project_id].values["sectors"].add(code)
    return existing


def import_context() -> str:
    """What outside the sheet gives its cells their meaning here, for row fingerprints."""
    return f"importer {IMPORT_RULES_VERSION}; reference {reference_digest()}"


def _clean_row(row: ParsedRow) -> None:
    """Undo export neutralisation (a leading apostrophe before = + - @)."""
    row.code = unneutralise(row.code)
    for name in TEXT_FIELDS:
        setattr(row, name, unneutralise(getattr(row, name)))
    row.extra = {
        unneutralise(k): unneutralise(v) if isinstance(v, str) else v for k, v in row.extra.items()
    }


def _too_long(row: ParsedRow, headers: dict[str, str]) -> list[RowError]:
    errors = []
    for name, limit in MAX_LENGTHS.items():
        value = getattr(row, name) or ""
        if len(value) > limit:
            errors.append(
                RowError(
                    row.row,
                    headers.get(PARSER_FIELD_OF.get(name, name), ""),
                    value[:80],
                    Message(N_("The text is longer than %(max)d characters."), {"max": limit}),
                    name,
                )
            )
    return errors


def _outside_scope(row: ParsedRow, region_ids: dict[str, int], existing: dict[str, _Existing],
                   covered: set[int], headers: dict[str, str], names) -> RowError | None:
    """A scoped account's row placed outside its prefectures (or without a place), or one
    that would change another prefecture's project: rejected, with the reason."""
    column = headers.get("location", "")
    region_id = region_ids.get(row.region_code) if row.region_code else None
    if region_id is None or region_id not in covered:
        where = names["regions"].get(region_id) or row.location or "—"
        return RowError(row.row, column, (row.location or "")[:80], Message(N_(
            "%(place)s is outside the prefectures your account covers: upload only your "
            "prefecture's projects."), {"place": where}), "location")
    old = existing.get(row.code)
    if old is not None and old.values["region_id"] not in covered:
        return RowError(row.row, headers.get("code", ""), row.code, Message(N_(
            "Project number %(code)s belongs to another prefecture's list: it was not "
            "changed."), {"code": row.code}), "code")
    return None


def _new_values(row: ParsedRow, region_ids: dict[str, int]) -> dict[str, Any]:
    return {
        "name": row.name,
        "name_en": row.name_en or None,
        "summary_en": row.summary_en,
        "sectors": set(row.sectors),
        "location": row.location,
        "region_id": region_ids.get(row.region_code) if row.region_code else None,
        "total_investment_yuan": row.total_investment_yuan,
        "investment_sought_yuan": row.investment_sought_yuan,
        "currency": row.currency if row.currency != "CNY" else None,
        "exchange_rate": row.exchange_rate,
        "total_investment_original": row.total_investment_original,
        "investment_sought_original": row.investment_sought_original,
        "province": row.province,
        "cooperation_modes": list(row.cooperation_modes),
        "construction_content": row.construction_content,
        "market_outlook": row.market_outlook,
        "preparation_status": row.preparation_status,
        "owner": row.owner,
        "contact_person": row.contact_person,
        "contact_phone": row.contact_phone,
        "extra": dict(row.extra),
    }


def _display(fieldname: str, value: Any, names: dict[str, Any]) -> Any:
    """A before/after value as staff read it (region and sector names, amounts in yuan)."""
    if fieldname == "region_id":
        return names["regions"].get(value, value) if value is not None else None
    if fieldname == "sectors":
        return [names["sectors"].get(c, c) for c in sorted(value, key=names["sector_order"].get)]
    return jsonable(value)


def import_catalogue(
    catalogue: Catalogue,
    data: bytes,
    filename: str,
    *,
    user,
    dry_run: bool = False,
    skip_invalid: bool = False,
    confirm_withdraw: bool = False,
    progress=None,
    sought_from_total: bool = False,
    keep_unclassified: bool = False,
    reread: bool = False,
) -> ImportReport:
    """Parse `data` and apply it to `catalogue` (which may be new and not yet added: it is
    added only when something is written). Raises `FileRefused` when the whole file is
    refused; otherwise returns the report (and records an ImportBatch).

    `sought_from_total`: the sheet has no 拟引资 column and the person chose "investment
    sought = total investment" for every row. `keep_unclassified`: a sector label outside
    the taxonomy leaves the project without a sector (listed on the catalogue page for
    classification) instead of rejecting the row. Both are recorded in the report.
    `progress(phase, done, total)` hears how far it is (jobs, the CLI). `reread`: read
    every row, also those whose fingerprint is unchanged (the full path, for comparison)."""
    progress = progress or (lambda phase, done, total: None)
    progress("reading", 0, 0)

    check_upload_size(len(data))
    covered = covered_region_ids(user)  # None: the whole province
    # rows read as these projects read now are not read again: not a withdrawn project's
    # (its row comes back: reopened), nor another prefecture's (a scoped upload rejects it)
    keys = _stored_keys(catalogue.id, covered)
    known = {} if reread else keys.known
    try:
        result = parse_catalogue(
            data,
            filename,
            taxonomy=taxonomy(),
            gazetteer=gazetteer(),
            options=ParseOptions(
                rates=catalogue.exchange_rates(),
                accepts_outside=bool(catalogue.accepts_outside),
                keep_unclassified=keep_unclassified,
                sought_from_total=sought_from_total,
            ),
            limits=parse_limits(),
            known=known,
            context=import_context(),
        )
    except ParseError as error:
        raise FileRefused(error.message, field="file") from error

    regions = regions_by_code()
    sectors = sectors_by_code()
    region_ids = {code: r.id for code, r in regions.items()}
    names = {
        "regions": {r.id: r.name for r in regions.values()},
        "sectors": {code: s.name for code, s in sectors.items()},
        "sector_order": {code: (s.position, code) for code, s in sectors.items()},
    }
    headers = {c.field: c.header_text for c in result.columns if c.field}
    present = set(headers)
    if any(c.field is None for c in result.columns):
        present.add("extra")
    present |= {"name", "investment_sought"}

    existing = _existing_projects(catalogue.id, [r.code for r in result.rows], len(keys.codes))
    rejected = list(result.errors)
    rows: list[ParsedRow] = []
    for row in result.rows:
        _clean_row(row)
        too_long = _too_long(row, headers)
        outside = _outside_scope(row, region_ids, existing, covered, headers, names) \
            if covered is not None else None
        if too_long:
            rejected.extend(too_long)
        elif outside is not None:
            rejected.append(outside)
        else:
            rows.append(row)
    rejected.sort(key=lambda e: e.row)
    recognised = result.unchanged
    recognised_codes = result.unchanged_codes
    # live projects in scope (a prefecture's upload never withdraws another's) that the
    # file does not list: not recognised, and no valid row numbers them
    read_codes = {r.code for r in rows}
    missing_codes = keys.codes.difference(recognised_codes, read_codes)
    report = ImportReport(
        catalogue={},
        committed=False,
        dry_run=dry_run,
        rejected=rejected,
        warnings=list(result.warnings),
        summary=list(result.summary),
        choices={"sought_from_total": sought_from_total, "keep_unclassified": keep_unclassified},
        sought_column_missing=result.sought_column_missing,
        skipped=list(result.skipped),
        columns=_columns(result),
        file=_file_info(result, filename, data),
        total_sought_yuan=sum((r.investment_sought_yuan for r in rows), Decimal("0.00"))
        + (_recognised_sought(catalogue.id, covered, recognised_codes, read_codes | missing_codes)
           if recognised else 0),
        recognised=len(recognised),
    )

    creates: list[tuple[ParsedRow, dict[str, Any]]] = []
    updates: list[tuple[ParsedRow, _Existing, dict[str, Any], list[str]]] = []
    refingerprint: list[tuple[int, str]] = []  # unchanged projects read from a new fingerprint
    unchanged_rows: list[dict[str, Any]] = []
    for checked, row in enumerate(rows):
        if checked % 500 == 0:
            progress("checking", checked, len(rows))
        values = _new_values(row, region_ids)
        old = existing.get(row.code)
        if old is None:
            creates.append((row, values))
            if len(report.new) < LIST_LIMIT:
                report.new.append({
                    "row": row.row, "code": row.code, "name": row.name,
                    "investment_sought_yuan": f"{row.investment_sought_yuan:f}",
                })
            continue
        changed = [
            name for name, column in COMPARED
            if column in present and values[name] != old.values[name]
        ]
        if old.status == ProjectStatus.WITHDRAWN:
            changed.append("status")
        if changed:
            updates.append((row, old, values, changed))
            report.changes.append(
                RowChange(
                    row.row, old.id, row.code, row.name,
                    [
                        FieldChange(
                            name,
                            _display(name, old.values[name], names) if name != "status" else old.status,
                            _display(name, values[name], names) if name != "status" else ProjectStatus.OPEN.value,
                        )
                        for name in changed
                    ],
                )
            )
        else:
            if old.row_fingerprint != row.fingerprint:
                refingerprint.append((old.id, row.fingerprint))
            if len(unchanged_rows) < LIST_LIMIT:
                unchanged_rows.append(
                    {"row": row.row, "project_id": old.id, "code": row.code, "name": row.name}
                )
    listed = recognised[:LIST_LIMIT]  # cut after merging: sheet order, as before
    table = Project.__table__
    ids = dict(_by_code(catalogue.id, {item.code for item in listed}, table.c.code, table.c.id)) \
        if listed else {}
    for item in listed:
        unchanged_rows.append({"row": item.row, "project_id": ids[item.code],
                               "code": item.code, "name": unneutralise(item.name)})
    unchanged_rows.sort(key=lambda entry: entry["row"])
    report.unchanged_rows = unchanged_rows[:LIST_LIMIT]
    report.created, report.updated = len(creates), len(updates)
    report.unchanged = len(rows) - len(creates) - len(updates) + len(recognised)

    missing = _missing_projects(catalogue.id, missing_codes) if missing_codes else []
    withdraw = bool(confirm_withdraw and missing and not rejected)
    if confirm_withdraw and missing and rejected:
        report.notes.append(
            Message(N_("Projects missing from the file are withdrawn only from a file without rejected rows."))
        )
    report.missing = [
        {"project_id": o.id, "code": o.code, "name": o.name, "withdrawn": False} for o in missing
    ]

    report.duplicates = _duplicates(result, [r for r, _ in creates], catalogue.id if (
        keys.codes or existing or _has_projects(catalogue.id)) else None, region_ids)

    blocked = bool(rejected) and not skip_invalid
    if blocked:
        report.blocked = Message(
            N_(
                "%(count)d rows are rejected, so nothing was imported. Fix them and upload "
                "the file again, or choose to import the valid rows and skip the rest."
            ),
            {"count": len(report.rejected_rows)},
        )
    commit = not dry_run and not blocked
    if commit and catalogue.id is None:
        new_edition = catalogue.edition is not None and catalogue.edition.id is None
        db.session.add(catalogue)
        db.session.flush()
        if new_edition:
            record("create", "edition", catalogue.edition.id, user=user,
                   after=snapshot(catalogue.edition, EDITION_FIELDS))

    if commit:
        now = utcnow()
        user_id = getattr(user, "id", None)
        audit: list[dict[str, Any]] = []
        created_ids = _insert_projects(catalogue.id, creates, sectors, now, audit, user_id)
        _update_projects(updates, present, sectors, now, audit, user_id)
        _store_fingerprints(refingerprint)
        withdrawn_ids = []
        if withdraw:
            withdrawn_ids = _withdraw(missing, now, audit, user_id)
            for item in report.missing:
                item["withdrawn"] = True
            report.withdrawn = len(withdrawn_ids)
        for start in range(0, len(audit), CHUNK):
            db.session.execute(AuditEvent.__table__.insert(), audit[start : start + CHUNK])
        catalogue.source_filename = filename[:255]
        catalogue.source_sha256 = report.file["sha256"]
        if created_ids or updates or withdrawn_ids:
            reopen_review(catalogue)
        catalogue.updated_at = now
        db.session.flush()
        changed_ids = created_ids + [old.id for _, old, _, _ in updates] + withdrawn_ids
        # Core statements bypass the catalogue's flush hook: announce the rows ourselves
        # (search reindexes them, the matching matrix logs them for every worker).
        signals.send(signals.projects_written, changed_ids)
        # the Core statements bypassed the ORM: projects already loaded are stale
        for obj in list(db.session.identity_map.values()):
            if isinstance(obj, Project):
                db.session.expire(obj)
        report.committed = True

    progress("writing", len(rows), len(rows))
    report.catalogue = catalogue_json(catalogue)
    batch = ImportBatch(
        catalogue_id=catalogue.id,
        filename=filename[:255],
        sha256=report.file["sha256"],
        file_format=result.format,
        committed=report.committed,
        created_count=report.created,
        updated_count=report.updated,
        unchanged_count=report.unchanged,
        rejected_count=len(report.rejected_rows),
        user_id=getattr(user, "id", None),
    )
    db.session.add(batch)
    db.session.flush()
    report.batch_id = batch.id
    batch.report = report.stored()
    db.session.flush()
    log.info(
        "import %s into catalogue %s: committed=%s created=%d updated=%d unchanged=%d rejected=%d",
        filename, catalogue.id, report.committed, report.created, report.updated,
        report.unchanged, len(report.rejected_rows),
    )
    return report


def _columns(result: ParseResult) -> list[dict[str, Any]]:
    return [
        {
            "column": get_column_letter(c.index + 1),
            "header": c.header_text,
            "field": c.field,
            "unit": c.unit,
            "unit_source": c.unit_source,
            "score": c.score,
        }
        for c in result.columns
    ]


def _file_info(result: ParseResult, filename: str, data: bytes) -> dict[str, Any]:
    return {
        "filename": filename,
        "sha256": store_upload(data),
        "size": len(data),
        "format": result.format,
        "encoding": result.encoding,
        "delimiter": result.delimiter,
        "sheet": result.sheet_name,
        "header_row": result.header_row,
        "title_rows": result.title_rows,
        "header_rows": result.header_rows,
        "sheet_unit": result.sheet_unit,
        "usd_rate": f"{result.usd_rate:f}" if result.usd_rate is not None else None,
        "rates": {code: f"{rate:f}" for code, rate in sorted(result.options.rates.items())},
    }


# Investment sought of a possible duplicate, relative to the row's: `_amount_close` keeps
# b within 5 % of the larger amount, i.e. 0.95 a <= b <= a / 0.95; the range asked of the
# index is a little wider (a fen each way), and find_duplicates decides as before.
_LOW, _HIGH = Decimal(1) - DUPLICATE_AMOUNT_TOLERANCE, 1 / (Decimal(1) - DUPLICATE_AMOUNT_TOLERANCE)
_FEN = Decimal("0.01")


def duplicate_candidates(catalogue_id: int, rows: Sequence[ParsedRow],
                         region_ids: dict[str, int]) -> list[tuple[int, str, str | None, Decimal]]:
    """The catalogue's projects that may be a duplicate of one of `rows` - in the same
    region (or both without one) with an investment sought close enough - found through
    ix_projects_import_lookup instead of a pass over every project; in id order (the order
    `find_duplicates` breaks ties in), as (id, name, region code, investment sought)."""
    table = Project.__table__
    codes = {region_id: code for code, region_id in region_ids.items()}
    by_region: dict[int | None, list[Decimal]] = {}
    for row in rows:
        region_id = region_ids.get(row.region_code) if row.region_code else None
        by_region.setdefault(region_id, []).append(row.investment_sought_yuan)
    found: dict[int, tuple[int, str, str | None, Decimal]] = {}
    for region_id, amounts in by_region.items():
        ranges: list[list[Decimal]] = []  # merged, in order
        for amount in sorted(amounts):
            low, high = amount * _LOW - _FEN, amount * _HIGH + _FEN
            if ranges and low <= ranges[-1][1]:
                ranges[-1][1] = max(ranges[-1][1], high)
            else:
                ranges.append([low, high])
        region = table.c.region_id.is_(None) if region_id is None else table.c.region_id == region_id
        for start in range(0, len(ranges), 100):
            within = sa.or_(*(table.c.investment_sought_yuan.between(low.quantize(_FEN), high.quantize(_FEN))
                              for low, high in ranges[start : start + 100]))
            for pid, name, rid, sought in db.session.execute(
                sa.select(table.c.id, table.c.name, table.c.region_id, table.c.investment_sought_yuan)
                .where(table.c.catalogue_id == catalogue_id, region, within)
            ):
                found[pid] = (pid, name, codes.get(rid), sought)
    return [found[pid] for pid in sorted(found)]


def _duplicates(result: ParseResult, new_rows: list[ParsedRow], catalogue_id: int | None,
                region_ids: dict[str, int]) -> list:
    """Within the file (parser) and against existing projects, for rows that create one."""
    hints = list(result.duplicates)
    if catalogue_id is not None and new_rows:
        others = duplicate_candidates(catalogue_id, new_rows, region_ids)
        if others:
            hints.extend(find_duplicates(new_rows, others))
    return sorted(hints, key=lambda h: (h.row, h.other_row or 0, h.project_id or 0))


def _store_fingerprints(items: Sequence[tuple[int, str]]) -> None:
    """Unchanged projects whose row now has another fingerprint (read before the
    fingerprint existed, or under another header): only the fingerprint changes."""
    if not items:
        return
    table = Project.__table__
    statement = (
        sa.update(table).where(table.c.id == sa.bindparam("_id"))
        .values(row_fingerprint=sa.bindparam("_fingerprint"), updated_at=table.c.updated_at)
    )
    params = [{"_id": pid, "_fingerprint": fingerprint} for pid, fingerprint in items]
    for start in range(0, len(params), CHUNK):
        db.session.execute(statement, params[start : start + CHUNK])


def _row_columns(catalogue_id: int, values: dict[str, Any], row: ParsedRow, now: datetime) -> dict[str, Any]:
    return {
        "catalogue_id": catalogue_id,
        "code": row.code,
        **{k: v for k, v in values.items() if k != "sectors"},
        "status": ProjectStatus.OPEN.value,
        "row_fingerprint": row.fingerprint or None,
        "created_at": now,
        "updated_at": now,
    }


def _audit(action: str, project_id: int, user_id, now, before, after) -> dict[str, Any]:
    """An audit_events row; `before`/`after` must already be JSON-ready."""
    return {
        "at": now,
        "user_id": user_id,
        "action": action,
        "entity": "project",
        "entity_id": project_id,
        "before": before,
        "after": after,
    }


def _audit_values(values: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    return jsonable({f: sorted(values[f]) if f == "sectors" else values[f] for f in fields})


def _reserve_ids(count: int, first_row: dict[str, Any]) -> list[int]:
    """Ids for `count` new projects; inserts `first_row` (which takes the first id).

    PostgreSQL: the ids come from the table's sequence (nextval, safe with concurrent
    writers). SQLite: the first insert takes the database's write lock, so no one else can
    insert until we commit and the next ids follow the first one."""
    table = Project.__table__
    if db.engine.dialect.name == "postgresql":
        ids = list(db.session.execute(
            sa.text("SELECT nextval(pg_get_serial_sequence('projects', 'id')) FROM generate_series(1, :n)"),
            {"n": count},
        ).scalars())
        db.session.execute(table.insert(), [{**first_row, "id": ids[0]}])
        return ids
    first = db.session.execute(table.insert().returning(table.c.id), [first_row]).scalar_one()
    return list(range(first, first + count))


def _insert_projects(catalogue_id, creates, sectors, now, audit, user_id) -> list[int]:
    """Core executemany with ids assigned up front (see `_reserve_ids`)."""
    if not creates:
        return []
    table = Project.__table__
    params = [_row_columns(catalogue_id, values, row, now) for row, values in creates]
    ids = _reserve_ids(len(params), params[0])
    for pid, item in zip(ids, params, strict=True):
        item["id"] = pid
    for start in range(1, len(params), CHUNK):
        db.session.execute(table.insert(), params[start : start + CHUNK])
    sector_ids = {code: s.id for code, s in sectors.items()}
    links = [
        {"project_id": pid, "sector_id": sector_ids[code]}
        for pid, (row, _) in zip(ids, creates, strict=True)
        for code in dict.fromkeys(row.sectors)
    ]
    for start in range(0, len(links), CHUNK * 2):
        db.session.execute(sa.insert(project_sectors), links[start : start + CHUNK * 2])
    for pid, (row, values) in zip(ids, creates, strict=True):
        audit.append(_audit("project.import_create", pid, user_id, now, None, _created(row.code, values)))
    return ids


def _created(code: str, values: dict[str, Any]) -> dict[str, Any]:
    """The audit `after` of a new project (written out directly: it runs for every row)."""
    total = values["total_investment_yuan"]
    return {
        "code": code,
        **{k: values[k] for k in TEXT_FIELDS},
        "sectors": sorted(values["sectors"]),
        "region_id": values["region_id"],
        "total_investment_yuan": None if total is None else f"{total:f}",
        "investment_sought_yuan": f"{values['investment_sought_yuan']:f}",
        **{k: jsonable(values[k]) for k in (
            "currency", "exchange_rate", "total_investment_original", "investment_sought_original", "province",
        ) if values[k] is not None},
        "cooperation_modes": values["cooperation_modes"],
        "extra": values["extra"],
    }


def _update_projects(updates, present, sectors, now, audit, user_id) -> None:
    if not updates:
        return
    table = Project.__table__
    columns = [name for name, column in COMPARED if column in present and name != "sectors"]
    statement = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("_id"))
        .values({**{c: sa.bindparam(f"_{c}") for c in columns}, "status": sa.bindparam("_status"),
                 "row_fingerprint": sa.bindparam("_row_fingerprint"),
                 "updated_at": sa.bindparam("_updated_at")})
    )
    params = []
    for row, old, values, _changed in updates:
        status = ProjectStatus.OPEN.value if old.status == ProjectStatus.WITHDRAWN else old.status
        params.append({"_id": old.id, **{f"_{c}": values[c] for c in columns},
                       "_status": status, "_row_fingerprint": row.fingerprint or None,
                       "_updated_at": now})
    for start in range(0, len(params), CHUNK):
        db.session.execute(statement, params[start : start + CHUNK])

    relinked = [(old.id, values["sectors"]) for _r, old, values, changed in updates if "sectors" in changed]
    if relinked:
        ids = [pid for pid, _ in relinked]
        for start in range(0, len(ids), CHUNK):
            db.session.execute(
                sa.delete(project_sectors).where(project_sectors.c.project_id.in_(ids[start : start + CHUNK]))
            )
        sector_ids = {code: s.id for code, s in sectors.items()}
        links = [{"project_id": pid, "sector_id": sector_ids[c]} for pid, codes in relinked for c in sorted(codes)]
        for start in range(0, len(links), CHUNK * 2):
            db.session.execute(sa.insert(project_sectors), links[start : start + CHUNK * 2])

    for _row, old, values, changed in updates:
        fields = [c for c in changed if c != "status"]
        before = _audit_values(old.values, fields)
        after = _audit_values(values, fields)
        if "status" in changed:
            before["status"], after["status"] = str(old.status), ProjectStatus.OPEN.value
        audit.append(_audit("project.import_update", old.id, user_id, now, before, after))


def _withdraw(missing: Sequence[_Missing], now, audit, user_id) -> list[int]:
    table = Project.__table__
    ids = [old.id for old in missing]
    for start in range(0, len(ids), CHUNK):
        db.session.execute(
            sa.update(table)
            .where(table.c.id.in_(ids[start : start + CHUNK]))
            .values(status=ProjectStatus.WITHDRAWN.value, updated_at=now)
        )
    for old in missing:
        audit.append(_audit("project.withdraw", old.id, user_id, now,
                            {"status": str(old.status)}, {"status": ProjectStatus.WITHDRAWN.value}))
    return ids


# ------------------------------------------------------------------------------ catalogues


def find_or_new_catalogue(name: str, year: int, *, usd_rate: Decimal | None = None) -> Catalogue:
    """The catalogue of that name and year, or a new one not yet added to the session
    (`import_catalogue` adds it only when it writes projects). A new catalogue belongs to
    the edition of `year` - created with the forum's default names, and audited, when the
    import writes, if the platform has no such edition yet."""
    catalogue = db.session.scalar(
        sa.select(Catalogue).where(Catalogue.name == name, Catalogue.year == year).order_by(Catalogue.id)
    )
    if catalogue is None:
        catalogue = Catalogue(name=name, year=year, edition=edition_for_year(year), usd_rate=usd_rate,
                              status=CatalogueStatus.DRAFT, rates={}, accepts_outside=False)
    return catalogue


def create_catalogue(data: dict[str, Any], *, user) -> Catalogue:
    """A new catalogue of an edition (`data["edition"]`, an Edition, or `data["year"]`)."""
    name = (data.get("name") or "").strip()
    if not name:
        raise DomainError(N_("The catalogue needs a name."), field="name")
    edition = data.get("edition")
    if not isinstance(edition, Edition):
        year = parse_year(data.get("year"), field_name="year")
        if year is None:
            raise DomainError(N_("Choose the forum edition of the catalogue."), field="edition")
        edition = ensure_edition(year, user=user)
    year = edition.year
    if db.session.scalar(sa.select(Catalogue.id).where(Catalogue.name == name, Catalogue.year == year)):
        raise DomainError(N_("A catalogue with this name and year exists already."), field="name")
    catalogue = Catalogue(
        name=name,
        year=year,
        edition=edition,
        publisher=(data.get("publisher") or "").strip(),
        status=CatalogueStatus.DRAFT,
        rates={},
        accepts_outside=bool(data.get("accepts_outside")),
    )
    set_catalogue_rates(catalogue, usd_rate=data.get("usd_rate"), rates=data.get("rates") or {}, user=user)
    db.session.add(catalogue)
    db.session.flush()
    record("catalogue.create", "catalogue", catalogue.id, user=user,
           after=snapshot(catalogue, ["name", "year", "edition_id", "publisher", "usd_rate", "rates",
                                      "accepts_outside"]))
    return catalogue


def set_catalogue_rates(
    catalogue: Catalogue,
    *,
    usd_rate: Decimal | None = None,
    rates: dict[str, Decimal] | None = None,
    accepts_outside: bool | None = None,
    user,
    audit: bool = True,
) -> Catalogue:
    """Set exchange rates (yuan per unit; validated with `amounts.check_rate`) and whether
    the catalogue takes projects outside Guizhou. Rates not given are kept."""

    before = {"usd_rate": catalogue.usd_rate, "rates": dict(catalogue.rates or {}),
              "accepts_outside": bool(catalogue.accepts_outside)}
    try:
        if usd_rate is not None:
            catalogue.usd_rate = check_rate(usd_rate)
        if rates:
            merged = dict(catalogue.rates or {})
            for code, rate in rates.items():
                if code == "USD":
                    catalogue.usd_rate = check_rate(rate)
                else:
                    merged[code] = f"{check_rate(rate):f}"
            catalogue.rates = merged
    except AmountError as error:
        raise DomainError(error.message, field="rates") from error
    if accepts_outside is not None:
        catalogue.accepts_outside = accepts_outside
    after = {"usd_rate": catalogue.usd_rate, "rates": dict(catalogue.rates or {}),
             "accepts_outside": bool(catalogue.accepts_outside)}
    if audit and catalogue.id is not None and before != after:
        record("catalogue.rates", "catalogue", catalogue.id, user=user,
               before=jsonable(before), after=jsonable(after))
        db.session.flush()
    return catalogue


def restore_catalogue_rates(catalogue: Catalogue, saved: dict[str, Any]) -> None:
    """Put back what `saved_rates` saved (a dry run that tried other rates writes none)."""
    for name, value in saved.items():
        setattr(catalogue, name, value)


def saved_rates(catalogue: Catalogue) -> dict[str, Any]:
    return {"usd_rate": catalogue.usd_rate, "rates": dict(catalogue.rates or {}),
            "accepts_outside": catalogue.accepts_outside}


def set_catalogue_status(catalogue: Catalogue, status: CatalogueStatus, *, user) -> Catalogue:
    """Publish or unpublish (province-level staff). Publishing approves the catalogue as it
    stands (the publisher is its reviewer) unless it was returned to the prefectures: then
    it must be resubmitted and approved first."""
    require_province_level(user)
    if status == CatalogueStatus.PUBLISHED and catalogue.status != status:
        if catalogue.review_state == ReviewState.RETURNED:
            raise Conflict(N_("This catalogue was returned for corrections: approve it (after "
                              "it is submitted again) before publishing."))
        if catalogue.review_state != ReviewState.APPROVED:
            approve_catalogue(catalogue, user=user, on_publish=True)
    if catalogue.status != status:
        before = catalogue.status
        catalogue.status = status
        record("catalogue.status", "catalogue", catalogue.id, user=user,
               before={"status": before}, after={"status": status})
        db.session.flush()
    return catalogue


def unclassified_projects(catalogue: Catalogue, *, limit: int = 500) -> list[Project]:
    """Projects of the catalogue without a sector (kept unclassified at import), to classify."""
    linked = sa.select(project_sectors.c.project_id)
    return list(db.session.scalars(
        sa.select(Project)
        .where(Project.catalogue_id == catalogue.id, Project.status != ProjectStatus.WITHDRAWN)
        .where(Project.id.not_in(linked))
        .order_by(Project.id)
        .limit(limit)
    ))


def catalogue_summaries(edition=None) -> list[tuple[Catalogue, int, Decimal]]:
    """Every catalogue (of `edition`, when given) with its count and sum of investment
    sought (withdrawn left out)."""
    counts = (
        sa.select(
            Project.catalogue_id,
            sa.func.count(Project.id).label("projects"),
            money_sum(Project.investment_sought_yuan).label("sought"),
        )
        .where(Project.status != ProjectStatus.WITHDRAWN)
        .group_by(Project.catalogue_id)
        .subquery()
    )
    query = (
        sa.select(Catalogue, counts.c.projects, counts.c.sought)
        .outerjoin(counts, counts.c.catalogue_id == Catalogue.id)
        .order_by(Catalogue.year.desc(), Catalogue.id.desc())
    )
    if edition is not None and getattr(edition, "id", None) is not None:
        query = query.where(Catalogue.edition_id == edition.id)
    rows = db.session.execute(query)
    return [(c, n or 0, s if s is not None else Decimal("0.00")) for c, n, s in rows]


# ------------------------------------------------------------------------------ export


def export_projects(catalogue: Catalogue) -> list[exporting.ExportProject]:
    projects = db.session.scalars(
        sa.select(Project)
        .where(Project.catalogue_id == catalogue.id, Project.status != ProjectStatus.WITHDRAWN)
        .options(selectinload(Project.sectors))
        .order_by(Project.id)
    )
    return [
        exporting.ExportProject(
            code=p.code, name=p.name, name_en=p.name_en or "",
            sector_codes=[s.code for s in p.sectors], location=p.location,
            total_investment_yuan=p.total_investment_yuan,
            investment_sought_yuan=p.investment_sought_yuan,
            cooperation_modes=list(p.cooperation_modes or []),
            construction_content=p.construction_content, market_outlook=p.market_outlook,
            preparation_status=p.preparation_status, owner=p.owner,
            contact_person=p.contact_person, contact_phone=p.contact_phone,
            extra=dict(p.extra or {}),
            summary_en=p.summary_en or "",
            currency=p.currency,
            total_investment_original=p.total_investment_original,
            investment_sought_original=p.investment_sought_original,
        )
        for p in projects
    ]


EXPORT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def export_catalogue(catalogue: Catalogue, file_format: str) -> bytes:
    title = f"{catalogue.name}（{catalogue.year}）"
    projects = export_projects(catalogue)
    rates = catalogue.exchange_rates()
    if file_format == "csv":
        return exporting.write_csv(title, projects, taxonomy(), rates=rates)
    if file_format == "xlsx":
        return exporting.write_xlsx(title, projects, taxonomy(), rates=rates)
    raise DomainError(N_("Unknown export format %(format)s; use xlsx or csv."), format=file_format)


# ------------------------------------------------------------------------------ one project


EDITABLE = (
    "code", "name", "name_en", "summary_en", "sectors", "location", "total_investment", "investment_sought",
    "cooperation_modes", "construction_content", "market_outlook", "preparation_status",
    "owner", "contact_person", "contact_phone",
)


@dataclass
class EditResult:
    project: Project
    changed: list[str]
    warnings: list[Message]


def _sector_text(project: Project) -> str:
    return "、".join(exporting.sector_label(taxonomy(), s.code) for s in project.sectors)


def project_form_data(project: Project) -> dict[str, str]:
    """The project as the edit form shows it (the same text the export writes)."""
    def amount(yuan: Decimal | None, original: Decimal | None) -> str:
        if original is not None and project.currency:
            return exporting.foreign_text(original, project.currency)
        return "" if yuan is None else str(exporting.yi_value(yuan, for_xlsx=False))

    return {
        "code": project.code,
        "name": project.name,
        "name_en": project.name_en or "",
        "summary_en": project.summary_en or "",
        "sectors": _sector_text(project) or (exporting.UNCLASSIFIED if not project.sectors else ""),
        "location": project.location,
        "total_investment": amount(project.total_investment_yuan, project.total_investment_original),
        "investment_sought": amount(project.investment_sought_yuan, project.investment_sought_original),
        "cooperation_modes": exporting.mode_text(project.cooperation_modes or []),
        "construction_content": project.construction_content,
        "market_outlook": project.market_outlook,
        "preparation_status": project.preparation_status,
        "owner": project.owner,
        "contact_person": project.contact_person,
        "contact_phone": project.contact_phone,
    }


def update_project(project: Project, data: dict[str, str], *, user) -> EditResult:
    """Edit one project with the importer's own rules (`parser.parse_row`): amounts in 亿元
    unless the value says otherwise (foreign currencies at the catalogue's rates), sectors
    through the taxonomy, the location through the gazetteer."""

    require_region(user, project.region)
    values = {name: (data.get(name) or "").strip() for name in EDITABLE}
    catalogue = project.catalogue
    outcome = parse_row(
        values,
        taxonomy=taxonomy(),
        gazetteer=gazetteer(),
        units={"total_investment": "亿元", "investment_sought": "亿元"},
        headers={name: header for name, header in exporting.COLUMNS},
        options=ParseOptions(
            rates=catalogue.exchange_rates(),
            accepts_outside=bool(catalogue.accepts_outside),
        ),
    )
    if outcome.errors:
        error = outcome.errors[0]
        raise DomainError(error.reason, field=error.field)
    parsed = outcome.row
    if parsed is None:
        raise DomainError(N_("The project name and the investment sought are needed."), field="name")
    _clean_row(parsed)
    too_long = _too_long(parsed, dict(exporting.COLUMNS))
    if too_long:
        raise DomainError(too_long[0].reason, field=too_long[0].field)
    if parsed.code != project.code and db.session.scalar(
        sa.select(Project.id).where(Project.catalogue_id == project.catalogue_id, Project.code == parsed.code)
    ):
        raise DomainError(N_("Another project of this catalogue has the number %(code)s."),
                          field="code", code=parsed.code)

    sectors = sectors_by_code()
    region = regions_by_code().get(parsed.region_code) if parsed.region_code else None
    require_region(user, region, field="location")
    new = {
        "code": parsed.code,
        "name": parsed.name,
        "name_en": parsed.name_en or None,
        "summary_en": parsed.summary_en,
        "location": parsed.location,
        "region_id": region.id if region else None,
        "province": parsed.province,
        "total_investment_yuan": parsed.total_investment_yuan,
        "investment_sought_yuan": parsed.investment_sought_yuan,
        "currency": parsed.currency if parsed.currency != "CNY" else None,
        "exchange_rate": parsed.exchange_rate,
        "total_investment_original": parsed.total_investment_original,
        "investment_sought_original": parsed.investment_sought_original,
        "cooperation_modes": list(parsed.cooperation_modes),
        "construction_content": parsed.construction_content,
        "market_outlook": parsed.market_outlook,
        "preparation_status": parsed.preparation_status,
        "owner": parsed.owner,
        "contact_person": parsed.contact_person,
        "contact_phone": parsed.contact_phone,
    }
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name, value in new.items():
        if getattr(project, name) != value:
            before[name], after[name] = getattr(project, name), value
            setattr(project, name, value)
    old_codes = sorted(s.code for s in project.sectors)
    if sorted(parsed.sectors) != old_codes:
        before["sectors"], after["sectors"] = old_codes, sorted(parsed.sectors)
        project.sectors = [sectors[c] for c in parsed.sectors]
        if parsed.sectors and UNCLASSIFIED_LABEL in (project.extra or {}):
            project.extra = {k: v for k, v in project.extra.items() if k != UNCLASSIFIED_LABEL}
    if after:
        record("project.update", "project", project.id, user=user, before=jsonable(before), after=jsonable(after))
        reopen_review(catalogue)
        db.session.flush()  # the search index follows ORM flushes by itself
    return EditResult(project, sorted(after), [w.message for w in outcome.warnings])


# --- review before publishing --------------------------------------------------------------

SNAPSHOT_FIELDS = ("name", "region_id", "total_investment_yuan", "investment_sought_yuan",
                   "status", "location")


def reopen_review(catalogue: Catalogue) -> None:
    """A change after the approval needs a new one (the reviewer then sees what changed)."""
    if catalogue.review_state == ReviewState.APPROVED:
        catalogue.review_state = ReviewState.DRAFT


def catalogue_snapshot(catalogue: Catalogue) -> dict[str, dict[str, Any]]:
    """{code: {field: value, "sectors": [codes]}} of every project of the catalogue."""
    table = Project.__table__
    rows = db.session.execute(
        sa.select(table.c.id, table.c.code, *(table.c[name] for name in SNAPSHOT_FIELDS))
        .where(table.c.catalogue_id == catalogue.id)
    ).all()
    sectors: dict[int, list[str]] = {}
    for project_id, code in db.session.execute(
        sa.select(project_sectors.c.project_id, Sector.code)
        .join(Sector, Sector.id == project_sectors.c.sector_id)
        .join(table, table.c.id == project_sectors.c.project_id)
        .where(table.c.catalogue_id == catalogue.id)
        .order_by(project_sectors.c.project_id, Sector.code)
    ):
        sectors.setdefault(project_id, []).append(code)
    return {
        row.code: {**{name: jsonable(row._mapping[name]) for name in SNAPSHOT_FIELDS},
                   "sectors": sectors.get(row.id, [])}
        for row in rows
    }


def submit_catalogue(catalogue: Catalogue, *, user) -> Catalogue:
    """The prefectures' lists are complete: the province may review the catalogue."""
    if catalogue.review_state == ReviewState.SUBMITTED:
        raise Conflict(N_("This catalogue is already submitted for review."))
    if catalogue.review_state == ReviewState.APPROVED:
        raise Conflict(N_("Nothing changed since the approval: there is nothing to submit."))
    before = catalogue.review_state
    catalogue.review_state = ReviewState.SUBMITTED
    record("catalogue.submit", "catalogue", catalogue.id, user=user,
           before={"review_state": before}, after={"review_state": catalogue.review_state})
    db.session.flush()
    return catalogue


def approve_catalogue(catalogue: Catalogue, *, user, on_publish: bool = False) -> Catalogue:
    """Approve the catalogue as it stands (province-level staff); its content is kept so the
    next review shows what changed since."""
    require_province_level(user)
    if not on_publish and catalogue.review_state != ReviewState.SUBMITTED:
        raise Conflict(N_("Only a submitted catalogue can be approved."))
    changes = changes_since_approval(catalogue)
    before = catalogue.review_state
    catalogue.review_state = ReviewState.APPROVED
    catalogue.review_comment = ""
    catalogue.reviewed_at = utcnow()
    catalogue.approved_snapshot = catalogue_snapshot(catalogue)
    record("catalogue.approve", "catalogue", catalogue.id, user=user,
           before={"review_state": before},
           after={"review_state": catalogue.review_state, "on_publish": on_publish,
                  "added": len(changes.added), "changed": len(changes.changed),
                  "removed": len(changes.removed)})
    db.session.flush()
    return catalogue


def return_catalogue(catalogue: Catalogue, comment: str, *, user) -> Catalogue:
    """Send the catalogue back to the prefectures with what to correct."""
    require_province_level(user)
    comment = (comment or "").strip()
    if catalogue.review_state != ReviewState.SUBMITTED:
        raise Conflict(N_("Only a submitted catalogue can be returned."))
    if not comment:
        raise DomainError(N_("Say what the prefectures should correct."), field="comment")
    if len(comment) > 2000:
        raise DomainError(N_("At most %(max)d characters."), field="comment", max=2000)
    before = catalogue.review_state
    catalogue.review_state = ReviewState.RETURNED
    catalogue.review_comment = comment
    catalogue.reviewed_at = utcnow()
    record("catalogue.return", "catalogue", catalogue.id, user=user,
           before={"review_state": before},
           after={"review_state": catalogue.review_state, "comment": comment})
    db.session.flush()
    return catalogue


@dataclass
class ReviewChanges:
    """What changed since the last approval (everything is new before the first one)."""

    first_review: bool
    added: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)  # {code, name, fields: [...]}

    @property
    def count(self) -> int:
        return len(self.added) + len(self.removed) + len(self.changed)


def changes_since_approval(catalogue: Catalogue) -> ReviewChanges:
    current = catalogue_snapshot(catalogue)
    approved = catalogue.approved_snapshot
    changes = ReviewChanges(first_review=approved is None)
    approved = approved or {}
    for code in sorted(current.keys() - approved.keys()):
        changes.added.append({"code": code, **current[code]})
    for code in sorted(approved.keys() - current.keys()):
        changes.removed.append({"code": code, **approved[code]})
    for code in sorted(current.keys() & approved.keys()):
        now, then = current[code], approved[code]
        fields = [{"field": name, "before": then.get(name), "after": now.get(name)}
                  for name in (*SNAPSHOT_FIELDS, "sectors") if then.get(name) != now.get(name)]
        if fields:
            changes.changed.append({"code": code, "name": now["name"], "fields": fields})
    return changes


def prefecture_summary(catalogue: Catalogue) -> list[dict[str, Any]]:
    """What each prefecture contributed: projects (not withdrawn) and the sought amount."""
    prefecture = sa.func.coalesce(Region.parent_id, Region.id)
    rows = db.session.execute(
        sa.select(prefecture, sa.func.count(Project.id), money_sum(Project.investment_sought_yuan))
        .select_from(Project).outerjoin(Region, Region.id == Project.region_id)
        .where(Project.catalogue_id == catalogue.id, Project.status != ProjectStatus.WITHDRAWN)
        .group_by(prefecture)
    ).all()
    regions = {r.id: r for r in db.session.scalars(
        sa.select(Region).where(Region.id.in_([r[0] for r in rows if r[0] is not None])))}
    summary = [{"region": regions.get(region_id), "count": count,
                "sought_yuan": sought or Decimal("0.00")} for region_id, count, sought in rows]
    summary.sort(key=lambda item: (item["region"] is None,
                                   item["region"].position if item["region"] else 0))
    return summary
