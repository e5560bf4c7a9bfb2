"""The pure location-map core (matchmaker.reference.locationmap): what it draws is valid SVG,
the marker and the highlighted shape are where the division is, every text is escaped."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from matchmaker.reference.locationmap import Boundaries, MapText, render_svg

ROOT = Path(__file__).resolve().parents[1]
SVG = "{http://www.w3.org/2000/svg}"
BOUNDARIES = Boundaries.from_json((ROOT / "data" / "guizhou_boundaries.json").read_text(encoding="utf-8"))
LABELS = {"520100": "贵阳", "520200": "六盘水", "520300": "遵义", "520400": "安顺", "520500": "毕节",
          "520600": "铜仁", "522300": "黔西南", "522600": "黔东南", "522700": "黔南"}


def draw(**kwargs) -> ET.Element:
    text = kwargs.pop("text", None) or MapText(title="贵州省地图", labels={**LABELS, **kwargs.pop("labels", {})})
    return ET.fromstring(render_svg(BOUNDARIES, text, **kwargs))


def path_rings(d: str) -> list[list[tuple[int, int]]]:
    """The rings of a path written as render_svg writes them: 'Mx yl dx dy dx dy ... z'."""
    rings = []
    for part in re.findall(r"M[^M]+", d):
        move, _, rest = part.rstrip("z").partition("l")
        x, y = (int(v) for v in move[1:].split())
        ring = [(x, y)]
        numbers = [int(v) for v in re.findall(r"-?\d+", rest)]
        for dx, dy in zip(numbers[::2], numbers[1::2], strict=True):
            x, y = x + dx, y + dy
            ring.append((x, y))
        rings.append(ring)
    return rings


def inside(rings, x: float, y: float) -> bool:
    hit = False
    for ring in rings:
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                hit = not hit
    return hit


def shape(svg: ET.Element, css: str) -> list[list[tuple[int, int]]]:
    (element,) = [e for e in svg.iter(f"{SVG}path") if e.get("class") == css]
    return path_rings(element.get("d"))


@pytest.mark.parametrize(("county", "prefecture"), [("520123", "520100"),  # 修文县
                                                    ("520281", "520200"),  # 盘州市
                                                    ("520381", "520300"),  # 赤水市
                                                    ("522634", "522600")])  # 雷山县
def test_the_marker_is_inside_the_highlighted_county_and_prefecture(county, prefecture):
    svg = draw(prefecture=prefecture, county=county, labels={county: "某县"})
    (marker,) = svg.iter(f"{SVG}circle")
    assert marker.get("data-code") == county
    x, y = float(marker.get("cx")), float(marker.get("cy"))
    assert inside(shape(svg, "lm-county"), x, y)
    assert inside(shape(svg, "lm-prefecture"), x, y)
    # and not inside another county: the highlighted one is that county's shape
    other = draw(prefecture="520100", county="520102")
    assert not inside(shape(other, "lm-county"), x, y)
    assert "某县" in [t.text for t in svg.iter(f"{SVG}text")]


def test_a_prefecture_alone_gets_its_marker_at_its_centroid_and_no_county():
    svg = draw(prefecture="522700")
    (marker,) = svg.iter(f"{SVG}circle")
    assert marker.get("data-code") == "522700"
    assert inside(shape(svg, "lm-prefecture"), float(marker.get("cx")), float(marker.get("cy")))
    assert not [e for e in svg.iter(f"{SVG}path") if e.get("class") == "lm-county"]


def test_the_province_alone_is_the_outline_with_no_marker():
    svg = draw()
    assert list(svg.iter(f"{SVG}circle")) == []
    assert not [e for e in svg.iter(f"{SVG}path") if e.get("class") in ("lm-county", "lm-prefecture")]
    borders = {e.get("class") for e in svg.iter(f"{SVG}path")}
    assert {"lm-province-borders", "lm-prefecture-borders", "lm-county-borders", "lm-scale", "lm-north"} <= borders


def test_guian_shades_the_prefectures_it_spans_without_a_marker():
    svg = draw(also=("520100", "520400"))
    assert [e.get("data-code") for e in svg.iter(f"{SVG}path") if e.get("class") == "lm-prefecture"] == \
        ["520100", "520400"]
    assert list(svg.iter(f"{SVG}circle")) == []


def test_title_aria_label_and_every_text_are_escaped():
    evil = '<script>alert("x")</script> & Co'
    text = MapText(title=evil, labels={**LABELS, "520123": evil, "520100": evil}, north="<N>", scale="100 <km>")
    raw = render_svg(BOUNDARIES, text, prefecture="520100", county="520123")
    assert "<script>" not in raw and "&lt;script&gt;" in raw
    svg = ET.fromstring(raw)  # still well-formed
    assert svg.get("role") == "img" and svg.get("aria-label") == evil
    assert svg.find(f"{SVG}title").text == evil
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert evil in texts and "<N>" in texts and "100 <km>" in texts


def test_north_is_up_and_the_scale_bar_measures_100_km():
    svg = draw(prefecture="520300", county="520381")
    # 赤水 (north-west) is above and left of 黔东南's 雷山 (south-east)
    west_north = next(svg.iter(f"{SVG}circle"))
    south_east = next(draw(prefecture="522600", county="522634").iter(f"{SVG}circle"))
    assert float(west_north.get("cy")) < float(south_east.get("cy"))
    assert float(west_north.get("cx")) < float(south_east.get("cx"))
    (bar,) = [e for e in svg.iter(f"{SVG}path") if e.get("class") == "lm-scale"]
    length = int(re.search(r"h(\d+)", bar.get("d")).group(1))
    # Guizhou is ~595 km from west to east at 26.9°N: 6.0° x 111.2 km x cos(26.9°)
    width_units = int(svg.get("viewBox").split()[2]) - 2 * 28
    assert length / width_units == pytest.approx(100 / 595, rel=0.03)


def test_the_same_arguments_give_the_same_bytes_and_a_small_svg():
    text = MapText(title="t", labels=LABELS)
    first = render_svg(BOUNDARIES, text, prefecture="520100", county="520123")
    again = render_svg(Boundaries.from_json((ROOT / "data" / "guizhou_boundaries.json").read_text(encoding="utf-8")),
                       text, prefecture="520100", county="520123")
    assert first == again
    assert len(first.encode()) < 60_000


def test_contains_agrees_with_the_drawing():
    xiuwen = BOUNDARIES.get("520123")
    assert xiuwen.contains(xiuwen.point)
    assert not xiuwen.contains(BOUNDARIES.get("520381").point)
