"""Matching over the database: profiles -> ranked projects, projects -> ranked investors,
leads (registered interest) through their states, and event-wide meeting suggestions.

The pure engine (`scorer.py`) works on a `ProjectMatrix`; it is built once per process
from the published, non-withdrawn projects and kept by the shared generation cache
(`matchmaker.cache`, name `matching_projects`): catalogue imports, project edits, publish
and withdraw bump the generation in their transaction with the ids they changed
(`signals.projects_written`), and every worker applies those rows to its matrix
(`apply_changes`) instead of rebuilding it. A worker with no matrix yet maps the matrix's
snapshot (`storage`, written after each full build) and applies the log from there.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO
from typing import Any

import sqlalchemy as sa
from flask import current_app
from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import set_committed_value

from matchmaker import audit, cache, signals
from matchmaker.accounts.operations import covered_region_ids, require_region
from matchmaker.catalogue.models import (
    Catalogue,
    CatalogueStatus,
    Project,
    ProjectStatus,
    Region,
    Sector,
    project_sectors,
)
from matchmaker.errors import Conflict, DomainError, Forbidden, NotFound
from matchmaker.extensions import db
from matchmaker.i18n import N_, translate
from matchmaker.investors.models import Investor
from matchmaker.investors.operations import can_edit, link_user_to_investor
from matchmaker.matching import storage
from matchmaker.matching.models import InvestorProfile, Lead, LeadStatus
from matchmaker.matching.scorer import (
    Match,
    Profile,
    ProfileError,
    ProjectFeatures,
    ProjectMatrix,
    SectorTree,
    Weights,
    project_text,
    suggest_meetings,
    validate_profile,
)
from matchmaker.money import to_yi
from matchmaker.reference.loaders import glossary, region_tree, sector_tree
from matchmaker.reference.models import RegionLevel
from matchmaker.reference.vocabulary import CooperationMode
from matchmaker.sheets import safe_cell

log = logging.getLogger(__name__)

DEFAULT_TOP = 20
MAX_TOP = 200
MAX_MESSAGE_CHARS = 2000



@dataclass(frozen=True)
class MatchingContext:
    matrix: ProjectMatrix
    sector_tree: SectorTree
    region_names: dict[str, tuple[str, str]]
    region_codes: frozenset[str]


# --- building the matrix -----------------------------------------------------------------


def _matchable() -> sa.ColumnElement[bool]:
    return sa.and_(
        Catalogue.status == CatalogueStatus.PUBLISHED,
        Project.status.not_in((ProjectStatus.WITHDRAWN, ProjectStatus.SIGNED)),
    )




def _regions() -> tuple[dict[int, tuple[str, str | None]], dict[str, tuple[str, str]]]:
    rows = db.session.execute(
        sa.select(Region.id, Region.code, Region.name, Region.name_en, Region.parent_id)
    ).all()
    code_of = {row.id: row.code for row in rows}
    by_id = {row.id: (row.code, code_of.get(row.parent_id) if row.parent_id else row.code) for row in rows}
    names = {row.code: (row.name, row.name_en) for row in rows}
    return by_id, names


def _features(tree: SectorTree, project_ids: Sequence[int] | None = None) -> list[ProjectFeatures]:
    """The matchable projects (of these ids) as the matrix reads them."""
    regions, _names = _regions()
    sectors_query = (
        sa.select(project_sectors.c.project_id, Sector.code)
        .join(Sector, Sector.id == project_sectors.c.sector_id)
        .join(Project, Project.id == project_sectors.c.project_id)
        .join(Catalogue, Catalogue.id == Project.catalogue_id)
        .where(_matchable())
        .order_by(project_sectors.c.project_id, Sector.position)
    )
    projects_query = (
        sa.select(
            Project.id, Project.name, Project.name_en, Project.region_id,
            Project.investment_sought_yuan, Project.cooperation_modes, Project.construction_content,
        )
        .join(Catalogue)
        .where(_matchable())
    )
    if project_ids is not None:
        sectors_query = sectors_query.where(project_sectors.c.project_id.in_(project_ids))
        projects_query = projects_query.where(Project.id.in_(project_ids))
    sectors_of: dict[int, list[str]] = {}
    for project_id, code in db.session.execute(sectors_query):
        sectors_of.setdefault(project_id, []).append(code)
    features = []
    for row in db.session.execute(projects_query):
        codes = sectors_of.get(row.id, [])
        region_code, prefecture_code = regions.get(row.region_id, (None, None))
        features.append(
            ProjectFeatures(
                id=row.id,
                name=row.name,
                sectors=tuple(codes),
                region_code=region_code,
                prefecture_code=prefecture_code,
                investment_sought_yuan=row.investment_sought_yuan,
                modes=tuple(row.cooperation_modes or ()),
                # the English name too: Chinese keywords find English-named projects
                text=project_text(f"{row.name} {row.name_en or ''}".strip(), codes, tree,
                                  row.construction_content or ""),
            )
        )
    return features


def build_context() -> MatchingContext:
    """Read the matchable projects into a ProjectMatrix (a few queries, no ORM objects)."""
    tree = SectorTree.from_items(sector_tree())
    _by_id, region_names = _regions()
    matrix = ProjectMatrix.build(_features(tree), tree, region_names=region_names, glossary=glossary())
    matrix.index()  # the candidate stage's index, now rather than at the first match
    return MatchingContext(matrix, tree, region_names, frozenset(region_names))


def _changed_features(context: MatchingContext, project_ids: set[int]) -> tuple[list[ProjectFeatures], list[int]]:
    ids = sorted(project_ids)
    features: list[ProjectFeatures] = []
    for start in range(0, len(ids), 5000):
        features += _features(context.sector_tree, ids[start : start + 5000])
    return features, ids


def apply_changes(context: MatchingContext, project_ids: set[int]) -> MatchingContext:
    """A new context with these projects re-read: changed ones replaced, new ones added,
    and those no longer matchable (withdrawn, signed, unpublished, deleted) removed. The
    context given is left untouched (a copy of the matrix: a transaction's own view)."""
    features, ids = _changed_features(context, project_ids)
    matrix = context.matrix.with_changes(features, removed=ids)
    return MatchingContext(matrix, context.sector_tree, context.region_names, context.region_codes)


def apply_changes_in_place(context: MatchingContext, project_ids: set[int]) -> None:
    """The same, applied to the context's matrix in place (what workers do: the cost of
    the changed rows, not of the catalogue; queries never see half of it)."""
    features, ids = _changed_features(context, project_ids)
    context.matrix.apply(features, removed=ids)


def context_arrays(context: MatchingContext) -> tuple[dict, dict]:
    """The context's matrix as snapshot arrays (`storage.to_arrays`)."""
    return storage.to_arrays(context.matrix)


def context_from_arrays(arrays: dict, meta: dict) -> MatchingContext:
    """A context over a snapshot's arrays: the matrix maps them, the small tables (sector
    tree, region names) are read from the database as a build reads them."""
    tree = SectorTree.from_items(sector_tree())
    _by_id, region_names = _regions()
    matrix = storage.from_arrays(arrays, meta, tree, region_names, glossary())
    return MatchingContext(matrix, tree, region_names, frozenset(region_names))


_contexts: cache.GenerationCache[MatchingContext] = cache.GenerationCache(
    cache.MATCHING_PROJECTS, lambda: build_context(), lambda context, ids: apply_changes(context, ids),
    apply_in_place=apply_changes_in_place,
    snapshot=(context_arrays, context_from_arrays), snapshot_version=storage.VERSION,
)


def projects_changed(ids: Iterable[int]) -> None:
    """Log these projects as changed for the matrix of every worker (the subscriber of
    `signals.projects_written`, in the writer's transaction)."""
    cache.bump(cache.MATCHING_PROJECTS, ids=ids)


def matching_context() -> MatchingContext:
    """The cached context of the current database, rebuilt when the projects changed (one
    primary-key read of the `matching_projects` generation per request)."""
    return _contexts.get()


def invalidate() -> None:
    """Mark the whole matrix stale for every process: a full rebuild everywhere (writes of
    projects log their ids through `projects_changed` instead)."""
    cache.bump(cache.MATCHING_PROJECTS)


def weights() -> Weights:
    return Weights.from_mapping(current_app.config.get("MATCH_WEIGHTS"))


# --- profiles ----------------------------------------------------------------------------

PROFILE_FIELDS = ["sectors", "regions", "min_yuan", "max_yuan", "modes", "keywords"]


@dataclass(frozen=True)
class ProfileInput:
    sectors: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    min_yuan: Decimal | None = None
    max_yuan: Decimal | None = None
    modes: tuple[str, ...] = ()  # CooperationMode codes
    keywords: str = ""


def save_profile(investor: Investor, data: ProfileInput, *, user) -> InvestorProfile:
    """Create or replace the investor's profile (validated as the matcher will read it).

    Only staff and the users who speak for that investor (an approved claim, or their own
    private record) may: a pending claim never reaches the company's profile."""

    if user is not None and not can_edit(user, investor):
        raise Forbidden(N_("You cannot change the profile of %(name)s."), name=investor.name)
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


def save_own_profile(
    user, data: ProfileInput, *, organisation: str = "", create: bool = False,
    investor_id: int | None = None,
) -> tuple[Investor, Any]:
    """An investor user saves what they look for, naming their organisation: a picked
    candidate (`investor_id`), another name than their current company, or a first name
    links them (a pending claim on a known company, or a new one with `create`; see
    `link_user_to_investor`); then the profile is saved on the company they work on now.
    Returns (that investor, the claim filed or None)."""
    investor = db.session.get(Investor, user.investor_id) if user.investor_id else None
    typed = (organisation or "").strip()
    claim = None
    if investor_id is not None or investor is None or typed not in ("", investor.name):
        investor, claim = link_user_to_investor(user, typed, create=create,
                                                investor_id=investor_id)
    save_profile(investor, data, user=user)
    return investor, claim


def engine_profile(data: Any) -> Profile:
    """A Profile for the engine from an InvestorProfile row or a ProfileInput."""
    return Profile(
        sectors=tuple(data.sectors or ()),
        regions=tuple(data.regions or ()),
        min_yuan=data.min_yuan,
        max_yuan=data.max_yuan,
        modes=tuple(data.modes or ()),
        keywords=data.keywords or "",
    )


def check_profile(data: Any, context: MatchingContext | None = None) -> Profile:
    """The engine's Profile, or DomainError (with the field) saying what is wrong."""
    for mode in data.modes or ():
        if str(mode) not in set(CooperationMode):
            raise DomainError(
                N_("Unknown cooperation mode: %(mode)s"), field="modes", mode=str(mode)[:40]
            )
    profile = engine_profile(data)
    if context is None:

        tree = SectorTree.from_items(sector_tree())
        codes: set[str] = set()

        def walk(items: Iterable[Mapping[str, Any]]) -> None:
            for item in items:
                codes.add(item["code"])
                walk(item.get("children") or ())

        walk(region_tree())
    else:
        tree, codes = context.sector_tree, set(context.region_codes)
    try:
        validate_profile(profile, tree, codes)
    except ProfileError as error:
        raise DomainError(error.message, field=error.field) from error
    return profile


# --- matches -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectMatch:
    project: Project
    score: int
    reasons: list[dict[str, str]]  # [{"kind", "text"}], translated


@dataclass(frozen=True)
class InvestorMatch:
    investor: Investor
    score: int
    reasons: list[dict[str, str]]


def translated_reasons(match: Match) -> list[dict[str, str]]:
    return [{"kind": r.kind, "text": translate(r.message)} for r in match.reasons]


def _projects_by_id(ids: Sequence[int]) -> dict[int, Project]:
    """The projects with what their JSON and the pages show (sectors, region) loaded in two
    statements, whatever their number: not one lazy load per project.

    The sectors are read by `project_sectors.project_id` (its primary key's first column):
    `selectinload` filters on the projects' id through a join instead, which PostgreSQL
    answered with a sequential scan of the whole association table (141 ms at 1,000,000
    projects, for 20)."""
    if not ids:
        return {}
    projects = {p.id: p for p in db.session.scalars(
        sa.select(Project).where(Project.id.in_(ids)).options(joinedload(Project.region)))}
    sectors_of: dict[int, list[Sector]] = {project_id: [] for project_id in projects}
    if projects:
        rows = db.session.execute(
            sa.select(project_sectors.c.project_id, Sector)
            .join(Sector, Sector.id == project_sectors.c.sector_id)
            .where(project_sectors.c.project_id.in_(list(projects)))
            .order_by(project_sectors.c.project_id, Sector.position)  # the relationship's order
        )
        for project_id, sector in rows:
            sectors_of[project_id].append(sector)
    for project_id, project in projects.items():
        set_committed_value(project, "sectors", sectors_of[project_id])
    return projects


def match_projects(data: Any, *, top: int = DEFAULT_TOP) -> list[ProjectMatch]:
    """Projects ranked for a profile (an InvestorProfile or ProfileInput): score desc, id asc."""
    context = matching_context()
    profile = check_profile(data, context)
    top = max(1, min(int(top), MAX_TOP))
    matches = context.matrix.score(profile, weights(), top=top,
                                   exhaustive=not current_app.config.get("MATCH_CANDIDATES", True))
    projects = _projects_by_id([m.project_id for m in matches])
    return [
        ProjectMatch(projects[m.project_id], m.score, translated_reasons(m))
        for m in matches
        if m.project_id in projects
    ]


def matchable_project(project_id: int) -> Project:
    """The project when investors can be matched to it (published, not withdrawn), else 404."""
    project = db.session.scalar(
        sa.select(Project).join(Catalogue).where(Project.id == project_id, _matchable())
    )
    if project is None:
        raise NotFound(N_("No such project."))
    return project


def _listed_investor() -> sa.ColumnElement[bool]:
    """Investors shown to project owners and in event-wide suggestions: not a user's private
    draft (pending claim or review) and not merged into another."""
    return sa.and_(Investor.private.is_(False), Investor.merged_into_id.is_(None))


def match_investors(project: Project, *, top: int = DEFAULT_TOP) -> list[InvestorMatch]:
    """Investors with a usable profile ranked for one project (score desc, investor id asc)."""
    context = matching_context()
    features = context.matrix.project(project.id)
    if features is None:
        raise NotFound(N_("No such project."))
    single = ProjectMatrix.build(
        [features], context.sector_tree, region_names=context.region_names,
        glossary=context.matrix.glossary,
    )
    current = weights()
    found: list[tuple[int, int, Match]] = []
    rows = db.session.scalars(
        sa.select(InvestorProfile).join(Investor).where(_listed_investor())
        .order_by(InvestorProfile.investor_id)
    ).all()
    for row in rows:
        profile = engine_profile(row)
        try:
            matches = single.score(profile, current, top=1, min_score=1)
        except ProfileError:
            continue  # an empty profile matches nothing
        if matches:
            found.append((-matches[0].score, row.investor_id, matches[0]))
    found.sort(key=lambda item: item[:2])
    top = max(1, min(int(top), MAX_TOP))
    chosen = found[:top]
    investors = {
        i.id: i
        for i in db.session.scalars(
            sa.select(Investor).where(Investor.id.in_([c[1] for c in chosen]))
        )
    }
    return [InvestorMatch(investors[iid], -neg, translated_reasons(m)) for neg, iid, m in chosen]


# --- leads -------------------------------------------------------------------------------

LEAD_FLOW: tuple[LeadStatus, ...] = (
    LeadStatus.NEW, LeadStatus.CONTACTED, LeadStatus.MEETING, LeadStatus.SIGNED,
)
FINAL = {LeadStatus.SIGNED, LeadStatus.DROPPED}


def allowed_moves(status: LeadStatus) -> list[LeadStatus]:
    """Forward along new -> contacted -> meeting -> signed (steps may be skipped), or
    dropped from any open state; signed and dropped are final."""
    if status in FINAL:
        return []
    later = list(LEAD_FLOW[LEAD_FLOW.index(status) + 1 :])
    return [*later, LeadStatus.DROPPED]


def register_interest(investor: Investor, project: Project, message: str, *, user) -> Lead:
    """An investor's interest in a project (one lead per investor and project)."""
    matchable_project(project.id)
    message = (message or "").strip()
    if len(message) > MAX_MESSAGE_CHARS:
        raise DomainError(
            N_("The message is too long (%(limit)d characters at most)."),
            field="message", limit=MAX_MESSAGE_CHARS,
        )
    existing = db.session.scalar(
        sa.select(Lead).where(Lead.investor_id == investor.id, Lead.project_id == project.id)
    )
    if existing is not None:
        raise Conflict(N_("You already registered interest in this project."), field="message")
    lead = Lead(investor=investor, project=project, user_id=getattr(user, "id", None),
                message=message, status=LeadStatus.NEW)
    db.session.add(lead)
    db.session.flush()
    audit.record("create", "lead", lead.id, user=user,
                 after={"investor_id": investor.id, "project_id": project.id, "status": lead.status})
    log.info("lead %s: investor %s -> project %s", lead.id, investor.id, project.id)
    return lead


def move_lead(lead: Lead, status: LeadStatus | str, *, user) -> Lead:
    """Move a lead to its next state (staff), audited. A prefecture's staff move their
    prefecture's leads only."""
    require_region(user, lead.project.region if lead.project is not None else None,
                   field="status")
    try:
        target = LeadStatus(status)
    except ValueError as error:
        raise DomainError(N_("Unknown lead state: %(state)s"), field="status",
                          state=str(status)[:20]) from error
    if target not in allowed_moves(lead.status):
        raise Conflict(
            N_("A lead cannot move from %(current)s to %(target)s."),
            field="status", current=lead.status.value, target=target.value,
        )
    before = lead.status
    lead.status = target
    db.session.flush()
    audit.record("status", "lead", lead.id, user=user,
                 before={"status": before}, after={"status": target})
    return lead


def leads_query(*, project_id: int | None = None, region_code: str | None = None,
                status: str | None = None, user=None) -> sa.Select:
    """Leads newest first, optionally for one project, prefecture/county or state, with
    their project (and its region) and investor loaded in the same statement."""
    query = (
        sa.select(Lead).join(Project)
        .options(joinedload(Lead.project).joinedload(Project.region), joinedload(Lead.investor))
        .order_by(Lead.created_at.desc(), Lead.id.desc())
    )
    if project_id:
        query = query.where(Lead.project_id == project_id)
    if status in {s.value for s in LeadStatus}:
        query = query.where(Lead.status == LeadStatus(status))
    if region_code:
        region = db.session.scalar(
            sa.select(Region).where(Region.code == region_code).options(selectinload(Region.children))
        )
        if region is not None:
            ids = [region.id, *(c.id for c in region.children)]
            query = query.where(Project.region_id.in_(ids))
    covered = covered_region_ids(user)
    if covered is not None:  # a prefecture's staff see their prefecture's leads only
        query = query.where(Project.region_id.in_(covered))
    return query


@dataclass(frozen=True)
class LeadsPage:
    leads: list[Lead]
    prefectures: list[Region]  # for the region filter
    project: Project | None  # the project the list is filtered by


def list_leads(*, project_id: int | None = None, region_code: str | None = None,
               status: str | None = None, page: int = 1, per_page: int = 100,
               user=None) -> LeadsPage:
    """One page of leads for staff, in a constant number of statements whatever its length
    (a scoped account's: its prefectures' only)."""
    query = leads_query(project_id=project_id, region_code=region_code, status=status, user=user)
    leads = db.session.scalars(query.limit(per_page).offset((max(page, 1) - 1) * per_page)).all()
    prefectures = db.session.scalars(
        sa.select(Region).where(Region.level == RegionLevel.PREFECTURE).order_by(Region.position)
    ).all()
    project = db.session.get(Project, project_id) if project_id else None
    return LeadsPage(list(leads), list(prefectures), project)


def leads_by_investor(project: Project) -> dict[int, Lead]:
    """The project's leads, by investor id."""
    return {
        lead.investor_id: lead
        for lead in db.session.scalars(sa.select(Lead).where(Lead.project_id == project.id))
    }


def projects_of_interest(investor: Investor) -> set[int]:
    """Ids of the projects the investor registered interest in."""
    return set(db.session.scalars(sa.select(Lead.project_id).where(Lead.investor_id == investor.id)))


# --- event-wide suggestions --------------------------------------------------------------


@dataclass(frozen=True)
class Meeting:
    investor: Investor
    rank: int
    project: Project
    score: int
    reasons: list[dict[str, str]]


def event_suggestions(*, per_investor: int = 5, per_project_cap: int = 8,
                      min_score: int = 40) -> list[Meeting]:
    """Top meetings for every investor with a profile, no project over the cap."""
    context = matching_context()
    profiles = {
        row.investor_id: engine_profile(row)
        for row in db.session.scalars(
            sa.select(InvestorProfile).join(Investor).where(_listed_investor()))
    }
    proposals = suggest_meetings(
        profiles, context.matrix, context.sector_tree, weights(),
        per_investor=per_investor, per_project_cap=per_project_cap, min_score=min_score,
    )
    investors = {i.id: i for i in db.session.scalars(sa.select(Investor).where(Investor.id.in_(list(profiles))))}
    projects = _projects_by_id(sorted({m.project_id for ms in proposals.values() for m in ms}))
    meetings = []
    for investor_id in sorted(proposals):
        for rank, match in enumerate(proposals[investor_id], start=1):
            meetings.append(Meeting(investor=investors[investor_id], rank=rank,
                                    project=projects[match.project_id], score=match.score,
                                    reasons=translated_reasons(match)))
    return meetings


def meetings_workbook(meetings: Sequence[Meeting]) -> bytes:
    """The trade negotiation zone's sheet: one row per proposed meeting, plus per project."""


    def append(sheet, row: list[Any]) -> None:
        sheet.append([safe_cell(value) for value in row])

    def header(sheet, names: list[str]) -> None:
        append(sheet, names)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Meetings"
    header(sheet, [translate(N_("Investor ID")), translate(N_("Investor")), translate(N_("Rank")),
                   translate(N_("Project code")), translate(N_("Project")),
                   translate(N_("Region")), translate(N_("Amount sought (亿元)")),
                   translate(N_("Score")), translate(N_("Reasons"))])
    per_project: dict[int, list[Meeting]] = {}
    for meeting in meetings:
        project = meeting.project
        append(sheet, [meeting.investor.id, meeting.investor.name, meeting.rank, project.code,
                       project.name, project.region.name if project.region else "",
                       to_yi(project.investment_sought_yuan), meeting.score,
                       "; ".join(r["text"] for r in meeting.reasons)])
        per_project.setdefault(project.id, []).append(meeting)
    for cells in sheet.iter_rows(min_row=2, min_col=7, max_col=7):
        for cell in cells:
            cell.number_format = "#,##0.00"
    by_project = workbook.create_sheet("Projects")
    header(by_project, [translate(N_("Project code")), translate(N_("Project")),
                        translate(N_("Meetings")), translate(N_("Investors"))])
    for items in sorted(per_project.values(), key=lambda ms: (-len(ms), ms[0].project.id)):
        project = items[0].project
        append(by_project, [project.code, project.name, len(items),
                            "; ".join(m.investor.name for m in items)])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- merges of investors (sent by matchmaker.investors.operations) ---------------------------


@signals.investor_merged.connect
def _merge_profile_and_leads(other: Investor, *, into: Investor, user=None, **_extra):
    """The merged investor's profile moves when the survivor has none; its leads move unless
    the survivor already has one for that project (those stay, and come back on undo)."""
    moved: dict[str, Any] = {"profile": None, "leads": []}
    profile = other.profile
    if profile is not None and into.profile is None:
        profile.investor = into
        moved["profile"] = profile.id
    taken = sa.select(Lead.project_id).where(Lead.investor_id == into.id)
    lead_ids = list(db.session.scalars(
        sa.select(Lead.id).where(Lead.investor_id == other.id, Lead.project_id.not_in(taken))))
    if lead_ids:
        db.session.execute(sa.update(Lead).where(Lead.id.in_(lead_ids)).values(investor_id=into.id)
                           .execution_options(synchronize_session=False))
    moved["leads"] = lead_ids
    db.session.flush()
    db.session.expire_all()
    return ("matching", moved)


@signals.investor_merge_undone.connect
def _unmerge_profile_and_leads(other: Investor, *, into: Investor, moved, user=None, **_extra):
    record = moved.get("matching")
    if not record:
        return None
    if record.get("profile"):
        profile = db.session.get(InvestorProfile, record["profile"])
        if profile is not None and profile.investor_id == into.id:
            profile.investor = other
    if record.get("leads"):
        db.session.execute(sa.update(Lead).where(Lead.id.in_(record["leads"]),
                                                 Lead.investor_id == into.id)
                           .values(investor_id=other.id).execution_options(synchronize_session=False))
    db.session.flush()
    db.session.expire_all()
    return None
