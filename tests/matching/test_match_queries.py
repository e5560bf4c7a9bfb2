"""POST /api/v1/match runs the same few statements for 2 matches or 20: the generation
read, the projects (with their region) and their sectors - never one load per project."""

from factories import make_project
from matching_data import YI, catalogue  # noqa: F401 - fixture
from queries import count_queries

from matchmaker.extensions import db

PROFILE = {"sectors": ["new_energy"], "regions": ["520100"], "min_yuan": "1亿元",
           "max_yuan": "10亿元", "modes": ["合资"], "keywords": "光伏"}


def statements_for(client, body: dict) -> tuple[int, list[dict], str]:
    db.session.commit()  # a request is its own transaction (it reads the generation once)
    db.session.expire_all()  # what a new request sees: nothing loaded yet
    with count_queries() as counted:
        response = client.post("/api/v1/match?lang=en", json=body)
    assert response.status_code == 200, response.json
    return counted.count, response.json["items"], str(counted)


def test_match_runs_a_constant_number_of_statements(app, client, catalogue):
    client.post("/api/v1/match", json=PROFILE)  # the matrix is built at the first match
    few, items, _listing = statements_for(client, {**PROFILE, "top": 2})
    assert len(items) == 2
    published = catalogue["solar"].catalogue
    regions = ["520102", "520111", "520112", "520113", "520115"]
    for number in range(24):
        make_project(published, name=f"贵阳光伏储能项目{number}", region_code=regions[number % 5],
                     sectors=("new_energy.solar", "new_energy.hydrogen"),
                     investment_sought_yuan=(2 + number % 5) * YI, cooperation_modes=["joint_venture"],
                     construction_content="建设光伏电站及储能")
    client.post("/api/v1/match", json=PROFILE)  # the new projects reach the matrix (a delta)
    many, items, listing = statements_for(client, {**PROFILE, "top": 20})
    assert len(items) == 20
    # every project answers with its sectors and its region, as before
    assert all(i["project"]["sectors"] and i["project"]["region"]["code"] for i in items)
    assert {s["code"] for i in items for s in i["project"]["sectors"]} >= {
        "new_energy.solar", "new_energy.hydrogen"}
    assert many == few <= 3, listing
