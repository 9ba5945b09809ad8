"""Charts as SVG written by the server: the same picture on the page and, later, in the PDF
report; no chart library, no script. Text is real text (readable, selectable, translatable);
every chart comes with a table of the same figures beside it for screen readers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from xml.sax.saxutils import escape

PALETTE = ["#0b5394", "#b35900", "#1e6b30", "#6a3d9a", "#a4161a", "#01665e"]


@dataclass(frozen=True)
class Series:
    name: str
    values: list[int]  # one per week
    kind: str = "bar"  # "bar" or "line"


def weekly_chart(
    weeks: list[dt.date],
    series: list[Series],
    title: str,
    width: int = 720,
    height: int = 260,
    label_format: str = "%d %b %y",
) -> str:
    """Grouped bars (and lines) per period (a week by default; ``weeks`` are the periods'
    first days), with a y axis of round numbers and a legend that wraps onto as many rows as
    its names need, so that nothing is cut at the right edge."""
    legend = _legend_rows(series, width)
    left, right, top, bottom = 44, 10, 12 + 18 * len(legend), 40
    height += 18 * (len(legend) - 1)
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([max(s.values, default=0) for s in series] + [1])
    step = _nice_step(peak)
    y_max = step * -(-peak // step)
    n = max(len(weeks), 1)
    slot = plot_w / n
    bars = [s for s in series if s.kind == "bar"]
    bar_w = max(1.0, (slot * 0.8) / max(len(bars), 1))
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        'aria-labelledby="chart-title" class="chart" font-family="system-ui, sans-serif" '
        'font-size="11">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    for k in range(0, int(y_max) + 1, int(step)):
        y = top + plot_h - plot_h * k / y_max
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d0d7de"/>'
        )
        out.append(
            f'<text x="{left - 4}" y="{y + 4:.1f}" text-anchor="end" fill="#1b1f23">{k}</text>'
        )
    for i, s in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        if s.kind == "bar":
            b = bars.index(s)
            for w, v in enumerate(s.values):
                if v:
                    h = plot_h * v / y_max
                    x = left + w * slot + slot * 0.1 + b * bar_w
                    y = top + plot_h - h
                    out.append(
                        f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                        f'fill="{colour}"/>'
                    )
        else:
            points = " ".join(
                f"{left + w * slot + slot / 2:.1f},{top + plot_h - plot_h * v / y_max:.1f}"
                for w, v in enumerate(s.values)
            )
            out.append(
                f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"/>'
            )
    label_every = max(1, n // 8)
    for w, week in enumerate(weeks):
        if w % label_every == 0:
            x = left + w * slot + slot / 2
            # a label that would run past the right edge ends at it instead
            anchor = "end" if x + 30 > width - right else "middle"
            x = min(x, width - right)
            out.append(
                f'<text x="{x:.1f}" y="{height - bottom + 14}" text-anchor="{anchor}" '
                f'fill="#1b1f23">{week.strftime(label_format)}</text>'
            )
    for row, items in enumerate(legend):
        y = 8 + 18 * row
        for x, i, s in items:
            colour = PALETTE[i % len(PALETTE)]
            out.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{colour}"/>')
            out.append(f'<text x="{x + 16}" y="{y + 10}" fill="#1b1f23">{escape(s.name)}</text>')
    out.append("</svg>")
    return "".join(out)


def _legend_rows(series: list[Series], width: int) -> list[list[tuple[int, int, Series]]]:
    """The legend's entries as rows of (x, series index, series), each row within the width
    (an entry is about 7 px a character at the chart's 11 px font, plus its swatch)."""
    rows: list[list[tuple[int, int, Series]]] = [[]]
    x = 44
    for i, s in enumerate(series):
        need = 24 + 7 * len(s.name)
        if rows[-1] and x + need > width:
            rows.append([])
            x = 44
        rows[-1].append((x, i, s))
        x += need
    return rows


def _nice_step(peak: int) -> int:
    for step in (
        1,
        2,
        5,
        10,
        20,
        25,
        50,
        100,
        200,
        250,
        500,
        1000,
        2000,
        2500,
        5000,
        10000,
        20000,
        50000,
    ):
        if peak / step <= 6:
            return step
    return 10 ** len(str(peak))
