"""Real files built in memory for the casting media tests: photos (one with GPS EXIF, one big
and noisy) and minimal but structurally valid MP3, Ogg Vorbis and M4A files (no ffmpeg here:
the headers are written by hand, as the formats specify them)."""

from __future__ import annotations

import io
import os
import struct

from PIL import ExifTags, Image


def image_bytes(fmt: str = "JPEG", size=(300, 400), color=(180, 120, 90), **kw) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt, **kw)
    return out.getvalue()


def gps_jpeg(size=(400, 300)) -> bytes:
    """A phone-like JPEG: a GPS position in Casablanca, a camera make and a comment."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "TalentoPhone"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (33.0, 35.0, 21.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "W"
    gps[ExifTags.GPS.GPSLongitude] = (7.0, 36.0, 14.0)
    return image_bytes(size=size, exif=exif, comment=b"secret-comment")


def noisy_jpeg(size=(2400, 3200), quality: int = 90) -> bytes:
    """A big photo of pure noise: the worst case for a thumbnail's weight."""
    width, height = size
    image = Image.frombytes("RGB", size, os.urandom(width * height * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality)
    return out.getvalue()


# --- audio ----------------------------------------------------------------------------------

#: MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, no padding, joint stereo: 417-byte frames.
MP3_FRAME_HEADER = bytes([0xFF, 0xFB, 0x90, 0x44])
MP3_FRAME_LENGTH = 144 * 128_000 // 44_100


def _syncsafe(value: int) -> bytes:
    return bytes((value >> shift) & 0x7F for shift in (21, 14, 7, 0))


def mp3_bytes(frames: int = 40, id3: bool = True) -> bytes:
    """An MP3 of silent frames, behind an ID3v2.3 tag with a title."""
    audio = (MP3_FRAME_HEADER + bytes(MP3_FRAME_LENGTH - 4)) * frames
    if not id3:
        return audio
    title = b"\x00Bande demo"
    frame = b"TIT2" + struct.pack(">I", len(title)) + b"\x00\x00" + title
    return b"ID3\x03\x00\x00" + _syncsafe(len(frame)) + frame + audio


def _ogg_page(body: bytes, header_type: int, sequence: int) -> bytes:
    lacing, rest = [], len(body)
    while rest >= 255:
        lacing.append(255)
        rest -= 255
    lacing.append(rest)
    header = b"OggS" + bytes([0, header_type]) + bytes(8) + struct.pack("<II", 1234, sequence)
    return header + bytes(4) + bytes([len(lacing)]) + bytes(lacing) + body


def ogg_bytes() -> bytes:
    """An Ogg Vorbis stream: the identification header page, then a comment page."""
    ident = (
        b"\x01vorbis"
        + struct.pack("<IBI", 0, 1, 44_100)
        + struct.pack("<iii", 0, 96_000, 0)
        + bytes([0xB8, 0x01])
    )
    comment = b"\x03vorbis" + struct.pack("<I", 7) + b"Talento" + struct.pack("<I", 0) + b"\x01"
    return _ogg_page(ident, 0x02, 0) + _ogg_page(comment, 0x00, 1)


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def m4a_bytes(handler: bytes = b"soun", brand: bytes = b"M4A ") -> bytes:
    """An MPEG-4 audio file: ftyp, a moov with one track of the given handler, an mdat."""
    hdlr = _box(b"hdlr", bytes(8) + handler + bytes(12) + b"SoundHandler\x00")
    track = _box(b"trak", _box(b"tkhd", bytes(84)) + _box(b"mdia", _box(b"mdhd", bytes(24)) + hdlr))
    moov = _box(b"moov", _box(b"mvhd", bytes(100)) + track)
    ftyp = _box(b"ftyp", brand + bytes(4) + brand + b"mp42isom")
    return ftyp + moov + _box(b"mdat", bytes(2000))
