"""The casting search: each criterion filters the hand-made profiles it should, on both
backends (the SQL is portable: ages and distances are computed in Python); who is never
searched; facet counts over the result set; the order of the sorts."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.casting.search_fixtures import make_casting  # noqa: F401  (fixture)

pytestmark = pytest.mark.both_backends


def _page(app, per_page: int = 48, **args):
    """One page as the view builds it: the facets' statement counts (and, the matches being
    few, picks the page's ids), the page lists. The page read apart (walking the indexes in
    the asked order, as for a broad search) must be the same, card for card."""
    from talento.casting.search.facets import facet_counts
    from talento.casting.search.filters import parse_filters
    from talento.casting.search.query import search
    from talento.extensions import db, utctoday

    with app.app_context():
        f = parse_filters(args)
        offset = (f.page - 1) * per_page
        facets = facet_counts(db.session, f, utctoday(), page=(offset, per_page))
        page = search(
            db.session, f, utctoday(), total=facets.total,
            per_page=per_page, page_ids=facets.page_ids,
        )  # fmt: skip
        walked = search(
            db.session, f, utctoday(), total=facets.total,
            per_page=per_page,
        )  # fmt: skip
        db.session.remove()
    assert (facets.page_ids is None) == bool(f.q)  # a text: the page is always read apart
    assert page == walked
    return page


def _found(app, **args) -> set[str]:
    page = _page(app, per_page=100, **args)
    assert page.total == len(page.items)
    return {card.last_name for card in page.items}


@pytest.fixture
def cast(app, make_casting):  # noqa: F811
    """A small cast: five searchable profiles and three that must never be found."""
    now = dt.datetime.now(dt.UTC)
    make_casting(
        last_name="Amrani",
        gender="F",
        age=25,
        city="OZZ",
        height_cm=165,
        eye_colour="hazel",
        hair_colour="black",
        hair_type="curly",
        hair_length="long",
        skin_tone="olive",
        build="slim",
        ethnicity="north_african",
        top_size="s",
        shoe_size=38.0,
        playing_age_min=20,
        playing_age_max=28,
        types=["extra", "model"],
        skills_c=["swimming", "riding_camel"],
        assets=["caftan"],
        accents=["ary_marrakech"],
        photo=True,
        languages={"fr": "native", "ary": "native"},
        artist_card_verified_at=now,
        updated_at=now,
    )
    make_casting(
        last_name="Bennis",
        gender="M",
        age=40,
        city="ZAG",
        height_cm=182,
        eye_colour="brown",
        hair_colour="salt_pepper",
        hair_type="straight",
        hair_length="short",
        skin_tone="tan",
        build="athletic",
        ethnicity="mediterranean",
        top_size="l",
        shoe_size=44.0,
        playing_age_min=35,
        playing_age_max=45,
        types=["stunt"],
        skills_c=["swimming"],
        languages={"fr": "conversational", "en": "fluent"},
        voice_reel_name="v" * 22 + ".mp3",
        updated_at=now - dt.timedelta(days=400),
    )
    make_casting(
        last_name="Chraibi",
        gender="N",
        age=16,
        city="CAS",
        height_cm=150,
        eye_colour="green",
        ethnicity="sub_saharan",
        playing_age_min=14,
        playing_age_max=18,
        types=["extra"],
        languages=["ary"],
        photo=True,
        updated_at=now - dt.timedelta(days=10),
    )
    make_casting(last_name="Daoudi", gender="F", age=60, city="MAR", height_cm=158,
                 types=["principal"], languages=["ar"], code="MAMAR0009F")  # fmt: skip
    make_casting(last_name="Elalami", gender="M", age=30, city="CAS", height_cm=175,
                 types=["voice_over"], languages=["fr"])  # fmt: skip
    # Never searched: hidden by its owner, incomplete, inactive account.
    make_casting(last_name="Hidden", gender="F", age=25, city="OZZ", visibility="hidden")
    make_casting(last_name="Halfway", gender="F", age=25, city="OZZ", registration_step="sizes")
    make_casting(last_name="Inactive", gender="F", age=25, city="OZZ", is_active_account=False)
    return {"Amrani", "Bennis", "Chraibi", "Daoudi", "Elalami"}


CASES = [
    ({}, {"Amrani", "Bennis", "Chraibi", "Daoudi", "Elalami"}),
    ({"q": "amr"}, {"Amrani"}),
    ({"q": "MAMAR0009F"}, {"Daoudi"}),
    ({"q": "mamar0009f"}, {"Daoudi"}),
    ({"type": ["stunt", "principal"]}, {"Bennis", "Daoudi"}),
    ({"gender": "f"}, {"Amrani", "Daoudi"}),
    ({"age_min": "18", "age_max": "30"}, {"Amrani", "Elalami"}),
    ({"age_max": "17"}, {"Chraibi"}),
    ({"play_min": "17", "play_max": "21"}, {"Amrani", "Chraibi"}),
    ({"play_min": "44"}, {"Bennis"}),
    ({"ethnicity": "sub_saharan"}, {"Chraibi"}),
    ({"eyes": ["hazel", "green"]}, {"Amrani", "Chraibi"}),
    ({"hair": "salt_pepper"}, {"Bennis"}),
    ({"hair_type": "curly", "hair_length": "long"}, {"Amrani"}),
    ({"skin": "tan"}, {"Bennis"}),
    ({"build": "slim"}, {"Amrani"}),
    ({"height_min": "160", "height_max": "176"}, {"Amrani", "Elalami"}),
    ({"top": "l"}, {"Bennis"}),
    ({"shoe_min": "40"}, {"Bennis"}),
    ({"shoe_max": "38"}, {"Amrani"}),
    ({"language": "fr"}, {"Amrani", "Bennis", "Elalami"}),
    ({"language": ["fr", "en"]}, {"Bennis"}),
    ({"language": "fr", "level": "fluent"}, {"Amrani", "Elalami"}),
    ({"language": "fr", "level": "native"}, {"Amrani"}),
    ({"accent": "ary_marrakech"}, {"Amrani"}),
    ({"skill": "swimming"}, {"Amrani", "Bennis"}),
    ({"skill": ["swimming", "riding_camel"]}, {"Amrani"}),
    ({"asset": "caftan"}, {"Amrani"}),
    ({"card": "1"}, {"Amrani"}),
    ({"photo": "1"}, {"Amrani", "Chraibi"}),
    ({"voice": "1"}, {"Bennis"}),
    ({"months": "3"}, {"Amrani", "Chraibi", "Daoudi", "Elalami"}),
    ({"country": "MA"}, {"Amrani", "Bennis", "Chraibi", "Daoudi", "Elalami"}),
    ({"country": "SN"}, set()),
    ({"nationality": "MA"}, set()),  # make_talent leaves the nationality empty
    ({"gender": "F", "age_min": "20", "eyes": "hazel", "photo": "1", "language": "fr"},
     {"Amrani"}),
]  # fmt: skip


@pytest.mark.parametrize(("args", "expected"), CASES, ids=[str(c[0]) for c in CASES])
def test_each_criterion_finds_exactly_its_profiles(app, cast, args, expected):
    assert _found(app, **args) == expected


def test_within_a_distance_of_a_city(app, cast):
    from talento.extensions import db
    from talento.geo.models import City, Country

    with app.app_context():
        stmt = (
            db.select(City.code, City.id)
            .join(Country)
            .where(Country.iso2 == "MA", City.code.in_(["OZZ", "CAS"]))
        )
        ids = dict(db.session.execute(stmt).all())
        db.session.remove()
    # Zagora is about 120 km from Ouarzazate, Marrakech about 125, Casablanca 370.
    assert _found(app, near=str(ids["OZZ"]), km="100") == {"Amrani"}
    assert _found(app, near=str(ids["OZZ"]), km="200") == {"Amrani", "Bennis", "Daoudi"}
    assert _found(app, near=str(ids["CAS"]), km="10") == {"Chraibi", "Elalami"}
    assert _found(app, city=str(ids["CAS"])) == {"Chraibi", "Elalami"}
    assert _found(app, near="999999999", km="100") == set()  # an unknown city: nobody


def test_facet_counts_are_those_of_the_result_set(app, cast):
    from talento.casting.search.facets import facet_counts
    from talento.casting.search.filters import parse_filters
    from talento.extensions import db, utctoday

    with app.app_context():
        facets = facet_counts(db.session, parse_filters({"language": "fr"}), utctoday())
        everyone = facet_counts(db.session, parse_filters({}), utctoday())
        db.session.remove()
    assert facets.total == 3
    assert facets.of("gender") == {"F": 1, "M": 2}
    assert facets.of("type") == {"extra": 1, "model": 1, "stunt": 1, "voice_over": 1}
    assert facets.of("skill") == {"swimming": 2, "riding_camel": 1}
    assert facets.of("language") == {"fr": 3, "ary": 1, "en": 1}
    assert facets.of("eyes") == {"hazel": 1, "brown": 1}
    assert everyone.total == 5  # hidden, incomplete and inactive profiles are not counted
    assert everyone.of("gender") == {"F": 2, "M": 2, "N": 1}
    assert everyone.of("type")["extra"] == 2


def test_sorts(app, cast):
    def order(**args) -> list[str]:
        return [card.last_name for card in _page(app, **args).items]

    assert order(sort="height") == ["Chraibi", "Daoudi", "Amrani", "Elalami", "Bennis"]
    assert order(sort="height_desc")[0] == "Bennis"
    assert order(sort="age") == ["Chraibi", "Amrani", "Elalami", "Bennis", "Daoudi"]
    assert order(sort="age_desc")[0] == "Daoudi"
    assert order(sort="newest")[0] == "Elalami"  # the last one made
    relevance = order()
    assert set(relevance[:2]) == {"Amrani", "Chraibi"}  # with a photo first
    assert relevance[2] == "Elalami"  # then the newest


def test_pages(app, cast):
    first = _page(app, per_page=2, sort="height")
    last = _page(app, per_page=2, sort="height", page="3")
    beyond = _page(app, per_page=2, page="99")
    photos_then_newest = [_page(app, per_page=2, page=str(n)).items for n in (1, 2, 3)]
    assert (first.total, first.pages, first.next_page) == (5, 3, 2)
    assert [c.last_name for c in last.items] == ["Bennis"]
    assert [c.last_name for page in photos_then_newest for c in page] == [
        "Chraibi", "Amrani", "Elalami", "Daoudi", "Bennis"
    ]  # fmt: skip
    assert beyond.items == []
    assert (beyond.total, beyond.previous_page) == (5, 3)


def test_broad_searches_do_not_count_the_code_tables(app, cast, monkeypatch):
    import talento.casting.search.facets as facets_module
    from talento.casting.search.facets import facet_counts
    from talento.casting.search.filters import parse_filters
    from talento.extensions import db, utctoday

    monkeypatch.setattr(facets_module, "CODE_FACET_CAP", 2)
    with app.app_context():
        broad = facet_counts(db.session, parse_filters({"country": "MA"}), utctoday())
        narrow = facet_counts(db.session, parse_filters({"gender": "F"}), utctoday())
        db.session.remove()
    assert (broad.total, broad.codes_counted, broad.of("skill")) == (5, False, {})
    assert broad.of("gender") == {"F": 2, "M": 2, "N": 1}  # column facets: always counted
    assert narrow.codes_counted
    assert narrow.of("type") == {"extra": 1, "model": 1, "principal": 1}


def test_the_facets_pick_the_page_of_few_matches_only(app, cast, monkeypatch):
    import talento.casting.search.facets as facets_module
    from talento.casting.search.facets import facet_counts
    from talento.casting.search.filters import parse_filters
    from talento.extensions import db, utctoday

    monkeypatch.setattr(facets_module, "PAGE_CAP", 2)
    with app.app_context():
        broad = facet_counts(db.session, parse_filters({"country": "MA"}), utctoday(), page=(0, 2))
        narrow = facet_counts(db.session, parse_filters({"gender": "F"}), utctoday(), page=(0, 1))
        named = facet_counts(db.session, parse_filters({"q": "Amrani"}), utctoday(), page=(0, 2))
        db.session.remove()
    assert broad.total == 5
    assert broad.page_ids is None  # past PAGE_CAP: query.search walks the indexes
    assert narrow.total == 2
    assert narrow.page_ids is not None
    assert len(narrow.page_ids) == 1
    assert named.page_ids is None  # a text: the relevance of an exact code reads users
