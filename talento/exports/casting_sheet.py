"""The casting search's result set as a contact-sheet PDF (« Imprimer ») and as XLSX.

Both read the page's criteria with the page's parser and run the page's query in the page's
order (``casting.search.query.matching_rows``), so an export lists the rows the page lists,
bounded: at most :data:`PDF_MAX` faces in a PDF (a note says when the list was cut) and
:data:`XLSX_MAX` rows in a workbook. Columns are public-safe only (code, name, gender, age,
playing age, height, sizes, eyes, hair, city, languages, talent types): no contact or identity
data, so no audit row is needed.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from fpdf import FPDF
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from talento.casting import vocabulary as v
from talento.casting.models import CastingProfile, CastingTalentType
from talento.casting.search.filters import CastingFilters
from talento.casting.search.query import CARD_COLUMNS, Card, card_from, matching_rows
from talento.exports.rows import Row
from talento.exports.xlsx_format import write_xlsx
from talento.geo.models import City
from talento.i18n import gettext as _
from talento.profiles.card import FONT, FONT_PATH
from talento.profiles.choices import GENDER_LABELS
from talento.profiles.languages import display_order, language_label
from talento.profiles.models import TalentLanguage

PDF_MAX = 500
XLSX_MAX = 5000
THUMBS = Path("casting") / "thumbs"

PAGE_W, PAGE_H, MARGIN = 210.0, 297.0, 10.0
COLUMNS, ROWS = 5, 4
CELL_W = (PAGE_W - 2 * MARGIN) / COLUMNS
CELL_H = (PAGE_H - 2 * MARGIN - 14) / ROWS
PRIMARY = (155, 44, 31)
MUTED = (91, 91, 102)


@dataclass(frozen=True)
class SheetRow:
    card: Card
    playing_age: str
    top_size: str | None
    shoe_size: float | None
    trouser_size: int | None
    eyes: str | None
    hair: str | None
    languages: tuple[str, ...]
    talent_types: tuple[str, ...]


#: Columns a sheet row reads after the card's (CARD_COLUMNS, the thumbnail, the city id).
SHEET_COLUMNS = (
    CastingProfile.playing_age_min,
    CastingProfile.playing_age_max,
    CastingProfile.top_size,
    CastingProfile.shoe_size,
    CastingProfile.trouser_size,
    CastingProfile.eye_colour,
    CastingProfile.hair_colour,
)


def sheet_rows(
    session: Session, f: CastingFilters, today: dt.date, limit: int
) -> tuple[list[SheetRow], bool]:
    """At most `limit` rows of the result set, in the page's order; True when there were more."""
    stmt = matching_rows(session, f, today, limit + 1).add_columns(*SHEET_COLUMNS)
    rows = session.execute(stmt).all()
    cut = len(rows) > limit
    return rows_with_details(session, rows[:limit]), cut


def rows_with_details(session: Session, rows: Sequence) -> list[SheetRow]:
    """Sheet rows from rows of CARD_COLUMNS, the thumbnail's name, the city id and
    SHEET_COLUMNS (the search's export, a role's shortlist), with their cities, languages and
    talent types read in a few statements."""
    ids = [row[0] for row in rows]
    cities = dict(
        session.execute(
            select(City.id, City.name).where(City.id.in_({r[8] for r in rows if r[8]}))
        ).all()
    )
    languages: dict[int, list[str]] = {}
    types: dict[int, list[str]] = {}
    for start in range(0, len(ids), 1000):
        chunk = ids[start : start + 1000]
        for uid, code in session.execute(
            select(TalentLanguage.user_id, TalentLanguage.code).where(
                TalentLanguage.user_id.in_(chunk)
            )
        ):
            languages.setdefault(uid, []).append(code)
        for uid, code in session.execute(
            select(CastingTalentType.user_id, CastingTalentType.code).where(
                CastingTalentType.user_id.in_(chunk)
            )
        ):
            types.setdefault(uid, []).append(code)
    # Labels translated once per export, not once per row.
    type_order = {code: i for i, code in enumerate(v.TALENT_TYPES)}
    type_labels = {code: str(label) for code, label in v.TALENT_TYPES.items()}
    tops = {code: str(label) for code, label in v.TOP_SIZES.items()}
    eye_labels = {code: str(label) for code, label in v.EYE_COLOURS.items()}
    hair_labels = {code: str(label) for code, label in v.HAIR_COLOURS.items()}
    spoken = {code for codes in languages.values() for code in codes}
    language_rank = {code: i for i, code in enumerate(display_order(spoken))}
    language_labels = {code: language_label(code) for code in spoken}
    found = []
    n = len(CARD_COLUMNS)
    for row in rows:
        card = card_from(row, cities.get(row[n + 1]))
        low, high, top, shoe, trouser, eyes, hair = row[n + 2 : n + 2 + len(SHEET_COLUMNS)]
        found.append(
            SheetRow(
                card=card,
                playing_age=f"{low}–{high}" if low is not None and high is not None else "",
                top_size=tops.get(top) if top else None,
                shoe_size=shoe,
                trouser_size=trouser,
                eyes=eye_labels.get(eyes) if eyes else None,
                hair=hair_labels.get(hair) if hair else None,
                languages=tuple(
                    language_labels[c]
                    for c in sorted(languages.get(card.user_id, ()), key=lambda c: language_rank[c])
                ),
                talent_types=tuple(
                    type_labels[c]
                    for c in sorted(types.get(card.user_id, ()), key=lambda c: type_order[c])
                ),
            )
        )
    return found


def _shoe(value: float | None) -> str | None:
    if value is None:
        return None
    return str(int(value)) if value == int(value) else str(value)


def xlsx_labels() -> list[str]:
    return [
        _("Code CINEMA"),
        _("Prénom"),
        _("Nom"),
        _("Genre"),
        _("Âge"),
        _("Âge de jeu"),
        _("Taille (cm)"),
        _("Taille de haut"),
        _("Pointure"),
        _("Taille de pantalon"),
        _("Yeux"),
        _("Cheveux"),
        _("Ville"),
        _("Langues"),
        _("Types de talent"),
    ]


def write_sheet_xlsx(
    rows: Sequence[SheetRow],
    today: dt.date,
    extra: Sequence[tuple[str, Sequence[str | None]]] = (),
    sheet_name: str = "CINEMA",
) -> Iterator[bytes]:
    """The sheet's public-safe columns, then `extra` columns (title, one value per row: a
    shortlist's rank and status)."""
    genders = {code: str(label) for code, label in GENDER_LABELS.items()}

    def cells(r: SheetRow) -> Row:
        c = r.card
        age = c.age(today)
        gender = genders.get(c.gender) if c.gender else None
        return [
            c.code,
            c.first_name,
            c.last_name,
            gender,
            str(age) if age is not None else None,
            r.playing_age or None,
            str(c.height_cm) if c.height_cm else None,
            r.top_size,
            _shoe(r.shoe_size),
            str(r.trouser_size) if r.trouser_size else None,
            r.eyes,
            r.hair,
            c.city,
            ", ".join(r.languages) or None,
            ", ".join(r.talent_types) or None,
        ]

    widths = [12, 14, 16, 10, 6, 10, 10, 10, 8, 10, 14, 14, 16, 30, 30] + [14] * len(extra)
    labels = xlsx_labels() + [title for title, _values in extra]

    def row(index: int) -> Row:
        return [*cells(rows[index]), *(values[index] for _title, values in extra)]

    batches = (
        [row(i) for i in range(start, min(start + 500, len(rows)))]
        for start in range(0, len(rows), 500)
    )
    return write_xlsx(labels, batches, widths=widths, sheet_name=sheet_name)


def build_sheet_pdf(
    rows: Sequence[SheetRow],
    today: dt.date,
    upload_dir: str | Path,
    *,
    cut: bool,
    title: str,
    captions: Sequence[str] | None = None,
    empty: str | None = None,
    cut_note: str | None = None,
) -> bytes:
    """A4 portrait pages of 5 × 4 faces: the primary thumbnail, name, code, age and height,
    and one more line per face when `captions` are given (a shortlist's statuses). `empty`:
    the sentence of a sheet without faces."""
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font(FONT, "", str(FONT_PATH))
    pdf.set_title(title)
    pdf.set_creator("Talento")
    thumbs = Path(upload_dir).resolve() / THUMBS
    per_page = COLUMNS * ROWS
    pages = max(1, -(-len(rows) // per_page))
    for page in range(pages):
        pdf.add_page()
        pdf.set_font(FONT, size=11)
        pdf.set_text_color(*PRIMARY)
        pdf.text(MARGIN, MARGIN + 4, title)
        pdf.set_font(FONT, size=7)
        pdf.set_text_color(*MUTED)
        footer = _("Page %(page)s sur %(pages)s", page=page + 1, pages=pages)
        if cut:
            footer += " · " + (
                cut_note
                or _(
                    "Liste limitée aux %(num)s premiers talents : affinez la recherche.",
                    num=PDF_MAX,
                )
            )
        pdf.text(MARGIN, PAGE_H - MARGIN + 4, footer)
        for index, row in enumerate(rows[page * per_page : (page + 1) * per_page]):
            x = MARGIN + (index % COLUMNS) * CELL_W
            y = MARGIN + 8 + (index // COLUMNS) * CELL_H
            number = page * per_page + index
            caption = captions[number] if captions is not None else None
            _face(pdf, row, today, thumbs, x, y, caption)
    if not rows:
        pdf.set_font(FONT, size=10)
        pdf.text(MARGIN, MARGIN + 14, empty or _("Aucun talent ne correspond à ces critères."))
    return bytes(pdf.output())


def _as_jpeg(path: Path) -> io.BytesIO | str:
    """The thumbnail (WebP) as JPEG bytes, which fpdf embeds as they are (DCTDecode) instead
    of storing raw pixels: a 300-face sheet stays a few MB and is written in about a second.
    A file Pillow cannot read is left to fpdf as before."""
    try:
        with Image.open(path) as image:
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=80)
    except (OSError, ValueError):
        return str(path)
    out.seek(0)
    return out


def _face(
    pdf: FPDF,
    row: SheetRow,
    today: dt.date,
    thumbs: Path,
    x: float,
    y: float,
    caption: str | None = None,
) -> None:
    card = row.card
    photo_w, photo_h = CELL_W - 4, CELL_H - (24 if caption else 20)
    name = card.thumb_name
    path = thumbs / name if name and "/" not in name and "\\" not in name else None
    if path is not None and path.is_file():
        pdf.image(_as_jpeg(path), x=x + 2, y=y, w=photo_w, h=photo_h, keep_aspect_ratio=True)
    else:
        pdf.set_draw_color(200, 200, 200)
        pdf.rect(x + 2, y, photo_w, photo_h)
        pdf.set_font(FONT, size=18)
        pdf.set_text_color(*MUTED)
        pdf.text(x + photo_w / 2 - 4, y + photo_h / 2 + 3, card.initials)
    pdf.set_text_color(31, 31, 36)
    pdf.set_font(FONT, size=8)
    text_y = y + photo_h + 4
    full = f"{card.first_name} {card.last_name}"
    while len(full) > 3 and pdf.get_string_width(full) > photo_w:
        full = full[:-2] + "…"
    pdf.text(x + 2, text_y, full)
    pdf.set_font(FONT, size=7)
    pdf.set_text_color(*MUTED)
    pdf.text(x + 2, text_y + 4, card.code or "")
    age = card.age(today)
    facts = [_("%(age)s ans", age=age) if age is not None else ""]
    if card.height_cm:
        facts.append(f"{card.height_cm} cm")
    pdf.text(x + 2, text_y + 8, " · ".join(f for f in facts if f))
    if caption:
        pdf.set_text_color(*PRIMARY)
        pdf.text(x + 2, text_y + 12, caption)


__all__ = [
    "PDF_MAX",
    "SHEET_COLUMNS",
    "XLSX_MAX",
    "build_sheet_pdf",
    "rows_with_details",
    "sheet_rows",
    "write_sheet_xlsx",
]
