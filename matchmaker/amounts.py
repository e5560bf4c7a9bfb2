"""Amounts as people write them -> exact Decimal yuan (pure: no Flask, no database).

Accepted: ``5`` / ``3.2`` (unit from the column header), ``约5亿元``, ``5,000万元``,
``５０００万``, ``0.5亿``, ``1.2万亿``, ``3亿5000万``, Chinese numerals (``五千万元``,
``两亿元``, ``三亿五千万``), ``50 million yuan``, ``1.2 billion yuan``, and amounts in a
foreign currency: ``USD 670 million``, ``6.7亿美元``, ``$670m``, ``HK$5亿``, ``€120m``,
``¥``/``￥`` for yuan; a currency sign without a scale takes the header's scale
(``$1,740`` under ``Investment (USD million)`` is 1,740 million US dollars).

Foreign amounts are converted with `rates` (yuan per unit of the currency, e.g.
``{"USD": Decimal("7.1")}``); the result keeps the currency, the amount in that currency
and the rate, so callers can show the original beside the yuan figure. A foreign amount
without its rate is refused with a message naming the currency - never a guessed rate.

Refused with an `AmountError` carrying a translatable `Message`: a bare number whose unit
cannot be known (never guessed), a foreign amount without a rate, a currency in the cell
that contradicts the header's, negative amounts, ranges ("5-8亿"), amounts above
`max_yuan` (by default `money.MAX_YUAN`, 100,000亿元), and anything that is not a number.

``allow_annotation=True`` reads the leading amount of an annotated cell
(``2095.48（建安费2061.29）``, ``总投资1.48亿，本次估算额2300万``) and returns the rest as
`annotation`, for the caller to show as a warning.

API and form input: a bare number there is just as ambiguous, so call
``parse_amount(text, header_unit="亿元")`` when the field is labelled in 亿元 (then "5" is
5亿元 and "5000万" is still 5000万元); there is deliberately no function that guesses.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

from matchmaker.i18n import N_, Message
from matchmaker.money import MAX_YUAN, to_yuan
from matchmaker.text import nfkc

CNY = "CNY"
USD = "USD"
EUR = "EUR"
HKD = "HKD"
JPY = "JPY"
GBP = "GBP"
# The currencies amounts may be written in (ISO codes); their names are nowhere shown, so
# no label table is kept here (a label would go on an enum, see reference/vocabulary.py).
CURRENCIES: tuple[str, ...] = (CNY, USD, EUR, HKD, JPY, GBP)
FOREIGN_CURRENCIES = tuple(c for c in CURRENCIES if c != CNY)
# A rate is yuan per unit of the currency; outside these bounds it is a typo (or a rate
# written the wrong way round), never a real exchange rate.
MIN_RATE = Decimal("0.0001")
MAX_RATE = Decimal("1000")
# Published rates have at most 6 decimals (the PBOC's central parity has 4); more is a typo
# and would not survive the rate columns (NUMERIC(12, 6)).
MAX_RATE_DECIMALS = 6
# Where a currency's rate can plausibly lie, yuan per unit: about a third to three times
# its 2020s level. Outside it the rate is a typo or written the wrong way round (0.14 for
# the US dollar is dollars per yuan).
PLAUSIBLE_RATES: dict[str, tuple[Decimal, Decimal]] = {
    USD: (Decimal("2"), Decimal("21")),
    EUR: (Decimal("2.5"), Decimal("24")),
    HKD: (Decimal("0.3"), Decimal("2.7")),
    JPY: (Decimal("0.015"), Decimal("0.15")),
    GBP: (Decimal("3"), Decimal("27")),
}
# Beyond this many integer digits Decimal arithmetic at 28 digits loses the fen.
_MAX_INTEGER_DIGITS = 18

_SCALES: dict[str, Decimal] = {
    "": Decimal(1),
    "千": Decimal(1_000),
    "万": Decimal(10_000),
    "十万": Decimal(100_000),
    "百万": Decimal(1_000_000),
    "千万": Decimal(10_000_000),
    "亿": Decimal(100_000_000),
    "十亿": Decimal(1_000_000_000),
    "百亿": Decimal(10_000_000_000),
    "千亿": Decimal(100_000_000_000),
    "万亿": Decimal(1_000_000_000_000),
    "k": Decimal(1_000),
    "thousand": Decimal(1_000),
    "m": Decimal(1_000_000),
    "mn": Decimal(1_000_000),
    "mio": Decimal(1_000_000),
    "million": Decimal(1_000_000),
    "millions": Decimal(1_000_000),
    "b": Decimal(1_000_000_000),
    "bn": Decimal(1_000_000_000),
    "billion": Decimal(1_000_000_000),
    "billions": Decimal(1_000_000_000),
}
_CHINESE_SCALES = {"千", "万", "十万", "百万", "千万", "亿", "十亿", "百亿", "千亿", "万亿"}
_CURRENCY_WORDS: dict[str, str] = {
    "": "",
    "元": CNY,
    "元人民币": CNY,
    "人民币": CNY,
    "人民币元": CNY,
    "yuan": CNY,
    "rmb": CNY,
    "cny": CNY,
    "¥": CNY,  # in a Chinese sheet ¥ is the yuan; yen is written 日元 / JPY / 円
    "美元": USD,
    "美金": USD,
    "usd": USD,
    "us$": USD,
    "$": USD,
    "dollar": USD,
    "dollars": USD,
    "usdollar": USD,
    "usdollars": USD,
    "欧元": EUR,
    "eur": EUR,
    "€": EUR,
    "euro": EUR,
    "euros": EUR,
    "港元": HKD,
    "港币": HKD,
    "港幣": HKD,
    "hkd": HKD,
    "hk$": HKD,
    "日元": JPY,
    "日圆": JPY,
    "jpy": JPY,
    "円": JPY,
    "yen": JPY,
    "英镑": GBP,
    "gbp": GBP,
    "£": GBP,
    "pound": GBP,
    "pounds": GBP,
}
_CHINESE_SCALE_LABEL = {
    Decimal(1): "",
    Decimal(1_000): "千",
    Decimal(10_000): "万",
    Decimal(100_000): "十万",
    Decimal(1_000_000): "百万",
    Decimal(10_000_000): "千万",
    Decimal(100_000_000): "亿",
    Decimal(1_000_000_000): "十亿",
    Decimal(10_000_000_000): "百亿",
    Decimal(100_000_000_000): "千亿",
    Decimal(1_000_000_000_000): "万亿",
}
_ENGLISH_SCALE_LABEL = {
    Decimal(1): "",
    Decimal(1_000): " thousand",
    Decimal(1_000_000): " million",
    Decimal(1_000_000_000): " billion",
}
_CHINESE_CURRENCY_LABEL = {CNY: "元", USD: "美元", EUR: "欧元", HKD: "港元", JPY: "日元", GBP: "英镑"}

_scale_alt = "|".join(sorted((re.escape(k) for k in _SCALES if k), key=len, reverse=True))
_cur_alt = "|".join(sorted((re.escape(k) for k in _CURRENCY_WORDS if k), key=len, reverse=True))
_NUMBER = r"\d+(?:\.\d+)?|\.\d+"
_AMOUNT_RE = re.compile(
    rf"^(?P<pre>{_cur_alt})?(?P<num>{_NUMBER})(?P<scale>{_scale_alt})?(?P<cur>{_cur_alt})?$"
)
# 3亿5000万 (one amount written in two scales)
_COMPOUND_RE = re.compile(
    rf"^(?P<pre>{_cur_alt})?(?P<yi>{_NUMBER})亿(?P<wan>{_NUMBER})万(?P<cur>{_cur_alt})?$"
)
_CN_DIGITS = {
    "零": 0, "〇": 0, "一": 1, "壹": 1, "二": 2, "贰": 2, "两": 2, "三": 3, "叁": 3,
    "四": 4, "肆": 4, "五": 5, "伍": 5, "六": 6, "陆": 6, "七": 7, "柒": 7, "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}
_CN_SMALL = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_CN_BIG = {"万": 10_000, "亿": 100_000_000}
_cn_chars = "".join(_CN_DIGITS) + "".join(_CN_SMALL) + "".join(_CN_BIG)
_CHINESE_RE = re.compile(rf"^(?P<pre>{_cur_alt})?(?P<cn>[{_cn_chars}]+)(?P<cur>{_cur_alt})?$")
# An amount in a currency code the platform does not know ('CHF 5m', '670 million SGD').
_UNKNOWN_CURRENCY_RE = re.compile(
    rf"^(?P<pre>[a-z]{{3}})?(?:{_NUMBER})(?:{_scale_alt})?(?P<cur>[a-z]{{3}})?$"
)
_UNIT_RE = re.compile(rf"^(?P<pre>{_cur_alt})?(?P<scale>{_scale_alt})?(?P<cur>{_cur_alt})?$")
_RANGE_RE = re.compile(r"\d\D{0,6}?(?:-|~|～|—|–|至|到)\.?\d")
_PLAIN_RE = re.compile(r"^\s*\d{1,18}(?:\.\d{1,12})?\s*$")
_BARE_RE = re.compile(r"^\s*(?:\d+(?:\.\d+)?|\.\d+)\s*$")
_THOUSANDS_RE = re.compile(r"(?<=\d),(?=\d{3}(?:\D|$))")
# Markers of an approximate figure: 约 (about), 左右 (or so), 近 (nearly), 逾/超 (over).
_APPROX_RE = re.compile(
    r"^(?:大约|约合|约计|约|近|逾|超过|超|approximately|approx\.?|about|around|roughly|over|~)"
    r"|(?:左右|上下|余|多|以上)$"
)
_PAREN_RE = re.compile(r"[(\[]([^()\[\]]*)[)\]]")
# An annotated cell: an optional short label, the leading amount, then the annotation
# (after a bracket or a separator).
_ANNOTATED_RE = re.compile(
    rf"^(?P<label>[^\d(\[$¥€£]{{0,8}}?)(?P<amount>(?:{_cur_alt})?(?:{_NUMBER})(?:亿(?:{_NUMBER})万)?"
    rf"(?:{_scale_alt})?(?:{_cur_alt})?)(?P<rest>[(\[,;:/，；：、].*)$"
)
_LABEL_RE = re.compile(
    r"^(?:总投资|项目总投资|投资|投资额|估算|估算额|总额|金额|计划|预计)?(?P<approx>约|大约|近)?$"
)
# Words that say "no figure yet" where an amount should be.
PENDING_WORDS = ("待定", "待核定", "待测算", "未定", "暂定", "暂无", "待估算", "以造价备案金额为准", "tbd", "n/a")


class AmountError(ValueError):
    """An amount that cannot be read; `message` says why, translatable."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class ParsedAmount:
    yuan: Decimal  # exact, quantised to the fen
    unit: str  # '亿元', '万元', '元', 'USD', 'USD million', '万美元', '亿港元', ...
    unit_source: Literal["cell", "header"]
    approximate: bool
    original: str  # the value as written
    currency: str = CNY
    amount_original: Decimal | None = None  # in `currency` (None for yuan)
    rate: Decimal | None = None  # yuan per unit of `currency` (None for yuan)
    annotation: str = ""  # what followed the leading amount (allow_annotation)


def _squash(text: str) -> str:
    value = nfkc(text).casefold()
    value = value.replace("￥", "¥")
    return "".join(value.split())


@functools.lru_cache(maxsize=256)
def _split_unit(unit_text: str) -> tuple[Decimal, str] | None:
    """'亿元' -> (1e8, 'CNY'); 'usd million' -> (1e6, 'USD'); '' or unknown -> None."""
    match = _UNIT_RE.match(_squash(unit_text))
    if not match or not (match["pre"] or match["scale"] or match["cur"]):
        return None
    if match["pre"] and match["cur"]:
        return None
    scale = _SCALES[match["scale"] or ""]
    currency = _CURRENCY_WORDS[match["pre"] or match["cur"] or ""]
    if not currency:
        if match["scale"] not in _CHINESE_SCALES:
            return None  # "million" alone: of which currency?
        currency = CNY
    return scale, currency


def unit_label(scale: Decimal, currency: str) -> str:
    """'亿元', '万元', '元', 'USD million', '万美元', 'EUR', ... for messages."""
    if currency != CNY and scale in _ENGLISH_SCALE_LABEL:
        return currency + _ENGLISH_SCALE_LABEL[scale]
    chinese = _CHINESE_SCALE_LABEL.get(scale)
    if chinese is not None:
        return chinese + _CHINESE_CURRENCY_LABEL.get(currency, currency)
    return f"{scale:f} {currency}"


def unit_from_header(header_text: object) -> str | None:
    """The unit a column header or a sheet line declares: '总投资（亿元）' -> '亿元',
    '项目总投资(万元)' -> '万元', 'Total investment (USD million)' -> 'USD million',
    '单位：万元' -> '万元', '金额单位:亿元' -> '亿元'."""
    if header_text is None:
        return None
    text = nfkc(str(header_text)).strip()
    for inner in reversed(_PAREN_RE.findall(text)):
        candidate = inner.strip()
        for prefix in ("金额单位:", "金额单位", "单位:", "单位", "unit:", "units:", "in "):
            if candidate.casefold().startswith(prefix):
                candidate = candidate[len(prefix) :].strip()
        if _split_unit(candidate):
            return candidate
    for suffix in ("万美元", "亿美元", "美元", "亿元", "万元"):
        if text.endswith(suffix):
            return suffix
    match = re.search(r"单位\s*[:]\s*(\S+?)[)）]?$", text)
    if match and _split_unit(match[1]):
        return match[1]
    return None


def check_rate(value: object, currency: str | None = None) -> Decimal:
    """An exchange rate (yuan per unit) as a Decimal within bounds; AmountError otherwise.

    Refuses NaN and sNaN, infinities, zero, negative and absurd values, more than six
    decimals, and - when `currency` is given - a rate outside `PLAUSIBLE_RATES`."""
    try:
        rate = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise AmountError(
            Message(N_("%(value)s is not an exchange rate."), {"value": str(value)[:40]})
        ) from exc
    if rate.is_nan() or rate.is_infinite():
        raise AmountError(Message(N_("%(value)s is not an exchange rate."), {"value": str(value)[:40]}))
    if not MIN_RATE <= rate <= MAX_RATE:
        raise AmountError(
            Message(
                N_("The exchange rate %(value)s is outside %(min)s–%(max)s yuan per unit."),
                {"value": str(value)[:40], "min": f"{MIN_RATE}", "max": f"{MAX_RATE}"},
            )
        )
    if -rate.as_tuple().exponent > MAX_RATE_DECIMALS and rate != rate.quantize(Decimal(1).scaleb(-MAX_RATE_DECIMALS)):
        raise AmountError(
            Message(N_("The exchange rate %(value)s has more than six decimals."), {"value": str(value)[:40]})
        )
    band = PLAUSIBLE_RATES.get((currency or "").upper())
    if band is not None and not band[0] <= rate <= band[1]:
        raise AmountError(
            Message(
                N_(
                    "%(value)s yuan per %(currency)s is not a plausible rate (expected %(min)s–%(max)s); "
                    "is it written the wrong way round?"
                ),
                {"value": str(value)[:40], "currency": currency.upper(), "min": f"{band[0]}", "max": f"{band[1]}"},
            )
        )
    return rate


def is_bare_number(value: object) -> bool:
    """'5', ' 3.25 ', '1,200' (no unit, no currency): the field's unit applies."""
    if isinstance(value, (int, Decimal)) and not isinstance(value, bool):
        return True
    return isinstance(value, str) and bool(_BARE_RE.match(_THOUSANDS_RE.sub("", nfkc(value))))


def _decimal_from_number(value: int | float | Decimal, original: str) -> Decimal:
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise AmountError(Message(N_("%(value)s is not an amount."), {"value": original}))
        return Decimal(repr(value))  # 3.2 -> Decimal("3.2"), not the binary expansion
    if isinstance(value, Decimal) and (value.is_nan() or value.is_infinite()):
        raise AmountError(Message(N_("%(value)s is not an amount."), {"value": original}))
    return Decimal(value)


def _as_written(value: object) -> str:
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return str(value).strip()


def chinese_numeral(text: str) -> int | None:
    """'五千万' -> 50000000, '两亿' -> 200000000, '三亿五千万' -> 350000000, '十二' -> 12;
    None when `text` is not a well-formed Chinese numeral."""
    if not text or any(ch not in _CN_DIGITS and ch not in _CN_SMALL and ch not in _CN_BIG for ch in text):
        return None
    yi = wan = small = 0
    digit: int | None = None
    last_unit = 0  # the unit just before a trailing digit: '五亿五' is 5.5亿, '三千五' 3500
    for ch in text:
        if ch in _CN_DIGITS:
            if digit:  # '五五' is not a numeral ('一百零五' is)
                return None
            if _CN_DIGITS[ch] == 0:
                last_unit = 0
            digit = _CN_DIGITS[ch]
        elif ch in _CN_SMALL:
            small += (1 if digit is None else digit) * _CN_SMALL[ch]
            digit = None
            last_unit = _CN_SMALL[ch]
        elif ch == "万":
            if wan or not (small or digit):
                return None
            wan = (small + (digit or 0)) * 10_000
            small, digit = 0, None
            last_unit = 10_000
        else:  # 亿
            if yi or not (wan or small or digit):
                return None
            yi = (wan + small + (digit or 0)) * 100_000_000
            wan = small = 0
            digit = None
            last_unit = 100_000_000
    if digit and last_unit >= 100 and text[-2] not in _CN_DIGITS:
        digit = digit * last_unit // 10  # colloquial: the digit after a unit is a tenth of it
    result = yi + wan + small + (digit or 0)
    return result if result > 0 else None


def parse_amount(
    value: object,
    *,
    header_unit: str | None = None,
    usd_rate: Decimal | None = None,
    rates: Mapping[str, Decimal] | None = None,
    max_yuan: Decimal | None = MAX_YUAN,
    allow_annotation: bool = False,
) -> ParsedAmount | None:
    """Read one amount; None for a blank cell (the caller decides if it is required).

    The unit comes from the cell, else from `header_unit` (see `unit_from_header`); a bare
    number with no header unit is refused. Foreign amounts need their rate in `rates`
    (yuan per unit; `usd_rate` is the same for US dollars)."""
    if value is None:
        return None
    original = _as_written(value)
    if isinstance(value, bool):
        raise AmountError(Message(N_("%(value)s is not an amount."), {"value": original}))
    if not original:
        return None

    approximate = False
    annotation = ""
    if header_unit and (
        (value.__class__ is str and _PLAIN_RE.match(value))
        or (value.__class__ in (int, float) and value >= 0 and value == value and value != math.inf)
    ):
        # the common case in big sheets: a plain figure under a header with a unit
        header = _split_unit(header_unit)
        if header is not None and header[1] == CNY:
            number = Decimal(value.strip()) if value.__class__ is str else Decimal(repr(value)) if value.__class__ is float else Decimal(value)
            yuan = number * header[0]
            if yuan.adjusted() < _MAX_INTEGER_DIGITS:
                yuan = to_yuan(yuan)
                if max_yuan is None or yuan <= max_yuan:
                    return ParsedAmount(yuan, unit_label(header[0], CNY), "header", False, original)
    if isinstance(value, (int, float, Decimal)):
        number = _decimal_from_number(value, original)
        pre_text = cur_text = ""
        cell_scale: Decimal | None = None
        chinese_scale = False
    else:
        text = _squash(original)
        if not text:
            return None
        if _RANGE_RE.search(text):
            raise AmountError(
                Message(
                    N_("%(value)s is a range; write one amount (for example the lower bound)."),
                    {"value": original},
                )
            )
        while True:
            stripped = _APPROX_RE.sub("", text, count=1)
            if stripped == text:
                break
            approximate, text = True, stripped
        if text.startswith(("-", "−")) and (_AMOUNT_RE.match(text[1:]) or _CHINESE_RE.match(text[1:])):
            raise AmountError(
                Message(N_("The amount %(value)s is negative."), {"value": original})
            )
        text = _THOUSANDS_RE.sub("", text)
        read = _read_text(text)
        if read is None and allow_annotation:
            match = _ANNOTATED_RE.match(text)
            label = _LABEL_RE.match(match["label"]) if match else None
            if match and label:
                read = _read_text(match["amount"])
                if read is not None:
                    annotation = match["rest"].strip(" ()[],;:/、").strip()
                    approximate = approximate or bool(label["approx"])
        if read is None:
            unknown = _UNKNOWN_CURRENCY_RE.match(text)
            if unknown and (unknown["pre"] or unknown["cur"]):
                raise AmountError(
                    Message(
                        N_("%(value)s is in %(currency)s, a currency the platform does not convert "
                           "(it takes %(currencies)s)."),
                        {"value": original, "currency": (unknown["pre"] or unknown["cur"]).upper(),
                         "currencies": ", ".join(CURRENCIES)},
                    )
                )
            raise AmountError(Message(N_("%(value)s is not an amount."), {"value": original}))
        number, cell_scale, chinese_scale, pre_text, cur_text = read

    if number < 0:
        raise AmountError(Message(N_("The amount %(value)s is negative."), {"value": original}))

    header = _split_unit(header_unit) if header_unit else None
    currency = _CURRENCY_WORDS[pre_text or cur_text]
    if cell_scale is not None or currency:
        unit_source: Literal["cell", "header"] = "cell"
        if cell_scale is not None:
            scale = cell_scale
        elif header and header[1] == currency:
            # A currency sign without a scale ('$1,740', '￥2300') takes the header's
            # scale when the header names the same currency.
            scale, unit_source = header[0], "header"
        elif header:
            raise AmountError(
                Message(
                    N_(
                        "%(value)s is in %(currency)s but the column is in %(unit)s; "
                        "write the amount in the column's unit."
                    ),
                    {"value": original, "currency": currency, "unit": unit_label(*header)},
                )
            )
        else:
            scale = Decimal(1)
        if not currency:
            if chinese_scale:
                currency = CNY
            elif header:
                currency = header[1]
            else:
                raise AmountError(
                    Message(
                        N_("The currency of %(value)s is unknown; write yuan or USD."),
                        {"value": original},
                    )
                )
    elif header:
        unit_source = "header"
        scale, currency = header
    else:
        raise AmountError(
            Message(
                N_(
                    "The amount %(value)s has no unit and the column header gives none; "
                    "write it as 5亿元 or 5000万元."
                ),
                {"value": original},
            )
        )

    in_currency = number * scale
    if in_currency.adjusted() >= _MAX_INTEGER_DIGITS:
        raise _too_large(original, max_yuan)
    rate: Decimal | None = None
    yuan = in_currency
    if currency != CNY:
        rate = _rate_for(currency, rates, usd_rate)
        if rate is None:
            if currency == USD:
                raise AmountError(
                    Message(
                        N_("%(value)s is in US dollars but the catalogue has no exchange rate."),
                        {"value": original},
                    )
                )
            raise AmountError(
                Message(
                    N_("%(value)s is in %(currency)s but the catalogue has no %(currency)s exchange rate."),
                    {"value": original, "currency": currency},
                )
            )
        yuan = in_currency * rate
        if yuan.adjusted() >= _MAX_INTEGER_DIGITS:
            raise _too_large(original, max_yuan)
    yuan = to_yuan(yuan)
    if max_yuan is not None and yuan > max_yuan:
        raise _too_large(original, max_yuan)
    return ParsedAmount(
        yuan=yuan,
        unit=unit_label(scale, currency),
        unit_source=unit_source,
        approximate=approximate,
        original=original,
        currency=currency,
        amount_original=to_yuan(in_currency) if currency != CNY else None,
        rate=rate,
        annotation=annotation,
    )


def _read_text(text: str) -> tuple[Decimal, Decimal | None, bool, str, str] | None:
    """(number, scale written in the cell or None, whether that scale is Chinese,
    currency word before, currency word after); None when `text` is not one amount."""
    match = _AMOUNT_RE.match(text)
    if match:
        pre, cur = match["pre"] or "", match["cur"] or ""
        if pre and cur and _CURRENCY_WORDS[pre] != _CURRENCY_WORDS[cur]:
            return None
        scale_text = match["scale"] or ""
        scale = _SCALES[scale_text] if scale_text else None
        return Decimal(match["num"]), scale, scale_text in _CHINESE_SCALES, pre, cur
    match = _COMPOUND_RE.match(text)
    if match:
        number = Decimal(match["yi"]) * Decimal(100_000_000) + Decimal(match["wan"]) * Decimal(10_000)
        return number, Decimal(1), True, match["pre"] or "", match["cur"] or ""
    match = _CHINESE_RE.match(text)
    if match:
        value = chinese_numeral(match["cn"])
        if value is None:
            return None
        # '五千万' carries its own scale (read as 5000万); '五千' alone is a bare number
        if "亿" in match["cn"]:
            scale = Decimal(100_000_000)
        elif "万" in match["cn"]:
            scale = Decimal(10_000)
        else:
            return Decimal(value), None, False, match["pre"] or "", match["cur"] or ""
        return Decimal(value) / scale, scale, True, match["pre"] or "", match["cur"] or ""
    return None


def _rate_for(currency: str, rates: Mapping[str, Decimal] | None, usd_rate: Decimal | None) -> Decimal | None:
    if rates and rates.get(currency) is not None:
        return rates[currency]
    if currency == USD and usd_rate is not None:
        return usd_rate
    return None


def _too_large(original: str, max_yuan: Decimal | None) -> AmountError:
    if max_yuan is None:
        return AmountError(Message(N_("The amount %(value)s is too large."), {"value": original}))
    limit = (max_yuan / Decimal(100_000_000)).normalize()
    return AmountError(
        Message(
            N_("The amount %(value)s is above the largest amount accepted (%(max)s亿元)."),
            {"value": original, "max": f"{limit:,f}"},
        )
    )


_DIGITS_AND_SIGNS = frozenset("0123456789.$¥￥€£-")


def is_pending(value: object) -> bool:
    """True for words that say the figure is not known yet ('待定', '以造价备案金额为准')."""
    if not isinstance(value, str) or not value or value[0] in _DIGITS_AND_SIGNS:
        return False  # the common case: a figure (checked first, this runs per cell)
    key = _squash(value).strip("()（）")
    return any(key == word or (len(word) > 2 and key.startswith(word)) for word in PENDING_WORDS)


_RATE_ITEM_RE = re.compile(r"^\s*([A-Za-z]{3})\s*[=:：\s]\s*(\S+)\s*$")


def parse_rates(text: str) -> dict[str, Decimal]:
    """'EUR=7.8, HKD=0.92' (or 'EUR 7.8; HKD 0.92') -> {'EUR': Decimal('7.8'), ...};
    AmountError for an unknown currency or a rate `check_rate` refuses."""
    rates: dict[str, Decimal] = {}
    for item in re.split(r"[,;，；\n]+", text or ""):
        if not item.strip():
            continue
        match = _RATE_ITEM_RE.match(item)
        if not match:
            raise AmountError(
                Message(N_("%(value)s is not a rate; write it as EUR=7.8."), {"value": item.strip()[:40]})
            )
        code = match[1].upper()
        if code not in FOREIGN_CURRENCIES:
            raise AmountError(
                Message(
                    N_("Unknown currency %(value)s; rates are for %(currencies)s."),
                    {"value": match[1][:10], "currencies": ", ".join(FOREIGN_CURRENCIES)},
                )
            )
        rates[code] = check_rate(match[2], code)
    return rates


def currency_of(value: object, *, header_unit: str | None = None) -> str | None:
    """The currency `value` is written in ('$50m' -> 'USD', '3亿' -> 'CNY'), whatever the
    rates; None when it is blank or not an amount (`parse_amount` then says why)."""
    try:
        parsed = parse_amount(value, header_unit=header_unit, max_yuan=None,
                              rates=dict.fromkeys(FOREIGN_CURRENCIES, Decimal(1)))
    except AmountError:
        return None
    return parsed.currency if parsed is not None else None
