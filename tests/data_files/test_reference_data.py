"""The versioned reference data (data/sectors.json, data/regions.json) and the demo data that
data/generate_demo.py writes (data/demo/): what other code and people rely on in them."""

from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from datetime import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from matchmaker.text import compact

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
DEMO = DATA / "demo"
DEMO_FILES = ("catalogue-2023.xlsx", "investors.csv", "signing.json")

TOP_SECTORS = [
    "nev", "modern_energy", "new_energy", "storage", "big_data", "new_materials", "energy_saving",
    "cleaner_production", "recycling", "equipment", "eco_agriculture", "eco_tourism", "green_services",
]
ALL_SECTORS = TOP_SECTORS + [
    "nev.vehicles", "nev.battery", "nev.battery_materials", "nev.charging",
    "modern_energy.clean_coal", "modern_energy.gas", "modern_energy.grid",
    "new_energy.solar", "new_energy.wind", "new_energy.hydro", "new_energy.hydrogen", "new_energy.biomass",
    "big_data.datacenter", "big_data.electronics", "big_data.software",
    "new_materials.chemical", "new_materials.metal", "new_materials.building",
    "energy_saving.carbon", "energy_saving.env_industry", "energy_saving.water",
    "recycling.phosphogypsum", "recycling.coal_gangue", "recycling.solid_waste", "recycling.renewables",
    "eco_agriculture.food", "eco_agriculture.tea", "eco_agriculture.herbs", "eco_agriculture.farming",
]
PREFECTURES = {
    "520100": "贵阳市", "520200": "六盘水市", "520300": "遵义市", "520400": "安顺市", "520500": "毕节市",
    "520600": "铜仁市", "522300": "黔西南布依族苗族自治州", "522600": "黔东南苗族侗族自治州",
    "522700": "黔南布依族苗族自治州", "529900": "贵安新区",
}
HEADER = (
    "序号", "项目名称", "所属产业", "建设地点", "项目总投资（亿元）", "拟引资金额（亿元）", "合作方式",
    "建设内容", "市场前景", "项目进展", "项目业主", "联系人", "联系电话",
)


def load(name: str) -> dict:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def flatten(items: list[dict], parent: dict | None = None) -> list[tuple[dict, dict | None]]:
    nodes: list[tuple[dict, dict | None]] = []
    for item in items:
        nodes.append((item, parent))
        nodes.extend(flatten(item.get("children", []), item))
    return nodes


SECTORS = flatten(load("sectors.json")["items"])
REGIONS = load("regions.json")
SECTOR_TERMS = {
    term: node["code"] for node, _ in SECTORS for term in (node["name"], node["name_en"], *node["aliases"])
}


def sector_codes_of(cell: str) -> list[str]:
    return [SECTOR_TERMS[part] for part in cell.split("、")]


# --- sectors ------------------------------------------------------------------------------


def test_sector_codes_are_exactly_the_agreed_ones_in_order():
    assert [node["code"] for node, _ in SECTORS if "." not in node["code"]] == TOP_SECTORS
    assert sorted(node["code"] for node, _ in SECTORS) == sorted(ALL_SECTORS)


def test_every_sector_has_the_api_shape_and_sits_under_its_parent():
    for node, parent in SECTORS:
        assert set(node) == {"code", "name", "name_en", "aliases", "children"}, node["code"]
        assert node["name"] and node["name_en"]
        if parent is not None:
            assert node["code"].startswith(parent["code"] + ".")


def test_no_sector_label_means_two_sectors():
    """Compared the way the taxonomy compares them (full-width, case, punctuation ignored)."""
    owner: dict[str, str] = {}
    for node, _ in SECTORS:
        for term in (node["name"], node["name_en"], *node["aliases"]):
            key = compact(term)
            assert key, term
            assert owner.setdefault(key, node["code"]) == node["code"], (term, owner[key], node["code"])


@pytest.mark.parametrize(
    ("label", "code"),
    [
        ("新能源汽车及电池材料", "nev"),
        ("新能源汽车", "nev.vehicles"),
        ("电池材料", "nev.battery_materials"),
        ("锂电", "nev.battery"),
        ("锂电池", "nev.battery"),
        ("LFP", "nev.battery_materials"),
        ("磷酸铁锂", "nev.battery_materials"),
        ("NEV", "nev.vehicles"),
        ("EV", "nev.vehicles"),
        ("现代能源", "modern_energy"),
        ("大数据电子信息", "big_data"),
        ("IDC", "big_data.datacenter"),
        ("data centre", "big_data.datacenter"),
        ("data center", "big_data.datacenter"),
        ("新能源", "new_energy"),
        ("光伏", "new_energy.solar"),
        ("PV", "new_energy.solar"),
        ("photovoltaic", "new_energy.solar"),
        ("风电", "new_energy.wind"),
        ("水电", "new_energy.hydro"),
        ("氢能", "new_energy.hydrogen"),
        ("新材料", "new_materials"),
        ("精细磷化工", "new_materials.chemical"),
        ("节能环保", "energy_saving"),
        ("节能降碳", "energy_saving.carbon"),
        ("环保产业", "energy_saving.env_industry"),
        ("清洁生产", "cleaner_production"),
        ("循环利用", "recycling"),
        ("资源综合利用", "recycling"),
        ("循环经济", "recycling"),
        ("磷石膏", "recycling.phosphogypsum"),
        ("煤矸石", "recycling.coal_gangue"),
        ("绿色储能", "storage"),
        ("储能", "storage"),
        ("BESS", "storage"),
        ("抽水蓄能", "storage"),
        ("先进装备制造", "equipment"),
        ("生态农业", "eco_agriculture"),
        ("生态特色食品", "eco_agriculture.food"),
        ("生态旅游", "eco_tourism"),
        ("康养", "eco_tourism"),
        ("绿色产品", "green_services"),
        ("绿色服务", "green_services"),
        ("碳汇", "green_services"),
    ],
)
def test_domain_sector_names_resolve_to_their_code(label, code):
    assert SECTOR_TERMS[label] == code


# --- regions ------------------------------------------------------------------------------


def test_top_level_is_nine_prefectures_and_guian_with_its_note():
    province, *prefectures = REGIONS["items"]
    assert (province["code"], province["name"], province["level"], province["children"]) == (
        "520000", "贵州省", "province", [])  # a province-wide project
    assert {item["code"]: item["name"] for item in prefectures} == PREFECTURES
    assert "529900" in REGIONS["note"] and "NOT a GB/T 2260 code" in REGIONS["note"]
    guian = REGIONS["items"][-1]
    assert (guian["name_en"], guian["short"], guian["children"]) == ("Gui'an New Area", "贵安", [])
    assert {"贵安", "Gui'an", "Guian"} <= set(guian["aliases"])


def test_counties_belong_to_their_prefecture_and_codes_are_unique():
    codes = [item["code"] for item in REGIONS["items"][1:]]
    for prefecture in REGIONS["items"][1:]:
        for county in prefecture["children"]:
            assert county["code"][:4] == prefecture["code"][:4], county
            codes.append(county["code"])
    assert len(codes) == len(set(codes))
    assert len(codes) == 10 + 88  # Guizhou's 88 county-level divisions since 2021


def test_every_region_has_english_pinyin_and_short_name():
    for node, _ in flatten(REGIONS["items"]):
        assert re.fullmatch(r"[a-z]+", node["pinyin"]), node
        assert node["name_en"] and node["short"]
        assert node["name"].startswith(node["short"]), node
        assert isinstance(node["aliases"], list)


@pytest.mark.parametrize(
    ("name", "code", "name_en", "pinyin", "short"),
    [
        ("汇川区", "520303", "Huichuan District", "huichuan", "汇川"),
        ("观山湖区", "520115", "Guanshanhu District", "guanshanhu", "观山湖"),
        ("六枝特区", "520203", "Liuzhi Special District", "liuzhi", "六枝"),
        ("盘州市", "520281", "Panzhou City", "panzhou", "盘州"),
        ("播州区", "520304", "Bozhou District", "bozhou", "播州"),
        ("七星关区", "520502", "Qixingguan District", "qixingguan", "七星关"),
        ("黔西市", "520581", "Qianxi City", "qianxi", "黔西"),
        ("碧江区", "520602", "Bijiang District", "bijiang", "碧江"),
        ("万山区", "520603", "Wanshan District", "wanshan", "万山"),
        ("兴仁市", "522302", "Xingren City", "xingren", "兴仁"),
        ("福泉市", "522702", "Fuquan City", "fuquan", "福泉"),
        ("瓮安县", "522725", "Weng'an County", "wengan", "瓮安"),
        ("三都水族自治县", "522732", "Sandu Shui Autonomous County", "sandu", "三都"),
        ("黔东南苗族侗族自治州", "522600", "Qiandongnan Miao and Dong Autonomous Prefecture", "qiandongnan", "黔东南"),
        ("遵义市", "520300", "Zunyi", "zunyi", "遵义"),
    ],
)
def test_region_spot_checks(name, code, name_en, pinyin, short):
    (node,) = [n for n, _ in flatten(REGIONS["items"]) if n["name"] == name]
    assert (node["code"], node["name_en"], node["pinyin"], node["short"]) == (code, name_en, pinyin, short)


# --- demo catalogue -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def sheet_rows() -> list[tuple]:
    workbook = load_workbook(DEMO / "catalogue-2023.xlsx", read_only=True)
    try:
        return [tuple(row) for row in workbook.active.iter_rows(values_only=True)]
    finally:
        workbook.close()


@pytest.fixture(scope="module")
def project_rows(sheet_rows) -> list[tuple]:
    return [row for row in sheet_rows if isinstance(row[0], int)]


def amount(value: object) -> Decimal:
    return Decimal(str(value))


def test_catalogue_layout_title_unit_header_sections_total_and_note(sheet_rows):
    assert sheet_rows[0][0] == "贵州省2023年绿色生态产业招商推介项目索引（示例数据）"
    assert sheet_rows[1][0] == "单位：亿元"
    assert sheet_rows[2] == HEADER
    sections = [row[0] for row in sheet_rows if isinstance(row[0], str) and "个）" in row[0]]
    assert sections == [
        "一、贵阳市（40个）", "二、六盘水市（22个）", "三、遵义市（32个）", "四、安顺市（16个）",
        "五、毕节市（24个）", "六、铜仁市（16个）", "七、黔西南州（14个）", "八、黔东南州（14个）",
        "九、黔南州（18个）", "十、贵安新区（24个）",
    ]
    total_row, note_row = sheet_rows[-2], sheet_rows[-1]
    assert total_row[0] == "合计" and amount(total_row[5]) == Decimal("1300")
    assert note_row[0].startswith("注：以上项目信息仅供参考")


def test_catalogue_has_220_numbered_projects_seeking_exactly_1300_yi(project_rows, sheet_rows):
    assert [row[0] for row in project_rows] == list(range(1, 221))
    assert sum(amount(row[5]) for row in project_rows) == Decimal("1300.00")
    assert sum(amount(row[4]) for row in project_rows) == amount(sheet_rows[-2][4])
    assert len({row[1] for row in project_rows}) == 220
    for row in project_rows:
        total, sought = amount(row[4]), amount(row[5])
        assert Decimal("0.30") <= sought <= Decimal("30.00"), row[:6]
        assert total >= sought and total.as_tuple().exponent >= -2 and sought.as_tuple().exponent >= -2


def test_catalogue_sector_cells_use_taxonomy_labels_and_cover_every_sector(project_rows):
    seen = {code.split(".")[0] for row in project_rows for code in sector_codes_of(row[2])}
    assert seen == set(TOP_SECTORS)
    assert any("、" in row[2] for row in project_rows)


def test_catalogue_locations_cover_every_region_and_modes_are_known(project_rows):
    labels = {"黔西南州": "522300", "黔东南州": "522600", "黔南州": "522700"}
    labels.update({name: code for code, name in PREFECTURES.items()})
    regions = {next(code for label, code in labels.items() if row[3].startswith(label)) for row in project_rows}
    assert regions == set(PREFECTURES)
    modes = {part for row in project_rows for part in row[6].split("、")}
    assert modes == {"独资", "合资", "合作", "PPP", "股权合作"}
    assert all(re.fullmatch(r"085\d-8\d{7}|1\d{10}", row[12]) for row in project_rows)


# --- demo investors and signing -------------------------------------------------------------


@pytest.fixture(scope="module")
def investors() -> list[dict]:
    with (DEMO / "investors.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_investors_are_about_sixty_with_valid_kinds_and_countries(investors):
    assert 55 <= len(investors) <= 65
    assert list(investors[0]) == ["name", "name_en", "aliases", "kind", "country"]
    assert len({row["name"] for row in investors}) == len(investors)
    assert {row["kind"] for row in investors} == {"enterprise", "soe", "fund", "foreign", "other"}
    for row in investors:
        assert re.fullmatch(r"[A-Z]{2}", row["country"]) and row["name_en"]
        assert (row["kind"] == "foreign") == (row["country"] != "CN"), row
    aliases = [a for row in investors for a in row["aliases"].split("|") if a]
    assert len(aliases) == len(set(aliases))


def test_signing_agreements_reference_known_projects_investors_and_codes(investors, project_rows):
    signing = json.loads((DEMO / "signing.json").read_text(encoding="utf-8"))
    sessions = {s["key"]: s for s in signing["sessions"]}
    assert {s["kind"] for s in sessions.values()} == {"green_industry", "major_projects"}
    assert sum(Decimal(s["target_yuan"]) for s in sessions.values()) == Decimal("16000000000.00")
    names = {row["name"] for row in investors}
    codes = {str(row[0]) for row in project_rows}
    regions = {node["code"] for node, _ in flatten(REGIONS["items"])}
    agreements = signing["agreements"]
    assert 35 <= len(agreements) <= 45
    for agreement in agreements:
        assert agreement["session"] in sessions and agreement["investor"] in names
        assert agreement["kind"] in {"investment_contract", "framework", "strategic", "intent"}
        assert re.fullmatch(r"\d+\.\d\d", agreement["amount_yuan"])
        assert datetime.fromisoformat(agreement["signed_at"]).utcoffset().total_seconds() == 8 * 3600
        if agreement["project_code"] is None:
            assert agreement["project_name"] and agreement["sector"] in SECTOR_TERMS.values()
            assert agreement["region"] in regions
        else:
            assert agreement["project_code"] in codes
    off_catalogue = [a for a in agreements if a["project_code"] is None]
    assert 2 <= len(off_catalogue) <= 3
    signed = sum(Decimal(a["amount_yuan"]) for a in agreements if a["kind"] != "intent")
    assert signed == Decimal("16235000000.00")


# --- the generator ------------------------------------------------------------------------


def test_generator_is_deterministic_and_matches_the_committed_files(tmp_path):
    outputs = []
    for run in ("first", "second"):
        out = tmp_path / run
        subprocess.run(
            [sys.executable, str(DATA / "generate_demo.py"), "--out", str(out)],
            check=True, capture_output=True, timeout=60,
        )
        outputs.append({name: (out / name).read_bytes() for name in DEMO_FILES})
    assert outputs[0] == outputs[1]
    committed = {name: (DEMO / name).read_bytes() for name in DEMO_FILES}
    stale = [name for name in DEMO_FILES if committed[name] != outputs[0][name]]
    assert not stale, f"data/demo is stale, run: python data/generate_demo.py ({stale})"
