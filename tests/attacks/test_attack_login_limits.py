"""Login limits hammered in parallel, from one address and from many, against a real server.

The attack that broke the old limits: 60 wrong passwords sent at once. Counted after the
response, "5 per minute" let 13-18 through and "30 per 15 minutes" let 38 through; and 35
failures from other addresses refused the owner's right password for 52 minutes. Here every
attempt reserves its place before the password is checked, so the counts are exact, and past
the identifier's ceiling the owner gets a one-time sign-in link by e-mail (a real SMTP server).

Each count runs with the in-memory limits and with Redis; with Redis the attempts are split
between two app instances (two workers) that share only Redis.
"""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import ExitStack
from urllib.parse import urlencode, urlsplit

import pyotp
import pytest

from talento.accounts import two_factor
from talento.accounts.models import User
from talento.audit.models import AuditAction, AuditEvent
from talento.audit.services import Actor
from talento.extensions import db
from tests.browser.support import serving
from tests.helpers import USER_PASSWORD, _csrf_from, make_settings

OWNER = "owner@example.ma"
OWNER_ADDRESS = "192.0.2.10"  # the owner's own connection
ATTACKER = "198.51.100.7"
PARALLEL = 60
LINK = re.compile(r"http://localhost(/auth/link/[A-Za-z0-9._-]+)")

pytestmark = pytest.mark.committed  # the server's threads must see the accounts


# -- a visitor talking HTTP to the real server -------------------------------------------------


class Visitor:
    """One browser (its cookies, its CSRF token) behind the trusted proxy, which says which
    client address it is (X-Forwarded-For, as nginx does)."""

    def __init__(self, base_url: str, address: str) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.address = address
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    def request(self, method: str, path: str, data: dict | None = None, address: str = ""):
        headers = {"X-Forwarded-For": address or self.address}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode({**data, "csrf_token": self.csrf})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8")
        finally:
            connection.close()
        for header in response.headers.get_all("Set-Cookie") or ():
            name, _, value = header.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        return response.status, response.headers, text

    def open(self, path: str = "/auth/login") -> str:
        status, _headers, page = self.request("GET", path)
        assert status == 200, page
        self.csrf = _csrf_from(page)
        return page

    def log_in(self, identifier: str, password: str, address: str = ""):
        return self.request(
            "POST", "/auth/login", {"identifier": identifier, "password": password}, address
        )


def fire(attempts: list) -> list:
    """Run the attempts at once: every thread waits at a barrier, then sends."""
    barrier = threading.Barrier(len(attempts))
    results: list = [None] * len(attempts)

    def run(index: int, attempt) -> None:
        barrier.wait(timeout=30)
        results[index] = attempt()

    threads = [threading.Thread(target=run, args=(n, a)) for n, a in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(result is not None for result in results), "an attempt never answered"
    return results


def kind(result) -> str:
    """What an answer to a wrong password was: checked (401), refused (429), or the link offer."""
    status, _headers, page = result
    if status == 429 and 'id="sign-in-link-offer"' in page:
        return "offer"
    return str(status)


# -- fixtures: the storage backend, the server(s) ------------------------------------------------


@pytest.fixture
def settings(database_url, storage, smtp):
    uri, prefix = storage
    _inbox, port = smtp
    return make_settings(
        database_url,
        secret_key="attack-tests-" + "s" * 32,  # shared by the two workers of the Redis runs
        ratelimit_storage_uri=uri,
        ratelimit_key_prefix=prefix,
        # the production defaults (talento/settings.py)
        login_limit_per_ip="30 per 15 minutes",
        login_limit_per_identifier="5 per minute",
        login_ceiling_per_identifier="20 per hour",
        proxy_hops=1,
        mail_server="127.0.0.1",
        mail_port=port,
        mail_use_tls=False,
    )


@pytest.fixture
def servers(app, settings) -> Iterator[list[str]]:
    """The app on a real threaded server; with Redis, a second app instance beside it (another
    worker: its own limits object and Redis connections, the same Redis)."""
    from talento.web import build_app

    apps = [app]
    if settings.ratelimit_storage_uri.startswith("redis"):
        apps.append(build_app(settings))
    with ExitStack() as stack:
        yield [stack.enter_context(serving(each)) for each in apps]
    for each in apps[1:]:
        with each.app_context():
            db.session.remove()
            db.engine.dispose()


def thief_preview(servers: list[str], path: str) -> int:
    """A GET of the link by someone else (a mail scanner following links)."""
    return Visitor(servers[-1], ATTACKER).request("GET", path)[0]


def spread(servers: list[str], address: str) -> list[Visitor]:
    """One visitor per server, each with its own session and token."""
    visitors = [Visitor(url, address) for url in servers]
    for visitor in visitors:
        visitor.open()
    return visitors


# -- the exact counts --------------------------------------------------------------------------


def test_one_account_from_one_address_gets_exactly_the_short_limit(servers, make_user):
    make_user(email=OWNER)
    attackers = spread(servers, ATTACKER)
    results = fire(
        [
            lambda n=n: attackers[n % len(attackers)].log_in(OWNER, f"guess-{n}")
            for n in range(PARALLEL)
        ]
    )
    assert Counter(kind(r) for r in results) == {"401": 5, "429": 55}
    refused = next(r for r in results if r[0] == 429)
    assert int(refused[1]["Retry-After"]) > 0
    assert "Trop de tentatives sur ce compte depuis votre adresse." in refused[2]
    # meanwhile the owner, from their own address, signs in with their password
    owner = Visitor(servers[0], OWNER_ADDRESS)
    owner.open()
    status, headers, _page = owner.log_in(OWNER, USER_PASSWORD)
    assert (status, headers["Location"]) == (302, "/profile")
    assert owner.request("GET", "/profile")[0] == 200


def test_one_address_gets_exactly_the_address_limit_over_many_identifiers(servers, make_user):
    make_user(email=OWNER)
    attackers = spread(servers, ATTACKER)
    results = fire(
        [
            lambda n=n: attackers[n % len(attackers)].log_in(f"victim{n}@example.ma", "guess")
            for n in range(PARALLEL)
        ]
    )
    assert Counter(kind(r) for r in results) == {"401": 30, "429": 30}
    assert all(
        "Trop de tentatives de connexion depuis votre adresse." in page
        for status, _h, page in results
        if status == 429
    )
    # another address is not affected, and the owner's account was not among the targets
    owner = Visitor(servers[0], OWNER_ADDRESS)
    owner.open()
    assert owner.log_in(OWNER, USER_PASSWORD)[0] == 302


def test_a_distributed_attack_gets_the_ceiling_then_the_owner_signs_in_by_e_mail(
    servers, make_user, inbox, app
):
    owner_id = make_user(email=OWNER)
    attackers = spread(servers, ATTACKER)
    results = fire(
        [
            lambda n=n: attackers[n % len(attackers)].log_in(
                OWNER, f"guess-{n}", address=f"203.0.113.{n + 1}"
            )
            for n in range(PARALLEL)
        ]
    )
    # 20 passwords checked over every address, then no more: the others get the offer
    assert Counter(kind(r) for r in results) == {"401": 20, "offer": 40}

    # the owner, from their own address, during the attack: the right password is not checked
    # (it would keep the distributed guessing going) but they are never locked out
    owner = Visitor(servers[0], OWNER_ADDRESS)
    owner.open()
    status, _headers, page = owner.log_in(OWNER, USER_PASSWORD)
    assert status == 429
    assert "nous pouvons vous envoyer un lien de connexion à usage unique par e-mail" in page
    assert owner.request("POST", "/auth/sign-in-link", {"identifier": OWNER})[0] == 200
    message = inbox.wait_for(1)[-1]
    assert message["To"] == OWNER
    path = LINK.search(message.get_body(preferencelist=("plain",)).get_content()).group(1)

    # opening the link (a mail scanner, a preview) spends nothing; the button signs in
    assert thief_preview(servers, path) == 200
    page = owner.open(path)
    assert 'id="sign-in-link-confirm"' in page
    status, headers, _page = owner.request("POST", path, {})
    assert (status, headers["Location"]) == (302, "/profile")
    assert owner.request("GET", "/profile")[0] == 200

    # single use: the same link, again (another browser)
    thief = Visitor(servers[-1], ATTACKER)
    thief.open(path)
    status, _headers, page = thief.request("POST", path, {})
    assert status == 410
    assert "Ce lien a déjà servi" in page
    assert thief.request("GET", "/profile")[0] == 302

    with app.app_context():
        logins = db.session.scalars(
            db.select(AuditEvent).where(
                AuditEvent.action == AuditAction.LOGIN.value, AuditEvent.subject_id == owner_id
            )
        ).all()
        assert [json.loads(event.detail) for event in logins] == [{"via": "email_link"}]
        db.session.remove()


def test_a_link_raced_by_parallel_requests_signs_in_once(servers, make_user, inbox):
    make_user(email=OWNER)
    owner = Visitor(servers[0], OWNER_ADDRESS)
    owner.open()
    assert owner.request("POST", "/auth/sign-in-link", {"identifier": OWNER})[0] == 200
    path = LINK.search(inbox.wait_for(1)[-1].get_body(preferencelist=("plain",)).get_content())
    assert path is not None
    browsers = []
    for n in range(10):
        browser = Visitor(servers[n % len(servers)], f"203.0.113.{n + 1}")
        browser.open(path.group(1))
        browsers.append(browser)
    results = fire([lambda b=b: b.request("POST", path.group(1), {}) for b in browsers])
    assert Counter(status for status, _h, _p in results) == {302: 1, 410: 9}


def enrol(app, user_id: int) -> str:
    """Turn two-factor authentication on (one step ago: the current code is still unused)."""
    secret = pyotp.random_base32()
    earlier = time.time() - 30
    with app.app_context():
        user = db.session.get(User, user_id)
        two_factor.enable(
            db.session, user, secret, pyotp.TOTP(secret).at(earlier), Actor(), now=earlier
        )
        db.session.commit()
        db.session.remove()
    return secret


def wrong_codes(secret: str) -> list[str]:
    right = int(pyotp.TOTP(secret).now())
    return [f"{(right + n) % 1_000_000:06d}" for n in range(1, PARALLEL + 1)]


def test_wrong_codes_after_a_right_password_get_exactly_the_short_limit(servers, make_user, app):
    secret = enrol(app, make_user(email=OWNER))
    # someone who has the password guesses the code, 60 times at once
    thief = Visitor(servers[0], ATTACKER)
    thief.open()
    status, headers, _page = thief.log_in(OWNER, USER_PASSWORD)
    assert (status, headers["Location"]) == (302, "/auth/2fa")
    thief.open("/auth/2fa")
    results = fire(
        [
            lambda code=code: thief.request("POST", "/auth/2fa", {"code": code})
            for code in wrong_codes(secret)
        ]
    )
    assert Counter(status for status, _h, _p in results) == {401: 5, 429: 55}


def test_a_stolen_session_guessing_the_password_to_disable_2fa_gets_exactly_the_limit(
    servers, make_user, app
):
    secret = enrol(app, make_user(email=OWNER))
    thief = Visitor(servers[0], ATTACKER)  # a session taken over, password unknown
    thief.open()
    assert thief.log_in(OWNER, USER_PASSWORD)[0] == 302
    thief.open("/auth/2fa")
    assert thief.request("POST", "/auth/2fa", {"code": pyotp.TOTP(secret).now()})[0] == 302
    thief.open("/account/2fa/disable")
    code = pyotp.TOTP(secret).now()
    results = fire(
        [
            lambda n=n: thief.request(
                "POST", "/account/2fa/disable", {"password": f"guess-{n}", "code": code}
            )
            for n in range(PARALLEL)
        ]
    )
    assert Counter(status for status, _h, _p in results) == {401: 5, 429: 55}


@pytest.mark.parametrize("storage", ["memory"], indirect=True)  # a flow, not a count
def test_the_link_keeps_the_second_step(servers, make_user, inbox, app):
    secret = enrol(app, make_user(email=OWNER))
    owner = Visitor(servers[0], OWNER_ADDRESS)
    owner.open()
    assert owner.request("POST", "/auth/sign-in-link", {"identifier": OWNER})[0] == 200
    path = LINK.search(inbox.wait_for(1)[-1].get_body(preferencelist=("plain",)).get_content())
    owner.open(path.group(1))
    status, headers, _page = owner.request("POST", path.group(1), {})
    assert (status, headers["Location"]) == (302, "/auth/2fa")
    assert owner.request("GET", "/profile")[0] == 302  # not signed in yet
    owner.open("/auth/2fa")
    status, headers, _page = owner.request("POST", "/auth/2fa", {"code": pyotp.TOTP(secret).now()})
    assert (status, headers["Location"]) == (302, "/profile")
    assert owner.request("GET", "/profile")[0] == 200
    with app.app_context():
        event = db.session.scalars(
            db.select(AuditEvent).where(AuditEvent.action == AuditAction.LOGIN.value)
        ).one()
        assert json.loads(event.detail)["via"] == "email_link"
        db.session.remove()
