"""The press lines and the figures they quote (pure: no Flask, no database).

Organisers announce "本次论坛共签约项目N个，签约金额X亿元": N is the number of counted
agreements (each signed agreement is one signed project in this wording) and X their exact
sum in 亿元, rounded half-up to two decimals only at the end.
"""

from __future__ import annotations

from decimal import Decimal

from matchmaker.money import to_yi, to_yuan


def yi_plain(yuan: Decimal) -> str:
    """'160.25' (no thousands separator, as press releases write 亿元)."""
    return f"{to_yi(yuan):.2f}"


def press_line_zh(count: int, total_yuan: Decimal) -> str:
    return f"本次论坛共签约项目{count}个，签约金额{yi_plain(total_yuan)}亿元"


def press_line_en(count: int, total_yuan: Decimal) -> str:
    yuan = to_yuan(total_yuan)
    exact = f"{yuan:,.0f}" if yuan == yuan.to_integral_value() else f"{yuan:,.2f}"
    noun = "project was" if count == 1 else "projects were"
    return (
        f"{count} {noun} signed at the forum, for a total of {yi_plain(total_yuan)}亿元 "
        f"(RMB {exact})."
    )
