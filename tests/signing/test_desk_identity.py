"""The signing desk never guesses a company: suggestions are accepted only when confident,
an unknown name shows the candidates beside the new-investor choice before anything is
saved, a new investor is flagged for review; the project type-ahead takes several words."""

import pytest
from conftest import csrf_token
from factories import make_investor, make_project, make_session, make_user

from matchmaker.accounts.models import Role
from matchmaker.extensions import db
from matchmaker.investors.models import Investor
from matchmaker.signing.models import Agreement


@pytest.fixture
def organizer(client, login):
    return login(make_user(Role.ORGANIZER))


@pytest.fixture
def desk(app):
    return {
        "session": make_session(),
        "project": make_project(name="修文县分布式光伏发电项目", location="贵阳市修文县"),
        "catl": make_investor("宁德时代新能源科技股份有限公司", name_en="Contemporary Amperex Technology Co., Limited"),
        "gzph": make_investor("贵州磷化（集团）有限责任公司"),
    }


def record(client, session, **fields):
    data = {"investor": "", "project": "", "amount": "", "kind": "investment_contract",
            "idempotency_key": "key-1", "investor_kind": "enterprise", "csrf_token": csrf_token(client)}
    data.update(fields)
    return client.post(f"/signing/sessions/{session.id}/record?lang=en", data=data)


def test_lookup_marks_a_suggestion_confident_only_when_it_is(client, organizer, desk):
    sure = client.get("/api/v1/signing/lookup/investors", query_string={"q": "宁德时代"}).json
    assert sure["match"]["id"] == desk["catl"].id
    assert [i["confident"] for i in sure["items"]][:1] == [True] and sure["items"][0]["why"]
    unsure = client.get("/api/v1/signing/lookup/investors", query_string={"q": "贵州磷都化工"}).json
    assert unsure["match"] is None and unsure["message"]
    assert unsure["items"] and not any(i["confident"] for i in unsure["items"])


def test_an_unknown_company_is_never_saved_under_the_nearest_known_one(client, organizer, desk):
    # The JavaScript path: the amount was read back already, so Enter means "save".
    fields = {"investor": "贵州磷都化工有限公司", "project": f"#{desk['project'].id}",
              "amount": "2", "shown_amount": "2"}
    response = record(client, desk["session"], **fields)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert db.session.query(Agreement).count() == 0
    assert "Save under 贵州磷化（集团）有限责任公司" in html  # the closest known company ...
    assert "Save as the new investor “贵州磷都化工有限公司”" in html  # ... beside the new one
    assert "2.00亿元" in html  # and what would be saved, in view
    response = record(client, desk["session"], **fields, create_investor="y")
    assert response.status_code == 302
    agreement = db.session.query(Agreement).one()
    created = agreement.investor
    assert created.name == "贵州磷都化工有限公司" and created.id not in (desk["catl"].id, desk["gzph"].id)
    assert (created.needs_review, created.created_via, created.private) == (True, "signing", False)


def test_picking_a_candidate_saves_under_it(client, organizer, desk):
    fields = {"investor": "贵州磷都化工", "project": f"#{desk['project'].id}", "amount": "2",
              "shown_amount": "2"}
    assert record(client, desk["session"], **fields).status_code == 409
    response = record(client, desk["session"], **fields, pick_investor=f"#{desk['gzph'].id}")
    assert response.status_code == 302
    assert db.session.query(Agreement).one().investor_id == desk["gzph"].id
    assert db.session.query(Investor).count() == 2


def test_without_javascript_the_preview_asks_which_investor(client, organizer, desk):
    response = record(client, desk["session"], investor="贵州磷都化工", project=f"#{desk['project'].id}",
                      amount="2")
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "Choose the investor, then it is saved:" in html
    assert "Save this agreement" not in html and db.session.query(Agreement).count() == 0


def test_project_type_ahead_takes_several_words(client, organizer, desk):
    other = make_project(name="修文县农业观光园项目", location="贵阳市修文县")
    battery = make_project(name="六枝年产6GWh储能电池项目")
    assert [i["id"] for i in client.get("/api/v1/signing/lookup/projects",
                                        query_string={"q": "六枝 6gwh"}).json["items"]] == [battery.id]
    body = client.get("/api/v1/signing/lookup/projects", query_string={"q": "修文 光伏"}).json
    assert [item["id"] for item in body["items"]] == [desk["project"].id]
    assert other.id in [i["id"] for i in client.get("/api/v1/signing/lookup/projects",
                                                     query_string={"q": "修文"}).json["items"]]
    response = record(client, desk["session"], investor="宁德时代", project="修文 光伏", amount="1",
                      shown_amount="1")
    assert response.status_code == 302
    assert db.session.query(Agreement).one().project_id == desk["project"].id


def test_api_answers_409_with_candidates_unless_create_investor(client, desk):
    token_user = make_user(Role.ORGANIZER)
    from matchmaker.accounts.operations import create_token

    plain, _token = create_token(token_user)
    db.session.commit()
    headers = {"Authorization": f"Bearer {plain}"}
    body = {"investor": "贵州磷都化工", "project": desk["project"].id, "amount": "1", "kind": "strategic"}
    url = f"/api/v1/signing/sessions/{desk['session'].id}/agreements"
    refused = client.post(url, json=body, headers=headers)
    assert refused.status_code == 409
    assert refused.json["error"]["candidates"][0]["id"] == desk["gzph"].id
    assert db.session.query(Agreement).count() == 0
    created = client.post(url, json={**body, "create_investor": True}, headers=headers)
    assert created.status_code == 201
    investor = db.session.get(Investor, created.json["investor"]["id"])
    assert investor.name == "贵州磷都化工" and investor.needs_review
