"""The export allowlist (snapshot: a new exportable column is a deliberate, reviewed change)
and the file writers on their own."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import xml.etree.ElementTree as ET
import zipfile

from talento.audit.services import PERSONAL_FIELDS
from talento.exports.columns import COLUMNS, PERSONAL_KEYS, PUBLIC_KEYS, UnknownColumn, resolve
from talento.exports.csv_format import write_csv
from talento.exports.xlsx_format import column_letter, write_xlsx
from tests.exports.reading import csv_rows, xlsx_rows, xlsx_sheet


def test_public_columns_snapshot():
    assert PUBLIC_KEYS == (
        "code",
        "first_name",
        "last_name",
        "gender",
        "capabilities",
        "status",
        "country",
        "city",
        "skills",
        "availability",
        "created_at",
        "last_login_at",
    )


def test_personal_columns_snapshot():
    assert PERSONAL_KEYS == ("email", "phone", "whatsapp", "address", "date_of_birth")
    assert set(PERSONAL_KEYS) <= PERSONAL_FIELDS  # the audit trail can name each of them


def test_every_encrypted_column_is_personal():
    assert all(c.personal for c in COLUMNS if c.kind == "encrypted")


def test_resolve_keeps_the_allowlist_order_and_refuses_the_rest():
    assert [c.key for c in resolve(["phone", "code", "code"])] == ["code", "phone"]
    for bad in ("password_hash", "phone_index", "session_version", ""):
        try:
            resolve(["code", bad])
        except UnknownColumn:
            continue
        raise AssertionError(f"{bad!r} was accepted")


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AB",
        "ZZ",
        "AAA",
    ]


ROWS = [
    (
        f"MAF{n:04d}CAS",
        "Éloïse Benœmar <b>&amp;</b>" if n < 2 else hashlib.sha256(str(n).encode()).hexdigest(),
        # writers get naive UTC values: exports/columns.py converts before they see them
        dt.datetime(2026, 1, 2, 3, 4, 5),  # noqa: DTZ001
        dt.date(1990, 12, 31),
        None,
        "a\x00b\x1fc",  # characters XML forbids are dropped
        "ligne 1\nligne 2",
    )
    for n in range(3000)
]
LABELS = ["Code", "Nom", "Inscription (UTC)", "Naissance", "Vide", "Contrôle", "Multi"]


def test_xlsx_is_a_valid_package_in_several_chunks():
    chunks = list(write_xlsx(LABELS, [ROWS[i : i + 1000] for i in range(0, 3000, 1000)]))
    assert len(chunks) >= 3  # written as it goes, not at the end
    data = b"".join(chunks)
    package = zipfile.ZipFile(io.BytesIO(data))
    assert package.testzip() is None
    names = package.namelist()
    assert names[0] == "[Content_Types].xml"
    assert set(names) == {
        "[Content_Types].xml",
        "_rels/.rels",
        "xl/styles.xml",
        "xl/worksheets/sheet1.xml",
        "xl/workbook.xml",
        "xl/_rels/workbook.xml.rels",
    }
    for name in names:
        ET.fromstring(package.read(name))  # noqa: S314 - well-formed XML (our own output)
    rows = xlsx_rows(data)
    assert rows[0] == LABELS
    assert len(rows) == 3001
    assert rows[1] == [
        "MAF0000CAS",
        "Éloïse Benœmar <b>&amp;</b>",
        dt.datetime(2026, 1, 2, 3, 4, 5),  # noqa: DTZ001 - openpyxl reads cells as naive values
        dt.datetime(1990, 12, 31),  # noqa: DTZ001
        None,
        "abc",
        "ligne 1\nligne 2",
    ]
    sheet = xlsx_sheet(data)
    assert sheet.auto_filter.ref == "A1:G3001"
    assert sheet.cell(row=2, column=3).number_format == "yyyy\\-mm\\-dd\\ hh:mm:ss"


def test_csv_round_trip():
    data = b"".join(write_csv(LABELS, [ROWS[:2]]))
    assert data.startswith(b"\xef\xbb\xbfCode;Nom;")
    rows = csv_rows(data)
    assert rows[1] == [
        "MAF0000CAS",
        "Éloïse Benœmar <b>&amp;</b>",
        "2026-01-02 03:04:05",
        "1990-12-31",
        "",
        "a\x00b\x1fc",
        "ligne 1\nligne 2",
    ]


def test_xlsx_keeps_edge_spaces_and_line_breaks():
    values = [" avant", "après ", "a\tb", "x\r\ny", "Benœmar"]
    data = b"".join(write_xlsx(["V"] * len(values), [[tuple(values)]]))
    assert xlsx_rows(data)[1] == values
