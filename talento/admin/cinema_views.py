"""Admin pages of CINEMA: the list of casting profiles (filters, « demander de compléter »)
and one profile's page (what it lacks, its artist card: check it, or withdraw the check).
Thin: parse, call a service of admin.cinema / admin.cinema_actions, render."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_login import current_user

from talento.accounts.models import User
from talento.admin import cinema as service
from talento.admin.blueprint import bp
from talento.admin.cinema_actions import (
    RESEND_AFTER,
    card_number_for_admin,
    request_completion,
    unverify_card,
    verify_card,
)
from talento.admin.forms import ActionForm
from talento.audit.web import current_actor
from talento.casting.models import CastingProfile
from talento.context import current_language, current_settings
from talento.extensions import db, utcnow, utctoday
from talento.geo.services import country_choices
from talento.i18n import gettext as _
from talento.i18n import ngettext
from talento.profiles.search.query_args import QueryArgs, parse_id
from talento.refusals import Refused


def _back() -> str:
    """The list with its filters (`back` is a same-site path under /admin/cinema)."""
    back = request.form.get("back") or ""
    if back.startswith("/admin/cinema") and "//" not in back and "\\" not in back:
        return back
    return url_for("admin.cinema")


@bp.get("/cinema")
def cinema():
    filters = service.parse_filters(request.args)
    page = QueryArgs(request.args).page(last=service.MAX_PAGE)
    listing = service.list_profiles(db.session(), filters, page, utctoday())
    return render_template(
        "admin/cinema.html",
        filters=filters,
        listing=listing,
        countries=country_choices(db.session(), current_language()),
        form=ActionForm(),
        current_path=request.full_path.rstrip("?"),
        **service.cinema_labels(),
    )


def _report(report) -> None:
    if report.sent:
        flash(
            ngettext(
                "E-mail « compléter le profil » envoyé à %(num)d talent.",
                "E-mail « compléter le profil » envoyé à %(num)d talents.",
                len(report.sent),
            ),
            "success",
        )
    if report.to_guardian:
        flash(
            ngettext(
                "E-mail envoyé au parent ou tuteur de %(num)d mineur : %(names)s.",
                "E-mail envoyé aux parents ou tuteurs de %(num)d mineurs : %(names)s.",
                len(report.to_guardian),
                names=", ".join(report.to_guardian),
            ),
            "success",
        )
    for name, when in report.too_recent:
        flash(
            _(
                "%(name)s : déjà relancé le %(date)s ; une nouvelle demande est possible "
                "7 jours après la précédente, à partir du %(next)s.",
                name=name,
                date=format_date(when.date(), "d MMMM y"),
                next=format_date((when + RESEND_AFTER).date(), "d MMMM y"),
            ),
            "warning",
        )
    if report.complete:
        flash(
            _("Profil déjà complet, rien envoyé : %(names)s.", names=", ".join(report.complete)),
            "info",
        )
    if report.no_address:
        flash(
            _(
                "Mineur sans adresse e-mail de parent ou tuteur lisible, rien envoyé : %(names)s.",
                names=", ".join(report.no_address),
            ),
            "warning",
        )


@bp.post("/cinema/request-completion")
def cinema_request_completion():
    """« Demander de compléter »: one profile (its row's button, `one`) or the ticked ones."""
    if not ActionForm().validate_on_submit():
        abort(400)
    given = request.form.getlist("one")[:1] or request.form.getlist("ids")
    ids = [i for i in map(parse_id, given) if i is not None]
    if len(ids) != len(given):  # the pages only offer real ids
        abort(400)
    if not ids:
        flash(_("Cochez au moins un profil."), "error")
        return redirect(_back())
    report = request_completion(db.session(), current_settings(), ids, current_actor(), utcnow())
    _report(report)
    return redirect(_back())


def _profile_or_404(user_id: int) -> tuple[CastingProfile, User]:
    profile = db.session.get(CastingProfile, user_id)
    user = db.session.get(User, user_id)
    if profile is None or user is None:
        abort(404)
    return profile, user


@bp.get("/cinema/<int:user_id>")
def cinema_profile(user_id: int):
    profile, user = _profile_or_404(user_id)
    row = service.one_profile(db.session(), user_id, utctoday())
    assert row is not None  # the profile exists
    number = card_number_for_admin(db.session(), profile, user, current_actor())
    verifier = (
        db.session.get(User, profile.artist_card_verified_by_id)
        if profile.artist_card_verified_by_id
        else None
    )
    return render_template(
        "admin/cinema_profile.html",
        user=user,
        profile=profile,
        row=row,
        card_number=number,
        verifier=verifier,
        form=ActionForm(),
        **service.cinema_labels(),
    )


@bp.post("/cinema/<int:user_id>/card/verify")
def cinema_card_verify(user_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    profile, user = _profile_or_404(user_id)
    try:
        changed = verify_card(
            db.session(), profile, user, current_user.id, current_actor(), utcnow()
        )
    except Refused as refusal:
        flash(str(refusal.message), "error")
        return redirect(url_for("admin.cinema_profile", user_id=user_id))
    if changed:
        flash(_("Carte d'artiste marquée comme vérifiée."), "success")
    else:
        flash(_("Cette carte était déjà vérifiée."), "info")
    return redirect(url_for("admin.cinema_profile", user_id=user_id))


@bp.post("/cinema/<int:user_id>/card/unverify")
def cinema_card_unverify(user_id: int):
    if not ActionForm().validate_on_submit():
        abort(400)
    profile, user = _profile_or_404(user_id)
    if unverify_card(db.session(), profile, user, current_actor()):
        flash(_("Vérification de la carte d'artiste retirée."), "success")
    else:
        flash(_("Cette carte n'était pas vérifiée."), "info")
    return redirect(url_for("admin.cinema_profile", user_id=user_id))
