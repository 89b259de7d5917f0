"""TOTP two-factor authentication: enrolment, the login's second step, recovery codes, disabling,
new codes, ADMIN_2FA_REQUIRED, the operator's `talento admin reset-2fa`, the audit trail."""

from __future__ import annotations

import hashlib
import json
import re
import time

import pyotp
import pytest
from sqlalchemy import select

from talento.accounts import two_factor
from talento.accounts.models import RecoveryCode, User
from talento.audit.models import AuditAction, AuditEvent
from talento.audit.services import Actor
from talento.extensions import db
from tests.helpers import TALENTO, USER_PASSWORD, _csrf_from, login, make_settings, run_cli

CODE_RE = re.compile(r"\b[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}\b")
EMAIL = "deux@example.org"
CODE = "MAF0001CAS"


@pytest.fixture
def overrides() -> dict:
    """Settings overrides; a test parametrizes `overrides` to change them."""
    return {}


@pytest.fixture
def settings(database_url, overrides):
    return make_settings(database_url, **overrides)


@pytest.fixture
def enrolled(app, make_user):
    """A talent with 2FA on (enrolled one step ago, so the current code is still unused).
    Returns (user id, secret, recovery codes)."""

    def factory(**fields):
        fields.setdefault("email", EMAIL)
        fields.setdefault("code", CODE)
        user_id = make_user(**fields)
        secret = pyotp.random_base32()
        earlier = time.time() - 30
        with app.app_context():
            user = db.session.get(User, user_id)
            codes = two_factor.enable(
                db.session, user, secret, pyotp.TOTP(secret).at(earlier), Actor(), now=earlier
            )
            assert codes is not None
            db.session.commit()
            db.session.remove()
        return user_id, secret, codes

    return factory


def _post(client, url: str, **data):
    """POST with this session's CSRF token, read from the page itself or, when it has no form
    (an expired second step), from /auth/forgot."""
    html = client.get(url).get_data(as_text=True)
    if 'name="csrf_token"' not in html:
        html = client.get("/auth/forgot").get_data(as_text=True)
    return client.post(url, data={**data, "csrf_token": _csrf_from(html)})


def _second_step(client, code: str, recovery: bool = False):
    url = "/auth/2fa?recovery=1" if recovery else "/auth/2fa"
    return _post(client, url, code=code)


def _logout(client) -> None:
    token = _csrf_from(client.get("/account/2fa").get_data(as_text=True))
    assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 302


def _user(app, user_id) -> dict:
    with app.app_context():
        user = db.session.get(User, user_id)
        values = {
            "secret": user.totp_secret,
            "last_step": user.totp_last_step,
            "session_version": user.session_version,
            "codes": db.session.scalars(
                select(RecoveryCode).where(RecoveryCode.user_id == user_id)
            ).all(),
        }
        db.session.remove()
    return values


def _events(app, action: AuditAction) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action.value).order_by(AuditEvent.id)
        ).all()
        db.session.expunge_all()
        db.session.remove()
    return rows


def _wrong_code(secret: str) -> str:
    """A 6-digit code valid for none of the steps around now."""
    totp = pyotp.TOTP(secret)
    valid = {totp.at(time.time() + 30 * offset) for offset in range(-3, 4)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in valid)


# -- the service ----------------------------------------------------------------------------------


def test_codes_are_accepted_within_one_step_and_only_once(app, enrolled):
    user_id, secret, _codes = enrolled()
    totp = pyotp.TOTP(secret)
    now = time.time()
    with app.app_context():
        user = db.session.get(User, user_id)
        assert not two_factor.verify_totp(db.session, user, totp.at(now - 60), now=now)
        assert not two_factor.verify_totp(db.session, user, totp.at(now + 60), now=now)
        assert not two_factor.verify_totp(db.session, user, "12345", now=now)
        assert two_factor.verify_totp(db.session, user, totp.at(now), now=now)
        # the same code again, and an older one, are replays
        assert not two_factor.verify_totp(db.session, user, totp.at(now), now=now)
        # the next step's code is still fresh (clock drift), typed with a space
        code = totp.at(now + 30)
        assert two_factor.verify_totp(db.session, user, f"{code[:3]} {code[3:]}", now=now)
        db.session.commit()
        assert db.session.get(User, user_id).totp_last_step == two_factor.current_step(now) + 1
        db.session.remove()


def test_recovery_codes_are_random_hashed_and_single_use(app, enrolled):
    user_id, _secret, codes = enrolled()
    assert len(codes) == 10 == len(set(codes))
    assert all(CODE_RE.fullmatch(code) for code in codes)
    stored = _user(app, user_id)["codes"]
    assert sorted(row.code_hash for row in stored) == sorted(
        hashlib.sha256(code.replace("-", "").encode()).hexdigest() for code in codes
    )
    with app.app_context():
        user = db.session.get(User, user_id)
        # typed in capitals, with spaces instead of hyphens: still the code
        typed = codes[0].upper().replace("-", " ")
        assert two_factor.use_recovery_code(db.session, user, typed, Actor())
        assert not two_factor.use_recovery_code(db.session, user, codes[0], Actor())
        assert not two_factor.use_recovery_code(db.session, user, "aaaa-aaaa-aaaa", Actor())
        assert two_factor.remaining_recovery_codes(db.session, user) == 9
        db.session.commit()
        db.session.remove()
    [used] = _events(app, AuditAction.RECOVERY_CODE_USED)
    assert used.subject_id == user_id
    assert json.loads(used.detail) == {"remaining": 9}


def test_the_enrolment_secret_is_derived_not_stored(app):
    one = two_factor.enrolment_secret("k" * 32, 7, "nonce-a")
    assert one == two_factor.enrolment_secret("k" * 32, 7, "nonce-a")
    assert one != two_factor.enrolment_secret("k" * 32, 8, "nonce-a")
    assert one != two_factor.enrolment_secret("k" * 32, 7, "nonce-b")
    assert len(one) == 32
    assert pyotp.TOTP(one).now().isdigit()
    uri = two_factor.provisioning_uri(one, "a@example.org")
    assert uri.startswith("otpauth://totp/Talento:a%40example.org?secret=" + one)
    assert "issuer=Talento" in uri
    assert two_factor.qr_data_uri(uri).startswith("data:image/svg+xml")


# -- enrolment ------------------------------------------------------------------------------------


def test_enrolment_refuses_a_wrong_code_enables_and_shows_the_codes_once(app, client, make_user):
    user_id = make_user(email=EMAIL, code=CODE)
    login(client, EMAIL)
    status = client.get("/account/2fa").get_data(as_text=True)
    assert "Désactivée." in status
    assert "/account/2fa/setup" in status

    page = client.get("/account/2fa/setup")
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "private, no-store"
    html = page.get_data(as_text=True)
    assert 'src="data:image/svg+xml' in html
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    assert len(secret) == 32
    # the same secret on a reload; never in the (signed, readable) session cookie
    again = client.get("/account/2fa/setup").get_data(as_text=True)
    assert re.search(r'id="totp-secret">([A-Z2-7 ]+)<', again).group(1).replace(" ", "") == secret
    with client.session_transaction() as session:
        assert secret not in json.dumps(dict(session))

    wrong = _post(client, "/account/2fa/setup", code=_wrong_code(secret))
    assert wrong.status_code == 400
    assert "Code incorrect" in wrong.get_data(as_text=True)
    assert _user(app, user_id)["secret"] is None

    done = _post(client, "/account/2fa/setup", code=pyotp.TOTP(secret).now())
    assert done.status_code == 200
    assert done.headers["Cache-Control"] == "private, no-store"
    shown = CODE_RE.findall(done.get_data(as_text=True))
    assert len(shown) == 10
    assert "ne seront plus jamais affichés" in done.get_data(as_text=True)
    state = _user(app, user_id)
    assert state["secret"] == secret
    assert len(state["codes"]) == 10
    assert {row.code_hash for row in state["codes"]} == {
        hashlib.sha256(code.replace("-", "").encode()).hexdigest() for code in shown
    }
    [event] = _events(app, AuditAction.TWO_FACTOR_ENABLED)
    assert event.actor_id == event.subject_id == user_id

    # shown once: the setup page now sends back to the status page, which lists no code
    assert client.get("/account/2fa/setup").headers["Location"] == "/account/2fa"
    status = client.get("/account/2fa").get_data(as_text=True)
    assert "Activée." in status
    assert "10 sur 10" in status
    assert not CODE_RE.search(status)


def test_enrolment_needs_a_login(client):
    response = client.get("/account/2fa/setup")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


# -- login with a second factor -------------------------------------------------------------------


@pytest.mark.both_backends
def test_password_alone_does_not_log_in_the_code_does(app, client, enrolled):
    user_id, secret, _codes = enrolled()
    response = login(client, EMAIL)
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/2fa"
    assert client.get("/profile").status_code == 302  # not logged in yet
    assert _events(app, AuditAction.LOGIN) == []
    page = client.get("/auth/2fa").get_data(as_text=True)
    assert 'name="code"' in page
    assert 'autocomplete="one-time-code"' in page

    wrong = _second_step(client, _wrong_code(secret))
    assert wrong.status_code == 401
    assert "Code incorrect" in wrong.get_data(as_text=True)
    assert client.get("/profile").status_code == 302
    [failed] = _events(app, AuditAction.LOGIN_FAILED)
    assert failed.subject_id == user_id
    assert json.loads(failed.detail) == {"reason": "totp"}

    ok = _second_step(client, pyotp.TOTP(secret).now())
    assert ok.status_code == 302
    assert ok.headers["Location"] == "/profile"
    assert client.get("/profile").status_code == 200
    [event] = _events(app, AuditAction.LOGIN)
    assert event.actor_id == user_id
    assert json.loads(event.detail) == {"second_factor": "totp"}


def test_a_wrong_password_says_nothing_about_two_factor(client, enrolled):
    enrolled()
    response = login(client, EMAIL, "not-the-password")
    assert response.status_code == 401
    assert "Identifiant ou mot de passe incorrect." in response.get_data(as_text=True)
    assert client.get("/auth/2fa").get_data(as_text=True).count('name="code"') == 0


def test_a_code_cannot_be_replayed(client, enrolled):
    _user_id, secret, _codes = enrolled()
    code = pyotp.TOTP(secret).now()
    login(client, EMAIL)
    assert _second_step(client, code).status_code == 302
    _logout(client)
    login(client, EMAIL)
    assert _second_step(client, code).status_code == 401
    assert _second_step(client, pyotp.TOTP(secret).at(time.time() + 30)).status_code == 302
    assert client.get("/profile").status_code == 200


def test_a_recovery_code_logs_in_once(app, client, enrolled):
    user_id, _secret, codes = enrolled()
    login(client, EMAIL)
    page = client.get("/auth/2fa?recovery=1").get_data(as_text=True)
    assert "codes de secours" in page
    ok = _second_step(client, codes[3].upper(), recovery=True)
    assert ok.status_code == 302
    profile = client.get("/profile", follow_redirects=True).get_data(as_text=True)
    assert "Il vous en reste 9" in profile
    [used] = _events(app, AuditAction.RECOVERY_CODE_USED)
    assert used.subject_id == user_id
    [event] = _events(app, AuditAction.LOGIN)
    assert json.loads(event.detail) == {"second_factor": "recovery_code"}
    _logout(client)
    login(client, EMAIL)
    assert _second_step(client, codes[3], recovery=True).status_code == 401
    assert client.get("/profile").status_code == 302


@pytest.mark.both_backends
def test_the_pending_login_expires(app, client, enrolled):
    _user_id, secret, _codes = enrolled()
    login(client, EMAIL)
    with client.session_transaction() as session:
        state = session["two_factor_login"]
        state["at"] -= two_factor.PENDING_LOGIN_SECONDS + 1
        session["two_factor_login"] = state
    response = _second_step(client, pyotp.TOTP(secret).now())
    assert response.status_code == 400
    assert "le délai de 5 minutes est dépassé" in response.get_data(as_text=True)
    assert client.get("/profile").status_code == 302
    # the state is gone: a later GET shows the same page, with the way back to the password
    later = client.get("/auth/2fa")
    assert later.status_code == 200
    assert 'id="two-factor-expired"' in later.get_data(as_text=True)


def test_a_password_change_between_the_steps_voids_the_pending_login(app, client, enrolled):
    from talento.accounts.services import set_password

    user_id, secret, _codes = enrolled()
    login(client, EMAIL)
    with app.app_context():
        set_password(
            db.session.get(User, user_id),
            "Other-password-2026!",
            app.extensions["talento.passwords"],
        )
        db.session.commit()
        db.session.remove()
    assert _second_step(client, pyotp.TOTP(secret).now()).status_code == 400
    assert client.get("/profile").status_code == 302


@pytest.mark.parametrize(
    ("target", "expected"), [("/profile?tab=1", "/profile?tab=1"), ("//evil.example/", "/profile")]
)
def test_next_survives_the_second_step_when_safe(client, enrolled, target, expected):
    _user_id, secret, _codes = enrolled()
    token = _csrf_from(client.get("/auth/login").get_data(as_text=True))
    client.post(
        "/auth/login",
        query_string={"next": target},
        data={"identifier": CODE.lower(), "password": USER_PASSWORD, "csrf_token": token},
    )
    assert _second_step(client, pyotp.TOTP(secret).now()).headers["Location"] == expected


def test_the_second_step_needs_a_csrf_token(client, enrolled):
    _user_id, secret, _codes = enrolled()
    login(client, EMAIL)
    response = client.post("/auth/2fa", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 400
    assert client.get("/profile").status_code == 302


@pytest.mark.parametrize(
    "overrides", [dict(login_limit_per_identifier="3 per minute", login_limit_per_ip="50/minute")]
)
def test_wrong_codes_are_limited_per_account(client, enrolled):
    _user_id, secret, _codes = enrolled()
    login(client, EMAIL)
    for _ in range(3):
        assert _second_step(client, _wrong_code(secret)).status_code == 401
    blocked = _second_step(client, pyotp.TOTP(secret).now())
    assert blocked.status_code == 429
    assert "Retry-After" in blocked.headers
    # a fresh password login (another spelling of the identifier) does not reset the count
    assert login(client, CODE).headers["Location"] == "/auth/2fa"
    assert _second_step(client, pyotp.TOTP(secret).now()).status_code == 429
    assert client.get("/profile").status_code == 302


@pytest.mark.parametrize(
    "overrides", [dict(login_limit_per_identifier="50 per minute", login_limit_per_ip="4/minute")]
)
def test_wrong_codes_and_wrong_passwords_share_the_address_limit(client, enrolled, make_user):
    _user_id, secret, _codes = enrolled()
    make_user(email="other@example.org", code="MAF0009CAS")
    assert login(client, "other@example.org", "wrong-password").status_code == 401
    assert login(client, EMAIL).status_code == 302  # a correct password does not count
    for _ in range(3):
        assert _second_step(client, _wrong_code(secret)).status_code == 401
    assert login(client, "other@example.org", "wrong-password").status_code == 429


# -- disabling and new recovery codes -------------------------------------------------------------


def _log_in_fully(client, secret: str, when: float | None = None) -> None:
    login(client, EMAIL)
    code = pyotp.TOTP(secret).at(time.time() if when is None else when)
    assert _second_step(client, code).status_code == 302


def test_disabling_needs_the_password_and_a_code(app, client, enrolled):
    user_id, secret, codes = enrolled()
    _log_in_fully(client, secret)
    assert client.get("/account/2fa/disable").status_code == 200
    bad_password = _post(client, "/account/2fa/disable", password="nope", code=codes[0])
    assert bad_password.status_code == 401
    assert "Mot de passe incorrect." in bad_password.get_data(as_text=True)
    bad_code = _post(client, "/account/2fa/disable", password=USER_PASSWORD, code="abcd-efgh-jkmn")
    assert bad_code.status_code == 401
    assert "Code incorrect" in bad_code.get_data(as_text=True)
    state = _user(app, user_id)
    assert state["secret"] == secret
    assert all(row.used_at is None for row in state["codes"])

    done = _post(client, "/account/2fa/disable", password=USER_PASSWORD, code=codes[0])
    assert done.status_code == 302
    assert done.headers["Location"] == "/account/2fa"
    state = _user(app, user_id)
    assert state["secret"] is None
    assert state["last_step"] is None
    assert state["codes"] == []
    [event] = _events(app, AuditAction.TWO_FACTOR_DISABLED)
    assert event.actor_id == event.subject_id == user_id
    assert len(_events(app, AuditAction.RECOVERY_CODE_USED)) == 1
    # the session goes on; the next login needs the password only
    assert client.get("/profile").status_code == 200
    _logout(client)
    assert login(client, EMAIL).headers["Location"] == "/profile"


def test_new_recovery_codes_replace_the_old_ones(app, client, enrolled):
    user_id, secret, old = enrolled()
    _log_in_fully(client, secret)
    page = _post(
        client,
        "/account/2fa/recovery-codes",
        password=USER_PASSWORD,
        code=pyotp.TOTP(secret).at(time.time() + 30),
    )
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "private, no-store"
    new = CODE_RE.findall(page.get_data(as_text=True))
    assert len(new) == 10
    assert not set(new) & set(old)
    assert len(_user(app, user_id)["codes"]) == 10
    [event] = _events(app, AuditAction.RECOVERY_CODES_REGENERATED)
    assert event.subject_id == user_id
    _logout(client)
    login(client, EMAIL)
    assert _second_step(client, old[0], recovery=True).status_code == 401
    assert _second_step(client, new[0], recovery=True).status_code == 302


def test_pages_for_accounts_without_two_factor_send_back_to_the_status(client, make_user):
    make_user(email=EMAIL)
    login(client, EMAIL)
    for url in ("/account/2fa/disable", "/account/2fa/recovery-codes"):
        assert client.get(url).headers["Location"] == "/account/2fa"


# -- ADMIN_2FA_REQUIRED ---------------------------------------------------------------------------


@pytest.mark.parametrize("overrides", [dict(admin_2fa_required=True)])
def test_admins_without_two_factor_must_enrol_first(client, make_user):
    make_user(email="boss@example.org", code="MAN0009RAB", capabilities=["admin"])
    assert login(client, "boss@example.org").headers["Location"] == "/admin"
    for url in ("/admin", "/profile", "/admin/users", "/talents"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"] == "/account/2fa"
    page = client.get("/account/2fa").get_data(as_text=True)
    assert "doivent activer la double authentification" in page  # the flash: why
    assert 'id="two-factor-required"' in page
    switched = client.get("/admin?lang=en")
    assert switched.headers["Location"] == "/account/2fa?lang=en"
    client.get("/account/2fa?lang=fr")  # the choice is remembered: back to French
    assert client.get("/account/2fa/setup").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/static/css/talento.css").status_code == 200
    # enrolling opens the rest of the site
    html = client.get("/account/2fa/setup").get_data(as_text=True)
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    assert _post(client, "/account/2fa/setup", code=pyotp.TOTP(secret).now()).status_code == 200
    assert client.get("/admin").status_code == 200
    # and it cannot be turned off while required
    off = client.get("/account/2fa/disable")
    assert off.headers["Location"] == "/account/2fa"
    assert "obligatoire" in client.get("/account/2fa").get_data(as_text=True)


@pytest.mark.parametrize("overrides", [dict(admin_2fa_required=True)])
def test_required_admin_two_factor_leaves_talents_and_enrolled_admins_alone(
    client, make_user, enrolled
):
    make_user(email="talent@example.org")
    login(client, "talent@example.org")
    assert client.get("/profile").status_code == 200
    assert client.get("/talents").status_code == 200
    _logout(client)
    _user_id, secret, _codes = enrolled(capabilities=["admin"], code="MAN0010RAB")
    _log_in_fully(client, secret)
    assert client.get("/admin").status_code == 200
    # logging out always works for an admin who still has to enrol
    make_user(email="new-boss@example.org", code="MAN0011RAB", capabilities=["admin"])
    _logout(client)
    login(client, "new-boss@example.org")
    _logout(client)
    assert client.get("/profile").status_code == 302


def test_admins_are_not_forced_by_default(client, make_user):
    make_user(email="boss@example.org", code="MAN0009RAB", capabilities=["admin"])
    login(client, "boss@example.org")
    assert client.get("/admin").status_code == 200


# -- the operator's reset -------------------------------------------------------------------------


def _cli_env(app) -> dict[str, str]:
    settings = app.extensions["talento.settings"]
    return {
        "SECRET_KEY": settings.secret_key,
        "ENCRYPTION_KEY": settings.encryption_key,
        "ADMIN_PASSWORD": settings.admin_password,
        "DATABASE_URL": settings.database_url,
    }


@pytest.mark.committed
def test_cli_reset_2fa_clears_the_second_factor_and_ends_sessions(app, client, enrolled):
    user_id, secret, _codes = enrolled(capabilities=["admin"], code="MAN0012RAB")
    _log_in_fully(client, secret)
    before = _user(app, user_id)
    env = _cli_env(app)

    result = run_cli([TALENTO, "admin", "reset-2fa", "man0012rab"], env)
    assert result.returncode == 0, result.stderr
    assert "✔ Double authentification désactivée pour MAN0012RAB" in result.stdout
    after = _user(app, user_id)
    assert after["secret"] is None
    assert after["codes"] == []
    assert after["session_version"] == before["session_version"] + 1
    [event] = _events(app, AuditAction.TWO_FACTOR_RESET)
    assert event.subject_id == user_id
    assert event.actor_id is None
    assert json.loads(event.detail) == {"by": "cli"}
    assert client.get("/admin").status_code == 302  # the open session has ended
    assert login(client, EMAIL).headers["Location"] == "/admin"  # password only now

    again = run_cli([TALENTO, "admin", "reset-2fa", EMAIL.upper()], env)
    assert again.returncode == 0
    assert "rien à faire" in again.stdout
    unknown = run_cli([TALENTO, "admin", "reset-2fa", "nobody@example.org"], env)
    assert unknown.returncode == 1
    assert "Aucun compte" in unknown.stderr
    assert len(_events(app, AuditAction.TWO_FACTOR_RESET)) == 1


def test_a_reset_during_the_second_step_voids_it(app, client, enrolled):
    user_id, secret, _codes = enrolled()
    login(client, EMAIL)
    with app.app_context():
        two_factor.reset(db.session, db.session.get(User, user_id), Actor())
        db.session.commit()
        db.session.remove()
    assert _second_step(client, pyotp.TOTP(secret).now()).status_code == 400
    assert client.get("/profile").status_code == 302
