from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from talento.i18n import lazy_gettext as _l


class LoginForm(FlaskForm):
    identifier = StringField(
        _l("E-mail ou code unique"),
        validators=[DataRequired(_l("Indiquez votre e-mail ou votre code.")), Length(max=254)],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Mot de passe"),
        validators=[DataRequired(_l("Indiquez votre mot de passe.")), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )
