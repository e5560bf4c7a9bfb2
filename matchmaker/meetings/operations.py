"""Meetings in the negotiation zone: an investor asks, the project's side answers (accept,
decline, propose other slots), organisers schedule them, both sides meet, check in and record
what came of it. Every change is a history event and tells the other side (notifications,
in the same transaction). Messages: one thread per lead, plain text.

Who may do what (checked here, for pages, API and CLI alike):
- the investor side: users speaking for the meeting's investor (`user.investor_id`);
- the project side: staff covering the project's region (province-level staff cover all);
- organisers (and admins) may act for either side and schedule.
Anyone else gets a 404 for a meeting or thread they cannot see.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import joinedload, selectinload

from matchmaker import audit
from matchmaker.accounts.models import Role, User
from matchmaker.catalogue.models import Project
from matchmaker.db import utcnow
from matchmaker.editions.operations import current_edition
from matchmaker.errors import Conflict, DomainError, Forbidden, NotFound
from matchmaker.extensions import db
from matchmaker.i18n import N_
from matchmaker.investors.models import Investor
from matchmaker.matching import operations as matching
from matchmaker.matching.models import Lead, LeadStatus
from matchmaker.meetings.models import (
    OPEN_STATUSES,
    Meeting,
    MeetingEvent,
    MeetingOutcome,
    MeetingStatus,
    Message,
    Side,
    Zone,
)
from matchmaker.notifications.operations import notify
from matchmaker.reference.labels import label
from matchmaker.reference.models import Region
from matchmaker.signing.models import Agreement
from matchmaker.validation import InputError

log = logging.getLogger(__name__)

MAX_MESSAGE_CHARS = 2000
MAX_REASON_CHARS = 500
HTML_RE = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")


# --- who is who ----------------------------------------------------------------------------


def is_organiser(user) -> bool:
    return user is not None and user.has_role(Role.ORGANIZER)


def sides_of(user, *, investor_id: int, project: Project) -> set[Side]:
    """The sides `user` may act for on a meeting or thread of (investor, project)."""
    if user is None:
        return set()
    found: set[Side] = set()
    if is_organiser(user):
        found |= {Side.ORGANISER, Side.INVESTOR, Side.PROJECT}
    if user.role == Role.INVESTOR and user.investor_id == investor_id:
        found.add(Side.INVESTOR)
    if user.role == Role.STAFF and user.covers_region(project.region):
        found.add(Side.PROJECT)
    return found


def visible_meeting(meeting_id: int, *, user) -> Meeting:
    """The meeting when `user` is on one of its sides; a 404 otherwise (its existence is
    not told to anyone else)."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not sides_of(user, investor_id=meeting.investor_id,
                                       project=meeting.project):
        raise NotFound(N_("No such meeting."))
    return meeting


def visible_lead(lead_id: int, *, user) -> Lead:
    lead = db.session.get(Lead, lead_id)
    if lead is None or not sides_of(user, investor_id=lead.investor_id, project=lead.project):
        raise NotFound(N_("No such conversation."))
    return lead


def investor_users(investor_id: int) -> list[User]:
    return list(db.session.scalars(
        sa.select(User).where(User.investor_id == investor_id, User.role == Role.INVESTOR,
                              User.active.is_(True)).order_by(User.id)))


def project_users(project: Project) -> list[User]:
    """Who hears for the project's side: staff whose scope covers its region; when none
    is scoped there, the province-level staff."""
    staff = list(db.session.scalars(
        sa.select(User).where(User.role == Role.STAFF, User.active.is_(True))
        .options(selectinload(User.scope_regions)).order_by(User.id)))
    scoped = [u for u in staff if u.is_scoped and u.covers_region(project.region)]
    return scoped or [u for u in staff if not u.is_scoped]


def _other_side_users(meeting_or_lead, acting: Side) -> list[User]:
    project = meeting_or_lead.project
    if acting == Side.INVESTOR:
        return project_users(project)
    if acting == Side.PROJECT:
        return investor_users(meeting_or_lead.investor_id)
    return [*investor_users(meeting_or_lead.investor_id), *project_users(project)]


def _main_side(user, meeting: Meeting) -> Side:
    """The side a user speaks for: investors and staff their own; organisers as organisers."""
    sides = sides_of(user, investor_id=meeting.investor_id, project=meeting.project)
    if not sides:
        raise NotFound(N_("No such meeting."))
    if Side.ORGANISER in sides:
        return Side.ORGANISER
    return Side.INVESTOR if Side.INVESTOR in sides else Side.PROJECT


# --- checks ----------------------------------------------------------------------------------


def clean_message(text: str | None, *, field: str = "message", required: bool = False,
                  limit: int = MAX_MESSAGE_CHARS) -> str:
    text = (text or "").replace("\r\n", "\n").strip()
    if required and not text:
        raise InputError(N_("Write a message."), field=field)
    if len(text) > limit:
        raise InputError(N_("The message is too long (%(limit)d characters at most)."),
                         field=field, limit=limit)
    if HTML_RE.search(text):
        raise InputError(N_("Write plain text: HTML tags are not accepted."), field=field)
    if any(ord(c) < 32 and c not in "\n\t" for c in text):
        raise InputError(N_("The text contains a control character; remove it."), field=field)
    return text


def zone_of(edition_id: int | None) -> Zone | None:
    if edition_id is None:
        return None
    return db.session.scalar(sa.select(Zone).where(Zone.edition_id == edition_id))


def clean_slots(slots: Iterable[int] | None, zone: Zone | None, *, field: str = "slots") -> list[int]:
    """Slot numbers of the zone (sorted, distinct); a slot outside its hours is refused."""
    chosen = sorted({int(s) for s in (slots or [])})
    if not chosen:
        return []
    if zone is None:
        raise InputError(N_("The negotiation zone has no time slots yet: leave the times out."),
                         field=field)
    count = len(zone.slot_times())
    outside = [s for s in chosen if s < 0 or s >= count]
    if outside:
        raise InputError(N_("Slot %(slot)s is outside the zone's hours."), field=field,
                         slot=outside[0])
    return chosen


# --- the history and telling people ---------------------------------------------------------


def _event(meeting: Meeting, action: str, before: MeetingStatus | None, *, user,
           note: str = "") -> None:
    meeting.events.append(MeetingEvent(
        user_id=getattr(user, "id", None), action=action,
        from_status=before.value if before else None, to_status=meeting.status.value,
        note=note[:2000], at=utcnow()))


def _params(meeting: Meeting, user, **extra) -> dict[str, str]:
    investor, project = meeting.investor, meeting.project
    return {"investor": investor.name, "investor_en": investor.name_en or "",
            "project": project.name, "project_en": project.name_en or "",
            "actor": (getattr(user, "display_name", "") or getattr(user, "email", "")
                      or "matchmaker"), **extra}


def _link(meeting: Meeting) -> str:
    try:
        return url_for("meetings.meeting", meeting_id=meeting.id)
    except RuntimeError:  # outside a request (CLI): the path is the same
        return f"/meetings/{meeting.id}"


def _tell(users: Sequence[User], kind: str, meeting: Meeting, *, user, **extra) -> None:
    notify(users, kind, _params(meeting, user, **extra), link=_link(meeting), actor=user)


def _advance_lead(lead: Lead, status: LeadStatus) -> None:
    """Move the lead forward to `status` when it is behind (never back, never off a final
    state)."""
    if status in matching.allowed_moves(lead.status):
        lead.status = status


# --- requests and answers ---------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingRequest:
    message: str = ""
    slots: tuple[int, ...] = ()
    interpreter: str | None = None
    score: int | None = None


def request_meeting(investor: Investor, project: Project, data: MeetingRequest, *,
                    user, edition=None) -> Meeting:
    """An investor asks to meet a project's side (registering interest if not yet), in
    the current edition's zone unless told; organisers may ask for an investor
    (pre-matching), and then the investor is told too."""
    if user is not None and user.role == Role.INVESTOR and user.investor_id != investor.id:
        raise Forbidden(N_("You can ask for meetings for your own organisation only."))
    matching.matchable_project(project.id)  # signed, withdrawn or unpublished: 404
    message = clean_message(data.message)
    edition = edition or current_edition()
    zone = zone_of(edition.id if edition else None)
    slots = clean_slots(data.slots, zone)
    lead = db.session.scalar(sa.select(Lead).where(Lead.investor_id == investor.id,
                                                   Lead.project_id == project.id))
    if lead is None:
        lead = matching.register_interest(investor, project, message, user=user)
    open_one = db.session.scalar(sa.select(Meeting.id).where(
        Meeting.lead_id == lead.id, Meeting.status.in_(OPEN_STATUSES)))
    if open_one is not None:
        raise Conflict(N_("A meeting about this project is already under way."), field="message")
    if zone is not None and user is not None and user.role == Role.INVESTOR:
        _check_room(zone, investor, slots)  # organisers may ask beyond: the scheduler caps
    meeting = Meeting(lead=lead, investor=investor, project=project,
                      edition_id=edition.id if edition else None,
                      status=MeetingStatus.REQUESTED, awaiting=Side.PROJECT,
                      requested_by_id=getattr(user, "id", None), message=message,
                      availability=slots, interpreter=(data.interpreter or None),
                      score=data.score)
    db.session.add(meeting)
    _event(meeting, "request", None, user=user, note=message)
    db.session.flush()
    if message:
        db.session.add(Message(lead_id=lead.id, author_id=getattr(user, "id", None),
                               side=Side.INVESTOR, body=message))
    told = project_users(project)
    if user is None or user.role != Role.INVESTOR:
        told = [*told, *investor_users(investor.id)]
    _tell(told, "meeting_requested", meeting, user=user, message=message or "-")
    audit.record("create", "meeting", meeting.id, user=user,
                 after={"investor_id": investor.id, "project_id": project.id})
    db.session.flush()
    log.info("meeting %s requested: investor %s, project %s", meeting.id, investor.id, project.id)
    return meeting


def _check_room(zone: Zone, investor: Investor, slots: list[int]) -> None:
    """A request the zone cannot hold is refused at once: the investor's cap of meetings
    under way reached, or every slot asked for already full (all tables taken, or the
    investor already sits elsewhere then)."""
    under_way = db.session.scalar(sa.select(sa.func.count()).select_from(Meeting).where(
        Meeting.edition_id == zone.edition_id, Meeting.investor_id == investor.id,
        Meeting.status.in_(OPEN_STATUSES))) or 0
    if under_way >= zone.investor_cap:
        raise Conflict(N_("You have %(n)d meetings under way, the most this zone allows: "
                          "cancel one first."), field="message", n=zone.investor_cap)
    if not slots:
        return
    taken = dict(db.session.execute(
        sa.select(Meeting.slot, sa.func.count()).where(
            Meeting.edition_id == zone.edition_id, Meeting.slot.in_(slots))
        .group_by(Meeting.slot)).all())
    own = set(db.session.scalars(sa.select(Meeting.slot).where(
        Meeting.edition_id == zone.edition_id, Meeting.investor_id == investor.id,
        Meeting.slot.in_(slots))))
    tables = len(zone.tables)
    if all(taken.get(s, 0) >= tables or s in own for s in slots):
        raise Conflict(N_("Every time you chose is already full: choose other times, or none."),
                       field="slots")


def _answering_side(meeting: Meeting, user) -> Side:
    """The awaited side, when `user` may speak for it; else a refusal."""
    sides = sides_of(user, investor_id=meeting.investor_id, project=meeting.project)
    if not sides:
        raise NotFound(N_("No such meeting."))
    if meeting.awaiting in sides:
        return meeting.awaiting
    raise Forbidden(N_("The other side answers this: you made the last request or proposal."))


def _require(meeting: Meeting, allowed: Iterable[MeetingStatus], message: str) -> None:
    if meeting.status not in tuple(allowed):
        raise Conflict(message, status=meeting.status)


def accept_meeting(meeting: Meeting, *, user, slot: int | None = None) -> Meeting:
    _require(meeting, (MeetingStatus.REQUESTED, MeetingStatus.PROPOSED),
             N_("Only a requested meeting can be accepted (this one is %(status)s)."))
    side = _answering_side(meeting, user)
    before = meeting.status
    meeting.status, meeting.awaiting = MeetingStatus.ACCEPTED, None
    _event(meeting, "accept", before, user=user)
    _advance_lead(meeting.lead, LeadStatus.CONTACTED)
    _tell(_other_side_users(meeting, side), "meeting_accepted", meeting, user=user)
    db.session.flush()
    return meeting


def decline_meeting(meeting: Meeting, reason: str, *, user) -> Meeting:
    _require(meeting, (MeetingStatus.REQUESTED, MeetingStatus.PROPOSED),
             N_("Only a requested meeting can be declined (this one is %(status)s)."))
    side = _answering_side(meeting, user)
    reason = clean_message(reason, field="reason", limit=MAX_REASON_CHARS)
    before = meeting.status
    meeting.status, meeting.awaiting = MeetingStatus.DECLINED, None
    _event(meeting, "decline", before, user=user, note=reason)
    _tell(_other_side_users(meeting, side), "meeting_declined", meeting, user=user,
          reason=reason or "-")
    db.session.flush()
    return meeting


def propose_slots(meeting: Meeting, slots: Iterable[int], note: str, *, user) -> Meeting:
    """Either side proposes other times; the other side then accepts or declines."""
    _require(meeting, (MeetingStatus.REQUESTED, MeetingStatus.PROPOSED, MeetingStatus.ACCEPTED),
             N_("Other times can be proposed only before the meeting is scheduled (this one "
                "is %(status)s)."))
    side = _main_side(user, meeting)
    zone = zone_of(meeting.edition_id)
    chosen = clean_slots(slots, zone)
    if not chosen:
        raise InputError(N_("Choose at least one time slot."), field="slots")
    note = clean_message(note, field="note", limit=MAX_REASON_CHARS)
    before = meeting.status
    meeting.status = MeetingStatus.PROPOSED
    meeting.availability = chosen
    meeting.awaiting = Side.PROJECT if side == Side.INVESTOR else Side.INVESTOR
    _event(meeting, "propose", before, user=user, note=note)
    _tell(_other_side_users(meeting, side), "meeting_proposed", meeting, user=user,
          slots=", ".join(slot_label(zone, s) for s in chosen))
    db.session.flush()
    return meeting


def cancel_meeting(meeting: Meeting, reason: str, *, user) -> Meeting:
    _require(meeting, OPEN_STATUSES,
             N_("This meeting is %(status)s: it cannot be cancelled."))
    side = _main_side(user, meeting)
    reason = clean_message(reason, field="reason", limit=MAX_REASON_CHARS)
    before = meeting.status
    meeting.status, meeting.awaiting = MeetingStatus.CANCELLED, None
    meeting.slot, meeting.table_id = None, None  # the table is free again
    _event(meeting, "cancel", before, user=user, note=reason)
    _tell(_other_side_users(meeting, side), "meeting_cancelled", meeting, user=user,
          reason=reason or "-")
    db.session.flush()
    return meeting


def slot_label(zone: Zone | None, slot: int | None) -> str:
    if zone is None or slot is None:
        return ""
    times = zone.slot_times()
    if not 0 <= slot < len(times):
        return str(slot)
    day, start, end = times[slot]
    return f"{day.isoformat()} {start.strftime('%H:%M')}–{end.strftime('%H:%M')}"


# --- messages --------------------------------------------------------------------------------


def post_message(lead: Lead, body: str, *, user) -> Message:
    sides = sides_of(user, investor_id=lead.investor_id, project=lead.project)
    if not sides:
        raise NotFound(N_("No such conversation."))
    body = clean_message(body, field="body", required=True)
    side = (Side.ORGANISER if Side.ORGANISER in sides
            else Side.INVESTOR if Side.INVESTOR in sides else Side.PROJECT)
    message = Message(lead_id=lead.id, author_id=getattr(user, "id", None), side=side, body=body)
    db.session.add(message)
    db.session.flush()
    excerpt = body if len(body) <= 140 else body[:139] + "…"
    params = {"investor": lead.investor.name, "investor_en": lead.investor.name_en or "",
              "project": lead.project.name, "project_en": lead.project.name_en or "",
              "actor": getattr(user, "display_name", "") or getattr(user, "email", ""),
              "excerpt": excerpt}
    try:
        link = url_for("meetings.thread", lead_id=lead.id)
    except RuntimeError:
        link = f"/leads/{lead.id}/thread"
    notify(_other_side_users(lead, side), "message_received", params, link=link, actor=user)
    return message


def thread(lead: Lead) -> list[Message]:
    return list(db.session.scalars(
        sa.select(Message).where(Message.lead_id == lead.id)
        .options(joinedload(Message.author)).order_by(Message.created_at, Message.id)))


def meetings_of_lead(lead: Lead) -> list[Meeting]:
    return list(db.session.scalars(
        sa.select(Meeting).where(Meeting.lead_id == lead.id).order_by(Meeting.id)))


# --- lists -----------------------------------------------------------------------------------


def visible_meetings_query(user, *, status: str = "", edition_id: int | None = None) -> sa.Select:
    """The meetings a user is on a side of, newest first, with what a list shows loaded."""
    query = (sa.select(Meeting).join(Project, Meeting.project_id == Project.id)
             .options(joinedload(Meeting.investor), joinedload(Meeting.project)
                      .joinedload(Project.region), joinedload(Meeting.table))
             .order_by(Meeting.updated_at.desc(), Meeting.id.desc()))
    if status in {s.value for s in MeetingStatus}:
        query = query.where(Meeting.status == MeetingStatus(status))
    if edition_id is not None:
        query = query.where(Meeting.edition_id == edition_id)
    if is_organiser(user):
        return query
    if user.role == Role.INVESTOR:
        return query.where(Meeting.investor_id == (user.investor_id or -1))
    if user.role == Role.STAFF:
        if not user.is_scoped:
            return query
        ids = [r.id for r in user.scope_regions]
        children = sa.select(Region.id).where(Region.parent_id.in_(ids))
        return query.where(sa.or_(Project.region_id.in_(ids), Project.region_id.in_(children)))
    return query.where(sa.false())


def open_meetings_by_project(investor: Investor | None) -> dict[int, Meeting]:
    """The investor's open meeting per project (for buttons on lists)."""
    if investor is None:
        return {}
    return {m.project_id: m for m in db.session.scalars(
        sa.select(Meeting).where(Meeting.investor_id == investor.id,
                                 Meeting.status.in_(OPEN_STATUSES)))}


# --- at the venue ----------------------------------------------------------------------------


def check_in(meeting: Meeting, *, user) -> Meeting:
    """Both sides are at the table: the meeting is held."""
    _require(meeting, (MeetingStatus.SCHEDULED, MeetingStatus.NO_SHOW),
             N_("Only a scheduled meeting can be checked in (this one is %(status)s)."))
    _main_side(user, meeting)
    before = meeting.status
    meeting.status, meeting.checked_in_at = MeetingStatus.HELD, utcnow()
    _event(meeting, "check_in", before, user=user)
    _advance_lead(meeting.lead, LeadStatus.MEETING)
    db.session.flush()
    return meeting


def mark_no_show(meeting: Meeting, *, user) -> Meeting:
    _require(meeting, (MeetingStatus.SCHEDULED,),
             N_("Only a scheduled meeting can be marked as a no-show (this one is %(status)s)."))
    _main_side(user, meeting)
    before = meeting.status
    meeting.status = MeetingStatus.NO_SHOW
    _event(meeting, "no_show", before, user=user)
    db.session.flush()
    return meeting


def record_outcome(meeting: Meeting, outcome: MeetingOutcome | str, *, user) -> Meeting:
    _require(meeting, (MeetingStatus.HELD,),
             N_("An outcome is recorded after the meeting is held (this one is %(status)s)."))
    _main_side(user, meeting)
    try:
        chosen = MeetingOutcome(outcome)
    except ValueError as error:
        raise DomainError(N_("Choose an outcome."), field="outcome") from error
    before = meeting.status
    meeting.outcome = chosen
    _event(meeting, "outcome", before, user=user, note=chosen.value)
    db.session.flush()
    return meeting


def expected_agreements(investor_id: int | None, project_id: int | None, *,
                        edition_id: int | None = None) -> list[Meeting]:
    """Held meetings whose outcome is "agreement expected" and whose investor and project
    have signed nothing yet (no agreement that is not voided), for the signing desk."""
    signed = sa.select(Agreement.id).where(
        Agreement.investor_id == Meeting.investor_id, Agreement.project_id == Meeting.project_id,
        Agreement.voided.is_(False))
    query = sa.select(Meeting).where(Meeting.outcome == MeetingOutcome.AGREEMENT_EXPECTED,
                                     ~sa.exists(signed))
    if edition_id is not None:
        query = query.where(Meeting.edition_id == edition_id)
    if investor_id is not None:
        query = query.where(Meeting.investor_id == investor_id)
    if project_id is not None:
        query = query.where(Meeting.project_id == project_id)
    return list(db.session.scalars(query.options(joinedload(Meeting.investor),
                                                 joinedload(Meeting.project))
                                   .order_by(Meeting.id).limit(200)))


def desk_suggestions(_app, *, edition_id=None, investor_id=None, project_id=None, **_extra):
    """The signing desk asks (signals.agreement_suggestions): what the zone expects."""
    if investor_id is None and project_id is None:
        found = expected_agreements(None, None, edition_id=edition_id)
    elif investor_id is None or project_id is None:
        return []  # an off-catalogue project or an investor not chosen yet: nothing to match
    else:
        found = expected_agreements(investor_id, project_id)
    return [{"meeting_id": m.id, "investor_id": m.investor_id, "investor": m.investor.name,
             "project_id": m.project_id, "project": m.project.name,
             "note": str(label(MeetingOutcome.AGREEMENT_EXPECTED)), "link": _link(m)}
            for m in found]
