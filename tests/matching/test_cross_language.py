"""One bilingual vocabulary: English profile keywords find Chinese projects and Chinese
keywords English-named ones, in matching, search, similar projects and "investors for this
project"; the reason names both words; pinyin finds names and sectors."""

from decimal import Decimal

import pytest
from factories import make_catalogue, make_investor, make_project, make_user

from matchmaker.accounts.models import Role
from matchmaker.extensions import db
from matchmaker.matching.models import InvestorProfile

YI = Decimal(100_000_000)


@pytest.fixture
def projects(app):
    """Real-shaped catalogue rows (names as the 2023 sheets write them), one English-named."""
    catalogue = make_catalogue(name="2023 目录")
    rows = {
        "hydrogen": make_project(catalogue, name="平坝绿氢制备及加氢站一体化项目", sectors=("new_energy.hydrogen",),
                                 region_code="520402", construction_content="建设电解水制氢装置、储氢罐及加氢站"),
        "datacenter": make_project(catalogue, name="贵安新区20000架机柜液冷数据中心项目",
                                   sectors=("big_data.datacenter",), region_code="529900",
                                   construction_content="建设液冷数据中心机房及配套算力平台"),
        "solar": make_project(catalogue, name="修文10万千瓦农光互补光伏发电项目", sectors=("new_energy.solar",),
                              region_code="520123", construction_content="建设农光互补光伏电站及升压站"),
        "wind": make_project(catalogue, name="盘州10万千瓦风电场项目", sectors=("new_energy.wind",),
                             region_code="520281", construction_content="建设风电机组及集电线路"),
        "carbon": make_project(catalogue, name="花溪林业碳汇开发项目", sectors=("energy_saving.carbon",),
                               region_code="520111", construction_content="开发林业碳汇，参与碳排放权交易"),
        "gypsum": make_project(catalogue, name="开阳年产30万吨磷石膏综合利用项目",
                               sectors=("recycling.phosphogypsum",), region_code="520121",
                               construction_content="磷石膏制新型建材"),
        "english": make_project(catalogue, name="Zunyi Solar Module Plant", sectors=("new_energy.solar",),
                                region_code="520302", construction_content="A 2 GW solar module production line"),
    }
    return rows


def _match(client, keywords: str) -> list[dict]:
    response = client.post("/api/v1/match?lang=en", json={"keywords": keywords, "top": 5})
    assert response.status_code == 200, response.json
    return response.json["items"]


@pytest.mark.parametrize(
    ("keywords", "first", "reason"),
    [
        ("hydrogen", "平坝绿氢制备及加氢站一体化项目", "hydrogen ↔ 氢能"),
        ("data center cloud computing", "贵安新区20000架机柜液冷数据中心项目", "data center ↔ 数据中心"),
        ("solar wind power plant", "修文10万千瓦农光互补光伏发电项目", "solar ↔ 光伏"),
        ("carbon credit trading", "花溪林业碳汇开发项目", "carbon credit trading ↔ 碳排放权交易"),
        ("phosphogypsum recycling", "开阳年产30万吨磷石膏综合利用项目", "phosphogypsum ↔ 磷石膏"),
    ],
)
def test_english_keywords_find_chinese_projects_and_name_both_words(client, projects, keywords, first, reason):
    items = _match(client, keywords)
    assert items, f"no match for {keywords!r}"
    assert items[0]["project"]["name"] == first
    text_reason = next(r["text"] for r in items[0]["reasons"] if r["kind"] == "text")
    assert reason in text_reason


def test_chinese_keywords_find_an_english_named_project(client, projects):
    names = [i["project"]["name"] for i in _match(client, "光伏组件")]
    assert names[0] == "Zunyi Solar Module Plant"
    reason = next(r["text"] for r in _match(client, "光伏组件")[0]["reasons"] if r["kind"] == "text")
    assert "光伏组件 ↔ solar module" in reason


def test_without_a_shared_term_nothing_matches(client, projects):
    assert client.post("/api/v1/match", json={"keywords": "semiconductor wafers"}).json["items"] == []


def test_investors_for_a_project_read_english_profiles(app, client, login, projects):
    english = make_investor("Hydrogen Partners Ltd.", name_en="Hydrogen Partners Ltd.")
    db.session.add(InvestorProfile(investor=english, sectors=[], regions=[], modes=[],
                                   keywords="green hydrogen refuelling stations"))
    db.session.commit()
    login(make_user(Role.STAFF))
    html = client.get(f"/projects/{projects['hydrogen'].id}/investors?lang=en").get_data(as_text=True)
    assert "Hydrogen Partners Ltd." in html
    assert "green hydrogen ↔ 绿氢, refuelling stations ↔ 加氢站" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hydrogen", "平坝绿氢制备及加氢站一体化项目"),
        ("liquid cooling", "贵安新区20000架机柜液冷数据中心项目"),
        ("carbon sink", "花溪林业碳汇开发项目"),
        ("光伏组件", "Zunyi Solar Module Plant"),
        ("数据中心 liquid cooling", "贵安新区20000架机柜液冷数据中心项目"),
        ("guangfu", "修文10万千瓦农光互补光伏发电项目"),
        ("fengdianchang", "盘州10万千瓦风电场项目"),
        ("linshigao", "开阳年产30万吨磷石膏综合利用项目"),
    ],
)
def test_search_bridges_languages_and_pinyin(client, projects, query, expected):
    response = client.get("/api/v1/projects", query_string={"q": query})
    assert response.status_code == 200
    names = [p["name"] for p in response.json["items"]]
    assert expected in names, (query, names)


def test_similar_projects_prefer_shared_terms(app, projects):
    from matchmaker.search.operations import similar_projects

    other = make_project(projects["solar"].catalogue, name="钟山年产6GW光伏组件生产项目",
                         sectors=("new_energy.solar",), region_code="520201")
    db.session.commit()
    similar = similar_projects(projects["english"])
    assert [p.id for p in similar][:1] == [other.id]  # solar module ↔ 光伏组件, before a solar plant


def test_a_5000_character_keyword_is_refused_and_nothing_written(client, login, projects):
    login(make_user(Role.INVESTOR))
    from conftest import csrf_token

    response = client.post("/matches/profile?lang=en", data={
        "csrf_token": csrf_token(client), "organisation": "X Capital", "create_investor": "y",
        "keywords": "hydrogen " * 560})
    assert response.status_code == 400
    assert db.session.query(InvestorProfile).count() == 0
    api = client.post("/api/v1/match?lang=en", json={"keywords": "h" * 5000})
    assert api.status_code == 400 and "Keywords are too long" in api.json["error"]["message"]
