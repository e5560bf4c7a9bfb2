"""Rebuild the real-row sheets of this folder (run: python make_real.py); see SOURCES.md.

No complete public government sheet was reachable from here, so these sheets are rebuilt
from rows that public sources print: project names, places and amounts exactly as
published (a figure the source does not give is not invented: the cell says 待定 or the
row is left out). The layout - title line, unit line, section headings, subtotals,
notes - is the one provincial summary sheets use (DOMAIN.md).

guizhou_key_projects.xlsx   a 重点项目-style list: only 总投资, unit stated once
                            ("单位：亿元"), a heading per area, 小计 rows, a note
guian_deals_usd.xlsx        an English deal list: "Investment (USD million)" with "$435"
                            cells and international sector labels (Technology ...)
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent


def key_projects() -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "重点项目"
    rows = [
        ["贵州省重点项目（摘录）"],
        ["单位：亿元"],
        ["序号", "项目名称", "建设地点", "所属产业", "项目总投资", "项目业主"],
        ["一、贵阳贵安"],
        [1, "宝能·贵州数据科技城", "贵阳市双龙航空港经济区", "数据中心", 200, "宝能集团"],
        [2, "网易贵安数据中心", "贵安新区", "数据中心", 30, "网易"],
        [3, "美的云数据中心", "贵安新区", "数据中心", 13.6, "美的集团"],
        [4, "贵安新区算力产业集群项目", "贵安新区", "算力", 138.5, "中电光谷、贵安发展集团"],
        [5, "华为全球私有云数据中心", "贵安新区", "数据中心", "80-100", "华为"],
        ["小计", None, None, None, 382.1],
        ["二、遵义市"],
        [6, "梅江河漂流项目", "遵义市道真自治县", "乡村旅游", "近4000万元", "重庆天籁文化发展有限公司"],
        [7, "绥阳县特种装备制造项目", "遵义市绥阳县", "先进制造业", "待定", None],
        ["三、安顺市"],
        [8, "平坝区刺梨深加工产业融合建设项目", "安顺市平坝区", "刺梨深加工", "待定", None],
        ["合计", None, None, None, 382.5],
        ["注：金额为公开报道所载数字；未公开的写“待定”。"],
    ]
    for row in rows:
        sheet.append(row)
    sheet.merge_cells("A1:F1")
    sheet.merge_cells("A2:F2")
    workbook.save(HERE / "guizhou_key_projects.xlsx")


def deals_usd() -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Deals"
    rows = [
        ["Gui'an New Area: projects reported in US dollars"],
        ["No.", "Project", "Investor", "Location", "Sector", "Investment (USD million)"],
        [1, "NetEase Guian Data Center", "NetEase", "Gui'an New Area", "Technology", "$435"],
        [2, "Gui'an New Area computing power industry cluster", "CEC Optics Valley Holdings",
         "Gui'an New Area", "Computing power", "$1,900"],
        [3, "iCloud data centre (investment programme)", "Apple", "Guizhou", "Technology", "$1,000"],
    ]
    for row in rows:
        sheet.append(row)
    workbook.save(HERE / "guian_deals_usd.xlsx")


if __name__ == "__main__":
    key_projects()
    deals_usd()
