"""Reading exports back in tests: CSV rows, XLSX through openpyxl, PDF text rows."""

from __future__ import annotations

import csv
import io
import re
import zlib

import openpyxl


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode()), "UTF-8 byte-order mark missing"
    text = data.decode("utf-8")[1:]
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def xlsx_sheet(data: bytes):
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return workbook.worksheets[0]


def xlsx_rows(data: bytes) -> list[list]:
    return [list(row) for row in xlsx_sheet(data).iter_rows(values_only=True)]


def _streams(pdf: bytes) -> list[bytes]:
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
        if s[i] == 0x5C:
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


def pdf_text_rows(pdf: bytes) -> list[list[str]]:
    """Each text object (BT … ET) as the list of its strings, glyphs mapped to Unicode."""
    streams = _streams(pdf)
    cmap: dict[int, str] = {}
    for stream in streams:
        for block in re.findall(rb"beginbfchar\n(.*?)endbfchar", stream, re.S):
            for src, dst in re.findall(rb"<([0-9A-Fa-f]+)> <([0-9A-Fa-f]+)>", block):
                cmap[int(src, 16)] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    rows = []
    for stream in streams:
        for block in re.findall(rb"BT (.*?) ET", stream, re.S):
            cells = []
            for raw in re.findall(rb"\(((?:\\.|[^\\)])*)\) Tj", block, re.S):
                glyphs = _unescape(raw)
                ids = (int.from_bytes(glyphs[i : i + 2], "big") for i in range(0, len(glyphs), 2))
                cells.append("".join(cmap.get(g, "\ufffd") for g in ids))
            if cells:
                rows.append(cells)
    return rows
