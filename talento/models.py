"""Every model module, imported once so the metadata is complete (app, Alembic, tests)."""

from talento.accounts.models import AccountSession, CodeCounter, RecoveryCode, User
from talento.attendance.models import (
    AttendanceCorrection,
    AttendanceDay,
    AttendanceScan,
    DaySheetSignoff,
)
from talento.audit.models import AuditEvent
from talento.casting.models import (
    CastingAccent,
    CastingAsset,
    CastingCodeCounter,
    CastingCredit,
    CastingPhoto,
    CastingProfile,
    CastingSkill,
    CastingTalentType,
)
from talento.content.models import LegalPage
from talento.geo.models import City, Country
from talento.keys.models import KeyCanary, LostValue
from talento.profiles.models import (
    SavedSearch,
    Skill,
    SkillCategory,
    TalentLanguage,
    TalentProfile,
)
from talento.projects.models import (
    AvailabilityRequest,
    Booking,
    BookingDay,
    CastingRole,
    CompanyMember,
    PresenceAssignment,
    ProductionCompany,
    Project,
    ProjectLocation,
    ReviewFeedback,
    ReviewLink,
    RoleShootingDay,
    ShortlistEntry,
    ShortlistNote,
)
from talento.state import AppState

__all__ = [
    "AccountSession",
    "AppState",
    "AttendanceCorrection",
    "AttendanceDay",
    "AttendanceScan",
    "AuditEvent",
    "AvailabilityRequest",
    "Booking",
    "BookingDay",
    "CastingAccent",
    "CastingAsset",
    "CastingCodeCounter",
    "CastingCredit",
    "CastingPhoto",
    "CastingProfile",
    "CastingRole",
    "CastingSkill",
    "CastingTalentType",
    "City",
    "CodeCounter",
    "CompanyMember",
    "Country",
    "DaySheetSignoff",
    "KeyCanary",
    "LegalPage",
    "LostValue",
    "PresenceAssignment",
    "ProductionCompany",
    "Project",
    "ProjectLocation",
    "RecoveryCode",
    "ReviewFeedback",
    "ReviewLink",
    "RoleShootingDay",
    "SavedSearch",
    "ShortlistEntry",
    "ShortlistNote",
    "Skill",
    "SkillCategory",
    "TalentLanguage",
    "TalentProfile",
    "User",
]
