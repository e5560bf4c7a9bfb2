"""Agendas: a participant's page (with the zone named, a second zone on request), .ics and
PDF; the organiser's grid on screen and as .xlsx; table sheets; constant query counts."""

from datetime import date
from io import BytesIO

import pytest
import sqlalchemy as sa
from conftest import csrf_token
from factories import make_project
from openpyxl import load_workbook
from queries import count_queries
from zone_data import cast

from matchmaker.editions.operations import current_edition
from matchmaker.extensions import db
from matchmaker.meetings import agenda, operations, zone
from matchmaker.meetings.models import Meeting, MeetingStatus


@pytest.fixture
def scheduled(app):
    people = cast()
    edition = current_edition()
    zone.save_zone(edition, zone.ZoneInput(days=(date(2023, 7, 8),), day_start="09:00",
                                           day_end="11:00", slot_minutes=30, tables=2,
                                           interpreters={2: "en"}, investor_cap=20,
                                           project_cap=4), user=None)
    other_project = make_project(name="铜仁储能项目", region_code="520600")
    for investor, project, slots in ((people.investor, people.project, (0,)),
                                     (people.investor, other_project, (1,)),
                                     (people.other_investor, people.project, (2,))):
        meeting = operations.request_meeting(investor, project,
                                             operations.MeetingRequest(slots=slots), user=None)
        operations.accept_meeting(meeting, user=people.organiser)
    zone.schedule_edition(edition, user=people.organiser, method="greedy")
    db.session.commit()
    return people


def test_the_agenda_shows_ones_own_meetings_at_forum_time_and_ones_own_zone(scheduled, client, login):
    login(scheduled.investor_user)
    page = client.get("/agenda?lang=en").get_data(as_text=True)
    assert page.count('class="card agenda-item') == 2
    assert "07-08 09:00–09:30" in page and "07-08 09:30–10:00" in page
    assert "China Standard Time, UTC+8" in page
    assert "另一家投资有限公司" not in page  # another investor's meeting is not on it
    berlin = client.get("/agenda?tz=Europe/Berlin&lang=en").get_data(as_text=True)
    assert "2023-07-08 03:00 Europe/Berlin" in berlin  # 09:00 in Guiyang, summer time in Berlin
    assert "Europe/Berlin" in client.get("/agenda").get_data(as_text=True)  # remembered


def test_the_ics_file_holds_utc_times_and_escaped_text(scheduled, client, login):
    login(scheduled.investor_user)
    response = client.get("/agenda.ics")
    assert response.mimetype == "text/calendar"
    body = response.get_data(as_text=True)
    assert body.count("BEGIN:VEVENT") == 2 and "DTSTART:20230708T010000Z" in body
    assert "DTEND:20230708T013000Z" in body and body.endswith("END:VCALENDAR\r\n")
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))


def test_the_pdf_agenda_or_the_print_version_when_no_font(scheduled, client, login, app):
    login(scheduled.investor_user)
    if agenda.pdf_font() is not None:
        response = client.get("/agenda.pdf")
        assert response.status_code == 200 and response.data.startswith(b"%PDF")
    app.config["PDF_FONT"] = "/nonexistent.ttf"
    original = agenda.FONT_CANDIDATES
    agenda.FONT_CANDIDATES = ()
    try:
        response = client.get("/agenda.pdf")
    finally:
        agenda.FONT_CANDIDATES = original
    assert response.status_code == 302 and response.headers["Location"].startswith("/agenda")


def test_the_grid_and_the_table_sheets_for_organisers(scheduled, client, login):
    login(scheduled.zunyi_staff)
    assert client.get("/zone/grid").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(scheduled.organiser)
    page = client.get("/zone/grid?lang=en").get_data(as_text=True)
    assert page.count("<tr><th scope=\"row\"") == 4 and "Table 2 (en)" in page
    for lang, text in (("en", "Sinopec New Energy / Zunyi phosphogypsum reuse"),
                       ("zh", "中国石化集团新能源有限公司 / 遵义磷石膏综合利用项目")):
        workbook = load_workbook(BytesIO(client.get(f"/zone/grid.xlsx?lang={lang}").data))
        cells = [c.value for row in workbook.active.iter_rows() for c in row if c.value]
        assert text in cells and cells[0] == ("Slot (UTC+8)" if lang == "en" else "时段 (UTC+8)")
    sheets = client.get("/zone/tables").get_data(as_text=True)
    assert sheets.count('class="sheet"') == 2


def test_check_in_from_the_agenda_and_the_outcome_in_one_tap(scheduled, client, login):
    login(scheduled.investor_user)
    meeting = db.session.scalar(sa.select(Meeting).where(Meeting.investor_id == scheduled.investor.id)
                                .order_by(Meeting.slot))
    token = csrf_token(client)
    response = client.post(f"/meetings/{meeting.id}/check-in",
                           data={"csrf_token": token, "next": "agenda"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#agenda-{meeting.id}")
    response = client.post(f"/meetings/{meeting.id}/outcome",
                           data={"csrf_token": token, "outcome": "agreement_expected"})
    assert response.status_code == 302
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)
    assert meeting.status == MeetingStatus.HELD and meeting.outcome.value == "agreement_expected"
    assert [e.action for e in meeting.events][-2:] == ["check_in", "outcome"]


def test_busy_zone_pages_run_a_constant_number_of_queries(scheduled, client, login):
    login(scheduled.organiser)

    def counted(path):
        # The requests share the test's session: what an earlier request loaded is reused
        # only while the garbage collector has not freed it, so the count would depend on
        # GC timing (how many tests ran before). Expired, every request loads its own.
        db.session.expire_all()
        with count_queries() as counted:
            assert client.get(path).status_code == 200
        return counted.count

    db.session.commit()  # both measures start with the signed-in user expired
    few = {path: counted(path) for path in ("/meetings", "/zone/grid", "/agenda", "/zone/tables")}
    edition = current_edition()
    for _ in range(6):
        project = make_project(region_code="520300")
        meeting = operations.request_meeting(scheduled.other_investor, project,
                                             operations.MeetingRequest(), user=None)
        operations.accept_meeting(meeting, user=scheduled.organiser)
    zone.schedule_edition(edition, user=scheduled.organiser, method="greedy")
    db.session.commit()
    assert {path: counted(path) for path in few} == few
