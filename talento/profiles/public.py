"""The public side of a profile: an explicit allowlist of what anyone may see (STYLE #12).

:func:`public_profile` is the only way the public page, its QR codes and the printable card read
a profile. It returns a frozen :class:`PublicProfile` holding exactly the fields listed there —
name, photo file name, skills, city, country, bio, code, availability, spoken languages with
their level, years of experience, work mode, the daily rate when given (MAD) and the links the
talent chose to show.
A new column on User or TalentProfile therefore never reaches a public page by accident; adding
one here means updating the snapshot test in ``tests/profiles/test_public.py``.

Never here: phone, WhatsApp, address, e-mail, date of birth, identity numbers, CV.

Decisions:
- Only active accounts that have a talent profile, a verified e-mail address and the visibility
  « public » or « link » are public; anything else is "not found", exactly like an unknown code
  (no way to tell a deactivated, hidden or unverified talent from a typo), except for the
  talent themself and admins, who see the page with the reason others do not
  (:func:`public_page`).
- Codes are stored upper-case; the lookup upper-cases its input, so ``/p/maf0001cas`` works.
- Links are limited to the known kinds (`choices.LINK_KINDS`), in the talent's order, and are
  decrypted only when the talent made at least one public; an unreadable (wrong key)
  or malformed ``links`` value yields no links rather than an error.
"""

from __future__ import annotations

import enum
import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from talento.accounts.models import User
from talento.crypto import is_unavailable
from talento.profiles.choices import LINK_KINDS
from talento.profiles.languages import spoken
from talento.profiles.models import TalentProfile, Visibility

#: Codes are 10 characters (PPGNNNNVVV); a little slack, but nothing that is not alphanumeric.
_CODE_RE = re.compile(r"[A-Za-z0-9]{1,16}")
#: Stored upload names are generated tokens; anything else is never turned into a path or URL.
_SAFE_FILE_NAME_RE = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,79}")
_WEB_SCHEMES = frozenset({"http", "https"})


@dataclass(frozen=True)
class PublicLink:
    kind: str
    url: str

    @property
    def href(self) -> str | None:
        """The URL when it is safe to render as a link (http/https with a host), else None."""
        try:
            parts = urlsplit(self.url)
        except ValueError:
            return None
        if parts.scheme.lower() in _WEB_SCHEMES and parts.netloc:
            return self.url
        return None


@dataclass(frozen=True)
class PublicLanguage:
    code: str
    name: str  # in the current UI language
    level: str  # LanguageLevel value
    level_label: str


@dataclass(frozen=True)
class PublicProfile:
    """Everything a public page may show. Nothing else about a talent leaves through it."""

    code: str
    first_name: str
    last_name: str
    photo: str | None
    skills: tuple[str, ...]
    city: str | None
    country: str | None
    bio: str | None
    links: tuple[PublicLink, ...]
    # Defaults: what a new profile holds (the card and tests build one by hand).
    availability: str = "immediate"
    languages: tuple[PublicLanguage, ...] = ()  # best level first
    years_experience: int | None = None
    work_mode: str = "flexible"
    rate_min: int | None = None  # MAD a day
    rate_max: int | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


def normalise_code(code: str) -> str | None:
    """The stored (upper-case) form of a code typed or scanned in any case; None if malformed."""
    code = (code or "").strip()
    return code.upper() if _CODE_RE.fullmatch(code) else None


def safe_file_name(name: str | None) -> str | None:
    """`name` if it is a plain upload file name (no path, no leading dot), else None."""
    if name and _SAFE_FILE_NAME_RE.fullmatch(name) and ".." not in name:
        return name
    return None


class Withheld(enum.StrEnum):
    """Why a page is not shown to the public (its owner and admins still see it, with a
    notice saying why)."""

    UNVERIFIED = "unverified"
    HIDDEN = "hidden"


@dataclass(frozen=True)
class PublicPage:
    """A public page as one viewer may see it: `withheld` says why nobody else does (None: it is
    public), `listed` whether the talent is also in the directory (else: not to be indexed),
    `contactable` whether the page offers the contact relay (shown to all, contact on)."""

    profile: PublicProfile
    withheld: Withheld | None
    listed: bool
    contactable: bool = False


def public_profile(session: Session, code: str, lang: str = "fr") -> PublicProfile | None:
    """The public view of the talent whose code is `code` (any case), when anyone may see it:
    an active account with a verified address whose visibility is public or link; else None."""
    page = public_page(session, code, lang)
    return page.profile if page is not None else None


def public_page(
    session: Session,
    code: str,
    lang: str = "fr",
    *,
    viewer_id: int | None = None,
    viewer_is_admin: bool = False,
) -> PublicPage | None:
    """The page of the talent whose code is `code`, as the viewer may see it, or None.

    A page withheld from the public (address not verified, visibility « hidden ») is None,
    exactly like an unknown code, for everyone but its owner (`viewer_id`) and admins."""
    stored = normalise_code(code)
    if stored is None:
        return None
    profile = session.scalars(
        select(TalentProfile)
        .join(User, User.id == TalentProfile.user_id)
        .where(User.code == stored, User.is_active_account.is_(True))
        .options(joinedload(TalentProfile.user))
    ).one_or_none()
    if profile is None:
        return None
    user = profile.user
    withheld = None
    if profile.visibility not in (Visibility.PUBLIC.value, Visibility.LINK.value):
        withheld = Withheld.HIDDEN  # the talent's own choice first: verifying will not show it
    elif user.email_verified_at is None:
        withheld = Withheld.UNVERIFIED
    if withheld is not None and not (viewer_is_admin or viewer_id == user.id):
        return None
    listed = withheld is None and profile.visibility == Visibility.PUBLIC.value
    contactable = withheld is None and profile.contact_enabled
    return PublicPage(_public_view(profile, lang), withheld, listed, contactable)


def _public_view(profile: TalentProfile, lang: str) -> PublicProfile:
    user = profile.user
    skills = sorted((skill.name(lang) for skill in profile.skills), key=str.casefold)
    return PublicProfile(
        code=user.code,
        first_name=user.first_name,
        last_name=user.last_name,
        photo=safe_file_name(profile.photo_name),
        skills=tuple(skills),
        city=user.city.name if user.city else None,
        country=user.country.name(lang) if user.country else None,
        bio=(profile.bio or "").strip() or None,
        links=_public_links(profile),
        availability=profile.availability,
        languages=tuple(
            PublicLanguage(*entry)
            for entry in spoken((lang.code, lang.level) for lang in profile.languages)
        ),
        years_experience=profile.years_experience,
        work_mode=profile.work_mode,
        rate_min=profile.rate_min,
        rate_max=profile.rate_max,
    )


def _public_links(profile: TalentProfile) -> tuple[PublicLink, ...]:
    kinds = [kind.strip() for kind in (profile.public_links or "").split(",") if kind.strip()]
    if not kinds:
        return ()  # nothing public: do not even decrypt
    raw = profile.links
    if not raw or is_unavailable(raw):
        return ()
    try:
        links = json.loads(raw)
    except ValueError:
        return ()
    if not isinstance(links, dict):
        return ()
    chosen: list[PublicLink] = []
    for kind in dict.fromkeys(kinds):
        if kind not in LINK_KINDS:  # a closed vocabulary: nothing unexpected is published
            continue
        url = links.get(kind)
        if isinstance(url, str) and url.strip():
            chosen.append(PublicLink(kind=kind, url=url.strip()))
    return tuple(chosen)
