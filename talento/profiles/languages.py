"""The one vocabulary of spoken languages and levels (talent profiles, the directory, exports,
and later the CINEMA module's accents and dialects).

Codes are stable and stored as is (``talent_languages.code``, 3 characters at most): ISO 639-1
where it exists, ISO 639-3 otherwise (``ary`` Darija, ``shi`` Tachelhit, ``rif`` Tarifit,
``tzm`` Central Atlas Tamazight, ``mey`` Hassaniya, ``arz`` Egyptian Arabic, ``apc`` Levantine
Arabic, ``xms`` Moroccan Sign Language…), ISO 639-2 for the one collective code kept, ``ber``.

Decisions (so that the codes stored before this vocabulary keep their meaning, with no data
migration):

- ``ar`` is Modern Standard Arabic (« Arabe standard (fousha) »). It was « Arabe » beside
  « Darija » in the first list, which already meant the written, standard language; ISO 639-3's
  ``arb`` is therefore not used (two codes for one language would split the directory's filter).
- ``ber`` is Amazigh without a named variety (« Amazigh (tamazight) »): the collective code the
  first list used. The varieties have their own codes next to it. Standard Moroccan Tamazight
  (``zgh``, IRCAM) is not offered separately: a talent who speaks it picks « Amazigh ».
- Arabic dialects spoken elsewhere (Egyptian, Levantine, Algerian, Tunisian, Gulf, Iraqi) and
  sign languages are included: they matter to casting (accents, roles).

Names are French msgids translated through gettext (English in the English catalogue).
For display the languages of Morocco come first, in a fixed order (most spoken first), then
every other language sorted as a French reader sorts in the current UI language
(:func:`talento.geo.services.french_key`).

Levels (``profiles.models.LanguageLevel``) go from « Langue maternelle » down to « Notions »;
:data:`LEVEL_RANK` orders them for « at least » filters.
"""

from __future__ import annotations

from collections.abc import Iterable

from talento.geo.services import french_key
from talento.i18n import lazy_gettext as _l
from talento.profiles.models import LanguageLevel

#: Languages of Morocco, shown first in this order (not alphabetical: most spoken first).
MOROCCAN = {
    "ary": _l("Darija (arabe marocain)"),
    "ar": _l("Arabe standard (fousha)"),
    "ber": _l("Amazigh (tamazight)"),
    "shi": _l("Tachelhit (chleuh)"),
    "tzm": _l("Tamazight du Moyen Atlas"),
    "rif": _l("Tarifit (rifain)"),
    "mey": _l("Hassaniya"),
    "fr": _l("Français"),
    "es": _l("Espagnol"),
    "en": _l("Anglais"),
    "xms": _l("Langue des signes marocaine"),
}

#: Every other language: Arabic dialects, African and world languages, sign languages.
OTHERS = {
    # Arabic of other countries (accents that casting asks for)
    "arz": _l("Arabe égyptien"),
    "apc": _l("Arabe levantin (syro-libanais)"),
    "arq": _l("Arabe algérien"),
    "aeb": _l("Arabe tunisien"),
    "afb": _l("Arabe du Golfe"),
    "acm": _l("Arabe irakien"),
    # Africa
    "kab": _l("Kabyle"),
    "taq": _l("Tamasheq (touareg)"),
    "wo": _l("Wolof"),
    "ff": _l("Peul (pulaar)"),
    "bm": _l("Bambara"),
    "dyu": _l("Dioula"),
    "snk": _l("Soninké"),
    "mos": _l("Mooré"),
    "ha": _l("Haoussa"),
    "yo": _l("Yoruba"),
    "ig": _l("Igbo"),
    "ak": _l("Akan (twi)"),
    "ee": _l("Éwé"),
    "fon": _l("Fon"),
    "ln": _l("Lingala"),
    "kg": _l("Kikongo"),
    "sw": _l("Swahili"),
    "am": _l("Amharique"),
    "ti": _l("Tigrigna"),
    "om": _l("Oromo"),
    "so": _l("Somali"),
    "rw": _l("Kinyarwanda"),
    "rn": _l("Kirundi"),
    "lg": _l("Luganda"),
    "mg": _l("Malgache"),
    "zu": _l("Zoulou"),
    "xh": _l("Xhosa"),
    "af": _l("Afrikaans"),
    "sn": _l("Shona"),
    "ny": _l("Chichewa"),
    "sg": _l("Sango"),
    # Europe
    "de": _l("Allemand"),
    "it": _l("Italien"),
    "pt": _l("Portugais"),
    "nl": _l("Néerlandais"),
    "ca": _l("Catalan"),
    "eu": _l("Basque"),
    "ru": _l("Russe"),
    "uk": _l("Ukrainien"),
    "pl": _l("Polonais"),
    "ro": _l("Roumain"),
    "el": _l("Grec"),
    "sv": _l("Suédois"),
    "no": _l("Norvégien"),
    "da": _l("Danois"),
    "fi": _l("Finnois"),
    "hu": _l("Hongrois"),
    "cs": _l("Tchèque"),
    "bg": _l("Bulgare"),
    "sr": _l("Serbe"),
    "hr": _l("Croate"),
    "sq": _l("Albanais"),
    # Middle East, Asia
    "tr": _l("Turc"),
    "fa": _l("Persan"),
    "he": _l("Hébreu"),
    "ku": _l("Kurde"),
    "hy": _l("Arménien"),
    "ka": _l("Géorgien"),
    "az": _l("Azéri"),
    "hi": _l("Hindi"),
    "ur": _l("Ourdou"),
    "bn": _l("Bengali"),
    "pa": _l("Pendjabi"),
    "ta": _l("Tamoul"),
    "zh": _l("Chinois (mandarin)"),
    "yue": _l("Cantonais"),
    "ja": _l("Japonais"),
    "ko": _l("Coréen"),
    "vi": _l("Vietnamien"),
    "th": _l("Thaï"),
    "id": _l("Indonésien"),
    "ms": _l("Malais"),
    "tl": _l("Tagalog (filipino)"),
    # Americas
    "ht": _l("Créole haïtien"),
    # sign languages
    "fsl": _l("Langue des signes française"),
    "ase": _l("Langue des signes américaine"),
}

#: Every language: code -> French name (lazy, translated when shown).
LANGUAGES = {**MOROCCAN, **OTHERS}

LEVEL_LABELS = {
    LanguageLevel.NATIVE.value: _l("Langue maternelle"),
    LanguageLevel.FLUENT.value: _l("Courant"),
    LanguageLevel.CONVERSATIONAL.value: _l("Conversationnel"),
    LanguageLevel.NOTIONS.value: _l("Notions"),
}
#: Higher is better: « at least fluent » means a rank >= LEVEL_RANK["fluent"].
LEVEL_RANK = {"native": 4, "fluent": 3, "conversational": 2, "notions": 1}

GROUP_MOROCCO = _l("Langues du Maroc")
GROUP_OTHERS = _l("Autres langues")


def language_label(code: str) -> str:
    """The language's name in the current UI language; the code itself when unknown."""
    label = LANGUAGES.get(code)
    return str(label) if label is not None else code


def level_label(level: str) -> str:
    label = LEVEL_LABELS.get(level)
    return str(label) if label is not None else level


def levels_at_least(level: str) -> tuple[str, ...]:
    """The levels at or above `level` (« au moins courant »: fluent and native)."""
    floor = LEVEL_RANK.get(level, 0)
    return tuple(name for name, rank in LEVEL_RANK.items() if rank >= floor)


def display_order(codes: Iterable[str]) -> list[str]:
    """`codes` in display order: Morocco's in their fixed order, then the others sorted as a
    French reader sorts their name in the current UI language. Unknown codes go last."""
    wanted = set(codes)
    first = [code for code in MOROCCAN if code in wanted]
    rest = sorted(
        (code for code in wanted if code in OTHERS), key=lambda c: french_key(str(OTHERS[c]))
    )
    unknown = sorted(wanted - set(LANGUAGES))
    return first + rest + unknown


def language_groups(codes: Iterable[str] | None = None) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(group label, [(code, name), …]), …] for a form: « Langues du Maroc », then « Autres
    langues »; only `codes` when given; empty groups left out."""
    ordered = display_order(LANGUAGES if codes is None else codes)
    groups = [
        (str(GROUP_MOROCCO), [(c, language_label(c)) for c in ordered if c in MOROCCAN]),
        (str(GROUP_OTHERS), [(c, language_label(c)) for c in ordered if c not in MOROCCAN]),
    ]
    return [(label, entries) for label, entries in groups if entries]


def spoken(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str, str, str]]:
    """(code, level) pairs as shown to people: [(code, name, level, level label)], best level
    first, then in display order."""
    levels = dict(pairs)
    order = {code: i for i, code in enumerate(display_order(levels))}
    ranked = sorted(levels, key=lambda c: (-LEVEL_RANK.get(levels[c], 0), order[c]))
    return [(c, language_label(c), levels[c], level_label(levels[c])) for c in ranked]
