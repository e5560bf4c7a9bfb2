"""JSON shapes of matching: a profile to match, ranked projects and ranked investors with
their reasons (the API and `matchmaker match --json`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field, ValidationInfo, WithJsonSchema

from matchmaker.catalogue.schemas import ProjectOut
from matchmaker.i18n import N_
from matchmaker.investors.schemas import InvestorRef
from matchmaker.matching.models import LeadStatus
from matchmaker.matching.operations import DEFAULT_TOP, MAX_TOP, ProfileInput, allowed_moves
from matchmaker.matching.scorer import MAX_KEYWORDS_CHARS
from matchmaker.reference.schemas import RegionRef
from matchmaker.reference.taxonomy import mode_parts
from matchmaker.reference.vocabulary import CooperationMode
from matchmaker.schemas import (
    Code,
    OptionalRecordId,
    OptionalYuan,
    Schema,
    Strings,
    Timestamp,
    whole,
    whole_number,
    yuan_amount,
)
from matchmaker.validation import MAX_JSON_STRING, InputError, clean_text


def _top(value: Any, info: ValidationInfo) -> int:
    """How many: 1 or more (default 20), more than MAX_TOP read as MAX_TOP."""
    if value is None or value == "":
        return DEFAULT_TOP
    try:
        top = whole_number(value, field="top", minimum=1, maximum=2**63)
    except InputError:
        top = None
    if top is None:
        raise InputError(N_("top must be a whole number from 1 to %(max)d."), field="top",
                         max=MAX_TOP)
    return min(top, MAX_TOP)


Top = Annotated[int, BeforeValidator(_top),
                WithJsonSchema({"type": "integer", "minimum": 1, "default": DEFAULT_TOP,
                                "description": f"at most {MAX_TOP} are returned"})]


def _modes(value: Any, info: ValidationInfo) -> tuple[str, ...]:
    """Cooperation modes by code (sole, joint_venture …) or label (独资, 合资 …)."""
    codes: list[str] = []
    for written in value:
        code = CooperationMode.parse(written)
        if code is None:
            parts = mode_parts(written)
            code = parts[0][1] if len(parts) == 1 else None
        if code is None:
            raise InputError(N_("Unknown cooperation mode: %(mode)s"), field="modes",
                             mode=written[:40])
        codes.append(code)
    return tuple(dict.fromkeys(codes))


def _keywords(value: Any, info: ValidationInfo) -> str:
    # the length rule is the scorer's (it counts normalised characters)
    return clean_text(value, field="keywords", max_length=MAX_JSON_STRING)


def _lead_status(value: Any, info: ValidationInfo) -> str | None:
    if value is None or value == "":
        return None
    status = clean_text(value, field=info.field_name or "status", max_length=20)
    if status not in {s.value for s in LeadStatus}:
        raise InputError(N_("Unknown lead state: %(state)s"), field="status", state=status)
    return status


class ProfileIn(Schema):
    """What an investor looks for: its profile (POST /investors/<id>/profile saves it)."""

    sectors: Strings = Field((), description="sector codes (GET /sectors)")
    regions: Strings = Field((), description="region codes (GET /regions)")
    min_yuan: yuan_amount() = None
    max_yuan: yuan_amount() = None
    modes: Annotated[Strings, AfterValidator(_modes)] = Field(
        (), description="sole, joint_venture, cooperation, ppp, equity, other (or 独资, 合资 …)")
    keywords: Annotated[str, BeforeValidator(_keywords),
                        WithJsonSchema({"type": "string", "maxLength": MAX_KEYWORDS_CHARS})] = ""

    def profile(self) -> ProfileInput:
        return ProfileInput(sectors=self.sectors, regions=self.regions, min_yuan=self.min_yuan,
                            max_yuan=self.max_yuan, modes=self.modes, keywords=self.keywords)


class MatchIn(ProfileIn):
    """What an investor looks for (POST /match writes nothing)."""

    top: Top = DEFAULT_TOP


class TopQuery(Schema):
    top: Top = DEFAULT_TOP


class Reason(Schema):
    kind: Literal["sector", "region", "amount", "mode", "text"]
    text: str


def reasons_of(reasons: list[dict[str, str]]) -> list[Reason]:
    return [Reason(kind=r["kind"], text=r["text"]) for r in reasons]


def reasons_json(reasons: list[dict[str, str]]) -> list[dict[str, str]]:
    return [r.dump() for r in reasons_of(reasons)]


class ProjectMatchOut(Schema):
    project: ProjectOut
    score: int | float = Field(description="0-100")
    reasons: list[Reason]


def _project_matches(matches) -> list[ProjectMatchOut]:
    return [ProjectMatchOut(project=ProjectOut.of(m.project), score=m.score,
                            reasons=reasons_of(m.reasons)) for m in matches]


class ProjectMatches(Schema):
    """POST /match: projects ranked for a profile."""

    items: list[ProjectMatchOut]

    @classmethod
    def of(cls, matches) -> ProjectMatches:
        return cls(items=_project_matches(matches))


class InvestorProjectMatches(ProjectMatches):
    """`matchmaker match --investor ID --json`: the investor and its ranked projects."""

    investor: InvestorRef

    @classmethod
    def of(cls, matches, *, investor) -> InvestorProjectMatches:
        return cls(investor=InvestorRef.of(investor), items=_project_matches(matches))


class InvestorMatchOut(Schema):
    investor: InvestorRef
    score: int | float
    reasons: list[Reason]


class InvestorMatches(Schema):
    project: ProjectOut
    items: list[InvestorMatchOut]

    @classmethod
    def of(cls, project, matches) -> InvestorMatches:
        return cls(project=ProjectOut.of(project),
                   items=[InvestorMatchOut(investor=InvestorRef.of(m.investor), score=m.score,
                                           reasons=reasons_of(m.reasons)) for m in matches])


# --- profiles and leads (the investors' and staff's pages, as API and CLI) ------------------


class ProfileOut(Schema):
    investor: InvestorRef
    sectors: list[str]
    regions: list[str]
    min_yuan: OptionalYuan
    max_yuan: OptionalYuan
    modes: list[str]
    keywords: str

    @classmethod
    def of(cls, profile) -> ProfileOut:
        return cls(investor=InvestorRef.of(profile.investor), sectors=list(profile.sectors),
                   regions=list(profile.regions), min_yuan=profile.min_yuan,
                   max_yuan=profile.max_yuan, modes=list(profile.modes),
                   keywords=profile.keywords)


class LeadProject(Schema):
    id: int
    code: str | None
    name: str
    region: RegionRef | None


class LeadOut(Schema):
    id: int
    status: str
    allowed_moves: list[str] = Field(description="the states it may move to next")
    investor: InvestorRef
    project: LeadProject
    message: str
    created_at: Timestamp

    @classmethod
    def of(cls, lead) -> LeadOut:
        project = lead.project
        return cls(id=lead.id, status=lead.status.value,
                   allowed_moves=[s.value for s in allowed_moves(lead.status)],
                   investor=InvestorRef.of(lead.investor),
                   project=LeadProject(id=project.id, code=project.code, name=project.name,
                                       region=RegionRef.of(project.region)),
                   message=lead.message or "", created_at=lead.created_at)


class LeadsQuery(Schema):
    project: OptionalRecordId = Field(None, description="one project's leads")
    region: Code = Field(None, description="a prefecture or county code (its counties too)")
    status: Annotated[str | None, BeforeValidator(_lead_status),
                      WithJsonSchema({"type": ["string", "null"],
                                      "enum": [s.value for s in LeadStatus] + [None]})] = None
    page: whole(1, 100_000) = 1
    per_page: whole(1, 500) = 100


class LeadList(Schema):
    items: list[LeadOut]
    page: int
    per_page: int


class MoveIn(Schema):
    status: Annotated[str | None, BeforeValidator(_lead_status),
                      WithJsonSchema({"type": "string",
                                      "enum": [s.value for s in LeadStatus]})]
