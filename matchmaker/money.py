"""Exact money helpers (pure: no Flask, no database).

Amounts are stored as Decimal yuan with two decimals (fen). People read 亿元 with two
decimals; every figure shown is derived from the exact stored sum, never from floats.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

YI = Decimal(100_000_000)  # 1亿元
WAN = Decimal(10_000)  # 1万元
FEN = Decimal("0.01")
MAX_YUAN = Decimal("10000000000000.00")  # 100,000亿元: the largest single amount accepted


def to_yuan(value: Decimal | int | str) -> Decimal:
    """Quantise to the fen (two decimals), the precision amounts are stored with."""
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)


def to_yi(yuan: Decimal | int | str) -> Decimal:
    """Yuan to 亿元 rounded half-up to two decimals, for display only."""
    return (Decimal(yuan) / YI).quantize(FEN, rounding=ROUND_HALF_UP)


def format_yi(yuan: Decimal | int | str | None) -> str:
    """'1300.00' for 1,300亿元; thousands separators for large figures ('12,345.67')."""
    if yuan is None:
        return ""
    return f"{to_yi(yuan):,.2f}"


def yuan_str(yuan: Decimal | int | str | None) -> str | None:
    """The API's decimal string in yuan: '1300000000000.00' (never a float)."""
    if yuan is None:
        return None
    return f"{to_yuan(yuan):f}"


def format_original(amount: Decimal | None, currency: str) -> str:
    """A foreign amount as signed, exact: 'USD 670,000,000.00'."""
    if amount is None:
        return ""
    return f"{currency} {to_yuan(amount):,.2f}"


_EN_SCALES = ((Decimal(1_000_000_000), "billion"), (Decimal(1_000_000), "million"))


def format_amount_en(amount: Decimal | int | str, currency: str = "RMB") -> str:
    """English money: 'RMB 16.24 billion', 'RMB 350 million', 'USD 2.29 billion',
    'RMB 850,000' - billions and millions to two decimals (half up), smaller amounts in
    full. For display: exact figures stay in the data (and in the press line's brackets)."""
    amount = to_yuan(amount)
    for size, word in _EN_SCALES:
        if amount >= size:
            value = (amount / size).quantize(FEN, rounding=ROUND_HALF_UP).normalize()
            return f"{currency} {value:,f} {word}"
    if amount == amount.to_integral_value():
        return f"{currency} {amount:,.0f}"
    return f"{currency} {amount:,.2f}"


def in_currency(yuan: Decimal | int | str, rate: Decimal) -> Decimal:
    """Yuan converted to a currency at `rate` (yuan per unit), to the cent (display only)."""
    return to_yuan(Decimal(yuan) / Decimal(rate))


def format_rate(rate: Decimal) -> str:
    """'7.10', '7.1234', '0.92': a rate as an exchange-rate table writes it."""
    rate = Decimal(rate).normalize()
    return f"{rate:.2f}" if -rate.as_tuple().exponent <= 2 else f"{rate:f}"


def format_money(yuan: Decimal | int | str | None, locale: str, usd_rate: Decimal | None = None) -> str:
    """An amount as its reader writes it: Chinese '162.35亿元'; English 'RMB 16.24 billion',
    with '(≈ USD 2.29 billion at 7.10)' when the US-dollar rate is known."""
    if yuan is None:
        return "—"
    if locale != "en":
        return f"{format_yi(yuan)}亿元"
    text = format_amount_en(yuan)
    if usd_rate:
        text += f" (≈ {format_amount_en(in_currency(yuan, usd_rate), 'USD')} at {format_rate(usd_rate)})"
    return text
