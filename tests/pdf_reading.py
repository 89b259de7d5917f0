"""Reading text back from the PDFs fpdf2 writes (no PDF library here): streams, the ToUnicode
map of an Identity-H font, and glyph strings decoded through it."""

from __future__ import annotations

import re
import zlib


def pdf_streams(pdf: bytes) -> list[bytes]:
    out = []
    for raw in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            out.append(zlib.decompress(raw))
        except zlib.error:
            out.append(raw)
    return out


def _unescape(s: bytes) -> bytes:
    out, i = bytearray(), 0
    simple = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}
    while i < len(s):
        if s[i] == 0x5C:  # backslash
            nxt = s[i + 1]
            if nxt in simple:
                out.append(simple[nxt])
                i += 2
            elif 0x30 <= nxt <= 0x37:
                j = i + 1
                while j < len(s) and j < i + 4 and 0x30 <= s[j] <= 0x37:
                    j += 1
                out.append(int(s[i + 1 : j], 8))
                i = j
            else:
                out.append(nxt)
                i += 2
        else:
            out.append(s[i])
            i += 1
    return bytes(out)


def unicode_map(streams: list[bytes]) -> dict[int, str]:
    """Glyph id → text, from the fonts' ToUnicode CMaps."""
    cmap: dict[int, str] = {}
    for stream in streams:
        for block in re.findall(rb"beginbfchar\n(.*?)endbfchar", stream, re.S):
            for src, dst in re.findall(rb"<([0-9A-Fa-f]+)> <([0-9A-Fa-f]+)>", block):
                cmap[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    return cmap


def decode(raw: bytes, cmap: dict[int, str]) -> str:
    """A PDF string operand of two-byte glyph ids, as text."""
    glyphs = _unescape(raw)
    ids = (int.from_bytes(glyphs[i : i + 2], "big") for i in range(0, len(glyphs), 2))
    return "".join(cmap.get(g, "\ufffd") for g in ids)
