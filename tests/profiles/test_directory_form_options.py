"""The directory's filter form: its options come from one aggregate of the listed talents
(kept a short time per process), never from one query per country; and they are right."""

from __future__ import annotations

from sqlalchemy import select

from talento.extensions import db
from talento.geo.models import City, Country
from talento.profiles.search.directory import (
    ListedPlaces,
    directory_form,
    parse_filters,
    search_directory,
)
from tests.helpers import SqlStatements
from tests.profiles.test_directory import move, page_html, set_user

COUNTRIES = ["SN", "CI", "NG", "FR", "ES", "TN", "DZ", "EG"]


def _form_statements(app, listed: ListedPlaces, **args) -> int:
    with app.app_context():
        with SqlStatements(db.engine) as statements:
            directory_form(db.session, parse_filters(args), "fr", listed)
        return len(statements.seen)


def test_the_form_costs_a_few_statements_whatever_the_number_of_countries(app, make_talent):
    make_talent()
    few = _form_statements(app, ListedPlaces(ttl=0), country="MA")
    for iso2 in COUNTRIES:
        move(app, make_talent(), iso2)
    many = _form_statements(app, ListedPlaces(ttl=0), country="MA")
    assert few == many <= 4  # skills, listed places, countries, cities
    # Without a chosen country there is no city list to read.
    assert _form_statements(app, ListedPlaces(ttl=0)) == 3


def test_the_whole_page_does_not_grow_with_the_countries(app, client, make_talent):
    make_talent()
    page_html(client)  # warm the app (first request)

    def page_statements() -> int:
        with app.app_context(), SqlStatements(db.engine) as statements:
            page_html(client, "?country=MA")
        return len(statements.seen)

    few = page_statements()
    for iso2 in COUNTRIES:
        move(app, make_talent(), iso2)
    page_html(client)  # the change refreshed the list once
    assert page_statements() == few


def test_a_kept_list_is_not_read_again(app, make_talent):
    make_talent()
    listed = ListedPlaces(ttl=3600)
    first = _form_statements(app, listed)
    assert _form_statements(app, listed) == first - 1  # the places come from the list


def test_a_change_in_this_process_drops_the_kept_list(app, make_talent):
    listed = ListedPlaces(ttl=3600)
    make_talent()
    with app.app_context():
        before = listed.pairs(db.session)
    senegal = move(app, make_talent(), "SN")  # an ORM UPDATE of users
    with app.app_context():
        after = listed.pairs(db.session)
        sn = db.session.scalar(select(Country.id).where(Country.iso2 == "SN"))
    assert (sn, senegal) not in before
    assert (sn, senegal) in after


def test_options_are_the_places_of_listed_talents_plus_the_chosen_one(app, client, make_talent):
    make_talent()  # Casablanca, Morocco
    shown = make_talent()
    hidden = make_talent(code="SNF0003DKR")
    staff = make_talent(code="NGF0004LOS", capabilities=["admin"])
    senegal_city = move(app, hidden, "SN")
    move(app, staff, "NG")
    move(app, shown, "CI")
    set_user(app, hidden, is_active_account=False)

    page = page_html(client)
    assert '<option value="MA">Maroc</option>' in page
    assert '<option value="CI">Côte d’Ivoire</option>' in page or 'value="CI"' in page
    assert 'value="SN"' not in page  # its only talent is inactive
    assert 'value="NG"' not in page  # staff are not listed talents

    chosen = page_html(client, f"?country=SN&city={senegal_city}")
    assert '<option value="SN" selected>' in chosen  # the chosen country, even without talents
    assert f'<option value="{senegal_city}" selected>' in chosen

    set_user(app, hidden, is_active_account=True)  # listed again: offered at once
    again = page_html(client)
    assert 'value="SN"' in again


def test_cities_are_those_of_the_chosen_country_with_listed_talents(app, client, make_talent):
    make_talent()  # Casablanca
    rabat_talent = make_talent()
    move(app, rabat_talent, "MA", "RAB")
    move(app, make_talent(), "SN")
    with app.app_context():
        rows = db.session.execute(
            select(City.id, City.code)
            .join(Country, Country.id == City.country_id)
            .where(Country.iso2 == "MA")
        ).all()
    ids = {code: cid for cid, code in rows}
    ids["other"] = next(cid for code, cid in ids.items() if code not in ("CAS", "RAB"))
    morocco = page_html(client, "?country=MA")
    assert f'value="{ids["CAS"]}"' in morocco
    assert f'value="{ids["RAB"]}"' in morocco
    assert f'value="{ids["other"]}"' not in morocco  # nobody there
    set_user(app, rabat_talent, is_active_account=False)
    assert f'value="{ids["RAB"]}"' not in page_html(client, "?country=MA")


def test_an_unfiltered_full_page_takes_its_total_from_the_kept_list(app, make_talent):
    for _ in range(3):
        make_talent()
    listed = ListedPlaces(ttl=3600)
    with app.app_context():
        listed.pairs(db.session)
        with SqlStatements(db.engine) as statements:
            page = search_directory(
                db.session, parse_filters({"per_page": "2"}), "fr", listed=listed
            )
        assert page.total == 3
        assert page.pages == 2
        assert len(statements.seen) == 2  # the page and its skills, no COUNT
        with SqlStatements(db.engine) as statements:
            filtered = search_directory(
                db.session, parse_filters({"per_page": "2", "q": "Amina"}), "fr", listed=listed
            )
        assert filtered.total == 3
        assert not filtered.more
        # a filtered total is counted in the page's own query (a window), not by a second one
        assert len(statements.seen) == 2
        assert "count(*) OVER ()" in statements.seen[0]


def test_a_broad_search_counts_up_to_the_cap_and_says_more(app, client, make_talent, monkeypatch):
    from talento.profiles.search import directory

    monkeypatch.setattr(directory, "COUNT_CAP", 3)
    for _ in range(6):
        make_talent(first_name="Amina")
    with app.app_context():
        first = search_directory(db.session, parse_filters({"per_page": "2", "q": "Amina"}), "fr")
        assert (first.total, first.more, first.next_page) == (3, True, 2)
        # the page asked for is always inside what is counted: page 3 sees the end
        third = search_directory(
            db.session, parse_filters({"per_page": "2", "q": "Amina", "page": "3"}), "fr"
        )
        assert (third.total, third.more, third.next_page, len(third.items)) == (6, False, None, 2)
        past = search_directory(
            db.session, parse_filters({"per_page": "2", "q": "Amina", "page": "9"}), "fr"
        )
        assert (past.total, past.more, past.items, past.previous_page) == (6, False, [], 3)
    html = page_html(client, "?q=Amina&per_page=2")
    assert "Plus de 3 talents" in html
    assert 'rel="next"' in html
