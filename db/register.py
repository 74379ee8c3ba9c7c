"""The register's history: when each place and catalogue item entered the register, how it stood, when it left.

A flush hook writes it, in the transaction of the change itself, whatever path made the change (the forms, an
import, a command, the demo): a new row opens a version; a change of what the figures read (a place's update date
or territory, an item's units) closes the current version and opens the next; a deletion, or an item's
retirement, closes it. A figure at a past date then counts the versions that stood at that date.

A register's history starts with its first version: before that date its state is unknown (a file imported today
says nothing of last year), and the functions here answer None rather than today's count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import event, func, insert, inspect, select, update
from sqlalchemy.orm import Session

from db import clock
from db.models import EquipmentItem, Place, RegisterVersion
from db.periods import Period

PLACES = "places"
EQUIPMENT = "equipment"
NAMES = {PLACES: "registre des lieux", EQUIPMENT: "catalogue du matériel"}


@dataclass(frozen=True)
class Tracked:
    register: str
    key: str  # the primary-key attribute kept as `ref`
    fields: dict[str, str]  # version column → model attribute


TRACKED = {
    Place: Tracked(PLACES, "pk", {"date_maj": "date_maj", "insee": "code_insee", "epci_code": "epci_code"}),
    EquipmentItem: Tracked(EQUIPMENT, "id", {"units": "units"}),
}


def _stands(obj) -> bool:
    """Whether the row is in the register: every place; a catalogue item while it is active."""
    return not isinstance(obj, EquipmentItem) or bool(obj.active)


# Every version row has every recorded column (one INSERT for places and items together needs the same keys).
EMPTY_STATE = dict.fromkeys(field for tracked in TRACKED.values() for field in tracked.fields)


def _state(obj, tracked: Tracked) -> dict:
    return EMPTY_STATE | {column: getattr(obj, attribute) for column, attribute in tracked.fields.items()}


def _changed(obj, tracked: Tracked) -> bool:
    """Whether this flush changes what a version records (or an item's presence in the catalogue)."""
    state = inspect(obj)
    watched = [*tracked.fields.values(), "active"] if isinstance(obj, EquipmentItem) else tracked.fields.values()
    return any(state.attrs[name].history.has_changes() for name in watched)


@event.listens_for(Session, "after_flush")
def _write_history(session: Session, _context) -> None:
    """Versions for the rows this flush created, changed or deleted (keys are known after the flush)."""
    now = clock.utcnow()
    opened, closed = [], []
    for obj in session.new:
        tracked = TRACKED.get(type(obj))
        if tracked and _stands(obj):
            opened.append((obj, tracked))
    for obj in session.dirty:
        tracked = TRACKED.get(type(obj))
        if tracked and _changed(obj, tracked):
            closed.append((obj, tracked))
            if _stands(obj):
                opened.append((obj, tracked))
    for obj in session.deleted:
        tracked = TRACKED.get(type(obj))
        if tracked:
            closed.append((obj, tracked))
    table = RegisterVersion.__table__
    for obj, tracked in closed:
        session.execute(
            update(table)
            .where(
                table.c.register == tracked.register,
                table.c.ref == getattr(obj, tracked.key),
                table.c.valid_to.is_(None),
            )
            .values(valid_to=now)
        )
    if opened:
        session.execute(
            insert(table),
            [
                {"register": t.register, "ref": getattr(obj, t.key), "valid_from": now, "valid_to": None}
                | _state(obj, t)
                for obj, t in opened
            ],
        )


# --- reading the history --------------------------------------------------------------------------------------


def tracked_since(session: Session, register: str) -> dt.date | None:
    """The local day the register's history starts (its first version), None when it has none yet."""
    first = session.scalar(select(func.min(RegisterVersion.valid_from)).where(RegisterVersion.register == register))
    return clock.local_date(first) if first is not None else None


def unknown_before(since: dt.date | None) -> str:
    """The note of a register figure at a date its history does not reach."""
    if since is None:
        return "Inconnu : registre vide."
    return f"Inconnu : registre suivi depuis le {since:%d/%m/%Y}."


def versions_at(session: Session, register: str, day: dt.date) -> pd.DataFrame | None:
    """The versions standing at the end of `day` (local), one per row of the register then: columns ref, date_maj,
    insee, epci_code, units. None when `day` precedes the register's history."""
    since = tracked_since(session, register)
    if since is None or day < since:
        return None
    end = clock.day_start(day + dt.timedelta(days=1))
    rows = session.execute(
        select(
            RegisterVersion.ref,
            RegisterVersion.date_maj,
            RegisterVersion.insee,
            RegisterVersion.epci_code,
            RegisterVersion.units,
        ).where(
            RegisterVersion.register == register,
            RegisterVersion.valid_from < end,
            (RegisterVersion.valid_to.is_(None)) | (RegisterVersion.valid_to >= end),
        )
    ).all()
    return pd.DataFrame(rows, columns=["ref", "date_maj", "insee", "epci_code", "units"])


@dataclass(frozen=True)
class Presence:
    """Per row of a register, the days of a period it stood in the register and those days × its units then."""

    register: str
    rows: pd.DataFrame  # ref, days, unit_days
    estimated: bool  # the period starts before the history: its first days assume the first-recorded rows
    since: dt.date | None

    @property
    def note(self) -> str:
        if not self.estimated:
            return ""
        return (
            f"Estimé : {NAMES[self.register]} suivi depuis le {self.since:%d/%m/%Y} ; les jours d'avant comptent "
            "ce qu'il contenait ce jour-là."
        )


def presence(session: Session, register: str, period: Period) -> Presence:
    """How long each row stood in the register during `period`, from its versions. The days before the history
    starts are unknown: the rows recorded on its first day are assumed to have stood as first recorded (an
    estimate, flagged), later rows not at all."""
    return presences(session, register, [period])[0]


def presences(session: Session, register: str, periods: list[Period]) -> list[Presence]:
    """`presence` for each of `periods` (the months of a year…), reading the versions once."""
    if not periods:
        return []
    since = tracked_since(session, register)
    windows = [_window(period, since) for period in periods]
    rows = session.execute(
        select(RegisterVersion.ref, RegisterVersion.valid_from, RegisterVersion.valid_to, RegisterVersion.units)
        .where(
            RegisterVersion.register == register,
            RegisterVersion.valid_from < max(end for _start, end in windows),
            (RegisterVersion.valid_to.is_(None)) | (RegisterVersion.valid_to > min(start for start, _end in windows)),
        )
        .order_by(RegisterVersion.valid_from)
    ).all()
    rows = [
        (ref, clock.as_utc(opened), clock.as_utc(closed) if closed else None, units)
        for ref, opened, closed, units in rows
    ]
    return [
        _presence(register, [row for row in rows if row[1] < end and (row[2] is None or row[2] > start)], period, since)
        for period, (start, end) in zip(periods, windows, strict=True)
    ]


def _window(period: Period, since: dt.date | None) -> tuple[dt.datetime, dt.datetime]:
    """The instants whose versions count for `period`."""
    start, end = clock.bounds(period)
    if since is not None and period.start < since:  # the versions of the history's first day stand for the days before
        end = max(end, clock.day_start(since + dt.timedelta(days=1)))
    return start, end


def _presence(register: str, rows: list, period: Period, since: dt.date | None) -> Presence:
    estimated = since is not None and period.start < since
    out: dict[int, list[int]] = {}
    for ref, valid_from, valid_to, units in rows:
        opened = clock.local_date(valid_from)
        # A version counts on the local days it stood at their end (the state a day closes with).
        first = period.start if estimated and opened == since else max(opened, period.start)
        last = min(clock.local_date(valid_to) - dt.timedelta(days=1) if valid_to else period.end, period.end)
        days = max((last - first).days + 1, 0)
        totals = out.setdefault(ref, [0, 0])
        totals[0] += days
        totals[1] += days * (units or 0)
    frame = pd.DataFrame([(ref, d, u) for ref, (d, u) in out.items()], columns=["ref", "days", "unit_days"])
    return Presence(register, frame, estimated and bool(out), since)
