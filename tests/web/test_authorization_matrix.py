"""Authorization matrix: every route of the URL map × every method × anonymous, user, presence,
recruiter and admin, against a rule declared here (STYLE #14, DESIGN "Who sees what",
"Capabilities").

The roles are accounts holding one capability each (DESIGN "Capabilities"): ``user`` holds
``talent`` (and has a talent profile), ``presence``, ``recruiter`` and ``admin`` hold theirs. The
capability, not the role name, is what the app checks (``User.can``); accounts that combine
capabilities get the union, tested where the routes are (tests/profiles/test_saved_searches.py).

How the rules are declared
--------------------------
``RULES`` maps each endpoint name to a :class:`Rule`: an access class (which status each role
gets on a GET) and the sample URL values to build it with ``url_for`` (a real talent code, a
real user id, a stored photo or CV, a skill or category id, a valid reset token, all created by
the ``samples`` fixture). The access classes are plain data:

- ``PUBLIC``: 200 for everyone;
- ``LOGGED_IN``: anonymous → 302 to ``/auth/login?next=<the page>``, every role → 200;
- ``ADMIN``: anonymous → 302 to login, ``user``, ``presence`` and ``recruiter`` → 403,
  admin → 200;
- ``RECRUITER``: anonymous → 302 to login, ``user``, ``presence`` and ``admin`` (who holds no
  recruiter capability) → 403, recruiter → 200 (saved searches);
- ``GUEST_ONLY(...)``: anonymous → 200, a logged-in role is sent to its landing page;
- one-off classes built with :func:`access` where a route answers differently (the home page
  sends logged-in people to their space, the printable card needs a talent profile, a CV is
  "not found" for anyone but its owner and admins).

Every endpoint is listed by name, admin ones included. The admin blueprint is guarded as a
whole (``talento.admin.blueprint.require_admin``), so a new admin route is protected even
before it is listed; the test still requires the listing so that adding a route is a conscious
decision (and gives the matrix the sample values to reach the route for real rather than a 404).
``test_every_route_has_a_declared_rule`` fails on a route without a rule, on a rule whose
endpoint no longer exists, on a method other than GET/POST, and on an ``admin.*`` endpoint
declared with anything but ``ADMIN``.

How POSTs are checked without changing anything
-----------------------------------------------
CSRF protection (Flask-WTF, app-wide) runs before any view and before blueprint guards. So:

- a role *allowed* on the route sends a POST **without** a CSRF token and must get 400: the
  route is reachable and protected, and nothing is performed (no deletion, no role change);
- a role *refused* on the route sends a POST **with** a valid CSRF token of its own session
  and must get exactly the refusal of its GET (302 to login, 403, …): the access rule, not
  CSRF, is what stops it. It also sends one without a token, which must be refused too.

A tokenless POST from a refused role therefore gets 400 from CSRF before the admin guard or
``login_required`` can answer 403/302; that is still a refusal, and the POST *with* a token
proves the guard itself.

One test per role loops over all routes with one client logged in as that role, and reports
every mismatch at once.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import url_for
from PIL import Image
from sqlalchemy import select

from talento.accounts import email_change, sign_in_link, verification
from talento.accounts.reset import make_token
from talento.profiles import contact_reports
from talento.profiles.models import SavedSearch, Skill, SkillCategory
from talento.profiles.uploads import store_cv, store_photo
from tests.helpers import _csrf_from, login, make_settings

ANONYMOUS, USER, PRESENCE, RECRUITER_ROLE, CASTING_ROLE, ADMIN_ROLE, MEMBER = (
    "anonymous",
    "user",
    "presence",
    "recruiter",
    "casting",
    "admin",
    "member",
)
ROLES = (ANONYMOUS, USER, PRESENCE, RECRUITER_ROLE, CASTING_ROLE, ADMIN_ROLE, MEMBER)
#: The capabilities of each role's account. ``member`` holds none: it is a production
#: company's own staff account (a ``company_members`` row of the sample company), which sees
#: that company's projects (talento/projects/access.py).
CAPABILITIES = {
    MEMBER: [],
    USER: ["talent"],
    PRESENCE: ["presence"],
    RECRUITER_ROLE: ["recruiter"],
    CASTING_ROLE: ["casting"],
    ADMIN_ROLE: ["admin"],
}
CHECKED_METHODS = frozenset({"GET", "POST"})
IGNORED_METHODS = frozenset({"HEAD", "OPTIONS"})
LOGIN_PATH = "/auth/login"
PROFILE_PATH = "/profile"
DASHBOARD_PATH = "/admin"
#: Where a casting account without a talent profile lands (accounts.views._landing): the
#: casting search.
CASTING_LANDING = "/cinema/talents"
#: Where a production company's own staff account (no capability) lands: its projects.
PROJECTS_PATH = "/projects"

PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    b"trailer\n<< /Root 1 0 R >>\nstartxref\n0\n%%EOF\n"
)


# -- expectations ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    """What one role gets on a GET: a status, the path a redirect points to, and whether the
    answer is a refusal (the route is not for this role)."""

    status: int
    location: str | None = None
    refused: bool = False

    def __str__(self) -> str:
        return f"{self.status} → {self.location}" if self.location else str(self.status)


OK = Expect(200)
LOGIN = Expect(302, LOGIN_PATH, refused=True)
FORBIDDEN = Expect(403, refused=True)
HIDDEN = Expect(404, refused=True)  # "not found", the same as for something that does not exist
CSRF_REJECTED = Expect(400)


def redirect_to(path: str, refused: bool = False) -> Expect:
    return Expect(302, path, refused=refused)


@dataclass(frozen=True)
class Access:
    name: str
    get: dict[str, Expect]


def access(name: str, **by_role: Expect) -> Access:
    """An access class. A company member is an account without a capability: where a class
    does not name ``member``, it gets what the presence account (another staff account without
    a talent profile) gets."""
    if "member" not in by_role and "presence" in by_role:
        by_role["member"] = by_role["presence"]
    missing = set(ROLES) - set(by_role)
    assert not missing, f"access class {name} says nothing for {sorted(missing)}"
    return Access(name, dict(by_role))


PUBLIC = access("PUBLIC", anonymous=OK, user=OK, presence=OK, recruiter=OK, casting=OK, admin=OK)
LOGGED_IN = access(
    "LOGGED_IN", anonymous=LOGIN, user=OK, presence=OK, recruiter=OK, casting=OK, admin=OK
)
ADMIN = access(
    "ADMIN",
    anonymous=LOGIN,
    user=FORBIDDEN,
    presence=FORBIDDEN,
    recruiter=FORBIDDEN,
    casting=FORBIDDEN,
    admin=OK,
)
RECRUITER = access(
    "RECRUITER",
    anonymous=LOGIN,
    user=FORBIDDEN,
    presence=FORBIDDEN,
    recruiter=OK,
    casting=FORBIDDEN,
    admin=FORBIDDEN,
)
#: CINEMA casting staff (DESIGN "Capabilities"): casting search, comp cards of anyone, masked
#: contact data. Admins hold every casting right; a recruiter alone does not.
CASTING = access(
    "CASTING",
    anonymous=LOGIN,
    user=FORBIDDEN,
    presence=FORBIDDEN,
    recruiter=FORBIDDEN,
    casting=OK,
    admin=OK,
)
#: A project's badges and talent list (issue 14): casting staff and admins, the members of
#: its company and the presence account assigned to it; a talent or a recruiter gets the 404
#: of a project that does not exist.
PROJECT_PRINTS = access(
    "PROJECT_PRINTS",
    anonymous=LOGIN,
    user=HIDDEN,
    presence=OK,
    recruiter=HIDDEN,
    casting=OK,
    admin=OK,
    member=OK,
)
#: Attendance payroll (issue 15 point 6): a project's payroll exports, a role's day sheet PDF
#: and a talent's attendance history: casting staff and admins, the members of the project's
#: company (read-only) and the presence account assigned to it (its days only); a talent or a
#: recruiter gets the 404 of a project that does not exist.
ATTENDANCE_READERS = access(
    "ATTENDANCE_READERS",
    anonymous=LOGIN,
    user=HIDDEN,
    presence=OK,
    recruiter=HIDDEN,
    casting=OK,
    admin=OK,
    member=OK,
)
#: Signing off a role's day sheet at wrap: casting staff, admins and the presence account
#: assigned to the day; the company's members read the sheet but do not sign it (403).
DAY_SHEET_SIGNERS = access(
    "DAY_SHEET_SIGNERS",
    anonymous=LOGIN,
    user=HIDDEN,
    presence=OK,
    recruiter=HIDDEN,
    casting=OK,
    admin=OK,
    member=FORBIDDEN,
)
#: A casting photo of a profile shown to casting staff only (the default visibility): anyone
#: else gets the 404 of a name that does not exist.
STAFF_ONLY_MEDIA = access(
    "STAFF_ONLY_MEDIA",
    anonymous=HIDDEN,
    user=HIDDEN,
    presence=HIDDEN,
    recruiter=HIDDEN,
    casting=OK,
    admin=OK,
)
#: The casting media panel of one's own casting profile (the registration's photos step, the
#: media page and their forms): its owner (the matrix's user has the public sample casting
#: profile) opens them; a signed-in account without a casting profile is sent to
#: /cinema/register, where one starts. More in tests/casting/.
OWN_CASTING_MEDIA = access(
    "OWN_CASTING_MEDIA",
    anonymous=LOGIN,
    user=OK,
    presence=redirect_to("/cinema/register", refused=True),
    recruiter=redirect_to("/cinema/register", refused=True),
    casting=redirect_to("/cinema/register", refused=True),
    admin=redirect_to("/cinema/register", refused=True),
)
#: The photo of a talent's identity document: admins only (audited); its owner too
#: (tests/casting/test_media_files.py); anyone else, casting staff included, gets a 404.
ID_DOCUMENT_PHOTO = access(
    "ID_DOCUMENT_PHOTO",
    anonymous=HIDDEN,
    user=HIDDEN,
    presence=HIDDEN,
    recruiter=HIDDEN,
    casting=HIDDEN,
    admin=OK,
)
#: The re-entry page after a key adoption: people with nothing lost go on to their profile.
NOTHING_LOST = access(
    "NOTHING_LOST",
    anonymous=LOGIN,
    user=redirect_to(PROFILE_PATH),
    presence=redirect_to(PROFILE_PATH),
    recruiter=redirect_to(PROFILE_PATH),
    casting=redirect_to(PROFILE_PATH),
    admin=redirect_to(PROFILE_PATH),
)


CINEMA_ME_PATH = "/cinema/me"
#: The casting registration's first page (and ``/cinema/register``, which resumes): visitors
#: register there; the matrix's talent has a complete casting profile (the public sample), so
#: the page is its edit page; staff accounts have none and go to « Mon profil casting ».
CASTING_REGISTRATION = access(
    "CASTING_REGISTRATION",
    anonymous=OK,
    user=OK,
    presence=redirect_to(CINEMA_ME_PATH, refused=True),
    recruiter=redirect_to(CINEMA_ME_PATH, refused=True),
    casting=redirect_to(CINEMA_ME_PATH, refused=True),
    admin=redirect_to(CINEMA_ME_PATH, refused=True),
)
#: ``/cinema/register`` resumes a registration: visitors go to its first page.
CASTING_RESUME = access(
    "CASTING_RESUME",
    anonymous=redirect_to("/cinema/register/identity"),
    user=redirect_to(CINEMA_ME_PATH),
    presence=redirect_to(CINEMA_ME_PATH),
    recruiter=redirect_to(CINEMA_ME_PATH),
    casting=redirect_to(CINEMA_ME_PATH),
    admin=redirect_to(CINEMA_ME_PATH),
)
#: « Créer mon profil casting »: a talent account only (staff accounts get 403).
OWN_CASTING_CREATE = access(
    "OWN_CASTING_CREATE",
    anonymous=LOGIN,
    user=OK,
    presence=FORBIDDEN,
    recruiter=FORBIDDEN,
    casting=FORBIDDEN,
    admin=FORBIDDEN,
)

#: A booking's page (issue 14): casting staff and admins (who manage it), the project's company
#: members and assigned presence accounts (read-only); anyone else signed in gets the 404 of
#: a booking that does not exist (talents see their own in « Mes engagements »).
PROJECT_READERS = access(
    "PROJECT_READERS",
    anonymous=LOGIN,
    user=HIDDEN,
    presence=OK,
    recruiter=HIDDEN,
    casting=OK,
    admin=OK,
    member=OK,
)
#: « Mes engagements » (/cinema/me/bookings): the signed-in talent's own bookings and
#: availability requests; an account without a casting profile (staff, members) has none and
#: is sent to « Mon profil casting ».
OWN_BOOKINGS = access(
    "OWN_BOOKINGS",
    anonymous=LOGIN,
    user=OK,
    presence=redirect_to(CINEMA_ME_PATH, refused=True),
    recruiter=redirect_to(CINEMA_ME_PATH, refused=True),
    casting=redirect_to(CINEMA_ME_PATH, refused=True),
    admin=redirect_to(CINEMA_ME_PATH, refused=True),
)


def GUEST_ONLY(
    admin_landing: str, casting_landing: str = PROFILE_PATH, member_landing: str = PROFILE_PATH
) -> Access:
    """A page for people who are not logged in (login, registration). The login pages send
    each account to its landing page (accounts.views._landing); the registration sends
    everyone to their profile."""
    return access(
        f"GUEST_ONLY(admin → {admin_landing})",
        anonymous=OK,
        user=redirect_to(PROFILE_PATH, refused=True),
        presence=redirect_to(PROFILE_PATH, refused=True),
        recruiter=redirect_to(PROFILE_PATH, refused=True),
        casting=redirect_to(casting_landing, refused=True),
        admin=redirect_to(admin_landing, refused=True),
        member=redirect_to(member_landing, refused=True),
    )


#: The home page: a landing page for visitors, a redirect to their space for everyone else.
HOME = access(
    "HOME",
    anonymous=OK,
    user=redirect_to(PROFILE_PATH),
    presence=redirect_to(PROFILE_PATH),
    recruiter=redirect_to(PROFILE_PATH),
    casting=redirect_to(CASTING_LANDING),
    admin=redirect_to(DASHBOARD_PATH),
    member=redirect_to(PROJECTS_PATH),
)
#: The home page's search box: its text becomes the directory's filters, for anyone.
TO_DIRECTORY = access(
    "TO_DIRECTORY",
    anonymous=redirect_to("/talents"),
    user=redirect_to("/talents"),
    presence=redirect_to("/talents"),
    recruiter=redirect_to("/talents"),
    casting=redirect_to("/talents"),
    admin=redirect_to("/talents"),
)
#: The printable card of one's own talent profile: staff and recruiter accounts have none and
#: are sent to their space.
OWN_CARD = access(
    "OWN_CARD",
    anonymous=LOGIN,
    user=OK,
    presence=redirect_to(PROFILE_PATH),
    recruiter=redirect_to(PROFILE_PATH),
    casting=redirect_to(PROFILE_PATH),
    admin=redirect_to(PROFILE_PATH),
)
#: Another talent's CV: its owner and admins only; anyone else gets the 404 of a missing name.
#: (The matrix's CV belongs to a third talent; the owner's own access is in test_idor.py.)
OTHERS_CV = access(
    "OTHERS_CV",
    anonymous=LOGIN,
    user=HIDDEN,
    presence=HIDDEN,
    recruiter=HIDDEN,
    casting=HIDDEN,
    admin=OK,
)
#: Pages of one's own talent profile (« Ma visibilité »): staff accounts have none and are sent
#: to their space.
OWN_TALENT_PAGE = access(
    "OWN_TALENT_PAGE",
    anonymous=LOGIN,
    user=OK,
    presence=redirect_to(PROFILE_PATH),
    recruiter=redirect_to(PROFILE_PATH),
    casting=redirect_to(PROFILE_PATH),
    admin=redirect_to(PROFILE_PATH),
)
#: Pages for accounts with two-factor authentication on (disable it, new recovery codes): the
#: matrix's accounts have none and are sent back to the account security page.
TWO_FACTOR_ON = access(
    "TWO_FACTOR_ON",
    anonymous=LOGIN,
    user=redirect_to("/account/2fa"),
    presence=redirect_to("/account/2fa"),
    recruiter=redirect_to("/account/2fa"),
    casting=redirect_to("/account/2fa"),
    admin=redirect_to("/account/2fa"),
)


#: Productions (issue 14): the « Projets » pages (the projects list, the companies list) are
#: for casting staff, admins, company members and presence accounts, each seeing only theirs;
#: a talent or a recruiter gets 403.
PROJECTS_AREA = access(
    "PROJECTS_AREA",
    anonymous=LOGIN,
    user=FORBIDDEN,
    presence=OK,
    recruiter=FORBIDDEN,
    casting=OK,
    admin=OK,
    member=OK,
)
#: A project's page and its roles' pages: casting staff, admins, the company's members and the
#: presence accounts assigned to it (the sample's); anyone else gets the 404 of a project that
#: does not exist.
PROJECT_PAGE = access(
    "PROJECT_PAGE",
    anonymous=LOGIN,
    user=HIDDEN,
    presence=OK,
    recruiter=HIDDEN,
    casting=OK,
    admin=OK,
    member=OK,
)
#: On-set attendance (issue 15): the scanner of a project's day and its roster are for whoever
#: scans: casting staff, admins and the presence account assigned to the day (the sample's is
#: assigned every day); a talent, a recruiter or a company member (who reads the day page but
#: does not scan) gets 403.
SCANNING = access(
    "SCANNING",
    anonymous=LOGIN,
    user=FORBIDDEN,
    presence=OK,
    recruiter=FORBIDDEN,
    casting=OK,
    admin=OK,
    member=FORBIDDEN,
)
#: A company's page: casting staff, admins and its members (read-only); anyone else a 404.
COMPANY_PAGE = access(
    "COMPANY_PAGE",
    anonymous=LOGIN,
    user=HIDDEN,
    presence=HIDDEN,
    recruiter=HIDDEN,
    casting=OK,
    admin=OK,
    member=OK,
)
#: A company's logo: whoever may see the company; anyone else the 404 of a company without one.
COMPANY_LOGO = access(
    "COMPANY_LOGO",
    anonymous=HIDDEN,
    user=HIDDEN,
    presence=HIDDEN,
    recruiter=HIDDEN,
    casting=OK,
    admin=OK,
    member=OK,
)
#: « Trouver des talents » on a role: casting staff go to the casting search pre-filled.
#: The set's attendance (issue 15): the list of projects and days to scan is for casting
#: staff, admins, presence accounts and company members (read-only); a talent or a recruiter
#: gets 403 (their history is in their space).
ATTENDANCE_LIST = access(
    "ATTENDANCE_LIST",
    anonymous=LOGIN,
    user=FORBIDDEN,
    presence=OK,
    recruiter=FORBIDDEN,
    casting=OK,
    admin=OK,
    member=OK,
)
#: Recording on a day (a scan, a sync, a group action): casting staff, admins and the presence
#: account assigned to the day; the company's members only read (403); anyone else gets the
#: 404 of a project that does not exist.
ATTENDANCE_RECORDERS = access(
    "ATTENDANCE_RECORDERS",
    anonymous=LOGIN,
    user=HIDDEN,
    presence=OK,
    recruiter=HIDDEN,
    casting=OK,
    admin=OK,
    member=FORBIDDEN,
)
ROLE_FIND = access(
    "ROLE_FIND",
    anonymous=LOGIN,
    user=FORBIDDEN,
    presence=FORBIDDEN,
    recruiter=FORBIDDEN,
    casting=redirect_to(CASTING_LANDING),
    admin=redirect_to(CASTING_LANDING),
)


# -- the rules --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Samples:
    """Real rows and files the URLs point at."""

    talent_code: str
    other_id: int
    photo_name: str
    cv_name: str
    skill_id: int
    category_id: int
    reset_token: str
    emails: dict[str, str] = field(default_factory=dict)
    sign_in_token: str = ""
    report_token: str = ""
    verify_token: str = ""
    email_change_token: str = ""
    saved_search_id: int = 0
    casting_photo_name: str = ""
    casting_thumb_name: str = ""
    casting_photo_id: int = 0
    casting_voice_name: str = ""
    casting_staff_code: str = "MACAS0001M"  # the other talent's, shown to casting staff only
    casting_public_code: str = "MACAS0002F"  # matrix-user's, with a public casting page
    # Productions (issue 14): the member's company, its project (the presence account is
    # assigned to it), a role whose shortlist holds the other talent, a review link, an
    # availability request and a booking of that talent, and their signed link tokens.
    company_id: int = 0
    project_id: int = 0
    role_id: int = 0
    entry_id: int = 0
    note_id: int = 0
    review_link_id: int = 0
    review_token: str = ""
    availability_id: int = 0
    availability_token: str = ""
    booking_id: int = 0
    booking_token: str = ""


@dataclass(frozen=True)
class Rule:
    access: Access
    values: Callable[[Samples], dict] = lambda s: {}


def _code(s: Samples) -> dict:
    return {"code": s.talent_code}


def _other_user(s: Samples) -> dict:
    return {"user_id": s.other_id}


def _skill(s: Samples) -> dict:
    return {"skill_id": s.skill_id}


def _category(s: Samples) -> dict:
    return {"category_id": s.category_id}


def _photo(s: Samples) -> dict:
    return {"name": s.photo_name}


def _role(s: Samples) -> dict:
    return {"role_id": s.role_id}


def _entry(s: Samples) -> dict:
    return {"entry_id": s.entry_id}


def _legal_page(s: Samples) -> dict:
    return {"slug": "confidentialite"}


def _company(s: Samples) -> dict:
    return {"company_id": s.company_id}


def _project(s: Samples) -> dict:
    return {"project_id": s.project_id}


def _role(s: Samples) -> dict:
    return {"role_id": s.role_id}


#: The sample booking's day (samples: booking_id is booked on it).
ATTENDANCE_DAY = "2027-03-15"


def _attendance_day(s: Samples) -> dict:
    return {"project_id": s.project_id, "day": ATTENDANCE_DAY}


RULES: dict[str, Rule] = {
    # site pages, health
    "pages.home": Rule(HOME),
    "ops.healthz": Rule(PUBLIC),
    "ops.readyz": Rule(PUBLIC),
    "geo.cities": Rule(PUBLIC, lambda s: {"country": "MA"}),
    "pages.search": Rule(TO_DIRECTORY, lambda s: {"q": "Casablanca"}),
    "pages.robots": Rule(PUBLIC),
    "pages.sitemap": Rule(PUBLIC),
    "pages.sitemap_part": Rule(PUBLIC, lambda s: {"number": 1}),
    "pages.manifest": Rule(PUBLIC),
    "pages.favicon": Rule(PUBLIC),
    # legal pages (edited by admins, below)
    "legal.notice": Rule(PUBLIC),
    "legal.privacy": Rule(PUBLIC),
    "legal.terms": Rule(PUBLIC),
    "legal.cookies": Rule(PUBLIC),
    # accounts
    "auth.login": Rule(
        GUEST_ONLY(
            admin_landing=DASHBOARD_PATH,
            casting_landing=CASTING_LANDING,
            member_landing=PROJECTS_PATH,
        )
    ),
    "auth.logout": Rule(LOGGED_IN),
    # The login's second step: without a password just checked, a page saying so.
    "auth.two_factor": Rule(
        GUEST_ONLY(
            admin_landing=DASHBOARD_PATH,
            casting_landing=CASTING_LANDING,
            member_landing=PROJECTS_PATH,
        )
    ),
    "two_factor.settings": Rule(LOGGED_IN),
    "two_factor.setup": Rule(LOGGED_IN),
    "two_factor.disable": Rule(TWO_FACTOR_ON),
    "two_factor.regenerate": Rule(TWO_FACTOR_ON),
    "sessions.end_others": Rule(LOGGED_IN),
    "registration.register": Rule(GUEST_ONLY(admin_landing=PROFILE_PATH)),
    "reset.forgot": Rule(PUBLIC),
    # A reset link is a capability: whoever holds a valid token reaches its form.
    "reset.reset": Rule(PUBLIC, lambda s: {"token": s.reset_token}),
    # The link offered past an identifier's ceiling of failures: asking for it is public, and
    # a valid sign-in link shows its button to whoever holds it (like a reset link).
    "sign_in_link.request_link": Rule(PUBLIC),
    "sign_in_link.follow_link": Rule(PUBLIC, lambda s: {"token": s.sign_in_token}),
    # E-mailed links that prove an address: whoever holds a valid one reaches its page (the
    # verification itself, or the button that confirms a change of address).
    "verification.verify": Rule(PUBLIC, lambda s: {"token": s.verify_token}),
    "verification.confirm_change": Rule(PUBLIC, lambda s: {"token": s.email_change_token}),
    # the talent's own space: always the logged-in account, never chosen by the URL
    "profiles.me": Rule(LOGGED_IN),
    "profiles.edit": Rule(LOGGED_IN),
    "profiles.change_password": Rule(LOGGED_IN),
    "profiles.my_data": Rule(LOGGED_IN),
    "profiles.delete": Rule(LOGGED_IN),
    "presence.visibility": Rule(OWN_TALENT_PAGE),
    "presence.resend_verification": Rule(LOGGED_IN),
    "presence.change_email": Rule(LOGGED_IN),
    "public.card": Rule(OWN_CARD),
    "lost_data.reenter": Rule(NOTHING_LOST),
    # public side of profiles
    "public.page": Rule(PUBLIC, _code),
    "public.qr_svg": Rule(PUBLIC, _code),
    "public.qr_png": Rule(PUBLIC, _code),
    # The contact relay: the form and its "sent" page for anyone, wherever the public page is
    # shown; the "report abuse" link of a relayed mail is a capability, like a reset link.
    "contact.form": Rule(PUBLIC, _code),
    "contact.sent": Rule(PUBLIC, _code),
    "contact.report": Rule(PUBLIC, lambda s: {"token": s.report_token}),
    "directory.index": Rule(PUBLIC),
    # a recruiter's saved searches (the recruiter's own: the id is theirs)
    "saved_searches.index": Rule(RECRUITER),
    "saved_searches.create": Rule(RECRUITER),
    "saved_searches.delete": Rule(RECRUITER, lambda s: {"search_id": s.saved_search_id}),
    "media.photo": Rule(PUBLIC, _photo),
    "media.photo_thumb": Rule(PUBLIC, _photo),
    "media.cv": Rule(OTHERS_CV, lambda s: {"name": s.cv_name}),
    # CINEMA: casting photos of a staff-only profile
    "casting_media.photo": Rule(STAFF_ONLY_MEDIA, lambda s: {"name": s.casting_photo_name}),
    "casting_media.thumb": Rule(STAFF_ONLY_MEDIA, lambda s: {"name": s.casting_thumb_name}),
    # CINEMA media: the voice reel like the photos, the ID photo for admins, the panel's pages
    "casting_media.voice": Rule(STAFF_ONLY_MEDIA, lambda s: {"name": s.casting_voice_name}),
    "casting_media.id_photo": Rule(ID_DOCUMENT_PHOTO, _other_user),
    "casting_media.register_photos": Rule(OWN_CASTING_MEDIA),
    "casting_media.manage": Rule(OWN_CASTING_MEDIA),
    "casting_media.upload_photo": Rule(OWN_CASTING_MEDIA),
    "casting_media.photo_action": Rule(
        OWN_CASTING_MEDIA, lambda s: {"photo_id": s.casting_photo_id}
    ),
    "casting_media.upload_voice": Rule(OWN_CASTING_MEDIA),
    "casting_media.save_showreel": Rule(OWN_CASTING_MEDIA),
    "casting_media.upload_id_photo": Rule(OWN_CASTING_MEDIA),
    # CINEMA: casting pages, their QR codes and comp cards (a public one, a staff-only one),
    # and the audited « Afficher » of contact data (casting staff and admins; its owner too
    # is refused: they see their own data in clear without it)
    "casting_public.page": Rule(PUBLIC, lambda s: {"code": s.casting_public_code}),
    "casting_public.qr_png": Rule(PUBLIC, lambda s: {"code": s.casting_public_code}),
    "casting_public.qr_svg": Rule(STAFF_ONLY_MEDIA, lambda s: {"code": s.casting_staff_code}),
    "casting_public.comp_card": Rule(STAFF_ONLY_MEDIA, lambda s: {"code": s.casting_staff_code}),
    "casting_public.reveal": Rule(CASTING, lambda s: {"code": s.casting_public_code}),
    # CINEMA: the casting registration (its first page is public, the next ones need the
    # account: see tests/casting/test_registration_validation.py) and « Mon profil casting »
    "casting_registration.start": Rule(CASTING_RESUME),
    "casting_registration.step": Rule(CASTING_REGISTRATION, lambda s: {"step": "identity"}),
    "casting_me.me": Rule(LOGGED_IN),
    "casting_me.create": Rule(OWN_CASTING_CREATE),
    # CINEMA: the casting search and its exports (casting staff and admins)
    "casting_search.talents": Rule(CASTING),
    "casting_exports.pdf": Rule(CASTING),
    "casting_exports.xlsx": Rule(CASTING),
    # Productions (issue 14): availability checks and « Engager » for the role's chosen
    # shortlist entries (casting staff), a booking's page and its cancellation; the talent's
    # answer links work for whoever holds them (signed tokens, like a reset link); the
    # talent's own « Mes engagements »
    "bookings.availability": Rule(CASTING, lambda s: {"role_id": s.role_id, "entry": s.entry_id}),
    "bookings.new_booking": Rule(CASTING, lambda s: {"role_id": s.role_id, "entry": s.entry_id}),
    "bookings.booking": Rule(PROJECT_READERS, lambda s: {"booking_id": s.booking_id}),
    "bookings.cancel": Rule(CASTING, lambda s: {"booking_id": s.booking_id}),
    "answers.availability_answer": Rule(PUBLIC, lambda s: {"token": s.availability_token}),
    "answers.booking_answer": Rule(PUBLIC, lambda s: {"token": s.booking_token}),
    "my_bookings.index": Rule(OWN_BOOKINGS),
    # On-set attendance (issue 15): the day page and a person's record are read by members too
    # (their POST, the correction form, answers 403 to them: tests/attendance); recording is
    # for casting staff, admins and assigned presence; talents see their own days in their space
    "attendance.index": Rule(ATTENDANCE_LIST),
    "attendance.day_page": Rule(PROJECT_READERS, _attendance_day),
    "attendance.scan": Rule(ATTENDANCE_RECORDERS, _attendance_day),
    "attendance.sync": Rule(ATTENDANCE_RECORDERS, _attendance_day),
    "attendance.group": Rule(ATTENDANCE_RECORDERS, _attendance_day),
    "attendance.record": Rule(
        PROJECT_READERS, lambda s: {"booking_id": s.booking_id, "day": ATTENDANCE_DAY}
    ),
    "attendance.thumb": Rule(
        PROJECT_READERS, lambda s: {"project_id": s.project_id, "name": s.casting_thumb_name}
    ),
    "my_attendance.index": Rule(OWN_BOOKINGS),
    "my_attendance.acknowledge_day": Rule(OWN_BOOKINGS),
    # Productions (issue 14): companies (casting staff manage them, admins verify them, members
    # read their own), projects and roles (casting staff manage; members and assigned presence
    # read)
    "companies.index": Rule(PROJECTS_AREA),
    "companies.new": Rule(CASTING),
    "companies.detail": Rule(COMPANY_PAGE, _company),
    "companies.edit": Rule(CASTING, _company),
    "companies.delete": Rule(CASTING, _company),
    "companies.verify": Rule(ADMIN, _company),
    "companies.members": Rule(CASTING, _company),
    "companies.remove_member": Rule(
        CASTING, lambda s: {"company_id": s.company_id, "user_id": s.other_id}
    ),
    "companies.logo": Rule(COMPANY_LOGO, _company),
    "projects.index": Rule(PROJECTS_AREA),
    "projects.new": Rule(CASTING),
    "projects.detail": Rule(PROJECT_PAGE, _project),
    "projects.edit": Rule(CASTING, _project),
    "projects.delete": Rule(CASTING, _project),
    "projects.role_new": Rule(CASTING, _project),
    "projects.role": Rule(PROJECT_PAGE, _role),
    "projects.role_edit": Rule(CASTING, _role),
    "projects.role_delete": Rule(CASTING, _role),
    "projects.role_find": Rule(ROLE_FIND, _role),
    # Productions: badges (a project's, a role's, a booking's), the talent list, and the
    # public keys that verify badge tokens (scanners download them)
    "badges.project_badges": Rule(PROJECT_PRINTS, lambda s: {"project_id": s.project_id}),
    "badges.role_badges": Rule(PROJECT_PRINTS, lambda s: {"role_id": s.role_id}),
    "badges.booking_badge": Rule(PROJECT_PRINTS, lambda s: {"booking_id": s.booking_id}),
    "badges.talent_list": Rule(PROJECT_PRINTS, lambda s: {"project_id": s.project_id}),
    "badges.keys": Rule(PUBLIC),
    # On-set attendance (issue 15 point 6): payroll exports (a day of the sample booking),
    # the role's day sheet and its sign-off, the sample talent's history on the project
    "attendance_exports.payroll_xlsx": Rule(
        ATTENDANCE_READERS,
        lambda s: {"project_id": s.project_id, "period": "day", "day": "2027-03-15"},
    ),
    "attendance_exports.payroll_csv": Rule(
        ATTENDANCE_READERS,
        lambda s: {"project_id": s.project_id, "from": "2027-03-15", "to": "2027-03-21"},
    ),
    "attendance_exports.day_sheet": Rule(
        ATTENDANCE_READERS, lambda s: {"role_id": s.role_id, "day": "2027-03-15"}
    ),
    "attendance_exports.signoff": Rule(
        DAY_SHEET_SIGNERS, lambda s: {"role_id": s.role_id, "day": "2027-03-15"}
    ),
    "attendance_exports.talent_history": Rule(
        ATTENDANCE_READERS, lambda s: {"project_id": s.project_id, "talent_id": s.other_id}
    ),
    # On-set attendance: the phone's scanner and its day roster; the scanner's manifest and
    # service worker name nobody and are public
    "scanner.page": Rule(SCANNING, lambda s: {"project_id": s.project_id, "day": "2027-03-15"}),
    "scanner.roster": Rule(SCANNING, lambda s: {"project_id": s.project_id, "day": "2027-03-15"}),
    "scanner.manifest": Rule(PUBLIC),
    "scanner.worker": Rule(PUBLIC),
    # Productions: a role's shortlist, its exports and its client review links (casting staff
    # and admins; a company member, presence and talents get 403 as on the casting search)
    "shortlists.shortlist": Rule(CASTING, _role),
    "shortlists.add": Rule(CASTING, _role),
    "shortlists.order": Rule(CASTING, _role),
    "shortlists.bulk_status": Rule(CASTING, _role),
    "shortlists.remove": Rule(CASTING, _entry),
    "shortlists.move": Rule(CASTING, _entry),
    "shortlists.status": Rule(CASTING, _entry),
    "shortlists.note": Rule(CASTING, _entry),
    "shortlists.pdf": Rule(CASTING, _role),
    "shortlists.xlsx": Rule(CASTING, _role),
    "shortlists.create_link": Rule(CASTING, _role),
    "shortlists.revoke_link": Rule(CASTING, lambda s: {"link_id": s.review_link_id}),
    # The client review page: whoever holds the signed link (no account needed), and the
    # thumbnails of its faces through it (the casting photos themselves are staff-only)
    "review.page": Rule(PUBLIC, lambda s: {"token": s.review_token}),
    "review.photo": Rule(PUBLIC, lambda s: {"token": s.review_token, "name": s.casting_thumb_name}),
    # administration (all guarded by the admin blueprint)
    "admin.dashboard": Rule(ADMIN),
    "admin.users": Rule(ADMIN),
    "admin.user_new": Rule(ADMIN),
    "admin.user_detail": Rule(ADMIN, _other_user),
    "admin.user_edit": Rule(ADMIN, _other_user),
    "admin.user_delete": Rule(ADMIN, _other_user),
    "admin.user_capabilities": Rule(ADMIN, _other_user),
    "admin.user_status": Rule(ADMIN, _other_user),
    "admin.user_send_link": Rule(ADMIN, _other_user),
    "admin.user_send_verification": Rule(ADMIN, _other_user),
    "admin.users_bulk": Rule(ADMIN),
    "admin.export_users": Rule(ADMIN),
    "admin.audit": Rule(ADMIN),
    "admin.lost_data": Rule(ADMIN),
    # CINEMA administration: casting profiles, « demander de compléter », the artist card
    "admin.cinema": Rule(ADMIN),
    "admin.cinema_request_completion": Rule(ADMIN),
    "admin.cinema_profile": Rule(ADMIN, _other_user),
    "admin.cinema_card_verify": Rule(ADMIN, _other_user),
    "admin.cinema_card_unverify": Rule(ADMIN, _other_user),
    "admin.lost_data_notify": Rule(ADMIN),
    "admin.legal_pages": Rule(ADMIN),
    "admin.legal_page_edit": Rule(ADMIN, _legal_page),
    "admin.legal_page_save": Rule(ADMIN, _legal_page),
    "admin.legal_page_restore": Rule(ADMIN, _legal_page),
    "admin.catalogs": Rule(ADMIN),
    "admin.catalog_category_create": Rule(ADMIN),
    "admin.catalog_skill_create": Rule(ADMIN),
    "admin.catalog_skill": Rule(ADMIN, _skill),
    "admin.catalog_skill_rename": Rule(ADMIN, _skill),
    "admin.catalog_skill_merge": Rule(ADMIN, _skill),
    "admin.catalog_skill_delete": Rule(ADMIN, _skill),
    "admin.catalog_category": Rule(ADMIN, _category),
    "admin.catalog_category_rename": Rule(ADMIN, _category),
    "admin.catalog_category_merge": Rule(ADMIN, _category),
    "admin.catalog_category_delete": Rule(ADMIN, _category),
}

#: Checks that fail today because of an application bug that is not an access-control hole.
#: The matrix leaves them out and ``test_known_bug`` expects them to fail (strict xfail: once
#: the bug is fixed that test fails until its entry is removed from here).
#: Served by Flask itself from talento/static (CSS, JS, fonts): public files, no rule needed.
UNCHECKED_ENDPOINTS = frozenset({"static"})


def _checked_rules(app) -> dict[str, set[str]]:
    """endpoint → methods (GET/POST…) of the app's URL map, HEAD and OPTIONS aside."""
    routes: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in UNCHECKED_ENDPOINTS:
            continue
        routes.setdefault(rule.endpoint, set()).update(rule.methods - IGNORED_METHODS)
    return routes


# -- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def settings(database_url, tmp_path_factory):
    return make_settings(database_url, upload_dir=str(tmp_path_factory.mktemp("uploads")))


@pytest.fixture
def samples(app, make_user, make_talent) -> Samples:
    from talento.accounts.models import User
    from talento.extensions import db
    from talento.ops.startup import run_startup_checks

    # Records the key canary, so /readyz answers 200. Run before any admin exists: ADMIN_PASSWORD
    # is then applied to nobody, and the admin below keeps the password it is created with.
    run_startup_checks(app, app.extensions["talento.keyring"])
    upload_dir = Path(app.extensions["talento.settings"].upload_dir)
    image = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 90, 160)).save(image, "PNG")
    photo_name = store_photo(io.BytesIO(image.getvalue()), upload_dir).name
    cv_name = store_cv(io.BytesIO(PDF), upload_dir).name

    user_id = make_talent(code="MAF0001CAS", email="matrix-user@example.org", photo_name=photo_name)
    other_id = make_talent(
        code="MAM0002CAS",
        email="matrix-other@example.org",
        gender="M",
        phone="+212612345678",
        cv_name=cv_name,
    )
    made = {
        role: make_user(
            code=code, email=f"matrix-{role}@example.org", capabilities=CAPABILITIES[role]
        )
        for code, role in (
            ("MAP0003CAS", PRESENCE),
            ("MAR0005CAS", RECRUITER_ROLE),
            ("MAC0006CAS", CASTING_ROLE),
            ("MAN0007CAS", MEMBER),
        )
    }
    make_user(
        code="MAA0004CAS", email="matrix-admin@example.org", capabilities=CAPABILITIES[ADMIN_ROLE]
    )
    with app.app_context():
        skill = db.session.scalars(select(Skill).order_by(Skill.id)).first()
        category = db.session.scalars(select(SkillCategory).order_by(SkillCategory.id)).first()
        other = db.session.get(User, other_id)
        token = make_token(app.config["SECRET_KEY"], other)
        saved = SavedSearch(user_id=made[RECRUITER_ROLE], name="Matrice", query="country=MA")
        db.session.add(saved)
        casting_photo = _casting_sample(other_id, upload_dir)
        casting_voice_name = _casting_media_sample(other_id, upload_dir)
        _casting_sample(user_id, upload_dir, code="MACAS0002F", visibility="public")
        production = _production_sample(app, made[MEMBER], made[PRESENCE], other_id)
        db.session.commit()
        values = dict(
            **production,
            saved_search_id=saved.id,
            casting_photo_name=casting_photo.name,
            casting_thumb_name=casting_photo.thumb_name,
            casting_photo_id=casting_photo.id,
            casting_voice_name=casting_voice_name,
            skill_id=skill.id,
            category_id=category.id,
            reset_token=token,
            sign_in_token=sign_in_link.make_token(app.config["SECRET_KEY"], other),
            report_token=contact_reports.report_token(app.config["SECRET_KEY"], 1, other_id),
            verify_token=verification.make_token(app.config["SECRET_KEY"], other),
            email_change_token=email_change.make_token(
                app.config["SECRET_KEY"],
                app.extensions["talento.keyring"],
                other,
                "matrix-other-new@example.org",
            ),
        )
        db.session.remove()
    return Samples(
        talent_code="MAF0001CAS",
        other_id=other_id,
        photo_name=photo_name,
        cv_name=cv_name,
        emails={
            USER: "matrix-user@example.org",
            PRESENCE: "matrix-presence@example.org",
            RECRUITER_ROLE: "matrix-recruiter@example.org",
            CASTING_ROLE: "matrix-casting@example.org",
            ADMIN_ROLE: "matrix-admin@example.org",
            MEMBER: "matrix-member@example.org",
        },
        **values,
    )


def _casting_sample(
    user_id: int, upload_dir: Path, code: str = "MACAS0001M", visibility: str = "staff"
):
    """A complete casting profile (shown to casting staff only by default), one photo on disk."""
    from talento.casting.media_views import PHOTOS_DIR, THUMBS_DIR
    from talento.casting.models import CastingPhoto, CastingProfile
    from talento.extensions import db

    letter = code[-1]  # one set of file names per sample
    photo = CastingPhoto(
        kind="headshot",
        name=("P" if letter == "M" else "Q") * 22 + ".jpg",
        thumb_name=("T" if letter == "M" else "U") * 22 + ".webp",
        is_primary=True,
    )
    for folder, name, fmt in (
        (PHOTOS_DIR, photo.name, "JPEG"),
        (THUMBS_DIR, photo.thumb_name, "WEBP"),
    ):
        (upload_dir / folder).mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (32, 40), (120, 80, 60)).save(upload_dir / folder / name, fmt)
    db.session.add(
        CastingProfile(
            user_id=user_id,
            code=code,
            visibility=visibility,
            registration_step="done",
            photos=[photo],
        )
    )
    db.session.flush()
    return photo


def _production_sample(app, member_id: int, presence_id: int, talent_id: int) -> dict:
    """A company (with the member), a project (the presence account assigned every day), a
    role shortlisting the other talent (with a team note), a review link, an availability
    request and a booking: Samples' production fields."""
    import datetime as dt

    from talento.extensions import db, utcnow
    from talento.projects import links
    from talento.projects.models import (
        AvailabilityRequest,
        Booking,
        BookingDay,
        CastingRole,
        CompanyMember,
        PresenceAssignment,
        ProductionCompany,
        Project,
        ReviewLink,
        RoleShootingDay,
        ShortlistEntry,
        ShortlistNote,
    )

    day = dt.date(2027, 3, 15)
    company = ProductionCompany(
        name="Atlas Films Matrice",
        initials="AFM",
        last_project_number=1,
        logo_name="L" * 22 + ".jpg",
    )
    logos = Path(app.extensions["talento.settings"].upload_dir) / "companies" / "logos"
    logos.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (40, 40), (200, 30, 30)).save(logos / company.logo_name, "JPEG")
    db.session.add(company)
    db.session.flush()
    db.session.add(CompanyMember(company_id=company.id, user_id=member_id))
    project = Project(
        company_id=company.id,
        number=1,
        name="Le Désert Matrice",
        start_date=day,
        end_date=day,
        last_booking_number=1,
    )
    db.session.add(project)
    db.session.flush()
    db.session.add(PresenceAssignment(project_id=project.id, user_id=presence_id))
    role = CastingRole(
        project_id=project.id,
        name="Nomades",
        talent_type="extra",
        people_needed=30,
        shooting_days=[RoleShootingDay(day=day)],
    )
    db.session.add(role)
    db.session.flush()
    entry = ShortlistEntry(role_id=role.id, talent_id=talent_id, status="shortlisted")
    db.session.add(entry)
    db.session.flush()
    note = ShortlistNote(entry_id=entry.id, visibility="team", body="Parle tachelhit.")
    link = ReviewLink(role_id=role.id, expires_at=utcnow() + dt.timedelta(days=7))
    request = AvailabilityRequest(
        entry_id=entry.id, days=[day.isoformat()], expires_at=utcnow() + dt.timedelta(days=7)
    )
    booking = Booking(
        code="CCAFM0010001",
        project_id=project.id,
        role_id=role.id,
        talent_id=talent_id,
        booked_days=[BookingDay(day=day)],
    )
    db.session.add_all([note, link, request, booking])
    db.session.flush()
    secret = app.config["SECRET_KEY"]
    return dict(
        company_id=company.id,
        project_id=project.id,
        role_id=role.id,
        entry_id=entry.id,
        note_id=note.id,
        review_link_id=link.id,
        review_token=links.make_token(secret, "review", link.id),
        availability_id=request.id,
        availability_token=links.make_token(secret, "availability", request.id),
        booking_id=booking.id,
        booking_token=links.make_token(secret, "booking", booking.id),
    )


def _casting_media_sample(user_id: int, upload_dir: Path) -> str:
    """The sample casting profile's ID photo and voice reel, on disk; returns the reel's name."""
    from talento.casting.media_files import ID_DIR, VOICE_DIR
    from talento.casting.models import CastingProfile
    from talento.extensions import db

    profile = db.session.get(CastingProfile, user_id)
    profile.id_photo_name, profile.voice_reel_name = "I" * 22 + ".jpg", "V" * 22 + ".ogg"
    (upload_dir / ID_DIR).mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (40, 30), (90, 90, 90)).save(upload_dir / ID_DIR / profile.id_photo_name)
    (upload_dir / VOICE_DIR).mkdir(parents=True, exist_ok=True)
    (upload_dir / VOICE_DIR / profile.voice_reel_name).write_bytes(b"OggS\0")
    db.session.flush()
    return profile.voice_reel_name


def _client_as(app, samples: Samples, role: str):
    client = app.test_client()
    if role != ANONYMOUS:
        response = login(client, samples.emails[role])
        assert response.status_code == 302, f"cannot log in as {role}"
    return client


def _csrf_token(client) -> str:
    """A valid CSRF token of this client's session (/auth/forgot has a form for everyone)."""
    return _csrf_from(client.get("/auth/forgot").get_data(as_text=True))


# -- checking one request ---------------------------------------------------------------------


def _mismatch(response, expect: Expect, url: str) -> str | None:
    """None when `response` is what `expect` says, else a description of the difference."""
    if response.status_code != expect.status:
        where = f" → {response.location}" if response.location else ""
        return f"got {response.status_code}{where}, expected {expect}"
    if expect.location is not None:
        target = urlsplit(response.location or "")
        if target.netloc not in ("", "localhost") or target.path != expect.location:
            return f"redirects to {response.location}, expected {expect.location}"
        if expect.location == LOGIN_PATH:  # the login page brings the person back afterwards
            back = parse_qs(target.query).get("next", [""])[0]
            if urlsplit(back).path != urlsplit(url).path:
                return f"login redirect next={back!r}, expected {urlsplit(url).path}"
    return None


def _expectations(method: str, expect: Expect) -> list[tuple[str, bool, Expect | None]]:
    """(label, send a CSRF token?, expectation) of the requests sent for one method.
    An expectation of None means "any refusal": 400 (CSRF) or the rule's own refusal."""
    if method == "GET":
        return [("GET", False, expect)]
    if expect.refused:
        return [("POST+csrf", True, expect), ("POST", False, None)]
    return [("POST", False, CSRF_REJECTED)]


def run_matrix(app, samples: Samples, role: str, rules: dict[str, Rule] = RULES, only=None):
    """Every (route, method) of the URL map as `role` (or those of `only`).
    Returns the client, the number of requests sent and the failures."""
    client = _client_as(app, samples, role)
    token = _csrf_token(client)
    checks, failures = 0, []
    for endpoint, methods in sorted(_checked_rules(app).items()):
        if only is not None and endpoint not in only:
            continue
        rule = rules.get(endpoint)
        if rule is None:
            failures.append(f"{endpoint}: no access rule declared")
            continue
        with app.test_request_context():
            url = url_for(endpoint, **rule.values(samples))
        expect = rule.access.get[role]
        for method in sorted(methods):
            for label, with_token, wanted in _expectations(method, expect):
                data = {"csrf_token": token} if with_token else {}
                response = client.open(url, method=method, data=data if method == "POST" else None)
                checks += 1
                if wanted is None:
                    refusals = {400, expect.status}
                    problem = (
                        None
                        if response.status_code in refusals
                        else f"got {response.status_code}, expected a refusal {sorted(refusals)}"
                    )
                else:
                    problem = _mismatch(response, wanted, url)
                if problem:
                    failures.append(
                        f"{role:9} {label:9} {url} ({endpoint}, {rule.access.name}): {problem}"
                    )
    return client, checks, failures


def rule_problems(app, rules: dict[str, Rule] = RULES) -> list[str]:
    """What keeps the declared rules from covering the URL map exactly."""
    routes = _checked_rules(app)
    problems = []
    undeclared = sorted(set(routes) - set(rules))
    if undeclared:
        problems.append(
            f"routes without an access rule: {undeclared}. Add each one to RULES in {__name__} "
            "with the access class it must have (and sample URL values)."
        )
    stale = sorted(set(rules) - set(routes))
    if stale:
        problems.append(f"RULES declares endpoints that no longer exist: {stale}")
    unknown = {e: sorted(m - CHECKED_METHODS) for e, m in routes.items() if m - CHECKED_METHODS}
    if unknown:
        problems.append(f"methods the matrix does not know how to check: {unknown}")
    not_admin = sorted(
        e for e in routes if e.startswith("admin.") and e in rules and rules[e].access is not ADMIN
    )
    if not_admin:
        problems.append(f"admin endpoints must be declared ADMIN: {not_admin}")
    return problems


# -- the tests --------------------------------------------------------------------------------


def test_every_route_has_a_declared_rule(app):
    problems = rule_problems(app)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", ROLES)
def test_access_matrix(app, samples, role):
    client, checks, failures = run_matrix(app, samples, role)
    assert not failures, f"{len(failures)} of {checks} checks failed:\n" + "\n".join(failures)
    # Refused POSTs carried a valid CSRF token: none of them acted (no logout, no deletion,
    # no role change), so the session is still that of the role and every account is intact.
    assert client.get(PROFILE_PATH).status_code == (302 if role == ANONYMOUS else 200)
    from talento.accounts.models import User
    from talento.extensions import db

    with app.app_context():
        accounts = {u.email: u.capabilities for u in db.session.scalars(select(User))}
        db.session.remove()
    assert accounts == {
        "matrix-user@example.org": {"talent"},
        "matrix-other@example.org": {"talent"},
        "matrix-presence@example.org": {"presence"},
        "matrix-recruiter@example.org": {"recruiter"},
        "matrix-casting@example.org": {"casting"},
        "matrix-admin@example.org": {"admin"},
        "matrix-member@example.org": set(),
    }


def test_the_matrix_catches_a_new_route_and_a_wrong_rule(app, samples):
    """The safety net itself: an undeclared route is reported, and a route that does not
    behave as declared (here: declared LOGGED_IN, actually open to anyone) fails."""
    app.add_url_rule("/matrix-self-test", "matrix_self_test", lambda: "open to all")
    assert any("matrix_self_test" in problem for problem in rule_problems(app))

    rules = {**RULES, "matrix_self_test": Rule(LOGGED_IN)}
    assert not rule_problems(app, rules)
    _client, checks, failures = run_matrix(
        app, samples, ANONYMOUS, rules, only={"matrix_self_test"}
    )
    assert checks == 1
    assert len(failures) == 1
    assert "got 200, expected 302 → /auth/login" in failures[0]
