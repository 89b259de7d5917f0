"""Forms of « Ma visibilité » and of the change of e-mail address (the talent's own space)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, RadioField, ValidationError
from wtforms.validators import DataRequired, Length

from talento.i18n import lazy_gettext as _l
from talento.profiles.forms import EMAIL_RE
from talento.profiles.visibility import CONTACT_LABEL, VISIBILITY_CHOICES, VisibilityInput


class VisibilityForm(FlaskForm):
    visibility = RadioField(
        _l("Qui peut voir mon profil ?"),
        choices=[(value, label) for value, (label, _hint) in VISIBILITY_CHOICES.items()],
        validators=[DataRequired(_l("Choisissez une des trois options."))],
    )
    contact_enabled = BooleanField(CONTACT_LABEL)

    def to_input(self) -> VisibilityInput:
        return VisibilityInput(
            visibility=self.visibility.data or "", contact_enabled=bool(self.contact_enabled.data)
        )


class ChangeEmailForm(FlaskForm):
    new_email = EmailField(
        _l("Nouvelle adresse e-mail"),
        [DataRequired(_l("Indiquez la nouvelle adresse.")), Length(max=254)],
        render_kw={"autocomplete": "email"},
    )
    current_password = PasswordField(
        _l("Mot de passe actuel"),
        [DataRequired(_l("Indiquez votre mot de passe actuel."))],
        render_kw={"autocomplete": "current-password"},
    )

    def validate_new_email(self, field) -> None:
        field.data = (field.data or "").strip()
        if not EMAIL_RE.match(field.data):
            raise ValidationError(_l("Adresse e-mail invalide (exemple : nom@exemple.ma)."))


class ResendForm(FlaskForm):
    """Only the CSRF token (« Renvoyer le lien »)."""
