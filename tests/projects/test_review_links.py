"""Client review links (issue 14 point 5): created, shown again and revoked by staff; a page
without an account showing public-safe fields only, light enough for a phone (50 faces under
400 KB), a passcode when set (rate-limited), verdicts that staff read on the shortlist, every
view audited, 410 for an expired or revoked link, 404 for a forged one."""

from __future__ import annotations

import datetime as dt
import json
import re
from html import unescape
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import select

from tests.projects.conftest import csrf


def _shortlisted(app, production, crowd, staff, n=2, **kwargs):
    ids = crowd(n, photos=1, languages=("ary", "fr"), **kwargs)
    client = staff()
    role_id = production["role_id"]
    client.post(
        f"/projects/roles/{role_id}/shortlist/add", data={"csrf_token": csrf(client), "talent": ids}
    )
    return client, role_id, ids


def _new_link(client, role_id: int, **fields) -> str:
    """Create a link through the page; returns its review path (from the shortlist page)."""
    data = {"csrf_token": csrf(client), "label": "Réalisateur", **fields}
    response = client.post(f"/projects/roles/{role_id}/review-links", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    link_id = int(response.location.rsplit("#link-", 1)[1])
    page = client.get(f"/projects/roles/{role_id}/shortlist").get_data(as_text=True)
    url = re.search(rf'id="link-url-{link_id}" value="([^"]+)"', page).group(1)
    assert url.startswith("http://localhost/review/")  # BASE_URL, not the request's host
    return urlsplit(url).path


def _audit(app, action: str) -> list[tuple]:
    from talento.audit.models import AuditEvent
    from talento.extensions import db

    with app.app_context():
        rows = db.session.execute(
            select(AuditEvent.actor_id, AuditEvent.detail)
            .where(AuditEvent.action == action)
            .order_by(AuditEvent.id)
        ).all()
        db.session.remove()
    return [(actor, json.loads(detail)) for actor, detail in rows]


def _link(app, **where):
    from talento.extensions import db
    from talento.projects.models import ReviewLink

    with app.app_context():
        link = db.session.scalars(select(ReviewLink).filter_by(**where)).one()
        db.session.expunge(link)
        db.session.remove()
    return link


def test_staff_create_a_link_see_it_again_and_the_client_reviews(app, production, crowd, staff):
    client, role_id, ids = _shortlisted(app, production, crowd, staff)
    path = _new_link(client, role_id)
    link = _link(app, role_id=role_id)
    assert link.label == "Réalisateur"
    assert link.passcode_hash is None
    assert link.expires_at.date() == dt.datetime.now(dt.UTC).date() + dt.timedelta(days=15)
    assert _audit(app, "review_link.create")[0][1]["link_id"] == link.id

    visitor = app.test_client()
    page = visitor.get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Sélection « Nomades »" in html
    assert "Youssef F." in html
    assert "Âge de jeu : 25–35 ans" in html
    assert "175 cm" in html
    assert "Langues : Darija (arabe marocain), Français" in html
    assert html.count('loading="lazy"') == 2
    entry_ids = re.findall(r'name="entry" value="(\d+)"', html)
    assert len(entry_ids) == 2

    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    response = visitor.post(
        path,
        data={
            "csrf_token": token,
            "entry": entry_ids[0],
            "verdict": "interested",
            "comment": "Parfait",
        },
    )
    assert response.status_code == 303
    assert response.location.endswith(f"#face-{entry_ids[0]}")
    visitor.post(
        path,
        data={
            "csrf_token": token,
            "entry": entry_ids[1],
            "verdict": "question",
            "comment": "Barbe ?",
        },
    )
    # A second verdict on the same face replaces the first.
    visitor.post(
        path, data={"csrf_token": token, "entry": entry_ids[1], "verdict": "not_interested"}
    )
    again = visitor.get(path).get_data(as_text=True)
    assert 'value="interested" checked' in again
    assert ">Parfait</textarea>" in again
    # Refused input: an unknown verdict, an entry of another role.
    bad = visitor.post(
        path,
        data={"csrf_token": token, "entry": entry_ids[0], "verdict": "maybe"},
        follow_redirects=True,
    )
    assert "Choisissez « Intéressé », « Pas intéressé » ou « Question »." in bad.get_data(
        as_text=True
    )
    bad = visitor.post(
        path,
        data={"csrf_token": token, "entry": "99999", "verdict": "interested"},
        follow_redirects=True,
    )
    assert "Ce talent ne fait plus partie de la sélection." in bad.get_data(as_text=True)

    staff_page = client.get(f"/projects/roles/{role_id}/shortlist").get_data(as_text=True)
    assert "<strong>Intéressé</strong> (Réalisateur) : Parfait" in staff_page
    assert "<strong>Pas intéressé</strong> (Réalisateur)" in staff_page
    assert "Barbe ?" not in staff_page

    views = _audit(app, "review_link.view")
    assert len(views) == 4  # every GET of the page (POSTs redirect to one)
    assert all(actor is None for actor, _d in views)
    assert views[0][1] == {"faces": 2, "link_id": link.id, "role_id": role_id, "state": "open"}


def test_the_review_page_shows_no_contact_id_or_code(app, production, crowd, staff):
    from talento.casting.models import CastingProfile
    from talento.extensions import db

    client, role_id, ids = _shortlisted(app, production, crowd, staff, phone="+212612345678")
    with app.app_context():
        for user_id in ids:
            profile = db.session.get(CastingProfile, user_id)
            profile.id_number = "BK123456"
            profile.guardian_email = "tuteur@example.org"
        db.session.commit()
        db.session.remove()
    path = _new_link(client, role_id)
    html = app.test_client().get(path).get_data(as_text=True)
    for private in (
        "612345678",
        "+212",
        "BK123456",
        "@example.org",
        "crowd",
        "MACRW",
        "MAM0",
        "Figurant",
        "1990",
    ):
        assert private not in html, private
    # The page links its photos through the link, never to the staff-only casting files.
    assert "/cinema/media/" not in html


def test_fifty_faces_weigh_under_400_kb_with_their_thumbnails(app, production, crowd, staff):
    client, role_id, ids = _shortlisted(app, production, crowd, staff, n=50)
    upload = Path(app.extensions["talento.settings"].upload_dir) / "casting" / "thumbs"
    stored = sum(p.stat().st_size for p in upload.iterdir())
    assert stored > 400_000  # the stored thumbnails alone would be too heavy
    path = _new_link(client, role_id)
    visitor = app.test_client()
    page = visitor.get(path)
    html = page.get_data(as_text=True)
    sources = re.findall(r'<img src="([^"]+)"[^>]*loading="lazy"', html)
    assert len(sources) == 50
    total = len(page.data)
    for src in sources:
        image = visitor.get(src)
        assert image.status_code == 200
        assert image.mimetype == "image/webp"
        total += len(image.data)
    print(f"review page of 50 faces: {total} bytes, stored thumbnails {stored} bytes")
    assert total < 400_000, f"{total} bytes"


def test_a_passcode_is_asked_first_and_guessing_it_is_limited(app, production, crowd, staff):
    client, role_id, _ids = _shortlisted(app, production, crowd, staff)
    path = _new_link(client, role_id, passcode="sable-2027")
    link = _link(app, role_id=role_id)
    assert link.passcode_hash.startswith("$argon2id$")
    assert "sable" not in link.passcode_hash
    page = client.get(f"/projects/roles/{role_id}/shortlist").get_data(as_text=True)
    assert "avec code d&#39;accès" in page or "avec code d'accès" in page

    visitor = app.test_client()
    first = visitor.get(path).get_data(as_text=True)
    assert "Code d&#39;accès" in first or "Code d'accès" in first
    assert "Youssef" not in first
    photo = re.sub(r"$", "", path) + "/photo/" + "0" * 22 + ".webp"
    assert visitor.get(photo).status_code == 404
    token = re.search(r'name="csrf_token" value="([^"]+)"', first).group(1)
    wrong = visitor.post(path, data={"csrf_token": token, "passcode": "desert"})
    assert wrong.status_code == 422
    assert "Code d&#39;accès incorrect." in wrong.get_data(as_text=True)
    right = visitor.post(path, data={"csrf_token": token, "passcode": "sable-2027"})
    assert right.status_code == 303
    assert "Youssef F." in visitor.get(path).get_data(as_text=True)
    states = [d["state"] for _a, d in _audit(app, "review_link.view")]
    assert states == ["passcode", "open"]

    # Another browser guessing: 5 wrong codes, then even the right one waits.
    guesser = app.test_client()
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', guesser.get(path).get_data(as_text=True)
    ).group(1)
    for _ in range(4):  # the first browser's wrong code counted too (same address)
        assert (
            guesser.post(path, data={"csrf_token": token, "passcode": "x" * 6}).status_code == 422
        )
    limited = guesser.post(path, data={"csrf_token": token, "passcode": "sable-2027"})
    assert limited.status_code == 429
    assert "Trop d&#39;essais" in limited.get_data(
        as_text=True
    ) or "Trop d'essais" in limited.get_data(as_text=True)
    assert int(limited.headers["Retry-After"]) > 0


def test_an_expired_link_answers_410_saying_so_and_whom_to_ask(app, production, crowd, staff):
    from talento.extensions import db
    from talento.projects.models import ReviewLink

    client, role_id, _ids = _shortlisted(app, production, crowd, staff)
    path = _new_link(client, role_id)
    with app.app_context():
        link = db.session.scalars(select(ReviewLink)).one()
        link.expires_at = dt.datetime(2026, 3, 16, tzinfo=dt.UTC)
        db.session.commit()
        db.session.remove()
    response = app.test_client().get(path)
    assert response.status_code == 410
    html = unescape(response.get_data(as_text=True))
    assert "Ce lien a expiré : il était valable jusqu'au 15 mars 2026 inclus." in html
    assert "demandez un nouveau lien à Salma Casting" in html
    assert "Youssef" not in html
    assert [d["state"] for _a, d in _audit(app, "review_link.view")] == ["expired"]
    photo = path + "/photo/" + "0" * 22 + ".webp"
    assert app.test_client().get(photo).status_code == 404


def test_a_revoked_link_answers_410(app, production, crowd, staff):
    client, role_id, _ids = _shortlisted(app, production, crowd, staff)
    path = _new_link(client, role_id)
    link = _link(app, role_id=role_id)
    assert app.test_client().get(path).status_code == 200
    response = client.post(
        f"/projects/review-links/{link.id}/revoke", data={"csrf_token": csrf(client)}
    )
    assert response.status_code == 303
    gone = app.test_client().get(path)
    assert gone.status_code == 410
    assert "L'équipe casting a retiré ce lien" in unescape(gone.get_data(as_text=True))
    assert _audit(app, "review_link.revoke")[0][1]["link_id"] == link.id
    page = client.get(f"/projects/roles/{role_id}/shortlist").get_data(as_text=True)
    assert f'id="link-url-{link.id}"' not in page
    assert "retiré" in page


def test_forged_altered_or_other_kind_tokens_are_404(app, production, crowd, staff):
    from talento.extensions import db, utcnow
    from talento.projects import links
    from talento.projects.models import Project

    client, role_id, _ids = _shortlisted(app, production, crowd, staff)
    path = _new_link(client, role_id)
    link = _link(app, role_id=role_id)
    visitor = app.test_client()
    token = path.rsplit("/", 1)[1]
    assert visitor.get("/review/nimportequoi").status_code == 404
    assert (
        visitor.get(
            "/review/" + token[:-2] + ("AA" if not token.endswith("AA") else "BB")
        ).status_code
        == 404
    )
    secret = app.config["SECRET_KEY"]
    assert visitor.get("/review/" + links.make_token(secret, "booking", link.id)).status_code == 404
    assert (
        visitor.get(
            "/review/" + links.make_token("another-secret-key-xx", "review", link.id)
        ).status_code
        == 404
    )
    assert visitor.get("/review/" + links.make_token(secret, "review", 999999)).status_code == 404
    assert _audit(app, "review_link.view") == []
    # A link of a deleted project is the same 404.
    with app.app_context():
        db.session.get(Project, production["project_id"]).deleted_at = utcnow()
        db.session.commit()
        db.session.remove()
    assert visitor.get(path).status_code == 404


def test_photos_come_only_through_an_open_link_and_only_of_its_faces(app, production, crowd, staff):
    from talento.casting.models import CastingPhoto
    from talento.extensions import db

    client, role_id, ids = _shortlisted(app, production, crowd, staff)
    (stranger,) = crowd(1, photos=1)
    path = _new_link(client, role_id)
    with app.app_context():
        thumbs = dict(
            db.session.execute(select(CastingPhoto.user_id, CastingPhoto.thumb_name)).all()
        )
        db.session.remove()
    visitor = app.test_client()
    assert visitor.get(f"{path}/photo/{thumbs[ids[0]]}").status_code == 200
    assert visitor.get(f"{path}/photo/{thumbs[stranger]}").status_code == 404
    assert visitor.get(f"{path}/photo/..%2F..%2Fsecret.webp").status_code == 404
    # The staff-only casting file itself stays 404 to the visitor.
    assert visitor.get(f"/cinema/media/thumbs/{thumbs[ids[0]]}").status_code == 404


def test_link_form_errors_are_readable(app, production, crowd, staff):
    client, role_id, _ids = _shortlisted(app, production, crowd, staff, n=1)
    url = f"/projects/roles/{role_id}/review-links"
    token = csrf(client)
    past = client.post(url, data={"csrf_token": token, "expires_on": "2020-01-01"})
    assert past.status_code == 422
    assert "Choisissez une date à venir." in past.get_data(as_text=True)
    bad = client.post(url, data={"csrf_token": token, "expires_on": "demain"})
    assert bad.status_code == 422
    assert "Date invalide." in bad.get_data(as_text=True)
    short = client.post(url, data={"csrf_token": token, "passcode": "abc"})
    assert short.status_code == 422
    assert "Le code d&#39;accès fait de 4 à 64 caractères." in short.get_data(as_text=True)
    far = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=400)).isoformat()
    too_far = client.post(url, data={"csrf_token": token, "expires_on": far})
    assert "Un lien dure au plus 180 jours." in too_far.get_data(as_text=True)
