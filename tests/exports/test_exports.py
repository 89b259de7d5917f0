"""Exports of the admin's filtered list through the real routes (PostgreSQL; a few on SQLite)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select, text

from talento.audit.models import AuditAction, AuditEvent
from talento.extensions import utctoday
from tests.exports.reading import csv_rows, pdf_text_rows, xlsx_rows, xlsx_sheet
from tests.helpers import _csrf_from, login

URL = "/admin/users/export"
PHONE = "+212612345678"
WHATSAPP = "+212698765432"
ADDRESS = "12 rue des Oudayas, Rabat"


@pytest.fixture
def admin(make_user):
    make_user(
        code="MAN0001RAB", email="chef@example.org", capabilities=["admin"], last_name="Admin"
    )
    return "chef@example.org"


@pytest.fixture
def people(make_talent):
    """Three talents in Morocco (one with contact data), one in Senegal."""
    return {
        "amina": make_talent(
            code="MAF0001CAS",
            email="amina@example.org",
            first_name="Amina",
            last_name="Benali",
            phone=PHONE,
            whatsapp=WHATSAPP,
            address=ADDRESS,
            date_of_birth=dt.date(1995, 4, 2),
            skills=["actor", "singer"],
            availability="soon",
        ),
        "youssef": make_talent(
            code="MAM0002CAS",
            email="youssef@example.org",
            first_name="Youssef",
            last_name="Alaoui",
            gender="M",
            skills=["dancer"],
        ),
        "hacker": make_talent(
            code="MAF0003CAS",
            email="eve@example.org",
            first_name='=HYPERLINK("http://evil.example","x")',
            last_name="Zed",
        ),
    }


@pytest.fixture
def admin_client(client, admin, people):
    response = login(client, admin)
    assert response.status_code == 302
    return client


def _post(client, query: str = "", **form):
    page = client.get(URL + query)
    assert page.status_code == 200
    data = {"csrf_token": _csrf_from(page.get_data(as_text=True)), "format": "csv"}
    data.update(form)
    return client.post(URL + query, data=data)


def _audit(session) -> list[AuditEvent]:
    session.expire_all()
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def _exports(session) -> list[AuditEvent]:
    kinds = {AuditAction.EXPORT.value, AuditAction.PERSONAL_DATA_EXPORT.value}
    return [e for e in _audit(session) if e.action in kinds]


# --- the form -----------------------------------------------------------------------------


def test_form_counts_the_filtered_rows_and_keeps_the_filters(admin_client):
    page = admin_client.get(URL + "?q=ben&sort=name&page=3")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "1 compte sera exporté" in html
    action = re.search(r'<form method="post" action="([^"]+)" id="export-form"', html).group(1)
    assert "q=ben" in action
    assert "sort=name" in action
    assert "page=" not in action
    assert "<dt>Recherche</dt><dd>ben</dd>" in html
    assert 'name="include_personal"' in html
    assert "journal d&#39;audit" in html or "journal d'audit" in html


def test_form_counts_everyone_without_filters(admin_client):
    html = admin_client.get(URL).get_data(as_text=True)
    assert "4 comptes seront exportés" in html  # three talents and the admin
    assert "Aucun filtre" in html


def test_form_names_the_filters(admin_client):
    html = admin_client.get(URL + "?country=MA&capability=talent&status=active").get_data(
        as_text=True
    )
    assert "3 comptes seront exportés" in html
    for shown in ("<dd>Maroc</dd>", "<dd>Talent</dd>", "<dd>Actif</dd>"):
        assert shown in html


def test_anonymous_is_sent_to_login(client, people):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_non_admin_gets_403(client, people):
    login(client, "youssef@example.org")
    assert client.get(URL).status_code == 403
    token = _csrf_from(client.get("/profile/password").get_data(as_text=True))
    data = {"csrf_token": token, "format": "csv", "columns": ["code"]}
    assert client.post(URL, data=data).status_code == 403
    data.update(personal_columns=["phone"], include_personal="y")
    response = client.post(URL, data=data)
    assert response.status_code == 403
    assert PHONE not in response.get_data(as_text=True)


# --- CSV -----------------------------------------------------------------------------------


def test_csv_holds_only_the_filtered_list_and_the_chosen_columns(admin_client, session):
    response = _post(admin_client, "?q=ben", columns=["code", "last_name", "skills"])
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    today = utctoday().isoformat()
    assert (
        response.headers["Content-Disposition"]
        == f'attachment; filename="talento-utilisateurs-{today}.csv"'
    )
    assert response.headers["X-Accel-Buffering"] == "no"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "Content-Length" not in response.headers
    rows = csv_rows(response.get_data())
    assert rows == [["Code", "Nom", "Compétences"], ["MAF0001CAS", "Benali", "Chant, Comédien·ne"]]
    body = response.get_data(as_text=True)
    assert PHONE not in body
    assert "amina@example.org" not in body

    (event,) = _exports(session)
    assert event.action == AuditAction.EXPORT.value
    assert event.fields == ""
    assert '"rows":1' in event.detail
    assert '"format":"csv"' in event.detail
    assert '"columns":["code","last_name","skills"]' in event.detail
    assert '"filters":["q"]' in event.detail
    assert "ben" not in event.detail  # filter names only: the search box may hold a phone


@pytest.mark.both_backends
def test_capabilities_column_names_each_capability_in_order(admin_client, make_user):
    """One aggregate per account (string_agg on PostgreSQL, group_concat on SQLite), shown as
    labels in the usual order whatever order the database gives."""
    make_user(
        code="MAF0004CAS",
        email="both@example.org",
        capabilities=["admin", "recruiter", "talent"],
    )
    make_user(code="MAF0005CAS", email="recruiter@example.org", capabilities=["recruiter"])
    response = _post(admin_client, "?sort=code", columns=["code", "capabilities"])
    rows = csv_rows(response.get_data())
    assert rows[0] == ["Code", "Capacités"]
    assert rows[1:] == [
        ["MAF0001CAS", "Talent"],
        ["MAF0003CAS", "Talent"],
        ["MAF0004CAS", "Talent, Recruteur, Administrateur"],
        ["MAF0005CAS", "Recruteur"],
        ["MAM0002CAS", "Talent"],
        ["MAN0001RAB", "Administrateur"],
    ]
    response = _post(admin_client, "?capability=recruiter&sort=code", columns=["code"])
    assert csv_rows(response.get_data())[1:] == [["MAF0004CAS"], ["MAF0005CAS"]]


def test_csv_follows_the_list_order(admin_client):
    response = _post(admin_client, "?sort=name&capability=talent", columns=["last_name"])
    assert [r[0] for r in csv_rows(response.get_data())[1:]] == ["Alaoui", "Benali", "Zed"]


def test_csv_renders_labels_dates_and_neutralises_formulas(admin_client):
    response = _post(
        admin_client,
        "?capability=talent&sort=code",
        columns=["code", "first_name", "gender", "status", "country", "city", "created_at"],
    )
    rows = csv_rows(response.get_data())
    assert rows[0] == [
        "Code",
        "Prénom",
        "Genre",
        "Statut",
        "Pays",
        "Ville",
        "Inscription (UTC)",
    ]
    amina, hacker, youssef = rows[1:]  # by code
    assert amina[:6] == ["MAF0001CAS", "Amina", "Femme", "Actif", "Maroc", "Casablanca"]
    assert youssef[2] == "Homme"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", amina[6])
    assert hacker[1] == '\'=HYPERLINK("http://evil.example","x")'


@pytest.mark.both_backends
def test_csv_with_personal_data_decrypts_and_is_audited(admin_client, session, people):
    response = _post(
        admin_client,
        "?q=ben",
        columns=["code"],
        personal_columns=["email", "phone", "whatsapp", "address", "date_of_birth"],
        include_personal="y",
    )
    assert response.status_code == 200
    rows = csv_rows(response.get_data())
    assert rows[0] == ["Code", "E-mail", "Téléphone", "WhatsApp", "Adresse", "Date de naissance"]
    # The phone starts with « + »: neutralised in CSV, as documented.
    assert rows[1] == [
        "MAF0001CAS",
        "amina@example.org",
        "'" + PHONE,
        "'" + WHATSAPP,
        ADDRESS,
        "1995-04-02",
    ]

    export, personal = _exports(session)
    assert export.action == AuditAction.EXPORT.value
    assert personal.action == AuditAction.PERSONAL_DATA_EXPORT.value
    assert personal.fields == "address,date_of_birth,email,phone,whatsapp"
    assert '"rows":1' in personal.detail
    assert '"format":"csv"' in personal.detail
    assert personal.actor_code == "MAN0001RAB"
    # No value ever reaches the trail, in any column of any row.
    dump = " ".join(
        str(value) for row in session.execute(text("SELECT * FROM audit_events")) for value in row
    )
    for secret in (PHONE, PHONE[1:], WHATSAPP[1:], "Oudayas", "amina@example.org", "1995"):
        assert secret not in dump


def test_personal_columns_need_the_checkbox(admin_client, session):
    response = _post(admin_client, columns=["code"], personal_columns=["phone"])
    assert response.status_code == 400
    assert "Cochez cette case" in response.get_data(as_text=True)
    assert _exports(session) == []


def test_the_checkbox_alone_is_an_error(admin_client, session):
    response = _post(admin_client, columns=["code"], include_personal="y")
    assert response.status_code == 400
    assert _exports(session) == []


def test_unknown_columns_are_refused(admin_client, session):
    response = _post(admin_client, columns=["code", "password_hash"])
    assert response.status_code == 400
    assert _exports(session) == []


def test_an_unreadable_phone_exports_as_unavailable(admin_client, session, people):
    session.execute(
        text("UPDATE users SET phone = :bad WHERE id = :id"),
        {"bad": "000000000000$not-a-token", "id": people["amina"]},
    )
    session.commit()
    response = _post(
        admin_client, "?q=ben", columns=["code"], personal_columns=["phone"], include_personal="y"
    )
    assert response.status_code == 200
    assert csv_rows(response.get_data())[1] == ["MAF0001CAS", "Donnée indisponible"]


# --- XLSX ----------------------------------------------------------------------------------


@pytest.mark.both_backends
def test_xlsx_opens_with_the_filtered_rows(admin_client, session):
    response = _post(
        admin_client,
        "?capability=talent&sort=code",
        format="xlsx",
        columns=["code", "first_name", "skills", "availability", "created_at"],
        personal_columns=["phone", "date_of_birth"],
        include_personal="y",
    )
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    today = utctoday().isoformat()
    assert (
        f'filename="talento-utilisateurs-{today}.xlsx"' in response.headers["Content-Disposition"]
    )
    data = response.get_data()
    rows = xlsx_rows(data)
    assert rows[0] == [
        "Code",
        "Prénom",
        "Compétences",
        "Disponibilité",
        "Inscription (UTC)",
        "Téléphone",
        "Date de naissance",
    ]
    assert [r[0] for r in rows[1:]] == ["MAF0001CAS", "MAF0003CAS", "MAM0002CAS"]
    amina = rows[1]
    assert amina[2] == "Chant, Comédien·ne"
    assert amina[3] == "Prochainement"
    assert isinstance(amina[4], dt.datetime)
    assert amina[5] == PHONE  # exact in XLSX (quotePrefix style, no apostrophe in the value)
    assert amina[6] == dt.datetime(1995, 4, 2)  # noqa: DTZ001 - openpyxl reads naive values
    assert rows[3][5] is None  # no phone: empty cell
    sheet = xlsx_sheet(data)
    assert sheet.cell(row=2, column=6).quotePrefix is True
    hacker_name = sheet.cell(row=3, column=2)
    assert hacker_name.data_type == "s"
    assert hacker_name.quotePrefix is True
    assert sheet.freeze_panes == "A2"
    (_export, personal) = _exports(session)
    assert personal.fields == "date_of_birth,phone"
    assert '"format":"xlsx"' in personal.detail


def test_empty_list_still_gives_valid_files(admin_client):
    for fmt in ("csv", "xlsx", "pdf"):
        response = _post(admin_client, "?q=nobody", format=fmt, columns=["code", "last_name"])
        assert response.status_code == 200, fmt
        data = response.get_data()
        if fmt == "xlsx":
            assert xlsx_rows(data) == [["Code", "Nom"]]
        elif fmt == "csv":
            assert csv_rows(data) == [["Code", "Nom"]]
        else:
            assert data.startswith(b"%PDF")


# --- PDF -----------------------------------------------------------------------------------


def test_pdf_holds_the_filtered_rows(admin_client, session):
    response = _post(
        admin_client,
        "?country=MA&capability=talent&sort=code",
        format="pdf",
        columns=["code", "first_name", "last_name", "city", "skills"],
    )
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    today = utctoday().isoformat()
    assert f'filename="talento-utilisateurs-{today}.pdf"' in response.headers["Content-Disposition"]
    rows = pdf_text_rows(response.get_data())
    assert ["Code", "Prénom", "Nom", "Ville", "Compétences"] in rows
    assert ["MAF0001CAS", "Amina", "Benali", "Casablanca", "Chant, Comédien·ne"] in rows
    codes = [r[0] for r in rows if r and re.fullmatch(r"[A-Z]{3}\d{4}[A-Z]{3}", r[0])]
    assert codes == ["MAF0001CAS", "MAF0003CAS", "MAM0002CAS"]
    assert '"format":"pdf"' in _exports(session)[0].detail


def test_pdf_over_the_limit_is_refused_with_a_message(admin_client, session, monkeypatch):
    from talento.exports import formats

    monkeypatch.setattr(formats, "PDF_MAX_ROWS", 2)
    response = _post(admin_client, format="pdf", columns=["code"])
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Le PDF est limité à 2 lignes" in html
    assert "CSV ou XLSX" in html
    assert _exports(session) == []
    # Filtered below the limit, the same export goes through.
    assert _post(admin_client, "?q=ben", format="pdf", columns=["code"]).status_code == 200


# --- streaming -----------------------------------------------------------------------------


@pytest.mark.both_backends
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_body_is_streamed_in_several_chunks(admin_client, monkeypatch, fmt):
    from talento.exports import rows

    monkeypatch.setattr(rows, "BATCH_SIZE", 1)
    response = _post(admin_client, format=fmt, columns=["code", "last_name"])
    assert response.status_code == 200
    assert not response.is_sequence  # a generator, not a buffered body
    chunks = [chunk for chunk in response.response if chunk]
    assert len(chunks) >= (5 if fmt == "csv" else 2)  # header, then one per batch (4 people)
    data = b"".join(chunks)
    if fmt == "csv":
        assert len(csv_rows(data)) == 5
    else:
        assert len(xlsx_rows(data)) == 5


# --- the service's own rule ----------------------------------------------------------------


def test_service_refuses_personal_data_to_a_non_admin(app, session, people):
    from talento.audit.services import Actor
    from talento.crypto import active_keyring
    from talento.exports.services import ExportSpec, PersonalDataForbidden, start_export
    from talento.profiles.search.people import AdminFilters

    talent = Actor(id=people["youssef"], code="MAM0002CAS")
    spec = ExportSpec(fmt="csv", columns=("code", "phone"), include_personal=True)
    with app.test_request_context():
        with pytest.raises(PersonalDataForbidden):
            start_export(session, AdminFilters(), spec, talent, active_keyring())
        with pytest.raises(PersonalDataForbidden):
            start_export(session, AdminFilters(), spec, Actor(), active_keyring())
    assert _exports(session) == []
