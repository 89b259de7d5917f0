"""Formula neutralisation (CSV / formula injection, OWASP « CSV Injection »).

A spreadsheet evaluates a cell whose text starts with ``=``, ``+``, ``-`` or ``@`` as a formula,
and a leading tab or carriage return can hide such a start from a first look. A talent controls
their own name, address…, so an admin opening an export must never run what a talent typed
(``=HYPERLINK(...)``, ``=WEBSERVICE(...)``, DDE payloads).

- **CSV**: the cell gets a leading apostrophe (``'=1+1``). Spreadsheets then show it as text;
  the apostrophe stays visible in the cell, which is the price OWASP accepts for CSV. This
  includes every phone number in E.164 form (``+212…`` becomes ``'+212…``) and negative
  numbers: expected, documented, and the reason the form suggests XLSX for spreadsheet work.
  Quoting of separators, quotes and line breaks is left to the :mod:`csv` module.
- **XLSX**: values are written as inline strings (``t="inlineStr"``), which a spreadsheet never
  evaluates (a formula lives only in an ``<f>`` element), and a dangerous cell also gets a cell
  style with ``quotePrefix="1"``: the same protection Excel applies when one types ``'=…``, so
  editing the cell (F2, Enter) keeps it text, while the value stays exactly what the talent
  entered (no visible apostrophe, ``+212…`` intact).
- **PDF**: nothing to neutralise (nothing is evaluated).
"""

from __future__ import annotations

#: First characters that make a spreadsheet read a cell as a formula (OWASP's list).
DANGEROUS_FIRST_CHARS = ("=", "+", "-", "@", "\t", "\r")


def is_dangerous(text: str) -> bool:
    """True if `text` would start a formula in a spreadsheet."""
    return text.startswith(DANGEROUS_FIRST_CHARS)


def neutralise_csv(text: str) -> str:
    """`text` for a CSV cell: prefixed with an apostrophe when it would start a formula."""
    return "'" + text if text.startswith(DANGEROUS_FIRST_CHARS) else text
