"""The contact relay's limits stop a flood, not the people behind one address.

One wide ceiling per client network (an office or a mobile carrier shares an address), a low
limit per sender, an hourly limit and a daily cap per talent for senders who are not
recruiters, and a generous ceiling of its own for a recruiter account (admins included) that
skips the per-talent and per-network ones. A refusal is the form again, everything typed kept,
with 429 and Retry-After; a refused message takes no place in any bucket; submissions caught
by the spam traps count against the network and the sender, never against the talent. Counts
are exact with the in-memory limits and with Redis (the `storage` fixture).
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import func, select

from talento.audit.models import AuditAction, AuditEvent
from talento.extensions import db
from talento.profiles import contact_traps
from tests.helpers import login, make_settings

OFFICE = "203.0.113.80"  # one production company's shared address
BODY = "Bonjour, nous cherchons un comédien pour un tournage à Casablanca en avril."


@pytest.fixture
def settings(request, database_url, storage):
    """The shipped contact limits, unless a test's `limits` mark sets some; mail goes to a
    throw-away outbox (the relay itself is tested with SMTP in tests/profiles)."""
    uri, prefix = storage
    marker = request.node.get_closest_marker("limits")
    return make_settings(
        database_url,
        **(marker.kwargs if marker else {}),
        ratelimit_storage_uri=uri,
        ratelimit_key_prefix=prefix,
    )


@pytest.fixture
def talents(make_talent) -> list[str]:
    """Three contactable talents; their codes."""
    for n in range(3):
        make_talent(email=f"talent{n}@example.org")
    return ["MAF0001CAS", "MAF0002CAS", "MAF0003CAS"]


def send(app, code: str, email: str, address: str = OFFICE, client=None, **fields):
    """One message as a person sends it (CSRF off: the suite's time, not the limits)."""
    app.config["WTF_CSRF_ENABLED"] = False
    client = client or app.test_client()
    secret = app.extensions["talento.settings"].secret_key
    data = {
        "name": "Karim Benali",
        "organisation": "Studio Atlas",
        "email": email,
        "message": BODY,
        "website": "",
        "stamp": contact_traps.form_stamp(secret, code, time.time() - 30),
        **fields,
    }
    return client.post(f"/p/{code}/contact", data=data, environ_base={"REMOTE_ADDR": address})


def relayed(app) -> int:
    with app.app_context():
        count = db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == AuditAction.CONTACT_RELAYED)
        )
        db.session.remove()
    return count or 0


def statuses(responses) -> list[int]:
    return [response.status_code for response in responses]


def test_one_sender_is_refused_after_the_limit_with_everything_kept(app, talents):
    """CONTACT_LIMIT_PER_SENDER (5 per hour): the sixth message of one address, to any talent
    and in any case, is refused on the e-mail field; another sender at the same office is not."""
    spellings = ["karim@studio.ma", "Karim@Studio.ma"]
    responses = [send(app, talents[n % 3], spellings[n % 2]) for n in range(8)]
    assert statuses(responses) == [302] * 5 + [429] * 3
    refused = responses[5]
    assert int(refused.headers["Retry-After"]) > 0
    page = refused.get_data(as_text=True)
    assert "Vous avez envoyé beaucoup de messages en peu de temps." in page
    assert "Réessayez dans 60 minutes." in page
    assert 'id="email-error"' in page
    assert 'value="Karim Benali"' in page
    assert 'value="Studio Atlas"' in page
    assert f"{BODY}</textarea>" in page
    assert relayed(app) == 5
    assert send(app, talents[0], "leila@studio.ma").status_code == 302


@pytest.mark.limits(contact_limit_per_sender="3 per hour")
def test_a_signed_in_sender_is_counted_as_its_account(app, talents, make_user):
    """An account writes from its own address: typing others does not escape its limit."""
    make_user(code="MAM0009CAS", email="youssef@example.org", gender="M")
    client = app.test_client()
    assert login(client, "youssef@example.org").status_code == 302
    results = [send(app, talents[0], f"alias{n}@example.org", client=client) for n in range(4)]
    assert statuses(results) == [302, 302, 302, 429]


def test_a_talent_is_protected_after_ten_messages_an_hour(app, talents):
    """CONTACT_LIMIT_PER_TALENT (10 per hour) from ten different senders at one office; the
    other talents are still reachable, and the refused sender has lost nothing."""
    assert (
        statuses(send(app, talents[0], f"person{n}@example.org") for n in range(10)) == [302] * 10
    )
    refused = send(app, talents[0], "late@example.org")
    assert refused.status_code == 429
    assert "Ce talent a reçu beaucoup de messages ces dernières minutes." in refused.get_data(
        as_text=True
    )
    assert send(app, talents[1], "person0@example.org").status_code == 302
    # The refusal took no place in the sender's bucket: five messages still go.
    assert (
        statuses(send(app, talents[n % 2 + 1], "late@example.org") for n in range(5)) == [302] * 5
    )
    assert relayed(app) == 16


@pytest.mark.limits(contact_limit_per_talent="100 per hour", contact_cap_per_talent="4 per day")
def test_the_daily_cap_per_talent(app, talents):
    assert (
        statuses(
            send(app, talents[0], f"person{n}@example.org", address=f"198.51.100.{n}")
            for n in range(6)
        )
        == [302] * 4 + [429] * 2
    )
    page = send(app, talents[0], "another@example.org").get_data(as_text=True)
    assert "Ce talent a reçu beaucoup de messages aujourd&#39;hui." in page
    assert "Réessayez dans 24 heures." in page


@pytest.mark.limits(contact_limit_per_ip="4 per hour")
def test_the_network_ceiling_stops_a_flood_of_senders(app, talents):
    """Past CONTACT_LIMIT_PER_IP every message from that network is refused whatever the
    typed address (an IPv6 /64 is one network); another network writes normally."""
    flood = [
        send(app, talents[n % 3], f"bot{n}@example.org", address="2001:db8::1") for n in range(4)
    ]
    assert statuses(flood) == [302] * 4
    refused = send(app, talents[0], "bot9@example.org", address="2001:db8::ffff")
    assert refused.status_code == 429
    assert "Trop de messages envoyés depuis votre connexion." in refused.get_data(as_text=True)
    assert send(app, talents[0], "someone@example.org", address="192.0.2.10").status_code == 302


def test_a_recruiter_is_not_held_by_the_anonymous_caps(app, talents, make_user):
    """Twelve messages to one talent from one office: more than the per-talent (10) and the
    per-sender (5) limits of anonymous senders, all accepted for a recruiter account (an
    admin holds the capability too), and they do not spend the talent's anonymous caps."""
    make_user(code="MAA0009CAS", email="casting@example.org", capabilities=["recruiter"])
    client = app.test_client()
    assert login(client, "casting@example.org").status_code == 302
    results = [send(app, talents[0], "casting@example.org", client=client) for _ in range(12)]
    assert statuses(results) == [302] * 12
    assert send(app, talents[0], "visitor@example.org").status_code == 302
    with app.app_context():
        details = db.session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == AuditAction.CONTACT_RELAYED)
        ).all()
        db.session.remove()
    assert sorted(details) == ['{"recruiter":false}'] + ['{"recruiter":true}'] * 12


@pytest.mark.limits(contact_ceiling_per_recruiter="3 per hour")
def test_a_recruiter_still_has_a_ceiling(app, talents, make_user):
    make_user(code="MAA0009CAS", email="casting@example.org", capabilities=["recruiter"])
    client = app.test_client()
    assert login(client, "casting@example.org").status_code == 302
    results = [send(app, talents[n % 3], "casting@example.org", client=client) for n in range(4)]
    assert statuses(results) == [302] * 3 + [429]
    assert "Vous avez envoyé beaucoup de messages" in results[3].get_data(as_text=True)


def test_trapped_submissions_count_against_the_sender_not_the_talent(app, talents):
    """Five honeypot submissions spend the robot's sender bucket (its sixth, genuine-looking
    message is refused) but none of the talent's hourly places."""
    traps = [send(app, talents[0], "bot@example.org", website="http://x.example") for _ in range(5)]
    assert statuses(traps) == [302] * 5
    assert send(app, talents[0], "bot@example.org").status_code == 429
    assert (
        statuses(send(app, talents[0], f"person{n}@example.org") for n in range(10)) == [302] * 10
    )
    assert relayed(app) == 10
    # Past its buckets, a robot's submissions still look sent, and no longer leave audit rows.
    assert send(app, talents[0], "bot@example.org", website="spam").status_code == 302
    with app.app_context():
        trapped = db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == AuditAction.CONTACT_TRAPPED)
        )
        db.session.remove()
    assert trapped == 5


@pytest.mark.committed  # the second app (its own connection) must see the talent
def test_a_limits_storage_that_does_not_answer_refuses_the_relay(database_url, talents):
    """Never a skipped limit, never a 500: a 503 page."""
    from talento.web import build_app
    from tests.mail.smtp import free_port

    dead = f"redis://127.0.0.1:{free_port()}/0"
    app = build_app(make_settings(database_url, ratelimit_storage_uri=dead))
    app.config["WTF_CSRF_ENABLED"] = False
    code = "MAF0001CAS"
    with app.app_context():
        secret = app.extensions["talento.settings"].secret_key
    data = {
        "name": "Karim",
        "email": "karim@studio.ma",
        "message": BODY,
        "stamp": contact_traps.form_stamp(secret, code, time.time() - 30),
    }
    assert app.test_client().post(f"/p/{code}/contact", data=data).status_code == 503
    with app.app_context():
        db.engine.dispose()
