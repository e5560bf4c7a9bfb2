"""Recognising catalogue columns by the names people give them (Chinese and English)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from matchmaker.amounts import unit_from_header
from matchmaker.sheets import cell_text
from matchmaker.text import compact, nfkc

# field -> the header names seen in real catalogues (matched on `compact` forms)
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "code": ("序号", "编号", "项目编号", "项目代码", "项目编码", "项目序号", "No.", "No", "Code",
             "Project code", "Project No.", "Number", "#", "S/N"),
    "name": ("项目名称", "项目名", "名称", "项目", "Project name", "Project", "Name", "Project title"),
    "name_en": ("英文名称", "项目英文名称", "项目名称(英文)", "English name", "Project name (English)",
                "Name (English)", "Name in English"),
    "summary_en": ("英文简介", "项目英文简介", "英文概况", "项目简介(英文)", "English summary",
                   "Summary (English)", "Summary in English", "Project summary (English)",
                   "Description (English)"),
    "sectors": ("所属产业", "产业", "行业", "所属行业", "产业类别", "产业分类", "行业类别", "行业分类",
                "产业领域", "所属领域", "产业类型", "Sector", "Sectors", "Industry", "Industry sector"),
    "location": ("建设地点", "项目地点", "项目所在地", "所在地", "地点", "所在地区", "项目建设地点",
                 "实施地点", "所在区域", "区域", "地区", "Location", "Project location", "Site", "Region"),
    "total_investment": ("总投资", "项目总投资", "投资总额", "计划总投资", "总投资额", "估算总投资",
                         "Total investment", "Total"),
    "investment_sought": ("拟引资", "拟引资金额", "引资额", "拟引资额", "拟引进资金", "引资金额",
                          "拟引资规模", "招商引资额", "拟引资总额", "拟招商引资额", "拟引资金",
                          "Investment sought", "Amount sought", "Investment required",
                          "Investment to attract", "Financing sought"),
    "cooperation_modes": ("合作方式", "合作模式", "引资方式", "招商方式", "投资方式",
                          "Cooperation mode", "Cooperation modes", "Mode of cooperation",
                          "Cooperation"),
    "construction_content": ("建设内容", "项目简介", "建设内容及规模", "主要建设内容", "项目概况",
                             "项目内容", "建设规模及内容", "项目建设内容", "Construction content",
                             "Description", "Project description", "Summary", "Scope"),
    "market_outlook": ("市场前景", "效益分析", "市场前景及效益分析", "经济效益", "市场分析",
                       "效益预测", "市场前景分析", "Market outlook", "Market prospects",
                       "Benefits", "Expected returns"),
    "preparation_status": ("项目进展", "前期工作", "前期工作情况", "项目进展情况", "进展情况",
                           "前期工作进展", "项目前期工作进展", "工作进展", "Preparation status",
                           "Progress", "Status", "Project status"),
    "owner": ("项目业主", "业主单位", "联系单位", "项目单位", "责任单位", "实施主体", "项目业主单位",
              "Owner", "Project owner", "Contact organisation", "Contact organization"),
    "contact_person": ("联系人", "项目联系人", "联系人姓名", "Contact", "Contact person"),
    "contact_phone": ("联系电话", "电话", "联系方式", "手机", "电话号码", "Phone", "Telephone", "Tel",
                      "Contact phone", "Phone number"),
}
AMOUNT_FIELDS = ("total_investment", "investment_sought")
HEADER_MIN_SCORE = 75.0

_ALIAS_KEYS: list[str] = []
_ALIAS_FIELDS: list[str] = []
for _field, _aliases in FIELD_ALIASES.items():
    for _alias in _aliases:
        _key = compact(_alias) or _alias.strip()
        if _key not in _ALIAS_KEYS:
            _ALIAS_KEYS.append(_key)
            _ALIAS_FIELDS.append(_field)
_EXACT = dict(zip(_ALIAS_KEYS, _ALIAS_FIELDS, strict=True))
_PAREN_RE = re.compile(r"\(([^()]*)\)")


@dataclass(frozen=True)
class ColumnMapping:
    index: int  # 0-based column index
    header_text: str  # as written
    field: str | None  # None: kept in each row's `extra`
    score: float
    unit: str | None  # amount unit of the column ('亿元'), else None
    # where the unit comes from: 'header' (this column's header), 'parent header' (a
    # merged header over a column group, '投资情况（万元）'), 'sheet' (a line such as
    # 单位：万元 above the table); None without a unit
    unit_source: str | None = None


def header_key(header_text: object) -> str:
    """The compact form used to recognise a header; a unit in brackets is dropped."""
    text = nfkc(cell_text(header_text))
    unit = unit_from_header(text)
    if unit:
        text = _PAREN_RE.sub(lambda m: "" if unit in m[1] else m[0], text)
        for suffix in (unit, "/" + unit):
            if text.endswith(suffix):
                text = text[: -len(suffix)]
    key = compact(text)
    return key or text.strip()


def recognise(header_text: object) -> tuple[str | None, float]:
    """(field, score) for one header cell; (None, best score) when nothing is close enough."""
    key = header_key(header_text)
    if not key:
        return None, 0.0
    field = _EXACT.get(key)
    if field is not None:
        return field, 100.0
    best = process.extractOne(key, _ALIAS_KEYS, scorer=fuzz.ratio)
    field, score = (_ALIAS_FIELDS[best[2]], float(best[1])) if best else (None, 0.0)
    # '所属产业领域' contains '所属产业': a long alias inside a short header is a good sign
    for alias, alias_field in zip(_ALIAS_KEYS, _ALIAS_FIELDS, strict=True):
        if len(alias) >= 2 and alias in key and len(alias) * 2 >= len(key) and score < 88:
            field, score = alias_field, 88.0
    if score < HEADER_MIN_SCORE:
        return None, score
    return field, round(score, 1)


def map_columns(headers: list[object]) -> list[ColumnMapping]:
    """Each field goes to its best column; the other columns stay unmapped (extra)."""
    scored = [(i, *recognise(h)) for i, h in enumerate(headers)]
    taken: dict[str, int] = {}
    for index, field, _score in sorted(scored, key=lambda s: (-s[2], s[0])):
        if field is not None and field not in taken:
            taken[field] = index
    by_index = {index: field for field, index in taken.items()}
    result = []
    for index, _field, score in scored:
        text = cell_text(headers[index])
        if not text and by_index.get(index) is None:
            continue
        assigned = by_index.get(index)
        unit = unit_from_header(text) if assigned in AMOUNT_FIELDS else None
        result.append(
            ColumnMapping(index, text, assigned, score if assigned else 0.0, unit, "header" if unit else None)
        )
    return result
