"""Editing a profile through EditProfileForm, shared by the talent's own page and the admin's.

The form is filled from the rows, and saved with its uploads in one step: files are written
first (temp name, then rename), the database commit comes after, files are kept only if it
succeeds, and replaced files are removed only then. A file the server cannot write (disk full,
folder not writable) leaves the rows untouched and no file behind.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from talento.accounts.models import User
from talento.i18n import gettext as _
from talento.profiles.forms import EditProfileForm
from talento.profiles.models import TalentProfile
from talento.profiles.registration import profile_input
from talento.profiles.services import EmailTaken, InvalidResidence, apply_profile, register_talent


def prefill(form: EditProfileForm, user, profile: TalentProfile) -> None:
    form.first_name.data, form.last_name.data = user.first_name, user.last_name
    form.gender.data, form.date_of_birth.data = user.gender, user.date_of_birth
    form.nationality.data = profile.nationality.iso2 if profile.nationality else ""
    form.phone.data, form.whatsapp.data = user.phone or "", user.whatsapp or ""
    form.address.data = user.address or ""
    form.country.data = user.country.iso2 if user.country else ""
    form.city.data = str(user.city_id or "")
    form.skills.data = [s.slug for s in profile.skills]
    form.bio.data, form.education.data = profile.bio, profile.education
    form.years_experience.data = profile.years_experience
    form.availability.data, form.work_mode.data = profile.availability, profile.work_mode
    form.rate_min.data, form.rate_max.data = profile.rate_min, profile.rate_max
    form.languages.data = [lang.code for lang in profile.languages]
    links = json.loads(profile.links) if profile.links else {}
    for kind, url in links.items():
        if f"link_{kind}" in form:
            form[f"link_{kind}"].data = url
    form.public_links.data = [k for k in (profile.public_links or "").split(",") if k]


def refused_status(form) -> int:
    """The status of a form page shown again after a refused POST: 400 when the input needs
    correcting, 503 when the server could not store a file (disk full, folder not writable),
    which is not the user's doing and may work later."""
    return 503 if getattr(form, "storage_failed", False) else 400


def _upload_refused(form, rejected) -> None:
    target = form.cv if rejected.field == "cv" else form.photo
    target.errors = [*target.errors, str(rejected)]
    form.storage_failed = rejected.reason == "storage"


def save_profile_form(
    session: Session,
    form: EditProfileForm,
    user,
    profile: TalentProfile,
    upload_dir: Path,
    before_commit: Callable[[], None] | None = None,
) -> bool:
    """Apply a validated form and its uploads, then commit. On a refused upload or residence,
    roll back, put the message on the field and return False. `before_commit` runs once the
    changes are applied (the admin's audit row names the changed fields)."""
    from talento.profiles.uploads import UploadRejected, uploaded_files

    if user.profile is None:  # an account without a profile yet (pages pass a detached one)
        user.profile = profile
    try:
        with uploaded_files(upload_dir) as batch:
            if form.photo.data:
                batch.delete_on_success(profile.photo_name)
                profile.photo_name = batch.photo(form.photo.data.stream).name
            elif form.remove_photo.data and profile.photo_name:
                batch.delete_on_success(profile.photo_name)
                profile.photo_name = None
            if form.cv.data:
                batch.delete_on_success(profile.cv_name)
                profile.cv_name = batch.cv(form.cv.data.stream).name
            elif form.remove_cv.data and profile.cv_name:
                batch.delete_on_success(profile.cv_name)
                profile.cv_name = None
            apply_profile(session, user, profile, profile_input(form))
            if before_commit is not None:
                before_commit()
            session.commit()
    except UploadRejected as rejected:
        session.rollback()
        _upload_refused(form, rejected)
        return False
    except InvalidResidence:
        session.rollback()
        form.city.errors = [*form.city.errors, _("Choisissez votre ville dans la liste.")]
        return False
    return True


def create_talent_from_form(
    session: Session,
    passwords,
    form,
    upload_dir: Path,
    password: str | None,
    language: str,
    before_commit: Callable[[User], None] | None = None,
) -> User | None:
    """Create an account and its profile from a registration-shaped form, with its files, in
    one transaction. On a refusal (file, e-mail taken, residence) roll back, put the message on
    the field and return None. `before_commit` adds what must land with the account (audit)."""
    from talento.profiles.uploads import UploadRejected, uploaded_files

    try:
        with uploaded_files(upload_dir) as batch:
            photo = batch.photo(form.photo.data.stream) if form.photo.data else None
            cv = batch.cv(form.cv.data.stream) if form.cv.data else None
            user = register_talent(
                session,
                passwords,
                form.email.data,
                password,
                profile_input(form),
                photo_name=photo.name if photo else None,
                cv_name=cv.name if cv else None,
                language=language,
            )
            if before_commit is not None:
                before_commit(user)
            session.commit()
    except UploadRejected as rejected:
        session.rollback()
        _upload_refused(form, rejected)
        return None
    except (EmailTaken, IntegrityError):  # IntegrityError: the same e-mail a split second later
        session.rollback()
        message = _("Un compte existe déjà avec cette adresse e-mail.")
        if password is not None:  # the person registering: tell them the way back in
            message = _(
                "Un compte existe déjà avec cette adresse "
                "e-mail. Connectez-vous ou réinitialisez "
                "votre mot de passe."
            )
        form.email.errors = [*form.email.errors, message]
        return None
    except InvalidResidence:
        session.rollback()
        form.city.errors = [*form.city.errors, _("Choisissez votre ville dans la liste.")]
        return None
    return user
