"""A real SMTP server for tests: aiosmtpd on loopback, keeping what it receives."""

from __future__ import annotations

import email
import email.policy
import logging
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def free_port() -> int:
    """A loopback port nothing listens on (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """aiosmtpd handler: every accepted message, with its SMTP envelope."""

    def __init__(self) -> None:
        self.envelopes: list = []
        self.logins: list[tuple[str, str]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def authenticate(self, server, session, envelope, mechanism, auth_data) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            self.logins.append((auth_data.login.decode(), auth_data.password.decode()))
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    @property
    def messages(self) -> list[EmailMessage]:
        return [
            email.message_from_bytes(e.content, policy=email.policy.default) for e in self.envelopes
        ]

    def wait_for(self, count: int, timeout: float = 5.0) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.envelopes) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.messages


@contextmanager
def smtp_server(**server_options) -> Iterator[tuple[Inbox, int]]:
    """Run an SMTP server on 127.0.0.1 and a free port; yields (inbox, port)."""
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # it logs every address
    inbox = Inbox()
    server_options.setdefault("authenticator", inbox.authenticate)
    server_options.setdefault("auth_require_tls", False)
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port(), **server_options)
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()


def text_and_html(message: EmailMessage) -> tuple[str, str]:
    return (
        message.get_body(preferencelist=("plain",)).get_content(),
        message.get_body(preferencelist=("html",)).get_content(),
    )
