"""The badge PDF: for each live booking, one A4 portrait page of four identical badges (2 × 2,
A6 each) with dashed cut lines (issue 14 point 7).

A badge shows the company logo (its name when it has none), the project, the booked days, the
talent's primary casting photo, name and CINEMA code, the role in a box of its talent type's
colour (projects.vocabulary.ROLE_COLOURS), the booking code, and the QR code of the signed
badge token (projects.badge_tokens) — exactly what the attendance scanner reads, nothing else.

Fast and light for a 300-person crowd (issue 14 point 9: under 10 s, under 250 MB):

- each picture is made once and small (projects.badge_images: the stored thumbnail, never
  the display photo; the logo once per document; a page's QR code made with its page);
- a badge is laid out once and its drawing repeated at the page's four places
  (projects.badge_layout), which divides the text work by four;
- the Latin subset of DejaVu Sans is embedded whenever every printed character is Latin
  (talento.casting.comp_card.font_for), which is most of the parsing time saved.

The builder takes plain rows (projects.badge_rows) and translated labels: no session, no
request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import Align
from PIL import Image

from talento.casting.comp_card import font_for
from talento.profiles.card import FONT, MUTED, PRIMARY, TEXT, wrapped_lines
from talento.projects.badge_images import (
    LOGO_H,
    LOGO_W,
    PHOTO_H,
    PHOTO_W,
    Logo,
    Photos,
    load_logo,
    logo_file,
    qr_image,
)
from talento.projects.badge_layout import Box, Op, Picture, Text, draw_at, line, lines
from talento.projects.badge_rows import BookingRow, ProjectHeader, span_text
from talento.projects.vocabulary import ROLE_COLOURS, ROLE_TEXT_COLOURS

__all__ = ["BADGES_PER_PAGE", "BadgeLabels", "build_badges_pdf"]


PAGE_W, PAGE_H = 210.0, 297.0  # A4 portrait, millimetres
COLUMNS, ROWS = 2, 2
BADGES_PER_PAGE = COLUMNS * ROWS
BADGE_W, BADGE_H = PAGE_W / COLUMNS, PAGE_H / ROWS  # A6
PAD = 6.0
INNER_W = BADGE_W - 2 * PAD
HEADER_H = 15.0
ROLE_H = 11.0
QR_SIZE = 50.0
CAPTION_H = 4.0
CUT_GREY = (150, 150, 150)
FRAME_GREY = (215, 215, 220)


@dataclass(frozen=True)
class BadgeLabels:
    """Translated strings, provided by the caller."""

    title: str  # the document's title
    cinema_code: str  # « Code CINEMA »
    booking: str  # « Réservation »
    caption: str  # under the QR code
    empty: str  # the only page of a document without a live booking
    talent_types: Mapping[str, str]  # code → label


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _texts(header: ProjectHeader, rows: Iterable[BookingRow], labels: BadgeLabels) -> list[str]:
    texts = [header.project_name, header.company_name, labels.title, labels.cinema_code]
    texts += [labels.booking, labels.caption, labels.empty, *labels.talent_types.values()]
    for row in rows:
        texts += [row.full_name, row.role_name, row.code, row.cinema_code or ""]
    return texts


def build_badges_pdf(
    header: ProjectHeader,
    rows: list[BookingRow],
    *,
    token_for: Callable[[BookingRow], str],
    upload_dir: str | Path,
    labels: BadgeLabels,
    lang: str = "fr",
    compress: bool = True,
) -> bytes:
    """One page of four identical badges per row. `token_for` signs a row's badge token."""
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_compression(compress)
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    pdf.add_font(FONT, "", str(font_for(_texts(header, rows, labels))))
    pdf.set_title(labels.title)
    pdf.set_lang(lang)
    pdf.set_creator("Talento")
    if not rows:
        pdf.add_page()
        pdf.set_xy(20, 30)
        pdf.set_text_color(*TEXT)
        pdf.set_font(FONT, size=13)
        wrapped_lines(pdf, labels.title, PAGE_W - 40, 7, max_lines=3, x=20)
        pdf.set_font(FONT, size=11)
        wrapped_lines(pdf, labels.empty, PAGE_W - 40, 6, max_lines=4, x=20)
        return bytes(pdf.output())

    logo_path = logo_file(upload_dir, header.logo_name)
    logo = load_logo(logo_path) if logo_path is not None else None
    header_ops: list[Op] | None = None
    dates_y = PAD
    photos = Photos(upload_dir)
    for row in rows:
        pdf.add_page()
        if header_ops is None:  # fpdf2 measures wrapped text on a page
            header_ops, dates_y = _header_ops(pdf, header, logo)
        ops = header_ops + _booking_ops(
            pdf,
            row,
            dates_y=dates_y,
            dates=span_text(row.days, lang),
            qr=qr_image(token_for(row)),
            photo=photos.get(row.thumb_name),
            labels=labels,
        )
        _cut_lines(pdf)
        draw_at(pdf, ops, _places())
    return bytes(pdf.output())


# -- a badge, laid out once per booking (projects.badge_layout draws it four times) ----------


def _places() -> list[tuple[float, float]]:
    """The top-left corners of a page's badges, first row first."""
    return [((i % COLUMNS) * BADGE_W, (i // COLUMNS) * BADGE_H) for i in range(BADGES_PER_PAGE)]


def _header_ops(pdf: FPDF, header: ProjectHeader, logo: Logo | None) -> tuple[list[Op], float]:
    """The logo (or the company's name) and the project's name, the same on every badge, and
    the y below the project's name."""
    ops: list[Op]
    if logo is not None:
        ops = [
            Picture(
                PAD + (LOGO_W - logo.width) / 2,
                PAD + (LOGO_H - logo.height) / 2,
                logo.width,
                logo.height,
                logo.data,
            )
        ]
    else:
        ops, _y = lines(pdf, header.company_name, PAD, PAD, LOGO_W, 4.2, 8.5, 3, PRIMARY)
    text_x, text_w = PAD + LOGO_W + 3, INNER_W - LOGO_W - 3
    project, y = lines(pdf, header.project_name, text_x, PAD, text_w, 4.8, 11, 2, TEXT)
    return ops + project, y


def _booking_ops(
    pdf: FPDF,
    row: BookingRow,
    *,
    dates_y: float,
    dates: str,
    qr: Image.Image,
    photo: bytes | None,
    labels: BadgeLabels,
) -> list[Op]:
    text_x, text_w = PAD + LOGO_W + 3, INNER_W - LOGO_W - 3
    ops: list[Op] = []
    if dates:  # under the project's name
        ops.append(line(pdf, dates, text_x, dates_y + 0.5, text_w, 4.2, 8.5, 6, MUTED))

    # The role, in its talent type's colour.
    role_y = PAD + HEADER_H + 1
    colour = ROLE_COLOURS.get(row.talent_type, ROLE_COLOURS["other"])
    ink = _rgb(ROLE_TEXT_COLOURS.get(row.talent_type, "#FFFFFF"))
    ops.append(Box(PAD, role_y, INNER_W, ROLE_H, _rgb(colour)))
    type_label = labels.talent_types.get(row.talent_type, "").upper()
    type_w = 0.0
    if type_label:
        pdf.set_font(FONT, size=6.5)
        type_w = min(pdf.get_string_width(type_label) + 1, INNER_W * 0.4)
        ops.append(
            line(
                pdf,
                type_label,
                PAD + INNER_W - type_w - 2.5,
                role_y,
                type_w,
                ROLE_H,
                6.5,
                5,
                ink,
                Align.R,
            )  # fmt: skip
        )
    ops.append(
        line(pdf, row.role_name, PAD + 2.5, role_y, INNER_W - type_w - 6, ROLE_H, 13, 7, ink)
    )

    # The photo (initials on grey without one), and who it is.
    photo_y = role_y + ROLE_H + 4
    if photo is not None:
        ops.append(Picture(PAD, photo_y, PHOTO_W, PHOTO_H, photo))
    else:
        ops.append(Box(PAD, photo_y, PHOTO_W, PHOTO_H, FRAME_GREY))
        initials = "".join(part[:1] for part in (row.first_name, row.last_name)).upper()
        ops.append(Text(PAD, photo_y, PHOTO_W, PHOTO_H, initials, 20, MUTED, Align.C))
    ops.append(Box(PAD, photo_y, PHOTO_W, PHOTO_H, MUTED, filled=False))

    column_x, column_w = PAD + PHOTO_W + 4, INNER_W - PHOTO_W - 4
    name, y = lines(pdf, row.full_name, column_x, photo_y, column_w, 5.6, 13, 3, TEXT)
    ops += name
    y += 2
    facts = [(labels.cinema_code, row.cinema_code), (labels.booking, row.code)]
    for label, value in facts:
        if not value:
            continue
        ops.append(line(pdf, label.upper(), column_x, y, column_w, 3.4, 6.5, 5, PRIMARY))
        ops.append(line(pdf, value, column_x, y + 3.4, column_w, 5.5, 11, 8, TEXT))
        y += 3.4 + 5.5 + 1.5

    # The QR code of the signed token, and its caption.
    qr_y = BADGE_H - PAD - CAPTION_H - QR_SIZE
    ops.append(Picture((BADGE_W - QR_SIZE) / 2, qr_y, QR_SIZE, QR_SIZE, qr))
    ops.append(
        line(pdf, labels.caption, PAD, qr_y + QR_SIZE, INNER_W, CAPTION_H, 7, 5, MUTED, Align.C)
    )
    return ops


def _cut_lines(pdf: FPDF) -> None:
    pdf.set_draw_color(*CUT_GREY)
    pdf.set_line_width(0.2)
    pdf.set_dash_pattern(dash=2, gap=1.5)
    for column in range(1, COLUMNS):
        pdf.line(column * BADGE_W, 0, column * BADGE_W, PAGE_H)
    for row in range(1, ROWS):
        pdf.line(0, row * BADGE_H, PAGE_W, row * BADGE_H)
    pdf.set_dash_pattern()
