"""The public directory `/talents`: search, filters, sorting, paging, privacy, query plans."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from sqlalchemy import func, insert, select, text, update
from werkzeug.datastructures import MultiDict

from talento.accounts.models import AccountCapability, User
from talento.crypto import KeyRing, encrypted_columns
from talento.extensions import db, utcnow
from talento.geo.models import City, Country
from talento.profiles.models import TalentProfile
from talento.profiles.search.directory import (
    DEFAULT_PER_PAGE,
    MAX_PAGE,
    DirectoryFilters,
    filtered_select,
    parse_filters,
    search_directory,
    years_before,
)
from tests.helpers import SqlStatements

TODAY = dt.date(2026, 6, 15)


# -- helpers -----------------------------------------------------------------------------------


def search(app, lang: str = "fr", **args):
    with app.app_context():
        return search_directory(db.session, parse_filters(args), lang, today=TODAY)


def codes(app, **args) -> list[str]:
    return [card.code for card in search(app, **args).items]


def found(app, **args) -> set[str]:
    return set(codes(app, **args))


def set_user(app, user_id: int, **values) -> None:
    with app.app_context():
        db.session.execute(update(User).where(User.id == user_id).values(**values))
        db.session.commit()


def set_profile(app, user_id: int, **values) -> None:
    with app.app_context():
        db.session.execute(
            update(TalentProfile).where(TalentProfile.user_id == user_id).values(**values)
        )
        db.session.commit()


def city_of(app, iso2: str, code: str | None = None) -> tuple[int, int, str]:
    """(country id, city id, city name): the given city code, else the most populous city."""
    with app.app_context():
        stmt = select(Country.id, City.id, City.name).join(City, City.country_id == Country.id)
        stmt = stmt.where(Country.iso2 == iso2).order_by(City.population.desc())
        if code:
            stmt = stmt.where(City.code == code)
        return tuple(db.session.execute(stmt.limit(1)).one())


def move(app, user_id: int, iso2: str, code: str | None = None) -> int:
    country_id, city_id, _ = city_of(app, iso2, code)
    set_user(app, user_id, country_id=country_id, city_id=city_id)
    return city_id


def page_html(client, query: str = "") -> str:
    response = client.get("/talents" + query)
    assert response.status_code == 200, query
    return html.unescape(response.get_data(as_text=True))


# -- parsing (no database) ---------------------------------------------------------------------


def test_parse_filters_defaults():
    assert parse_filters({}) == DirectoryFilters()
    assert DirectoryFilters().per_page == DEFAULT_PER_PAGE == 24
    assert DirectoryFilters().sort == "recent"


def test_parse_filters_reads_lists_and_multidicts():
    expected = parse_filters({"skill": ["actor", "singer"], "language": ["fr", "ar"]})
    multi = MultiDict([("skill", "actor"), ("skill", "singer"), ("language", "fr")])
    multi.add("language", "ar")
    assert parse_filters(multi) == expected
    assert expected.skills == ("actor", "singer")
    assert expected.languages == ("fr", "ar")


@pytest.mark.parametrize(
    ("args", "field", "value"),
    [
        ({"page": "abc"}, "page", 1),
        ({"page": "0"}, "page", 1),
        ({"page": "-3"}, "page", 1),
        ({"page": "9" * 40}, "page", 1),
        ({"page": "123456789"}, "page", MAX_PAGE),
        ({"page": "٣"}, "page", 1),  # an Arabic-Indic digit is not a page number here
        ({"per_page": "100000"}, "per_page", 100),
        ({"per_page": "0"}, "per_page", 24),
        ({"per_page": "7"}, "per_page", 7),
        ({"age_min": "-5"}, "age_min", None),
        ({"age_max": "500"}, "age_max", None),
        ({"age_min": "1e3"}, "age_min", None),
        ({"availability": "xyz"}, "availability", None),
        ({"availability": "soon"}, "availability", "soon"),
        ({"gender": "f"}, "gender", "F"),
        ({"gender": "X"}, "gender", None),
        ({"country": "ma"}, "country", "MA"),
        ({"country": "Maroc"}, "country", None),
        ({"country": "É1"}, "country", None),
        ({"city": "12"}, "city", None),  # a city without a country is ignored
        ({"country": "MA", "city": "12"}, "city", 12),
        ({"country": "MA", "city": "abc"}, "city", None),
        ({"sort": "drop table"}, "sort", "recent"),
        ({"sort": "name"}, "sort", "name"),
        ({"language": ["FR", "xx", "fr", "ber"]}, "languages", ("fr", "ber")),
        ({"skill": ["Actor", "bad slug!", "actor"]}, "skills", ("actor",)),
        ({"q": "  amina   ben  "}, "q", "amina ben"),
        ({"q": "a" * 500}, "q", "a" * 100),
    ],
)
def test_parse_filters_drops_or_clamps_bad_values(args, field, value):
    assert getattr(parse_filters(args), field) == value


def test_parse_filters_swaps_an_inverted_age_range():
    filters = parse_filters({"age_min": "50", "age_max": "20"})
    assert (filters.age_min, filters.age_max) == (20, 50)


def test_query_args_round_trip():
    args = {
        "q": "ben",
        "skill": ["actor", "singer"],
        "country": "MA",
        "city": "3",
        "availability": "soon",
        "gender": "F",
        "age_min": "18",
        "age_max": "30",
        "language": ["fr", "ar"],
        "sort": "name",
        "per_page": "2",
        "page": "3",
    }
    filters = parse_filters(args)
    assert parse_filters(MultiDict(filters.query_args())) == filters
    assert ("page", "4") in filters.query_args(page=4)
    assert not any(name == "page" for name, _ in filters.query_args(page=1))
    assert DirectoryFilters().query_args() == []


def test_every_sort_has_a_label():
    from talento.profiles.directory_views import SORT_LABELS
    from talento.profiles.search.directory import SORTS

    assert tuple(SORT_LABELS) == SORTS


def test_years_before_handles_29_february():
    assert years_before(dt.date(2028, 2, 29), 18) == dt.date(2010, 2, 28)
    assert years_before(dt.date(2026, 6, 15), 30) == dt.date(1996, 6, 15)


# -- search ------------------------------------------------------------------------------------


@pytest.mark.both_backends
def test_name_prefix_search_is_case_insensitive(app, make_talent):
    make_talent(code="MAF0001CAS", first_name="Amina", last_name="Benali")
    make_talent(code="MAM0002CAS", first_name="Youssef", last_name="Bennani", gender="M")
    make_talent(code="MAM0003CAS", first_name="Karim", last_name="Alaoui", gender="M")
    assert found(app, q="ben") == {"MAF0001CAS", "MAM0002CAS"}
    assert found(app, q="BENN") == {"MAM0002CAS"}
    assert found(app, q="ami") == {"MAF0001CAS"}  # first names too
    assert found(app, q="amina ben") == {"MAF0001CAS"}  # every term must match
    assert found(app, q="BEN amina") == {"MAF0001CAS"}
    assert found(app, q="youssef benali") == set()
    assert found(app, q="ali") == set()  # a prefix, not a substring
    assert found(app, q="") == {"MAF0001CAS", "MAM0002CAS", "MAM0003CAS"}


@pytest.mark.parametrize("q", ["MAF0042RAB", "maf0042rab", "Maf0042Rab", "  maf0042rab "])
def test_code_search_in_any_case(app, make_talent, q):
    make_talent(code="MAF0042RAB", first_name="Salma", last_name="Idrissi")
    make_talent(code="MAF0043RAB", first_name="Salma", last_name="Idrissi")
    assert codes(app, q=q) == ["MAF0042RAB"]
    assert codes(app, q="MAF0042RA") == []  # not a code, not a name prefix


@pytest.mark.both_backends
def test_accented_names(app, make_talent):
    make_talent(code="MAF0001CAS", first_name="Élodie", last_name="Ouédraogo")
    assert codes(app, q="Élo") == ["MAF0001CAS"]
    assert codes(app, q="ouéd") == ["MAF0001CAS"]
    with app.app_context():
        dialect = db.engine.dialect.name
    if dialect == "postgresql":  # SQLite's lower() folds ASCII letters only
        assert codes(app, q="élodie OUÉDRAOGO") == ["MAF0001CAS"]


def test_a_ten_letter_name_is_still_a_name(app, make_talent):
    make_talent(code="MAF0001CAS", first_name="Nour", last_name="Benjelloun")
    assert codes(app, q="benjelloun") == ["MAF0001CAS"]


@pytest.mark.both_backends
def test_like_wildcards_in_the_search_are_literal(app, make_talent):
    make_talent(code="MAF0001CAS", first_name="Sara", last_name="O_Neil")
    make_talent(code="MAM0002CAS", first_name="Omar", last_name="Oxley", gender="M")
    make_talent(code="MAF0003CAS", first_name="Hind", last_name="Back\\slash")
    for q in ("%", "_", "%a", "_mar", "\\"):
        assert found(app, q=q) == set(), q
    assert found(app, q="o_") == {"MAF0001CAS"}
    assert found(app, q="o") == {"MAF0001CAS", "MAM0002CAS"}
    assert found(app, q="back\\") == {"MAF0003CAS"}


def test_skill_filter_matches_any_chosen_skill(app, make_talent):
    a = make_talent(code="MAF0001CAS", skills=["actor"])
    make_talent(code="MAF0002CAS", skills=["singer"])
    make_talent(code="MAF0003CAS", skills=["dance-urban", "actor"])
    assert a
    assert found(app, skill=["singer", "dance-urban"]) == {"MAF0002CAS", "MAF0003CAS"}
    assert found(app, skill="actor") == {"MAF0001CAS", "MAF0003CAS"}
    assert found(app, skill="no-such-skill") == set()


def test_country_and_city_filters(app, make_talent):
    make_talent(code="MAF0001CAS")
    rabat = move(app, make_talent(code="MAF0002RAB"), "MA", "RAB")
    move(app, make_talent(code="SNF0001DAK"), "SN")
    assert found(app, country="MA") == {"MAF0001CAS", "MAF0002RAB"}
    assert found(app, country="ma") == {"MAF0001CAS", "MAF0002RAB"}
    assert found(app, country="SN") == {"SNF0001DAK"}
    assert found(app, country="FR") == set()
    assert found(app, country="MA", city=str(rabat)) == {"MAF0002RAB"}
    assert found(app, country="SN", city=str(rabat)) == set()
    assert len(found(app, city=str(rabat))) == 3  # no country chosen: the city is ignored


def test_availability_and_gender_filters(app, make_talent):
    make_talent(code="MAF0001CAS", availability="immediate", gender="F")
    make_talent(code="MAM0002CAS", availability="soon", gender="M")
    make_talent(code="MAN0003CAS", availability="in_project", gender="N")
    assert found(app, availability="soon") == {"MAM0002CAS"}
    assert found(app, availability="in_project") == {"MAN0003CAS"}
    assert found(app, availability="unavailable") == set()
    assert found(app, gender="m") == {"MAM0002CAS"}
    assert found(app, gender="F", availability="immediate") == {"MAF0001CAS"}
    assert found(app, gender="F", availability="soon") == set()


@pytest.mark.both_backends
def test_age_range_is_computed_from_the_date_of_birth(app, make_talent):
    make_talent(code="MAF0020CAS", date_of_birth=dt.date(2006, 6, 15))  # 20 today
    make_talent(code="MAF0029CAS", date_of_birth=dt.date(1996, 6, 16))  # 30 tomorrow
    make_talent(code="MAF0040CAS", date_of_birth=dt.date(1986, 1, 1))  # 40
    make_talent(code="MAF0000CAS")  # no date of birth: only listed without an age filter
    assert found(app, age_min="30") == {"MAF0040CAS"}
    assert found(app, age_max="29") == {"MAF0020CAS", "MAF0029CAS"}
    assert found(app, age_min="20", age_max="29") == {"MAF0020CAS", "MAF0029CAS"}
    assert found(app, age_min="21", age_max="39") == {"MAF0029CAS"}
    assert found(app, age_min="40", age_max="40") == {"MAF0040CAS"}
    assert found(app, age_max="19") == set()
    assert len(found(app)) == 4


@pytest.mark.both_backends
def test_languages_filter_needs_every_chosen_language(app, make_talent):
    make_talent(code="MAF0001CAS", languages=["fr", "ar"])
    make_talent(code="MAF0002CAS", languages=["fr"])
    make_talent(code="MAF0003CAS", languages=["ar", "ber"])
    assert found(app, language=["fr", "ar"]) == {"MAF0001CAS"}
    assert found(app, language="ar") == {"MAF0001CAS", "MAF0003CAS"}
    assert found(app, language="ber") == {"MAF0003CAS"}
    assert found(app, language=["fr", "ar", "ber"]) == set()


@pytest.mark.both_backends
def test_sort_orders(app, make_talent):
    x = make_talent(code="MAM0001CAS", first_name="Karim", last_name="Zahir")
    y = make_talent(code="MAF0002CAS", first_name="Amina", last_name="alaoui")
    z = make_talent(code="MAM0003CAS", first_name="Bilal", last_name="Alaoui")
    for user_id, month in ((x, 1), (y, 3), (z, 2)):
        set_user(app, user_id, created_at=dt.datetime(2026, month, 1, tzinfo=dt.UTC))
    for user_id, day in ((x, 20), (y, 10), (z, 5)):
        set_profile(app, user_id, updated_at=dt.datetime(2026, 5, day, tzinfo=dt.UTC))
    assert codes(app) == ["MAF0002CAS", "MAM0003CAS", "MAM0001CAS"]
    assert codes(app, sort="recent") == ["MAF0002CAS", "MAM0003CAS", "MAM0001CAS"]
    assert codes(app, sort="name") == ["MAF0002CAS", "MAM0003CAS", "MAM0001CAS"]
    assert codes(app, sort="updated") == ["MAM0001CAS", "MAF0002CAS", "MAM0003CAS"]
    set_user(app, y, last_name="Zz")
    assert codes(app, sort="name") == ["MAM0003CAS", "MAM0001CAS", "MAF0002CAS"]


@pytest.mark.both_backends
def test_pagination(app, client, make_talent):
    for _ in range(5):
        make_talent()
    pages = [search(app, per_page="2", page=str(n)) for n in (1, 2, 3)]
    assert [p.pages for p in pages] == [3, 3, 3]
    assert [p.total for p in pages] == [5, 5, 5]
    seen = [card.code for p in pages for card in p.items]
    assert len(seen) == len(set(seen)) == 5
    assert [len(p.items) for p in pages] == [2, 2, 1]
    beyond = search(app, per_page="2", page="4")
    assert beyond.items == []
    assert beyond.total == 5
    assert beyond.previous_page == 3
    assert beyond.next_page is None
    assert pages[0].previous_page is None
    assert pages[0].next_page == 2

    last = page_html(client, "?per_page=2&page=4")
    assert "Cette page ne contient aucun talent." in last
    assert 'href="/talents?per_page=2&page=3"' in last


def test_only_active_talents_with_a_profile_are_listed(app, make_user, make_talent):
    make_talent(code="MAF0001CAS")
    make_talent(code="MAF0002CAS", is_active_account=False)
    make_talent(code="MAN0001RAB", capabilities=["admin"])
    make_talent(code="MAF0003CAS", capabilities=["presence"])
    make_user(code="MAF0004CAS")  # an account without a talent profile
    make_talent(code="MAF0005CAS", capabilities=["recruiter"])  # a profile, but no talent
    make_talent(code="MAF0006CAS", capabilities=["talent", "recruiter", "admin"])  # combined
    assert codes(app) == ["MAF0006CAS", "MAF0001CAS"]
    assert search(app).total == 2
    for q in ("MAF0002CAS", "MAN0001RAB", "MAF0003CAS", "MAF0004CAS", "MAF0005CAS"):
        assert codes(app, q=q) == []


def test_one_query_for_the_page_and_one_for_the_skills(app, make_talent):
    for n in range(6):
        make_talent(skills=["actor", "singer", "dj"][: n % 3 + 1], languages=["fr"])
    with app.app_context():
        statements = SqlStatements(db.engine)
        with statements:
            full = search_directory(db.session, parse_filters({}), "fr")
        assert len(full.items) == 6
        assert len(statements.seen) == 2
        with statements:
            paged = search_directory(db.session, parse_filters({"per_page": "2"}), "fr")
        assert paged.total == 6
        assert len(statements.seen) == 2  # the total is a window over the page's own query


def test_cards_show_at_most_five_skills_the_searched_ones_first(app, make_talent):
    many = ["actor", "singer", "dj", "camera", "editing", "sound", "writing"]
    make_talent(code="MAF0001CAS", skills=many)
    (card,) = search(app).items
    assert len(card.skills) == 5
    (card,) = search(app, skill="writing").items
    assert card.skills[0] == "Rédaction"
    (card,) = search(app, lang="en", skill="writing").items
    assert card.skills[0] == "Writing"


# -- privacy -----------------------------------------------------------------------------------


SECRETS = ("+212600000001", "600000001", "+212600000002", "Rue Secrète", "secret.person")


def _secret_talent(make_talent) -> int:
    return make_talent(
        code="MAF0001CAS",
        first_name="Amina",
        last_name="Benali",
        email="secret.person@example.org",
        phone="+212600000001",
        whatsapp="+212600000002",
        address="Rue Secrète",
        links={"website": "https://secret.example.org"},
        skills=["actor"],
        languages=["fr"],
    )


def test_the_page_never_shows_contact_data(client, make_talent):
    _secret_talent(make_talent)
    for query in ("", "?q=amina", "?q=maf0001cas", "?country=MA&language=fr&skill=actor"):
        page = page_html(client, query)
        assert "Amina Benali" in page, query
        for secret in SECRETS + ("secret.example.org", "@example.org"):
            assert secret not in page, (query, secret)


def test_the_directory_never_decrypts_nor_selects_encrypted_columns(
    app, client, make_talent, monkeypatch
):
    user_id = _secret_talent(make_talent)
    _, casablanca, _ = city_of(app, "MA", "CAS")
    calls: list[str] = []
    original = KeyRing.decrypt_with_fingerprint

    def counting(self, stored):
        calls.append(stored)
        return original(self, stored)

    monkeypatch.setattr(KeyRing, "decrypt_with_fingerprint", counting)
    everything = (
        f"?q=MAF0001CAS&skill=actor&country=MA&city={casablanca}&availability=immediate"
        "&gender=F&age_min=1&age_max=99&language=fr&sort=name&per_page=1"
    )
    with app.app_context():
        engine = db.engine
    with SqlStatements(engine) as statements:
        for query in ("", "?q=amina", everything, everything + "&page=5", "?sort=updated"):
            page_html(client, query)
    assert statements.seen
    assert calls == []
    encrypted = {name for model in (User, TalentProfile) for name in encrypted_columns(model)}
    assert encrypted == {"phone", "whatsapp", "address", "links"}
    for statement in statements.seen:
        for name in encrypted:
            assert not re.search(rf"\b{name}\b", statement, re.IGNORECASE), statement

    with app.app_context():  # the counter does see a decryption when one happens
        assert db.session.get(User, user_id).phone == "+212600000001"
    assert calls


# -- the page ----------------------------------------------------------------------------------


def test_page_renders_cards_with_public_fields(client, make_talent):
    make_talent(
        code="MAF0001CAS",
        first_name="Amina",
        last_name="Benali",
        photo_name="abc123.webp",
        skills=["actor", "singer"],
        availability="soon",
    )
    make_talent(code="MAM0002CAS", first_name="Youssef", last_name="Bennani", gender="M")
    page = page_html(client)
    assert "2 talents" in page
    assert '<a href="/p/MAF0001CAS">Amina Benali</a>' in page
    img = '<img class="directory__avatar" src="/media/photos/thumbs/abc123.webp"'
    assert img + ' loading="lazy" alt=""' in page
    assert (
        '<span class="directory__avatar directory__avatar--initials" aria-hidden="true">YB</span>'
        in page
    )
    assert "Casablanca, Maroc" in page
    assert "Comédien·ne" in page
    assert "Chant" in page
    assert "Disponibilité : prochainement" in page
    assert "Disponibilité : immédiate" in page

    one = page_html(client, "?q=benali")
    assert "1 talent" in one
    assert "Youssef" not in one

    english = page_html(client, "?lang=en")
    assert "Actor / actress" in english
    assert "Casablanca, Morocco" in english


def test_empty_result_message(client, make_talent):
    make_talent(first_name="Amina", last_name="Benali")
    page = page_html(client, "?q=zzz")
    assert "Aucun talent ne correspond à ces critères." in page
    assert "directory__card" not in page


def test_bad_query_parameters_never_fail(client, make_talent):
    make_talent()
    queries = [
        "?page=abc",
        "?age_min=-5",
        "?availability=xyz",
        "?per_page=100000",
        "?page=0",
        "?page=-1",
        "?page=" + "9" * 30,
        "?page=123456789",
        "?per_page=-1",
        "?city=abc&country=MA",
        "?city=99999999999999&country=MA",
        "?country=ZZ",
        "?skill=%27%3B--&skill=" + "x" * 300,
        "?sort=drop",
        "?q=" + "a" * 1000,
        "?q=%25&q=%5F",
        "?language=xx&language=",
        "?gender=Q",
        "?age_min=50&age_max=20",
        "?age_min=1e9&age_max=%C2%B2",
    ]
    for query in queries:
        page_html(client, query)
    # A NUL cannot be stored nor searched: the input gate refuses it with a readable 400.
    for query in ("?country=%00%00", "?q=%00"):
        response = client.get("/talents" + query)
        assert response.status_code == 400, query
        assert "caractère non autorisé" in response.get_data(as_text=True)


def test_filter_form_fields_all_have_labels(client, make_talent):
    make_talent()
    for query in ("", "?country=MA"):
        page = page_html(client, query)
        ids = set(re.findall(r'<(?:input|select)\b[^>]*\bid="([^"]+)"', page))
        labelled = set(re.findall(r'<label for="([^"]+)"', page))
        assert ids
        assert ids <= labelled, ids - labelled
        fields = re.findall(r"<(?:input|select)\b[^>]*>", page)
        assert all('id="' in f or 'type="hidden"' in f for f in fields)


def test_form_offers_skills_by_category_and_only_useful_places(app, client, make_talent):
    make_talent(code="MAF0001CAS", languages=["fr", "ber"])
    page = page_html(client)
    assert "<legend>Jeu et interprétation</legend>" in page
    assert 'id="skill-actor" name="skill" value="actor">' in page
    assert 'id="skill-singer"' not in page  # no listed talent has it
    assert '<option value="MA">Maroc</option>' in page
    assert '<option value="FR">' not in page  # no talent there
    assert "Choisissez d'abord un pays." in page
    assert 'id="language-ber"' in page
    assert 'id="language-zgh"' not in page
    assert 'id="language-de"' not in page  # nobody listed speaks it

    chosen = page_html(client, "?country=SN")  # the chosen country is offered, even empty
    assert '<option value="SN" selected>' in chosen
    assert '<option value="MA">Maroc</option>' in chosen
    assert "Choisissez d'abord un pays." not in chosen

    _, casablanca, _ = city_of(app, "MA", "CAS")
    _, rabat, _ = city_of(app, "MA", "RAB")
    morocco = page_html(client, "?country=MA")
    assert f'<option value="{casablanca}">Casablanca</option>' in morocco
    assert f'<option value="{rabat}">' not in morocco  # no talent in Rabat
    with_city = page_html(client, f"?country=MA&city={rabat}")
    assert f'<option value="{rabat}" selected>' in with_city
    assert "Aucun talent ne correspond à ces critères." in with_city


def test_form_keeps_the_chosen_filters_and_pages_keep_them(client, make_talent):
    for n in range(3):
        make_talent(first_name="Amina", last_name=f"Benali{n}", skills=["actor"], languages=["fr"])
    page = page_html(client, "?q=ben&skill=actor&language=fr&sort=name&per_page=2")
    assert 'name="q" value="ben"' in page
    assert 'id="skill-actor" name="skill" value="actor" checked' in page
    assert 'id="language-fr" name="language" value="fr" checked' in page
    assert '<option value="name" selected>' in page
    assert '<input type="hidden" name="per_page" value="2">' in page
    assert '<details class="directory__more" open>' in page
    assert "Page 1 sur 2" in page
    assert 'href="/talents?q=ben&skill=actor&language=fr&sort=name&per_page=2&page=2"' in page


def test_unknown_choices_from_the_url_are_ignored_by_the_page(client, make_talent):
    make_talent(code="MAF0001CAS")
    page = page_html(client, "?skill=no-such-skill&country=ZZ")
    assert "1 talent" in page
    assert "MAF0001CAS" in page


# -- PostgreSQL query plan ---------------------------------------------------------------------


@pytest.mark.postgres
def test_country_and_availability_filter_uses_an_index_on_postgresql(app):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("query plans are checked on PostgreSQL")
        countries = db.session.execute(
            select(Country.id, Country.iso2).order_by(Country.iso2).limit(40)
        ).all()
        now = utcnow()
        db.session.execute(
            insert(User),
            [
                {
                    "code": f"T{n:09d}",
                    "email": f"bulk{n}@example.org",
                    "first_name": f"Prenom{n}",
                    "last_name": f"Nom{n}",
                    "gender": "MFN"[n % 3],
                    "country_id": countries[n % len(countries)].id,
                    "created_at": now - dt.timedelta(minutes=n),
                    "email_verified_at": now,
                }
                for n in range(2000)
            ],
        )
        user_ids = db.session.scalars(select(User.id)).all()
        availabilities = ("immediate", "soon", "unavailable", "in_project")
        db.session.execute(
            insert(TalentProfile),
            [  # by rank, not by id: ids do not start at 1 in a rolled-back test's transaction
                {"user_id": uid, "availability": availabilities[n // 3 % 4]}
                for n, uid in enumerate(sorted(user_ids))
            ],
        )
        talent = [{"user_id": uid, "capability": "talent"} for uid in user_ids]
        db.session.execute(insert(AccountCapability), talent)
        db.session.commit()
        db.session.execute(text("ANALYZE users"))
        db.session.execute(text("ANALYZE talent_profiles"))
        db.session.execute(text("ANALYZE account_capabilities"))

        filters = DirectoryFilters(country=countries[7].iso2, availability="soon")
        count = select(func.count()).select_from(filtered_select(filters).subquery())
        sql = str(count.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True}))
        plan = "\n".join(db.session.scalars(text("EXPLAIN " + sql)))
        assert "ix_users_country_city" in plan, plan
        assert "Seq Scan on users" not in plan, plan

        page = search_directory(db.session, filters, "fr")
        assert page.total == db.session.scalar(count) > 0
        db.session.rollback()
