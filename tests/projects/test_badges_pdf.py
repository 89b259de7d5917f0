"""Badge PDFs (/projects/<id>/badges.pdf, /projects/roles/<id>/badges.pdf,
/projects/bookings/<id>/badge.pdf): one page of four identical badges per live booking, what
each badge says, QR codes decoded back from the PDF and verified with the published keys, the
audit rows, and who may print them. PostgreSQL, real files, no mock."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from talento.projects.badge_tokens import BadgeClaims, verify_badge
from tests.helpers import login, make_settings
from tests.projects.badge_helpers import (
    add_booking,
    add_talents,
    embedded_qr_tokens,
    image_draws,
    keys_from,
    make_production,
    page_texts,
    reader,
    rendered_pages,
)

STAFF_EMAIL = "badges-casting@example.org"
MARCH_15, MARCH_16, MARCH_17 = dt.date(2027, 3, 15), dt.date(2027, 3, 16), dt.date(2027, 3, 17)


@pytest.fixture
def settings(database_url, tmp_path_factory):
    return make_settings(database_url, upload_dir=str(tmp_path_factory.mktemp("uploads")))


@pytest.fixture
def production(app):
    """Role « Nomades » (extra): a confirmed and a pending booking, a cancelled and a declined
    one; role « Le Chef » (principal): one confirmed booking over three days."""
    made = make_production(app)
    talents = add_talents(app, 5)
    made.talents = talents
    add_booking(app, made, "Nomades", talents[0], "CCAFB0010001")
    add_booking(app, made, "Nomades", talents[1], "CCAFB0010002", status="pending")
    add_booking(app, made, "Nomades", talents[2], "CCAFB0010003", status="cancelled")
    add_booking(app, made, "Nomades", talents[3], "CCAFB0010004", status="declined")
    add_booking(
        app, made, "Le Chef", talents[4], "CCAFB0010005", days=(MARCH_17, MARCH_15, MARCH_16)
    )
    return made


@pytest.fixture
def staff(app, make_user):
    make_user(email=STAFF_EMAIL, capabilities=["casting"], code="MAF0901CAS")
    client = app.test_client()
    assert login(client, STAFF_EMAIL).status_code == 302
    return client


def _keys(client) -> dict[str, bytes]:
    response = client.get("/projects/badge-keys.json")
    assert response.status_code == 200
    return keys_from(response.get_json())


def _pdf(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert response.mimetype == "application/pdf"
    assert response.headers["Cache-Control"] == "private, no-store"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return response.data


def test_a_page_of_four_identical_badges_per_live_booking_whose_qr_codes_verify(
    app, staff, production
):
    pdf = _pdf(staff, f"/projects/{production.project_id}/badges.pdf")
    texts = page_texts(pdf)
    # Live bookings only, roles in their order (Nomades first), people by name.
    assert len(texts) == 3
    codes = ["CCAFB0010001", "CCAFB0010002", "CCAFB0010005"]
    for text, code in zip(texts, codes, strict=True):
        assert text.count(code) == 4, (code, text)
        for other in {*codes} - {code}:
            assert other not in text
    assert "CCAFB0010003" not in "".join(texts)  # cancelled
    assert "CCAFB0010004" not in "".join(texts)  # declined

    first = texts[0]
    # (the company name, without a logo, wraps in the logo's place)
    for expected in ("Le Désert des Tartares", "Atlas Films", "Nomades", "MATNG0001M"):
        assert first.count(expected) == 4, expected
    assert first.count("Fatima-Zahra") == 4
    assert first.count("15–16 mars 2027") == 4  # the booked days, in French
    assert first.count("FIGURANT") == 4  # the talent type, in the role box
    assert texts[2].count("15–17 mars 2027") == 4

    # Four QR codes drawn per page (the same image four times), one photo drawn four times.
    for draws in image_draws(pdf):
        assert sorted(draws.values()) == [4, 4], draws

    # Each page's QR code is the signed token of its booking, verified with the public keys
    # the app publishes, as a scanner would: no network, no private key.
    keys = _keys(staff)
    tokens = embedded_qr_tokens(pdf)
    expected_days = {
        "CCAFB0010001": (MARCH_15, MARCH_16),
        "CCAFB0010002": (MARCH_15, MARCH_16),
        "CCAFB0010005": (MARCH_15, MARCH_17),
    }
    for found, code in zip(tokens, codes, strict=True):
        assert len(found) == 1, found
        claims = verify_badge(keys, found[0])
        assert isinstance(claims, BadgeClaims), claims
        assert claims.booking_code == code
        assert claims.project_id == production.project_id
        assert (claims.valid_from, claims.valid_until) == expected_days[code]


def test_the_printed_page_shows_four_codes_a_phone_can_read(app, staff, production):
    """Rendered as a printer would (poppler), each of the page's four badges carries a
    readable QR code holding the same genuine token."""
    pdf = _pdf(staff, f"/projects/roles/{production.roles['Le Chef']}/badges.pdf")
    (page,) = rendered_pages(pdf, dpi=150)
    width, height = page.size
    keys = _keys(staff)
    quarters = [
        (0, 0, width // 2, height // 2),
        (width // 2, 0, width, height // 2),
        (0, height // 2, width // 2, height),
        (width // 2, height // 2, width, height),
    ]
    from tests.projects.badge_helpers import decode_qr

    for box in quarters:
        found = decode_qr(page.crop(box))
        assert len(found) == 1, (box, found)
        claims = verify_badge(keys, found[0])
        assert isinstance(claims, BadgeClaims)
        assert claims.booking_code == "CCAFB0010005"


def test_a_role_prints_its_own_live_bookings_and_a_booking_its_own_badge(app, staff, production):
    pdf = _pdf(staff, f"/projects/roles/{production.roles['Nomades']}/badges.pdf")
    texts = page_texts(pdf)
    assert [("CCAFB0010001" in t, "CCAFB0010002" in t) for t in texts] == [
        (True, False),
        (False, True),
    ]
    booking_id, _talent = production.bookings["CCAFB0010005"]
    (text,) = page_texts(_pdf(staff, f"/projects/bookings/{booking_id}/badge.pdf"))
    assert text.count("CCAFB0010005") == 4
    assert text.count("Le Chef") == 4
    assert text.count("RÔLE PRINCIPAL") == 4  # the talent type's label in the role box


def test_a_cancelled_or_declined_booking_has_no_badge(app, staff, production):
    for code in ("CCAFB0010003", "CCAFB0010004"):
        booking_id, _talent = production.bookings[code]
        response = staff.get(f"/projects/bookings/{booking_id}/badge.pdf")
        assert response.status_code == 409
        assert "annulée ou déclinée" in response.get_data(as_text=True)


def test_a_role_without_live_bookings_prints_a_page_that_says_so(app, staff):
    made = make_production(app, roles=(("Danseurs", "background_dancer"),))
    (text,) = page_texts(_pdf(staff, f"/projects/roles/{made.roles['Danseurs']}/badges.pdf"))
    assert "Aucune réservation en cours" in text


def test_the_company_logo_or_its_name_and_the_photo_or_initials(app, staff):
    made = make_production(app, logo=True, company_name="Sahara Prod")
    with_photo, without_photo = add_talents(app, 2, start=40, photo=True)[0], None
    without_photo = add_talents(app, 1, start=50, photo=False, names=["Youssef Amrani"])[0]
    add_booking(app, made, "Nomades", with_photo, "CCAFB0010040")
    add_booking(app, made, "Nomades", without_photo, "CCAFB0010050")
    pdf = _pdf(staff, f"/projects/{made.project_id}/badges.pdf")
    pages = reader(pdf).pages
    texts = page_texts(pdf)
    assert len(pages) == 2
    # The logo replaces the company's name on every badge.
    assert all("Sahara Prod" not in text for text in texts)
    logo_page, initials_page = (0, 1) if "CCAFB0010040" in texts[0] else (1, 0)
    sizes = sorted(image.image.size for image in pages[logo_page].images)
    assert len(sizes) == 3, sizes  # logo, photo, QR code
    # Without a photo: the initials on grey, and only the logo and the QR code as images.
    assert texts[initials_page].count("YA") == 4
    assert len(pages[initials_page].images) == 2


def test_every_print_is_audited_once_with_what_it_held(app, staff, production):
    from talento.audit.models import AuditAction, AuditEvent
    from talento.extensions import db

    _pdf(staff, f"/projects/{production.project_id}/badges.pdf")
    booking_id, talent_id = production.bookings["CCAFB0010005"]
    _pdf(staff, f"/projects/bookings/{booking_id}/badge.pdf")
    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == AuditAction.BADGES_PRINTED.value)
            .order_by(AuditEvent.id)
        ).all()
        assert len(events) == 2
        whole, single = events
        assert whole.actor_code == "MAF0901CAS"
        assert whole.subject_id is None
        assert json.loads(whole.detail) == {"bookings": 3, "project_id": production.project_id}
        assert single.subject_id == talent_id
        assert single.subject_code == "MAN0005TNG"
        assert json.loads(single.detail) == {
            "booking_id": booking_id,
            "bookings": 1,
            "project_id": production.project_id,
        }


def test_who_may_print(app, make_user, production):
    """Casting staff, the company's members and the presence account assigned to the project
    print; another company's member, a presence account elsewhere, a talent get a 404;
    anonymous visitors are sent to the login page."""
    from talento.extensions import db
    from talento.projects.models import CompanyMember, PresenceAssignment, ProductionCompany

    member = make_user(email="badges-member@example.org", capabilities=[], code="MAF0902CAS")
    outsider = make_user(email="badges-other@example.org", capabilities=[], code="MAF0903CAS")
    presence = make_user(email="badges-presence@example.org", capabilities=["presence"])
    elsewhere = make_user(email="badges-elsewhere@example.org", capabilities=["presence"])
    make_user(email="badges-talent@example.org")
    with app.app_context():
        other = ProductionCompany(name="Autre Prod", initials="AP")
        db.session.add(other)
        db.session.flush()
        db.session.add_all(
            [
                CompanyMember(company_id=production.company_id, user_id=member),
                CompanyMember(company_id=other.id, user_id=outsider),
                PresenceAssignment(
                    project_id=production.project_id, user_id=presence, day=MARCH_15
                ),
            ]
        )
        db.session.commit()
        db.session.remove()
    del elsewhere
    booking_id, _talent = production.bookings["CCAFB0010001"]
    urls = [
        f"/projects/{production.project_id}/badges.pdf",
        f"/projects/roles/{production.roles['Nomades']}/badges.pdf",
        f"/projects/bookings/{booking_id}/badge.pdf",
        f"/projects/{production.project_id}/talents.pdf",
    ]
    for email, status in (
        ("badges-member@example.org", 200),
        ("badges-presence@example.org", 200),
        ("badges-other@example.org", 404),
        ("badges-elsewhere@example.org", 404),
        ("badges-talent@example.org", 404),
    ):
        client = app.test_client()
        assert login(client, email).status_code == 302
        for url in urls:
            assert client.get(url).status_code == status, (email, url)
    anonymous = app.test_client()
    for url in urls:
        response = anonymous.get(url)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/auth/login")


def test_a_deleted_project_or_company_prints_nothing(app, staff, production):
    from talento.extensions import db, utcnow
    from talento.projects.models import ProductionCompany, Project

    url = f"/projects/{production.project_id}/badges.pdf"
    assert staff.get(url).status_code == 200
    with app.app_context():
        db.session.get(Project, production.project_id).deleted_at = utcnow()
        db.session.commit()
    assert staff.get(url).status_code == 404
    with app.app_context():
        db.session.get(Project, production.project_id).deleted_at = None
        db.session.get(ProductionCompany, production.company_id).deleted_at = utcnow()
        db.session.commit()
    assert staff.get(url).status_code == 404
    assert staff.get("/projects/999999/badges.pdf").status_code == 404
    assert staff.get("/projects/roles/999999/badges.pdf").status_code == 404
    assert staff.get("/projects/bookings/999999/badge.pdf").status_code == 404


def test_the_badge_keys_are_public_cacheable_and_verify_what_the_server_signs(app, client):
    from talento.projects.badge_tokens import public_keys, sign_claims

    response = client.get("/projects/badge-keys.json")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=3600"
    document = response.get_json()
    (key,) = document["keys"]
    assert set(key) == {"kid", "alg", "x"}
    assert key["alg"] == "Ed25519"
    secret = app.config["SECRET_KEY"]
    assert keys_from(document) == public_keys(secret)
    assert secret not in response.get_data(as_text=True)
    token = sign_claims(
        secret, booking_code="CCAFB0010009", project_id=1, valid_from=None, valid_until=None
    )
    assert isinstance(verify_badge(keys_from(document), token), BadgeClaims)


def test_a_presence_account_assigned_to_some_days_prints_the_bookings_of_those_days(
    app, make_user, production
):
    from talento.extensions import db
    from talento.projects.models import PresenceAssignment

    (late,) = add_talents(app, 1, start=60)
    late_id = add_booking(app, production, "Nomades", late, "CCAFB0010060", days=(MARCH_17,))
    presence = make_user(email="badges-day@example.org", capabilities=["presence"])
    with app.app_context():
        db.session.add(
            PresenceAssignment(project_id=production.project_id, user_id=presence, day=MARCH_15)
        )
        db.session.commit()
        db.session.remove()
    client = app.test_client()
    assert login(client, "badges-day@example.org").status_code == 302
    badges = "\n".join(page_texts(_pdf(client, f"/projects/{production.project_id}/badges.pdf")))
    listed = "\n".join(page_texts(_pdf(client, f"/projects/{production.project_id}/talents.pdf")))
    for text in (badges, listed):
        assert "CCAFB0010001" in text
        assert "CCAFB0010005" in text  # 15 to 17 March: the 15th is in it
        assert "CCAFB0010060" not in text  # the 17th only
    assert client.get(f"/projects/bookings/{late_id}/badge.pdf").status_code == 404
    # Casting staff print everyone.
    staff = app.test_client()
    make_user(email=STAFF_EMAIL, capabilities=["casting"], code="MAF0901CAS")
    assert login(staff, STAFF_EMAIL).status_code == 302
    assert "CCAFB0010060" in "\n".join(
        page_texts(_pdf(staff, f"/projects/{production.project_id}/badges.pdf"))
    )


def test_a_name_in_arabic_or_tifinagh_script_is_printed_with_the_full_font(tmp_path):
    """The Latin subset of DejaVu Sans serves most badges; a name in another script takes the
    full font (talento.casting.comp_card.font_for) rather than printing empty boxes."""
    from talento.projects.badge_pdf import BadgeLabels, build_badges_pdf
    from talento.projects.badge_rows import BookingRow, ProjectHeader
    from talento.projects.badge_tokens import sign_badge

    row = BookingRow(
        booking_id=1,
        code="CCAFB0010090",
        status="confirmed",
        project_id=9,
        role_id=1,
        role_name="ⵉⵎⴰⵣⵉⵖⵏ",
        talent_type="extra",
        talent_id=1,
        talent_code="MAN0090TNG",
        first_name="يوسف",
        last_name="العمراني",
        cinema_code="MATNG0090M",
        thumb_name=None,
        call_time=None,
        days=(MARCH_15,),
    )
    labels = BadgeLabels("Badges", "Code CINEMA", "Réservation", "Badge", "Aucune", {})
    pdf = build_badges_pdf(
        ProjectHeader(9, "Tamazight", "Atlas", None, None, None),
        [row],
        token_for=lambda r: sign_badge("k" * 32, r),
        upload_dir=tmp_path,
        labels=labels,
    )
    (text,) = page_texts(pdf)
    assert text.count("ⵉⵎⴰⵣⵉⵖⵏ") == 4
    assert text.count("CCAFB0010090") == 4
    # Every letter of the Arabic name is there (unshaped and in visual order: fpdf2 has no
    # HarfBuzz here, the same limit as the talent card's).
    assert set("يوسفالعمراني") <= set(text)
    (tokens,) = embedded_qr_tokens(pdf)
    assert len(tokens) == 1
