"""JSON shapes of meetings (the API and `matchmaker meetings … --json`)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationInfo, WithJsonSchema

from matchmaker.i18n import N_
from matchmaker.meetings.models import Meeting, MeetingOutcome, Message
from matchmaker.meetings.operations import MAX_MESSAGE_CHARS, MAX_REASON_CHARS, MeetingRequest
from matchmaker.schemas import Schema, Timestamp, text
from matchmaker.validation import InputError


def _slots(value: Any, info: ValidationInfo) -> tuple[int, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or any(
            isinstance(v, bool) or not isinstance(v, int) or not 0 <= v <= 10_000 for v in value):
        raise InputError(N_("slots must be a list of slot numbers."), field="slots")
    return tuple(value)


Slots = Annotated[tuple[int, ...], BeforeValidator(_slots),
                  WithJsonSchema({"type": "array", "items": {"type": "integer", "minimum": 0}})]


def _interpreter(value: Any, info: ValidationInfo) -> str | None:
    if value in (None, ""):
        return None
    if value not in ("en", "zh"):
        raise InputError(N_("interpreter is a language code: en or zh."), field="interpreter")
    return value


class MeetingRequestIn(Schema):
    message: text(MAX_MESSAGE_CHARS) = ""
    slots: Slots = Field(default=(), description="slot numbers of the zone (GET /meetings/zone)")
    interpreter: Annotated[str | None, BeforeValidator(_interpreter),
                           WithJsonSchema({"type": ["string", "null"], "enum": ["en", "zh", None]})] = None

    def request(self) -> MeetingRequest:
        return MeetingRequest(message=self.message, slots=self.slots, interpreter=self.interpreter)


def _outcome(value: Any, info: ValidationInfo) -> str | None:
    if value in (None, ""):
        return None
    if value not in {o.value for o in MeetingOutcome}:
        raise InputError(N_("Choose an outcome."), field="outcome")
    return value


class MeetingActionIn(Schema):
    """The body of an answer: a reason (decline, cancel), slots (propose), an outcome."""

    reason: text(MAX_REASON_CHARS) = ""
    slots: Slots = ()
    outcome: Annotated[str | None, BeforeValidator(_outcome),
                       WithJsonSchema({"type": ["string", "null"],
                                       "enum": [*(o.value for o in MeetingOutcome), None]})] = None


class MessageIn(Schema):
    body: text(MAX_MESSAGE_CHARS, required=True)


class PartyOut(Schema):
    id: int
    name: str
    name_en: str


class EventOut(Schema):
    action: str
    from_status: str | None
    to_status: str
    note: str
    at: Timestamp
    user_id: int | None


class MeetingOut(Schema):
    id: int
    lead_id: int
    status: str
    awaiting: str | None
    outcome: str | None
    investor: PartyOut
    project: PartyOut
    edition_id: int | None
    availability: list[int]
    interpreter: str | None
    table: int | None
    slot: int | None
    created_at: Timestamp
    updated_at: Timestamp
    events: list[EventOut] = []

    @classmethod
    def of(cls, meeting: Meeting, *, events: bool = True) -> MeetingOut:
        return cls(
            id=meeting.id, lead_id=meeting.lead_id, status=meeting.status.value,
            awaiting=meeting.awaiting.value if meeting.awaiting else None,
            outcome=meeting.outcome.value if meeting.outcome else None,
            investor=PartyOut(id=meeting.investor.id, name=meeting.investor.name,
                              name_en=meeting.investor.name_en or ""),
            project=PartyOut(id=meeting.project.id, name=meeting.project.name,
                             name_en=meeting.project.name_en or ""),
            edition_id=meeting.edition_id, availability=list(meeting.availability or []),
            interpreter=meeting.interpreter,
            table=meeting.table.number if meeting.table else None, slot=meeting.slot,
            created_at=meeting.created_at, updated_at=meeting.updated_at,
            events=[EventOut(action=e.action, from_status=e.from_status, to_status=e.to_status,
                             note=e.note, at=e.at, user_id=e.user_id)
                    for e in meeting.events] if events else [],
        )


class MeetingList(Schema):
    items: list[MeetingOut]


class MeetingQuery(Schema):
    status: text(32) = ""


class MessageOut(Schema):
    id: int
    lead_id: int
    side: str
    author_id: int | None
    body: str
    created_at: Timestamp

    @classmethod
    def of(cls, message: Message) -> MessageOut:
        return cls(id=message.id, lead_id=message.lead_id, side=message.side.value,
                   author_id=message.author_id, body=message.body, created_at=message.created_at)


class MessageList(Schema):
    items: list[MessageOut]


class FunnelQuery(Schema):
    edition: text(10, description="a year, e.g. 2023 (default: the current edition)") = ""


class FunnelRow(Schema):
    key: int | str | None
    name: str
    name_en: str
    interest: int
    requested: int
    held: int
    negotiating: int
    signed: int
    conversion: dict[str, float | None]
    interest_to_signed: float | None


class FunnelOut(Schema):
    stages: list[str]
    total: FunnelRow
    by_prefecture: list[FunnelRow]
    by_project: list[FunnelRow]
