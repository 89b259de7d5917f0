"""The one password policy, worded for people: registration, password reset and set-password
links, the account's password change and `talento admin set-password` all call
`password_problem` (forms through `talento.accounts.forms.AcceptablePassword`).

The rules themselves (minimum 12 characters, the list of known passwords, no password made of
the account's details) are in `talento.password_rules`, on the ground floor, so that the
settings check ADMIN_PASSWORD with the very same rules at start-up.
"""

from __future__ import annotations

from collections.abc import Iterable

from talento.i18n import gettext as _
from talento.password_rules import (
    COMMON_PASSWORDS,
    MAX_LENGTH,
    MIN_LENGTH,
    Weakness,
    is_common,
    weakness,
)

__all__ = ["COMMON_PASSWORDS", "MAX_LENGTH", "MIN_LENGTH", "is_common", "password_problem"]


def password_problem(
    password: str, *, email: str | None = None, names: Iterable[str | None] = ()
) -> str | None:
    """The French reason why `password` is refused, or None when it is acceptable.

    `email` and `names` (first name, last name, code…) are the account's own details: a
    password made of them, or close to one of them, is refused.
    """
    found = weakness(password, email=email, names=names)
    if found is None:
        return None
    if found is Weakness.TOO_SHORT:
        return _("Le mot de passe doit contenir au moins %(n)d caractères.", n=MIN_LENGTH)
    if found is Weakness.TOO_LONG:
        return _("Le mot de passe doit contenir au plus %(n)d caractères.", n=MAX_LENGTH)
    if found is Weakness.TOO_SIMPLE:
        return _("Ce mot de passe est trop simple : évitez les caractères répétés.")
    if found is Weakness.COMMON:
        return _("Ce mot de passe est trop courant : choisissez-en un moins prévisible.")
    return _("Le mot de passe ne doit pas ressembler à votre nom ou à votre adresse e-mail.")
