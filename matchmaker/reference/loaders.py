"""Reference data: the sector taxonomy and the regions, loaded from data/ into the database.

`load_reference_data` is idempotent (upsert by code), so `matchmaker init` can run again
after data/ is edited. The pure `Taxonomy` / `Gazetteer` objects the parser, search and
matching use are built from the database once per process and rebuilt after a reload.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import current_app

from matchmaker.extensions import db
from matchmaker.reference.glossary import Glossary, PlaceNames, draft_english_name, place_names
from matchmaker.reference.models import Region, RegionLevel, Sector
from matchmaker.reference.taxonomy import Gazetteer, Taxonomy

log = logging.getLogger(__name__)

_cache: dict[str, Any] = {}


def _read(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)["items"]


def load_reference_data(data_dir: str | Path) -> dict[str, int]:
    """Upsert sectors and regions from data_dir/sectors.json and regions.json."""
    data_dir = Path(data_dir)
    sectors = {s.code: s for s in db.session.scalars(sa.select(Sector))}
    regions = {r.code: r for r in db.session.scalars(sa.select(Region))}
    counts = {"sectors": 0, "regions": 0}

    def upsert_sector(item: dict, parent: Sector | None, position: int) -> None:
        sector = sectors.get(item["code"])
        if sector is None:
            sector = Sector(code=item["code"])
            db.session.add(sector)
            sectors[sector.code] = sector
        sector.name = item["name"]
        sector.name_en = item["name_en"]
        sector.aliases = list(item.get("aliases", []))
        sector.parent = parent
        sector.position = position
        counts["sectors"] += 1
        for index, child in enumerate(item.get("children", [])):
            upsert_sector(child, sector, position * 100 + index + 1)

    def upsert_region(item: dict, parent: Region | None, position: int) -> None:
        region = regions.get(item["code"])
        if region is None:
            region = Region(code=item["code"])
            db.session.add(region)
            regions[region.code] = region
        region.name = item["name"]
        region.name_en = item["name_en"]
        region.pinyin = item.get("pinyin", "")
        region.short = item.get("short", "")
        region.aliases = list(item.get("aliases", []))
        region.level = RegionLevel.COUNTY if parent else RegionLevel(item.get("level", "prefecture"))
        region.parent = parent
        region.position = position
        counts["regions"] += 1
        for index, child in enumerate(item.get("children", [])):
            upsert_region(child, region, position * 1000 + index + 1)

    for index, item in enumerate(_read(data_dir / "sectors.json")):
        upsert_sector(item, None, index + 1)
    for index, item in enumerate(_read(data_dir / "regions.json")):
        upsert_region(item, None, index + 1)
    db.session.flush()
    clear_cache()
    log.info("reference data: %(sectors)d sectors, %(regions)d regions", counts)
    return counts


def clear_cache() -> None:
    _cache.clear()


def _sector_item(sector: Sector, children: dict[int | None, list[Sector]]) -> dict[str, Any]:
    return {
        "code": sector.code,
        "name": sector.name,
        "name_en": sector.name_en,
        "aliases": list(sector.aliases),
        "children": [_sector_item(c, children) for c in children.get(sector.id, [])],
    }


def _region_item(region: Region, children: dict[int | None, list[Region]]) -> dict[str, Any]:
    return {
        "code": region.code,
        "name": region.name,
        "name_en": region.name_en,
        "pinyin": region.pinyin,
        "short": region.short,
        "aliases": list(region.aliases),
        "level": region.level.value,
        "zones": list(_zones().get(region.code, [])),
        "children": [_region_item(c, children) for c in children.get(region.id, [])],
    }


def _by_parent(rows) -> dict[int | None, list]:
    grouped: dict[int | None, list] = {}
    for row in sorted(rows, key=lambda r: r.position):
        grouped.setdefault(row.parent_id, []).append(row)
    return grouped


def sector_tree() -> list[dict[str, Any]]:
    """The taxonomy in the shape of data/sectors.json and GET /api/v1/sectors."""
    grouped = _by_parent(db.session.scalars(sa.select(Sector)).all())
    return [_sector_item(s, grouped) for s in grouped.get(None, [])]


def region_tree() -> list[dict[str, Any]]:
    grouped = _by_parent(db.session.scalars(sa.select(Region)).all())
    return [_region_item(r, grouped) for r in grouped.get(None, [])]


def taxonomy():
    """The pure Taxonomy over the database's sectors (built once per process)."""

    key = f"taxonomy:{db.engine.url}"
    if key not in _cache:
        path = _data_dir() / "sectors.json"
        outside = []
        if path.exists():
            with path.open(encoding="utf-8") as handle:
                outside = (json.load(handle).get("outside") or {}).get("labels") or []
        _cache[key] = Taxonomy.from_records(sector_tree(), outside=outside)
    return _cache[key]


def glossary() -> Glossary:
    """The bilingual vocabulary: data/glossary.csv plus the database's sectors (built once
    per process; an edited glossary is read at the next start)."""

    key = f"glossary:{db.engine.url}"
    if key not in _cache:
        path = _data_dir() / "glossary.csv"
        text = path.read_text(encoding="utf-8") if path.exists() else ""
        _cache[key] = Glossary.from_csv(text, sectors=taxonomy())
    return _cache[key]


def draft_english(name: str) -> str | None:
    """A draft English name for a Chinese project name (glossary + gazetteer; None when a
    part of the name is in neither). Shown labelled as a draft, never stored as name_en."""
    key = f"places:{db.engine.url}"
    if key not in _cache:
        _cache[key] = PlaceNames(place_names(gazetteer()))
    return draft_english_name(name, glossary(), _cache[key])


def _data_dir() -> Path:

    return Path(current_app.config["DATA_DIR"])


def _zones() -> dict[str, list[dict[str, Any]]]:
    """Development zones by prefecture code, from data/regions.json (reference text, not
    administrative divisions: they are not rows of the regions table)."""
    if "zones" not in _cache:
        path = _data_dir() / "regions.json"
        items = _read(path) if path.exists() else []
        _cache["zones"] = {item["code"]: item.get("zones") or [] for item in items}
    return _cache["zones"]


def other_provinces() -> list[dict[str, Any]]:
    """China's other provinces with their prefectures (data/china_provinces.json)."""
    if "outside" not in _cache:
        path = _data_dir() / "china_provinces.json"
        _cache["outside"] = _read(path) if path.exists() else []
    return _cache["outside"]


def gazetteer():
    """The pure Gazetteer over the database's regions (built once per process), with the
    development zones and the other provinces it must recognise."""

    key = f"gazetteer:{db.engine.url}"
    if key not in _cache:
        _cache[key] = Gazetteer.from_records(region_tree(), outside=other_provinces())
    return _cache[key]


def reference_digest() -> str:
    """A hash of the reference data the importer reads rows with (sectors with their ids,
    aliases and the labels outside the taxonomy; regions, zones, other provinces): part of
    every row fingerprint, so a reload that changes it makes the next uploads read every
    row again. Built once per process, like the taxonomy and the gazetteer."""

    key = f"reference-digest:{db.engine.url}"
    if key not in _cache:
        sectors = [[s.id, s.code, s.name, s.name_en, list(s.aliases), s.parent_id, s.position]
                   for s in db.session.scalars(sa.select(Sector).order_by(Sector.id))]
        regions = [[r.id, r.code, r.name, r.name_en, r.pinyin, r.short, list(r.aliases),
                    r.level.value, r.parent_id, r.position]
                   for r in db.session.scalars(sa.select(Region).order_by(Region.id))]
        path = _data_dir() / "sectors.json"
        outside = []
        if path.exists():
            with path.open(encoding="utf-8") as handle:
                outside = (json.load(handle).get("outside") or {}).get("labels") or []
        text = json.dumps([sectors, regions, outside, _zones(), other_provinces()],
                          ensure_ascii=False, sort_keys=True, default=str)
        _cache[key] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return _cache[key]


def sectors_by_code() -> dict[str, Sector]:
    return {s.code: s for s in db.session.scalars(sa.select(Sector))}


def regions_by_code() -> dict[str, Region]:
    return {r.code: r for r in db.session.scalars(sa.select(Region))}
