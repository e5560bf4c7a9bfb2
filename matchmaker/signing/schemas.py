"""JSON shapes of signing: sessions, agreements and the totals (the API and
`matchmaker signing … --json`)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationInfo, WithJsonSchema

from matchmaker.catalogue.schemas import ProjectOut
from matchmaker.i18n import N_, translate
from matchmaker.investors.models import InvestorKind
from matchmaker.investors.schemas import InvestorRef
from matchmaker.schemas import (
    AmountText,
    AwareDatetime,
    Code,
    Flag,
    OptionalRecordId,
    OptionalYuan,
    Rate,
    Schema,
    Timestamp,
    Yuan,
    optional_text,
    text,
    whole,
)
from matchmaker.signing import operations
from matchmaker.signing.models import Agreement, SessionKind, SigningSession
from matchmaker.signing.totals import session_summaries, signed_totals
from matchmaker.validation import InputError, clean_text, record_id


def _investor(value: Any, info: ValidationInfo) -> int | str:
    if isinstance(value, bool) or not isinstance(value, int | str) or value == "":
        raise InputError(N_("investor is required: an investor id or a company name."),
                         field="investor")
    if isinstance(value, int):
        return record_id(value, field="investor")
    return clean_text(value, field="investor", max_length=300, required=True)


def _project(value: Any, info: ValidationInfo) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(N_("project is a catalogue project id, or null with project_name."),
                         field="project")
    return record_id(value, field="project")


def _amount(value: Any, info: ValidationInfo) -> str:
    if value is None or isinstance(value, bool | float) or not isinstance(value, int | str):
        raise InputError(N_('amount is required as a string, for example "5亿元".'),
                         field="amount")
    return clean_text(str(value), field="amount", max_length=100)


def _investor_kind(value: Any, info: ValidationInfo) -> str:
    kind = clean_text(value, field="investor_kind", max_length=300) or "enterprise"
    if kind not in {k.value for k in InvestorKind}:
        raise InputError(N_("Unknown investor kind."), field="investor_kind")
    return kind


def _exactly_true(value: Any, info: ValidationInfo) -> bool:
    return value is True


TrueOnly = Annotated[bool, BeforeValidator(_exactly_true), WithJsonSchema({"type": "boolean"})]


class AgreementIn(Schema):
    """One agreement, as the ceremony desk records it."""

    investor: Annotated[int | str, BeforeValidator(_investor),
                        WithJsonSchema({"type": ["integer", "string"],
                                        "description": "investor id, or a name resolved "
                                                       "against known investors"})]
    project: Annotated[int | None, BeforeValidator(_project),
                       WithJsonSchema({"type": ["integer", "null"],
                                       "description": "a catalogue project id, or null with "
                                                      "project_name"})] = None
    project_name: text(300, description="when off-catalogue") = ""
    sector: Code = Field(None, description="sector code (off-catalogue)")
    region: Code = Field(None, description="region code (off-catalogue)")
    amount: Annotated[str, BeforeValidator(_amount),
                      WithJsonSchema({"type": ["string", "integer"],
                                      "description": "'5' (亿元), '5亿元', '5000万元', "
                                                     "'3.25亿元'; foreign currencies at the "
                                                     "session's (or edition's) rate: "
                                                     "'6.7亿美元', 'USD 670 million', '$670m', "
                                                     "'EUR 120m', 'HK$5亿'"})]
    kind: text(300, description="investment_contract | framework | strategic | intent, or "
                                "投资合同 / 框架协议 / 战略合作协议 / 意向") = ""
    signed_at: AwareDatetime = None
    create_investor: TrueOnly = False
    investor_kind: Annotated[str, BeforeValidator(_investor_kind),
                             WithJsonSchema({"type": "string",
                                             "enum": [k.value for k in InvestorKind]})] = \
        "enterprise"
    investor_text: text(300, description="with an investor id: the name typed for it that "
                                         "resolved to no investor with confidence (the 409 "
                                         "investor_unresolved answer); the investor learns "
                                         "it, written exactly") = ""
    confirm_large: TrueOnly = Field(False, description="needed above 10,000亿元")
    idempotency_key: text(100) = ""
    same_as: OptionalRecordId = Field(None, description="the agreement (of another session or "
                                                        "edition) this one repeats: linked, "
                                                        "counted once")
    new_agreement: TrueOnly = Field(False, description="not the same as the close agreements "
                                                       "the 409 same_agreement answer listed")

    def agreement_input(self) -> operations.AgreementInput:
        return operations.AgreementInput(
            investor=self.investor, amount=self.amount, kind=self.kind,
            project_id=self.project, project_name=self.project_name,
            sector_code=self.sector, region_code=self.region, signed_at=self.signed_at,
            idempotency_key=self.idempotency_key or None,
            create_investor=self.create_investor, investor_kind=self.investor_kind,
            investor_text=self.investor_text,
            confirm_large=self.confirm_large,
            same_as=self.same_as, new_agreement=self.new_agreement,
        )


class ReasonIn(Schema):
    reason: text(500, description="why (kept in the history)") = ""


class AgreementOut(Schema):
    id: int
    session_id: int
    investor: InvestorRef | None
    project: ProjectOut | None
    project_name: str
    amount_yuan: Yuan
    currency: str = Field(description="CNY, or the currency signed in (USD, EUR, HKD, ...)")
    amount_original: OptionalYuan = Field(description="the amount in `currency` (null for yuan)")
    rate: Rate = Field(description="yuan per unit it was converted at (null for yuan)")
    kind: str
    signed_at: Timestamp
    voided: bool
    void_reason: str | None
    learned_name: str | None = Field(None, description="the typed name the investor learned "
                                                       "when this write chose it by id "
                                                       "(investor_text); null otherwise")

    @classmethod
    def of(cls, agreement: Agreement) -> AgreementOut:
        return cls(
            id=agreement.id, session_id=agreement.session_id,
            investor=InvestorRef.of(agreement.investor),
            project=ProjectOut.of(agreement.project) if agreement.project is not None else None,
            project_name=agreement.project_name, amount_yuan=agreement.amount_yuan,
            currency=agreement.currency, amount_original=agreement.amount_original,
            rate=agreement.exchange_rate,
            kind=agreement.kind.value, signed_at=agreement.signed_at,
            voided=agreement.voided, void_reason=agreement.void_reason,
            learned_name=getattr(agreement, "learned_name", None),
        )


class AgreementList(Schema):
    items: list[AgreementOut]


class SessionOut(Schema):
    id: int
    edition: int = Field(description="the forum edition's year")
    edition_id: int
    name: str
    name_en: str
    kind: str
    held_on: str | None
    venue: str
    state: str
    target_yuan: Yuan
    rates: dict[str, str] = Field(description="the session's own rates, yuan per unit; the "
                                              "edition's apply to currencies not listed")
    count: int
    total_yuan: Yuan

    @classmethod
    def of(cls, session: SigningSession, count: int, total_yuan) -> SessionOut:
        return cls(
            id=session.id, edition=session.edition.year, edition_id=session.edition_id,
            name=session.name, name_en=session.name_en,
            kind=session.kind.value,
            held_on=session.held_on.isoformat() if session.held_on else None,
            venue=session.venue, state=session.state.value, target_yuan=session.target_yuan,
            rates=dict(sorted((session.rates or {}).items())),
            count=count, total_yuan=total_yuan,
        )


class SessionList(Schema):
    items: list[SessionOut]


class TotalsQuery(Schema):
    count_intent: Annotated[bool | None, BeforeValidator(
        lambda value: None if value is None else str(value).lower() in ("1", "true", "yes")),
        WithJsonSchema({"type": ["boolean", "null"],
                        "description": "count letters of intent (default: the setting)"})] = None
    edition: text(10) = Field("", description="a year (default: the current edition) or "
                                              "'all' (the answer says scope: all_editions)")


class BreakdownRowOut(Schema):
    key: str | None
    name: str | None
    name_en: str | None
    count: int
    total_yuan: Yuan


class ForeignRowOut(Schema):
    currency: str
    count: int
    amount_original: Yuan = Field(description="the sum in that currency")
    total_yuan: Yuan


class IntentOut(Schema):
    count: int
    total_yuan: Yuan


class TotalsOut(Schema):
    """The dashboard's figures: the rows of by_session, by_region and by_kind (signed kinds)
    add up to total_yuan."""

    total_yuan: Yuan
    count: int
    target_yuan: Yuan
    by_session: list[BreakdownRowOut]
    by_sector: list[BreakdownRowOut]
    by_region: list[BreakdownRowOut]
    by_kind: list[BreakdownRowOut]
    by_investor_kind: list[BreakdownRowOut]
    count_intent: bool
    intent: IntentOut
    foreign: list[ForeignRowOut] = Field(description="of which foreign-currency agreements "
                                                     "(合同外资), by currency; part of total_yuan")
    foreign_total_yuan: Yuan
    voided_count: int
    catalogue: dict[str, Any]
    press: dict[str, Any]
    scope: str = Field(description="edition, or all_editions with ?edition=all")


# --- session life cycle and corrections (the organisers' pages, as API and CLI) -------------


def _session_kind(value: Any, info: ValidationInfo) -> str | None:
    if value is None:
        return None
    kind = clean_text(value, field="kind", max_length=50)
    if kind not in {k.value for k in SessionKind}:
        raise InputError(N_("Unknown kind of session."), field="kind")
    return kind


class SessionIn(Schema):
    """A signing session's details (create; on edit, fields left out or null keep their
    value). The state changes only through open, close and reopen."""

    name: optional_text(200) = None
    name_en: optional_text(300) = None
    edition: whole(2000, 2100) = Field(None, description="the forum edition's year "
                                                        "(created when the platform has none)")
    kind: Annotated[str | None, BeforeValidator(_session_kind),
                    WithJsonSchema({"type": ["string", "null"],
                                    "enum": [k.value for k in SessionKind] + [None]})] = None
    held_on: date | None = None
    venue: optional_text(200) = None
    target: AmountText = Field(None, description="'160' (亿元), '160亿元', '1600000万元'")
    rates: optional_text(300) = Field(None, description="the session's own rates, yuan per "
                                                         "unit: 'USD=7.1,EUR=7.8'; '' clears")

    def session_input(self, session: SigningSession | None = None) -> operations.SessionInput:
        """The input of create (no session) or edit (the session's values where not sent)."""
        sent = self.model_dump(exclude_none=True)
        if session is None:
            current = operations.SessionInput(edition=self.edition, name="")
        else:
            current = operations.SessionInput(
                edition=session.edition, name=session.name, kind=session.kind,
                name_en=session.name_en, held_on=session.held_on, venue=session.venue,
                target=session.target_yuan, rates=None)
        for name, value in sent.items():
            setattr(current, name, value)
        return current


class ReopenIn(Schema):
    reason: text(500, description="why the closed session is reopened (kept in its history)") = ""


class AmendIn(Schema):
    """A correction: the fields to change (left out or null: kept) and the reason, which is
    required and kept in the agreement's history with the values before and after."""

    reason: text(500, description="why (kept in the history)") = ""
    investor: Annotated[int | str | None,
                        BeforeValidator(lambda v, info: None if v is None else _investor(v, info)),
                        WithJsonSchema({"type": ["integer", "string", "null"]})] = None
    project: Annotated[int | None, BeforeValidator(_project),
                       WithJsonSchema({"type": ["integer", "null"],
                                       "description": "a catalogue project id; with "
                                                      "project_name for off-catalogue"})] = None
    project_name: optional_text(300) = None
    sector: Code = None
    region: Code = None
    amount: AmountText = None
    kind: optional_text(300) = None
    signed_at: AwareDatetime = None
    create_investor: TrueOnly = False
    investor_kind: Annotated[str, BeforeValidator(_investor_kind),
                             WithJsonSchema({"type": "string",
                                             "enum": [k.value for k in InvestorKind]})] = \
        "enterprise"
    confirm_large: TrueOnly = False

    def agreement_input(self, agreement: Agreement) -> operations.AgreementInput:
        """The agreement as it stands, with the sent fields changed. Its amount is restated
        as the desk's correction form shows it (a foreign agreement in its currency)."""
        amount = (f"{agreement.currency} {agreement.amount_original:f}" if agreement.foreign
                  else agreement.amount_yuan)
        data = operations.AgreementInput(
            investor=agreement.investor, amount=amount, kind=agreement.kind,
            project_id=agreement.project_id, project_name=agreement.project_name,
            sector_code=agreement.sector.code if agreement.sector else None,
            region_code=agreement.region.code if agreement.region else None,
            signed_at=agreement.signed_at, create_investor=self.create_investor,
            investor_kind=self.investor_kind, confirm_large=self.confirm_large,
        )
        sent = self.model_dump(exclude_none=True, exclude={"reason", "create_investor",
                                                           "investor_kind", "confirm_large"})
        if "project_name" in sent and "project" not in sent:
            data.project_id = None  # naming an off-catalogue project replaces the catalogue one
        renames = {"project": "project_id", "sector": "sector_code", "region": "region_code"}
        for name in sent:
            setattr(data, renames.get(name, name), getattr(self, name))
        return data


def session_out(session: SigningSession, *, count_intent: bool) -> SessionOut:
    """One session with its counted figures (the API's and `--json`'s shape)."""
    totals = signed_totals(count_intent=count_intent, edition=session.edition)
    row = session_summaries(totals, [session])[0]
    return SessionOut.of(session, row["count"], row["total_yuan"])


def rate_source_text(rate) -> str:
    """Where a rate comes from, for the preview: 'this session’s rate', ..."""
    return translate({
        "session": N_("this session’s rate"),
        "edition": N_("the edition’s rate"),
        "agreement": N_("the rate it was signed at"),
    }.get(rate.source, rate.source))


# --- the recording form's type-ahead (GET /signing/lookup/*) ----------------------------------


class LookupQuery(Schema):
    q: text(300, description="what the organiser typed") = ""


class InvestorSuggestion(Schema):
    id: int
    name: str
    name_en: str | None
    score: int | float
    why: str = Field(description="why it was considered, in the reader's language")
    confident: bool = Field(description="the typed text means this company with confidence "
                                        "(the page accepts it on Tab/Enter only then)")
    value: str = Field(description="what the form's field takes: '#id name'")


class InvestorLookupOut(Schema):
    items: list[InvestorSuggestion]
    match: InvestorRef | None = Field(None, description="the confident match, if any")
    message: str | None = None


class ProjectSuggestion(Schema):
    id: int
    code: str | None
    name: str
    value: str = Field(description="what the form's field takes: '#id name'")
    region: str
    sought_yuan: OptionalYuan


class ProjectLookupOut(Schema):
    items: list[ProjectSuggestion]


class AmountQuery(Schema):
    amount: text(100, description="as typed: '5', '5亿元', 'USD 670 million'") = ""
    session: OptionalRecordId = Field(None, description="read foreign amounts at this "
                                                        "session's rates")
    agreement: OptionalRecordId = Field(None, description="a correction: at the rate the "
                                                          "agreement was signed at")
    confirm_large: Flag = False


class AmountPreviewOut(Schema):
    """The amount as saving would store it, or why it would be refused (`ok` false)."""

    ok: bool
    needs_confirmation: bool = Field(False, description="above 10,000亿元: confirm_large")
    message: str | None = None
    yuan: str | None = None
    yi: str | None = Field(None, description="in 亿元, as the page shows it")
    unit: str | None = None
    unit_source: str | None = Field(None, description="cell (written) or header (assumed)")
    currency: str | None = None
    original: str | None = None
    rate: str | None = None
    rate_source: str | None = None
