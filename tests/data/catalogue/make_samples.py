"""Generate the catalogue sample files in this folder (run: python make_samples.py).

The files are committed; tests/catalogue/test_parser.py asserts exactly what each row gives.

prefecture_zunyi.xlsx, row by row (1-based, as Excel shows them):
   1  title, merged A1:L1                                -> skipped: title above the header
   2  "填报单位…", merged A2:L2                          -> skipped: title above the header
   3  header; 总投资（亿元） has a unit, 拟引资金额 has none, 用地面积（亩） is unknown (extra)
   4  "一、汇川区（3个）", merged A4:L4                   -> skipped: section heading
   5  1 汇川区新能源汽车电池材料产业园, sector 电池材料 merged C5:C7, 12, "约5亿元"
                                                         -> parsed; warning: approximate
   6  2 遵义锂电池隔膜项目, (merged sector), 3.2, "5000万" -> parsed; warning: 万元 -> 0.5亿元
   7  3 汇川区电池回收项目, (merged sector), 汇川区, 8, "2亿元"
                                                         -> parsed; warning: region inferred
   8  blank                                              -> skipped: blank row
   9  小计                                               -> skipped: subtotal
  10  "二、仁怀市（2个）"                                -> skipped: section heading
  11  4 仁怀市光伏发电项目, 光伏, "６.５" (full width), "4亿元", PPP -> parsed, no warning
  12  5 仁怀生态旅游度假区, "生态旅游、大数据产业", 仁怀市, 20, "1.5亿"
                                                         -> parsed; warnings: fuzzy sector, region
  13  6 (no name)                                        -> rejected: name missing
  14  7 遵义稀土冶炼项目, 稀土冶炼                       -> rejected: unknown sector
  15  8 红花岗区新材料项目, sought "3" (no unit anywhere) -> rejected: no unit
  16  9 遵义新能源储能电站, total 1 < sought "2亿元"     -> rejected: total < sought
  17 10 遵义大数据中心                                   -> rejected: number 10 also on row 18
  18 10 遵义云计算项目                                   -> rejected: number 10 also on row 17
  19 11 汇川区资源综合利用项目, sought "-2亿元"          -> rejected: negative
  20 12 汇川区新能源汽车电池材料产业园项目, "5亿元"       -> parsed; duplicate hint of row 5
  21  合计                                               -> skipped: total
  22  blank                                              -> skipped: blank row
  23  "注：1. 金额单位除注明外为亿元；", merged A23:L23   -> skipped: note
  24  "2. 数据来源：遵义市投资促进局"                    -> skipped: note
"""

from __future__ import annotations

import io
import json
import random
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent

# Small taxonomies the parser tests use (written as fixture_*.json), so tests do not
# depend on data/*.json.
SECTORS = [
    {"code": "nev", "name": "新能源汽车及电池材料", "name_en": "New-energy vehicles and battery materials",
     "aliases": ["新能源汽车产业"], "children": [
        {"code": "nev.battery", "name": "电池材料", "name_en": "Battery materials", "aliases": ["锂电池材料"]},
        {"code": "nev.vehicles", "name": "新能源汽车", "name_en": "New-energy vehicles", "aliases": ["NEV"]},
    ]},
    {"code": "new_energy", "name": "新能源", "name_en": "New energy", "aliases": [], "children": [
        {"code": "new_energy.solar", "name": "光伏发电", "name_en": "Solar power", "aliases": ["光伏", "Solar"]},
    ]},
    {"code": "big_data", "name": "大数据电子信息", "name_en": "Big data and electronic information",
     "aliases": ["大数据", "Big data"]},
    {"code": "new_materials", "name": "新材料", "name_en": "New materials", "aliases": []},
    {"code": "eco_tourism", "name": "生态旅游", "name_en": "Eco-tourism", "aliases": ["旅游"]},
    {"code": "recycling", "name": "资源综合利用", "name_en": "Resource recycling",
     "aliases": ["循环利用", "磷石膏综合利用"]},
]
REGIONS = [
    {"code": "520100", "name": "贵阳市", "name_en": "Guiyang", "pinyin": "guiyang", "short": "贵阳", "children": [
        {"code": "520111", "name": "花溪区", "name_en": "Huaxi District", "pinyin": "huaxi", "short": "花溪"},
        {"code": "520115", "name": "观山湖区", "name_en": "Guanshanhu District", "pinyin": "guanshanhu", "short": "观山湖"},
    ]},
    {"code": "520300", "name": "遵义市", "name_en": "Zunyi", "pinyin": "zunyi", "short": "遵义", "children": [
        {"code": "520302", "name": "红花岗区", "name_en": "Honghuagang District", "pinyin": "honghuagang", "short": "红花岗"},
        {"code": "520303", "name": "汇川区", "name_en": "Huichuan District", "pinyin": "huichuan", "short": "汇川"},
        {"code": "520382", "name": "仁怀市", "name_en": "Renhuai", "pinyin": "renhuai", "short": "仁怀"},
    ]},
    {"code": "522700", "name": "黔南布依族苗族自治州", "name_en": "Qiannan", "pinyin": "qiannan", "short": "黔南", "children": [
        {"code": "522702", "name": "福泉市", "name_en": "Fuquan", "pinyin": "fuquan", "short": "福泉"},
    ]},
    {"code": "529900", "name": "贵安新区", "name_en": "Gui'an New Area", "pinyin": "guian", "short": "贵安", "children": []},
]

ZUNYI_HEADER = [
    "序号", "项目名称", "所属产业", "建设地点", "总投资（亿元）", "拟引资金额", "合作方式",
    "建设内容", "用地面积（亩）", "项目业主", "联系人", "联系电话",
]
ZUNYI_ROWS: dict[int, list[object]] = {
    1: ["遵义市2023年绿色产业招商推介项目表"],
    2: ["填报单位：遵义市投资促进局"],
    3: ZUNYI_HEADER,
    4: ["一、汇川区（3个）"],
    5: [1, "汇川区新能源汽车电池材料产业园", "电池材料", "遵义市汇川区", 12, "约5亿元", "合资、合作",
        "建设年产5万吨正极材料生产线", 300, "遵义汇川产业投资有限公司", "张三", 85112345678],
    6: [2, "遵义锂电池隔膜项目", None, "遵义市汇川区", 3.2, "5000万", "独资",
        "建设隔膜生产线", None, "遵义某新材料公司", "李四", 13800000000.0],
    7: [3, "汇川区电池回收项目", None, "汇川区", 8, "2亿元", "股权合作",
        "废旧动力电池回收", 120, None, "王五", "0851-28888888"],
    8: [],
    9: ["小计", None, None, None, 23.2, "7.5亿元"],
    10: ["二、仁怀市（2个）"],
    11: [4, "仁怀市光伏发电项目", "光伏", "遵义市仁怀市", "６.５", "4亿元", "PPP",
         "建设100MW光伏电站", None, None, None, None],
    12: [5, "仁怀生态旅游度假区", "生态旅游、大数据产业", "仁怀市", 20, "1.5亿", "合作",
         None, None, None, None, None],
    13: [6, None, "新材料", "遵义市", 5, "2亿元"],
    14: [7, "遵义稀土冶炼项目", "稀土冶炼", "遵义市", 10, "3亿元"],
    15: [8, "红花岗区新材料项目", "新材料", "遵义市红花岗区", 10, "3"],
    16: [9, "遵义新能源储能电站", "新能源", "遵义市", 1, "2亿元"],
    17: [10, "遵义大数据中心", "大数据电子信息", "遵义市", 10, "5亿元"],
    18: [10, "遵义云计算项目", "大数据", "遵义市", 8, "2亿元"],
    19: [11, "汇川区资源综合利用项目", "资源综合利用", "遵义市汇川区", 5, "-2亿元"],
    20: [12, "汇川区新能源汽车电池材料产业园项目", "电池材料", "遵义市汇川区", 12, "5亿元", "合资"],
    21: ["合计", None, None, None, 87.7, "30亿元"],
    22: [],
    23: ["注：1. 金额单位除注明外为亿元；"],
    24: ["2. 数据来源：遵义市投资促进局"],
}


def _save(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _rewrite_member(data: bytes, member: str, rewrite) -> bytes:  # type: ignore[no-untyped-def]
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == member:
                content = rewrite(content)
            target.writestr(info.filename, content)
    return out.getvalue()


def prefecture_zunyi() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "遵义市"
    for row, values in ZUNYI_ROWS.items():
        for column, value in enumerate(values, start=1):
            if value is not None:
                sheet.cell(row=row, column=column, value=value)
    for ref in ("A1:L1", "A2:L2", "A4:L4", "C5:C7", "A10:L10", "A23:L23"):
        sheet.merge_cells(ref)
    return _save(workbook)


def bad_dimension() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["序号", "项目名称", "所属产业", "建设地点", "拟引资金额（亿元）"])
    sheet.append([1, "观山湖区大数据产业园", "大数据", "贵阳市观山湖区", 2.5])
    sheet.append([2, "花溪区生态旅游项目", "生态旅游", "贵阳市花溪区", 1.2])
    sheet.append([3, "贵安新区数据中心", "大数据", "贵安新区", "8000万"])
    data = _save(workbook)
    return _rewrite_member(
        data,
        "xl/worksheets/sheet1.xml",
        lambda xml: re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:A1"', xml),
    )


def zip_bomb() -> bytes:
    """A real workbook whose sheet XML unpacks to 300 MB (mostly spaces)."""
    data = bad_dimension()
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info.filename, source.read(info.filename))
                continue
            xml = source.read(info.filename)
            head, tail = xml.split(b"<sheetData>", 1)
            with target.open(info.filename, "w", force_zip64=True) as member:
                member.write(head + b"<sheetData>")
                chunk = b" " * (1 << 20)
                for _ in range(300):
                    member.write(chunk)
                member.write(tail)
    return out.getvalue()


COUNTY_GBK = (
    "福泉市2023年绿色产业招商项目\n"
    "序号,项目名称,所属产业,建设地点,项目总投资(万元),拟引资金额(万元),合作方式,联系人,联系电话\n"
    "1,福泉市磷石膏综合利用项目,磷石膏综合利用,黔南州福泉市,50000,30000,合资,李四,0854-2222222\n"
    '2,福泉市新型建材项目,新材料,福泉市,"12,000",约8000,独资/合作,王五,13900000000\n'
    "合计,,,,62000,38000,,,\n"
)

COUNTY_UTF8_BOM = (
    "序号\t项目名称\t行业\t项目地点\t总投资（亿元）\t拟引资（亿元）\t合作方式\t项目简介\n"
    "GA-01\t贵安新区绿色数据中心\t大数据\t贵安新区\t１０\t５\t合资\t建设绿色数据中心，PUE低于1.2\n"
    "GA-02\t贵安新能源新材料产业园\t新能源、新材料\t贵安\t20\t12.5\t股权合作\t光伏组件及新材料\n"
)

ENGLISH_HEADERS = (
    "Project name,Sector,Location,Total investment (USD million),Investment sought (USD million),Cooperation mode\n"
    "Zunyi solar farm,Solar,Zunyi,20,10,Joint venture\n"
    "Gui'an data centre,Big data,Gui'an,50,30.5,Equity\n"
    "Huaxi eco-tourism resort,Eco-tourism,Huaxi District,12,USD 8 million,Cooperation\n"
)


def main() -> None:
    for name, items in (("fixture_sectors.json", SECTORS), ("fixture_regions.json", REGIONS)):
        text = json.dumps({"items": items}, ensure_ascii=False, indent=1)
        (HERE / name).write_text(text + "\n", encoding="utf-8")
    (HERE / "prefecture_zunyi.xlsx").write_bytes(prefecture_zunyi())
    (HERE / "bad_dimension.xlsx").write_bytes(bad_dimension())
    (HERE / "zip_bomb.xlsx").write_bytes(zip_bomb())
    (HERE / "not_a_sheet.xlsx").write_bytes(random.Random(3).randbytes(2048))
    (HERE / "empty.csv").write_bytes(b"")
    (HERE / "county_gbk.csv").write_bytes(COUNTY_GBK.encode("gbk"))
    (HERE / "county_utf8_bom.csv").write_bytes(COUNTY_UTF8_BOM.encode("utf-8-sig"))
    (HERE / "english_headers.csv").write_bytes(ENGLISH_HEADERS.encode("utf-8"))


if __name__ == "__main__":
    main()
