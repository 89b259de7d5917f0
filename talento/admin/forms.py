"""Admin forms. Each unsafe action is a POST form, so each carries a CSRF token."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, SelectField, SelectMultipleField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from talento.accounts.capabilities import CAPABILITY_LABELS
from talento.i18n import lazy_gettext as _l
from talento.profiles.forms import EMAIL_RE, EditProfileForm
from talento.profiles.services import AccountChanges, AccountInput

BULK_LABELS = {
    "activate": _l("Activer"),
    "deactivate": _l("Désactiver"),
    "delete": _l("Supprimer"),
}


class AdminProfileForm(EditProfileForm):
    """Every field of a profile, plus what only an admin changes: the e-mail and language."""

    email = EmailField(
        _l("E-mail"),
        [DataRequired(_l("Indiquez l'adresse e-mail.")), Length(max=254)],
        render_kw={"autocomplete": "off"},
    )
    language = SelectField(
        _l("Langue des e-mails"), choices=[("fr", "Français"), ("en", "English")], default="fr"
    )

    def validate_email(self, field) -> None:
        field.data = (field.data or "").strip()
        if not EMAIL_RE.match(field.data):
            raise ValidationError(_l("Adresse e-mail invalide (exemple : nom@exemple.ma)."))

    def fill_from(self, user, profile) -> None:
        super().fill_from(user, profile)
        self.email.data, self.language.data = user.email, user.language

    def account_input(self) -> AccountInput:
        """A new account on someone's behalf: no password, they choose one (and consent)
        through the e-mailed link."""
        assert self.email.data is not None  # DataRequired: a validated form has it
        return AccountInput(email=self.email.data, password=None, language=self.language.data)

    def account_changes(self) -> AccountChanges:
        assert self.email.data is not None  # DataRequired: a validated form has it
        return AccountChanges(email=self.email.data, language=self.language.data)


class CapabilitiesForm(FlaskForm):
    """The capabilities an account holds: one checkbox each (the template lays them out).
    An unknown value fails validation (WTForms checks each against the choices)."""

    capabilities = SelectMultipleField(
        _l("Capacités"), choices=list(CAPABILITY_LABELS.items()), validate_choice=True
    )


class StatusForm(FlaskForm):
    active = HiddenField(validators=[InputRequired()])


class ConfirmForm(FlaskForm):
    """A destructive action: the admin ticks a box stating what will happen."""

    confirm = BooleanField(_l("Je confirme"), [DataRequired(_l("Cochez la case pour confirmer."))])


class ActionForm(FlaskForm):
    """A POST with nothing but its CSRF token (e.g. send the set-password link again)."""
