"""The casting search page and its exports through HTTP: who may open them, hostile query
strings, the contact sheet and the table, the PDF and the XLSX of the same rows."""

from __future__ import annotations

import pytest

from tests.casting.search_fixtures import make_casting  # noqa: F401  (fixture)
from tests.exports.reading import pdf_text_rows, xlsx_rows
from tests.helpers import login

PATHS = ("/cinema/talents", "/cinema/talents/print.pdf", "/cinema/talents/export.xlsx")


@pytest.fixture
def staff(app, client, make_user):
    make_user(email="casting@example.org", capabilities=["casting"], code="MAF0900CAS")
    assert login(client, "casting@example.org").status_code == 302
    return client


@pytest.fixture
def faces(make_casting):  # noqa: F811
    make_casting(last_name="Amrani", first_name="Salma", gender="F", age=25, height_cm=165,
                 eye_colour="hazel", photo=True, languages={"fr": "native"})  # fmt: skip
    make_casting(last_name="Bennis", first_name="Omar", gender="M", age=40, height_cm=182,
                 eye_colour="brown", languages={"ar": "fluent"})  # fmt: skip
    make_casting(last_name="Cachée", gender="F", age=30, visibility="hidden")


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("capabilities", [["talent"], ["recruiter"], ["presence"]])
def test_others_are_refused(app, client, make_user, path, capabilities):
    make_user(email="other@example.org", capabilities=capabilities, code="MAF0901CAS")
    assert login(client, "other@example.org").status_code == 302
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", PATHS)
def test_anonymous_goes_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_admin_may_search(app, client, make_user):
    make_user(email="boss@example.org", capabilities=["admin"], code="MAF0902CAS")
    login(client, "boss@example.org")
    assert client.get("/cinema/talents").status_code == 200


def test_contact_sheet_table_and_facets(staff, faces):
    page = staff.get("/cinema/talents?gender=F").get_data(as_text=True)
    assert "Amrani" in page
    assert "Bennis" not in page
    assert "Cachée" not in page  # hidden by its owner
    assert "/cinema/media/thumbs/" in page  # the primary thumbnail
    assert "165 cm" in page
    assert 'name="eyes" value="hazel" checked' not in page
    assert "<details" in page  # the filters fold on a phone
    table = staff.get("/cinema/talents?view=table&sort=height").get_data(as_text=True)
    assert "<table" in table
    assert table.index("Amrani") < table.index("Bennis")
    # The eye-colour facet counts the result set: one hazel, one brown.
    everyone = staff.get("/cinema/talents?eyes=hazel&eyes=brown").get_data(as_text=True)
    assert 'name="eyes" value="hazel" checked> Noisette <small>1</small>' in everyone
    assert 'name="eyes" value="brown" checked> Marron <small>1</small>' in everyone


HOSTILE = [
    "q=%00",
    "q=" + "a" * 5000,
    "age_min=99999999999999999999&age_max=-1",
    "height_min=%C2%B2&height_max=%D9%A3",
    "near=99999999999999&km=100000",
    "near=0",
    "city=abc",
    "eyes=%00&eyes=purple&type[]=x&skill=swimming&skill=swimming",
    "page=99999999999999999999",
    "page=-3&sort=%27;drop",
    "gender[]=F&gender=X",
    "language=fr&level=%00",
    "months=7&card=%00&photo=2",
    "shoe_min=52&shoe_max=15&play_min=100&play_max=0",
    "nationality=%00%00&country=ZZ",
]


@pytest.mark.parametrize("query", HOSTILE)
@pytest.mark.parametrize("path", PATHS)
def test_hostile_query_strings_never_fail(staff, faces, path, query):
    # A NUL is refused by the app's input guard with a readable 400; the rest is ignored.
    expected = 400 if "%00" in query else 200
    assert staff.get(f"{path}?{query}").status_code == expected


def test_pdf_lists_the_faces_of_the_page(staff, faces):
    response = staff.get("/cinema/talents/print.pdf?sort=height")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    text = " ".join(" ".join(row) for row in pdf_text_rows(response.data))
    assert "Salma Amrani" in text
    assert "Omar Bennis" in text
    assert "Cachée" not in text
    assert text.index("Amrani") < text.index("Bennis")


def test_xlsx_reads_back_with_the_same_rows(staff, faces):
    response = staff.get("/cinema/talents/export.xlsx?sort=height")
    assert response.status_code == 200
    rows = xlsx_rows(response.data)
    assert rows[0][:4] == ["Code CINEMA", "Prénom", "Nom", "Genre"]
    assert [(r[1], r[2], r[6]) for r in rows[1:]] == [("Salma", "Amrani", "165"),
                                                      ("Omar", "Bennis", "182")]  # fmt: skip
    header = " ".join(str(c) for c in rows[0]).lower()
    for private in ("téléphone", "e-mail", "adresse", "naissance"):
        assert private not in header
    filtered = xlsx_rows(staff.get("/cinema/talents/export.xlsx?eyes=hazel").data)
    assert [r[2] for r in filtered[1:]] == ["Amrani"]


def test_the_lists_labels_follow_the_page_language(staff, faces):
    """The lists' labels are translated once per language (views._labels), never the first
    language's labels on the other's page."""
    french = staff.get("/cinema/talents?gender=F").get_data(as_text=True)
    english = staff.get("/cinema/talents?gender=F&lang=en").get_data(as_text=True)
    again = staff.get("/cinema/talents?gender=F&lang=fr").get_data(as_text=True)
    assert "Couleur des yeux" in french
    assert "Noisette" in french
    assert "Français" in french
    assert "Eye colour" in english
    assert "Hazel" in english
    assert "French" in english
    assert "Noisette" not in english
    assert "Noisette" in again
