"""Which working days an export covers: day, ISO week (Monday to Sunday), calendar month or a
date range, cut on local working days (Africa/Casablanca), never on UTC dates; bad periods are
a readable 400."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from talento.attendance.periods import Period, period_of
from talento.refusals import Refused
from tests.attendance.payroll_fixtures import book, make_payroll, record, staff_client
from tests.helpers import make_settings

D = dt.date


@pytest.fixture
def settings(database_url, tmp_path_factory):
    return make_settings(database_url, upload_dir=str(tmp_path_factory.mktemp("uploads")))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("day", "2025-06-18", None, None), Period(D(2025, 6, 18), D(2025, 6, 18))),
        (("week", "2025-06-18", None, None), Period(D(2025, 6, 16), D(2025, 6, 22))),
        (("week", "2025-06-16", None, None), Period(D(2025, 6, 16), D(2025, 6, 22))),
        (("week", "2025-06-22", None, None), Period(D(2025, 6, 16), D(2025, 6, 22))),
        (("week", "2024-12-31", None, None), Period(D(2024, 12, 30), D(2025, 1, 5))),
        (("month", "2025-06-18", None, None), Period(D(2025, 6, 1), D(2025, 6, 30))),
        (("month", "2024-02-10", None, None), Period(D(2024, 2, 1), D(2024, 2, 29))),
        (("month", "2025-12-31", None, None), Period(D(2025, 12, 1), D(2025, 12, 31))),
        ((None, None, "2025-06-10", "2025-06-12"), Period(D(2025, 6, 10), D(2025, 6, 12))),
        ((None, None, "2024-01-01", "2024-12-31"), Period(D(2024, 1, 1), D(2024, 12, 31))),
    ],
)
def test_periods(args, expected):
    assert period_of(*args) == expected


@pytest.mark.parametrize(
    "args",
    [
        ("year", "2025-06-18", None, None),
        ("week", "18/06/2025", None, None),
        ("week", None, None, None),
        (None, None, None, None),
        (None, None, "2025-06-12", "2025-06-10"),
        (None, None, "2024-01-01", "2025-01-01"),
        (None, None, "2025-02-30", "2025-03-01"),
    ],
)
def test_unclear_periods_are_refused(args):
    with pytest.raises(Refused) as refused:
        period_of(*args)
    assert refused.value.status == 400


@pytest.fixture
def edges(app):
    """Night shoots that end after midnight on the last day of a week and of a month, and an
    early call whose arrival is on the previous UTC date."""
    payroll = make_payroll(app)
    book(app, payroll, "Amine Semaine", days=(D(2025, 6, 22), D(2025, 6, 23)))
    record(
        app,
        payroll,
        "Amine Semaine",
        [("scan", "2025-06-22 22:00"), ("scan", "2025-06-23 03:00")],
        work_day=D(2025, 6, 22),
    )
    record(
        app,
        payroll,
        "Amine Semaine",
        [("scan", "2025-06-23 08:00"), ("scan", "2025-06-23 12:00")],
        work_day=D(2025, 6, 23),
    )
    book(app, payroll, "Basma Juin", days=(D(2025, 6, 30),))
    record(
        app,
        payroll,
        "Basma Juin",
        [("scan", "2025-06-30 23:00"), ("scan", "2025-07-01 01:30")],
        work_day=D(2025, 6, 30),
    )
    book(app, payroll, "Chaimae Juillet", days=(D(2025, 7, 1),))
    # 00:30 local on 1 July is 23:30 UTC on 30 June: the working day is still 1 July.
    record(
        app,
        payroll,
        "Chaimae Juillet",
        [("scan", "2025-07-01 00:30"), ("scan", "2025-07-01 06:30")],
        work_day=D(2025, 7, 1),
    )
    return payroll


def _export(client, payroll, query: str) -> list[tuple[str, str, str]]:
    response = client.get(f"/attendance/{payroll.project_id}/payroll.csv?{query}")
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8")[1:]), delimiter=";"))[1:]
    return sorted((row[0], f"{row[6]} {row[5]}", row[11]) for row in rows)


def test_a_week_ends_on_sunday_with_its_night_shoot_and_not_its_monday(app, make_user, edges):
    client = staff_client(app, make_user)
    assert _export(client, edges, "period=week&day=2025-06-18") == [
        ("2025-06-22", "Amine Semaine", "5,00")  # 22:00 → 03:00 on Monday
    ]
    assert _export(client, edges, "period=week&day=2025-06-23") == [
        ("2025-06-23", "Amine Semaine", "4,00")
    ]


def test_a_month_is_cut_on_local_working_days(app, make_user, edges):
    client = staff_client(app, make_user)
    june = _export(client, edges, "period=month&day=2025-06-05")
    assert ("2025-06-30", "Basma Juin", "2,50") in june
    assert all(day.startswith("2025-06") for day, _name, _hours in june)
    assert _export(client, edges, "period=month&day=2025-07-20") == [
        ("2025-07-01", "Chaimae Juillet", "6,00")
    ]


def test_a_range_is_inclusive(app, make_user, edges):
    client = staff_client(app, make_user)
    assert [day for day, *_ in _export(client, edges, "from=2025-06-23&to=2025-07-01")] == [
        "2025-06-23",
        "2025-06-30",
        "2025-07-01",
    ]
    assert _export(client, edges, "period=day&day=2025-06-24") == []


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("period=year&day=2025-06-18", "Période inconnue"),
        ("period=week&day=demain", "AAAA-MM-JJ"),
        ("", "Indiquez une période"),
        ("from=2025-06-12&to=2025-06-10", "La fin de la période précède son début."),
        ("from=2024-01-01&to=2025-06-01", "au plus un an"),
    ],
)
def test_a_bad_period_is_a_readable_400(app, make_user, query, message):
    payroll = make_payroll(app)
    client = staff_client(app, make_user)
    for fmt in ("xlsx", "csv"):
        response = client.get(f"/attendance/{payroll.project_id}/payroll.{fmt}?{query}")
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
