"""Investor business actions: profiles, linking a user to their organisation, list import.

Names always go through the resolver (`matchmaker.investors.resolution`), so a company
written as 宁德时代 or CATL updates the known investor instead of creating a second one.
Operations never commit; the door (page, API, CLI) does.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from matchmaker import audit, signals
from matchmaker.errors import DomainError
from matchmaker.extensions import db
from matchmaker.i18n import N_, Message, translate
from matchmaker.investors.models import Investor, InvestorKind
from matchmaker.investors.resolution import (
    find_or_create_investor,
    resolve_investor,
)
from matchmaker.matching.models import InvestorProfile
from matchmaker.reference.labels import parse_label
from matchmaker.text import normalize

log = logging.getLogger(__name__)

PROFILE_FIELDS = ["sectors", "regions", "min_yuan", "max_yuan", "modes", "keywords"]
INVESTOR_FIELDS = ["name", "name_en", "aliases", "kind", "country"]


# --- profiles ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProfileInput:
    sectors: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    min_yuan: Decimal | None = None
    max_yuan: Decimal | None = None
    modes: tuple[str, ...] = ()  # codes of matchmaker.reference.taxonomy.COOPERATION_MODES
    keywords: str = ""


def save_profile(investor: Investor, data: ProfileInput, *, user) -> InvestorProfile:
    """Create or replace the investor's profile (validated as the matcher will read it)."""
    from matchmaker.matching.operations import check_profile

    check_profile(data)
    profile = investor.profile
    before = audit.snapshot(profile, PROFILE_FIELDS) if profile is not None else None
    if profile is None:
        profile = InvestorProfile(investor=investor)
        db.session.add(profile)
    profile.sectors = list(data.sectors)
    profile.regions = list(data.regions)
    profile.min_yuan = data.min_yuan
    profile.max_yuan = data.max_yuan
    profile.modes = list(data.modes)
    profile.keywords = data.keywords.strip()
    db.session.flush()
    audit.record(
        "update" if before else "create",
        "investor_profile",
        profile.id,
        user=user,
        before=before,
        after=audit.snapshot(profile, PROFILE_FIELDS),
    )
    log.info("investor profile saved: investor %s", investor.id)
    return profile


def link_user_to_investor(user, organisation: str, *, create: bool) -> Investor:
    """The investor the organisation name means, linked to `user` (an investor user).

    A confident match links to the known investor (never a duplicate); without one,
    `InvestorUnresolved` (409, with candidates) unless `create` confirms a new investor."""
    investor = find_or_create_investor(organisation, create=create, user=user)
    if user.investor_id != investor.id:
        audit.record(
            "link_investor",
            "user",
            user.id,
            user=user,
            before={"investor_id": user.investor_id},
            after={"investor_id": investor.id},
        )
        user.investor_id = investor.id
        db.session.flush()
    return investor


# --- investor list import ----------------------------------------------------------------

_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("name", "名称", "投资方", "投资人", "企业名称", "公司名称", "单位名称", "investor"),
    "name_en": ("name_en", "英文名称", "英文名", "english name", "name (english)"),
    "aliases": ("aliases", "别名", "简称", "alias"),
    "kind": ("kind", "类型", "投资方类型", "type"),
    "country": ("country", "国家", "国别", "国家/地区"),
}
_KIND_WORDS: dict[str, InvestorKind] = {
    "enterprise": InvestorKind.ENTERPRISE,
    "企业": InvestorKind.ENTERPRISE,
    "民营企业": InvestorKind.ENTERPRISE,
    "soe": InvestorKind.SOE,
    "国企": InvestorKind.SOE,
    "国有企业": InvestorKind.SOE,
    "央企": InvestorKind.SOE,
    "fund": InvestorKind.FUND,
    "基金": InvestorKind.FUND,
    "投资机构": InvestorKind.FUND,
    "foreign": InvestorKind.FOREIGN,
    "外资": InvestorKind.FOREIGN,
    "外资企业": InvestorKind.FOREIGN,
    "other": InvestorKind.OTHER,
    "其他": InvestorKind.OTHER,
}
_ALIAS_SPLIT = ("|", "、", "；", ";", "，", ",")


@dataclass
class InvestorImportReport:
    created: list[dict[str, Any]] = field(default_factory=list)
    updated: list[dict[str, Any]] = field(default_factory=list)
    unchanged: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)  # row, column, value, reason

    def as_json(self) -> dict[str, Any]:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "rows": self.created + self.updated + self.unchanged,
            "rejected": self.rejected,
        }


def _header_key(cell: str) -> str | None:
    text = normalize(cell)
    for key, words in _HEADERS.items():
        if text in words:
            return key
    return None


def read_investor_rows(data: bytes, filename: str) -> list[tuple[int, dict[str, str]]]:
    """(sheet row, {field: text}) for every non-blank row under the header.

    Reading (xlsx incl. merged cells, CSV in UTF-8/BOM/GBK with a sniffed delimiter, size
    limits) is the catalogue parser's; the header is the first of the first 30 rows that
    names a `name` column. Raises DomainError when the file is refused."""
    from matchmaker.catalogue import parser

    limits = parser.ParseLimits(max_rows=100_000)
    lower = filename.lower()
    try:
        if not data or not data.strip():
            raise DomainError(N_("The file is empty."), field="file")
        if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
            sheets = list(parser._read_xlsx(data, limits))
        elif lower.endswith((".csv", ".txt", ".tsv")):
            sheets = [parser._read_csv(data, limits)[0]]
        else:
            raise DomainError(
                N_("Unsupported file type %(name)s; upload an .xlsx workbook or a .csv file."),
                field="file",
                name=filename,
            )
    except parser.ParseError as error:
        raise DomainError(error.message, field="file") from error
    for sheet in sheets:
        for index, row in enumerate(sheet.rows[: parser.HEADER_SCAN_ROWS]):
            keys = [_header_key(parser.as_written(v)) for v in row]
            if "name" not in keys:
                continue
            result = []
            for offset, values in enumerate(sheet.rows[index + 1 :], start=index + 2):
                cells = {
                    key: parser.as_written(value)
                    for key, value in zip(keys, values, strict=False)
                    if key is not None
                }
                if any(cells.values()):
                    result.append((offset, cells))
            return result
    raise DomainError(
        N_("No header row found: the file needs a column named name / 名称 (and optionally "
           "name_en, aliases, kind, country)."),
        field="file",
    )


def _kind(text: str) -> InvestorKind | None:
    if not text:
        return InvestorKind.ENTERPRISE
    return _KIND_WORDS.get(normalize(text)) or parse_label(InvestorKind, text)


def _aliases(text: str) -> list[str]:
    for separator in _ALIAS_SPLIT[1:]:
        text = text.replace(separator, "|")
    return [a.strip() for a in text.split("|") if a.strip()]


def import_investors(data: bytes, filename: str, *, user) -> InvestorImportReport:
    """Import an investor list; each name is resolved against the known investors (and
    the rows already imported), so a known company is updated, never duplicated.

    Updates only add information: an English name or country where none was set, new
    aliases (the written name too, when it differs from the registered one), and the kind
    when the file states one. Rejected rows are reported; the others are kept."""
    report = InvestorImportReport()
    for row, cells in read_investor_rows(data, filename):
        name = cells.get("name", "").strip()
        if not name:
            report.rejected.append(_rejection(row, "name", "", N_("The name is missing.")))
            continue
        if len(name) > 300:
            report.rejected.append(
                _rejection(row, "name", name[:50], N_("The name is too long (300 characters at most)."))
            )
            continue
        kind = _kind(cells.get("kind", ""))
        if kind is None:
            report.rejected.append(
                _rejection(
                    row, "kind", cells.get("kind", ""),
                    N_("Unknown kind; use enterprise, soe, fund, foreign or other."),
                )
            )
            continue
        country = (cells.get("country") or "").strip().upper()
        if country and (len(country) != 2 or not country.isalpha()):
            report.rejected.append(
                _rejection(row, "country", country, N_("Use a two-letter country code (CN, US, DE)."))
            )
            continue
        try:
            resolution = resolve_investor(name)
        except DomainError as error:
            report.rejected.append(_rejection(row, "name", name[:50], error.message))
            continue
        investor = db.session.get(Investor, resolution.match.id) if resolution.match else None
        if investor is None:
            investor = db.session.scalar(sa.select(Investor).where(Investor.name == name))
        aliases = _aliases(cells.get("aliases", ""))
        name_en = (cells.get("name_en") or "").strip() or None
        outcome = {"row": row, "name": name}
        if investor is None:
            investor = Investor(
                name=name, name_en=name_en, aliases=aliases, kind=kind, country=country or "CN"
            )
            db.session.add(investor)
            db.session.flush()
            audit.record("create", "investor", investor.id, user=user,
                         after={**audit.snapshot(investor, INVESTOR_FIELDS), "via": "import"})
            report.created.append({**outcome, "investor_id": investor.id})
            signals.send(signals.investors_written, [investor.id])
        else:
            before = audit.snapshot(investor, INVESTOR_FIELDS)
            wanted = list(dict.fromkeys([*investor.aliases, *([name] if name != investor.name else []), *aliases]))
            wanted = [a for a in wanted if a != investor.name]
            if wanted != list(investor.aliases):
                investor.aliases = wanted
            if name_en and not investor.name_en:
                investor.name_en = name_en
            if cells.get("kind") and kind != investor.kind:
                investor.kind = kind
            if country and country != investor.country:
                investor.country = country
            after = audit.snapshot(investor, INVESTOR_FIELDS)
            entry = {**outcome, "investor_id": investor.id, "matched": investor.name,
                     "score": resolution.score}
            if after != before:
                db.session.flush()
                audit.record("update", "investor", investor.id, user=user, before=before,
                             after={**after, "via": "import"})
                report.updated.append(entry)
                # the next rows must see the new aliases
                signals.send(signals.investors_written, [investor.id])
            else:
                report.unchanged.append(entry)
    log.info(
        "investor import %s: %d created, %d updated, %d unchanged, %d rejected",
        filename, len(report.created), len(report.updated), len(report.unchanged),
        len(report.rejected),
    )
    return report


def _rejection(row: int, column: str, value: str, reason: Message | str) -> dict[str, Any]:
    message = reason if isinstance(reason, Message) else Message(reason)
    return {"row": row, "column": column, "value": value, "reason": translate(message)}
