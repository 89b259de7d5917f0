"""The dashboard's CINEMA figures (admin.cinema_figures): exact counts on hand-made profiles,
two statements whatever the number of profiles, and the section on /admin with its links."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import event

from talento.admin.cinema_figures import band_condition, born_before, cinema_figures
from talento.extensions import db, utctoday
from tests.admin.cinema_profiles import add_casting
from tests.helpers import is_app_sql, login

TODAY = dt.date(2026, 6, 17)


@pytest.fixture
def profiles(app, make_talent):
    """Seven casting profiles around the age bands' edges, and one talent without any."""
    t = make_talent
    made = {
        # 16: a minor, still registering, no photo
        "minor": add_casting(
            app, t(gender="F"), step="photos", types=("extra",), born=dt.date(2010, 1, 1)
        ),
        # 18 today exactly: 18–25
        "eighteen": add_casting(
            app, t(gender="M"), types=("extra", "stunt"), photo=True, born=dt.date(2008, 6, 17)
        ),
        # 25, 26 tomorrow: 18–25; lives in France
        "twenty_five": add_casting(
            app,
            t(gender="F"),
            types=("model",),
            photo=True,
            born=dt.date(2000, 6, 18),
            country="FR",
        ),
        # 26 today: 26–35
        "twenty_six": add_casting(
            app, t(gender="M"), types=("principal", "extra"), photo=True, born=dt.date(2000, 6, 17)
        ),
        # 65, 66 tomorrow: 51–65; a card to check
        "sixty_five": add_casting(
            app, t(gender="N"), step="identity", born=dt.date(1960, 6, 18), card="AC-1234"
        ),
        # 66 today: over 65; a verified card (not « to check »)
        "sixty_six": add_casting(
            app,
            t(gender="F"),
            types=("voice_over",),
            born=dt.date(1960, 6, 17),
            card="AC-9999",
            expires=dt.date(2027, 1, 1),
            verified_at=dt.datetime(2026, 5, 1, tzinfo=dt.UTC),
            country="SN",
        ),
        # no date of birth
        "unknown": add_casting(app, t(gender="F"), step="sizes"),
    }
    t(gender="M")  # a talent without casting profile: counted nowhere
    return made


def test_figures_count_each_band_type_gender_and_country_exactly(app, profiles):
    with app.app_context():
        figures = cinema_figures(db.session(), "fr", TODAY)
    assert (figures.total, figures.complete, figures.in_progress) == (7, 4, 3)
    assert (figures.with_photo, figures.without_photo) == (3, 4)
    assert figures.without_type == 2  # sixty_five and unknown
    assert figures.minors == 1
    assert figures.card_pending == 1
    assert dict(figures.by_band) == {
        "minor": 1,
        "18_25": 2,
        "26_35": 1,
        "36_50": 0,
        "51_65": 1,
        "66_plus": 1,
        "unknown": 1,
    }
    assert [key for key, _n in figures.by_band][:6] == [
        "minor",
        "18_25",
        "26_35",
        "36_50",
        "51_65",
        "66_plus",
    ]
    assert dict(figures.by_gender) == {"F": 4, "M": 2, "N": 1}
    types = dict(figures.by_type)
    assert len(types) == 13  # every talent type, zeros included
    assert {k: n for k, n in types.items() if n} == {
        "extra": 3,
        "stunt": 1,
        "model": 1,
        "principal": 1,
        "voice_over": 1,
    }
    assert [(c.key, c.count) for c in figures.top_countries] == [("MA", 5), ("FR", 1), ("SN", 1)]
    assert figures.other_countries == 0


def test_countries_past_the_top_are_counted_as_others(app, make_talent, monkeypatch):
    from talento.admin import cinema_figures as module

    monkeypatch.setattr(module, "TOP_COUNTRIES", 1)
    add_casting(app, make_talent(), country="FR")
    add_casting(app, make_talent())
    add_casting(app, make_talent())
    with app.app_context():
        figures = cinema_figures(db.session(), "en", TODAY)
    assert [(c.key, c.label, c.count) for c in figures.top_countries] == [("MA", "Morocco", 2)]
    assert figures.other_countries == 1


def test_no_profile_no_figures(app, make_talent):
    make_talent()
    with app.app_context():
        figures = cinema_figures(db.session(), "fr", TODAY)
    assert (figures.total, figures.minors, figures.top_countries) == (0, 0, [])
    assert all(n == 0 for _code, n in figures.by_type)


@pytest.mark.both_backends
def test_band_bounds_on_both_backends(app, profiles):
    """The list's band filter and the figures agree, on SQLite as on PostgreSQL."""
    from sqlalchemy import func, select

    from talento.accounts.models import User
    from talento.casting.models import CastingProfile

    with app.app_context():
        figures = cinema_figures(db.session(), "fr", TODAY)
        for key, count in figures.by_band:
            found = db.session.scalar(
                select(func.count())
                .select_from(CastingProfile)
                .join(User, User.id == CastingProfile.user_id)
                .where(band_condition(key, TODAY))
            )
            assert found == count, key


def test_born_before_handles_29_february():
    assert born_before(dt.date(2028, 2, 29), 18) == dt.date(2010, 2, 28)
    assert born_before(TODAY, 18) == dt.date(2008, 6, 17)


class count_statements:
    def __init__(self, engine):
        self.engine, self.count = engine, 0

    def _listener(self, conn, cursor, statement, *args):
        self.count += is_app_sql(statement)

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._listener)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._listener)


def test_two_statements_whatever_the_number_of_profiles(app, make_talent):
    counts = []
    for more in (1, 6):
        for _ in range(more):
            add_casting(app, make_talent(), types=("extra",), photo=True)
        with app.app_context(), count_statements(db.engine) as counter:
            cinema_figures(db.session(), "fr", TODAY)
        counts.append(counter.count)
    assert counts == [2, 2]


def test_the_dashboard_shows_the_section_with_links(app, client, make_user, make_talent):
    today = utctoday()
    add_casting(app, make_talent(), step="contact", born=today.replace(year=today.year - 10))
    add_casting(app, make_talent(), types=("extra",), photo=True, card="AC-1")
    make_user(email="boss@example.org", capabilities=["admin"], code="MAN0009RAB")
    assert login(client, "boss@example.org").status_code == 302
    page = client.get("/admin").get_data(as_text=True)
    assert 'id="cinema-title"' in page
    assert 'id="cinema-minors"><a href="/admin/cinema?minors=1">1</a>' in page
    assert 'id="cinema-complete"><a href="/admin/cinema?state=complete">1</a>' in page
    assert 'href="/admin/cinema?state=incomplete">1</a>' in page
    assert 'href="/admin/cinema?card=pending">1</a>' in page
    assert 'href="/admin/cinema?band=minor">' in page
    assert 'href="/admin/cinema?type=extra">' in page
    assert 'href="/admin/cinema?photo=without">' in page
    assert 'href="/admin/cinema?country=MA">' in page
    assert 'href="/admin/cinema">' in page  # the admin menu
