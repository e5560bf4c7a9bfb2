"""Meetings: request → accept / decline / propose → cancel, with who/when history, the
other side told, ownership checks (404 for anyone else), and bad input refused with
nothing changed. Messages: plain text, escaped, length-limited."""

import pytest
import sqlalchemy as sa
from conftest import csrf_token
from factories import make_project
from zone_data import cast

from matchmaker.accounts.operations import create_token
from matchmaker.catalogue.models import ProjectStatus
from matchmaker.errors import Conflict, Forbidden, NotFound
from matchmaker.extensions import db
from matchmaker.matching import operations as matching
from matchmaker.matching.models import Lead, LeadStatus
from matchmaker.meetings import operations
from matchmaker.meetings.models import Meeting, MeetingEvent, MeetingStatus, Message, Side
from matchmaker.notifications.models import Notification
from matchmaker.validation import InputError


@pytest.fixture
def people(app):
    return cast()


def _request(people, message="我们想了解项目进度"):
    meeting = operations.request_meeting(
        people.investor, people.project, operations.MeetingRequest(message=message),
        user=people.investor_user)
    db.session.commit()
    return meeting


def _notices(user) -> list[str]:
    return list(db.session.scalars(sa.select(Notification.kind)
                                   .where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def test_a_request_registers_interest_and_tells_the_prefectures_staff(people):
    meeting = _request(people)
    assert meeting.status == MeetingStatus.REQUESTED and meeting.awaiting == Side.PROJECT
    lead = db.session.get(Lead, meeting.lead_id)
    assert (lead.investor_id, lead.project_id) == (people.investor.id, people.project.id)
    assert _notices(people.zunyi_staff) == ["meeting_requested"]
    assert _notices(people.guiyang_staff) == []  # another prefecture's staff are not told
    assert [m.body for m in operations.thread(lead)] == ["我们想了解项目进度"]
    assert [e.action for e in meeting.events] == ["request"]
    with pytest.raises(Conflict):
        _request(people)  # one meeting under way per investor and project


def test_accept_moves_it_on_tells_the_investor_and_keeps_who_and_when(people):
    meeting = _request(people)
    with pytest.raises(Forbidden):  # the asking side cannot accept its own request
        operations.accept_meeting(meeting, user=people.investor_user)
    db.session.rollback()
    operations.accept_meeting(meeting, user=people.zunyi_staff)
    db.session.commit()
    assert meeting.status == MeetingStatus.ACCEPTED
    assert meeting.lead.status == LeadStatus.CONTACTED
    assert _notices(people.investor_user) == ["meeting_accepted"]
    accepted = meeting.events[-1]
    assert (accepted.action, accepted.from_status, accepted.to_status, accepted.user_id) == (
        "accept", "requested", "accepted", people.zunyi_staff.id)
    assert accepted.at is not None


def test_decline_and_cancel_tell_the_other_side_and_a_cancelled_meeting_stays_cancelled(people):
    meeting = _request(people)
    operations.decline_meeting(meeting, "项目已暂停", user=people.zunyi_staff)
    db.session.commit()
    assert _notices(people.investor_user) == ["meeting_declined"]
    second = operations.request_meeting(people.investor, people.project,
                                        operations.MeetingRequest(), user=people.investor_user)
    operations.cancel_meeting(second, "行程变化", user=people.investor_user)
    db.session.commit()
    assert _notices(people.zunyi_staff)[-1] == "meeting_cancelled"
    with pytest.raises(Conflict):
        operations.accept_meeting(second, user=people.zunyi_staff)
    db.session.rollback()
    assert db.session.get(Meeting, second.id).status == MeetingStatus.CANCELLED


def test_another_investors_or_prefectures_meeting_is_not_found(people, client, login):
    meeting = _request(people)
    for outsider in (people.other_investor_user, people.guiyang_staff):
        with pytest.raises(NotFound):
            operations.visible_meeting(meeting.id, user=outsider)
    login(people.other_investor_user)
    assert client.get(f"/meetings/{meeting.id}").status_code == 404
    token = csrf_token(client)
    assert client.post(f"/meetings/{meeting.id}/cancel", data={"csrf_token": token}).status_code == 404
    assert client.get(f"/leads/{meeting.lead_id}/thread").status_code == 404
    assert client.post(f"/leads/{meeting.lead_id}/messages",
                       data={"csrf_token": token, "body": "hi"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status == MeetingStatus.REQUESTED
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Message)) == 1
    assert f"meeting-{meeting.id}" not in client.get("/meetings").get_data(as_text=True)


def test_the_pages_walk_a_meeting_from_request_to_accept(people, client, login):
    login(people.investor_user)
    page = client.get(f"/projects/{people.project.id}/meeting?lang=en").get_data(as_text=True)
    assert "Request a meeting" in page
    response = client.post(f"/projects/{people.project.id}/meeting",
                           data={"csrf_token": csrf_token(client), "message": "Looking forward"})
    assert response.status_code == 302
    meeting = db.session.scalar(sa.select(Meeting))
    assert response.headers["Location"] == f"/meetings/{meeting.id}"
    client.post("/logout", data={"csrf_token": csrf_token(client)})
    login(people.zunyi_staff)
    inbox = client.get("/meetings?lang=en").get_data(as_text=True)
    assert f'id="meeting-{meeting.id}"' in inbox and "Requested" in inbox
    assert '<span class="badge"' in inbox  # the request is an unread notice
    response = client.post(f"/meetings/{meeting.id}/accept", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Meeting, meeting.id).status == MeetingStatus.ACCEPTED
    page = client.get(f"/meetings/{meeting.id}?lang=en").get_data(as_text=True)
    assert 'id="meeting-status">Accepted<' in page and "Looking forward" in page


def test_bad_input_is_refused_and_nothing_changes(people, client, login):
    meeting = _request(people)
    login(people.investor_user)
    token = csrf_token(client)
    for body in ("x" * 50_000, "<script>alert(1)</script>", "<b>bold</b>", "   "):
        response = client.post(f"/leads/{meeting.lead_id}/messages",
                               data={"csrf_token": token, "body": body})
        assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Message)) == 1
    with pytest.raises(InputError):
        operations.post_message(meeting.lead, "<a href=x>x</a>", user=people.investor_user)
    db.session.rollback()
    # a text that merely mentions "<" and ">" is plain text, shown escaped
    operations.post_message(meeting.lead, "投资额 < 5亿 and > 1亿", user=people.investor_user)
    db.session.commit()
    page = client.get(f"/leads/{meeting.lead_id}/thread").get_data(as_text=True)
    assert "投资额 &lt; 5亿 and &gt; 1亿" in page
    # a slot outside the zone's hours (there is no zone): refused, nothing written
    before = db.session.scalar(sa.select(sa.func.count()).select_from(MeetingEvent))
    response = client.post(f"/meetings/{meeting.id}/propose",
                           data={"csrf_token": token, "slots": "99"})
    assert response.status_code in (400, 409)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MeetingEvent)) == before
    assert client.post(f"/meetings/{meeting.id}/explode", data={"csrf_token": token}).status_code == 404


def test_messages_tell_the_other_side(people):
    meeting = _request(people, message="")
    operations.post_message(meeting.lead, "请发送可研报告", user=people.investor_user)
    operations.post_message(meeting.lead, "已发送", user=people.zunyi_staff)
    db.session.commit()
    assert _notices(people.zunyi_staff) == ["meeting_requested", "message_received"]
    assert _notices(people.investor_user) == ["message_received"]
    assert [m.side for m in operations.thread(meeting.lead)] == [Side.INVESTOR, Side.PROJECT]


def test_signed_and_withdrawn_projects_are_neither_matched_nor_met(people):
    signed = make_project(name="已签约项目", status=ProjectStatus.SIGNED)
    withdrawn = make_project(name="撤回项目", status=ProjectStatus.WITHDRAWN)
    for project in (signed, withdrawn):
        with pytest.raises(NotFound):
            operations.request_meeting(people.investor, project, operations.MeetingRequest(),
                                       user=people.investor_user)
        db.session.rollback()
    ids = set(matching.matching_context().matrix.ids)
    assert people.project.id in ids and signed.id not in ids and withdrawn.id not in ids
    people.project.status = ProjectStatus.SIGNED  # signed at the ceremony: gone from matches
    db.session.commit()
    assert people.project.id not in set(matching.matching_context().matrix.ids)


def test_the_api_requests_answers_and_refuses_outsiders(people, client):
    (investor_token, _), (staff_token, _), (other_token, _) = (
        create_token(people.investor_user), create_token(people.zunyi_staff),
        create_token(people.other_investor_user))
    db.session.commit()

    def auth(token):
        return {"Authorization": f"Bearer {token}"}

    created = client.post(f"/api/v1/projects/{people.project.id}/meetings",
                          json={"message": "hello"}, headers=auth(investor_token))
    assert created.status_code == 201, created.get_json()
    meeting_id = created.get_json()["id"]
    assert client.get(f"/api/v1/meetings/{meeting_id}", headers=auth(other_token)).status_code == 404
    refused = client.post(f"/api/v1/meetings/{meeting_id}/accept", json={},
                          headers=auth(investor_token))
    assert refused.status_code == 403
    accepted = client.post(f"/api/v1/meetings/{meeting_id}/accept", json={},
                           headers=auth(staff_token))
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "accepted"
    again = client.post(f"/api/v1/meetings/{meeting_id}/decline", json={},
                        headers=auth(staff_token))
    assert again.status_code == 409
    bad = client.post(f"/api/v1/leads/{accepted.get_json()['lead_id']}/messages",
                      json={"body": "y" * 2001}, headers=auth(investor_token))
    assert bad.status_code == 400
    listed = client.get("/api/v1/meetings", headers=auth(staff_token)).get_json()
    assert [m["id"] for m in listed["items"]] == [meeting_id]
