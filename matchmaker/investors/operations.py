"""Investor business actions: claims (who speaks for a company), list import, review,
merging and undoing merges.

Names always go through the resolver (`matchmaker.investors.resolution`). Nothing here
merges two companies unless a person chose it: an import merges only identical company
keys or explicit aliases, and reports every other close name as a possible duplicate.
Operations never commit; the door (page, API, CLI) does.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from matchmaker import audit, signals
from matchmaker.accounts.models import Role, User
from matchmaker.db import utcnow
from matchmaker.errors import Conflict, DomainError, Forbidden, NotFound
from matchmaker.extensions import db
from matchmaker.i18n import N_, Message, translate
from matchmaker.investors.models import ClaimStatus, Investor, InvestorClaim, InvestorKind
from matchmaker.investors.names import Candidate, NameResolver, Resolution, name_key
from matchmaker.investors.resolution import (
    InvestorUnresolved,
    build_resolver,
    check_new_name,
    investor_record,
    learn_name,
    resolvable,
    resolve_investor,
)
from matchmaker.reference.labels import parse_label
from matchmaker.sheets import SheetError, SheetLimits, cell_text, read_sheets
from matchmaker.text import normalize

log = logging.getLogger(__name__)

INVESTOR_FIELDS = ["name", "name_en", "aliases", "kind", "country"]
# A name this close to a known one (but not the same company key) is reported as a
# possible duplicate; a differing province or city caps the score below it.
DUPLICATE_SCORE = 80.0


def list_investors(query: str = "", *, page: int = 1, per_page: int = 200) -> list[Investor]:
    """Companies (merged ones left out), those to review first, then by name; `query` is
    part of the Chinese or English name. Their profile (matching's backref) comes in one
    more query, not one per row."""
    statement = (
        sa.select(Investor)
        .where(Investor.merged_into_id.is_(None))
        .order_by(Investor.needs_review.desc(), Investor.name, Investor.id)
    )
    query = (query or "").strip()
    if query:
        statement = statement.where(sa.or_(Investor.name.contains(query, autoescape=True),
                                           Investor.name_en.contains(query, autoescape=True)))
    return list(db.session.scalars(
        statement.options(selectinload(Investor.profile))
        .limit(per_page).offset((max(page, 1) - 1) * per_page)
    ))


# --- who speaks for a company: claims ------------------------------------------------------


def is_staff(user) -> bool:
    return user is not None and user.has_role(Role.STAFF)


def approved_member(user, investor: Investor) -> bool:
    if user is None or not getattr(user, "id", None):
        return False
    return (
        db.session.scalar(
            sa.select(InvestorClaim.id).where(
                InvestorClaim.user_id == user.id,
                InvestorClaim.investor_id == investor.id,
                InvestorClaim.status == ClaimStatus.APPROVED,
            )
        )
        is not None
    )


def can_edit(user, investor: Investor) -> bool:
    """Staff, or the user this investor is the current organisation of (an approved member,
    or the owner of a private draft)."""
    if is_staff(user):
        return True
    return user is not None and user.investor_id == investor.id and (
        investor.private or approved_member(user, investor)
    )


def _private_draft(user, name: str, *, via: str) -> Investor:
    """The user's own investor record while their company is not confirmed (only they and
    staff see it; names never resolve to it)."""
    current = db.session.get(Investor, user.investor_id) if user.investor_id else None
    if current is not None and current.private:
        return current
    draft = Investor(name=name, private=True, needs_review=True, created_via=via)
    db.session.add(draft)
    db.session.flush()
    audit.record("create", "investor", draft.id, user=user,
                 after={"name": name, "private": True, "via": via})
    user.investor_id = draft.id
    return draft


def link_user_to_investor(user, organisation: str, *, create: bool, investor_id: int | None = None):
    """What naming a company does for an investor user (sign-up, profile page).

    - a confident match (or `investor_id`, a candidate the user picked): a *pending claim*
      on that company; until it is approved the user works on their own private record, so
      they never see nor change the company's profile and interests;
    - no confident match: `InvestorUnresolved` with the candidates, unless `create`: then a
      new company pending staff review, private to the user until reviewed.
    Returns (investor the user works on now, claim or None)."""
    organisation = " ".join((organisation or "").split())
    if investor_id is not None:
        target = db.session.get(Investor, investor_id)
        if target is None or not target.active or target.private:
            raise NotFound(N_("There is no investor %(id)s."), field="organisation", id=investor_id)
    else:
        try:
            resolution = resolve_investor(organisation)
        except DomainError as error:
            error.field = "organisation"
            raise
        target = db.session.get(Investor, resolution.match.id) if resolution.match else None
        if target is None and not create:
            raise InvestorUnresolved(resolution, field="organisation")
    if target is None:
        name = check_new_name(organisation, field="organisation")
        draft = _private_draft(user, name, via="signup")
        if draft.name != name:
            draft.name = name
        db.session.flush()
        return draft, None
    if user.investor_id == target.id:
        return target, None
    existing = db.session.scalar(
        sa.select(InvestorClaim).where(
            InvestorClaim.user_id == user.id, InvestorClaim.investor_id == target.id
        )
    )
    if existing is not None and existing.status == ClaimStatus.APPROVED:
        user.investor_id = target.id
        db.session.flush()
        return target, existing
    claim = existing or InvestorClaim(user_id=user.id, investor_id=target.id)
    claim.status = ClaimStatus.PENDING
    claim.written_name = organisation[:300] or target.name
    if existing is None:
        db.session.add(claim)
    draft = _private_draft(user, organisation or target.name, via="signup")
    db.session.flush()
    audit.record("claim", "investor", target.id, user=user,
                 after={"user_id": user.id, "status": "pending", "written": claim.written_name,
                        "draft_id": draft.id})
    log.info("claim: user %s -> investor %s (pending)", user.id, target.id)
    return draft, claim


def pending_claims(user) -> list[InvestorClaim]:
    """Pending claims this user may decide: all of them for staff, else those on companies
    the user is an approved member of."""
    query = (
        sa.select(InvestorClaim)
        .where(InvestorClaim.status == ClaimStatus.PENDING)
        .order_by(InvestorClaim.created_at, InvestorClaim.id)
    )
    if not is_staff(user):
        companies = sa.select(InvestorClaim.investor_id).where(
            InvestorClaim.user_id == user.id, InvestorClaim.status == ClaimStatus.APPROVED
        )
        query = query.where(InvestorClaim.investor_id.in_(companies))
    return list(db.session.scalars(query))


def decide_claim(claim: InvestorClaim, approve: bool, *, user) -> InvestorClaim:
    """Approve or reject a pending claim (staff, or an approved member of that company).

    Approval makes the user a member: their private record (profile, interests) is merged
    into the company - what the company already has wins and is never overwritten. Staff's
    approval also teaches the company the name the member wrote, when it resolved to no
    company with confidence (resolution.learn_name; a member's approval teaches nothing)."""
    investor = claim.investor
    if not (is_staff(user) or approved_member(user, investor)):
        raise Forbidden(N_("Only staff or a confirmed member of %(name)s can decide this claim."),
                        name=investor.name)
    if claim.status != ClaimStatus.PENDING:
        raise Conflict(N_("This claim was already decided."))
    claim.status = ClaimStatus.APPROVED if approve else ClaimStatus.REJECTED
    claim.decided_at = utcnow()
    claim.decided_by_id = getattr(user, "id", None)
    member = claim.user
    moved: dict[str, Any] = {}
    if approve:
        draft = db.session.get(Investor, member.investor_id) if member.investor_id else None
        if draft is not None and draft.private and draft.id != investor.id:
            moved = merge_investors(investor, draft, user=user, keep_alias=False).get("moved", {})
        member.investor_id = investor.id
        # the name the member wrote, when they picked this company among its candidates:
        # staff approving the claim confirm the choice, so the company learns it
        learn_name(investor, claim.written_name or "", user=user, via="claim")
    db.session.flush()
    audit.record("claim_" + claim.status.value, "investor", investor.id, user=user,
                 after={"user_id": member.id, "claim_id": claim.id, "moved": moved})
    return claim


def review_investor(investor: Investor, *, user, name: str | None = None) -> Investor:
    """Staff confirm a company flagged for review (created at the signing desk or by a new
    user): it becomes public; its creator, if any, becomes an approved member."""
    if not is_staff(user):
        raise Forbidden(N_("Only staff can review companies."))
    before = {"name": investor.name, "private": investor.private, "needs_review": investor.needs_review}
    if name:
        investor.name = check_new_name(name, field="name")
    if investor.private:
        taken = db.session.scalar(
            sa.select(Investor.id).where(Investor.name == investor.name, Investor.private.is_(False))
        )
        if taken is not None:
            raise Conflict(
                N_("A company named “%(name)s” already exists: merge this one into it instead."),
                field="name", name=investor.name,
            )
        owners = db.session.scalars(sa.select(User).where(User.investor_id == investor.id)).all()
        for owner in owners:
            if db.session.scalar(sa.select(InvestorClaim.id).where(
                    InvestorClaim.user_id == owner.id, InvestorClaim.investor_id == investor.id)) is None:
                db.session.add(InvestorClaim(
                    user_id=owner.id, investor_id=investor.id, status=ClaimStatus.APPROVED,
                    written_name=investor.name, decided_at=utcnow(), decided_by_id=user.id))
    investor.private = False
    investor.needs_review = False
    db.session.flush()
    audit.record("review", "investor", investor.id, user=user, before=before,
                 after={"name": investor.name, "private": False, "needs_review": False})
    return investor


# --- merging and undoing merges ------------------------------------------------------------


def merge_investors(survivor: Investor, other: Investor, *, user, keep_alias: bool = True) -> dict:
    """Merge `other` into `survivor`: profiles, leads, claims, agreements and users move to
    the survivor (what it already has wins; a clashing row stays with `other`, so an undo
    brings it back), `other`'s names become the survivor's aliases, and `other` stays as
    a merged record. Audited with everything needed to undo it (`undo_merge`)."""
    if survivor.id == other.id:
        raise DomainError(N_("An investor cannot be merged into itself."))
    if not survivor.active or not other.active:
        raise Conflict(N_("One of these investors is already merged."))
    before = audit.snapshot(survivor, INVESTOR_FIELDS)
    moved: dict[str, Any] = {}
    for _receiver, result in signals.investor_merged.send(other, into=survivor, user=user):
        if result:
            key, record = result
            moved[key] = record
    claims = db.session.scalars(
        sa.select(InvestorClaim).where(InvestorClaim.investor_id == other.id)
    ).all()
    clashing = set(db.session.scalars(
        sa.select(InvestorClaim.user_id).where(InvestorClaim.investor_id == survivor.id)))
    moved["claims"] = [c.id for c in claims if c.user_id not in clashing]
    for claim in claims:
        if claim.id in moved["claims"]:
            claim.investor_id = survivor.id
    users = db.session.scalars(sa.select(User.id).where(User.investor_id == other.id)).all()
    moved["users"] = list(users)
    if users:
        db.session.execute(sa.update(User).where(User.id.in_(users)).values(investor_id=survivor.id))
    if keep_alias and not other.private:
        names = [other.name, *(other.aliases or [])]
        if other.name_en and not survivor.name_en:
            survivor.name_en = other.name_en
        elif other.name_en:
            names.append(other.name_en)
        survivor.aliases = [a for a in dict.fromkeys([*(survivor.aliases or []), *names])
                            if a != survivor.name]
    # the texts organisers chose `other` for now mean the survivor (`other` keeps its own
    # list, so an undo gives them back to it)
    learned = [t for t in (other.known_as or []) if t not in (survivor.known_as or [])]
    if learned:
        survivor.known_as = [*(survivor.known_as or []), *learned]
    moved["known_as"] = learned
    other.merged_into_id = survivor.id
    db.session.flush()
    after = audit.snapshot(survivor, INVESTOR_FIELDS)
    event = audit.record(
        "merge", "investor", other.id, user=user,
        before={"survivor": before},
        after={"into": survivor.id, "into_name": survivor.name, "name": other.name,
               "survivor": after, "moved": moved},
    )
    db.session.flush()
    log.info("investor %s merged into %s", other.id, survivor.id)
    return {"event_id": event.id, "moved": moved}


def undo_merge(event: audit.AuditEvent, *, user) -> Investor:
    """Undo a merge from its audit event: the merged investor is active again, the rows it
    brought move back, and the survivor's names are what they were (unless changed since)."""
    if not is_staff(user):
        raise Forbidden(N_("Only staff can undo a merge."))
    if event.action != "merge" or event.entity != "investor":
        raise DomainError(N_("This audit event is not a merge."))
    already = db.session.scalar(sa.select(audit.AuditEvent.id).where(
        audit.AuditEvent.action == "unmerge", audit.AuditEvent.entity == "investor",
        audit.AuditEvent.entity_id == event.entity_id,
        audit.AuditEvent.id > event.id))
    other = db.session.get(Investor, event.entity_id)
    survivor = db.session.get(Investor, event.after["into"])
    if already is not None or other is None or other.merged_into_id != survivor.id:
        raise Conflict(N_("This merge was already undone."))
    moved = event.after.get("moved", {})
    for key in [k for k in moved if k not in ("claims", "users", "known_as")]:
        signals.investor_merge_undone.send(other, into=survivor, moved={key: moved[key]}, user=user)
    if moved.get("claims"):
        db.session.execute(sa.update(InvestorClaim).where(InvestorClaim.id.in_(moved["claims"]))
                           .values(investor_id=other.id))
    if moved.get("users"):
        db.session.execute(sa.update(User).where(User.id.in_(moved["users"]),
                                                 User.investor_id == survivor.id)
                           .values(investor_id=other.id))
    current = audit.snapshot(survivor, INVESTOR_FIELDS)
    if current == event.after["survivor"]:
        before = event.before["survivor"]
        survivor.aliases = list(before["aliases"])
        survivor.name_en = before["name_en"]
    else:  # changed since the merge: take out only the names the merge added
        added = set(event.after["survivor"]["aliases"]) - set(event.before["survivor"]["aliases"])
        survivor.aliases = [a for a in survivor.aliases if a not in added]
    if moved.get("known_as"):
        survivor.known_as = [t for t in (survivor.known_as or []) if t not in moved["known_as"]]
    other.merged_into_id = None
    db.session.flush()
    audit.record("unmerge", "investor", other.id, user=user,
                 after={"from": survivor.id, "merge_event": event.id})
    return other


# --- names learned at the signing desk (resolution.learn_name) --------------------------------


def learned_names(*, limit: int = 200) -> list[tuple[audit.AuditEvent, Investor | None, bool]]:
    """The latest names organisers taught the resolver: (event, investor, still kept)."""
    events = db.session.scalars(
        sa.select(audit.AuditEvent)
        .where(audit.AuditEvent.entity == "investor", audit.AuditEvent.action == "learn_name")
        .order_by(audit.AuditEvent.at.desc(), audit.AuditEvent.id.desc()).limit(limit)
    ).all()
    owners = {e.entity_id for e in events}
    investors = {i.id: i for i in db.session.scalars(
        sa.select(Investor).where(Investor.id.in_(owners)))} if events else {}
    forgotten = _forgotten(owners) if events else set()
    out = []
    for event in events:
        investor = investors.get(event.entity_id)
        kept = (investor is not None and event.id not in forgotten
                and (event.after or {}).get("text") in (investor.known_as or []))
        out.append((event, investor, kept))
    return out


def _forgotten(investor_ids) -> set[int]:
    """The ids of the learn_name events of these investors that staff have forgotten."""
    return {(e.after or {}).get("learn_event") for e in db.session.scalars(
        sa.select(audit.AuditEvent).where(
            audit.AuditEvent.entity == "investor", audit.AuditEvent.action == "forget_name",
            audit.AuditEvent.entity_id.in_(investor_ids)))}


def forget_name(event: audit.AuditEvent, *, user) -> Investor:
    """Staff take back a learned name (a wrong choice at the desk): the text no longer
    resolves to the investor - the agreement saved then keeps its investor."""
    if not is_staff(user):
        raise Forbidden(N_("Only staff can forget a learned name."))
    if event.action != "learn_name" or event.entity != "investor":
        raise DomainError(N_("This audit event is not a learned name."))
    investor = db.session.get(Investor, event.entity_id)
    text = (event.after or {}).get("text")
    if (investor is None or event.id in _forgotten([event.entity_id])
            or text not in (investor.known_as or [])):
        raise Conflict(N_("This name is not kept any more."))
    investor.known_as = [t for t in investor.known_as if t != text]
    db.session.flush()
    audit.record("forget_name", "investor", investor.id, user=user,
                 before={"text": text}, after={"learn_event": event.id})
    return investor


@dataclass(frozen=True)
class PossibleDuplicate:
    investor: Investor
    other: Investor
    score: float
    why: str


def possible_duplicates(*, limit: int = 200, threshold: float = DUPLICATE_SCORE,
                        resolver: NameResolver | None = None) -> list[PossibleDuplicate]:
    """Pairs of active public investors whose names are close (best first), for staff."""
    resolver = resolver or build_resolver()
    investors = {i.id: i for i in db.session.scalars(sa.select(Investor).where(resolvable()))}
    pairs: dict[tuple[int, int], PossibleDuplicate] = {}
    for investor in investors.values():
        for text in (investor.name, investor.name_en):
            if not text:
                continue
            try:
                resolution = resolver.resolve(text, limit=3)
            except ValueError:
                continue
            for candidate in resolution.candidates:
                other_id = candidate.record.id
                if other_id == investor.id or candidate.score < threshold:
                    continue
                key = (min(investor.id, other_id), max(investor.id, other_id))
                if key not in pairs or pairs[key].score < candidate.score:
                    pairs[key] = PossibleDuplicate(
                        investors[key[0]], investors[key[1]], candidate.score,
                        translate(candidate.why))
    return sorted(pairs.values(), key=lambda p: (-p.score, p.investor.id, p.other.id))[:limit]


# --- investor list import ----------------------------------------------------------------

_HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("name", "名称", "投资方", "投资人", "企业名称", "公司名称", "单位名称", "investor",
             "公司全称", "注册名称", "registered name", "registered_name"),
    "name_en": ("name_en", "英文名称", "英文名", "english name", "name (english)", "英文全称"),
    "aliases": ("aliases", "别名", "简称", "alias", "证券简称", "公司简称"),
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
    committed: bool = False
    created: list[dict[str, Any]] = field(default_factory=list)
    updated: list[dict[str, Any]] = field(default_factory=list)
    unchanged: list[dict[str, Any]] = field(default_factory=list)
    merged: list[dict[str, Any]] = field(default_factory=list)  # under --merge-duplicates
    rejected: list[dict[str, Any]] = field(default_factory=list)  # row, column, value, reason
    duplicates: list[dict[str, Any]] = field(default_factory=list)  # possible duplicates
    skipped: list[dict[str, Any]] = field(default_factory=list)  # not known, under known_only

    def as_json(self) -> dict[str, Any]:
        return {
            "committed": self.committed,
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "merged": len(self.merged),
            "skipped": len(self.skipped),
            "rows": self.created + self.updated + self.unchanged + self.merged + self.skipped,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
        }


HEADER_SCAN_ROWS = 30


def _header_key(cell: str) -> str | None:
    text = normalize(cell)
    for key, words in _HEADERS.items():
        if text in words:
            return key
    return None


def read_investor_rows(data: bytes, filename: str) -> list[tuple[int, dict[str, str]]]:
    """(sheet row, {field: text}) for every non-blank row under the header.

    Reading (.xlsx/.xls/.ods incl. merged cells, CSV in UTF-8/BOM/GBK with a sniffed
    delimiter, size limits) is `matchmaker.sheets`'; the header is the first of the first
    30 rows that names a `name` column. Raises DomainError when the file is refused."""

    try:
        sheets = read_sheets(data, filename, SheetLimits(max_rows=100_000)).sheets
    except SheetError as error:
        raise DomainError(error.message, field="file") from error
    for sheet in sheets:
        for index, row in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
            keys = [_header_key(cell_text(v)) for v in row]
            if "name" not in keys:
                continue
            result = []
            for offset, values in enumerate(sheet.rows[index + 1 :], start=index + 2):
                cells = {
                    key: cell_text(value)
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
    return [" ".join(a.split()) for a in text.split("|") if a.strip()]


@dataclass
class _Row:
    row: int
    name: str
    name_en: str | None
    aliases: list[str]
    kind: InvestorKind
    kind_given: bool
    country: str


def _check_row(row: int, cells: dict[str, str], report: InvestorImportReport) -> _Row | None:
    raw = cells.get("name", "")
    try:
        name = check_new_name(raw, field="name")
    except DomainError as error:
        report.rejected.append(_rejection(row, "name", raw[:50], error.message))
        return None
    kind = _kind(cells.get("kind", ""))
    if kind is None:
        report.rejected.append(_rejection(
            row, "kind", cells.get("kind", "")[:50],
            N_("Unknown kind; use enterprise, soe, fund, foreign or other.")))
        return None
    country = (cells.get("country") or "").strip().upper()
    if country and (len(country) != 2 or not country.isalpha()):
        report.rejected.append(_rejection(row, "country", country[:50],
                                          N_("Use a two-letter country code (CN, US, DE).")))
        return None
    name_en = " ".join((cells.get("name_en") or "").split()) or None
    for column, value in (("name_en", name_en or ""), *(("aliases", a) for a in _aliases(cells.get("aliases", "")))):
        if len(value) > 300:
            report.rejected.append(_rejection(row, column, value[:50],
                                              N_("The name is too long (%(max)d characters at most).", ),
                                              max=300))
            return None
    return _Row(row, name, name_en, _aliases(cells.get("aliases", "")), kind,
                bool(cells.get("kind")), country)


def _same_company(resolution: Resolution, entry: _Row, resolver: NameResolver):
    """The known investor this row *is* (identical company key of its name, English name or
    an alias, or an explicit alias of it), else None; (investor record, reason)."""
    top = resolution.candidates[0] if resolution.candidates else None
    if top is not None and top.kind == "same" and top.score >= 100:
        others = [c for c in resolution.candidates[1:] if c.kind == "same" and c.score >= 100]
        if not others:
            return top
    for text in (entry.name_en, *entry.aliases):
        if not text:
            continue
        same = resolver.same_key(text)
        if len(same) == 1:
            return Candidate(same[0], 100.0, "same",
                             "name_en" if text == entry.name_en else "alias", text)
    return None


def import_investors(data: bytes, filename: str, *, user, merge_duplicates: bool = False,
                     dry_run: bool = False, skip_invalid: bool = False,
                     known_only: bool = False) -> InvestorImportReport:
    """Import an investor list in one transaction.

    A row is the same company as a known investor only when their company keys are
    identical, or the row's English name or alias is one of the investor's names: then the
    investor gains what the row adds (aliases, an English name, kind, country) - nothing is
    overwritten. A row whose name is merely close to a known one (score >= 80) is created and
    reported as a possible duplicate - or, with `merge_duplicates`, added to that investor as
    an alias. Any rejected row refuses the whole file (nothing is written) unless
    `skip_invalid`. Importing the same list twice changes nothing. With `known_only` (a list
    of names for companies the platform already has, such as data/press_names.csv) a row
    that is no known company is reported as skipped, never created.

    The resolver is built once and updated as rows are created (list speed)."""
    report = InvestorImportReport()
    entries = [entry for row, cells in read_investor_rows(data, filename)
               if (entry := _check_row(row, cells, report)) is not None]
    if report.rejected and not skip_invalid:
        return report
    resolver = build_resolver()
    by_id: dict[int, Investor] = {}
    created_audit: list[dict[str, Any]] = []

    def load(record_id: int) -> Investor:
        if record_id not in by_id:
            by_id[record_id] = db.session.get(Investor, record_id)
        return by_id[record_id]

    for entry in entries:
        resolution = resolver.resolve(entry.name, limit=5)
        same = _same_company(resolution, entry, resolver)
        outcome: dict[str, Any] = {"row": entry.row, "name": entry.name}
        close = next((c for c in resolution.candidates if c.score >= DUPLICATE_SCORE), None)
        merging = same is None and close is not None and merge_duplicates and not known_only
        if same is None and known_only:
            report.skipped.append({**outcome, "investor_id": None, "skipped": True})
            continue
        if merging:
            same = close
        if same is not None:
            investor = load(same.record.id)
            changed = _add_information(investor, entry, user)
            item = {**outcome, "investor_id": investor.id, "matched": investor.name,
                    "score": same.score, "why": translate(same.why)}
            if merging:
                report.merged.append(item)
                report.duplicates.append(_duplicate(entry, investor.id, close, merged=True))
            elif changed:
                report.updated.append(item)
            else:
                report.unchanged.append(item)
            if changed:
                resolver.add(investor_record(investor))
            continue
        investor = Investor(
            name=entry.name, name_en=entry.name_en, aliases=[a for a in entry.aliases if a != entry.name],
            kind=entry.kind, country=entry.country or "CN", created_via="import",
        )
        db.session.add(investor)
        db.session.flush()
        by_id[investor.id] = investor
        resolver.add(investor_record(investor))
        created_audit.append({"id": investor.id, "name": investor.name})
        report.created.append({**outcome, "investor_id": investor.id})
        if close is not None:
            report.duplicates.append(_duplicate(entry, investor.id, close, merged=False))
    if created_audit:
        audit.record("import", "investor", None, user=user,
                     after={"file": filename[:200], "created": created_audit[:5000],
                            "duplicates": report.duplicates[:500]})
    db.session.flush()
    if dry_run:
        report.committed = False
    else:
        report.committed = True
    log.info(
        "investor import %s: %d created, %d updated, %d unchanged, %d merged, %d skipped, "
        "%d rejected, %d possible duplicates", filename, len(report.created), len(report.updated),
        len(report.unchanged), len(report.merged), len(report.skipped), len(report.rejected),
        len(report.duplicates),
    )
    return report


def _add_information(investor: Investor, entry: _Row, user) -> bool:
    """Only adds: aliases (the written name too, when it differs), an English name where
    none was set, the kind when the file states one, the country when given."""
    before = audit.snapshot(investor, INVESTOR_FIELDS)
    wanted = list(dict.fromkeys([
        *(investor.aliases or []), *([entry.name] if entry.name != investor.name else []),
        *entry.aliases]))
    wanted = [a for a in wanted if a != investor.name]
    if (entry.name_en and investor.name_en and entry.name_en not in wanted
            and name_key(entry.name_en).key != name_key(investor.name_en).key):
        wanted.append(entry.name_en)  # a second English name is kept as an alias
    if wanted != list(investor.aliases or []):
        investor.aliases = wanted
    if entry.name_en and not investor.name_en:
        investor.name_en = entry.name_en
    if entry.kind_given and entry.kind != investor.kind:
        investor.kind = entry.kind
    if entry.country and entry.country != investor.country:
        investor.country = entry.country
    after = audit.snapshot(investor, INVESTOR_FIELDS)
    if after == before:
        return False
    db.session.flush()
    audit.record("update", "investor", investor.id, user=user, before=before,
                 after={**after, "via": "import"})
    return True


def _duplicate(entry: _Row, investor_id: int, close, *, merged: bool) -> dict[str, Any]:
    return {
        "row": entry.row,
        "name": entry.name,
        "investor_id": investor_id,
        "duplicate_of": {"id": close.record.id, "name": close.record.name},
        "score": close.score,
        "why": translate(close.why),
        "merged": merged,
    }


def _rejection(row: int, column: str, value: str, reason: Message | str, **params) -> dict[str, Any]:
    message = reason if isinstance(reason, Message) else Message(reason, params)
    return {"row": row, "column": column, "value": value, "reason": translate(message)}
