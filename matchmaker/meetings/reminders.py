"""Reminders (the day before, an hour before each scheduled meeting) and the daily digest of
new matching projects (off by default; each user's setting). Run by `matchmaker meetings
remind` (every few minutes, from cron or a systemd timer) and `matchmaker meetings digest`
(once a day); each writes notifications (and their e-mails) in one transaction and never
tells anyone twice."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from matchmaker.accounts.models import Role, User
from matchmaker.db import utcnow
from matchmaker.errors import DomainError
from matchmaker.extensions import db
from matchmaker.investors.models import Investor
from matchmaker.matching import operations as matching
from matchmaker.meetings import operations
from matchmaker.meetings.models import Meeting, MeetingReminder, MeetingStatus, Zone
from matchmaker.meetings.zone import slot_starts
from matchmaker.notifications.models import NotificationPreference
from matchmaker.notifications.operations import notify

DIGEST_TOP = 50


def send_reminders(*, now: datetime | None = None) -> dict[str, int]:
    """Tell both sides of each scheduled meeting starting within 24 hours (once) and within
    an hour (once); a meeting scheduled at short notice gets only the reminders still due."""
    now = now or utcnow()
    sent = {"day": 0, "hour": 0}
    zones = {z.edition_id: z for z in db.session.scalars(sa.select(Zone))}
    starts = {edition_id: slot_starts(z) for edition_id, z in zones.items()}
    done = set(db.session.execute(sa.select(MeetingReminder.meeting_id, MeetingReminder.kind)).all())
    meetings = db.session.scalars(
        sa.select(Meeting).where(Meeting.status == MeetingStatus.SCHEDULED,
                                 Meeting.slot.is_not(None))
        .options(joinedload(Meeting.investor), joinedload(Meeting.project),
                 joinedload(Meeting.table))).all()
    for meeting in meetings:
        times = starts.get(meeting.edition_id) or []
        if meeting.slot >= len(times):
            continue
        ahead = times[meeting.slot] - now
        if ahead <= timedelta(0):
            continue
        if ahead <= timedelta(hours=1):
            kind = "hour"
        elif ahead <= timedelta(hours=24):
            kind = "day"
        else:
            continue
        if (meeting.id, kind) in done:
            continue
        _remind(meeting, times[meeting.slot])
        sent[kind] += 1
        # after the hour-before reminder a day-before one would come late: never send it
        for recorded in ("hour", "day") if kind == "hour" else ("day",):
            if (meeting.id, recorded) not in done:
                db.session.add(MeetingReminder(meeting_id=meeting.id, kind=recorded, sent_at=now))
                done.add((meeting.id, recorded))
    db.session.flush()
    return sent


def _remind(meeting: Meeting, starts: datetime) -> None:
    when = f"{starts.strftime('%Y-%m-%d %H:%M')} (UTC+8)"
    base = {"project": meeting.project.name, "project_en": meeting.project.name_en or "",
            "when": when, "table": str(meeting.table.number if meeting.table else "")}
    link = f"/meetings/{meeting.id}"
    region = meeting.project.region
    notify(operations.investor_users(meeting.investor_id), "reminder",
           {**base, "other": meeting.project.owner or (region.name if region else ""),
            "other_en": (region.name_en if region else "")}, link=link)
    notify(operations.project_users(meeting.project), "reminder",
           {**base, "other": meeting.investor.name, "other_en": meeting.investor.name_en or ""},
           link=link)


def send_digests(*, now: datetime | None = None) -> int:
    """Each investor account that asked for it: the projects added since its last digest
    (at most a day back) among its best matches. Returns the number of digests written."""
    now = now or utcnow()
    rows = db.session.execute(
        sa.select(User, NotificationPreference).join(
            NotificationPreference, NotificationPreference.user_id == User.id)
        .where(NotificationPreference.digest_enabled.is_(True), User.active.is_(True),
               User.role == Role.INVESTOR, User.investor_id.is_not(None))).all()
    written = 0
    for user, preference in rows:
        since = max(preference.digest_sent_at or now - timedelta(days=1), now - timedelta(days=1))
        investor = db.session.get(Investor, user.investor_id)
        profile = investor.profile if investor else None
        preference.digest_sent_at = now
        if profile is None:
            continue
        try:
            found = matching.match_projects(profile, top=DIGEST_TOP)
        except DomainError:
            continue  # an empty profile matches nothing
        new = [m.project for m in found if m.project.created_at > since]
        if not new:
            continue
        names = "、".join(p.name for p in new[:5]) + (" …" if len(new) > 5 else "")
        names_en = ", ".join(p.name_en or p.name for p in new[:5]) + (" …" if len(new) > 5 else "")
        notify([user], "digest", {"count": str(len(new)), "projects": names,
                                  "projects_en": names_en}, link="/matches")
        written += 1
    db.session.flush()
    return written

