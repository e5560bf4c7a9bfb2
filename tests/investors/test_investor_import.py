"""Investor list import, name resolution through the API and the CLI, profile linking."""

import json

import pytest
from conftest import csrf_token
from factories import make_investor, make_user

from matchmaker.accounts.models import Role
from matchmaker.extensions import db
from matchmaker.investors.models import Investor, InvestorKind


@pytest.fixture
def known(app):
    return {
        "catl": make_investor("宁德时代新能源科技股份有限公司",
                              name_en="Contemporary Amperex Technology Co., Limited",
                              aliases=["宁德时代"]),
        "gree": make_investor("珠海格力电器股份有限公司", name_en="Gree Electric Appliances, Inc. of Zhuhai"),
        "gdp": make_investor("广东电力发展股份有限公司"),
    }


def write_csv(tmp_path, text, encoding="utf-8"):
    path = tmp_path / "investors.csv"
    path.write_bytes(text.encode(encoding))
    return path


def test_import_updates_known_investors_and_creates_new_ones(app, runner, known, tmp_path):
    path = write_csv(tmp_path, "名称,英文名称,别名,类型,国家\n"
                               "CATL,,宁德时代新能源,enterprise,CN\n"
                               "格力电器,,,,\n"
                               "贵州磷化（集团）有限责任公司,Guizhou Phosphate Chemical Group,贵州磷化,国企,CN\n"
                               ",,,,\n"
                               "某某资本,,,unknown,CN\n", encoding="gb18030")
    result = runner.invoke(args=["investors", "import", str(path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert (report["created"], report["updated"], report["unchanged"]) == (1, 2, 0)
    assert [(r["row"], r["column"]) for r in report["rejected"]] == [(6, "kind")]
    db.session.expire_all()
    assert db.session.query(Investor).count() == 4
    assert known["catl"].aliases == ["宁德时代", "CATL", "宁德时代新能源"]
    assert known["gree"].aliases == ["格力电器"]
    new = db.session.query(Investor).filter_by(name_en="Guizhou Phosphate Chemical Group").one()
    assert (new.kind, new.name_en, new.aliases) == (InvestorKind.SOE, "Guizhou Phosphate Chemical Group", ["贵州磷化"])
    again = runner.invoke(args=["investors", "import", str(path), "--json"])
    assert json.loads(again.stdout)["unchanged"] == 3 and db.session.query(Investor).count() == 4


def test_import_refuses_a_file_without_a_name_column(app, runner, tmp_path):
    path = write_csv(tmp_path, "a,b\n1,2\n")
    result = runner.invoke(args=["investors", "import", str(path)])
    assert result.exit_code == 1 and "未找到表头" in result.output


@pytest.mark.parametrize("query, expected", [
    ("宁德时代", "宁德时代新能源科技股份有限公司"),
    ("CATL", "宁德时代新能源科技股份有限公司"),
    ("Contemporary Amperex Technology Co., Ltd.", "宁德时代新能源科技股份有限公司"),
    ("格力电器", "珠海格力电器股份有限公司"),
    ("*ST 格力电器Ａ", "珠海格力电器股份有限公司"),
    ("粤电力A", "广东电力发展股份有限公司"),
    ("比亚迪股份有限公司", None),
])
def test_resolve_api_hard_cases(app, client, known, query, expected):
    response = client.get("/api/v1/investors/resolve", query_string={"name": query})
    assert response.status_code == 200
    body = response.json
    assert set(body) == {"query", "match", "score", "runner_up", "candidates"}
    assert (body["match"]["name"] if body["match"] else None) == expected


def test_resolve_api_refuses_empty_names(app, client, known):
    assert client.get("/api/v1/investors/resolve").status_code == 400
    assert client.get("/api/v1/investors/resolve", query_string={"name": "🌞🌞"}).status_code == 400


def test_resolve_cli_json_in_input_order(app, runner, known, tmp_path):
    names = tmp_path / "names.txt"
    names.write_text("粤电力A\n\n珠海格力电器\n", encoding="utf-8")
    result = runner.invoke(args=["investors", "resolve", "CATL", "比亚迪", "--file", str(names), "--json"])
    assert result.exit_code == 0, result.output
    items = json.loads(result.stdout)["items"]
    assert [(i["query"], i["match"]["id"] if i["match"] else None) for i in items] == [
        ("CATL", known["catl"].id), ("比亚迪", None), ("粤电力A", known["gdp"].id),
        ("珠海格力电器", known["gree"].id)]
    assert all(set(i) >= {"query", "match", "score", "runner_up"} for i in items)
    assert runner.invoke(args=["investors", "resolve"]).exit_code == 2


def test_investor_profile_links_to_the_known_investor(app, client, login, known):
    user = login(make_user(Role.INVESTOR))
    response = client.post("/matches/profile", data={
        "csrf_token": csrf_token(client), "organisation": "宁德时代", "sectors": ["nev"],
        "min_amount": "1", "max_amount": "10", "unit": "亿元", "keywords": "电池"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db.session.refresh(user)
    assert user.investor_id == known["catl"].id
    assert db.session.query(Investor).count() == 3
    assert known["catl"].profile.max_yuan == 10 * 10**8


def test_unknown_organisation_needs_confirmation(app, client, login, known):
    user = login(make_user(Role.INVESTOR))
    data = {"csrf_token": csrf_token(client), "organisation": "黔山新能源有限公司", "sectors": ["nev"]}
    html = client.post("/matches/profile?lang=en", data=data).get_data(as_text=True)
    assert "No known investor resembles" in html or "No confident match" in html
    assert db.session.query(Investor).count() == 3
    response = client.post("/matches/profile", data={**data, "create_investor": "y"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.investor.name == "黔山新能源有限公司"


def test_profile_form_refuses_min_above_max(app, client, login, known):
    login(make_user(Role.INVESTOR, investor_id=known["gree"].id))
    html = client.post("/matches/profile?lang=en", data={
        "csrf_token": csrf_token(client), "organisation": "珠海格力电器股份有限公司",
        "min_amount": "5", "max_amount": "1", "unit": "亿元"}).get_data(as_text=True)
    assert "The minimum amount 5.00亿元 is above the maximum 1.00亿元." in html


def test_kinds_may_be_written_as_their_labels(app, runner, tmp_path):
    path = write_csv(tmp_path, "名称,类型\n贵州绿色产业投资基金,投资基金\n"
                               "Siemens Energy AG,Foreign company\n黔能集团,State-owned enterprise\n")
    result = runner.invoke(args=["investors", "import", str(path), "--json"])
    assert result.exit_code == 0, result.output
    kinds = {i.name: i.kind for i in db.session.scalars(db.select(Investor))}
    assert kinds == {"贵州绿色产业投资基金": InvestorKind.FUND, "Siemens Energy AG": InvestorKind.FOREIGN,
                     "黔能集团": InvestorKind.SOE}
