"""Admin pages for accounts: list, detail (contact data, audited), edit, capabilities, status,
deletion, creation on someone's behalf, bulk actions. Thin: parse, call a service, render."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from talento.accounts import login_limits, verification
from talento.accounts.capabilities import CAPABILITY_HINTS, capability_names
from talento.accounts.models import User
from talento.accounts.reset import issue_set_password_link
from talento.admin import users as service
from talento.admin.blueprint import bp
from talento.admin.forms import (
    BULK_LABELS,
    ActionForm,
    AdminProfileForm,
    CapabilitiesForm,
    ConfirmForm,
    StatusForm,
)
from talento.audit import services as audit
from talento.audit.models import AuditAction, AuditEvent
from talento.audit.web import current_actor
from talento.casting.models import CastingProfile
from talento.context import current_language, current_passwords, current_settings
from talento.crypto import active_keyring
from talento.extensions import db
from talento.geo.services import cities_of, country_choices
from talento.i18n import gettext as _
from talento.i18n import ngettext
from talento.profiles.editing import create_talent, save_profile
from talento.profiles.languages import LANGUAGES, LEVEL_LABELS
from talento.profiles.models import Skill, TalentProfile
from talento.profiles.search.people import parse_admin_filters, same_phone_accounts, search_users
from talento.profiles.search.query_args import parse_id
from talento.profiles.services import completeness
from talento.profiles.uploads import delete_after_commit
from talento.refusals import Refused, apply_to_form

log = logging.getLogger(__name__)


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


def _back_to_list() -> str:
    """The list with the filters it had (`back` is a same-site path under /admin/users)."""
    back = request.form.get("back") or request.args.get("back") or ""
    if back.startswith("/admin/users") and "//" not in back and "\\" not in back:
        return back
    return url_for("admin.users")


@bp.get("/users")
def users():
    lang = current_language()
    filters = parse_admin_filters(request.args)
    page = search_users(db.session(), filters, active_keyring(), lang)
    cities = (
        [(c.id, c.name) for c in cities_of(db.session(), filters.country)]
        if filters.country
        else []
    )
    skills = db.session.execute(select(Skill.slug, Skill.name(lang)).order_by(Skill.name_fr)).all()
    return render_template(
        "admin/users.html",
        filters=filters,
        page=page,
        countries=country_choices(db.session(), lang),
        cities=cities,
        skills=skills,
        bulk_form=ActionForm(),
        current_path=request.full_path.rstrip("?"),
    )


@bp.get("/users/<int:user_id>")
def user_detail(user_id: int):
    user = _user_or_404(user_id)
    contact = service.contact_details(db.session(), user, current_actor())
    score = completeness(user)[0] if user.profile is not None else None
    duplicates = (
        same_phone_accounts(db.session(), user.id, user.phone, active_keyring())
        if user.phone
        else []
    )
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.subject_id == user.id)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(10)
    ).all()
    capabilities_form = CapabilitiesForm(capabilities=sorted(user.capabilities))
    return (
        render_template(
            "admin/user_detail.html",
            user=user,
            profile=user.profile,
            contact=contact,
            score=score,
            duplicates=duplicates,
            events=events,
            capabilities_form=capabilities_form,
            capability_hints=CAPABILITY_HINTS,
            status_form=StatusForm(),
            action_form=ActionForm(),
            language_labels=LANGUAGES,
            level_labels=LEVEL_LABELS,
            back=_back_to_list(),
            has_casting=db.session.scalar(
                select(CastingProfile.user_id).where(CastingProfile.user_id == user.id)
            )
            is not None,
        ),
        200,
    )


def _warn_shared_phone(user: User) -> None:
    keyring = active_keyring()
    for number in {n for n in (user.phone, user.whatsapp) if n}:
        others = same_phone_accounts(db.session(), user.id, number, keyring)
        if others:
            flash(
                _(
                    "Attention : ce numéro est aussi enregistré pour %(codes)s.",
                    codes=", ".join(others),
                ),
                "warning",
            )


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
def user_edit(user_id: int):
    user = _user_or_404(user_id)
    profile = user.profile or TalentProfile()  # attached only when saved
    form = AdminProfileForm()
    form.note_unreadable(user, profile)
    before = service.snapshot(user)
    if request.method == "GET":
        # The form shows the decrypted contact data: that is a display, recorded as one.
        service.contact_details(db.session(), user, current_actor())
        form.fill_from(user, profile)
    form.fill_choices(db.session(), current_language())
    status = 400 if request.method == "POST" and not form.wants_cities() else 200
    if request.method == "POST" and not form.wants_cities() and form.validate():

        def trace() -> None:
            changed = service.changed_fields(before, user)
            service.record_update(db.session(), user, current_actor(), changed)

        try:
            save_profile(
                db.session(),
                user,
                profile,
                form.to_input(),
                form.files_input(),
                Path(current_settings().upload_dir),
                account=form.account_changes(),
                before_commit=trace,
            )
        except Refused as refusal:
            status = apply_to_form(form, refusal)
        else:
            flash(_("Le profil de %(code)s est enregistré.", code=user.code), "success")
            _warn_shared_phone(user)
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template(
        "admin/user_edit.html",
        form=form,
        user=user,
        profile=profile,
        # Its own form (posting to user_capabilities), never bound to this page's POST.
        capabilities_form=CapabilitiesForm(capabilities=sorted(user.capabilities), formdata=None),
        capability_hints=CAPABILITY_HINTS,
    ), status


@bp.route("/users/new", methods=["GET", "POST"])
def user_new():
    form = AdminProfileForm()
    form.fill_choices(db.session(), current_language())
    status = 400 if request.method == "POST" and not form.wants_cities() else 200
    if request.method == "POST" and not form.wants_cities() and form.validate():
        actor = current_actor()

        def trace(created: User) -> None:
            db.session.flush()
            audit.record(db.session(), AuditAction.USER_CREATE, actor, **audit.about(created))

        try:
            user = create_talent(
                db.session(),
                current_passwords(),
                form.account_input(),
                form.to_input(),
                form.files_input(),
                Path(current_settings().upload_dir),
                before_commit=trace,
            )
        except Refused as refusal:
            status = apply_to_form(form, refusal)
        else:
            _send_link(user)
            flash(_("Compte %(code)s créé.", code=user.code), "success")
            _warn_shared_phone(user)
            return redirect(url_for("admin.user_detail", user_id=user.id))
    return render_template("admin/user_new.html", form=form), status


def _send_link(user: User) -> None:
    """E-mail the set-password link (never a password) once the request commits, and record
    it; a warning is flashed if the mail cannot leave."""
    email = user.email

    def tell(sent: bool) -> None:
        if sent:
            message = _("Un lien pour choisir son mot de passe a été envoyé à %(email)s.")
            flash(message % {"email": email}, "info")
        else:
            flash(_("L'e-mail n'a pas pu être envoyé : réessayez depuis la fiche."), "warning")

    issue_set_password_link(db.session(), current_settings(), user, report=tell)
    audit.record(db.session(), AuditAction.PASSWORD_LINK_SENT, current_actor(), **audit.about(user))


@bp.post("/users/<int:user_id>/send-link")
def user_send_link(user_id: int):
    user = _user_or_404(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if not user.is_active_account:
        flash(_("Activez d'abord ce compte."), "error")
    else:
        _send_link(user)
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.post("/users/<int:user_id>/send-verification")
def user_send_verification(user_id: int):
    """E-mail the account its verification link again (audited, within the account's limit)."""
    user = _user_or_404(user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if user.email_verified:
        flash(_("Cette adresse est déjà vérifiée."), "info")
    elif not user.is_active_account:
        flash(_("Activez d'abord ce compte."), "error")
    else:
        with login_limits.answering() as limits:
            attempt = verification.reserve_send(limits, user.id)
        if isinstance(attempt, login_limits.Refusal):
            flash(_("Trop de liens envoyés à cette adresse : réessayez plus tard."), "error")
        else:
            verification.send_verification(db.session(), current_settings(), user, current_actor())
            flash(_("Lien de vérification envoyé à %(email)s.", email=user.email), "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


def _refused(refused: service.AdminActionRefused, user: User):
    db.session.rollback()
    flash(str(refused.message), "error")
    return redirect(url_for("admin.user_detail", user_id=user.id)), 303


@bp.post("/users/<int:user_id>/capabilities")
def user_capabilities(user_id: int):
    user = _user_or_404(user_id)
    form = CapabilitiesForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        changed = service.set_capabilities(
            db.session(), current_user, user, form.capabilities.data or [], current_actor()
        )
    except service.AdminActionRefused as refused:
        return _refused(refused, user)
    if changed:
        flash(
            _(
                "Capacités de %(code)s : %(names)s.",
                code=user.code,
                names=capability_names(user.capabilities),
            ),
            "success",
        )
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.post("/users/<int:user_id>/status")
def user_status(user_id: int):
    user = _user_or_404(user_id)
    form = StatusForm()
    if not form.validate_on_submit() or form.active.data not in {"0", "1"}:
        abort(400)
    active = form.active.data == "1"
    try:
        service.set_active(db.session(), current_user, user, active, current_actor())
    except service.AdminActionRefused as refused:
        return _refused(refused, user)
    message = _("Compte %(code)s activé.") if active else _("Compte %(code)s désactivé.")
    flash(message % {"code": user.code}, "success")
    return redirect(url_for("admin.user_detail", user_id=user.id))


@bp.route("/users/<int:user_id>/delete", methods=["GET", "POST"])
def user_delete(user_id: int):
    user = _user_or_404(user_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        code = user.code
        try:
            files = service.delete_user(db.session(), current_user, user, current_actor())
        except service.AdminActionRefused as refused:
            return _refused(refused, user)
        delete_after_commit(db.session(), current_settings().upload_dir, *files)
        log.info("Compte supprimé par un administrateur : utilisateur id=%s", user_id)
        flash(_("Compte %(code)s supprimé, fichiers compris.", code=code), "success")
        return redirect(url_for("admin.users"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/user_delete.html", form=form, user=user), status


@bp.post("/users/bulk")
def users_bulk():
    """First POST: the selection and the action → a confirmation stating the count.
    Second POST (confirmed): the action, then back to the list."""
    form = ConfirmForm()
    action = request.form.get("action", "")
    given = request.form.getlist("ids")
    ids = [i for i in map(parse_id, given) if i is not None]
    if not form.validate_on_submit() and "csrf_token" in form.errors:
        abort(400)
    if len(ids) != len(given):  # the list only offers real ids: this one was made up
        abort(400)
    if action not in service.BULK_ACTIONS:
        flash(_("Choisissez une action."), "error")
        return redirect(_back_to_list())
    selected = service.users_by_ids(db.session(), ids)
    if not selected:
        flash(_("Cochez au moins un compte."), "error")
        return redirect(_back_to_list())
    if not form.confirm.data:
        return render_template(
            "admin/bulk_confirm.html",
            form=form,
            users=selected,
            action=action,
            action_label=BULK_LABELS[action],
            back=_back_to_list(),
        ), 200
    outcome = service.apply_bulk(db.session(), current_user, selected, action, current_actor())
    delete_after_commit(db.session(), current_settings().upload_dir, *outcome.files)
    flash(
        ngettext(
            "%(num)d compte traité (%(action)s).",
            "%(num)d comptes traités (%(action)s).",
            outcome.done,
            action=BULK_LABELS[action],
        ),
        "success",
    )
    for code, reason in outcome.refused:
        flash(f"{code} : {reason}", "error")
    return redirect(_back_to_list())
