"""The static location map of a project page: an SVG drawn on the server from the bundled
boundaries in ``data/guizhou_boundaries.json`` (no map tiles, nothing fetched). Pure: no
Flask, no database; `matchmaker.reference.maps` feeds it names in the reader's language and
caches what it draws.

The boundaries are Guizhou's 88 county-level divisions, simplified together as one polygon
coverage (neighbours share their border vertex for vertex, see
scripts/build_guizhou_boundaries.py), plus the 9 prefecture-level divisions and the province,
which are unions of those counties. So every border is drawn once, from the counties' edges:
an edge that one county alone has is the province's outline, an edge between counties of two
prefectures is a prefecture border, any other a county border.

Projection: equirectangular with the longitude scaled by cos(latitude) at the province's
middle parallel (26.9° N): north is up and distances are true to about 2 % across Guizhou,
enough for the scale bar.
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape

Point = tuple[float, float]
Ring = tuple[tuple[int, int], ...]  # grid units, not closed (the last vertex joins the first)

PROVINCE = "520000"
KM_PER_DEGREE = 111.2  # one degree of latitude (mean), for the scale bar
WIDTH = 600  # CSS pixels; the viewBox has two units a pixel so coordinates stay integers
MARGIN = 14
UNITS_PER_PX = 2


@dataclass(frozen=True)
class Division:
    code: str
    level: str  # "province" | "prefecture" | "county"
    parent: str | None
    point: Point  # marker (lon, lat): the centroid, or a point on the surface, see `marker`
    marker: str  # "centroid" | "point_on_surface"
    polygons: tuple[tuple[Ring, ...], ...]  # each: exterior ring, then holes
    grid: float = 0.001

    def rings(self) -> Iterable[Ring]:
        for polygon in self.polygons:
            yield from polygon

    def contains(self, point: Point) -> bool:
        """Even-odd rule over all rings (holes included), in degrees."""
        x, y = point[0] / self.grid, point[1] / self.grid
        inside = False
        for ring in self.rings():
            for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
                if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                    inside = not inside
        return inside


def _ring(values: Sequence[int]) -> Ring:
    x, y = values[0], values[1]
    points = [(x, y)]
    for i in range(2, len(values), 2):
        x += values[i]
        y += values[i + 1]
        points.append((x, y))
    return tuple(points)


@dataclass
class Boundaries:
    divisions: dict[str, Division]
    grid: float
    _edges: dict[str, list[list[tuple[int, int]]]] | None = field(default=None, repr=False)

    @classmethod
    def from_json(cls, text: str) -> Boundaries:
        data = json.loads(text)
        grid = float(data["grid"])
        divisions = {
            code: Division(
                code=code, level=unit["level"], parent=unit["parent"],
                point=(float(unit["point"][0]), float(unit["point"][1])), marker=unit["marker"],
                polygons=tuple(tuple(_ring(r) for r in polygon) for polygon in unit["polygons"]),
                grid=grid,
            )
            for code, unit in data["units"].items()
        }
        return cls(divisions=divisions, grid=grid)

    def get(self, code: str | None) -> Division | None:
        return self.divisions.get(code) if code else None

    def of_level(self, level: str) -> list[Division]:
        return [d for code, d in sorted(self.divisions.items()) if d.level == level]

    def bbox(self) -> tuple[float, float, float, float]:
        """(west, south, east, north) of the province, in degrees."""
        xs = [x for ring in self.divisions[PROVINCE].rings() for x, _ in ring]
        ys = [y for ring in self.divisions[PROVINCE].rings() for _, y in ring]
        return min(xs) * self.grid, min(ys) * self.grid, max(xs) * self.grid, max(ys) * self.grid

    def border_lines(self) -> dict[str, list[list[tuple[int, int]]]]:
        """The counties' edges, each once, as polylines per kind: "province", "prefecture",
        "county" (see the module's docstring). Built once."""
        if self._edges is not None:
            return self._edges
        counties = self.of_level("county")
        owners: dict[tuple[tuple[int, int], tuple[int, int]], list[str]] = defaultdict(list)
        for county in counties:
            for ring in county.rings():
                for a, b in zip(ring, ring[1:] + ring[:1], strict=True):
                    owners[(a, b) if a < b else (b, a)].append(county.code)

        def kind(key) -> str:
            codes = owners[key]
            if len(codes) == 1:
                return "province"
            parents = {self.divisions[c].parent for c in codes}
            return "prefecture" if len(parents) > 1 else "county"

        lines: dict[str, list[list[tuple[int, int]]]] = {"province": [], "prefecture": [], "county": []}
        for county in counties:
            for ring in county.rings():
                run: list[tuple[int, int]] = []
                run_kind = None
                for a, b in zip(ring, ring[1:] + ring[:1], strict=True):
                    key = (a, b) if a < b else (b, a)
                    # a shared edge is drawn by the first of its owners only
                    edge_kind = kind(key) if owners[key][0] == county.code else None
                    if edge_kind != run_kind or not run:
                        if run_kind is not None and len(run) > 1:
                            lines[run_kind].append(run)
                        run, run_kind = [a], edge_kind
                    run.append(b)
                if run_kind is not None and len(run) > 1:
                    lines[run_kind].append(run)
        self._edges = lines
        return lines


@dataclass(frozen=True)
class MapText:
    """What the map says, already in the reader's language (the caller translates)."""

    title: str  # the <title> and aria-label: "Map: Xiuwen County, Guiyang, Guizhou"
    labels: Mapping[str, str]  # code -> name, for the prefectures and the highlighted county
    north: str = "N"
    scale: str = "100 km"
    scale_km: int = 100


class _Projection:
    def __init__(self, bbox: tuple[float, float, float, float]):
        west, south, east, north = bbox
        self.west, self.north = west, north
        self.cos = math.cos(math.radians((south + north) / 2))
        self.scale = (WIDTH - 2 * MARGIN) * UNITS_PER_PX / ((east - west) * self.cos)  # units a degree
        self.width = WIDTH * UNITS_PER_PX
        self.height = round((north - south) * self.scale + 2 * MARGIN * UNITS_PER_PX)

    def __call__(self, lon: float, lat: float) -> tuple[int, int]:
        return (round(MARGIN * UNITS_PER_PX + (lon - self.west) * self.cos * self.scale),
                round(MARGIN * UNITS_PER_PX + (self.north - lat) * self.scale))


def _path(polylines: Iterable[Sequence[tuple[int, int]]], grid: float, project: _Projection, *,
          closed: bool) -> str:
    """SVG path data, relative moves, integer units; a vertex within one unit of the last kept
    one is dropped (the ends of an open line are kept so borders still meet)."""
    parts: list[str] = []
    for line in polylines:
        points = [project(x * grid, y * grid) for x, y in line]
        kept = [points[0]]
        for i, p in enumerate(points[1:], 1):
            last = kept[-1]
            if (i == len(points) - 1 and not closed) or abs(p[0] - last[0]) + abs(p[1] - last[1]) > 2:
                kept.append(p)
        if len(kept) < (3 if closed else 2):
            continue
        cmds = [f"M{kept[0][0]} {kept[0][1]}"]
        for (px, py), (x, y) in zip(kept, kept[1:], strict=False):
            cmds.append(f"{x - px} {y - py}")
        parts.append(cmds[0] + "l" + " ".join(cmds[1:]).replace(" -", "-") + ("z" if closed else ""))
    return "".join(parts)


def _text(x: int, y: int, content: str, css: str, *, anchor: str = "middle") -> str:
    return (f'<text x="{x}" y="{y}" class="{css}" text-anchor="{anchor}">{escape(content)}</text>')


def render_svg(boundaries: Boundaries, text: MapText, *, prefecture: str | None = None,
               county: str | None = None, also: Sequence[str] = ()) -> str:
    """The map: the province outline, the prefecture borders, light county borders; the
    `prefecture` filled, the `county` filled darker with a marker at its centroid (or a
    marker at the prefecture's when there is no county); `also` fills other prefectures
    without a marker (Gui'an New Area, which spans Guiyang and Anshun). North is up; a scale
    bar; every text escaped. The same arguments give the same bytes."""
    project = _Projection(boundaries.bbox())
    grid = boundaries.grid
    lines = boundaries.border_lines()
    province = boundaries.divisions[PROVINCE]
    u = UNITS_PER_PX
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {project.width} {project.height}" '
        f'width="{WIDTH}" height="{project.height // u}" role="img" aria-label="{escape(text.title)}" '
        f'class="location-map">',
        f"<title>{escape(text.title)}</title>",
        f"<style>.lm-label{{font:{13 * u}px sans-serif;fill:#4a4438;paint-order:stroke;stroke:#fff;"
        f"stroke-width:{3 * u};stroke-linejoin:round}}.lm-here{{font-weight:bold;fill:#1d1a14;"
        f"font-size:{15 * u}px}}</style>",
        f'<path d="{_path(province.rings(), grid, project, closed=True)}" fill="#f6f3ec" '
        f'fill-rule="evenodd"/>',
    ]
    filled = [code for code in (*also, prefecture) if boundaries.get(code)]
    for code in filled:
        out.append(f'<path d="{_path(boundaries.divisions[code].rings(), grid, project, closed=True)}" '
                   f'fill="#e3d6a8" fill-rule="evenodd" class="lm-prefecture" data-code="{escape(code)}"/>')
    here = boundaries.get(county)
    if here is not None:
        out.append(f'<path d="{_path(here.rings(), grid, project, closed=True)}" fill="#c8743a" '
                   f'fill-opacity="0.8" fill-rule="evenodd" stroke="#7a3510" stroke-width="{u}" class="lm-county" data-code="{escape(here.code)}"/>')
    for kind, width, colour in (("county", 0.5, "#b3a88f"), ("prefecture", 1.1, "#8d826b"),
                                ("province", 1.8, "#3d3a33")):
        out.append(f'<path d="{_path(lines[kind], grid, project, closed=False)}" fill="none" '
                   f'stroke="{colour}" stroke-width="{width * u:g}" stroke-linejoin="round" '
                   f'class="lm-{kind}-borders"/>')
    marked = here or boundaries.get(prefecture)
    for division in boundaries.of_level("prefecture"):
        if division.code in text.labels and not (here is not None and division.code == prefecture):
            x, y = project(*division.point)
            if marked is not None and division.code == marked.code:
                y -= 9 * u  # above the marker
            out.append(_text(x, y + 4 * u, text.labels[division.code], "lm-label"))
    if marked is not None:
        x, y = project(*marked.point)
        out.append(f'<circle cx="{x}" cy="{y}" r="{5 * u}" fill="#b3261e" stroke="#fff" '
                   f'stroke-width="{1.5 * u:g}" class="lm-marker" data-code="{escape(marked.code)}"/>')
        if here is not None and here.code in text.labels:
            label = text.labels[here.code]
            # to the right of the marker, or to its left in the eastern third
            right = x < project.width * 2 / 3
            out.append(_text(x + (9 if right else -9) * u, y + 4 * u, label, "lm-label lm-here",
                             anchor="start" if right else "end"))
    # scale bar (bottom left) and north arrow (top right)
    bar = round(text.scale_km / KM_PER_DEGREE * project.scale)
    x0, y0 = MARGIN * u, project.height - MARGIN * u
    out.append(f'<path d="M{x0} {y0 - 6 * u}v{6 * u}h{bar}v{-6 * u}" fill="none" stroke="#3d3a33" '
               f'stroke-width="{1.5 * u:g}" class="lm-scale"/>')
    out.append(_text(x0 + bar + 8 * u, y0 + u, text.scale, "lm-label", anchor="start"))
    nx, ny = project.width - MARGIN * u - 8 * u, MARGIN * u
    out.append(f'<path d="M{nx} {ny}l{6 * u} {16 * u}l{-6 * u} {-5 * u}l{-6 * u} {5 * u}z" '
               f'fill="#3d3a33" class="lm-north"/>')
    out.append(_text(nx, ny + 30 * u, text.north, "lm-label"))
    out.append("</svg>")
    return "".join(out)
