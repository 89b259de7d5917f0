"""Spoken languages (issue 12, point 2): the vocabulary, levels in the profile form, the
directory's checkbox lists with their filter box, and what the public page shows (point 4)."""

from __future__ import annotations

import html as html_lib
import re

import pytest
from sqlalchemy import select

from talento.accounts.models import User
from talento.extensions import db
from talento.geo.services import french_key
from talento.profiles.languages import (
    LANGUAGES,
    LEVEL_LABELS,
    MOROCCAN,
    OTHERS,
    display_order,
    language_groups,
    levels_at_least,
)
from talento.profiles.models import LanguageLevel
from talento.profiles.search.directory import parse_filters
from talento.profiles.services import export_my_data, language_levels
from talento.refusals import Refused
from tests.helpers import SqlStatements, _csrf_from, login
from tests.profiles.test_registration import _form, _jpeg, _post

CODE = "MAF0001CAS"


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return html_lib.unescape(response.get_data(as_text=True))


# -- the vocabulary ----------------------------------------------------------------------------


def test_the_vocabulary_has_60_languages_and_those_of_morocco():
    assert len(LANGUAGES) >= 60
    for code in ("ary", "ar", "ber", "shi", "rif", "tzm", "mey", "fr", "en", "es"):
        assert code in MOROCCAN, code
    for code in ("arz", "apc", "wo", "sw", "ha", "yo", "am", "zh", "pt", "de", "ru", "hi"):
        assert code in OTHERS, code  # dialects for casting, African and world languages
    assert all(re.fullmatch(r"[a-z]{2,3}", code) for code in LANGUAGES)  # String(3) column
    # Every code stored before this vocabulary still means something.
    for old in ("ar", "ary", "ber", "fr", "en", "es", "de", "it", "pt", "wo", "sw", "ha", "zh"):
        assert old in LANGUAGES
    names = [str(name) for name in LANGUAGES.values()]
    assert len(set(names)) == len(names)
    assert set(LEVEL_LABELS) == {level.value for level in LanguageLevel}
    assert [str(LEVEL_LABELS[lv]) for lv in ("native", "fluent", "conversational", "notions")] == [
        "Langue maternelle",
        "Courant",
        "Conversationnel",
        "Notions",
    ]
    assert set(levels_at_least("fluent")) == {"native", "fluent"}
    assert set(levels_at_least("notions")) == set(LEVEL_LABELS)


def test_morocco_first_then_the_others_as_a_french_reader_sorts(app):
    with app.test_request_context("/?lang=fr"):
        ordered = display_order(LANGUAGES)
        assert ordered[: len(MOROCCAN)] == list(MOROCCAN)
        assert ordered[:3] == ["ary", "ar", "ber"]
        others = [str(LANGUAGES[code]) for code in ordered[len(MOROCCAN) :]]
        assert others == sorted(others, key=french_key)
        # accents do not go after z: « Éwé » sits among the E's, before « Finnois »
        assert others.index("Éwé") < others.index("Finnois")
        assert others.index("Danois") < others.index("Éwé")
        groups = language_groups()
        assert [label for label, _ in groups] == ["Langues du Maroc", "Autres langues"]
        assert groups[0][1][0] == ("ary", "Darija (arabe marocain)")


def test_the_service_takes_levels_and_refuses_unknown_ones():
    assert language_levels({"ary": "native", "fr": "fluent"}) == {"ary": "native", "fr": "fluent"}
    assert language_levels(["fr"]) == {"fr": "fluent"}
    for bad in ({"xx": "fluent"}, {"fr": "expert"}):
        with pytest.raises(Refused) as refused:
            language_levels(bad)
        assert refused.value.field == "languages"


# -- the profile form --------------------------------------------------------------------------


def _select(html: str, code: str) -> str:
    match = re.search(rf'<select id="lang-{code}" name="lang-{code}">(.*?)</select>', html)
    assert match, code
    return match.group(1)


def _selected(html: str, code: str) -> str:
    match = re.search(r'<option value="([a-z]*)" selected>', _select(html, code))
    return match.group(1) if match else ""


def test_registration_offers_a_level_per_language_morocco_first(client):
    html = page(client, "/auth/register")
    assert " multiple" not in html
    codes = re.findall(r'<select id="lang-([a-z]+)"', html)
    assert len(codes) == len(LANGUAGES) >= 60
    assert codes[: len(MOROCCAN)] == list(MOROCCAN)
    options = re.findall(r'<option value="([a-z]*)"', _select(html, "shi"))
    assert options == ["", "native", "fluent", "conversational", "notions"]
    assert _select(html, "shi").startswith('<option value="">—<option value="native">')
    # The filter box is hidden until the script shows it; every language has a label.
    assert re.search(r'<p class="filter-list__box" data-filter-box hidden>', html)
    assert '<label for="lang-tzm">Tamazight du Moyen Atlas</label>' in html
    assert "js/filter-list.js" in html


def test_registration_stores_languages_with_their_level(app, client):
    data = _form(app, **{"lang-ary": "native", "lang-fr": "fluent"})
    data.pop("languages")
    data["lang-shi"] = "notions"
    data["lang-de"] = "expert"  # not a level: ignored
    response = _post(client, data, photo=_jpeg())
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == "yasmine@example.ma")).one()
        levels = {lang.code: lang.level for lang in user.profile.languages}
    assert levels == {"ary": "native", "fr": "fluent", "shi": "notions"}


def test_edit_shows_the_chosen_languages_first_and_changes_levels(app, client, make_talent):
    user_id = make_talent(
        email="owner@example.org",
        phone="+212612345678",
        languages={"ber": "native", "en": "notions"},
    )
    login(client, "owner@example.org")
    html = page(client, "/profile/edit")
    first_group = re.search(r'<legend>([^<]*)</legend>\s*<ul class="language-levels">', html)
    assert first_group
    assert first_group.group(1) == "Vos langues"
    codes = re.findall(r'<select id="lang-([a-z]+)"', html)
    assert codes[:2] == ["ber", "en"]  # chosen first, in display order
    assert codes[2:4] == ["ary", "ar"]  # then Morocco's
    assert sorted(codes) == sorted(LANGUAGES)  # each language once
    assert _selected(html, "ber") == "native"
    assert _selected(html, "en") == "notions"
    assert _selected(html, "ary") == ""

    # Post the page back as a browser would: « en » better, « ary » added, nothing else spoken.
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html))
    data = {name: value for name, value in fields.items() if not name.startswith("link_")}
    data |= {
        "gender": "F",
        "date_of_birth": "1990-01-02",
        "nationality": "MA",
        "country": "MA",
        "city": re.search(r'<option selected value="(\d+)">', html).group(1),
        "skills": ["actor"],
        "availability": "immediate",
        "work_mode": "flexible",
        "lang-ber": "native",
        "lang-en": "fluent",  # better now
        "lang-ary": "native",  # added
    }
    data["csrf_token"] = _csrf_from(client.get("/profile/edit").get_data(as_text=True))
    response = client.post("/profile/edit", data=data)
    errors = re.findall(r'class="field-error"[^>]*>([^<]*)', response.get_data(as_text=True))
    assert response.status_code == 302, errors
    with app.app_context():
        user = db.session.get(User, user_id)
        assert {lang.code: lang.level for lang in user.profile.languages} == {
            "ber": "native",
            "en": "fluent",
            "ary": "native",
        }
        exported = export_my_data(user)["profile"]["languages"]
    assert {"code": "en", "name": "Anglais", "level": "fluent"} in exported
    own = page(client, "/profile")
    assert "Amazigh (tamazight) (langue maternelle)" in own


# The registration page's weight (HTML + CSS + JS under 100 KB, these 90-odd selects included)
# is test_registration_form.test_the_registration_page_stays_light.


# -- the directory -----------------------------------------------------------------------------


@pytest.fixture
def speakers(make_talent):
    make_talent(
        code="MAF0001CAS",
        skills=["actor"],
        languages={"ary": "native", "fr": "fluent", "shi": "conversational"},
    )
    make_talent(code="MAF0002CAS", skills=["singer"], languages={"ary": "native", "fr": "notions"})
    make_talent(code="MAF0003CAS", skills=["dj"], languages={"en": "native", "fr": "native"})


def _codes(html: str) -> set[str]:
    return set(re.findall(r'<p class="code">([A-Z0-9]+)</p>', html))


@pytest.mark.both_backends
def test_directory_filters_by_several_languages_skills_and_a_level(client, speakers):
    every = page(client, "/talents?language=ary&language=fr")
    assert _codes(every) == {"MAF0001CAS", "MAF0002CAS"}  # every language ticked
    assert _codes(page(client, "/talents?skill=actor&skill=dj")) == {"MAF0001CAS", "MAF0003CAS"}
    fluent = page(client, "/talents?language=fr&level=fluent")
    assert _codes(fluent) == {"MAF0001CAS", "MAF0003CAS"}  # « au moins courant »
    assert _codes(page(client, "/talents?language=shi&level=fluent")) == set()
    assert _codes(page(client, "/talents?language=shi&level=conversational")) == {"MAF0001CAS"}
    assert parse_filters({"level": "fluent"}).level is None  # a level needs a language
    assert ("level", "fluent") in parse_filters({"language": "fr", "level": "fluent"}).query_args()
    assert '<option value="fluent" selected>Au moins courant</option>' in fluent


def test_totals_stay_right_with_levels_and_filter_boxes(client, speakers, make_talent):
    make_talent(code="MAF0004CAS", languages={"fr": "conversational"})
    # A full first page: the total comes from a COUNT, or from the cached number of listed
    # talents only when nothing filters the results (a filter box does not).
    assert "3 talents" in page(client, "/talents?language=fr&level=conversational&per_page=2")
    assert "2 talents" in page(client, "/talents?language=fr&level=fluent&per_page=1")
    assert "4 talents" in page(client, "/talents?language=fr&per_page=2")
    assert "4 talents" in page(client, "/talents?language_filter=zz&skill_filter=zz&per_page=2")


def test_directory_lists_are_checkboxes_of_what_listed_talents_have(client, speakers):
    html = page(client, "/talents")
    assert "multiple" not in html
    assert "Ctrl" not in html
    languages = re.findall(r'id="language-([a-z]+)" name="language"', html)
    assert languages == ["ary", "shi", "fr", "en"]  # Morocco's order; nobody speaks « de »
    skills = re.findall(r'id="skill-([a-z-]+)" name="skill"', html)
    assert sorted(skills) == ["actor", "dj", "singer"]
    assert html.count("data-filter-list") == 2
    assert '<label for="language_filter">Chercher une langue</label>' in html
    chosen = page(client, "/talents?language=de")  # chosen in the URL: still offered, ticked
    assert 'id="language-de" name="language" value="de" checked' in chosen


def test_the_filter_box_narrows_the_lists_without_javascript(client, speakers):
    html = page(client, "/talents?language_filter=TACH&language=fr&skill_filter=chan")
    assert 'name="language_filter" value="TACH"' in html
    shown = re.findall(r'<li class="directory__check" data-filter-item="([^"]+)">', html)
    hidden = re.findall(r'<li class="directory__check" data-filter-item="([^"]+)" hidden>', html)
    # Tachelhit matches (case ignored), Français is ticked: both stay; the others are hidden.
    assert {"Tachelhit (chleuh)", "Français", "Chant"} <= set(shown)
    assert {"Darija (arabe marocain)", "Anglais", "Comédien·ne"} <= set(hidden)
    # Accents do not count: « francais » finds Français.
    accents = page(client, "/talents?language_filter=francais")
    assert '<details class="directory__more" open>' in accents  # the narrowed list shows
    assert re.search(r'data-filter-item="Français">', accents)
    # The filter box narrows the list, never the results, and pages do not carry it.
    assert _codes(html) == {"MAF0001CAS", "MAF0002CAS", "MAF0003CAS"}
    paged = page(client, "/talents?language_filter=tach&skill_filter=chan&per_page=2")
    next_page = re.search(r'rel="next" href="([^"]+)"', paged).group(1)
    assert next_page == "/talents?per_page=2&page=2"


def test_the_lists_come_from_one_cached_aggregate(app, client, make_talent, speakers):
    page(client, "/talents")  # fills the caches
    with app.app_context():
        with SqlStatements(db.engine) as cached:
            page(client, "/talents")
        make_talent(code="MAF0004CAS", skills=["actor"], languages={"de": "fluent"})
        with SqlStatements(db.engine) as refreshed:
            html = page(client, "/talents")
    assert not any("UNION ALL" in statement for statement in cached.seen)
    assert sum("UNION ALL" in statement for statement in refreshed.seen) == 1
    assert 'id="language-de"' in html  # a change in this process drops the cache at once


# -- the public page ---------------------------------------------------------------------------


PRIVATE = ("+212612345678", "612345678", "secret@example.org", "12 rue des Secrets", "cv-token")


@pytest.mark.both_backends
def test_public_page_shows_what_a_recruiter_needs(client, make_talent):
    make_talent(
        email="secret@example.org",
        phone="+212612345678",
        address="12 rue des Secrets",
        availability="soon",
        work_mode="hybrid",
        years_experience=7,
        rate_min=800,
        rate_max=1500,
        skills=["actor", "singer"],
        languages={"fr": "fluent", "ary": "native", "shi": "notions"},
        links={
            "instagram": "https://instagram.com/a",
            "linkedin": "https://linkedin.com/in/a",
            "imdb": "https://imdb.com/name/a",
        },
        public_links="imdb,instagram",
        photo_name="photo-token_1.jpg",
        cv_name="cv-token.pdf",
    )
    html = page(client, f"/p/{CODE}")
    assert re.search(r'id="public-availability"[^>]*>Prochainement<', html)
    assert 'id="public-experience">7 ans<' in html
    assert 'id="public-work-mode">Hybride<' in html
    rate = re.search(r'id="public-rate">([^<]*)<', html).group(1)
    assert re.fullmatch(r"800 à 1\s?500 MAD", rate), rate
    languages = re.findall(
        r'<li data-code="([a-z]+)"><span>([^<]+)</span> <span class="muted">([^<]+)</span>', html
    )
    assert languages == [
        ("ary", "Darija (arabe marocain)", "Langue maternelle"),
        ("fr", "Français", "Courant"),
        ("shi", "Tachelhit (chleuh)", "Notions"),
    ]
    assert re.search(r'id="public-skills">\s*<li>Chant</li><li>Comédien·ne</li>', html)
    assert 'id="public-place">Casablanca, Maroc<' in html
    # Links: the chosen kinds only, each an icon (hidden from screen readers) and its name.
    links = re.findall(r'data-kind="([a-z]+)"><svg class="icon"[^>]*aria-hidden="true"', html)
    assert links == ["imdb", "instagram"]
    assert re.findall(r"</svg><span>([^<]+)</span></a>", html) == ["IMDb", "Instagram"]
    assert "linkedin" not in html.lower()
    assert ">imdb<" not in html  # never the raw key
    # A large, responsive photo.
    assert (
        '<img class="public-profile__photo" src="/media/photos/photo-token_1.jpg" width="480"'
        in (html)
    )
    for private in PRIVATE:
        assert private not in html


def test_public_page_leaves_out_what_is_not_given(client, make_talent):
    make_talent(
        years_experience=None,
        rate_min=None,
        rate_max=None,
        skills=[],
        languages=[],
        links=None,
        public_links="",
        photo_name=None,
    )
    html = page(client, f"/p/{CODE}")
    for absent in (
        "public-experience",
        "public-rate",
        "public-languages",
        "public-skills",
        "public-links",
        "public-profile__photo",
        "MAD",
    ):
        assert absent not in html, absent
    assert 'id="public-availability"' in html  # always known
    assert 'id="public-work-mode"' in html


@pytest.mark.parametrize(
    ("low", "high", "shown"),
    [(500, None, "À partir de 500 MAD"), (None, 900, "Jusqu'à 900 MAD"), (700, 700, "700 MAD")],
)
def test_public_page_rate_when_only_one_bound_is_given(client, make_talent, low, high, shown):
    make_talent(rate_min=low, rate_max=high)
    assert f'id="public-rate">{shown}<' in page(client, f"/p/{CODE}")
