"""Pages: an investor's matches and interest; staff move leads through their states."""

import pytest
from conftest import csrf_token
from factories import make_investor, make_user
from matching_data import catalogue, solar_investor  # noqa: F401 - fixtures

from matchmaker.accounts.models import Role
from matchmaker.audit import AuditEvent
from matchmaker.extensions import db
from matchmaker.matching.models import Lead, LeadStatus
from matchmaker.matching.operations import allowed_moves


@pytest.fixture
def investor_user(app, solar_investor):
    return make_user(Role.INVESTOR, investor_id=solar_investor.id)


def test_investor_sees_ranked_matches_with_reasons(app, client, login, catalogue, investor_user):
    login(investor_user)
    html = client.get("/matches?lang=en").get_data(as_text=True)
    order = [html.index(name) for name in ("花溪农光互补光伏电站项目", "汇川风电场项目", "磷石膏综合利用项目")]
    assert order == sorted(order)
    assert "Amount sought RMB 500 million is within your range" in html
    assert "撤回的光伏项目" not in html


def test_investor_without_profile_is_sent_to_the_profile_form(app, client, login, catalogue):
    login(make_user(Role.INVESTOR))
    response = client.get("/matches")
    assert response.status_code == 302 and response.headers["Location"].endswith("/matches/profile")


def test_register_interest_once(app, client, login, catalogue, investor_user):
    login(investor_user)
    url = f"/projects/{catalogue['solar'].id}/interest"
    data = {"csrf_token": csrf_token(client), "message": "请联系我们"}
    assert client.post(url, data=data).status_code == 302
    client.post(url, data=data)
    leads = db.session.query(Lead).all()
    assert [(lead.project_id, lead.message, lead.status) for lead in leads] == [
        (catalogue["solar"].id, "请联系我们", LeadStatus.NEW)]
    html = client.get("/matches?lang=en").get_data(as_text=True)
    assert "You registered interest in this project." in html


@pytest.mark.parametrize("status, moves", [
    (LeadStatus.NEW, ["contacted", "meeting", "signed", "dropped"]),
    (LeadStatus.CONTACTED, ["meeting", "signed", "dropped"]),
    (LeadStatus.MEETING, ["signed", "dropped"]),
    (LeadStatus.SIGNED, []),
    (LeadStatus.DROPPED, []),
])
def test_lead_moves(status, moves):
    assert [s.value for s in allowed_moves(status)] == moves


def test_staff_move_a_lead_through_its_states(app, client, login, catalogue, solar_investor):
    lead = Lead(investor=solar_investor, project=catalogue["solar"], message="hi")
    db.session.add(lead)
    db.session.commit()
    staff = login(make_user(Role.STAFF))
    token = csrf_token(client)
    for status in ("contacted", "meeting", "signed"):
        client.post(f"/leads/{lead.id}/status", data={"csrf_token": token, "status": status})
        db.session.refresh(lead)
        assert lead.status == status
    response = client.post(f"/leads/{lead.id}/status", data={"csrf_token": token, "status": "new"},
                           follow_redirects=True)
    db.session.refresh(lead)
    assert lead.status == LeadStatus.SIGNED
    assert "A lead cannot move from signed to new." in client.get("/leads?lang=en").get_data(as_text=True) or response
    events = db.session.query(AuditEvent).filter_by(entity="lead", entity_id=lead.id).order_by(AuditEvent.id).all()
    assert [(e.user_id, e.before, e.after) for e in events] == [
        (staff.id, {"status": "new"}, {"status": "contacted"}),
        (staff.id, {"status": "contacted"}, {"status": "meeting"}),
        (staff.id, {"status": "meeting"}, {"status": "signed"}),
    ]


def test_leads_per_region_and_project(app, client, login, catalogue, solar_investor):
    other = make_investor("六盘水投资有限公司")
    db.session.add_all([Lead(investor=solar_investor, project=catalogue["solar"]),
                        Lead(investor=other, project=catalogue["battery"])])
    db.session.commit()
    login(make_user(Role.STAFF))
    guiyang = client.get("/leads?region=520100").get_data(as_text=True)
    assert "花溪农光互补光伏电站项目" in guiyang and "六枝动力电池项目" not in guiyang
    by_project = client.get(f"/leads?project={catalogue['battery'].id}").get_data(as_text=True)
    assert "六盘水投资有限公司" in by_project and "贵州绿能投资有限公司" not in by_project


def test_roles(app, client, login, catalogue, solar_investor):
    lead = Lead(investor=solar_investor, project=catalogue["solar"])
    db.session.add(lead)
    db.session.commit()
    login(make_user(Role.INVESTOR, investor_id=solar_investor.id))
    token = csrf_token(client)
    assert client.post(f"/leads/{lead.id}/status", data={"csrf_token": token, "status": "contacted"}).status_code == 403
    assert client.get("/leads").status_code == 403
    assert client.get(f"/projects/{catalogue['solar'].id}/investors").status_code == 403


def test_staff_see_investors_to_invite_and_fill_a_profile(app, client, login, catalogue, solar_investor):
    login(make_user(Role.STAFF))
    html = client.get(f"/projects/{catalogue['solar'].id}/investors?lang=en").get_data(as_text=True)
    assert "Guizhou Green Energy Investment Co., Ltd." in html and "Sector match: Solar photovoltaics" in html
    assert client.get(f"/projects/{catalogue['withdrawn'].id}/investors").status_code == 404
    other = make_investor("新投资有限公司")
    response = client.post(f"/investors/{other.id}/profile", data={
        "csrf_token": csrf_token(client), "sectors": ["recycling"], "min_amount": "5000",
        "max_amount": "20000", "unit": "万元", "modes": ["cooperation"], "keywords": "磷石膏"})
    assert response.status_code == 302
    db.session.refresh(other)
    assert (other.profile.sectors, other.profile.min_yuan, other.profile.max_yuan, other.profile.modes) == (
        ["recycling"], 5000 * 10**4, 2 * 10**8, ["cooperation"])
