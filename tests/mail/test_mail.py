"""Transactional e-mail through a real SMTP server (aiosmtpd), and the file outbox."""

from __future__ import annotations

import email
import email.policy
import logging
import re
import stat
from pathlib import Path

import pytest

from talento.mail import send_templated
from talento.settings import PROJECT_ROOT
from tests.helpers import make_settings
from tests.mail.smtp import free_port, text_and_html

MAIL_TEMPLATES = PROJECT_ROOT / "talento" / "templates" / "mail"
REGISTRATION = {
    "first_name": "Amina",
    "code": "MAF0042CAS",
    "profile_url": "http://localhost/p/MAF0042CAS",
}


@pytest.fixture(scope="module")
def mail_app():
    """An app for rendering templates; e-mail never touches the database."""
    from talento.web import build_app

    return build_app(make_settings("sqlite://"))


def smtp_settings(port: int, **overrides):
    values = dict(mail_server="127.0.0.1", mail_port=port, mail_use_tls=False, mail_timeout=5.0)
    values.update(overrides)
    return make_settings("sqlite://", **values)


def test_registration_mail_goes_through_smtp_in_french(mail_app, smtp):
    inbox, port = smtp
    settings = smtp_settings(port, mail_default_sender="Talento <bonjour@talento.test>")
    with mail_app.app_context():
        assert send_templated(settings, "amina@example.org", "registration", **REGISTRATION)
    (envelope,) = inbox.envelopes
    assert envelope.mail_from == "bonjour@talento.test"
    assert envelope.rcpt_tos == ["amina@example.org"]
    (message,) = inbox.messages
    assert message["From"] == "Talento <bonjour@talento.test>"
    assert message["To"] == "amina@example.org"
    assert message["Subject"] == "Bienvenue sur Talento"
    assert message["Content-Language"] == "fr"
    assert message["Message-ID"].endswith("@talento.test>")
    assert message["Auto-Submitted"] == "auto-generated"
    text, html = text_and_html(message)
    for part in (text, html):
        assert "MAF0042CAS" in part
        assert "http://localhost/p/MAF0042CAS" in part
        assert "Bonjour Amina," in part
        assert "Code unique :" in part
    assert 'href="http://localhost/p/MAF0042CAS"' in html
    assert '<html lang="fr"' in html
    assert "<" not in text  # a real plain-text part, not HTML


def test_registration_mail_in_english(mail_app, smtp):
    """lang="en" forces the English catalogue for this mail only (the request stays French)."""
    inbox, port = smtp
    with mail_app.test_request_context("/", headers={"Accept-Language": "fr"}):
        assert send_templated(
            smtp_settings(port), "amina@example.org", "registration", lang="en", **REGISTRATION
        )
        from flask_babel import get_locale

        assert str(get_locale()) == "fr"
    (message,) = inbox.messages
    assert message["Subject"] == "Welcome to Talento"
    assert message["Content-Language"] == "en"
    text, html = text_and_html(message)
    for part in (text, html):
        assert "Unique code:" in part
        assert "Code unique" not in part
        assert "MAF0042CAS" in part
        assert "http://localhost/p/MAF0042CAS" in part
    assert '<html lang="en"' in html


def test_user_values_are_escaped_in_html_only(mail_app, smtp):
    inbox, port = smtp
    values = {**REGISTRATION, "first_name": "<b>Amina</b> & Co"}
    with mail_app.app_context():
        assert send_templated(smtp_settings(port), "a@example.org", "registration", **values)
    text, html = text_and_html(inbox.messages[0])
    assert "Bonjour <b>Amina</b> & Co," in text
    assert "&lt;b&gt;Amina&lt;/b&gt; &amp; Co" in html
    assert "<b>Amina" not in html


@pytest.mark.parametrize("template", ["reset_password", "set_password"])
def test_link_mails_carry_the_link_and_its_validity(mail_app, smtp, template):
    inbox, port = smtp
    url = "http://localhost/auth/reset/abc.def.ghi"
    with mail_app.app_context():
        assert send_templated(
            smtp_settings(port), "a@example.org", template, first_name="Amina", reset_url=url
        )
    message = inbox.messages[0]
    text, html = text_and_html(message)
    for part in (text, html):
        assert url in part
        assert "une heure" in part
    assert f'href="{url}"' in html
    assert message["Subject"] != "Talento"


def test_set_password_and_reset_mails_are_worded_differently(mail_app, smtp):
    inbox, port = smtp
    with mail_app.app_context():
        for template in ("reset_password", "set_password"):
            send_templated(
                smtp_settings(port), "a@example.org", template, first_name="A", reset_url="u"
            )
    reset, created = inbox.messages
    assert reset["Subject"] != created["Subject"]
    assert "créé" in created["Subject"]
    assert "Aucun mot de passe ne vous sera jamais envoyé" in text_and_html(created)[0]


def test_login_when_a_username_is_configured(mail_app, smtp):
    inbox, port = smtp
    settings = smtp_settings(port, mail_username="talento", mail_password="smtp-secret")
    with mail_app.app_context():
        assert send_templated(settings, "a@example.org", "registration", **REGISTRATION)
    assert inbox.logins == [("talento", "smtp-secret")]
    assert len(inbox.envelopes) == 1


def test_without_mail_server_messages_go_to_the_outbox(mail_app, tmp_path, caplog):
    outbox = tmp_path / "instance" / "outbox"
    settings = make_settings("sqlite://", mail_server=None, mail_outbox_dir=str(outbox))
    caplog.set_level(logging.INFO)
    with mail_app.app_context():
        assert send_templated(settings, "amina@example.org", "registration", **REGISTRATION)
        assert send_templated(settings, "amina@example.org", "registration", **REGISTRATION)
    files = sorted(outbox.iterdir())
    assert len(files) == 2
    assert files[0].name != files[1].name
    for path in files:
        assert re.fullmatch(r"\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{8}\.eml", path.name)
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(outbox.stat().st_mode) == 0o700
    message = email.message_from_bytes(files[0].read_bytes(), policy=email.policy.default)
    assert message["To"] == "amina@example.org"
    assert message["Subject"] == "Bienvenue sur Talento"
    text, html = text_and_html(message)
    assert "MAF0042CAS" in text
    assert "MAF0042CAS" in html
    assert "amina@example.org" not in caplog.text


def test_a_server_that_does_not_answer_returns_false_and_logs_no_address(mail_app, caplog):
    settings = smtp_settings(free_port())  # nothing listens there
    caplog.set_level(logging.DEBUG)
    with mail_app.app_context():
        assert (
            send_templated(settings, "secret.person@example.org", "registration", **REGISTRATION)
            is False
        )
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "ConnectionRefusedError" in warnings[0].getMessage()
    assert "registration" in warnings[0].getMessage()
    assert "secret.person" not in caplog.text
    assert "MAF0042CAS" not in caplog.text


def test_starttls_required_but_not_offered_fails_without_sending_in_clear(mail_app, smtp, caplog):
    inbox, port = smtp  # aiosmtpd without a TLS context offers no STARTTLS
    settings = smtp_settings(port, mail_use_tls=True, mail_username="u", mail_password="p")
    caplog.set_level(logging.WARNING)
    with mail_app.app_context():
        assert send_templated(settings, "a@example.org", "registration", **REGISTRATION) is False
    assert inbox.envelopes == []
    assert inbox.logins == []
    assert "SMTPNotSupportedError" in caplog.text


def test_implicit_tls_against_a_plain_server_fails_cleanly(mail_app, smtp, caplog):
    inbox, port = smtp
    settings = smtp_settings(port, mail_use_ssl=True, mail_timeout=3.0)
    caplog.set_level(logging.WARNING)
    with mail_app.app_context():
        assert send_templated(settings, "a@example.org", "registration", **REGISTRATION) is False
    assert inbox.envelopes == []
    assert "non envoyé" in caplog.text


@pytest.mark.parametrize(
    "to",
    [
        "a@example.org\r\nBcc: victim@example.org",
        "Eve <a@example.org>",
        "a@example.org, b@x.org",
        "",
    ],
)
def test_bad_recipients_are_refused_not_raised(mail_app, smtp, to):
    inbox, port = smtp
    with mail_app.app_context():
        assert send_templated(smtp_settings(port), to, "registration", **REGISTRATION) is False
    assert inbox.envelopes == []


def test_an_unknown_template_returns_false(mail_app, smtp):
    _, port = smtp
    with mail_app.app_context():
        assert send_templated(smtp_settings(port), "a@example.org", "no-such-mail") is False


def test_every_text_string_is_also_in_the_html_sibling():
    """Catalogue extraction reads .html templates: a string only in a .txt would stay French."""
    msgid = re.compile(r"""_\(\s*"((?:[^"\\]|\\.)*)"|_\(\s*'((?:[^'\\]|\\.)*)'""")

    def strings(path: Path) -> set[str]:
        return {a or b for a, b in msgid.findall(path.read_text(encoding="utf-8"))}

    texts = sorted(MAIL_TEMPLATES.glob("*.txt"))
    assert {p.stem for p in texts} >= {"registration", "reset_password", "set_password"}
    for text in texts:
        html = text.with_suffix(".html")
        missing = strings(text) - strings(html) - strings(MAIL_TEMPLATES / "base.html")
        assert not missing, f"{text.name}: only in the text part: {missing}"
