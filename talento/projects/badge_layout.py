"""Drawing operations recorded once and drawn several times: the four identical badges of a
page (talento.projects.badge_pdf).

Fitting and wrapping text is most of the time fpdf2 spends on a page, and the four badges of a
page are identical: a badge is laid out once as a list of operations relative to its top-left
corner (:class:`Text`, :class:`Box`, :class:`Picture`), then drawn at each place.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from fpdf import FPDF
from fpdf.enums import Align
from PIL import Image

from talento.profiles.card import FONT, ellipsised, fit_text

__all__ = ["RGB", "Box", "Op", "Picture", "Text", "draw_at", "line", "lines", "replay"]

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    w: float
    h: float
    text: str
    size: float
    colour: RGB
    align: Align = Align.L


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    colour: RGB
    filled: bool = True


@dataclass(frozen=True)
class Picture:
    x: float
    y: float
    w: float
    h: float
    source: bytes | Image.Image


Op = Text | Box | Picture


def replay(pdf: FPDF, ops: list[Op], ox: float, oy: float) -> None:
    for op in ops:
        if isinstance(op, Text):
            pdf.set_font(FONT, size=op.size)
            pdf.set_text_color(*op.colour)
            pdf.set_xy(ox + op.x, oy + op.y)
            pdf.cell(op.w, op.h, op.text, align=op.align)
        elif isinstance(op, Box):
            if op.filled:
                pdf.set_fill_color(*op.colour)
                pdf.rect(ox + op.x, oy + op.y, op.w, op.h, style="F")
            else:
                pdf.set_draw_color(*op.colour)
                pdf.set_line_width(0.2)
                pdf.rect(ox + op.x, oy + op.y, op.w, op.h)
        else:
            source = io.BytesIO(op.source) if isinstance(op.source, bytes) else op.source
            pdf.image(source, x=ox + op.x, y=oy + op.y, w=op.w, h=op.h)


def fit(pdf: FPDF, text: str, width: float, size: float, min_size: float) -> tuple[str, float]:
    """The font size (down to `min_size`) at which `text` fits, ellipsised if it never does."""
    while size > min_size:
        pdf.set_font(FONT, size=size)
        if pdf.get_string_width(text) <= width:
            return text, size
        size = max(min_size, size - 0.5)
    pdf.set_font(FONT, size=size)
    return fit_text(pdf, text, width), size


def wrap(pdf: FPDF, text: str, width: float, size: float, max_lines: int) -> list[str]:
    """`text` wrapped to `width` at `size`, at most `max_lines` lines, the last ellipsised."""
    pdf.set_font(FONT, size=size)
    lines = pdf.multi_cell(width, 5, text, dry_run=True, output="LINES")
    assert isinstance(lines, list)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = ellipsised(pdf, lines[-1], width)
    return [fit_text(pdf, line, width) for line in lines]


def lines(
    pdf: FPDF,
    text: str,
    x: float,
    y: float,
    w: float,
    line_h: float,
    size: float,
    max_lines: int,
    colour: RGB,
) -> tuple[list[Op], float]:
    """Wrapped lines as operations, and the y below them."""
    ops: list[Op] = []
    for line in wrap(pdf, text, w, size, max_lines):
        ops.append(Text(x, y, w, line_h, line, size, colour))
        y += line_h
    return ops, y


def line(
    pdf: FPDF,
    text: str,
    x: float,
    y: float,
    w: float,
    h: float,
    size: float,
    min_size: float,
    colour: RGB,
    align: Align = Align.L,
) -> Text:
    fitted, fitted_size = fit(pdf, text, w, size, min_size)
    return Text(x, y, w, h, fitted, fitted_size, colour, align)


def draw_at(pdf: FPDF, ops: list[Op], places: list[tuple[float, float]]) -> None:
    """Draw the operations at each place (millimetres, top-left corners), the last thing on
    the page: once at the first place, then its drawing operators again at the others, each
    under a translation (``q 1 0 0 1 dx dy cm … Q``), so n identical drawings cost one.

    The first drawing is itself wrapped in ``q … Q``, so every copy starts from the very
    graphics state the first one started from. Nothing may be drawn on the page after them:
    fpdf2's idea of the current colours and font is then the end of the drawing's while the
    page's is its start (a new page sets them all again). The page's content buffer is
    fpdf2's (pinned in pyproject.toml); if a later version stores it differently, the
    operations are simply replayed at each place."""
    contents = getattr(pdf.pages[pdf.page], "contents", None)
    if not isinstance(contents, bytearray):
        for x, y in places:
            replay(pdf, ops, x, y)
        return
    (first_x, first_y), *others = places
    start = len(contents)
    pdf._out("q")
    replay(pdf, ops, first_x, first_y)
    pdf._out("Q")
    drawing = bytes(contents[start:])
    for x, y in others:
        dx, dy = (x - first_x) * pdf.k, (first_y - y) * pdf.k
        pdf._out(f"q 1 0 0 1 {dx:.2f} {dy:.2f} cm")
        contents.extend(drawing)
        pdf._out("Q")
