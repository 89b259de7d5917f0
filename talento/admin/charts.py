"""Small server-side SVG charts: no JavaScript, no CDN, a few hundred bytes each.

Each builder returns inline ``<svg>`` markup sized by its ``viewBox`` and drawn at 100 % of
its container's width, so the same chart reads on a 390 px phone and on a desktop (the
stylesheet caps its width). Colours and fonts come from the stylesheet through classes
(``.chart__bar`` …), never from inline styles, so a strict Content-Security-Policy holds.
Every text is escaped: markup is built only from literal ``Markup`` templates whose
``format()`` escapes each argument. The chart is an image with a title (``role="img"``);
pages show the same numbers as a table next to it, so nothing depends on seeing the drawing.

The builders know nothing of Flask: labels and number formatting come from the caller.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

WIDTH = 360
MAX_LABEL = 38


@dataclass(frozen=True)
class Bar:
    """One bar: a short label drawn on the chart, its value, and an optional long label for
    the tooltip (``<title>``), e.g. « 3/3 » and « semaine du 3 mars 2026 »."""

    label: str
    value: int | float
    title: str = ""


def _num(value: float) -> str:
    """A coordinate: at most one decimal, no trailing zeros."""
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _clip(text: str, limit: int = MAX_LABEL) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


_SVG = Markup(
    '<svg class="chart chart--{kind}" id="{id}" viewBox="0 0 {width} {height}" width="100%" '
    'preserveAspectRatio="xMidYMid meet" role="img" aria-labelledby="{id}-title" '
    'font-size="{size}"><title id="{id}-title">{title}</title>{body}</svg>'
)
_ITEM = Markup('<g class="chart__item"><title>{title} ({value})</title>{body}</g>')
_RECT = Markup('<rect class="{cls}" x="{x}" y="{y}" width="{width}" height="{height}"{extra}/>')
_TEXT = Markup('<text class="{cls}" x="{x}" y="{y}"{anchor}>{text}</text>')
_AXIS = Markup('<line class="chart__axis" x1="0" y1="{y}" x2="{width}" y2="{y}"/>')
_ROUNDED = Markup(' rx="2"')
_NOTHING = Markup("")


def _anchor(value: str) -> Markup:
    return Markup(' text-anchor="{}"').format(value) if value else _NOTHING


def _svg(
    chart_id: str, title: str, height: float, body: list[Markup], kind: str, size: int
) -> Markup:
    return _SVG.format(
        kind=kind,
        id=chart_id,
        width=WIDTH,
        height=_num(height),
        size=size,
        title=title,
        body=_NOTHING.join(body),
    )


def _text_width(text: str, size: float) -> float:
    """A generous estimate of a label's width in a system sans-serif font."""
    return len(text) * size * 0.62


def column_chart(
    bars: Sequence[Bar],
    *,
    chart_id: str,
    title: str,
    fmt: Callable[[int | float], str] = str,
    height: int = 200,
) -> Markup:
    """Vertical bars in time order (e.g. registrations per week), values above the bars.

    What does not fit is left out rather than overlapped: when the values are too wide for
    the bars only the highest and the last are written, and when the axis labels are, every
    other label is, counting from the last bar so the current period is always labelled.
    """
    size, top, bottom, side = 12, 20.0, 24.0, 2.0
    plot = height - top - bottom
    peak = max((bar.value for bar in bars), default=0) or 1
    slot = (WIDTH - 2 * side) / max(len(bars), 1)
    width = slot * 0.7
    labels = [_clip(bar.label, 8) for bar in bars]
    values = [fmt(bar.value) for bar in bars]
    widest_label = max((_text_width(label, size) for label in labels), default=0)
    step = max(1, math.ceil((widest_label + 4) / slot))
    all_values = max((_text_width(v, size) for v in values), default=0) <= slot - 2
    shown = {i for i, bar in enumerate(bars) if all_values or bar.value == peak}
    shown |= {len(bars) - 1}
    base = top + plot
    body = [_AXIS.format(y=_num(base), width=WIDTH)]
    for i, bar in enumerate(bars):
        length = plot * bar.value / peak
        middle = side + i * slot + slot / 2
        parts = [
            _RECT.format(
                cls="chart__bar",
                x=_num(middle - width / 2),
                y=_num(base - length),
                width=_num(width),
                height=_num(length),
                extra=_NOTHING,
            )
        ]
        if i in shown:
            last_alone = i == len(bars) - 1 and not all_values
            parts.append(
                _TEXT.format(
                    cls="chart__value",
                    x=_num(side + (i + 1) * slot if last_alone else middle),
                    y=_num(base - length - 5),
                    anchor=_anchor("end" if last_alone else "middle"),
                    text=values[i],
                )
            )
        if (len(bars) - 1 - i) % step == 0:
            parts.append(
                _TEXT.format(
                    cls="chart__label",
                    x=_num(middle),
                    y=_num(height - 6),
                    anchor=_anchor("middle"),
                    text=labels[i],
                )
            )
        body.append(
            _ITEM.format(title=bar.title or bar.label, value=values[i], body=_NOTHING.join(parts))
        )
    return _svg(chart_id, title, height, body, "columns", size)


def bar_list_chart(
    bars: Sequence[Bar],
    *,
    chart_id: str,
    title: str,
    fmt: Callable[[int | float], str] = str,
) -> Markup:
    """Horizontal bars for a ranking (top countries, skills…): each row shows its label and
    value on one line and the bar below it, so long names need no side margin on a phone."""
    size, row = 13, 40.0
    peak = max((bar.value for bar in bars), default=0) or 1
    body = []
    for i, bar in enumerate(bars):
        y = i * row
        value = fmt(bar.value)
        parts = [
            _TEXT.format(
                cls="chart__label", x=0, y=_num(y + 15), anchor=_NOTHING, text=_clip(bar.label)
            ),
            _TEXT.format(
                cls="chart__value", x=WIDTH, y=_num(y + 15), anchor=_anchor("end"), text=value
            ),
            _RECT.format(
                cls="chart__track", x=0, y=_num(y + 21), width=WIDTH, height=10, extra=_ROUNDED
            ),
            _RECT.format(
                cls="chart__bar",
                x=0,
                y=_num(y + 21),
                width=_num(WIDTH * bar.value / peak),
                height=10,
                extra=_ROUNDED,
            ),
        ]
        body.append(
            _ITEM.format(title=bar.title or bar.label, value=value, body=_NOTHING.join(parts))
        )
    return _svg(chart_id, title, max(len(bars), 1) * row - 6, body, "bars", size)
