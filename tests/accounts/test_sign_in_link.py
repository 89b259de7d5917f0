"""The e-mailed one-time sign-in link: built on BASE_URL, 15 minutes, voided by a password
change, refused when tampered with; the e-mail goes through a real SMTP server."""

import re
import time

import pytest

from talento.accounts import sign_in_link
from talento.accounts.models import User
from talento.accounts.services import set_password
from talento.extensions import db
from tests.helpers import _csrf_from, make_settings
from tests.mail.smtp import text_and_html

LINK = re.compile(r"https://talento\.example(/auth/link/[A-Za-z0-9._-]+)")


@pytest.fixture
def settings(database_url, smtp):
    _, port = smtp
    return make_settings(
        database_url,
        base_url="https://talento.example",
        mail_server="127.0.0.1",
        mail_port=port,
        mail_use_tls=False,
    )


def ask(client, identifier: str):
    """Through a Host header of the attacker's choosing: never where the link points."""
    evil = "http://evil.example"
    token = _csrf_from(client.get("/auth/login", base_url=evil).get_data(as_text=True))
    return client.post(
        "/auth/sign-in-link",
        data={"identifier": identifier, "csrf_token": token},
        base_url=evil,
        buffered=True,
    )


def follow(client, path: str):
    page = client.get(path)
    if page.status_code != 200:
        return page
    return client.post(path, data={"csrf_token": _csrf_from(page.get_data(as_text=True))})


def test_the_e_mail_carries_a_link_on_base_url_and_only_for_an_account(client, make_user, smtp):
    inbox, _port = smtp
    make_user(email="owner@example.ma", code="MAF0001CAS")
    assert ask(client, "maf0001cas").status_code == 200  # the code works as well as the e-mail
    (message,) = inbox.wait_for(1)
    text, html = text_and_html(message)
    assert message["Subject"] == "Votre lien de connexion à Talento"
    assert "valable 15 minutes" in text
    path = LINK.search(text).group(1)
    assert path in html
    assert "evil.example" not in text + html
    assert ask(client, "nobody@example.ma").status_code == 200
    time.sleep(0.3)
    assert len(inbox.envelopes) == 1  # no account, no mail


def _path(app, user_id: int) -> str:
    with app.app_context():
        user = db.session.get(User, user_id)
        path = sign_in_link.LINK_PATH + sign_in_link.make_token(app.config["SECRET_KEY"], user)
        db.session.remove()
    return path


def test_a_link_is_voided_by_a_password_change(app, client, make_user):
    user_id = make_user(email="owner@example.ma")
    path = _path(app, user_id)
    with app.app_context():
        set_password(
            db.session.get(User, user_id),
            "Another-password-2026",
            app.extensions["talento.passwords"],
        )
        db.session.commit()
        db.session.remove()
    response = follow(client, path)
    assert response.status_code == 400
    assert "Ce lien n'est pas valide" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "private, no-store"


def test_a_tampered_or_expired_link_is_refused(app, client, make_user, monkeypatch):
    user_id = make_user(email="owner@example.ma")
    path = _path(app, user_id)
    assert follow(client, path[:-2] + "xx").status_code == 400
    monkeypatch.setattr(sign_in_link.check_link, "__defaults__", (-1,))
    response = follow(client, path)
    assert response.status_code == 410
    assert "Ce lien a expiré" in response.get_data(as_text=True)
    assert client.get("/profile").status_code == 302


def test_a_deactivated_account_cannot_use_its_link(app, client, make_user):
    user_id = make_user(email="owner@example.ma")
    path = _path(app, user_id)
    with app.app_context():
        db.session.get(User, user_id).is_active_account = False
        db.session.commit()
        db.session.remove()
    assert follow(client, path).status_code == 400
    assert client.get("/profile").status_code == 302
