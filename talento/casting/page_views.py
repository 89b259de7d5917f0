"""The casting page, its QR codes, the comp card and the audited « Afficher » of contact data.

Endpoints (blueprint ``casting_public``):
- ``casting_public.page``       GET  /cinema/p/<code>                 the casting page
- ``casting_public.qr_svg``     GET  /cinema/p/<code>/qr.svg          QR of the canonical URL
- ``casting_public.qr_png``     GET  /cinema/p/<code>/qr.png          same, PNG
- ``casting_public.comp_card``  GET  /cinema/p/<code>/comp-card.pdf   ``?format=a5`` (default)
                                                                      or ``a4``
- ``casting_public.reveal``     POST /cinema/p/<code>/contact         staff: contact in clear

Who may open what is casting/access.py's ``can_view``: the owner, casting staff and admins, and
anyone when the profile is public. Anyone else gets the 404 of an unknown code, QR codes and
comp card included. What is shown is casting/page.py's allowlist; contact and ID data only in
the « Contact et identité » panel: in clear for the owner, masked for staff, unmasked for staff
on an explicit POST that writes an audit row (every unmasking is audited). URLs in QR codes
are built from ``BASE_URL``, never from the request's Host header.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, abort, render_template, request
from flask_login import current_user, login_required

from talento.accounts.models import User
from talento.audit.web import current_actor
from talento.casting import page as pages
from talento.casting.access import can_view, is_casting_staff, is_public
from talento.casting.media_views import PHOTOS_DIR, THUMBS_DIR, upload_root
from talento.casting.models import CastingProfile
from talento.context import current_language, current_settings
from talento.extensions import db, limiter, utctoday
from talento.i18n import gettext as _
from talento.profiles.qr import qr_png, qr_svg

bp = Blueprint("casting_public", __name__, url_prefix="/cinema/p")

#: Per client IP and endpoint: CINEMA codes are sequential; this slows scraping down.
PAGE_LIMIT = "60 per minute"
CARD_LIMIT = "20 per minute"
REVEAL_LIMIT = "30 per minute"


def casting_url(base_url: str, code: str) -> str:
    """The canonical URL of a casting page: ``{BASE_URL}/cinema/p/{code}``."""
    return f"{base_url.rstrip('/')}/cinema/p/{quote(code, safe='')}"


def _is_owner(user: User) -> bool:
    return bool(current_user.is_authenticated and current_user.id == user.id)


def _load_or_404(code: str) -> tuple[CastingProfile, User]:
    found = pages.find(db.session(), code)
    if found is None or not found[0].code:
        abort(404)
    profile, user = found
    if not can_view(current_user, profile, user, utctoday()):
        abort(404)
    return profile, user


def _render(profile: CastingProfile, user: User, panel: pages.ContactPanel | None):
    today = utctoday()
    view = pages.public_view(profile, user, today, current_language())
    return render_template(
        "casting/page.html",
        view=view,
        panel=panel,
        staff_view=is_casting_staff(current_user) and not _is_owner(user),
        owner=_is_owner(user),
        public=is_public(profile, user, today),
        canonical_url=casting_url(current_settings().base_url, view.code),
    )


@bp.get("/<code>")
@limiter.limit(PAGE_LIMIT)
def page(code: str):
    profile, user = _load_or_404(code)
    today = utctoday()
    panel = None
    if _is_owner(user):
        panel = pages.contact_panel(db.session(), profile, user, today, masked=False)
    elif is_casting_staff(current_user):
        panel = pages.contact_panel(db.session(), profile, user, today, masked=True)
    return _render(profile, user, panel)


@bp.post("/<code>/contact")
@login_required
@limiter.limit(REVEAL_LIMIT)
def reveal(code: str):
    """« Afficher »: the page again with the contact panel in clear, audited."""
    profile, user = _load_or_404(code)
    if not is_casting_staff(current_user) or _is_owner(user):
        abort(403)
    panel = pages.reveal_contact(db.session(), profile, user, current_actor(), utctoday())
    return _render(profile, user, panel)


@bp.get("/<code>/qr.svg", endpoint="qr_svg")
@limiter.limit(PAGE_LIMIT)
def qr_svg_image(code: str):
    profile, _user = _load_or_404(code)
    code = profile.code or ""
    body = qr_svg(casting_url(current_settings().base_url, code))
    response = _image(body, "image/svg+xml", f"cinema-{code}.svg")
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@bp.get("/<code>/qr.png", endpoint="qr_png")
@limiter.limit(PAGE_LIMIT)
def qr_png_image(code: str):
    profile, _user = _load_or_404(code)
    code = profile.code or ""
    return _image(
        qr_png(casting_url(current_settings().base_url, code)), "image/png", f"cinema-{code}.png"
    )


@bp.get("/<code>/comp-card.pdf")
@limiter.limit(CARD_LIMIT)
def comp_card(code: str):
    """The comp card: no contact data in it, so no audit row (it is not a contact export)."""
    profile, user = _load_or_404(code)
    # fpdf is imported on demand (about half a second): only PDF requests pay for it.
    from talento.casting.comp_card import DEFAULT_FORMAT, FORMATS, CompCardLabels, build_comp_card

    page_format = request.args.get("format", DEFAULT_FORMAT)
    if page_format not in FORMATS:
        page_format = DEFAULT_FORMAT
    view = pages.public_view(profile, user, utctoday(), current_language())
    root = upload_root()
    primary = view.primary_photo
    pdf = build_comp_card(
        view,
        facts=card_facts(view),
        url=casting_url(current_settings().base_url, view.code),
        labels=CompCardLabels(
            brand=_("Talento · CINEMA"), scan=_("Scannez pour voir la page casting")
        ),
        primary=root / PHOTOS_DIR / primary.name if primary else None,
        more=[root / THUMBS_DIR / photo.thumb_name for photo in view.photos[1:]],
        page_format=page_format,
    )
    response = Response(pdf, mimetype="application/pdf")
    disposition = "attachment" if request.args.get("download") == "1" else "inline"
    response.headers["Content-Disposition"] = (
        f'{disposition}; filename="fiche-casting-{view.code}-{page_format}.pdf"'
    )
    return response


def card_facts(view: pages.CastingView) -> list[tuple[str, str]]:
    """The comp card's lines (label, value) in the current language, empty ones left out."""
    facts: list[tuple[str, str | None]] = [(_("Code CINEMA"), view.code)]
    if view.playing_age:
        low, high = view.playing_age
        facts.append((_("Âge de jeu"), _("%(low)s–%(high)s ans", low=low, high=high)))
    if view.height_cm:
        facts.append((_("Taille"), _("%(cm)s cm", cm=view.height_cm)))
    if view.sizes:
        facts.append((_("Mensurations"), " · ".join(f"{k} {v}" for k, v in view.sizes)))
    facts += [(_("Yeux"), view.eyes), (_("Cheveux"), view.hair)]
    if view.languages:
        facts.append(
            (
                _("Langues"),
                ", ".join(f"{lang.name} ({lang.level_label})" for lang in view.languages),
            )
        )
    if view.talent_types:
        facts.append((_("Profils"), ", ".join(view.talent_types)))
    return [(label, value) for label, value in facts if value]


def _image(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    if request.args.get("download") == "1":
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
