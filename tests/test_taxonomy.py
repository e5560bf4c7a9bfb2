from pathlib import Path

import pytest

from matchmaker.reference.taxonomy import Gazetteer, Taxonomy, normalize_mode

DATA = Path(__file__).resolve().parent / "data" / "catalogue"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def taxonomy():
    return Taxonomy.load(DATA / "fixture_sectors.json")


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer.load(DATA / "fixture_regions.json")


def test_tree(taxonomy):
    assert [s.code for s in taxonomy.roots()] == [
        "nev", "new_energy", "big_data", "new_materials", "eco_tourism", "recycling",
    ]
    assert [s.code for s in taxonomy.children("nev")] == ["nev.battery", "nev.vehicles"]
    assert [s.code for s in taxonomy.ancestors("nev.battery")] == ["nev"]
    battery = taxonomy.get("nev.battery")
    assert (battery.parent_code, battery.depth, battery.aliases) == ("nev", 1, ("锂电池材料",))
    assert taxonomy.get("nope") is None


@pytest.mark.parametrize(
    ("text", "code", "exact"),
    [
        ("新能源汽车及电池材料", "nev", True),
        ("电池材料", "nev.battery", True),
        ("Battery Materials", "nev.battery", True),
        ("ＢＩＧ　ＤＡＴＡ", "big_data", True),
        ("光伏", "new_energy.solar", True),
        ("大数据产业", "big_data", False),
        ("新材枓", "new_materials", False),
    ],
)
def test_match_best_first(taxonomy, text, code, exact):
    best = taxonomy.match(text)[0]
    assert (best.code, best.exact) == (code, exact)
    assert (best.score == 100) is exact


def test_resolve_threshold(taxonomy):
    assert taxonomy.resolve("大数据产业", 85).code == "big_data"
    assert taxonomy.resolve("大数据产业", 95) is None
    assert taxonomy.resolve("稀土冶炼", 70) is None


@pytest.mark.parametrize(
    ("cell", "parts"),
    [
        ("新能源汽车及电池材料", ["新能源汽车及电池材料"]),  # whole-cell sector wins
        ("新能源汽车、电池材料", ["新能源汽车", "电池材料"]),
        ("新能源，新材料; 生态旅游/大数据", ["新能源", "新材料", "生态旅游", "大数据"]),
        ("大数据和新材料", ["大数据", "新材料"]),  # both sides are known sectors
        ("电池材料及回收", ["电池材料及回收"]),  # '回收' is not: no split
        ("新能源、新能源", ["新能源"]),
        ("", []),
        (None, []),
    ],
)
def test_split_cell(taxonomy, cell, parts):
    assert taxonomy.split_cell(cell) == parts


@pytest.mark.parametrize(
    ("text", "code", "prefecture", "score", "inferred"),
    [
        ("遵义市汇川区", "520303", "520300", 100, False),
        ("贵州省遵义市汇川区高坪街道", "520303", "520300", 100, False),
        ("黔南州福泉市", "522702", "522700", 100, False),
        ("黔南布依族苗族自治州福泉市", "522702", "522700", 100, False),
        ("贵安新区", "529900", "529900", 100, False),
        ("贵安", "529900", "529900", 100, False),
        ("Gui'an", "529900", "529900", 100, False),
        ("遵义市", "520300", "520300", 100, False),
        ("Zunyi", "520300", "520300", 100, False),
        ("zunyi", "520300", "520300", 100, False),
        ("汇川区", "520303", "520300", 100, True),
        ("Huichuan District", "520303", "520300", 100, True),
        ("仁怀", "520382", "520300", 100, True),
        ("位于观山湖区金阳新区", "520115", "520100", 90, True),
        ("zunyl", "520300", "520300", 80, True),
    ],
)
def test_match_location(gazetteer, text, code, prefecture, score, inferred):
    match = gazetteer.match_location(text)
    assert (match.code, match.prefecture_code, match.score, match.inferred) == (
        code, prefecture, score, inferred,
    )


def test_unknown_location(gazetteer):
    assert gazetteer.match_location("北京市朝阳区") is None
    assert gazetteer.match_location("") is None


def test_county_shared_by_two_prefectures_is_ambiguous():
    gazetteer = Gazetteer.from_records([
        {"code": "1", "name": "甲市", "name_en": "A", "pinyin": "a", "short": "甲",
         "children": [{"code": "11", "name": "新城区", "name_en": "", "pinyin": "", "short": ""}]},
        {"code": "2", "name": "乙市", "name_en": "B", "pinyin": "b", "short": "乙",
         "children": [{"code": "21", "name": "新城区", "name_en": "", "pinyin": "", "short": ""}]},
    ])
    assert gazetteer.match_location("新城区").score == 60
    assert gazetteer.match_location("乙市新城区").code == "21"
    assert gazetteer.prefecture_of("21").code == "2"


@pytest.mark.parametrize(
    ("cell", "codes"),
    [
        ("独资", ["sole"]),
        ("合资、合作", ["joint_venture", "cooperation"]),
        ("股权合作", ["equity"]),
        ("参股", ["equity"]),
        ("ＰＰＰ", ["ppp"]),
        ("独资或合资", ["sole", "joint_venture"]),
        ("Joint venture / Equity", ["joint_venture", "equity"]),
        ("BOT", ["other"]),
        ("", []),
    ],
)
def test_normalize_mode(cell, codes):
    assert normalize_mode(cell) == codes


@pytest.mark.skipif(
    not (ROOT / "data" / "regions.json").exists() or not (ROOT / "data" / "sectors.json").exists(),
    reason="data/*.json not present",
)
def test_real_reference_files():
    gazetteer = Gazetteer.load(ROOT / "data" / "regions.json")
    taxonomy = Taxonomy.load(ROOT / "data" / "sectors.json")
    assert gazetteer.match_location("遵义市汇川区").code == "520303"
    assert gazetteer.match_location("黔南州福泉市").code == "522702"
    assert gazetteer.match_location("贵安新区").code == "529900"
    assert len(gazetteer.prefectures()) == 11  # nine prefectures, Gui'an, the province
    assert gazetteer.match_location("贵州省").code == "520000"
    assert taxonomy.split_cell("新能源汽车及电池材料") == ["新能源汽车及电池材料"]
    assert taxonomy.match("新能源汽车及电池材料")[0].exact
