"""The media panel of a casting profile: the registration's « photos » step and the talent's
media page, and the small forms they post (upload, kind, primary, order, removal, voice reel,
showreel, identity document).

Who: a signed-in account with a casting profile, on its own profile only (every action loads
the current account's profile; a photo id of someone else's is "not found"). Anonymous
visitors are sent to the login page; a signed-in account without a casting profile is sent to
``/cinema/register``, where a casting profile starts. The registration step is shown once the
profile has reached it (an earlier unfinished step is shown instead).

Each action answers with a redirect to the page it was sent from (``back``: the step or the
media page) and a flash message, or with that page and the form's errors (4xx) when refused.
One unit of work per request (talento.web.unit_of_work): a refused action rolls back, and a
file written for it is deleted (talento.casting.media_files).
"""

from __future__ import annotations

from functools import wraps
from pathlib import Path

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from talento.casting import media
from talento.casting import vocabulary as v
from talento.casting.media_blueprint import bp
from talento.casting.media_files import thumb_size
from talento.casting.media_forms import (
    ContinueForm,
    IdPhotoForm,
    MediaForm,
    PhotoActionForm,
    PhotoUploadForm,
    ShowreelForm,
    VoiceReelForm,
    upload_of,
)
from talento.casting.models import REGISTRATION_STEPS, CastingProfile
from talento.casting.registration_views import step_url
from talento.casting.steps import advance, reached, step_number
from talento.context import current_settings
from talento.extensions import db
from talento.i18n import gettext as _
from talento.refusals import Refused, apply_to_form

STEP = "photos"


def own_casting_profile(view):
    """Signed in (else the login page) with a casting profile (else ``/cinema/register``);
    the view receives the profile."""

    @wraps(view)
    @login_required
    def wrapper(*args, **kwargs):
        profile = db.session.get(CastingProfile, current_user.id)
        if profile is None:
            return redirect(url_for("casting_registration.start"))
        return view(profile, *args, **kwargs)

    return wrapper


def _upload_dir() -> Path:
    return Path(current_settings().upload_dir)


def _forms(profile: CastingProfile, page: str, failed: MediaForm | None) -> dict:
    """The page's forms, blank, except the one that was sent and refused."""
    forms: dict[str, MediaForm] = {
        "upload": PhotoUploadForm(formdata=None, kind=media.suggested_kind(profile)),
        "voice": VoiceReelForm(formdata=None),
        "showreel": ShowreelForm(formdata=None, showreel_url=profile.showreel_url),
        "id_form": IdPhotoForm(formdata=None),
    }
    for name, form in forms.items():
        if failed is not None and type(form) is type(failed):
            forms[name] = failed
    for form in forms.values():
        form.back.data = page
    return forms


def _render(
    profile: CastingProfile,
    page: str,
    failed: MediaForm | None = None,
    status: int = 200,
    error: str | None = None,
):
    context = {
        "error": error,
        "profile": profile,
        "photos": media.ordered(profile),
        "max_photos": media.MAX_PHOTOS,
        "has_headshot": media.has_headshot(profile),
        "has_full_length": media.has_full_length(profile),
        "kinds": v.PHOTO_KINDS,
        "thumb_size": thumb_size,
        "page": page,
        **_forms(profile, page, failed),
    }
    if page == "register":
        template = "casting/register_photos.html"
        context |= {
            "continue_form": ContinueForm(formdata=None),
            "step_number": step_number(STEP),
            "step_count": len(REGISTRATION_STEPS),
            "previous_url": step_url(REGISTRATION_STEPS[REGISTRATION_STEPS.index(STEP) - 1]),
        }
    else:
        template = "casting/media.html"
    return render_template(template, **context), status


def _back(form: MediaForm):
    page = form.back_page()
    return redirect(url_for("casting_media.register_photos" if page == "register" else ".manage"))


def _refused(profile: CastingProfile, form: MediaForm, refusal: Refused | None = None):
    """The page the form was sent from, with the form's errors. A photo's own form is drawn
    per photo, so its errors are shown at the top of the page."""
    status = apply_to_form(form, refusal) if refusal is not None else 400
    error = None
    if isinstance(form, PhotoActionForm):
        messages = [*form.form_errors, *(m for f in form for m in f.errors)]
        error = " ".join(str(m) for m in messages) or None
    return _render(profile, form.back_page(), form, status, error)


@bp.route("/register/photos", methods=["GET", "POST"])
@own_casting_profile
def register_photos(profile: CastingProfile):
    """The registration's « photos » step: « Continuer » needs a portrait."""
    if not reached(profile, STEP):
        return redirect(step_url(profile.registration_step))
    if request.method == "POST":
        if ContinueForm().validate() and media.has_headshot(profile):
            return redirect(step_url(advance(profile, STEP)))
        missing = _("Ajoutez au moins un portrait (photo de face) pour continuer.")
        return _render(profile, "register", status=422, error=missing)
    return _render(profile, "register")


@bp.get("/me/media")
@own_casting_profile
def manage(profile: CastingProfile):
    """The talent's casting media: photos, voice reel, showreel, identity document."""
    return _render(profile, "manage")


@bp.post("/media/photos")
@own_casting_profile
def upload_photo(profile: CastingProfile):
    form = PhotoUploadForm()
    if not form.validate():
        return _refused(profile, form)
    upload = media.PhotoUpload(form.photo.data.stream, form.kind.data or "", form.photo_max_bytes)
    try:
        media.add_photo(db.session(), profile, upload, _upload_dir())
    except Refused as refusal:
        return _refused(profile, form, refusal)
    flash(_("La photo est ajoutée."), "success")
    return _back(form)


@bp.post("/media/photos/<int:photo_id>")
@own_casting_profile
def photo_action(profile: CastingProfile, photo_id: int):
    """One photo's buttons: its kind, « Choisir comme photo principale », up, down, remove."""
    form = PhotoActionForm()
    if not form.validate():
        return _refused(profile, form)
    session, action = db.session(), form.action.data
    try:
        if action == "kind":
            media.set_kind(session, profile, photo_id, form.kind.data or "")
            message = _("Le type de la photo est enregistré.")
        elif action == "primary":
            media.set_primary(session, profile, photo_id)
            message = _("C'est maintenant votre photo principale.")
        elif action in media.MOVES:
            media.move_photo(session, profile, photo_id, action)
            message = _("L'ordre des photos est enregistré.")
        else:
            media.remove_photo(session, profile, photo_id, _upload_dir())
            message = _("La photo est supprimée.")
    except Refused as refusal:
        if refusal.status == 404:
            return _render(profile, form.back_page(), status=404, error=refusal.message)
        return _refused(profile, form, refusal)
    flash(message, "success")
    return _back(form)


@bp.post("/media/voice")
@own_casting_profile
def upload_voice(profile: CastingProfile):
    """Send, replace (action "upload") or remove (action "remove") the voice reel."""
    form = VoiceReelForm()
    if not form.validate():
        return _refused(profile, form)
    try:
        if form.removing():
            media.remove_voice_reel(db.session(), profile, _upload_dir())
            flash(_("La bande démo vocale est supprimée."), "success")
        else:
            media.set_voice_reel(db.session(), profile, form.voice_reel.data.stream, _upload_dir())
            flash(_("La bande démo vocale est enregistrée."), "success")
    except Refused as refusal:
        return _refused(profile, form, refusal)
    return _back(form)


@bp.post("/media/showreel")
@own_casting_profile
def save_showreel(profile: CastingProfile):
    """Set (or remove, with an empty field or action "remove") the showreel link."""
    form = ShowreelForm()
    if not form.validate():
        return _refused(profile, form)
    try:
        stored = media.set_showreel(
            db.session(), profile, None if form.removing() else form.showreel_url.data
        )
    except Refused as refusal:
        return _refused(profile, form, refusal)
    if stored:
        flash(_("Le lien de votre bande démo vidéo est enregistré."), "success")
    else:
        flash(_("Le lien de votre bande démo vidéo est supprimé."), "success")
    return _back(form)


@bp.post("/media/id-photo")
@own_casting_profile
def upload_id_photo(profile: CastingProfile):
    """Send, replace or remove the photo of the identity document."""
    form = IdPhotoForm()
    if not form.validate():
        return _refused(profile, form)
    try:
        if form.removing():
            media.remove_id_photo(db.session(), profile, _upload_dir())
            flash(_("La photo de votre pièce d'identité est supprimée."), "success")
        else:
            upload = upload_of(form.id_photo.data)
            assert upload is not None  # validate_id_photo: a file was sent
            media.set_id_photo(db.session(), profile, upload.stream, form.max_bytes, _upload_dir())
            flash(_("La photo de votre pièce d'identité est enregistrée."), "success")
    except Refused as refusal:
        return _refused(profile, form, refusal)
    return _back(form)
