"""The « Contacter » form of a public page and the « report abuse » page of relayed mail.

Endpoints (blueprint ``contact``):
- ``contact.form``    GET, POST /p/<code>/contact         the form; a POST relays the message
- ``contact.sent``    GET /p/<code>/contact/sent          « message sent » (after a POST)
- ``contact.report``  GET, POST /contact/report/<token>   the talent reports a relayed message

Views only: the rules are in talento.profiles.contact (and contact_reports). A refusal (bad
input, a limit) is the same form with everything typed kept and the error on its field, with
429 and Retry-After for a limit. A submission caught by a spam trap is answered exactly like a
sent message (the same redirect and page), so a robot learns nothing. Signed-in accounts get
their name pre-filled and write from their account's address (shown, not editable), so an
account can neither hide behind nor spend another address.
"""

from __future__ import annotations

import logging

from flask import Blueprint, abort, g, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from talento.accounts import login_limits
from talento.accounts.models import Capability
from talento.audit.web import current_actor
from talento.context import current_language, current_settings
from talento.extensions import db, limiter
from talento.i18n import gettext as _
from talento.profiles import contact, contact_reports, contact_traps
from talento.profiles.contact_forms import ContactForm
from talento.profiles.public_views import PUBLIC_LIMIT
from talento.refusals import Refused, apply_to_form

bp = Blueprint("contact", __name__)
log = logging.getLogger(__name__)


def _recipient_or_404(code: str) -> contact.Recipient:
    target = contact.recipient(db.session(), code, current_language())
    if target is None:
        abort(404)
    return target


def _account():
    return current_user if current_user.is_authenticated else None


def _is_recruiter(account) -> bool:
    """Recruiters (and admins) write without the per-talent caps of other senders."""
    return account is not None and (
        account.can(Capability.RECRUITER.value) or account.can(Capability.ADMIN.value)
    )


@bp.route("/p/<code>/contact", methods=["GET", "POST"])
@limiter.limit(PUBLIC_LIMIT, methods=["GET"])
def form(code: str):
    target = _recipient_or_404(code)
    settings = current_settings()
    account = _account()
    form = ContactForm()
    if account is not None:
        form.email.data = account.email  # an account writes from its own address
        if request.method == "GET":
            form.name.data = account.full_name
    if request.method == "GET":
        return _page(form, target)

    sender = contact.Sender(
        actor=current_actor(), recruiter=_is_recruiter(account), lang=current_language()
    )
    reason = contact_traps.trap_reason(
        settings.secret_key, target.code, form.stamp.data or "", form.website.data or ""
    )
    if reason is not None:
        with login_limits.answering() as limits:
            contact.record_trapped(
                db.session(), settings, limits, target.code, form.email.data or "", sender, reason
            )
        return redirect(url_for("contact.sent", code=target.code))
    if contact_traps.stamp_expired(settings.secret_key, form.stamp.data or "", target.code):
        form.validate()
        form.form_errors.append(
            _("Ce formulaire est resté ouvert longtemps : relisez votre message et envoyez-le.")
        )
        return _page(form, target), 400
    if not form.validate():
        return _page(form, target), 400
    message = contact.ContactMessage(
        name=form.name.data or "",
        organisation=form.organisation.data or "",
        email=form.email.data or "",
        body=form.message.data or "",
    )
    try:
        with login_limits.answering() as limits:
            contact.relay(db.session(), settings, limits, target.code, message, sender)
    except Refused as refusal:
        if refusal.status == 404:  # contact switched off meanwhile
            abort(404)
        status = apply_to_form(form, refusal)
        response = make_response(_page(form, target), status)
        if isinstance(refusal, contact.TooMany):
            response.headers["Retry-After"] = str(refusal.retry_after)
        return response
    return redirect(url_for("contact.sent", code=target.code))


def _page(form: ContactForm, target: contact.Recipient) -> str:
    """The form, with a fresh time stamp each time it is shown."""
    form.stamp.data = contact_traps.form_stamp(current_settings().secret_key, target.code)
    return render_template(
        "profiles/contact.html",
        form=form,
        talent_name=target.full_name,
        code=target.code,
        signed_in=current_user.is_authenticated,
        message_min=contact.MESSAGE_MIN,
        message_max=contact.MESSAGE_MAX,
    )


@bp.get("/p/<code>/contact/sent")
@limiter.limit(PUBLIC_LIMIT)
def sent(code: str):
    target = _recipient_or_404(code)
    return render_template(
        "profiles/contact_sent.html", talent_name=target.full_name, code=target.code
    )


@bp.route("/contact/report/<token>", methods=["GET", "POST"])
def report(token: str):
    """GET asks (a mail scanner following the link reports nothing); POST records."""
    session = db.session()
    check = contact_reports.check_report_token(session, current_settings().secret_key, token)
    if check.problem is not None:
        log.info("Lien de signalement refusé (%s)", check.problem)
        message = (
            _("Ce lien de signalement a expiré.")
            if check.problem == "expired"
            else _("Ce lien de signalement n'est pas valide. Vérifiez qu'il a été copié en entier.")
        )
        status = 410 if check.problem == "expired" else 400
        return _private(render_template("profiles/contact_report.html", problem=message), status)
    if request.method == "POST":
        new = contact_reports.report_abuse(session, check, request.remote_addr, g.get("request_id"))
        return _private(render_template("profiles/contact_report.html", done=True, new=new))
    return _private(render_template("profiles/contact_report.html"))


def _private(page: str, status: int = 200):
    """A page reached through a token: never sent as a Referer."""
    response = make_response(page, status)
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
