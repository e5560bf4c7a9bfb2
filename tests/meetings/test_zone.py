"""The zone of an edition: days, slots, breaks, tables; scheduling accepted meetings into
slot × table (both sides told, what could not be placed said), pre-matching from scores."""

from datetime import date

import pytest
import sqlalchemy as sa
from conftest import csrf_token
from factories import make_investor, make_project, make_user
from zone_data import cast

from matchmaker.accounts.models import Role
from matchmaker.editions.operations import current_edition
from matchmaker.errors import Conflict
from matchmaker.extensions import db
from matchmaker.matching.operations import ProfileInput, save_profile
from matchmaker.meetings import operations, zone
from matchmaker.meetings.models import Meeting, MeetingStatus
from matchmaker.notifications.models import Notification
from matchmaker.validation import InputError


def _zone(edition, **changes):
    data = dict(days=(date(2023, 7, 8), date(2023, 7, 9)), day_start="09:00", day_end="12:00",
                slot_minutes=30, breaks=(("10:30", "11:00"),), tables=3,
                interpreters={3: "en"}, investor_cap=2, project_cap=3)
    data.update(changes)
    made = zone.save_zone(edition, zone.ZoneInput(**data), user=None)
    db.session.commit()
    return made


@pytest.fixture
def people(app):
    return cast()


def _accepted(people, investor, project, **request):
    meeting = operations.request_meeting(investor, project, operations.MeetingRequest(**request),
                                         user=None)
    operations.accept_meeting(meeting, user=people.organiser)
    db.session.commit()
    return meeting


def test_slots_leave_out_breaks_and_number_in_time_order(people):
    made = _zone(current_edition())
    times = [(d.isoformat(), a.strftime("%H:%M")) for d, a, _ in made.slot_times()]
    assert times[:5] == [("2023-07-08", "09:00"), ("2023-07-08", "09:30"), ("2023-07-08", "10:00"),
                         ("2023-07-08", "11:00"), ("2023-07-08", "11:30")]
    assert len(times) == 10 and [t.interpreter for t in made.tables] == [None, None, "en"]


@pytest.mark.parametrize("text, parser", [
    ("2023-13-01", zone.parse_days), ("", zone.parse_days), ("12:00", zone.parse_breaks),
    ("25:00-26:00", zone.parse_breaks)])
def test_bad_zone_input_is_refused(text, parser):
    with pytest.raises(InputError):
        parser(text)


def test_a_meeting_requested_outside_the_zones_hours_is_refused(people):
    _zone(current_edition())
    with pytest.raises(InputError):
        operations.request_meeting(people.investor, people.project,
                                   operations.MeetingRequest(slots=(10,)), user=people.investor_user)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == 0


def test_scheduling_places_accepted_meetings_tells_both_sides_and_says_why_not(people):
    edition = current_edition()
    _zone(edition)
    projects = [people.project, *(make_project(region_code="520300") for _ in range(3))]
    first = _accepted(people, people.investor, projects[0], slots=(0,))
    second = _accepted(people, people.investor, projects[1], slots=(0, 1))
    third = _accepted(people, people.investor, projects[2])  # over the investor's cap of 2
    english = _accepted(people, people.other_investor, projects[0], interpreter="en", slots=(0, 5))
    result = zone.schedule_edition(edition, user=people.organiser, method="greedy")
    db.session.commit()
    placed = {m.id for m in result.placed}
    assert len(placed) == 3 and result.upper_bound == 3
    assert [(m.id, reason) for m, reason in result.unplaced] in (
        [(first.id, "investor_cap")], [(second.id, "investor_cap")], [(third.id, "investor_cap")])
    db.session.refresh(english)
    assert english.status == MeetingStatus.SCHEDULED and english.table.number == 3
    assert english.slot == 5  # project 0 meets the first investor in slot 0
    kinds = db.session.scalars(sa.select(Notification.kind).where(
        Notification.user_id == people.investor_user.id)).all()
    assert kinds.count("meeting_scheduled") == 2
    assert "meeting_scheduled" in db.session.scalars(sa.select(Notification.kind).where(
        Notification.user_id == people.zunyi_staff.id)).all()
    # the times are fixed now: changing them is refused; a second run keeps what is placed
    with pytest.raises(Conflict):
        _zone(edition, day_start="08:00")
    db.session.rollback()
    again = zone.schedule_edition(edition, user=people.organiser)
    assert again.kept == 3 and not again.placed


def test_the_database_refuses_a_double_booked_table(people):
    edition = current_edition()
    made = _zone(edition)
    a = _accepted(people, people.investor, people.project)
    b = _accepted(people, people.other_investor, people.project)
    table = made.tables[0]
    a.slot, a.table_id, a.status = 0, table.id, MeetingStatus.SCHEDULED
    db.session.commit()
    b.slot, b.table_id = 0, table.id
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_prematching_proposes_top_k_per_investor_at_most_c_per_project(people):
    edition = current_edition()
    for investor in (people.investor, people.other_investor,
                     make_investor("第三家投资有限公司")):
        save_profile(investor, ProfileInput(sectors=("new_energy.solar",)), user=None)
    for _ in range(3):
        make_project(region_code="520300")
    db.session.commit()
    made = zone.propose_from_matches(edition, top=2, cap=1, min_score=1, user=people.organiser)
    db.session.commit()
    per_investor = {}
    per_project = {}
    for m in made:
        per_investor[m.investor_id] = per_investor.get(m.investor_id, 0) + 1
        per_project[m.project_id] = per_project.get(m.project_id, 0) + 1
    assert made and max(per_investor.values()) <= 2 and max(per_project.values()) <= 1
    assert all(m.status == MeetingStatus.REQUESTED and m.score for m in made)
    assert zone.propose_from_matches(edition, top=2, cap=1, min_score=1, user=people.organiser) == []


def test_the_zone_page_sets_up_schedules_and_refuses_others(people, client, login):
    _accepted(people, people.investor, people.project)
    login(people.zunyi_staff)
    assert client.get("/zone").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(people.organiser)
    token = csrf_token(client)
    bad = client.post("/zone", data={"csrf_token": token, "days": "2023-07-08", "day_start": "12:00",
                                     "day_end": "09:00", "slot_minutes": 30, "tables": 2,
                                     "investor_cap": 2, "project_cap": 2})
    assert bad.status_code == 400
    saved = client.post("/zone", data={"csrf_token": token, "days": "2023-07-08, 2023-07-09",
                                       "day_start": "09:00", "day_end": "17:00",
                                       "slot_minutes": 30, "breaks": "12:00-13:30", "tables": 4,
                                       "interpreters": "4:en", "investor_cap": 8, "project_cap": 8})
    assert saved.status_code == 302
    page = client.get("/zone?lang=en").get_data(as_text=True)
    assert "26 slots × 4 tables = 104 places." in page
    result = client.post("/zone/schedule?edition=2023", data={"csrf_token": token, "method": "auto"})
    assert result.status_code == 200
    assert "1 placed" in result.get_data(as_text=True)
    assert db.session.scalar(sa.select(Meeting.status)) == MeetingStatus.SCHEDULED


def test_the_cli_sets_up_and_schedules(people, runner):
    _accepted(people, people.investor, people.project)
    done = runner.invoke(args=["meetings", "zone", "--days", "2023-07-08", "--tables", "2",
                               "--slot", "60"])
    assert done.exit_code == 0 and "8 slots x 2 tables" in done.output
    refused = runner.invoke(args=["meetings", "zone", "--days", "2023-07-08", "--start", "18:00"])
    assert refused.exit_code == 1
    scheduled = runner.invoke(args=["meetings", "schedule", "--json"])
    assert scheduled.exit_code == 0 and '"placed": 1' in scheduled.output
    assert make_user(Role.STAFF)  # the cast stays usable


def test_a_request_for_full_slots_or_over_the_cap_is_refused_and_writes_nothing(people):
    edition = current_edition()
    _zone(edition, tables=1, investor_cap=2)
    first = _accepted(people, people.other_investor, people.project, slots=(0,))
    zone.schedule_edition(edition, user=people.organiser, method="greedy")
    db.session.commit()
    assert db.session.get(Meeting, first.id).slot == 0  # the one table is taken in slot 0
    other_project = make_project(region_code="520300")
    before = db.session.scalar(sa.select(sa.func.count()).select_from(Meeting))
    with pytest.raises(Conflict):
        operations.request_meeting(people.investor, other_project,
                                   operations.MeetingRequest(slots=(0,)), user=people.investor_user)
    db.session.rollback()
    for _ in range(2):
        operations.request_meeting(people.investor, make_project(region_code="520300"),
                                   operations.MeetingRequest(slots=(0, 1)), user=people.investor_user)
    db.session.commit()
    with pytest.raises(Conflict):  # a cap of 2 meetings under way
        operations.request_meeting(people.investor, other_project, operations.MeetingRequest(),
                                   user=people.investor_user)
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Meeting)) == before + 2
