"""The export formats: extension, media type, row limit and writer of each.

A writer takes the translated column titles and the batches of rendered rows and yields the
file's bytes chunk by chunk (see :mod:`~talento.exports.csv_format`,
:mod:`~talento.exports.xlsx_format`, :mod:`~talento.exports.pdf_format`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from talento.exports.csv_format import write_csv
from talento.exports.rows import Row
from talento.exports.xlsx_format import write_xlsx

#: Rows a PDF may hold: beyond, the export is refused (filter more, or use CSV / XLSX).
PDF_MAX_ROWS = 10_000

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Layout:
    """What a writer may need besides the rows (all already translated)."""

    labels: Sequence[str]
    widths: Sequence[int]
    title: str
    sheet_name: str
    page_label: str
    lang: str


@dataclass(frozen=True)
class ExportFormat:
    key: str
    extension: str
    mimetype: str
    streamed: bool

    @property
    def max_rows(self) -> int | None:
        return PDF_MAX_ROWS if self.key == "pdf" else None

    def write(self, layout: Layout, batches: Iterable[list[Row]]) -> Iterator[bytes]:
        if self.key == "csv":
            return write_csv(layout.labels, batches)
        if self.key == "xlsx":
            return write_xlsx(
                layout.labels, batches, widths=layout.widths, sheet_name=layout.sheet_name
            )
        from talento.exports.pdf_format import write_pdf  # fpdf is slow to import: on demand

        return write_pdf(
            layout.labels,
            batches,
            widths=layout.widths,
            title=layout.title,
            page_label=layout.page_label,
            lang=layout.lang,
        )


FORMATS: dict[str, ExportFormat] = {
    "csv": ExportFormat("csv", "csv", "text/csv", streamed=True),
    "xlsx": ExportFormat("xlsx", "xlsx", XLSX_TYPE, streamed=True),
    "pdf": ExportFormat("pdf", "pdf", "application/pdf", streamed=False),
}
