"""Projects (issue 14, point 2): every field, numbers per company allocated race-free, end
before start refused, list and page by viewer (casting staff all, members their company's,
presence their assigned ones, talents nothing), filters, edit, soft delete."""

from __future__ import annotations

import datetime as dt
import re
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlalchemy import select

from talento.audit.models import AuditEvent
from talento.extensions import db
from talento.projects.models import (
    Booking,
    CastingRole,
    ProductionCompany,
    Project,
    ShortlistEntry,
)
from talento.projects.project_services import ProjectInput, create_project
from tests.helpers import moroccan_city_id
from tests.projects.conftest import csrf


def _form(token: str, company_id: int, **overrides) -> dict:
    data = {
        "csrf_token": token,
        "name": "Les Sables d'Or",
        "project_type": "series",
        "company_id": str(company_id),
        "origin_country": "FR",
        "location_country": "MA",
        "cities": [],
        "places": "Dunes de Merzouga\nStudio CLA\n",
        "start_date": "2027-04-01",
        "end_date": "2027-05-15",
        "status": "preparation",
        "notes": "Tournage de nuit la première semaine.",
        "overtime_after_hours": "10",
    }
    data.update(overrides)
    return data


def _project(app, name: str) -> Project:
    with app.app_context():
        project = db.session.scalars(select(Project).where(Project.name == name)).one()
        project.locations  # noqa: B018 - loaded before the session goes
        db.session.expunge(project)
        db.session.remove()
    return project


@pytest.mark.both_backends
def test_casting_staff_create_projects_numbered_per_company(app, as_role, cast):
    client = as_role("casting")
    cities = [str(moroccan_city_id(app, "OZZ")), str(moroccan_city_id(app, "ERR"))]
    response = client.post(
        "/projects/new", data=_form(csrf(client), cast.company_id, cities=cities)
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    project = _project(app, "Les Sables d'Or")
    assert response.location.endswith(f"/projects/{project.id}")
    assert project.number == 2  # the company's counter stood at 1
    assert project.project_type == "series"
    assert project.status == "preparation"
    assert (project.start_date, project.end_date) == (dt.date(2027, 4, 1), dt.date(2027, 5, 15))
    assert project.overtime_after_hours == Decimal("10")
    assert [loc.city_id for loc in project.locations if loc.city_id] == [int(c) for c in cities]
    assert [loc.place for loc in project.locations if loc.place] == [
        "Dunes de Merzouga",
        "Studio CLA",
    ]
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert "1 avril 2027" in page
    assert "15 mai 2027" in page
    assert "Ouarzazate" in page
    assert "Dunes de Merzouga" in page
    with app.app_context():
        other = ProductionCompany(name="Rif Images", initials="RI")
        db.session.add(other)
        db.session.commit()
        other_id = other.id
        db.session.remove()
    second = client.post("/projects/new", data=_form(csrf(client), other_id, name="Rif 1"))
    assert second.status_code == 302
    assert _project(app, "Rif 1").number == 1


def test_an_end_before_the_start_is_a_form_error(app, as_role, cast):
    client = as_role("casting")
    data = _form(csrf(client), cast.company_id, start_date="2027-05-10", end_date="2027-05-09")
    response = client.post("/projects/new", data=data)
    assert response.status_code == 422
    assert "La date de fin doit être le même jour que la date de début ou après." in (
        response.get_data(as_text=True)
    )
    with app.app_context():
        assert db.session.scalars(select(Project.name)).all() == ["Le Désert"]
        db.session.remove()
    # and the service refuses it on its own (a caller without the form)
    from talento.refusals import Refused

    with app.app_context(), pytest.raises(Refused) as refused:
        create_project(
            db.session,
            ProjectInput(
                name="X",
                project_type="film",
                company_id=cast.company_id,
                start_date=dt.date(2027, 5, 10),
                end_date=dt.date(2027, 5, 9),
            ),
            None,
        )
    assert any(one.field == "end_date" for one in refused.value)


def test_the_same_day_is_a_valid_end(app, as_role, cast):
    client = as_role("casting")
    data = _form(csrf(client), cast.company_id, start_date="2027-05-10", end_date="2027-05-10")
    assert client.post("/projects/new", data=data).status_code == 302


def test_overtime_hours_are_optional_and_bounded(app, as_role, cast):
    client = as_role("casting")
    bad = client.post(
        "/projects/new", data=_form(csrf(client), cast.company_id, overtime_after_hours="30")
    )
    assert bad.status_code == 422
    assert "entre 1 et 24" in bad.get_data(as_text=True)
    ok = client.post(
        "/projects/new", data=_form(csrf(client), cast.company_id, overtime_after_hours="")
    )
    assert ok.status_code == 302
    assert _project(app, "Les Sables d'Or").overtime_after_hours is None


def _create_in_own_session(app, company_id: int, n: int) -> int:
    with app.app_context():
        project = create_project(
            db.session,
            ProjectInput(name=f"Concurrent {n}", project_type="commercial", company_id=company_id),
            None,
        )
        db.session.commit()
        number = project.number
        db.session.remove()
    return number


@pytest.mark.committed
def test_fifty_concurrent_creations_in_one_company_get_fifty_distinct_numbers(app):
    with app.app_context():
        company = ProductionCompany(name="Course Films", initials="CF")
        db.session.add(company)
        db.session.commit()
        company_id = company.id
        db.session.remove()
    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(lambda n: _create_in_own_session(app, company_id, n), range(50)))
    assert sorted(numbers) == list(range(1, 51))
    with app.app_context():
        stored = db.session.scalars(select(Project.number).where(Project.company_id == company_id))
        assert sorted(stored) == list(range(1, 51))
        assert db.session.get(ProductionCompany, company_id).last_project_number == 50
        db.session.remove()


def _more_projects(app, cast) -> dict[str, int]:
    """Another company's project, and a second project of the member's company that the
    presence account is not assigned to."""
    with app.app_context():
        other = ProductionCompany(name="Rif Images", initials="RI", last_project_number=1)
        db.session.add(other)
        db.session.flush()
        elsewhere = Project(company_id=other.id, number=1, name="Le Rif", status="shooting")
        unassigned = Project(company_id=cast.company_id, number=2, name="La Médina")
        db.session.add_all([elsewhere, unassigned])
        db.session.commit()
        ids = {"other_company": other.id, "elsewhere": elsewhere.id, "unassigned": unassigned.id}
        db.session.remove()
    return ids


def _listed(client, query: str = "") -> set[str]:
    page = client.get(f"/projects{query}").get_data(as_text=True)
    return set(re.findall(r'<h2><a href="/projects/\d+">([^<]+)</a></h2>', page))


def test_each_viewer_sees_only_their_projects(app, as_role, cast):
    ids = _more_projects(app, cast)
    assert _listed(as_role("casting")) == {"Le Désert", "Le Rif", "La Médina"}
    assert _listed(as_role("admin")) == {"Le Désert", "Le Rif", "La Médina"}
    member = as_role("member")
    assert _listed(member) == {"Le Désert", "La Médina"}
    assert member.get(f"/projects/{ids['elsewhere']}").status_code == 404
    assert member.get(f"/projects/{ids['unassigned']}").status_code == 200
    presence = as_role("presence")
    assert _listed(presence) == {"Le Désert"}
    assert presence.get(f"/projects/{cast.project_id}").status_code == 200
    assert presence.get(f"/projects/{ids['unassigned']}").status_code == 404
    for role in ("talent", "recruiter"):
        client = as_role(role)
        assert client.get("/projects").status_code == 403, role
        assert client.get(f"/projects/{cast.project_id}").status_code == 404, role
    anonymous = app.test_client().get(f"/projects/{cast.project_id}")
    assert anonymous.status_code == 302
    assert "/auth/login" in anonymous.location


def test_filters_by_status_and_company(app, as_role, cast):
    ids = _more_projects(app, cast)
    client = as_role("casting")
    assert _listed(client, "?status=shooting") == {"Le Rif"}
    assert _listed(client, f"?company={cast.company_id}") == {"Le Désert", "La Médina"}
    assert _listed(client, f"?company={ids['other_company']}&status=preparation") == set()
    assert _listed(client, "?status=nonsense&company=abc") == {"Le Désert", "Le Rif", "La Médina"}


def _roles_and_bookings(app, cast, make_talent) -> int:
    from talento.casting.models import CastingProfile

    talents = [make_talent(email=f"figurant{n}@example.ma") for n in range(3)]
    with app.app_context():
        for n, talent in enumerate(talents):
            db.session.add(
                CastingProfile(user_id=talent, code=f"MACAS{n:04d}M", registration_step="done")
            )
        role = CastingRole(
            project_id=cast.project_id, name="Nomades", talent_type="extra", people_needed=300
        )
        lead = CastingRole(
            project_id=cast.project_id, name="Le guide", talent_type="principal", people_needed=1
        )
        db.session.add_all([role, lead])
        db.session.flush()
        db.session.add_all(ShortlistEntry(role_id=role.id, talent_id=t) for t in talents)
        db.session.add_all(
            [
                Booking(
                    code="CCAF0010001",
                    project_id=cast.project_id,
                    role_id=role.id,
                    talent_id=talents[0],
                    status="confirmed",
                ),
                Booking(
                    code="CCAF0010002",
                    project_id=cast.project_id,
                    role_id=role.id,
                    talent_id=talents[1],
                ),
                Booking(
                    code="CCAF0010003",
                    project_id=cast.project_id,
                    role_id=role.id,
                    talent_id=talents[2],
                    status="cancelled",
                ),
            ]
        )
        db.session.commit()
        role_id = role.id
        db.session.remove()
    return role_id


def test_the_page_shows_roles_with_their_figures_and_bookings(app, as_role, cast, make_talent):
    role_id = _roles_and_bookings(app, cast, make_talent)
    page = as_role("casting").get(f"/projects/{cast.project_id}").get_data(as_text=True)
    nomades = page[page.index("Nomades") :]
    assert re.search(r'class="needed">300<', nomades)
    assert re.search(r'class="shortlisted">3<', nomades)
    assert re.search(r'class="booked">2<', nomades)
    assert "2 engagements en cours" in page
    assert "1 confirmé" in page
    assert f"/projects/roles/{role_id}/find" in page
    assert 'id="edit-project"' in page
    assert 'id="new-role"' in page
    for role in ("member", "presence"):
        seen = as_role(role).get(f"/projects/{cast.project_id}").get_data(as_text=True)
        assert "Nomades" in seen
        assert "2 engagements en cours" in seen
        for staff_only in ("Présélectionnés", "/shortlist", "/find", 'id="edit-project"'):
            assert staff_only not in seen, (role, staff_only)
        assert "Tournage de nuit" not in seen


def test_edit_and_soft_delete_audited(app, as_role, cast):
    client = as_role("casting")
    url = f"/projects/{cast.project_id}"
    form = client.get(f"{url}/edit").get_data(as_text=True)
    assert 'value="Le Désert"' in form
    data = _form(csrf(client), cast.company_id, name="Le Grand Désert", status="shooting")
    data.update(start_date="2027-03-01", end_date="2027-03-31")
    assert client.post(f"{url}/edit", data=data).status_code == 302
    project = _project(app, "Le Grand Désert")
    assert project.status == "shooting"
    assert project.number == 1
    assert client.post(f"{url}/delete", data={"csrf_token": csrf(client)}).status_code == 302
    assert client.get(url).status_code == 404
    assert client.get(f"{url}/edit").status_code == 404
    assert "Le Grand Désert" not in _listed(client)
    assert as_role("member").get(url).status_code == 404
    with app.app_context():
        (event,) = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "project.delete")
        ).all()
        assert event.actor_id == cast.casting
        db.session.remove()


def test_moving_a_project_renumbers_it_and_is_refused_once_booked(app, as_role, cast, make_talent):
    client = as_role("casting")
    with app.app_context():
        other = ProductionCompany(name="Rif Images", initials="RI", last_project_number=4)
        db.session.add(other)
        db.session.commit()
        other_id = other.id
        db.session.remove()
    url = f"/projects/{cast.project_id}/edit"
    data = _form(csrf(client), other_id, name="Le Désert")
    data.update(start_date="2027-03-01", end_date="2027-03-31")
    assert client.post(url, data=data).status_code == 302
    assert _project(app, "Le Désert").number == 5
    _roles_and_bookings(app, cast, make_talent)
    back = dict(data, company_id=str(cast.company_id))
    refused = client.post(url, data=back)
    assert refused.status_code == 422
    assert "ne peut plus changer" in refused.get_data(as_text=True)


def test_only_casting_staff_create_edit_and_delete(app, as_role, cast):
    for role in ("member", "presence", "talent", "recruiter"):
        client = as_role(role)
        assert client.get("/projects/new").status_code == 403, role
        assert client.get(f"/projects/{cast.project_id}/edit").status_code == 403, role
        token = csrf(client)
        response = client.post(f"/projects/{cast.project_id}/delete", data={"csrf_token": token})
        assert response.status_code == 403, role
    assert _project(app, "Le Désert").deleted_at is None


def test_without_javascript_the_cities_button_lists_another_country(app, as_role, cast):
    client = as_role("casting")
    data = _form(csrf(client), cast.company_id, location_country="SN", name="")
    page = client.post("/projects/new", data={**data, "show_cities": "1"})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Dakar" in text
    assert "Indiquez le nom du projet." not in text  # nothing checked yet
    with app.app_context():
        assert db.session.scalars(select(Project.name)).all() == ["Le Désert"]
        db.session.remove()


def test_booking_numbers_count_per_live_project(app, cast):
    from talento.extensions import utcnow
    from talento.projects.numbering import next_booking_number, next_project_number

    with app.app_context():
        assert [next_booking_number(db.session, cast.project_id) for _ in range(3)] == [1, 2, 3]
        db.session.get(Project, cast.project_id).deleted_at = utcnow()
        db.session.flush()
        assert next_booking_number(db.session, cast.project_id) is None
        db.session.get(ProductionCompany, cast.company_id).deleted_at = utcnow()
        db.session.flush()
        assert next_project_number(db.session, cast.company_id) is None
        assert next_project_number(db.session, 2**31 - 1) is None
        db.session.rollback()
        db.session.remove()
