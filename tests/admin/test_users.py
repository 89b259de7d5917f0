"""Admin user management: search (phone through the blind index), detail with audited contact
data, edit, capabilities and status guards, deletion, creation on someone's behalf, bulk actions."""

import datetime as dt
import email
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from talento.accounts.models import User
from talento.audit.models import AuditAction, AuditEvent
from talento.extensions import db
from talento.geo.models import City, Country
from tests.helpers import _csrf_from, login, make_settings

PHONE = "+212612345678"


@pytest.fixture
def settings(database_url, tmp_path_factory):
    return make_settings(
        database_url,
        upload_dir=str(tmp_path_factory.mktemp("uploads")),
        mail_outbox_dir=str(tmp_path_factory.mktemp("outbox")),
    )


@pytest.fixture
def admin_id(make_user):
    return make_user(email="boss@example.org", capabilities=["admin"], code="MAN0009RAB")


@pytest.fixture
def admin(client, admin_id):
    assert login(client, "boss@example.org").status_code == 302
    return client


def _events(app, action=None) -> list[AuditEvent]:
    with app.app_context():
        stmt = select(AuditEvent).order_by(AuditEvent.id)
        if action:
            stmt = stmt.where(AuditEvent.action == action)
        rows = db.session.scalars(stmt).all()
        db.session.expunge_all()
        return rows


def _codes(html: str) -> list[str]:
    return re.findall(r'<td class="code"><a [^>]*>([A-Z0-9]{10})</a>', html)


def _post(client, url, data, page=None):
    token = _csrf_from(client.get(page or url).get_data(as_text=True))
    return client.post(url, data={**data, "csrf_token": token})


def _city_id(app, iso2, code):
    with app.app_context():
        country = db.session.scalars(select(Country).where(Country.iso2 == iso2)).one()
        return db.session.scalars(
            select(City.id).where(City.country_id == country.id, City.code == code)
        ).one()


# -- list and search ------------------------------------------------------------------------------


@pytest.mark.both_backends
def test_search_by_name_email_code_and_exact_phone(app, admin, make_talent):
    make_talent(code="MAF0001CAS", first_name="Yasmine", email="yasmine@example.ma", phone=PHONE)
    make_talent(code="MAM0002CAS", first_name="Omar", email="omar@example.ma", whatsapp=PHONE)
    make_talent(code="MAF0003CAS", first_name="Salma", phone="+212612345679")

    def found(q, **args):
        return _codes(admin.get("/admin/users", query_string={"q": q, **args}).get_data(True))

    assert found("yas") == ["MAF0001CAS"]
    assert found("omar@ex") == ["MAM0002CAS"]
    assert found("maf0003cas") == ["MAF0003CAS"]
    # Exact phone, any usual spelling, on phone or WhatsApp; never a prefix match.
    assert sorted(found("+212 6 12 34 56 78")) == ["MAF0001CAS", "MAM0002CAS"]
    assert sorted(found("06-12-34-56-78")) == ["MAF0001CAS", "MAM0002CAS"]
    assert found("0612345") == []
    assert found("+221 77 000 00 00") == []


def test_phone_search_never_decrypts(app, admin, make_talent):
    from talento.crypto import KeyRing

    make_talent(phone=PHONE)
    calls = []
    original = KeyRing.decrypt_with_fingerprint
    KeyRing.decrypt_with_fingerprint = lambda self, stored: (
        calls.append(1) or original(self, stored)
    )
    try:
        html = admin.get("/admin/users", query_string={"q": PHONE}).get_data(True)
    finally:
        KeyRing.decrypt_with_fingerprint = original
    assert len(_codes(html)) == 1
    assert calls == []


def test_filters_sort_and_pages(app, admin, admin_id, make_talent, make_user):
    old = dt.datetime(2026, 1, 10, tzinfo=dt.UTC)
    make_talent(code="MAF0001CAS", last_name="Alaoui", skills=["actor"], created_at=old)
    make_talent(code="MAF0002CAS", last_name="Bennani", skills=["singer"], availability="soon")
    make_talent(code="MAF0003CAS", last_name="Chraibi", is_active_account=False)
    make_user(code="MAN0004RAB", capabilities=["presence"])
    make_user(code="MAN0005RAB", capabilities=["talent", "recruiter"])

    def found(**args):
        return _codes(admin.get("/admin/users", query_string=args).get_data(True))

    assert found(capability="presence") == ["MAN0004RAB"]
    assert found(capability="recruiter") == ["MAN0005RAB"]
    assert found(capability="admin") == ["MAN0009RAB"]
    assert len(found(capability="nonsense")) == 6  # an unknown value is ignored
    assert found(status="inactive") == ["MAF0003CAS"]
    assert found(skill="singer") == ["MAF0002CAS"]
    assert found(availability="soon") == ["MAF0002CAS"]
    assert found(registered_to="2026-01-10") == ["MAF0001CAS"]
    assert "MAF0001CAS" not in found(registered_from="2026-01-11")
    assert found(country="SN") == []
    casablanca = _city_id(app, "MA", "CAS")
    assert len(found(country="MA", city=str(casablanca))) == 6
    talents = ["MAF0001CAS", "MAF0002CAS", "MAF0003CAS", "MAN0005RAB"]
    assert found(capability="talent", sort="code") == talents
    first = found(capability="talent", sort="code", per_page="2")
    second = found(capability="talent", sort="code", per_page="2", page="2")
    assert first == talents[:2]
    assert second == talents[2:]
    assert admin.get("/admin/users?page=abc&per_page=-3&registered_from=x").status_code == 200


# -- detail, contact data, audit ------------------------------------------------------------------


def test_detail_shows_contact_data_and_audits_it(app, admin, admin_id, make_talent):
    talent = make_talent(code="MAF0001CAS", phone=PHONE, address="12 rue des Orangers")
    response = admin.get(f"/admin/users/{talent}")
    html = response.get_data(True)
    assert response.status_code == 200
    assert PHONE in html
    assert "12 rue des Orangers" in html
    assert response.headers["Cache-Control"] == "private, no-store"
    [event] = _events(app, AuditAction.PERSONAL_DATA_VIEW)
    assert (event.actor_id, event.actor_code) == (admin_id, "MAN0009RAB")
    assert (event.subject_id, event.subject_code) == (talent, "MAF0001CAS")
    assert event.fields == "address,phone"
    assert event.ip == "127.0.0.1"
    assert admin.get("/admin/users/999999").status_code == 404


def test_audit_table_never_holds_a_decrypted_value(app, admin, make_talent):
    talent = make_talent(phone=PHONE, address="12 rue des Orangers", links={"site": "https://x.ma"})
    admin.get(f"/admin/users/{talent}")
    admin.get("/admin/users", query_string={"q": PHONE})
    with app.app_context():
        rows = db.session.execute(select(AuditEvent.__table__)).all()
    dump = json.dumps([list(map(str, row)) for row in rows])
    assert rows
    for secret in (PHONE, "612345678", "Orangers", "x.ma"):
        assert secret not in dump


def test_audit_refuses_free_text_details(app):
    from talento.audit.services import AuditValueRefused, record

    with app.app_context():
        with pytest.raises(AuditValueRefused):
            record(db.session, AuditAction.EXPORT, None, detail={"note": "+212 6 12 34 56 78\n"})
        with pytest.raises(AuditValueRefused):
            record(db.session, AuditAction.EXPORT, None, fields=["password"])
        db.session.rollback()


# -- edit -----------------------------------------------------------------------------------------


def _edit_data(app, **overrides):
    data = {
        "email": "new@example.ma",
        "language": "en",
        "first_name": "Yasmina",
        "last_name": "El Amrani",
        "gender": "F",
        "date_of_birth": "1998-03-14",
        "nationality": "MA",
        "phone": "06 99 88 77 66",
        "whatsapp": "",
        "address": "",
        "country": "MA",
        "city": str(_city_id(app, "MA", "RAB")),
        "skills": ["singer"],
        "availability": "soon",
        "work_mode": "remote",
        "languages": ["fr"],
    }
    data.update(overrides)
    return data


@pytest.mark.both_backends
def test_edit_every_field_updates_the_index_and_audits_names_only(app, admin, make_talent):
    talent = make_talent(code="MAF0001CAS", phone=PHONE)
    url = f"/admin/users/{talent}/edit"
    assert PHONE in admin.get(url).get_data(True)  # prefilled: a display, audited
    [view] = _events(app, AuditAction.PERSONAL_DATA_VIEW)
    assert (view.subject_id, view.fields) == (talent, "phone")
    response = _post(admin, url, _edit_data(app))
    assert response.status_code == 302, response.get_data(True)
    with app.app_context():
        user = db.session.get(User, talent)
        assert (user.email, user.first_name, user.phone) == (
            "new@example.ma",
            "Yasmina",
            "+212699887766",
        )
        assert (user.city.code, user.language, user.profile.availability) == ("RAB", "en", "soon")
        assert [s.slug for s in user.profile.skills] == ["singer"]
    assert _codes(admin.get("/admin/users?q=0699887766").get_data(True)) == ["MAF0001CAS"]
    assert _codes(admin.get(f"/admin/users?q={PHONE}").get_data(True)) == []
    [event] = _events(app, AuditAction.USER_UPDATE)
    changed = json.loads(event.detail)["changed"]
    assert {"email", "first_name", "phone", "city_id", "availability", "skills"} <= set(changed)
    assert "699887766" not in event.detail


def test_edit_refuses_a_taken_email_and_bad_input_with_messages(app, admin, make_talent):
    talent = make_talent(email="one@example.ma")
    make_talent(email="two@example.ma")
    url = f"/admin/users/{talent}/edit"
    response = _post(admin, url, _edit_data(app, email="TWO@example.ma"))
    assert response.status_code == 400
    assert "Un compte existe déjà avec cette adresse e-mail" in response.get_data(True)
    response = _post(admin, url, _edit_data(app, phone="12"))
    assert response.status_code == 400
    assert "field-error" in response.get_data(True)
    assert _events(app, AuditAction.USER_UPDATE) == []


def test_edit_warns_of_a_phone_registered_by_someone_else(app, admin, make_talent):
    make_talent(code="MAF0001CAS", phone="+212699887766")
    talent = make_talent(code="MAF0002CAS")
    response = _post(admin, f"/admin/users/{talent}/edit", _edit_data(app))
    assert response.status_code == 302
    page = admin.get(response.headers["Location"]).get_data(True)
    assert "aussi enregistré pour MAF0001CAS" in page


# -- capabilities, status, guards -----------------------------------------------------------------


def _capabilities(app, user_id) -> tuple[frozenset[str], int]:
    with app.app_context():
        user = db.session.get(User, user_id)
        found = (user.capabilities, user.session_version)
        db.session.remove()
    return found


@pytest.mark.parametrize("page", ["", "/edit"])
def test_capabilities_are_checkboxes_on_the_account_pages(app, admin, make_user, page):
    talent = make_user(code="MAF0001CAS", capabilities=["talent", "recruiter"])
    html = admin.get(f"/admin/users/{talent}{page}").get_data(True)
    form = html[html.index(f'action="/admin/users/{talent}/capabilities"') :]
    form = form[: form.index("</form>")]
    boxes = re.findall(r'<input type="checkbox"[^>]*name="capabilities"[^>]*>', form)
    assert [re.search(r'value="(\w+)"', b).group(1) for b in boxes] == [
        "talent",
        "recruiter",
        "casting",
        "presence",
        "admin",
    ]
    assert [("checked" in b) for b in boxes] == [True, True, False, False, False]
    assert "Recruteur" in form
    if page == "/edit":  # a refused profile edit shows the account's capabilities as they are
        html = _post(admin, f"/admin/users/{talent}/edit", {"email": "not-an-address"})
        html = html.get_data(True)
        form = html[html.index(f'action="/admin/users/{talent}/capabilities"') :]
        assert len(re.findall(r'name="capabilities" value="\w+"[^>]* checked', form)) == 2


def test_granting_recruiter_keeps_the_sessions_and_is_audited(app, admin, make_talent):
    talent = make_talent(code="MAF0001CAS")
    _, before = _capabilities(app, talent)
    page = f"/admin/users/{talent}"
    response = _post(admin, f"{page}/capabilities", {"capabilities": ["talent", "recruiter"]}, page)
    assert response.status_code == 302
    assert _capabilities(app, talent) == ({"talent", "recruiter"}, before)  # nothing taken
    assert "Capacités de MAF0001CAS : Talent, Recruteur." in admin.get(page).get_data(True)
    [event] = _events(app, AuditAction.CAPABILITY_CHANGE)
    assert json.loads(event.detail) == {"old": ["talent"], "new": ["talent", "recruiter"]}
    assert event.subject_code == "MAF0001CAS"
    # The same set again changes nothing and writes nothing.
    _post(admin, f"{page}/capabilities", {"capabilities": ["recruiter", "talent"]}, page)
    assert len(_events(app, AuditAction.CAPABILITY_CHANGE)) == 1


def test_removing_a_capability_is_audited_and_ends_the_target_sessions(app, admin, make_user):
    user_id = make_user(
        code="MAF0001CAS", email="both@example.org", capabilities=["talent", "recruiter"]
    )
    other = app.test_client()
    assert login(other, "both@example.org").status_code == 302
    _, before = _capabilities(app, user_id)
    page = f"/admin/users/{user_id}"
    response = _post(admin, f"{page}/capabilities", {"capabilities": ["presence"]}, page)
    assert response.status_code == 302
    assert _capabilities(app, user_id) == ({"presence"}, before + 1)
    assert other.get("/profile").status_code == 302  # their session ended
    [event] = _events(app, AuditAction.CAPABILITY_CHANGE)
    assert json.loads(event.detail) == {"old": ["talent", "recruiter"], "new": ["presence"]}


def test_capabilities_refused(app, admin, admin_id, make_talent):
    talent = make_talent(code="MAF0001CAS")
    page = f"/admin/users/{talent}"
    response = _post(admin, f"{page}/capabilities", {}, page)  # every box unticked
    assert response.status_code == 303
    assert "au moins une capacité" in admin.get(page).get_data(True)
    response = _post(admin, f"{page}/capabilities", {"capabilities": ["director"]}, page)
    assert response.status_code == 400
    assert _capabilities(app, talent)[0] == {"talent"}
    assert _events(app, AuditAction.CAPABILITY_CHANGE) == []


def test_an_admin_adds_to_their_own_capabilities_but_keeps_admin(app, admin, admin_id):
    page = f"/admin/users/{admin_id}"
    response = _post(admin, f"{page}/capabilities", {"capabilities": ["admin", "recruiter"]}, page)
    assert response.status_code == 302
    assert admin.get(page).status_code == 200  # still signed in
    assert _capabilities(app, admin_id)[0] == {"admin", "recruiter"}


def test_nobody_demotes_or_deactivates_themself(app, admin, admin_id):
    page = f"/admin/users/{admin_id}"
    response = _post(admin, f"{page}/capabilities", {"capabilities": ["talent"]}, page)
    assert response.status_code == 303
    assert "propre rôle" in admin.get(page).get_data(True)
    response = _post(admin, f"{page}/status", {"active": "0"}, page)
    assert response.status_code == 303
    response = _post(admin, f"{page}/delete", {"confirm": "y"})
    assert response.status_code == 303
    with app.app_context():
        me = db.session.get(User, admin_id)
        assert (me.capabilities, me.is_active_account) == ({"admin"}, True)
    assert _events(app, AuditAction.CAPABILITY_CHANGE) == []


def test_the_last_active_admin_cannot_be_removed(app, make_user):
    from talento.admin import users as service
    from talento.audit.services import Actor

    first = make_user(capabilities=["admin"], code="MAN0001RAB", email="a1@example.org")
    second = make_user(capabilities=["admin"], code="MAN0002RAB", email="a2@example.org")
    with app.test_request_context():
        one, two = db.session.get(User, first), db.session.get(User, second)
        assert service.set_active(db.session, one, two, False, Actor())  # `one` remains
        db.session.commit()
        # `one` is now the last active admin: nobody (here the deactivated `two`) removes them.
        for change in (
            lambda: service.set_capabilities(db.session, two, one, ["talent"], Actor()),
            lambda: service.set_active(db.session, two, one, False, Actor()),
            lambda: service.delete_user(db.session, two, one, Actor()),
        ):
            with pytest.raises(service.AdminActionRefused, match="dernier administrateur"):
                change()
        db.session.rollback()
        assert db.session.get(User, first).is_active_account


def test_deactivation_ends_the_session_and_blocks_login(app, admin, make_talent):
    other = app.test_client()
    talent = make_talent(email="t@example.ma")
    assert login(other, "t@example.ma").status_code == 302
    assert other.get("/profile").status_code == 200
    page = f"/admin/users/{talent}"
    assert _post(admin, f"{page}/status", {"active": "0"}, page).status_code == 302
    assert other.get("/profile").status_code == 302
    assert login(other, "t@example.ma").status_code == 403
    [event] = _events(app, AuditAction.STATUS_CHANGE)
    assert json.loads(event.detail) == {"active": False}


# -- deletion -------------------------------------------------------------------------------------


def test_delete_needs_confirmation_and_removes_files(app, admin, make_talent, settings):
    uploads = Path(settings.upload_dir)
    (uploads / "photos").mkdir(parents=True, exist_ok=True)
    (uploads / "cv").mkdir(parents=True, exist_ok=True)
    photo = uploads / "photos" / ("p" * 22 + ".jpg")
    cv = uploads / "cv" / ("c" * 22 + ".pdf")
    photo.write_bytes(b"x")
    cv.write_bytes(b"x")
    talent = make_talent(code="MAF0001CAS", photo_name=photo.name, cv_name=cv.name)
    url = f"/admin/users/{talent}/delete"
    assert "définitivement" in admin.get(url).get_data(True)
    assert _post(admin, url, {}).status_code == 400  # no confirmation
    with app.app_context():
        assert db.session.get(User, talent) is not None
    assert _post(admin, url, {"confirm": "y"}).status_code == 302
    with app.app_context():
        assert db.session.get(User, talent) is None
    assert not photo.exists()
    assert not cv.exists()
    [event] = _events(app, AuditAction.USER_DELETE)
    assert (event.subject_id, event.subject_code) == (talent, "MAF0001CAS")


# -- creation on someone's behalf -----------------------------------------------------------------


def test_create_talent_sends_a_set_password_link_never_a_password(app, admin, settings):
    data = _edit_data(app, email="recrue@example.ma", phone="0611223344", language="fr")
    response = _post(admin, "/admin/users/new", data)
    assert response.status_code == 302, response.get_data(True)
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == "recrue@example.ma")).one()
        assert user.password_hash == ""
        assert user.code.startswith("MAF")
        assert user.code.endswith("RAB")
        code = user.code
    [mail_file] = Path(settings.mail_outbox_dir).glob("*.eml")
    message = email.message_from_bytes(mail_file.read_bytes())
    body = "".join(
        part.get_payload(decode=True).decode()
        for part in message.walk()
        if part.get_content_maintype() == "text"
    )
    assert message["To"] == "recrue@example.ma"
    link = re.search(r"http://localhost(/auth/reset/[^\s\"<]+)", body).group(1)
    actions = [e.action for e in _events(app) if e.subject_code == code]
    assert actions == [AuditAction.USER_CREATE, AuditAction.PASSWORD_LINK_SENT]

    # The person chooses a password through the link, then logs in.
    newcomer = app.test_client()
    token = _csrf_from(newcomer.get(link).get_data(True))
    new_password = "Recrue-Casablanca-2026"
    response = newcomer.post(
        link, data={"password": new_password, "password_confirm": new_password, "csrf_token": token}
    )
    assert response.status_code == 302
    assert login(newcomer, code, new_password).status_code == 302


def test_create_refuses_a_taken_email(app, admin, make_talent):
    make_talent(email="taken@example.ma")
    response = _post(admin, "/admin/users/new", _edit_data(app, email="taken@example.ma"))
    assert response.status_code == 400
    assert "Un compte existe déjà avec cette adresse e-mail." in response.get_data(True)


# -- bulk -----------------------------------------------------------------------------------------


def test_bulk_action_confirms_the_count_then_applies(app, admin, admin_id, make_talent):
    ids = [make_talent(code=f"MAF000{n}CAS") for n in (1, 2, 3)]
    token = _csrf_from(admin.get("/admin/users").get_data(True))
    form = {"csrf_token": token, "action": "deactivate", "ids": [str(i) for i in ids]}
    response = admin.post("/admin/users/bulk", data=form)
    html = response.get_data(True)
    assert response.status_code == 200
    assert "Désactiver 3 comptes ?" in html
    with app.app_context():
        assert all(db.session.get(User, i).is_active_account for i in ids)  # nothing yet
    response = admin.post(
        "/admin/users/bulk", data={**form, "confirm": "y", "back": "/admin/users?capability=talent"}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/admin/users?capability=talent")
    with app.app_context():
        assert not any(db.session.get(User, i).is_active_account for i in ids)
    assert len(_events(app, AuditAction.STATUS_CHANGE)) == 3


def test_bulk_reports_refusals_and_does_the_rest(app, admin, admin_id, make_talent):
    talent = make_talent(code="MAF0001CAS")
    token = _csrf_from(admin.get("/admin/users").get_data(True))
    data = {
        "csrf_token": token,
        "action": "delete",
        "ids": [str(talent), str(admin_id)],
        "confirm": "y",
    }
    response = admin.post("/admin/users/bulk", data=data, follow_redirects=True)
    html = response.get_data(True)
    assert "1 compte traité" in html
    assert "MAN0009RAB" in html
    with app.app_context():
        assert db.session.get(User, talent) is None
        assert db.session.get(User, admin_id) is not None


def test_bulk_without_selection_or_action_explains(app, admin):
    token = _csrf_from(admin.get("/admin/users").get_data(True))
    response = admin.post(
        "/admin/users/bulk", data={"csrf_token": token, "action": "delete"}, follow_redirects=True
    )
    assert "Cochez au moins un compte." in response.get_data(True)
    response = admin.post(
        "/admin/users/bulk", data={"csrf_token": token, "ids": ["1"]}, follow_redirects=True
    )
    assert "Choisissez une action." in response.get_data(True)
    assert (
        admin.post("/admin/users/bulk", data={"action": "delete", "ids": ["1"]}).status_code == 400
    )
