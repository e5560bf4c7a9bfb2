"""A small published catalogue with known answers (a fixture the search tests import; not a
conftest.py, whose module name would clash with the other test folders')."""

from __future__ import annotations

from decimal import Decimal

import pytest
from factories import make_catalogue, make_project

# name, sectors, region, sought (亿元), modes, content, status
ROWS = [
    ("遵义市汇川区年产5万吨锂电池正极材料项目", ("nev.battery_materials",), "520303", "12", ["joint_venture"],
     "建设磷酸铁锂正极材料生产线", "open"),
    ("贵阳农光互补光伏电站项目", ("new_energy.solar",), "520113", "3.5", ["cooperation"],
     "建设100MW农光互补光伏电站", "open"),
    ("贵安新区绿色数据中心项目", ("big_data.datacenter",), "529900", "60", ["sole", "ppp"],
     "建设绿色数据中心及算力平台", "negotiating"),
    ("铜仁市新型储能电站项目", ("storage",), "520602", "0.8", ["equity"],
     "配套锂电池储能系统，服务光伏消纳", "open"),
    ("遵义市分布式光伏项目", ("new_energy.solar",), "520302", "2", ["cooperation"],
     "屋顶分布式光伏", "open"),
    ("六盘水煤矸石综合利用制砖项目", ("recycling.coal_gangue",), "520201", "1", ["joint_venture"],
     "利用煤矸石生产新型墙材", "signed"),
    ("毕节生态茶园建设项目", ("eco_agriculture.tea",), "520502", "0.5", ["cooperation"],
     "建设生态茶园五千亩", "open"),
    ("黔南州动力电池回收项目", ("recycling.renewables",), "522702", "5", ["equity"],
     "废旧动力电池回收利用", "withdrawn"),
    ("安顺市锂电池隔膜项目", ("nev.battery_materials", "new_materials.chemical"), "520402", "20",
     ["joint_venture", "cooperation"], "建设锂电池隔膜生产线", "open"),
    ("遵义市红花岗区智能装备制造项目", ("equipment",), "520302", "8", ["sole"],
     "智能装备制造基地，含光伏支架", "open"),
]


@pytest.fixture(name="catalogue_projects")
def catalogue_projects_fixture(app):
    """The ROWS as projects of one published catalogue: {short key: project}."""
    from matchmaker.catalogue.models import ProjectStatus

    catalogue = make_catalogue(name="2023 绿色产业招商项目")
    projects = []
    for name, sectors, region, sought, modes, content, status in ROWS:
        projects.append(make_project(
            catalogue, sectors=sectors, region_code=region, name=name,
            construction_content=content, investment_sought_yuan=Decimal(sought) * 100_000_000,
            cooperation_modes=modes, status=ProjectStatus(status),
            owner="示例业主有限公司", contact_person="张三", contact_phone="0851-12345678",
        ))
    return projects
