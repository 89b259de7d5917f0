"""The CINEMA vocabularies: the sizes the issue asks for, unique stable codes, labels in both
languages, and the mapping of imported (reference app) labels onto codes."""

import pytest
from flask_babel import force_locale

from talento.casting import vocabulary as v
from talento.casting.codes import format_cinema_code
from talento.profiles.languages import LANGUAGES


def test_the_lists_have_the_sizes_casting_agencies_use():
    assert len(v.TALENT_TYPES) == 13
    assert len(v.EYE_COLOURS) == 12
    assert len(v.HAIR_COLOURS) == 16
    assert len(v.HAIR_TYPES) == 10
    assert len(v.SKIN_TONES) == 10
    assert len(v.BUILDS) == 10
    assert len(v.SKILLS) >= 45
    assert set(v.ID_DOCUMENT_TYPES) == {"cin", "passport", "residence_permit"}
    # licences, riding (horse, camel), swimming, combat, dance styles, instruments
    for category in ("driving", "riding", "water", "combat", "dance", "instruments"):
        assert v.SKILL_CATEGORIES[category][1], category
    assert {"riding_horse", "riding_camel", "swimming", "licence_b"} <= set(v.SKILLS)
    assert {"caftan", "djellaba", "camel", "horse", "vintage_car"} <= set(v.ASSETS)


def test_codes_are_unique_and_fit_their_columns():
    skill_codes = [c for _, skills in v.SKILL_CATEGORIES.values() for c in skills]
    assert len(skill_codes) == len(set(skill_codes))
    asset_codes = [c for _, assets in v.ASSET_CATEGORIES.values() for c in assets]
    assert len(asset_codes) == len(set(asset_codes))
    for vocabulary in (v.SKILLS, v.ASSETS, v.ACCENTS, v.TALENT_TYPES):
        assert all(len(code) <= 24 for code in vocabulary)
    for vocabulary in (v.EYE_COLOURS, v.HAIR_COLOURS, v.HAIR_TYPES, v.SKIN_TONES, v.BUILDS):
        assert all(len(code) <= 16 for code in vocabulary)


def test_every_accent_refines_a_language_of_the_one_vocabulary():
    for code, (language, _label) in v.ACCENTS.items():
        assert language in LANGUAGES, code
    # Darija's regional accents, and the dialects casting asks for, are all there.
    assert sum(1 for language, _ in v.ACCENTS.values() if language == "ary") >= 8
    for dialect in ("ary", "shi", "rif", "tzm", "mey", "arz", "apc", "fr", "en", "es"):
        assert dialect in LANGUAGES


@pytest.mark.parametrize(
    "vocabulary",
    [v.TALENT_TYPES, v.EYE_COLOURS, v.HAIR_COLOURS, v.SKILLS, v.ASSETS, v.ETHNICITIES],
)
def test_labels_are_translated_into_english(app, vocabulary):
    with app.test_request_context():
        with force_locale("en"):
            english = {code: str(label) for code, label in vocabulary.items()}
        with force_locale("fr"):
            french = {code: str(label) for code, label in vocabulary.items()}
    untranslated = [
        code for code in vocabulary if english[code] == french[code] and not english[code].isascii()
    ]
    assert not untranslated


def test_imported_labels_map_onto_codes(app):
    with app.test_request_context():
        assert v.code_for_label(v.EYE_COLOURS, "Noisette") == "hazel"
        assert v.code_for_label(v.EYE_COLOURS, "noisette ") == "hazel"
        assert v.code_for_label(v.HAIR_COLOURS, "CHÂTAINS") == "chestnut"
        assert v.code_for_label(v.TALENT_TYPES, "Cascadeur") == "stunt"
        assert v.code_for_label(v.ETHNICITIES, "Maghrébin") == "north_african"
        aliases = v.IMPORT_ALIASES["hair_type"]
        assert v.code_for_label(v.HAIR_TYPES, "Afro", aliases) == "coily"
        assert v.code_for_label(v.HAIR_TYPES, "Violet", aliases) is None


def test_cinema_codes_are_ten_characters_and_continue_in_base_36():
    assert format_cinema_code("ma", "ozz", 42, "f") == "MAOZZ0042F"
    assert format_cinema_code("MA", "CAS", 9999, "M") == "MACAS9999M"
    assert format_cinema_code("MA", "CAS", 10000, "M") == "MACASA000M"
    assert all(len(format_cinema_code("SN", "DKR", n, "N")) == 10 for n in (1, 10000, 999999))
