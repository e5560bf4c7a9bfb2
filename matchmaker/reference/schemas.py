"""JSON shapes of the reference data: sectors and regions, as references and as trees."""

from __future__ import annotations

from typing import Any

from matchmaker.schemas import Schema


class SectorRef(Schema):
    code: str
    name: str
    name_en: str | None

    @classmethod
    def of(cls, sector) -> SectorRef:
        return cls(code=sector.code, name=sector.name, name_en=sector.name_en)


class RegionRef(Schema):
    code: str
    name: str
    name_en: str | None

    @classmethod
    def of(cls, region) -> RegionRef | None:
        if region is None:
            return None
        return cls(code=region.code, name=region.name, name_en=region.name_en)


class SectorNode(SectorRef):
    aliases: list[str]
    children: list[SectorNode]


class RegionNode(RegionRef):
    pinyin: str | None = None
    short: str | None = None
    aliases: list[str]
    level: str
    zones: list[Any]
    children: list[RegionNode]


class SectorTree(Schema):
    items: list[SectorNode]


class RegionTree(Schema):
    items: list[RegionNode]


def sector_json(sector) -> dict[str, Any]:
    return SectorRef.of(sector).dump()


def region_json(region) -> dict[str, Any] | None:
    ref = RegionRef.of(region)
    return ref.dump() if ref is not None else None
