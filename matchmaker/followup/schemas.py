"""JSON shapes of follow-through: a stage, a payment, a change of state (in), an agreement's
position with its payments and history (out). The API and `matchmaker followup … --json`."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationInfo, WithJsonSchema

from matchmaker.followup import operations
from matchmaker.followup.models import Followup, ProgressEntry
from matchmaker.i18n import N_
from matchmaker.schemas import AmountText, Schema, Yuan, text
from matchmaker.signing.models import Agreement
from matchmaker.validation import InputError


def _day(value: Any, info: ValidationInfo) -> date | None:
    """A date as ISO 8601 (2024-03-01); None when absent."""
    name = info.field_name or "date"
    if value is None or value == "":
        return None
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InputError(N_("%(name)s must be a date written 2024-03-01."), field=name, name=name)


Day = Annotated[date | None, BeforeValidator(_day),
                WithJsonSchema({"type": ["string", "null"], "format": "date",
                                "description": "YYYY-MM-DD, in the venue's time zone"})]


class StageIn(Schema):
    stage: text(40, description="registered | started | in_production (or 注册 / 开工 / 投产 "
                                "labels)") = ""
    date: Day = None
    note: text(2000, description="the evidence (licence, permit, report)") = ""
    reason: text(2000, description="required when correcting a date already recorded") = ""

    def stage_input(self) -> operations.StageInput:
        return operations.StageInput(stage=self.stage, occurred_on=self.date, note=self.note,
                                     reason=self.reason)


class FundsIn(Schema):
    amount: AmountText = None
    date: Day = None
    note: text(2000, description="the evidence (bank slip, capital verification)") = ""
    over_reason: text(2000, description="required when the funds in place would exceed "
                                        "the signed amount") = ""

    def funds_input(self) -> operations.FundsInput:
        return operations.FundsInput(amount=self.amount, paid_on=self.date, note=self.note,
                                     over_reason=self.over_reason)


class StateIn(Schema):
    state: text(40, description="on_track | stalled | terminated") = ""
    reason: text(2000, description="why (required)") = ""
    date: Day = None

    def state_input(self) -> operations.StateInput:
        return operations.StateInput(state=self.state, reason=self.reason, occurred_on=self.date)


class PaymentOut(Schema):
    id: int
    amount_yuan: Yuan
    date: date
    note: str
    reason: str

    @classmethod
    def of(cls, entry: ProgressEntry) -> PaymentOut:
        return cls(id=entry.id, amount_yuan=entry.amount_yuan, date=entry.occurred_on,
                   note=entry.note, reason=entry.reason)


class HistoryLineOut(Schema):
    at: str
    action: str
    text: str


class FollowupOut(Schema):
    agreement_id: int
    edition: int
    signed_yuan: Yuan
    signed_on: date
    voided: bool
    stage: str = Field(description="signed | registered | started | in_production")
    registered_on: date | None
    started_on: date | None
    in_production_on: date | None
    funds_yuan: Yuan
    payments: list[PaymentOut]
    state: str = Field(description="on_track | stalled | terminated")
    state_reason: str
    history: list[HistoryLineOut]

    @classmethod
    def of(cls, agreement: Agreement, followup: Followup | None, payments, lines) -> FollowupOut:
        return cls(
            agreement_id=agreement.id, edition=agreement.session.edition.year,
            signed_yuan=agreement.amount_yuan, signed_on=operations.signing_date(agreement),
            voided=agreement.voided,
            stage=followup.stage.value if followup else "signed",
            registered_on=followup.registered_on if followup else None,
            started_on=followup.started_on if followup else None,
            in_production_on=followup.in_production_on if followup else None,
            funds_yuan=followup.funds_yuan if followup else 0,
            payments=[PaymentOut.of(p) for p in payments],
            state=followup.state.value if followup else "on_track",
            state_reason=followup.state_reason if followup else "",
            history=[HistoryLineOut(**line.as_json()) for line in lines],
        )


# --- rates -----------------------------------------------------------------------------------

RateText = Annotated[str | None, WithJsonSchema({
    "type": ["string", "null"], "description": "a percentage with one decimal (\"86.0\"), "
                                               "null when there is nothing to divide by"})]
YuanText = Annotated[str, WithJsonSchema({"type": "string", "pattern": r"^-?\d+\.\d{2}$"})]


class RatesQuery(Schema):
    edition: text(10) = Field("", description="a year (default: the current edition)")


class CountRateOut(Schema):
    count: int
    signed_yuan: YuanText
    rate: RateText


class FundsRateOut(Schema):
    in_place_yuan: YuanText
    signed_yuan: YuanText
    rate: RateText


class RateRowOut(Schema):
    key: str
    name: str
    name_en: str
    count: int
    signed_yuan: YuanText
    fulfilled: CountRateOut
    started: CountRateOut
    in_production: CountRateOut
    funds: FundsRateOut
    stalled: int
    terminated: int


class QuarterOut(Schema):
    quarter: str
    ends_on: str
    started: int
    started_rate: RateText
    in_production: int
    in_production_rate: RateText
    funds_yuan: YuanText
    funds_rate: RateText


class EditionRef(Schema):
    year: int
    name: str
    name_en: str


class RatesOut(Schema):
    """履约率, 开工率, 投产率, 资金到位率 of one edition, with the counts and amounts behind each;
    the rows of every breakdown add up to `whole`."""

    edition: EditionRef | None
    whole: RateRowOut
    by_session: list[RateRowOut]
    by_sector: list[RateRowOut]
    by_prefecture: list[RateRowOut]
    by_investor_kind: list[RateRowOut]
    by_quarter: list[QuarterOut]
    linked: int = Field(description="agreements linked as the same as another, counted once")


class FunnelStepOut(Schema):
    step: str = Field(description="catalogue | interest | meetings | signed | started | "
                                  "in_production")
    projects: int | None = Field(description="catalogue projects; null: not available")
    amount_kind: str = Field(description="sought (first three steps) or signed")
    amount_yuan: Annotated[str | None, WithJsonSchema({"type": ["string", "null"]})]


class FunnelOut(Schema):
    steps: list[FunnelStepOut]
    off_catalogue: int = Field(description="counted agreements without a catalogue project")
