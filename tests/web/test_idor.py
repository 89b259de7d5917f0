"""IDOR: a logged-in person cannot read or change someone else's data by putting another id,
code, e-mail or file name in a URL, a query string, a form field or the session cookie.

The talent's own space always acts on ``current_user``; other people's data is reachable only
through the public allowlist (``/p/<code>``), through admin pages (403 for anyone else) or
through a signed token (reset links). Talent A is the one who tries; talent B is the target.
"""

from __future__ import annotations

import base64
import datetime as dt
import email
import email.policy
import hashlib
import io
import json
import re
from pathlib import Path

import pytest
from flask.json.tag import TaggedJSONSerializer
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from talento.accounts.models import User
from talento.accounts.reset import make_token
from talento.audit.models import AuditEvent
from talento.extensions import db
from talento.profiles.uploads import CV_DIR, store_cv
from tests.helpers import USER_PASSWORD, _csrf_from, login, make_settings

PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\nstartxref\n0\n%%EOF\n"
)
B_PASSWORD = "Bahia-secret-pass-2026"
A_EMAIL, B_EMAIL = "alice@example.org", "bahia@example.org"
PRESENCE_EMAIL, ADMIN_EMAIL = "presence@example.org", "admin@example.org"
A_CODE, B_CODE = "MAF0001CAS", "MAF0002CAS"
#: What B keeps private, as it could appear in a page (E.164 and national phone forms…).
B_PRIVATE = (
    B_EMAIL,
    "+212622222222",
    "0622222222",
    "622222222",
    "+212633333333",
    "633333333",
    "Derb Bêta 22",
    "Derb B&#234;ta 22",
    "1991-04-23",
    "23/04/1991",
    "98765",
    "instagram.com/bahia-secret",
)


@pytest.fixture
def settings(database_url, tmp_path_factory):
    return make_settings(database_url, upload_dir=str(tmp_path_factory.mktemp("uploads")))


@pytest.fixture
def upload_dir(app) -> Path:
    return Path(app.extensions["talento.settings"].upload_dir)


@pytest.fixture
def people(app, make_user, make_talent, upload_dir) -> dict:
    """A and B (talents), a presence operator and an admin; ids and file names."""
    a_cv = store_cv(io.BytesIO(PDF), upload_dir).name
    b_cv = store_cv(io.BytesIO(PDF), upload_dir).name
    a = make_talent(
        code=A_CODE,
        email=A_EMAIL,
        first_name="Alice",
        last_name="Alaoui",
        phone="+212611111111",
        address="Rue Alpha 1",
        cv_name=a_cv,
    )
    b = make_talent(
        code=B_CODE,
        email=B_EMAIL,
        first_name="Bahia",
        last_name="Berrada",
        password=B_PASSWORD,
        phone="+212622222222",
        whatsapp="+212633333333",
        address="Derb Bêta 22",
        date_of_birth=dt.date(1991, 4, 23),
        bio="Comédienne de théâtre",
        rate_min=98765,
        links={"instagram": "https://instagram.com/bahia-secret"},
        public_links="",
        cv_name=b_cv,
    )
    presence = make_user(code="MAP0003CAS", email=PRESENCE_EMAIL, capabilities=["presence"])
    admin = make_user(code="MAA0004CAS", email=ADMIN_EMAIL, capabilities=["admin"])
    return {"a": a, "b": b, "presence": presence, "admin": admin, "a_cv": a_cv, "b_cv": b_cv}


def snapshot(app, user_id: int) -> dict:
    """Everything that identifies or belongs to an account, decrypted."""
    with app.app_context():
        user = db.session.get(User, user_id)
        if user is None:
            db.session.remove()
            return {}
        profile = user.profile
        state = {
            "code": user.code,
            "email": user.email,
            "names": (user.first_name, user.last_name),
            "capabilities": user.capabilities,
            "active": user.is_active_account,
            "password_hash": user.password_hash,
            "session_version": user.session_version,
            "contact": (user.phone, user.whatsapp, user.address, user.date_of_birth),
            "residence": (user.country_id, user.city_id),
        }
        if profile is not None:
            state["profile"] = {
                "bio": profile.bio,
                "rates": (profile.rate_min, profile.rate_max),
                "files": (profile.photo_name, profile.cv_name),
                "skills": sorted(s.slug for s in profile.skills),
                "links": profile.links,
            }
        db.session.remove()
    return state


def logged_in(app, identifier: str, password: str = USER_PASSWORD):
    client = app.test_client()
    assert login(client, identifier, password).status_code == 302
    return client


def csrf(client) -> str:
    return _csrf_from(client.get("/auth/forgot").get_data(as_text=True))


def assert_nothing_of_b(text: str) -> None:
    leaked = [value for value in B_PRIVATE if value in text]
    assert not leaked, f"B's private data in the response: {leaked}"


def without_echoed_query(text: str) -> str:
    """The page without its language links, which repeat the request's own query string."""
    return re.sub(r'href="[^"]*[?&](?:amp;)?lang=[^"]*"', "", text)


def error_page(response, name: str) -> str:
    """The body without what changes on every request (CSP nonce, request id, its own URL, the
    CSRF token of the logout form, which carries a timestamp)."""
    body = response.get_data(as_text=True)
    body = re.sub(r'nonce="[^"]*"', "", body).replace(name, "NAME")
    body = re.sub(r'name="csrf_token"[^>]*value="[^"]*"', 'name="csrf_token"', body)
    return body.replace(response.headers.get("X-Request-ID", "-"), "")


# -- files --------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["a", "presence"])
def test_another_talents_cv_is_not_found_exactly_like_an_unknown_name(app, people, who):
    client = logged_in(app, A_EMAIL if who == "a" else PRESENCE_EMAIL)
    theirs = client.get(f"/media/cv/{people['b_cv']}")
    unknown = client.get("/media/cv/AAAAAAAAAAAAAAAAAAAAAA.pdf")

    assert theirs.status_code == unknown.status_code == 404
    assert "Content-Disposition" not in theirs.headers
    assert error_page(theirs, people["b_cv"]) == error_page(unknown, "AAAAAAAAAAAAAAAAAAAAAA.pdf")
    with app.app_context():  # a refused read is not a read: no "personal data viewed" row
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 1  # the login
        db.session.remove()
    if who == "a":  # control: the owner gets her own CV, and the admin gets B's
        assert client.get(f"/media/cv/{people['a_cv']}").status_code == 200
    assert logged_in(app, ADMIN_EMAIL).get(f"/media/cv/{people['b_cv']}").status_code == 200


# -- the own space ignores ids, codes and e-mails in URLs and forms ----------------------------


def _edit_data(app, client, people) -> dict:
    with app.app_context():
        city_id = db.session.get(User, people["a"]).city_id
        db.session.remove()
    return {
        "csrf_token": _csrf_from(client.get("/profile/edit").get_data(as_text=True)),
        "first_name": "Alice",
        "last_name": "Modifiée",
        "gender": "F",
        "date_of_birth": "1990-01-02",
        "nationality": "MA",
        "phone": "0611111111",
        "address": "Rue Alpha 1",
        "country": "MA",
        "city": str(city_id),
        "skills": ["actor"],
        "bio": "Texte écrit par A",
        "availability": "immediate",
        "work_mode": "flexible",
        "languages": ["fr"],
    }


def test_edit_form_fields_naming_another_account_are_ignored(app, people):
    client = logged_in(app, A_EMAIL)
    a_before, b_before = snapshot(app, people["a"]), snapshot(app, people["b"])
    data = _edit_data(app, client, people)
    data |= {
        # everything a crafted request could try to point at B or to widen A's rights
        "user_id": str(people["b"]),
        "id": str(people["b"]),
        "user": str(people["b"]),
        "profile_id": str(people["b"]),
        "code": B_CODE,
        "email": B_EMAIL,
        "role": "admin",
        "capabilities": ["admin", "recruiter"],
        "is_active_account": "0",
        "cv_name": people["b_cv"],
        "photo_name": "AAAAAAAAAAAAAAAAAAAAAA.jpg",
        "remove_cv": "",
    }
    query = f"?user_id={people['b']}&id={people['b']}&code={B_CODE}"

    response = client.post("/profile/edit" + query, data=data)

    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert snapshot(app, people["b"]) == b_before
    a_after = snapshot(app, people["a"])
    assert a_after["names"] == ("Alice", "Modifiée")  # the edit went to A…
    assert a_after["profile"]["bio"] == "Texte écrit par A"
    for key in (
        "code",
        "email",
        "capabilities",
        "active",
        "password_hash",
    ):  # …and only what it may
        assert a_after[key] == a_before[key], key
    assert a_after["profile"]["files"] == a_before["profile"]["files"]


@pytest.mark.parametrize(
    "path",
    ["/profile", "/profile/edit", "/profile/my-data.json", "/profile/password", "/profile/delete"],
)
def test_own_pages_show_the_logged_in_account_whatever_the_query(app, people, path):
    client = logged_in(app, A_EMAIL)
    query = f"?user_id={people['b']}&id={people['b']}&code={B_CODE}&email={B_EMAIL}"
    response = client.get(path + query)
    assert response.status_code == 200
    text = without_echoed_query(response.get_data(as_text=True))
    assert_nothing_of_b(text)
    assert B_CODE not in text
    assert "Berrada" not in text
    if path in ("/profile", "/profile/my-data.json"):
        assert A_CODE in text


def test_my_data_export_holds_only_the_logged_in_account(app, people):
    client = logged_in(app, A_EMAIL)
    response = client.get(f"/profile/my-data.json?user_id={people['b']}&code={B_CODE}")
    data = json.loads(response.get_data(as_text=True))
    assert (data["code"], data["email"], data["phone"]) == (A_CODE, A_EMAIL, "+212611111111")
    assert A_CODE in response.headers["Content-Disposition"]


def test_printable_card_is_always_ones_own(app, people):
    client = logged_in(app, A_EMAIL)
    response = client.get(f"/profile/card.pdf?contact=1&code={B_CODE}&user_id={people['b']}")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert f"carte-talento-{A_CODE}.pdf" in response.headers["Content-Disposition"]


def test_password_change_cannot_target_another_account(app, people):
    client = logged_in(app, A_EMAIL)
    b_before = snapshot(app, people["b"])
    response = client.post(
        f"/profile/password?user_id={people['b']}",
        data={
            "csrf_token": csrf(client),
            "user_id": str(people["b"]),
            "email": B_EMAIL,
            "current_password": B_PASSWORD,  # B's password does not pass for A's
            "new_password": "Taken-over-password-99",
            "new_password_confirm": "Taken-over-password-99",
        },
    )
    assert response.status_code == 401  # "current password incorrect", for A's account
    assert snapshot(app, people["b"]) == b_before
    assert login(app.test_client(), B_EMAIL, B_PASSWORD).status_code == 302


def test_account_deletion_removes_only_the_logged_in_account(app, people, upload_dir):
    client = logged_in(app, A_EMAIL)
    b_before = snapshot(app, people["b"])
    crafted = {"user_id": str(people["b"]), "id": str(people["b"]), "code": B_CODE, "confirm": "y"}

    with_bs_password = client.post(
        f"/profile/delete?user_id={people['b']}",
        data={"csrf_token": csrf(client), "password": B_PASSWORD, **crafted},
    )
    assert with_bs_password.status_code == 400
    assert snapshot(app, people["a"])
    assert snapshot(app, people["b"]) == b_before

    with_own_password = client.post(
        f"/profile/delete?user_id={people['b']}",
        data={"csrf_token": csrf(client), "password": USER_PASSWORD, **crafted},
    )
    assert with_own_password.status_code == 302
    assert snapshot(app, people["a"]) == {}  # A is gone…
    assert snapshot(app, people["b"]) == b_before  # …B is untouched, her CV file too
    assert (upload_dir / CV_DIR / people["b_cv"]).exists()
    assert not (upload_dir / CV_DIR / people["a_cv"]).exists()


# -- other people's data: the public allowlist only ---------------------------------------------


@pytest.mark.parametrize("viewer", ["anonymous", "a", "presence"])
def test_public_page_of_another_talent_shows_only_the_allowlist(app, people, viewer):
    emails = {"a": A_EMAIL, "presence": PRESENCE_EMAIL}
    client = app.test_client() if viewer == "anonymous" else logged_in(app, emails[viewer])
    response = client.get(f"/p/{B_CODE}?user_id={people['b']}&contact=1&full=1")
    assert response.status_code == 200
    text = without_echoed_query(response.get_data(as_text=True))
    assert "Bahia" in text
    assert B_CODE in text
    assert "Comédienne de théâtre" in text
    assert_nothing_of_b(text)
    assert people["b_cv"] not in text
    assert "/media/cv/" not in text


# -- admin pages about someone else: 403 whatever the id ---------------------------------------


@pytest.mark.parametrize("who", ["a", "presence"])
def test_admin_pages_and_actions_about_another_account_are_forbidden(app, people, who, settings):
    client = logged_in(app, A_EMAIL if who == "a" else PRESENCE_EMAIL)
    b, own = people["b"], people["a" if who == "a" else "presence"]
    before = {uid: snapshot(app, uid) for uid in (people["a"], b, people["presence"])}
    outbox = Path(settings.mail_outbox_dir)
    mails_before = len(list(outbox.glob("*.eml")))

    for path in (f"/admin/users/{b}", f"/admin/users/{b}/edit", f"/admin/users/{b}/delete"):
        assert client.get(path).status_code == 403, path
    token = csrf(client)
    posts = [
        (f"/admin/users/{b}/edit", {"email": A_EMAIL, "first_name": "Pirate"}),
        (f"/admin/users/{b}/capabilities", {"capabilities": ["admin"]}),
        (f"/admin/users/{own}/capabilities", {"capabilities": ["admin"]}),  # promoting oneself
        (f"/admin/users/{own}/capabilities", {"capabilities": ["talent", "recruiter"]}),
        (f"/admin/users/{b}/status", {"active": "0"}),
        (f"/admin/users/{b}/delete", {"confirm": "y"}),
        (f"/admin/users/{b}/send-link", {}),  # would mail B a set-password link
        ("/admin/users/bulk", {"action": "delete", "ids": [str(b)], "confirm": "y"}),
        ("/admin/users/export", {"format": "csv", "include_personal": "y"}),
    ]
    for path, data in posts:
        response = client.post(path, data={"csrf_token": token, **data})
        assert response.status_code == 403, path
        assert "Content-Disposition" not in response.headers

    assert {uid: snapshot(app, uid) for uid in before} == before
    assert len(list(outbox.glob("*.eml"))) == mails_before


# -- links and the session: signed, so not transferable ---------------------------------------


def _reset_links(settings) -> list[str]:
    links = []
    for path in sorted(Path(settings.mail_outbox_dir).glob("*.eml")):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",)).get_content()
        links += re.findall(r"/auth/reset/([A-Za-z0-9_.\-]+)", body)
    return links


def _retarget(token: str, user_id: int) -> str:
    """A's token with its payload saying B, the signature left as it was."""
    payload, rest = token.split(".", 1)  # itsdangerous: payload.timestamp.signature
    padded = payload + "=" * (-len(payload) % 4)
    data = json.loads(base64.urlsafe_b64decode(padded))
    data["u"] = user_id
    forged = base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode())
    return forged.decode().rstrip("=") + "." + rest


def _alter_signature(token: str) -> str:
    """The first character of the signature changed (the last one may only carry padding
    bits, which base64 decoding ignores)."""
    head, signature = token.rsplit(".", 1)
    return f"{head}.{'B' if signature[0] == 'A' else 'A'}{signature[1:]}"


def test_set_password_link_for_b_is_not_usable_without_its_token(app, people, settings):
    admin = logged_in(app, ADMIN_EMAIL)
    sent = admin.post(f"/admin/users/{people['b']}/send-link", data={"csrf_token": csrf(admin)})
    assert sent.status_code == 302
    (b_token,) = _reset_links(settings)  # sent to B's address only
    assert b_token not in sent.get_data(as_text=True)

    client = logged_in(app, A_EMAIL)
    b_before = snapshot(app, people["b"])
    with app.app_context():
        a_token = make_token(settings.secret_key, db.session.get(User, people["a"]))
        b_user = db.session.get(User, people["b"])
        other_secret = make_token("another-secret-key-of-32-characters", b_user)
        db.session.remove()
    forgeries = {
        "A's own link pointed at B": _retarget(a_token, people["b"]),
        "B's link signed with another key": other_secret,
        "B's link, signature altered": _alter_signature(b_token),
        "B's link, truncated": b_token[: len(b_token) // 2],
        "B's id": str(people["b"]),
    }
    token = csrf(client)
    for label, forged in forgeries.items():
        assert client.get(f"/auth/reset/{forged}").status_code == 400, label
        response = client.post(
            f"/auth/reset/{forged}",
            data={
                "csrf_token": token,
                "password": "Taken-over-password-99",
                "password_confirm": "Taken-over-password-99",
            },
        )
        assert response.status_code == 400, label
    # asking for a reset of B's account mails B, and shows A nothing of the link
    forgot = client.post(
        "/auth/forgot", data={"csrf_token": token, "email": B_EMAIL}, buffered=True
    )
    assert forgot.status_code == 200
    assert "/auth/reset/" not in forgot.get_data(as_text=True)
    assert snapshot(app, people["b"]) == b_before
    # control: the genuine token opens B's form
    assert app.test_client().get(f"/auth/reset/{b_token}").status_code == 200


def _session_serializer(secret_key: str) -> URLSafeTimedSerializer:
    """How Flask signs its session cookie (flask.sessions.SecureCookieSessionInterface)."""
    return URLSafeTimedSerializer(
        secret_key,
        salt="cookie-session",
        serializer=TaggedJSONSerializer(),
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    )


def test_session_cookie_cannot_be_switched_to_another_account(app, people):
    client = logged_in(app, A_EMAIL)
    cookie = client.get_cookie("talento_session")
    real = _session_serializer(app.config["SECRET_KEY"])
    session = real.loads(cookie.value)
    assert session["_user_id"] == f"{people['a']}:1"
    as_b = {**session, "_user_id": f"{people['b']}:1"}

    for forged in (
        _session_serializer("not-the-secret-key-of-this-app-00").dumps(as_b),  # wrong key
        # B's payload under A's timestamp and signature
        real.dumps(as_b).rsplit(".", 2)[0] + "." + ".".join(cookie.value.rsplit(".", 2)[1:]),
    ):
        client.set_cookie("talento_session", forged)
        response = client.get("/profile")
        assert response.status_code == 302
        assert "/auth/login" in response.location

    # Even under the server's key, B's id with A's session token opens nothing: the token must
    # be that of a live server-side session of B (accounts/sessions.py).
    client.set_cookie("talento_session", real.dumps(as_b))
    response = client.get("/profile")
    assert response.status_code == 302
    assert "/auth/login" in response.location
    # Control: the server's key re-signing A's own payload makes a cookie that works, so the
    # refusals above come from the key and the token, not from a broken cookie.
    client.set_cookie("talento_session", real.dumps(session))
    assert A_CODE in client.get("/profile").get_data(as_text=True)
