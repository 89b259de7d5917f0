"""The admin dashboard `/admin`: figures from aggregate queries, SVG charts, access."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import event, insert, select, update

from talento.accounts.models import User, holds
from talento.admin.charts import Bar, bar_list_chart, column_chart
from talento.admin.services import (
    COMPLETENESS_CHECKS,
    account_figures,
    bucket_starts,
    dashboard_figures,
    platform_totals,
    profile_health,
    registrations,
    top_skills,
)
from talento.extensions import db, utcnow
from talento.geo.models import City, Country
from talento.profiles.models import Skill, TalentLanguage, TalentProfile, talent_skills
from talento.profiles.services import completeness
from tests.helpers import is_app_sql, login

NOW = dt.datetime(2026, 6, 17, 12, 0, tzinfo=dt.UTC)  # a Wednesday


# -- helpers -----------------------------------------------------------------------------------


def place(app, user_id: int, iso2: str, city_code: str | None = None) -> None:
    """Move a user to a country and to one of its cities (the most populous by default)."""
    with app.app_context():
        country = db.session.scalars(select(Country).filter_by(iso2=iso2)).one()
        cities = select(City).filter_by(country_id=country.id)
        if city_code:
            cities = cities.filter_by(code=city_code)
        city = db.session.scalars(cities.order_by(City.population.desc())).first()
        db.session.execute(
            update(User).where(User.id == user_id).values(country_id=country.id, city_id=city.id)
        )
        db.session.commit()


def city_name(app, iso2: str, city_code: str | None = None) -> str:
    with app.app_context():
        country = db.session.scalars(select(Country).filter_by(iso2=iso2)).one()
        cities = select(City.name).filter_by(country_id=country.id)
        if city_code:
            cities = cities.filter_by(code=city_code)
        return db.session.scalars(cities.order_by(City.population.desc())).first()


@pytest.fixture
def known_data(app, make_user, make_talent):
    """Four talents (one without profile, one inactive), an admin with a profile, a presence
    operator. Returns the city names used."""
    days = dt.timedelta(days=1)
    a = make_talent(
        created_at=NOW - 2 * days, photo_name="a.jpg", cv_name="a.pdf", skills=["actor", "singer"]
    )
    make_talent(
        created_at=NOW - 10 * days, is_active_account=False, cv_name="b.pdf", skills=["actor"]
    )
    c = make_talent(created_at=NOW - 40 * days, skills=["actor", "model"])
    d = make_user(created_at=NOW - 100 * days)
    make_talent(  # staff with a full profile: counted nowhere
        capabilities=["admin"],
        code="MAN0001RAB",
        created_at=NOW,
        skills=["model", "dj"],
        photo_name="boss.jpg",
        cv_name="boss.pdf",
    )
    make_user(capabilities=["presence"], code="MAN0002RAB", created_at=NOW)
    place(app, a, "MA", "CAS")
    place(app, c, "SN")
    place(app, d, "FR")
    return {"casablanca": city_name(app, "MA", "CAS"), "dakar": city_name(app, "SN")}


def admin_client(client, make_user):
    make_user(email="boss@example.org", capabilities=["admin"], code="MAN0009RAB", created_at=NOW)
    assert login(client, "boss@example.org").status_code == 302
    return client


class count_statements:
    """Counts the SQL statements sent to the engine while used as a context manager."""

    def __init__(self, engine):
        self.engine = engine
        self.count = 0

    def _listener(self, conn, cursor, statement, *args):
        self.count += is_app_sql(statement)

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._listener)
        return self

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._listener)


# -- figures -----------------------------------------------------------------------------------


def figures(app, lang: str = "fr"):
    with app.app_context():
        return dashboard_figures(db.session, lang=lang, now=NOW)


@pytest.mark.both_backends
def test_totals_and_profile_health(app, known_data):
    result = figures(app)
    totals, profiles = result.totals, result.profiles
    assert totals.users == 6
    assert totals.talents == 4
    assert (totals.active, totals.inactive) == (3, 1)
    assert (totals.new_7_days, totals.new_30_days) == (1, 2)
    assert totals.staff == 2
    assert profiles.without_profile == 1
    assert profiles.without_photo == 3  # b, c, and d who has no profile
    assert profiles.without_cv == 2  # c and d


def test_platform_totals_alone(app, known_data):
    with app.app_context():
        totals = platform_totals(db.session)
    assert (totals.users, totals.talents, totals.staff) == (6, 4, 2)


def test_an_empty_platform_has_zeros_and_no_average(app):
    with app.app_context():
        figures = dashboard_figures(db.session, now=NOW)
    assert figures.totals.users == figures.totals.talents == 0
    assert figures.profiles.average_completeness is None
    assert [b.count for b in figures.registrations] == [0] * 12
    assert figures.top_countries == figures.top_cities == figures.top_skills == []


def test_top_lists_count_talents_only_most_first_ties_by_name(app, known_data):
    french, english = figures(app, "fr"), figures(app, "en")
    countries, cities, skills_fr = french.top_countries, french.top_cities, french.top_skills
    countries_en, skills_en = english.top_countries, english.top_skills
    # Staff accounts live in Morocco too but are not counted.
    assert [(c.key, c.label, c.count) for c in countries] == [
        ("MA", "Maroc", 2),
        ("FR", "France", 1),
        ("SN", "Sénégal", 1),
    ]
    assert [c.label for c in countries_en] == ["Morocco", "France", "Senegal"]
    first, *others = cities
    assert (first.label, first.count, first.detail, first.parent) == (
        known_data["casablanca"],
        2,
        "Maroc",
        "MA",
    )
    assert [c.count for c in others] == [1, 1]
    assert {c.parent for c in others} == {"SN", "FR"}
    assert known_data["dakar"] in {c.label for c in others}
    assert others[0].label <= others[1].label  # ties by name
    # The admin's "model" and "dj" are not counted.
    assert [(s.key, s.count) for s in skills_fr] == [("actor", 3), ("singer", 1), ("model", 1)]
    assert [s.label for s in skills_fr] == ["Comédien·ne", "Chant", "Mannequinat"]
    assert [s.key for s in skills_en] == ["actor", "model", "singer"]  # "Modelling" < "Singing"


def test_top_lists_stop_at_ten(app, make_talent):
    slugs = ["actor", "extra", "voice-over", "stunt", "host", "singer"]
    slugs += ["musician", "composer", "dj", "model", "photography", "makeup"]
    make_talent(skills=slugs)
    make_talent(skills=["makeup"])
    with app.app_context():
        skills = top_skills(db.session, "fr")
    assert len(skills) == 10
    assert skills[0].key == "makeup"
    assert skills[0].count == 2


@pytest.mark.both_backends
def test_registrations_per_week_include_empty_weeks(app, make_user):
    monday = dt.datetime(2026, 6, 15, tzinfo=dt.UTC)
    first = monday - dt.timedelta(weeks=11)
    for created in (
        monday,  # this week
        monday + dt.timedelta(days=2, hours=11),  # this week, before NOW
        monday - dt.timedelta(microseconds=1),  # last week
        first,  # oldest week shown
        first - dt.timedelta(seconds=1),  # too old
    ):
        make_user(created_at=created)
    make_user(capabilities=["presence"], code="MAN0002RAB", created_at=monday)  # not a talent
    with app.app_context():
        buckets = registrations(db.session, "week", NOW)
    assert [b.start for b in buckets] == [first.date() + dt.timedelta(weeks=i) for i in range(12)]
    assert buckets[-1].end == dt.date(2026, 6, 22)
    assert [b.count for b in buckets] == [1] + [0] * 9 + [1, 2]


@pytest.mark.both_backends
def test_registrations_per_month(app, make_user):
    for created in (
        dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
        dt.datetime(2026, 1, 31, 23, 59, tzinfo=dt.UTC),
        dt.datetime(2025, 7, 1, tzinfo=dt.UTC),
        dt.datetime(2025, 6, 30, 23, 59, tzinfo=dt.UTC),  # 12 months ago: not shown
    ):
        make_user(created_at=created)
    with app.app_context():
        buckets = registrations(db.session, "month", NOW)
    assert buckets[0].start == dt.date(2025, 7, 1)
    assert buckets[-1].start == dt.date(2026, 6, 1)
    counts = {b.start: b.count for b in buckets}
    assert counts[dt.date(2026, 6, 1)] == counts[dt.date(2026, 1, 1)] == 1
    assert counts[dt.date(2025, 7, 1)] == 1
    assert sum(counts.values()) == 3


def test_bucket_starts_cross_the_year():
    starts = bucket_starts("month", dt.date(2026, 1, 10))
    assert starts[0] == dt.date(2025, 2, 1)
    assert starts[-2:] == [dt.date(2026, 1, 1), dt.date(2026, 2, 1)]
    weeks = bucket_starts("week", dt.date(2026, 1, 4))  # a Sunday
    assert weeks[-2] == dt.date(2025, 12, 29)
    assert weeks[-1] == dt.date(2026, 1, 5)
    assert all(day.weekday() == 0 for day in weeks)


@pytest.mark.both_backends
def test_sql_average_completeness_equals_the_mean_of_completeness(app, make_user, make_talent):
    make_talent(
        phone="+212600000001",
        address="1 rue Test",
        photo_name="p.jpg",
        cv_name="c.pdf",
        bio="Comédienne",
        years_experience=0,
        education="ISADAC",
        links={"website": "https://example.org"},
    )
    make_talent(skills=[], languages=[], bio="", education=None)
    make_talent(phone="+212600000003", skills=["singer"], languages=[], years_experience=4)
    make_user(phone="+212600000004", address="Quelque part")  # no profile at all
    make_talent(  # staff: not averaged
        capabilities=["admin"],
        code="MAN0001RAB",
        phone="+212600000009",
        photo_name="boss.jpg",
        bio="Admin",
        skills=["dj"],
    )
    with app.test_request_context():  # completeness() translates its labels
        talents = db.session.scalars(select(User).where(holds("talent")).order_by(User.id)).all()
        scores = [completeness(user)[0] for user in talents]
        assert len(completeness(talents[1])[1]) == len(COMPLETENESS_CHECKS)  # checks in step
        profiles = profile_health(db.session, account_figures(db.session, "fr", NOW))
    assert len(set(scores)) > 2  # the users really differ
    assert profiles.average_completeness == pytest.approx(sum(scores) / len(scores))


# -- the page ----------------------------------------------------------------------------------


def test_admin_sees_the_dashboard(client, make_user, known_data):
    page = admin_client(client, make_user).get("/admin")
    assert page.status_code == 200
    html = page.get_data(as_text=True)

    def stat(label: str) -> str:
        match = re.search(re.escape(label) + r"</span>\s*<strong>([^<]*)</strong>", html)
        assert match, label
        return match.group(1)

    assert stat("Talents inscrits") == "4"
    assert stat("Actifs") == "3"
    assert stat("Inactifs") == "1"
    assert stat("Sans photo") == "3"
    assert stat("Sans CV") == "2"
    assert stat("Sans profil") == "1"
    assert html.count("<svg") == 4
    assert 'viewBox="0 0 360' in html
    assert 'role="img"' in html
    assert "Maroc" in html
    assert known_data["casablanca"] in html
    assert "Comédien·ne" in html
    assert re.search(r"Maroc.*?</th>\s*<td>2</td>", html, re.S)


def test_new_talents_count_against_the_real_clock(client, make_user, make_talent):
    make_talent(created_at=utcnow() - dt.timedelta(days=3))
    make_talent(created_at=utcnow() - dt.timedelta(days=20))
    html = admin_client(client, make_user).get("/admin").get_data(as_text=True)
    assert re.search(r"Nouveaux sur 7 jours</span>\s*<strong>1</strong>", html)
    assert re.search(r"Nouveaux sur 30 jours</span>\s*<strong>2</strong>", html)


def test_period_switch_and_language(client, make_user, known_data):
    admin_client(client, make_user)
    monthly = client.get("/admin?period=month").get_data(as_text=True)
    assert re.search(r'period=month"\s+aria-current="page"', monthly)
    assert "par mois" in monthly
    weekly = client.get("/admin?period=nonsense").get_data(as_text=True)
    assert re.search(r'href="/admin"\s+aria-current="page"', weekly)
    english = client.get("/admin?lang=en").get_data(as_text=True)
    assert "Morocco" in english
    assert "Actor / actress" in english


def test_the_admin_menu_links_only_pages_that_exist(app, client, make_user, known_data):
    html = admin_client(client, make_user).get("/admin").get_data(as_text=True)
    if "admin.users" in app.view_functions:  # top lists link to the filtered list of talents
        assert "capability=talent&amp;country=MA" in html
        assert "skill=actor" in html
    for endpoint, path in (
        ("admin.users", "users"),
        ("admin.catalogs", "catalogs"),
        ("admin.audit", "audit"),
    ):
        if endpoint in app.view_functions:
            with app.test_request_context():
                from flask import url_for

                assert f'href="{url_for(endpoint)}"' in html, path


def test_the_talent_capability_decides_who_is_a_talent(app, make_user, make_talent):
    """Capabilities combine: an admin who is also a talent counts as a talent, a recruiter with
    a profile row does not, and accounts holding talent with something else do."""
    make_talent(capabilities=["talent", "admin"], code="MAN0001RAB", created_at=NOW, skills=["dj"])
    recruiter = make_talent(
        capabilities=["recruiter"], code="MAF0002CAS", created_at=NOW, skills=["model"]
    )
    make_user(capabilities=["talent", "recruiter"], code="MAF0003CAS", created_at=NOW)
    make_user(capabilities=["presence", "recruiter"], code="MAF0004CAS", created_at=NOW)
    with app.app_context():
        figures = account_figures(db.session, "fr", NOW)
        assert (figures.totals.talents, figures.totals.staff) == (2, 2)
        assert len(figures.staff_ids) == 2
        assert recruiter in figures.staff_ids
        assert [s.key for s in top_skills(db.session, "fr")] == ["dj"]
        assert sum(b.count for b in registrations(db.session, "week", NOW)) == 2
        health = profile_health(db.session, figures)
        assert (health.without_profile, health.without_photo) == (1, 2)


def test_a_plain_user_is_forbidden(client, make_user):
    make_user(email="talent@example.org")
    login(client, "talent@example.org")
    assert client.get("/admin").status_code == 403


@pytest.mark.parametrize("capabilities", [["presence"], ["recruiter"], ["talent", "recruiter"]])
def test_staff_that_is_not_admin_is_forbidden(client, make_user, capabilities):
    make_user(email="staff@example.org", capabilities=capabilities, code="MAN0003RAB")
    login(client, "staff@example.org")
    assert client.get("/admin").status_code == 403


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get("/admin")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


# -- query count -------------------------------------------------------------------------------


def _bulk_talents(app, start: int, count: int) -> None:
    """Talents with profiles, skills and languages, inserted in bulk."""
    with app.app_context():
        country_ids = db.session.scalars(
            select(Country.id).where(Country.iso2.in_(["MA", "SN", "FR"]))
        ).all()
        city_ids = {
            cid: db.session.scalars(select(City.id).filter_by(country_id=cid).limit(3)).all()
            for cid in country_ids
        }
        skill_ids = db.session.scalars(select(Skill.id).order_by(Skill.id).limit(5)).all()
        codes = [f"B{n:09d}" for n in range(start, start + count)]
        rows = []
        for n, code in enumerate(codes, start):
            country = country_ids[n % len(country_ids)]
            rows.append(
                {
                    "code": code,
                    "email": f"bulk{n}@example.org",
                    "first_name": "Bulk",
                    "last_name": f"Talent{n}",
                    "country_id": country,
                    "city_id": city_ids[country][n % len(city_ids[country])],
                    "created_at": utcnow() - dt.timedelta(days=n * 5),
                }
            )
        db.session.execute(insert(User), rows)
        ids = db.session.scalars(select(User.id).where(User.code.in_(codes))).all()
        db.session.execute(insert(TalentProfile), [{"user_id": uid} for uid in ids])
        db.session.execute(
            insert(talent_skills),
            [{"user_id": uid, "skill_id": skill_ids[uid % len(skill_ids)]} for uid in ids],
        )
        db.session.execute(insert(TalentLanguage), [{"user_id": uid, "code": "fr"} for uid in ids])
        db.session.commit()


def test_the_dashboard_issues_a_fixed_number_of_queries(app, client, make_user):
    admin_client(client, make_user)
    counts = []
    for start, count in ((0, 3), (3, 27)):
        _bulk_talents(app, start, count)
        with app.app_context(), count_statements(db.engine) as counter:
            assert client.get("/admin").status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1]
    with app.app_context():
        assert dashboard_figures(db.session).totals.talents == 30
        with count_statements(db.engine) as counter:
            dashboard_figures(db.session, period="month")
    assert counter.count == 5


# -- charts ------------------------------------------------------------------------------------


def test_charts_escape_labels_and_scale():
    evil = '<script>alert("x")</script>'
    svg = str(
        bar_list_chart(
            [Bar(evil, 3, title=evil), Bar("B & C", 0)], chart_id="c1", title="Top <pays>"
        )
    )
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "B &amp; C" in svg
    assert 'width="100%"' in svg
    assert 'viewBox="0 0 360 74"' in svg
    assert '<title id="c1-title">Top &lt;pays&gt;</title>' in svg
    assert 'aria-labelledby="c1-title"' in svg
    assert 'role="img"' in svg
    assert "style=" not in svg  # colours come from the stylesheet's classes


def test_column_chart_handles_all_zero_and_labels_the_last_bar():
    bars = [Bar(f"{i}/6", 0, title=f"semaine {i}") for i in range(12)]
    svg = str(column_chart(bars, chart_id="reg", title="Inscriptions", fmt=lambda v: f"{v}"))
    assert svg.count('class="chart__bar"') == 12
    assert 'height="0"' in svg
    assert ">11/6</text>" in svg  # the current period is always labelled
    assert "<title>semaine 3 (0)</title>" in svg
