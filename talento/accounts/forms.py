from __future__ import annotations

from collections.abc import Callable, Iterable

from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from talento.accounts.password_policy import MAX_LENGTH, password_problem
from talento.i18n import lazy_gettext as _l

#: The account's own details for the policy: its e-mail and its names (first, last, code...).
AccountDetails = tuple[str | None, Iterable[str | None]]


class AcceptablePassword:
    """WTForms validator of every field where a password is chosen: the one password policy.

    `details(form)` gives the account's e-mail and names, so a password made of them is
    refused; without it only the length and the list of known passwords apply. It also
    refuses more than MAX_LENGTH characters, in the policy's words (no Length(max=) beside it).
    """

    def __init__(self, details: Callable[[FlaskForm], AccountDetails] | None = None):
        self.details = details
        self.field_flags = {"maxlength": MAX_LENGTH}  # as Length(max=) did: one message

    def __call__(self, form: FlaskForm, field) -> None:
        email, names = self.details(form) if self.details else (None, ())
        problem = password_problem(field.data or "", email=email, names=names)
        if problem:
            raise ValidationError(problem)


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
