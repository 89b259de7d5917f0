"""Re-entering what a key adoption cleared (see talento/keys/adoption.py), and telling people.

A person flagged by `talento keys adopt` is sent to one short page holding only the lost fields
before anything else (talento/keys/reentry_views.py). :func:`save_reentered` takes the values
typed again as a plain :class:`Reentry` (no form, no request), refuses bad ones with
:class:`~talento.refusals.Refused` and clears the flag; the caller commits.

:func:`notify_flagged` e-mails every flagged person not yet told, out of any web request: run by
`talento lost-data notify` (by hand or from a timer) or started in the background by the admin
button on /admin/lost-data. Each person is claimed before the message goes out (a conditional
``UPDATE … WHERE lost_data_notified_at IS NULL``, committed), so a second run, a double click or
two runs at once never send anyone the message twice; an interrupted run resumes where it
stopped, and a failed sending releases the claim for the next run.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from talento.accounts.models import User
from talento.audit import services as audit
from talento.audit.models import AuditAction
from talento.crypto import is_unavailable
from talento.extensions import rowcount, table_of, utcnow
from talento.i18n import gettext as _
from talento.keys.places import FIELD_LABELS
from talento.profiles.choices import LINK_KINDS
from talento.profiles.phones import InvalidPhone, example_number, to_e164
from talento.refusals import Refusals, Refused
from talento.settings import Settings

__all__ = [
    "FIELD_LABELS",
    "NotifyReport",
    "Reentry",
    "flagged_count",
    "flagged_users",
    "not_yet_notified",
    "notify_flagged",
    "save_reentered",
]

log = logging.getLogger(__name__)

_LINK_RE = re.compile(r"^https?://[^\s/$.?#].[^\s]*$", re.I)


@dataclass(frozen=True)
class Reentry:
    """The values a flagged person typed again. Only the fields they lost are read."""

    phone: str | None = None
    whatsapp: str | None = None
    address: str | None = None
    #: Link kind (see profiles.choices.LINK_KINDS) -> URL; empty values are dropped.
    links: dict[str, str] = field(default_factory=dict)


def _phone(name: str, raw: str | None, region: str | None, required: bool):
    """The number in E.164, None when left empty, or a refusal."""
    raw = (raw or "").strip()
    if not raw:
        if required:
            return Refused(name, _("Indiquez votre numéro de téléphone."))
        return None
    try:
        return to_e164(raw, region)
    except InvalidPhone:
        return Refused(
            name,
            _(
                "Numéro invalide pour le pays choisi (exemple : %(example)s).",
                example=example_number(region or "MA"),
            ),
        )


def save_reentered(session: Session, user: User, data: Reentry, actor) -> list[str]:
    """Write the re-entered values, clear the flag and record which fields came back.

    Phones are stored in E.164 for the person's country. Raises Refused (or Refusals) naming
    each bad field (`phone`, `whatsapp`, `link_<kind>`) before anything is written. A talent
    must give a phone number back; a staff account may leave it empty."""
    names = user.lost_field_names
    region = user.country.iso2 if user.country else None
    values: dict[str, str | None] = {}
    refusals: list[Refused] = []
    for name in ("phone", "whatsapp"):
        if name in names:
            required = name == "phone" and user.profile is not None
            checked = _phone(name, getattr(data, name), region, required)
            if isinstance(checked, Refused):
                refusals.append(checked)
            else:
                values[name] = checked
    if "address" in names:
        values["address"] = (data.address or "").strip() or None
    links: dict[str, str] = {}
    if "links" in names:
        for kind, url in data.links.items():
            url = (url or "").strip()
            if kind not in LINK_KINDS:
                raise ValueError(f"unknown link kind {kind!r}")  # a caller's bug, not input
            if url and not _LINK_RE.match(url):
                refusals.append(
                    Refused(f"link_{kind}", _("Adresse web complète attendue (https://…)."))
                )
            elif url:
                links[kind] = url
    if refusals:
        raise Refusals(refusals)
    for name, value in values.items():
        if value is None and is_unavailable(getattr(user, name)):
            continue  # unreadable again since the adoption: kept, as every form keeps it
        setattr(user, name, value)
    profile = user.profile if "links" in names else None
    if profile is not None and (links or not is_unavailable(profile.links)):
        profile.links = json.dumps(links, sort_keys=True) if links else None
    user.lost_fields = None
    audit.record(session, AuditAction.LOST_DATA_REENTERED, actor, fields=names, **audit.about(user))
    return names


def flagged_count(session: Session) -> int:
    flagged = User.lost_fields.is_not(None)
    return session.scalar(select(func.count()).select_from(User).where(flagged)) or 0


def flagged_users(session: Session, page: int, per_page: int = 50) -> tuple[list[User], int]:
    """People who still have lost data to re-enter, oldest accounts first, and their count."""
    flagged = User.lost_fields.is_not(None)
    total = flagged_count(session)
    rows = session.scalars(
        select(User).where(flagged).order_by(User.id).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return list(rows), total


def not_yet_notified(session: Session) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.lost_fields.is_not(None), User.lost_data_notified_at.is_(None))
        )
        or 0
    )


@dataclass
class NotifyReport:
    sent: int = 0
    failed: int = 0  # released: the next run tries them again


def _claim(session: Session, user_id: int):
    """Mark one person as told unless someone else did; returns the stamp, or None."""
    stamp = utcnow()
    users = table_of(User)
    claimed = session.execute(
        update(users)
        .where(
            users.c.id == user_id,
            users.c.lost_fields.is_not(None),
            users.c.lost_data_notified_at.is_(None),
        )
        .values(lost_data_notified_at=stamp)
    )
    session.commit()  # visible to every other run before the message goes out
    return stamp if rowcount(claimed) == 1 else None


def _release(session: Session, user_id: int, stamp) -> None:
    users = table_of(User)
    session.execute(
        update(users)
        .where(users.c.id == user_id, users.c.lost_data_notified_at == stamp)
        .values(lost_data_notified_at=None)
    )


def notify_flagged(
    session: Session,
    settings: Settings,
    actor,
    *,
    batch_size: int = 50,
    progress: Callable[[int], None] | None = None,
) -> NotifyReport:
    """E-mail every flagged person not yet told (in their language, French by default).

    Needs an application context (the messages are rendered with the app's templates). Each
    person is claimed (date on the account, committed) before the message is sent, then the
    sending is recorded (one audit row) or, when it failed, the claim is released; nobody is
    ever sent the message twice, and an interruption loses at most the message in flight.
    `progress(n)` is told how many people each batch handled."""
    from talento.mail import send_templated

    report = NotifyReport()
    login_url = f"{settings.base_url.rstrip('/')}/auth/login"
    last_id = 0
    while True:
        ids = session.scalars(
            select(User.id)
            .where(
                User.lost_fields.is_not(None),
                User.lost_data_notified_at.is_(None),
                User.id > last_id,
            )
            .order_by(User.id)
            .limit(batch_size)
        ).all()
        session.commit()
        if not ids:
            break
        last_id = ids[-1]
        for user_id in ids:
            stamp = _claim(session, user_id)
            if stamp is None:
                continue  # told meanwhile by another run, or re-entered already
            user = session.get(User, user_id)
            if user is not None and send_templated(
                settings,
                user.email,
                "lost_data",
                user.language,
                first_name=user.first_name,
                lost_fields=user.lost_field_names,
                field_labels=FIELD_LABELS,
                login_url=login_url,
            ):
                audit.record(session, AuditAction.LOST_DATA_NOTIFIED, actor, **audit.about(user))
                report.sent += 1
            else:
                _release(session, user_id, stamp)
                report.failed += 1
            session.commit()
        if progress is not None:
            progress(len(ids))
    log.info("E-mails « données à ressaisir » envoyés : %d", report.sent)
    if report.failed:
        log.warning("E-mails « données à ressaisir » non envoyés (réessayés) : %d", report.failed)
    return report
