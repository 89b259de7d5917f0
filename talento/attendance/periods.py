"""Which working days an export covers: ``?from=&to=`` (inclusive), or
``?period=day|week|month&day=YYYY-MM-DD`` (that day, its ISO week from Monday to Sunday, its
calendar month).

Working days are local dates (the site's ``TIMEZONE``: attendance.rules names them), so a
period is a range of dates, never of UTC instants: a night shoot that starts on Sunday the 21st
and ends at 02:00 on Monday belongs to the week of the 21st. Pure functions: the views pass
the query string's values and show the refusal's French message.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from talento.i18n import gettext as _
from talento.refusals import Refused

__all__ = ["LONGEST", "PERIODS", "Period", "parse_day", "period_of"]

PERIODS = ("day", "week", "month")
#: The longest range one export covers (a year and a day: a leap year's whole).
LONGEST = dt.timedelta(days=366)


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date

    def days(self) -> list[dt.date]:
        count = (self.last - self.first).days + 1
        return [self.first + dt.timedelta(days=n) for n in range(count)]

    @property
    def slug(self) -> str:
        """For file names: « 2027-03-15 » or « 2027-03-15_2027-03-21 »."""
        if self.first == self.last:
            return self.first.isoformat()
        return f"{self.first.isoformat()}_{self.last.isoformat()}"


def parse_day(value: str | None) -> dt.date | None:
    """A ``YYYY-MM-DD`` date, or None for anything else."""
    if not value or len(value) != 10:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def period_of(period: str | None, day: str | None, first: str | None, last: str | None) -> Period:
    """The period the query string asks for; Refused (400) with a French message if unclear."""
    if period:
        if period not in PERIODS:
            raise Refused(
                "period", _("Période inconnue : choisissez jour, semaine ou mois."), status=400
            )
        when = parse_day(day)
        if when is None:
            raise Refused("day", _("Indiquez un jour au format AAAA-MM-JJ."), status=400)
        if period == "day":
            return Period(when, when)
        if period == "week":
            monday = when - dt.timedelta(days=when.weekday())
            return Period(monday, monday + dt.timedelta(days=6))
        month = when.replace(day=1)
        following = (month + dt.timedelta(days=32)).replace(day=1)
        return Period(month, following - dt.timedelta(days=1))
    start, end = parse_day(first), parse_day(last)
    if start is None or end is None:
        raise Refused(
            "from",
            _(
                "Indiquez une période : « from » et « to » au format AAAA-MM-JJ, ou « period » "
                "(day, week, month) et « day »."
            ),
            status=400,
        )
    if end < start:
        raise Refused("to", _("La fin de la période précède son début."), status=400)
    if end - start >= LONGEST:
        raise Refused("to", _("Une exportation couvre au plus un an."), status=400)
    return Period(start, end)
