"""Server-rendered SVG of the rates over time (pure: no Flask, no database).

One line per rate (开工率, 投产率, 资金到位率) across calendar quarters since the first
signing, each point labelled with its figure: the chart reads without JavaScript, prints,
and the same figures are in the table beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape

LINE_COLOURS = ("#1b7f4b", "#b36b00", "#2a5fa8", "#8a3d8f")


def quarter_chart(
    quarters: Sequence[str],
    series: Sequence[tuple[str, Sequence[Decimal | None]]],
    *,
    title: str,
    width: int = 640,
    height: int = 260,
) -> str:
    """Lines of percentages (0-100, None skipped) over `quarters`, figures as text."""
    left, right, top, bottom = 44, 16, 28, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    steps = max(len(quarters) - 1, 1)
    largest = max((v for _, values in series for v in values if v is not None),
                  default=Decimal(0))
    ceiling = max(Decimal(100) if largest > 50 else Decimal(50), largest)

    def x(i: int) -> float:
        return left + plot_w * i / steps if len(quarters) > 1 else left + plot_w / 2

    def y(value: Decimal) -> float:
        return top + plot_h * float(1 - value / ceiling)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" '
        f'stroke="#9aa" />',
    ]
    for tick in (Decimal(0), ceiling / 2, ceiling):
        parts.append(f'<text x="{left - 6}" y="{y(tick) + 4:.0f}" text-anchor="end" '
                     f'font-size="11">{tick.quantize(Decimal("1"))}%</text>')
    for i, quarter in enumerate(quarters):
        parts.append(f'<text x="{x(i):.0f}" y="{height - bottom + 16}" text-anchor="middle" '
                     f'font-size="11">{escape(quarter)}</text>')
    for index, (name, values) in enumerate(series):
        colour = LINE_COLOURS[index % len(LINE_COLOURS)]
        points = [(x(i), y(v), v) for i, v in enumerate(values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _ in points)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" '
                         f'stroke-width="2"><title>{escape(name)}</title></polyline>')
        for px, py, value in points:
            parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}">'
                         f'<title>{escape(name)}: {value}%</title></circle>'
                         f'<text x="{px:.1f}" y="{py - 6:.1f}" text-anchor="middle" '
                         f'font-size="10" fill="{colour}">{value}%</text>')
        parts.append(f'<text x="{left + index * 150}" y="16" font-size="12" fill="{colour}">'
                     f'■ {escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)
