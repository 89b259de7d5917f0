"""The review page's thumbnails: the casting thumbnail (at most 240 × 300 px, under 30 KB)
made smaller still for a client's phone.

A review page of 50 faces must load in under 400 KB (issue 14 point 9): 50 stored thumbnails
could weigh 1.5 MB, so each is re-encoded at most 120 × 150 px in WebP at a modest quality
(about 3 to 6 KB for a photo), once per file: names are random and a file never changes under
its name, so a small in-process cache keyed by name and modification time is always right.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from pathlib import Path

from PIL import Image, features

SIZE = (120, 150)
QUALITY = 60
#: Small thumbnails kept in memory (about 5 KB each).
CACHE_SIZE = 1024

_lock = threading.Lock()
_cache: OrderedDict[tuple[str, int], tuple[bytes, str]] = OrderedDict()


def _encode(path: Path) -> tuple[bytes, str]:
    with Image.open(path) as image:
        image.draft("RGB", SIZE)  # JPEG: decode at a reduced scale
        small = image.convert("RGB")
        small.thumbnail(SIZE, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    if features.check("webp"):
        small.save(out, "WEBP", quality=QUALITY, method=4)
        return out.getvalue(), "image/webp"
    small.save(out, "JPEG", quality=QUALITY, optimize=True, progressive=True)
    return out.getvalue(), "image/jpeg"


def small_thumbnail(path: Path) -> tuple[bytes, str] | None:
    """The reduced image of `path` and its media type; None when the file is missing or is
    not an image Pillow reads."""
    try:
        key = (str(path), path.stat().st_mtime_ns)
    except OSError:
        return None
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    try:
        made = _encode(path)
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    with _lock:
        _cache[key] = made
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return made


__all__ = ["SIZE", "small_thumbnail"]
