"""JSON shapes of investors (companies) and of name resolution."""

from __future__ import annotations

from typing import Any

from matchmaker.schemas import Schema


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
