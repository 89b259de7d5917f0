"""A showreel is a link to a YouTube or Vimeo video, stored normalised, shown as a link.

Never embedded: no ``<iframe>`` from a third party on Talento's pages (no tracking of
visitors by the video host, no foreign script in the page, the Content-Security-Policy stays
strict). The talent pastes whatever their phone's « Partager » gives; what is stored is the
canonical address rebuilt from the video's identifier, so nothing the talent typed besides
that identifier reaches a page:

- YouTube (``youtube.com``, ``www.youtube.com``, ``m.youtube.com``, ``youtu.be``):
  ``watch?v=ID``, ``youtu.be/ID``, ``/shorts/ID``, ``/embed/ID``, ``/live/ID`` →
  ``https://www.youtube.com/watch?v=ID`` (ID: 11 characters of ``[A-Za-z0-9_-]``);
- Vimeo (``vimeo.com``, ``player.vimeo.com``): ``vimeo.com/ID``, ``vimeo.com/ID/HASH``
  (an unlisted video's key), ``vimeo.com/channels/NAME/ID``, ``player.vimeo.com/video/ID``
  → ``https://vimeo.com/ID`` (``/HASH`` kept for an unlisted video).

An address without a scheme (``youtu.be/…``) or in ``http`` is read as its ``https`` form;
any other scheme (``javascript:``, ``data:``…), a user name or port in the address, another
host, HTML (an embed code) or an address whose video cannot be found is refused with a
sentence saying what is accepted.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from talento.i18n import gettext as _
from talento.refusals import Refused

MAX_LENGTH = 300
YOUTUBE_HOSTS = frozenset({"youtube.com", "www.youtube.com", "m.youtube.com"})
YOUTU_BE = "youtu.be"
VIMEO_HOSTS = frozenset({"vimeo.com", "www.vimeo.com"})
VIMEO_PLAYER = "player.vimeo.com"
_YOUTUBE_ID = re.compile(r"^[A-Za-z0-9_-]{11}$")
_VIMEO_ID = re.compile(r"^[0-9]{1,12}$")
_VIMEO_HASH = re.compile(r"^[0-9a-f]{6,20}$")
_YOUTUBE_PATHS = ("shorts", "embed", "live", "v")


def refused() -> Refused:
    return Refused(
        "showreel_url",
        _(
            "Indiquez le lien d'une vidéo YouTube ou Vimeo (par exemple "
            "https://www.youtube.com/watch?v=… ou https://vimeo.com/…), pas un code "
            "d'intégration ni un autre site."
        ),
    )


def normalise_showreel(value: str | None) -> str | None:
    """The canonical https address of the video, None for an empty value; Refused otherwise."""
    text = (value or "").strip()
    if not text:
        return None
    if len(text) > MAX_LENGTH or any(c.isspace() or c in "<>\"'\\" for c in text):
        raise refused()
    if "://" not in text and not text.lower().startswith(("http:", "https:")):
        if ":" in text.split("/", 1)[0]:  # javascript:…, data:…, mailto:…
            raise refused()
        text = f"https://{text}"
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        raise refused() from None
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() not in ("http", "https") or parts.username or port is not None:
        raise refused()
    segments = [s for s in parts.path.split("/") if s]
    if host in YOUTUBE_HOSTS or host == YOUTU_BE:
        video = _youtube_id(host, segments, parts.query)
        if video:
            return f"https://www.youtube.com/watch?v={video}"
    elif host in VIMEO_HOSTS or host == VIMEO_PLAYER:
        found = _vimeo_id(host, segments, parts.query)
        if found:
            return "https://vimeo.com/" + "/".join(found)
    raise refused()


def _youtube_id(host: str, segments: list[str], query: str) -> str | None:
    if host == YOUTU_BE:
        candidate = segments[0] if len(segments) == 1 else ""
    elif segments == ["watch"]:
        candidate = (parse_qs(query).get("v") or [""])[0]
    elif len(segments) == 2 and segments[0] in _YOUTUBE_PATHS:
        candidate = segments[1]
    else:
        candidate = ""
    return candidate if _YOUTUBE_ID.match(candidate) else None


def _vimeo_id(host: str, segments: list[str], query: str) -> list[str] | None:
    if host == VIMEO_PLAYER:
        if len(segments) == 2 and segments[0] == "video" and _VIMEO_ID.match(segments[1]):
            key = (parse_qs(query).get("h") or [""])[0]
            return [segments[1], key] if _VIMEO_HASH.match(key) else [segments[1]]
        return None
    if len(segments) == 3 and segments[0] == "channels":
        segments = segments[2:]
    if len(segments) == 1 and _VIMEO_ID.match(segments[0]):
        return segments
    if len(segments) == 2 and _VIMEO_ID.match(segments[0]) and _VIMEO_HASH.match(segments[1]):
        return segments
    return None
