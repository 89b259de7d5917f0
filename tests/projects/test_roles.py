"""Roles (issue 14, point 3): every field, criteria stored under the casting search's own
query-argument names, shooting days within the project's dates, « Trouver des talents »
opening the search pre-filled, who sees and who manages."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from talento.audit.models import AuditEvent
from talento.casting.search.filters import CastingFilters, parse_filters
from talento.extensions import db
from talento.projects.models import Booking, CastingRole, ShortlistEntry
from talento.projects.role_forms import days_text, parse_days
from talento.projects.role_services import CRITERIA
from tests.projects.conftest import csrf


def _form(token: str, **overrides) -> dict:
    data = {
        "csrf_token": token,
        "name": "Touaregs du marché",
        "talent_type": "extra",
        "description": "Hommes de 30 à 50 ans, barbe bienvenue.",
        "gender": "M",
        "playing_age_min": "30",
        "playing_age_max": "50",
        "language": ["ary", "shi"],
        "skill": ["riding_camel"],
        "height_min": "170",
        "height_max": "195",
        "eyes": ["brown"],
        "hair": ["black"],
        "skin": [],
        "build": ["slim", "athletic"],
        "people_needed": "300",
        "shooting_days": "10/03/2027 - 12/03/2027\n2027-03-20",
        "rate_per_day": "450",
        "deadline": "2027-02-15",
    }
    data.update(overrides)
    return data


def _role(app, name: str = "Touaregs du marché") -> CastingRole:
    with app.app_context():
        role = db.session.scalars(select(CastingRole).where(CastingRole.name == name)).one()
        role.shooting_days  # noqa: B018 - loaded before the session goes
        db.session.expunge(role)
        db.session.remove()
    return role


def _checked(page: str, name: str, value: str) -> bool:
    """The page has the checkbox `name`=`value`, ticked."""
    for tag in re.findall(r"<input[^>]*>", page):
        if f'name="{name}"' in tag and f'value="{value}"' in tag:
            return re.search(r"\bchecked\b", tag) is not None
    raise AssertionError(f"no checkbox {name}={value}")


def _vocabulary_codes():
    from talento.casting import vocabulary as v
    from talento.profiles.languages import LANGUAGES

    return v, LANGUAGES


def test_the_form_values_exist_in_the_vocabularies():
    """The test's codes are real ones (else the form would drop them and prove nothing)."""
    v, languages = _vocabulary_codes()
    assert {"ary", "shi"} <= set(languages)
    assert "riding_camel" in v.SKILLS
    assert "brown" in v.EYE_COLOURS
    assert "black" in v.HAIR_COLOURS
    assert {"slim", "athletic"} <= set(v.BUILDS)


@pytest.mark.both_backends
def test_casting_staff_create_a_role_with_every_field(app, as_role, cast):
    client = as_role("casting")
    url = f"/projects/{cast.project_id}/roles/new"
    assert client.get(url).status_code == 200
    response = client.post(url, data=_form(csrf(client)))
    assert response.status_code == 302, response.get_data(as_text=True)
    role = _role(app)
    assert response.location.endswith(f"/projects/roles/{role.id}")
    assert (role.talent_type, role.gender) == ("extra", "M")
    assert (role.playing_age_min, role.playing_age_max) == (30, 50)
    assert role.people_needed == 300
    assert role.rate_per_day == Decimal("450")
    assert role.currency == "MAD"
    assert role.deadline == dt.date(2027, 2, 15)
    assert role.days == [
        dt.date(2027, 3, 10),
        dt.date(2027, 3, 11),
        dt.date(2027, 3, 12),
        dt.date(2027, 3, 20),
    ]
    assert role.criteria == {
        "language": ["ary", "shi"],
        "skill": ["riding_camel"],
        "height_min": ["170"],
        "height_max": ["195"],
        "eyes": ["brown"],
        "hair": ["black"],
        "build": ["slim", "athletic"],
    }
    page = client.get(f"/projects/roles/{role.id}").get_data(as_text=True)
    assert "450 MAD" in page
    assert "10 mars 2027" in page
    assert "170–195 cm" in page
    assert "30 à 50 ans" in page


def test_stored_criteria_are_exactly_the_search_query_arguments(app, as_role, cast):
    """Every name a role stores is a field of the casting search's filters, and reading the
    stored criteria back through the search's parser changes nothing."""
    client = as_role("casting")
    client.post(f"/projects/{cast.project_id}/roles/new", data=_form(csrf(client)))
    criteria = _role(app).criteria
    names = {field for field in CastingFilters.__dataclass_fields__}
    assert set(CRITERIA) <= names
    assert set(criteria) <= set(CRITERIA)
    pairs = parse_filters(criteria).query_args()
    assert {(name, value) for name, values in criteria.items() for value in values} == set(pairs)


def test_unknown_codes_are_dropped_and_ranges_ordered(app, as_role, cast):
    from talento.projects.role_services import clean_criteria

    assert clean_criteria(
        {"eyes": ["brown", "purple"], "height_min": ["190"], "height_max": ["160"], "q": ["x"]}
    ) == {"eyes": ["brown"], "height_min": ["160"], "height_max": ["190"]}


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"people_needed": "0"}, "entre 1 et 5000"),
        ({"people_needed": "5001"}, "entre 1 et 5000"),
        ({"playing_age_min": "50", "playing_age_max": "30"}, "supérieur ou égal"),
        ({"height_min": "190", "height_max": "160"}, "supérieure ou égale"),
        ({"shooting_days": "2027-04-02"}, "dans les dates du projet"),
        ({"shooting_days": "32/03/2027"}, "Date illisible"),
        ({"shooting_days": "12/03/2027 - 10/03/2027"}, "Date illisible"),
        ({"rate_per_day": "-5"}, "tarif positif"),
        ({"talent_type": "astronaut"}, "Choisissez une valeur de la liste."),
        ({"language": ["klingon"]}, "Choisissez une valeur de la liste."),
        ({"name": " "}, "Indiquez le nom du rôle."),
    ],
)
def test_bad_values_are_form_errors(app, as_role, cast, overrides, message):
    client = as_role("casting")
    response = client.post(
        f"/projects/{cast.project_id}/roles/new", data=_form(csrf(client), **overrides)
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(CastingRole)).all() == []
        db.session.remove()


def test_five_thousand_people_is_the_most(app, as_role, cast):
    client = as_role("casting")
    data = _form(csrf(client), people_needed="5000")
    assert client.post(f"/projects/{cast.project_id}/roles/new", data=data).status_code == 302


def test_days_are_read_one_per_line_or_as_ranges():
    assert parse_days("15/03/2027\n\n2027-03-14\ndu 20/03/2027 au 21/03/2027") == [
        dt.date(2027, 3, 14),
        dt.date(2027, 3, 15),
        dt.date(2027, 3, 20),
        dt.date(2027, 3, 21),
    ]
    with pytest.raises(ValueError, match="demain"):
        parse_days("demain")
    with pytest.raises(ValueError, match="2028"):
        parse_days("01/01/2027 - 31/12/2028")  # longer than a year
    assert days_text(parse_days("10/03/2027 - 12/03/2027\n20/03/2027")) == (
        "10/03/2027 - 12/03/2027\n20/03/2027"
    )


def test_find_talents_opens_the_search_with_the_role_criteria(app, as_role, cast):
    client = as_role("casting")
    client.post(f"/projects/{cast.project_id}/roles/new", data=_form(csrf(client)))
    role = _role(app)
    response = client.get(f"/projects/roles/{role.id}/find")
    assert response.status_code == 302
    target = urlsplit(response.location)
    assert target.path == "/cinema/talents"
    args = parse_qs(target.query)
    assert args == {
        "type": ["extra"],
        "gender": ["M"],
        "play_min": ["30"],
        "play_max": ["50"],
        "language": ["ary", "shi"],
        "skill": ["riding_camel"],
        "height_min": ["170"],
        "height_max": ["195"],
        "eyes": ["brown"],
        "hair": ["black"],
        "build": ["slim", "athletic"],
        "role": [str(role.id)],
    }
    # the search reads them all and ignores `role` (not one of its criteria)
    filters = parse_filters(args)
    assert filters.type == ("extra",)
    assert filters.gender == "M"
    assert (filters.play_min, filters.play_max) == (30, 50)
    assert (filters.height_min, filters.height_max) == (170, 195)
    assert filters.language == ("ary", "shi")
    assert filters.build == ("slim", "athletic")
    search = client.get(response.location)
    assert search.status_code == 200
    page = search.get_data(as_text=True)
    assert 'name="height_min"' in page
    assert 'value="170"' in page
    assert _checked(page, "language", "ary")
    assert _checked(page, "build", "athletic")
    assert not _checked(page, "build", "heavy")


def test_the_search_ignores_an_unknown_role_argument(as_role):
    client = as_role("casting")
    for value in ("12", "abc", "9" * 30, ""):
        assert client.get(f"/cinema/talents?role={value}").status_code == 200


def test_a_role_without_criteria_opens_the_search_with_its_type(app, as_role, cast):
    with app.app_context():
        role = CastingRole(project_id=cast.project_id, name="Passants", talent_type="silhouette")
        db.session.add(role)
        db.session.commit()
        role_id = role.id
        db.session.remove()
    response = as_role("admin").get(f"/projects/roles/{role_id}/find")
    assert parse_qs(urlsplit(response.location).query) == {
        "type": ["silhouette"],
        "role": [str(role_id)],
    }


def test_who_sees_and_who_manages_a_role(app, as_role, cast):
    client = as_role("casting")
    client.post(f"/projects/{cast.project_id}/roles/new", data=_form(csrf(client)))
    role = _role(app)
    url = f"/projects/roles/{role.id}"
    for reader in ("member", "presence"):
        page = as_role(reader).get(url)
        assert page.status_code == 200, reader
        text = page.get_data(as_text=True)
        assert "Touaregs du marché" in text
        assert "/find" not in text
        assert "edit-role" not in text
        assert as_role(reader).get(f"{url}/find").status_code == 403, reader
        assert as_role(reader).get(f"{url}/edit").status_code == 403, reader
    for outsider in ("talent", "recruiter"):
        assert as_role(outsider).get(url).status_code == 404, outsider
        assert as_role(outsider).get(f"{url}/find").status_code == 403, outsider
    assert app.test_client().get(f"{url}/find").status_code == 302


def test_edit_keeps_what_is_not_changed(app, as_role, cast):
    client = as_role("casting")
    client.post(f"/projects/{cast.project_id}/roles/new", data=_form(csrf(client)))
    role = _role(app)
    page = client.get(f"/projects/roles/{role.id}/edit").get_data(as_text=True)
    assert "10/03/2027 - 12/03/2027" in page
    assert _checked(page, "language", "ary")
    assert _checked(page, "eyes", "brown")
    data = _form(csrf(client), people_needed="120", shooting_days="11/03/2027", eyes=[])
    assert client.post(f"/projects/roles/{role.id}/edit", data=data).status_code == 302
    role = _role(app)
    assert role.people_needed == 120
    assert role.days == [dt.date(2027, 3, 11)]
    assert "eyes" not in role.criteria


def test_a_role_of_a_deleted_project_is_404(app, as_role, cast):
    with app.app_context():
        from talento.extensions import utcnow
        from talento.projects.models import Project

        role = CastingRole(project_id=cast.project_id, name="Passants", talent_type="extra")
        db.session.add(role)
        db.session.get(Project, cast.project_id).deleted_at = utcnow()
        db.session.commit()
        role_id = role.id
        db.session.remove()
    client = as_role("casting")
    assert client.get(f"/projects/roles/{role_id}").status_code == 404
    assert client.get(f"/projects/roles/{role_id}/find").status_code == 404


def test_delete_is_audited_and_refused_once_someone_is_booked(app, as_role, cast, make_talent):
    from talento.casting.models import CastingProfile

    talent = make_talent(email="figurant@example.ma")
    with app.app_context():
        db.session.add(CastingProfile(user_id=talent, code="MACAS0009M", registration_step="done"))
        booked = CastingRole(project_id=cast.project_id, name="Engagés", talent_type="extra")
        free = CastingRole(project_id=cast.project_id, name="Libres", talent_type="extra")
        db.session.add_all([booked, free])
        db.session.flush()
        db.session.add(ShortlistEntry(role_id=free.id, talent_id=talent))
        db.session.add(
            Booking(
                code="CCAF0010001",
                project_id=cast.project_id,
                role_id=booked.id,
                talent_id=talent,
                status="cancelled",
            )
        )
        db.session.commit()
        booked_id, free_id = booked.id, free.id
        db.session.remove()
    client = as_role("casting")
    refused = client.post(
        f"/projects/roles/{booked_id}/delete",
        data={"csrf_token": csrf(client)},
        follow_redirects=True,
    )
    assert "Des engagements existent pour ce rôle" in refused.get_data(as_text=True)
    assert client.get(f"/projects/roles/{booked_id}").status_code == 200
    deleted = client.post(f"/projects/roles/{free_id}/delete", data={"csrf_token": csrf(client)})
    assert deleted.status_code == 302
    assert deleted.location.endswith(f"/projects/{cast.project_id}")
    assert client.get(f"/projects/roles/{free_id}").status_code == 404
    with app.app_context():
        assert db.session.scalars(select(ShortlistEntry)).all() == []
        (event,) = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "project.role_delete")
        ).all()
        assert event.actor_id == cast.casting
        db.session.remove()
    for role in ("member", "presence", "talent"):
        other = as_role(role)
        response = other.post(
            f"/projects/roles/{booked_id}/delete", data={"csrf_token": csrf(other)}
        )
        assert response.status_code == 403, role
