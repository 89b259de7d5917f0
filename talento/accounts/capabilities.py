"""What each capability is called and gives (DESIGN "Capabilities"), and the checks built on
them that more than one package needs.

An account holds a set of capabilities (:class:`~talento.accounts.models.Capability`), one row
each in ``account_capabilities``; `User.can(capability)` answers from the rows loaded with the
user, so these checks never query.
"""

from __future__ import annotations

from collections.abc import Iterable

from talento.accounts.models import Capability, in_order
from talento.i18n import lazy_gettext as _l

CAPABILITY_LABELS = {
    Capability.TALENT.value: _l("Talent"),
    Capability.RECRUITER.value: _l("Recruteur"),
    Capability.CASTING.value: _l("Casting (CINEMA)"),
    Capability.PRESENCE.value: _l("Présence (équipe de tournage)"),
    Capability.ADMIN.value: _l("Administrateur"),
}
#: What each capability gives, next to its checkbox on the admin's account page.
CAPABILITY_HINTS = {
    Capability.TALENT.value: _l("Son propre profil, publié dans l'annuaire."),
    Capability.RECRUITER.value: _l(
        "Filtre de disponibilité, recherches enregistrées, contact sans les plafonds des anonymes."
    ),
    Capability.CASTING.value: _l(
        "Recherche casting CINEMA, fiches et comp cards des talents, coordonnées masquées "
        "(chaque affichage en clair est inscrit au journal) ; plus tard, projets et shortlists."
    ),
    Capability.PRESENCE.value: _l("Pointage sur les tournages."),
    Capability.ADMIN.value: _l("Administration complète de la plateforme."),
}


def capability_names(capabilities: Iterable[str]) -> str:
    """« Talent, Recruteur »: the labels of `capabilities`, in the usual order."""
    return ", ".join(str(CAPABILITY_LABELS.get(c, c)) for c in in_order(capabilities))


def holds_capability(user, capability: str) -> bool:
    """Whether `user` (a Flask-Login user, possibly the anonymous one) holds `capability`."""
    return bool(getattr(user, "is_authenticated", False) and user.can(capability))


def may_filter_availability(user) -> bool:
    """The directory's availability filter is the recruiters' (and admins'): anonymous
    visitors and talents neither see it nor use it (their ``availability=`` is ignored)."""
    return holds_capability(user, Capability.RECRUITER.value) or holds_capability(
        user, Capability.ADMIN.value
    )


def may_save_searches(user) -> bool:
    """Saved directory searches (« Mes recherches ») belong to recruiters."""
    return holds_capability(user, Capability.RECRUITER.value)
