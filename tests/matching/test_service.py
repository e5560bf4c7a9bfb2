"""Matching through the service and the API on a fixture catalogue."""


import pytest
from factories import make_investor, make_project
from matching_data import YI, add_profile, catalogue, solar_investor  # noqa: F401 - fixtures

from matchmaker.catalogue.models import ProjectStatus
from matchmaker.extensions import db
from matchmaker.matching import operations


def names(matches):
    return [(m.project.name, m.score) for m in matches]


def test_profile_ranks_published_projects_with_reasons(app, catalogue, solar_investor):
    matches = operations.match_projects(solar_investor.profile, top=10)
    assert names(matches) == [
        ("花溪农光互补光伏电站项目", 100),
        ("汇川风电场项目", 49),
        ("磷石膏综合利用项目", 40),
        ("六枝动力电池项目", 6),
    ]  # the withdrawn project and the draft catalogue's are never offered
    assert [r["kind"] for r in matches[0].reasons] == ["sector", "region", "amount", "mode", "text"]


def test_matrix_is_rebuilt_when_projects_change(app, catalogue, solar_investor):
    assert len(operations.match_projects(solar_investor.profile)) == 4
    catalogue["wind"].status = ProjectStatus.WITHDRAWN
    db.session.commit()
    assert [m.project.name for m in operations.match_projects(solar_investor.profile)] == [
        "花溪农光互补光伏电站项目", "磷石膏综合利用项目", "六枝动力电池项目"]
    make_project(catalogue["solar"].catalogue, name="清镇光伏项目", sectors=("new_energy.solar",),
                 region_code="520181", investment_sought_yuan=5 * YI, cooperation_modes=["joint_venture"])
    assert operations.match_projects(solar_investor.profile)[1].project.name == "清镇光伏项目"


def test_weights_come_from_config(app, catalogue, solar_investor):
    app.config["MATCH_WEIGHTS"] = {"sector": 0, "region": 100, "amount": 0, "mode": 0, "text": 0}
    matches = operations.match_projects(solar_investor.profile)
    assert names(matches) == [("花溪农光互补光伏电站项目", 100), ("磷石膏综合利用项目", 100)]


def test_ties_break_on_project_id(app, catalogue):
    investor = make_investor("区域投资有限公司")
    add_profile(investor, regions=["520100"])
    assert [m.project.id for m in operations.match_projects(investor.profile)] == sorted(
        [catalogue["solar"].id, catalogue["gypsum"].id])


def test_investors_ranked_for_a_project(app, catalogue, solar_investor):
    other = make_investor("遵义风电投资有限公司")
    add_profile(other, sectors=["new_energy.wind"], regions=["520300"])
    empty = make_investor("空白投资有限公司")
    add_profile(empty)  # an empty profile matches nothing and is left out
    ranked = operations.match_investors(catalogue["solar"])
    assert [(m.investor.name, m.score) for m in ranked] == [
        ("贵州绿能投资有限公司", 100), ("遵义风电投资有限公司", 16)]  # sibling sector: partial credit
    wind = operations.match_investors(catalogue["wind"])
    assert [(m.investor.name, m.score) for m in wind] == [
        ("遵义风电投资有限公司", 100), ("贵州绿能投资有限公司", 49)]


def test_event_suggestions_respect_the_per_project_cap(app, catalogue):
    for number in range(5):
        add_profile(make_investor(f"光伏投资{number}有限公司"), sectors=["new_energy.solar"],
                    regions=["520111"], min_yuan=YI, max_yuan=10 * YI)
    meetings = operations.event_suggestions(per_investor=2, per_project_cap=3, min_score=40)
    per_project = {}
    for meeting in meetings:
        per_project.setdefault(meeting.project.name, []).append(meeting.investor.name)
    # the solar project is everyone's best, but only the first three investors get it
    assert per_project["花溪农光互补光伏电站项目"] == ["光伏投资0有限公司", "光伏投资1有限公司",
                                                   "光伏投资2有限公司"]
    assert all(len(v) <= 3 for v in per_project.values())


def test_bad_profiles_say_what_is_wrong(app, catalogue):
    from matchmaker.errors import DomainError
    from matchmaker.matching.operations import ProfileInput

    cases = [
        (ProfileInput(), None),
        (ProfileInput(min_yuan=10 * YI, max_yuan=YI), "min_yuan"),
        (ProfileInput(sectors=("no_such",)), "sectors"),
        (ProfileInput(modes=("barter",)), "modes"),
        (ProfileInput(keywords="光伏" * 5000), "keywords"),
    ]
    for data, field in cases:
        with pytest.raises(DomainError) as caught:
            operations.match_projects(data)
        assert caught.value.field == field, data
    assert operations.match_projects(ProfileInput(keywords="光伏 🌞🌞")) [0].project.name == (
        "花溪农光互补光伏电站项目")
