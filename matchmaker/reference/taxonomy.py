"""Sector taxonomy, Guizhou gazetteer and cooperation modes (pure: no Flask, no DB).

Both are loaded once from `data/sectors.json` / `data/regions.json` (or built from plain
records in tests) into dicts keyed by `text.compact` forms, so per-row lookups on big
catalogues are dictionary hits; fuzzy matching (rapidfuzz) is the fallback and is memoised.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from rapidfuzz import fuzz, process

from matchmaker.reference.vocabulary import CooperationMode
from matchmaker.text import clean, compact, normalize

# ---------------------------------------------------------------------------- sectors


@dataclass(frozen=True)
class Sector:
    code: str
    name: str
    name_en: str
    parent_code: str | None
    aliases: tuple[str, ...]
    depth: int  # 0 for a root


@dataclass(frozen=True)
class SectorMatch:
    code: str
    score: float  # 0-100
    exact: bool


_CELL_SPLIT_RE = re.compile(r"[、,，;；/／|｜\n]+")
_CONJUNCTION_RE = re.compile(r"及|和|与|以及|&|\band\b")
FUZZY_FLOOR = 60.0  # candidates below this are not worth showing
SHORT_TEXT_CAP = 65.0


class Taxonomy:
    """The sector tree with exact and fuzzy lookup by name, English name or alias."""

    def __init__(self, sectors: Iterable[Sector], *, outside: Iterable[str] = ()) -> None:
        self._by_code: dict[str, Sector] = {}
        self._children: dict[str | None, list[str]] = {}
        self._exact: dict[str, str] = {}
        for sector in sectors:
            self._by_code[sector.code] = sector
            self._children.setdefault(sector.parent_code, []).append(sector.code)
            for label in (sector.name, sector.name_en, *sector.aliases):
                key = compact(label)
                if key:
                    self._exact.setdefault(key, sector.code)  # first (parent) wins
        self._keys = list(self._exact)
        self._key_codes = [self._exact[k] for k in self._keys]
        self._memo: dict[str, list[SectorMatch]] = {}
        # labels known to be outside the green taxonomy ('Real estate', '房地产'): never
        # matched to a sector, whatever a fuzzy score says
        self._outside = {k for k in (_strip_generic(compact(label)) for label in outside) if k} - set(self._exact)

    @classmethod
    def from_records(cls, items: Sequence[Mapping[str, Any]], *, outside: Iterable[str] = ()) -> Taxonomy:
        sectors: list[Sector] = []

        def walk(records: Sequence[Mapping[str, Any]], parent: str | None, depth: int) -> None:
            for record in records:
                code = str(record["code"])
                sectors.append(
                    Sector(
                        code=code,
                        name=record["name"],
                        name_en=record.get("name_en") or "",
                        parent_code=parent,
                        aliases=tuple(record.get("aliases") or ()),
                        depth=depth,
                    )
                )
                walk(record.get("children") or (), code, depth + 1)

        walk(items, None, 0)
        return cls(sectors, outside=outside)

    @classmethod
    def load(cls, path: str | Path) -> Taxonomy:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        return cls.from_records(data["items"], outside=(data.get("outside") or {}).get("labels") or ())

    def is_outside(self, text: object) -> bool:
        """True for a label known to name a sector outside the green taxonomy."""
        return _strip_generic(compact(text)) in self._outside

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._by_code.values())

    def get(self, code: str) -> Sector | None:
        return self._by_code.get(code)

    def roots(self) -> list[Sector]:
        return [self._by_code[c] for c in self._children.get(None, [])]

    def children(self, code: str) -> list[Sector]:
        return [self._by_code[c] for c in self._children.get(code, [])]

    def ancestors(self, code: str) -> list[Sector]:
        """Parent first, root last."""
        result: list[Sector] = []
        sector = self._by_code.get(code)
        while sector is not None and sector.parent_code is not None:
            sector = self._by_code.get(sector.parent_code)
            if sector is not None:
                result.append(sector)
        return result

    def exact(self, text: object) -> str | None:
        return self._exact.get(compact(text))

    def match(self, text: object, *, limit: int = 5) -> list[SectorMatch]:
        """Best first: an exact name/alias hit (score 100) or fuzzy candidates >= FUZZY_FLOOR."""
        key = compact(text)
        if not key:
            return []
        cached = self._memo.get(key)
        if cached is not None:
            return cached[:limit]
        code = self._exact.get(key)
        if code is not None:
            result = [SectorMatch(code, 100.0, True)]
        else:
            result = []
            seen: set[str] = set()
            for _, score, index in process.extract(
                key, self._keys, scorer=fuzz.WRatio, limit=20, score_cutoff=FUZZY_FLOOR
            ):
                candidate = self._key_codes[index]
                if candidate not in seen:
                    seen.add(candidate)
                    # a fuzzy hit is never as good as an exact one, and two characters
                    # ('材料') are inside too many names to be trusted
                    cap = SHORT_TEXT_CAP if len(key) <= 2 else 99.0
                    result.append(SectorMatch(candidate, min(round(score, 1), cap), False))
        self._memo[key] = result
        return result[:limit]

    def classify(self, text: object, *, limit: int = 5) -> list[SectorMatch]:
        """Candidates for a sector label from someone else's list, best first.

        Unlike `match` (WRatio, which rewards any partial overlap), a label that is only a
        part of a longer name earns nothing for it: 'Technology' is not 'clean coal
        technology' and 'Health' is not 'health and wellness'. A known name inside a
        longer label counts in proportion to how much of the label it covers
        ('大数据产业' holds '大数据'). Generic words (产业, 行业, industry, sector) are
        dropped first. The caller decides the threshold (see the catalogue parser)."""
        whole = compact(text)
        key = _strip_generic(whole)
        if not key or key in self._outside:
            return []
        memo_key = "classify:" + whole
        cached = self._memo.get(memo_key)
        if cached is not None:
            return cached[:limit]
        code = self._exact.get(whole) or self._exact.get(key)
        if code is not None:
            result = [SectorMatch(code, 100.0, True)]
        else:
            best: dict[str, float] = {}
            for _, score, index in process.extract(
                key, self._keys, scorer=fuzz.ratio, limit=30, score_cutoff=FUZZY_FLOOR
            ):
                candidate = self._key_codes[index]
                best[candidate] = max(best.get(candidate, 0.0), float(score))
            for alias, candidate in zip(self._keys, self._key_codes, strict=True):
                if len(alias) >= 2 and alias in key and alias != key:
                    covered = len(alias) / len(key)
                    best[candidate] = max(best.get(candidate, 0.0), 60.0 + 40.0 * covered)
            cap = SHORT_TEXT_CAP if len(key) <= 2 else 99.0
            result = [
                SectorMatch(candidate, min(round(score, 1), cap), False)
                for candidate, score in sorted(best.items(), key=lambda item: (-item[1], item[0]))
                if score >= FUZZY_FLOOR
            ]
        self._memo[memo_key] = result
        return result[:limit]

    def resolve(self, text: object, threshold: float = 85.0) -> SectorMatch | None:
        """The best match if it scores at least `threshold`, else None."""
        matches = self.match(text, limit=1)
        if matches and matches[0].score >= threshold:
            return matches[0]
        return None

    def split_cell(self, text: object) -> list[str]:
        """Split a sector cell into sector names.

        A whole-cell exact match wins ('新能源汽车及电池材料' is one sector); then the cell
        splits on 、，,;；/ ; a part splits on 及/和/与 only when every piece is a known sector.
        """
        value = normalize(text) if text is not None else ""
        if not value:
            return []
        raw = str(text).strip()
        if compact(value) in self._exact:
            return [raw]
        parts: list[str] = []
        for part in _CELL_SPLIT_RE.split(raw):
            part = part.strip()
            if not part:
                continue
            if compact(part) not in self._exact:
                pieces = [p.strip() for p in _CONJUNCTION_RE.split(part) if p.strip()]
                if len(pieces) > 1 and all(compact(p) in self._exact for p in pieces):
                    parts.extend(pieces)
                    continue
            parts.append(part)
        result: list[str] = []
        for part in parts:
            if part not in result:
                result.append(part)
        return result


_GENERIC_SUFFIXES = ("产业链", "产业", "行业", "领域", "板块", "industries", "industry", "sector", "sectors")


def _strip_generic(key: str) -> str:
    for suffix in _GENERIC_SUFFIXES:
        if key.endswith(suffix) and len(key) - len(suffix) >= 2:
            return key[: -len(suffix)]
    return key


# ---------------------------------------------------------------------------- regions

_PROVINCE_PREFIXES = ("贵州省", "贵州", "guizhouprovince", "guizhou")
_ZH_SUFFIXES = ("苗族侗族自治州", "布依族苗族自治州", "自治州", "自治县", "新区", "地区", "市", "州", "区", "县", "特区")
_EN_SUFFIXES = (
    "newarea", "prefecture", "autonomousprefecture", "autonomouscounty", "county",
    "district", "city", "specialdistrict",
)
AMBIGUOUS_SCORE = 60.0
SUBSTRING_SCORE = 90.0


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    name_en: str
    pinyin: str
    short: str
    parent_code: str | None
    level: Literal["prefecture", "county", "province"]
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class RegionMatch:
    code: str  # the most precise region found (county when known)
    prefecture_code: str
    score: float  # 100 exact; lower for substring, fuzzy or ambiguous matches
    inferred: bool  # the prefecture was not written, it was deduced (or guessed)
    matched_text: str
    # the prefecture the text names when the county it names lies in another one
    # ('贵阳市龙里县': 龙里县 is in 黔南州); None when the text is consistent
    written_prefecture_code: str | None = None
    # the county's own name when the text gives it another kind ('钟山县' for 钟山区)
    written_as: str | None = None


@dataclass(frozen=True)
class OutsideMatch:
    """A location in another province ('广东广州白云', '广西贺州钟山县')."""

    province: str  # '广东省'
    place: str  # the province or prefecture name that was recognised ('广州市')


def _region_keys(region: Region) -> set[str]:
    keys = {compact(region.name), compact(region.short), compact(region.pinyin)}
    keys.update(compact(a) for a in region.aliases)
    en = compact(region.name_en)
    keys.add(en)
    for suffix in _EN_SUFFIXES:
        if en.endswith(suffix) and len(en) > len(suffix) + 2:
            keys.add(en[: -len(suffix)])
    name = compact(region.name)
    for suffix in _ZH_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            keys.add(name[: -len(suffix)])
            break
    short = compact(region.short)
    if short and region.level == "prefecture":
        keys.update({short + "州", short + "市"})
    return {k for k in keys if len(k) >= 2}


def _zone_keys(name: str, aliases: Iterable[str]) -> set[str]:
    keys = {compact(name), *(compact(a) for a in aliases)}
    return {k for k in keys if len(k) >= 2}


_OUTSIDE_SUFFIXES = (
    "特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "地区", "省", "市",
    "盟", "区", "县",
)
_COUNTY_KINDS = ("自治县", "特区", "县", "区", "市")


class Gazetteer:
    """Prefectures and counties of Guizhou (with its development zones and the province as
    a whole), matched from free-text locations; places in other provinces are recognised
    so that they are never read as the Guizhou county of the same name."""

    def __init__(
        self,
        regions: Iterable[Region],
        *,
        zones: Mapping[str, Iterable[str]] | None = None,
        outside: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        self._by_code: dict[str, Region] = {}
        self._children: dict[str, list[str]] = {}
        self._prefecture_keys: dict[str, str] = {}
        self._county_keys: dict[str, list[str]] = {}
        for region in regions:
            self._by_code[region.code] = region
            if region.parent_code:
                self._children.setdefault(region.parent_code, []).append(region.code)
            keys = _region_keys(region)
            if region.level == "province":
                keys = {compact(region.name), compact(region.short), compact(region.pinyin),
                        *(compact(a) for a in region.aliases)} - {""}
            for key in keys:
                if region.level != "county":
                    self._prefecture_keys.setdefault(key, region.code)
                else:
                    codes = self._county_keys.setdefault(key, [])
                    if region.code not in codes:
                        codes.append(region.code)
        # development zones: '贵阳经开区' is in Guiyang, '大龙经开区' in 玉屏县
        for code, keys in (zones or {}).items():
            region = self._by_code.get(code)
            if region is None:
                continue
            for key in keys:
                if region.level == "county":
                    codes = self._county_keys.setdefault(key, [])
                    if code not in codes:
                        codes.append(code)
                else:
                    self._prefecture_keys.setdefault(key, code)
        self._county_keys_of: dict[str, dict[str, str]] = {}
        for key, codes in self._county_keys.items():
            for code in codes:
                parent = self._by_code[code].parent_code or ""
                self._county_keys_of.setdefault(parent, {})[key] = code
        # longest keys first, so '黔西南州' wins over '黔西'
        self._prefecture_by_length = sorted(self._prefecture_keys, key=len, reverse=True)
        self._county_by_length = sorted(self._county_keys, key=len, reverse=True)
        self._all_keys = self._prefecture_by_length + self._county_by_length
        self._province_codes = {r.code for r in self._by_code.values() if r.level == "province"}
        # other provinces and their prefectures, by compact name and short form; a name
        # that is also a Guizhou name is left out (Guizhou's wins)
        own = set(self._prefecture_keys) | set(self._county_keys)
        self._outside: dict[str, tuple[str, str]] = {}
        for province in outside:
            name = province["name"]
            for place in (name, province.get("short") or "", *(province.get("divisions") or ())):
                for key in {compact(place), _strip_suffix(compact(place))}:
                    if len(key) >= 2 and key not in own:
                        self._outside.setdefault(key, (name, place or name))
        self._outside_by_length = sorted(self._outside, key=len, reverse=True)
        self._memo: dict[str, RegionMatch | OutsideMatch | None] = {}

    @classmethod
    def from_records(
        cls, items: Sequence[Mapping[str, Any]], *, outside: Sequence[Mapping[str, Any]] = ()
    ) -> Gazetteer:
        regions: list[Region] = []
        zones: dict[str, set[str]] = {}
        for record in items:
            code = str(record["code"])
            level = record.get("level") or "prefecture"
            regions.append(_region(record, None, "province" if level == "province" else "prefecture"))
            for child in record.get("children") or ():
                regions.append(_region(child, code, "county"))
            for zone in record.get("zones") or ():
                target = str(zone.get("county") or code)
                zones.setdefault(target, set()).update(_zone_keys(zone["name"], zone.get("aliases") or ()))
        return cls(regions, zones=zones, outside=outside)

    @classmethod
    def load(cls, path: str | Path, outside_path: str | Path | None = None) -> Gazetteer:
        with open(path, encoding="utf-8") as handle:
            items = json.load(handle)["items"]
        outside: list[Mapping[str, Any]] = []
        if outside_path is not None:
            with open(outside_path, encoding="utf-8") as handle:
                outside = json.load(handle)["items"]
        return cls.from_records(items, outside=outside)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self._by_code.values())

    def get(self, code: str) -> Region | None:
        return self._by_code.get(code)

    def prefectures(self) -> list[Region]:
        """Every top-level region a project is filed under: the nine prefectures, 贵安新区
        and, for province-wide projects, the province itself."""
        return [r for r in self._by_code.values() if r.level != "county"]

    def children(self, code: str) -> list[Region]:
        return [self._by_code[c] for c in self._children.get(code, [])]

    def prefecture_of(self, code: str) -> Region | None:
        region = self._by_code.get(code)
        if region is not None and region.parent_code:
            return self._by_code.get(region.parent_code)
        return region

    def is_province(self, code: str) -> bool:
        return code in self._province_codes

    def match_location(self, text: object) -> RegionMatch | None:
        """'遵义市汇川区' -> 520303 (prefecture 520300); '汇川区' -> 520303, inferred.
        A place in another province gives None (see `locate` for the reason)."""
        found = self.locate(text)
        return found if isinstance(found, RegionMatch) else None

    def locate(self, text: object) -> RegionMatch | OutsideMatch | None:
        """The Guizhou region a location names, the other province it names, or None."""
        key = compact(text)
        if not key:
            return None
        if key in self._memo:
            return self._memo[key]
        result = self._outside_match(key) or self._match(key)
        self._memo[key] = result
        return result

    def _outside_match(self, key: str) -> OutsideMatch | None:
        if key.startswith("中国"):
            key = key[2:]
        for prefix in _PROVINCE_PREFIXES:
            if key.startswith(prefix):
                return None  # written as Guizhou
        for name_key in self._outside_by_length:
            if key.startswith(name_key):
                province, place = self._outside[name_key]
                return OutsideMatch(province, place)
        return None

    def _county_result(self, codes: list[str], matched: str, score: float, key: str = "") -> RegionMatch:
        region = self._by_code[codes[0]]
        if len(codes) > 1:
            score = min(score, AMBIGUOUS_SCORE)
        written_as = _other_kind(region, matched, key)
        if written_as:
            score = min(score, SUBSTRING_SCORE)
        return RegionMatch(region.code, region.parent_code or region.code, score, True, matched,
                           written_as=written_as)

    def _match(self, key: str) -> RegionMatch | None:
        code = self._prefecture_keys.get(key)  # '贵州省' itself: the whole province
        if code is not None:
            return RegionMatch(code, code, 100.0, False, key)
        for prefix in _PROVINCE_PREFIXES:
            if key.startswith(prefix) and len(key) > len(prefix):
                key = key[len(prefix) :]
                break
        # 1. the whole text is a known name
        code = self._prefecture_keys.get(key)
        if code is not None:
            return RegionMatch(code, code, 100.0, False, key)
        codes = self._county_keys.get(key)
        if codes:
            return self._county_result(codes, key, 100.0, key)
        # 2. a prefecture written first, then perhaps one of its counties
        for pkey in self._prefecture_by_length:
            if key.startswith(pkey):
                prefecture = self._prefecture_keys[pkey]
                rest = key[len(pkey) :]
                counties = self._county_keys_of.get(prefecture, {})
                for ckey in sorted(counties, key=len, reverse=True):
                    if rest.startswith(ckey):
                        return RegionMatch(counties[ckey], prefecture, 100.0, False, pkey + ckey)
                for ckey in sorted(counties, key=len, reverse=True):
                    if len(ckey) >= 2 and ckey in rest:
                        return RegionMatch(counties[ckey], prefecture, SUBSTRING_SCORE, False, pkey + ckey)
                # a county of another prefecture written under this one ('贵阳市龙里县'):
                # the county is the more precise statement; the caller warns
                for ckey in self._county_by_length:
                    if rest.startswith(ckey) and len(self._county_keys[ckey]) == 1:
                        county = self._by_code[self._county_keys[ckey][0]]
                        if county.parent_code != prefecture and not self.is_province(prefecture):
                            return RegionMatch(county.code, county.parent_code or county.code, SUBSTRING_SCORE,
                                               False, ckey, written_prefecture_code=prefecture)
                return RegionMatch(prefecture, prefecture, 100.0, False, pkey)
        # 3. a county written first ('汇川区高坪街道')
        for ckey in self._county_by_length:
            if key.startswith(ckey):
                return self._county_result(self._county_keys[ckey], ckey, 100.0, key)
        # 4. a known name somewhere inside the text
        for name_key in self._all_keys:
            if len(name_key) >= 2 and name_key in key:
                if name_key in self._prefecture_keys:
                    code = self._prefecture_keys[name_key]
                    return RegionMatch(code, code, SUBSTRING_SCORE, True, name_key)
                return self._county_result(self._county_keys[name_key], name_key, SUBSTRING_SCORE, key)
        # 5. fuzzy, for typos ('遵义市江川区' is not a thing; 'zunyl' is)
        best = process.extractOne(key, self._all_keys, scorer=fuzz.ratio, score_cutoff=80)
        if best is None:
            return None
        name_key, score, _ = best
        score = min(round(score, 1), 99.0)
        if name_key in self._prefecture_keys:
            code = self._prefecture_keys[name_key]
            return RegionMatch(code, code, score, True, name_key)
        return self._county_result(self._county_keys[name_key], name_key, score)


def _strip_suffix(key: str) -> str:
    for suffix in _OUTSIDE_SUFFIXES:
        if key.endswith(suffix) and len(key) - len(suffix) >= 2:
            return key[: -len(suffix)]
    return key


def _other_kind(region: Region, matched: str, text: str) -> str | None:
    """'钟山县' when the text calls 钟山区 a 县: the same short name with another kind of
    division is a different place (广西贺州 has a 钟山县), worth a warning."""
    if not text or not matched or not text.startswith(matched):
        return None
    own = compact(region.name)
    if own == matched:
        return None
    rest = text[len(matched) :]
    for kind in _COUNTY_KINDS:
        if rest.startswith(kind):
            written = matched + kind
            aliases = {compact(a) for a in region.aliases}
            if written != own and written not in aliases and not own.endswith(kind):
                return written
            return None
    return None


def _region(
    record: Mapping[str, Any], parent: str | None, level: Literal["prefecture", "county", "province"]
) -> Region:
    return Region(
        code=str(record["code"]),
        name=record["name"],
        name_en=record.get("name_en") or "",
        pinyin=record.get("pinyin") or "",
        short=record.get("short") or "",
        parent_code=parent,
        level=level,
        aliases=tuple(record.get("aliases") or ()),
    )


# ---------------------------------------------------------------------- cooperation modes

# Checked in this order: '股权合作' must be read as equity before '合作' is seen.
_MODE_KEYWORDS: tuple[tuple[CooperationMode, tuple[str, ...]], ...] = (
    (CooperationMode.PPP, ("ppp", "政府和社会资本合作", "publicprivatepartnership")),
    (CooperationMode.EQUITY, ("股权", "参股", "入股", "控股", "equity", "stake")),
    (CooperationMode.SOLE, ("独资", "独立投资", "sole", "whollyowned", "wholly")),
    (CooperationMode.JOINT_VENTURE, ("合资", "jointventure", "jv")),
    (CooperationMode.COOPERATION, ("合作", "cooperation", "cooperative", "partnership", "co-operation")),
    (CooperationMode.OTHER, ("其他", "其它", "other", "others")),
)
_MODE_SPLIT_RE = re.compile(r"[、,，;；/／|｜\n]+|或|及|和|\bor\b|\band\b", re.IGNORECASE)


def mode_parts(text: object) -> list[tuple[str, CooperationMode | None]]:
    """Each part of a cooperation-mode cell with its mode (None when unrecognised)."""
    result: list[tuple[str, CooperationMode | None]] = []
    for part in _MODE_SPLIT_RE.split(clean(text)):
        key = compact(part)
        if not key:
            continue
        code = next((c for c, words in _MODE_KEYWORDS if any(w in key for w in words)), None)
        result.append((part.strip(), code))
    return result


def normalize_mode(text: object) -> list[CooperationMode]:
    """'合资、合作' -> [JOINT_VENTURE, COOPERATION]; unrecognised parts -> OTHER."""
    codes: list[CooperationMode] = []
    for _, code in mode_parts(text):
        code = code or CooperationMode.OTHER
        if code not in codes:
            codes.append(code)
    return codes
