"""The client review page, without an account (blueprint ``review``, issue 14 point 5):

- ``GET  /review/<token>``                   the shortlist's faces (or the passcode form)
- ``POST /review/<token>``                   the passcode (``passcode``), or a verdict on one
                                             face (``entry``, ``verdict``, ``comment``)
- ``GET  /review/<token>/photo/<name>``      a face's thumbnail, made small, for this link only

A forged or altered token, or a link whose role, project or company was deleted, is a 404; an
expired or revoked one a 410 page saying so and whom to ask. Casting photos are staff-only
files (404 to anyone else on /cinema/media), so the page's photos come through the link: a
thumbnail is served only if it belongs to a face of the link's shortlist and the link is open
(and unlocked, with a passcode). Every view of the page is audited (review_services).

Passcode attempts are counted before the hash is checked, per client network and link and per
link (accounts.login_limits, as logins: atomic, a correct code gives its place back); the
pages also carry Flask-Limiter's per-address limit of the other public pages.
"""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_date

from talento.accounts import login_limits
from talento.audit.web import current_actor
from talento.casting.media_files import PHOTO_NAME_RE, THUMBS_DIR
from talento.context import current_passwords, current_settings
from talento.extensions import db, limiter, utcnow
from talento.i18n import gettext as _
from talento.profiles.search.query_args import parse_id
from talento.projects import review_services as reviews
from talento.projects.links import read_token
from talento.projects.models import ReviewLink
from talento.projects.review_photos import small_thumbnail
from talento.projects.vocabulary import REVIEW_VERDICTS
from talento.refusals import Refused

bp = Blueprint("review", __name__, url_prefix="/review")

#: The page and its verdicts (each verdict is a POST and the page again).
PAGE_LIMIT = "120 per minute"
#: A page shows up to a few hundred thumbnails: their own, wider limit.
PHOTO_LIMIT = "1200 per minute"
PASSCODE_AT_ADDRESS = "review-passcode-address"
PASSCODE_FOR_LINK = "review-passcode-link"
PASSCODE_LIMIT_AT_ADDRESS = "5 per 15 minutes;20 per day"
PASSCODE_LIMIT_FOR_LINK = "50 per day"
#: Links unlocked by a passcode in this browser (the session cookie is signed).
UNLOCKED = "review_unlocked"


def _link_or_404(token: str) -> ReviewLink:
    link_id = read_token(current_app.config["SECRET_KEY"], "review", token)
    link = reviews.find_link(db.session(), link_id) if link_id is not None else None
    if link is None:
        abort(404)
    return link


def _unlocked(link: ReviewLink) -> bool:
    return not link.passcode_hash or link.id in session.get(UNLOCKED, [])


def _unlock(link: ReviewLink) -> None:
    kept = [i for i in session.get(UNLOCKED, []) if isinstance(i, int) and i != link.id]
    session[UNLOCKED] = [*kept[-19:], link.id]


def _gone(link: ReviewLink, state: str):
    """410: the link existed; say why it no longer opens, and whom to ask. The view is audited
    and committed here (an error answer rolls the request's work back)."""
    sess = db.session()
    who = reviews.creator_name(sess, link)
    day = format_date(reviews.last_day(link), "d MMMM y")
    reviews.record_view(sess, link, current_actor(), state)
    sess.commit()
    return render_template("projects/review_gone.html", state=state, who=who, day=day), 410


@bp.route("/<token>", methods=["GET", "POST"])
@limiter.limit(PAGE_LIMIT)
def page(token: str):
    link = _link_or_404(token)
    state = reviews.state_of(link, utcnow())
    if state != reviews.OPEN:
        return _gone(link, state)
    if not _unlocked(link):
        if request.method == "POST" and "passcode" in request.form:
            return _check_passcode(link, token)
        reviews.record_view(db.session(), link, current_actor(), "passcode")
        return render_template("projects/review_passcode.html", token=token, error=None)
    if request.method == "POST":
        return _verdict(link, token)
    faces = reviews.review_faces(db.session(), link)
    reviews.record_view(db.session(), link, current_actor(), state, len(faces))
    return render_template(
        "projects/review.html",
        token=token,
        role=link.role,
        project=link.role.project,
        faces=faces,
        verdicts=REVIEW_VERDICTS,
        last_day=format_date(reviews.last_day(link), "d MMMM y"),
        comment_max=reviews.MAX_COMMENT,
    )


def _passcode_buckets(limits: login_limits.LoginLimits, link: ReviewLink):
    where = login_limits.client_network(request.remote_addr)
    subject = f"link:{link.id}"
    return [
        login_limits.Bucket(
            PASSCODE_AT_ADDRESS,
            limits.digest(PASSCODE_AT_ADDRESS, subject, where),
            login_limits.limits_of(PASSCODE_LIMIT_AT_ADDRESS),
        ),
        login_limits.Bucket(
            PASSCODE_FOR_LINK,
            limits.digest(PASSCODE_FOR_LINK, subject),
            login_limits.limits_of(PASSCODE_LIMIT_FOR_LINK),
        ),
    ]


def _check_passcode(link: ReviewLink, token: str):
    with login_limits.answering() as limits:
        attempt = limits.reserve(_passcode_buckets(limits, link))
    if isinstance(attempt, login_limits.Refusal):
        minutes = max(1, -(-attempt.retry_after // 60))
        error = _("Trop d'essais. Réessayez dans %(num)s minutes.", num=minutes)
        response = current_app.make_response(
            (render_template("projects/review_passcode.html", token=token, error=error), 429)
        )
        response.headers["Retry-After"] = str(attempt.retry_after)
        return response
    passcode = request.form.get("passcode", "")[:200]
    if not reviews.passcode_ok(link, passcode, current_passwords()):
        error = _("Code d'accès incorrect.")
        return render_template("projects/review_passcode.html", token=token, error=error), 422
    with login_limits.answering():
        attempt.release()
    _unlock(link)
    return redirect(url_for("review.page", token=token), code=303)


def _verdict(link: ReviewLink, token: str):
    entry_id = parse_id(request.form.get("entry", ""))
    try:
        reviews.record_verdict(
            db.session(),
            link,
            entry_id,
            request.form.get("verdict", ""),
            request.form.get("comment", ""),
        )
    except Refused as refusal:
        flash(refusal.message, "error")
        return redirect(url_for("review.page", token=token), code=303)
    flash(_("Avis enregistré. Merci !"), "success")
    return redirect(url_for("review.page", token=token) + f"#face-{entry_id}", code=303)


@bp.get("/<token>/photo/<name>")
@limiter.limit(PHOTO_LIMIT)
def photo(token: str, name: str) -> Response:
    link = _link_or_404(token)
    if reviews.state_of(link, utcnow()) != reviews.OPEN or not _unlocked(link):
        abort(404)
    if not PHOTO_NAME_RE.match(name) or not reviews.photo_on_link(db.session(), link, name):
        abort(404)
    root = current_settings().upload_dir
    made = small_thumbnail(Path(root).resolve() / THUMBS_DIR / name)
    if made is None:
        abort(404)
    body, mimetype = made
    response = Response(body, mimetype=mimetype)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
