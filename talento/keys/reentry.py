"""Re-entering what a key adoption cleared (see talento/keys/adoption.py).

A person flagged by `talento keys adopt` is sent to one short form holding only the lost fields
before anything else; saving it clears the flag. Admins list flagged people and e-mail them all
with one action (`notify_flagged`), each message recorded as it is sent, so a second click
only reaches those not yet told.
"""

from __future__ import annotations

import json
import logging

from flask import Flask
from flask_wtf import FlaskForm
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from wtforms.validators import Length, Optional

from talento.accounts.models import User
from talento.audit import services as audit
from talento.audit.models import AuditAction
from talento.extensions import utcnow
from talento.keys.places import FIELD_LABELS
from talento.profiles.choices import LINK_KINDS
from talento.profiles.forms import ProfileFieldsForm, phone_in_e164
from talento.settings import Settings

log = logging.getLogger(__name__)


class LostDataForm(FlaskForm):
    """The profile form's contact and link fields; `for_user` keeps only the ones lost."""

    phone = ProfileFieldsForm.phone
    whatsapp = ProfileFieldsForm.whatsapp
    address = ProfileFieldsForm.address

    @classmethod
    def for_user(cls, user: User) -> LostDataForm:
        form = cls()
        form.country_iso2 = user.country.iso2 if user.country else None
        lost = set(user.lost_field_names)
        for name in ("phone", "whatsapp", "address"):
            if name not in lost:
                delattr(form, name)
        if "phone" in lost and user.profile is None:  # staff accounts: the phone is optional
            form.phone.validators = [Optional(), Length(max=30)]
            form.phone.flags.required = False
        if "links" not in lost:
            for kind in LINK_KINDS:
                delattr(form, f"link_{kind}")
        return form

    def link_fields(self):
        return [self[f"link_{kind}"] for kind in LINK_KINDS if f"link_{kind}" in self]

    def validate_phone(self, field) -> None:
        if field.data:
            field.data = phone_in_e164(field.data, self.country_iso2)

    def validate_whatsapp(self, field) -> None:
        self.validate_phone(field)

    def links(self) -> dict[str, str]:
        return {
            field.name.removeprefix("link_"): field.data.strip()
            for field in self.link_fields()
            if field.data and field.data.strip()
        }


for _kind in LINK_KINDS:
    setattr(LostDataForm, f"link_{_kind}", getattr(ProfileFieldsForm, f"link_{_kind}"))


def save_reentered(session: Session, user: User, form: LostDataForm, actor) -> list[str]:
    """Write the re-entered values, clear the flag and record which fields came back."""
    names = user.lost_field_names
    for name in ("phone", "whatsapp", "address"):
        if name in names:
            setattr(user, name, (form[name].data or "").strip() or None)
    if "links" in names and user.profile is not None:
        links = form.links()
        user.profile.links = json.dumps(links, sort_keys=True) if links else None
    user.lost_fields = None
    audit.record(session, AuditAction.LOST_DATA_REENTERED, actor, fields=names, **audit.about(user))
    session.commit()
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


def notify_flagged(app: Flask, settings: Settings, actor, batch_size: int = 50) -> int:
    """E-mail every flagged person not yet told (French first, their language otherwise).

    Runs after the admin's response is sent. Each sent message is recorded at once (date on
    the account, one audit row), so an interrupted run resumes where it stopped and nobody
    gets the message twice. Returns how many were sent."""
    from talento.extensions import db
    from talento.mail import send_templated

    sent = 0
    with app.app_context():
        session = db.session
        last_id = 0
        while True:
            batch = session.scalars(
                select(User)
                .where(
                    User.lost_fields.is_not(None),
                    User.lost_data_notified_at.is_(None),
                    User.id > last_id,
                )
                .order_by(User.id)
                .limit(batch_size)
            ).all()
            if not batch:
                break
            for user in batch:
                last_id = user.id
                if not send_templated(
                    settings,
                    user.email,
                    "lost_data",
                    user.language,
                    first_name=user.first_name,
                    lost_fields=user.lost_field_names,
                    field_labels=FIELD_LABELS,
                    login_url=f"{settings.base_url.rstrip('/')}/auth/login",
                ):
                    continue
                user.lost_data_notified_at = utcnow()
                audit.record(session, AuditAction.LOST_DATA_NOTIFIED, actor, **audit.about(user))
                session.commit()
                sent += 1
        db.session.remove()
    log.info("E-mails « données à ressaisir » envoyés : %d", sent)
    return sent
