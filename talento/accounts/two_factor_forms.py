"""Forms of the two-factor pages: the login's second step, enrolment, disabling, new codes."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from talento.i18n import lazy_gettext as _l

#: Codes are typed on phones: no capitals, no spell-check, the OS may offer an SMS/app code.
_CODE_INPUT = {
    "autocomplete": "one-time-code",
    "autocapitalize": "none",
    "autocorrect": "off",
    "spellcheck": "false",
}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class SecondStepForm(FlaskForm):
    """One field for both a 6-digit code and a recovery code (the service tells them apart)."""

    code = StringField(
        _l("Code de vérification"),
        validators=[DataRequired(_l("Indiquez le code.")), Length(max=32)],
        filters=[_strip],
        render_kw=_CODE_INPUT,
    )


class EnableTwoFactorForm(FlaskForm):
    code = StringField(
        _l("Code à 6 chiffres affiché par l'application"),
        validators=[
            DataRequired(_l("Indiquez le code affiché par l'application.")),
            Length(max=32),
        ],
        filters=[_strip],
        render_kw={**_CODE_INPUT, "inputmode": "numeric"},
    )


class ConfirmTwoFactorForm(FlaskForm):
    """Disabling 2FA or replacing the recovery codes: the password and a second factor."""

    password = PasswordField(
        _l("Mot de passe"),
        validators=[DataRequired(_l("Indiquez votre mot de passe.")), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
    code = StringField(
        _l("Code de l'application ou code de secours"),
        validators=[DataRequired(_l("Indiquez le code.")), Length(max=32)],
        filters=[_strip],
        render_kw=_CODE_INPUT,
    )
