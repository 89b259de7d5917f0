"""A casting profile goes with its talent profile (an account deleted by its owner or an admin).

``casting_profiles.user_id`` references ``talent_profiles.user_id`` with ON DELETE CASCADE, but
the ORM backref ``TalentProfile.casting`` has no delete cascade: deleting an account whose
casting profile is loaded made SQLAlchemy try to blank the casting profile's primary key
(an AssertionError, a 500). Until the relationship carries ``cascade="all, delete-orphan"``
(asked for in the schema notes), this listener deletes the casting profile — and, through its
own cascades, its types, skills, assets, accents, credits and photo rows — in the same flush.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session

from talento.casting.models import CastingProfile
from talento.profiles.models import TalentProfile


@event.listens_for(Session, "before_flush")
def _delete_casting_with_talent_profile(session: Session, _context, _instances) -> None:
    for deleted in list(session.deleted):
        if not isinstance(deleted, TalentProfile):
            continue
        casting = getattr(deleted, "casting", None)
        if isinstance(casting, CastingProfile) and casting not in session.deleted:
            session.delete(casting)
