"""The admin's list of casting profiles `/admin/cinema`: filters, what is missing, pages,
and a constant number of statements whatever the page holds."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import event

from talento.admin.cinema import CinemaFilters, list_profiles, parse_filters
from talento.extensions import db, utctoday
from tests.admin.cinema_profiles import add_casting
from tests.helpers import is_app_sql, login

TODAY = dt.date(2026, 6, 17)


@pytest.fixture
def admin(client, make_user):
    make_user(email="boss@example.org", capabilities=["admin"], code="MAN0009RAB")
    assert login(client, "boss@example.org").status_code == 302
    return client


@pytest.fixture
def profiles(app, make_talent):
    """Five profiles, each one in one of the brief's filters (and the complete one in none)."""
    today = utctoday()
    return {
        "complete": add_casting(app, make_talent(code="MAF0101CAS"), types=("extra",), photo=True),
        "incomplete": add_casting(
            app, make_talent(code="MAF0102CAS"), step="appearance", types=("model",), photo=True
        ),
        "no_photo": add_casting(app, make_talent(code="MAF0103CAS"), types=("extra",)),
        "card": add_casting(
            app,
            make_talent(code="MAF0104CAS"),
            types=("stunt",),
            photo=True,
            card="AC-4242",
            expires=dt.date(2030, 1, 1),
        ),
        "minor": add_casting(
            app,
            make_talent(code="MAF0105CAS"),
            types=("extra",),
            photo=True,
            born=today.replace(year=today.year - 12),
            guardian_name="Fatima Test",
        ),
    }


def _codes(page: str) -> list[str]:
    return sorted(
        re.findall(
            r'<tr id="profile-\d+">\s*<td>.*?</td>\s*<td class="code"><a [^>]*>(\w+)<', page, re.S
        )
    )


@pytest.mark.both_backends
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["MAF0101CAS", "MAF0102CAS", "MAF0103CAS", "MAF0104CAS", "MAF0105CAS"]),
        ("state=incomplete", ["MAF0102CAS"]),
        ("photo=without", ["MAF0103CAS"]),
        ("card=pending", ["MAF0104CAS"]),
        ("minors=1", ["MAF0105CAS"]),
        ("type=extra", ["MAF0101CAS", "MAF0103CAS", "MAF0105CAS"]),
        ("type=extra&photo=without", ["MAF0103CAS"]),
        ("band=minor", ["MAF0105CAS"]),
        (
            "country=MA&gender=F",
            ["MAF0101CAS", "MAF0102CAS", "MAF0103CAS", "MAF0104CAS", "MAF0105CAS"],
        ),
        ("country=FR", []),
        ("state=complete&minors=1", ["MAF0105CAS"]),
    ],
)
def test_filters(admin, profiles, query, expected):
    response = admin.get(f"/admin/cinema?{query}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert _codes(page) == expected
    if not expected:
        assert "Aucun profil casting ne correspond à ces filtres." in page


def test_what_is_missing_is_said(admin, app, make_talent):
    add_casting(app, make_talent(code="MAF0110CAS"), step="sizes", height=None, playing_age=None)
    page = admin.get("/admin/cinema").get_data(as_text=True)
    row = re.search(r'<tr id="profile-\d+">.*?</tr>', page, re.S).group(0)
    assert "Étape : Tailles" in row
    for said in (
        "inscription inachevée",
        "aucune photo",
        "aucun type de talent",
        "taille non renseignée",
        "âge de jeu non renseigné",
    ):
        assert said in row
    assert 'name="one"' in row  # its own « Demander de compléter »


def test_a_minor_is_marked_and_the_page_says_where_mail_goes(admin, profiles):
    page = admin.get("/admin/cinema?minors=1").get_data(as_text=True)
    assert '<span class="cinema-admin__badge">Mineur</span>' in page
    assert "Pour un mineur, l'e-mail part à l'adresse de son parent ou tuteur." in page


def test_bad_filter_values_are_ignored(admin, profiles):
    page = admin.get("/admin/cinema?state=x&type=nope&country=zzz&band=1&page=-3")
    assert page.status_code == 200
    assert len(_codes(page.get_data(as_text=True))) == 5


def test_filters_parse_and_round_trip():
    filters = parse_filters(
        {"state": "incomplete", "minors": "1", "type": "extra", "country": "ma"}
    )
    assert filters == CinemaFilters(
        state="incomplete", minors=True, talent_type="extra", country="MA"
    )
    assert filters.args(page=2) == {
        "state": "incomplete",
        "minors": "1",
        "type": "extra",
        "country": "MA",
        "page": "2",
    }
    assert parse_filters(filters.args()) == filters


def test_pages_most_recently_updated_first(app, make_talent):
    base = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    ids = [
        add_casting(app, make_talent(), updated_at=base + dt.timedelta(hours=i)) for i in range(5)
    ]
    with app.app_context():
        first = list_profiles(db.session(), CinemaFilters(), 1, TODAY, per_page=2)
        last = list_profiles(db.session(), CinemaFilters(), 3, TODAY, per_page=2)
        beyond = list_profiles(db.session(), CinemaFilters(), 99, TODAY, per_page=2)
    assert (first.total, first.pages) == (5, 3)
    assert [r.user_id for r in first.rows] == [ids[4], ids[3]]
    assert [r.user_id for r in last.rows] == [ids[0]]
    assert beyond.page == 3


def _statements(app, client, url: str) -> int:
    with app.app_context():
        engine = db.engine
    seen = []

    def listener(conn, cursor, statement, *args):
        if is_app_sql(statement):
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", listener)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(seen)


def test_no_query_per_row(app, admin, make_talent):
    add_casting(app, make_talent(), step="contact", photo=True, types=("extra",))
    few = _statements(app, admin, "/admin/cinema")
    for _ in range(8):
        add_casting(
            app, make_talent(), step="contact", photo=True, types=("extra", "model"), card="X1"
        )
    many = _statements(app, admin, "/admin/cinema")
    assert many == few
