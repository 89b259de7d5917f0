"""Forms of the talent's own space: password change and account deletion."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, ValidationError
from wtforms.validators import DataRequired, Length

from talento.i18n import lazy_gettext as _l


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Mot de passe actuel"),
        [DataRequired(_l("Indiquez votre mot de passe actuel."))],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = PasswordField(
        _l("Nouveau mot de passe (10 caractères minimum)"),
        [DataRequired(_l("Choisissez un mot de passe.")), Length(max=1024)],
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
