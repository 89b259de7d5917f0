"""Forms of the attendance pages (Flask-WTF: the CSRF token on every one). The day page's
group form reads its ticked bookings and its button from the request itself."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField, TimeField
from wtforms.validators import InputRequired, Length, Optional

from talento.i18n import lazy_gettext as _l


class CodeForm(FlaskForm):
    """Manual entry: a booking code typed, or a badge token pasted."""

    code = StringField(
        _l("Code de réservation"),
        validators=[InputRequired(_l("Saisissez le code du badge.")), Length(max=1024)],
    )
    kind = HiddenField(default="scan")


class GroupForm(FlaskForm):
    """CSRF only: the ticked ``booking`` fields and the ``action`` button are read by the view."""


class CorrectionForm(FlaskForm):
    action = SelectField(
        _l("Correction"),
        choices=[
            ("move", _l("Corriger l'heure d'un pointage")),
            ("add", _l("Ajouter un pointage oublié")),
            ("void", _l("Annuler un pointage")),
        ],
    )
    scan = SelectField(_l("Pointage concerné"), choices=[], validate_choice=False)
    kind = SelectField(
        _l("Type (pour un ajout)"),
        choices=[
            ("arrival", _l("Arrivée")),
            ("departure", _l("Départ")),
            ("meal_start", _l("Début du repas")),
            ("meal_end", _l("Fin du repas")),
        ],
    )
    date = DateField(_l("Date"), validators=[Optional()])
    time = TimeField(_l("Heure"), validators=[Optional()])
    reason = TextAreaField(
        _l("Raison"),
        validators=[InputRequired(_l("Indiquez la raison de la correction.")), Length(max=500)],
    )


class AcknowledgeForm(FlaskForm):
    booking = HiddenField()
    day = HiddenField()
