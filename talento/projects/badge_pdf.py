"""The badge PDF: for each live booking, one A4 portrait page of four identical badges (2 × 2,
A6 each) with dashed cut lines (issue 14 point 7).

A badge shows the company logo (its name when it has none), the project, the booked days, the
talent's primary casting photo, name and CINEMA code, the role in a box of its talent type's
colour (projects.vocabulary.ROLE_COLOURS), the booking code, and the QR code of the signed
badge token (projects.badge_tokens) — exactly what the attendance scanner reads, nothing else.

Fast and light for a 300-person crowd (issue 14 point 9: under 10 s, under 250 MB):

- the photo is the stored thumbnail (at most 240 × 300 px, a few tens of KB), never the
  display photo; it is decoded once, cropped to the badge's frame and re-encoded to a small
  JPEG that fpdf2 embeds as is (DCTDecode) and, being the same bytes, once per document for
  the page's four badges (fpdf2 keys images by content);
- the logo is decoded once per document;
- a booking's QR code is made when its page is drawn and dropped after: the document never
  holds more than one page's worth of pending images;
- the Latin subset of DejaVu Sans is embedded whenever every printed character is Latin
  (talento.casting.comp_card.font_for), which is most of the parsing time saved.

The builder takes plain rows (projects.badge_rows) and translated labels: no session, no
request.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import segno
from fpdf import FPDF
from fpdf.enums import Align
from PIL import Image, ImageOps

from talento.casting.comp_card import font_for
from talento.casting.media_files import PHOTO_NAME_RE, THUMBS_DIR
from talento.profiles.card import FONT, MUTED, PRIMARY, TEXT, ellipsised, wrapped_lines
from talento.profiles.qr import ERROR_CORRECTION, QUIET_ZONE
from talento.projects.badge_rows import BookingRow, ProjectHeader, span_text
from talento.projects.vocabulary import ROLE_COLOURS, ROLE_TEXT_COLOURS

log = logging.getLogger(__name__)

__all__ = [
    "BADGES_PER_PAGE",
    "LOGOS_DIR",
    "BadgeLabels",
    "build_badges_pdf",
    "logo_file",
    "photo_file",
]

#: Where the companies' logos are stored under UPLOAD_DIR, and the shape of their generated
#: names (the same as talento.projects.company_services, which writes them).
LOGOS_DIR = Path("companies") / "logos"
LOGO_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{22}\.jpg$")

PAGE_W, PAGE_H = 210.0, 297.0  # A4 portrait, millimetres
COLUMNS, ROWS = 2, 2
BADGES_PER_PAGE = COLUMNS * ROWS
BADGE_W, BADGE_H = PAGE_W / COLUMNS, PAGE_H / ROWS  # A6
PAD = 6.0
INNER_W = BADGE_W - 2 * PAD
LOGO_W, LOGO_H = 26.0, 14.0
HEADER_H = 15.0
ROLE_H = 11.0
#: The casting thumbnails' own proportions (4:5, talento.casting.media_files.THUMB_BOX), so a
#: thumbnail of the full box is embedded as it is, neither cropped nor resampled.
PHOTO_W, PHOTO_H = 32.0, 40.0
QR_SIZE = 50.0
CAPTION_H = 4.0
#: Pixels embedded per millimetre of photo or logo (about 200 dpi: sharp in print).
PIXELS_PER_MM = 8
JPEG_QUALITY = 85
#: Pixels per QR module in the embedded PNG: crisp whatever the viewer's scaling.
QR_SCALE = 4
QR_MASK = 4
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


def photo_file(upload_dir: str | Path, thumb_name: str | None) -> Path | None:
    """The casting thumbnail ``UPLOAD_DIR/casting/thumbs/<name>`` if the name has the
    generated shape and the file exists, else None."""
    if not thumb_name or not PHOTO_NAME_RE.fullmatch(thumb_name):
        return None
    path = Path(upload_dir) / THUMBS_DIR / thumb_name
    return path if path.is_file() else None


def logo_file(upload_dir: str | Path, logo_name: str | None) -> Path | None:
    if not logo_name or not LOGO_NAME_RE.fullmatch(logo_name):
        return None
    path = Path(upload_dir) / LOGOS_DIR / logo_name
    return path if path.is_file() else None


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _pixels(w_mm: float, h_mm: float) -> tuple[int, int]:
    return max(1, round(w_mm * PIXELS_PER_MM)), max(1, round(h_mm * PIXELS_PER_MM))


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY)
    return out.getvalue()


def _frames(size: tuple[int, int]) -> bool:
    """Has a picture of this size the frame's proportions (within a pixel)?"""
    width, height = size
    return abs(width * PHOTO_H / PHOTO_W - height) <= 1


def _frame_pixels(size: tuple[int, int]) -> tuple[int, int]:
    """The frame's proportions at the picture's own resolution, at most PIXELS_PER_MM."""
    width, height = size
    scale = min(width / PHOTO_W, height / PHOTO_H, PIXELS_PER_MM)
    return max(1, round(PHOTO_W * scale)), max(1, round(PHOTO_H * scale))


def qr_image(token: str) -> Image.Image:
    """The token's QR code as a black-and-white image, QR_SCALE pixels per module, quiet zone
    kept (talento.profiles.qr's error correction and border).

    The mask is fixed: segno's search for the best of the eight masks (scoring each, in pure
    Python) took two thirds of a 300-badge PDF. The mask only avoids patterns that confuse
    readers; a token is base64 of a signature, already noise-like, and every reader decodes
    any mask (the badge tests decode the printed codes)."""
    code = segno.make(token, error=ERROR_CORRECTION, micro=False, mask=QR_MASK)
    modules = b"".join(bytes(line) for line in code.matrix).translate(_DARK_TO_BLACK)
    size = len(code.matrix)
    image = ImageOps.expand(Image.frombytes("L", (size, size), modules), QUIET_ZONE, fill=255)
    side = image.width * QR_SCALE
    return image.resize((side, side), Image.Resampling.NEAREST).convert("1")


#: segno's modules are 1 (dark) and 0 (light): black and white pixels.
_DARK_TO_BLACK = bytes([255, 0] + [0] * 254)


def _photo_jpeg(path: Path) -> bytes | None:
    """The photo as a JPEG of the badge's frame: a JPEG thumbnail of the frame's proportions
    as it is stored, anything else decoded, cropped (faces sit high: from the upper part) and
    re-encoded."""
    try:
        with Image.open(path) as source:
            if source.format == "JPEG" and source.mode == "RGB" and _frames(source.size):
                return path.read_bytes()
            image = source.convert("RGB")
        if not _frames(image.size):
            image = ImageOps.fit(
                image,
                _frame_pixels(image.size),
                method=Image.Resampling.BICUBIC,
                centering=(0.5, 0.3),
            )
        return _jpeg(image)
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        log.warning("Photo illisible ignorée sur un badge (%s).", type(error).__name__)
        return None


@dataclass(frozen=True)
class _Logo:
    data: bytes
    width: float  # millimetres, fitted into LOGO_W × LOGO_H
    height: float


def _logo(path: Path) -> _Logo | None:
    try:
        with Image.open(path) as source:
            source.draft("RGB", _pixels(LOGO_W, LOGO_H))
            image = source.convert("RGBA") if source.mode in ("P", "LA", "RGBA") else source
            if image.mode == "RGBA":  # transparency on white, as printed
                flat = Image.new("RGB", image.size, (255, 255, 255))
                flat.paste(image, mask=image.getchannel("A"))
                image = flat
            image = image.convert("RGB")
        image.thumbnail(_pixels(LOGO_W, LOGO_H), Image.Resampling.LANCZOS)
        scale = min(LOGO_W / image.width, LOGO_H / image.height)
        return _Logo(_jpeg(image), image.width * scale, image.height * scale)
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        log.warning("Logo illisible ignoré sur un badge (%s).", type(error).__name__)
        return None


class _Photos:
    """One decoded, cropped and re-encoded photo per distinct file: a talent booked in two
    roles, or a page's four badges, never decode it twice."""

    def __init__(self, upload_dir: str | Path):
        self.upload_dir = upload_dir
        self.done: dict[str, bytes | None] = {}

    def get(self, thumb_name: str | None) -> bytes | None:
        if not thumb_name:
            return None
        if thumb_name not in self.done:
            path = photo_file(self.upload_dir, thumb_name)
            self.done[thumb_name] = _photo_jpeg(path) if path is not None else None
        return self.done[thumb_name]


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
    logo = _logo(logo_path) if logo_path is not None else None
    header_ops: list[_Op] | None = None
    dates_y = PAD
    photos = _Photos(upload_dir)
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
        _four_badges(pdf, ops)
    return bytes(pdf.output())


def _positions() -> list[tuple[float, float]]:
    return [((i % COLUMNS) * BADGE_W, (i // COLUMNS) * BADGE_H) for i in range(BADGES_PER_PAGE)]


def _four_badges(pdf: FPDF, ops: list[_Op]) -> None:
    """Draw the badge once at the top left, then repeat its drawing operators at the three
    other places, each under a translation (``q 1 0 0 1 dx dy cm … Q``): four identical
    badges for the price of one. The first drawing is itself wrapped in ``q … Q``, so every
    copy starts from the very graphics state the first one started from; nothing is drawn on
    the page after them (the cut lines come first), so fpdf2's idea of the current colours
    and font no longer matters (a new page sets them all again).

    The page's content buffer is fpdf2's (pinned in pyproject.toml); if a later version
    stores it differently, each badge is simply drawn four times."""
    page = pdf.pages[pdf.page]
    contents = getattr(page, "contents", None)
    if not isinstance(contents, bytearray):
        for x, y in _positions():
            _replay(pdf, ops, x, y)
        return
    start = len(contents)
    pdf._out("q")
    _replay(pdf, ops, 0, 0)
    pdf._out("Q")
    drawing = bytes(contents[start:])
    for x, y in _positions()[1:]:
        pdf._out(f"q 1 0 0 1 {x * pdf.k:.2f} {-y * pdf.k:.2f} cm")
        contents.extend(drawing)
        pdf._out("Q")


# -- layout: computed once per booking, drawn four times -------------------------------------
#
# Fitting and wrapping text is most of the time fpdf2 spends on a page, and the four badges of
# a page are identical: each badge is laid out once as a list of drawing operations relative
# to its top-left corner, then replayed at the four positions.

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class _Text:
    x: float
    y: float
    w: float
    h: float
    text: str
    size: float
    colour: RGB
    align: Align = Align.L


@dataclass(frozen=True)
class _Box:
    x: float
    y: float
    w: float
    h: float
    colour: RGB
    filled: bool = True


@dataclass(frozen=True)
class _Picture:
    x: float
    y: float
    w: float
    h: float
    source: bytes | Image.Image


_Op = _Text | _Box | _Picture


def _replay(pdf: FPDF, ops: list[_Op], ox: float, oy: float) -> None:
    for op in ops:
        if isinstance(op, _Text):
            pdf.set_font(FONT, size=op.size)
            pdf.set_text_color(*op.colour)
            pdf.set_xy(ox + op.x, oy + op.y)
            pdf.cell(op.w, op.h, op.text, align=op.align)
        elif isinstance(op, _Box):
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


def _fit(pdf: FPDF, text: str, width: float, size: float, min_size: float) -> tuple[str, float]:
    """The font size (down to `min_size`) at which `text` fits, ellipsised if it never does."""
    while size > min_size:
        pdf.set_font(FONT, size=size)
        if pdf.get_string_width(text) <= width:
            return text, size
        size = max(min_size, size - 0.5)
    pdf.set_font(FONT, size=size)
    return (text if pdf.get_string_width(text) <= width else ellipsised(pdf, text, width)), size


def _wrap(pdf: FPDF, text: str, width: float, size: float, max_lines: int) -> list[str]:
    """`text` wrapped to `width` at `size`, at most `max_lines` lines, the last ellipsised."""
    pdf.set_font(FONT, size=size)
    lines = pdf.multi_cell(width, 5, text, dry_run=True, output="LINES")
    assert isinstance(lines, list)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = ellipsised(pdf, lines[-1], width)
    return [
        ellipsised(pdf, line, width) if pdf.get_string_width(line) > width else line
        for line in lines
    ]


def _lines(
    pdf: FPDF,
    text: str,
    x: float,
    y: float,
    w: float,
    line_h: float,
    size: float,
    max_lines: int,
    colour: RGB,
) -> tuple[list[_Op], float]:
    """Wrapped lines as operations, and the y below them."""
    ops: list[_Op] = []
    for line in _wrap(pdf, text, w, size, max_lines):
        ops.append(_Text(x, y, w, line_h, line, size, colour))
        y += line_h
    return ops, y


def _line(
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
) -> _Text:
    fitted, fitted_size = _fit(pdf, text, w, size, min_size)
    return _Text(x, y, w, h, fitted, fitted_size, colour, align)


def _header_ops(pdf: FPDF, header: ProjectHeader, logo: _Logo | None) -> tuple[list[_Op], float]:
    """The logo (or the company's name) and the project's name, the same on every badge, and
    the y below the project's name."""
    ops: list[_Op]
    if logo is not None:
        ops = [
            _Picture(
                PAD + (LOGO_W - logo.width) / 2,
                PAD + (LOGO_H - logo.height) / 2,
                logo.width,
                logo.height,
                logo.data,
            )
        ]
    else:
        ops, _y = _lines(pdf, header.company_name, PAD, PAD, LOGO_W, 4.2, 8.5, 3, PRIMARY)
    text_x, text_w = PAD + LOGO_W + 3, INNER_W - LOGO_W - 3
    project, y = _lines(pdf, header.project_name, text_x, PAD, text_w, 4.8, 11, 2, TEXT)
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
) -> list[_Op]:
    text_x, text_w = PAD + LOGO_W + 3, INNER_W - LOGO_W - 3
    ops: list[_Op] = []
    if dates:  # under the project's name
        ops.append(_line(pdf, dates, text_x, dates_y + 0.5, text_w, 4.2, 8.5, 6, MUTED))

    # The role, in its talent type's colour.
    role_y = PAD + HEADER_H + 1
    colour = ROLE_COLOURS.get(row.talent_type, ROLE_COLOURS["other"])
    ink = _rgb(ROLE_TEXT_COLOURS.get(row.talent_type, "#FFFFFF"))
    ops.append(_Box(PAD, role_y, INNER_W, ROLE_H, _rgb(colour)))
    type_label = labels.talent_types.get(row.talent_type, "").upper()
    type_w = 0.0
    if type_label:
        pdf.set_font(FONT, size=6.5)
        type_w = min(pdf.get_string_width(type_label) + 1, INNER_W * 0.4)
        ops.append(
            _line(
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
        _line(pdf, row.role_name, PAD + 2.5, role_y, INNER_W - type_w - 6, ROLE_H, 13, 7, ink)
    )

    # The photo (initials on grey without one), and who it is.
    photo_y = role_y + ROLE_H + 4
    if photo is not None:
        ops.append(_Picture(PAD, photo_y, PHOTO_W, PHOTO_H, photo))
    else:
        ops.append(_Box(PAD, photo_y, PHOTO_W, PHOTO_H, FRAME_GREY))
        initials = "".join(part[:1] for part in (row.first_name, row.last_name)).upper()
        ops.append(_Text(PAD, photo_y, PHOTO_W, PHOTO_H, initials, 20, MUTED, Align.C))
    ops.append(_Box(PAD, photo_y, PHOTO_W, PHOTO_H, MUTED, filled=False))

    column_x, column_w = PAD + PHOTO_W + 4, INNER_W - PHOTO_W - 4
    name, y = _lines(pdf, row.full_name, column_x, photo_y, column_w, 5.6, 13, 3, TEXT)
    ops += name
    y += 2
    facts = [(labels.cinema_code, row.cinema_code), (labels.booking, row.code)]
    for label, value in facts:
        if not value:
            continue
        ops.append(_line(pdf, label.upper(), column_x, y, column_w, 3.4, 6.5, 5, PRIMARY))
        ops.append(_line(pdf, value, column_x, y + 3.4, column_w, 5.5, 11, 8, TEXT))
        y += 3.4 + 5.5 + 1.5

    # The QR code of the signed token, and its caption.
    qr_y = BADGE_H - PAD - CAPTION_H - QR_SIZE
    ops.append(_Picture((BADGE_W - QR_SIZE) / 2, qr_y, QR_SIZE, QR_SIZE, qr))
    ops.append(
        _line(pdf, labels.caption, PAD, qr_y + QR_SIZE, INNER_W, CAPTION_H, 7, 5, MUTED, Align.C)
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
