"""The pictures of a badge: the talent's photo, the company's logo and the QR code, each
made once and small (talento.projects.badge_pdf draws them).

- The photo is the stored casting thumbnail (at most 240 × 300 px, a few tens of KB), never
  the display photo: a JPEG thumbnail of the frame's proportions is embedded as it is, any
  other (WebP) is decoded once and re-encoded to a small JPEG, which fpdf2 embeds as is
  (DCTDecode) and, the page's four badges drawing the same bytes, once.
- The logo is decoded once per document.
- A booking's QR code is made when its page is drawn and dropped after.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path

import segno
from PIL import Image, ImageOps

from talento.casting.media_files import PHOTO_NAME_RE, THUMBS_DIR
from talento.profiles.qr import ERROR_CORRECTION, QUIET_ZONE
from talento.projects.company_services import LOGO_NAME_RE, LOGOS_DIR

log = logging.getLogger(__name__)

__all__ = [
    "LOGOS_DIR",
    "LOGO_H",
    "LOGO_W",
    "PHOTO_H",
    "PHOTO_W",
    "Logo",
    "Photos",
    "load_logo",
    "logo_file",
    "photo_file",
    "qr_image",
]

#: The logo's box on a badge, millimetres.
LOGO_W, LOGO_H = 26.0, 14.0
#: The casting thumbnails' own proportions (4:5, talento.casting.media_files.THUMB_BOX), so a
#: thumbnail of the full box is embedded as it is, neither cropped nor resampled.
PHOTO_W, PHOTO_H = 32.0, 40.0
#: Pixels embedded per millimetre of photo or logo at most (about 200 dpi: sharp in print).
PIXELS_PER_MM = 8
JPEG_QUALITY = 85
#: Pixels per QR module in the embedded image: crisp whatever the viewer's scaling.
QR_SCALE = 4
QR_MASK = 4


def photo_file(upload_dir: str | Path, thumb_name: str | None) -> Path | None:
    """The casting thumbnail ``UPLOAD_DIR/casting/thumbs/<name>`` if the name has the
    generated shape and the file exists, else None."""
    if not thumb_name or not PHOTO_NAME_RE.fullmatch(thumb_name):
        return None
    path = Path(upload_dir) / THUMBS_DIR / thumb_name
    return path if path.is_file() else None


def logo_file(upload_dir: str | Path, logo_name: str | None) -> Path | None:
    """The company's logo file (company_services writes it) if it exists, else None."""
    if not logo_name or not LOGO_NAME_RE.fullmatch(logo_name):
        return None
    path = Path(upload_dir) / LOGOS_DIR / logo_name
    return path if path.is_file() else None


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
class Logo:
    data: bytes
    width: float  # millimetres, fitted into LOGO_W × LOGO_H
    height: float


def load_logo(path: Path) -> Logo | None:
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
        return Logo(_jpeg(image), image.width * scale, image.height * scale)
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        log.warning("Logo illisible ignoré sur un badge (%s).", type(error).__name__)
        return None


class Photos:
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
