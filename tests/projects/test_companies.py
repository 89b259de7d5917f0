"""Production companies (issue 14, point 1): every field, lists stored as lists, initials,
logo checked and served to whoever may see the company, verification by admins (audited),
soft delete that really hides, members."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from talento.audit.models import AuditEvent
from talento.extensions import db
from talento.projects.company_services import derive_initials, is_web_url
from talento.projects.models import CompanyMember, ProductionCompany
from tests.helpers import moroccan_city_id
from tests.projects.conftest import csrf


def _form(token: str, city_id: int, **overrides) -> dict:
    data = {
        "csrf_token": token,
        "name": "Sahara Productions Maroc",
        "initials": "",
        "description": "Production exécutive pour les tournages étrangers.",
        "specialisations": ["feature_films", "international_services"],
        "address": "12, rue de la Liberté",
        "country": "MA",
        "city": str(city_id),
        "phone": "0522 12 34 56",
        "email": "contact@sahara-prod.ma",
        "website": "https://sahara-prod.ma",
        "social_links": "https://instagram.com/saharaprod\n\nhttps://facebook.com/saharaprod\n",
        "founded_year": "1998",
        "director_name": "Karim Alaoui",
        "employees": "25",
        "notable_productions": "Le Désert\nLa Kasbah\nLe Désert\n",
        "services": "Casting\nRepérages",
        "equipment": "Caméras ARRI",
        "studios": "Studio Atlas, Ouarzazate",
        "certifications": "Agrément CCM",
        "memberships": "Chambre marocaine des producteurs",
        "awards": "Prix du jury 2019",
    }
    data.update(overrides)
    return data


def _company(app, name: str = "Sahara Productions Maroc") -> ProductionCompany:
    with app.app_context():
        company = db.session.scalars(
            select(ProductionCompany).where(ProductionCompany.name == name)
        ).one()
        db.session.expunge(company)
        db.session.remove()
    return company


def _events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        rows = list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))
        db.session.remove()
    return rows


@pytest.mark.both_backends
def test_casting_staff_create_a_company_with_every_field(app, as_role):
    client = as_role("casting")
    city_id = moroccan_city_id(app, "OZZ")
    response = client.post("/projects/companies/new", data=_form(csrf(client), city_id))
    assert response.status_code == 302, response.get_data(as_text=True)
    company = _company(app)
    assert response.location.endswith(f"/projects/companies/{company.id}")
    assert company.initials == "SPM"  # derived from the name
    assert company.specialisations == ["feature_films", "international_services"]
    assert company.social_links == [
        "https://instagram.com/saharaprod",
        "https://facebook.com/saharaprod",
    ]
    assert company.notable_productions == ["Le Désert", "La Kasbah"]  # lists, deduplicated
    assert company.services == ["Casting", "Repérages"]
    assert company.city_id == city_id
    assert company.country_id is not None
    assert company.phone == "+212522123456"
    assert (company.founded_year, company.employees) == (1998, 25)
    assert company.director_name == "Karim Alaoui"
    assert company.awards == ["Prix du jury 2019"]
    page = client.get(f"/projects/companies/{company.id}").get_data(as_text=True)
    assert "Sahara Productions Maroc" in page
    assert "La Kasbah" in page
    assert "Studio Atlas" in page
    assert "Production exécutive pour l&#39;étranger" in page or "Production exécutive" in page


def test_initials_are_derived_and_editable():
    assert derive_initials("Atlas Films") == "AF"
    assert derive_initials("Les Films du Sud") == "FS"
    assert derive_initials("Ouarzazate") == "OU"
    assert derive_initials("Éclair Production Cinéma Télé Maroc") == "EPCT"
    assert derive_initials("ستوديو") == "XX"


def test_typed_initials_are_kept_and_bad_ones_refused(app, as_role):
    client = as_role("casting")
    city_id = moroccan_city_id(app)
    ok = client.post("/projects/companies/new", data=_form(csrf(client), city_id, initials="zag"))
    assert ok.status_code == 302
    assert _company(app).initials == "ZAG"
    bad = client.post(
        "/projects/companies/new",
        data=_form(csrf(client), city_id, name="Autre", initials="A1"),
    )
    assert bad.status_code == 422
    assert "2 à 4 lettres majuscules" in bad.get_data(as_text=True)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("social_links", "instagram.com/sahara", "commençant par https://"),
        ("social_links", "javascript:alert(1)", "commençant par https://"),
        ("website", "ftp://sahara.ma", "https://exemple.ma"),
        ("email", "pas-une-adresse", "nom@exemple.ma"),
        ("founded_year", "1700", "entre 1895 et 2100"),
        ("specialisations", ["spying"], "Choisissez une valeur de la liste."),
    ],
)
def test_bad_values_are_form_errors(app, as_role, field, value, message):
    client = as_role("casting")
    data = _form(csrf(client), moroccan_city_id(app), **{field: value})
    response = client.post("/projects/companies/new", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(ProductionCompany)).all()[0].name == "Atlas Films"
        db.session.remove()


def test_a_city_of_another_country_is_refused(app, as_role):
    client = as_role("casting")
    data = _form(csrf(client), moroccan_city_id(app), country="SN")
    response = client.post("/projects/companies/new", data=data)
    assert response.status_code == 422
    assert "Choisissez une ville du pays choisi." in response.get_data(as_text=True)


def test_web_urls():
    assert is_web_url("https://www.facebook.com/atlas")
    assert not is_web_url("https://localhost")
    assert not is_web_url("http://exa mple.ma")
    assert not is_web_url("data:text/html,hi")


def _photo_with_gps() -> bytes:
    image = Image.new("RGB", (1600, 900), (10, 120, 200))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (31.0, 0.0, 0.0)}  # GPS
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_the_logo_is_verified_reencoded_and_served_to_those_who_see_the_company(app, as_role, cast):
    client = as_role("casting")
    page = client.get(f"/projects/companies/{cast.company_id}/edit").get_data(as_text=True)
    assert 'name="logo"' in page
    with app.app_context():
        data = {
            "csrf_token": csrf(client),
            "name": "Atlas Films",
            "initials": "AF",
            "logo": (io.BytesIO(_photo_with_gps()), "logo.jpg", "image/jpeg"),
        }
        db.session.remove()
    response = client.post(
        f"/projects/companies/{cast.company_id}/edit", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    served = client.get(f"/projects/companies/{cast.company_id}/logo")
    assert served.status_code == 200
    assert served.mimetype == "image/jpeg"
    image = Image.open(io.BytesIO(served.data))
    assert max(image.size) == 512
    assert not image.getexif()  # GPS and maker gone
    assert as_role("member").get(f"/projects/companies/{cast.company_id}/logo").status_code == 200
    for role in ("talent", "presence", "recruiter"):
        assert as_role(role).get(f"/projects/companies/{cast.company_id}/logo").status_code == 404
    assert app.test_client().get(f"/projects/companies/{cast.company_id}/logo").status_code == 404


def test_a_file_that_is_not_an_image_is_a_form_error(app, as_role, cast):
    client = as_role("casting")
    response = client.post(
        f"/projects/companies/{cast.company_id}/edit",
        data={
            "csrf_token": csrf(client),
            "name": "Atlas Films",
            "logo": (io.BytesIO(b"%PDF-1.4 not an image"), "logo.png", "image/png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "pas une image acceptée" in response.get_data(as_text=True)
    assert _company(app, "Atlas Films").logo_name is None


def test_admins_verify_and_unverify_audited_and_casting_staff_cannot(app, as_role, cast):
    url = f"/projects/companies/{cast.company_id}/verify"
    staff = as_role("casting")
    assert staff.post(url, data={"csrf_token": csrf(staff), "verified": "1"}).status_code == 403
    admin = as_role("admin")
    assert admin.post(url, data={"csrf_token": csrf(admin), "verified": "1"}).status_code == 302
    company = _company(app, "Atlas Films")
    assert company.is_verified
    assert company.verified_by_id == cast.admin
    assert "Vérifiée" in admin.get(f"/projects/companies/{cast.company_id}").get_data(as_text=True)
    assert admin.post(url, data={"csrf_token": csrf(admin), "verified": "0"}).status_code == 302
    assert not _company(app, "Atlas Films").is_verified
    (verified,) = _events(app, "company.verified")
    (unverified,) = _events(app, "company.unverified")
    assert verified.actor_id == unverified.actor_id == cast.admin
    assert json.loads(verified.detail) == {"company_id": cast.company_id}


def test_a_deleted_company_is_404_and_absent_from_lists_and_pickers(app, as_role, cast):
    client = as_role("casting")
    url = f"/projects/companies/{cast.company_id}"
    assert client.post(f"{url}/delete", data={"csrf_token": csrf(client)}).status_code == 302
    (event,) = _events(app, "company.delete")
    assert event.actor_id == cast.casting
    for path in (url, f"{url}/edit", f"{url}/members", f"/projects/{cast.project_id}"):
        assert client.get(path).status_code == 404, path
    assert "Atlas Films" not in client.get("/projects/companies").get_data(as_text=True)
    page = client.get("/projects/new").get_data(as_text=True)
    picker = re.search(r'<select[^>]*name="company_id".*?</select>', page, re.S)[0]
    assert f'value="{cast.company_id}"' not in picker
    assert "Atlas Films" not in page
    refused = client.post(
        "/projects/new",
        data={
            "csrf_token": csrf(client),
            "name": "Tourné quand même",
            "project_type": "film",
            "company_id": str(cast.company_id),
            "status": "preparation",
            "location_country": "MA",
        },
    )
    assert refused.status_code == 422
    assert "Choisissez une société de production." in refused.get_data(as_text=True)
    assert as_role("member").get(url).status_code == 404


def test_only_casting_staff_and_admins_create_edit_and_delete(app, as_role, cast):
    url = f"/projects/companies/{cast.company_id}"
    for role in ("talent", "member", "presence", "recruiter"):
        client = as_role(role)
        assert client.get("/projects/companies/new").status_code == 403, role
        assert client.get(f"{url}/edit").status_code == 403, role
        token = csrf(client)
        assert client.post(f"{url}/delete", data={"csrf_token": token}).status_code == 403, role
    assert _company(app, "Atlas Films").deleted_at is None
    assert as_role("admin").get("/projects/companies/new").status_code == 200
    member_page = as_role("member").get(url).get_data(as_text=True)
    assert "Atlas Films" in member_page
    assert "edit-company" not in member_page


def test_members_are_added_by_email_and_removed_audited(app, as_role, cast, make_user):
    newcomer = make_user(email="Regie@Atlas.ma", capabilities=[])
    client = as_role("casting")
    url = f"/projects/companies/{cast.company_id}/members"
    unknown = client.post(url, data={"csrf_token": csrf(client), "email": "nobody@atlas.ma"})
    assert unknown.status_code == 422
    assert "Aucun compte Talento" in unknown.get_data(as_text=True)
    added = client.post(url, data={"csrf_token": csrf(client), "email": "regie@atlas.ma"})
    assert added.status_code == 302
    again = client.post(url, data={"csrf_token": csrf(client), "email": "regie@atlas.ma"})
    assert again.status_code == 409
    with app.app_context():
        assert db.session.get(CompanyMember, (cast.company_id, newcomer)) is not None
        db.session.remove()
    (event,) = _events(app, "company.member_added")
    assert event.subject_id == newcomer
    assert event.actor_id == cast.casting
    removed = client.post(f"{url}/{newcomer}/remove", data={"csrf_token": csrf(client)})
    assert removed.status_code == 302
    with app.app_context():
        assert db.session.get(CompanyMember, (cast.company_id, newcomer)) is None
        db.session.remove()
    (event,) = _events(app, "company.member_removed")
    assert event.subject_id == newcomer
    assert (
        client.post(f"{url}/{newcomer}/remove", data={"csrf_token": csrf(client)}).status_code
        == 404
    )


def test_a_member_lands_on_projects_and_sees_only_their_company(app, as_role, cast, make_user):
    from tests.helpers import login

    with app.app_context():
        other = ProductionCompany(name="Rif Images", initials="RI")
        db.session.add(other)
        db.session.commit()
        db.session.remove()
    response = login(app.test_client(), "member@example.ma")
    assert response.location.endswith("/projects")
    listing = as_role("member").get("/projects/companies").get_data(as_text=True)
    assert "Atlas Films" in listing
    assert "Rif Images" not in listing
    staff_listing = as_role("casting").get("/projects/companies").get_data(as_text=True)
    assert "Atlas Films" in staff_listing
    assert "Rif Images" in staff_listing
    assert as_role("talent").get("/projects/companies").status_code == 403


def test_the_menu_offers_projets_to_staff_members_and_presence(as_role):
    for role, shown in (
        ("casting", True),
        ("admin", True),
        ("member", True),
        ("presence", True),
        ("talent", False),
        ("recruiter", False),
    ):
        page = as_role(role).get("/account/2fa").get_data(as_text=True)
        assert ('id="menu-projects"' in page) is shown, role


def _post_logo(client, company_id: int, data: bytes, **extra):
    return client.post(
        f"/projects/companies/{company_id}/edit",
        data={
            "csrf_token": csrf(client),
            "name": "Atlas Films",
            "initials": "AF",
            "logo": (io.BytesIO(data), "logo.png", "image/png"),
            **extra,
        },
        content_type="multipart/form-data",
    )


def _png(colour=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (300, 120), colour + (128,)).save(out, "PNG")
    return out.getvalue()


def test_a_new_logo_replaces_the_old_file_and_removing_it_deletes_it(app, as_role, cast):
    from talento.projects.company_services import LOGOS_DIR

    logos = Path(app.extensions["talento.settings"].upload_dir) / LOGOS_DIR
    client = as_role("casting")
    assert _post_logo(client, cast.company_id, _png()).status_code == 302
    first = _company(app, "Atlas Films").logo_name
    assert (logos / first).is_file()
    assert _post_logo(client, cast.company_id, _png((0, 90, 40))).status_code == 302
    second = _company(app, "Atlas Films").logo_name
    assert second != first
    assert (logos / second).is_file()
    assert not (logos / first).exists()
    removed = client.post(
        f"/projects/companies/{cast.company_id}/edit",
        data={"csrf_token": csrf(client), "name": "Atlas Films", "remove_logo": "y"},
    )
    assert removed.status_code == 302
    assert _company(app, "Atlas Films").logo_name is None
    assert not (logos / second).exists()
    assert client.get(f"/projects/companies/{cast.company_id}/logo").status_code == 404
