"""Charts for the Stats page as inline SVG, drawn on the server: no script, no CDN.

Colours and strokes are SVG presentation attributes, not `style`, so the page's content
security policy needs no inline styles. Each chart carries a `<title>` for screen readers;
the page shows the same numbers in a table.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 200
LEFT, RIGHT, TOP, BOTTOM = 52, 10, 26, 26  # the legend sits above TOP
COLOURS = ("#2b6cb0", "#c05621", "#2f855a", "#6b46c1")


def _x(i: int, n: int) -> float:
    inner = WIDTH - LEFT - RIGHT
    return LEFT + (inner * (i + 0.5) / n if n else 0)


def _y(value: float, top: float) -> float:
    inner = HEIGHT - TOP - BOTTOM
    return TOP + inner * (1 - (value / top if top else 0))


def _frame(labels: Sequence[str], top: float, unit: str, title: str) -> list[str]:
    """The SVG opening, the y-axis maximum and zero, and a few dates along the x axis."""
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<line x1="{LEFT}" y1="{_y(0, top):.1f}" x2="{WIDTH - RIGHT}" y2="{_y(0, top):.1f}" '
        'stroke="#999" stroke-width="1"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{WIDTH - RIGHT}" y2="{TOP}" stroke="#ddd" '
        'stroke-width="1"/>',
        f'<text x="{LEFT - 6}" y="{TOP + 4}" text-anchor="end" font-size="11" fill="#555">'
        f"{escape(_number(top, unit))}</text>",
        f'<text x="{LEFT - 6}" y="{_y(0, top) + 4:.1f}" text-anchor="end" font-size="11" '
        f'fill="#555">0</text>',
    ]
    step = max(1, len(labels) // 6)
    for i in range(0, len(labels), step):
        parts.append(
            f'<text x="{_x(i, len(labels)):.1f}" y="{HEIGHT - 8}" text-anchor="middle" '
            f'font-size="11" fill="#555">{escape(labels[i][5:])}</text>'
        )
    return parts


def _number(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value:.0%}"
    return f"{value:,.0f}{' ' + unit if unit else ''}"


def _top(values: Sequence[float | None], unit: str) -> float:
    highest = max((v for v in values if v is not None), default=0.0)
    return 1.0 if unit == "%" else max(highest, 1.0)


def bar_chart(labels: Sequence[str], values: Sequence[float], *, title: str) -> Markup:
    """One bar per day."""
    top = _top(values, "")
    parts = _frame(labels, top, "", title)
    width = max(1.0, (WIDTH - LEFT - RIGHT) / max(len(values), 1) * 0.8)
    for i, value in enumerate(values):
        y = _y(value, top)
        parts.append(
            f'<rect x="{_x(i, len(values)) - width / 2:.1f}" y="{y:.1f}" width="{width:.1f}" '
            f'height="{_y(0, top) - y:.1f}" fill="{COLOURS[0]}"><title>{escape(labels[i])}: '
            f"{value:,.0f}</title></rect>"
        )
    return Markup("".join([*parts, "</svg>"]))


def line_chart(
    labels: Sequence[str],
    series: dict[str, Sequence[float | None]],
    *,
    title: str,
    unit: str = "",
) -> Markup:
    """One line per series; days without a value (None) break the line."""
    top = _top([v for values in series.values() for v in values], unit)
    parts = _frame(labels, top, unit, title)
    for index, (name, values) in enumerate(series.items()):
        colour = COLOURS[index % len(COLOURS)]
        runs: list[list[str]] = [[]]
        for i, value in enumerate(values):
            if value is None:
                runs.append([])
                continue
            runs[-1].append(f"{_x(i, len(values)):.1f},{_y(value, top):.1f}")
        for run in runs:
            if len(run) == 1:
                x, y = run[0].split(",")
                parts.append(f'<circle cx="{x}" cy="{y}" r="2" fill="{colour}"/>')
            elif run:
                parts.append(
                    f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" '
                    'stroke-width="2"/>'
                )
        parts.append(_legend(colour, name, index))
    return Markup("".join([*parts, "</svg>"]))


def _legend(colour: str, name: str, index: int) -> str:
    """A coloured square and the series' name, right to left along the top."""
    x = WIDTH - RIGHT - 110 * (index + 1)
    return (
        f'<rect x="{x}" y="4" width="10" height="10" fill="{colour}"/>'
        f'<text x="{x + 14}" y="13" font-size="11" fill="#333">{escape(name)}</text>'
    )
