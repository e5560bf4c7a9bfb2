"""Amounts as people write them in catalogues -> exact Decimal yuan (pure: no Flask, no DB).

Accepted: ``5`` / ``3.2`` (unit from the column header), ``约5亿元``, ``5,000万元``,
``５０００万``, ``0.5亿``, ``50 million yuan``, ``1.2 billion yuan``, ``USD 20 million``,
``2000万美元``, ``$20m`` (US dollars need the catalogue's exchange rate).

Refused with an `AmountError` carrying a translatable `Message`: a bare number whose unit
cannot be known (never guessed), US dollars without a rate, negative amounts, ranges
("5-8亿") and anything that is not a number.

API and form input: a bare number there is just as ambiguous, so call
``parse_amount(text, header_unit="亿元")`` when the field is labelled in 亿元 (then "5" is
5亿元 and "5000万" is still 5000万元); there is deliberately no function that guesses.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

from matchmaker.i18n import N_, Message
from matchmaker.money import MAX_YUAN, format_yi, to_yuan
from matchmaker.text import nfkc

CNY = "CNY"
USD = "USD"

_SCALES: dict[str, Decimal] = {
    "": Decimal(1),
    "千": Decimal(1_000),
    "万": Decimal(10_000),
    "十万": Decimal(100_000),
    "百万": Decimal(1_000_000),
    "千万": Decimal(10_000_000),
    "亿": Decimal(100_000_000),
    "十亿": Decimal(1_000_000_000),
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
_CHINESE_SCALES = {"千", "万", "十万", "百万", "千万", "亿", "十亿"}
_CURRENCIES: dict[str, str] = {
    "": "",
    "元": CNY,
    "元人民币": CNY,
    "人民币": CNY,
    "人民币元": CNY,
    "yuan": CNY,
    "rmb": CNY,
    "cny": CNY,
    "¥": CNY,
    "美元": USD,
    "美金": USD,
    "usd": USD,
    "us$": USD,
    "$": USD,
    "dollar": USD,
    "dollars": USD,
    "usdollar": USD,
    "usdollars": USD,
}
_UNIT_LABELS: dict[tuple[Decimal, str], str] = {
    (Decimal(1), CNY): "元",
    (Decimal(1_000), CNY): "千元",
    (Decimal(10_000), CNY): "万元",
    (Decimal(100_000), CNY): "十万元",
    (Decimal(1_000_000), CNY): "百万元",
    (Decimal(10_000_000), CNY): "千万元",
    (Decimal(100_000_000), CNY): "亿元",
    (Decimal(1_000_000_000), CNY): "十亿元",
    (Decimal(1), USD): "USD",
    (Decimal(1_000), USD): "USD thousand",
    (Decimal(10_000), USD): "万美元",
    (Decimal(1_000_000), USD): "USD million",
    (Decimal(10_000_000), USD): "千万美元",
    (Decimal(100_000_000), USD): "亿美元",
    (Decimal(1_000_000_000), USD): "USD billion",
}

_scale_alt = "|".join(sorted((re.escape(k) for k in _SCALES if k), key=len, reverse=True))
_cur_alt = "|".join(sorted((re.escape(k) for k in _CURRENCIES if k), key=len, reverse=True))
_AMOUNT_RE = re.compile(
    rf"^(?P<pre>{_cur_alt})?(?P<num>\d+(?:\.\d+)?|\.\d+)(?P<scale>{_scale_alt})?(?P<cur>{_cur_alt})?$"
)
_UNIT_RE = re.compile(rf"^(?P<pre>{_cur_alt})?(?P<scale>{_scale_alt})?(?P<cur>{_cur_alt})?$")
_RANGE_RE = re.compile(r"\d\D{0,6}?(?:-|~|～|—|–|至|到)\.?\d")
_THOUSANDS_RE = re.compile(r"(?<=\d),(?=\d{3}(?:\D|$))")
# Markers of an approximate figure: 约 (about), 左右 (or so), 近 (nearly), 逾/超 (over).
_APPROX_RE = re.compile(
    r"^(?:大约|约合|约计|约|近|逾|超过|超|approximately|approx\.?|about|around|roughly|over|~)"
    r"|(?:左右|上下|余|多|以上)$"
)
_PAREN_RE = re.compile(r"[(\[]([^()\[\]]*)[)\]]")


class AmountError(ValueError):
    """An amount that cannot be read; `message` says why, translatable."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class ParsedAmount:
    yuan: Decimal  # exact, quantised to the fen
    unit: str  # '亿元', '万元', '元', 'USD', 'USD million', '万美元', ...
    unit_source: Literal["cell", "header"]
    approximate: bool
    original: str  # the value as written

    @property
    def currency(self) -> str:
        return USD if self.unit in _USD_LABELS else CNY


_USD_LABELS = {label for (_, cur), label in _UNIT_LABELS.items() if cur == USD}


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
    currency = _CURRENCIES[match["pre"] or match["cur"] or ""]
    if not currency:
        if match["scale"] not in _CHINESE_SCALES:
            return None  # "million" alone: of which currency?
        currency = CNY
    return scale, currency


def unit_from_header(header_text: object) -> str | None:
    """The unit a column header declares: '总投资（亿元）' -> '亿元',
    '项目总投资(万元)' -> '万元', 'Total investment (USD million)' -> 'USD million'."""
    if header_text is None:
        return None
    text = nfkc(str(header_text)).strip()
    for inner in reversed(_PAREN_RE.findall(text)):
        candidate = inner.strip()
        for prefix in ("单位:", "单位", "unit:", "in "):
            if candidate.casefold().startswith(prefix):
                candidate = candidate[len(prefix) :].strip()
        if _split_unit(candidate):
            return candidate
    for suffix in ("万美元", "亿美元", "美元", "亿元", "万元"):
        if text.endswith(suffix):
            return suffix
    match = re.search(r"单位[:：]\s*(\S+)$", text)
    if match and _split_unit(match[1]):
        return match[1]
    return None


def _decimal_from_number(value: int | float | Decimal, original: str) -> Decimal:
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise AmountError(Message(N_("%(value)s is not an amount."), {"value": original}))
        return Decimal(repr(value))  # 3.2 -> Decimal("3.2"), not the binary expansion
    return Decimal(value)


def _as_written(value: object) -> str:
    if isinstance(value, float):
        text = repr(value)
        return text[:-2] if text.endswith(".0") else text
    return str(value).strip()


def parse_amount(
    value: object,
    *,
    header_unit: str | None = None,
    usd_rate: Decimal | None = None,
) -> ParsedAmount | None:
    """Read one amount cell; None for a blank cell (the caller decides if it is required).

    The unit comes from the cell, else from `header_unit` (see `unit_from_header`); a bare
    number with no header unit is refused. US dollar amounts need `usd_rate` (yuan per USD).
    """
    if value is None:
        return None
    original = _as_written(value)
    if isinstance(value, bool):
        raise AmountError(Message(N_("%(value)s is not an amount."), {"value": original}))
    if not original:
        return None

    approximate = False
    if isinstance(value, (int, float, Decimal)):
        number = _decimal_from_number(value, original)
        scale_text = cur_text = pre_text = ""
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
        if text.startswith(("-", "−")) and _AMOUNT_RE.match(text[1:]):
            raise AmountError(
                Message(N_("The amount %(value)s is negative."), {"value": original})
            )
        text = _THOUSANDS_RE.sub("", text)
        match = _AMOUNT_RE.match(text)
        if not match or (match["pre"] and match["cur"]):
            raise AmountError(Message(N_("%(value)s is not an amount."), {"value": original}))
        try:
            number = Decimal(match["num"])
        except InvalidOperation as exc:  # pragma: no cover - the regex admits digits only
            raise AmountError(
                Message(N_("%(value)s is not an amount."), {"value": original})
            ) from exc
        pre_text, scale_text, cur_text = match["pre"] or "", match["scale"] or "", match["cur"] or ""

    if number < 0:
        raise AmountError(Message(N_("The amount %(value)s is negative."), {"value": original}))

    header = _split_unit(header_unit) if header_unit else None
    currency = _CURRENCIES[pre_text or cur_text]
    if scale_text or currency:
        unit_source: Literal["cell", "header"] = "cell"
        scale = _SCALES[scale_text]
        if not currency:
            if scale_text in _CHINESE_SCALES:
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

    yuan = number * scale
    if currency == USD:
        if usd_rate is None:
            raise AmountError(
                Message(
                    N_("%(value)s is in US dollars but the catalogue has no exchange rate."),
                    {"value": original},
                )
            )
        yuan = yuan * usd_rate
    if yuan > MAX_YUAN:  # also keeps quantize() within Decimal's 28 digits
        raise AmountError(
            Message(
                N_("%(value)s is more than %(max)s亿元, the largest amount accepted."),
                {"value": original[:40], "max": format_yi(MAX_YUAN)},
            )
        )
    unit = _UNIT_LABELS.get((scale, currency), currency)
    return ParsedAmount(
        yuan=to_yuan(yuan),
        unit=unit,
        unit_source=unit_source,
        approximate=approximate,
        original=original,
    )
