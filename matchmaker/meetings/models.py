"""The negotiation zone's records (贸易洽谈区): meetings between an investor and a project's
side, their history and message threads, and the zone of an edition (days, slots, tables).

No double booking is a constraint of the database, not only of the scheduler: a table holds
one meeting per slot, an investor and a project one meeting per slot in an edition."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from matchmaker.catalogue.models import Project
from matchmaker.db import Base, UTCDateTime, str_enum, utcnow
from matchmaker.i18n import NP_
from matchmaker.investors.models import Investor
from matchmaker.matching.models import Lead
from matchmaker.reference.vocabulary import LabelledEnum


class MeetingStatus(LabelledEnum):
    REQUESTED = "requested", NP_("meeting status", "Requested")
    PROPOSED = "proposed", NP_("meeting status", "Other time proposed")
    ACCEPTED = "accepted", NP_("meeting status", "Accepted")
    DECLINED = "declined", NP_("meeting status", "Declined")
    SCHEDULED = "scheduled", NP_("meeting status", "Scheduled")
    HELD = "held", NP_("meeting status", "Held")
    NO_SHOW = "no_show", NP_("meeting status", "No-show")
    CANCELLED = "cancelled", NP_("meeting status", "Cancelled")


OPEN_STATUSES = (MeetingStatus.REQUESTED, MeetingStatus.PROPOSED, MeetingStatus.ACCEPTED,
                 MeetingStatus.SCHEDULED)


class MeetingOutcome(LabelledEnum):
    NO_FURTHER_CONTACT = "no_further_contact", NP_("meeting outcome", "No further contact")
    FOLLOW_UP = "follow_up", NP_("meeting outcome", "Follow-up")
    NEGOTIATING = "negotiating", NP_("meeting outcome", "Negotiating")
    AGREEMENT_EXPECTED = "agreement_expected", NP_("meeting outcome", "Agreement expected")


class Side(LabelledEnum):
    INVESTOR = "investor", NP_("meeting side", "Investor")
    PROJECT = "project", NP_("meeting side", "Project side")
    ORGANISER = "organiser", NP_("meeting side", "Organisers")


class Meeting(Base):
    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(sa.ForeignKey("leads.id"), nullable=False, index=True)
    investor_id: Mapped[int] = mapped_column(sa.ForeignKey("investors.id"), nullable=False,
                                             index=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("projects.id"), nullable=False,
                                            index=True)
    edition_id: Mapped[int | None] = mapped_column(sa.ForeignKey("editions.id"), nullable=True,
                                                   index=True)
    status: Mapped[MeetingStatus] = mapped_column(
        str_enum(MeetingStatus, "meeting_status"), nullable=False, default=MeetingStatus.REQUESTED
    )
    # Whose answer is awaited (the side that did not make the last request or proposal).
    awaiting: Mapped[Side | None] = mapped_column(str_enum(Side, "meeting_side"), nullable=True)
    outcome: Mapped[MeetingOutcome | None] = mapped_column(
        str_enum(MeetingOutcome, "meeting_outcome"), nullable=True
    )
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), nullable=True)
    message: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    # Slot numbers of the edition's zone the requester can do (empty: any slot).
    availability: Mapped[list[int]] = mapped_column(sa.JSON, nullable=False, default=list)
    # Language the investor needs an interpreter for ("en", ...); None: none needed.
    interpreter: Mapped[str | None] = mapped_column(sa.String(8), nullable=True)
    slot: Mapped[int | None] = mapped_column(nullable=True)
    table_id: Mapped[int | None] = mapped_column(sa.ForeignKey("zone_tables.id"), nullable=True,
                                                 index=True)
    score: Mapped[int | None] = mapped_column(nullable=True)  # the match score, when proposed from it
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )

    lead: Mapped[Lead] = relationship()
    investor: Mapped[Investor] = relationship()
    project: Mapped[Project] = relationship()
    table: Mapped[ZoneTable | None] = relationship()
    events: Mapped[list[MeetingEvent]] = relationship(
        back_populates="meeting", order_by="MeetingEvent.id", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.UniqueConstraint("table_id", "slot", name="uq_meetings_table_slot"),
        sa.UniqueConstraint("edition_id", "investor_id", "slot", name="uq_meetings_investor_slot"),
        sa.UniqueConstraint("edition_id", "project_id", "slot", name="uq_meetings_project_slot"),
        sa.CheckConstraint("(slot IS NULL) = (table_id IS NULL)", name="slot_with_table"),
        sa.CheckConstraint("slot IS NULL OR slot >= 0", name="slot_non_negative"),
    )

    def __repr__(self) -> str:
        return f"<Meeting {self.id} investor={self.investor_id} project={self.project_id} {self.status}>"


class MeetingEvent(Base):
    """Who changed what and when."""

    __tablename__ = "meeting_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meetings.id", ondelete="CASCADE"), nullable=False, index=True
    )
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), nullable=True)
    action: Mapped[str] = mapped_column(sa.String(30), nullable=False)
    from_status: Mapped[str | None] = mapped_column(sa.String(32), nullable=True)
    to_status: Mapped[str] = mapped_column(sa.String(32), nullable=False)
    note: Mapped[str] = mapped_column(sa.Text, nullable=False, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="events")
    user: Mapped["User | None"] = relationship()  # noqa: F821, UP037

    def __repr__(self) -> str:
        return f"<MeetingEvent {self.id} {self.action} {self.from_status}->{self.to_status}>"


class Message(Base):
    """One message of a lead's thread (investor and project side); plain text."""

    __tablename__ = "lead_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(sa.ForeignKey("leads.id", ondelete="CASCADE"),
                                         nullable=False)
    author_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), nullable=True)
    side: Mapped[Side] = mapped_column(str_enum(Side, "message_side"), nullable=False)
    body: Mapped[str] = mapped_column(sa.Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    author: Mapped["User | None"] = relationship()  # noqa: F821, UP037

    __table_args__ = (sa.Index("ix_lead_messages_lead_created", "lead_id", "created_at"),)

    def __repr__(self) -> str:
        return f"<Message {self.id} lead={self.lead_id} {self.side}>"


class MeetingReminder(Base):
    """A reminder sent (the day before, an hour before): never sent twice."""

    __tablename__ = "meeting_reminders"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id", ondelete="CASCADE"),
                                            nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(10), nullable=False)  # "day" | "hour"
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)

    __table_args__ = (sa.UniqueConstraint("meeting_id", "kind", name="uq_meeting_reminders_meeting_kind"),)

    def __repr__(self) -> str:
        return f"<MeetingReminder meeting={self.meeting_id} {self.kind}>"


class Zone(Base):
    """An edition's negotiation zone: days, hours, slot length, breaks, caps and tables.
    Slots are numbered 0, 1, ... in time order over the days (see `slots`)."""

    __tablename__ = "negotiation_zones"

    id: Mapped[int] = mapped_column(primary_key=True)
    edition_id: Mapped[int] = mapped_column(sa.ForeignKey("editions.id"), nullable=False,
                                            unique=True)
    days: Mapped[list[str]] = mapped_column(sa.JSON, nullable=False, default=list)  # ISO dates
    day_start: Mapped[str] = mapped_column(sa.String(5), nullable=False, default="09:00")
    day_end: Mapped[str] = mapped_column(sa.String(5), nullable=False, default="17:00")
    slot_minutes: Mapped[int] = mapped_column(nullable=False, default=30)
    breaks: Mapped[list[list[str]]] = mapped_column(sa.JSON, nullable=False, default=list)
    investor_cap: Mapped[int] = mapped_column(nullable=False, default=8)
    project_cap: Mapped[int] = mapped_column(nullable=False, default=8)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )

    tables: Mapped[list[ZoneTable]] = relationship(
        back_populates="zone", order_by="ZoneTable.number", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.CheckConstraint("slot_minutes BETWEEN 5 AND 240", name="slot_minutes_range"),
        sa.CheckConstraint("investor_cap >= 1 AND project_cap >= 1", name="caps_positive"),
    )

    def slot_times(self) -> list[tuple[date, time, time]]:
        """(day, start, end) of every slot in order: the day's hours cut into slots of
        `slot_minutes`, leaving out any slot that overlaps a break."""
        start, end = _hm(self.day_start), _hm(self.day_end)
        breaks = [(_hm(a), _hm(b)) for a, b in (self.breaks or [])]
        step = timedelta(minutes=self.slot_minutes)
        found = []
        for day_text in sorted(self.days or []):
            day = date.fromisoformat(day_text)
            at = datetime.combine(day, start)
            while at + step <= datetime.combine(day, end):
                a, b = at.time(), (at + step).time()
                if not any(a < be and bs < b for bs, be in breaks):
                    found.append((day, a, b))
                at += step
        return found

    def __repr__(self) -> str:
        return f"<Zone edition={self.edition_id} {len(self.days or [])} days>"


def _hm(text: str) -> time:
    return time.fromisoformat(text)


class ZoneTable(Base):
    __tablename__ = "zone_tables"

    id: Mapped[int] = mapped_column(primary_key=True)
    zone_id: Mapped[int] = mapped_column(sa.ForeignKey("negotiation_zones.id", ondelete="CASCADE"),
                                         nullable=False)
    number: Mapped[int] = mapped_column(nullable=False)
    interpreter: Mapped[str | None] = mapped_column(sa.String(8), nullable=True)

    zone: Mapped[Zone] = relationship(back_populates="tables")

    __table_args__ = (
        sa.UniqueConstraint("zone_id", "number", name="uq_zone_tables_zone_number"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
    )

    def __repr__(self) -> str:
        return f"<ZoneTable {self.number} {self.interpreter or ''}>"

