"""XLSX, streamed as it is written.

XlsxWriter and openpyxl's write-only mode both produce bytes only when the workbook is closed:
the browser would wait for the whole file and the worker would hold it (or a temp file). An
XLSX file is a zip of a few XML parts, and :mod:`zipfile` can write a zip to an *unseekable*
stream (each member followed by a data descriptor carrying its CRC and sizes, as Java's
ZipOutputStream and Apache POI's streaming writer do). So the workbook is written here by hand
into a write-only buffer that the generator drains after each batch of rows: the download
starts at once and memory stays flat whatever the row count.

Parts: ``[Content_Types].xml``, ``_rels/.rels``, ``xl/styles.xml``, the sheet
(``xl/worksheets/sheet1.xml``), then ``xl/workbook.xml`` and its rels (written last because
the autofilter's defined name needs the final row count; member order does not matter in OPC).

Cells: text as inline strings (``t="inlineStr"``: no shared-strings table to hold in memory,
and never evaluated as a formula); dates and instants as numbers with a date format (sortable
in the spreadsheet; instants are UTC). Text that would start a formula also gets the
``quotePrefix`` style (see :mod:`talento.exports.neutralise`). Characters XML 1.0 forbids are
dropped and text is cut at Excel's 32,767-character cell limit.

Checked by the tests with openpyxl (values, types, quotePrefix, autofilter, frozen header);
also read by LibreOffice 7.4 (``soffice --headless --convert-to csv``: values, dates and
formula-like text kept as text) when this was written.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence

from talento.exports.neutralise import DANGEROUS_FIRST_CHARS
from talento.exports.rows import Row

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
#: Deflate level: 1 is several times faster than 6 for a file about 20 % larger.
COMPRESS_LEVEL = 1
MAX_CELL_CHARS = 32_767
#: Excel serial dates count from here in naive local time (cells hold no time zone).
EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # noqa: DTZ001 - Excel's own naive epoch
EXCEL_EPOCH_DATE = EXCEL_EPOCH.date()
ONE_DAY = dt.timedelta(days=1)

# Cell style indexes in styles.xml's cellXfs.
STYLE_HEADER, STYLE_DATETIME, STYLE_DATE, STYLE_QUOTED = 1, 2, 3, 4

_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# A raw CR would be read back as LF (XML line-end normalisation): keep it as a reference.
# Text that needs the slow path: characters to drop or escape, or edge spaces (which need
# xml:space="preserve" to survive).
_NEEDS_WORK = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]|^\\s|\\s$")
_DANGEROUS = frozenset(DANGEROUS_FIRST_CHARS)
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})

CONTENT_TYPES = (
    XML_HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    XML_HEAD + f'<Relationships xmlns="{PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK_RELS = (
    XML_HEAD + f'<Relationships xmlns="{PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL_NS}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
STYLES = (
    XML_HEAD + f'<styleSheet xmlns="{MAIN_NS}">'
    '<numFmts count="2">'
    '<numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd\\ hh:mm:ss"/>'
    '<numFmt numFmtId="165" formatCode="yyyy\\-mm\\-dd"/>'
    "</numFmts>"
    '<fonts count="2">'
    '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    "</fonts>"
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


class _Drain(io.RawIOBase):
    """A write-only, unseekable sink: zipfile writes into it, the generator empties it."""

    def __init__(self) -> None:
        super().__init__()
        self._parts: list[bytes] = []
        self.pending = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._parts.append(bytes(data))
        self.pending += len(data)
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._parts)
        self._parts.clear()
        self.pending = 0
        return data


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def clean_text(text: str) -> str:
    """Text safe inside an XML element: forbidden characters dropped, escaped, cut."""
    if len(text) > MAX_CELL_CHARS:
        text = text[:MAX_CELL_CHARS]
    if _NEEDS_WORK.search(text) is None:
        return text
    return _ILLEGAL_XML.sub("", text).translate(_ESCAPES)


def _text_cell(ref: str, text: str, style: int = 0) -> str:
    if style == 0 and text.startswith(DANGEROUS_FIRST_CHARS):
        style = STYLE_QUOTED
    s = f' s="{style}"' if style else ""
    body = clean_text(text)
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{body}</t></is></c>'


def _cell(ref: str, value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return _text_cell(ref, value) if value else ""
    if isinstance(value, dt.datetime):
        serial = (value.replace(tzinfo=None) - EXCEL_EPOCH) / ONE_DAY
        return f'<c r="{ref}" s="{STYLE_DATETIME}"><v>{serial!r}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}" s="{STYLE_DATE}"><v>{(value - EXCEL_EPOCH_DATE).days}</v></c>'
    if isinstance(value, bool):
        return _text_cell(ref, str(value))
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    return _text_cell(ref, str(value))


def _row(number: str, letters: Sequence[str], row: Row) -> str:
    """One ``<row>``; plain text cells (the bulk of a file) are formatted inline."""
    parts = [f'<row r="{number}">']
    for letter, value in zip(letters, row, strict=True):
        if value.__class__ is str:
            if not value:
                continue
            if value[:1] in _DANGEROUS or len(value) > MAX_CELL_CHARS or _NEEDS_WORK.search(value):
                parts.append(_text_cell(letter + number, value))
            else:
                parts.append(f'<c r="{letter}{number}" t="inlineStr"><is><t>{value}</t></is></c>')
        elif value is not None:
            parts.append(_cell(letter + number, value))
    parts.append("</row>")
    return "".join(parts)


def _sheet_head(labels: Sequence[str], widths: Sequence[int]) -> str:
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
        for i, w in enumerate(widths, start=1)
    )
    header = "".join(
        _text_cell(f"{column_letter(i)}1", label, STYLE_HEADER) for i, label in enumerate(labels)
    )
    return (
        XML_HEAD + f'<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        "</sheetView></sheetViews>"
        '<sheetFormatPr defaultRowHeight="15"/>'
        f"<cols>{cols}</cols><sheetData>"
        f'<row r="1">{header}</row>'
    )


def _workbook(sheet_name: str, filter_ref: str | None) -> str:
    defined = (
        "<definedNames>"
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
        f"'{sheet_name}'!{filter_ref}</definedName></definedNames>"
        if filter_ref
        else ""
    )
    return (
        XML_HEAD + f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
        "<bookViews><workbookView/></bookViews>"
        f'<sheets><sheet name="{sheet_name}" sheetId="1" r:id="rId1"/></sheets>'
        f"{defined}</workbook>"
    )


def safe_sheet_name(name: str) -> str:
    """Excel's sheet-name rules: at most 31 characters, none of ``[]:*?/\\``, no quotes."""
    cleaned = re.sub(r"[\[\]:*?/\\'\"\x00-\x1f]", "", name).strip()[:31]
    return clean_text(cleaned) or "Export"


def write_xlsx(
    labels: Sequence[str],
    batches: Iterable[list[Row]],
    *,
    widths: Sequence[int] | None = None,
    sheet_name: str = "Export",
) -> Iterator[bytes]:
    sink = _Drain()
    letters = [column_letter(i) for i in range(len(labels))]
    widths = widths or [14] * len(labels)
    sheet = safe_sheet_name(sheet_name)
    row_number = 1
    with zipfile.ZipFile(
        sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL
    ) as package:
        package.writestr("[Content_Types].xml", CONTENT_TYPES)
        package.writestr("_rels/.rels", ROOT_RELS)
        package.writestr("xl/styles.xml", STYLES)
        with package.open("xl/worksheets/sheet1.xml", "w") as part:
            part.write(_sheet_head(labels, widths).encode("utf-8"))
            yield sink.take()
            for batch in batches:
                first = row_number + 1
                row_number += len(batch)
                xml = "".join(
                    _row(str(number), letters, row) for number, row in enumerate(batch, start=first)
                )
                part.write(xml.encode("utf-8"))
                if sink.pending:  # whatever the compressor has let out so far
                    yield sink.take()
            last = f"{letters[-1]}{row_number}" if letters else "A1"
            filter_ref = f"$A$1:${letters[-1]}${row_number}" if letters else None
            part.write(
                f'</sheetData><autoFilter ref="A1:{last}"/>'
                '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" '
                'header="0.3" footer="0.3"/></worksheet>'.encode()
            )
        package.writestr("xl/workbook.xml", _workbook(sheet, filter_ref))
        package.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
    yield sink.take()
