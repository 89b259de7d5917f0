"""Transactional e-mail: Jinja templates rendered in the recipient's language, sent after commit.

Services queue mail with `queue_mail(session, settings, OutgoingMail(...))`: it leaves only
once the transaction that decided it is committed (see talento.unit_of_work).

`send_templated` never raises: a failed e-mail must not turn a committed request into an error
page. Failures are logged with the exception type only (no address, no body: bodies carry
sign-in links).

Templates live in `templates/mail/`: `<name>.txt` (plain text, which also sets the translatable
`subject` with `{% set subject = _("…") %}`) and `<name>.html` (the HTML alternative, usually
extending `mail/base.html`). Every string of a .txt template also appears in its .html sibling,
so the catalogue extraction (which reads .html templates) finds them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from flask import Flask, current_app
from flask_babel import force_locale
from sqlalchemy.orm import Session

from talento.i18n import DEFAULT_LANGUAGE, SUPPORTED_LANGUAGES
from talento.mail.transport import deliver
from talento.settings import Settings
from talento.unit_of_work import after_commit

__all__ = ["OutgoingMail", "build_message", "queue_mail", "send_templated"]

log = logging.getLogger(__name__)


def send_templated(
    settings: Settings,
    to: str,
    template: str,
    lang: str = DEFAULT_LANGUAGE,
    *,
    reply_to: Address | None = None,
    **context,
) -> bool:
    """Render `mail/<template>.{txt,html}` in `lang` and send it to `to`.

    Needs an application context. Returns False (and logs a warning) on any failure.
    """
    try:
        message = build_message(settings, to, template, lang, reply_to=reply_to, **context)
        channel = deliver(settings, message)
    except Exception as exc:  # noqa: BLE001 - an e-mail never breaks the request that sent it
        log.warning("E-mail « %s » non envoyé : %s", template, type(exc).__name__)
        return False
    log.info("E-mail « %s » envoyé (%s)", template, channel)
    return True


def build_message(
    settings: Settings,
    to: str,
    template: str,
    lang: str = DEFAULT_LANGUAGE,
    *,
    reply_to: Address | None = None,
    **context,
) -> EmailMessage:
    """The message with a text body and an HTML alternative; raises on a bad address/template.

    ``reply_to`` (the contact relay's sender) is an :class:`Address` the caller has checked:
    the header is built from its parts, never from a string a visitor typed."""
    lang = lang if lang in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE
    jinja = current_app.jinja_env
    with force_locale(lang):
        values = dict(context)
        current_app.update_template_context(values)
        text_module = jinja.get_template(f"mail/{template}.txt").make_module(values)
        subject = " ".join(str(getattr(text_module, "subject", "Talento")).split())
        text = str(text_module).strip() + "\n"
        html = jinja.get_template(f"mail/{template}.html").render(values, subject=subject)

    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = settings.mail_default_sender
    message["To"] = _recipient(to)
    if reply_to is not None:
        message["Reply-To"] = reply_to
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=_sender_domain(settings))
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation auto-replies
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    message["Content-Language"] = lang  # after the parts: multipart moves Content-* headers
    return message


@dataclass(frozen=True)
class OutgoingMail:
    """An e-mail decided by a service and sent by the view once its transaction is committed.

    Holds plain values only, so it can be sent after the request (and its session) ended.
    """

    to: str
    template: str
    lang: str = DEFAULT_LANGUAGE
    context: dict = field(default_factory=dict)
    reply_to: Address | None = None

    def send(self, settings: Settings) -> bool:
        """Send now, inside the current application context."""
        return send_templated(
            settings, self.to, self.template, self.lang, reply_to=self.reply_to, **self.context
        )

    def send_in(self, app: Flask, settings: Settings) -> bool:
        """Send from outside any context (e.g. after the response was written)."""
        with app.app_context():
            return self.send(settings)


def queue_mail(
    session: Session,
    settings: Settings,
    mail: OutgoingMail,
    *,
    after_response: bool = False,
    report: Callable[[bool], object] | None = None,
) -> None:
    """Send ``mail`` once the session's transaction is committed, never if it rolls back.

    ``after_response``: in a request, the mail leaves only after the response was sent, so the
    time it takes reveals nothing (e.g. whether an address has an account). ``report`` is
    called with whether the mail left (a request may still flash a message then).
    """

    def send() -> None:
        sent = mail.send(settings)
        if report is not None:
            report(sent)

    after_commit(session, send, after_response=after_response)


def _recipient(to: str) -> Address:
    """One plain address; anything else (display names, several addresses, CR/LF) is refused."""
    to = to.strip()
    name, address = parseaddr(to)
    if name or address != to or address.count("@") != 1:
        raise ValueError("adresse de destinataire invalide")
    local, domain = address.split("@")
    return Address(username=local, domain=domain)


def _sender_domain(settings: Settings) -> str:
    address = parseaddr(settings.mail_default_sender)[1]
    return address.rpartition("@")[2] or "localhost"
