"""« Report abuse »: the signed link of a relayed message, and the report it records.

The link in every relayed mail (:func:`talento.profiles.contact.relay`) carries the audit row
of that message and the talent it went to, signed with SECRET_KEY under a salt of its own,
valid :data:`REPORT_MAX_AGE_SECONDS`. No login: the talent opens it from their mailbox. The
page behind it asks for a click (a POST: mail scanners that follow links report nothing),
then records one ``contact.abuse_reported`` audit row per message, whose actor is the talent
and whose subject is the sender's account when they had one (the admin audit page lists them;
filtering by a sender's code shows the reports about them).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from talento.accounts.models import User
from talento.audit import services as audit
from talento.audit.models import AuditAction, AuditEvent

log = logging.getLogger(__name__)

#: How long the « report abuse » link of a relayed message works.
REPORT_MAX_AGE_SECONDS = 60 * 24 * 3600
REPORT_SALT = "talento-contact-report"
REPORT_PATH = "/contact/report/"
MAX_TOKEN_LENGTH = 512


def report_url(base_url: str, secret_key: str, event_id: int, talent_id: int) -> str:
    return f"{base_url.rstrip('/')}{REPORT_PATH}{report_token(secret_key, event_id, talent_id)}"


def report_token(secret_key: str, event_id: int, talent_id: int) -> str:
    return URLSafeTimedSerializer(secret_key, salt=REPORT_SALT).dumps(
        {"r": event_id, "t": talent_id}
    )


@dataclass(frozen=True)
class ReportCheck:
    """A report link's relayed message and talent, or why it is refused."""

    problem: str | None  # "invalid", "expired" or None
    event_id: int = 0
    talent: User | None = None


def check_report_token(
    session: Session, secret_key: str, token: str, max_age: int = REPORT_MAX_AGE_SECONDS
) -> ReportCheck:
    if len(token) > MAX_TOKEN_LENGTH:
        return ReportCheck("invalid")
    try:
        payload = URLSafeTimedSerializer(secret_key, salt=REPORT_SALT).loads(token, max_age=max_age)
    except SignatureExpired:
        return ReportCheck("expired")
    except BadSignature:
        return ReportCheck("invalid")
    if not isinstance(payload, dict):
        return ReportCheck("invalid")
    event_id, talent_id = payload.get("r"), payload.get("t")
    if type(event_id) is not int or type(talent_id) is not int:
        return ReportCheck("invalid")
    talent = session.get(User, talent_id)
    if talent is None:
        return ReportCheck("invalid")
    return ReportCheck(None, event_id, talent)


def report_abuse(
    session: Session, check: ReportCheck, ip: str | None, request_id: str | None
) -> bool:
    """Record the talent's report of a relayed message; False when it was already reported
    (one row per message, however often the link is used)."""
    assert check.talent is not None, "a checked, valid report link"
    talent = check.talent
    detail = {"relay": check.event_id}
    already = session.scalar(
        select(AuditEvent.id).where(
            AuditEvent.action == AuditAction.CONTACT_REPORTED.value,
            AuditEvent.actor_id == talent.id,
            AuditEvent.detail == audit.detail_text(detail),
        )
    )
    if already is not None:
        return False
    relayed = session.get(AuditEvent, check.event_id)
    sender_id = sender_code = None
    if relayed is not None and relayed.subject_id == talent.id:
        sender_id, sender_code = relayed.actor_id, relayed.actor_code
    audit.record(
        session,
        AuditAction.CONTACT_REPORTED,
        audit.as_actor(talent, ip, request_id),
        subject_id=sender_id,
        subject_code=sender_code,
        detail=detail,
    )
    log.info("Message de contact signalé comme abusif : talent id=%s", talent.id)
    return True
