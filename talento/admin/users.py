"""Managing accounts as an admin: contact details (audited), edits, capabilities and status
with their guards, deletion, accounts created on someone's behalf, bulk actions.

Services take a session and the acting admin; the views commit. Every change writes its audit
row in the same transaction, so an action and its trace land together or not at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from talento.accounts.models import AccountCapability, Capability, User, in_order
from talento.accounts.sessions import end_every_session
from talento.audit import services as audit
from talento.audit.models import AuditAction
from talento.audit.services import Actor
from talento.crypto import Unavailable
from talento.i18n import lazy_gettext as _l
from talento.profiles.services import delete_account

BULK_ACTIONS = ("activate", "deactivate", "delete")
MAX_BULK = 1000

#: Columns whose change an audit row names (never their values).
_TRACKED = (
    "email",
    "first_name",
    "last_name",
    "gender",
    "date_of_birth",
    "country_id",
    "city_id",
    "phone",
    "whatsapp",
    "address",
    "language",
)
_PROFILE_TRACKED = (
    "nationality_id",
    "bio",
    "years_experience",
    "availability",
    "work_mode",
    "rate_min",
    "rate_max",
    "education",
    "links",
    "public_links",
    "photo_name",
    "cv_name",
)


class AdminActionRefused(Exception):
    """A guard said no; the message is for the admin (translated)."""

    def __init__(self, message) -> None:
        super().__init__(str(message))
        self.message = message


# -- reading contact data ----------------------------------------------------------------------


@dataclass(frozen=True)
class ContactDetails:
    """Decrypted contact data of someone, for an admin's eyes (an audit row is written)."""

    phone: str | None
    whatsapp: str | None
    address: str | None
    links: dict[str, str] = field(default_factory=dict)
    unreadable: tuple[str, ...] = ()


def contact_details(session: Session, user: User, actor: Actor) -> ContactDetails:
    """Decrypt `user`'s contact columns and record who saw which of them."""
    values = {"phone": user.phone, "whatsapp": user.whatsapp, "address": user.address}
    raw_links = user.profile.links if user.profile is not None else None
    values["links"] = raw_links
    unreadable = tuple(name for name, value in values.items() if isinstance(value, Unavailable))
    shown = [name for name, value in values.items() if value]
    if shown:
        audit.record(
            session, AuditAction.PERSONAL_DATA_VIEW, actor, fields=shown, **audit.about(user)
        )
    links = json.loads(raw_links) if raw_links else {}
    return ContactDetails(
        phone=values["phone"] or None,
        whatsapp=values["whatsapp"] or None,
        address=values["address"] or None,
        links=links,
        unreadable=unreadable,
    )


# -- guards ------------------------------------------------------------------------------------


def _other_active_admins(session: Session, user_id: int) -> int:
    """Active admins other than `user_id`. Their ``users`` rows and admin capability rows are
    locked (PostgreSQL), so two admins removing each other at the same moment (by capability
    or by deactivation) cannot both succeed: the second waits, then finds one admin fewer."""
    stmt = (
        select(User.id)
        .join(AccountCapability, AccountCapability.user_id == User.id)
        .where(AccountCapability.capability == Capability.ADMIN.value)
        .where(User.is_active_account.is_(True), User.id != user_id)
        .with_for_update()
    )
    return len(session.scalars(stmt).all())


def _guard_admin_removal(session: Session, acting: User, target: User, what) -> None:
    if target.id == acting.id:
        raise AdminActionRefused(what)
    is_active_admin = target.is_admin and target.is_active_account
    if is_active_admin and _other_active_admins(session, target.id) == 0:
        raise AdminActionRefused(
            _l("C'est le dernier administrateur actif : nommez-en un autre d'abord.")
        )


# -- changes -----------------------------------------------------------------------------------


def snapshot(user: User) -> dict[str, object]:
    """Tracked values of `user` and their profile, to compare before and after an edit (kept in
    memory only; the audit row gets the names of what changed)."""
    values: dict[str, object] = {name: getattr(user, name) for name in _TRACKED}
    profile = user.profile
    if profile is not None:
        values |= {name: getattr(profile, name) for name in _PROFILE_TRACKED}
        values["skills"] = sorted(skill.slug for skill in profile.skills)
        values["languages"] = sorted((lang.code, lang.level) for lang in profile.languages)
    return values


def changed_fields(before: dict[str, object], user: User) -> list[str]:
    after = snapshot(user)
    return [name for name in after if before.get(name) != after[name]]


def record_update(session: Session, user: User, actor: Actor, changed: list[str]) -> None:
    if changed:
        audit.record(
            session,
            AuditAction.USER_UPDATE,
            actor,
            detail={"changed": changed},
            **audit.about(user),
        )


def set_capabilities(
    session: Session, acting: User, target: User, wanted: Iterable[str], actor: Actor
) -> bool:
    """Give `target` exactly the capabilities `wanted`. Returns False when nothing changed.

    Guards: at least one capability (to shut an account, deactivate it); nobody removes their
    own admin capability, and the last active admin keeps theirs. Removing a capability ends
    the target's sessions (an open session on a shared computer does not keep the lost
    rights a moment longer); adding one does not, and an admin's own session is kept. The
    audit row records the old and the new set.
    """
    wanted = set(wanted)
    if not wanted <= set(Capability):
        raise AdminActionRefused(_l("Capacité inconnue."))
    if not wanted:
        raise AdminActionRefused(
            _l("Cochez au moins une capacité (pour fermer l'accès, désactivez le compte).")
        )
    old = target.capabilities
    if wanted == old:
        return False
    if Capability.ADMIN.value in old - wanted:
        _guard_admin_removal(
            session,
            acting,
            target,
            _l("Vous ne pouvez pas retirer votre propre rôle d'administrateur."),
        )
    target.set_capabilities(wanted)
    if old - wanted and target.id != acting.id:
        end_every_session(session, target)
    audit.record(
        session,
        AuditAction.CAPABILITY_CHANGE,
        actor,
        detail={"old": in_order(old), "new": in_order(wanted)},
        **audit.about(target),
    )
    return True


def set_active(session: Session, acting: User, target: User, active: bool, actor: Actor) -> bool:
    """Activate or deactivate `target`. Returns False when nothing changed."""
    if target.is_active_account == active:
        return False
    if not active:
        _guard_admin_removal(
            session, acting, target, _l("Vous ne pouvez pas désactiver votre propre compte.")
        )
        end_every_session(session, target)
    target.is_active_account = active
    audit.record(
        session,
        AuditAction.STATUS_CHANGE,
        actor,
        detail={"active": active},
        **audit.about(target),
    )
    return True


def delete_user(session: Session, acting: User, target: User, actor: Actor) -> list[str]:
    """Delete `target` and their profile; returns the stored files to remove after commit."""
    _guard_admin_removal(
        session, acting, target, _l("Vous ne pouvez pas supprimer votre propre compte ici.")
    )
    audit.record(
        session, AuditAction.USER_DELETE, actor, detail={"by": "admin"}, **audit.about(target)
    )
    return delete_account(session, target)


# -- bulk --------------------------------------------------------------------------------------


@dataclass
class BulkOutcome:
    done: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)  # (code, reason)
    files: list[str] = field(default_factory=list)


def users_by_ids(session: Session, ids: list[int]) -> list[User]:
    ids = sorted(set(ids))[:MAX_BULK]
    if not ids:
        return []
    # Profiles come in one more query: deletion reads each one's photo and CV names.
    stmt = select(User).where(User.id.in_(ids)).options(selectinload(User.profile))
    return list(session.scalars(stmt.order_by(User.code)))


def apply_bulk(
    session: Session, acting: User, users: list[User], action: str, actor: Actor
) -> BulkOutcome:
    """Apply `action` to each user; a refused one (guard) is reported, the others proceed."""
    if action not in BULK_ACTIONS:
        raise AdminActionRefused(_l("Action inconnue."))
    outcome = BulkOutcome()
    for user in users:
        try:  # guards raise before any change, so a refused user leaves nothing half-done
            if action == "delete":
                outcome.files += delete_user(session, acting, user, actor)
                changed = True
            else:
                changed = set_active(session, acting, user, action == "activate", actor)
        except AdminActionRefused as refused:
            outcome.refused.append((user.code, str(refused.message)))
            continue
        outcome.done += int(changed)
    return outcome
