"""Talent registration: one form in steps (fieldsets), usable without JavaScript.

The fieldsets come in this order: identity, residence, contact (the phone is checked against
the country of residence), professional profile, links, files, account and consent (with the
profile's visibility, which the consent text refers to). Without JavaScript the city list is
that of the country chosen: « Afficher les villes » sends the form back to show them, checking
nothing, and a full submission with a new country also comes back with its cities (everything
typed is kept, files and passwords aside). A photo over PHOTO_MAX_MB is refused on the same
page, everything typed kept; only a request over REQUEST_MAX_MB gets the 413 page.
Views only: the account is created by talento.profiles.editing.create_talent from plain data.

Limits (accounts/login_limits.py) stop an attacker, not a crowd: every POST takes a place under
a high per-address ceiling (a casting venue or a carrier's shared address registers dozens of
people), and every complete form a place per e-mail and per phone. A refusal is the same form,
everything typed kept, with a 429 and Retry-After.
"""

from __future__ import annotations

import logging

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user

from talento.accounts import login_limits
from talento.accounts.verification import verification_url
from talento.context import current_language, current_passwords, current_settings
from talento.extensions import db
from talento.i18n import gettext as _
from talento.i18n import ngettext
from talento.mail import OutgoingMail, queue_mail
from talento.profiles.editing import create_talent
from talento.profiles.forms import RegistrationForm
from talento.profiles.qr import profile_url
from talento.refusals import Refused, apply_to_form

bp = Blueprint("registration", __name__)
log = logging.getLogger(__name__)


@bp.route("/auth/register", methods=["GET", "POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("profiles.me"))
    lang = current_language()
    form = RegistrationForm()
    form.fill_choices(db.session(), lang)
    status = 200
    settings = current_settings()
    if request.method == "POST":
        with login_limits.answering() as limits:
            attempt = limits.reserve(
                limits.registration_address_buckets(settings, request.remote_addr)
            )
        if isinstance(attempt, login_limits.Refusal):
            return _too_many(form, attempt)
    if request.method == "POST" and form.wants_cities():
        pass  # no JavaScript: the chosen country's cities and phone hint, nothing checked
    elif request.method == "POST" and form.validate():
        assert form.email.data is not None  # required fields: a validated form has them
        assert form.phone.data is not None
        with login_limits.answering() as limits:
            attempt = limits.reserve(
                limits.registration_identity_buckets(settings, form.email.data, form.phone.data)
            )
        if isinstance(attempt, login_limits.Refusal):
            return _too_many(form, attempt)
        try:
            user = create_talent(
                db.session(),
                current_passwords(),
                form.account_input(lang),
                form.to_input(),
                form.files_input(),
                _upload_dir(settings),
            )
        except Refused as refusal:
            status = apply_to_form(form, refusal)
        else:
            return _welcome(user, settings, lang)
    elif request.method == "POST":
        flash(_("Certains champs sont à corriger : voyez les messages en rouge."), "error")
        status = 400
    return render_template("profiles/register.html", form=form), status


def _too_many(form: RegistrationForm, refusal: login_limits.Refusal):
    """The same form, everything typed kept, saying which limit and for how long."""
    minutes = max(1, -(-refusal.retry_after // 60))
    wait = ngettext("Réessayez dans %(num)d minute.", "Réessayez dans %(num)d minutes.", minutes)
    if refusal.bucket == login_limits.REGISTRATION_FOR_EMAIL:
        message = _("Trop d'inscriptions tentées avec cette adresse e-mail.")
        form.email.errors = [*form.email.errors, f"{message} {wait}"]
    elif refusal.bucket == login_limits.REGISTRATION_FOR_PHONE:
        message = _("Trop d'inscriptions tentées avec ce numéro de téléphone.")
        form.phone.errors = [*form.phone.errors, f"{message} {wait}"]
    else:
        message = _("Trop d'inscriptions envoyées depuis votre connexion.")
    log.info("Inscription refusée (limite %s)", refusal.bucket)
    flash(f"{message} {wait}", "error")
    page = render_template("profiles/register.html", form=form)
    return page, 429, {"Retry-After": str(refusal.retry_after)}


def _welcome(user, settings, lang):
    """The account is saved (committed at the end of the request): log in, greet, and send the
    e-mail once the commit succeeded (a warning is flashed if it cannot leave)."""
    log.info("Inscription : utilisateur id=%s", user.id)
    login_user(user)
    queue_mail(
        db.session(),
        settings,
        OutgoingMail(
            to=user.email,
            template="registration",
            lang=lang,
            context={
                "first_name": user.first_name,
                "code": user.code,
                "profile_url": profile_url(settings.base_url, user.code),
                # The address is verified from this mail: one e-mail, not two.
                "verify_url": verification_url(settings, user),
            },
        ),
        report=_warn_if_not_sent,
    )
    flash(_("Bienvenue sur Talento ! Votre code unique est %(code)s.", code=user.code), "success")
    return redirect(url_for("profiles.me"))


def _warn_if_not_sent(sent: bool) -> None:
    if sent:
        return
    flash(
        _(
            "L'e-mail de confirmation n'a pas pu être envoyé ; votre inscription est bien "
            "enregistrée."
        ),
        "warning",
    )


def _upload_dir(settings):
    from pathlib import Path

    return Path(settings.upload_dir)
