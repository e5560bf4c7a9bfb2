"""The investor, profile and lead pages' actions through the API and the CLI (the same
operations): investors (list, import, merge), profiles (read, save, by staff or a confirmed
member only), leads (list, move) - happy path, role and ownership refusal, bad input."""

import io
import json

import pytest
import sqlalchemy as sa
from factories import make_investor, make_project, make_user

from matchmaker.accounts.models import Role
from matchmaker.extensions import db
from matchmaker.investors.models import ClaimStatus, Investor, InvestorClaim
from matchmaker.matching.models import InvestorProfile, Lead, LeadStatus


def _investors() -> int:
    return db.session.scalar(sa.select(sa.func.count(Investor.id)))


def _lead(**fields) -> Lead:
    lead = Lead(investor=fields.pop("investor", None) or make_investor(),
                project=fields.pop("project", None) or make_project(), status=LeadStatus.NEW,
                message="请联系", **fields)
    db.session.add(lead)
    db.session.commit()
    return lead


# --- investors --------------------------------------------------------------------------------


def test_api_lists_imports_and_merges_investors(client, api_headers):
    staff = api_headers(Role.STAFF)
    make_investor("贵州茅台酒股份有限公司", name_en="Kweichow Moutai")
    listed = client.get("/api/v1/investors?q=茅台", headers=staff).get_json()
    assert [(i["name"], i["has_profile"]) for i in listed["items"]] == [("贵州茅台酒股份有限公司", False)]

    sheet = "名称,类型\n贵州乌江能源集团有限责任公司,enterprise\n".encode()
    checked = client.post("/api/v1/investors/import", headers=staff, content_type="multipart/form-data",
                          data={"file": (io.BytesIO(sheet), "list.csv"), "dry_run": "true"})
    assert checked.status_code == 200 and checked.get_json()["committed"] is False
    assert _investors() == 1  # a check writes nothing
    imported = client.post("/api/v1/investors/import", headers=staff,
                           content_type="multipart/form-data",
                           data={"file": (io.BytesIO(sheet), "list.csv")})
    assert imported.status_code == 200, imported.get_json()
    assert (imported.get_json()["committed"], imported.get_json()["created"]) == (True, 1)
    assert _investors() == 2

    refused = client.post("/api/v1/investors/import", headers=staff, content_type="multipart/form-data",
                          data={"file": (io.BytesIO("名称\n股份有限公司\n".encode()), "bad.csv")})
    assert refused.status_code == 422 and refused.get_json()["rejected"][0]["row"] == 2
    assert _investors() == 2
    missing_file = client.post("/api/v1/investors/import", headers=staff,
                               content_type="multipart/form-data", data={})
    assert missing_file.status_code == 400 and missing_file.get_json()["error"]["field"] == "file"

    survivor, other = make_investor("中国电力建设集团有限公司"), make_investor("中国电建集团")
    merged = client.post("/api/v1/investors/merge", headers=staff,
                         json={"survivor": survivor.id, "other": other.id})
    assert merged.status_code == 200, merged.get_json()
    assert merged.get_json()["survivor"]["id"] == survivor.id and merged.get_json()["event_id"]
    db.session.expire_all()
    assert db.session.get(Investor, other.id).merged_into_id == survivor.id
    again = client.post("/api/v1/investors/merge", headers=staff,
                        json={"survivor": survivor.id, "other": other.id})
    assert again.status_code == 409
    assert client.post("/api/v1/investors/merge", headers=staff,
                       json={"survivor": survivor.id, "other": survivor.id}).status_code == 400
    assert client.post("/api/v1/investors/merge", headers=staff,
                       json={"survivor": "x", "other": other.id}).status_code == 400


@pytest.mark.parametrize(("method", "path", "kwargs"), [
    ("get", "/api/v1/investors", {}),
    ("post", "/api/v1/investors/merge", {"json": {"survivor": 1, "other": 2}}),
    ("post", "/api/v1/investors/import", {"data": {}, "content_type": "multipart/form-data"}),
    ("get", "/api/v1/leads", {}),
    ("post", "/api/v1/leads/{lead}/move", {"json": {"status": "contacted"}}),
])
def test_staff_routes_refuse_other_roles(client, api_headers, method, path, kwargs):
    lead = _lead()
    call = getattr(client, method)
    url = path.format(lead=lead.id)
    assert call(url, **kwargs).status_code == 401
    for role in (Role.INVESTOR, Role.ORGANIZER):
        assert call(url, headers=api_headers(role), **kwargs).status_code == 403
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).status == LeadStatus.NEW


def test_cli_lists_investors(runner):
    make_investor("贵州茅台酒股份有限公司", needs_review=True)
    listed = runner.invoke(args=["investors", "list", "--json"])
    assert listed.exit_code == 0
    assert [i["needs_review"] for i in json.loads(listed.output)["items"]] == [True]
    assert "(to review)" in runner.invoke(args=["investors", "list"]).output


# --- profiles ---------------------------------------------------------------------------------


def test_api_profile_by_a_confirmed_member_and_by_staff(client, api_headers):
    company = make_investor("贵州磷化（集团）有限责任公司")
    member = make_user(Role.INVESTOR, investor_id=company.id)
    db.session.add(InvestorClaim(user_id=member.id, investor_id=company.id,
                                 status=ClaimStatus.APPROVED))
    db.session.commit()
    headers = api_headers(member)
    assert client.get(f"/api/v1/investors/{company.id}/profile", headers=headers).status_code == 404
    saved = client.post(f"/api/v1/investors/{company.id}/profile", headers=headers, json={
        "sectors": ["new_energy.solar"], "regions": ["520100"], "min_yuan": "1亿",
        "max_yuan": "10亿元", "modes": ["合资"], "keywords": "光伏"})
    assert saved.status_code == 200, saved.get_json()
    body = saved.get_json()
    assert (body["min_yuan"], body["max_yuan"], body["modes"]) == (
        "100000000.00", "1000000000.00", ["joint_venture"])
    read = client.get(f"/api/v1/investors/{company.id}/profile", headers=api_headers(Role.STAFF))
    assert read.status_code == 200 and read.get_json()["keywords"] == "光伏"

    refused = client.post(f"/api/v1/investors/{company.id}/profile", headers=headers,
                          json={"sectors": ["no.such.sector"], "keywords": "别的"})
    assert refused.status_code == 400 and refused.get_json()["error"]["message"]
    inverted = client.post(f"/api/v1/investors/{company.id}/profile", headers=headers,
                           json={"min_yuan": "10亿", "max_yuan": "1亿"})
    assert inverted.status_code == 400
    db.session.expire_all()
    assert db.session.scalar(sa.select(InvestorProfile.keywords)) == "光伏"


def test_api_profile_refuses_other_companies_and_pending_claims(client, api_headers):
    company = make_investor("中国石油化工集团公司")
    pending = make_user(Role.INVESTOR, investor_id=company.id)
    db.session.add(InvestorClaim(user_id=pending.id, investor_id=company.id,
                                 status=ClaimStatus.PENDING))
    db.session.commit()
    for who in (pending, Role.INVESTOR):
        headers = api_headers(who)
        answer = client.post(f"/api/v1/investors/{company.id}/profile", headers=headers,
                             json={"keywords": "炼化"})
        assert answer.status_code == 403 and answer.get_json()["error"]["code"] == "forbidden"
        assert client.get(f"/api/v1/investors/{company.id}/profile",
                          headers=headers).status_code == 403
    assert client.post(f"/api/v1/investors/{company.id}/profile", json={}).status_code == 401
    assert client.post(f"/api/v1/investors/{company.id}/profile",
                       headers=api_headers(Role.ORGANIZER), json={}).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count(InvestorProfile.id))) == 0


# --- leads ------------------------------------------------------------------------------------


def test_api_lists_and_moves_leads(client, api_headers):
    staff = api_headers(Role.STAFF)
    lead = _lead()
    _lead()
    listed = client.get("/api/v1/leads?status=new&per_page=1", headers=staff).get_json()
    assert len(listed["items"]) == 1 and listed["items"][0]["status"] == "new"
    assert listed["items"][0]["allowed_moves"] == ["contacted", "meeting", "signed", "dropped"]
    project_only = client.get(f"/api/v1/leads?project={lead.project_id}", headers=staff).get_json()
    assert [item["id"] for item in project_only["items"]] == [lead.id]
    moved = client.post(f"/api/v1/leads/{lead.id}/move", headers=staff, json={"status": "meeting"})
    assert moved.status_code == 200 and moved.get_json()["status"] == "meeting"
    backwards = client.post(f"/api/v1/leads/{lead.id}/move", headers=staff, json={"status": "new"})
    assert backwards.status_code == 409 and backwards.get_json()["error"]["message"]
    unknown = client.post(f"/api/v1/leads/{lead.id}/move", headers=staff, json={"status": "won"})
    assert unknown.status_code == 400 and unknown.get_json()["error"]["field"] == "status"
    assert client.post(f"/api/v1/leads/{lead.id}/move", headers=staff, json={}).status_code == 400
    assert client.get("/api/v1/leads?status=won", headers=staff).status_code == 400
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).status == LeadStatus.MEETING


def test_cli_lists_and_moves_leads(runner):
    make_user(Role.STAFF, email="staff@example.org")
    lead = _lead()
    listed = runner.invoke(args=["leads", "list", "--json"])
    assert [item["id"] for item in json.loads(listed.output)["items"]] == [lead.id]
    moved = runner.invoke(args=["leads", "move", str(lead.id), "contacted", "--as",
                                "staff@example.org", "--json"])
    assert moved.exit_code == 0 and json.loads(moved.output)["status"] == "contacted"
    refused = runner.invoke(args=["leads", "move", str(lead.id), "new", "--json"])
    assert refused.exit_code == 1 and json.loads(refused.stdout)["error"]["code"] == "conflict"
    assert runner.invoke(args=["leads", "move", "999999", "dropped"]).exit_code == 1
    assert runner.invoke(args=["leads", "move", str(lead.id), "won"]).exit_code == 2
    db.session.expire_all()
    assert db.session.get(Lead, lead.id).status == LeadStatus.CONTACTED


def test_cli_shows_and_sets_a_profile_with_the_api_rules(runner):
    company = make_investor("贵州磷化（集团）有限责任公司")
    make_user(Role.INVESTOR, email="outsider@example.org")
    assert runner.invoke(args=["profile", "show", str(company.id)]).exit_code == 1  # none yet
    saved = runner.invoke(args=["profile", "set", str(company.id), "--sector", "new_energy.solar",
                                "--min", "1亿", "--max", "10亿元", "--mode", "合资",
                                "--keywords", "光伏", "--json"])
    assert saved.exit_code == 0, saved.output
    assert json.loads(saved.output)["modes"] == ["joint_venture"]
    shown = runner.invoke(args=["profile", "show", str(company.id), "--json"])
    assert json.loads(shown.output)["max_yuan"] == "1000000000.00"
    refused = runner.invoke(args=["profile", "set", str(company.id), "--keywords", "别的",
                                  "--as", "outsider@example.org"])
    assert refused.exit_code == 1
    bad = runner.invoke(args=["profile", "set", str(company.id), "--min", "很多", "--json"])
    assert bad.exit_code == 1 and json.loads(bad.stdout)["error"]["message"]
    db.session.expire_all()
    assert db.session.scalar(sa.select(InvestorProfile.keywords)) == "光伏"
