"""Real government sheets, read with the real reference data (pure parser, no database):
units stated once, currencies, places, sectors, annotated amounts, subtotals by shape."""

from decimal import Decimal
from pathlib import Path

import pytest

from matchmaker.amounts import AmountError, chinese_numeral, parse_amount, parse_rates
from matchmaker.catalogue import ParseOptions, parse_catalogue, parse_row
from matchmaker.catalogue.parser import sector_for_label
from matchmaker.reference.taxonomy import Gazetteer, OutsideMatch, Taxonomy

ROOT = Path(__file__).resolve().parents[2]
SHAPES = ROOT / "tests" / "data" / "catalogue" / "shapes"
REAL = ROOT / "tests" / "data" / "catalogue" / "real"
RATES = {"USD": Decimal("7.1"), "EUR": Decimal("7.8"), "HKD": Decimal("0.92")}


@pytest.fixture(scope="module")
def taxonomy():
    return Taxonomy.load(ROOT / "data" / "sectors.json")


@pytest.fixture(scope="module")
def gazetteer():
    return Gazetteer.load(ROOT / "data" / "regions.json", ROOT / "data" / "china_provinces.json")


@pytest.fixture(scope="module")
def parse(taxonomy, gazetteer):
    def run(path: Path, **options):
        return parse_catalogue(path.read_bytes(), path.name, taxonomy=taxonomy, gazetteer=gazetteer,
                               options=ParseOptions(**options))

    return run


def rows(result):
    return {r.code: r for r in result.rows}


def errors(result):
    return [(e.row, e.column, str(e.reason)) for e in result.errors]


# ------------------------------------------------------------------ the unit stated once


def test_unit_line_above_the_header_applies_to_plain_numbers(parse):
    result = parse(SHAPES / "unit_line.xlsx")
    assert result.sheet_unit == "万元"
    amounts = [(c.header_text, c.unit, c.unit_source) for c in result.columns if c.unit]
    assert amounts == [("项目总投资", "万元", "sheet"), ("拟引资金额", "万元", "sheet")]
    by_code = rows(result)
    assert (by_code["1"].total_investment_yuan, by_code["1"].investment_sought_yuan) == (
        Decimal("1200000000.00"), Decimal("500000000.00"))  # 120000 and 50000 万元
    # the routine reading is one line per column, not one warning per cell
    assert [(s.column, str(s.message)) for s in result.summary if "万元" in str(s.message)] == [
        ("项目总投资", "8 cells in 万元."), ("拟引资金额", "9 cells in 万元."),
    ]


def test_a_cells_own_unit_and_currency_sign_win_over_the_sheets(parse):
    by_code = rows(parse(SHAPES / "unit_line.xlsx"))
    assert by_code["4"].total_investment_yuan == Decimal("500000000.00")  # 五亿元
    assert by_code["4"].investment_sought_yuan == Decimal("200000000.00")  # 两亿元
    assert by_code["5"].total_investment_yuan == Decimal("90000000.00")  # ￥9000 in 万元


def test_merged_parent_header_gives_the_unit(parse):
    result = parse(SHAPES / "merged_parent.xlsx")
    assert (result.header_row, result.header_rows) == (3, [2, 3])
    amounts = [(c.header_text, c.unit, c.unit_source) for c in result.columns if c.unit]
    assert amounts == [("项目总投资", "万元", "parent header"), ("拟引资金额", "万元", "parent header")]
    assert [(r.code, r.total_investment_yuan, r.investment_sought_yuan) for r in result.rows] == [
        ("1", Decimal("300000000.00"), Decimal("120000000.00")),
        ("2", Decimal("800000000.00"), Decimal("500000000.00")),  # 约5亿元: its own unit
    ]
    assert [str(s.reason) for s in result.skipped] == [
        "Title above the header.", "First row of a two-row header.",
    ]


def test_second_header_row_with_only_units(parse):
    result = parse(SHAPES / "unit_row.csv")
    assert (result.encoding, result.header_rows) == ("gb18030", [1, 2])
    assert [(c.header_text, c.unit) for c in result.columns if c.unit] == [
        ("总投资（万元）", "万元"), ("拟引资金额（万元）", "万元"),
    ]
    assert result.errors == []
    assert [(r.region_code, r.total_investment_yuan) for r in result.rows] == [
        ("522701", Decimal("500000000.00")), ("522702", Decimal("360000000.00")),
    ]


# ------------------------------------------------------------------ annotated, pending


def test_annotated_amounts_keep_the_leading_figure_and_warn(parse):
    result = parse(SHAPES / "unit_line.xlsx")
    by_code = rows(result)
    assert by_code["2"].total_investment_yuan == Decimal("20954800.00")  # 2095.48万元
    assert by_code["6"].investment_sought_yuan == Decimal("59000000.00")  # 5900万元
    notes = [str(w.message) for w in result.warnings if "is a note" in str(w.message)]
    assert notes == [
        "2095.48（建安费2061.29） read as 0.21亿元; the rest (建安费2061.29) is a note, not an amount.",
        "5900(二期预估不超过3000万元) read as 0.59亿元; the rest (二期预估不超过3000万元) is a note, not an amount.",
    ]


def test_pending_total_leaves_it_empty_and_keeps_the_row(parse):
    result = parse(SHAPES / "unit_line.xlsx")
    tea = rows(result)["3"]
    assert (tea.total_investment_yuan, tea.investment_sought_yuan) == (None, Decimal("30000000.00"))
    assert (7, "项目总投资", "The total investment 待定 is not known yet; left empty.") in [
        (w.row, w.column, str(w.message)) for w in result.warnings
    ]


# ------------------------------------------------------------------ places


def test_places(parse):
    result = parse(SHAPES / "unit_line.xlsx")
    by_code = rows(result)
    assert by_code["4"].region_code == "520000"  # 贵州省: province-wide
    assert by_code["5"].region_code == "522730"  # 贵阳市龙里县 -> 龙里县, 黔南州, warned
    assert by_code["6"].region_code == "522300"  # 义龙试验区
    assert by_code["9"].region_code == "520100"  # 贵阳经开区
    assert (11, "Location 贵阳市龙里县 names 龙里县 under 贵阳市, but 龙里县 is in 黔南布依族苗族自治州; "
            "read as 龙里县, 黔南布依族苗族自治州.") in [(w.row, str(w.message)) for w in result.warnings]
    assert [e for e in errors(result) if e[1] == "建设地点"] == [
        (13, "建设地点", "The location 广东广州白云 is not in Guizhou (it is in 广东省); "
         "this catalogue takes projects in Guizhou only."),
        (14, "建设地点", "The location 广西贺州钟山县 is not in Guizhou (it is in 广西壮族自治区); "
         "this catalogue takes projects in Guizhou only."),
    ]


def test_out_of_province_rows_kept_with_their_province_when_the_catalogue_accepts_them(parse):
    by_code = rows(parse(SHAPES / "unit_line.xlsx", accepts_outside=True))
    assert (by_code["7"].region_code, by_code["7"].province) == (None, "广东省")
    assert (by_code["8"].region_code, by_code["8"].province) == (None, "广西壮族自治区")


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("广东广州白云", OutsideMatch("广东省", "广东省")),
        ("贺州钟山县", OutsideMatch("广西壮族自治区", "贺州市")),
        ("重庆市黔江区", OutsideMatch("重庆市", "重庆市")),
        ("四川成都", OutsideMatch("四川省", "四川省")),
    ],
)
def test_places_in_other_provinces_are_never_guizhou_counties(gazetteer, text, found):
    assert gazetteer.locate(text) == found
    assert gazetteer.match_location(text) is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("贵州省", "520000"), ("全省", "520000"), ("贵阳经开区", "520100"), ("双龙航空港经济区", "520100"),
        ("义龙试验区", "522300"), ("贵安综合保税区", "529900"), ("大龙经开区", "520622"),
        ("凯里经开区", "522601"), ("贵州省-遵义市-余庆县", "520329"), ("黔南州龙里县", "522730"),
    ],
)
def test_province_and_development_zones(gazetteer, text, code):
    assert gazetteer.match_location(text).code == code


def test_same_short_name_with_another_kind_is_flagged(gazetteer):
    # Guizhou has 钟山区 (六盘水); 钟山县 is in 广西贺州
    match = gazetteer.match_location("钟山县")
    assert (match.code, match.written_as) == ("520201", "钟山县")
    assert gazetteer.match_location("六盘水钟山区").written_as is None


# ------------------------------------------------------------------ sectors


@pytest.mark.parametrize(
    "label", ["Real estate", "Finance", "Health", "Entertainment", "Technology", "市政和产业园区基础设施"],
)
def test_off_taxonomy_labels_never_become_a_green_sector(taxonomy, label):
    assert sector_for_label(taxonomy, label) is None


def test_sector_calibration_keeps_precision_on_the_labelled_real_labels(taxonomy):
    import importlib.util

    spec = importlib.util.spec_from_file_location("calibrate_sectors", ROOT / "benchmarks" / "calibrate_sectors.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = module.calibrate()
    assert result["tuning_with_in_use"]["forced"] + result["tuning_with_in_use"]["wrong_sector"] == 0
    assert result["chosen"] == {"threshold": 80, "margin": 12}
    held = result["held_out_with_in_use"]
    assert held["wrong_sector"] == 0 and held["forced"] <= 1


def test_keep_unclassified_is_an_explicit_choice(parse):
    path = SHAPES / "unit_line.xlsx"
    assert (16, "所属产业", "Sector Real estate is outside the green-industry taxonomy; no green sector is assigned.") in errors(parse(path))
    kept = rows(parse(path, keep_unclassified=True))["10"]
    assert (kept.sectors, kept.extra) == ([], {"未归类标签": "Real estate"})


def test_total_named_project_is_a_project_and_subtotals_are_skipped(parse):
    result = parse(SHAPES / "unit_line.xlsx")
    assert rows(result)["9"].name == "Total储能电站项目"
    assert [(s.row, str(s.reason)) for s in result.skipped if "Subtotal" in str(s.reason)] == [
        (8, "Subtotal or total row."), (17, "Subtotal or total row."),
    ]


# ------------------------------------------------------------------ currencies


def test_deal_list_in_currencies(parse):
    result = parse(SHAPES / "deals_currencies.csv", rates=RATES)
    by_code = rows(result)
    cathode = by_code["1"]
    assert (cathode.currency, cathode.exchange_rate, cathode.total_investment_original,
            cathode.total_investment_yuan) == ("USD", Decimal("7.1"), Decimal("1740000000.00"),
                                               Decimal("12354000000.00"))  # $1,740 under USD million
    assert (by_code["2"].currency, by_code["2"].investment_sought_yuan) == ("EUR", Decimal("624000000.00"))
    assert (by_code["3"].currency, by_code["3"].total_investment_original) == ("HKD", Decimal("500000000.00"))
    assert by_code["4"].total_investment_yuan == Decimal("4757000000.00")  # 6.7亿美元
    assert (6, "Investment (USD million)",
            "JPY 20000 million is in JPY but the catalogue has no JPY exchange rate.") in errors(result)


def test_no_rate_means_a_rejected_row_naming_the_rate(parse):
    result = parse(SHAPES / "deals_currencies.csv")
    assert result.rows == []
    assert "$1,740 is in US dollars but the catalogue has no exchange rate." in [str(e.reason) for e in result.errors]
    assert "€120m is in EUR but the catalogue has no EUR exchange rate." in [str(e.reason) for e in result.errors]


@pytest.mark.parametrize(
    ("value", "header", "yuan", "currency", "original"),
    [
        ("6.7亿美元", None, "4757000000.00", "USD", "670000000.00"),
        ("USD 670 million", None, "4757000000.00", "USD", "670000000.00"),
        ("$670m", None, "4757000000.00", "USD", "670000000.00"),
        ("HK$5亿", None, "460000000.00", "HKD", "500000000.00"),
        ("€120m", None, "936000000.00", "EUR", "120000000.00"),
        ("$1,740", "USD million", "12354000000.00", "USD", "1740000000.00"),
        ("￥2300", "万元", "23000000.00", "CNY", None),
        ("五千万元", None, "50000000.00", "CNY", None),
        ("两亿元", None, "200000000.00", "CNY", None),
        ("1.2万亿", None, "1200000000000.00", "CNY", None),
        ("三亿五千万", None, "350000000.00", "CNY", None),
    ],
)
def test_amounts_with_currencies_and_numerals(value, header, yuan, currency, original):
    parsed = parse_amount(value, header_unit=header, rates=RATES)
    assert (str(parsed.yuan), parsed.currency) == (yuan, currency)
    assert (str(parsed.amount_original) if parsed.amount_original is not None else None) == original


@pytest.mark.parametrize(("text", "value"), [("五亿五", 550_000_000), ("三千五", 3500), ("一百零五", 105), ("五五", None)])
def test_chinese_numerals(text, value):
    assert chinese_numeral(text) == value


def test_currency_in_the_cell_contradicting_the_column_is_refused():
    with pytest.raises(AmountError) as info:
        parse_amount("$1,740", header_unit="万元", rates=RATES)
    assert str(info.value) == "$1,740 is in USD but the column is in 万元; write the amount in the column's unit."


@pytest.mark.parametrize("rate", ["NaN", "sNaN", "inf", "-7.1", "0", "1e9", "abc"])
def test_bad_rates_are_refused(rate):
    with pytest.raises(AmountError):
        parse_rates(f"EUR={rate}")


def test_amount_above_the_maximum_is_a_row_error(taxonomy, gazetteer):
    outcome = parse_row(
        {"name": "巨额项目", "investment_sought": "200000亿元"}, taxonomy=taxonomy, gazetteer=gazetteer,
    )
    assert outcome.row is None
    assert [str(e.reason) for e in outcome.errors] == [
        "The amount 200000亿元 is above the largest amount accepted (100,000亿元)."
    ]


# ------------------------------------------------------------------ formats, real rows


@pytest.mark.parametrize("name", ["same_sheet.xls", "same_sheet.ods"])
def test_old_excel_and_opendocument(parse, name):
    result = parse(SHAPES / name)
    assert [(r.name, r.investment_sought_yuan) for r in result.rows] == [
        ("观山湖区绿色数据中心", Decimal("1000000000.00")), ("花溪区生态旅游项目", Decimal("120000000.00")),
    ]


def test_real_key_project_list_with_only_total_investment(parse):
    path = REAL / "guizhou_key_projects.xlsx"
    refused = parse(path)
    assert refused.sought_column_missing and refused.rows == []
    result = parse(path, sought_from_total=True)
    assert result.sheet_unit == "亿元"
    assert [(r.name, r.region_code, r.total_investment_yuan, r.investment_sought_yuan) for r in result.rows] == [
        ("宝能·贵州数据科技城", "520100", Decimal("20000000000.00"), Decimal("20000000000.00")),
        ("网易贵安数据中心", "529900", Decimal("3000000000.00"), Decimal("3000000000.00")),
        ("美的云数据中心", "529900", Decimal("1360000000.00"), Decimal("1360000000.00")),
        ("贵安新区算力产业集群项目", "529900", Decimal("13850000000.00"), Decimal("13850000000.00")),
        ("梅江河漂流项目", "520325", Decimal("40000000.00"), Decimal("40000000.00")),
    ]
    assert (9, "项目总投资", "80-100 is a range; write one amount (for example the lower bound).") in errors(result)
    assert "近4000万元 is approximate; recorded as 0.4亿元." in [str(w.message) for w in result.warnings]


def test_real_english_deal_list(parse):
    result = parse(REAL / "guian_deals_usd.xlsx", rates={"USD": Decimal("7.1")},
                   sought_from_total=True, keep_unclassified=True)
    assert [(r.name, r.sectors, r.region_code, r.currency, r.total_investment_original, r.investment_sought_yuan)
            for r in result.rows] == [
        ("NetEase Guian Data Center", [], "529900", "USD", Decimal("435000000.00"), Decimal("3088500000.00")),
        ("Gui'an New Area computing power industry cluster", ["big_data.datacenter"], "529900", "USD",
         Decimal("1900000000.00"), Decimal("13490000000.00")),
        ("iCloud data centre (investment programme)", [], "520000", "USD", Decimal("1000000000.00"),
         Decimal("7100000000.00")),
    ]


def test_text_is_stored_as_written(taxonomy, gazetteer):
    outcome = parse_row(
        {"name": "贵阳（花溪）生态旅游项目", "sectors": "生态旅游", "location": "贵阳市花溪区",
         "investment_sought": "１.５亿元", "construction_content": "建设内容：游客中心，步道"},
        taxonomy=taxonomy, gazetteer=gazetteer,
    )
    assert outcome.row.name == "贵阳（花溪）生态旅游项目"
    assert outcome.row.construction_content == "建设内容：游客中心，步道"
    assert outcome.row.investment_sought_yuan == Decimal("150000000.00")
