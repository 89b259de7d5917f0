"""Forms of the talent's own space: password change and account deletion."""

from __future__ import annotations

from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, ValidationError
from wtforms.validators import DataRequired

from talento.accounts.forms import AcceptablePassword
from talento.accounts.password_policy import MIN_LENGTH
from talento.i18n import lazy_gettext as _l


def _own_details(form: FlaskForm) -> tuple[str, tuple[str, str]]:
    """The signed-in account's details, for the policy (a password made of them is refused)."""
    return current_user.email, (current_user.first_name, current_user.last_name)


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Mot de passe actuel"),
        [DataRequired(_l("Indiquez votre mot de passe actuel."))],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("Nouveau mot de passe (%(n)d caractères minimum)", n=MIN_LENGTH),
        [DataRequired(_l("Choisissez un mot de passe.")), AcceptablePassword(_own_details)],
        render_kw={"autocomplete": "new-password"},
    )
    new_password_confirm = PasswordField(
        _l("Confirmez le nouveau mot de passe"),
        [DataRequired(_l("Confirmez le mot de passe."))],
        render_kw={"autocomplete": "new-password"},
    )

    def validate_new_password_confirm(self, field) -> None:
        if field.data != self.new_password.data:
            raise ValidationError(_l("Les deux mots de passe ne correspondent pas."))


class DeleteAccountForm(FlaskForm):
    password = PasswordField(
        _l("Mot de passe"),
        [DataRequired(_l("Indiquez votre mot de passe pour confirmer."))],
        render_kw={"autocomplete": "current-password"},
    )
    confirm = BooleanField(
        _l(
            "Je comprends que mon profil, mes fichiers et mes données seront supprimés "
            "définitivement."
        ),
        [DataRequired(_l("Cochez la case pour confirmer."))],
    )
