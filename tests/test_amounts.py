from decimal import Decimal

import pytest

from matchmaker.amounts import AmountError, check_rate, parse_amount, unit_from_header
from matchmaker.money import format_amount_en

RATE = Decimal("7.1")


@pytest.mark.parametrize(
    ("value", "header_unit", "yuan", "unit", "source", "approximate"),
    [
        (5, "亿元", "500000000.00", "亿元", "header", False),
        (5.2, "亿元", "520000000.00", "亿元", "header", False),
        (3.2, "亿元", "320000000.00", "亿元", "header", False),
        (0.1, "亿元", "10000000.00", "亿元", "header", False),
        (Decimal("1.005"), "万元", "10050.00", "万元", "header", False),
        ("3.2", "亿元", "320000000.00", "亿元", "header", False),
        ("5000", "万元", "50000000.00", "万元", "header", False),
        ("5000", "万", "50000000.00", "万元", "header", False),
        ("12", "元", "12.00", "元", "header", False),
        ("约5亿元", None, "500000000.00", "亿元", "cell", True),
        ("5亿元左右", None, "500000000.00", "亿元", "cell", True),
        ("大约 5 亿", None, "500000000.00", "亿元", "cell", True),
        ("5,000万元", None, "50000000.00", "万元", "cell", False),
        ("1,234,567元", None, "1234567.00", "元", "cell", False),
        ("５０００万", None, "50000000.00", "万元", "cell", False),
        ("０.５亿", None, "50000000.00", "亿元", "cell", False),
        ("0.5亿", None, "50000000.00", "亿元", "cell", False),
        ("5000万", "亿元", "50000000.00", "万元", "cell", False),  # the cell's unit wins
        ("0.123456789亿", None, "12345678.90", "亿元", "cell", False),
        ("50 million yuan", None, "50000000.00", "百万元", "cell", False),
        ("1.2 billion yuan", None, "1200000000.00", "十亿元", "cell", False),
        ("RMB 30 million", None, "30000000.00", "百万元", "cell", False),
        ("USD 20 million", None, "142000000.00", "USD million", "cell", False),
        ("2000万美元", None, "142000000.00", "万美元", "cell", False),
        ("$20m", None, "142000000.00", "USD million", "cell", False),
        ("1.5亿美元", None, "1065000000.00", "亿美元", "cell", False),
        ("20", "USD million", "142000000.00", "USD million", "header", False),
        ("20 million", "USD million", "142000000.00", "USD million", "cell", False),
        ("0", "亿元", "0.00", "亿元", "header", False),
    ],
)
def test_parse_amount(value, header_unit, yuan, unit, source, approximate):
    parsed = parse_amount(value, header_unit=header_unit, usd_rate=RATE)
    assert parsed is not None
    assert parsed.yuan == Decimal(yuan)
    assert str(parsed.yuan) == yuan
    assert (parsed.unit, parsed.unit_source, parsed.approximate) == (unit, source, approximate)


def test_original_is_the_value_as_written():
    assert parse_amount(3.2, header_unit="亿元").original == "3.2"
    assert parse_amount(" 约5亿元 ").original == "约5亿元"


@pytest.mark.parametrize("value", [None, "", "   "])
def test_blank_is_none(value):
    assert parse_amount(value, header_unit="亿元") is None


@pytest.mark.parametrize(
    ("value", "header_unit", "rate", "template"),
    [
        ("5", None, None, "The amount %(value)s has no unit and the column header gives none; "
         "write it as 5亿元 or 5000万元."),
        (3.2, None, None, "The amount %(value)s has no unit and the column header gives none; "
         "write it as 5亿元 or 5000万元."),
        ("USD 20 million", None, None,
         "%(value)s is in US dollars but the catalogue has no exchange rate."),
        ("20", "USD million", None,
         "%(value)s is in US dollars but the catalogue has no exchange rate."),
        ("-5亿", None, RATE, "The amount %(value)s is negative."),
        (-5, "亿元", RATE, "The amount %(value)s is negative."),
        ("5-8亿", None, RATE, "%(value)s is a range; write one amount (for example the lower bound)."),
        ("5亿~8亿", None, RATE, "%(value)s is a range; write one amount (for example the lower bound)."),
        ("5至8亿元", None, RATE, "%(value)s is a range; write one amount (for example the lower bound)."),
        ("待定", "亿元", RATE, "%(value)s is not an amount."),
        ("5%", "亿元", RATE, "%(value)s is not an amount."),
        ("5亿元人民币美元", None, RATE, "%(value)s is not an amount."),
        (float("nan"), "亿元", RATE, "%(value)s is not an amount."),
        (True, "亿元", RATE, "%(value)s is not an amount."),
        ("50 million", None, RATE, "The currency of %(value)s is unknown; write yuan or USD."),
    ],
)
def test_refused(value, header_unit, rate, template):
    with pytest.raises(AmountError) as info:
        parse_amount(value, header_unit=header_unit, usd_rate=rate)
    assert info.value.message.template == template


@pytest.mark.parametrize(
    ("header", "unit"),
    [
        ("总投资（亿元）", "亿元"),
        ("项目总投资(万元)", "万元"),
        ("Total investment (USD million)", "USD million"),
        ("拟引资金额（单位：万元）", "万元"),
        ("拟引资金额/亿元", "亿元"),
        ("拟引资（万美元）", "万美元"),
        ("拟引资金额", None),
        ("用地面积（亩）", None),
        ("项目名称（英文）", None),
        (None, None),
    ],
)
def test_unit_from_header(header, unit):
    assert unit_from_header(header) == unit


@pytest.mark.parametrize(
    ("value", "currency", "accepted"),
    [("7.1", "USD", True), ("7.108400", "USD", True), ("0.1408", "USD", False), ("0.92", "HKD", True),
     ("9.2", "HKD", False), ("0.048", "JPY", True), ("7.12345678", None, False), ("7.1", None, True)],
)
def test_rates_are_plausible_for_their_currency(value, currency, accepted):
    if accepted:
        assert check_rate(value, currency) == Decimal(value)
    else:
        with pytest.raises(AmountError):
            check_rate(value, currency)


@pytest.mark.parametrize("value", ["CHF 5m", "670 million SGD", "sgd5亿"])
def test_an_unknown_currency_is_named(value):
    with pytest.raises(AmountError, match="a currency the platform does not convert"):
        parse_amount(value, rates={"USD": RATE})


@pytest.mark.parametrize(
    ("yuan", "currency", "text"),
    [("16235000000.00", "RMB", "RMB 16.24 billion"), ("350000000", "RMB", "RMB 350 million"),
     ("12500000", "RMB", "RMB 12.5 million"), ("850000", "RMB", "RMB 850,000"),
     ("2286619718.31", "USD", "USD 2.29 billion"), ("999.5", "RMB", "RMB 999.50")],
)
def test_english_money(yuan, currency, text):
    assert format_amount_en(Decimal(yuan), currency) == text
