"""Talent registration: one form in steps (fieldsets), usable without JavaScript.

Without JavaScript the city list is that of the country chosen, so a first submission with a
new country comes back with its cities (everything typed is kept, files and passwords aside).
"""

from __future__ import annotations

import logging

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_login import current_user, login_user

from talento.extensions import db, limiter
from talento.geo.services import cities_of, country_choices
from talento.i18n import gettext as _
from talento.profiles.forms import RegistrationForm
from talento.profiles.services import (
    ProfileInput,
    skills_by_category,
)

bp = Blueprint("registration", __name__)
log = logging.getLogger(__name__)


def _lang() -> str:
    return str(get_locale() or "fr")


def prepare_form(form, lang: str) -> None:
    """Fill the database-backed choices; the cities are those of the chosen country."""
    country = (form.country.data or "").upper()
    cities = [(c.id, c.name) for c in cities_of(db.session, country)] if country else []
    form.set_choices(
        country_choices(db.session, lang), cities, skills_by_category(db.session, lang)
    )


def profile_input(form) -> ProfileInput:
    return ProfileInput(
        first_name=form.first_name.data,
        last_name=form.last_name.data,
        gender=form.gender.data,
        date_of_birth=form.date_of_birth.data,
        nationality_iso2=form.nationality.data,
        phone=form.phone.data,
        whatsapp=form.whatsapp.data or None,
        address=form.address.data,
        country_iso2=form.country.data,
        city_id=int(form.city.data),
        skills=list(form.skills.data or []),
        bio=form.bio.data,
        years_experience=form.years_experience.data,
        availability=form.availability.data,
        work_mode=form.work_mode.data,
        rate_min=form.rate_min.data,
        rate_max=form.rate_max.data,
        languages=list(form.languages.data or []),
        education=form.education.data,
        links=form.links(),
        public_links=list(form.public_links.data or []),
    )


@bp.route("/auth/register", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("profiles.me"))
    lang = _lang()
    form = RegistrationForm()
    prepare_form(form, lang)
    if request.method == "POST" and form.validate():
        settings = current_app.extensions["talento.settings"]
        outcome = _create_account(form, settings, lang)
        if outcome is not None:
            return outcome
    elif request.method == "POST":
        flash(_("Certains champs sont à corriger : voyez les messages en rouge."), "error")
    from talento.profiles.editing import refused_status  # editing imports this module

    return render_template("profiles/register.html", form=form), (
        refused_status(form) if request.method == "POST" else 200
    )


def _create_account(form, settings, lang):
    """Save files, create the account in one transaction, then send the email."""
    from talento.profiles.editing import create_talent_from_form

    user = create_talent_from_form(
        db.session,
        current_app.extensions["talento.passwords"],
        form,
        _upload_dir(settings),
        form.password.data,
        lang,
    )
    if user is None:
        return None
    log.info("Inscription : utilisateur id=%s", user.id)
    login_user(user)
    sent = _send_confirmation(settings, user, lang)
    flash(_("Bienvenue sur Talento ! Votre code unique est %(code)s.", code=user.code), "success")
    if not sent:
        flash(
            _(
                "L'e-mail de confirmation n'a pas pu être envoyé ; votre inscription est bien "
                "enregistrée."
            ),
            "warning",
        )
    return redirect(url_for("profiles.me"))


def _upload_dir(settings):
    from pathlib import Path

    return Path(settings.upload_dir)


def _send_confirmation(settings, user, lang) -> bool:
    from talento.mail import send_templated
    from talento.profiles.qr import profile_url

    return send_templated(
        settings,
        user.email,
        "registration",
        lang=lang,
        first_name=user.first_name,
        code=user.code,
        profile_url=profile_url(settings.base_url, user.code),
    )
