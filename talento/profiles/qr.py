"""QR codes for public profile URLs (segno: pure Python, SVG and PNG). Pure functions.

The encoded URL is always built from ``BASE_URL`` (never from the request's host), so a code
printed on a card keeps pointing at the canonical site whatever address served the page.
Error correction is at least "M" (segno raises it for free when the version has room) and the
recommended quiet zone of 4 modules is kept, so phone cameras read the code reliably.
"""

from __future__ import annotations

import io
from urllib.parse import quote

import segno

ERROR_CORRECTION = "m"
QUIET_ZONE = 4


def profile_url(base_url: str, code: str) -> str:
    """The canonical public URL of a profile: ``{BASE_URL}/p/{code}``."""
    return f"{base_url.rstrip('/')}/p/{quote(code, safe='')}"


def _make(url: str) -> segno.QRCode:
    return segno.make(url, error=ERROR_CORRECTION, micro=False)


def qr_svg(url: str, scale: int = 4) -> bytes:
    """An SVG document (black on white, so it stays readable on a dark page or when printed)."""
    out = io.BytesIO()
    _make(url).save(out, kind="svg", scale=scale, border=QUIET_ZONE, dark="#000", light="#fff")
    return out.getvalue()


def qr_png(url: str, scale: int = 8) -> bytes:
    """A PNG image; `scale` is the size of one module in pixels."""
    out = io.BytesIO()
    _make(url).save(out, kind="png", scale=scale, border=QUIET_ZONE, dark="#000", light="#fff")
    return out.getvalue()
