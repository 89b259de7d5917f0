"""Editing a profile through EditProfileForm, shared by the talent's own page and the admin's.

The form is filled from the rows, and saved with its uploads in one step: files are kept only
if the database commit succeeds, and replaced files are removed only then.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy.orm import Session

from talento.i18n import gettext as _
from talento.profiles.forms import EditProfileForm
from talento.profiles.models import TalentProfile
from talento.profiles.registration import profile_input
from talento.profiles.services import InvalidResidence, apply_profile


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
    form.public_links.data = [k for k in profile.public_links.split(",") if k]


def save_profile_form(
    session: Session, form: EditProfileForm, user, profile: TalentProfile, upload_dir: Path
) -> bool:
    """Apply a validated form and its uploads, then commit. On a refused upload or residence,
    roll back, put the message on the field and return False."""
    from talento.profiles.uploads import UploadRejected, uploaded_files

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
            session.commit()
    except UploadRejected as rejected:
        session.rollback()
        target = form.cv if rejected.field == "cv" else form.photo
        target.errors = [*target.errors, str(rejected)]
        return False
    except InvalidResidence:
        session.rollback()
        form.city.errors = [*form.city.errors, _("Choisissez votre ville dans la liste.")]
        return False
    return True
