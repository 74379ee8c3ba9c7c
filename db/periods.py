"""Reporting periods: inclusive date ranges, the year by default."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


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
