"""The public casting registration ``/cinema/register``: one page per step, mobile-first and
usable without JavaScript, resumable.

- ``/cinema/register`` resumes: a visitor goes to the first step; a signed-in person to the
  next step of their casting profile (``registration_step``), or to « Mon profil casting »
  when it is complete or when the account has none yet (its « Créer mon profil casting »
  button creates it, prefilled).
- ``/cinema/register/identity`` is open to visitors: it creates the account (names, birth,
  gender, ID document, residence, e-mail, password, consent) and signs the person in, so that a
  half-filled registration is kept for them. Every later step needs the account (anonymous
  visitors are sent to the login page, which brings them back).
- "photos" belongs to the media views (``steps.step_endpoint``), which advance the profile
  themselves; this blueprint only sends people there.
- A step not reached yet sends back to the next one to fill. On a complete profile every step
  page is an edit page: saving returns to the summary.

Each POST of a step page: « Afficher les villes » / « Ajouter une ligne » send the page back
with what was typed (nothing checked, nothing saved); otherwise the form is checked and
``casting.services.save_step`` saves it. A refusal is the same page with the messages (400).
Limits are the talent registration's (accounts/login_limits.py): every visitor's POST takes a
place per address, every complete first page one per e-mail.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_user

from talento.accounts import login_limits, verification
from talento.accounts.current import signed_in_user
from talento.casting import steps
from talento.casting.access import is_minor
from talento.casting.forms import (
    ContactForm,
    IdentityForm,
    LanguagesForm,
    NewPersonForm,
    OriginsForm,
    StepForm,
    accent_groups,
)
from talento.casting.models import DONE, REGISTRATION_STEPS, CastingProfile
from talento.casting.profile_forms import (
    AppearanceForm,
    ExperienceForm,
    SizesForm,
    SkillsForm,
    VisibilityForm,
)
from talento.casting.services import casting_of, save_step, start_registration
from talento.casting.summary import STEP_TITLES
from talento.context import current_language, current_passwords, current_settings
from talento.extensions import db, utctoday
from talento.i18n import gettext as _
from talento.i18n import ngettext
from talento.refusals import Refused, apply_to_form

bp = Blueprint("casting_registration", __name__, url_prefix="/cinema/register")
log = logging.getLogger(__name__)

FORMS: dict[str, type[StepForm]] = {
    "identity": IdentityForm,
    "contact": ContactForm,
    "origins": OriginsForm,
    "languages": LanguagesForm,
    "appearance": AppearanceForm,
    "sizes": SizesForm,
    "skills": SkillsForm,
    "experience": ExperienceForm,
    "visibility": VisibilityForm,
}


def step_url(step: str) -> str:
    """The page of a step (or of « Mon profil casting » once DONE)."""
    if step == DONE:
        return url_for("casting_me.me")
    endpoint, values = steps.step_endpoint(step)
    return url_for(endpoint, **dict[str, Any](values))


def previous_url(step: str) -> str | None:
    index = REGISTRATION_STEPS.index(step)
    return step_url(REGISTRATION_STEPS[index - 1]) if index > 0 else None


@bp.get("")
def start():
    if not current_user.is_authenticated:
        return redirect(url_for(".step", step=REGISTRATION_STEPS[0]))
    casting = casting_of(signed_in_user())
    if casting is None or casting.is_complete:
        return redirect(url_for("casting_me.me"))
    return redirect(step_url(casting.registration_step))


@bp.route("/<step>", methods=["GET", "POST"])
def step(step: str):
    if step not in REGISTRATION_STEPS:
        abort(404)
    if step not in FORMS:  # "photos": the media views' page
        return redirect(step_url(step))
    if not current_user.is_authenticated:
        if step == REGISTRATION_STEPS[0]:
            return _new_person()
        return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
    user = signed_in_user()
    casting = casting_of(user)
    if casting is None:
        flash(_("Créez d'abord votre profil casting depuis votre espace."), "info")
        return redirect(url_for("casting_me.me"))
    if not steps.reached(casting, step):
        return redirect(step_url(casting.registration_step))
    return _edit_step(user, casting, step)


def _edit_step(user, casting: CastingProfile, step: str):
    form = FORMS[step]()
    if isinstance(form, SizesForm):
        form.keep_for(user.gender)
    if request.method == "GET":
        form.fill_from(user, casting)
    form.fill_choices(db.session(), current_language(), user)
    status = 200
    editing = casting.is_complete
    if request.method == "POST" and form.wants_refresh():
        pass  # no JavaScript: the country's cities, one more row; nothing checked or saved
    elif request.method == "POST" and form.validate():
        try:
            data = form.to_input()  # every step form has one
            following = save_step(db.session(), user, casting, step, data)
        except Refused as refusal:
            status = apply_to_form(form, refusal)
        else:
            return _after_save(casting, following, editing)
    elif request.method == "POST":
        status = 400
    if status >= 400:
        flash(_("Certains champs sont à corriger : voyez les messages en rouge."), "error")
    return _page(step, form, user=user, casting=casting, editing=editing), status


def _after_save(casting: CastingProfile, following: str, editing: bool):
    if editing:
        flash(_("Votre profil casting est enregistré."), "success")
        return redirect(url_for("casting_me.me"))
    if following == DONE:
        log.info("Profil casting complet : utilisateur id=%s", casting.user_id)
        flash(
            _(
                "Votre profil casting est complet. Votre code CINEMA est %(code)s.",
                code=casting.code,
            ),
            "success",
        )
    return redirect(step_url(following))


def _page(step: str, form, *, user=None, casting=None, editing=False, new=False) -> str:
    minor = form.is_minor() if isinstance(form, IdentityForm) else False
    if user is not None and not isinstance(form, IdentityForm):
        minor = is_minor(user, utctoday())
    return render_template(
        "casting/register_step.html",
        step=step,
        number=steps.step_number(step),
        total=len(REGISTRATION_STEPS),
        title=STEP_TITLES[step],
        form=form,
        user=user,
        casting=casting,
        editing=editing,
        new=new,
        minor=minor,
        previous=None if editing else previous_url(step),
        accent_groups=accent_groups() if step == "languages" else [],
    )


# -- the first page of someone without an account -----------------------------------------------


def _new_person():
    form = NewPersonForm()
    lang = current_language()
    form.fill_choices(db.session(), lang, None)
    settings = current_settings()
    status = 200
    if request.method == "POST":
        with login_limits.answering() as limits:
            attempt = limits.reserve(
                limits.registration_address_buckets(settings, request.remote_addr)
            )
        if isinstance(attempt, login_limits.Refusal):
            return _too_many(form, attempt)
    if request.method == "POST" and form.wants_refresh():
        pass
    elif request.method == "POST" and form.validate():
        with login_limits.answering() as limits:
            buckets = limits.registration_identity_buckets(settings, form.email.data or "", "")
            attempt = limits.reserve(
                [b for b in buckets if b.name == login_limits.REGISTRATION_FOR_EMAIL]
            )
        if isinstance(attempt, login_limits.Refusal):
            return _too_many(form, attempt)
        try:
            user = start_registration(
                db.session(), current_passwords(), form.account_input(lang), form.to_input()
            )
        except Refused as refusal:
            status = apply_to_form(form, refusal)
        else:
            return _welcome(user)
    elif request.method == "POST":
        status = 400
    if status >= 400:
        flash(_("Certains champs sont à corriger : voyez les messages en rouge."), "error")
    return _page("identity", form, new=True), status


def _welcome(user):
    """The account exists (committed at the end of the request): sign in, send the address's
    verification link as the talent registration does, go on to the next step."""
    log.info("Inscription casting : utilisateur id=%s", user.id)
    login_user(user)
    settings = current_settings()
    with login_limits.answering() as limits:
        place = verification.reserve_send(limits, user.id)
    if not isinstance(place, login_limits.Refusal):
        verification.send_verification(db.session(), settings, user, report=_warn_if_not_sent)
    flash(
        _(
            "Votre compte est créé (code %(code)s). Un lien de confirmation a été envoyé à "
            "votre adresse e-mail ; continuez votre inscription.",
            code=user.code,
        ),
        "success",
    )
    casting = casting_of(user)
    assert casting is not None  # start_registration made it
    return redirect(step_url(casting.registration_step))


def _warn_if_not_sent(sent: bool) -> None:
    if not sent:
        flash(
            _(
                "L'e-mail de confirmation n'a pas pu être envoyé ; votre inscription est bien "
                "enregistrée."
            ),
            "warning",
        )


def _too_many(form: NewPersonForm, refusal: login_limits.Refusal):
    minutes = max(1, -(-refusal.retry_after // 60))
    wait = ngettext("Réessayez dans %(num)d minute.", "Réessayez dans %(num)d minutes.", minutes)
    if refusal.bucket == login_limits.REGISTRATION_FOR_EMAIL:
        message = _("Trop d'inscriptions tentées avec cette adresse e-mail.")
        form.email.errors = [*form.email.errors, f"{message} {wait}"]
    else:
        message = _("Trop d'inscriptions envoyées depuis votre connexion.")
    log.info("Inscription casting refusée (limite %s)", refusal.bucket)
    flash(f"{message} {wait}", "error")
    page = _page("identity", form, new=True)
    return page, 429, {"Retry-After": str(refusal.retry_after)}
