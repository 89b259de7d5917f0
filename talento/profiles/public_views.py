"""Public profile pages, QR codes and the printable profile card.

Endpoints (blueprint ``public``):
- ``public.page``    GET /p/<code>             the public page (anyone)
- ``public.qr_svg``  GET /p/<code>/qr.svg      QR code of the canonical URL (``?download=1``)
- ``public.qr_png``  GET /p/<code>/qr.png      same, PNG
- ``public.card``    GET /profile/card.pdf     the owner's printable card (``?contact=1`` adds
                                               phone, WhatsApp and e-mail)

Everything shown comes from :func:`talento.profiles.public.public_page`, the public
allowlist. A page withheld from the public (hidden, or the address not verified) answers 404
like an unknown code, QR codes included, except to its owner and admins, who see why. URLs in
QR codes and OpenGraph tags are built from ``BASE_URL``, never from the request's Host header.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from talento.accounts.models import Capability
from talento.context import current_language, current_settings
from talento.extensions import db, limiter
from talento.i18n import gettext as _
from talento.profiles.choices import LINK_KINDS
from talento.profiles.public import PublicPage, PublicProfile, public_page
from talento.profiles.qr import profile_url, qr_png, qr_svg

if TYPE_CHECKING:
    from talento.profiles.card import CardLabels

bp = Blueprint("public", __name__)

#: Per client IP and per endpoint. Codes are sequential, so this slows bulk scraping down
#: without bothering a person browsing profiles (or a page and its QR image).
PUBLIC_LIMIT = "60 per minute"
CARD_LIMIT = "20 per minute"
OG_DESCRIPTION_LENGTH = 200
PHOTOS_PATH = "/media/photos/"  # served by media.photo(name); a plain path avoids the coupling


def _load_or_404(code: str) -> PublicPage:
    """The page as this visitor may see it; a withheld page (hidden, or the address not
    verified) is the 404 of an unknown code for everyone but its owner and admins."""
    signed_in = current_user.is_authenticated
    found = public_page(
        db.session(),
        code,
        current_language(),
        viewer_id=current_user.id if signed_in else None,
        viewer_is_admin=signed_in and current_user.can(Capability.ADMIN),
    )
    if found is None:
        abort(404)
    return found


@bp.get("/p/<code>")
@limiter.limit(PUBLIC_LIMIT)
def page(code: str):
    found = _load_or_404(code)
    profile = found.profile
    base_url = current_settings().base_url
    photo_path = PHOTOS_PATH + profile.photo if profile.photo else None
    return render_template(
        "profiles/public.html",
        profile=profile,
        canonical_url=profile_url(base_url, profile.code),
        photo_url=photo_path,
        og_image=base_url + photo_path if photo_path else None,
        og_description=og_description(profile),
        link_labels=LINK_KINDS,
        contact_url=url_for("contact.form", code=profile.code) if found.contactable else None,
        withheld=found.withheld.value if found.withheld else None,
        listed=found.listed,
    )


@bp.get("/p/<code>/qr.svg", endpoint="qr_svg")
@limiter.limit(PUBLIC_LIMIT)
def qr_svg_image(code: str):
    profile = _load_or_404(code).profile
    body = qr_svg(profile_url(current_settings().base_url, profile.code))
    response = _image(body, "image/svg+xml", f"talento-{profile.code}.svg")
    # The SVG is ours and script-free; forbid anything active should it be opened directly.
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


@bp.get("/p/<code>/qr.png", endpoint="qr_png")
@limiter.limit(PUBLIC_LIMIT)
def qr_png_image(code: str):
    profile = _load_or_404(code).profile
    body = qr_png(profile_url(current_settings().base_url, profile.code))
    return _image(body, "image/png", f"talento-{profile.code}.png")


@bp.get("/profile/card.pdf")
@login_required
@limiter.limit(CARD_LIMIT)
def card():
    settings = current_settings()
    own = public_page(
        db.session(), current_user.code, current_language(), viewer_id=current_user.id
    )
    profile = own.profile if own is not None else None
    if profile is None:  # no talent profile yet (an admin, a presence operator)
        flash(_("Créez votre profil de talent pour obtenir votre carte."), "info")
        return redirect(url_for("profiles.me"))
    with_contact = request.args.get("contact") == "1"
    # fpdf costs about half a second to import: only the card (and PDF exports) pay for it,
    # not every worker and `talento` command at start-up.
    from talento.profiles.card import build_card_pdf, contact_of, photo_file

    pdf = build_card_pdf(
        profile,
        url=profile_url(settings.base_url, profile.code),
        labels=card_labels(),
        contact=contact_of(current_user) if with_contact else None,
        photo=photo_file(settings.upload_dir, profile.photo),
    )
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="carte-talento-{profile.code}.pdf"'
    )
    return response


def card_labels() -> CardLabels:
    """The card's strings in the current request's language."""
    from talento.profiles.card import CardLabels

    return CardLabels(
        code=_("Code :"),
        skills=_("Compétences"),
        contact=_("Contact"),
        phone=_("Téléphone :"),
        whatsapp=_("WhatsApp :"),
        email=_("E-mail :"),
        unavailable=_("Donnée indisponible"),
        scan=_("Scannez pour voir le profil"),
    )


def _image(body: bytes, mimetype: str, filename: str) -> Response:
    response = Response(body, mimetype=mimetype)
    if request.args.get("download") == "1":
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def og_description(profile: PublicProfile) -> str:
    """og:description: the bio on one line, cut at a word; else the skills and the city."""
    if profile.bio:
        text = " ".join(profile.bio.split())
        if len(text) > OG_DESCRIPTION_LENGTH:
            cut = text[: OG_DESCRIPTION_LENGTH - 1].rsplit(" ", 1)[0].rstrip(" ,;:.")
            text = cut + "…"
        return text
    parts = [", ".join(profile.skills), profile.city or ""]
    summary = " — ".join(part for part in parts if part)
    return summary or _("Profil Talento de %(name)s", name=profile.full_name)
