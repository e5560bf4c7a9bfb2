"""Server-rendered SVG charts for the totals dashboard (pure: no Flask, no database).

Plain SVG strings, every label escaped, no scripts: they render without JavaScript and
print. Each chart carries a <title> and the figures also appear as text in tables.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

BAR_COLOURS = ("#1b7f4b", "#3a9d6a", "#5fb98a", "#89d0aa", "#b3e2c7", "#d5efe0")


LABEL_FONT_SIZE = 13


def fit_label(label: str, max_ems: float) -> str:
    """Cut a label to what fits in max_ems: a CJK character takes about 1em, Latin about
    0.6em. Longer labels end in '…' (the full label is in the bar's tooltip and the table)."""
    width = 0.0
    for index, char in enumerate(label):
        width += 1.0 if ord(char) > 0x2E7F else 0.6
        if width > max_ems:
            return label[: max(index - 1, 1)] + "…"
    return label


def bar_chart(
    rows: Sequence[tuple[str, Decimal, str]],
    *,
    title: str,
    width: int = 560,
    row_height: int = 26,
    label_width: int = 190,
) -> str:
    """Horizontal bars: rows of (label, amount in yuan, value text shown at the bar end)."""
    height = max(1, len(rows)) * row_height + 8
    largest = max((amount for _, amount, _ in rows), default=Decimal(0)) or Decimal(1)
    bar_space = width - label_width - 110
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, amount, value_text) in enumerate(rows):
        y = 4 + index * row_height
        bar = int(bar_space * (amount / largest)) if amount > 0 else 0
        colour = BAR_COLOURS[index % len(BAR_COLOURS)]
        short = fit_label(label, (label_width - 10) / LABEL_FONT_SIZE)
        parts.append(
            f'<text x="{label_width - 6}" y="{y + row_height / 2 + 4:.0f}" text-anchor="end" '
            f'font-size="{LABEL_FONT_SIZE}">{escape(short)}</text>'
            f'<rect x="{label_width}" y="{y + 3}" width="{max(bar, 1)}" height="{row_height - 8}" '
            f'fill="{colour}"><title>{escape(label)}: {escape(value_text)}</title></rect>'
            f'<text x="{label_width + max(bar, 1) + 6}" y="{y + row_height / 2 + 4:.0f}" '
            f'font-size="12">{escape(value_text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def progress_ring(done_yuan: Decimal, target_yuan: Decimal, *, title: str, size: int = 180) -> str:
    """A ring filled to done/target (capped at a full ring), the percentage in the middle."""
    share = (done_yuan / target_yuan) if target_yuan > 0 else Decimal(0)
    percent = (share * 100).quantize(Decimal("0.1"))
    radius = size / 2 - 12
    circumference = 2 * 3.141592653589793 * radius
    filled = circumference * float(min(share, Decimal(1)))  # drawing only, never a figure
    centre = size / 2
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="ring" role="img" viewBox="0 0 {size} {size}" '
        f'width="{size}" height="{size}" aria-label="{escape(title)}: {percent}%">'
        f"<title>{escape(title)}: {percent}%</title>"
        f'<circle cx="{centre}" cy="{centre}" r="{radius:.1f}" fill="none" stroke="#dfe7e2" stroke-width="14"/>'
        f'<circle cx="{centre}" cy="{centre}" r="{radius:.1f}" fill="none" stroke="#1b7f4b" stroke-width="14" '
        f'stroke-dasharray="{filled:.1f} {circumference:.1f}" transform="rotate(-90 {centre} {centre})"/>'
        f'<text x="{centre}" y="{centre + 8}" text-anchor="middle" font-size="24" font-weight="700">'
        f"{percent}%</text></svg>"
    )
