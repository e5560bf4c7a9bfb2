"""Write the illustrative demo data (fictitious, NOT the official 2023 catalogue).

    python data/generate_demo.py [--out DIR]     # default: data/demo next to this script

Writes, byte-for-byte identically on every run:
- catalogue-2023.xlsx  220 projects laid out like a provincial catalogue sheet
- investors.csv        about 60 fictitious investors
- signing.json         two signing sessions and their agreements

Everything random comes from `random.Random(2023)`; amounts are integers of 0.01 亿元
(one million yuan) until they are written, so the totals are exact.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.writer.excel import ExcelWriter

DATA_DIR = Path(__file__).resolve().parent
SEED = 2023
PROJECT_COUNT = 220
SOUGHT_TOTAL = 130_000  # in 0.01 亿元: 1300.00 亿元
SIGNED_TOTAL = 16_235  # in 0.01 亿元: 162.35 亿元, the agreements that count as signed
MIN_SOUGHT, MAX_SOUGHT = 30, 3_000  # 0.30 .. 30.00 亿元
FIXED_TIME = datetime(2023, 6, 30, 9, 0, 0)

TITLE = "贵州省2023年绿色生态产业招商推介项目索引（示例数据）"
UNIT_NOTE = "单位：亿元"
HEADER = [
    "序号", "项目名称", "所属产业", "建设地点", "项目总投资（亿元）", "拟引资金额（亿元）", "合作方式",
    "建设内容", "市场前景", "项目进展", "项目业主", "联系人", "联系电话",
]
FOOTNOTE = (
    "注：以上项目信息仅供参考，具体以项目业主提供的最新资料为准。本表为示例数据，"
    "项目、单位、联系人及电话均为虚构。"
)
CHINESE_NUMERALS = "一二三四五六七八九十"

# Projects per top-level region, in catalogue order (GB code order, Gui'an last).
REGION_COUNTS = {
    "520100": 40, "520200": 22, "520300": 32, "520400": 16, "520500": 24,
    "520600": 16, "522300": 14, "522600": 14, "522700": 18, "529900": 24,
}
# How a location cell names the prefecture ("黔南州福泉市"), and the phone area codes.
PREFECTURE_LABEL = {"522300": "黔西南州", "522600": "黔东南州", "522700": "黔南州"}
AREA_CODE = {
    "520100": "0851", "520200": "0858", "520300": "0851", "520400": "0851", "520500": "0857",
    "520600": "0856", "522300": "0859", "522600": "0855", "522700": "0854", "529900": "0851",
}


def yi(units: int) -> Decimal:
    """0.01 亿元 units -> Decimal 亿元 with two places."""
    return (Decimal(units) / 100).quantize(Decimal("0.01"))


def yuan_str(units: int) -> str:
    return f"{units * 1_000_000}.00"


# --- project kinds ------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """One kind of project: its sector, how its 所属产业 cell reads, names and contents."""

    sector: str
    labels: tuple[str, ...]
    # (name, content) templates; {place} is the county's short name, {n} a capacity number
    templates: tuple[tuple[str, str], ...]
    weight: float = 1.0
    size: float = 1.0
    boost: dict[str, float] = field(default_factory=dict)
    # where it may be built: prefecture code -> county names (empty tuple: any county)
    only: dict[str, tuple[str, ...]] | None = None


KINDS: tuple[Kind, ...] = (
    Kind("nev.vehicles", ("新能源汽车", "新能源汽车及电池材料", "先进装备制造、新能源汽车"), (
        ("{place}新能源汽车零部件产业园项目", "建设电驱动系统、热管理系统等新能源汽车关键零部件生产线及配套仓储设施。"),
        ("年产{n}万辆新能源专用车生产基地项目", "建设冲焊、涂装、总装生产线及检测线，形成年产{n}万辆新能源专用车生产能力。"),
        ("{place}新能源商用车整车制造项目", "建设新能源商用车整车生产线及研发中心，配套建设零部件配套园区。"),
    ), weight=1.2, size=1.3, boost={"520100": 3, "520300": 2, "520400": 1.5}),
    Kind("nev.battery", ("动力电池", "锂电池", "新能源汽车、动力电池"), (
        ("年产{n}GWh动力电池生产基地项目", "建设动力电池电芯、模组及电池包生产线，形成年产{n}GWh动力电池生产能力。"),
        ("{place}锂电池电芯及模组生产项目", "建设锂离子电池电芯及模组自动化生产线、化成分容车间及配套设施。"),
        ("{place}钠离子电池中试及产业化项目", "建设钠离子电池中试线及产业化生产线，开展正负极材料及电芯工艺研发。"),
    ), weight=0.8, size=2.0, boost={"520100": 3, "529900": 2, "520300": 1.5}),
    Kind("nev.battery_materials", ("电池材料", "新能源汽车、电池材料", "新材料、电池材料", "新能源汽车及电池材料"), (
        ("年产{n}万吨磷酸铁锂正极材料项目", "建设磷酸铁锂正极材料生产线及配套磷酸铁前驱体装置，形成年产{n}万吨生产能力。"),
        ("年产{n}万吨锂电池电解液项目", "建设六氟磷酸锂及电解液生产装置，配套建设储罐区和危化品仓库。"),
        ("年产{n}万吨人造石墨负极材料项目", "建设负极材料造粒、石墨化及碳化生产线，形成年产{n}万吨负极材料生产能力。"),
        ("年产{n}亿平方米锂电池隔膜项目", "建设湿法隔膜基膜及涂覆生产线，形成年产{n}亿平方米隔膜生产能力。"),
        ("年产{n}万吨电池级硫酸锰项目", "以当地锰矿资源为原料，建设电池级高纯硫酸锰生产线及配套环保设施。"),
    ), weight=1.4, size=1.8, boost={"520100": 3, "522700": 2.5, "520600": 2, "520300": 1.5}),
    Kind("nev.charging", ("充换电设施", "新能源汽车、充换电设施"), (
        ("{place}城区充电基础设施建设项目", "在城区公共停车场、商业综合体等场所建设公共充电桩及配套电力设施。"),
        ("{place}高速公路服务区充换电站建设项目", "在辖区高速公路服务区建设超级充电站及换电站，配套建设光伏车棚和储能系统。"),
    ), weight=0.7, size=0.3),
    Kind("modern_energy.clean_coal", ("现代能源", "煤炭清洁高效利用", "现代能源、煤炭清洁高效利用"), (
        ("{place}煤矿智能化改造项目", "对矿井采掘、运输、通风等系统实施智能化改造，建设智能综采工作面和集控中心。"),
        ("{place}煤炭洗选中心建设项目", "建设年入洗原煤{hundred}万吨的选煤厂及配套储装运设施。"),
        ("{place}2×660MW清洁高效燃煤发电项目", "建设2台66万千瓦超超临界燃煤发电机组，同步建设脱硫脱硝及除尘设施。"),
    ), weight=0.8, size=2.5, boost={"520200": 4, "520500": 3, "522300": 1.5},
        only={"520200": (), "520500": (), "522300": (), "520300": ("桐梓县", "习水县"), "520400": ("普定县",)}),
    Kind("modern_energy.gas", ("天然气、煤层气", "煤层气", "现代能源、天然气"), (
        ("{place}煤层气抽采利用示范项目", "建设煤层气地面抽采井组、集输管网及压缩站，抽采气用于发电和民用。"),
        ("{place}瓦斯综合利用发电项目", "利用煤矿抽采瓦斯建设燃气发电机组及余热利用系统。"),
        ("{place}天然气支线管网建设项目", "建设天然气支线管道约{km}公里及门站、调压站等配套设施。"),
    ), weight=0.5, size=0.8, boost={"520200": 4, "520500": 3, "522300": 1.5}),
    Kind("modern_energy.grid", ("智能电网、输配电", "现代能源、智能电网"), (
        ("{place}增量配电网建设项目", "在工业园区建设110千伏变电站及配电网络，开展增量配电业务。"),
        ("{place}工业园区源网荷储一体化项目", "统筹园区分布式光伏、储能及可调负荷，建设智能微电网及能量管理平台。"),
    ), weight=0.5, size=1.0),
    Kind("new_energy.solar", ("新能源", "光伏", "新能源、光伏发电"), (
        ("{place}{n}万千瓦农光互补光伏发电项目", "利用荒山荒坡建设{n}万千瓦光伏电站，配套建设升压站及送出线路，板下发展特色种植。"),
        ("{place}工业园区屋顶分布式光伏项目", "利用园区厂房屋顶建设分布式光伏电站，所发电量自发自用、余电上网。"),
        ("年产{n}GW光伏组件生产项目", "建设高效光伏电池片及组件自动化生产线，形成年产{n}GW光伏组件生产能力。"),
    ), weight=1.3, size=1.2, boost={"520500": 2, "522300": 2.5, "520200": 1.5, "520400": 1.5}),
    Kind("new_energy.wind", ("新能源", "风电", "新能源、风电"), (
        ("{place}{n}万千瓦风电场项目", "建设单机容量5兆瓦以上风电机组及升压站，总装机{n}万千瓦。"),
        ("{place}分散式风电项目", "在负荷中心附近建设分散式风电机组，就近接入配电网消纳。"),
    ), weight=0.6, size=1.2, boost={"520500": 2.5, "520200": 2, "522300": 1.5, "522600": 1.2}),
    Kind("new_energy.hydro", ("水电", "新能源、水电"), (
        ("{place}梯级水电站智能化改造项目", "对流域梯级水电站实施增效扩容及智能化集控改造，提升发电效率。"),
        ("{place}小水电站绿色改造项目", "对辖区小水电站实施生态流量泄放及机组更新改造。"),
    ), weight=0.3, size=0.6, boost={"522600": 3, "520600": 2, "522700": 1.5}),
    Kind("new_energy.hydrogen", ("氢能", "新能源、氢能"), (
        ("{place}绿氢制备及加氢站一体化项目", "利用可再生能源电力建设电解水制氢装置及加氢站，供应氢燃料电池车辆。"),
        ("年产{k}套氢燃料电池系统项目", "建设燃料电池电堆及系统集成生产线，开展氢能重卡示范应用。"),
    ), weight=0.4, size=1.2, boost={"520200": 3, "520100": 1.5, "520500": 1.5}),
    Kind("new_energy.biomass", ("生物质能", "新能源、生物质能"), (
        ("{place}农林生物质热电联产项目", "建设生物质锅炉及汽轮发电机组，利用农林废弃物发电并向园区供热。"),
        ("{place}生物天然气示范项目", "以畜禽粪污和秸秆为原料建设厌氧发酵及提纯装置，年产生物天然气{hundred}万立方米。"),
    ), weight=0.4, size=0.5, boost={"522600": 2, "520600": 1.5}),
    Kind("storage", ("绿色储能", "新型储能", "储能", "新能源、储能"), (
        ("{place}{n}万千瓦独立共享储能电站项目", "建设{n}万千瓦/{n2}万千瓦时磷酸铁锂电化学储能电站及升压站，参与电网调峰调频。"),
        ("{place}抽水蓄能电站项目", "建设上下水库、输水发电系统及地下厂房，装机容量120万千瓦。"),
        ("年产{n}GWh储能电池及系统集成项目", "建设储能电芯、电池簇及储能系统集成生产线。"),
        ("{place}工商业用户侧储能项目", "为园区重点用能企业建设用户侧储能系统，实现削峰填谷。"),
    ), weight=1.2, size=1.8, boost={"520100": 1.5, "520500": 1.5, "522300": 1.5, "520200": 1.5}),
    Kind("big_data.datacenter", ("数据中心", "大数据电子信息、数据中心", "大数据电子信息"), (
        ("{place}绿色数据中心集群{phase}项目", "建设高等级绿色数据中心机房楼、动力中心及配套设施，规划机架{k}个，PUE不高于1.2。"),
        ("{place}{hundred}P智算中心建设项目", "建设算力规模{hundred}PFlops的人工智能训练和推理智算中心，配套液冷系统及算力调度平台。"),
        ("{place}{k}架机柜液冷数据中心项目", "建设{k}架机柜的液冷数据中心及配套变电站、储能和余热回收设施。"),
        ("{place}大数据灾备中心项目", "建设异地灾备数据中心机房及网络设施，为金融、政务等行业提供灾备服务。"),
    ), weight=0.2, size=2.6, boost={"529900": 70, "520100": 3},
        only={"529900": (), "520100": ("观山湖区", "白云区"), "520400": ("平坝区",)}),
    Kind("big_data.electronics", ("电子元器件", "电子信息制造", "大数据电子信息、电子元器件"), (
        ("{place}电子元器件产业园项目", "建设标准厂房及研发楼，引进片式电容、电感、连接器等电子元器件生产企业。"),
        ("年产{n}万平方米印制电路板项目", "建设高多层印制电路板生产线及配套废水处理设施。"),
        ("{place}服务器及智能终端制造项目", "建设服务器、存储设备及智能终端组装测试生产线。"),
    ), weight=0.5, size=1.0, boost={"529900": 6, "520100": 3, "520300": 1.5}),
    Kind("big_data.software", ("软件和信息技术服务", "大数据电子信息、软件和信息技术服务", "大数据"), (
        ("{place}软件和信息技术服务产业园项目", "建设软件研发、数据标注及呼叫中心载体，配套人才公寓和公共服务平台。"),
        ("{place}工业互联网平台建设项目", "建设面向磷化工、装备制造等行业的工业互联网平台及标识解析节点。"),
    ), weight=0.4, size=0.4, boost={"520100": 4, "529900": 4}),
    Kind("new_materials.chemical", ("新材料", "新型化工材料", "精细磷化工", "新材料、精细磷化工"), (
        ("年产{n}万吨精制磷酸项目", "以湿法磷酸为原料建设精制磷酸生产装置，配套建设尾气及废水处理设施。"),
        ("年产{n}万吨电子级磷酸项目", "建设电子级磷酸提纯装置及洁净包装车间，产品供应集成电路和显示面板行业。"),
        ("{place}精细磷化工产业园项目", "建设磷系阻燃剂、食品级磷酸盐等精细磷化工产品生产线及园区公用工程。"),
        ("年产{n}万吨氟化工新材料项目", "利用磷矿伴生氟资源建设无水氟化氢及含氟新材料生产装置。"),
    ), weight=1.0, size=1.6, boost={"520100": 2.5, "522700": 3},
        only={"520100": ("开阳县", "息烽县", "清镇市"), "522700": ("福泉市", "瓮安县"),
              "520300": ("播州区",), "520500": ("织金县",)}),
    Kind("new_materials.metal", ("新材料", "新型金属材料", "新材料、铝及铝加工"), (
        ("年产{n}万吨高端铝材精深加工项目", "建设铝板带箔及汽车轻量化铝型材生产线，形成年产{n}万吨高端铝材生产能力。"),
        ("{place}电解锰清洁生产及锰系新材料项目", "建设无硒电解锰及四氧化三锰生产线，配套建设锰渣无害化处理设施。"),
        ("年产{k}吨海绵钛及钛合金项目", "建设海绵钛生产线及钛合金熔铸、锻造生产线。"),
    ), weight=0.8, size=1.5, boost={"520300": 3, "520600": 3, "520100": 1.5},
        only={"520300": ("播州区", "务川仡佬族苗族自治县", "正安县"), "520600": ("松桃苗族自治县", "碧江区", "万山区"),
              "520100": ("清镇市", "白云区"), "522300": ("兴仁市",)}),
    Kind("new_materials.building", ("新型绿色建材", "新材料、绿色建材", "绿色建材"), (
        ("{place}装配式建筑构件生产基地项目", "建设预制混凝土构件及钢结构构件生产线，形成年产{n}万立方米装配式构件生产能力。"),
        ("年产{n}万立方米新型绿色建材项目", "建设蒸压加气混凝土砌块及墙板生产线。"),
    ), weight=0.7, size=0.6),
    Kind("energy_saving.carbon", ("节能降碳", "节能环保、节能降碳"), (
        ("{place}工业园区余热余压利用项目", "回收园区冶金、化工企业余热余压建设发电及集中供热系统。"),
        ("{place}重点用能企业节能降碳改造项目", "对重点用能企业实施电机系统、锅炉窑炉等节能降碳改造，采用合同能源管理模式。"),
        ("{place}公共建筑节能改造项目", "对公共机构建筑实施照明、空调及围护结构节能改造。"),
    ), weight=0.8, size=0.5),
    Kind("energy_saving.env_industry", ("环保产业", "节能环保"), (
        ("{place}环保装备制造产业园项目", "建设标准厂房，引进大气治理、水处理及固废处理装备制造企业。"),
        ("{place}矿山生态修复项目", "对历史遗留废弃矿山实施地形整治、土壤改良和植被恢复。"),
    ), weight=0.6, size=0.5),
    Kind("energy_saving.water", ("节能环保", "污水处理、水环境治理", "环保产业、污水处理"), (
        ("{place}城镇污水处理厂提标改造项目", "对城镇污水处理厂实施提标扩能改造，新建配套管网约{km}公里。"),
        ("{place}河道水环境综合治理项目", "实施河道截污、清淤、生态护岸及湿地建设，改善流域水环境质量。"),
        ("{place}工业园区污水集中处理及中水回用项目", "建设园区工业污水集中处理厂及中水回用管网。"),
    ), weight=0.8, size=0.5),
    Kind("cleaner_production", ("清洁生产", "清洁生产、节能降碳"), (
        ("{place}化工企业清洁生产改造项目", "对化工企业实施工艺优化、废气深度治理及循环水系统改造。"),
        ("{place}工业园区绿色化改造项目", "实施园区能源梯级利用、废水集中处理和数字化能碳管理平台建设。"),
        ("{place}绿色工厂建设项目", "按绿色工厂标准实施厂房节能、清洁能源替代及智能化改造。"),
    ), weight=0.7, size=0.5),
    Kind("recycling.phosphogypsum", ("资源综合利用", "磷石膏综合利用", "循环利用", "资源综合利用、新型绿色建材"), (
        ("年产{n}万吨磷石膏综合利用项目", "以磷石膏为原料建设净化预处理及建筑石膏粉生产线，年消纳磷石膏{n}万吨。"),
        ("{place}磷石膏制新型建材项目", "建设磷石膏基自流平砂浆、石膏板及砌块生产线。"),
        ("{place}磷石膏无害化处理及资源化利用项目", "建设磷石膏无害化处理装置，产品用于路基材料和矿山充填。"),
    ), weight=1.0, size=0.8, boost={"520100": 3, "522700": 4},
        only={"520100": ("开阳县",), "522700": ("福泉市",)}),
    Kind("recycling.coal_gangue", ("资源综合利用", "煤矸石综合利用", "循环利用"), (
        ("{place}煤矸石综合利用制砖项目", "以煤矸石为主要原料建设烧结多孔砖生产线，年消纳煤矸石{ten}万吨。"),
        ("{place}煤矸石综合利用发电项目", "建设循环流化床锅炉及发电机组，燃用煤矸石及煤泥。"),
        ("{place}煤矸石及粉煤灰综合利用项目", "利用煤矸石和粉煤灰生产新型墙体材料及路基填料。"),
    ), weight=1.0, size=0.7, boost={"520200": 6, "520500": 5},
        only={"520200": (), "520500": ("织金县", "纳雍县", "黔西市", "大方县", "金沙县", "七星关区")}),
    Kind("recycling.solid_waste", ("固废处置", "资源综合利用、固废处置"), (
        ("{place}生活垃圾焚烧发电项目", "建设日处理生活垃圾{hundred}吨的焚烧发电厂及飞灰处置设施。"),
        ("{place}危险废物集中处置中心项目", "建设危险废物焚烧、物化处理及安全填埋设施。"),
        ("{place}建筑垃圾资源化利用项目", "建设建筑垃圾破碎分选及再生骨料、再生砖生产线。"),
    ), weight=0.8, size=0.6),
    Kind("recycling.renewables", ("再生资源回收", "循环利用", "资源综合利用"), (
        ("{place}废旧动力电池回收利用项目", "建设退役动力电池梯次利用及再生利用生产线，回收锂、镍、钴等有价金属。"),
        ("{place}再生资源回收分拣中心项目", "建设废旧金属、废塑料、废纸等再生资源回收网点及分拣中心。"),
        ("年产{n}万吨再生铝项目", "以废铝为原料建设再生铝熔炼及铝合金锭生产线。"),
    ), weight=0.6, size=0.6),
    Kind("equipment", ("先进装备制造", "装备制造", "高端装备制造"), (
        ("{place}高端装备制造产业园项目", "建设标准厂房及公共技术平台，引进智能装备、精密零部件制造企业。"),
        ("{place}航空零部件精密制造项目", "建设航空发动机及机载设备零部件精密加工生产线。"),
        ("{place}矿山智能装备生产项目", "建设矿用智能采掘、运输装备及机器人生产线。"),
        ("{place}新能源装备制造基地项目", "建设风电塔筒、光伏支架及储能变流器等新能源装备生产线。"),
    ), weight=1.1, size=1.0, boost={"520400": 3, "520100": 2, "520300": 2}),
    Kind("eco_agriculture.food", ("生态特色食品", "生态农业、生态特色食品", "特色食品"), (
        ("{place}辣椒精深加工项目", "建设辣椒酱、火锅底料及辣椒素提取生产线，形成年加工鲜辣椒{n}万吨能力。"),
        ("{place}酱香白酒生产基地项目", "建设酱香型白酒酿造车间、制曲车间及储酒库。"),
        ("{place}天然饮用水生产项目", "依托优质水源建设天然饮用水灌装生产线及物流仓储设施。"),
        ("{place}预制菜加工中心项目", "建设中央厨房及预制菜生产线、冷链仓储中心。"),
    ), weight=1.2, size=0.4, boost={"520300": 2.5, "522600": 1.5, "522700": 1.5}),
    Kind("eco_agriculture.tea", ("茶产业", "生态农业、茶产业"), (
        ("{place}茶叶精深加工项目", "建设名优绿茶、红茶及抹茶精深加工生产线和茶叶交易中心。"),
        ("{place}生态茶园及茶旅一体化项目", "改造提升生态茶园{k}亩，建设茶文化体验及观光设施。"),
    ), weight=0.7, size=0.3, boost={"520300": 3, "522700": 3, "520600": 2}),
    Kind("eco_agriculture.herbs", ("中药材", "生态农业、中药材"), (
        ("{place}中药材种植及加工基地项目", "建设标准化中药材种植基地{k}亩及产地初加工中心。"),
        ("{place}天麻精深加工项目", "建设天麻、石斛等道地药材精深加工及保健品生产线。"),
        ("{place}苗药研发生产项目", "建设民族药研发中心及中成药生产线。"),
    ), weight=0.6, size=0.3, boost={"520500": 2.5, "522600": 2, "520300": 1.5}),
    Kind("eco_agriculture.farming", ("特色种植养殖", "生态农业", "生态农业、特色种植养殖"), (
        ("{place}生态畜牧业养殖项目", "建设标准化肉牛养殖场及饲草种植基地，年出栏肉牛{k}头。"),
        ("{place}冷水鱼生态养殖项目", "利用优质山泉水建设冷水鱼循环水养殖基地及加工车间。"),
        ("{place}食用菌工厂化生产项目", "建设食用菌菌包生产线及出菇大棚，配套冷链仓储设施。"),
        ("{place}刺梨种植及加工项目", "建设刺梨种植基地及刺梨原汁、饮品加工生产线。"),
    ), weight=1.0, size=0.3, boost={"522600": 2, "522300": 2, "520600": 1.5, "520500": 1.5}),
    Kind("eco_tourism", ("生态旅游", "文旅", "生态康养", "生态旅游、康养"), (
        ("{place}生态康养旅游度假区项目", "建设康养酒店、森林步道、温泉理疗中心及配套服务设施。"),
        ("{place}乡村旅游示范区项目", "改造提升传统村落，建设民宿集群、农事体验和游客服务中心。"),
        ("{place}避暑康养基地项目", "建设避暑康养公寓、运动休闲设施及医养结合服务中心。"),
        ("{place}温泉旅游综合体项目", "建设温泉汤池、度假酒店及商业配套设施。"),
    ), weight=1.2, size=0.7, boost={"522600": 4, "520400": 3, "520600": 3, "522300": 2, "522700": 2}),
    Kind("green_services", ("绿色产品与服务", "绿色服务", "绿色金融", "碳汇"), (
        ("{place}林业碳汇开发项目", "开发林业碳汇项目并开展碳汇计量监测和交易服务。"),
        ("{place}绿色物流园项目", "建设新能源车辆配送中心、智能仓储及光伏屋顶。"),
        ("{place}绿色产品认证检测中心项目", "建设绿色产品认证、碳足迹核算及检验检测实验室。"),
    ), weight=0.6, size=0.3, boost={"520100": 2, "529900": 2}),
)

MARKETS: dict[str, tuple[str, ...]] = {
    "nev": ("新能源汽车渗透率快速提升，动力电池及关键材料需求持续旺盛。", "贵州磷、锰资源丰富，发展电池材料产业具有原料和成本优势。"),
    "modern_energy": ("贵州是西南能源保障基地，煤炭清洁高效利用市场空间大。", "项目符合国家能源结构调整方向，经济效益稳定。"),
    "new_energy": ("贵州风光资源开发潜力大，新能源装机规模持续增长。", "项目所发电量可全额消纳，投资回收期约8至10年。"),
    "storage": ("新型储能是构建新型电力系统的关键支撑，市场需求快速增长。", "项目可通过容量租赁和调峰辅助服务获得稳定收益。"),
    "big_data": ("贵州是全国一体化算力网络国家枢纽节点，算力需求旺盛。", "气候凉爽、电价较低，数据中心运营成本优势明显。"),
    "new_materials": ("新材料是战略性新兴产业，下游需求广阔。", "依托本地矿产资源，延伸产业链条，附加值高。"),
    "energy_saving": ("节能降碳改造需求持续释放，环保产业市场空间广阔。", "项目社会效益和环境效益显著，收益稳定。"),
    "cleaner_production": ("工业绿色化改造政策支持力度大，企业改造意愿强。", "项目可显著降低能耗和污染物排放，节约生产成本。"),
    "recycling": ("大宗工业固废综合利用政策支持力度大，产品市场需求稳定。", "项目变废为宝，兼具环境效益和经济效益。"),
    "equipment": ("装备制造业转型升级加快，高端装备国产化替代空间大。", "项目产品配套省内重点产业，市场稳定。"),
    "eco_agriculture": ("绿色生态农产品消费持续升级，市场需求稳步增长。", "贵州生态环境优良，特色农产品品质优势突出。"),
    "eco_tourism": ("贵州气候凉爽、生态优美，避暑康养旅游市场持续升温。", "项目区位交通便利，客源市场稳定。"),
    "green_services": ("碳达峰碳中和背景下绿色服务需求快速增长。", "项目轻资产运营，投资回报率较高。"),
}
PROGRESS = (
    "已完成项目建议书编制", "已完成可行性研究报告编制", "已完成项目备案", "已取得用地预审意见",
    "正在开展前期工作", "已完成土地平整，具备开工条件", "一期已建成投产，二期正在招商", "已完成环评批复",
)
MODES = (("合资", 30), ("合作", 24), ("独资", 15), ("股权合作", 12), ("PPP", 6), ("合资、合作", 9), ("独资、合资", 4))
OWNER_BRANDS = ("黔源", "筑绿", "青岚", "云溪", "岩峰", "清泉", "松涛", "澄江", "绿岭", "山川", "乌蒙", "雾岭")
OWNER_SUFFIX = {
    "nev": "新能源科技有限公司", "modern_energy": "能源发展有限公司", "new_energy": "新能源开发有限公司",
    "storage": "储能科技有限公司", "big_data": "数字科技有限公司", "new_materials": "新材料有限公司",
    "energy_saving": "环境科技有限公司", "cleaner_production": "绿色制造有限公司",
    "recycling": "资源循环有限公司", "equipment": "装备制造有限公司", "eco_agriculture": "生态农业开发有限公司",
    "eco_tourism": "文化旅游开发有限公司", "green_services": "绿色产业服务有限公司",
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何罗高林龙杜田蒋"
GIVEN = ("明", "华", "军", "丽", "静", "伟", "敏", "涛", "超", "艳", "勇", "娟", "磊", "婷", "强",
         "洋", "霞", "斌", "鹏", "琳", "俊杰", "晓东", "志刚", "海燕", "建国", "春梅", "文华", "雪梅")


# --- reference data -----------------------------------------------------------------------


def load_json(name: str) -> dict:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


def sector_terms(items: list[dict]) -> dict[str, str]:
    """Every name and alias (exact string) -> sector code."""
    terms: dict[str, str] = {}
    for item in items:
        for term in (item["name"], item["name_en"], *item["aliases"]):
            terms[term] = item["code"]
        terms.update(sector_terms(item["children"]))
    return terms


# --- catalogue ----------------------------------------------------------------------------


@dataclass
class Project:
    number: int
    name: str
    kind: Kind
    sector_cell: str
    region: str
    location: str
    total: int  # 0.01 亿元
    sought: int  # 0.01 亿元
    modes: str
    content: str
    market: str
    progress: str
    owner: str
    contact: str
    phone: str


def weighted(rng: random.Random, pairs: list[tuple[object, float]]) -> object:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def choose_kind(rng: random.Random, region: str) -> Kind:
    pairs = [
        (kind, kind.weight * kind.boost.get(region, 1.0))
        for kind in KINDS
        if kind.only is None or region in kind.only
    ]
    return weighted(rng, pairs)  # type: ignore[return-value]


def choose_county(rng: random.Random, kind: Kind, prefecture: dict) -> dict | None:
    allowed = kind.only.get(prefecture["code"], ()) if kind.only else ()
    counties = [c for c in prefecture["children"] if not allowed or c["name"] in allowed]
    if not counties or (not allowed and rng.random() < 0.06):
        return None  # the row names only the prefecture, as some real rows do
    return rng.choice(counties)


def location_cell(prefecture: dict, county: dict | None) -> str:
    if prefecture["code"] == "529900":
        return prefecture["name"]
    label = PREFECTURE_LABEL.get(prefecture["code"], prefecture["name"])
    return label + (county["name"] if county else "")


def fill(template: str, rng: random.Random, place: str) -> tuple[str, dict[str, object]]:
    n = rng.choice((2, 3, 5, 6, 8, 10, 12, 15, 20, 30))
    params: dict[str, object] = {
        "place": place, "n": n, "n2": n * 2, "ten": n * 10, "km": n * 10, "hundred": n * 100,
        "k": n * 1000,
        "phase": rng.choice(("一期", "二期", "三期")),
    }
    return template.format(**params), params


def draw_amounts(rng: random.Random, kinds: list[Kind]) -> list[int]:
    """Skewed sought amounts (0.01 亿元) within bounds that add up to exactly SOUGHT_TOTAL."""
    raw = [min(30.0, max(0.3, rng.lognormvariate(1.1, 0.85) * kind.size)) for kind in kinds]
    units = [round(value * 100) for value in raw]
    for _ in range(20):  # scale, clamp, repeat: converges in a few rounds
        scale = SOUGHT_TOTAL / sum(units)
        units = [min(MAX_SOUGHT, max(MIN_SOUGHT, round(u * scale))) for u in units]
    # the last rows take up what rounding left over
    diff = SOUGHT_TOTAL - sum(units)
    index = len(units) - 1
    while diff:
        step = max(-(units[index] - MIN_SOUGHT), min(MAX_SOUGHT - units[index], diff))
        units[index] += step
        diff -= step
        index -= 1
    return units


def make_projects(rng: random.Random, regions: list[dict], terms: dict[str, str]) -> list[Project]:
    by_code = {r["code"]: r for r in regions}
    slots: list[tuple[dict, Kind]] = []
    for code, count in REGION_COUNTS.items():
        slots.extend((by_code[code], choose_kind(rng, code)) for _ in range(count))
    amounts = draw_amounts(rng, [kind for _, kind in slots])
    used_names: set[str] = set()
    projects: list[Project] = []
    for number, ((prefecture, kind), sought) in enumerate(zip(slots, amounts, strict=True), start=1):
        county = choose_county(rng, kind, prefecture)
        # Gui'an New Area is named in full ("贵安新区…项目"), counties by their short name
        place = prefecture["name"] if prefecture["code"] == "529900" else (county or prefecture)["short"]
        for attempt in range(20):
            name_tpl, content_tpl = rng.choice(kind.templates)
            name, params = fill(name_tpl, rng, place)
            if not name.startswith(place) and attempt % 2 == 0:
                name = place + name
            if name not in used_names:
                break
        else:
            name = name[:-2] + ("扩建项目" if "期" in name else "二期项目")
        used_names.add(name)
        sector_cell = rng.choice(kind.labels)
        for part in sector_cell.split("、"):
            assert part in terms, f"sector cell part {part!r} is not in the taxonomy"
        ratio = 1.0 if rng.random() < 0.2 else rng.uniform(1.1, 2.6)
        total = max(sought, round(sought * ratio))
        modes = str(weighted(rng, [(m, w) for m, w in MODES]))
        top = kind.sector.split(".")[0]
        owner_place = place if county else prefecture["short"]
        owner = owner_place + rng.choice(OWNER_BRANDS) + OWNER_SUFFIX[top]
        contact = rng.choice(SURNAMES) + rng.choice(GIVEN)
        if rng.random() < 0.6:
            phone = f"{AREA_CODE[prefecture['code']]}-8{rng.randrange(10**6, 10**7)}"
        else:
            phone = f"1{rng.choice(('39', '58', '87', '86', '36', '51', '82'))}{rng.randrange(10**7, 10**8)}"
        projects.append(Project(
            number=number, name=name, kind=kind, sector_cell=sector_cell, region=prefecture["code"],
            location=location_cell(prefecture, county), total=total, sought=sought, modes=modes,
            content=content_tpl.format(**params), market=rng.choice(MARKETS[top]),
            progress=rng.choice(PROGRESS), owner=owner, contact=contact, phone=phone,
        ))
    assert sum(p.sought for p in projects) == SOUGHT_TOTAL
    assert {p.kind.sector.split(".")[0] for p in projects} == set(MARKETS), "a sector has no project"
    return projects


def section_title(index: int, prefecture: dict, count: int) -> str:
    label = PREFECTURE_LABEL.get(prefecture["code"], prefecture["name"])
    return f"{CHINESE_NUMERALS[index]}、{label}（{count}个）"


def catalogue_workbook(projects: list[Project], regions: list[dict]) -> Workbook:
    wb = Workbook()
    ws = wb.active
    ws.title = "项目索引"
    last_col = get_column_letter(len(HEADER))
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center")
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)

    ws.append([TITLE])
    ws.merge_cells(f"A1:{last_col}1")
    ws["A1"].font = Font(name="宋体", size=16, bold=True)
    ws["A1"].alignment = centre
    ws.row_dimensions[1].height = 32
    ws.append([UNIT_NOTE])
    ws.merge_cells(f"A2:{last_col}2")
    ws["A2"].alignment = Alignment(horizontal="right")
    ws.append(HEADER)
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.alignment = centre
        cell.border = border

    by_code = {r["code"]: r for r in regions}
    for index, code in enumerate(REGION_COUNTS):
        group = [p for p in projects if p.region == code]
        ws.append([section_title(index, by_code[code], len(group))])
        row = ws.max_row
        ws.merge_cells(f"A{row}:{last_col}{row}")
        ws.cell(row, 1).font = Font(bold=True)
        for p in group:
            ws.append([
                p.number, p.name, p.sector_cell, p.location, yi(p.total), yi(p.sought), p.modes,
                p.content, p.market, p.progress, p.owner, p.contact, p.phone,
            ])
            for cell in ws[ws.max_row]:
                cell.border = border
                cell.alignment = wrap
            ws.cell(ws.max_row, 5).number_format = "0.00"
            ws.cell(ws.max_row, 6).number_format = "0.00"

    ws.append(["合计", None, None, None, yi(sum(p.total for p in projects)), yi(SOUGHT_TOTAL)])
    row = ws.max_row
    ws.merge_cells(f"A{row}:D{row}")
    ws.cell(row, 1).font = Font(bold=True)
    ws.cell(row, 1).alignment = centre
    for col in (5, 6):
        ws.cell(row, col).number_format = "0.00"
        ws.cell(row, col).font = Font(bold=True)
    ws.append([FOOTNOTE])
    row = ws.max_row
    ws.merge_cells(f"A{row}:{last_col}{row}")

    widths = (6, 36, 22, 20, 12, 12, 12, 48, 36, 22, 30, 8, 15)
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A4"

    wb.properties.creator = "matchmaker demo data generator"
    wb.properties.title = TITLE
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    return wb


def workbook_bytes(wb: Workbook) -> bytes:
    """Serialise without `save_workbook` (which stamps "modified" with now) and with fixed
    zip entry times, so the same workbook always gives the same bytes."""
    raw = io.BytesIO()
    ExcelWriter(wb, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED)).save()
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


# --- investors ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Investor:
    name: str
    name_en: str
    aliases: tuple[str, ...]
    kind: str
    country: str
    focus: tuple[str, ...]  # sector code prefixes; used only to pair demo agreements sensibly


def inv(name: str, name_en: str, aliases: str, kind: str, country: str, focus: str) -> Investor:
    return Investor(name, name_en, tuple(a for a in aliases.split("|") if a), kind, country,
                    tuple(focus.split()))


INVESTORS: tuple[Investor, ...] = (
    inv("黔能新材料科技股份有限公司", "Qianneng New Materials Technology Co., Ltd.", "黔能新材|黔能科技", "enterprise", "CN", "nev.battery_materials new_materials.chemical"),
    inv("筑源锂电科技有限公司", "Zhuyuan Lithium Battery Technology Co., Ltd.", "筑源锂电", "enterprise", "CN", "nev.battery storage"),
    inv("岭川动力电池有限公司", "Lingchuan Power Battery Co., Ltd.", "岭川电池", "enterprise", "CN", "nev.battery nev.battery_materials"),
    inv("驰黔新能源汽车有限公司", "Chiqian New Energy Vehicle Co., Ltd.", "驰黔汽车", "enterprise", "CN", "nev.vehicles"),
    inv("卓驰充电科技有限公司", "Zhuochi Charging Technology Co., Ltd.", "", "enterprise", "CN", "nev.charging"),
    inv("锰源电池材料有限公司", "Mengyuan Battery Materials Co., Ltd.", "锰源材料", "enterprise", "CN", "nev.battery_materials new_materials.metal"),
    inv("澄川环境工程股份有限公司", "Chengchuan Environmental Engineering Co., Ltd.", "澄川环境", "enterprise", "CN", "energy_saving recycling.solid_waste"),
    inv("磐岩绿色建材集团有限公司", "Panyan Green Building Materials Group Co., Ltd.", "磐岩建材", "enterprise", "CN", "new_materials.building recycling.phosphogypsum recycling.coal_gangue"),
    inv("清磷化工科技有限公司", "Qinglin Chemical Technology Co., Ltd.", "清磷化工", "enterprise", "CN", "new_materials.chemical recycling.phosphogypsum cleaner_production"),
    inv("黔峰数据科技有限公司", "Qianfeng Data Technology Co., Ltd.", "黔峰数据", "enterprise", "CN", "big_data"),
    inv("算云智能科技有限公司", "Suanyun Intelligent Technology Co., Ltd.", "算云科技", "enterprise", "CN", "big_data.datacenter big_data.software"),
    inv("芯城电子科技有限公司", "Xincheng Electronics Technology Co., Ltd.", "芯城电子", "enterprise", "CN", "big_data.electronics"),
    inv("光合新能源科技有限公司", "Guanghe New Energy Technology Co., Ltd.", "光合新能源", "enterprise", "CN", "new_energy.solar storage"),
    inv("长风电力科技有限公司", "Changfeng Power Technology Co., Ltd.", "长风电力", "enterprise", "CN", "new_energy.wind modern_energy.grid"),
    inv("青岚氢能科技有限公司", "Qinglan Hydrogen Technology Co., Ltd.", "青岚氢能", "enterprise", "CN", "new_energy.hydrogen new_energy.biomass"),
    inv("晟煤清洁能源有限公司", "Shengmei Clean Energy Co., Ltd.", "晟煤能源", "enterprise", "CN", "modern_energy recycling.coal_gangue"),
    inv("精钛新材料股份有限公司", "Jingtai New Materials Co., Ltd.", "精钛新材", "enterprise", "CN", "new_materials.metal"),
    inv("循绿再生资源有限公司", "Xunlv Renewable Resources Co., Ltd.", "循绿再生", "enterprise", "CN", "recycling"),
    inv("净源水务科技有限公司", "Jingyuan Water Technology Co., Ltd.", "净源水务", "enterprise", "CN", "energy_saving.water"),
    inv("暖能节能服务有限公司", "Nuanneng Energy Services Co., Ltd.", "暖能节能", "enterprise", "CN", "energy_saving.carbon cleaner_production"),
    inv("森汇碳资产管理有限公司", "Senhui Carbon Asset Management Co., Ltd.", "森汇碳资产", "enterprise", "CN", "green_services"),
    inv("恒锻智能装备股份有限公司", "Hengduan Intelligent Equipment Co., Ltd.", "恒锻装备", "enterprise", "CN", "equipment"),
    inv("山泉生态食品有限公司", "Shanquan Eco-Food Co., Ltd.", "山泉食品", "enterprise", "CN", "eco_agriculture.food"),
    inv("雾岭茶业股份有限公司", "Wuling Tea Co., Ltd.", "雾岭茶业", "enterprise", "CN", "eco_agriculture.tea"),
    inv("百草苗药集团有限公司", "Baicao Miao Medicine Group Co., Ltd.", "百草苗药", "enterprise", "CN", "eco_agriculture.herbs"),
    inv("绿野牧业有限公司", "Lvye Animal Husbandry Co., Ltd.", "", "enterprise", "CN", "eco_agriculture.farming"),
    inv("云溪文旅发展有限公司", "Yunxi Culture and Tourism Development Co., Ltd.", "云溪文旅", "enterprise", "CN", "eco_tourism"),
    inv("贵州绿能投资集团有限公司", "Guizhou Lvneng Investment Group Co., Ltd.", "绿能投资|绿能集团", "soe", "CN", "new_energy storage"),
    inv("黔山能源集团有限公司", "Qianshan Energy Group Co., Ltd.", "黔山能源", "soe", "CN", "modern_energy new_energy"),
    inv("贵州青山生态产业集团有限公司", "Guizhou Qingshan Eco-Industry Group Co., Ltd.", "青山生态集团", "soe", "CN", "eco_agriculture eco_tourism"),
    inv("贵州数联科技集团有限公司", "Guizhou Shulian Technology Group Co., Ltd.", "数联集团", "soe", "CN", "big_data"),
    inv("贵州黔建绿色建材集团有限公司", "Guizhou Qianjian Green Building Materials Group Co., Ltd.", "黔建集团", "soe", "CN", "new_materials.building recycling"),
    inv("贵州乌蒙资源循环集团有限公司", "Guizhou Wumeng Resource Recycling Group Co., Ltd.", "乌蒙循环", "soe", "CN", "recycling"),
    inv("贵州磷源化工集团有限公司", "Guizhou Linyuan Chemical Group Co., Ltd.", "磷源化工", "soe", "CN", "new_materials.chemical recycling.phosphogypsum nev.battery_materials"),
    inv("贵州电储能源集团有限公司", "Guizhou Dianchu Energy Group Co., Ltd.", "电储能源", "soe", "CN", "storage modern_energy.grid"),
    inv("贵州交旅康养集团有限公司", "Guizhou Jiaolv Health and Tourism Group Co., Ltd.", "交旅康养", "soe", "CN", "eco_tourism"),
    inv("华中智造装备集团有限公司", "Huazhong Zhizao Equipment Group Co., Ltd.", "华中智造", "soe", "CN", "equipment nev.vehicles"),
    inv("国衡绿电投资有限公司", "Guoheng Green Power Investment Co., Ltd.", "国衡绿电", "soe", "CN", "new_energy storage"),
    inv("江澜水务环境集团有限公司", "Jianglan Water and Environment Group Co., Ltd.", "江澜水务", "soe", "CN", "energy_saving cleaner_production"),
    inv("西部山地农业投资集团有限公司", "Western Mountain Agriculture Investment Group Co., Ltd.", "山地农投", "soe", "CN", "eco_agriculture"),
    inv("贵州绿色发展产业基金", "Guizhou Green Development Industry Fund", "绿发基金", "fund", "CN", ""),
    inv("黔创新能源股权投资基金（有限合伙）", "Qianchuang New Energy Equity Investment Fund (LP)", "黔创基金", "fund", "CN", "new_energy storage nev"),
    inv("青碳低碳产业投资基金（有限合伙）", "Qingtan Low-Carbon Industry Investment Fund (LP)", "青碳基金", "fund", "CN", "energy_saving cleaner_production recycling"),
    inv("数智未来创业投资基金（有限合伙）", "Shuzhi Future Venture Capital Fund (LP)", "数智基金", "fund", "CN", "big_data"),
    inv("山海乡村振兴产业基金", "Shanhai Rural Revitalisation Industry Fund", "山海基金", "fund", "CN", "eco_agriculture eco_tourism"),
    inv("砺新新材料创业投资基金（有限合伙）", "Lixin New Materials Venture Capital Fund (LP)", "砺新基金", "fund", "CN", "new_materials nev.battery_materials"),
    inv("黔粤协作产业投资基金", "Qian-Yue Cooperation Industry Investment Fund", "黔粤基金", "fund", "CN", ""),
    inv("温塔尔能源有限公司", "Windtal Energie GmbH", "Windtal|温塔尔", "foreign", "DE", "new_energy.wind new_energy.hydrogen"),
    inv("Helvion Hydrogen GmbH", "Helvion Hydrogen GmbH", "Helvion|海维昂氢能", "foreign", "DE", "new_energy.hydrogen"),
    inv("Solvanta Pte. Ltd.", "Solvanta Pte. Ltd.", "Solvanta|索尔万塔", "foreign", "SG", "new_energy.solar storage"),
    inv("坦布苏循环科技有限公司", "Tembusu Circular Pte. Ltd.", "Tembusu Circular", "foreign", "SG", "recycling"),
    inv("维达利斯环境有限公司", "Verdalis Environnement SAS", "Verdalis|维达利斯", "foreign", "FR", "energy_saving.water recycling.solid_waste"),
    inv("Coteaux Verts Agroalimentaire SAS", "Coteaux Verts Agroalimentaire SAS", "Coteaux Verts|绿丘食品", "foreign", "FR", "eco_agriculture"),
    inv("青空先进材料株式会社", "Aozora Advanced Materials K.K.", "Aozora|青空材料", "foreign", "JP", "new_materials nev.battery_materials"),
    inv("新春能源解决方案株式会社", "Saebom Energy Solutions Co., Ltd.", "Saebom|新春能源", "foreign", "KR", "storage nev.battery"),
    inv("Thamesbridge Green Capital LLP", "Thamesbridge Green Capital LLP", "Thamesbridge|泰晤桥绿色资本", "foreign", "GB", "green_services energy_saving"),
    inv("Larkspur Data Systems Inc.", "Larkspur Data Systems Inc.", "Larkspur|云雀数据", "foreign", "US", "big_data"),
    inv("莱茵港水务技术有限公司", "Rijnpoort Water Technologies B.V.", "Rijnpoort", "foreign", "NL", "energy_saving.water"),
    inv("Alpenglanz Precision AG", "Alpenglanz Precision AG", "Alpenglanz|阿尔彭精密", "foreign", "CH", "equipment"),
    inv("翠港绿色投资有限公司", "Emerald Harbour Green Investment Ltd.", "Emerald Harbour|翠港投资", "foreign", "HK", ""),
    inv("西南绿色低碳产业联盟", "Southwest Green and Low-Carbon Industry Alliance", "绿碳联盟", "other", "CN", "green_services"),
    inv("山城大学绿色技术研究院", "Shancheng University Institute of Green Technology", "", "other", "CN", "cleaner_production energy_saving"),
)


def investors_csv(investors: tuple[Investor, ...]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["name", "name_en", "aliases", "kind", "country"])
    for investor in investors:
        writer.writerow([investor.name, investor.name_en, "|".join(investor.aliases), investor.kind, investor.country])
    return out.getvalue().encode("utf-8")


# --- signing ------------------------------------------------------------------------------

SESSIONS = (
    {"key": "green-industry-2023", "name": "生态文明贵阳国际论坛绿色产业项目签约",
     "name_en": "Eco Forum Global Guiyang 2023: green-industry project signing",
     "kind": "green_industry", "date": "2023-07-08", "venue": "贵阳国际生态会议中心",
     "target_yuan": yuan_str(6_000)},
    {"key": "major-projects-2023", "name": "贵州省重大绿色发展项目及战略合作协议签约",
     "name_en": "Signing of Guizhou's major green-development projects and strategic cooperation agreements",
     "kind": "major_projects", "date": "2023-07-08", "venue": "贵阳国际生态会议中心",
     "target_yuan": yuan_str(10_000)},
)
OFF_CATALOGUE = (
    ("贵州绿能投资集团有限公司", "贵州省新型储能产业链战略合作", "storage", "520100", "strategic"),
    ("温塔尔能源有限公司", "黔西南州风光储一体化开发战略合作", "new_energy.wind", "522300", "strategic"),
    ("贵州绿色发展产业基金", "贵州省绿色低碳产业基金合作框架协议", "green_services", "520100", "framework"),
)
LINKED_SIGNED = 34
INTENTS = 3


def pick_investor(rng: random.Random, project: Project, uses: dict[str, int]) -> Investor:
    def fits(investor: Investor) -> bool:
        return any(project.kind.sector == f or project.kind.sector.startswith(f + ".") for f in investor.focus)

    candidates = [i for i in INVESTORS if fits(i) and uses[i.name] < 2]
    if not candidates:
        candidates = [i for i in INVESTORS if not i.focus and uses[i.name] < 3]
    investor = rng.choice(candidates)
    uses[investor.name] += 1
    return investor


def make_signing(rng: random.Random, projects: list[Project]) -> dict:
    uses = {i.name: 0 for i in INVESTORS}
    for investor_name, *_ in OFF_CATALOGUE:
        uses[investor_name] += 1
    off_total_min = 1_000
    candidates = [p for p in projects if 100 <= p.sought <= 1_500]
    rng.shuffle(candidates)
    linked: list[tuple[Project, int]] = []
    running = 0
    for project in candidates:
        if len(linked) == LINKED_SIGNED:
            break
        amount = max(30, round(project.sought * rng.uniform(0.7, 1.0)))
        if running + amount <= SIGNED_TOTAL - off_total_min:
            linked.append((project, amount))
            running += amount
    assert len(linked) == LINKED_SIGNED
    remainder = SIGNED_TOTAL - running
    off_amounts = [remainder * 45 // 100, remainder * 35 // 100]
    off_amounts.append(remainder - sum(off_amounts))

    rows: list[dict] = []
    # the largest linked agreements go to the major-projects session
    ranked = sorted(linked, key=lambda pair: (-pair[1], pair[0].number))
    major_numbers = {p.number for p, _ in ranked[:8]}
    for project, amount in linked:
        investor = pick_investor(rng, project, uses)
        kind = str(weighted(rng, [("investment_contract", 70), ("framework", 20), ("strategic", 10)]))
        session = "major-projects-2023" if project.number in major_numbers else "green-industry-2023"
        rows.append({"session": session, "investor": investor.name, "project_code": str(project.number),
                     "amount_units": amount, "kind": kind})
    for (investor_name, project_name, sector, region, kind), amount in zip(OFF_CATALOGUE, off_amounts, strict=True):
        rows.append({"session": "major-projects-2023", "investor": investor_name, "project_code": None,
                     "project_name": project_name, "sector": sector, "region": region,
                     "amount_units": amount, "kind": kind})
    linked_numbers = {p.number for p, _ in linked}
    intent_pool = [p for p in candidates if p.number not in linked_numbers][:INTENTS]
    for project in intent_pool:
        investor = pick_investor(rng, project, uses)
        rows.append({"session": "green-industry-2023", "investor": investor.name,
                     "project_code": str(project.number), "amount_units": max(30, project.sought // 2),
                     "kind": "intent"})

    agreements: list[dict] = []
    for session in SESSIONS:
        start = datetime(2023, 7, 8, 10 if session["kind"] == "green_industry" else 15, 0)
        mine = [r for r in rows if r["session"] == session["key"]]
        for index, row in enumerate(mine):
            signed_at = (start + timedelta(minutes=3 * index)).isoformat() + "+08:00"
            units = row.pop("amount_units")
            kind = row.pop("kind")
            agreements.append({**row, "amount_yuan": yuan_str(units), "kind": kind, "signed_at": signed_at})
    signed = sum(Decimal(a["amount_yuan"]) for a in agreements if a["kind"] != "intent")
    assert signed == Decimal(yuan_str(SIGNED_TOTAL))
    return {"sessions": list(SESSIONS), "agreements": agreements}


# --- entry point --------------------------------------------------------------------------


def generate(out: Path) -> None:
    rng = random.Random(SEED)
    sectors = load_json("sectors.json")["items"]
    regions = load_json("regions.json")["items"]
    projects = make_projects(rng, regions, sector_terms(sectors))
    out.mkdir(parents=True, exist_ok=True)
    (out / "catalogue-2023.xlsx").write_bytes(workbook_bytes(catalogue_workbook(projects, regions)))
    (out / "investors.csv").write_bytes(investors_csv(INVESTORS))
    signing = make_signing(rng, projects)
    (out / "signing.json").write_text(json.dumps(signing, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DATA_DIR / "demo", help="output folder (default: data/demo)")
    args = parser.parse_args(argv)
    generate(args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
