"""The casting registration: one person, one account (issue 13, points 1 and 2).

Form-free like every service: plain data in (``casting.inputs``), ``Refused`` out, the caller's
unit of work commits.

- :func:`start_registration` — someone new registers through /cinema/register: one ``users``
  row (capability ``talent``, e-mail unverified, their user code as login code), its talent
  profile, and the casting profile at step "identity" done. Residence (country, city) is asked
  on that first page because the user code is made of it.
- :func:`add_casting_profile` — an existing talent adds the casting side from their own space.
  Nothing is retyped: names, gender, date of birth, residence, phone and WhatsApp stay on the
  account, nationality and languages on the talent profile, and the casting steps show them
  prefilled. Only the ID document is new, so the profile opens at "identity".
- :func:`save_step` — one step's data (``casting.steps_data``), then ``steps.advance``; the
  last one completes the registration (:func:`complete_registration`: CINEMA code from the
  residence and gender, ``completed_at``).
- :func:`contact_for` — whom casting staff contact: a minor's guardian, else the person.

Decisions:

- A person who registers through /cinema/register gets a talent profile whose visibility is
  "hidden": they came for casting, their talent profile has no skills or presentation, and an
  empty card in the public directory helps nobody. They may show it from « Ma visibilité »
  whenever they like. The casting profile's own visibility is "staff" by default.
- Only accounts holding the ``talent`` capability have a casting profile (staff accounts —
  presence, recruiter, casting, admin — do not; an admin can grant ``talent``).
- ID numbers are stored normalised (:func:`normalise_id_number`); their blind index (set by the
  model) finds a number already registered by someone else, refused as such.
"""

from __future__ import annotations

import datetime as dt
import re

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from talento.accounts.codes import format_code, next_sequence
from talento.accounts.models import Capability, User
from talento.accounts.passwords import PasswordService
from talento.accounts.services import set_password
from talento.casting import steps
from talento.casting import vocabulary as v
from talento.casting.access import is_minor
from talento.casting.codes import allocate_cinema_code
from talento.casting.inputs import GuardianInput, IdentityInput, NewAccount
from talento.casting.models import DONE, CastingProfile
from talento.casting.steps_data import SAVERS, StepData
from talento.crypto import active_keyring
from talento.extensions import utcnow, utctoday
from talento.geo.services import find_city, find_country
from talento.i18n import gettext as _
from talento.profiles.models import TalentProfile, Visibility
from talento.profiles.services import EmailTaken, InvalidResidence, consent_missing, email_taken
from talento.refusals import Refusals, Refused

#: What an ID number may hold once normalised: letters and digits (a CIN « BE 123456 »,
#: a passport « AB1234567 », a residence permit).
ID_NUMBER_RE = re.compile(r"^[A-Z0-9]{4,20}$")
OLDEST = 110


class IdNumberTaken(Refused):
    """Another casting profile holds this ID number (its blind index)."""

    def __init__(self) -> None:
        super().__init__(
            "id_number",
            _(
                "Ce numéro de pièce d'identité est déjà enregistré pour un autre profil casting. "
                "Si c'est le vôtre, connectez-vous à votre compte ou contactez-nous."
            ),
            status=400,
        )


def normalise_id_number(raw: str) -> str:
    """As stored and indexed: without spaces, dashes or dots, in upper case."""
    return re.sub(r"[\s.\-]+", "", raw or "").upper()


def casting_of(user: User) -> CastingProfile | None:
    return getattr(user.profile, "casting", None)  # the backref of CastingProfile


def can_have_casting_profile(user: User) -> bool:
    """Only talent accounts (see the module docstring)."""
    return user.can(Capability.TALENT.value)


# -- starting ----------------------------------------------------------------------------------


def start_registration(
    session: Session,
    passwords: PasswordService,
    account: NewAccount,
    identity: IdentityInput,
    *,
    today: dt.date | None = None,
) -> User:
    """Create the account, its (hidden) talent profile and its casting profile from the first
    page; the identity step is done. Flushed, not committed. A taken e-mail or ID number, an
    unknown residence or a minor without guardian is refused and nothing is written."""
    if not account.consent:
        raise consent_missing()
    if email_taken(session, account.email):
        raise EmailTaken(self_registration=True)
    city = find_city(session, identity.country_iso2, identity.city_id)
    if city is None:
        raise InvalidResidence()
    sequence = next_sequence(session, identity.country_iso2.upper())
    user = User(
        code=format_code(identity.country_iso2, identity.gender, sequence, city.code),
        email=account.email.strip(),
        capabilities=[Capability.TALENT.value],
        language=account.language if account.language in {"fr", "en"} else "fr",
        first_name="",
        last_name="",
        session_version=1,
    )
    set_password(user, account.password, passwords)
    user.profile = TalentProfile(consent_at=utcnow(), visibility=Visibility.HIDDEN.value)
    casting = CastingProfile(visibility="staff", registration_step=steps.REGISTRATION_STEPS[0])
    casting.talent_profile = user.profile  # the backref: user.profile.casting
    session.add(user)
    try:
        save_identity(session, user, casting, identity, today=today)
        steps.advance(casting, "identity")
        session.flush()
    except IntegrityError:  # the same e-mail a split second later
        session.rollback()
        raise EmailTaken(self_registration=True) from None
    except Refused:
        session.rollback()
        raise
    return user


def add_casting_profile(session: Session, user: User) -> CastingProfile:
    """Give an existing talent account its casting profile (at step "identity"). Its data are
    read where they are kept, never copied: the step pages show them prefilled. An account
    that has one already gets it back unchanged."""
    if not can_have_casting_profile(user):
        raise Refused(None, _("Seul un compte talent peut avoir un profil casting."), status=403)
    existing = casting_of(user)
    if existing is not None:
        return existing
    if user.profile is None:  # a talent account without a profile yet: created hidden
        user.profile = TalentProfile(consent_at=utcnow(), visibility=Visibility.HIDDEN.value)
    casting = CastingProfile(visibility="staff", registration_step=steps.REGISTRATION_STEPS[0])
    casting.talent_profile = user.profile  # the backref: user.profile.casting
    session.add(casting)  # a backref does not cascade into the session (SQLAlchemy 2)
    session.flush()
    return casting


# -- the steps ---------------------------------------------------------------------------------


def save_step(
    session: Session,
    user: User,
    profile: CastingProfile,
    step: str,
    data: StepData,
    *,
    today: dt.date | None = None,
) -> str:
    """Save one step (not "photos": the media views own it), move the registration forward and
    complete it after the last step. Returns the step to show next, or DONE."""
    today = today or utctoday()
    if step == "identity":
        assert isinstance(data, IdentityInput)
        save_identity(session, user, profile, data, today=today)
    else:
        SAVERS[step](session, user, profile, data, today)
    following = steps.advance(profile, step)
    if following == DONE and profile.completed_at is None:
        complete_registration(session, user, profile)
    session.flush()
    return following


def save_identity(
    session: Session,
    user: User,
    profile: CastingProfile,
    data: IdentityInput,
    *,
    today: dt.date | None = None,
) -> None:
    """Names, birth, gender, residence on the account; ID document and guardian on the casting
    profile. Every problem is refused at once (``Refusals``)."""
    today = today or utctoday()
    problems: list[Refused] = []
    if data.gender not in {"M", "F", "N"}:
        problems.append(Refused("gender", _("Choisissez Femme, Homme ou Non précisé."), status=400))
    if data.date_of_birth > today or today.year - data.date_of_birth.year > OLDEST:
        problems.append(Refused("date_of_birth", _("Vérifiez la date de naissance."), status=400))
    if data.id_document_type not in v.ID_DOCUMENT_TYPES:
        problems.append(
            Refused("id_document_type", _("Choisissez le type de pièce d'identité."), status=400)
        )
    number = normalise_id_number(data.id_number)
    if not ID_NUMBER_RE.match(number):
        problems.append(
            Refused(
                "id_number",
                _("Tapez le numéro tel qu'il figure sur la pièce : lettres et chiffres."),
                status=400,
            )
        )
    elif id_number_taken(session, number, user.id):
        problems.append(IdNumberTaken())
    country = find_country(session, data.country_iso2)
    city = find_city(session, data.country_iso2, data.city_id)
    if country is None or city is None:
        problems.append(InvalidResidence())
    user.date_of_birth = data.date_of_birth  # is_minor reads it
    minor = is_minor(user, today)
    if minor:
        problems += guardian_problems(data.guardian)
    if problems:
        raise Refusals(problems)
    user.first_name, user.last_name = data.first_name.strip(), data.last_name.strip()
    user.gender = data.gender
    user.country, user.city = country, city
    profile.id_document_type = data.id_document_type
    profile.id_number = number
    if minor:
        assert data.guardian is not None  # guardian_problems refused its absence
        _set_guardian(profile, data.guardian)
        if profile.visibility == "public":  # a minor's profile is never public
            profile.visibility = "staff"
    else:  # an adult's guardian data are not kept
        profile.guardian_name = profile.guardian_relationship = None
        profile.guardian_phone = profile.guardian_email = None
        profile.guardian_consent_at = None


def id_number_taken(session: Session, number: str, user_id: int | None) -> bool:
    """Another casting profile holds `number` (normalised); every configured key's index is
    tried, so a rotation in progress does not hide a duplicate."""
    candidates = active_keyring().blind_index_candidates(number)
    query = select(CastingProfile.user_id).where(CastingProfile.id_number_index.in_(candidates))
    if user_id is not None:
        query = query.where(CastingProfile.user_id != user_id)
    return session.scalar(query.limit(1)) is not None


def guardian_problems(guardian: GuardianInput | None) -> list[Refused]:
    """What is missing for a minor: the guardian's name, relationship, phone, e-mail, consent."""
    if guardian is None:
        guardian = GuardianInput(name="", relationship="", phone="", email="", consent=False)
    problems = []
    if not guardian.name.strip():
        problems.append(
            Refused(
                "guardian_name",
                _("Moins de 18 ans : indiquez le nom d'un parent ou tuteur légal."),
                status=400,
            )
        )
    if guardian.relationship not in v.GUARDIAN_RELATIONSHIPS:
        problems.append(
            Refused("guardian_relationship", _("Choisissez le lien avec le mineur."), status=400)
        )
    if not guardian.phone:
        problems.append(
            Refused("guardian_phone", _("Indiquez le téléphone du parent ou tuteur."), status=400)
        )
    if not guardian.email:
        problems.append(
            Refused("guardian_email", _("Indiquez l'e-mail du parent ou tuteur."), status=400)
        )
    if not guardian.consent:
        problems.append(
            Refused(
                "guardian_consent",
                _("Le parent ou tuteur doit donner son accord pour inscrire un mineur."),
                status=400,
            )
        )
    return problems


def _set_guardian(profile: CastingProfile, guardian: GuardianInput) -> None:
    """The guardian's contact; the consent time is recorded when first given, and again when the
    guardian changes (a new person consents anew)."""
    name = guardian.name.strip()
    changed = name != (profile.guardian_name or "") or guardian.email != profile.guardian_email
    profile.guardian_name = name
    profile.guardian_relationship = guardian.relationship
    profile.guardian_phone = guardian.phone
    profile.guardian_email = guardian.email
    if profile.guardian_consent_at is None or changed:
        profile.guardian_consent_at = utcnow()


# -- completion and contact ----------------------------------------------------------------------


def complete_registration(session: Session, user: User, profile: CastingProfile) -> str:
    """Mark the profile complete and give it its CINEMA code (once: a code never changes),
    from the residence's country and city code and the gender. Returns the code."""
    if user.country is None or user.city is None:
        raise InvalidResidence()
    if profile.code is None:
        profile.code = allocate_cinema_code(session, user.country.iso2, user.city.code, user.gender)
    profile.registration_step = DONE
    profile.completed_at = profile.completed_at or utcnow()
    session.flush()
    return profile.code


def contact_for(
    profile: CastingProfile, user: User, today: dt.date | None = None
) -> tuple[str, str | None, str | None]:
    """(name, phone, e-mail) of whom casting staff contact about this profile: for a minor, the
    parent or guardian recorded at registration (never the child); otherwise the person.

    Values are as stored (decrypted; an unreadable one is the ``Unavailable`` marker). Callers
    showing them to anyone but the owner mask them and audit the unmasking (casting/masking)."""
    if is_minor(user, today or utctoday()):
        return profile.guardian_name or "", profile.guardian_phone, profile.guardian_email
    return user.full_name, user.phone, user.email
