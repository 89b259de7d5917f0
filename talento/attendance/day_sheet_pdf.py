"""A role's day sheet as PDF (issue 15 point 6): one line per person booked that day, the
day's totals, and who signed it off — the paper a production's accountant files.

Drawn like the talent list (projects.talent_list_pdf): A4 landscape, every page starts with
the title and the column headings, rows are never cut in two or dropped. After the last row
comes the totals row (people present out of booked, hours, overtime, amount), then the
sign-off line (« Signé par … le … ») or « Non signée », and, when a correction changed the
figures after the signature, a line that says so.

Rows are attendance.payroll.TalentDay values; every text is translated by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass

from fpdf import FPDF
from fpdf.enums import Align

from talento.attendance.payroll import TalentDay, Totals
from talento.casting.comp_card import font_for
from talento.profiles.card import FONT, MUTED, PRIMARY, TEXT, fit_text

__all__ = ["COLUMN_WIDTHS", "DaySheetLabels", "build_day_sheet_pdf"]

PAGE_W, PAGE_H = 297.0, 210.0
MARGIN = 10.0
#: Booking, CINEMA code, name, arrival, departure, meal, hours, overtime, amount, acknowledged.
COLUMN_WIDTHS = (30.0, 26.0, 56.0, 20.0, 28.0, 18.0, 20.0, 20.0, 32.0, 27.0)
NUMERIC = (False, False, False, False, False, True, True, True, True, False)
FONT_SIZE = 8.5
ROW_H = 7.0
HEAD_H = 7.0
TITLE_H = 16.0
FOOTER_H = 8.0
GRID = (190, 190, 198)
HEAD_FILL = (244, 236, 234)
TOTAL_FILL = (236, 236, 242)


@dataclass(frozen=True)
class DaySheetLabels:
    title: str  # « Feuille de présence — Nomades — lundi 15 mars 2027 »
    subtitle: str  # project, company, threshold
    headings: tuple[str, ...]
    page: str  # « Page {page} sur {nb} »
    empty: str
    absent: str  # « Absent »
    minutes: str  # « {num} min »
    on_set: str  # « sur le plateau »
    yes: str
    no: str
    total: str  # « Total : 12 présents sur 14 »
    signed: str  # « Signé par … le … » or « Non signée »
    changed: str  # "" or « Les chiffres ont changé depuis la signature … »


class _SheetPDF(FPDF):
    def __init__(self, labels: DaySheetLabels):
        super().__init__(orientation="L", unit="mm", format="A4")
        self.labels = labels

    def header(self) -> None:
        width = PAGE_W - 2 * MARGIN
        self.set_xy(MARGIN, MARGIN)
        self.set_text_color(*TEXT)
        self.set_font(FONT, size=13)
        self.cell(width, 7, fit_text(self, self.labels.title, width))
        self.set_xy(MARGIN, MARGIN + 7)
        self.set_text_color(*MUTED)
        self.set_font(FONT, size=8.5)
        self.cell(width, 5, fit_text(self, self.labels.subtitle, width))
        self.set_y(MARGIN + TITLE_H)
        self._headings()

    def _headings(self) -> None:
        x, y = MARGIN, self.get_y()
        self.set_font(FONT, size=7.5)
        self.set_fill_color(*HEAD_FILL)
        self.set_draw_color(*GRID)
        self.set_line_width(0.2)
        self.set_text_color(*PRIMARY)
        for width, heading in zip(COLUMN_WIDTHS, self.labels.headings, strict=True):
            self.rect(x, y, width, HEAD_H, style="DF")
            self.set_xy(x + 1.5, y)
            self.cell(width - 3, HEAD_H, fit_text(self, heading.upper(), width - 3))
            x += width
        self.set_y(y + HEAD_H)

    def footer(self) -> None:
        self.set_xy(MARGIN, PAGE_H - MARGIN - 4)
        self.set_text_color(*MUTED)
        self.set_font(FONT, size=7.5)
        page = self.labels.page.replace("{page}", str(self.page_no()))
        self.cell(PAGE_W - 2 * MARGIN, 4, page, align=Align.R)


def _cells(row: TalentDay, labels: DaySheetLabels, money, number) -> tuple[str, ...]:
    if not row.present:
        times = (labels.absent, "", "", "", "", money(row.amount) if row.amount is not None else "")
    else:
        departure = row.departure.strftime("%H:%M") if row.departure else labels.on_set
        if row.departure and row.arrival and row.departure.date() != row.arrival.date():
            departure += " (+1)"
        times = (
            row.arrival.strftime("%H:%M") if row.arrival else "",
            departure,
            labels.minutes.replace("{num}", str(row.meal_minutes)),
            number(row.hours),
            number(row.overtime_hours),
            money(row.amount) if row.amount is not None else "",
        )
    return (
        row.booking_code,
        row.cinema_code or "",
        row.full_name,
        *times,
        labels.yes if row.acknowledged else labels.no,
    )


def build_day_sheet_pdf(
    rows: list[TalentDay],
    summed: Totals,
    *,
    labels: DaySheetLabels,
    money,
    number,
    lang: str = "fr",
) -> bytes:
    """The sheet as PDF bytes. `money(Decimal)` and `number(Decimal)` format figures in the
    page's language."""
    cells = [_cells(row, labels, money, number) for row in rows]
    total_cells = (
        labels.total,
        number(summed.hours),
        number(summed.overtime_hours),
        money(summed.amount),
    )
    texts = [labels.title, labels.subtitle, labels.page, labels.empty, labels.signed]
    texts += [labels.changed, *labels.headings, *total_cells]
    texts += [text for line in cells for text in line]
    pdf = _SheetPDF(labels)
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.add_font(FONT, "", str(font_for(texts)))
    pdf.set_title(labels.title)
    pdf.set_lang(lang)
    pdf.set_creator("Talento")
    pdf.add_page()
    bottom = PAGE_H - MARGIN - FOOTER_H
    if not rows:
        pdf.set_xy(MARGIN, pdf.get_y() + 6)
        pdf.set_text_color(*TEXT)
        pdf.set_font(FONT, size=10)
        pdf.cell(PAGE_W - 2 * MARGIN, 6, labels.empty)
        pdf.set_y(pdf.get_y() + 10)
    for line in cells:
        if pdf.get_y() + ROW_H > bottom:
            pdf.add_page()
        _row(pdf, line)
    # The totals row and the sign-off lines stay together on one page.
    if pdf.get_y() + ROW_H + 14 > bottom:
        pdf.add_page()
    _totals(pdf, total_cells)
    pdf.set_xy(MARGIN, pdf.get_y() + 4)
    pdf.set_text_color(*TEXT)
    pdf.set_font(FONT, size=10)
    pdf.cell(PAGE_W - 2 * MARGIN, 6, fit_text(pdf, labels.signed, PAGE_W - 2 * MARGIN))
    if labels.changed:
        pdf.set_xy(MARGIN, pdf.get_y() + 6)
        pdf.set_text_color(*PRIMARY)
        pdf.set_font(FONT, size=9)
        pdf.cell(PAGE_W - 2 * MARGIN, 5, fit_text(pdf, labels.changed, PAGE_W - 2 * MARGIN))
    return bytes(pdf.output())


def _row(pdf: FPDF, line: tuple[str, ...], fill: bool = False) -> None:
    x, y = MARGIN, pdf.get_y()
    pdf.set_font(FONT, size=FONT_SIZE)
    pdf.set_text_color(*TEXT)
    pdf.set_draw_color(*GRID)
    pdf.set_line_width(0.2)
    if fill:
        pdf.set_fill_color(*TOTAL_FILL)
    for width, text, numeric in zip(COLUMN_WIDTHS, line, NUMERIC, strict=True):
        pdf.rect(x, y, width, ROW_H, style="DF" if fill else "D")
        pdf.set_xy(x + 1.5, y)
        pdf.cell(
            width - 3, ROW_H, fit_text(pdf, text, width - 3), align=Align.R if numeric else Align.L
        )
        x += width
    pdf.set_y(y + ROW_H)


def _totals(pdf: FPDF, total_cells: tuple[str, str, str, str]) -> None:
    """The totals row: its label across the first six columns, then hours, overtime, amount."""
    label, hours, overtime, amount = total_cells
    x, y = MARGIN, pdf.get_y()
    pdf.set_font(FONT, size=FONT_SIZE)
    pdf.set_text_color(*TEXT)
    pdf.set_fill_color(*TOTAL_FILL)
    pdf.set_draw_color(*GRID)
    span = sum(COLUMN_WIDTHS[:6])
    pdf.rect(x, y, span, ROW_H, style="DF")
    pdf.set_xy(x + 1.5, y)
    pdf.cell(span - 3, ROW_H, fit_text(pdf, label, span - 3))
    x += span
    for width, text in zip(COLUMN_WIDTHS[6:], (hours, overtime, amount, ""), strict=True):
        pdf.rect(x, y, width, ROW_H, style="DF")
        pdf.set_xy(x + 1.5, y)
        pdf.cell(width - 3, ROW_H, fit_text(pdf, text, width - 3), align=Align.R)
        x += width
    pdf.set_y(y + ROW_H)
