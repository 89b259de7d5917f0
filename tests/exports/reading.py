"""Reading exports back in tests: CSV rows, XLSX through openpyxl, PDF text rows."""

from __future__ import annotations

import csv
import io
import re

import openpyxl

from tests.pdf_reading import decode, pdf_streams, unicode_map


def csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith("\ufeff".encode()), "UTF-8 byte-order mark missing"
    text = data.decode("utf-8")[1:]
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def xlsx_sheet(data: bytes):
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return workbook.worksheets[0]


def xlsx_rows(data: bytes) -> list[list]:
    return [list(row) for row in xlsx_sheet(data).iter_rows(values_only=True)]


def pdf_text_rows(pdf: bytes) -> list[list[str]]:
    """Each text object (BT … ET) as the list of its strings, glyphs mapped to Unicode."""
    streams = pdf_streams(pdf)
    cmap = unicode_map(streams)
    rows = []
    for stream in streams:
        for block in re.findall(rb"BT (.*?) ET", stream, re.S):
            cells = []
            for raw in re.findall(rb"\(((?:\\.|[^\\)])*)\) Tj", block, re.S):
                cells.append(decode(raw, cmap))
            if cells:
                rows.append(cells)
    return rows
