"""POST /api/v1/match, GET /api/v1/projects/<id>/investors and `matchmaker match`."""

import json

import openpyxl
import pytest
from factories import make_investor
from matching_data import YI, add_profile, catalogue, solar_investor  # noqa: F401 - fixtures

PROFILE = {"sectors": ["new_energy"], "regions": ["520100"], "min_yuan": "1亿元",
           "max_yuan": "1000000000", "modes": ["合资"], "keywords": "光伏"}


def test_match_answers_ranked_projects_with_reasons(app, client, catalogue):
    response = client.post("/api/v1/match?lang=en", json={**PROFILE, "top": 2})
    assert response.status_code == 200
    items = response.json["items"]
    assert [(i["project"]["name"], i["score"]) for i in items] == [
        ("花溪农光互补光伏电站项目", 100), ("汇川风电场项目", 49)]
    assert items[0]["project"]["investment_sought_yuan"] == "500000000.00"
    assert items[0]["reasons"] == [
        {"kind": "sector", "text": "Sector match: Solar photovoltaics"},
        {"kind": "region", "text": "Located in Huaxi District, a region you chose"},
        {"kind": "amount", "text": "Amount sought RMB 500 million is within your range"},
        {"kind": "mode", "text": "Cooperation mode: Joint venture"},
        {"kind": "text", "text": "Keywords matched: 光伏"},
    ]


@pytest.mark.parametrize("body, field_text", [
    (None, "Send a JSON object"),
    ([1, 2], "Send a JSON object"),
    ({}, "Say what you look for"),
    ({"min_yuan": "10亿", "max_yuan": "1亿"}, "is above the maximum"),
    ({"sectors": ["nope"]}, "Unknown sector code: nope"),
    ({"sectors": "new_energy", "regions": [3]}, "regions must be a list of strings"),
    ({"min_yuan": 1.5}, "Send min_yuan as a string"),
    ({"min_yuan": "5-8亿"}, "is a range"),
    ({"modes": ["barter"]}, "Unknown cooperation mode: barter"),
    ({"keywords": "光" * 10_000}, "Keywords are too long"),
    ({"keywords": "光伏", "top": 0}, "top must be a whole number"),
])
def test_match_refuses_bad_profiles_with_400(app, client, catalogue, body, field_text):
    if body is None:
        response = client.post("/api/v1/match?lang=en")
    else:
        response = client.post("/api/v1/match?lang=en", data=json.dumps(body),
                               content_type="application/json")
    assert response.status_code == 400, response.json
    assert field_text in response.json["error"]["message"]


def test_match_with_emoji_keywords(app, client, catalogue):
    response = client.post("/api/v1/match", json={"keywords": "光伏🌞🌞"})
    assert [i["project"]["name"] for i in response.json["items"]][:1] == ["花溪农光互补光伏电站项目"]
    assert client.post("/api/v1/match", json={"keywords": "🌞🌞"}).status_code == 400


def test_investors_for_a_project(app, client, catalogue, solar_investor):
    from factories import make_user

    from matchmaker.accounts.models import Role
    from matchmaker.accounts.operations import create_token
    from matchmaker.extensions import db

    plain, _token = create_token(make_user(Role.STAFF))
    db.session.commit()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {plain}"  # staff only (audit finding 4)
    response = client.get(f"/api/v1/projects/{catalogue['solar'].id}/investors?top=5&lang=en")
    assert response.status_code == 200
    assert response.json["project"]["id"] == catalogue["solar"].id
    assert [(i["investor"]["name"], i["score"]) for i in response.json["items"]] == [
        ("贵州绿能投资有限公司", 100)]
    assert client.get(f"/api/v1/projects/{catalogue['draft'].id}/investors").status_code == 404
    assert client.get("/api/v1/projects/999999/investors").json["error"]["code"] == "not_found"
    assert client.get(f"/api/v1/projects/{catalogue['solar'].id}/investors?top=x").status_code == 400


def test_cli_match_one_investor_json(app, runner, catalogue, solar_investor):
    result = runner.invoke(args=["match", "--investor", str(solar_investor.id), "--top", "2", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)  # --json prints only JSON
    assert data["investor"]["id"] == solar_investor.id
    assert [(i["project"]["name"], i["score"]) for i in data["items"]] == [
        ("花溪农光互补光伏电站项目", 100), ("汇川风电场项目", 49)]


def test_cli_match_refusals(app, runner, catalogue):
    assert runner.invoke(args=["match", "--investor", "999"]).exit_code == 1
    without = make_investor("无画像投资有限公司")
    assert runner.invoke(args=["match", "--investor", str(without.id)]).exit_code == 1
    assert runner.invoke(args=["match"]).exit_code == 2
    assert runner.invoke(args=["match", "--all"]).exit_code == 2


def test_cli_match_all_writes_a_safe_workbook(app, runner, catalogue, tmp_path):
    for number in range(4):
        add_profile(make_investor(f"=HYPERLINK(\"x\")投资{number}"), sectors=["new_energy.solar"],
                    regions=["520111"], min_yuan=YI, max_yuan=10 * YI)
    out = tmp_path / "meetings.xlsx"
    result = runner.invoke(args=["match", "--all", "--top", "2", "--cap", "3", "-o", str(out), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["meetings"] == 6
    sheet = openpyxl.load_workbook(out)["Meetings"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    # Each project takes at most 3 meetings: the fourth investor's candidates are all full.
    assert [(r[0], r[2], r[4], r[7]) for r in rows] == [
        (investor, rank, name, score)
        for investor in (1, 2, 3)
        for rank, name, score in ((1, "花溪农光互补光伏电站项目", 100), (2, "磷石膏综合利用项目", 40))
    ]
    assert all(str(r[1]).startswith("'=") for r in rows)  # formula injection neutralised
