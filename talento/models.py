"""Every model module, imported once so the metadata is complete (app, Alembic, tests)."""

from talento.accounts.models import AccountSession, CodeCounter, RecoveryCode, User
from talento.audit.models import AuditEvent
from talento.geo.models import City, Country
from talento.keys.models import KeyCanary, LostValue
from talento.profiles.models import (
    Skill,
    SkillCategory,
    TalentLanguage,
    TalentProfile,
)
from talento.state import AppState

__all__ = [
    "AccountSession",
    "AppState",
    "AuditEvent",
    "City",
    "CodeCounter",
    "Country",
    "KeyCanary",
    "LostValue",
    "RecoveryCode",
    "Skill",
    "SkillCategory",
    "TalentLanguage",
    "TalentProfile",
    "User",
]
