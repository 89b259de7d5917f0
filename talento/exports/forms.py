"""The export form: columns, format, personal data (the filters ride in the query string)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField

from talento.exports.columns import COLUMNS, PUBLIC_KEYS
from talento.i18n import lazy_gettext as _l
from talento.profiles.forms import MultiCheckboxField

FORMAT_CHOICES = [
    ("xlsx", _l("XLSX (Excel, LibreOffice)")),
    ("csv", _l("CSV (séparateur « ; », UTF-8)")),
    ("pdf", _l("PDF (lecture et impression, 10 000 lignes au plus)")),
]


class ExportForm(FlaskForm):
    columns = MultiCheckboxField(
        _l("Colonnes"),
        choices=[(c.key, c.label) for c in COLUMNS if not c.personal],
        default=list(PUBLIC_KEYS),
    )
    personal_columns = MultiCheckboxField(
        _l("Colonnes de données personnelles"),
        choices=[(c.key, c.label) for c in COLUMNS if c.personal],
        default=[],
    )
    include_personal = BooleanField(_l("Inclure les données personnelles cochées ci-dessus"))
    format = RadioField(_l("Format"), choices=FORMAT_CHOICES, default="xlsx")

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        ok = True
        if not self.columns.data and not self.personal_columns.data:
            self.columns.errors = [*self.columns.errors, _l("Choisissez au moins une colonne.")]
            ok = False
        if self.personal_columns.data and not self.include_personal.data:
            self.include_personal.errors = [
                *self.include_personal.errors,
                _l("Cochez cette case pour exporter les données personnelles choisies."),
            ]
            ok = False
        if self.include_personal.data and not self.personal_columns.data:
            self.personal_columns.errors = [
                *self.personal_columns.errors,
                _l("Choisissez au moins une donnée personnelle, ou décochez la case."),
            ]
            ok = False
        return ok

    @property
    def chosen_columns(self) -> tuple[str, ...]:
        return tuple(self.columns.data or ()) + tuple(self.personal_columns.data or ())
