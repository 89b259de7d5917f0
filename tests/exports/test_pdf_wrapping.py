"""The PDF export wraps a value too wide for its column instead of cutting it: with every
column chosen, codes, phones and dates are narrow columns and must still be read whole."""

from __future__ import annotations

import datetime as dt

from talento.exports.columns import COLUMNS
from talento.exports.pdf_format import ELLIPSIS, build_pdf
from tests.exports.reading import pdf_text_rows

CODE = "MAF0001CASXYZ"  # longer than any real code: the column is narrower still
PHONE = "+212 6 12 34 56 78 (poste 1234)"
WHATSAPP = "+212612345678901"  # no space to break at
BIRTH = dt.date(1990, 12, 31)
CREATED = dt.datetime(2026, 12, 5, 1, 28, tzinfo=dt.UTC)


def _row() -> list:
    values = {
        "code": CODE,
        "first_name": "Amina",
        "last_name": "Benali-El Idrissi",
        "created_at": CREATED,
        "last_login_at": CREATED,
        "email": "amina.benali-el-idrissi@exemple-tres-long.ma",
        "phone": PHONE,
        "whatsapp": WHATSAPP,
        "address": "12 rue des Orangers, quartier Maârif, Casablanca",
        "date_of_birth": BIRTH,
        "skills": "Chant, Comédien·ne, Danse contemporaine",
    }
    return [values.get(column.key, "x") for column in COLUMNS]


def _pdf(rows: list[list]) -> bytes:
    return build_pdf(
        [str(column.label) for column in COLUMNS],
        [rows],
        widths=[column.width for column in COLUMNS],
        title="Utilisateurs",
        page_label="Page {page}",
    )


def test_every_column_shows_long_codes_phones_and_dates_whole():
    rows = pdf_text_rows(_pdf([_row(), _row()]))
    # One text object per table row; a wrapped value's lines follow each other in it.
    data_rows = ["".join(row) for row in rows if CODE[:3] in "".join(row)]
    assert len(data_rows) == 2
    for text in data_rows:
        for value in (CODE, PHONE, WHATSAPP, BIRTH.isoformat(), "2026-12-05 01:28"):
            assert value in text, (value, text)
        assert "amina.benali-el-idrissi@exemple-tres-long.ma" in text
        assert ELLIPSIS not in text
    # They did not fit on one line: the code column really wrapped.
    code_row = next(row for row in rows if any(CODE.startswith(part) for part in row))
    assert CODE not in code_row


def test_headings_wrap_too_and_every_row_still_gets_a_page():
    rows = [_row() for _ in range(120)]
    pdf = _pdf(rows)
    text_rows = pdf_text_rows(pdf)
    assert sum(CODE in "".join(row) for row in text_rows) == 120
    headings = [row for row in text_rows if "Code" in row]
    assert len(headings) > 1  # repeated on every page
    for label in ("Dernière connexion (UTC)", "Date de naissance", "Disponibilité"):
        assert label in "".join(headings[0])


def test_free_text_longer_than_the_line_limit_ends_with_an_ellipsis():
    row = _row()
    row[[c.key for c in COLUMNS].index("address")] = "rue " * 200
    text = "".join("".join(r) for r in pdf_text_rows(_pdf([row])) if CODE[:3] in "".join(r))
    assert ELLIPSIS in text
    assert CODE in text
