"""The printable comp card: an A5 (default) or A4 PDF (fpdf2) of a casting profile.

Primary photo large, up to 4 more photos, name, CINEMA code, the facts a casting director
reads first (playing age, height and sizes, eyes, hair, languages, talent types) and the QR
code of the casting page. Content comes only from :class:`talento.casting.page.CastingView`
(the allowlist): no ID number, phone, e-mail, address or date of birth can reach it, and
it is not a contact export (no audit row).

Fast by construction: the primary photo is the stored display JPEG (decoded at reduced size
through PIL's JPEG draft mode), the others are the small stored thumbnails, never originals.
Parsing the whole DejaVu Sans (6,000 glyphs) was most of the time, so a card whose text is all
Latin (:data:`LATIN_RANGES`: French, Spanish, transliterated Arabic and Amazigh names…) uses
the vendored Latin subset ``DejaVuSans-Latin.ttf`` (made by :func:`make_latin_font`); any other
character (a name in Arabic or Tifinagh script) takes the full font, as the talent's card does
(talento/profiles/card.py, whose colours are shared).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos
from PIL import Image, ImageOps

from talento.casting.page import CastingView
from talento.profiles.card import (
    FONT,
    FONT_PATH,
    MUTED,
    PRIMARY,
    TEXT,
    fitted_line,
    wrapped_lines,
)
from talento.profiles.qr import qr_png

log = logging.getLogger(__name__)

#: Page sizes in millimetres (portrait).
FORMATS = {"a5": (148.0, 210.0), "a4": (210.0, 297.0)}
DEFAULT_FORMAT = "a5"
MORE_PHOTOS = 4
#: What the Latin subset covers: Basic Latin to Latin Extended-B, spacing and combining marks,
#: Latin Extended Additional, general punctuation, the euro sign.
LATIN_RANGES = ((0x20, 0x24F), (0x2B0, 0x36F), (0x1E00, 0x1EFF), (0x2000, 0x206F), (0x20AC, 0x20AC))
LATIN_FONT_PATH = FONT_PATH.with_name("DejaVuSans-Latin.ttf")
#: Pixels embedded per millimetre of photo (about 150 dpi: sharp in print, light in the file).
PIXELS_PER_MM = 6


@dataclass(frozen=True)
class CompCardLabels:
    """Translated strings, provided by the caller."""

    brand: str  # « Talento · CINEMA »
    scan: str  # under the QR code


def build_comp_card(
    view: CastingView,
    *,
    facts: list[tuple[str, str]],
    url: str,
    labels: CompCardLabels,
    primary: Path | None = None,
    more: list[Path] | None = None,
    page_format: str = DEFAULT_FORMAT,
    compress: bool = True,
) -> bytes:
    """The comp card as PDF bytes. `facts` are (label, value) lines, already translated;
    `url` is the casting page's canonical URL (the QR code's content)."""
    width, height = FORMATS.get(page_format, FORMATS[DEFAULT_FORMAT])
    s = width / FORMATS["a5"][0]  # everything scales with the page
    margin = 8 * s
    content_w = width - 2 * margin

    pdf = FPDF(orientation="P", unit="mm", format=(width, height))
    pdf.set_compression(compress)
    pdf.set_auto_page_break(False)
    pdf.set_margins(margin, margin, margin)
    texts = [view.full_name, view.code, labels.brand, labels.scan, url]
    pdf.add_font(FONT, "", str(font_for([*texts, *(f"{k}{v}" for k, v in facts)])))
    pdf.set_title(f"{view.full_name} ({view.code})")
    pdf.set_lang("fr")
    pdf.set_creator("Talento")
    pdf.add_page()

    # Band: brand on the left, CINEMA code on the right.
    band_h = 12 * s
    pdf.set_fill_color(*PRIMARY)
    pdf.rect(0, 0, width, band_h, style="F")
    pdf.set_text_color(255, 255, 255)
    pdf.set_font(FONT, size=11 * s)
    pdf.set_xy(margin, 0)
    pdf.cell(content_w / 2, band_h, labels.brand, align=Align.L)
    pdf.set_font(FONT, size=13 * s)
    pdf.set_xy(margin + content_w / 2, 0)
    pdf.cell(content_w / 2, band_h, view.code, align=Align.R)

    # Name.
    pdf.set_xy(margin, band_h + 4 * s)
    pdf.set_text_color(*TEXT)
    fitted_line(pdf, view.full_name, content_w, 9 * s, size=20 * s, min_size=11 * s, x=margin)
    top = pdf.get_y() + 3 * s

    # Row of more photos at the bottom, above nothing: computed first to size the main area.
    gap = 3 * s
    thumbs = [image for path in (more or [])[:MORE_PHOTOS] if (image := _load(path)) is not None]
    thumb_w = (content_w - (MORE_PHOTOS - 1) * gap) / MORE_PHOTOS
    thumb_h = thumb_w * 1.25
    thumbs_y = height - margin - thumb_h
    main_bottom = (thumbs_y - gap) if thumbs else height - margin

    # Primary photo, large, on the left.
    photo_w = content_w * 0.55
    photo_h = min(photo_w * 1.25, main_bottom - top)
    photo_w = photo_h / 1.25
    image = _load(primary, (photo_w, photo_h)) if primary is not None else None
    column_x = margin
    if image is not None:
        pdf.image(image, x=margin, y=top, w=photo_w, h=photo_h)
        pdf.set_draw_color(*MUTED)
        pdf.rect(margin, top, photo_w, photo_h)
        column_x = margin + photo_w + 4 * s
    column_w = width - margin - column_x

    # QR code at the bottom of the right column (or of the page without a photo).
    qr_size = min(30 * s, column_w)
    caption_h = 4 * s
    qr_y = main_bottom - caption_h - qr_size
    qr_x = column_x + (column_w - qr_size) / 2

    # Facts, between the name and the QR code.
    pdf.set_xy(column_x, top)
    for label, value in facts:
        if pdf.get_y() > qr_y - 9 * s:
            break
        pdf.set_x(column_x)
        pdf.set_text_color(*PRIMARY)
        pdf.set_font(FONT, size=6.5 * s)
        pdf.cell(column_w, 3.6 * s, label.upper(), new_x=XPos.LEFT, new_y=YPos.NEXT)
        pdf.set_text_color(*TEXT)
        pdf.set_font(FONT, size=8.5 * s)
        wrapped_lines(pdf, value, column_w, 4 * s, max_lines=3, x=column_x)
        pdf.set_y(pdf.get_y() + 1.2 * s)

    pdf.image(io.BytesIO(qr_png(url, scale=8)), x=qr_x, y=qr_y, w=qr_size, h=qr_size)
    pdf.set_xy(column_x, qr_y + qr_size)
    pdf.set_text_color(*MUTED)
    pdf.set_font(FONT, size=6 * s)
    fitted_line(pdf, labels.scan, column_w, caption_h / 2, size=6 * s, min_size=4.5, x=column_x)
    fitted_line(pdf, url, column_w, caption_h / 2, size=6 * s, min_size=4, x=column_x)

    for index, thumb in enumerate(thumbs):
        x = margin + index * (thumb_w + gap)
        pdf.image(ImageOps.fit(thumb, _pixels(thumb_w, thumb_h)), x=x, y=thumbs_y, w=thumb_w)
        pdf.set_draw_color(*MUTED)
        pdf.rect(x, thumbs_y, thumb_w, thumb_h)
    return bytes(pdf.output())


def _is_latin(char: str) -> bool:
    point = ord(char)
    return any(low <= point <= high for low, high in LATIN_RANGES)


def font_for(texts: list[str]) -> Path:
    """The Latin subset when every character of `texts` is in it, else the full font."""
    if LATIN_FONT_PATH.is_file() and all(_is_latin(ch) for text in texts for ch in text):
        return LATIN_FONT_PATH
    return FONT_PATH


def make_latin_font(target: Path = LATIN_FONT_PATH) -> None:
    """Write the Latin subset of DejaVu Sans (run once; the file is vendored):
    ``python -c "from talento.casting.comp_card import make_latin_font; make_latin_font()"``."""
    from fontTools import subset  # type: ignore[import-untyped]
    from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

    font = TTFont(str(FONT_PATH))
    options = subset.Options()
    options.drop_tables += ["FFTM"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(
        unicodes=[point for low, high in LATIN_RANGES for point in range(low, high + 1)]
    )
    subsetter.subset(font)
    font.save(str(target))


def _pixels(w_mm: float, h_mm: float) -> tuple[int, int]:
    return (max(1, round(w_mm * PIXELS_PER_MM)), max(1, round(h_mm * PIXELS_PER_MM)))


def _load(path: Path | None, frame: tuple[float, float] | None = None) -> Image.Image | None:
    """The image (cropped to `frame`, in mm, when given), or None if unreadable (skipped)."""
    if path is None or not path.is_file():
        return None
    try:
        with Image.open(path) as source:
            if frame is not None and source.format == "JPEG":
                source.draft("RGB", _pixels(*frame))  # decode at about the size needed
            image = source.convert("RGB")
        return ImageOps.fit(image, _pixels(*frame)) if frame is not None else image
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        log.warning("Photo illisible ignorée sur la fiche casting (%s).", type(error).__name__)
        return None
