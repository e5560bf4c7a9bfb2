"""Reminders the day before and an hour before (each once), and the daily digest of new
matching projects (only for users who asked for it)."""

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from factories import make_project
from zone_data import cast

from matchmaker.editions.operations import current_edition
from matchmaker.extensions import db
from matchmaker.matching.operations import ProfileInput, save_profile
from matchmaker.meetings import operations, reminders, zone
from matchmaker.notifications import operations as notices
from matchmaker.notifications.models import Notification


def _kinds(user):
    return list(db.session.scalars(sa.select(Notification.kind).where(
        Notification.user_id == user.id, Notification.kind.in_(("reminder", "digest")))))


def test_reminders_go_out_once_a_day_before_and_once_an_hour_before(app):
    people = cast()
    edition = current_edition()
    zone.save_zone(edition, zone.ZoneInput(days=(date(2023, 7, 8),), tables=1), user=None)
    meeting = operations.request_meeting(people.investor, people.project,
                                         operations.MeetingRequest(slots=(0,)), user=None)
    operations.accept_meeting(meeting, user=people.organiser)
    zone.schedule_edition(edition, user=people.organiser, method="greedy")
    db.session.commit()
    starts = datetime(2023, 7, 8, 1, 0, tzinfo=UTC)  # 09:00 in Guiyang
    assert reminders.send_reminders(now=starts - timedelta(hours=30)) == {"day": 0, "hour": 0}
    assert reminders.send_reminders(now=starts - timedelta(hours=20)) == {"day": 1, "hour": 0}
    assert reminders.send_reminders(now=starts - timedelta(hours=19)) == {"day": 0, "hour": 0}
    assert reminders.send_reminders(now=starts - timedelta(minutes=50)) == {"day": 0, "hour": 1}
    assert reminders.send_reminders(now=starts - timedelta(minutes=10)) == {"day": 0, "hour": 0}
    assert reminders.send_reminders(now=starts + timedelta(minutes=10)) == {"day": 0, "hour": 0}
    db.session.commit()
    assert _kinds(people.investor_user) == ["reminder", "reminder"]
    assert _kinds(people.zunyi_staff) == ["reminder", "reminder"]
    text = [n for n in notices.recent(people.zunyi_staff) if n.kind == "reminder"][0]
    assert text.params["other"] == "中国石化集团新能源有限公司" and text.params["table"] == "1"


def test_the_digest_only_for_those_who_asked_and_only_new_matching_projects(app):
    people = cast()
    save_profile(people.investor, ProfileInput(sectors=("new_energy.solar",)), user=None)
    save_profile(people.other_investor, ProfileInput(sectors=("new_energy.solar",)), user=None)
    notices.save_preferences(user=people.investor_user, locale="zh", email_enabled=True,
                             digest_enabled=True)
    db.session.commit()
    assert reminders.send_digests() == 1  # the cast's project is new today
    db.session.commit()
    assert reminders.send_digests() == 0  # nothing new since
    make_project(name="新光伏项目", sectors=("new_energy.solar",))
    make_project(name="旅游项目", sectors=("eco_tourism",))
    assert reminders.send_digests(now=datetime.now(UTC) + timedelta(minutes=1)) == 1
    db.session.commit()
    digest = [n for n in notices.recent(people.investor_user) if n.kind == "digest"][0]
    assert digest.params["projects"] == "新光伏项目" and digest.params["count"] == "1"
    assert _kinds(people.other_investor_user) == []  # off by default
