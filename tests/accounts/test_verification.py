"""E-mail verification: the registration mail carries a signed link valid 48 hours, bound to the
address; until it is opened the talent is listed nowhere (directory, counts, public page, QR,
photo); resending is limited per account; admins see the status and can resend (audited).
E-mails go through a real SMTP server (aiosmtpd)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select

from talento.accounts import reset, verification
from talento.accounts.models import User
from talento.audit.models import AuditAction, AuditEvent
from talento.extensions import db, utcnow
from talento.geo.models import City, Country
from talento.profiles.search.directory import (
    DirectoryFilters,
    ListedPlaces,
    directory_form,
    search_directory,
)
from tests.helpers import (
    ADMIN_PASSWORD,
    _csrf_from,
    login,
    moroccan_city_id,
    registration_form,
    smtp_settings,
)
from tests.mail.smtp import text_and_html

VERIFY_LINK = re.compile(r"http://localhost(/auth/verify/[A-Za-z0-9._-]+)")
REGISTERED = "Casablanca-Scene-2026"


@pytest.fixture
def settings(database_url, smtp, tmp_path_factory):
    return smtp_settings(database_url, smtp, upload_dir=str(tmp_path_factory.mktemp("uploads")))


def _register(app, client, email: str = "yasmine@example.ma"):
    data = registration_form(
        moroccan_city_id(app), email=email, password=REGISTERED, password_confirm=REGISTERED
    )
    token = _csrf_from(client.get("/auth/register").get_data(as_text=True))
    response = client.post(
        "/auth/register", data={**data, "csrf_token": token}, content_type="multipart/form-data"
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == email)).one()
        code, user_id = user.code, user.id
        db.session.remove()
    return code, user_id


def _user(app, user_id: int) -> User:
    with app.app_context():
        user = db.session.get(User, user_id)
        db.session.expunge(user)
        db.session.remove()
    return user


def _token(app, user_id: int, now: dt.datetime | None = None) -> str:
    with app.app_context():
        user = db.session.get(User, user_id)
        token = verification.make_token(app.config["SECRET_KEY"], user, now)
        db.session.remove()
    return token


def _listed_codes(app) -> set[str]:
    with app.app_context():
        page = search_directory(db.session, DirectoryFilters(per_page=100), "fr")
        db.session.remove()
    return {card.code for card in page.items}


def test_registration_mail_verifies_and_only_then_the_talent_is_listed(app, client, inbox):
    code, user_id = _register(app, client)
    (message,) = inbox.wait_for(1)
    assert message["To"] == "yasmine@example.ma"
    text, html = text_and_html(message)
    assert "Confirmez votre adresse e-mail" not in message["Subject"]  # one mail: the welcome
    assert "Dernière étape : confirmez votre adresse e-mail." in text
    path = VERIFY_LINK.search(text).group(1)
    assert path in html
    assert _user(app, user_id).email_verified_at is None

    # Signed in, editing allowed, and told to verify.
    me = client.get("/profile").get_data(as_text=True)
    assert 'id="verify-banner"' in me
    assert "Renvoyer le lien" in me
    assert client.get("/profile/edit").status_code == 200

    # Listed nowhere: directory, public page, QR codes, photo.
    assert code not in _listed_codes(app)
    anonymous = app.test_client()
    assert anonymous.get(f"/p/{code}").status_code == 404
    assert anonymous.get(f"/p/{code}/qr.svg").status_code == 404
    assert anonymous.get(f"/p/{code}/qr.png").status_code == 404
    # The owner sees their page with the reason others do not.
    own = client.get(f"/p/{code}")
    assert own.status_code == 200
    assert 'data-reason="unverified"' in own.get_data(as_text=True)

    # The link needs no login: opened from the phone's mail app.
    opened = anonymous.get(path)
    assert opened.status_code == 200
    body = opened.get_data(as_text=True)
    assert "Merci : votre adresse e-mail est vérifiée." in body
    assert opened.headers["Referrer-Policy"] == "no-referrer"
    assert _user(app, user_id).email_verified_at is not None
    assert code in _listed_codes(app)
    public = anonymous.get(f"/p/{code}")
    assert public.status_code == 200
    assert 'id="public-withheld"' not in public.get_data(as_text=True)
    assert 'id="verify-banner"' not in client.get("/profile").get_data(as_text=True)

    # A second click: already verified, nothing else changes.
    again = anonymous.get(path)
    assert again.status_code == 200
    assert "déjà vérifiée" in again.get_data(as_text=True)
    with app.app_context():
        verified = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.subject_id == user_id,
                AuditEvent.action == AuditAction.EMAIL_VERIFIED.value,
            )
        ).all()
        db.session.remove()
    assert len(verified) == 1


def test_links_last_48_hours(app, client, make_talent):
    user_id = make_talent(email="late@example.org", email_verified_at=None)
    now = utcnow()
    too_old = _token(app, user_id, now - dt.timedelta(hours=48, seconds=5))
    expired = client.get(f"/auth/verify/{too_old}")
    assert expired.status_code == 410
    assert "Ce lien a expiré" in expired.get_data(as_text=True)
    assert _user(app, user_id).email_verified_at is None

    almost = _token(app, user_id, now - dt.timedelta(hours=47, minutes=59))
    assert client.get(f"/auth/verify/{almost}").status_code == 200
    assert _user(app, user_id).email_verified_at is not None
    # Once verified, an old link only says so.
    late_click = client.get(f"/auth/verify/{too_old}")
    assert late_click.status_code == 200
    assert "déjà vérifiée" in late_click.get_data(as_text=True)


def test_the_clock_can_be_passed_to_the_service(app, make_talent):
    user_id = make_talent(email="clock@example.org", email_verified_at=None)
    issued = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    token = _token(app, user_id, issued)
    secret = app.config["SECRET_KEY"]
    with app.app_context():
        later = issued + dt.timedelta(hours=48, seconds=1)
        assert verification.check_token(db.session, secret, token, later).status is (
            verification.VerifyStatus.EXPIRED
        )
        check = verification.check_token(db.session, secret, token, later - dt.timedelta(seconds=2))
        assert check.status is verification.VerifyStatus.VERIFIED
        db.session.remove()


def test_a_link_for_an_old_address_does_not_verify_the_new_one(app, client, make_talent):
    user_id = make_talent(email="old@example.org", email_verified_at=None)
    token = _token(app, user_id)
    with app.app_context():
        db.session.get(User, user_id).email = "new@example.org"
        db.session.commit()
        db.session.remove()
    response = client.get(f"/auth/verify/{token}")
    assert response.status_code == 410
    assert "une adresse que votre compte n'utilise plus" in response.get_data(as_text=True)
    assert _user(app, user_id).email_verified_at is None
    # The case of the address does not matter: the same address, typed otherwise.
    with app.app_context():
        db.session.get(User, user_id).email = "NEW@Example.org"
        db.session.commit()
        db.session.remove()
    assert client.get(f"/auth/verify/{_token(app, user_id)}").status_code == 200


@pytest.mark.parametrize("damage", ["payload", "signature", "other-salt", "garbage", "long"])
def test_a_tampered_link_is_refused(app, client, make_talent, damage):
    user_id = make_talent(email="tamper@example.org", email_verified_at=None)
    victim_id = make_talent(email="victim@example.org", email_verified_at=None)
    token = _token(app, user_id)
    payload, stamp, signature = token.split(".")
    secret = app.config["SECRET_KEY"]
    if damage == "payload":
        forged = URLSafeTimedSerializer(secret, salt=verification.SALT).dumps({"u": victim_id})
        token = forged.split(".")[0] + "." + stamp + "." + signature
    elif damage == "signature":
        token = f"{payload}.{stamp}.{signature[:-2]}xx"
    elif damage == "other-salt":  # a password-reset token is not a verification token
        with app.app_context():
            token = reset.make_token(secret, db.session.get(User, user_id))
            db.session.remove()
    elif damage == "garbage":
        token = "not-a-token"
    else:
        token = "a" * 2000
    response = client.get(f"/auth/verify/{token}")
    assert response.status_code in (400, 404)
    assert _user(app, user_id).email_verified_at is None
    assert _user(app, victim_id).email_verified_at is None


def test_resending_is_limited_per_account(app, client, make_talent, inbox):
    make_talent(email="again@example.org", code="MAF0009CAS", email_verified_at=None)
    assert login(client, "again@example.org").status_code == 302
    limit = int(verification.SEND_LIMIT.split()[0])
    for _n in range(limit):
        token = _csrf_from(client.get("/profile").get_data(as_text=True))
        sent = client.post("/profile/email/verify", data={"csrf_token": token})
        assert sent.status_code == 302
        assert "Un nouveau lien a été envoyé" in client.get("/profile").get_data(as_text=True)
    assert len(inbox.wait_for(limit)) == limit
    token = _csrf_from(client.get("/profile").get_data(as_text=True))
    refused = client.post(
        "/profile/email/verify", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Trop de liens envoyés à cette adresse." in refused.get_data(as_text=True)
    assert len(inbox.wait_for(limit + 1, timeout=0.5)) == limit
    # Every resent link works (each is bound to the same address).
    text, _html = text_and_html(inbox.messages[0])
    assert client.get(VERIFY_LINK.search(text).group(1)).status_code == 200
    # Verified: the button is gone and a POST says so.
    token = _csrf_from(client.get("/profile/edit").get_data(as_text=True))
    done = client.post("/profile/email/verify", data={"csrf_token": token}, follow_redirects=True)
    assert "déjà vérifiée" in done.get_data(as_text=True)


def test_unverified_talents_are_in_no_count(app, make_talent):
    make_talent(email="shown@example.org", code="MAF0001CAS")
    with app.app_context():
        senegal = db.session.scalars(select(Country).where(Country.iso2 == "SN")).one()
        dakar = db.session.scalars(select(City).where(City.country_id == senegal.id)).first()
        country_id, city_id = senegal.id, dakar.id
        db.session.remove()
    unseen = make_talent(email="unseen@example.org", code="SNF0001DKR", email_verified_at=None)
    with app.app_context():
        user = db.session.get(User, unseen)
        user.country_id, user.city_id = country_id, city_id
        db.session.commit()
        places = ListedPlaces(ttl=0)
        assert places.total(db.session) == 1
        assert all(country != country_id for country, _city in places.pairs(db.session))
        form = directory_form(db.session, DirectoryFilters(), "fr", ListedPlaces(ttl=0))
        assert "SN" not in {choice.value for choice in form.countries}
        assert search_directory(db.session, DirectoryFilters(), "fr").total == 1
        db.session.remove()


def test_admin_sees_the_status_and_resends(app, client, make_talent, make_user, inbox):
    make_user(
        email="boss@example.org", code="MAA0001RAB", capabilities=["admin"], password=ADMIN_PASSWORD
    )
    pending = make_talent(email="pending@example.org", code="MAF0002CAS", email_verified_at=None)
    verified = make_talent(email="ok@example.org", code="MAF0003CAS")
    assert login(client, "boss@example.org", ADMIN_PASSWORD).status_code == 302

    html = client.get(f"/admin/users/{verified}").get_data(as_text=True)
    assert "Adresse vérifiée le 2026-01-01" in html
    assert 'id="send-verification"' not in html

    html = client.get(f"/admin/users/{pending}").get_data(as_text=True)
    assert "Non vérifiée" in html
    assert "Renvoyer le lien de vérification" in html
    token = _csrf_from(html)
    sent = client.post(
        f"/admin/users/{pending}/send-verification",
        data={"csrf_token": token},
        follow_redirects=True,
    )
    assert "Lien de vérification envoyé à pending@example.org." in sent.get_data(as_text=True)
    (message,) = inbox.wait_for(1)
    assert message["To"] == "pending@example.org"
    assert message["Subject"] == "Confirmez votre adresse e-mail"
    text, _html = text_and_html(message)
    assert "48 heures" in text
    with app.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == AuditAction.VERIFICATION_SENT.value)
        ).one()
        assert (event.subject_id, event.actor_code) == (pending, "MAA0001RAB")
        db.session.remove()
    assert client.get(VERIFY_LINK.search(text).group(1)).status_code == 200
    assert _user(app, pending).email_verified_at is not None

    # The list filters by status.
    listed = client.get("/admin/users?verified=no").get_data(as_text=True)
    assert "MAF0002CAS" not in listed  # verified now
    with app.app_context():
        db.session.get(User, verified).email_verified_at = None
        db.session.commit()
        db.session.remove()
    unverified = client.get("/admin/users?verified=no").get_data(as_text=True)
    assert "MAF0003CAS" in unverified
    assert "MAF0002CAS" not in unverified
    verified_list = client.get("/admin/users?verified=yes").get_data(as_text=True)
    assert "MAF0002CAS" in verified_list
    assert "MAF0003CAS" not in verified_list


def test_an_admin_changing_the_address_makes_it_unverified(app, make_talent):
    from talento.profiles.editing import save_profile
    from talento.profiles.services import AccountChanges, ProfileFiles, ProfileInput

    user_id = make_talent(email="typo@exmple.org")
    with app.app_context():
        user = db.session.get(User, user_id)
        data = ProfileInput(
            first_name=user.first_name,
            last_name=user.last_name,
            gender=user.gender,
            date_of_birth=dt.date(1990, 1, 1),
            nationality_iso2="MA",
            phone="+212612345678",
            country_iso2="MA",
            city_id=user.city_id,
        )
        kwargs = dict(account=AccountChanges(email="TYPO@exmple.org"))
        save_profile(db.session, user, user.profile, data, ProfileFiles(), Path("/tmp"), **kwargs)
        assert user.email_verified  # the same address in another case
        kwargs = dict(account=AccountChanges(email="typo@example.org"))
        save_profile(db.session, user, user.profile, data, ProfileFiles(), Path("/tmp"), **kwargs)
        assert not user.email_verified
        db.session.rollback()
        db.session.remove()


def test_a_used_reset_link_proves_the_address_too(app, client, make_talent):
    user_id = make_talent(email="reset@example.org", email_verified_at=None)
    with app.app_context():
        path = reset.reset_url(
            app.extensions["talento.settings"], db.session.get(User, user_id)
        ).removeprefix("http://localhost")
        db.session.remove()
    page = client.get(path)
    token = _csrf_from(page.get_data(as_text=True))
    password = "Une phrase de passe solide 2026"
    done = client.post(
        path, data={"password": password, "password_confirm": password, "csrf_token": token}
    )
    assert done.status_code == 302
    assert _user(app, user_id).email_verified_at is not None
