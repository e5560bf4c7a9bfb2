"""Search operations: the one service behind the catalogue page, the JSON API and the CLI.

    reindex_projects(project_ids=None)        keep the index in step after Core writes
    search_projects(request) -> SearchPage     ranked page of projects, facets, explanation
    similar_projects(project, limit=5)         projects like this one
    write_snapshots()                          the snapshots new workers start from
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from matchmaker import cache
from matchmaker.catalogue.models import Catalogue, CatalogueStatus, Project, ProjectStatus
from matchmaker.extensions import db
from matchmaker.reference.labels import names
from matchmaker.reference.vocabulary import CooperationMode, InvestmentBand
from matchmaker.search import index as search_index
from matchmaker.search.core import Hit, SearchRequest, SearchResult

log = logging.getLogger(__name__)


def reindex_projects(project_ids: list[int] | None = None) -> None:
    """Rewrite the search index for these projects (None: rebuild all), in the current
    transaction, with Core bulk statements. Call it after writing projects with Core
    statements (insert/update/delete); ORM writes are reindexed by an after_flush listener.
    Deleted ids are fine: they leave the index. Never commits."""
    count = search_index.reindex(db.session.connection(), project_ids)
    log.info("search index: %d documents rewritten", count)


def write_snapshots() -> list[Path]:
    """Bring this process's search index and the generation caches that keep snapshots
    (the matching matrix) to the current state and make sure their snapshots are written:
    the files new workers start from. Returns the paths written or already current."""
    cache.identify_database()  # a database loaded in bulk has none: no snapshot without it
    paths = []
    with search_index.current_index() as index, db.engine.connect() as connection:
        path = search_index.write_snapshot(index, connection, unless_current=True)
        if path is not None:
            paths.append(path)
    return paths + cache.write_snapshots()


@dataclass
class SearchPage:
    result: SearchResult
    items: list[tuple[Project, Hit]]


def _load(ids: list[int]) -> dict[int, Project]:
    if not ids:
        return {}
    projects = db.session.scalars(
        sa.select(Project).where(Project.id.in_(ids))
        .options(selectinload(Project.sectors), joinedload(Project.region))
    ).all()
    return {p.id: p for p in projects}


_LABELLED_FACETS = {"mode": CooperationMode, "status": ProjectStatus, "sought_band": InvestmentBand}


def labelled_facets(facets: dict) -> dict:
    """The core's facets with the bilingual names of modes, statuses and bands added
    (`{"code", "name", "name_en", "count"}`, as INTERFACES describes them)."""
    for key, enum_cls in _LABELLED_FACETS.items():
        for item in facets.get(key, ()):
            item.update(names(enum_cls(item["code"])))
    return facets


def search_projects(request: SearchRequest) -> SearchPage:
    """Ranked, filtered, paginated projects of published catalogues, with facets.
    Raises `core.SearchError` for a request it refuses (unknown code, page 0, ...)."""
    with search_index.current_index() as index:
        result = index.search(request)
    labelled_facets(result.facets)
    projects = _load([hit.project_id for hit in result.hits])
    items = [(projects[hit.project_id], hit) for hit in result.hits if hit.project_id in projects]
    return SearchPage(result, items)


def similar_projects(project: Project, limit: int = 5) -> list[Project]:
    with search_index.current_index() as index:
        ids = index.similar(project.id, limit)
    projects = _load(ids)
    return [projects[i] for i in ids if i in projects]


def published_project(project_id: int) -> Project | None:
    """The project when its catalogue is published (what the public may see), else None."""
    return db.session.scalar(
        sa.select(Project).join(Catalogue)
        .where(Project.id == project_id, Catalogue.status == CatalogueStatus.PUBLISHED)
    )


def visible_project(project_id: int, *, user) -> Project | None:
    """The project page's project: a published one for everyone; staff also preview the
    projects of unpublished catalogues. None: not found (or not for this user)."""
    project = published_project(project_id)
    if project is None and getattr(user, "is_authenticated", False) and user.has_role("staff"):
        project = db.session.get(Project, project_id)
    return project
