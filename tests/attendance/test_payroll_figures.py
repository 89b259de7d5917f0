"""The payroll export's figures against hours computed by hand (issue 15 points 6 and 8).

The day on set (Monday 16 June 2025, Casablanca at UTC+1; overtime after 10 h, paid pro rata
of the day rate: rate × overtime minutes ÷ 600):

============  ======  =====  ===============================  =======  =====  ========
who           rate    call   scans (local)                    worked   o/t    amount
============  ======  =====  ===============================  =======  =====  ========
Amine Normal  400     07:00  07:00 → 17:00                    600 m    0      400.00
Basma Repas   350     07:00  06:50, repas 12:30–13:15, 18:20  645 m    45 m   376.25
Chaimae Tard  500     07:00  07:25 → 19:45 (25 min late)      740 m    140 m  616.67
Driss Nuit    300     20:00  19:55 → 02:10 the next day       375 m    0      300.00
Errachid Ret  400     07:00  07:00, 09:00 voided, 12:00,      570 m    0      400.00
                             13:00 (re-entry), 17:30
Farah Absent  400     07:00  none                             0        0      0.00
============  ======  =====  ===============================  =======  =====  ========

Basma: 06:50 → 18:20 is 690 min on set, less 45 min of meal = 645 min = 10.75 h, 45 min over
10 h = 0.75 h → 350 × 45 / 600 = 26.25. Chaimae: 740 min = 12.33 h, 140 min over → 500 × 140 /
600 = 116.666… → 116.67, amount 616.666… → 616.67. Driss: 19:55 → 02:10 = 6 h 15 = 6.25 h, on
the 16th. Errachid: the voided 09:00 scan would have been a departure; without it, 07:00–12:00
(300) + 13:00–17:30 (270) = 570 min = 9.50 h.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.attendance.payroll_fixtures import (
    DAY,
    ZONE,
    book,
    make_payroll,
    record,
    staff_client,
)
from tests.attendance.payroll_fixtures import (
    day_on_set as set_the_day,
)
from tests.helpers import make_settings

NEXT = DAY + dt.timedelta(days=1)

#: name → (arrival, departure, meal, hours, overtime hours, late, rate, o/t amount, amount)
EXPECTED = {
    "Amine Normal": ("07:00", "17:00", 0, "10.00", "0.00", 0, "400.00", "0.00", "400.00"),
    "Basma Repas": ("06:50", "18:20", 45, "10.75", "0.75", 0, "350.00", "26.25", "376.25"),
    "Chaimae Tard": ("07:25", "19:45", 0, "12.33", "2.33", 25, "500.00", "116.67", "616.67"),
    "Driss Nuit": ("19:55", "02:10", 0, "6.25", "0.00", 0, "300.00", "0.00", "300.00"),
    "Errachid Retour": ("07:00", "17:30", 0, "9.50", "0.00", 0, "400.00", "0.00", "400.00"),
    "Farah Absente": (None, None, 0, "0.00", "0.00", 0, "400.00", "0.00", "0.00"),
}


@pytest.fixture
def settings(database_url, tmp_path_factory):
    return make_settings(database_url, upload_dir=str(tmp_path_factory.mktemp("uploads")))


@pytest.fixture
def day_on_set(app):
    return set_the_day(app)


def _rows(app, payroll, **kwargs):
    from talento.attendance.payroll import talent_days
    from talento.extensions import db
    from talento.projects.models import Project

    with app.app_context():
        project = db.session.get(Project, payroll.project_id)
        rows = talent_days(db.session(), project, DAY, DAY, ZONE, today=DAY, **kwargs)
        db.session.remove()
    return rows


def test_each_talent_day_matches_the_hand_computed_hours_and_amounts(app, day_on_set):
    rows = {row.full_name: row for row in _rows(app, day_on_set)}
    assert set(rows) == set(EXPECTED)
    for name, (
        arrival,
        departure,
        meal,
        hours,
        ot,
        late,
        rate,
        ot_amount,
        amount,
    ) in EXPECTED.items():
        row = rows[name]
        assert (row.arrival.strftime("%H:%M") if row.arrival else None) == arrival, name
        assert (row.departure.strftime("%H:%M") if row.departure else None) == departure, name
        assert row.meal_minutes == meal, name
        assert row.hours == Decimal(hours), name
        assert row.overtime_hours == Decimal(ot), name
        assert row.late_minutes == late, name
        assert row.day_rate == Decimal(rate), name
        assert row.overtime_amount == Decimal(ot_amount), name
        assert row.amount == Decimal(amount), name
        assert row.work_day == DAY, name
    assert rows["Driss Nuit"].departure.date() == NEXT  # the night stays on the 16th
    assert rows["Amine Normal"].acknowledged
    assert not rows["Basma Repas"].acknowledged
    assert not rows["Farah Absente"].present


def test_a_threshold_less_project_pays_no_overtime(app):
    payroll = make_payroll(app, threshold=None)
    book(app, payroll, "Chaimae Tard", rate="500")
    record(
        app, payroll, "Chaimae Tard", [("scan", "2025-06-16 07:25"), ("scan", "2025-06-16 19:45")]
    )
    (row,) = _rows(app, payroll)
    assert (row.hours, row.overtime_minutes, row.amount) == (Decimal("12.33"), 0, Decimal("500"))


def test_a_booking_without_rate_has_no_amount_and_says_so(app):
    from talento.exports.payroll_sheet import remarks

    payroll = make_payroll(app)
    book(app, payroll, "Amine Normal", rate=None)
    record(
        app, payroll, "Amine Normal", [("scan", "2025-06-16 07:00"), ("scan", "2025-06-16 17:00")]
    )
    (row,) = _rows(app, payroll)
    assert row.amount is None
    assert row.hours == Decimal("10.00")
    with app.test_request_context():
        assert "Tarif non précisé" in remarks(row)


def test_a_night_shoot_across_the_clock_change_counts_real_hours(app):
    """Casablanca goes from UTC+0 to UTC+1 at 03:00 on 14 March 2027: 20:00 on the 13th to
    04:00 on the 14th reads 8 h on a watch but is 7 h worked."""
    payroll = make_payroll(app)
    night = dt.date(2027, 3, 13)
    book(app, payroll, "Driss Nuit", rate="300", call="20:00", days=(night,))
    record(
        app,
        payroll,
        "Driss Nuit",
        [("scan", "2027-03-13 20:00"), ("scan", "2027-03-14 04:00")],
        work_day=night,
    )
    from talento.attendance.payroll import talent_days
    from talento.extensions import db
    from talento.projects.models import Project

    with app.app_context():
        project = db.session.get(Project, payroll.project_id)
        (row,) = talent_days(db.session(), project, night, night, ZONE, today=DAY)
        db.session.remove()
    assert row.worked_minutes == 420
    assert row.hours == Decimal("7.00")
    assert (row.arrival.strftime("%H:%M"), row.departure.strftime("%d %H:%M")) == (
        "20:00",
        "14 04:00",
    )


def test_the_xlsx_export_reads_back_with_the_hand_computed_figures(app, make_user, day_on_set):
    client = staff_client(app, make_user)
    response = client.get(
        f"/attendance/{day_on_set.project_id}/payroll.xlsx?period=day&day=2025-06-16"
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="paie-projet-{day_on_set.project_id}-2025-06-16.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = list(sheet.iter_rows(values_only=True))
    header, body = values[0], values[1:]
    assert header[:8] == (
        "Date",
        "Projet",
        "Rôle",
        "Code réservation",
        "Code CINEMA",
        "Nom",
        "Prénom",
        "Convocation",
    )
    assert header[15] == "Montant heures sup. (tarif journalier ÷ seuil × heures sup.)"
    assert len(body) == len(EXPECTED)  # one row per talent-day
    by_name = {f"{row[6]} {row[5]}": row for row in body}
    for name, (
        arrival,
        departure,
        meal,
        hours,
        ot,
        late,
        rate,
        ot_amount,
        amount,
    ) in EXPECTED.items():
        row = by_name[name]
        assert row[0].date() == DAY, name  # a date cell
        assert row[2] == "Nomades"
        assert row[3] == day_on_set.people[name][2]
        got_arrival = row[8].strftime("%H:%M") if row[8] else None
        got_departure = row[9].strftime("%H:%M") if row[9] else None
        assert (got_arrival, got_departure) == (arrival, departure), name
        assert row[10] == meal, name
        assert row[11] == pytest.approx(float(hours)), name
        assert row[12] == pytest.approx(float(ot)), name
        assert row[13] == late, name
        assert row[14] == pytest.approx(float(rate)), name
        assert row[15] == pytest.approx(float(ot_amount)), name
        assert row[16] == pytest.approx(float(amount)), name
        assert row[17] == "MAD"
    assert by_name["Driss Nuit"][9].isoformat() == "2025-06-17T02:10:00"  # local, next day
    assert by_name["Amine Normal"][18] == "Oui"
    assert by_name["Basma Repas"][18] == "Non"
    assert by_name["Farah Absente"][19] == "Absent"
    assert "Retard de 25 min" in by_name["Chaimae Tard"][19]
    total = sum(Decimal(str(row[16])) for row in body)
    assert total == Decimal("2092.92")  # 400 + 376.25 + 616.67 + 300 + 400 + 0


def test_the_csv_export_parses_to_the_same_figures(app, make_user, day_on_set):
    client = staff_client(app, make_user)
    response = client.get(
        f"/attendance/{day_on_set.project_id}/payroll.csv?from=2025-06-16&to=2025-06-16"
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    text = response.data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    header, body = rows[0], rows[1:]
    assert header[11] == "Heures travaillées"
    assert header[16] == "Montant"
    assert len(body) == len(EXPECTED)
    by_name = {f"{row[6]} {row[5]}": row for row in body}
    for name, (arrival, departure, meal, hours, ot, _late, _rate, _ota, amount) in EXPECTED.items():
        row = by_name[name]
        assert row[0] == "2025-06-16"
        assert row[8][11:] == (arrival or ""), name
        assert row[9][11:] == (departure or ""), name
        assert row[10] == str(meal)
        assert Decimal(row[11].replace(",", ".")) == Decimal(hours), name
        assert Decimal(row[12].replace(",", ".")) == Decimal(ot), name
        assert Decimal(row[16].replace(",", ".")) == Decimal(amount), name
    assert by_name["Basma Repas"][16] == "376,25"  # decimal comma for French spreadsheets
    assert by_name["Driss Nuit"][9] == "2025-06-17 02:10"


def test_a_formula_in_a_name_is_neutralised_in_the_csv(app, make_user):
    payroll = make_payroll(app)
    book(app, payroll, "=HYPERLINK(1) Pirate")
    record(
        app,
        payroll,
        "=HYPERLINK(1) Pirate",
        [("scan", "2025-06-16 07:00"), ("scan", "2025-06-16 17:00")],
    )
    client = staff_client(app, make_user)
    text = client.get(
        f"/attendance/{payroll.project_id}/payroll.csv?period=day&day=2025-06-16"
    ).data.decode("utf-8")
    (row,) = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))[1:]
    assert row[6] == "'=HYPERLINK(1)"


def test_a_scan_day_of_a_cancelled_booking_is_still_paid(app):
    payroll = make_payroll(app)
    book(app, payroll, "Amine Normal", status="cancelled")
    record(
        app, payroll, "Amine Normal", [("scan", "2025-06-16 07:00"), ("scan", "2025-06-16 17:00")]
    )
    book(app, payroll, "Farah Absente", status="cancelled")  # no scan: no row
    (row,) = _rows(app, payroll)
    assert (row.full_name, row.amount) == ("Amine Normal", Decimal("400.00"))


def test_a_correction_after_acknowledgement_is_flagged(app):
    from talento.exports.payroll_sheet import remarks

    payroll = make_payroll(app)
    book(app, payroll, "Amine Normal")
    record(
        app,
        payroll,
        "Amine Normal",
        [("scan", "2025-06-16 07:00"), ("scan", "2025-06-16 17:00")],
        acknowledged_minutes=540,  # the talent saw 9 h; a correction made it 10 h
    )
    (row,) = _rows(app, payroll)
    assert row.acknowledged
    assert row.changed_since_acknowledged
    with app.test_request_context():
        assert "Heures modifiées après la validation du talent" in remarks(row)


def test_the_export_is_audited(app, make_user, day_on_set):
    import json

    from sqlalchemy import select

    from talento.audit.models import AuditAction, AuditEvent
    from talento.extensions import db

    client = staff_client(app, make_user)
    url = f"/attendance/{day_on_set.project_id}/payroll.xlsx?period=week&day=2025-06-18"
    assert client.get(url).status_code == 200
    with app.app_context():
        (event,) = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == AuditAction.PAYROLL_EXPORTED.value)
        ).all()
        assert json.loads(event.detail) == {
            "project_id": day_on_set.project_id,
            "rows": 6,
            "format": "xlsx",
            "first": "2025-06-16",
            "last": "2025-06-22",
        }
        db.session.remove()
