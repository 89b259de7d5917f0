"""What an uploaded voice reel really is, from its bytes: MP3, Ogg (Vorbis or Opus) or M4A.

Neither the file name nor the MIME type the browser sends is looked at. Each format is
recognised by its structure, not by a few magic bytes alone, so a text file renamed
``.mp3`` or a file with ``ID3`` pasted in front of anything is refused:

- MP3: an optional ID3v2 tag (``ID3``, version 2–4, a syncsafe size), then MPEG audio frames:
  several consecutive frame headers (sync, a valid version, layer, bitrate and sample rate),
  each found where the previous frame's length says. A byte 0xFF never occurs in UTF-8 text.
- Ogg: pages starting with ``OggS`` (version 0, the first page flagged "beginning of
  stream") whose first packet is a Vorbis (``\\x01vorbis``) or Opus (``OpusHead``)
  identification header; the next page starts where the first one's lacing says it ends.
- M4A: an ISO base media file (MPEG-4 part 12): boxes that tile the whole file, the first
  one ``ftyp`` naming an MPEG-4 audio brand (``M4A``, ``M4B``) or a generic MP4 one
  (``isom``, ``mp42``… what Android recorders write), and a ``moov`` whose tracks include a
  sound track (``hdlr`` ``soun``) and no video track.

The file itself is stored as sent (audio is not re-encoded here: no codec library), served
with its own Content-Type and ``X-Content-Type-Options: nosniff``.
"""

from __future__ import annotations

import struct

#: Extension → Content-Type of each accepted format.
AUDIO_MIMETYPES = {"mp3": "audio/mpeg", "ogg": "audio/ogg", "m4a": "audio/mp4"}

# --- MP3 ------------------------------------------------------------------------------------

_MPEG1, _MPEG2, _MPEG25 = 3, 2, 0
_LAYER1, _LAYER2, _LAYER3 = 3, 2, 1
_BITRATES = {  # kbit/s by bitrate index 1..14
    (_MPEG1, _LAYER1): (32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448),
    (_MPEG1, _LAYER2): (32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384),
    (_MPEG1, _LAYER3): (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    ("lsf", _LAYER1): (32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256),
    ("lsf", _LAYER2): (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_BITRATES[("lsf", _LAYER3)] = _BITRATES[("lsf", _LAYER2)]
_SAMPLE_RATES = {
    _MPEG1: (44100, 48000, 32000),
    _MPEG2: (22050, 24000, 16000),
    _MPEG25: (11025, 12000, 8000),
}
#: Frames that must follow one another for the file to count as MP3 (fewer if it ends).
MP3_FRAMES_CHECKED = 3
#: Zero padding tolerated between the ID3 tag and the first frame.
MP3_MAX_PADDING = 64 * 1024


def _mpeg_frame(data: bytes, at: int) -> tuple[tuple[int, int, int], int] | None:
    """((version, layer, sample rate), frame length) of the frame header at ``at``, or None."""
    if at + 4 > len(data):
        return None
    b0, b1, b2 = data[at], data[at + 1], data[at + 2]
    if b0 != 0xFF or b1 & 0xE0 != 0xE0:
        return None
    version, layer = (b1 >> 3) & 3, (b1 >> 1) & 3
    bitrate_index, rate_index, padding = b2 >> 4, (b2 >> 2) & 3, (b2 >> 1) & 1
    if version == 1 or layer == 0 or bitrate_index in (0, 15) or rate_index == 3:
        return None
    family = _MPEG1 if version == _MPEG1 else "lsf"
    bitrate = _BITRATES[(family, layer)][bitrate_index - 1] * 1000
    sample_rate = _SAMPLE_RATES[version][rate_index]
    if layer == _LAYER1:
        length = (12 * bitrate // sample_rate + padding) * 4
    elif layer == _LAYER3 and version != _MPEG1:
        length = 72 * bitrate // sample_rate + padding
    else:
        length = 144 * bitrate // sample_rate + padding
    return (version, layer, sample_rate), length


def _id3_end(data: bytes) -> int:
    """Where the audio starts: after an ID3v2 tag if there is a valid one, else 0."""
    if not data.startswith(b"ID3") or len(data) < 10:
        return 0
    major, flags, size = data[3], data[5], data[6:10]
    if major not in (2, 3, 4) or any(byte & 0x80 for byte in size):
        return -1
    length = (size[0] << 21) | (size[1] << 14) | (size[2] << 7) | size[3]
    return 10 + length + (10 if flags & 0x10 else 0)


def is_mp3(data: bytes) -> bool:
    start = _id3_end(data)
    if start < 0 or start >= len(data):
        return False
    limit = min(len(data), start + MP3_MAX_PADDING)
    while start < limit and data[start] == 0:
        start += 1
    first = _mpeg_frame(data, start)
    if first is None:
        return False
    kind, length = first
    at, frames = start + length, 1
    while frames < MP3_FRAMES_CHECKED and at < len(data):
        frame = _mpeg_frame(data, at)
        if frame is None or frame[0] != kind:
            return False
        at, frames = at + frame[1], frames + 1
    return frames >= 2  # MP3_FRAMES_CHECKED of them, or at least two in a file that ended


# --- Ogg ------------------------------------------------------------------------------------

_OGG_HEADER = 27
_OGG_CODECS = (b"\x01vorbis", b"OpusHead")


def is_ogg(data: bytes) -> bool:
    if len(data) < _OGG_HEADER or not data.startswith(b"OggS") or data[4] != 0:
        return False
    if not data[5] & 0x02:  # the first page begins the stream
        return False
    segments = data[26]
    body = _OGG_HEADER + segments
    if body > len(data):
        return False
    end = body + sum(data[_OGG_HEADER:body])
    if not data[body:end].startswith(_OGG_CODECS) or end > len(data):
        return False
    return end == len(data) or data[end : end + 4] == b"OggS"


# --- M4A ------------------------------------------------------------------------------------

#: Brands of an MPEG-4 audio file, and generic MP4 brands that phones' recorders write for
#: audio-only files (accepted when the file holds a sound track and no video).
_M4A_BRANDS = frozenset({b"M4A ", b"M4B ", b"isom", b"iso2", b"mp41", b"mp42", b"3gp4", b"3gp5"})
_CONTAINERS = (b"moov", b"trak", b"mdia")
_MAX_BOXES = 10_000


def _boxes(data: bytes, start: int, end: int) -> list[tuple[bytes, int, int]] | None:
    """(type, payload start, box end) of the boxes tiling data[start:end], or None."""
    boxes: list[tuple[bytes, int, int]] = []
    at = start
    while at < end:
        if at + 8 > end or len(boxes) >= _MAX_BOXES:
            return None
        size, kind = struct.unpack(">I4s", data[at : at + 8])
        header = 8
        if size == 1:
            if at + 16 > end:
                return None
            size, header = struct.unpack(">Q", data[at + 8 : at + 16])[0], 16
        elif size == 0:
            size = end - at
        if size < header or at + size > end:
            return None
        boxes.append((kind, at + header, at + size))
        at += size
    return boxes


def _handlers(data: bytes, start: int, end: int, depth: int = 0) -> list[bytes] | None:
    """The ``hdlr`` handler types found under moov/trak/mdia (None: a broken box)."""
    boxes = _boxes(data, start, end)
    if boxes is None or depth > len(_CONTAINERS):
        return None
    found: list[bytes] = []
    for kind, payload, box_end in boxes:
        if kind == b"hdlr" and box_end - payload >= 12:
            found.append(data[payload + 8 : payload + 12])
        elif kind in _CONTAINERS:
            inner = _handlers(data, payload, box_end, depth + 1)
            if inner is None:
                return None
            found.extend(inner)
    return found


def is_m4a(data: bytes) -> bool:
    if len(data) < 16 or data[4:8] != b"ftyp":
        return False
    boxes = _boxes(data, 0, len(data))
    if not boxes or boxes[0][0] != b"ftyp":
        return False
    _, payload, box_end = boxes[0]
    if box_end - payload < 8:
        return False
    brands = {data[payload : payload + 4]}
    brands.update(data[at : at + 4] for at in range(payload + 8, box_end - 3, 4))
    if not brands & _M4A_BRANDS:
        return False
    movies = [(payload, box_end) for kind, payload, box_end in boxes if kind == b"moov"]
    if len(movies) != 1:
        return False
    handlers = _handlers(data, *movies[0])
    return handlers is not None and b"soun" in handlers and b"vide" not in handlers


def audio_format(data: bytes) -> str | None:
    """ "mp3", "ogg" or "m4a" when the bytes are one of them, else None."""
    if is_ogg(data):
        return "ogg"
    if is_m4a(data):
        return "m4a"
    if is_mp3(data):
        return "mp3"
    return None
