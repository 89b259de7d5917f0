"""Forms of the password reset pages."""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from talento.accounts.forms import AcceptablePassword
from talento.accounts.password_policy import MIN_LENGTH
from talento.i18n import lazy_gettext as _l

#: Deliberately loose: the address only has to look like one; unknown ones are answered alike.
EMAIL_SHAPE = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"


class ForgotPasswordForm(FlaskForm):
    email = EmailField(
        _l("Adresse e-mail"),
        validators=[
            DataRequired(_l("Indiquez l'adresse e-mail de votre compte.")),
            Length(max=254, message=_l("Cette adresse e-mail est trop longue.")),
            Regexp(EMAIL_SHAPE, message=_l("Indiquez une adresse e-mail valide.")),
        ],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        render_kw={"autocomplete": "email", "autocapitalize": "none", "spellcheck": "false"},
    )


class NewPasswordForm(FlaskForm):
    """The new password, checked against the policy and the account's own details."""

    password = PasswordField(
        _l("Nouveau mot de passe"),
        validators=[
            DataRequired(_l("Choisissez un mot de passe.")),
            AcceptablePassword(lambda form: (form._email, form._names)),
        ],
        description=_l(
            "Au moins %(n)d caractères. Une phrase de plusieurs mots est idéale.", n=MIN_LENGTH
        ),
        render_kw={"autocomplete": "new-password", "minlength": MIN_LENGTH},
    )
    password_confirm = PasswordField(
        _l("Confirmez le mot de passe"),
        validators=[
            DataRequired(_l("Confirmez le mot de passe.")),
            EqualTo("password", message=_l("Les deux mots de passe ne correspondent pas.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )

    def __init__(self, *args, email: str | None = None, names: Iterable[str | None] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self._email = email
        self._names = tuple(names)
