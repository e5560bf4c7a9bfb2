"""The lead funnel: interest → meeting requested → held → negotiating → signed, per
prefecture and per project, counts and conversion; scoped staff see their prefectures."""

from datetime import date

import pytest
from conftest import csrf_token
from factories import make_agreement, make_investor, make_project, make_session
from zone_data import cast

from matchmaker.accounts.operations import create_token
from matchmaker.editions.operations import current_edition
from matchmaker.extensions import db
from matchmaker.matching import operations as matching
from matchmaker.meetings import funnel, operations, zone
from matchmaker.meetings.models import MeetingOutcome


@pytest.fixture
def leads(app):
    """Zunyi: 4 leads (interest only; requested; held + negotiating; signed);
    Tongren: 1 lead, interest only."""
    people = cast()
    edition = current_edition()
    zone.save_zone(edition, zone.ZoneInput(days=(date(2023, 7, 8),), tables=4), user=None)
    zunyi = [people.project, *(make_project(region_code="520303") for _ in range(3))]  # 汇川区
    tongren = make_project(region_code="520600")
    investor = people.investor
    matching.register_interest(investor, zunyi[0], "", user=None)
    operations.request_meeting(investor, zunyi[1], operations.MeetingRequest(), user=None)
    held = {}
    for project, outcome in ((zunyi[2], MeetingOutcome.NEGOTIATING),
                             (zunyi[3], MeetingOutcome.AGREEMENT_EXPECTED)):
        meeting = operations.request_meeting(investor, project, operations.MeetingRequest(),
                                             user=None)
        operations.accept_meeting(meeting, user=people.organiser)
        held[meeting] = outcome
    zone.schedule_edition(edition, user=people.organiser, method="greedy")
    for meeting, outcome in held.items():
        operations.check_in(meeting, user=people.organiser)
        operations.record_outcome(meeting, outcome, user=people.organiser)
    matching.register_interest(make_investor("铜仁的投资者"), tongren, "", user=None)
    db.session.commit()
    make_agreement(make_session(), investor, project=zunyi[3])
    return people


def test_the_funnel_counts_each_lead_at_every_stage_it_reached(leads):
    report = funnel.funnel(current_edition())
    assert report.total.counts == {"interest": 5, "requested": 3, "held": 2, "negotiating": 2,
                                   "signed": 1}
    zunyi, tongren = report.by_prefecture
    assert (zunyi.name, tongren.name) == ("遵义市", "铜仁市")  # a county counts for its prefecture
    assert zunyi.counts["interest"] == 4 and tongren.counts == {
        "interest": 1, "requested": 0, "held": 0, "negotiating": 0, "signed": 0}
    assert zunyi.conversion() == {"requested": 0.75, "held": 0.667, "negotiating": 1.0,
                                  "signed": 0.5}
    assert report.total.overall() == 0.2
    assert sum(f.counts["interest"] for f in report.by_project) == 5


def test_scoped_staff_see_their_prefectures_funnel_and_organisers_the_editions(leads, client, login):
    login(leads.guiyang_staff)
    page = client.get("/funnel?lang=en").get_data(as_text=True)
    assert 'id="prefecture-' not in page  # nothing in Guiyang
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(leads.organiser)
    page = client.get("/funnel?lang=en").get_data(as_text=True)
    assert page.count('id="prefecture-') == 2 and "Zunyi" in page
    zone_page = client.get("/zone").get_data(as_text=True)
    assert 'id="funnel-total"' in zone_page


def test_the_funnel_by_api_and_cli(leads, client, runner):
    token, _ = create_token(leads.zunyi_staff)
    db.session.commit()
    data = client.get("/api/v1/meetings/funnel?edition=2023",
                      headers={"Authorization": f"Bearer {token}"}).get_json()
    assert data["total"]["interest"] == 4 and data["total"]["signed"] == 1
    assert client.get("/api/v1/meetings/funnel?edition=2099",
                      headers={"Authorization": f"Bearer {token}"}).status_code == 404
    result = runner.invoke(args=["meetings", "funnel", "--json"])
    assert result.exit_code == 0 and '"interest": 5' in result.output
