"""Exports of the admin's filtered user list as CSV, XLSX and PDF, streamed.

- :mod:`.columns`: the allowlist of exportable columns (public / personal).
- :mod:`.rows`: the rows, read in batches with a server-side cursor.
- :mod:`.neutralise`: formula (CSV) injection defence.
- :mod:`.csv_format`, :mod:`.xlsx_format`, :mod:`.pdf_format`, :mod:`.formats`: the writers.
- :mod:`.services`: permission, audit, and the lazily produced file.
- :mod:`.forms`: the export form of the admin page (``talento/admin/export_views.py``).

Benchmark: ``python -m bench.exports`` (PostgreSQL, 100,000 accounts).
"""
