"""Admin: people who must re-enter data lost in a key adoption, and one action e-mailing them.

The button starts the mailing as a background job (a thread of its own, with its own app
context and database session) running what `talento lost-data notify` runs; the page shows its
progress on reload. Each person is claimed before their message goes out, so a double click, a
second worker or a concurrent `talento lost-data notify` never sends anyone the message twice.
"""

from __future__ import annotations

import logging
import threading

from flask import Flask, current_app, flash, redirect, render_template, request, url_for

from talento.admin.blueprint import bp
from talento.admin.forms import ActionForm
from talento.audit.web import current_actor
from talento.context import current_settings
from talento.extensions import db
from talento.i18n import gettext as _
from talento.i18n import ngettext
from talento.keys.reentry import FIELD_LABELS, flagged_users, not_yet_notified, notify_flagged
from talento.profiles.search.query_args import QueryArgs
from talento.settings import Settings

PER_PAGE = 50
MAX_PAGE = 10_000

log = logging.getLogger(__name__)


def _notify_job(app: Flask, settings: Settings, actor) -> None:
    with app.app_context():
        try:
            notify_flagged(db.session(), settings, actor)
        except Exception:  # a thread has nobody to tell: log it; the next click resumes
            log.exception("Envoi des e-mails « données à ressaisir » interrompu")
        finally:
            db.session.remove()


def start_notify_job(app: Flask, settings: Settings, actor) -> threading.Thread:
    """Run the mailing beside the web worker's requests, never inside one."""
    job = threading.Thread(
        target=_notify_job, args=(app, settings, actor), name="talento-lost-data-notify"
    )
    job.start()
    return job


@bp.get("/lost-data")
def lost_data():
    page = QueryArgs(request.args).page(last=MAX_PAGE)
    users, total = flagged_users(db.session(), page, PER_PAGE)
    waiting = not_yet_notified(db.session())
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
    """Answer at once; the messages go out from a background job, each recorded when sent."""
    if not ActionForm().validate_on_submit():
        return redirect(url_for("admin.lost_data"))
    waiting = not_yet_notified(db.session())
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
    if waiting:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        start_notify_job(app, current_settings(), current_actor())
    return redirect(url_for("admin.lost_data"))
