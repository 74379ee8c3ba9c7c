"""The one clock: today and periods in the network's time zone, whatever the server's."""

import datetime as dt

import pytest

from db import clock
from db.periods import Period


def utc(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


def test_today_is_the_networks_day_not_the_servers():
    with clock.frozen(utc(2025, 12, 31, 23, 30)):  # 00:30 on 1 January in Paris
        assert clock.today() == dt.date(2026, 1, 1)
        assert clock.utcnow() == utc(2025, 12, 31, 23, 30)
        assert clock.wall_clock() == dt.datetime(2026, 1, 1, 0, 30)


@pytest.mark.parametrize(
    ("period", "start", "end"),
    [
        (Period.year(2025), utc(2024, 12, 31, 23), utc(2025, 12, 31, 23)),  # winter time at both ends
        (Period(dt.date(2025, 4, 1), dt.date(2025, 4, 30)), utc(2025, 3, 31, 22), utc(2025, 4, 30, 22)),  # summer
        # the day of each change lasts 23 and 25 hours
        (Period(dt.date(2025, 3, 30), dt.date(2025, 3, 30)), utc(2025, 3, 29, 23), utc(2025, 3, 30, 22)),
        (Period(dt.date(2025, 10, 26), dt.date(2025, 10, 26)), utc(2025, 10, 25, 22), utc(2025, 10, 26, 23)),
    ],
)
def test_period_bounds_are_local_midnights(period, start, end):
    assert clock.bounds(period) == (start, end)


def test_stored_times_are_shown_in_local_time():
    naive_from_sqlite = dt.datetime(2025, 7, 1, 12, 0)  # UTC
    assert clock.local(naive_from_sqlite).hour == 14
    assert clock.local_date(utc(2025, 12, 31, 23, 30)) == dt.date(2026, 1, 1)
    assert clock.local_date(dt.date(2025, 5, 2)) == dt.date(2025, 5, 2)


def test_the_zone_is_a_setting():
    try:
        clock.configure("America/Cayenne")  # French Guiana: UTC-3, no summer time
        assert clock.bounds(Period.year(2025))[0] == utc(2025, 1, 1, 3)
        assert clock.zone_label() == "heure de Cayenne"
    finally:
        clock.configure(None)
    assert clock.zone_name() == "Europe/Paris"


def test_frozen_restores_the_running_clock():
    with clock.frozen(dt.datetime(2024, 2, 29, 10, 0)):  # naive: local time
        assert clock.utcnow() == utc(2024, 2, 29, 9, 0)
    assert abs(clock.utcnow() - dt.datetime.now(dt.UTC)) < dt.timedelta(seconds=5)  # noqa: TID251 - the real clock


def test_utc_offsets_give_each_change_of_the_zone_to_the_second():
    start, end = clock.bounds(Period.year(2026))
    assert clock.utc_offsets(start, end) == [
        (utc(2025, 12, 31, 23), 3600),
        (utc(2026, 3, 29, 1), 7200),  # 02:00 in Paris becomes 03:00
        (utc(2026, 10, 25, 1), 3600),
    ]
    assert clock.utc_offsets(utc(2026, 5, 1), utc(2026, 6, 1)) == [(utc(2026, 5, 1), 7200)]
    try:
        clock.configure("America/Cayenne")
        assert clock.utc_offsets(start, end) == [(start, -3 * 3600)]
    finally:
        clock.configure(None)
