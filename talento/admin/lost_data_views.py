"""Admin: people who must re-enter data lost in a key adoption, and one action e-mailing them."""

from __future__ import annotations

from functools import partial

from flask import current_app, flash, make_response, redirect, render_template, request, url_for

from talento.admin.blueprint import bp
from talento.admin.forms import ActionForm
from talento.audit.web import current_actor
from talento.extensions import db
from talento.i18n import gettext as _
from talento.i18n import ngettext
from talento.keys.reentry import FIELD_LABELS, flagged_users, not_yet_notified, notify_flagged

PER_PAGE = 50


@bp.get("/lost-data")
def lost_data():
    page = max(1, request.args.get("page", 1, type=int) or 1)
    users, total = flagged_users(db.session, page, PER_PAGE)
    waiting = not_yet_notified(db.session)
    return render_template(
        "admin/lost_data.html",
        users=users,
        total=total,
        waiting=waiting,
        page=page,
        pages=max(1, -(-total // PER_PAGE)),
        field_labels=FIELD_LABELS,
        form=ActionForm(),
    )


@bp.post("/lost-data/notify")
def lost_data_notify():
    """Answer at once; the messages go out after the response, each recorded when sent."""
    if not ActionForm().validate_on_submit():
        return redirect(url_for("admin.lost_data"))
    waiting = not_yet_notified(db.session)
    if waiting:
        flash(
            ngettext(
                "Envoi de l'e-mail à %(num)d personne lancé. Rechargez la page pour suivre "
                "l'envoi.",
                "Envoi de l'e-mail à %(num)d personnes lancé. Rechargez la page pour suivre "
                "l'envoi.",
                waiting,
            ),
            "success",
        )
    else:
        flash(_("Chaque personne concernée a déjà reçu l'e-mail."), "info")
    response = make_response(redirect(url_for("admin.lost_data")))
    if waiting:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        settings = app.extensions["talento.settings"]
        response.call_on_close(partial(notify_flagged, app, settings, current_actor()))
    return response
