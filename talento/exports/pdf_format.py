"""PDF: a landscape A4 table, at most :data:`talento.exports.formats.PDF_MAX_ROWS` rows.

A PDF is for reading and printing a short list, not for data work: larger lists are refused
before anything is written (the form says to filter more or to choose CSV/XLSX). fpdf2 builds
the document in memory and only hands it out when finished, so this format is not streamed as
it is written: a 10,000-row PDF takes about a second to build, then goes out in chunks.

Speed: fpdf2's ``cell()`` costs about 70 µs a call (8 s for 10,000 rows of 12 columns) and even
``text()`` about 13 µs. Rows are therefore written as one PDF text object each (``BT … Tj …
ET``) through fpdf2's page buffer, with glyph ids from the font's subset picked once per
character, and texts wrapped to their column once per distinct value. Headings, page titles and
numbers use the public API. This relies on four fpdf2 internals (``FPDF._out``,
``TTFFont.subset.pick``, ``TTFFont.escape_text``, ``TTFFont.get_text_width``) of the pinned
fpdf2 version; tests read the text back from the produced file.

Font: the vendored DejaVu Sans (see :mod:`talento.profiles.card`): accents, « œ », « ’ ».
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence

from fpdf import FPDF
from fpdf.fonts import TTFFont

from talento.exports.rows import Cell, Row
from talento.profiles.card import FONT, FONT_PATH

PAGE_W, PAGE_H = 297.0, 210.0  # A4 landscape, millimetres
MARGIN = 10.0
TITLE_H = 8.0
HEADER_H = 6.0
ROW_H = 4.6
LINE_H = 3.0  # each further line of a wrapped cell
MAX_LINES = 6
FOOTER_H = 6.0
FONT_SIZE = 7.0
PADDING = 1.0
CHUNK_BYTES = 64 * 1024
ELLIPSIS = "…"

PRIMARY = (155, 44, 31)
TEXT = (31, 31, 36)
MUTED = (91, 91, 102)
STRIPE = (245, 242, 238)
_CACHE_LIMIT = 50_000


def pdf_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(" ", "minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    return " ".join(str(value).split())  # one line: no line breaks inside a table cell


class _Table:
    """Draws rows as raw text objects on the current page of `pdf`."""

    def __init__(self, pdf: FPDF, widths: Sequence[float]):
        self.pdf = pdf
        self.widths = list(widths)
        font = pdf.current_font
        assert isinstance(font, TTFFont)  # set to the embedded DejaVu Sans before any table
        self.font = font
        self.k = pdf.k
        self._glyphs: dict[str, str] = {}
        self._fitted: dict[tuple[int, str], list[str]] = {}

    def _encode(self, text: str) -> str:
        glyphs = self._glyphs
        out = []
        for char in text:
            glyph = glyphs.get(char)
            if glyph is None:
                picked = self.font.subset.pick(ord(char))
                glyph = glyphs[char] = "" if picked is None else chr(picked)
            out.append(glyph)
        return self.font.escape_text("".join(out))

    def _width(self, text: str) -> float:
        return self.font.get_text_width(text, FONT_SIZE, None)[1] / self.k

    def _lines(self, column: int, text: str) -> list[str]:
        """`text` wrapped to its column, each line encoded (cached per value).

        Codes, phones and dates must be read whole: a value is broken after a space when it
        can be, else between characters, over at most MAX_LINES lines (only free text longer
        than that ends with an ellipsis). Breaking spaces stay at the end of their line, so the
        text copied out of the PDF is the value itself.
        """
        key = (column, text)
        fitted = self._fitted.get(key)
        if fitted is None:
            room = self.widths[column] - 2 * PADDING
            lines: list[str] = []
            rest = text
            while rest and len(lines) < MAX_LINES:
                if self._width(rest) <= room:
                    lines.append(rest)
                    rest = ""
                    break
                cut = self._longest_prefix(rest, room)
                space = rest.rfind(" ", 0, cut + 1)
                if space > 0:
                    cut = space + 1  # the space stays on this line
                lines.append(rest[:cut])
                rest = rest[cut:]
            if rest:  # longer than MAX_LINES lines: the last one ends with an ellipsis
                last = lines[-1].rstrip() + rest
                lines[-1] = last[: self._longest_prefix(last, room, ELLIPSIS)].rstrip() + ELLIPSIS
            if len(self._fitted) >= _CACHE_LIMIT:
                self._fitted.clear()
            fitted = self._fitted[key] = [self._encode(line) for line in lines]
        return fitted

    def _longest_prefix(self, text: str, room: float, suffix: str = "") -> int:
        """Length of the longest prefix of `text` (at least one character) that fits `room`."""
        low, high = 1, len(text)
        while low < high:
            middle = (low + high + 1) // 2
            if self._width(text[:middle].rstrip() + suffix) <= room:
                low = middle
            else:
                high = middle - 1
        return low

    def layout(self, texts: Sequence[str]) -> list[list[str]]:
        return [self._lines(column, text) if text else [] for column, text in enumerate(texts)]

    @staticmethod
    def height(cells: Sequence[Sequence[str]]) -> float:
        lines = max(map(len, cells), default=1) or 1
        return ROW_H + (lines - 1) * LINE_H

    def row(self, y: float, cells: Sequence[Sequence[str]], color: tuple[int, int, int]) -> None:
        """One text object per row, column after column (a wrapped value's lines together)."""
        k = self.k
        baseline = (PAGE_H - y - ROW_H * 0.72) * k
        r, g, b = (c / 255 for c in color)
        parts = [
            f"q BT /F{self.font.i} {FONT_SIZE:.2f} Tf {r:.3f} {g:.3f} {b:.3f} rg",
            f"{(MARGIN + PADDING) * k:.2f} {baseline:.2f} Td",
        ]
        add = parts.append
        previous_x = previous_y = x = 0.0
        for lines, width in zip(cells, self.widths, strict=True):
            if len(lines) == 1 and previous_y == 0.0:  # the usual case: one line, first row
                if x != previous_x:
                    add(f"{(x - previous_x) * k:.2f} 0 Td")
                    previous_x = x
                add(f"({lines[0]}) Tj")
            else:
                line_y = 0.0
                for line in lines:
                    if x != previous_x or line_y != previous_y:
                        add(f"{(x - previous_x) * k:.2f} {(line_y - previous_y) * k:.2f} Td")
                        previous_x, previous_y = x, line_y
                    add(f"({line}) Tj")
                    line_y -= LINE_H
            x += width
        parts.append("ET Q")
        self.pdf._out(" ".join(parts))  # fpdf2 internal: see the module docstring


def build_pdf(
    labels: Sequence[str],
    batches: Iterable[list[Row]],
    *,
    widths: Sequence[int],
    title: str,
    page_label: str,
    lang: str = "fr",
) -> bytes:
    """The whole table as PDF bytes. `page_label` is a format string with ``{page}``."""
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.add_font(FONT, "", str(FONT_PATH))
    pdf.set_title(title)
    pdf.set_lang(lang)
    pdf.set_creator("Talento")
    total = sum(widths) or 1
    usable = PAGE_W - 2 * MARGIN
    mm_widths = [usable * w / total for w in widths]
    bottom = PAGE_H - MARGIN - FOOTER_H
    table: _Table | None = None
    y = bottom  # forces a first page

    def new_page() -> float:
        nonlocal table
        pdf.add_page()
        pdf.set_font(FONT, size=11)
        pdf.set_text_color(*PRIMARY)
        pdf.text(MARGIN, MARGIN + 5, title)
        pdf.set_font(FONT, size=7)
        pdf.set_text_color(*MUTED)
        pdf.text(MARGIN, PAGE_H - MARGIN, page_label.format(page=pdf.page_no()))
        pdf.set_font(FONT, size=FONT_SIZE)
        top = MARGIN + TITLE_H
        if table is None:
            table = _Table(pdf, mm_widths)
        header = table.layout(labels)
        header_h = HEADER_H + table.height(header) - ROW_H
        pdf.set_fill_color(*PRIMARY)
        pdf.rect(MARGIN, top, usable, header_h, style="F")
        table.row(top + (HEADER_H - ROW_H) / 2, header, (255, 255, 255))
        pdf.set_fill_color(*STRIPE)
        return top + header_h

    index = 0
    for batch in batches:
        for row in batch:
            texts = [pdf_cell(value) for value in row]
            cells = table.layout(texts) if table is not None else None
            height = ROW_H if cells is None else _Table.height(cells)
            if y + height > bottom:
                y = new_page()
            assert table is not None
            if cells is None:
                cells = table.layout(texts)
                height = _Table.height(cells)
            if index % 2:
                pdf.rect(MARGIN, y, usable, height, style="F")
            table.row(y, cells, TEXT)
            y += height
            index += 1
    if table is None:  # no rows: still a page with the headings
        new_page()
    return bytes(pdf.output())


def write_pdf(
    labels: Sequence[str],
    batches: Iterable[list[Row]],
    *,
    widths: Sequence[int],
    title: str,
    page_label: str,
    lang: str = "fr",
) -> Iterator[bytes]:
    data = build_pdf(labels, batches, widths=widths, title=title, page_label=page_label, lang=lang)
    for start in range(0, len(data), CHUNK_BYTES):
        yield data[start : start + CHUNK_BYTES]
