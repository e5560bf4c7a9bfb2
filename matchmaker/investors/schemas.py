"""JSON shapes of investors (companies) and of name resolution."""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, Field

from matchmaker.schemas import Flag, RecordId, Schema, Timestamp, Upload, text, whole


class InvestorRef(Schema):
    id: int
    name: str
    name_en: str | None

    @classmethod
    def of(cls, investor) -> InvestorRef | None:
        if investor is None:
            return None
        return cls(id=investor.id, name=investor.name, name_en=investor.name_en)


def investor_json(investor) -> dict[str, Any] | None:
    ref = InvestorRef.of(investor)
    return ref.dump() if ref is not None else None


class Why(Schema):
    kind: str
    source: str | None = None
    matched: str | None = None
    text: str


class Candidate(InvestorRef):
    score: int | float
    why: Why


class ResolutionOut(Schema):
    """`match` is null unless the name means that company with confidence; `candidates`
    lists up to 5 companies, best first, either way."""

    query: str
    match: InvestorRef | None
    score: int | float | None
    runner_up: InvestorRef | None
    candidates: list[Candidate]


class ResolveQuery(Schema):
    name: str = ""


class InvestorOut(InvestorRef):
    kind: str
    country: str
    aliases: list[str]
    needs_review: bool = Field(description="created at the desk or on sign-up, not yet "
                                           "confirmed by staff")
    has_profile: bool

    @classmethod
    def of(cls, investor) -> InvestorOut:
        return cls(id=investor.id, name=investor.name, name_en=investor.name_en,
                   kind=investor.kind.value, country=investor.country,
                   aliases=list(investor.aliases or []), needs_review=investor.needs_review,
                   has_profile=investor.profile is not None)


class InvestorList(Schema):
    items: list[InvestorOut]
    page: int
    per_page: int


class InvestorsQuery(Schema):
    q: text(300, description="part of the Chinese or English name") = ""
    page: whole(1, 100_000) = 1
    per_page: whole(1, 500) = 200


class InvestorImportForm(Schema):
    """multipart/form-data of POST /investors/import (the investor list page's upload)."""

    file: Upload
    merge_duplicates: Flag = Field(False, description="merge rows that are certainly a known "
                                                      "company into it")
    skip_invalid: Flag = Field(False, description="import the valid rows, report the rest")
    dry_run: Flag = Field(False, description="check and report; write nothing")


class InvestorImportOut(Schema):
    """What was (or would be) created, updated, merged; every rejected row and why."""

    model_config = ConfigDict(extra="allow")

    committed: bool
    created: int
    updated: int
    unchanged: int
    merged: int
    skipped: int
    rows: list[dict[str, Any]]
    rejected: list[dict[str, Any]]
    duplicates: list[dict[str, Any]]


class MergeIn(Schema):
    survivor: RecordId = Field(description="the investor that stays")
    other: RecordId = Field(description="the investor merged into it (its names become aliases)")


class MergeOut(Schema):
    event_id: int = Field(description="the audit event; undo the merge from it")
    survivor: InvestorRef
    moved: dict[str, Any] = Field(description="what moved to the survivor, by kind")


class LearnedNameOut(Schema):
    event_id: int = Field(description="the audit event; forget the name from it")
    text: str = Field(description="the name typed, which now resolves to the investor when "
                                  "written exactly")
    investor: InvestorRef | None
    via: str = Field(description="signing (the desk or the API) or claim (a claim approved)")
    at: Timestamp
    by: str | None = Field(description="the e-mail of the account that chose")
    kept: bool = Field(description="false once forgotten")
    candidates: list[dict[str, Any]] = Field(description="the candidates shown: {id, name, score}")

    @classmethod
    def of(cls, event, investor, kept: bool) -> LearnedNameOut:
        after = event.after or {}
        return cls(event_id=event.id, text=after.get("text", ""), investor=InvestorRef.of(investor),
                   via=after.get("via", ""), at=event.at, by=event.user.email if event.user else None,
                   kept=kept, candidates=after.get("candidates", []))


class LearnedNameList(Schema):
    items: list[LearnedNameOut]
