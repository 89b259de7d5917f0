"""The printable profile card: an A6 PDF (fpdf2) with name, code, photo, skills and QR code.

Content comes from the public allowlist (:class:`~talento.profiles.public.PublicProfile`); contact
data is added only when the owner explicitly asks for it (:class:`CardContact`), and the view
only ever builds the card of the logged-in owner.

Font: fpdf2's core PDF fonts are Latin-1 only (no "œ", no "’", no "€"), and a fresh Debian
machine may lack the system DejaVu package, so DejaVu Sans is vendored in
``talento/static/fonts/`` (licence alongside). fpdf2 embeds only the glyphs used. Arabic script
is not shaped (no HarfBuzz here): it would print unjoined, which the card does not need yet.

The builder takes translated labels from its caller (it needs no request) and a `compress`
switch so tests can read the page content streams.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos
from PIL import Image, ImageOps

from talento.crypto import is_unavailable
from talento.profiles.public import PublicProfile, safe_file_name
from talento.profiles.qr import qr_png

log = logging.getLogger(__name__)

FONT_PATH = Path(__file__).resolve().parent.parent / "static" / "fonts" / "DejaVuSans.ttf"
FONT = "DejaVuSans"

PAGE_W, PAGE_H = 105.0, 148.0  # A6 portrait, millimetres
MARGIN = 8.0
CONTENT_W = PAGE_W - 2 * MARGIN
BAND_H = 14.0
PHOTO_W, PHOTO_H = 28.0, 36.0
QR_SIZE = 36.0
#: Photos are re-encoded small before embedding: a phone picture would make a 5 MB card.
PHOTO_PIXELS = (420, 540)

PRIMARY = (155, 44, 31)  # --color-primary of talento.css
TEXT = (31, 31, 36)
MUTED = (91, 91, 102)


@dataclass(frozen=True)
class CardLabels:
    """Translated strings, provided by the caller (see `public_views.card_labels`)."""

    code: str
    skills: str
    contact: str
    phone: str
    whatsapp: str
    email: str
    unavailable: str
    scan: str


@dataclass(frozen=True)
class CardContact:
    """The owner's contact data (decrypted); an unreadable value is an `Unavailable` marker."""

    phone: str | None
    whatsapp: str | None
    email: str | None


def contact_of(user) -> CardContact:
    """The contact block of `user`'s own card. Call only for the owner (it decrypts)."""
    return CardContact(phone=user.phone, whatsapp=user.whatsapp, email=user.email)


def photo_file(upload_dir: str | Path, photo_name: str | None) -> Path | None:
    """``upload_dir/photos/<photo_name>`` if it is a plain file name that exists, else None."""
    name = safe_file_name(photo_name)
    if name is None:
        return None
    path = Path(upload_dir) / "photos" / name
    return path if path.is_file() else None


def build_card_pdf(
    profile: PublicProfile,
    *,
    url: str,
    labels: CardLabels,
    contact: CardContact | None = None,
    photo: Path | None = None,
    compress: bool = True,
) -> bytes:
    """The card as PDF bytes. `url` is the canonical public URL the QR code encodes."""
    pdf = FPDF(orientation="P", unit="mm", format=(PAGE_W, PAGE_H))
    pdf.set_compression(compress)
    pdf.set_auto_page_break(False)
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.add_font(FONT, "", str(FONT_PATH))
    pdf.set_title(f"Talento — {profile.full_name} ({profile.code})")
    pdf.set_lang("fr")
    pdf.set_creator("Talento")
    pdf.add_page()

    # Brand band.
    pdf.set_fill_color(*PRIMARY)
    pdf.rect(0, 0, PAGE_W, BAND_H, style="F")
    pdf.set_xy(MARGIN, 0)
    pdf.set_text_color(255, 255, 255)
    pdf.set_font(FONT, size=14)
    pdf.cell(CONTENT_W, BAND_H, "Talento", align=Align.L)

    # Photo (optional) and identity.
    top = BAND_H + 6
    text_x, text_w = MARGIN, CONTENT_W
    photo_bottom = top
    image = _load_photo(photo) if photo is not None else None
    if image is not None:
        pdf.image(image, x=MARGIN, y=top, w=PHOTO_W, h=PHOTO_H)
        pdf.set_draw_color(*MUTED)
        pdf.rect(MARGIN, top, PHOTO_W, PHOTO_H)
        text_x, text_w = MARGIN + PHOTO_W + 4, CONTENT_W - PHOTO_W - 4
        photo_bottom = top + PHOTO_H

    pdf.set_xy(text_x, top)
    pdf.set_text_color(*TEXT)
    pdf.set_font(FONT, size=15)
    wrapped_lines(pdf, profile.full_name, text_w, 6.5, max_lines=2, x=text_x)
    pdf.set_x(text_x)
    pdf.set_font(FONT, size=11)
    pdf.cell(text_w, 6, f"{labels.code} {profile.code}", new_x=XPos.LEFT, new_y=YPos.NEXT)
    place = ", ".join(part for part in (profile.city, profile.country) if part)
    if place:
        pdf.set_text_color(*MUTED)
        pdf.set_font(FONT, size=9.5)
        wrapped_lines(pdf, place, text_w, 5, max_lines=2, x=text_x)
    y = max(pdf.get_y(), photo_bottom) + 4

    # Skills.
    if profile.skills:
        y = _heading(pdf, labels.skills, y)
        pdf.set_text_color(*TEXT)
        pdf.set_font(FONT, size=9.5)
        wrapped_lines(pdf, "\u00a0· ".join(profile.skills), CONTENT_W, 4.6, max_lines=3, x=MARGIN)
        y = pdf.get_y() + 3

    # Contact, only on request.
    if contact is not None:
        rows = [
            (labels.phone, contact.phone),
            (labels.whatsapp, contact.whatsapp),
            (labels.email, contact.email),
        ]
        rows = [(label, value) for label, value in rows if value or is_unavailable(value)]
        if rows:
            y = _heading(pdf, labels.contact, y)
            pdf.set_text_color(*TEXT)
            for label, value in rows:
                shown = labels.unavailable if is_unavailable(value) else str(value)
                fitted_line(pdf, f"{label} {shown}", CONTENT_W, 4.4, size=9, min_size=6.5)
            y = pdf.get_y() + 3

    # QR code, anchored to the bottom of the page.
    caption_h = 8.0
    qr_y = max(PAGE_H - MARGIN - caption_h - QR_SIZE, y)
    size = min(QR_SIZE, PAGE_H - MARGIN - caption_h - qr_y)
    pdf.image(io.BytesIO(qr_png(url, scale=10)), x=(PAGE_W - size) / 2, y=qr_y, w=size, h=size)
    pdf.set_xy(MARGIN, qr_y + size + 0.5)
    pdf.set_text_color(*MUTED)
    pdf.set_font(FONT, size=7.5)
    pdf.cell(CONTENT_W, 3.6, labels.scan, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    fitted_line(pdf, url, CONTENT_W, 3.6, size=7.5, min_size=5.5, align=Align.C)
    return bytes(pdf.output())


def _heading(pdf: FPDF, text: str, y: float) -> float:
    pdf.set_xy(MARGIN, y)
    pdf.set_text_color(*PRIMARY)
    pdf.set_font(FONT, size=8)
    pdf.cell(CONTENT_W, 4.5, text.upper(), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return pdf.get_y()


def wrapped_lines(
    pdf: FPDF,
    text: str,
    width: float,
    height: float,
    *,
    max_lines: int,
    x: float,
    align: Align = Align.L,
) -> None:
    """Write `text` wrapped to `width`, at most `max_lines` lines, the last one ellipsised."""
    lines = pdf.multi_cell(width, height, text, dry_run=True, output="LINES")
    assert isinstance(lines, list)  # output="LINES" returns the list of lines alone
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = ellipsised(pdf, lines[-1], width)
    for line in lines:
        if pdf.get_string_width(line) > width:
            line = ellipsised(pdf, line, width)
        pdf.set_x(x)
        pdf.cell(width, height, line, align=align, new_x=XPos.LEFT, new_y=YPos.NEXT)


def fitted_line(
    pdf: FPDF,
    text: str,
    width: float,
    height: float,
    *,
    size: float,
    min_size: float,
    align: Align = Align.L,
    x: float = MARGIN,
) -> None:
    """One line at `x`: the font shrinks down to `min_size`, then it is ellipsised (the talent
    card and the CINEMA comp card)."""
    while size > min_size:
        pdf.set_font(FONT, size=size)
        if pdf.get_string_width(text) <= width:
            break
        size = max(min_size, size - 0.5)
    pdf.set_font(FONT, size=size)
    if pdf.get_string_width(text) > width:
        text = ellipsised(pdf, text, width)
    pdf.set_x(x)
    pdf.cell(width, height, text, align=align, new_x=XPos.LEFT, new_y=YPos.NEXT)


def fit_text(pdf: FPDF, text: str, width: float) -> str:
    """`text` if it fits in `width` at the current font, else cut with « … »."""
    return text if pdf.get_string_width(text) <= width else ellipsised(pdf, text, width)


def ellipsised(pdf: FPDF, text: str, width: float) -> str:
    text = text.rstrip()
    while text and pdf.get_string_width(text + "…") > width:
        text = text[:-1].rstrip()
    return text + "…"


def _load_photo(path: Path) -> Image.Image | None:
    """The photo cropped to the card's frame, or None if it cannot be read (skipped silently)."""
    try:
        with Image.open(path) as source:
            image = ImageOps.exif_transpose(source).convert("RGB")
        return ImageOps.fit(image, PHOTO_PIXELS)
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        # No file name or personal data in the log: the kind of failure is enough to investigate.
        log.warning("Photo illisible ignorée sur la carte de profil (%s).", type(error).__name__)
        return None
