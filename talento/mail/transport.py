"""Delivery of a built message: SMTP when MAIL_SERVER is set, else a local outbox of .eml files.

The outbox lets a fresh install work without an SMTP account: an operator reads the files
(they contain sign-in links, so they are written mode 600 in a mode 700 directory).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import secrets
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

from talento.settings import Settings

log = logging.getLogger(__name__)


def deliver(settings: Settings, message: EmailMessage) -> str:
    """Send or store one message; returns "smtp" or "outbox". Raises on any failure."""
    if settings.mail_server:
        send_smtp(settings, message)
        return "smtp"
    path = write_outbox(settings, message)
    log.log(
        logging.WARNING if settings.production else logging.INFO,
        "MAIL_SERVER non défini : e-mail écrit dans la boîte d'envoi locale (%s)",
        path.name,
    )
    return "outbox"


def send_smtp(settings: Settings, message: EmailMessage) -> None:
    """One connection per message: STARTTLS or implicit TLS as configured, login if a username
    is set. STARTTLS that the server does not offer is an error, never a fallback to clear text."""
    host, port, timeout = settings.mail_server or "", settings.mail_port, settings.mail_timeout
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if settings.mail_use_ssl:
        client = smtplib.SMTP_SSL(host, port, timeout=timeout, context=context)
    else:
        client = smtplib.SMTP(host, port, timeout=timeout)
    with client:
        if settings.mail_use_tls:
            client.starttls(context=context)
        if settings.mail_username:
            client.login(settings.mail_username, settings.mail_password or "")
        client.send_message(message)


def write_outbox(settings: Settings, message: EmailMessage) -> Path:
    """Write `<UTC timestamp>-<random>.eml`, atomically (a reader never sees half a file)."""
    directory = Path(settings.mail_outbox_dir)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S.%fZ")
    target = directory / f"{stamp}-{secrets.token_hex(4)}.eml"
    partial = directory / f".{target.name}.part"
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(message.as_bytes())
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return target
