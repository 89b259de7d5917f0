"""The casting workflow's pages link to each other (issue 14, points 2–7 wired together): the
shortlist to the availability check, the booking form, each face's latest answer and booking,
the role's badges and the role page; the role and project pages to the shortlist (staff only),
the search and the PDFs (everyone who may see the project); a booking to its badge. Each
staff-only link is absent for a company member. PostgreSQL, real pages, no mock."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest

from talento.extensions import db, utcnow
from tests.helpers import login
from tests.projects.booking_fixtures import (  # noqa: F401  (fixtures)
    casting_id_fixture,
    csrf,
    make_cast_fixture,
    production_fixture,
    shortlist,
    staff_fixture,
)

MEMBER_EMAIL = "membre.atlas@example.org"


@pytest.fixture
def member(app, make_user, production):
    """A signed-in account of the production's company (no capability)."""
    from talento.projects.models import CompanyMember

    user_id = make_user(email=MEMBER_EMAIL, capabilities=[])
    with app.app_context():
        db.session.add(CompanyMember(company_id=production.company_id, user_id=user_id))
        db.session.commit()
        db.session.remove()
    client = app.test_client()
    assert login(client, MEMBER_EMAIL).status_code == 302
    return client


@pytest.fixture
def workflow(app, production, make_cast):
    """Three faces on the shortlist: Amina asked and available, Karim asked and not answered
    yet, Nadia booked (pending)."""
    from talento.projects.models import AvailabilityRequest, Booking, BookingDay

    talents = [
        make_cast("amina.link@example.org", first_name="Amina"),
        make_cast("karim.link@example.org", first_name="Karim"),
        make_cast("nadia.link@example.org", first_name="Nadia"),
    ]
    entries = shortlist(app, production.role_id, *talents)
    days = [day.isoformat() for day in production.days]
    with app.app_context():
        expires = utcnow() + dt.timedelta(days=10)
        db.session.add_all(
            [
                AvailabilityRequest(
                    entry_id=entries[0],
                    days=days,
                    expires_at=expires,
                    answer="available",
                    available_days=days,
                    comment="Libre toute la semaine",
                    answered_at=utcnow(),
                ),
                AvailabilityRequest(entry_id=entries[1], days=days, expires_at=expires),
            ]
        )
        booking = Booking(
            code="CCAFM0010007",
            project_id=production.project_id,
            role_id=production.role_id,
            talent_id=talents[2],
            booked_days=[BookingDay(day=day) for day in production.days],
        )
        db.session.add(booking)
        db.session.commit()
        booking_id = booking.id
        db.session.remove()
    return {"talents": talents, "entries": entries, "booking_id": booking_id}


def _hrefs(html: str) -> set[str]:
    return {unescape(found) for found in re.findall(r'href="([^"]+)"', html)}


def _face(html: str, entry_id: int) -> str:
    start = html.index(f'id="entry-{entry_id}"')
    end = html.find('<li class="sl-face"', start)
    return html[start : end if end > 0 else len(html)]


def test_the_shortlist_links_each_face_and_the_selection_to_the_next_steps(
    app, staff, member, production, workflow
):
    role_id = production.role_id
    first, second, third = workflow["entries"]
    # A company member reads the project, never its shortlist (nor the pages it leads to).
    for page in (
        f"/projects/roles/{role_id}/shortlist",
        f"/projects/roles/{role_id}/availability?entry={first}",
        f"/projects/roles/{role_id}/bookings/new?entry={first}",
    ):
        assert member.get(page).status_code == 403, page
    response = staff.get(f"/projects/roles/{role_id}/shortlist")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    links = _hrefs(html)
    assert f"/projects/roles/{role_id}" in links
    assert f"/projects/{production.project_id}" in links
    assert f"/projects/roles/{role_id}/find" in links
    assert f"/projects/roles/{role_id}/badges.pdf" in links  # a live booking: badges to print
    for entry in (first, second, third):
        assert f"/projects/roles/{role_id}/availability?entry={entry}" in _hrefs(_face(html, entry))
    assert f"/projects/roles/{role_id}/bookings/new?entry={first}" in _hrefs(_face(html, first))

    amina = _face(html, first)
    assert "Disponible" in amina
    assert "Libre toute la semaine" in amina
    assert "en attente" in _face(html, second)
    nadia = _face(html, third)
    assert f"/projects/bookings/{workflow['booking_id']}" in _hrefs(nadia)
    assert "CCAFM0010007" in nadia
    assert "En attente de confirmation" in nadia
    assert "/bookings/new" not in nadia  # already booked on this role
    assert 'name="go" value="availability"' in html
    assert 'name="go" value="book"' in html


def test_a_ticked_selection_goes_to_the_availability_check_or_the_booking_form(
    staff, production, workflow
):
    role_id = production.role_id
    first, second, _third = workflow["entries"]
    page = f"/projects/roles/{role_id}/shortlist"
    token = csrf(staff, page)
    url = f"/projects/roles/{role_id}/shortlist/status"
    data = {"csrf_token": token, "entry": [first, second], "status": "contacted"}
    asked = staff.post(url, data={**data, "go": "availability"})
    assert asked.status_code == 303
    assert asked.headers["Location"].endswith(
        f"/projects/roles/{role_id}/availability?entry={first}&entry={second}"
    )
    compose = staff.get(asked.headers["Location"]).get_data(as_text=True)
    assert f'id="person-{first}"' in compose
    assert f'id="person-{second}"' in compose
    book = staff.post(url, data={**data, "go": "book"})
    assert book.headers["Location"].endswith(
        f"/projects/roles/{role_id}/bookings/new?entry={first}&entry={second}"
    )
    nobody = staff.post(url, data={"csrf_token": token, "go": "book"})
    assert nobody.status_code == 303
    assert "Cochez au moins un talent." in staff.get(page).get_data(as_text=True)
    # Going elsewhere changed no status.
    from tests.projects.booking_fixtures import entry_status

    assert entry_status(staff.application, first) == "shortlisted"


def test_the_compose_and_booking_pages_go_back_to_the_shortlist(staff, production, workflow):
    role_id = production.role_id
    first = workflow["entries"][0]
    back = f'href="/projects/roles/{role_id}/shortlist"'
    for page in (
        f"/projects/roles/{role_id}/availability?entry={first}",
        f"/projects/roles/{role_id}/bookings/new?entry={first}",
        f"/projects/bookings/{workflow['booking_id']}",
    ):
        assert back in staff.get(page).get_data(as_text=True), page


def test_the_role_page_links_for_staff_and_for_a_member(staff, member, production, workflow):
    role_id = production.role_id
    staff_links = _hrefs(staff.get(f"/projects/roles/{role_id}").get_data(as_text=True))
    assert {
        f"/projects/roles/{role_id}/shortlist",
        f"/projects/roles/{role_id}/find",
        f"/projects/roles/{role_id}/badges.pdf",
    } <= staff_links
    response = member.get(f"/projects/roles/{role_id}")
    assert response.status_code == 200
    member_links = _hrefs(response.get_data(as_text=True))
    assert f"/projects/roles/{role_id}/badges.pdf" in member_links
    assert f"/projects/roles/{role_id}/shortlist" not in member_links
    assert f"/projects/roles/{role_id}/find" not in member_links


def test_the_role_page_offers_no_badges_before_a_booking(app, staff, production):
    html = staff.get(f"/projects/roles/{production.role_id}").get_data(as_text=True)
    assert "badges.pdf" not in html


def test_the_project_page_links_its_pdfs_for_everyone_who_sees_it(
    staff, member, production, workflow
):
    project_id, role_id = production.project_id, production.role_id
    pdfs = {f"/projects/{project_id}/badges.pdf", f"/projects/{project_id}/talents.pdf"}
    staff_links = _hrefs(staff.get(f"/projects/{project_id}").get_data(as_text=True))
    assert (
        pdfs
        | {
            f"/projects/roles/{role_id}/shortlist",
            f"/projects/roles/{role_id}/badges.pdf",
        }
        <= staff_links
    )
    member_links = _hrefs(member.get(f"/projects/{project_id}").get_data(as_text=True))
    assert pdfs | {f"/projects/roles/{role_id}/badges.pdf"} <= member_links
    assert f"/projects/roles/{role_id}/shortlist" not in member_links
    for pdf in pdfs:
        assert member.get(pdf).status_code == 200, pdf


def test_a_live_booking_links_its_badge_a_cancelled_one_does_not(
    app, staff, member, production, workflow
):
    from talento.projects.models import Booking

    booking_id = workflow["booking_id"]
    page = f"/projects/bookings/{booking_id}"
    badge = f"/projects/bookings/{booking_id}/badge.pdf"
    staff_links = _hrefs(staff.get(page).get_data(as_text=True))
    assert {badge, f"/projects/roles/{production.role_id}"} <= staff_links
    member_html = member.get(page).get_data(as_text=True)
    assert badge in _hrefs(member_html)
    assert "/shortlist" not in member_html
    assert member.get(badge).status_code == 200
    with app.app_context():
        db.session.get(Booking, booking_id).status = "cancelled"
        db.session.commit()
        db.session.remove()
    assert badge not in staff.get(page).get_data(as_text=True)


def test_presence_gets_the_badge_link_only_for_a_booking_on_its_days(
    app, make_user, production, workflow
):
    from talento.projects.models import PresenceAssignment

    user_id = make_user(email="presence.link@example.org", capabilities=["presence"])
    with app.app_context():
        db.session.add(
            PresenceAssignment(
                project_id=production.project_id,
                user_id=user_id,
                day=production.days[0] - dt.timedelta(days=1),
            )
        )
        db.session.commit()
        db.session.remove()
    client = app.test_client()
    assert login(client, "presence.link@example.org").status_code == 302
    page = f"/projects/bookings/{workflow['booking_id']}"
    badge = f"/projects/bookings/{workflow['booking_id']}/badge.pdf"
    assert client.get(page).status_code == 200
    assert badge not in client.get(page).get_data(as_text=True)
    assert client.get(badge).status_code == 404  # the link would lead nowhere
    with app.app_context():
        db.session.add(
            PresenceAssignment(
                project_id=production.project_id, user_id=user_id, day=production.days[1]
            )
        )
        db.session.commit()
        db.session.remove()
    assert badge in client.get(page).get_data(as_text=True)
    assert client.get(badge).status_code == 200
