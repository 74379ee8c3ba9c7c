"""Reporting periods: inclusive date ranges, the year by default."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import CTE, Integer, literal, select, union_all
from sqlalchemy.types import TypeEngine


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    @classmethod
    def year(cls, year: int) -> Period:
        return cls(dt.date(year, 1, 1), dt.date(year, 12, 31))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous_year(self) -> Period:
        return Period(_minus_one_year(self.start), _minus_one_year(self.end))

    @property
    def label(self) -> str:
        if self.start == dt.date(self.start.year, 1, 1) and self.end == dt.date(self.start.year, 12, 31):
            return str(self.start.year)
        return f"du {self.start:%d/%m/%Y} au {self.end:%d/%m/%Y}"


def _minus_one_year(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)


def overlap_days(start: dt.date, end: dt.date, period: Period) -> int:
    """Days of [start, end] (both inclusive) that fall inside the period; 0 when they do not meet."""
    first, last = max(start, period.start), min(end, period.end)
    return max((last - first).days + 1, 0)


def month_starts(period: Period) -> list[dt.date]:
    """The first day of every calendar month that meets the period."""
    out, first = [], period.start.replace(day=1)
    while first <= period.end:
        out.append(first)
        first = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return out


def month_periods(period: Period) -> list[Period]:
    """The calendar months that meet the period, each clipped to it."""
    return [Period(max(first, period.start), min(month_end(first), period.end)) for first in month_starts(period)]


def complete_months(period: Period) -> list[dt.date]:
    """The months lying wholly inside the period (a year to 4 December: January to November), so that a monthly
    statistic compares the same months a year apart; a period shorter than any month gives the months it meets."""
    months = month_starts(period)
    whole = [m for m in months if m >= period.start and month_end(m) <= period.end]
    return whole or months


def month_end(first: dt.date) -> dt.date:
    return dt.date(first.year + first.month // 12, first.month % 12 + 1, 1) - dt.timedelta(days=1)


def reporting_period(year: int, today: dt.date) -> Period:
    """A year as the figures read it: a past year whole, the current year up to today (compared with the same dates
    a year earlier, never a whole year), a future year whole."""
    return Period(dt.date(year, 1, 1), today) if year == today.year else Period.year(year)


EARLIEST_YEAR = 2000  # before any network's records: a typo
LONGEST_SPAN_DAYS = 10 * 366


def chosen_year(value, today: dt.date) -> int:
    """The year a selector asks for; the current year when it was cleared or holds no plausible year."""
    try:
        year = int(str(value))
    except ValueError:
        return today.year
    return year if EARLIEST_YEAR <= year <= today.year + 1 else today.year


def requested_period(year=None, start=None, end=None, *, today: dt.date) -> Period:
    """The period a request names: `year` (see `reporting_period`), or `start` and `end` (ISO dates, both
    included); the current year to date when it names none. ValueError with a French message otherwise."""
    if year not in (None, "") and (start or end):
        raise ValueError("Donner soit une année, soit une date de début et une date de fin.")
    if start or end:
        if not (start and end):
            raise ValueError("Donner la date de début et la date de fin ensemble.")
        try:
            first, last = (v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v)) for v in (start, end))
        except ValueError:
            raise ValueError("Dates attendues au format AAAA-MM-JJ.") from None
        if last < first:
            raise ValueError("La date de fin précède la date de début.")
        if first.year < EARLIEST_YEAR or (last - first).days > LONGEST_SPAN_DAYS:
            raise ValueError(f"Période hors limites : à partir de {EARLIEST_YEAR}, dix ans au plus.")
        return Period(first, last)
    if year in (None, ""):
        return reporting_period(today.year, today)
    try:
        number = int(str(year))
    except ValueError:
        raise ValueError("Année attendue, par exemple 2025.") from None
    if not EARLIEST_YEAR <= number <= today.year:
        raise ValueError(f"Année entre {EARLIEST_YEAR} et {today.year}.")
    return reporting_period(number, today)


def period_table(bounds: list[tuple], types: tuple[TypeEngine, TypeEngine]) -> CTE:
    """A CTE `periods(n, first, last)` with one row per period: its index and its bounds, of the given SQL types
    (dates, instants or day numbers). Joined on the records' dates, each record meets only the periods it falls in,
    so one aggregate query grouped by `n` answers every period at once."""
    rows = [
        select(
            literal(n, Integer).label("n"),
            literal(first, types[0]).label("first"),
            literal(last, types[1]).label("last"),
        )
        for n, (first, last) in enumerate(bounds)
    ]
    return (union_all(*rows) if len(rows) > 1 else rows[0]).cte("periods")
