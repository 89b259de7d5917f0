"""Shortlists per role (issue 14 point 4): added from the casting search (one face, a
selection, every result of a search in one action), removed, reordered without JavaScript,
statuses, notes with their visibility, PDF and XLSX exports, and never shown to a talent."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from tests.pdf_reading import decode, pdf_streams, unicode_map
from tests.projects.conftest import csrf, shortlist_ids


def _search(client, role_id: int, query: str = "") -> str:
    response = client.get(f"/cinema/talents?role={role_id}&{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _entries(app, role_id: int) -> list:
    from talento.extensions import db
    from talento.projects.models import ShortlistEntry

    with app.app_context():
        rows = db.session.execute(
            select(ShortlistEntry.id, ShortlistEntry.talent_id, ShortlistEntry.status)
            .where(ShortlistEntry.role_id == role_id)
            .order_by(ShortlistEntry.position, ShortlistEntry.id)
        ).all()
        db.session.remove()
    return [tuple(row) for row in rows]


def test_search_from_a_role_offers_to_add_and_one_face_is_added(app, production, crowd, staff):
    ids = crowd(3)
    client = staff()
    role_id = production["role_id"]
    html = _search(client, role_id)
    assert "Ajouter à la shortlist de Nomades" in html
    assert f'name="talent" value="{ids[0]}"' in html
    assert "Tout ajouter (3 résultats)" in html
    assert f'name="role" value="{role_id}"' in html  # the filter form keeps the role
    # Without ?role= the search is the plain search: no checkbox, no add form.
    assert 'name="talent"' not in client.get("/cinema/talents").get_data(as_text=True)

    response = client.post(
        f"/projects/roles/{role_id}/shortlist/add",
        data={"csrf_token": csrf(client), "talent": [str(ids[1])], "add": "selection"},
    )
    assert response.status_code == 303
    assert f"role={role_id}" in response.location
    assert shortlist_ids(app, role_id) == [ids[1]]
    html = client.get(response.location).get_data(as_text=True)
    assert "1 talent ajouté à la shortlist « Nomades »." in html
    assert "Dans la shortlist" in html
    assert f'name="talent" value="{ids[1]}"' not in html
    # The table view has the same checkboxes, and its criteria travel with the add form.
    table = _search(client, role_id, "view=table&height_min=170")
    assert (
        f'<td><label class="cs-pick"><input type="checkbox" name="talent" value="{ids[0]}">'
        in table
    )
    assert '<input type="hidden" name="view" value="table">' in table
    assert '<input type="hidden" name="height_min" value="170">' in table


def test_a_selection_is_appended_in_order_without_duplicates(app, production, crowd, staff):
    ids = crowd(5)
    client = staff()
    role_id = production["role_id"]
    token = csrf(client)
    url = f"/projects/roles/{role_id}/shortlist/add"
    client.post(url, data={"csrf_token": token, "talent": [str(ids[2])]})
    response = client.post(
        url,
        data={
            "csrf_token": token,
            "talent": [str(ids[4]), str(ids[2]), str(ids[0]), "99999999", "x", "-3"],
        },
        follow_redirects=True,
    )
    assert "2 talents ajoutés à la shortlist « Nomades ». 1 y était déjà." in response.get_data(
        as_text=True
    )
    assert shortlist_ids(app, role_id) == [ids[2], ids[4], ids[0]]
    # Nothing checked: a readable message, nothing added.
    response = client.post(url, data={"csrf_token": token}, follow_redirects=True)
    assert "Cochez au moins un talent à ajouter." in response.get_data(as_text=True)


def test_add_all_takes_the_whole_result_set_of_300_in_one_action(app, production, crowd, staff):
    """A 300-person crowd role filled from a search in one action (every page, not one), in
    the search's order; adding again adds nothing. (Its speed is measured by `make bench`:
    bench/shortlists.py.)"""
    tall = crowd(300, height=180)
    crowd(20, height=160)  # outside the criteria
    client = staff()
    role_id = production["role_id"]
    html = _search(client, role_id, "height_min=170&sort=newest")
    assert "Tout ajouter (300 résultats)" in html
    next_page = html.split('rel="next" href="', 1)[1].split('"', 1)[0]
    assert f"role={role_id}" in next_page  # the next pages still add to the role
    token = csrf(client)
    response = client.post(
        f"/projects/roles/{role_id}/shortlist/add",
        data={"csrf_token": token, "all": "1", "height_min": "170", "sort": "newest"},
    )
    assert response.status_code == 303
    on_list = shortlist_ids(app, role_id)
    assert on_list == list(reversed(tall))  # « newest first », the search's order
    again = client.post(
        f"/projects/roles/{role_id}/shortlist/add",
        data={"csrf_token": token, "all": "1", "height_min": "170"},
        follow_redirects=True,
    )
    assert "Ces 300 talents sont déjà dans la shortlist." in again.get_data(as_text=True)
    assert len(shortlist_ids(app, role_id)) == 300


def test_reorder_with_buttons_and_with_the_order_form(app, production, crowd, staff):
    a, b, c = crowd(3)
    client = staff()
    role_id = production["role_id"]
    token = csrf(client)
    client.post(
        f"/projects/roles/{role_id}/shortlist/add", data={"csrf_token": token, "talent": [a, b, c]}
    )
    entries = {talent: entry for entry, talent, _s in _entries(app, role_id)}
    page = client.get(f"/projects/roles/{role_id}/shortlist").get_data(as_text=True)
    assert "Monter" in page
    assert "Descendre" in page
    response = client.post(
        f"/projects/shortlist/{entries[c]}/move", data={"csrf_token": token, "direction": "up"}
    )
    assert response.status_code == 303
    assert response.location.endswith(f"#entry-{entries[c]}")
    assert shortlist_ids(app, role_id) == [a, c, b]
    client.post(
        f"/projects/shortlist/{entries[a]}/move", data={"csrf_token": token, "direction": "down"}
    )
    assert shortlist_ids(app, role_id) == [c, a, b]
    # The first face cannot go higher; an unknown direction is refused with a message.
    client.post(
        f"/projects/shortlist/{entries[c]}/move", data={"csrf_token": token, "direction": "up"}
    )
    assert shortlist_ids(app, role_id) == [c, a, b]
    bad = client.post(
        f"/projects/shortlist/{entries[c]}/move",
        data={"csrf_token": token, "direction": "sideways"},
        follow_redirects=True,
    )
    assert "Choisissez « Monter » ou « Descendre »." in bad.get_data(as_text=True)
    # Drag and drop posts the whole order (what static/js/shortlist-order.js submits).
    order = f"{entries[b]},{entries[c]},999999,{entries[a]}"
    client.post(
        f"/projects/roles/{role_id}/shortlist/order", data={"csrf_token": token, "order": order}
    )
    assert shortlist_ids(app, role_id) == [b, c, a]
    # Removing a face.
    client.post(f"/projects/shortlist/{entries[c]}/remove", data={"csrf_token": token})
    assert shortlist_ids(app, role_id) == [b, a]


def test_status_per_face_and_for_a_selection(app, production, crowd, staff):
    a, b, c = crowd(3)
    client = staff()
    role_id = production["role_id"]
    token = csrf(client)
    client.post(
        f"/projects/roles/{role_id}/shortlist/add", data={"csrf_token": token, "talent": [a, b, c]}
    )
    entries = [entry for entry, _t, _s in _entries(app, role_id)]
    assert [s for _e, _t, s in _entries(app, role_id)] == ["suggested"] * 3
    client.post(
        f"/projects/shortlist/{entries[0]}/status",
        data={"csrf_token": token, "status": "contacted"},
    )
    response = client.post(
        f"/projects/roles/{role_id}/shortlist/status",
        data={"csrf_token": token, "status": "shortlisted", "entry": [entries[1], entries[2]]},
        follow_redirects=True,
    )
    assert "Statut changé pour 2 talents." in response.get_data(as_text=True)
    assert [s for _e, _t, s in _entries(app, role_id)] == [
        "contacted",
        "shortlisted",
        "shortlisted",
    ]
    bad = client.post(
        f"/projects/shortlist/{entries[0]}/status",
        data={"csrf_token": token, "status": "hired"},
        follow_redirects=True,
    )
    assert "Choisissez un statut de la liste." in bad.get_data(as_text=True)
    assert _entries(app, role_id)[0][2] == "contacted"
    page = client.get(f"/projects/roles/{role_id}/shortlist").get_data(as_text=True)
    assert '<option value="contacted" selected>Contacté</option>' in page


def test_a_private_note_is_shown_to_its_author_only(app, production, crowd, staff):
    (talent,) = crowd(1)
    author = staff("casting-a@example.org")
    other = staff("casting-b@example.org")
    role_id = production["role_id"]
    token = csrf(author)
    author.post(
        f"/projects/roles/{role_id}/shortlist/add", data={"csrf_token": token, "talent": [talent]}
    )
    (entry,) = [e for e, _t, _s in _entries(app, role_id)]
    author.post(
        f"/projects/shortlist/{entry}/note",
        data={"csrf_token": token, "body": "Secret : très bon à l'essai.", "visibility": "private"},
    )
    author.post(
        f"/projects/shortlist/{entry}/note",
        data={"csrf_token": token, "body": "Parle tachelhit.", "visibility": "team"},
    )
    mine = author.get(f"/projects/roles/{role_id}/shortlist").get_data(as_text=True)
    theirs = other.get(f"/projects/roles/{role_id}/shortlist").get_data(as_text=True)
    assert "Secret : très bon à l&#39;essai." in mine
    assert "visible par moi seulement" in mine
    assert "Parle tachelhit." in mine
    assert "Parle tachelhit." in theirs
    assert "Secret" not in theirs
    # An empty note or an unknown visibility is refused with a message.
    empty = author.post(
        f"/projects/shortlist/{entry}/note",
        data={"csrf_token": token, "body": "  ", "visibility": "team"},
        follow_redirects=True,
    )
    assert "Écrivez la note." in empty.get_data(as_text=True)


def _shortlist_of(app, production, crowd, staff, n=3):
    ids = crowd(n, photos=1)
    client = staff()
    role_id = production["role_id"]
    token = csrf(client)
    client.post(
        f"/projects/roles/{role_id}/shortlist/add", data={"csrf_token": token, "talent": ids}
    )
    entries = [e for e, _t, _s in _entries(app, role_id)]
    client.post(
        f"/projects/shortlist/{entries[0]}/status",
        data={"csrf_token": token, "status": "available"},
    )
    return client, role_id, ids


def _audit_details(app, action: str) -> list[dict]:
    from talento.audit.models import AuditEvent
    from talento.extensions import db

    with app.app_context():
        rows = db.session.scalars(select(AuditEvent.detail).where(AuditEvent.action == action))
        found = [json.loads(detail) for detail in rows]
        db.session.remove()
    return found


def test_the_pdf_contact_sheet_lists_the_faces_in_order_with_their_status(
    app, production, crowd, staff
):
    client, role_id, ids = _shortlist_of(app, production, crowd, staff)
    response = client.get(f"/projects/roles/{role_id}/shortlist.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    streams = pdf_streams(response.data)
    cmap = unicode_map(streams)
    import re

    texts = [
        decode(raw, cmap)
        for stream in streams
        for raw in re.findall(rb"\((.*?)\) Tj", stream, re.S)
    ]
    joined = "\n".join(texts)
    assert "Shortlist « Nomades » — Le Désert" in joined
    names = [t for t in texts if t.startswith("Youssef Figurant")]
    assert len(names) == 3
    assert "Disponible" in texts
    assert texts.count("Suggéré") == 2
    assert "MACRW" in joined
    assert _audit_details(app, "export") == [
        {"format": "pdf", "kind": "shortlist", "role_id": role_id, "rows": 3}
    ]


def test_the_xlsx_has_public_safe_columns_rank_and_status(app, production, crowd, staff):
    ids = crowd(2, phone="+212612345678")
    client = staff()
    role_id = production["role_id"]
    token = csrf(client)
    client.post(
        f"/projects/roles/{role_id}/shortlist/add", data={"csrf_token": token, "talent": ids}
    )
    response = client.get(f"/projects/roles/{role_id}/shortlist.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[0] == "Code CINEMA"
    assert header[-2:] == ("Rang", "Statut")
    assert not {"E-mail", "Téléphone", "Adresse", "Numéro d'identité"} & set(header)
    assert [r[-2:] for r in rows[1:]] == [("1", "Suggéré"), ("2", "Suggéré")]
    assert [r[1] for r in rows[1:]] == ["Youssef", "Youssef"]
    flat = " ".join(str(cell) for row in rows for cell in row if cell is not None)
    assert "612345678" not in flat
    assert "@example.org" not in flat
    assert _audit_details(app, "export") == [
        {"format": "xlsx", "kind": "shortlist", "role_id": role_id, "rows": 2}
    ]


def test_a_talent_never_sees_a_shortlist_or_a_note_about_them(
    app, production, crowd, staff, make_talent
):
    """The talent's own pages and « mes données » say nothing of the shortlist; its pages
    are refused to them (403, as to any account without the casting capability)."""
    from talento.casting.models import CastingProfile
    from talento.extensions import db

    talent_id = make_talent(email="me@example.org")
    with app.app_context():
        db.session.add(
            CastingProfile(user_id=talent_id, code="MACAS0009F", registration_step="done")
        )
        db.session.commit()
        db.session.remove()
    client = staff()
    role_id = production["role_id"]
    token = csrf(client)
    client.post(
        f"/projects/roles/{role_id}/shortlist/add",
        data={"csrf_token": token, "talent": [talent_id]},
    )
    (entry,) = [e for e, _t, _s in _entries(app, role_id)]
    client.post(
        f"/projects/shortlist/{entry}/note",
        data={"csrf_token": token, "body": "Note confidentielle Zeta", "visibility": "team"},
    )
    from tests.helpers import login

    talent = app.test_client()
    assert login(talent, "me@example.org").status_code == 302
    for url in (
        f"/projects/roles/{role_id}/shortlist",
        f"/projects/roles/{role_id}/shortlist.pdf",
        f"/projects/roles/{role_id}/shortlist.xlsx",
    ):
        assert talent.get(url).status_code == 403, url
    seen = ""
    for url in ("/profile", "/cinema/me", "/profile/my-data.json"):
        response = talent.get(url, follow_redirects=True)
        assert response.status_code == 200, url
        seen += response.get_data(as_text=True)
    for secret in ("Note confidentielle Zeta", "Nomades", "shortlist", "Shortlist", "Le Désert"):
        assert secret not in seen


def test_unknown_or_deleted_roles_and_entries_are_404(app, production, staff):
    from talento.extensions import db, utcnow
    from talento.projects.models import Project

    client = staff()
    token = csrf(client)
    assert client.get("/projects/roles/999999/shortlist").status_code == 404
    assert (
        client.post("/projects/shortlist/999999/remove", data={"csrf_token": token}).status_code
        == 404
    )
    with app.app_context():
        db.session.get(Project, production["project_id"]).deleted_at = utcnow()
        db.session.commit()
        db.session.remove()
    assert client.get(f"/projects/roles/{production['role_id']}/shortlist").status_code == 404
    # The search ignores a deleted role: no add form.
    html = _search(client, production["role_id"])
    assert "Ajouter à la shortlist" not in html


@pytest.mark.both_backends
def test_add_all_on_both_backends(app, production, crowd, staff):
    ids = crowd(4)
    client = staff()
    role_id = production["role_id"]
    response = client.post(
        f"/projects/roles/{role_id}/shortlist/add",
        data={"csrf_token": csrf(client), "all": "1", "sort": "newest"},
    )
    assert response.status_code == 303
    assert shortlist_ids(app, role_id) == list(reversed(ids))


@pytest.mark.committed
def test_two_people_adding_the_same_search_at_once_never_duplicate(app, production, crowd, staff):
    """PostgreSQL: two « Tout ajouter » of overlapping searches at the same moment both
    succeed; every face is on the list once, with its own position (the role row is locked
    while appending)."""
    import threading

    ids = crowd(60)
    clients = [staff("casting-a@example.org"), staff("casting-b@example.org")]
    tokens = [csrf(client) for client in clients]
    role_id = production["role_id"]
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def add(index: int) -> None:
        barrier.wait()
        response = clients[index].post(
            f"/projects/roles/{role_id}/shortlist/add",
            data={"csrf_token": tokens[index], "all": "1", "sort": "newest"},
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=add, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [303, 303]
    on_list = shortlist_ids(app, role_id)
    assert sorted(on_list) == sorted(ids)
    from talento.extensions import db
    from talento.projects.models import ShortlistEntry

    with app.app_context():
        positions = list(
            db.session.scalars(
                select(ShortlistEntry.position).where(ShortlistEntry.role_id == role_id)
            )
        )
        db.session.remove()
    assert len(set(positions)) == 60


def test_the_contact_sheet_of_a_300_face_crowd_stays_light(app, production, crowd, staff):
    """Issue 14 point 9: the PDF of a 300-person shortlist with a photo each: every page,
    thumbnails embedded as JPEG (not raw pixels). Its speed is `make bench`'s
    (bench/shortlists.py, through HTTP), never asserted here."""
    crowd(300, photos=1)
    client = staff()
    role_id = production["role_id"]
    client.post(
        f"/projects/roles/{role_id}/shortlist/add",
        data={"csrf_token": csrf(client), "all": "1"},
    )
    response = client.get(f"/projects/roles/{role_id}/shortlist.pdf")
    assert response.status_code == 200
    assert response.data.count(b"/Type /Page\n") == 15  # 20 faces a page
    assert len(response.data) < 10_000_000  # thumbnails embedded as JPEG, not raw pixels


def test_a_long_shortlist_is_paged_and_moves_cross_pages(app, production, crowd, staff):
    """40 faces a page (a crowd's page stays light); « Monter » on a page's first face
    swaps it with the previous page's last and shows the page where it now is; the order
    form of one page reorders that page's faces among their own places."""
    from talento.projects.shortlist_views import PER_PAGE

    ids = crowd(PER_PAGE + 5)
    client = staff()
    role_id = production["role_id"]
    token = csrf(client)
    client.post(
        f"/projects/roles/{role_id}/shortlist/add", data={"csrf_token": token, "talent": ids}
    )
    first_page = client.get(f"/projects/roles/{role_id}/shortlist").get_data(as_text=True)
    assert first_page.count('class="sl-face"') == PER_PAGE
    assert "45 talents dans la shortlist" in first_page
    assert "Page 1 sur 2" in first_page
    second = client.get(f"/projects/roles/{role_id}/shortlist?page=2").get_data(as_text=True)
    assert second.count('class="sl-face"') == 5
    assert f"{PER_PAGE + 1}. Youssef" in second
    entries = [entry for entry, _t, _s in _entries(app, role_id)]
    moved = client.post(
        f"/projects/shortlist/{entries[PER_PAGE]}/move",
        data={"csrf_token": token, "direction": "up"},
    )
    assert moved.location.endswith(f"/shortlist#entry-{entries[PER_PAGE]}")  # now on page 1
    order = shortlist_ids(app, role_id)
    assert order[PER_PAGE - 1] == ids[PER_PAGE]
    assert order[PER_PAGE] == ids[PER_PAGE - 1]
    # Page 2's own order, reversed by drag and drop: page 1 is untouched.
    page_two = [entry for entry, _t, _s in _entries(app, role_id)][PER_PAGE:]
    response = client.post(
        f"/projects/roles/{role_id}/shortlist/order",
        data={"csrf_token": token, "page": "2", "order": ",".join(map(str, reversed(page_two)))},
    )
    assert response.location.endswith("/shortlist?page=2")
    after = shortlist_ids(app, role_id)
    assert after[:PER_PAGE] == order[:PER_PAGE]
    assert after[PER_PAGE:] == list(reversed(order[PER_PAGE:]))
