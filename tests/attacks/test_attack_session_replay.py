"""Attack: replay a session cookie copied before the session ended.

The attacker copies the victim's `talento_session` cookie (a shared computer, a stolen laptop
backup, malware). Whatever ends the session — logout, a new password (here or by e-mailed
link), an admin's deactivation, "log out my other sessions" — the copy, replayed on a fresh
client, must open nothing: `/profile` sends to the login page and `/profile/my-data.json`
gives nothing. Each test first shows that the copy does open the account while the session
lives, so a refusal afterwards is the server ending it, not a broken replay.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re

import pytest
from flask.json.tag import TaggedJSONSerializer
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select, update

from talento.accounts.models import AccountSession
from talento.accounts.sessions import TOUCH_EVERY
from talento.audit.models import AuditAction, AuditEvent
from talento.extensions import db, utcnow
from tests.helpers import USER_PASSWORD, _csrf_from, login, make_settings

COOKIE = "talento_session"
EMAIL = "victime@example.ma"
CODE = "MAF0001CAS"
NEW_PASSWORD = "Une phrase de passe toute neuve 2026"
LINK = re.compile(r"http://localhost(/auth/reset/[A-Za-z0-9._-]+)")


@pytest.fixture
def settings(database_url, smtp):
    _, port = smtp
    return make_settings(
        database_url,
        session_idle_minutes=30,
        mail_server="127.0.0.1",
        mail_port=port,
        mail_use_tls=False,
    )


@pytest.fixture
def victim(make_talent) -> int:
    return make_talent(email=EMAIL, code=CODE)


def signed_in(app, identifier: str = EMAIL, password: str = USER_PASSWORD):
    client = app.test_client()
    assert login(client, identifier, password).status_code == 302
    return client


def stolen(client) -> str:
    cookie = client.get_cookie(COOKIE)
    assert cookie is not None
    return cookie.value


def replay(app, cookie: str):
    """A fresh client (the attacker's) carrying only the copied cookie."""
    attacker = app.test_client()
    attacker.set_cookie(COOKIE, cookie)
    return attacker


def assert_opens(app, cookie: str) -> None:
    attacker = replay(app, cookie)
    assert attacker.get("/profile").status_code == 200
    data = attacker.get("/profile/my-data.json")
    assert data.status_code == 200
    assert EMAIL in data.get_data(as_text=True)


def assert_refused(app, cookie: str) -> None:
    attacker = replay(app, cookie)
    profile = attacker.get("/profile")
    assert profile.status_code == 302
    assert profile.headers["Location"].startswith("/auth/login")
    data = attacker.get("/profile/my-data.json")
    assert data.status_code in {302, 401, 403}
    assert EMAIL not in data.get_data(as_text=True)
    assert CODE not in data.get_data(as_text=True)
    # the refused cookie did not become valid on a second try either
    assert attacker.get("/profile").status_code == 302


def post(client, url: str, data: dict | None = None, page: str = "/account/2fa"):
    token = _csrf_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={**(data or {}), "csrf_token": token})


def live_rows(app, user_id: int) -> list[AccountSession]:
    with app.app_context():
        rows = db.session.scalars(
            select(AccountSession).where(AccountSession.user_id == user_id)
        ).all()
        db.session.expunge_all()
        db.session.remove()
    return list(rows)


def events(app, action: AuditAction) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action.value)).all()
        db.session.expunge_all()
        db.session.remove()
    return list(rows)


def test_a_cookie_copied_before_logout_opens_nothing_after(app, victim):
    browser = signed_in(app)
    cookie = stolen(browser)
    assert_opens(app, cookie)

    assert post(browser, "/auth/logout").status_code == 302
    assert_refused(app, cookie)
    assert live_rows(app, victim) == []


def test_the_cookie_holds_a_token_the_database_holds_only_the_digest_of(app, victim):
    browser = signed_in(app)
    payload = _session_serializer(app.config["SECRET_KEY"]).loads(stolen(browser))
    token = payload["sid"]
    [row] = live_rows(app, victim)
    assert len(token) >= 40
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in row.token_hash


def test_a_new_password_ends_the_other_sessions_and_keeps_this_one(app, victim):
    other = signed_in(app)
    cookie = stolen(other)
    browser = signed_in(app)
    page = "/profile/password"
    response = post(
        browser,
        page,
        {
            "current_password": USER_PASSWORD,
            "new_password": NEW_PASSWORD,
            "new_password_confirm": NEW_PASSWORD,
        },
        page,
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    assert_refused(app, cookie)
    assert browser.get("/profile").status_code == 200  # the one who changed it stays in
    assert len(live_rows(app, victim)) == 1


def test_a_reset_by_emailed_link_ends_every_session(app, victim, smtp):
    inbox, _ = smtp
    browser = signed_in(app)
    cookie = stolen(browser)
    assert_opens(app, cookie)

    visitor = app.test_client()
    token = _csrf_from(visitor.get("/auth/forgot").get_data(as_text=True))
    visitor.post("/auth/forgot", data={"email": EMAIL, "csrf_token": token}, buffered=True)
    (message,) = inbox.wait_for(1)
    path = LINK.search(message.get_body(("plain",)).get_content()).group(1)
    token = _csrf_from(visitor.get(path).get_data(as_text=True))
    done = visitor.post(
        path, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD, "csrf_token": token}
    )
    assert done.status_code == 302

    assert_refused(app, cookie)
    assert browser.get("/profile").status_code == 302
    assert live_rows(app, victim) == []


def test_deactivation_by_an_admin_ends_the_sessions_for_good(app, make_user, victim):
    make_user(email="boss@example.org", capabilities=["admin"], code="MAN0100RAB")
    browser = signed_in(app)
    cookie = stolen(browser)
    assert_opens(app, cookie)

    admin = signed_in(app, "boss@example.org")
    page = f"/admin/users/{victim}"
    assert post(admin, f"{page}/status", {"active": "0"}, page).status_code == 302
    assert_refused(app, cookie)
    # Reactivated later: the old cookie still opens nothing.
    assert post(admin, f"{page}/status", {"active": "1"}, page).status_code == 302
    assert_refused(app, cookie)
    assert live_rows(app, victim) == []


def test_log_out_my_other_sessions(app, victim):
    lost_laptop = signed_in(app)
    cookie = stolen(lost_laptop)
    signed_in(app)  # a third browser
    browser = signed_in(app)
    page = browser.get("/account/2fa").get_data(as_text=True)
    assert "Votre compte est ouvert sur 2 autres appareils ou navigateurs." in page
    assert "Déconnecter mes autres sessions" in page

    response = post(browser, "/account/sessions/end-others")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/2fa"
    landing = browser.get("/account/2fa").get_data(as_text=True)
    assert "2 autres sessions fermées. Vous restez connecté ici." in landing
    assert "n'est ouvert sur aucun autre appareil" in landing

    assert_refused(app, cookie)
    assert lost_laptop.get("/profile").status_code == 302
    assert browser.get("/profile").status_code == 200  # this session stays signed in
    assert len(live_rows(app, victim)) == 1
    [event] = events(app, AuditAction.OTHER_SESSIONS_ENDED)
    assert (event.subject_id, event.actor_id) == (victim, victim)
    assert json.loads(event.detail) == {"ended": 2}


def test_ending_other_sessions_needs_the_csrf_token(app, victim):
    other = signed_in(app)
    browser = signed_in(app)
    assert browser.post("/account/sessions/end-others").status_code == 400
    assert other.get("/profile").status_code == 200


def test_a_deleted_account_leaves_no_session(app, victim):
    browser = signed_in(app)
    cookie = stolen(browser)
    page = "/profile/delete"
    response = post(browser, page, {"password": USER_PASSWORD, "confirm": "y"}, page)
    assert response.status_code == 302
    assert_refused(app, cookie)
    assert live_rows(app, victim) == []


def test_a_session_idle_on_the_server_is_refused_even_with_a_fresh_cookie(app, victim):
    """The cookie's own "seen" mark is refreshed by each replay; the server's mark is not
    moved by a refused request, so a session nobody used for longer than the idle limit is over
    whatever the cookie says."""
    browser = signed_in(app)
    cookie = stolen(browser)
    assert_opens(app, cookie)
    with app.app_context():
        idle = dt.timedelta(minutes=30) + TOUCH_EVERY + dt.timedelta(seconds=5)
        db.session.execute(
            update(AccountSession)
            .where(AccountSession.user_id == victim)
            .values(last_seen_at=utcnow() - idle)
        )
        db.session.commit()
        db.session.remove()
    assert_refused(app, cookie)
    assert browser.get("/profile").status_code == 302
    # the next login purges the account's stale row
    signed_in(app)
    assert len(live_rows(app, victim)) == 1


def test_the_last_seen_mark_is_written_every_few_minutes_not_per_request(app, victim):
    browser = signed_in(app)
    [before] = live_rows(app, victim)
    for _ in range(3):
        assert browser.get("/profile").status_code == 200
    [after] = live_rows(app, victim)
    assert after.last_seen_at == before.last_seen_at
    with app.app_context():
        earlier = before.last_seen_at - TOUCH_EVERY
        db.session.execute(update(AccountSession).values(last_seen_at=earlier))
        db.session.commit()
        db.session.remove()
    assert browser.get("/profile").status_code == 200
    [touched] = live_rows(app, victim)
    assert touched.last_seen_at > earlier


def test_a_cookie_signed_by_the_server_without_a_live_token_opens_nothing(app, make_user, victim):
    """Even with the server's key, a session payload naming the account opens nothing unless it
    carries the token of a live session: cookies from before server-side sessions (after the
    upgrade everybody logs in once more), or a token of another account."""
    serializer = _session_serializer(app.config["SECRET_KEY"])
    browser = signed_in(app)
    payload = serializer.loads(stolen(browser))
    assert_opens(app, serializer.dumps(payload))  # control: re-signing the payload keeps it
    no_token = {k: v for k, v in payload.items() if k != "sid"}
    assert_refused(app, serializer.dumps(no_token))
    assert_refused(app, serializer.dumps({**payload, "sid": "x" * 43}))

    make_user(email="intrus@example.ma")
    intruder_token = serializer.loads(stolen(signed_in(app, "intrus@example.ma")))["sid"]
    assert_refused(app, serializer.dumps({**payload, "sid": intruder_token}))


def _session_serializer(secret_key: str) -> URLSafeTimedSerializer:
    """How Flask signs its session cookie (flask.sessions.SecureCookieSessionInterface)."""
    return URLSafeTimedSerializer(
        secret_key,
        salt="cookie-session",
        serializer=TaggedJSONSerializer(),
        signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
    )
