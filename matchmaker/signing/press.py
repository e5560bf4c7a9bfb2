"""The press lines and the figures they quote (pure: no Flask, no database).

Organisers announce "2025年生态文明贵阳国际论坛共签约项目N个，签约金额X亿元": the edition (and
the session, when the line is about one) named, N the number of counted agreements (each
signed agreement is one signed project in this wording) and X their exact sum in 亿元,
rounded half-up to two decimals only at the end. Without an edition the line says
"本次论坛" (kept for callers that name none).
"""

from __future__ import annotations

from decimal import Decimal

from matchmaker.money import format_amount_en, to_yi, to_yuan

# Currency names as Chinese fair reports write foreign capital (合同外资 in 亿美元).
CURRENCY_ZH = {"USD": "美元", "EUR": "欧元", "HKD": "港元", "JPY": "日元", "GBP": "英镑"}

FORUM_ZH = "生态文明贵阳国际论坛"
FORUM_EN = "Eco Forum Global Guiyang"


def yi_plain(yuan: Decimal) -> str:
    """'160.25' (no thousands separator, as press releases write 亿元)."""
    return f"{to_yi(yuan):.2f}"


def event_zh(edition: str | None, session: str | None = None) -> str:
    """'2025年生态文明贵阳国际论坛' or, for a session, '2025年生态文明贵阳国际论坛绿色产业项目签约'
    (a session name that repeats the forum's name is not repeated)."""
    edition = (edition or "").strip()
    session = (session or "").strip()
    if not session:
        return edition
    if edition and session.startswith(edition):
        return session
    if edition.endswith(FORUM_ZH) and session.startswith(FORUM_ZH):
        return edition + session[len(FORUM_ZH):]
    return edition + session


def event_en(edition: str | None, session: str | None = None) -> str:
    edition = (edition or "").strip()
    session = (session or "").strip()
    if not session:
        return edition
    if edition and session.startswith(edition):
        return session
    if session.startswith(FORUM_EN) and edition.startswith(FORUM_EN):
        rest = session[len(FORUM_EN):].lstrip(" 0123456789")
        return f"{edition}{rest}" if rest[:1] in (":", ",") else f"{edition}: {rest}"
    return f"{edition}: {session}" if edition else session


def press_line_zh(count: int, total_yuan: Decimal, *, event: str | None = None,
                  session: bool = False) -> str:
    """'2025年生态文明贵阳国际论坛共签约项目3个，签约金额1.50亿元'; for a session the event is
    followed by a colon ('…绿色产业项目签约：共签约项目3个…')."""
    subject = event or "本次论坛"
    joiner = "：" if session and event else ""
    return f"{subject}{joiner}共签约项目{count}个，签约金额{yi_plain(total_yuan)}亿元"


def press_line_en(count: int, total_yuan: Decimal, *, event: str | None = None,
                  session: bool = False) -> str:
    """'12 projects were signed at the Eco Forum Global Guiyang 2025, for a total of RMB 16.24
    billion (RMB 16,235,000,000).' - in RMB billions (millions below one billion), the
    exact sum of the rows in brackets; for
    a session 'Eco Forum Global Guiyang 2025: green-industry signing — 3 projects were …'."""
    yuan = to_yuan(total_yuan)
    exact = f"{yuan:,.0f}" if yuan == yuan.to_integral_value() else f"{yuan:,.2f}"
    noun = "project was" if count == 1 else "projects were"
    rounded = format_amount_en(yuan)
    amount = f"for a total of {rounded}." if rounded == f"RMB {exact}" else f"for a total of {rounded} (RMB {exact})."
    if event and session:
        return f"{event} — {count} {noun} signed, {amount}"
    where = "the forum" if not event else (f"the {event}" if event.startswith(FORUM_EN) else event)
    return f"{count} {noun} signed at {where}, {amount}"


def foreign_line_zh(rows: list[tuple[str, Decimal]], total_yuan: Decimal) -> str:
    """'其中外币签约（合同外资）：6.70亿美元、1.20亿欧元，折合56.93亿元' ('' without any)."""
    if not rows:
        return ""
    parts = "、".join(f"{yi_plain(amount)}亿{CURRENCY_ZH.get(code, code)}" for code, amount in rows)
    return f"其中外币签约（合同外资）：{parts}，折合{yi_plain(total_yuan)}亿元"


def foreign_line_en(rows: list[tuple[str, Decimal]], total_yuan: Decimal) -> str:
    """'of which foreign-currency agreements: USD 670 million (RMB 4.76 billion)'."""
    if not rows:
        return ""
    parts = ", ".join(format_amount_en(amount, code) for code, amount in rows)
    return f"of which foreign-currency agreements: {parts} ({format_amount_en(total_yuan)})"

