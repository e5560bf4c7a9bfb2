"""GET /api/v1/projects against a fixture catalogue with known answers."""

from decimal import Decimal

import pytest
from factories import make_catalogue, make_project, make_user
from search_catalogue import catalogue_projects_fixture  # noqa: F401 - the fixture

from matchmaker.catalogue.models import CatalogueStatus

SOLAR_GUIYANG = "贵阳农光互补光伏电站项目"
SOLAR_ZUNYI = "遵义市分布式光伏项目"
STORAGE = "铜仁市新型储能电站项目"
EQUIPMENT = "遵义市红花岗区智能装备制造项目"
CATHODE = "遵义市汇川区年产5万吨锂电池正极材料项目"
SEPARATOR = "安顺市锂电池隔膜项目"
DATACENTER = "贵安新区绿色数据中心项目"


def names(body: dict) -> list[str]:
    return [item["name"] for item in body["items"]]


def get(client, **params):
    response = client.get("/api/v1/projects", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


@pytest.mark.parametrize(("query", "expected"), [
    # 2-character Chinese: names first (id order), then the sector hit, then content hits
    ("光伏", [SOLAR_GUIYANG, SOLAR_ZUNYI, STORAGE, EQUIPMENT]),
    ("锂电", [CATHODE, SEPARATOR, STORAGE]),
    ("锂电 遵义", [CATHODE]),
    ("遵义 光伏", [SOLAR_ZUNYI, EQUIPMENT]),
    ("遵义光伏", [SOLAR_ZUNYI, EQUIPMENT]),
    ("battery Zunyi", [CATHODE]),
    ("lithium battery", [CATHODE, SEPARATOR, STORAGE]),
    ("photovoltaic", [SOLAR_GUIYANG, SOLAR_ZUNYI, STORAGE, EQUIPMENT]),
    ("guian data center", [DATACENTER]),
    ("Gui'an", [DATACENTER]),
    ("guìyáng", [SOLAR_GUIYANG]),
    ("ｇｕｉｙａｎｇ", [SOLAR_GUIYANG]),
    ("battery Tongren", [STORAGE]),
    ("数据中心", [DATACENTER]),
    ("磷酸铁锂", [CATHODE, SEPARATOR]),
    # typos: Latin and Chinese
    ("photovoltic", [SOLAR_GUIYANG, SOLAR_ZUNYI, STORAGE, EQUIPMENT]),
    ("zunyl", [CATHODE, SOLAR_ZUNYI, EQUIPMENT]),
    ("遵以 光伏", [SOLAR_ZUNYI, EQUIPMENT]),
])
def test_queries_find_the_expected_projects_in_order(client, catalogue_projects, query, expected):
    assert names(get(client, q=query)) == expected


def test_exact_hit_outranks_fuzzy_and_reports_fields(client, catalogue_projects):
    body = get(client, q="光伏")
    assert [(i["score"], i["matched_fields"]) for i in body["items"]] == [
        (100, ["name", "sector", "content"]), (100, ["name", "sector", "content"]),
        (30, ["content"]), (30, ["content"])]
    fuzzy = get(client, q="zunyl")
    assert fuzzy["corrections"] == [{"from": "zunyl", "to": "zunyi"}]
    assert max(i["score"] for i in fuzzy["items"]) < 30


def test_facets_add_up_to_the_total(client, catalogue_projects):
    body = get(client)
    assert body["total"] == 9  # the withdrawn project is hidden
    facets = body["facets"]
    for key in ("region", "status", "sought_band"):
        assert sum(item["count"] for item in facets[key]) == body["total"], key
    assert [(i["code"], i["count"]) for i in facets["status"]] == [("open", 7), ("negotiating", 1), ("signed", 1)]
    zunyi = next(i for i in facets["region"] if i["code"] == "520300")
    assert (zunyi["name"], zunyi["name_en"], zunyi["count"]) == ("遵义市", "Zunyi", 3)
    nev = next(i for i in facets["sector"] if i["code"] == "nev")
    assert nev["count"] == 2 and nev["children"][0]["code"] == "nev.battery_materials"
    assert [(b["code"], b["count"]) for b in facets["sought_band"]] == [
        ("lt1", 3), ("1-5", 2), ("5-10", 1), ("10-50", 2), ("50+", 1)]
    modes = {m["code"]: m["count"] for m in facets["mode"]}
    assert modes["cooperation"] == 4 and modes["joint_venture"] == 3


def test_filters_combine(client, catalogue_projects):
    assert names(get(client, region="520300", sector="new_energy")) == [SOLAR_ZUNYI]
    assert names(get(client, region="520300,520600", mode="cooperation")) == [SOLAR_ZUNYI]
    assert names(get(client, min_sought="5亿", max_sought="2000000000", sort="sought_desc")) == [
        SEPARATOR, CATHODE, EQUIPMENT]
    assert names(get(client, band="50+")) == [DATACENTER]
    assert names(get(client, status="withdrawn")) == ["黔南州动力电池回收项目"]
    assert get(client, status="open,signed")["total"] == 8
    assert names(get(client, q="光伏", region="520100")) == [SOLAR_GUIYANG]


def test_sorts_and_stable_pagination(client, catalogue_projects):
    everything = names(get(client, per_page=100, sort="sought_asc"))
    pages = [names(get(client, per_page=4, page=n, sort="sought_asc")) for n in (1, 2, 3)]
    assert sum(pages, []) == everything and len(everything) == 9
    assert everything[0] == "毕节生态茶园建设项目"
    newest = names(get(client, sort="newest"))
    assert newest[0] == "遵义市红花岗区智能装备制造项目"
    relevance = [names(get(client, q="光伏", per_page=1, page=n)) for n in (1, 2, 3, 4)]
    assert sum(relevance, []) == [SOLAR_GUIYANG, SOLAR_ZUNYI, STORAGE, EQUIPMENT]


@pytest.mark.parametrize("query", [
    "%", "_", "%_%", "'", '"', "\\", "<script>alert(1)</script>", "😀🔋", "\x00\x01\x1f", "光伏\t\n",
    "' OR 1=1 --", "x" * 200,
])
def test_hostile_queries_answer_normally(client, catalogue_projects, query):
    body = get(client, q=query)
    assert body["total"] <= 9 and body["per_page"] == 20


@pytest.mark.parametrize(("params", "field"), [
    ({"q": "光" * 10_000}, "q"), ({"sector": "nope"}, "sector"), ({"region": "999999"}, "region"),
    ({"page": "0"}, "page"), ({"page": "abc"}, "page"), ({"per_page": "0"}, "per_page"),
    ({"mode": "barter"}, "mode"), ({"status": "lost"}, "status"), ({"sort": "random"}, "sort"),
    ({"min_sought": "lots"}, "min_sought"), ({"page": "-1"}, "page"),
])
def test_bad_parameters_are_a_clear_400(client, catalogue_projects, params, field):
    response = client.get("/api/v1/projects", query_string=params)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid" and error["field"] == field and error["message"]


def test_huge_pages_are_capped_or_empty(client, catalogue_projects):
    capped = get(client, per_page=1_000_000)
    assert capped["per_page"] == 100 and len(capped["items"]) == 9
    beyond = get(client, page=1_000_000_000)
    assert beyond["items"] == [] and beyond["total"] == 9


def test_only_published_catalogues_are_searched(client, catalogue_projects):
    draft = make_catalogue(status=CatalogueStatus.DRAFT)
    hidden = make_project(draft, name="草稿目录光伏项目")
    assert SOLAR_GUIYANG in names(get(client, q="光伏"))
    assert hidden.name not in names(get(client, q="光伏"))
    assert client.get(f"/api/v1/projects/{hidden.id}").status_code == 404


def test_project_detail_shows_contact_only_with_a_token(client, catalogue_projects):
    from matchmaker.accounts.operations import create_token

    project = catalogue_projects[0]
    public = client.get(f"/api/v1/projects/{project.id}").get_json()
    assert public["name"] == CATHODE and "contact_phone" not in public
    assert public["investment_sought_yuan"] == "1200000000.00"
    user = make_user("investor")
    token, _ = create_token(user)
    from matchmaker.extensions import db

    db.session.commit()
    private = client.get(f"/api/v1/projects/{project.id}", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert private["contact_phone"] == "0851-12345678" and private["contact_person"] == "张三"


def test_empty_result_explains_and_suggests(client, catalogue_projects):
    body = get(client, q="茶叶 遵义", lang="en")
    assert body["total"] == 0
    assert body["explanation"] == [
        "No project matches all of the words together.",
        "'茶叶' alone matches 1 projects.", "'遵义' alone matches 3 projects."]
    params = [s["params"] for s in body["suggestions"]]
    # the nearest region for the tea query, the nearest sector for the region
    assert {"region": "520500", "q": "茶叶"} in params
    assert {"sector": "equipment", "q": "遵义"} in params


def test_amount_inputs_accept_chinese_units(client, catalogue_projects):
    assert get(client, min_sought="50亿元")["total"] == 1
    assert names(get(client, max_sought="5000万")) == ["毕节生态茶园建设项目"]


def test_sought_amounts_are_exact_strings(client, app):
    make_project(name="精确金额光伏项目", investment_sought_yuan=Decimal("123456789.01"))
    item = get(client, q="精确金额")["items"][0]
    assert item["investment_sought_yuan"] == "123456789.01"
