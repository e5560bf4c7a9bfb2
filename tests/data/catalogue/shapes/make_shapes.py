"""Generate the sheet-shape samples of this folder (run: python make_shapes.py).

These files test layouts, not figures: the projects are illustrative (like the other
samples of tests/data/catalogue), the layouts are those of real provincial sheets
(DOMAIN.md, "What real sheets look like"). Real published rows are in ../real/.

unit_line.xlsx           title, "（单位：万元）" line, plain numbers, headings per prefecture,
                         小计/合计/注 rows, annotated amounts, 待定, ￥ and Chinese numerals,
                         province-wide and out-of-province places, a county under the
                         wrong prefecture, development zones, a project named "Total…"
merged_parent.xlsx       two-row header: "投资情况（万元）" merged over 项目总投资 | 拟引资金额,
                         the other headers merged down over both rows
unit_row.csv             two-row header whose second row holds only the units (万元)
deals_currencies.csv     English list: "Investment (USD million)" with "$1,740",
                         "€120m", "HK$5亿", "6.7亿美元", a yen amount (no rate), sectors
                         such as Real estate and Technology
same_sheet.xls / .ods    the same small table as .xls (BIFF8, written with xlwt) and .ods
                         (OpenDocument, written by hand): both are read by calamine
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl import Workbook

HERE = Path(__file__).parent

UNIT_LINE = [
    ["2024年贵州省绿色产业招商项目汇总表"],
    ["（单位：万元）"],
    ["序号", "项目名称", "所属产业", "建设地点", "项目总投资", "拟引资金额", "合作方式"],
    ["一、遵义市"],
    [1, "汇川区锂电池正极材料项目", "电池材料", "贵州省-遵义市-汇川区", 120000, 50000, "合资"],
    [2, "余庆县光伏电站", "光伏", "遵义市余庆县", "2095.48（建安费2061.29）", 2000, "独资"],
    [3, "湄潭县茶叶深加工项目", "茶产业", "湄潭县", "待定", 3000, "合作"],
    ["小计", None, None, None, 122095.48, 55000],
    ["二、全省及其他"],
    [4, "全省分布式光伏整县推进", "光伏", "贵州省", "五亿元", "两亿元", "PPP"],
    [5, "龙里县生态旅游度假区", "生态旅游", "贵阳市龙里县", "￥9000", 6595.04, "合作"],
    [6, "义龙试验区新型建材项目", "新型绿色建材", "义龙试验区", 8000, "5900(二期预估不超过3000万元)", "独资"],
    [7, "白云区物流园", "节能环保", "广东广州白云", 30000, 10000, "合资"],
    [8, "钟山县再生资源回收项目", "再生资源回收", "广西贺州钟山县", 5000, 2000, "独资"],
    [9, "Total储能电站项目", "绿色储能", "贵阳经开区", 20000, 8000, "合资"],
    [10, "双龙航空港数据中心", "Real estate", "双龙航空港经济区", 40000, 20000, "合作"],
    ["合计", None, None, None, 250095.48, 103595.04],
    ["注：1. 本表金额单位为万元；"],
    ["2. 数据来源：各市州投资促进局"],
]


def unit_line() -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "汇总表"
    for row in UNIT_LINE:
        sheet.append(row)
    for row in (1, 2, 4, 9, 18, 19):
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=7)
    workbook.save(HERE / "unit_line.xlsx")


def merged_parent() -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["铜仁市招商引资项目表"])
    sheet.append(["序号", "项目名称", "所属产业", "建设地点", "投资情况（万元）", None, "合作方式"])
    sheet.append([None, None, None, None, "项目总投资", "拟引资金额", None])
    sheet.append([1, "碧江区电池回收项目", "再生资源回收", "铜仁市碧江区", 30000, 12000, "合资"])
    sheet.append([2, "大龙经开区锰系材料项目", "新型金属材料", "大龙经开区", 80000, "约5亿元", "独资"])
    sheet.merge_cells("A1:G1")
    sheet.merge_cells("E2:F2")
    for column in "ABCDG":
        sheet.merge_cells(f"{column}2:{column}3")
    workbook.save(HERE / "merged_parent.xlsx")


def unit_row() -> None:
    lines = [
        "序号,项目名称,所属产业,建设地点,总投资,拟引资金额,合作方式",
        ",,,,（万元）,（万元）,",
        "1,都匀经开区新材料产业园,新材料,都匀经开区,50000,20000,合资",
        "2,福泉市磷石膏综合利用项目,磷石膏综合利用,黔南州福泉市,36000,18000,独资",
    ]
    (HERE / "unit_row.csv").write_bytes(("\n".join(lines) + "\n").encode("gb18030"))


def deals() -> None:
    lines = [
        "No.,Project,Sector,Location,Investment (USD million),Investment sought (USD million)",
        '1,Zunyi battery cathode plant,Battery materials,Zunyi,"$1,740","$1,200"',
        "2,Guiyang wind farm,Wind,Guiyang,€120m,€80m",
        "3,Gui'an green data centre,Data centres,Gui'an New Area,HK$5亿,HK$3亿",
        "4,Anshun solar park,Solar,Anshun,6.7亿美元,USD 400 million",
        "5,Bijie hydrogen hub,Hydrogen,Bijie,JPY 20000 million,JPY 10000 million",
        "6,Tongren office tower,Real estate,Tongren,$300,$100",
        "7,Kaili smart city platform,Technology,Kaili,$50,$20",
    ]
    (HERE / "deals_currencies.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


SMALL = [
    ["序号", "项目名称", "所属产业", "建设地点", "总投资（亿元）", "拟引资金额（亿元）"],
    [1, "观山湖区绿色数据中心", "数据中心", "贵阳市观山湖区", 20, 10],
    [2, "花溪区生态旅游项目", "生态旅游", "贵阳市花溪区", 3, 1.2],
]


def xls() -> None:
    import xlwt  # only to write this sample; the platform reads .xls with calamine

    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("项目")
    for r, row in enumerate(SMALL):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    book.save(str(HERE / "same_sheet.xls"))


def ods() -> None:
    def cell(value) -> str:
        if isinstance(value, (int, float)):
            return f'<table:table-cell office:value-type="float" office:value="{value}"><text:p>{value}</text:p></table:table-cell>'
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'

    rows = "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in SMALL)
    content = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="项目">{rows}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
    (HERE / "same_sheet.ods").write_bytes(buffer.getvalue())


if __name__ == "__main__":
    unit_line()
    merged_parent()
    unit_row()
    deals()
    xls()
    ods()
