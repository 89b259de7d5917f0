"""The `casting` capability (issue 13, point 7): admins grant and withdraw it from the account
page, whose hint says what it gives; the account list filters on it; it combines with
`recruiter` (both sets of rights); casting accounts and admins, and only they, see « Recherche
casting » in the header."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from talento.accounts.models import User
from talento.audit.models import AuditAction, AuditEvent
from talento.casting.access import is_casting_staff
from talento.extensions import db
from tests.helpers import _csrf_from, login, make_settings

CASTING_LINK = 'href="/cinema/talents"'


@pytest.fixture
def settings(database_url, tmp_path_factory):
    return make_settings(database_url, upload_dir=str(tmp_path_factory.mktemp("uploads")))


@pytest.fixture
def admin(client, make_user):
    make_user(email="boss@example.org", capabilities=["admin"], code="MAN0009RAB")
    assert login(client, "boss@example.org").status_code == 302
    return client


def _capabilities(app, user_id: int) -> frozenset[str]:
    with app.app_context():
        return db.session.get(User, user_id).capabilities


def test_admins_grant_and_withdraw_casting(app, admin, make_talent):
    talent = make_talent(code="MAF0001CAS")
    page = f"/admin/users/{talent}"
    html = admin.get(page).get_data(as_text=True)
    assert 'value="casting"' in html
    hint = re.search(r'<small id="capability-casting-hint" class="hint">([^<]*)<', html).group(1)
    assert "Recherche casting CINEMA" in hint
    assert "coordonnées masquées" in hint
    assert "shortlists" in hint

    def post(capabilities):
        token = _csrf_from(admin.get(page).get_data(as_text=True))
        return admin.post(
            f"{page}/capabilities", data={"csrf_token": token, "capabilities": capabilities}
        )

    assert post(["talent", "casting"]).status_code == 302
    assert _capabilities(app, talent) == {"talent", "casting"}
    assert "Casting (CINEMA)" in admin.get(page).get_data(as_text=True)
    assert post(["talent"]).status_code == 302
    assert _capabilities(app, talent) == {"talent"}
    with app.app_context():
        details = [
            json.loads(e.detail)
            for e in db.session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == AuditAction.CAPABILITY_CHANGE.value)
                .order_by(AuditEvent.id)
            )
        ]
    assert details == [
        {"old": ["talent"], "new": ["talent", "casting"]},
        {"old": ["talent", "casting"], "new": ["talent"]},
    ]


def test_the_account_list_filters_on_casting(admin, make_talent, make_user):
    make_talent(code="MAF0001CAS")
    make_user(code="MAC0002CAS", capabilities=["casting"])
    make_user(code="MAR0003CAS", capabilities=["recruiter", "casting"])
    make_user(code="MAR0004CAS", capabilities=["recruiter"])
    html = admin.get("/admin/users?capability=casting").get_data(as_text=True)
    assert '<option value="casting" selected>' in html
    codes = sorted(set(re.findall(r'<td class="code"><a [^>]*>(\w+)</a>', html)))
    assert codes == ["MAC0002CAS", "MAR0003CAS"]


def _casting_photo(app, owner: int) -> str:
    """A staff-only casting profile with a photo on disk (the matrix's sample)."""
    from tests.web.test_authorization_matrix import _casting_sample

    with app.app_context():
        upload_dir = Path(app.extensions["talento.settings"].upload_dir)
        photo = _casting_sample(owner, upload_dir)
        db.session.commit()
        return photo.name


def test_recruiter_and_casting_get_both(app, client, make_talent, make_user):
    make_talent(code="MAF0001CAS", availability="soon")
    photo = _casting_photo(app, make_talent(code="MAF0002CAS"))
    both = make_user(
        code="MAR0005CAS", email="both@example.org", capabilities=["recruiter", "casting"]
    )
    with app.app_context():
        assert is_casting_staff(db.session.get(User, both))
    assert login(client, "both@example.org").status_code == 302
    # the recruiter's directory features
    page = client.get("/talents?availability=soon").get_data(as_text=True)
    assert '<select id="availability" name="availability">' in page
    assert 'href="/talents/saved"' in page
    assert client.get("/talents/saved").status_code == 200
    # the casting staff's: a staff-only casting photo (the matrix's CASTING-like class)
    assert _staff_photo_status(app, client, photo) == 200
    assert CASTING_LINK in page
    assert client.get("/cinema/talents").status_code == 200


def _staff_photo_status(app, client, name: str) -> int:
    from flask import url_for

    with app.test_request_context():
        url = url_for("casting_media.photo", name=name)
    return client.get(url).status_code


def test_a_recruiter_alone_does_not_get_casting(app, client, make_talent, make_user):
    photo = _casting_photo(app, make_talent(code="MAF0002CAS"))
    make_user(code="MAR0005CAS", email="rec@example.org", capabilities=["recruiter"])
    assert login(client, "rec@example.org").status_code == 302
    assert _staff_photo_status(app, client, photo) == 404
    assert CASTING_LINK not in client.get("/talents").get_data(as_text=True)


@pytest.mark.parametrize(
    ("capabilities", "landing", "sees_link"),
    [
        (["casting"], "/cinema/talents", True),
        (["admin"], "/admin", True),
        (["talent", "casting"], "/profile", True),
        (["talent"], "/profile", False),
        (["recruiter"], "/profile", False),
        (["presence"], "/profile", False),
    ],
)
def test_who_sees_the_casting_menu_and_where_they_land(
    app, client, make_user, make_talent, capabilities, landing, sees_link
):
    maker = make_talent if "talent" in capabilities else make_user
    maker(email="someone@example.org", code="MAC0007CAS", capabilities=capabilities)
    response = login(client, "someone@example.org")
    assert response.status_code == 302
    assert response.headers["Location"] == landing
    page = client.get(landing).get_data(as_text=True)
    assert (CASTING_LINK in page) is sees_link
    assert ("Recherche casting" in page) is sees_link


def test_visitors_do_not_see_the_casting_menu(client):
    assert CASTING_LINK not in client.get("/talents").get_data(as_text=True)


def test_a_casting_account_lands_on_the_casting_search(app, client, make_user, make_talent):
    """Casting staff without a talent profile start on the casting search; a talent who also
    casts starts on their own space, and the home page sends each one to the same place."""
    make_user(email="caster@example.org", code="MAC0007CAS", capabilities=["casting"])
    make_talent(email="both@example.org", code="MAF0008CAS", capabilities=["talent", "casting"])
    response = login(client, "caster@example.org")
    assert response.headers["Location"] == "/cinema/talents"
    assert client.get("/").headers["Location"] == "/cinema/talents"
    other = app.test_client()
    assert login(other, "both@example.org").headers["Location"] == "/profile"
    assert other.get("/").headers["Location"] == "/profile"
