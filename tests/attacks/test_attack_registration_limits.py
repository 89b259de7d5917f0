"""Registration and password-reset limits stop one attacker, not a crowd behind one address.

The old "20 registrations per hour per address" blocked a casting venue, a school or a mobile
carrier's shared address on the 21st person. Now a high per-address ceiling bounds the POSTs
and low limits per e-mail and per phone stop the repeated attempts of one attacker; a reset
request is limited per address (high) and per e-mail (low), the same for an address with or
without an account. Counts are exact, with the in-memory limits and with Redis.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from talento.accounts.models import User, holds
from talento.extensions import db
from tests.helpers import _csrf_from, make_settings, moroccan_city_id, registration_form

VENUE = "203.0.113.50"  # one casting venue's shared address
CSRF = re.compile(r'name="csrf_token" type="hidden" value="[^"]*"')


@pytest.fixture
def settings(request, database_url, tmp_path_factory, storage):
    """Default limits (the ones shipped), unless a test's `limits` mark sets some; mail goes
    to the test's SMTP server when it asks for one, else to a throw-away outbox."""
    uri, prefix = storage
    marker = request.node.get_closest_marker("limits")
    mail = {}
    if "smtp" in request.fixturenames:
        _, port = request.getfixturevalue("smtp")
        mail = {"mail_server": "127.0.0.1", "mail_port": port, "mail_use_tls": False}
    return make_settings(
        database_url,
        **(marker.kwargs if marker else {}),
        **mail,
        upload_dir=str(tmp_path_factory.mktemp("uploads")),
        ratelimit_storage_uri=uri,
        ratelimit_key_prefix=prefix,
    )


def _form(city: str, n: int, **overrides) -> dict:
    return registration_form(
        city,
        **{
            "email": f"talent{n}@example.ma",
            "phone": f"06 12 {n // 100:02d} {n % 100:02d} 78",
            "years_experience": "2",
            "languages": ["fr"],
            **overrides,
        },
    )


def register(app, data: dict, address: str = VENUE):
    """One visitor (a fresh browser) registering from `address`: the form, then its POST."""
    client = app.test_client()
    environ = {"REMOTE_ADDR": address}
    if app.config["WTF_CSRF_ENABLED"]:
        page = client.get("/auth/register", environ_base=environ).get_data(as_text=True)
        data = {**data, "csrf_token": _csrf_from(page)}
    return client.post(
        "/auth/register",
        data=data,
        content_type="multipart/form-data",
        environ_base=environ,
    )


def accounts(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User).where(~holds("admin")))


def test_sixty_people_register_from_one_shared_address(app):
    app.config["WTF_CSRF_ENABLED"] = False  # one POST each: the suite's time, not the limits
    city = str(moroccan_city_id(app))
    statuses = [register(app, _form(city, n)).status_code for n in range(60)]
    assert statuses == [302] * 60
    assert accounts(app) == 60


def test_attempts_on_one_email_are_refused_after_the_limit(app):
    """The first registers, the next four are told the address is taken; from the sixth on
    (REGISTRATION_LIMIT_PER_EMAIL, 5 per hour) the form comes back with a 429."""
    city = str(moroccan_city_id(app))
    responses = [
        register(app, _form(city, n, email="Target@Example.ma" if n % 2 else "target@example.ma"))
        for n in range(10)
    ]
    assert [r.status_code for r in responses] == [302, 400, 400, 400, 400] + [429] * 5
    refused = responses[5]
    assert int(refused.headers["Retry-After"]) > 0
    page = refused.get_data(as_text=True)
    assert "Trop d&#39;inscriptions tentées avec cette adresse e-mail." in page
    assert "Réessayez dans 60 minutes." in page
    # Everything typed is kept, on the same form (a page, never a bare error).
    assert 'value="El Amrani"' in page
    assert "12 rue des Orangers, Casablanca</textarea>" in page
    assert 'id="email-error"' in page or "field-error" in page
    assert accounts(app) == 1
    # Another person at the same address is not affected.
    assert register(app, _form(city, 99)).status_code == 302


def test_attempts_with_one_phone_are_refused_after_the_limit(app):
    """The phone is compared as stored (E.164): three spellings of one number are one phone."""
    city = str(moroccan_city_id(app))
    spellings = ["06 12 34 56 78", "+212612345678", "0612345678"]
    statuses = [
        register(app, _form(city, n, phone=spellings[n % 3])).status_code for n in range(10)
    ]
    assert statuses == [302] * 5 + [429] * 5
    page = register(app, _form(city, 50, phone="06-12-34-56-78")).get_data(as_text=True)
    assert "Trop d&#39;inscriptions tentées avec ce numéro de téléphone." in page
    assert accounts(app) == 5


@pytest.mark.limits(registration_limit_per_ip="12 per hour")
def test_the_address_ceiling_still_stops_a_flood(app):
    """Past REGISTRATION_LIMIT_PER_IP every POST from that address is refused, incomplete or
    not, while another address registers normally."""
    city = str(moroccan_city_id(app))
    bad = _form(city, 0, first_name="")
    statuses = [register(app, bad, address="198.51.100.9").status_code for _ in range(12)]
    assert statuses == [400] * 12
    refused = register(app, _form(city, 1), address="198.51.100.9")
    assert refused.status_code == 429
    page = refused.get_data(as_text=True)
    assert "Trop d&#39;inscriptions envoyées depuis votre connexion." in page
    assert 'value="El Amrani"' in page
    assert register(app, _form(city, 2), address="192.0.2.77").status_code == 302


# -- password reset -------------------------------------------------------------------------


def ask_reset(app, email: str, address: str = VENUE):
    client = app.test_client()
    environ = {"REMOTE_ADDR": address}
    page = client.get("/auth/forgot", environ_base=environ).get_data(as_text=True)
    return client.post(
        "/auth/forgot",
        data={"email": email, "csrf_token": _csrf_from(page)},
        environ_base=environ,
        buffered=True,
    )


def _same_page(response, email: str) -> tuple[int, str, str | None]:
    """What an observer sees, the CSRF token and the typed address aside."""
    body = CSRF.sub("", response.get_data(as_text=True)).replace(email, "EMAIL")
    return response.status_code, body, response.headers.get("Retry-After") and "set"


def test_reset_mails_stop_at_the_limit_and_answers_do_not_tell(app, make_user, smtp):
    inbox, _port = smtp
    make_user(email="victim@example.ma")
    known = [ask_reset(app, "victim@example.ma") for _ in range(10)]
    unknown = [ask_reset(app, "nobody@example.ma") for _ in range(10)]
    assert [r.status_code for r in known] == [200] * 3 + [429] * 7
    assert [_same_page(r, "victim@example.ma") for r in known] == [
        _same_page(r, "nobody@example.ma") for r in unknown
    ]
    assert "Trop de demandes pour cette adresse." in known[3].get_data(as_text=True)
    assert len(inbox.wait_for(4, timeout=2)) == 3
    assert all(m["To"] == "victim@example.ma" for m in inbox.messages)
    # Twenty requests on many addresses from one venue: all answered (the ceiling is 60).
    assert all(ask_reset(app, f"person{n}@example.ma").status_code == 200 for n in range(20))


def test_a_limits_storage_that_does_not_answer_refuses_registration_and_reset(database_url):
    """Never a skipped limit, never a 500: a 503 page."""
    from talento.web import build_app
    from tests.mail.smtp import free_port

    dead = f"redis://127.0.0.1:{free_port()}/0"
    app = build_app(make_settings(database_url, ratelimit_storage_uri=dead))
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    assert client.post("/auth/register", data={"email": "a@example.ma"}).status_code == 503
    assert client.post("/auth/forgot", data={"email": "a@example.ma"}).status_code == 503
    with app.app_context():
        db.engine.dispose()
