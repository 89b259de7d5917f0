"""« Mes engagements » (issue 14, point 8): a talent sees their own bookings and availability
requests, with their buttons, and nothing else — not another talent's booking, not a note of
the shortlist, not a deleted project; « Mon profil casting » links to it."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

from sqlalchemy import select

from talento.extensions import db, utcnow
from talento.projects import links
from talento.projects.models import (
    AvailabilityRequest,
    Booking,
    BookingDay,
    Project,
    ShortlistNote,
)
from tests.helpers import login
from tests.projects.booking_fixtures import (  # noqa: F401  (fixtures)
    casting_id_fixture,
    make_cast_fixture,
    make_production,
    production_fixture,
    settings_fixture,
    shortlist,
    staff_fixture,
)

MINE = "youssef@example.org"
OTHER = "karim@example.org"
NOTE = "Très bon en tachelhit, un peu en retard au dernier tournage"


def _seed(app, production, me: int, other: int) -> dict:
    """A booking and a request for me, a booking for the other talent, a note about me."""
    entries = shortlist(app, production.role_id, me, other)
    with app.app_context():
        day = production.days[0]
        mine = Booking(
            code="CCAFM0010001",
            project_id=production.project_id,
            role_id=production.role_id,
            talent_id=me,
            meeting_point="Place Jemaa el-Fna",
            call_time=dt.time(7, 30),
            booked_days=[BookingDay(day=day)],
        )
        theirs = Booking(
            code="CCAFM0010002",
            project_id=production.project_id,
            role_id=production.role_id,
            talent_id=other,
            booked_days=[BookingDay(day=day)],
        )
        request = AvailabilityRequest(
            entry_id=entries[0],
            days=[d.isoformat() for d in production.days],
            expires_at=utcnow() + dt.timedelta(days=3),
        )
        note = ShortlistNote(entry_id=entries[0], visibility="team", body=NOTE)
        db.session.add_all([mine, theirs, request, note])
        db.session.commit()
        ids = {"mine": mine.id, "theirs": theirs.id, "request": request.id}
        db.session.remove()
    return ids


def _me(app, email: str = MINE):
    client = app.test_client()
    assert login(client, email).status_code == 302
    return client


def test_a_talent_sees_only_their_own(app, make_cast, production):
    me = make_cast(MINE, first_name="Youssef")
    other = make_cast(OTHER, first_name="Karimo", last_name="Zeroual")
    ids = _seed(app, production, me, other)
    page = _me(app).get("/cinema/me/bookings")
    assert page.status_code == 200
    html = unescape(page.get_data(as_text=True))
    assert "CCAFM0010001" in html
    assert "Le Grand Sud · Caravaniers" in html
    assert "Atlas Films" in html
    assert "7h30" in html
    assert "Place Jemaa el-Fna" in html
    assert "Je confirme" in html
    secret = app.config["SECRET_KEY"]
    assert f"/booking/{links.make_token(secret, 'booking', ids['mine'])}" in html
    assert f"/availability/{links.make_token(secret, 'availability', ids['request'])}" in html
    # nothing else
    assert "CCAFM0010002" not in html
    assert "Karimo" not in html
    assert "Zeroual" not in html
    assert links.make_token(secret, "booking", ids["theirs"]) not in html
    assert NOTE not in html
    assert "tachelhit" not in html
    assert "Présélectionné" not in html  # the shortlist's status is staff's


def test_the_other_talent_sees_theirs_not_mine(app, make_cast, production):
    me = make_cast(MINE)
    other = make_cast(OTHER)
    _seed(app, production, me, other)
    html = _me(app, OTHER).get("/cinema/me/bookings").get_data(as_text=True)
    assert "CCAFM0010002" in html
    assert "CCAFM0010001" not in html
    assert "no-requests" in html  # the request was mine


def test_confirming_from_the_space_comes_back_to_it(app, make_cast, production):
    me = make_cast(MINE)
    ids = _seed(app, production, me, make_cast(OTHER))
    client = _me(app)
    html = client.get("/cinema/me/bookings").get_data(as_text=True)
    action = re.search(r'<form method="post" action="(/booking/[^"]+)"', html).group(1)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    response = client.post(action, data={"csrf_token": token, "back": "me", "action": "confirm"})
    assert response.status_code == 302
    assert response.location.endswith("/cinema/me/bookings")
    with app.app_context():
        assert db.session.get(Booking, ids["mine"]).status == "confirmed"
        db.session.remove()
    after = unescape(client.get("/cinema/me/bookings").get_data(as_text=True))
    assert "Merci, votre présence est confirmée." in after
    assert "Confirmé" in after


def test_a_deleted_project_disappears_from_the_space(app, make_cast, production):
    me = make_cast(MINE)
    _seed(app, production, me, make_cast(OTHER))
    with app.app_context():
        db.session.get(Project, production.project_id).deleted_at = utcnow()
        db.session.commit()
        db.session.remove()
    html = _me(app).get("/cinema/me/bookings").get_data(as_text=True)
    assert "CCAFM0010001" not in html
    assert "no-bookings" in html
    assert "no-requests" in html


def test_an_account_without_casting_profile_goes_to_mon_profil_casting(app, staff, casting_id):
    response = staff.get("/cinema/me/bookings")
    assert response.status_code == 302
    assert response.location.endswith("/cinema/me")


def test_mon_profil_casting_links_to_the_space(app, make_cast):
    make_cast(MINE)
    html = _me(app).get("/cinema/me").get_data(as_text=True)
    assert 'href="/cinema/me/bookings"' in html


def test_several_productions_are_listed_newest_first(app, make_cast, production):
    me = make_cast(MINE)
    second = make_production(app, initials="MRK", project_number=4)
    first_entries = shortlist(app, production.role_id, me)
    second_entries = shortlist(app, second.role_id, me)
    assert first_entries
    assert second_entries
    with app.app_context():
        for code, made in (("CCAFM0010001", production), ("CCMRK0040001", second)):
            db.session.add(
                Booking(
                    code=code,
                    project_id=made.project_id,
                    role_id=made.role_id,
                    talent_id=me,
                    booked_days=[BookingDay(day=made.days[0])],
                )
            )
            db.session.commit()
        assert len(db.session.scalars(select(Booking)).all()) == 2
        db.session.remove()
    html = _me(app).get("/cinema/me/bookings").get_data(as_text=True)
    assert html.index("CCMRK0040001") < html.index("CCAFM0010001")
