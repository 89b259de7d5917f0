"""Where a talent appears, chosen by the talent (« Ma visibilité »), and whether recruiters may
write to them through Talento (the contact relay, built elsewhere, reads ``contact_enabled``).

- public: the directory, its counts and filters, and the public page (by code or QR);
- link:   the public page by code or QR only, never in the directory (and never indexed);
- hidden: neither; the code and the QR code answer « not found » to everyone but the talent
  and the admins.

Whatever the choice, an address that is not verified yet keeps the profile out of everything
public (accounts/verification.py). The directory's rule is
``profiles.search.directory.listed_conditions``; the public page's is ``profiles.public``.
A settings change by the owner: not audited (nothing of anyone else is shown or changed).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import LazyString
from sqlalchemy.orm import Session

from talento.accounts.models import User
from talento.i18n import gettext as _
from talento.i18n import lazy_gettext as _l
from talento.profiles.models import TalentProfile, Visibility
from talento.refusals import Refused

#: (label, plain explanation) of each choice, in the order the page offers them. The
#: registration's consent text says the same (see the report of issue 12).
VISIBILITY_CHOICES = {
    Visibility.PUBLIC.value: (
        _l("Public"),
        _l(
            "Votre profil apparaît dans l'annuaire des talents, et votre page publique "
            "s'ouvre pour tous avec votre lien ou votre QR code."
        ),
    ),
    Visibility.LINK.value: (
        _l("Lien seulement"),
        _l(
            "Votre page publique s'ouvre avec votre lien ou votre QR code, mais votre profil "
            "n'apparaît pas dans l'annuaire."
        ),
    ),
    Visibility.HIDDEN.value: (
        _l("Masqué"),
        _l(
            "Personne ne voit votre profil, à part vous et l'équipe Talento : ni annuaire, ni "
            "page publique (votre lien et votre QR code ne mènent nulle part)."
        ),
    ),
}
VISIBILITY_LABELS = {value: label for value, (label, _hint) in VISIBILITY_CHOICES.items()}


def _sentence(label, hint) -> LazyString:
    return LazyString(lambda: f"{label} : {str(hint)[:1].lower()}{str(hint)[1:]}")


#: Label and explanation in one line, for the registration's radio buttons: registering and
#: « Ma visibilité » say the same thing about each choice.
VISIBILITY_SENTENCES = {
    value: _sentence(label, hint) for value, (label, hint) in VISIBILITY_CHOICES.items()
}
CONTACT_LABEL = _l("Recevoir des messages de recruteurs via Talento")
CONTACT_HINT = _l(
    "Les recruteurs vous écrivent depuis votre page publique ; Talento vous transmet leur "
    "message par e-mail sans jamais leur montrer votre adresse ni votre téléphone."
)


@dataclass(frozen=True)
class VisibilityInput:
    visibility: str
    contact_enabled: bool


def set_visibility(session: Session, user: User, data: VisibilityInput) -> bool:
    """Apply the talent's choice (flushed; the caller commits). True when something changed."""
    profile: TalentProfile | None = user.profile
    if profile is None:
        raise Refused(None, _("Créez d'abord votre profil de talent."), status=400)
    if data.visibility not in VISIBILITY_CHOICES:
        raise Refused("visibility", _("Choisissez une des trois options."), status=400)
    changed = (profile.visibility, profile.contact_enabled) != (
        data.visibility,
        data.contact_enabled,
    )
    profile.visibility = data.visibility
    profile.contact_enabled = data.contact_enabled
    session.flush()
    return changed


def seen_publicly(user: User) -> bool:
    """Whether others can open the talent's public page (its QR code, its card's link)."""
    profile = user.profile
    return (
        profile is not None
        and user.is_active_account
        and user.email_verified
        and profile.visibility in (Visibility.PUBLIC.value, Visibility.LINK.value)
    )
