"""Fixed choice lists of the talent profile, with French labels (translated through gettext)."""

from __future__ import annotations

from talento.i18n import lazy_gettext as _l

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

#: Where a talent appears (profiles.models.Visibility), in the talent's own words: the same
#: labels on the registration form and on the « Ma visibilité » page, so that the choice and
#: the consent text (profiles/register.html) say one thing.
#: Spoken languages: ISO 639-1 codes, ISO 639-2/3 where 639-1 has none (ary Darija, ber Amazigh).
LANGUAGES = {
    "ar": _l("Arabe"),
    "ary": _l("Darija"),
    "ber": _l("Amazigh"),
    "fr": _l("Français"),
    "en": _l("Anglais"),
    "es": _l("Espagnol"),
    "de": _l("Allemand"),
    "it": _l("Italien"),
    "pt": _l("Portugais"),
    "wo": _l("Wolof"),
    "sw": _l("Swahili"),
    "ha": _l("Haoussa"),
    "zh": _l("Chinois"),
    "tr": _l("Turc"),
}

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
