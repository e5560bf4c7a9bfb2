"""A small published catalogue and investor profiles for the matching tests."""

from __future__ import annotations

from decimal import Decimal

import pytest
from factories import make_catalogue, make_investor, make_project

from matchmaker.catalogue.models import CatalogueStatus, ProjectStatus
from matchmaker.extensions import db
from matchmaker.matching.models import InvestorProfile

YI = Decimal(100_000_000)


@pytest.fixture
def catalogue(app):
    """Four matchable projects, one withdrawn and one in a draft catalogue (never matched)."""
    published = make_catalogue(name="2023 目录")
    draft = make_catalogue(name="草稿", status=CatalogueStatus.DRAFT)
    projects = {
        "solar": make_project(published, name="花溪农光互补光伏电站项目", sectors=("new_energy.solar",),
                              region_code="520111", investment_sought_yuan=5 * YI,
                              cooperation_modes=["joint_venture"],
                              construction_content="建设农光互补光伏电站及升压站"),
        "wind": make_project(published, name="汇川风电场项目", sectors=("new_energy.wind",),
                             region_code="520303", investment_sought_yuan=20 * YI,
                             cooperation_modes=["sole"], construction_content="建设风电机组"),
        "gypsum": make_project(published, name="磷石膏综合利用项目", sectors=("recycling.phosphogypsum",),
                               region_code="520102", investment_sought_yuan=3 * YI,
                               cooperation_modes=["cooperation"],
                               construction_content="磷石膏制建材生产线"),
        "battery": make_project(published, name="六枝动力电池项目", sectors=("nev.battery",),
                                region_code="520203", investment_sought_yuan=50 * YI,
                                cooperation_modes=["equity"], construction_content="动力电池电芯生产线"),
        "withdrawn": make_project(published, name="撤回的光伏项目", sectors=("new_energy.solar",),
                                  region_code="520111", investment_sought_yuan=5 * YI,
                                  status=ProjectStatus.WITHDRAWN),
        "draft": make_project(draft, name="草稿光伏项目", sectors=("new_energy.solar",),
                              region_code="520111", investment_sought_yuan=5 * YI),
    }
    return projects


def add_profile(investor, **fields) -> InvestorProfile:
    values = {"sectors": [], "regions": [], "modes": [], "keywords": ""}
    values.update(fields)
    profile = InvestorProfile(investor=investor, **values)
    db.session.add(profile)
    db.session.commit()
    return profile


@pytest.fixture
def solar_investor(app):
    investor = make_investor("贵州绿能投资有限公司", name_en="Guizhou Green Energy Investment Co., Ltd.")
    add_profile(investor, sectors=["new_energy"], regions=["520100"], min_yuan=1 * YI,
                max_yuan=10 * YI, modes=["joint_venture"], keywords="光伏")
    return investor
