"""CSV, streamed: one chunk for the header, then one per batch of rows.

- Encoding UTF-8 with a byte-order mark: without it Excel reads the file as the system's code
  page and « Benœmar » turns into mojibake; LibreOffice and programs ignore the BOM.
- Separator ``;``: the platform's users open exports in French-locale spreadsheets, whose list
  separator is the semicolon (a comma is the decimal separator there), so Excel splits the
  columns on a double-click. LibreOffice detects it; scripts pass ``delimiter=";"``.
- Line ends CRLF (RFC 4180); quoting of ``;``, ``"`` and line breaks is the csv module's.
- Dates ``YYYY-MM-DD``, instants ``YYYY-MM-DD HH:MM:SS`` in UTC (the column titles say so).
- Every text cell goes through :func:`~talento.exports.neutralise.neutralise_csv`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Sequence

from talento.exports.neutralise import DANGEROUS_FIRST_CHARS, neutralise_csv
from talento.exports.rows import Cell, Row

BOM = "\ufeff"
DELIMITER = ";"
_DANGEROUS = frozenset(DANGEROUS_FIRST_CHARS)


def csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(" ", "seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralise_csv(str(value))


def _csv_row(row: Row) -> list[str]:
    # The common case (a plain str that starts no formula) stays inline: no call per cell.
    return [
        value
        if value.__class__ is str and value[:1] not in _DANGEROUS
        else ("" if value is None else csv_cell(value))
        for value in row
    ]


def _lines(rows: list[list[str]], writer) -> str:
    """CSV text of `rows`, identical to ``writer.writerows``: a row that needs no quoting (no
    separator, quote or line break inside a cell: nearly all of them) is joined directly,
    which is about twice as fast; any other row goes through the csv module."""
    out = []
    for cells in rows:
        line = DELIMITER.join(cells)
        if (
            line
            and line.count(DELIMITER) == len(cells) - 1
            and '"' not in line
            and "\n" not in line
            and "\r" not in line
        ):
            out.append(line + "\r\n")
        else:
            writer.buffer.seek(0)
            writer.buffer.truncate()
            writer.writer.writerow(cells)
            out.append(writer.buffer.getvalue())
    return "".join(out)


class _Writer:
    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer, delimiter=DELIMITER, lineterminator="\r\n")


def write_csv(labels: Sequence[str], batches: Iterable[list[Row]]) -> Iterator[bytes]:
    writer = _Writer()
    header = _lines([[neutralise_csv(label) for label in labels]], writer)
    yield (BOM + header).encode("utf-8")
    for batch in batches:
        yield _lines([_csv_row(row) for row in batch], writer).encode("utf-8")
