"""The home page's showcase (profiles/search/showcase.py): how the search box's text becomes
directory parameters, and the bounded « newest with a photo »."""

from __future__ import annotations

from talento.extensions import db
from talento.profiles.search.showcase import (
    Lookup,
    directory_args,
    name_key,
    name_keys,
    newest_cards,
)

LOOKUP = Lookup(
    skills={
        **{key: ("actor",) for key in name_keys("Comédien·ne") | name_keys("Actor / actress")},
        **{key: ("voice-over",) for key in name_keys("Voix off / doublage")},
        "danse": ("dance-contemporary", "dance-urban"),
    },
    cities={"fes": ("MA", 7), "ben guerir": ("MA", 9), "laayoune": ("MA", 11)},
)


def test_names_are_compared_without_accents_case_or_punctuation():
    assert name_key("  Fès ") == "fes"
    assert name_key("LAÂYOUNE") == "laayoune"
    assert name_key("Comédien·ne") == "comedien ne"
    assert name_keys("Comédien·ne") == {"comedien ne", "comedien", "comedienne"}
    assert name_keys("Voix off / doublage") == {"voix off doublage", "voix off", "doublage"}


def test_text_to_directory_parameters():
    assert directory_args("", LOOKUP) == []
    assert directory_args("   ", LOOKUP) == []
    assert directory_args("Fès", LOOKUP) == [("country", "MA"), ("city", "7")]
    assert directory_args("ben   GUERIR", LOOKUP) == [("country", "MA"), ("city", "9")]
    assert directory_args("Laâyoune comédienne", LOOKUP) == [
        ("skill", "actor"),
        ("country", "MA"),
        ("city", "11"),
    ]
    assert directory_args("actress", LOOKUP) == [("skill", "actor")]
    assert directory_args("doublage", LOOKUP) == [("skill", "voice-over")]
    assert directory_args("danse", LOOKUP) == [
        ("skill", "dance-contemporary"),
        ("skill", "dance-urban"),
    ]
    assert directory_args("Amina El Idrissi fes", LOOKUP) == [
        ("q", "Amina El Idrissi"),
        ("country", "MA"),
        ("city", "7"),
    ]
    assert directory_args("maf0001cas", LOOKUP) == [("q", "maf0001cas")]  # a code as typed
    assert directory_args("x" * 500, LOOKUP) == [("q", "x" * 100)]  # the directory's limit


def test_newest_looks_only_at_the_most_recent_talents(app, make_talent):
    make_talent(first_name="Ancienne", photo_name="a" * 32 + ".jpg")
    make_talent(first_name="Récente")  # no photo
    with app.app_context():
        assert [c.first_name for c in newest_cards(db.session, "fr")] == ["Ancienne"]
        assert newest_cards(db.session, "fr", window=1) == ()
