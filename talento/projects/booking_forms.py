"""Forms of the availability checks and bookings: staff's « Engager » and cancellation, the
talent's answers. Choices (the role's or the request's days) are set by the view."""

from __future__ import annotations

from typing import cast

from flask_wtf import FlaskForm
from wtforms import DecimalField, RadioField, StringField, TextAreaField, TimeField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, StopValidation

from talento.i18n import lazy_gettext as _l
from talento.profiles.forms import MultiCheckboxField
from talento.projects.vocabulary import AVAILABILITY_ANSWERS


def finite(form, field) -> None:
    """« NaN » and « Infinity » parse as decimals, and comparing NaN raises: refused first."""
    if field.data is not None and not field.data.is_finite():
        raise StopValidation(str(_l("Indiquez un tarif positif, avec au plus deux décimales.")))


class SendChecksForm(FlaskForm):
    """« Envoyer la demande »: the chosen entries are hidden ``entry`` fields."""

    note = TextAreaField(
        _l("Message ajouté à l'e-mail (facultatif)"), validators=[Optional(), Length(max=1000)]
    )


class BookingForm(FlaskForm):
    days = MultiCheckboxField(_l("Jours de tournage"), choices=[])
    rate_per_day = DecimalField(
        _l("Tarif par jour"),
        places=2,
        validators=[Optional(), finite, NumberRange(min=0, max=9999999)],
    )
    call_time = TimeField(_l("Heure de convocation"), validators=[Optional()])
    meeting_point = StringField(_l("Lieu de rendez-vous"), validators=[Optional(), Length(max=300)])
    what_to_bring = TextAreaField(
        _l("À apporter (tenues, accessoires, pièce d'identité…)"),
        validators=[Optional(), Length(max=2000)],
    )


class CancelForm(FlaskForm):
    reason = TextAreaField(
        _l("Raison de l'annulation (envoyée au talent)"),
        validators=[
            InputRequired(_l("Indiquez la raison de l'annulation : le talent la recevra.")),
            Length(max=2000),
        ],
    )


class AnswerForm(FlaskForm):
    answer = RadioField(
        _l("Votre réponse"),
        # Lazy labels (object to the type checker): translated when the form is rendered.
        choices=cast("list[tuple[str, str]]", list(AVAILABILITY_ANSWERS.items())),
        validators=[InputRequired(_l("Choisissez votre réponse."))],
    )
    days = MultiCheckboxField(_l("Les jours où vous êtes disponible"), choices=[])
    comment = TextAreaField(
        _l("Un commentaire pour l'équipe casting (facultatif)"),
        validators=[Optional(), Length(max=1000)],
    )


class RespondForm(FlaskForm):
    """« Je confirme » / « Je ne peux pas »: the button pressed is ``action``."""
