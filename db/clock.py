"""The network's clock: "now", "today" and periods as instants, in the network's time zone.

Storage stays UTC (aware datetimes; SQLite hands them back naive, still UTC). People live in the network's zone
(`Europe/Paris` unless the `TIME_ZONE` setting says otherwise): a day, a month or a year of a figure starts at local
midnight, so an event at 00:30 on 1 January belongs to that year on every page, export, feed and report.

Nothing else in the project calls `date.today()` or `datetime.now()`: ruff's banned-api rule refuses them outside
this module, so there is one answer to "what day is it" and tests can freeze it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from db.periods import Period

DEFAULT_TIME_ZONE = "Europe/Paris"
# How people read a date here: the month names of every French label (the UI, the agenda's occurrence labels).
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre")  # fmt: skip

_zone = ZoneInfo(DEFAULT_TIME_ZONE)
_frozen: dt.datetime | None = None  # tests and the demo's history: a fixed instant (aware, UTC)


def configure(time_zone: str | None) -> None:
    """Set the network's time zone (the app factory calls this with the `TIME_ZONE` setting)."""
    global _zone
    try:
        _zone = ZoneInfo(time_zone or DEFAULT_TIME_ZONE)
    except (ValueError, KeyError) as error:  # ZoneInfoNotFoundError is a KeyError
        raise ValueError(f"TIME_ZONE inconnu : « {time_zone} » (exemple : Europe/Paris).") from error


def zone() -> ZoneInfo:
    return _zone


def zone_name() -> str:
    return _zone.key


def zone_label() -> str:
    """How the UI names local time, e.g. « heure de Paris »."""
    city = _zone.key.rsplit("/", 1)[-1].replace("_", " ")
    return f"heure de {city}"


def utcnow() -> dt.datetime:
    """The current instant, aware, in UTC: what the database stores."""
    return _frozen if _frozen is not None else dt.datetime.now(dt.UTC)


def now() -> dt.datetime:
    """The current instant in the network's zone (aware)."""
    return utcnow().astimezone(_zone)


def today() -> dt.date:
    """Today's date in the network's zone, whatever the server's own zone."""
    return now().date()


def wall_clock() -> dt.datetime:
    """Local time to the minute, naive: what opening hours (written in local time) are evaluated against."""
    return now().replace(tzinfo=None, second=0, microsecond=0)


def as_utc(value: dt.datetime) -> dt.datetime:
    """A stored time as aware UTC (naive values come from SQLite and are UTC)."""
    if type(value) is not dt.datetime and hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()  # a pandas Timestamp changes zones ten times slower than a datetime
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def local(value: dt.datetime) -> dt.datetime:
    """A stored time in the network's zone."""
    return as_utc(value).astimezone(_zone)


def local_date(value: dt.date | dt.datetime) -> dt.date:
    """The local calendar day of a stored time (a date is its own day)."""
    return local(value).date() if isinstance(value, dt.datetime) else value


def to_utc(day: dt.date, time: dt.time = dt.time.min) -> dt.datetime:
    """The UTC instant of a local wall time (a non-existent time in the spring gap is read forwards, as zoneinfo
    does)."""
    return dt.datetime.combine(day, time, tzinfo=_zone).astimezone(dt.UTC)


def day_start(day: dt.date) -> dt.datetime:
    """Local midnight at the start of `day`, as a UTC instant."""
    return to_utc(day)


def bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    """The period's local days as UTC instants [start, end): from local midnight of its first day to local
    midnight after its last. The one rule for every datetime compared with a period."""
    return day_start(period.start), day_start(period.end + dt.timedelta(days=1))


def utc_offsets(start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, int]]:
    """The zone's UTC offset in seconds at `start`, then each change of it before `end`, as [(from, seconds), …]:
    what SQL needs to put stored UTC instants on local days where the database knows no time zones (SQLite)."""

    def seconds(instant: dt.datetime) -> int:
        return int(instant.astimezone(_zone).utcoffset().total_seconds())

    changes = [(start, seconds(start))]
    day = start
    while day < end:
        following = min(day + dt.timedelta(days=1), end)
        if seconds(following) != changes[-1][1]:
            low, high = day, following  # the change happens in (low, high]: halve down to the second
            while high - low > dt.timedelta(seconds=1):
                middle = low + (high - low) / 2
                low, high = (middle, high) if seconds(middle) == changes[-1][1] else (low, middle)
            changes.append((high.replace(microsecond=0), seconds(high)))
        day = following
    return changes


@contextmanager
def frozen(at: dt.datetime) -> Iterator[dt.datetime]:
    """Stop the clock at `at` (aware; naive is read as local time) for this process, e.g. in tests or to write
    the demo's history at the dates it happened."""
    global _frozen
    previous = _frozen
    instant = at.replace(tzinfo=_zone) if at.tzinfo is None else at
    _frozen = instant.astimezone(dt.UTC)
    try:
        yield now()
    finally:
        _frozen = previous
