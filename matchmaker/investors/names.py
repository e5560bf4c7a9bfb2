"""Company-name resolution: which known investor does a written name mean?

Pure: no Flask, no database. The same company is written many ways (宁德时代,
宁德时代新能源科技股份有限公司, CATL, "Contemporary Amperex Technology Co., Limited",
*ST prefixes, 万科Ａ, 粤电力 for 广东电力发展). `company_key` reduces a name to the part
that identifies the company; `NameResolver` compares keys and answers with the best
investor, its score, the runner-up, and no match at all when it is not confident.

Scoring (0-100), per known key of an investor (its name, English name, aliases):
- equal keys: 100; an acronym of the English name (CATL, SPIC): 95;
- otherwise the best of
  - `ratio`: rapidfuzz Indel similarity of the keys (typos, small differences);
  - containment: the query is a contiguous part of the key (格力电器 in 珠海格力电器,
    隆基 in 隆基绿能): 78 + 20 x coverage, minus 10 per extra block when the query's
    characters are spread over the key (中石化 in 中国石油化工 -> lower; aliases carry
    such abbreviations in real investor lists);
  - reverse containment: the key is the query's ending (珠海格力电器 for alias 格力电器):
    like containment; the key is the query's beginning (格力地产, 比亚迪电子, Siemens
    Energy): weak (65 + 15 x coverage), because an extra ending usually names another
    company of the same group.
The candidate stage is one `process.cdist` of LCS lengths over all keys (vectorised,
about 3 ms at 30,000 keys); only the best few keys are reranked in Python.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Indel, LCSseq

from matchmaker.config import resource_dir
from matchmaker.i18n import N_, Message
from matchmaker.text import compact, is_cjk, normalize

# When is the best candidate a confident answer rather than "no confident match"? For a
# Chinese name that the best candidate holds as a part (a short form: contained, an
# abbreviation, a part from inside), a logistic model of the evidence decides
# (`ACCEPTANCE_MODEL`, at the end of this module), with the contest rule below as a veto. Every
# other name (identical, longer, English, registered) is decided by three rules, each a score
# and a lead over the best *other* investor, and a larger lead when the runner-up contains
# the query as well. Both are fitted by `python benchmarks/calibrate_names.py` (`--model` for
# the model) on the tuning part of the public listed-company lists and
# tests/data/company_names.csv only, never on the held-out part (figures of every part:
# `python -m benchmarks.names_eval`); the rules' figures are read from the `ACCEPTANCE`
# object so the calibration can try others.

@dataclass(frozen=True)
class Acceptance:
    score: float = 84.0  # any likeness: this score ...
    margin: float = 4.0  # ... and this lead
    short_score: float = 82.0  # a short form starting where the name starts (中信海直, 国电南自)
    short_margin: float = 10.0
    inner_score: float = 74.0  # a part from inside the name (双林生物 in 南方双林生物制药)
    inner_margin: float = 40.0
    # ... or a block of three or more distinctive characters from inside it, in one piece
    # (美利云 in 中冶美利云产业投资, 惠博普 in 华油惠博普科技): stronger evidence, a smaller lead
    long_inner_margin: float = 34.0
    # Contested: the runner-up explains the query as well (it too contains every character of
    # it: 隆基股份 is part of 隆基绿能 and of 山东隆基机械). Then the score difference only says
    # how much more of the name is left out, weak evidence: a larger lead is asked.
    contested_margin: float = 10.0

    def vetoes(self, kind: str, score: float, runner_score: float,
               runner_kind: str | None) -> bool:
        """Contested with too small a lead: no answer, whatever else says so."""
        return contested(kind, score, runner_kind) and score - runner_score < self.contested_margin

    def confident(self, kind: str, score: float, runner_score: float,
                  runner_kind: str | None = None, long_part: bool = False) -> bool:
        lead = score - runner_score
        if self.vetoes(kind, score, runner_score, runner_kind):
            return False
        if score >= self.score and lead >= self.margin:
            return True
        if kind in _SHORT_FORMS:
            return score >= self.short_score and lead >= self.short_margin
        if kind == "inner":
            margin = min(self.inner_margin, self.long_inner_margin) if long_part else self.inner_margin
            return score >= self.inner_score and lead >= margin
        return False


def contested(kind: str, score: float, runner_kind: str | None) -> bool:
    """Does the runner-up explain the query about as well as the best candidate? Both hold
    every character of it, the runner-up in one piece; a best candidate that is the query
    itself (place aside: 四川|宏达 for 宏达股份) is contested only by another such one."""
    if runner_kind not in _CONTESTS or kind not in _CONTAINS_QUERY or score >= 100:
        return False
    return kind != "same" or runner_kind == "same"


def _contest_kind(qkey: NameKey, top, runner) -> str | None:
    """The runner-up's kind for the contest rule. A query that names its place (济南高新,
    北京利尔) is explained better by the candidate of that place than by one that has no place
    at all (高新兴科技, 利尔化学): such a runner-up does not contest."""
    if runner is None:
        return None
    if runner.kind in _CONTESTS and top is not None:
        top_key, runner_key = top.name_key, runner.name_key
        if qkey.place and _province(top_key.place or "") == _province(qkey.place) and not runner_key.place:
            return None
        # The same for the group words it names (君正集团: 内蒙古君正能源化工集团, not 北京君正
        # 集成电路; 东莞控股); 股份 says nothing, nearly every listed company has it.
        named = qkey.group_words - {"股份"}
        if named and named <= top_key.group_words and not named <= runner_key.group_words:
            return None
    return runner.kind


def long_part(qkey: NameKey, top) -> bool:
    """Is the query, in one piece, a block of the candidate's name with three or more
    distinctive characters (not only 科技, 股份 …)?"""
    if top is None or top.kind != "inner" or len(_GENERIC_RE.sub("", qkey.key)) < 3:
        return False
    return qkey.key in top.name_key.key


# --- the acceptance model for Chinese short names --------------------------------------------
#
# A Chinese name that is not a registered one (an exchange short name, a press form) is the
# hard case: whether the best candidate is the company is decided by a logistic model of the
# evidence below rather than by the three threshold rules, which cannot weigh it together.
# Its weights are fitted by `python benchmarks/calibrate_names.py --model` on the tuning part of
# the public listed-company lists (never on the held-out part); its threshold gives the most
# right answers with at most 0.7 % of the tuning short names answered with a wrong company.
# The fitted figures, `ACCEPTANCE_MODEL`, are at the end of this module.

_KIND_ORDER = ("same", "contained", "abbreviation", "inner", "extends", "similar", "other_place",
               "acronym")


def acceptance_features(query: str, qkey: NameKey, candidates, contest_kind: str | None) -> list[float]:
    """The evidence for the best candidate of `query` (up to five candidates, best first)."""
    top = candidates[0] if candidates else None
    runner = candidates[1] if len(candidates) > 1 else None
    third = candidates[2] if len(candidates) > 2 else None
    s1 = top.score if top else 0.0
    s2 = runner.score if runner else 0.0
    s3 = third.score if third else 0.0
    lead = (s1 - s2) / 100
    tkey = top.name_key if top else None
    kinds = [1.0 if top and top.kind == k else 0.0 for k in _KIND_ORDER]
    contests = 1.0 if runner and runner.kind in _CONTESTS else 0.0
    contest = 1.0 if top and contested(top.kind, s1, contest_kind) else 0.0
    same_place = bool(top and qkey.place and tkey.place and _province(tkey.place) == _province(qkey.place))
    blocks = len([op for op in LCSseq.opcodes(qkey.key, tkey.key) if op.tag == "equal"]) if top else 0
    named = qkey.group_words - {"股份"}
    features = [
        s1 / 100, lead, (s2 - s3) / 100, *kinds, contests, contest,
        1.0 if long_part(qkey, top) else 0.0,
        1.0 if qkey.place else 0.0, 1.0 if same_place else 0.0,
        len(qkey.key) / 10, len(_GENERIC_RE.sub("", qkey.key)) / 10, min(blocks, 4) / 4,
        1.0 if named else 0.0,
        sum(1 for c in candidates[:5] if c.score >= s1 - 5) / 5,
        1.0 if _ST_PREFIX_RE.match(_prepare(query)) else 0.0,
        1.0 if qkey.latin else 0.0, 1.0 if qkey.registered else 0.0,
        1.0 if (top and tkey.place and not qkey.place) else 0.0,
        *[1.0 if runner and runner.kind == k else 0.0 for k in _KIND_ORDER],
        1.0 if (top and named and named <= tkey.group_words) else 0.0,
        1.0 if (top and qkey.key in tkey.key) else 0.0,
        (len(tkey.key) - len(qkey.key)) / 10 if top else 0.0,
    ]
    # each kind of likeness weighs its score and its lead in its own way
    return [1.0, *features, *(k * s1 / 100 for k in kinds), *(k * lead for k in kinds),
            contest * lead, contests * lead, (s1 / 100) ** 2, lead**2]


@dataclass(frozen=True)
class AcceptanceModel:
    weights: tuple[float, ...]
    threshold: float  # the probability above which the best candidate is the answer

    def probability(self, features: Sequence[float]) -> float:
        z = sum(w * x for w, x in zip(self.weights, features, strict=True))
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))

    def accepts(self, features: Sequence[float]) -> bool:
        return self.probability(features) >= self.threshold


def uses_model(qkey: NameKey, top) -> bool:
    """Does the model decide? For a Chinese name not written as a registered one, whose best
    candidate holds it as a part (contained, abbreviation, inner) with more than the score of
    a descriptive word alone; the threshold rules decide everything else (an identical name,
    a longer one, an English or registered name)."""
    if qkey.latin or qkey.registered:
        return False
    return top.kind in _PART_OF and top.score > _DESCRIPTIVE_INSIDE_CAP


ACCEPTANCE = Acceptance()
CONFIDENT_SCORE = ACCEPTANCE.score  # the score any confident answer has at least
MIN_MARGIN = ACCEPTANCE.margin

MAX_NAME_CHARS = 300  # longer input is truncated for matching (a name is never that long)
_RAW_LIMIT = 4 * MAX_NAME_CHARS
_RERANK = 60  # keys reranked exactly after the vectorised candidate stage

# --- legal forms, share classes, provinces -------------------------------------------

_CJK_LEGAL_SUFFIXES = tuple(
    sorted(
        (
            "集团股份有限公司",
            "集团有限责任公司",
            "集团有限公司",
            "股份有限公司",
            "有限责任公司",
            "股份公司",
            "有限公司",
            "责任公司",
            "集团公司",
            "控股集团",
            "集团",
            "控股",
            "股份",
            "公司",
        ),
        key=len,
        reverse=True,
    )
)
# Parenthesised legal or place words dropped wherever they stand: 贵州磷化（集团）有限责任公司.
_PAREN_WORDS_RE = re.compile(r"\((?:集团|控股|股份|中国|china|holdings?|group)\)")
_EN_LEGAL_WORDS = frozenset(
    "co company ltd limited inc incorporated corp corporation group holdings holding "
    "gmbh ag sa se plc llc nv bv spa kk pte pty ab as asa oy".split()
)
_EN_LEGAL_PAIRS = (("s", "a"), ("n", "v"), ("b", "v"), ("a", "s"), ("s", "e"))
_EN_STOPWORDS = frozenset({"the", "and", "of", "&"})
# ST, *ST, S*ST, SST and a lone S (S佳通: the share reform not yet done) before a Chinese name
_ST_PREFIX_RE = re.compile(r"^\s*(?:\*\s*st|s\s*\*?\s*st|st|s(?=[\u3400-\u9fff]))(?=[\s\-]|[^\x00-\x7f])\s*-?\s*")
_SHARE_CLASS_RE = re.compile(r"(?<=[\u3400-\u9fff])\s*(?:[abh]股?|-\s*(?:uwd|uw|wd|u|w|d))$")
# N (first trading day) and C (first five days of a registration-based listing) before a
# short name: N征和, C华安.
_NEW_LISTING_RE = re.compile(r"^[nc](?=[\u3400-\u9fff])")

# Full province names -> the one-character abbreviation (粤, 黔 ...), applied at the start
# of a key only, on both sides of a comparison, so 广东电力发展 and 粤电力 share 粤电力.
# Single characters are never expanded (新能源, 宁德, 青岛, 吉利 stay as they are); only
# the rarer second abbreviations (蜀, 秦, 陇) are folded into the usual one.
_PROVINCES = {
    "黑龙江": "黑",
    "内蒙古": "蒙",
    "广东": "粤",
    "贵州": "黔",
    "四川": "川",
    "云南": "滇",
    "湖南": "湘",
    "湖北": "鄂",
    "江苏": "苏",
    "浙江": "浙",
    "福建": "闽",
    "江西": "赣",
    "广西": "桂",
    "重庆": "渝",
    "上海": "沪",
    "北京": "京",
    "天津": "津",
    "河北": "冀",
    "山东": "鲁",
    "山西": "晋",
    "河南": "豫",
    "安徽": "皖",
    "陕西": "陕",
    "甘肃": "甘",
    "辽宁": "辽",
    "吉林": "吉",
    "新疆": "新",
    "西藏": "藏",
    "宁夏": "宁",
    "青海": "青",
    "海南": "琼",
    "香港": "港",
    "澳门": "澳",
}
_PROVINCE_RE = re.compile(
    "^(?:"
    + "|".join(sorted(_PROVINCES, key=len, reverse=True))
    + ")(?:壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区|省|市)?"
)
_ALT_ABBREVIATIONS = {"蜀": "川", "秦": "陕", "陇": "甘"}


def _strip_legal(text: str) -> str:
    """Strip legal forms and share classes from the end, repeatedly (normalised input)."""
    text = _PAREN_WORDS_RE.sub("", text)
    while True:
        before = text
        text = re.sub(r"[\s\W_]+$", "", text)
        text = _SHARE_CLASS_RE.sub("", text)
        for suffix in _CJK_LEGAL_SUFFIXES:
            if text.endswith(suffix) and len(text) - len(suffix) >= 2:
                text = text[: -len(suffix)]
                break
        words = re.split(r"[\s.,/&()\-]+", text)
        words = [w for w in words if w]
        if len(words) >= 4 and words[-2] == "of" and words[-3] in _EN_LEGAL_WORDS:
            # "State Grid Corporation of China", "Gree Electric Appliances, Inc. of Zhuhai"
            text = text[: text.rfind(" of ")]
        elif len(words) >= 3 and tuple(words[-2:]) in _EN_LEGAL_PAIRS:
            text = text[: text.rfind(words[-2])]
        elif len(words) >= 2 and words[-1] in _EN_LEGAL_WORDS:
            text = text[: text.rfind(words[-1])]
        if text == before:
            return text


# Cities that start company names (深圳市振业, 南京银行, 珠海格力电器). Like provinces they are
# distinctive: 北京银行 and 南京银行 are two banks. Every prefecture-level city of China, read
# from the public division lists the project bundles (data/china_provinces.json for the other
# provinces, data/regions.json for Guizhou), with the province each belongs to: a listing's
# short name may abbreviate the city by its province (鄂武商 for 武汉武商: 武汉 is in 湖北, 鄂).
# County-level cities that often lead a registered name are added here; "市" after a city is
# dropped.
_COUNTY_CITIES = {
    "常熟": "苏", "张家港": "苏", "昆山": "苏", "江阴": "苏", "义乌": "浙", "温岭": "浙",
    "余姚": "浙", "慈溪": "浙", "石河子": "新",
}
# Division names that are also everyday words at the start of company names (东方航空,
# 新星 ...): never read as places.
_NOT_PLACES = frozenset(
    "东方 新星 双河 文昌 万宁 琼海 五指山 昆玉 胡杨河 北屯 铁门关 可克达拉 图木舒克 五家渠 "
    "阿拉尔 白沙 神农架".split()
)


def _load_cities() -> dict[str, str]:
    """City short name -> the one-character abbreviation of its province."""
    cities: dict[str, str] = {}
    data = resource_dir("data")
    try:
        with (data / "china_provinces.json").open(encoding="utf-8") as handle:
            provinces = json.load(handle)["items"]
        with (data / "regions.json").open(encoding="utf-8") as handle:
            guizhou = json.load(handle)["items"]
    except (OSError, ValueError, KeyError):  # pragma: no cover - data/ is part of the package
        provinces, guizhou = [], []
    divisions = [(item["short"], item.get("divisions") or []) for item in provinces]
    divisions.append(("贵州", [item["name"] for item in guizhou if item.get("level") != "province"]))
    for province, names in divisions:
        abbreviation = _PROVINCES.get(province)
        if abbreviation is None or province in ("北京", "上海", "天津", "重庆"):
            continue  # the municipalities' divisions are districts, not cities
        for name in names:
            if not name.endswith("市"):
                continue
            short = name[:-1]
            if len(short) >= 2 and short not in _NOT_PLACES and short not in _PROVINCES:
                cities.setdefault(short, abbreviation)
    for city, abbreviation in _COUNTY_CITIES.items():
        cities.setdefault(city, abbreviation)
    return cities


_CITY_PROVINCE = _load_cities()


def _load_counties() -> frozenset[str]:
    """County-level names (怀集, 新会, 杨凌 ...; data/china_counties.json), with and without
    their 县/市/区/旗, that are not also cities, provinces or everyday words."""
    try:
        with (resource_dir("data") / "china_counties.json").open(encoding="utf-8") as handle:
            items = json.load(handle)["items"]
    except (OSError, ValueError, KeyError):  # pragma: no cover - data/ is part of the package
        items = []
    found: set[str] = set()
    for name in items:
        short = re.sub("(?:自治县|自治旗|县|市|区|旗)$", "", name)
        if len(short) >= 2 and short not in _NOT_PLACES and short not in _PROVINCES:
            found |= {name, short}
    return frozenset(found - set(_CITY_PROVINCE))


_COUNTIES = _load_counties()
# One-character names of cities that short names use instead of the city's first character
# (穗恒运 for 广州恒运, 甬 for 宁波, 榕 for 福州).
_CITY_ALIASES = {"广州": ("穗",), "宁波": ("甬",), "福州": ("榕",)}
_CITIES = tuple(sorted(_CITY_PROVINCE, key=len, reverse=True))
_CITY_LENGTHS = sorted({len(c) for c in _CITIES}, reverse=True)


def _match_city(text: str) -> tuple[str, int] | None:
    """(city, end of the city and its 市) when `text` starts with a city; longest first."""
    for length in _CITY_LENGTHS:
        if text[:length] in _CITY_PROVINCE:
            end = length + 1 if text[length : length + 1] == "市" else length
            return text[:length], end
    return None
# Place words in English names (pinyin of provinces and the cities above, and their usual
# English spellings): "Bank of Beijing" and "Bank of Nanjing" are two banks.
_LATIN_PLACES = frozenset(
    """beijing shanghai tianjin chongqing guangdong guangxi guizhou yunnan sichuan hunan hubei
    henan hebei shandong shanxi shaanxi gansu qinghai ningxia xinjiang tibet xizang jiangsu
    zhejiang anhui fujian jiangxi liaoning jilin heilongjiang hainan inner mongolia hongkong
    macau shenzhen guangzhou zhuhai foshan dongguan zhongshan huizhou shantou nanjing suzhou
    wuxi changzhou nantong yangzhou xuzhou hangzhou ningbo wenzhou shaoxing jiaxing huzhou
    chengdu mianyang wuhan changsha zhuzhou xiangtan zhengzhou luoyang jinan qingdao yantai
    weifang zibo shijiazhuang tangshan taiyuan shenyang dalian changchun harbin hefei wuhu
    fuzhou xiamen quanzhou nanchang nanning liuzhou kunming guiyang zunyi lanzhou xian xi'an
    yinchuan xining urumqi lhasa hohhot baotou haikou sanya kweichow canton peking""".split()
)
# Descriptive words of registered names that short names drop freely (国药集团一致药业 ->
# 国药一致, 徐工集团工程机械 -> 徐工机械): a dropped one does not count against coverage.
_GENERIC_WORDS = tuple(
    sorted(
        """集团 股份 控股 实业 科技 技术 发展 投资 工业 产业 国际 中国 电子 电器 电气 机械 化工 化学
        药业 医药 制药 生物 能源 环保 材料 新材料 信息 网络 传媒 文化 建设 工程 设备 装备 智能 精密
        资源 矿业 食品 物流 地产 置业 服务 贸易 进出口 商业 有限 高新 新型 开发 创新 管理 系统
        农村商业""".split(),
        key=len,
        reverse=True,
    )
)
_GENERIC_RE = re.compile("|".join(_GENERIC_WORDS))
# Words before a brand that say where or what, not who (南方双林, 北方华锦, 中国航发 …).
_REGION_WORDS = "南方 北方 东方 西部 东部 中部 华东 华南 华北 华中 西南 西北 东北 中原 江南 岭南"
_DESCRIPTIVE_RE = re.compile(
    "(?:" + "|".join([*_GENERIC_WORDS, *_REGION_WORDS.split(), *_PROVINCES, *_CITIES, "中华", "中"]) + ")+"
)
# Exchange short names that put a place before a known name (深康佳 for 康佳集团, 穗恒运 for
# 广州恒运). Not the abbreviations that also start everyday names (新希望, 吉利, 宁德, 青岛).
_LISTING_INITIALS = frozenset("深穗沪京津渝粤川蜀黔滇湘鄂苏浙闽赣桂冀晋豫鲁皖辽陕琼")


def _prepare(name: object) -> str:
    """normalize + truncation; emoji and other symbols disappear in `compact` later."""
    raw = str(name or "")[:_RAW_LIMIT]
    return normalize(raw)[:MAX_NAME_CHARS]


@dataclass(frozen=True)
class NameKey:
    """A name reduced for comparison: `key` (what `company_key` returns), the distinctive
    `place` it starts with (a province's one-character abbreviation or a city), the
    `core` after that place, and for Latin names the words and the places they name."""

    key: str
    place: str | None = None
    core: str = ""
    latin: bool = False
    words: tuple[str, ...] = ()
    places: frozenset[str] = frozenset()
    initials: frozenset[str] = frozenset()  # how a short name starts for this place (深, 京 or 北)
    # Written with a legal form (…有限公司, Co., Ltd.): a registered name, complete as it
    # stands - not an abbreviation of a longer one.
    registered: bool = False
    # A city after the province (广西|梧州|中恒集团): part of the place, not of the core.
    subplace: str | None = None
    # 股份, 集团 and 控股 written in the name but not part of the key (宏达股份, 中恒集团,
    # 广西梧州中恒集团股份有限公司)
    group_words: frozenset[str] = frozenset()


def name_key(name: object) -> NameKey:
    """The comparison key of a company name with its place split off."""
    text = _prepare(name)
    text = _ST_PREFIX_RE.sub("", text)
    text = _NEW_LISTING_RE.sub("", text)
    text = re.sub(r"^the\s+", "", text)
    registered = _has_legal_form(text)
    written = compact(text)
    text = _strip_legal(text)
    key = compact(text)
    group_words = frozenset(w for w in _GROUP_WORDS if w in written and w not in key)
    if key and _is_ascii(key):
        words = tuple(
            w
            for w in re.split(r"[^0-9a-z']+", text)
            if w and w not in _EN_STOPWORDS and w not in _EN_LEGAL_WORDS
        )
        places = frozenset(w.replace("'", "") for w in words if w in _LATIN_PLACES)
        return NameKey(key, None, key, True, words, places, registered=registered, group_words=group_words)
    place = None
    matched = _PROVINCE_RE.match(key)
    if matched:
        full = _province_of(matched.group(0))
        place = _PROVINCES[full]
        core = key[matched.end() :]
        key = place + core
        city = _match_city(core)
        subplace = None
        initials = {place, full[0]}
        if city and len(core) > city[1] and _CITY_PROVINCE[city[0]] == place:
            subplace, core = city[0], core[city[1] :]
            # 河化 for 广西河池化工: the city's initial (or its one-character name) may lead
            initials |= {subplace[0], *_CITY_ALIASES.get(subplace, ())}
        return NameKey(key, place, core, initials=frozenset(initials),
                       registered=registered, group_words=group_words, subplace=subplace)
    else:
        if key and key[0] in _ALT_ABBREVIATIONS:
            key = _ALT_ABBREVIATIONS[key[0]] + key[1:]
        city = _match_city(key)
        if city and len(key) > city[1]:
            place = city[0]
            key = place + key[city[1] :]
        core = key[len(place) :] if place else key
    if not place:
        return NameKey(key, None, core, registered=registered, group_words=group_words)
    # A short name starts with the city's first character (深 for 深圳) or its province's
    # abbreviation (鄂 for 武汉).
    return NameKey(key, place, core,
                   initials=frozenset({place[0], _CITY_PROVINCE[place], *_CITY_ALIASES.get(place, ())}),
                   registered=registered, group_words=group_words)


_GROUP_WORDS = ("股份", "集团", "控股")
# Legal forms that make a written name a registered one (not 集团/股份/控股: short names
# carry those too, 中恒集团, 北方股份).
_CJK_LEGAL_FORM_RE = re.compile(r"(?:公司|有限责任|有限)[\s\W_]*$")
_EN_REGISTERED_WORDS = frozenset(
    "co company ltd limited inc incorporated corp corporation gmbh ag sa se plc llc nv bv spa "
    "kk pte pty asa oy".split()
)


def _has_legal_form(text: str) -> bool:
    if _CJK_LEGAL_FORM_RE.search(text):
        return True
    words = [w for w in re.split(r"[^0-9a-z]+", text) if w]
    return len(words) >= 2 and any(w in _EN_REGISTERED_WORDS for w in words[1:])


def is_only_legal_form(name: object) -> bool:
    """True for a name that is nothing but legal forms (有限公司, 股份有限公司, Co., Ltd.)."""
    text = compact(_PAREN_WORDS_RE.sub("", _prepare(name)))
    while text:
        for suffix in _CJK_LEGAL_SUFFIXES:
            if text.endswith(suffix):
                text = text[: -len(suffix)]
                break
        else:
            break
    if text and _is_ascii(text):
        words = [w for w in re.split(r"[^0-9a-z]+", _prepare(name)) if w]
        return bool(words) and all(w in _EN_LEGAL_WORDS for w in words)
    return not text and bool(compact(_prepare(name)))


def company_key(name: object) -> str:
    """The comparison key of a company name ('' when nothing identifying is left).

    >>> company_key("珠海格力电器股份有限公司"), company_key("*ST 格力电器Ａ")
    ('珠海格力电器', '格力电器')
    >>> company_key("广东电力发展股份有限公司"), company_key("粤电力A")
    ('粤电力发展', '粤电力')
    """
    return name_key(name).key


def _province_of(matched: str) -> str:
    for full in sorted(_PROVINCES, key=len, reverse=True):
        if matched.startswith(full):
            return full
    raise AssertionError(matched)  # pragma: no cover - the regex only matches these


def acronyms(name_en: object) -> set[str]:
    """Initials of an English name: 'State Power Investment Corporation' -> spic, spi."""
    words = [w for w in re.split(r"[^0-9a-z]+", _prepare(name_en)) if w]
    words = [w for w in words if w not in _EN_STOPWORDS]
    if len(words) < 2:
        return set()
    core = [w for w in words if w not in _EN_LEGAL_WORDS]
    without_co = [w for w in words if w not in ("co", "company")]
    without_form = [w for w in words if w not in ("co", "company", "ltd", "limited")]
    found = {
        "".join(w[0] for w in seq)
        for seq in (words, core, without_co, without_form)
        if len(seq) >= 2
    }
    return {a for a in found if 2 <= len(a) <= 6}


# --- records and answers ----------------------------------------------------------------


@dataclass(frozen=True)
class InvestorName:
    id: object
    name: str
    name_en: str | None = None
    aliases: tuple[str, ...] = ()
    # Texts a person chose this investor for when they resolved to none with confidence
    # (learned at the signing desk): each one matches only when written exactly - width,
    # case, spaces and punctuation aside - never as part of another name, so teaching the
    # resolver one short name never changes the answer for any other query.
    known_as: tuple[str, ...] = ()


# Why a candidate was considered: the kind of likeness, said to people.
WHY = {
    "same": N_("the same name once legal form, share class and spaces are set aside"),
    "acronym": N_("the initials of its English name"),
    "abbreviation": N_("a short form of it (characters kept in order)"),
    "contained": N_("the start of it"),
    "inner": N_("part of it"),
    "extends": N_("it with more words"),
    "similar": N_("spelled alike"),
    "other_place": N_("alike, but it names another place"),
    "chosen": N_("an organiser chose it for exactly this text"),
}
SOURCES = {
    "name": N_("registered name"),
    "name_en": N_("English name"),
    "alias": N_("alias"),
    "known_as": N_("name learned at the signing desk"),
}


@dataclass(frozen=True)
class Candidate:
    """One known investor considered for a query: its score and why."""

    record: InvestorName
    score: float
    kind: str  # a key of WHY
    source: str  # "name", "name_en" or "alias"
    matched: str  # the text of the record that was compared
    # the comparison key of `matched` as the index holds it (None: not indexed, an acronym)
    key: NameKey | None = field(default=None, compare=False, repr=False)

    @property
    def name_key(self) -> NameKey:
        return self.key if self.key is not None else name_key(self.matched)

    def __iter__(self):  # (record, score) unpacking, as before
        return iter((self.record, self.score))

    def __getitem__(self, index: int):
        return (self.record, self.score)[index]

    @property
    def why(self) -> Message:
        """“阿里 is part of 阿里巴巴 (alias)”-style reason, translatable."""
        return Message(
            N_("“%(matched)s” (%(source)s): %(why)s"),
            {"matched": self.matched, "source": Message(SOURCES[self.source]),
             "why": Message(WHY[self.kind])},
        )


@dataclass(frozen=True)
class Resolution:
    query: str
    match: InvestorName | None
    score: float
    runner_up: InvestorName | None
    runner_up_score: float
    candidates: list[Candidate] = field(default_factory=list)
    # the runner-up's kind as the contest rule sees it (None: it does not contest)
    contest_kind: str | None = None

    @property
    def confident(self) -> bool:
        return self.match is not None

    @property
    def message(self) -> Message:
        best = self.candidates[0].record if self.candidates else None
        if self.match is not None:
            return Message(
                N_("Matched %(name)s (score %(score).0f)"),
                {"name": self.match.name, "score": self.score},
            )
        if best is None:
            return Message(N_("No known investor resembles “%(query)s”"), {"query": self.query})
        return Message(
            N_("No confident match for “%(query)s”; closest: %(name)s (score %(score).0f)"),
            {"query": self.query, "name": best.name, "score": self.candidates[0].score},
        )


class NameInputError(ValueError):
    """Refused input; `.message` is a Message for people."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


def _is_ascii(text: str) -> bool:
    return all(ord(ch) < 128 for ch in text)


def check_name(query: object) -> NameKey:
    """The query's key, or NameInputError for blank input or nothing identifying."""
    if query is None or not str(query).strip():
        raise NameInputError(Message(N_("Enter a company name.")))
    qkey = name_key(query)
    if not any(ch.isalnum() or is_cjk(ch) for ch in qkey.key):
        raise NameInputError(
            Message(
                N_("“%(query)s” has no letters or characters to match."),
                {"query": str(query)[:50]},
            )
        )
    return qkey


# --- scoring ------------------------------------------------------------------------------

# Tuned on the calibration part of benchmarks/data/listed_companies.csv and on
# tests/data/company_names.csv (benchmarks/bench_names.py reports both splits).
_ABBREV_BASE = 82.0  # every query character found in order in the known name ...
_ABBREV_COVER = 14.0  # ... plus this much for covering all its informative characters
_ABBREV_BLOCK = 5.0  # minus this per extra piece the query is split into
_NOT_BRAND_START = 8.0  # the query does not start where the known name's brand starts
_PLACE_DROPPED = 3.0  # the query leaves out the known name's place (格力电器, 珠海格力电器)
_PLACE_INITIAL = 2.0  # bonus: the query starts with the place's initial (深 for 深圳)
_OTHER_PLACE_CAP = 60.0  # two different places are never a small difference
_MAX_SHORT_FORM = 97.0
_SKIPPED_WORD = 0.0
_SKIPPED_BRAND = 4.0
_DESCRIPTIVE_INSIDE_CAP = 70.0
_PLACE_INITIAL_ONLY = 92.0
_SAME_PLACE = 4.0
_TWO_INITIALS = 86.0  # a two-character short name: the place's initial and the core's  # per word of two or more characters skipped inside the known name
_SHORT_FORMS = frozenset({"abbreviation", "contained"})
_PART_OF = frozenset({"abbreviation", "contained", "inner"})  # the query is part of the known name
_CONTAINS_QUERY = _PART_OF | {"same"}  # every character of the query is in the known name
# A runner-up contests the best answer when it holds the query in one piece as well (隆基股份:
# 隆基绿能 and 山东隆基机械); one that only has its characters scattered (万科 in 万马科技)
# is weaker evidence and the ordinary lead decides.
_CONTESTS = frozenset({"same", "contained", "inner"})
# Below every acceptance floor: a registered name that is only part of a known one is shown
# as a candidate, never accepted.
_REGISTERED_PART_CAP = 66.0
_SUFFIXED_SAME = 98.0
_SUBSIDIARY_CAP = 90.0  # a longer name containing a query that is exactly another company's


def _generic_unmatched(known: str, matched_positions: set[int]) -> int:
    """Characters of descriptive words (集团, 药业 …) in `known` of which none was matched."""
    total = 0
    for found in _GENERIC_RE.finditer(known):
        if not any(i in matched_positions for i in range(found.start(), found.end())):
            total += found.end() - found.start()
    return total


def _brand_ratio(query: str, known: str) -> float:
    """Edit similarity of the distinctive parts: 浩丰科技 and 浩云科技 share 科技, not a brand."""
    query_brand, known_brand = _GENERIC_RE.sub("", query), _GENERIC_RE.sub("", known)
    raw = Indel.normalized_similarity(query, known) * 100
    if query_brand and known_brand:
        return min(raw, Indel.normalized_similarity(query_brand, known_brand) * 100)
    return raw


def _core_score(query: str, known: str, *, allow_extends: bool = True,
                same_place: bool = False) -> tuple[float, str]:
    """Score a query part against a known part (CJK), with the kind of likeness."""
    if not query or not known:
        return 0.0, "similar"
    if query == known:
        return 98.0, "same"
    lq, lk = len(query), len(known)
    ratio = _brand_ratio(query, known)
    if lq < lk:
        if lq < 2:
            return min(ratio, 60.0), "similar"
        opcodes = LCSseq.opcodes(query, known)
        equal = [op for op in opcodes if op.tag == "equal"]
        matched = sum(op.src_end - op.src_start for op in equal)
        if matched == lq:  # a subsequence: an abbreviation or a contiguous part
            positions = {i for op in equal for i in range(op.dest_start, op.dest_end)}
            informative = max(lq, lk - _generic_unmatched(known, positions))
            score = (
                _ABBREV_BASE + _ABBREV_COVER * lq / informative - _ABBREV_BLOCK * (len(equal) - 1)
            )
            at_start = known.startswith(query[0])
            if not at_start and known[: equal[0].dest_start] in _COUNTIES:
                # a county before the brand (怀集|登云汽配, 杨凌|美畅): a place a short name
                # drops, as it drops a city
                at_start = True
                score -= _PLACE_DROPPED
            if not at_start:
                # A long contiguous part (泰山石油 in 中国石化山东泰山石油) is still good evidence.
                skipped = known[: equal[0].dest_start]
                long_part = lq >= 4 and len(equal) == 1
                parent = len(skipped) >= 3 or skipped.endswith("集团")  # a parent's name first
                if _DESCRIPTIVE_RE.fullmatch(skipped):
                    # Only descriptive or place words before the brand (南方|双林生物,
                    # 中国|航发航空科技, 北方|华锦): short names drop those freely.
                    score -= _NOT_BRAND_START / 2
                elif long_part and parent:
                    score -= _NOT_BRAND_START / 2
                else:
                    score -= _NOT_BRAND_START
                    if len(skipped) >= 2 and not same_place:
                        # a brand of its own left out (杭州中泰|深冷, 深圳华控|赛格): more
                        # often another company's name that shares a word
                        score -= _SKIPPED_BRAND
            # A whole word skipped inside (宁德|时代|新能源): often the brand of another company.
            for before, after in zip(equal, equal[1:], strict=False):
                gap = known[before.dest_end : after.dest_start]
                if len(gap) >= 2 and not _GENERIC_RE.fullmatch(gap):
                    score -= _SKIPPED_WORD
            if not at_start and len(_GENERIC_RE.sub("", query)) < 2:
                # Only descriptive words found inside (新能源 in 宁德时代新能源): no evidence
                # of the brand.
                score = min(score, _DESCRIPTIVE_INSIDE_CAP)
            if len(equal) == 1:
                return max(score, ratio), "contained" if at_start else "inner"
            # Characters left out of the middle: the block rules decide, not the edit ratio.
            return score, "abbreviation" if at_start else "inner"
    elif lk < lq and lk >= 3 and allow_extends:
        # The known text is the query's ending (珠海格力电器 for alias 格力电器) or, weakly,
        # its beginning (格力地产, 比亚迪电子: an extra ending usually names another company).
        if query.endswith(known):
            return max(ratio, 78 + 20 * lk / lq), "extends"
        if query.startswith(known):
            return max(ratio, 65 + 15 * lk / lq), "extends"
    return ratio, "similar"


def _province(place: str) -> str:
    """The province abbreviation of a place (a province's is itself)."""
    return _CITY_PROVINCE.get(place, place)


def _cjk_score(q: NameKey, k: NameKey) -> tuple[float, str]:
    if q.place and k.place and q.place != k.place:
        capped = min(Indel.normalized_similarity(q.key, k.key) * 100, _OTHER_PLACE_CAP), "other_place"
        # A city inside the province the other name starts with (广安爱众 and 四川广安爱众: 广安
        # is in 四川) is no other place when the rest of the name starts with that city.
        if q.place in _CITY_PROVINCE and _province(q.place) == k.place:
            if k.subplace == q.place:
                # the same city, written with and without its province (江阴银行 and 江苏江阴
                # 农村商业银行): the rest decides, as for two names of one place
                score, kind = _core_score(q.core, k.core, same_place=True)
                return score - _PLACE_DROPPED, kind
            result = _core_score(q.key, k.core)
        elif k.place in _CITY_PROVINCE and _province(k.place) == q.place:
            result = _core_score(q.core, k.core) if q.subplace == k.place else _core_score(q.core, k.key)
        else:
            return capped
        if result[1] in ("same", "contained"):
            return result[0] - _PLACE_DROPPED, result[1]
        return capped
    if q.place == k.place:  # the same place, or none on either side
        if q.subplace and k.subplace and q.subplace != k.subplace:
            return min(Indel.normalized_similarity(q.key, k.key) * 100, _OTHER_PLACE_CAP), "other_place"
        if q.place and q.core == k.core:
            # 广西梧州中恒 and 广西中恒: alike, but only identical keys are the same company
            return (100.0 if q.subplace == k.subplace else 98.0), "same"
        result = _core_score(q.core if q.place else q.key, k.core if k.place else k.key,
                             same_place=bool(q.place))
        if q.place and result[1] in ("inner", "contained", "abbreviation") and (
            len(_GENERIC_RE.sub("", q.core)) >= 2
        ):
            # The query names the same place and a distinctive part of the name (天津磁卡 for
            # 天津环球磁卡; not 宁德新能源 for 宁德时代新能源: 新能源 alone is descriptive).
            result = (min(result[0] + _SAME_PLACE, _MAX_SHORT_FORM), result[1])
        if not q.place and len(q.key) >= 3 and q.key[0] in _LISTING_INITIALS:
            # 深康佳 for 康佳集团, 深天马 for 天马微电子: the listing's place initial before a
            # known name (or the start of one)
            if q.key[1:] == k.key:
                result = max(result, (_PLACE_INITIAL_ONLY, "abbreviation"))
            else:
                score, kind = _core_score(q.key[1:], k.key)
                if kind == "contained":
                    result = max(result, (min(score, _PLACE_INITIAL_ONLY) - _PLACE_DROPPED,
                                          "abbreviation"))
        return result
    if k.place:  # the query has no place; the known name has one
        options = []
        # The core alone is no name: only the query's being part of it counts.
        score, kind = _core_score(q.key, k.core, allow_extends=False)
        options.append((score - _PLACE_DROPPED, kind))
        if k.place in _CITY_PROVINCE and q.key.startswith(k.place):
            # 张家界 (the city's name is the whole short name)
            options.append(_core_score(q.key, k.key, allow_extends=False))
        if k.subplace and q.key.startswith(k.subplace):
            # 连云港, 鄂尔多斯: the city after the province leads the short name
            score, kind = _core_score(q.key, k.subplace + k.core, allow_extends=False)
            options.append((score - _PLACE_DROPPED, kind))
        if q.key[0] in k.initials:
            if len(q.key) >= 3:
                score, kind = _core_score(q.key[1:], k.core)
                kind = "inner" if kind in ("inner", "similar") else "abbreviation"
                options.append((min(score + _PLACE_INITIAL, _MAX_SHORT_FORM), kind))
            elif k.core.startswith(q.key[1]):  # 南钢 for 南京钢铁, 广汽 for 广州汽车
                options.append((_TWO_INITIALS, "abbreviation"))
        return max(options)
    if q.place:
        # The query names a place the known name does not (贵州茅台 for alias 茅台集团).
        score, kind = _core_score(q.core, k.key)
        return max(_core_score(q.key, k.key), (score - 2 * _PLACE_DROPPED, kind))
    return _core_score(q.key, k.key)


# Descriptive words of English names (the trade, not the brand): two names that share them
# and differ in the brand are two companies (Lens Technology, Leon Technology).
_EN_GENERIC_WORDS = frozenset(
    """technology technologies tech science sciences sci scientific industry industrial industries
    new material materials electronic electronics electric electrical electro environmental
    environment protection chemical chemicals chemistry pharmaceutical pharmaceuticals pharma
    medical medicine bio biotech biotechnology biological engineering equipment development
    investment international energy power resources resource information network software
    digital communication communications telecom intelligent smart machinery machine mechanical
    manufacturing precision automation auto automotive construction culture cultural media food
    foods products product services service supply chain trade trading stock joint share
    holding holdings group enterprise enterprises industrial system systems""".split()
)


_LATIN_OTHER_WORD_CAP = 80.0  # below the acceptance floor of any English likeness


def _latin_brand(k: NameKey) -> str:
    return "".join(w for w in k.words if w not in _EN_GENERIC_WORDS and w not in _LATIN_PLACES)


def _unpaired_word(q: NameKey, k: NameKey) -> bool:
    """Has one of two English names a word the other lacks, places and legal forms aside
    (Zhongjin Gold and Zhongjing Food; Dongfang Electronics and Dongfang Electric; Industrial
    and Commercial Bank of China and Bank of China)? A word pairs only with one spelled nearly
    alike (a typo: Electircal, Electrical), not with a longer or another one."""
    qw = [w for w in q.words if w not in _LATIN_PLACES]
    kw = [w for w in k.words if w not in _LATIN_PLACES]
    if not qw or not kw:
        return False

    def paired(word: str, others: list[str]) -> bool:
        return any(Indel.normalized_similarity(word, other) >= 0.85 for other in others)

    return not all(paired(w, kw) for w in qw) or not all(paired(w, qw) for w in kw)


def _latin_score(q: NameKey, k: NameKey) -> tuple[float, str]:
    score = Indel.normalized_similarity(q.key, k.key) * 100
    q_brand, k_brand = _latin_brand(q), _latin_brand(k)
    if q_brand and k_brand:
        # spelled alike only as far as the brands are alike
        score = min(score, Indel.normalized_similarity(q_brand, k_brand) * 100)
    kind = "similar"
    lq, lk = len(q.key), len(k.key)
    if lq < lk and lq >= 4 and q.key in k.key:
        score, kind = max(score, 78 + 20 * lq / lk), "contained"
    elif lk < lq and lk >= 4 and q.key.endswith(k.key):
        score, kind = max(score, 78 + 20 * lk / lq), "extends"
    elif lk < lq and lk >= 4 and q.key.startswith(k.key):
        score, kind = max(score, 65 + 15 * lk / lq), "extends"
    if q.places and k.places and not (q.places & k.places):
        return min(score, _OTHER_PLACE_CAP), "other_place"
    if kind == "similar" and q.key[:1] != k.key[:1]:
        # A typo rarely changes the first letter: Haitong is not Caitong.
        score = min(score, 70.0)
    if q.registered and kind in ("similar", "contained", "extends") and _unpaired_word(q, k):
        # A registered English name is complete: a word more or less names another company,
        # however alike the letters are.
        score = min(score, _LATIN_OTHER_WORD_CAP)
    return score, kind


def score_keys(q: NameKey, k: NameKey) -> tuple[float, str]:
    """Score one query key against one known key (0-100), with the kind of likeness."""
    if not q.key or not k.key:
        return 0.0, "similar"
    if q.key == k.key:
        return 100.0, "same"
    if q.latin and k.latin:
        score, kind = _latin_score(q, k)
    elif q.latin or k.latin:  # Chinese against English: only a shared spelling counts
        return Indel.normalized_similarity(q.key, k.key) * 100, "similar"
    else:
        score, kind = _cjk_score(q, k)
    if (kind == "same" and score < _SUFFIXED_SAME and not q.registered and q.group_words
            and q.group_words <= k.group_words):
        # 宏达股份 for 四川宏达股份有限公司, 中恒集团 for 广西梧州中恒集团: the short name is the
        # whole name but its place, stronger evidence than a longer name that contains it
        # (株洲宏达电子); not 茅台集团 for 贵州茅台, which has no 集团
        score = _SUFFIXED_SAME
    if q.registered and kind in _PART_OF:
        # A registered name is complete: one that is only part of a longer known name
        # (神州数码集团股份有限公司, 神州数码信息服务) names another company - a parent, a
        # subsidiary, a namesake. Shown as a candidate, never a confident answer.
        score = min(score, _REGISTERED_PART_CAP)
    return score, kind


# --- the resolver -------------------------------------------------------------------------

# How listings shorten a rural commercial bank: 渝农商行 (重庆农村商业银行), 张家港行
# (江苏张家港农村商业银行).
_BANK_FORMS = (("农村商业银行", "农商行"), ("农村商业银行", "行"))


def _variants(text: str) -> list[str]:
    """A known name and the written forms of it that listings use in its place."""
    found = [text]
    for long, short in _BANK_FORMS:
        if long in text:
            found.append(text.replace(long, short, 1))
    return found



class NameResolver:
    """Index of known investors' names; `resolve(query)` per lookup.

    Built once (an import builds it once per file) and kept up to date with `add` (a new
    investor, or new names of a known one) and `remove`, so a list of 10,000 names never
    rebuilds it per row."""

    def __init__(self, records: Iterable[InvestorName] = ()) -> None:
        self.records: list[InvestorName] = []
        self._index_of: dict[object, int] = {}
        self._keys: list[str] = []
        self._key_info: list[NameKey] = []
        self._key_source: list[tuple[str, str]] = []  # (source kind, text)
        self._owners = np.zeros(64, dtype=np.int32)
        self._lengths = np.zeros(64, dtype=np.int32)
        self._exact: dict[str, set[int]] = {}
        self._acronyms: dict[str, set[int]] = {}
        # InvestorName.known_as: compact(text) -> {owner: the text as it was learned}
        self._known_as: dict[str, dict[int, str]] = {}
        self._live: list[bool] = []
        for record in records:
            self.add(record)

    def __len__(self) -> int:
        return sum(self._live)

    def __contains__(self, record_id: object) -> bool:
        index = self._index_of.get(record_id)
        return index is not None and self._live[index]

    def get(self, record_id: object) -> InvestorName | None:
        index = self._index_of.get(record_id)
        return self.records[index] if index is not None and self._live[index] else None

    def same_key(self, text: object) -> list[InvestorName]:
        """Known investors one of whose names has exactly this company key."""
        key = name_key(text).key
        owners = sorted(o for o in self._exact.get(key, ()) if self._live[o]) if key else []
        return [self.records[o] for o in owners]

    def _append_key(self, key: NameKey, owner: int, source: str, text: str) -> None:
        position = len(self._keys)
        if position >= len(self._owners):
            self._owners = np.resize(self._owners, 2 * len(self._owners))
            self._lengths = np.resize(self._lengths, 2 * len(self._lengths))
        self._keys.append(key.key)
        self._key_info.append(key)
        self._key_source.append((source, text))
        self._owners[position] = owner
        self._lengths[position] = len(key.key)
        self._exact.setdefault(key.key, set()).add(owner)

    def add(self, record: InvestorName) -> None:
        """Index a new investor, or replace a known one's names (same id)."""
        if record.id in self._index_of:
            self.remove(record.id)
        index = len(self.records)
        self.records.append(record)
        self._live.append(True)
        self._index_of[record.id] = index
        own: set[str] = set()
        texts = [("name", record.name), ("name_en", record.name_en)]
        texts += [("alias", alias) for alias in record.aliases]
        for source, text in texts:
            for variant in _variants(text) if text else ():
                key = name_key(variant)
                if key.key and key.key not in own:
                    own.add(key.key)
                    self._append_key(key, index, source, text)
        for acronym in acronyms(record.name_en):
            if acronym not in own:
                self._acronyms.setdefault(acronym, set()).add(index)
        for text in record.known_as:
            if said := compact(_prepare(text)):
                self._known_as.setdefault(said, {})[index] = text

    def remove(self, record_id: object) -> None:
        """Forget an investor (merged away, or about to be re-added with new names)."""
        index = self._index_of.pop(record_id, None)
        if index is None:
            return
        self._live[index] = False
        for owners in (*self._exact.values(), *self._acronyms.values()):
            owners.discard(index)
        for texts in self._known_as.values():
            texts.pop(index, None)
        positions = np.nonzero(self._owners[: len(self._keys)] == index)[0]
        self._owners[positions] = -1
        self._lengths[positions] = 10_000  # never a candidate again

    def resolve(self, query: str, *, limit: int = 5, acceptance: Acceptance | None = None,
                model: bool = True) -> Resolution:
        """Best known investor for `query`; `match` is None unless confident.

        Raises NameInputError (a ValueError with a Message) for blank input or a name with
        no letters or characters left (emoji, punctuation); a legal form alone (有限公司) is
        answered - never confidently - and refused only as a new investor's name
        (resolution.check_new_name). `model=False`
        decides every name by the threshold rules of `acceptance` (the calibration's use).
        """
        qkey = check_name(query)
        best: dict[int, Candidate] = {}

        def offer(owner: int, value: float, kind: str, position: int | None) -> None:
            current = best.get(owner)
            if current is not None and current.score >= value:
                return
            record = self.records[owner]
            if position is None:
                source, text, key = "name_en", record.name_en or record.name, None
            else:
                (source, text), key = self._key_source[position], self._key_info[position]
            best[owner] = Candidate(record, round(value, 1), kind, source, text, key)

        for position in self._candidate_keys(qkey.key):
            owner = int(self._owners[position])
            if owner < 0:
                continue
            value, kind = score_keys(qkey, self._key_info[position])
            offer(owner, value, kind, position)
        for owner in self._acronyms.get(qkey.key, ()):
            offer(owner, 95.0, "acronym", None)

        if any(c.kind == "same" and c.score >= 100 for c in best.values()):
            # The query is exactly one company's name: a longer name that contains it
            # (神州数码 and 神州数码信息服务) is a different company - a subsidiary or a
            # namesake - unless an alias of it says otherwise (an alias would be "same").
            for owner, c in list(best.items()):
                if c.kind in _PART_OF and c.score > _SUBSIDIARY_CAP:
                    best[owner] = Candidate(c.record, _SUBSIDIARY_CAP, c.kind, c.source, c.matched,
                                            c.key)
        chosen, learned = self._chosen_before(query, best)
        if chosen is not None:
            best[chosen] = Candidate(self.records[chosen], 100.0, "chosen", "known_as", learned)
        ranked = sorted(best.items(), key=lambda item: (-item[1].score, item[0] != chosen, item[0]))
        candidates = [c for _i, c in ranked[: max(limit, 5)] if c.score > 0]
        top = candidates[0] if candidates else None
        runner = candidates[1] if len(candidates) > 1 else None
        best_score = top.score if top else 0.0
        runner_score = runner.score if runner else 0.0
        rule = acceptance or ACCEPTANCE
        contest_kind = _contest_kind(qkey, top, runner)
        if top is None:
            confident = False
        elif chosen is not None:
            confident = True  # a person chose this investor for exactly this text
        elif model and uses_model(qkey, top):
            # two candidates holding the query in one piece, close together: never a guess
            confident = not rule.vetoes(top.kind, best_score, runner_score, contest_kind) and (
                ACCEPTANCE_MODEL.accepts(acceptance_features(query, qkey, candidates[:5], contest_kind)))
        else:
            confident = rule.confident(top.kind, best_score, runner_score, contest_kind,
                                       long_part(qkey, top))
        return Resolution(
            query=str(query)[:MAX_NAME_CHARS],
            match=top.record if confident else None,
            score=best_score,
            runner_up=runner.record if runner else None,
            runner_up_score=runner_score,
            candidates=candidates[:limit],
            contest_kind=contest_kind,
        )

    def _chosen_before(self, query: str, best: dict[int, Candidate]) -> tuple[int | None, str]:
        """(the one investor a person chose for exactly this text, the text as learned), or
        (None, ""): nobody did, several investors were chosen for it, or the text is another
        investor's name (its company key, a place aside) - then the candidates decide."""
        texts = self._known_as.get(compact(_prepare(query)), {})
        if len(texts) != 1:
            return None, ""
        (owner, learned), = texts.items()
        if any(o != owner and c.kind == "same" for o, c in best.items()):
            return None, ""
        return owner, learned

    def _candidate_keys(self, qkey: str) -> Sequence[int]:
        """Positions of the keys worth an exact rerank (vectorised LCS over all keys)."""
        count = len(self._keys)
        if not count:
            return []
        exact = [
            p
            for owner in self._exact.get(qkey, ())
            for p in np.nonzero(self._owners[:count] == owner)[0].tolist()
        ]
        lcs = process.cdist(
            [qkey], self._keys, scorer=LCSseq.similarity, dtype=np.int32, workers=1
        )[0]
        lq = len(qkey)
        lengths = self._lengths[:count]
        # Upper bounds of what the scorer can give: ratio, and coverage of the shorter side.
        ratio = 200.0 * lcs / (lq + lengths)
        cover = lcs / np.minimum(lq, lengths)
        rough = np.maximum(ratio, np.where(cover >= 0.66, 70 + 30 * cover, 0))
        rough[self._owners[:count] < 0] = 0
        top_n = min(_RERANK, count)
        top = np.argpartition(-rough, top_n - 1)[:top_n]
        return list(dict.fromkeys([*exact, *(int(i) for i in top if rough[i] > 0)]))


# Fitted by `python benchmarks/calibrate_names.py --model` (budget 0.7 %): 57 weights, in the
# order of `acceptance_features`.
ACCEPTANCE_MODEL = AcceptanceModel(
    weights=(
        -2.846218, -0.08385, 0.899441, 4.490397, 0.0, 3.779473,
        -6.973178, 0.347487, 0.0, 0.0, 0.0, 0.0,
        -1.069878, -0.78882, 0.310908, -3.638181, 5.73804, 7.862761,
        2.885904, 2.142562, -3.550039, -2.637091, 0.295397, 0.0,
        0.0, -0.065741, -1.182302, -1.080001, -0.442425, 1.192425,
        0.0, -0.046283, -1.593909, 0.0, 6.283756, 1.40637,
        -0.884463, 0.0, -4.511312, 6.977942, -2.55048, 0.0,
        0.0, 0.0, 0.0, 0.0, 0.765291, 1.799802,
        -1.665653, 0.0, 0.0, 0.0, 0.0, 6.123163,
        -10.885815, 2.344592, 6.943752,
    ),
    threshold=0.893,
)
