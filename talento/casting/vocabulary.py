"""The CINEMA vocabularies: every closed list of the casting profile, its form, its search
filters, its comp card and its exports, declared once.

Codes are stable and stored as is (``casting_profiles.eye_colour = 'hazel'``,
``casting_skills.code = 'riding_camel'``); labels are French msgids translated through gettext
(English in the English catalogue). The search filter offers exactly the codes the form stores,
so no filter value can match nothing (the reference app's ethnicity filter had values its form
never stored).

Import from the reference app (TalentsMaroc) maps its French labels to these codes through
:data:`IMPORT_ALIASES` and :func:`code_for_label`: its value lists are kept as labels or aliases
so every imported value lands on a code.

Spoken languages and their levels are not here: they are the one vocabulary of
``talento.profiles.languages`` (stored in ``talent_languages``, shared with the talent profile).
Accents (:data:`ACCENTS`) refine a language for casting: each names the language it belongs to.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping

from talento.i18n import lazy_gettext as _l

Vocabulary = Mapping[str, object]  # code -> lazy label

ID_DOCUMENT_TYPES: Vocabulary = {
    "cin": _l("Carte nationale d'identité (CIN)"),
    "passport": _l("Passeport"),
    "residence_permit": _l("Carte de séjour"),
}

#: The 13 talent types of the reference app, in its order.
TALENT_TYPES: Vocabulary = {
    "principal": _l("Rôle principal"),
    "secondary": _l("Rôle secondaire"),
    "extra": _l("Figurant"),
    "silhouette": _l("Silhouette"),
    "double": _l("Doublure"),
    "stand_in": _l("Doublure lumière"),
    "stunt": _l("Cascadeur"),
    "model": _l("Mannequin"),
    "voice_over": _l("Voix off"),
    "specialised_extra": _l("Figurant spécialisé"),
    "chorister": _l("Choriste"),
    "background_dancer": _l("Danseur de fond"),
    "other": _l("Autre"),
}

#: 12 eye colours.
EYE_COLOURS: Vocabulary = {
    "black": _l("Noirs"),
    "dark_brown": _l("Marron foncé"),
    "brown": _l("Marron"),
    "hazel": _l("Noisette"),
    "amber": _l("Ambre"),
    "green": _l("Verts"),
    "grey_green": _l("Gris-vert"),
    "blue": _l("Bleus"),
    "blue_grey": _l("Bleu-gris"),
    "grey": _l("Gris"),
    "heterochromia": _l("Vairons (deux couleurs)"),
    "other": _l("Autre couleur d'yeux"),
}

#: 16 hair colours.
HAIR_COLOURS: Vocabulary = {
    "black": _l("Noirs"),
    "dark_brown": _l("Brun foncé"),
    "brown": _l("Bruns"),
    "chestnut": _l("Châtains"),
    "light_chestnut": _l("Châtain clair"),
    "dark_blond": _l("Blond foncé"),
    "blond": _l("Blonds"),
    "platinum": _l("Blond platine"),
    "red": _l("Roux"),
    "auburn": _l("Auburn"),
    "salt_pepper": _l("Poivre et sel"),
    "grey": _l("Gris"),
    "white": _l("Blancs"),
    "dyed": _l("Colorés (teinture)"),
    "shaved": _l("Rasés"),
    "other": _l("Autre couleur de cheveux"),
}

#: 10 hair types.
HAIR_TYPES: Vocabulary = {
    "straight": _l("Raides"),
    "wavy": _l("Ondulés"),
    "curly": _l("Bouclés"),
    "very_curly": _l("Frisés"),
    "coily": _l("Crépus"),
    "locs": _l("Dreadlocks"),
    "braids": _l("Tresses"),
    "shaved": _l("Rasés"),
    "bald": _l("Chauve"),
    "other": _l("Autre type de cheveux"),
}

HAIR_LENGTHS: Vocabulary = {
    "bald": _l("Chauve ou rasé"),
    "very_short": _l("Très courts"),
    "short": _l("Courts"),
    "medium": _l("Mi-longs"),
    "long": _l("Longs"),
    "very_long": _l("Très longs"),
}

#: 10 skin tones, light to dark.
SKIN_TONES: Vocabulary = {
    "very_fair": _l("Très claire"),
    "fair": _l("Claire"),
    "light": _l("Claire à mate"),
    "medium": _l("Mate"),
    "olive": _l("Olive"),
    "tan": _l("Hâlée"),
    "light_brown": _l("Brun clair"),
    "brown": _l("Brune"),
    "dark": _l("Foncée"),
    "very_dark": _l("Très foncée"),
}

#: 10 builds.
BUILDS: Vocabulary = {
    "very_slim": _l("Très mince"),
    "slim": _l("Mince"),
    "petite": _l("Menue"),
    "athletic": _l("Athlétique"),
    "muscular": _l("Musclée"),
    "average": _l("Moyenne"),
    "curvy": _l("Pulpeuse"),
    "stocky": _l("Trapue"),
    "heavy": _l("Corpulente"),
    "very_heavy": _l("Très corpulente"),
}

#: Tattoos and piercings: none, only where clothes hide them, or visible.
MARKINGS: Vocabulary = {
    "none": _l("Aucun"),
    "hidden": _l("Oui, cachés par les vêtements"),
    "visible": _l("Oui, visibles"),
}

#: Appearance as casting briefs word it, self-declared and optional; the form and the search
#: filter share this list.
ETHNICITIES: Vocabulary = {
    "north_african": _l("Maghrébin·e"),
    "middle_eastern": _l("Moyen-oriental·e"),
    "sub_saharan": _l("Africain·e subsaharien·ne"),
    "east_african": _l("Africain·e de l'Est"),
    "european": _l("Européen·ne"),
    "mediterranean": _l("Méditerranéen·ne"),
    "south_asian": _l("Sud-asiatique"),
    "east_asian": _l("Est-asiatique"),
    "latin_american": _l("Latino-américain·e"),
    "mixed": _l("Métis·se"),
    "other": _l("Autre apparence"),
}

#: Top sizes: adult letters, then children's sizes by age.
TOP_SIZES: Vocabulary = {
    "xxs": "XXS",
    "xs": "XS",
    "s": "S",
    "m": "M",
    "l": "L",
    "xl": "XL",
    "xxl": "XXL",
    "3xl": "3XL",
    "4xl": "4XL",
    "kid_4": _l("4 ans"),
    "kid_6": _l("6 ans"),
    "kid_8": _l("8 ans"),
    "kid_10": _l("10 ans"),
    "kid_12": _l("12 ans"),
    "kid_14": _l("14 ans"),
    "kid_16": _l("16 ans"),
}

#: Which size fields the form asks for, by gender, as agencies do (N gets every field).
SIZE_FIELDS_BY_GENDER: Mapping[str, tuple[str, ...]] = {
    "M": ("top_size", "chest_cm", "waist_cm", "trouser_size", "shoe_size", "hat_size_cm"),
    "F": (
        "top_size",
        "chest_cm",
        "waist_cm",
        "hips_cm",
        "dress_size",
        "trouser_size",
        "shoe_size",
        "hat_size_cm",
    ),
    "N": (
        "top_size",
        "chest_cm",
        "waist_cm",
        "hips_cm",
        "dress_size",
        "trouser_size",
        "shoe_size",
        "hat_size_cm",
    ),
}

#: Skills by category (the reference app's categories, then licences, riding, swimming, combat,
#: dance styles and instruments). Codes are unique across categories.
SKILL_CATEGORIES: Mapping[str, tuple[object, Vocabulary]] = {
    "acting": (
        _l("Jeu et scène"),
        {
            "acting_drama": _l("Jeu dramatique"),
            "acting_comedy": _l("Comédie"),
            "improvisation": _l("Improvisation"),
            "theatre": _l("Théâtre"),
            "mime": _l("Mime"),
            "clown": _l("Clown"),
            "stand_up": _l("Humour, stand-up"),
            "storytelling": _l("Conte (halqa)"),
            "puppetry": _l("Marionnettes"),
            "voice_imitation": _l("Imitation de voix"),
            "dubbing": _l("Doublage"),
            "presenting": _l("Animation, présentation"),
        },
    ),
    "music": (
        _l("Chant et musique"),
        {
            "singing": _l("Chant"),
            "singing_andalusian": _l("Chant andalou"),
            "singing_chaabi": _l("Chant chaabi"),
            "singing_gnawa": _l("Chant gnaoua"),
            "singing_lyric": _l("Chant lyrique"),
            "quran_recitation": _l("Psalmodie"),
            "whistling": _l("Sifflement"),
            "beatbox": _l("Beatbox"),
        },
    ),
    "instruments": (
        _l("Instruments de musique"),
        {
            "oud": _l("Oud"),
            "guembri": _l("Guembri"),
            "bendir": _l("Bendir"),
            "darbouka": _l("Darbouka"),
            "qanun": _l("Qanoun"),
            "nay": _l("Ney (flûte)"),
            "ribab": _l("Ribab"),
            "lotar": _l("Loutar"),
            "violin": _l("Violon"),
            "guitar": _l("Guitare"),
            "piano": _l("Piano"),
            "drums": _l("Batterie"),
            "trumpet": _l("Trompette"),
            "saxophone": _l("Saxophone"),
        },
    ),
    "dance": (
        _l("Danse"),
        {
            "dance_chaabi": _l("Danse chaabi"),
            "dance_ahidous": _l("Ahidous"),
            "dance_ahwach": _l("Ahwach"),
            "dance_guedra": _l("Guedra"),
            "dance_gnawa": _l("Danse gnaoua"),
            "dance_oriental": _l("Danse orientale"),
            "dance_contemporary": _l("Danse contemporaine"),
            "dance_ballet": _l("Danse classique"),
            "dance_hip_hop": _l("Hip-hop"),
            "dance_breaking": _l("Breakdance"),
            "dance_salsa": _l("Salsa"),
            "dance_flamenco": _l("Flamenco"),
            "dance_ballroom": _l("Danse de salon"),
        },
    ),
    "sports": (
        _l("Sports et physique"),
        {
            "acrobatics": _l("Acrobatie"),
            "gymnastics": _l("Gymnastique"),
            "parkour": _l("Parkour"),
            "climbing": _l("Escalade"),
            "juggling": _l("Jonglage"),
            "fire_performance": _l("Jeux de feu"),
            "football": _l("Football"),
            "basketball": _l("Basket-ball"),
            "tennis": _l("Tennis"),
            "running": _l("Course à pied"),
            "cycling": _l("Cyclisme"),
            "skateboard": _l("Skateboard"),
            "surfing": _l("Surf"),
            "skiing": _l("Ski"),
            "yoga": _l("Yoga"),
            "bodybuilding": _l("Musculation"),
        },
    ),
    "riding": (
        _l("Équitation"),
        {
            "riding_horse": _l("Équitation (cheval)"),
            "riding_horse_bareback": _l("Monte à cru"),
            "riding_camel": _l("Monte de dromadaire"),
            "riding_donkey": _l("Monte d'âne ou de mule"),
            "fantasia": _l("Tbourida (fantasia)"),
        },
    ),
    "water": (
        _l("Natation et eau"),
        {
            "swimming": _l("Natation"),
            "swimming_sea": _l("Nage en mer"),
            "diving": _l("Plongée sous-marine"),
            "freediving": _l("Apnée"),
            "sailing": _l("Voile"),
            "jet_ski": _l("Jet-ski"),
        },
    ),
    "combat": (
        _l("Combat"),
        {
            "stage_combat": _l("Combat scénique"),
            "boxing": _l("Boxe"),
            "kickboxing": _l("Kick-boxing"),
            "karate": _l("Karaté"),
            "judo": _l("Judo"),
            "taekwondo": _l("Taekwondo"),
            "wrestling": _l("Lutte"),
            "mma": _l("MMA"),
            "fencing": _l("Escrime"),
            "sword": _l("Sabre, épée (scène)"),
            "archery": _l("Tir à l'arc"),
            "firearms": _l("Maniement d'armes (factices)"),
        },
    ),
    "driving": (
        _l("Permis de conduire"),
        {
            "licence_a": _l("Permis A (moto)"),
            "licence_b": _l("Permis B (voiture)"),
            "licence_c": _l("Permis C (poids lourd)"),
            "licence_d": _l("Permis D (bus)"),
            "licence_e": _l("Permis E (remorque)"),
            "stunt_driving": _l("Conduite de cascade"),
            "boat_licence": _l("Permis bateau"),
        },
    ),
}

#: Every skill code -> label (the union of the categories).
SKILLS: Vocabulary = {
    code: label for _, skills in SKILL_CATEGORIES.values() for code, label in skills.items()
}

#: What a talent can bring to a set, by category.
ASSET_CATEGORIES: Mapping[str, tuple[object, Vocabulary]] = {
    "dress": (
        _l("Tenues traditionnelles"),
        {
            "djellaba": _l("Djellaba"),
            "caftan": _l("Caftan"),
            "takchita": _l("Takchita"),
            "jabador": _l("Jabador"),
            "burnous": _l("Burnous"),
            "gandoura": _l("Gandoura"),
            "melhfa": _l("Melhfa"),
            "daraa": _l("Derraâ (tenue sahraouie)"),
            "amazigh_jewellery": _l("Bijoux amazighs"),
        },
    ),
    "costume": (
        _l("Costumes et uniformes"),
        {
            "business_suit": _l("Costume de ville"),
            "wedding_dress": _l("Robe de mariée"),
            "evening_wear": _l("Tenue de soirée"),
            "military_uniform": _l("Uniforme militaire"),
            "medical_uniform": _l("Blouse médicale"),
            "period_costume": _l("Costume d'époque"),
            "sports_kit": _l("Tenue de sport"),
        },
    ),
    "animals": (
        _l("Animaux"),
        {
            "horse": _l("Cheval"),
            "camel": _l("Dromadaire"),
            "donkey": _l("Âne ou mule"),
            "dog": _l("Chien"),
            "cat": _l("Chat"),
            "sheep_goat": _l("Moutons ou chèvres"),
            "falcon": _l("Faucon"),
            "poultry": _l("Volailles"),
        },
    ),
    "vehicles": (
        _l("Véhicules"),
        {
            "car": _l("Voiture"),
            "vintage_car": _l("Voiture ancienne"),
            "four_by_four": _l("4x4"),
            "motorbike": _l("Moto"),
            "bicycle": _l("Vélo"),
            "van": _l("Fourgonnette"),
            "truck": _l("Camion"),
            "cart": _l("Charrette"),
            "boat": _l("Bateau"),
        },
    ),
}

ASSETS: Vocabulary = {
    code: label for _, assets in ASSET_CATEGORIES.values() for code, label in assets.items()
}

#: Accents a casting director asks for; each belongs to a language of profiles.languages.
ACCENTS: Mapping[str, tuple[str, object]] = {
    "ary_casablanca": ("ary", _l("Darija de Casablanca")),
    "ary_rabat": ("ary", _l("Darija de Rabat-Salé")),
    "ary_fes": ("ary", _l("Darija de Fès (fassi)")),
    "ary_marrakech": ("ary", _l("Darija de Marrakech")),
    "ary_north": ("ary", _l("Darija du Nord (Tanger, Tétouan)")),
    "ary_jebli": ("ary", _l("Darija jebli (montagnes du Nord)")),
    "ary_oriental": ("ary", _l("Darija de l'Oriental (Oujda)")),
    "ary_souss": ("ary", _l("Darija du Souss")),
    "ary_rural": ("ary", _l("Darija rurale (aroubi)")),
    "ary_sahara": ("ary", _l("Darija du Sud (Sahara)")),
    "fr_neutral": ("fr", _l("Français sans accent marqué")),
    "fr_moroccan": ("fr", _l("Français avec accent marocain")),
    "fr_african": ("fr", _l("Français d'Afrique de l'Ouest")),
    "fr_france": ("fr", _l("Français de France")),
    "fr_quebec": ("fr", _l("Français du Québec")),
    "en_american": ("en", _l("Anglais américain")),
    "en_british": ("en", _l("Anglais britannique")),
    "en_african": ("en", _l("Anglais d'Afrique")),
    "es_spain": ("es", _l("Espagnol d'Espagne")),
    "es_latin": ("es", _l("Espagnol d'Amérique latine")),
}

#: Kinds of previous productions (the credits of a casting profile).
CREDIT_KINDS: Vocabulary = {
    "film": _l("Long métrage"),
    "series": _l("Série"),
    "short": _l("Court métrage"),
    "tv_film": _l("Téléfilm"),
    "commercial": _l("Publicité"),
    "music_video": _l("Clip"),
    "documentary": _l("Documentaire"),
    "theatre": _l("Théâtre"),
    "web": _l("Web"),
    "other": _l("Autre production"),
}

PHOTO_KINDS: Vocabulary = {
    "headshot": _l("Portrait"),
    "full_length": _l("En pied"),
    "other": _l("Autre photo"),
}

GUARDIAN_RELATIONSHIPS: Vocabulary = {
    "mother": _l("Mère"),
    "father": _l("Père"),
    "legal_guardian": _l("Tuteur ou tutrice légale"),
    "other": _l("Autre responsable légal"),
}

#: Where a casting profile shows: to casting staff only (the default), also on a public casting
#: page (the talent opts in; never for a minor), or nowhere (paused).
CASTING_VISIBILITIES: Vocabulary = {
    "staff": _l("Équipes de casting uniquement"),
    "public": _l("Page casting publique"),
    "hidden": _l("En pause : personne ne me trouve"),
}


def _fold(text: str) -> str:
    stripped = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(stripped.lower().replace("-", " ").replace("'", " ").split())


#: The reference app's labels that differ from ours, folded (see :func:`code_for_label`):
#: vocabulary name -> {folded label: code}.
IMPORT_ALIASES: Mapping[str, Mapping[str, str]] = {
    "eye_colour": {"marron clair": "hazel", "verts clairs": "green", "bleu clair": "blue"},
    "hair_colour": {"chatain": "chestnut", "chatain fonce": "brown", "blanc": "white"},
    "hair_type": {"lisses": "straight", "afro": "coily", "locks": "locs"},
    "skin_tone": {"blanche": "fair", "noire": "very_dark", "metisse": "light_brown"},
    "build": {"normale": "average", "forte": "heavy", "sportive": "athletic"},
    "talent_type": {"figurant simple": "extra", "premier role": "principal"},
}


def code_for_label(
    vocabulary: Vocabulary, label: str, aliases: Mapping[str, str] | None = None
) -> str | None:
    """The code whose French label (or alias) matches `label`, ignoring case, accents and
    agreement marks; None when nothing matches (the importer reports it)."""
    wanted = _fold(label.replace("·e", "").replace("·ne", ""))
    if wanted in vocabulary:
        return wanted
    for code, text in vocabulary.items():
        if _fold(str(text).replace("·e", "").replace("·ne", "").replace("·se", "")) == wanted:
            return code
    return (aliases or {}).get(wanted)
