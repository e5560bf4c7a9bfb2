"""JSON shapes of a search: the query parameters and the result (the API's GET /projects
and `matchmaker search --json` print the same document)."""

from __future__ import annotations

from typing import Any

from pydantic import Field
from werkzeug.datastructures import MultiDict

from matchmaker.catalogue.schemas import ProjectOut
from matchmaker.i18n import translate
from matchmaker.schemas import Flag, Schema
from matchmaker.search.params import LIST_PARAMS


class SearchQuery(Schema):
    """GET /projects: filters repeat (sector=a&sector=b) or take commas (sector=a,b);
    values of one filter are alternatives. The rules live in `search.params`."""

    q: str = Field("", description="Chinese, English or pinyin words, sector aliases, "
                                   "region names; typos tolerated")
    sector: list[str] = Field([], description="sector codes (GET /sectors)")
    region: list[str] = Field([], description="region codes (GET /regions)")
    mode: list[str] = Field([], description="cooperation modes")
    status: list[str] = Field([], description="project statuses; withdrawn projects are "
                                              "hidden unless given")
    band: list[str] = Field([], description="investment-sought bands")
    min_sought: str = Field("", description="yuan, or with a unit: '5亿元'")
    max_sought: str = ""
    sort: str = Field("relevance", description="relevance | sought_desc | sought_asc | newest")
    page: str = Field("1", description="from 1")
    per_page: str = Field("20", description="at most 100")

    def args(self) -> MultiDict:
        """The parameters as `search.params.request_from_args` reads them."""
        pairs: list[tuple[str, str]] = []
        for name in ("q", "min_sought", "max_sought", "sort", "page", "per_page"):
            pairs.append((name, getattr(self, name)))
        for name in LIST_PARAMS:
            pairs.extend((name, value) for value in getattr(self, name))
        return MultiDict(pairs)


class ProjectHit(ProjectOut):
    score: int | float
    matched_fields: list[str] = Field(description="name, sector, region, content")


class Correction(Schema):
    from_: str = Field(alias="from")
    to: str


class SearchSuggestion(Schema):
    text: str
    params: dict[str, Any] = Field(description="URL parameters to set (null removes one)")
    count: int


class SearchResultOut(Schema):
    """Facets' region, status and sought_band counts add up to total."""

    total: int
    page: int
    per_page: int
    items: list[ProjectHit]
    facets: dict[str, Any]
    corrections: list[Correction]
    explanation: list[str]
    suggestions: list[SearchSuggestion]

    @classmethod
    def of(cls, page) -> SearchResultOut:
        result = page.result
        return cls(
            total=result.total, page=result.page, per_page=result.per_page,
            items=[ProjectHit(**ProjectOut.fields_of(project), score=hit.score,
                              matched_fields=list(hit.fields))
                   for project, hit in page.items],
            facets=result.facets,
            corrections=[Correction(**{"from": a, "to": b}) for a, b in result.corrections],
            explanation=[translate(m) for m in result.explanation],
            suggestions=[SearchSuggestion(text=translate(s.message), params=s.changes,
                                          count=s.count) for s in result.suggestions],
        )


class AttachmentQuery(Schema):
    """Query of GET /projects/<id>/attachments/<attachment_id>."""

    download: Flag = Field(False, description="true: download an image instead of showing it")
