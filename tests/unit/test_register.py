"""The register's history: every create, change that a figure reads, retirement and deletion writes its version in
the same transaction, and a past state before the history starts is unknown, not today's."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from db import clock, register
from db.models import EquipmentItem, Place, RegisterVersion
from db.periods import Period
from tests.unit.test_carte import place


def at(day: str, hour: int = 12):
    return clock.frozen(dt.datetime.fromisoformat(day).replace(hour=hour))


def versions(session, name: str) -> list[tuple]:
    rows = session.execute(
        select(RegisterVersion.ref, RegisterVersion.valid_from, RegisterVersion.valid_to, RegisterVersion.date_maj)
        .where(RegisterVersion.register == name)
        .order_by(RegisterVersion.id)
    ).all()
    return [(ref, clock.local_date(start), end and clock.local_date(end), maj) for ref, start, end, maj in rows]


def test_places_history_follows_creates_updates_and_deletes(database):
    with at("2024-03-01"), database.transaction() as session:
        session.add_all([place(1, date_maj=dt.date(2024, 2, 1)), place(2, date_maj=dt.date(2024, 2, 1))])
    with at("2024-09-10"), database.transaction() as session:
        first = session.get(Place, 1)
        first.date_maj = dt.date(2024, 9, 10)
        session.get(Place, 2).nom = "Renamed"  # a field no figure reads: no new version
    with at("2025-01-15"), database.transaction() as session:
        session.delete(session.get(Place, 2))
    with database.session() as session:
        assert versions(session, register.PLACES) == [
            (1, dt.date(2024, 3, 1), dt.date(2024, 9, 10), dt.date(2024, 2, 1)),
            (2, dt.date(2024, 3, 1), dt.date(2025, 1, 15), dt.date(2024, 2, 1)),
            (1, dt.date(2024, 9, 10), None, dt.date(2024, 9, 10)),
        ]
        assert register.tracked_since(session, register.PLACES) == dt.date(2024, 3, 1)
        assert register.versions_at(session, register.PLACES, dt.date(2024, 2, 29)) is None  # before the history
        assert len(register.versions_at(session, register.PLACES, dt.date(2024, 3, 1))) == 2
        in_june = register.versions_at(session, register.PLACES, dt.date(2024, 6, 30))
        assert sorted(in_june["date_maj"]) == [dt.date(2024, 2, 1)] * 2  # the update dates as they were then
        assert list(register.versions_at(session, register.PLACES, dt.date(2025, 1, 15))["ref"]) == [1]


def test_catalogue_history_counts_units_and_retirements(database):
    with at("2024-01-01"), database.transaction() as session:
        session.add(EquipmentItem(name="Kit", category="Robotique", units=2))
    with at("2024-01-11"), database.transaction() as session:
        session.scalar(select(EquipmentItem)).units = 3
    with at("2024-01-21"), database.transaction() as session:
        session.scalar(select(EquipmentItem)).active = False
    with at("2024-02-01"), database.transaction() as session:
        session.scalar(select(EquipmentItem)).active = True
    with database.session() as session:
        january = register.presence(session, register.EQUIPMENT, Period(dt.date(2024, 1, 1), dt.date(2024, 2, 10)))
        # 10 days × 2 units, 10 days × 3, retired 11 days, then 10 days × 3
        assert january.rows.to_dict("records") == [{"ref": 1, "days": 30, "unit_days": 20 + 30 + 30}]
        assert not january.estimated
        # Before the history: the item as first recorded, flagged as an estimate.
        before = register.presence(session, register.EQUIPMENT, Period(dt.date(2023, 12, 22), dt.date(2024, 1, 10)))
        assert before.rows.to_dict("records") == [{"ref": 1, "days": 20, "unit_days": 40}]
        assert before.estimated and "suivi depuis le 01/01/2024" in before.note
        assert register.versions_at(session, register.EQUIPMENT, dt.date(2024, 1, 25)).empty  # retired then


def test_a_rolled_back_change_leaves_no_version(database):
    with at("2024-03-01"), database.transaction() as session:
        session.add(place(1, date_maj=dt.date(2024, 2, 1)))
    try:
        with database.transaction() as session:
            session.get(Place, 1).date_maj = dt.date(2024, 3, 2)
            session.flush()
            raise RuntimeError("the write fails after its flush")
    except RuntimeError:
        pass
    with database.session() as session:
        assert len(versions(session, register.PLACES)) == 1
