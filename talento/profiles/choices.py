"""Fixed choice lists of the talent profile, with French labels (translated through gettext)."""

from __future__ import annotations

from talento.i18n import lazy_gettext as _l
from talento.profiles.languages import LANGUAGES as _LANGUAGES

AVAILABILITY_LABELS = {
    "immediate": _l("Immédiate"),
    "soon": _l("Prochainement"),
    "unavailable": _l("Non disponible"),
    "in_project": _l("En projet"),
}
WORK_MODE_LABELS = {
    "on_site": _l("Sur site"),
    "remote": _l("À distance"),
    "hybrid": _l("Hybride"),
    "flexible": _l("Flexible"),
}
GENDER_LABELS = {"F": _l("Femme"), "M": _l("Homme"), "N": _l("Non précisé")}

#: Spoken languages: the vocabulary lives in talento.profiles.languages (re-exported here).
LANGUAGES = _LANGUAGES

#: Link kinds: the portfolio, a website and social profiles (all stored encrypted).
LINK_KINDS = {
    "portfolio": "Portfolio",
    "website": _l("Site web"),
    "linkedin": "LinkedIn",
    "instagram": "Instagram",
    "x": "X",
    "facebook": "Facebook",
    "tiktok": "TikTok",
    "youtube": "YouTube",
    "github": "GitHub",
    "behance": "Behance",
    "dribbble": "Dribbble",
    "imdb": "IMDb",
    "threads": "Threads",
    "telegram": "Telegram",
    "snapchat": "Snapchat",
    "pinterest": "Pinterest",
}
