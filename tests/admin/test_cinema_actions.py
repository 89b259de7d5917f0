"""Admin actions on casting profiles: « demander de compléter » (a real e-mail through the
test SMTP server: the talent's language, a minor's guardian, once per 7 days, audited) and
the artist card (number shown to the admin and audited; verified / withdrawn, audited; an
expired card refused and shown as expired)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select, update

from talento.audit.models import AuditAction, AuditEvent
from talento.casting.artist_card import artist_card_badge, card_state
from talento.casting.models import CastingProfile
from talento.extensions import db, utcnow, utctoday
from tests.admin.cinema_profiles import add_casting, profile_of
from tests.helpers import _csrf_from, login, smtp_settings
from tests.mail.smtp import text_and_html

TALENT_EMAIL = "salma@example.org"
GUARDIAN_EMAIL = "parent.salma@example.org"


@pytest.fixture
def settings(database_url, smtp):
    return smtp_settings(database_url, smtp)


@pytest.fixture
def admin_id(make_user):
    return make_user(email="boss@example.org", capabilities=["admin"], code="MAN0009RAB")


@pytest.fixture
def admin(client, admin_id):
    assert login(client, "boss@example.org").status_code == 302
    return client


def _token(client, page: str = "/admin/cinema") -> str:
    return _csrf_from(client.get(page).get_data(as_text=True))


def _ask(client, *ids: int, one: bool = True):
    data = {"csrf_token": _token(client)}
    if one:
        data["one"] = str(ids[0])
    else:
        data["ids"] = [str(i) for i in ids]
    return client.post("/admin/cinema/request-completion", data=data, follow_redirects=True)


def _events(app, action: AuditAction) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action.value).order_by(AuditEvent.id)
        ).all()
        db.session.expunge_all()
        return list(rows)


# -- « demander de compléter » ------------------------------------------------------------------


def test_an_english_talent_gets_the_mail_in_english(app, admin, make_talent, inbox):
    talent = add_casting(
        app,
        make_talent(email=TALENT_EMAIL, language="en", first_name="Salma"),
        step="appearance",
    )
    page = _ask(admin, talent).get_data(as_text=True)
    assert "envoyé à 1 talent" in page
    (message,) = inbox.wait_for(1)
    assert message["To"] == TALENT_EMAIL
    assert message["Content-Language"] == "en"
    text, html = text_and_html(message)
    assert "Salma" in text
    assert "http://localhost/cinema/register" in text
    assert "http://localhost/cinema/me" in text
    assert 'href="http://localhost/cinema/register"' in html
    assert profile_of(app, talent).completion_requested_at is not None
    (event,) = _events(app, AuditAction.CASTING_COMPLETION_REQUESTED)
    assert event.subject_id == talent
    assert json.loads(event.detail) == {"step": "appearance", "to": "talent"}


def test_a_french_talent_gets_it_in_french_with_what_is_missing(app, admin, make_talent, inbox):
    talent = add_casting(app, make_talent(email=TALENT_EMAIL), step="sizes", height=None)
    _ask(admin, talent)
    (message,) = inbox.wait_for(1)
    assert message["Content-Language"] == "fr"
    text, _html = text_and_html(message)
    assert "Prochaine étape de l'inscription : Tailles" in text
    assert "- aucune photo" in text
    assert "- taille non renseignée" in text


def test_a_minor_s_mail_goes_to_the_guardian(app, admin, make_talent, inbox):
    today = utctoday()
    talent = add_casting(
        app,
        make_talent(email=TALENT_EMAIL, first_name="Yasmine"),
        step="photos",
        born=today.replace(year=today.year - 14),
        guardian_name="Khadija Alaoui",
        guardian_email=GUARDIAN_EMAIL,
    )
    page = admin.get(f"/admin/cinema/{talent}").get_data(as_text=True)
    assert "l'e-mail part à l'adresse de son parent ou tuteur (Khadija Alaoui)" in page
    page = _ask(admin, talent).get_data(as_text=True)
    assert "E-mail envoyé au parent ou tuteur de 1 mineur" in page
    (message,) = inbox.wait_for(1)
    assert message["To"] == GUARDIAN_EMAIL
    text, _html = text_and_html(message)
    assert "Bonjour Khadija Alaoui," in text
    assert "Le profil casting de Yasmine" in text
    assert [tuple(e.rcpt_tos) for e in inbox.envelopes] == [(GUARDIAN_EMAIL,)]
    (event,) = _events(app, AuditAction.CASTING_COMPLETION_REQUESTED)
    assert json.loads(event.detail)["to"] == "guardian"


def test_a_minor_without_guardian_address_gets_nothing(app, admin, make_talent, inbox):
    today = utctoday()
    talent = add_casting(
        app, make_talent(email=TALENT_EMAIL), step="photos", born=today.replace(year=today.year - 9)
    )
    page = _ask(admin, talent).get_data(as_text=True)
    assert "Mineur sans adresse e-mail de parent ou tuteur lisible" in page
    assert inbox.wait_for(1, timeout=0.5) == []
    assert profile_of(app, talent).completion_requested_at is None


@pytest.mark.both_backends
def test_not_twice_within_seven_days(app, admin, make_talent, inbox):
    talent = add_casting(app, make_talent(email=TALENT_EMAIL), step="contact")
    _ask(admin, talent)
    assert len(inbox.wait_for(1)) == 1
    page = _ask(admin, talent).get_data(as_text=True)
    assert "déjà relancé le" in page
    assert "7 jours après la précédente" in page
    assert len(inbox.wait_for(2, timeout=0.5)) == 1
    assert len(_events(app, AuditAction.CASTING_COMPLETION_REQUESTED)) == 1

    with app.app_context():  # eight days later, it may go again
        db.session.execute(
            update(CastingProfile)
            .where(CastingProfile.user_id == talent)
            .values(completion_requested_at=utcnow() - dt.timedelta(days=8))
        )
        db.session.commit()
    _ask(admin, talent)
    assert len(inbox.wait_for(2)) == 2
    assert len(_events(app, AuditAction.CASTING_COMPLETION_REQUESTED)) == 2


def test_a_selection_skips_complete_and_recent_profiles(app, admin, make_talent, inbox):
    one = add_casting(app, make_talent(email="one@example.org"), step="contact")
    two = add_casting(app, make_talent(email="two@example.org"), step="skills")
    done = add_casting(app, make_talent(email="done@example.org", first_name="Rim"))
    recent = add_casting(
        app,
        make_talent(email="recent@example.org"),
        step="contact",
        requested_at=utcnow() - dt.timedelta(days=2),
    )
    page = _ask(admin, one, two, done, recent, one=False).get_data(as_text=True)
    assert "envoyé à 2 talents" in page
    assert "Profil déjà complet, rien envoyé : Rim" in page
    assert "déjà relancé le" in page
    assert sorted(m["To"] for m in inbox.wait_for(2)) == ["one@example.org", "two@example.org"]
    assert inbox.wait_for(3, timeout=0.5)[2:] == []


def test_no_selection_and_forged_ids(admin):
    response = admin.post(
        "/admin/cinema/request-completion",
        data={"csrf_token": _token(admin)},
        follow_redirects=True,
    )
    assert "Cochez au moins un profil." in response.get_data(as_text=True)
    response = admin.post(
        "/admin/cinema/request-completion",
        data={"csrf_token": _token(admin), "ids": ["1", "x"]},
    )
    assert response.status_code == 400


# -- the artist card -----------------------------------------------------------------------------


def _card_profile(app, make_talent, **card):
    values = {"card": "AC-2026-0042", "expires": utctoday() + dt.timedelta(days=200)}
    values.update(card)
    return add_casting(app, make_talent(email=TALENT_EMAIL), types=("extra",), **values)


def test_the_admin_sees_the_number_and_the_view_is_audited(app, admin, make_talent):
    talent = _card_profile(app, make_talent)
    page = admin.get(f"/admin/cinema/{talent}").get_data(as_text=True)
    assert '<dd id="card-number">AC-2026-0042</dd>' in page
    assert "À vérifier" in page
    (event,) = _events(app, AuditAction.PERSONAL_DATA_VIEW)
    assert (event.subject_id, event.fields) == (talent, "artist_card_number")


def test_no_card_no_audit(app, admin, make_talent):
    talent = add_casting(app, make_talent())
    page = admin.get(f"/admin/cinema/{talent}").get_data(as_text=True)
    assert "Aucune carte indiquée." in page
    assert "Marquer comme vérifiée" not in page
    assert _events(app, AuditAction.PERSONAL_DATA_VIEW) == []


def test_verify_then_withdraw(app, admin, admin_id, make_talent):
    talent = _card_profile(app, make_talent)
    url = f"/admin/cinema/{talent}"
    token = _token(admin, url)
    page = admin.post(f"{url}/card/verify", data={"csrf_token": token}, follow_redirects=True)
    assert "Carte d&#39;artiste marquée comme vérifiée." in page.get_data(as_text=True)
    assert "Retirer la vérification" in page.get_data(as_text=True)
    profile = profile_of(app, talent)
    assert profile.artist_card_verified_by_id == admin_id
    assert artist_card_badge(profile, utctoday())
    (verified,) = _events(app, AuditAction.ARTIST_CARD_VERIFIED)
    assert verified.subject_id == talent
    assert verified.actor_id == admin_id
    assert "AC-2026" not in verified.detail  # never the number

    page = admin.post(f"{url}/card/unverify", data={"csrf_token": token}, follow_redirects=True)
    assert "Vérification de la carte d&#39;artiste retirée." in page.get_data(as_text=True)
    profile = profile_of(app, talent)
    assert profile.artist_card_verified_at is None
    assert profile.artist_card_verified_by_id is None
    assert not artist_card_badge(profile, utctoday())
    assert len(_events(app, AuditAction.ARTIST_CARD_UNVERIFIED)) == 1


def test_an_expired_card_is_shown_expired_and_cannot_be_verified(app, admin, make_talent):
    talent = _card_profile(app, make_talent, expires=utctoday() - dt.timedelta(days=1))
    url = f"/admin/cinema/{talent}"
    assert "<strong>Expirée</strong>" in admin.get(url).get_data(as_text=True)
    page = admin.post(
        f"{url}/card/verify", data={"csrf_token": _token(admin, url)}, follow_redirects=True
    )
    assert "Cette carte a expiré" in page.get_data(as_text=True)
    assert profile_of(app, talent).artist_card_verified_at is None
    assert _events(app, AuditAction.ARTIST_CARD_VERIFIED) == []


def test_a_card_without_expiry_or_number_cannot_be_verified(app, admin, make_talent):
    no_expiry = _card_profile(app, make_talent, expires=None)
    url = f"/admin/cinema/{no_expiry}"
    page = admin.post(
        f"{url}/card/verify", data={"csrf_token": _token(admin, url)}, follow_redirects=True
    )
    assert "La date d&#39;expiration de la carte manque" in page.get_data(as_text=True)
    no_card = add_casting(app, make_talent())
    url = f"/admin/cinema/{no_card}"
    page = admin.post(
        f"{url}/card/verify", data={"csrf_token": _token(admin, url)}, follow_redirects=True
    )
    assert "Aucun numéro de carte d&#39;artiste n&#39;est enregistré." in page.get_data(
        as_text=True
    )
    assert _events(app, AuditAction.ARTIST_CARD_VERIFIED) == []


def test_a_missing_profile_is_404(admin, make_talent):
    talent = make_talent()  # no casting profile
    assert admin.get(f"/admin/cinema/{talent}").status_code == 404
    assert admin.get("/admin/cinema/999999").status_code == 404


def test_the_badge_needs_a_verified_unexpired_card():
    verified = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    today = dt.date(2026, 6, 17)
    card = CastingProfile(artist_card_expires_on=today, artist_card_verified_at=verified)
    assert artist_card_badge(card, today)  # valid through its last day
    assert card_state(card, True, today) == "verified"
    assert not artist_card_badge(card, today + dt.timedelta(days=1))
    assert card_state(card, True, today + dt.timedelta(days=1)) == "expired"
    unverified = CastingProfile(artist_card_expires_on=today)
    assert not artist_card_badge(unverified, today)
    assert card_state(unverified, True, today) == "pending"
    no_expiry = CastingProfile(artist_card_verified_at=verified)
    assert not artist_card_badge(no_expiry, today)
    assert card_state(CastingProfile(), False, today) == "none"


def test_the_account_page_links_to_the_casting_profile(app, admin, make_talent):
    with_casting = add_casting(app, make_talent())
    without = make_talent()
    page = admin.get(f"/admin/users/{with_casting}").get_data(as_text=True)
    assert f'href="/admin/cinema/{with_casting}"' in page
    assert 'id="casting-link"' not in admin.get(f"/admin/users/{without}").get_data(as_text=True)


def test_the_page_says_when_a_minor_has_no_guardian(app, admin, make_talent):
    today = utctoday()
    talent = add_casting(app, make_talent(), step="photos", born=today.replace(year=today.year - 9))
    page = admin.get(f"/admin/cinema/{talent}").get_data(as_text=True)
    assert "Mineur sans parent ou tuteur enregistré : aucun e-mail ne peut partir." in page
