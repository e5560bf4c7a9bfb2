"""Investor list import (no silent merges, one transaction, re-import changes nothing),
name resolution through the API and the CLI with candidates."""

import csv
import io
import json

import pytest
from factories import make_investor

from benchmarks.names_eval import LISTED
from matchmaker.extensions import db
from matchmaker.investors.models import Investor, InvestorKind
from matchmaker.investors.resolution import resolve_investor


@pytest.fixture
def known(app):
    return {
        "catl": make_investor("宁德时代新能源科技股份有限公司",
                              name_en="Contemporary Amperex Technology Co., Limited",
                              aliases=["宁德时代"]),
        "gree": make_investor("珠海格力电器股份有限公司", name_en="Gree Electric Appliances, Inc. of Zhuhai"),
        "gdp": make_investor("广东电力发展股份有限公司"),
    }


def write_csv(tmp_path, text, encoding="utf-8", name="investors.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def run_import(runner, path, *extra):
    result = runner.invoke(args=["investors", "import", str(path), "--json", *extra])
    return result, json.loads(result.stdout)


def count() -> int:
    return db.session.query(Investor).count()


def test_import_updates_known_investors_and_creates_new_ones(app, runner, known, tmp_path):
    path = write_csv(tmp_path, "名称,英文名称,别名,类型,国家\n"
                               "宁德时代新能源科技股份有限公司,,CATL|宁德时代新能源,enterprise,CN\n"
                               "珠海格力电器,,格力电器,,\n"
                               "贵州磷化（集团）有限责任公司,Guizhou Phosphate Chemical Group,贵州磷化,国企,CN\n"
                               ",,,,\n", encoding="gb18030")
    result, report = run_import(runner, path)
    assert result.exit_code == 0, result.output
    assert (report["created"], report["updated"], report["unchanged"], report["merged"]) == (1, 2, 0, 0)
    db.session.expire_all()
    assert count() == 4
    assert known["catl"].aliases == ["宁德时代", "CATL", "宁德时代新能源"]
    assert known["gree"].aliases == ["珠海格力电器", "格力电器"]
    new = db.session.query(Investor).filter_by(name_en="Guizhou Phosphate Chemical Group").one()
    assert (new.kind, new.aliases, new.created_via) == (InvestorKind.SOE, ["贵州磷化"], "import")
    again, report = run_import(runner, path)
    assert (report["created"], report["updated"], report["unchanged"]) == (0, 0, 3)
    assert count() == 4


def test_distinct_provinces_and_cities_are_never_merged(app, runner, tmp_path):
    path = write_csv(tmp_path, "名称,英文名称\n"
                               "南京银行股份有限公司,\"Bank of Nanjing Co.,Ltd.\"\n"
                               "北京银行股份有限公司,\"Bank of Beijing Co., Ltd.\"\n"
                               "广西广播电视信息网络股份有限公司,Guangxi Radio and Television Information Network\n"
                               "贵州省广播电视信息网络股份有限公司,\"Guizhou BC&TV Information Network CO.,LTD\"\n")
    result, report = run_import(runner, path, "--merge-duplicates")
    assert result.exit_code == 0, result.output
    assert (report["created"], report["merged"], report["duplicates"]) == (4, 0, [])
    for query, expected in [("北京银行", "北京银行股份有限公司"), ("南京银行", "南京银行股份有限公司"),
                            ("Bank of Beijing", "北京银行股份有限公司"),
                            ("贵州省广播电视信息网络股份有限公司", "贵州省广播电视信息网络股份有限公司"),
                            ("贵广网络", "贵州省广播电视信息网络股份有限公司")]:
        resolution = resolve_investor(query)
        assert resolution.match is not None and resolution.match.name == expected, query
        assert resolution.score == 100 or query in ("北京银行", "南京银行", "Bank of Beijing", "贵广网络")


def test_a_close_name_is_created_and_reported_never_silently_merged(app, runner, known, tmp_path):
    path = write_csv(tmp_path, "名称\n格力电器集团有限公司\n")
    result, report = run_import(runner, path, "--dry-run")
    assert result.exit_code == 0 and report["committed"] is False and count() == 3
    result, report = run_import(runner, path)
    assert (report["created"], report["merged"]) == (1, 0)
    [duplicate] = report["duplicates"]
    assert duplicate["duplicate_of"] == {"id": known["gree"].id, "name": "珠海格力电器股份有限公司"}
    assert duplicate["score"] >= 80 and duplicate["merged"] is False and duplicate["why"]
    assert count() == 4


def test_merge_duplicates_is_an_explicit_choice(app, runner, known, tmp_path):
    path = write_csv(tmp_path, "名称\n格力电器集团有限公司\n")
    result, report = run_import(runner, path, "--merge-duplicates")
    assert (report["created"], report["merged"]) == (0, 1) and report["duplicates"][0]["merged"]
    db.session.expire_all()
    assert count() == 3 and "格力电器集团有限公司" in known["gree"].aliases
    result, report = run_import(runner, path)  # now an alias: the same company, unchanged
    assert (report["created"], report["unchanged"], report["duplicates"]) == (0, 1, [])


@pytest.mark.parametrize(("cell", "reason"), [
    ("", "Enter a company name."),
    ("有限公司", "“有限公司” is only a legal form; write the company's name."),
    ("股份有限公司", "“股份有限公司” is only a legal form; write the company's name."),
    ("北" * 5000, "The name is too long (300 characters at most)."),
    ("🚀🚀", "“🚀🚀” has no letters or characters to match."),
])
def test_bad_names_are_refused_per_row_and_nothing_is_written(app, runner, known, tmp_path, cell, reason):
    from matchmaker.investors.operations import import_investors

    text = f"name,kind\n新的公司甲,\n{cell},fund\n新的公司乙,\n"
    with app.test_request_context("/?lang=en"):
        app.preprocess_request()
        report = import_investors(text.encode(), "list.csv", user=None)
    assert report.committed is False
    assert report.rejected == [{"row": 3, "column": "name", "value": cell[:50], "reason": reason}]
    db.session.rollback()
    path = write_csv(tmp_path, text)
    result, report = run_import(runner, path, "--merge-duplicates")
    assert result.exit_code == 1 and report["committed"] is False
    assert count() == 3  # nothing written, not even the valid rows
    skipped, report = run_import(runner, path, "--skip-invalid")
    assert skipped.exit_code == 0 and report["created"] == 2 and count() == 5


def test_import_refuses_a_file_without_a_name_column(app, runner, tmp_path):
    path = write_csv(tmp_path, "a,b\n1,2\n")
    result = runner.invoke(args=["investors", "import", str(path)])
    assert result.exit_code == 1 and "未找到表头" in result.output


def test_a_real_listed_company_list_imports_without_a_single_merge(app, runner, tmp_path):
    """714 listed companies (registered and English names, public A-share list): every one
    becomes its own investor, a re-import changes nothing, and afterwards each registered
    name resolves to itself at score 100."""
    with LISTED.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["公司全称", "英文名称"])
    writer.writerows([(r["registered_name"], r["name_en"]) for r in rows])
    path = write_csv(tmp_path, buffer.getvalue())
    result, report = run_import(runner, path)
    assert result.exit_code == 0, result.output[:500]
    assert (report["created"], report["updated"], report["merged"]) == (len(rows), 0, 0)
    assert count() == len(rows)
    again, report = run_import(runner, path)
    assert (report["created"], report["unchanged"]) == (0, len(rows))
    for row in rows[::37]:
        resolution = resolve_investor(row["registered_name"])
        assert resolution.match.name == row["registered_name"] and resolution.score == 100


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


def test_no_confident_match_still_shows_the_best_candidates(app, client, known):
    body = client.get("/api/v1/investors/resolve", query_string={"name": "宁德新能源", "lang": "en"}).json
    assert body["match"] is None
    best = body["candidates"][0]
    assert best["name"] == "宁德时代新能源科技股份有限公司" and best["score"] == body["score"]
    assert set(best["why"]) == {"kind", "source", "matched", "text"} and "宁德时代" in best["why"]["text"]
    assert len(body["candidates"]) <= 5
    scores = [c["score"] for c in body["candidates"]]
    assert scores == sorted(scores, reverse=True)


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
    assert all(set(i) == {"query", "match", "score", "runner_up", "candidates"} for i in items)
    assert runner.invoke(args=["investors", "resolve"]).exit_code == 2


def test_resolve_page_lists_candidates_with_reasons(app, client, login, known):
    from factories import make_user

    from matchmaker.accounts.models import Role

    login(make_user(Role.STAFF))
    html = client.get("/investors/resolve", query_string={"name": "宁德新能源", "lang": "en"}).get_data(as_text=True)
    assert "No confident match." in html and "宁德时代新能源科技股份有限公司" in html
    assert "Why: the name typed is" in html


def test_kinds_may_be_written_as_their_labels(app, runner, tmp_path):
    path = write_csv(tmp_path, "名称,类型\n贵州绿色产业投资基金,投资基金\n"
                               "Siemens Energy AG,Foreign company\n黔能集团,State-owned enterprise\n")
    result = runner.invoke(args=["investors", "import", str(path), "--json"])
    assert result.exit_code == 0, result.output
    kinds = {i.name: i.kind for i in db.session.scalars(db.select(Investor))}
    assert kinds == {"贵州绿色产业投资基金": InvestorKind.FUND, "Siemens Energy AG": InvestorKind.FOREIGN,
                     "黔能集团": InvestorKind.SOE}
