"""The catalogue -> landing funnel of an edition (exact, hand-computed) and the to-do list
of agreements without progress, with reminders to the prefecture's staff.

2024 edition, a published catalogue of four projects (sought 5亿 each) and one withdrawn:
  P1 lead, meeting (held), agreement 3亿, started, in production
  P2 lead, meeting (declined: not a meeting), agreement 2亿, started
  P3 lead only
  P4 nothing
  plus an off-catalogue agreement (1亿) and a letter of intent on P4 (not counted)
  funnel: catalogue 4 / 20亿 sought; interest 3 / 15亿; meetings 1 / 5亿;
          signed 2 / 5亿 signed; started 2 / 5亿; in production 1 / 3亿; off-catalogue 1
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from factories import (
    make_agreement,
    make_catalogue,
    make_investor,
    make_project,
    make_session,
    make_user,
    region,
)

from matchmaker.accounts.models import Role
from matchmaker.catalogue.models import CatalogueStatus, ProjectStatus
from matchmaker.editions.models import Edition
from matchmaker.extensions import db
from matchmaker.followup import operations
from matchmaker.followup.funnel import edition_funnel
from matchmaker.followup.operations import StageInput
from matchmaker.matching.models import Lead
from matchmaker.meetings.models import Meeting, MeetingStatus
from matchmaker.notifications.models import Notification
from matchmaker.signing.models import AgreementKind

YI = Decimal("100000000")
SIGNED = datetime(2024, 7, 5, 2, 0, tzinfo=UTC)


@pytest.fixture
def edition_2024(app):
    catalogue = make_catalogue(year=2024, status=CatalogueStatus.PUBLISHED)
    p1, p2, p3, p4 = (make_project(catalogue, region_code="520300") for _ in range(4))
    make_project(catalogue, status=ProjectStatus.WITHDRAWN)
    investor = make_investor()
    for project in (p1, p2, p3):
        db.session.add(Lead(investor=investor, project=project))
    db.session.flush()
    leads = db.session.query(Lead).order_by(Lead.id).all()
    db.session.add_all([
        Meeting(lead_id=leads[0].id, investor_id=investor.id, project_id=p1.id,
                status=MeetingStatus.HELD),
        Meeting(lead_id=leads[1].id, investor_id=investor.id, project_id=p2.id,
                status=MeetingStatus.DECLINED),
    ])
    db.session.commit()
    session = make_session(edition=2024)
    a1 = make_agreement(session, investor, project=p1, amount_yuan=3 * YI, signed_at=SIGNED)
    a2 = make_agreement(session, investor, project=p2, amount_yuan=2 * YI, signed_at=SIGNED)
    make_agreement(session, investor, project_name="场外项目", amount_yuan=YI, signed_at=SIGNED,
                   region=region("520100"))
    make_agreement(session, investor, project=p4, amount_yuan=YI, signed_at=SIGNED,
                   kind=AgreementKind.INTENT)
    operations.record_stage(a1, StageInput("started", date(2024, 8, 1), "许可证"), user=None)
    operations.record_stage(a1, StageInput("in_production", date(2024, 12, 1), "验收"), user=None)
    operations.record_stage(a2, StageInput("started", date(2024, 9, 1), "许可证"), user=None)
    db.session.commit()
    return session.edition


def test_the_funnel_is_exact(edition_2024):
    funnel = edition_funnel(edition_2024)
    assert [(s.key, s.projects, s.amount_yuan, s.amount_kind) for s in funnel.steps] == [
        ("catalogue", 4, 20 * YI, "sought"), ("interest", 3, 15 * YI, "sought"),
        ("meetings", 1, 5 * YI, "sought"), ("signed", 2, 5 * YI, "signed"),
        ("started", 2, 5 * YI, "signed"), ("in_production", 1, 3 * YI, "signed"),
    ]
    assert funnel.off_catalogue == 1


def test_the_funnel_page_and_cli(edition_2024, client, login, runner):
    login(make_user(Role.ORGANIZER))
    page = client.get("/followup/funnel?edition=2024").get_data(as_text=True)
    assert 'id="funnel"' in page and "<svg" in page and "20.00" in page
    result = runner.invoke(args=["followup", "funnel", "--edition", "2024", "--json"])
    assert result.exit_code == 0, result.output
    assert '"projects": 4' in result.output


def test_stale_agreements_are_on_the_prefecture_to_do_list(edition_2024, client, login, runner):
    zunyi = make_user(Role.STAFF, email="zunyi@example.org")
    zunyi.scope_regions = [region("520300")]
    guiyang = make_user(Role.STAFF, email="guiyang@example.org")
    guiyang.scope_regions = [region("520100")]
    make_user(Role.STAFF, email="province@example.org")
    db.session.commit()
    # nothing recorded since the signing (2024-07-05) for the off-catalogue one; the others
    # had progress just now
    stale = operations.agreements_to_follow(None, edition_2024, stale_days=30)
    assert [a.project_name for a, _f in stale] == ["场外项目"]
    assert operations.agreements_to_follow(None, edition_2024, stale_days=100000) == []
    login(guiyang)
    page = client.get("/followup/todo?edition=2024&days=30").get_data(as_text=True)
    assert "场外项目" in page
    done = runner.invoke(args=["followup", "remind", "--edition", "2024", "--days", "30"])
    assert done.exit_code == 0, done.output
    told = {n.user_id for n in db.session.query(Notification).filter_by(kind="followup_stale")}
    assert told == {guiyang.id}  # Guiyang's staff, not Zunyi's nor the province's


def test_completed_and_terminated_agreements_need_no_reminder(edition_2024):
    agreement = operations.agreements_to_follow(None, edition_2024, stale_days=30)[0][0]
    followup = operations._position(agreement)
    followup.state = "terminated"
    followup.last_progress_at = datetime.now(UTC) - timedelta(days=400)
    db.session.commit()
    assert operations.agreements_to_follow(None, edition_2024, stale_days=30) == []
    assert db.session.query(Edition).count() == 1
