"""Notifications: in-app notices and the e-mail outbox, delivered to a real SMTP server
running in the test process (aiosmtpd), in the recipient's language, with retries."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from conftest import csrf_token
from factories import make_user
from smtp_server import free_port, smtp_server

from matchmaker.accounts.models import Role
from matchmaker.accounts.operations import create_token
from matchmaker.db import utcnow
from matchmaker.extensions import db
from matchmaker.notifications import delivery, operations
from matchmaker.notifications.models import (
    Delivery,
    DeliveryState,
    Notification,
    NotificationPreference,
)


@pytest.fixture
def smtp(app):
    with smtp_server() as (collector, port):
        app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port,
                          MAIL_DEFAULT_SENDER="forum@example.org",
                          MAIL_SITE_URL="https://forum.example.org")
        yield collector


def _tell(user, kind="meeting_accepted", **params):
    values = {"actor": "招商局", "investor": "中国石化", "investor_en": "Sinopec",
              "project": "磷石膏综合利用项目", "project_en": "Phosphogypsum reuse"} | params
    made = operations.notify([user], kind, values, link="/notifications")
    db.session.commit()
    return made[0]


def test_a_notice_and_its_email_are_written_with_the_change_or_not_at_all(app, smtp):
    user = make_user()
    operations.notify([user], "meeting_accepted", {"project": "p"}, link="/x")
    db.session.rollback()  # the change failed: nothing told
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Delivery)) == 0
    _tell(user)
    assert operations.unread_count(user) == 1
    assert db.session.scalar(sa.select(Delivery.state)) == DeliveryState.PENDING


def test_email_reaches_a_real_smtp_server_in_the_recipients_language(app, smtp):
    chinese, english = make_user(), make_user()
    operations.save_preferences(user=english, locale="en", email_enabled=True,
                                digest_enabled=False)
    db.session.commit()
    operations.notify([chinese, english], "meeting_accepted",
                      {"actor": "招商局", "investor": "中国石化", "investor_en": "Sinopec",
                       "project": "磷石膏综合利用项目", "project_en": "Phosphogypsum reuse"},
                      link="/meetings/1")
    db.session.commit()
    assert delivery.deliver_due() == {"sent": 2, "retrying": 0, "failed": 0}
    by_address = {m["To"]: m for m in smtp.messages}
    zh = by_address[chinese.email]
    en = by_address[english.email]
    assert "磷石膏综合利用项目" in zh["Subject"] and "会谈" in zh["Subject"]
    assert en["Subject"] == "Meeting accepted: Phosphogypsum reuse"
    assert "Sinopec" in en.get_content() and "https://forum.example.org/meetings/1" in en.get_content()
    assert all(d.state == DeliveryState.SENT and d.sent_at for d in db.session.scalars(sa.select(Delivery)))
    assert delivery.deliver_due()["sent"] == 0  # sent once, never twice


def test_a_refusing_server_is_retried_with_growing_waits_then_failed_for_admins(app, smtp, client, login):
    user = _tell(make_user()).user
    smtp.refuse = True
    now = utcnow()
    assert delivery.deliver_due(now=now)["retrying"] == 1
    row = db.session.scalar(sa.select(Delivery))
    assert row.attempts == 1 and row.state == DeliveryState.PENDING
    assert row.next_attempt_at == now + timedelta(seconds=delivery.BACKOFF_SECONDS[0])
    assert "451" in row.last_error
    assert delivery.deliver_due(now=now)["retrying"] == 0  # not due yet
    for wait in delivery.BACKOFF_SECONDS:
        now += timedelta(seconds=wait)
        delivery.deliver_due(now=now)
    db.session.refresh(row)
    assert row.state == DeliveryState.FAILED and row.attempts == delivery.MAX_ATTEMPTS
    assert operations.unread_count(user) == 1  # the in-app notice is there all along

    login(make_user(Role.ADMIN))
    page = client.get("/admin/notifications").get_data(as_text=True)
    assert f'id="delivery-{row.id}"' in page and "451" in page
    assert 'id="count-failed">1<' in page
    response = client.post(f"/admin/notifications/{row.id}/retry",
                           data={"csrf_token": csrf_token(client)})
    assert response.status_code == 302
    db.session.expire_all()
    smtp.refuse = False
    assert db.session.get(Delivery, row.id).state in (DeliveryState.PENDING, DeliveryState.SENT)
    delivery.deliver_due()
    db.session.expire_all()
    assert db.session.get(Delivery, row.id).state == DeliveryState.SENT
    assert len(smtp.messages) == 1


def test_a_server_that_is_not_there_is_retried_too(app):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port(), MAIL_TIMEOUT=2)
    _tell(make_user())
    assert delivery.deliver_due() == {"sent": 0, "retrying": 1, "failed": 0}
    assert "Error" in db.session.scalar(sa.select(Delivery.last_error))


def test_a_claimed_row_is_not_sent_by_a_second_worker(app, smtp):
    _tell(make_user())
    row_id = db.session.scalar(sa.select(Delivery.id))
    now = utcnow()
    assert delivery._claim(row_id, now) is not None
    assert delivery._claim(row_id, now) is None  # a second worker finds it taken
    # ... until the first one is long gone (killed mid-send): then it is due again
    later = now + timedelta(seconds=delivery.STALE_SECONDS + 1)
    assert delivery.deliver_due(now=later)["sent"] == 1


def test_without_smtp_in_app_notices_still_work_and_nothing_waits(app, client, login):
    assert not app.config.get("MAIL_SERVER")
    user = make_user()
    _tell(user)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Delivery)) == 0
    login(user)
    page = client.get("/notifications?lang=en").get_data(as_text=True)
    assert "Meeting accepted: Phosphogypsum reuse" in page
    assert '<span class="badge" aria-label="1 unread">1</span>' in page
    settings = client.get("/notifications/settings").get_data(as_text=True)
    assert "E-mail is not set up on this site" in settings


def test_reading_marks_only_ones_own_notices(app, client, login):
    owner, other = make_user(), make_user()
    mine = _tell(owner)
    login(other)
    token = csrf_token(client)
    assert client.post(f"/notifications/{mine.id}/read", data={"csrf_token": token}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Notification, mine.id).read_at is None
    client.post("/logout", data={"csrf_token": token})
    login(owner)
    token = csrf_token(client)
    response = client.post(f"/notifications/{mine.id}/read", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/notifications"
    assert operations.unread_count(owner) == 0
    _tell(owner), _tell(owner)
    client.post("/notifications/read", data={"csrf_token": token})
    assert operations.unread_count(owner) == 0
    assert 'class="badge"' not in client.get("/notifications").get_data(as_text=True)


def test_the_actor_is_not_told_of_their_own_change(app):
    actor, other = make_user(), make_user()
    made = operations.notify([actor, other, other], "test", {"actor": "x"}, actor=actor)
    assert [n.user_id for n in made] == [other.id]


def test_switching_the_language_sets_the_language_of_emails(app, client, login, smtp):
    user = login(make_user())
    client.get("/?lang=en")
    token = csrf_token(client)
    assert db.session.get(NotificationPreference, user.id) is None  # a page view writes nothing
    client.post("/notifications/read", data={"csrf_token": token})  # the next form posted
    assert operations.preference_of(user).locale == "en"
    response = client.post("/notifications/settings", data={
        "csrf_token": token, "locale": "zh", "email_enabled": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    preference = operations.preference_of(user)
    assert preference.locale == "zh" and preference.email_enabled and not preference.digest_enabled
    bad = client.post("/notifications/settings", data={"csrf_token": token, "locale": "fr"})
    assert bad.status_code == 400
    # e-mail off: the notice is written, no e-mail queued
    client.post("/notifications/settings", data={"csrf_token": token, "locale": "zh"})
    _tell(user)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Delivery)) == 0


def test_a_page_that_notifies_delivers_after_the_response(app, client, login, smtp):
    admin = login(make_user(Role.ADMIN))
    response = client.post("/admin/notifications/test", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 302
    response.close()  # the WSGI server closes the response once it is sent
    assert [m["To"] for m in smtp.messages] == [admin.email]


def test_the_api_lists_and_reads_ones_own_notifications(app, client):
    owner, other = make_user(), make_user()
    mine = _tell(owner)
    (token, _), (other_token, _) = create_token(owner), create_token(other)
    db.session.commit()
    listed = client.get("/api/v1/notifications?lang=en",
                        headers={"Authorization": f"Bearer {token}"}).get_json()
    assert listed["unread"] == 1
    assert listed["items"][0]["subject"] == "Meeting accepted: Phosphogypsum reuse"
    assert client.get("/api/v1/notifications").status_code == 401
    refused = client.post(f"/api/v1/notifications/{mine.id}/read",
                          headers={"Authorization": f"Bearer {other_token}"})
    assert refused.status_code == 404
    read = client.post(f"/api/v1/notifications/{mine.id}/read",
                       headers={"Authorization": f"Bearer {token}"})
    assert read.status_code == 200 and read.get_json()["read"] is True
    assert client.get("/api/v1/notifications/deliveries",
                      headers={"Authorization": f"Bearer {token}"}).status_code == 403


def test_the_cli_delivers_and_reports(app, runner, smtp):
    _tell(make_user())
    result = runner.invoke(args=["notifications", "status", "--json"])
    assert result.exit_code == 0 and '"pending": 1' in result.output
    result = runner.invoke(args=["notifications", "deliver"])
    assert result.exit_code == 0 and "sent 1" in result.output
    assert len(smtp.messages) == 1
