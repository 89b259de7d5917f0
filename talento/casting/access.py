"""Who sees which casting profile, decided once (pages, photos, comp cards, search).

- Its owner always (their own space).
- Casting staff and admins (``casting`` / ``admin`` capability): every casting profile whose
  account is active, complete or not, whatever its visibility except that a profile "hidden"
  by its owner is left out of searches (it can still be opened by code, e.g. from a project).
- Anyone else, signed in or not: only a complete profile whose owner chose a public casting
  page, whose account is active with a verified address, and who is not a minor. A minor's
  profile is never public.

Contact and identity data are never part of a public view: pages and comp cards show them
masked to staff, unmasked only on an explicit, audited action (casting/masking.py).
"""

from __future__ import annotations

import datetime as dt

from talento.accounts.models import Capability, User
from talento.casting.models import CastingProfile

ADULT_AGE = 18


def age_on(born: dt.date | None, today: dt.date) -> int | None:
    if born is None:
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def is_minor(user: User, today: dt.date) -> bool:
    """Under 18 today; an unknown date of birth is not treated as a minor's (the registration
    makes the date of birth required)."""
    age = age_on(user.date_of_birth, today)
    return age is not None and age < ADULT_AGE


def is_casting_staff(viewer: object) -> bool:
    """True for a signed-in account holding ``casting`` or ``admin``."""
    can = getattr(viewer, "can", None)
    if not getattr(viewer, "is_authenticated", False) or can is None:
        return False
    return bool(can(Capability.CASTING) or can(Capability.ADMIN))


def is_public(profile: CastingProfile, user: User, today: dt.date) -> bool:
    """The profile has a public casting page (see the module docstring)."""
    return (
        profile.visibility == "public"
        and profile.is_complete
        and user.is_active_account
        and user.email_verified
        and not is_minor(user, today)
    )


def can_view(viewer: object, profile: CastingProfile, user: User, today: dt.date) -> bool:
    """May `viewer` (current_user, possibly anonymous) see this casting profile at all?"""
    if getattr(viewer, "is_authenticated", False) and getattr(viewer, "id", None) == user.id:
        return True
    if is_casting_staff(viewer):
        return user.is_active_account or bool(getattr(viewer, "is_admin", False))
    return is_public(profile, user, today)
