"""At the venue and after: check-in, no-show, outcome; "agreement expected" shown on the
signing desk as a suggestion, gone once that investor and project have signed."""

from datetime import date

import pytest
from conftest import csrf_token
from factories import make_agreement, make_session
from zone_data import cast

from matchmaker.editions.operations import current_edition
from matchmaker.errors import Conflict
from matchmaker.extensions import db
from matchmaker.matching.models import LeadStatus
from matchmaker.meetings import operations, zone
from matchmaker.meetings.models import MeetingOutcome, MeetingStatus


@pytest.fixture
def held(app):
    people = cast()
    edition = current_edition()
    zone.save_zone(edition, zone.ZoneInput(days=(date(2023, 7, 8),), tables=2), user=None)
    meeting = operations.request_meeting(people.investor, people.project,
                                         operations.MeetingRequest(), user=people.investor_user)
    operations.accept_meeting(meeting, user=people.zunyi_staff)
    zone.schedule_edition(edition, user=people.organiser, method="greedy")
    db.session.commit()
    return people, meeting


def test_no_show_then_check_in_then_an_outcome(held):
    people, meeting = held
    with pytest.raises(Conflict):
        operations.record_outcome(meeting, MeetingOutcome.FOLLOW_UP, user=people.investor_user)
    db.session.rollback()
    operations.mark_no_show(meeting, user=people.zunyi_staff)
    operations.check_in(meeting, user=people.organiser)  # they came late after all
    operations.record_outcome(meeting, MeetingOutcome.NEGOTIATING, user=people.zunyi_staff)
    db.session.commit()
    assert meeting.status == MeetingStatus.HELD and meeting.checked_in_at is not None
    assert meeting.lead.status == LeadStatus.MEETING
    assert [e.action for e in meeting.events][-3:] == ["no_show", "check_in", "outcome"]
    with pytest.raises(Conflict):
        operations.cancel_meeting(meeting, "", user=people.investor_user)  # held: too late


def test_agreement_expected_is_a_suggestion_on_the_signing_desk(held, client, login):
    people, meeting = held
    operations.check_in(meeting, user=people.zunyi_staff)
    operations.record_outcome(meeting, MeetingOutcome.AGREEMENT_EXPECTED, user=people.zunyi_staff)
    db.session.commit()
    session = make_session()
    login(people.organiser)
    page = client.get(f"/signing/sessions/{session.id}?lang=en").get_data(as_text=True)
    assert 'id="expected-agreements"' in page
    assert "中国石化集团新能源有限公司 · 遵义磷石膏综合利用项目" in page
    # the desk's preview of that investor and project names the meeting
    response = client.post(f"/signing/sessions/{session.id}/record?lang=en", data={
        "csrf_token": csrf_token(client), "investor": people.investor.name,
        "project": str(people.project.id), "amount": "5亿元", "kind": "investment_contract",
        "idempotency_key": "k1"})
    body = response.get_data(as_text=True)
    assert "Check and save:" in body, body[-2000:]
    assert "The negotiation zone expects this agreement:" in body
    make_agreement(session, people.investor, project=people.project)
    page = client.get(f"/signing/sessions/{session.id}").get_data(as_text=True)
    assert 'id="expected-agreements"' not in page  # signed: no longer expected
