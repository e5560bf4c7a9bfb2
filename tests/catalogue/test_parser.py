import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from matchmaker.catalogue import (
    DuplicateHint,
    ParseError,
    ParseLimits,
    find_duplicates,
    find_duplicates_within,
    parse_catalogue,
)
from matchmaker.reference.taxonomy import Gazetteer, Taxonomy

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "catalogue"
RATE = Decimal("7.1")

NO_UNIT = (
    "The amount %(value)s has no unit and the column header gives none; "
    "write it as 5亿元 or 5000万元."
)


@pytest.fixture(scope="module")
def taxonomy():
    return Taxonomy.load(DATA / "fixture_sectors.json")


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer.load(DATA / "fixture_regions.json")


@pytest.fixture(scope="module")
def parse(taxonomy, gazetteer):
    def run(data, filename, **kwargs):
        return parse_catalogue(data, filename, taxonomy=taxonomy, gazetteer=gazetteer, **kwargs)

    return run


@pytest.fixture(scope="module")
def zunyi(parse):
    return parse((DATA / "prefecture_zunyi.xlsx").read_bytes(), "prefecture_zunyi.xlsx")


def yuan(text):
    return Decimal(text)


# --------------------------------------------------------------------- prefecture_zunyi.xlsx


def test_zunyi_header_and_columns(zunyi):
    assert (zunyi.format, zunyi.encoding, zunyi.sheet_name) == ("xlsx", None, "遵义市")
    assert (zunyi.header_row, zunyi.title_rows) == (3, [1, 2])
    assert [(c.header_text, c.field, c.unit) for c in zunyi.columns] == [
        ("序号", "code", None),
        ("项目名称", "name", None),
        ("所属产业", "sectors", None),
        ("建设地点", "location", None),
        ("总投资（亿元）", "total_investment", "亿元"),
        ("拟引资金额", "investment_sought", None),
        ("合作方式", "cooperation_modes", None),
        ("建设内容", "construction_content", None),
        ("用地面积（亩）", None, None),
        ("项目业主", "owner", None),
        ("联系人", "contact_person", None),
        ("联系电话", "contact_phone", None),
    ]


def test_zunyi_parsed_rows(zunyi):
    assert [
        (r.row, r.code, r.name, r.sectors, r.region_code, r.total_investment_yuan,
         r.investment_sought_yuan, r.cooperation_modes)
        for r in zunyi.rows
    ] == [
        (5, "1", "汇川区新能源汽车电池材料产业园", ["nev.battery"], "520303",
         yuan("1200000000.00"), yuan("500000000.00"), ["joint_venture", "cooperation"]),
        (6, "2", "遵义锂电池隔膜项目", ["nev.battery"], "520303",
         yuan("320000000.00"), yuan("50000000.00"), ["sole"]),
        (7, "3", "汇川区电池回收项目", ["nev.battery"], "520303",
         yuan("800000000.00"), yuan("200000000.00"), ["equity"]),
        (11, "4", "仁怀市光伏发电项目", ["new_energy.solar"], "520382",
         yuan("650000000.00"), yuan("400000000.00"), ["ppp"]),
        (12, "5", "仁怀生态旅游度假区", ["eco_tourism", "big_data"], "520382",
         yuan("2000000000.00"), yuan("150000000.00"), ["cooperation"]),
        (20, "12", "汇川区新能源汽车电池材料产业园项目", ["nev.battery"], "520303",
         yuan("1200000000.00"), yuan("500000000.00"), ["joint_venture"]),
    ]


def test_zunyi_merged_sector_applies_to_its_block(zunyi):
    by_row = {r.row: r for r in zunyi.rows}
    assert [by_row[n].sectors for n in (5, 6, 7)] == [["nev.battery"]] * 3


def test_zunyi_text_fields_phone_and_extra(zunyi):
    first, second, third = zunyi.rows[:3]
    assert (first.contact_phone, second.contact_phone, third.contact_phone) == (
        "85112345678", "13800000000", "0851-28888888",
    )
    assert first.extra == {"用地面积（亩）": "300"}  # headers kept as written
    assert second.extra == {}
    assert first.owner == "遵义汇川产业投资有限公司"
    assert first.construction_content == "建设年产5万吨正极材料生产线"
    assert first.location == "遵义市汇川区"


def test_zunyi_rejected_rows(zunyi):
    assert [(e.row, e.column, e.value, e.reason.template) for e in zunyi.errors] == [
        (13, "项目名称", "", "The project name is missing."),
        (14, "所属产业", "稀土冶炼", "Unknown sector %(value)s."),
        (15, "拟引资金额", "3", NO_UNIT),
        (16, "总投资（亿元）", "1",
         "The total investment (%(total)s亿元) is less than the investment sought (%(sought)s亿元)."),
        (17, "序号", "10",
         "Project number %(code)s is used by more than one row (rows %(rows)s)."),
        (18, "序号", "10",
         "Project number %(code)s is used by more than one row (rows %(rows)s)."),
        (19, "拟引资金额", "-2亿元", "The amount %(value)s is negative."),
    ]
    assert str(zunyi.errors[3].reason) == (
        "The total investment (1亿元) is less than the investment sought (2亿元)."
    )
    assert str(zunyi.errors[4].reason) == "Project number 10 is used by more than one row (rows 17, 18)."
    assert zunyi.rejected_rows == [13, 14, 15, 16, 17, 18, 19]


def test_zunyi_skipped_rows(zunyi):
    assert [(s.row, str(s.reason)) for s in zunyi.skipped] == [
        (1, "Title above the header."),
        (2, "Title above the header."),
        (4, "Section heading: 一、汇川区（3个）"),
        (8, "Blank row."),
        (9, "Subtotal or total row."),
        (10, "Section heading: 二、仁怀市（2个）"),
        (21, "Subtotal or total row."),
        (22, "Blank row."),
        (23, "Note below the table."),
        (24, "Note below the table."),
    ]


def test_zunyi_warnings(zunyi):
    assert [(w.row, w.column, str(w.message)) for w in zunyi.warnings] == [
        (5, "拟引资金额", "约5亿元 is approximate; recorded as 5亿元."),
    ]  # '大数据产业' is the alias 大数据 plus the generic word 产业: an exact reading
    # routine readings are counted per column, not listed per cell
    assert [(s.column, str(s.message)) for s in zunyi.summary] == [
        ("建设地点", "2 locations name only the county; the prefecture was deduced."),
        ("拟引资金额", "1 cells in 万元."),
    ]


def test_zunyi_duplicate_hint(zunyi):
    assert zunyi.duplicates == [DuplicateHint(row=20, other_row=5, score=93.8)]


# --------------------------------------------------------------------- other formats


def test_bad_dimension_record_is_ignored(parse):
    result = parse((DATA / "bad_dimension.xlsx").read_bytes(), "bad_dimension.xlsx")
    assert result.header_row == 1
    assert [(r.row, r.name, r.region_code, r.investment_sought_yuan) for r in result.rows] == [
        (2, "观山湖区大数据产业园", "520115", yuan("250000000.00")),
        (3, "花溪区生态旅游项目", "520111", yuan("120000000.00")),
        (4, "贵安新区数据中心", "529900", yuan("80000000.00")),
    ]
    assert result.errors == []


def test_gbk_csv(parse):
    result = parse((DATA / "county_gbk.csv").read_bytes(), "county_gbk.csv")
    assert (result.format, result.encoding, result.delimiter) == ("csv", "gb18030", ",")
    assert (result.header_row, result.title_rows) == (2, [1])
    assert [
        (r.row, r.code, r.sectors, r.region_code, r.total_investment_yuan,
         r.investment_sought_yuan, r.cooperation_modes, r.contact_phone)
        for r in result.rows
    ] == [
        (3, "1", ["recycling"], "522702", yuan("500000000.00"), yuan("300000000.00"),
         ["joint_venture"], "0854-2222222"),
        (4, "2", ["new_materials"], "522702", yuan("120000000.00"), yuan("80000000.00"),
         ["sole", "cooperation"], "13900000000"),
    ]
    assert [(w.row, str(w.message)) for w in result.warnings] == [
        (4, "约8000 is approximate; recorded as 0.8亿元."),
    ]
    assert [(s.column, s.count, str(s.message)) for s in result.summary] == [
        ("建设地点", 1, "1 locations name only the county; the prefecture was deduced."),
        ("项目总投资(万元)", 2, "2 cells in 万元."),
        ("拟引资金额(万元)", 2, "2 cells in 万元."),
    ]
    assert [(s.row, str(s.reason)) for s in result.skipped] == [
        (1, "Title above the header."), (5, "Subtotal or total row."),
    ]


def test_utf8_bom_tab_separated(parse):
    result = parse((DATA / "county_utf8_bom.csv").read_bytes(), "county_utf8_bom.csv")
    assert (result.encoding, result.delimiter, result.header_row) == ("utf-8-sig", "\t", 1)
    assert [
        (r.code, r.name, r.sectors, r.region_code, r.total_investment_yuan, r.investment_sought_yuan)
        for r in result.rows
    ] == [
        ("GA-01", "贵安新区绿色数据中心", ["big_data"], "529900", yuan("1000000000.00"),
         yuan("500000000.00")),
        ("GA-02", "贵安新能源新材料产业园", ["new_energy", "new_materials"], "529900",
         yuan("2000000000.00"), yuan("1250000000.00")),
    ]
    assert result.rows[0].construction_content == "建设绿色数据中心，PUE低于1.2"  # as written
    assert result.errors == result.warnings == []


def test_english_headers_with_usd_rate(parse):
    data = (DATA / "english_headers.csv").read_bytes()
    result = parse(data, "english_headers.csv", usd_rate=RATE)
    assert result.encoding == "utf-8"
    assert [(c.field, c.unit) for c in result.columns] == [
        ("name", None), ("sectors", None), ("location", None),
        ("total_investment", "USD million"), ("investment_sought", "USD million"),
        ("cooperation_modes", None),
    ]
    assert [
        (r.code, r.sectors, r.region_code, r.total_investment_yuan, r.investment_sought_yuan,
         r.cooperation_modes)
        for r in result.rows
    ] == [
        ("N-894118f894", ["new_energy.solar"], "520300", yuan("142000000.00"),
         yuan("71000000.00"), ["joint_venture"]),
        ("N-cf6952ac5b", ["big_data"], "529900", yuan("355000000.00"), yuan("216550000.00"),
         ["equity"]),
        ("N-bc7371f514", ["eco_tourism"], "520111", yuan("85200000.00"), yuan("56800000.00"),
         ["cooperation"]),
    ]
    assert [str(s.message) for s in result.summary][1:] == [
        "3 cells in USD million, converted at 7.1 yuan per USD.",
    ] * 2
    first = result.rows[0]
    assert (first.currency, first.exchange_rate, first.total_investment_original,
            first.investment_sought_original) == ("USD", RATE, yuan("20000000.00"), yuan("10000000.00"))


def test_english_headers_without_rate_rejects_every_amount(parse):
    result = parse((DATA / "english_headers.csv").read_bytes(), "english_headers.csv")
    assert result.rows == []
    assert {e.reason.template for e in result.errors} == {
        "%(value)s is in US dollars but the catalogue has no exchange rate."
    }
    assert len(result.errors) == 6


def test_generated_code_is_stable_across_uploads(parse):
    data = (DATA / "english_headers.csv").read_bytes()
    reordered = b"\n".join([data.splitlines()[0], *reversed(data.splitlines()[1:])])
    first = {r.name: r.code for r in parse(data, "a.csv", usd_rate=RATE).rows}
    second = {r.name: r.code for r in parse(reordered, "b.csv", usd_rate=RATE).rows}
    assert first == second


# --------------------------------------------------------------------- whole file refused


@pytest.mark.parametrize(
    ("filename", "template"),
    [
        ("empty.csv", "The file is empty."),
        ("not_a_sheet.xlsx", "The file is not a valid Excel workbook (.xlsx)."),
        ("zip_bomb.xlsx", "The workbook unpacks to %(size)d MB, more than the %(max)d MB "
         "allowed; it may be damaged or malicious."),
    ],
)
def test_refused_files(parse, filename, template):
    with pytest.raises(ParseError) as info:
        parse((DATA / filename).read_bytes(), filename)
    assert info.value.message.template == template


def test_zip_bomb_message_states_sizes(parse):
    with pytest.raises(ParseError) as info:
        parse((DATA / "zip_bomb.xlsx").read_bytes(), "zip_bomb.xlsx")
    assert info.value.message.params == {"size": 300, "max": 200}


@pytest.mark.parametrize(
    ("data", "filename", "template"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.xls",
         "The file is not a valid Excel workbook (.xlsx)."),  # a damaged .xls
        (b"anything", "catalogue.xls", "The file is not a valid Excel workbook (.xlsx)."),
        (b"%PDF-1.4 ...", "catalogue.pdf",
         "Unsupported file type %(name)s; upload an Excel workbook (.xlsx, .xls, .ods) or a .csv file."),
        (b"   \n\n", "blank.csv", "The file is empty."),
        (b",,,\n,,\n", "commas.csv", "The file is empty."),
        (b"\x00\x01\x02binary", "data.csv",
         "The file is neither an Excel workbook (.xlsx) nor a CSV text file."),
        ("名称,备注\n甲,乙\n".encode(), "nohead.csv",
         "No header row found: the first %(rows)d rows need a column named like "
         "项目名称 / Project name and one like 拟引资金额 / 总投资 / 所属产业."),
    ],
)
def test_refused_bytes(parse, data, filename, template):
    with pytest.raises(ParseError) as info:
        parse(data, filename)
    assert info.value.message.template == template


def test_docx_is_not_a_workbook(parse):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w/>")
    with pytest.raises(ParseError) as info:
        parse(buffer.getvalue(), "report.docx")
    assert info.value.message.template == (
        "The file is a zip archive but not an Excel workbook (.xlsx)."
    )


def test_row_limit(parse):
    lines = ["项目名称,所属产业,建设地点,拟引资(亿元)"] + ["项目,新材料,遵义市,1"] * 20
    with pytest.raises(ParseError) as info:
        parse("\n".join(lines).encode(), "big.csv", limits=ParseLimits(max_rows=10))
    assert str(info.value.message) == "The file has more than 10 rows; split it into smaller files."


def test_row_limit_xlsx(parse):
    with pytest.raises(ParseError) as info:
        parse((DATA / "prefecture_zunyi.xlsx").read_bytes(), "z.xlsx", limits=ParseLimits(max_rows=10))
    assert info.value.message.params == {"max": 10}


def test_uncompressed_size_limit(parse):
    with pytest.raises(ParseError) as info:
        parse(
            (DATA / "bad_dimension.xlsx").read_bytes(), "b.xlsx",
            limits=ParseLimits(max_uncompressed_bytes=1000),
        )
    assert info.value.message.params == {"size": 0, "max": 0}


def test_column_limit(parse):
    header = ",".join(["项目名称", "拟引资(亿元)"] + ["x"] * 10)
    with pytest.raises(ParseError) as info:
        parse(header.encode(), "wide.csv", limits=ParseLimits(max_columns=5))
    assert str(info.value.message) == "The sheet has more than 5 columns."


# --------------------------------------------------------------------- row rules in CSV


def _csv(*lines):
    return "\n".join(lines).encode("utf-8")


def test_missing_code_cell_is_rejected_and_location_rules(parse):
    result = parse(_csv(
        "序号;项目名称;所属产业;建设地点;拟引资(亿元)",
        ";甲项目;新材料;遵义市;1",
        "2;乙项目;新材料;北京市;1",
        "3;丙项目;新材料;;0",
        "4;丁项目;;遵义市;2",
    ), "rules.csv")
    assert result.delimiter == ";"
    assert [(e.row, e.column, e.value, e.reason.template) for e in result.errors] == [
        (2, "序号", "", "The project number is missing."),
        (3, "建设地点", "北京市", "The location %(value)s is not a known place in Guizhou."),
        (4, "建设地点", "", "The location is missing."),
        (4, "拟引资(亿元)", "0", "The investment sought must be more than zero."),
        (5, "所属产业", "", "The sector is missing."),
    ]
    assert result.rows == []


def test_unknown_mode_is_a_warning_and_sought_required(parse):
    result = parse(_csv(
        "项目名称,所属产业,总投资(亿元),拟引资(亿元),合作方式",
        "甲项目,新材料,5,2,BOT",
        "乙项目,新材料,5,,合资",
    ), "modes.csv")
    assert [(r.name, r.cooperation_modes, r.region_code) for r in result.rows] == [
        ("甲项目", ["other"], None),
    ]
    assert [str(w.message) for w in result.warnings] == [
        "Cooperation mode BOT is not a known mode; recorded as other."
    ]
    assert [(e.row, str(e.reason)) for e in result.errors] == [
        (3, "The investment sought is missing."),
    ]


def test_sector_matching_tiers(parse):
    result = parse(_csv(
        "项目名称,所属产业,拟引资(亿元)",
        "甲项目,电池回收材料,1",
        "乙项目,材料,1",
        "丙项目,煤化工,1",
    ), "s.csv")
    assert [(r.row, r.sectors) for r in result.rows] == [(2, ["nev.battery"])]
    assert [str(w.message) for w in result.warnings] == [
        "Sector 电池回收材料 read as 电池材料 (nev.battery) (score 80); candidates: "
        "电池材料 (nev.battery) 80."
    ]
    assert [(e.row, e.value, str(e.reason)) for e in result.errors] == [
        (3, "材料", "Unknown sector 材料; closest: 新材料 (new_materials) 65, "
         "电池材料 (nev.battery) 65."),
        (4, "煤化工", "Unknown sector 煤化工."),
    ]


# --------------------------------------------------------------------- duplicates


def _row(row, name, region, sought):
    from matchmaker.catalogue import ParsedRow

    return ParsedRow(
        row=row, code=str(row), name=name, sectors=[], location="", region_code=region,
        total_investment_yuan=None, investment_sought_yuan=Decimal(sought), cooperation_modes=[],
    )


def test_find_duplicates_within_needs_name_region_and_amount():
    rows = [
        _row(2, "遵义市锂电池正极材料项目", "520300", "500000000"),
        _row(3, "遵义市锂电池负极材料及隔膜项目", "520300", "510000000"),  # other name
        _row(4, "遵义市锂电池正极材料项目", "520100", "500000000"),  # other region
        _row(5, "遵义市锂电池正极材料项目", "520300", "800000000"),  # other amount
        _row(6, "遵义市锂电池正级材料项目", "520300", "520000000"),  # one typo, 4% more
    ]
    assert find_duplicates_within(rows) == [DuplicateHint(row=6, other_row=2, score=91.7)]


def test_find_duplicates_against_existing_projects():
    rows = [_row(2, "贵安新区绿色数据中心", "529900", "500000000"),
            _row(3, "花溪区生态旅游项目", "520111", "100000000")]
    existing = [(41, "贵安新区绿色数据中心项目", "529900", Decimal("490000000")),
                (42, "花溪区生态旅游项目", "520100", Decimal("100000000"))]
    assert find_duplicates(rows, existing) == [
        DuplicateHint(row=2, other_row=None, score=90.9, project_id=41)
    ]


# --------------------------------------------------------------------- the real demo file


@pytest.mark.skipif(
    not all((ROOT / p).exists() for p in
            ("data/demo/catalogue-2023.xlsx", "data/sectors.json", "data/regions.json")),
    reason="demo catalogue or reference data not present",
)
def test_demo_catalogue_2023():
    result = parse_catalogue(
        (ROOT / "data/demo/catalogue-2023.xlsx").read_bytes(),
        "catalogue-2023.xlsx",
        taxonomy=Taxonomy.load(ROOT / "data/sectors.json"),
        gazetteer=Gazetteer.load(ROOT / "data/regions.json"),
    )
    assert [(e.row, e.column, e.value, str(e.reason)) for e in result.errors] == []
    assert len(result.rows) == 220
    assert result.total_sought_yuan == Decimal("130000000000.00")
