"""The talent's own space: profile, edit, password, my data, account deletion."""

from __future__ import annotations

import json
import logging
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from talento.accounts.confirmation_limit import confirmation_limited
from talento.accounts.current import signed_in_user
from talento.accounts.services import set_password
from talento.audit import services as audit
from talento.audit.models import AuditAction
from talento.audit.web import current_actor
from talento.context import current_language, current_passwords, current_settings
from talento.extensions import db, utctoday
from talento.i18n import gettext as _
from talento.profiles.account_forms import ChangePasswordForm, DeleteAccountForm
from talento.profiles.editing import save_profile
from talento.profiles.forms import EditProfileForm
from talento.profiles.languages import LANGUAGES, LEVEL_LABELS
from talento.profiles.models import TalentProfile
from talento.profiles.presence_forms import ResendForm
from talento.profiles.services import (
    completeness,
    delete_account,
    export_my_data,
)
from talento.refusals import Refused, apply_to_form

bp = Blueprint("profiles", __name__)
log = logging.getLogger(__name__)


@bp.get("/profile")
@login_required
def me():
    score, missing = completeness(current_user) if current_user.profile else (None, [])
    links = {}
    if current_user.profile is not None and current_user.profile.links:
        links = json.loads(current_user.profile.links)
    return render_template(
        "profiles/me.html",
        user=current_user,
        profile=current_user.profile,
        links=links,
        score=score,
        missing=missing,
        language_labels=LANGUAGES,
        verify_form=ResendForm(),
        level_labels=LEVEL_LABELS,
    )


@bp.route("/profile/edit", methods=["GET", "POST"])
@login_required
def edit():
    user = current_user
    profile = user.profile or TalentProfile()  # attached only when saved
    form = EditProfileForm()
    form.note_unreadable(user, profile)
    if request.method == "GET":
        form.fill_from(user, profile)
    form.fill_choices(db.session(), current_language())
    status = 400 if request.method == "POST" and not form.wants_cities() else 200
    if request.method == "POST" and not form.wants_cities() and form.validate():
        upload_dir = Path(current_settings().upload_dir)
        try:
            save_profile(
                db.session(), user, profile, form.to_input(), form.files_input(), upload_dir
            )
        except Refused as refusal:
            status = apply_to_form(form, refusal)
        else:
            flash(_("Votre profil est enregistré."), "success")
            return redirect(url_for("profiles.me"))
    return render_template("profiles/edit.html", form=form, profile=profile), status


@bp.route("/profile/password", methods=["GET", "POST"])
@login_required
@confirmation_limited
def change_password():
    from talento.accounts.password_policy import password_problem

    form = ChangePasswordForm()
    if form.validate_on_submit():
        # DataRequired: a validated form has both
        assert form.current_password.data is not None
        assert form.new_password.data is not None
        passwords = current_passwords()
        problem = password_problem(
            form.new_password.data,
            email=current_user.email,
            names=(current_user.first_name, current_user.last_name),
        )
        if not passwords.verify(current_user.password_hash, form.current_password.data).ok:
            form.current_password.errors = [_("Mot de passe actuel incorrect.")]
            # 401: a wrong password keeps its place in the per-account limit
            return render_template("profiles/password.html", form=form), 401
        if problem:
            form.new_password.errors = [problem]
        else:
            user = signed_in_user()
            set_password(user, form.new_password.data, passwords)
            audit.record(
                db.session(), AuditAction.PASSWORD_CHANGE, current_actor(), **audit.about(user)
            )
            login_user(user)  # this session continues with the new session version
            log.info("Mot de passe changé : utilisateur id=%s", user.id)
            flash(_("Mot de passe changé. Vos autres sessions sont fermées."), "success")
            return redirect(url_for("profiles.me"))
    status = 400 if request.method == "POST" else 200
    return render_template("profiles/password.html", form=form), status


@bp.get("/profile/my-data.json")
@login_required
def my_data():
    payload = json.dumps(export_my_data(current_user), ensure_ascii=False, indent=2)
    filename = f"talento-{current_user.code}-{utctoday().isoformat()}.json"
    return Response(
        payload,
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.route("/profile/delete", methods=["GET", "POST"])
@login_required
def delete():
    from talento.profiles.uploads import delete_after_commit

    form = DeleteAccountForm()
    if form.validate_on_submit():
        assert form.password.data is not None  # DataRequired: a validated form has it
        passwords = current_passwords()
        if not passwords.verify(current_user.password_hash, form.password.data).ok:
            form.password.errors = [_("Mot de passe incorrect.")]
        elif current_user.is_admin:
            form.password.errors = [_("Un compte administrateur ne se supprime pas ici.")]
        else:
            user = signed_in_user()
            user_id = user.id
            audit.record(
                db.session(),
                AuditAction.USER_DELETE,
                current_actor(),
                **audit.about(user),
                detail={"by": "self"},
            )
            files = delete_account(db.session(), user)
            delete_after_commit(db.session(), current_settings().upload_dir, *files)
            logout_user()
            log.info("Compte supprimé : utilisateur id=%s", user_id)
            flash(_("Votre compte et vos données ont été supprimés."), "info")
            return redirect(url_for("pages.home"))
    status = 400 if request.method == "POST" else 200
    return render_template("profiles/delete.html", form=form), status
