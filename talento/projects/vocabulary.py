"""The closed lists of companies, projects, roles, shortlists and bookings, declared once.

Codes are stable and stored as is; labels are French msgids translated through gettext. The
talent types of a role are casting.vocabulary.TALENT_TYPES (one list everywhere).
"""

from __future__ import annotations

from collections.abc import Mapping

from talento.casting.vocabulary import TALENT_TYPES, Vocabulary
from talento.i18n import lazy_gettext as _l

PROJECT_TYPES: Vocabulary = {
    "film": _l("Long métrage"),
    "series": _l("Série"),
    "short_film": _l("Court métrage"),
    "documentary": _l("Documentaire"),
    "commercial": _l("Publicité"),
    "music_video": _l("Clip musical"),
    "tv_film": _l("Téléfilm"),
    "web_series": _l("Websérie"),
    "other": _l("Autre"),
}

PROJECT_STATUSES: Vocabulary = {
    "preparation": _l("En préparation"),
    "shooting": _l("En tournage"),
    "post_production": _l("Post-production"),
    "wrapped": _l("Terminé"),
}

#: What a production company does (several per company).
COMPANY_SPECIALISATIONS: Vocabulary = {
    "feature_films": _l("Longs métrages"),
    "series": _l("Séries et fictions TV"),
    "commercials": _l("Publicité"),
    "documentaries": _l("Documentaires"),
    "music_videos": _l("Clips musicaux"),
    "international_services": _l("Production exécutive pour l'étranger"),
    "animation": _l("Animation"),
    "events": _l("Événementiel"),
    "post_production": _l("Post-production"),
    "casting": _l("Casting"),
}

#: The status of a talent on a role's shortlist, in workflow order.
SHORTLIST_STATUSES: Vocabulary = {
    "suggested": _l("Suggéré"),
    "shortlisted": _l("Présélectionné"),
    "contacted": _l("Contacté"),
    "available": _l("Disponible"),
    "booked": _l("Engagé"),
    "declined": _l("Refusé"),
}

#: Who reads a note on a shortlisted talent.
NOTE_VISIBILITIES: Vocabulary = {
    "private": _l("Moi seulement"),
    "team": _l("L'équipe casting"),
}

#: A client's or director's verdict on one face of a review link.
REVIEW_VERDICTS: Vocabulary = {
    "interested": _l("Intéressé"),
    "not_interested": _l("Pas intéressé"),
    "question": _l("Question"),
}

#: A talent's answer to an availability check.
AVAILABILITY_ANSWERS: Vocabulary = {
    "available": _l("Disponible"),
    "unavailable": _l("Pas disponible"),
    "partial": _l("Disponible certains jours"),
}

BOOKING_STATUSES: Vocabulary = {
    "pending": _l("En attente de confirmation"),
    "confirmed": _l("Confirmé"),
    "declined": _l("Décliné par le talent"),
    "cancelled": _l("Annulé"),
}

#: One colour per talent type on badges and role boxes (background, readable with black or
#: white text as :data:`ROLE_TEXT_COLOURS` says). The reference app's palette was not
#: available to us; these keep its idea (one strong colour per type, leads in warm colours,
#: crowd in cool ones) and pass WCAG AA with the text colour given.
ROLE_COLOURS: Mapping[str, str] = {
    "principal": "#B71C1C",
    "secondary": "#E65100",
    "extra": "#1565C0",
    "silhouette": "#455A64",
    "double": "#6A1B9A",
    "stand_in": "#AD1457",
    "stunt": "#212121",
    "model": "#C2185B",
    "voice_over": "#00695C",
    "specialised_extra": "#0D47A1",
    "chorister": "#2E7D32",
    "background_dancer": "#F9A825",
    "other": "#757575",
}
ROLE_TEXT_COLOURS: Mapping[str, str] = {
    code: ("#000000" if code == "background_dancer" else "#FFFFFF") for code in ROLE_COLOURS
}

assert set(ROLE_COLOURS) == set(TALENT_TYPES), "one badge colour per talent type"

__all__ = [
    "AVAILABILITY_ANSWERS",
    "BOOKING_STATUSES",
    "COMPANY_SPECIALISATIONS",
    "NOTE_VISIBILITIES",
    "PROJECT_STATUSES",
    "PROJECT_TYPES",
    "REVIEW_VERDICTS",
    "ROLE_COLOURS",
    "ROLE_TEXT_COLOURS",
    "SHORTLIST_STATUSES",
    "TALENT_TYPES",
]
