"""/leads runs the same few statements for 5 leads or 50; moving a lead goes through the
one door helper (validate, one operation, commit; or roll back and say why)."""

import re

from conftest import csrf_token
from factories import make_investor, make_user
from matching_data import catalogue  # noqa: F401 - fixture
from queries import count_queries

from matchmaker.accounts.models import Role
from matchmaker.extensions import db
from matchmaker.matching.models import Lead, LeadStatus


def add_leads(projects, count: int) -> list[Lead]:
    leads = []
    for number in range(count):
        investor = make_investor(f"贵州测试投资有限公司{number}", name_en=f"Test Investment {number}")
        lead = Lead(investor=investor, project=projects[number % len(projects)], message=f"第{number}条",
                    status=LeadStatus.NEW)
        db.session.add(lead)
        leads.append(lead)
    db.session.commit()
    return leads


def statements_for(client, url: str) -> tuple[int, str]:
    db.session.expire_all()  # what a new request sees: nothing loaded yet
    with count_queries() as counted:
        html = client.get(url).get_data(as_text=True)
    return counted.count, html


def test_leads_page_runs_a_constant_number_of_statements(app, client, login, catalogue):
    login(make_user(Role.STAFF))
    projects = [catalogue[k] for k in ("solar", "wind", "gypsum", "battery")]
    add_leads(projects, 5)
    few, html = statements_for(client, "/leads?lang=en")
    assert html.count('<tr id="lead-') == 5
    for number in range(5, 50):
        db.session.add(Lead(investor=make_investor(f"贵州批量投资有限公司{number}"),
                            project=projects[number % 4], status=LeadStatus.CONTACTED))
    db.session.commit()
    many, html = statements_for(client, "/leads?lang=en")
    assert html.count('<tr id="lead-') == 50
    assert "Huaxi District" in html and "Test Investment 4" in html  # region and investor shown
    assert many == few <= 8, (few, many)
    filtered, html = statements_for(client, "/leads?region=520100&status=contacted")
    assert filtered <= few + 2 and html.count('<tr id="lead-') > 0


def test_moving_a_lead_commits_once_and_a_refused_move_changes_nothing(app, client, login, catalogue):
    login(make_user(Role.STAFF))
    lead = add_leads([catalogue["solar"]], 1)[0]
    token = csrf_token(client)
    moved = client.post(f"/leads/{lead.id}/status?lang=en", data={"csrf_token": token, "status": "meeting"},
                        follow_redirects=True)
    assert "Lead moved to Meeting." in moved.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).status == LeadStatus.MEETING
    refused = client.post(f"/leads/{lead.id}/status?lang=en", data={"csrf_token": token, "status": "new"},
                          follow_redirects=True)
    assert re.search(r"A lead cannot move from meeting to new", refused.get_data(as_text=True))
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).status == LeadStatus.MEETING
    unknown = client.post("/leads/999999/status", data={"csrf_token": token, "status": "meeting"})
    assert unknown.status_code == 404
