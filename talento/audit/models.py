"""The append-only audit table.

Rows name people by id and code (copied, no foreign key: the trail outlives deleted accounts)
and list field *names*, never values: no decrypted value is ever written here.
"""

from __future__ import annotations

import enum

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from talento.extensions import CreatedAt, Model


class AuditAction(enum.StrEnum):
    PERSONAL_DATA_VIEW = "personal_data.view"
    PERSONAL_DATA_EXPORT = "personal_data.export"
    EXPORT = "export"
    LOGIN = "login.success"
    LOGIN_FAILED = "login.failure"
    PASSWORD_CHANGE = "password.change"  # noqa: S105 - event names, not passwords
    PASSWORD_RESET = "password.reset"  # noqa: S105
    PASSWORD_LINK_SENT = "password.link_sent"  # noqa: S105
    USER_CREATE = "user.create"
    USER_UPDATE = "user.update"
    ROLE_CHANGE = "user.role_change"  # before capabilities (migration 0010): old rows only
    CAPABILITY_CHANGE = "user.capability_change"
    STATUS_CHANGE = "user.status_change"
    USER_DELETE = "user.delete"
    AUDIT_EXPORT = "audit.export"
    AUDIT_PURGE = "audit.purge"
    TWO_FACTOR_ENABLED = "two_factor.enabled"
    TWO_FACTOR_DISABLED = "two_factor.disabled"
    TWO_FACTOR_RESET = "two_factor.reset"
    RECOVERY_CODE_USED = "two_factor.recovery_code_used"
    RECOVERY_CODES_REGENERATED = "two_factor.recovery_codes_new"
    KEY_ADOPTED = "keys.adopt"
    LOST_DATA_REENTERED = "lost_data.reentered"
    LOST_DATA_NOTIFIED = "lost_data.notified"
    OTHER_SESSIONS_ENDED = "sessions.others_ended"
    #: The contact relay: a message relayed to a talent (never its body), a submission caught
    #: by the spam traps (nothing sent), a relayed message reported as abuse by its talent.
    CONTACT_RELAYED = "contact.relayed"
    CONTACT_TRAPPED = "contact.trapped"
    CONTACT_REPORTED = "contact.abuse_reported"
    EMAIL_VERIFIED = "email.verified"
    VERIFICATION_SENT = "email.verification_sent"
    EMAIL_CHANGED = "email.changed"
    LEGAL_PAGE_UPDATE = "legal_page.update"
    #: CINEMA: casting staff or an admin unmasked a casting profile's contact and ID data.
    CASTING_CONTACT_REVEAL = "casting.contact_reveal"
    #: CINEMA: an admin asked a talent (or a minor's guardian) to complete a casting profile;
    #: an admin marked a professional artist card as checked, or withdrew that.
    CASTING_COMPLETION_REQUESTED = "casting.completion_requested"
    ARTIST_CARD_VERIFIED = "casting.artist_card_verified"
    ARTIST_CARD_UNVERIFIED = "casting.artist_card_unverified"
    #: Productions (issue 14): an admin verified a production company or withdrew that;
    #: casting staff deleted (soft) a company, a project or a role; a company's own staff
    #: accounts (members) added or removed.
    COMPANY_VERIFIED = "company.verified"
    COMPANY_UNVERIFIED = "company.unverified"
    COMPANY_DELETE = "company.delete"
    COMPANY_MEMBER_ADDED = "company.member_added"
    COMPANY_MEMBER_REMOVED = "company.member_removed"
    PROJECT_DELETE = "project.delete"
    ROLE_DELETE = "project.role_delete"
    #: Productions: badges (names, photos, CINEMA codes) or a project's talent list (names,
    #: CINEMA codes, days) printed by someone other than the people on them.
    BADGES_PRINTED = "project.badges_printed"
    TALENT_LIST_PRINTED = "project.talent_list_printed"
    #: Productions: a role's shortlist shared through a review link (created, revoked by
    #: casting staff; every view of it, by someone without an account: actor anonymous, the
    #: link's id in the detail).
    REVIEW_LINK_CREATE = "review_link.create"
    REVIEW_LINK_REVOKE = "review_link.revoke"
    REVIEW_LINK_VIEW = "review_link.view"
    #: On-set attendance (issue 15): hours and amounts exported for payroll (XLSX, CSV), a
    #: role's day sheet printed or signed off, one talent's attendance history viewed by staff.
    PAYROLL_EXPORTED = "attendance.payroll_exported"
    DAY_SHEET_PRINTED = "attendance.day_sheet_printed"
    DAY_SHEET_SIGNED = "attendance.day_sheet_signed"
    ATTENDANCE_HISTORY_VIEW = "attendance.history_view"
    #: Attendance (issue 15): a scanning phone downloaded a day's roster (names, faces,
    #: booking codes) to work offline.
    ROSTER_DOWNLOADED = "attendance.roster_downloaded"


class AuditEvent(Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    created_at: Mapped[CreatedAt]
    action: Mapped[str] = mapped_column(String(40))
    actor_id: Mapped[int | None]
    actor_code: Mapped[str | None] = mapped_column(String(10))
    subject_id: Mapped[int | None]
    subject_code: Mapped[str | None] = mapped_column(String(10))
    #: Comma-separated names of the personal fields shown or exported (« phone,address »).
    fields: Mapped[str] = mapped_column(String(300), default="", server_default="")
    ip: Mapped[str | None] = mapped_column(String(45))
    request_id: Mapped[str | None] = mapped_column(String(64))
    #: Small JSON object of identifiers and counts (old/new capabilities, row count, format…).
    detail: Mapped[str] = mapped_column(Text, default="{}", server_default="{}")

    def __repr__(self) -> str:
        return f"<AuditEvent id={self.id} action={self.action}>"


Index("ix_audit_events_created_at", AuditEvent.created_at)
Index("ix_audit_events_action_created", AuditEvent.action, AuditEvent.created_at)
Index("ix_audit_events_subject", AuditEvent.subject_id, AuditEvent.created_at)
Index("ix_audit_events_actor", AuditEvent.actor_id, AuditEvent.created_at)
