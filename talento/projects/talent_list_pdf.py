"""The project's talent list PDF: every live booking on A4 landscape pages, for the set team's
clipboard (issue 14 point 7).

One line per booking — role, booking code, CINEMA code, name, booked days, call time — and an
empty « Notes » column to write in by hand. The reference app's list lost every row after its
first page; here each page is filled row by row until the next row does not fit, then a new
page starts with the title and the column headings again, so no row is ever dropped or cut in
two (tests/projects/test_talent_list_pdf.py reads 300 codes back from the pages).

Rows are plain data (projects.badge_rows), labels are translated by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass

from fpdf import FPDF
from fpdf.enums import Align

from talento.casting.comp_card import font_for
from talento.profiles.card import FONT, MUTED, PRIMARY, TEXT, ellipsised, fit_text
from talento.projects.badge_rows import BookingRow, ProjectHeader, days_text, range_text

__all__ = ["COLUMN_WIDTHS", "TalentListLabels", "build_talent_list_pdf", "subtitle_text"]

PAGE_W, PAGE_H = 297.0, 210.0  # A4 landscape, millimetres
MARGIN = 10.0
#: Role, booking code, CINEMA code, name, days, call time, notes (sums to the page's width).
COLUMN_WIDTHS = (40.0, 30.0, 26.0, 52.0, 52.0, 24.0, 53.0)
#: How many lines a cell may take before it is ellipsised (the notes column is empty).
MAX_LINES = (2, 1, 1, 2, 3, 1, 1)
FONT_SIZE = 8.5
LINE_H = 4.2
CELL_PAD = 1.5
#: Rows stay tall enough to write a note by hand.
MIN_ROW_H = 9.0
HEAD_H = 7.0
TITLE_H = 16.0
FOOTER_H = 8.0
GRID = (190, 190, 198)
HEAD_FILL = (244, 236, 234)


@dataclass(frozen=True)
class TalentListLabels:
    """Translated strings, provided by the caller."""

    title: str  # « Liste des talents — Le Désert »
    subtitle: str  # company, dates, count
    headings: tuple[str, str, str, str, str, str, str]
    #: « Page {page} sur {nb} »: {page} is this page's number, {nb} (fpdf2's alias) the count.
    page: str
    empty: str


class _ListPDF(FPDF):
    """Every page starts with the title and the column headings, and ends with its number."""

    def __init__(self, labels: TalentListLabels):
        super().__init__(orientation="L", unit="mm", format="A4")
        self.labels = labels

    def header(self) -> None:
        self.set_xy(MARGIN, MARGIN)
        self.set_text_color(*TEXT)
        self.set_font(FONT, size=13)
        self.cell(PAGE_W - 2 * MARGIN, 7, fit_text(self, self.labels.title, PAGE_W - 2 * MARGIN))
        self.set_xy(MARGIN, MARGIN + 7)
        self.set_text_color(*MUTED)
        self.set_font(FONT, size=8.5)
        width = PAGE_W - 2 * MARGIN
        self.cell(width, 5, fit_text(self, self.labels.subtitle, width))
        self.set_y(MARGIN + TITLE_H)
        _headings(self)

    def footer(self) -> None:
        self.set_xy(MARGIN, PAGE_H - MARGIN - 4)
        self.set_text_color(*MUTED)
        self.set_font(FONT, size=7.5)
        page = self.labels.page.replace("{page}", str(self.page_no()))
        self.cell(PAGE_W - 2 * MARGIN, 4, page, align=Align.R)


def _headings(pdf: _ListPDF) -> None:
    x, y = MARGIN, pdf.get_y()
    pdf.set_font(FONT, size=7.5)
    pdf.set_fill_color(*HEAD_FILL)
    pdf.set_draw_color(*GRID)
    pdf.set_line_width(0.2)
    pdf.set_text_color(*PRIMARY)
    for width, heading in zip(COLUMN_WIDTHS, pdf.labels.headings, strict=True):
        pdf.rect(x, y, width, HEAD_H, style="DF")
        pdf.set_xy(x + CELL_PAD, y)
        pdf.cell(width - 2 * CELL_PAD, HEAD_H, fit_text(pdf, heading.upper(), width - 3))
        x += width
    pdf.set_y(y + HEAD_H)


def _wrapped(pdf: FPDF, text: str, width: float, max_lines: int) -> list[str]:
    """`text` in at most `max_lines` lines of `width` (the last ellipsised when cut)."""
    if not text:
        return []
    if pdf.get_string_width(text) <= width:  # the common case, without fpdf2's line breaker
        return [text]
    if max_lines == 1:
        return [ellipsised(pdf, text, width)]
    lines = pdf.multi_cell(width, LINE_H, text, dry_run=True, output="LINES")
    assert isinstance(lines, list)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = ellipsised(pdf, lines[-1], width)
    return [fit_text(pdf, line, width) for line in lines]


def _cells(row: BookingRow, lang: str) -> tuple[str, ...]:
    call = row.call_time.strftime("%H:%M") if row.call_time else ""
    return (
        row.role_name,
        row.code,
        row.cinema_code or "",
        row.full_name,
        days_text(row.days, lang),
        call,
        "",
    )


def build_talent_list_pdf(
    header: ProjectHeader,
    rows: list[BookingRow],
    *,
    labels: TalentListLabels,
    lang: str = "fr",
    compress: bool = True,
) -> bytes:
    """The list as PDF bytes: as many pages as the rows need, none dropped."""
    cells = [_cells(row, lang) for row in rows]
    texts = [labels.title, labels.subtitle, labels.page, labels.empty, *labels.headings]
    texts += [text for line in cells for text in line]
    pdf = _ListPDF(labels)
    pdf.set_compression(compress)
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.add_font(FONT, "", str(font_for(texts)))
    pdf.set_font(FONT, size=FONT_SIZE)
    pdf.set_title(labels.title)
    pdf.set_lang(lang)
    pdf.set_creator("Talento")
    pdf.add_page()
    if not rows:
        pdf.set_xy(MARGIN, pdf.get_y() + 6)
        pdf.set_text_color(*TEXT)
        pdf.set_font(FONT, size=10)
        pdf.cell(PAGE_W - 2 * MARGIN, 6, labels.empty)
        return bytes(pdf.output())

    bottom = PAGE_H - MARGIN - FOOTER_H
    pdf.set_draw_color(*GRID)
    for line in cells:
        pdf.set_font(FONT, size=FONT_SIZE)
        wrapped = [
            _wrapped(pdf, text, width - 2 * CELL_PAD, max_lines)
            for text, width, max_lines in zip(line, COLUMN_WIDTHS, MAX_LINES, strict=True)
        ]
        height = max(MIN_ROW_H, max(len(w) for w in wrapped) * LINE_H + 2 * CELL_PAD)
        if pdf.get_y() + height > bottom:
            pdf.add_page()  # the header draws the title and the headings again
            pdf.set_font(FONT, size=FONT_SIZE)
            pdf.set_draw_color(*GRID)
        _row(pdf, wrapped, height)
    return bytes(pdf.output())


def _row(pdf: FPDF, wrapped: list[list[str]], height: float) -> None:
    x, y = MARGIN, pdf.get_y()
    pdf.set_text_color(*TEXT)
    pdf.set_line_width(0.2)
    for width, lines in zip(COLUMN_WIDTHS, wrapped, strict=True):
        pdf.rect(x, y, width, height)
        for index, text in enumerate(lines):
            pdf.set_xy(x + CELL_PAD, y + CELL_PAD + index * LINE_H)
            pdf.cell(width - 2 * CELL_PAD, LINE_H, text)
        x += width
    pdf.set_y(y + height)


def subtitle_text(header: ProjectHeader, count_text: str, lang: str) -> str:
    """« Atlas Films · 15–20 mars 2027 · 300 talents » (what is known of it)."""
    parts = [header.company_name]
    if header.start_date and header.end_date:
        parts.append(range_text(header.start_date, header.end_date, lang))
    elif header.start_date:
        parts.append(range_text(header.start_date, header.start_date, lang))
    parts.append(count_text)
    return " · ".join(parts)
