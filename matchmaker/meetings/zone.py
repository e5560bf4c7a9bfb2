"""The zone of an edition (days, hours, slot length, breaks, tables, caps) and scheduling:
accepted meetings placed into slot × table by `scheduler`, the organiser told what could not
be placed and why; pre-matching from the match scores ("propose the top k meetings per
investor, at most c per project"). Operations: the user is passed in, nothing commits."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import date, datetime

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from matchmaker.db import savepoint, utcnow
from matchmaker.editions.models import Edition
from matchmaker.errors import Conflict, DomainError
from matchmaker.extensions import db
from matchmaker.i18n import N_
from matchmaker.matching import operations as matching
from matchmaker.meetings import operations, scheduler
from matchmaker.meetings.models import OPEN_STATUSES, Meeting, MeetingStatus, Zone, ZoneTable
from matchmaker.notifications.times import forum_zone
from matchmaker.validation import InputError

log = logging.getLogger(__name__)
MAX_TABLES = 500
MAX_DAYS = 10
TIME_RE = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
LANGUAGES = ("en", "zh")


@dataclass(frozen=True)
class ZoneInput:
    days: tuple[date, ...]
    day_start: str = "09:00"
    day_end: str = "17:00"
    slot_minutes: int = 30
    breaks: tuple[tuple[str, str], ...] = ()
    tables: int = 10
    interpreters: dict[int, str] = field(default_factory=dict)  # table number -> language
    investor_cap: int = 8
    project_cap: int = 8


def _time(text: str, field_name: str) -> str:
    text = (text or "").strip()
    if len(text) == 4 and text[1] == ":":
        text = "0" + text
    if not TIME_RE.match(text):
        raise InputError(N_("Write times as HH:MM, e.g. 09:00."), field=field_name)
    return text


def parse_days(text: str) -> tuple[date, ...]:
    days = []
    for part in re.split(r"[,\s，、]+", text or ""):
        if not part:
            continue
        try:
            days.append(date.fromisoformat(part))
        except ValueError as error:
            raise InputError(N_("Write days as YYYY-MM-DD, separated by commas."),
                             field="days") from error
    if not days:
        raise InputError(N_("Give at least one day."), field="days")
    if len(set(days)) > MAX_DAYS:
        raise InputError(N_("At most %(n)d days."), field="days", n=MAX_DAYS)
    return tuple(sorted(set(days)))


def parse_breaks(text: str) -> tuple[tuple[str, str], ...]:
    breaks = []
    for part in re.split(r"[,，;；]+", text or ""):
        part = part.strip()
        if not part:
            continue
        start, sep, end = part.replace("–", "-").partition("-")
        if not sep:
            raise InputError(N_("Write breaks as 12:00-13:30, separated by commas."),
                             field="breaks")
        breaks.append((_time(start, "breaks"), _time(end, "breaks")))
    return tuple(sorted(breaks))


def parse_interpreters(text: str, tables: int) -> dict[int, str]:
    """'1-5:en, 9:en' -> {1: 'en', ..., 5: 'en', 9: 'en'}."""
    found: dict[int, str] = {}
    for part in re.split(r"[,，;；\s]+", text or ""):
        if not part:
            continue
        numbers, sep, language = part.partition(":")
        first, dash, last = numbers.partition("-")
        if not sep or language not in LANGUAGES or not first.isdigit() or (dash and not last.isdigit()):
            raise InputError(N_("Write interpreter tables as 1-5:en, 9:en."), field="interpreters")
        for number in range(int(first), int(last or first) + 1):
            if not 1 <= number <= tables:
                raise InputError(N_("Table %(n)d does not exist."), field="interpreters", n=number)
            found[number] = language
    return found


def zone_for(edition: Edition) -> Zone | None:
    return operations.zone_of(edition.id)


def _scheduled_count(edition: Edition) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Meeting).where(
        Meeting.edition_id == edition.id, Meeting.table_id.is_not(None))) or 0


def save_zone(edition: Edition, data: ZoneInput, *, user) -> Zone:
    """Create or change the edition's zone. While meetings sit at tables, the times cannot
    change (their slot numbers would move) and tables in use cannot go."""
    start, end = _time(data.day_start, "day_start"), _time(data.day_end, "day_end")
    if end <= start:
        raise InputError(N_("The day ends before it starts."), field="day_end")
    if not 5 <= int(data.slot_minutes) <= 240:
        raise InputError(N_("A slot lasts 5 to 240 minutes."), field="slot_minutes")
    if not 1 <= int(data.tables) <= MAX_TABLES:
        raise InputError(N_("1 to %(n)d tables."), field="tables", n=MAX_TABLES)
    for cap_field in ("investor_cap", "project_cap"):
        if not 1 <= int(getattr(data, cap_field)) <= 100:
            raise InputError(N_("A cap is 1 to 100 meetings."), field=cap_field)
    if len(data.days) > MAX_DAYS or not data.days:
        raise InputError(N_("Give at least one day."), field="days")
    zone = zone_for(edition)
    new_times = ([d.isoformat() for d in data.days], start, end, int(data.slot_minutes),
                 [list(b) for b in data.breaks])
    if zone is not None and _scheduled_count(edition):
        old_times = (list(zone.days), zone.day_start, zone.day_end, zone.slot_minutes,
                     [list(b) for b in zone.breaks])
        if old_times != new_times:
            raise Conflict(N_("Meetings are already at tables: unschedule them before "
                              "changing days or times."), field="days")
        used = set(db.session.scalars(sa.select(ZoneTable.number).join(
            Meeting, Meeting.table_id == ZoneTable.id).where(Meeting.edition_id == edition.id)))
        if any(n > data.tables for n in used):
            raise Conflict(N_("Tables in use cannot be removed."), field="tables")
    if zone is None:
        zone = Zone(edition_id=edition.id)
        db.session.add(zone)
    zone.days, zone.day_start, zone.day_end, zone.slot_minutes, zone.breaks = new_times
    zone.investor_cap, zone.project_cap = int(data.investor_cap), int(data.project_cap)
    if not zone.slot_times():
        raise InputError(N_("These hours leave no slot: check the slot length and breaks."),
                         field="slot_minutes")
    existing = {t.number: t for t in zone.tables}
    for number in range(1, int(data.tables) + 1):
        table = existing.get(number)
        if table is None:
            table = ZoneTable(number=number)
            zone.tables.append(table)
        table.interpreter = data.interpreters.get(number)
    for number, table in existing.items():
        if number > data.tables:
            zone.tables.remove(table)
    db.session.flush()
    log.info("zone of %s saved by %s: %d slots x %d tables", edition.year,
             getattr(user, "email", "console"), len(zone.slot_times()), len(zone.tables))
    return zone


def slot_starts(zone: Zone) -> list[datetime]:
    """When each slot starts, as an aware datetime in the forum's time zone."""
    tz = forum_zone()
    return [datetime.combine(day, start, tzinfo=tz) for day, start, _end in zone.slot_times()]


# --- scheduling -------------------------------------------------------------------------------


@dataclass
class ScheduleResult:
    placed: list[Meeting]
    unplaced: list[tuple[Meeting, str]]
    upper_bound: int
    solver: str
    seconds: float
    kept: int  # meetings already at tables, left where they were


def _request_of(meeting: Meeting) -> scheduler.Request:
    return scheduler.Request(
        id=meeting.id, investor=meeting.investor_id, project=meeting.project_id,
        availability=frozenset(meeting.availability) if meeting.availability else None,
        interpreter=meeting.interpreter, score=meeting.score or 0)


def schedule_edition(edition: Edition, *, user, method: str | None = None,
                     seconds: float | None = None) -> ScheduleResult:
    """Place every accepted meeting of the edition that has no table yet; meetings already
    scheduled stay where they are. Both sides of each placed meeting are told."""
    zone = zone_for(edition)
    if zone is None or not zone.tables:
        raise DomainError(N_("Set up the negotiation zone (days, slots, tables) first."))
    method = method or current_app.config.get("ZONE_SCHEDULER", "auto")
    if method not in ("auto", "greedy", "cpsat"):
        raise InputError(N_("Unknown scheduling method."), field="method")
    seconds = float(seconds or current_app.config.get("ZONE_SOLVER_SECONDS", 10))
    meetings = db.session.scalars(
        sa.select(Meeting).where(Meeting.edition_id == edition.id,
                                 Meeting.status.in_((MeetingStatus.ACCEPTED, MeetingStatus.SCHEDULED)))
        .options(joinedload(Meeting.investor), joinedload(Meeting.project))
        .order_by(Meeting.id)).all()
    fixed = [scheduler.Fixed(_request_of(m), m.slot, m.table_id) for m in meetings
             if m.status == MeetingStatus.SCHEDULED and m.table_id is not None]
    to_place = [m for m in meetings if m.status == MeetingStatus.ACCEPTED]
    tables = tuple(scheduler.Table(t.id, t.number, t.interpreter) for t in zone.tables)
    problem = scheduler.Problem(
        slots=len(zone.slot_times()), tables=tables,
        requests=tuple(_request_of(m) for m in to_place),
        investor_cap=zone.investor_cap, project_cap=zone.project_cap, fixed=tuple(fixed))
    result = scheduler.solve(problem, method=method, seconds=seconds)
    problems = scheduler.check(problem, result)
    if problems:  # never write a schedule that breaks a rule
        raise RuntimeError(f"scheduler produced an invalid schedule: {problems[:3]}")
    by_id = {m.id: m for m in to_place}
    numbers = {t.id: t.number for t in zone.tables}
    starts = slot_starts(zone)
    placed = []
    for meeting_id, (slot, table_id) in sorted(result.placed.items()):
        meeting = by_id[meeting_id]
        meeting.slot, meeting.table_id = slot, table_id
        before = meeting.status
        meeting.status = MeetingStatus.SCHEDULED
        meeting.updated_at = utcnow()
        operations._event(meeting, "schedule", before, user=user,
                          note=f"{operations.slot_label(zone, slot)} #{numbers[table_id]}")
        when = starts[slot].strftime("%Y-%m-%d %H:%M")
        operations._tell(
            [*operations.investor_users(meeting.investor_id),
             *operations.project_users(meeting.project)],
            "meeting_scheduled", meeting, user=user, when=f"{when} (UTC+8)",
            table=str(numbers[table_id]))
        placed.append(meeting)
    db.session.flush()
    unplaced = [(by_id[i], reason) for i, reason in sorted(result.unplaced.items())]
    log.info("edition %s scheduled with %s: %d placed, %d not (bound %d) in %.2fs",
             edition.year, result.solver, len(placed), len(unplaced), result.upper_bound,
             result.seconds)
    return ScheduleResult(placed, unplaced, result.upper_bound, result.solver, result.seconds,
                          len(fixed))


def unschedule_edition(edition: Edition, *, user) -> int:
    """Take every scheduled meeting of the edition off its table (back to accepted)."""
    meetings = db.session.scalars(sa.select(Meeting).where(
        Meeting.edition_id == edition.id, Meeting.status == MeetingStatus.SCHEDULED)).all()
    for meeting in meetings:
        meeting.slot, meeting.table_id = None, None
        meeting.status = MeetingStatus.ACCEPTED
        operations._event(meeting, "unschedule", MeetingStatus.SCHEDULED, user=user)
    db.session.flush()
    return len(meetings)


def propose_from_matches(edition: Edition, *, top: int, cap: int, min_score: int = 40,
                         user) -> list[Meeting]:
    """Pre-matching (预撮合) in one action: the top `top` matches of every investor with a
    profile, at most `cap` per project, become meeting requests from the organisers (the
    project side answers as for any request); pairs with a meeting under way are skipped."""
    if not 1 <= top <= 50 or not 1 <= cap <= 100:
        raise InputError(N_("k is 1 to 50 and c is 1 to 100."), field="top")
    suggestions = matching.event_suggestions(per_investor=top, per_project_cap=cap,
                                             min_score=min_score)
    busy = set(db.session.execute(sa.select(Meeting.investor_id, Meeting.project_id).where(
        Meeting.status.in_(OPEN_STATUSES))).all())
    made = []
    for suggestion in suggestions:
        pair = (suggestion.investor.id, suggestion.project.id)
        if pair in busy:
            continue
        try:
            with savepoint(db.session):  # a pair refused does not stop the rest
                meeting = operations.request_meeting(
                    suggestion.investor, suggestion.project,
                    operations.MeetingRequest(score=suggestion.score), user=user,
                    edition=edition)
        except DomainError as error:
            log.info("pre-matching skipped %s: %s", pair, error)
            continue
        made.append(meeting)
        busy.add(pair)
    return made


def grid(zone: Zone, edition: Edition) -> dict[tuple[int, int], Meeting]:
    """(slot, table number) -> the meeting there."""
    meetings = db.session.scalars(
        sa.select(Meeting).where(Meeting.edition_id == edition.id, Meeting.table_id.is_not(None))
        .options(joinedload(Meeting.investor), joinedload(Meeting.project),
                 joinedload(Meeting.table))).all()
    return {(m.slot, m.table.number): m for m in meetings}


__all__ = ["ScheduleResult", "ZoneInput", "grid", "parse_breaks", "parse_days",
           "parse_interpreters", "propose_from_matches", "save_zone", "schedule_edition",
           "slot_starts", "unschedule_edition", "zone_for"]
