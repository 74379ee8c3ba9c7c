"""Five years of a regional network for `make bench`: the demo network, scaled up by bulk inserts.

`build(url)` migrates an empty database (Alembic, as `flask init-db` does), writes the demo network (its accounts,
communes, registers' history and realistic values) and then adds rows modelled on the demo's own until the scale of
the issue: 20,000 places, 100,000 loans, 200,000 attendance rows, 50,000 event occurrences, with trainings,
sessions, newsletters, issues, subscriber snapshots, items, users and journal rows in proportion. Rows go in with
Core `executemany` in chunks; the database's triggers replace the revision tokens. `BENCH_QUICK=1`: a tenth.

Dates run over the five years up to today (local days, `db.clock`), a little ahead for what is planned. Loans are
laid one after the other per item, so they never overlap (the app's clash rule).
"""

from __future__ import annotations

import datetime as dt
import os
import random
import time
from dataclasses import asdict, dataclass

from sqlalchemy import func, insert, select, text

from db import carte, clock
from db.demo import EQUIPMENT, seed_demo
from db.models import (
    PLACE_MULTI_FIELDS,
    Attendant,
    AttendantState,
    AuditLog,
    EquipmentItem,
    Event,
    EventOccurrence,
    Loan,
    Newsletter,
    NewsletterIssue,
    Place,
    PlaceValue,
    RegisterVersion,
    Role,
    SubscriberSnapshot,
    Training,
    TrainingSession,
    User,
)
from db.session import Database

DAY = dt.timedelta(days=1)
YEARS = 5
CHUNK = 5_000


@dataclass(frozen=True)
class Scale:
    places: int = 20_000
    loans: int = 100_000
    attendants: int = 200_000
    occurrences: int = 50_000
    sessions: int = 16_000  # ~12.5 participants recorded per session
    trainings: int = 4_000
    items: int = 900  # ~110 loans per item over five years, one after the other
    newsletters: int = 12
    users: int = 60
    journal: int = 20_000

    @classmethod
    def from_env(cls) -> Scale:
        if os.environ.get("BENCH_QUICK") == "1":
            return cls(**{key: max(4, value // 10) for key, value in asdict(cls()).items()})
        return cls()


def _chunks(rows: list[dict]):
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


def _insert(session, model, rows: list[dict]) -> None:
    for chunk in _chunks(rows):
        session.execute(insert(model), chunk)


def _insert_returning_ids(session, model, rows: list[dict]) -> list[int]:
    """Insert and return the new keys in the order of `rows` (SQLAlchemy's batched INSERT … RETURNING)."""
    ids = []
    key = model.__table__.primary_key.columns[0]
    for chunk in _chunks(rows):
        ids += session.scalars(insert(model).returning(key, sort_by_parameter_order=True), chunk).all()
    return ids


def _day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + rng.randint(0, (last - first).days) * DAY


def _templates(session, model) -> list[dict]:
    columns = [c for c in model.__table__.columns if not c.primary_key and c.name not in {"created_at", "updated_at"}]
    return [dict(row._mapping) for row in session.execute(select(*columns))]


def _places(session, rng, scale: Scale, first: dt.date, today: dt.date) -> list[dict]:
    """Copies of the demo's places moved by up to ~3 km, each with its facet values and the register's history
    (entered on a day of the five years, updated since when its record is newer)."""
    models = _templates(session, Place)
    rows = []
    for n in range(scale.places - len(models)):
        row = dict(rng.choice(models))
        row.update(
            id=f"Bench-{n:05d}",
            latitude=row["latitude"] + rng.uniform(-0.03, 0.03),
            longitude=row["longitude"] + rng.uniform(-0.04, 0.04),
            date_maj=_day(rng, first, today),
        )
        rows.append(row)
    pks = _insert_returning_ids(session, Place, rows)
    values, history = [], []
    for pk, row in zip(pks, rows, strict=True):
        values += [
            {"place_pk": pk, "field": field, "value": value}
            for field in PLACE_MULTI_FIELDS
            for value in dict.fromkeys(carte.split_multi(row[field]))
        ]
        entered = _day(rng, first, row["date_maj"])
        updated = clock.to_utc(row["date_maj"], dt.time(11))
        territory = {"register": "places", "ref": pk, "insee": row["code_insee"], "epci_code": row["epci_code"]}
        if entered < row["date_maj"]:
            history.append({**territory, "valid_from": clock.to_utc(entered, dt.time(9)), "valid_to": updated,
                            "date_maj": entered})  # fmt: skip
        history.append({**territory, "valid_from": updated, "valid_to": None, "date_maj": row["date_maj"]})
    _insert(session, PlaceValue, values)
    _insert(session, RegisterVersion, history)
    return [{"pk": pk, **row} for pk, row in zip(pks, rows, strict=True)]


def _loans(session, rng, scale: Scale, places: list[dict], first: dt.date, today: dt.date, creator: int) -> None:
    """Items of the demo's kinds, each lent over and over: loans one after the other, so none overlaps."""
    kinds = list(EQUIPMENT.items())
    items = []
    for n in range(scale.items):
        name, (category, units, *_rest) = kinds[n % len(kinds)]
        items.append({"name": f"{name} n°{n + 1}", "category": category, "units": units, "active": True})
    item_ids = _insert_returning_ids(session, EquipmentItem, items)
    start_instant = clock.to_utc(first, dt.time(9))
    _insert(session, RegisterVersion, [
        {"register": "equipment", "ref": item_id, "valid_from": start_instant, "units": item["units"]}
        for item_id, item in zip(item_ids, items, strict=True)
    ])  # fmt: skip
    per_item = scale.loans // scale.items
    last = today + 45 * DAY
    # The mean loan plus gap that spreads `per_item` loans over the five years.
    cycle = max(2, ((last - first).days + 1) // per_item)
    loans = []
    for n, item_id in enumerate(item_ids):
        high = kinds[n % len(kinds)][1][4]  # the kind's longest loan, in days
        day = first + rng.randint(0, cycle) * DAY
        for _ in range(per_item):
            days = rng.randint(1, min(high, cycle - 1))
            end = day + (days - 1) * DAY
            if end > last:
                break
            place = rng.choice(places)
            loans.append({
                "item_id": item_id, "units": 1, "borrower_place_pk": place["pk"], "borrower_name": place["nom"],
                "borrower_commune": place["commune"], "borrower_insee": place["code_insee"],
                "start_date": day, "end_date": end, "purpose": rng.choice(("atelier", "formation", "événement")),
                "training_given": rng.random() < 0.3, "interventions": rng.randint(2, 12) if days > 10 else None,
                "returned_on": end if end < today else None,
                "cancelled_at": clock.to_utc(day - 3 * DAY) if rng.random() < 0.02 else None, "created_by": creator,
            })  # fmt: skip
            day = end + rng.randint(1, 2 * (cycle - days)) * DAY if cycle > days else end + DAY
    _insert(session, Loan, loans)


def _agenda(session, rng, scale: Scale, places: list[dict], first: dt.date, today: dt.date) -> None:
    """Events modelled on the demo's, at places of the network, with one to seven weekly dates each."""
    models = _templates(session, Event)
    per_event = 4
    events, dates = [], []
    for _ in range(scale.occurrences // per_event):
        row = dict(rng.choice(models))
        place = rng.choice(places)
        if row["place_pk"] is not None:
            row.update(place_pk=place["pk"], location_name=place["nom"], address=place["adresse"],
                       postal_code=place["code_postal"], city=place["commune"], insee=place["code_insee"],
                       latitude=place["latitude"], longitude=place["longitude"])  # fmt: skip
        row["source_uid"] = None
        events.append(row)
        day = _day(rng, first, today + 90 * DAY)
        hour = rng.choice((9, 10, 14, 18))
        minutes = rng.choice((60, 90, 120, 180))
        dates.append([(day + 7 * k * DAY, hour, minutes) for k in range(rng.randint(1, 2 * per_event - 1))])
    event_ids = _insert_returning_ids(session, Event, events)
    occurrences = []
    for event_id, event_dates in zip(event_ids, dates, strict=True):
        for day, hour, minutes in event_dates:
            start = clock.to_utc(day, dt.time(hour))
            occurrences.append({"event_id": event_id, "start": start, "end": start + dt.timedelta(minutes=minutes),
                                "all_day": False})  # fmt: skip
    _insert(session, EventOccurrence, occurrences)


def _formations(session, rng, scale: Scale, places: list[dict], first: dt.date, today: dt.date) -> None:
    """Trainings modelled on the demo's, their sessions over the years, participants listed one per row."""
    trainings = _templates(session, Training)
    sessions_per_training = scale.sessions // scale.trainings
    rows, session_days = [], []
    for _ in range(scale.trainings):
        row = dict(rng.choice(trainings))
        days = sorted(_day(rng, first, today + 60 * DAY) for _ in range(sessions_per_training))
        row.update(start_date=days[0], end_date=days[-1])
        rows.append(row)
        session_days.append(days)
    training_ids = _insert_returning_ids(session, Training, rows)
    # Participants are listed for the sessions already held only.
    held = sum(day <= today for days in session_days for day in days)
    per_session = scale.attendants / max(1, held)
    sessions, present = [], []
    for training_id, days in zip(training_ids, session_days, strict=True):
        for day in days:
            place = rng.choice(places)
            capacity = rng.choice((12, 15, 20, 24))
            sessions.append({
                "training_id": training_id, "date": day, "start_time": dt.time(rng.choice((9, 14))),
                "end_time": dt.time(rng.choice((12, 17))), "duration_minutes": 180, "remote": False,
                "place_pk": place["pk"], "location": place["nom"], "commune_insee": place["code_insee"],
                "trainer": "Formateur du réseau", "capacity": capacity,
                "registered_count": None, "present_count": None,
            })  # fmt: skip
            present.append(0 if day > today else round(rng.uniform(0.6, 1.4) * per_session))
    session_ids = _insert_returning_ids(session, TrainingSession, sessions)
    attendants = []
    for session_id, count in zip(session_ids, present, strict=True):
        for _ in range(count):
            state = AttendantState.PRESENT if rng.random() < 0.85 else AttendantState.REGISTERED
            attendants.append({
                "session_id": session_id, "state": state.value,
                "audience_type": rng.choice(("Médiateur numérique", "Travailleur social", "Bénévole", "Agent")),
                "gender": rng.choice(("F", "F", "M", None)), "age_band": rng.choice(("18-25", "26-39", "40-54", "55-64")),
            })  # fmt: skip
    _insert(session, Attendant, attendants)


def _lettres(session, rng, scale: Scale, first: dt.date, today: dt.date) -> None:
    """More newsletters, each sent about every two weeks, with a subscriber count every month."""
    existing = session.scalar(select(func.count(Newsletter.id)))
    rows = [{"name": f"Lettre territoriale n°{n + 1}", "audience": "Acteurs du territoire", "platform": "Brevo"}
            for n in range(max(0, scale.newsletters - existing))]  # fmt: skip
    ids = _insert_returning_ids(session, Newsletter, rows) if rows else []
    issues, snapshots = [], []
    for newsletter_id in ids:
        readers = rng.randint(80, 600)
        day, number = first, 0
        while day <= today:
            number += 1
            opens = round(readers * rng.uniform(0.3, 0.55))
            issues.append({"newsletter_id": newsletter_id, "sent_on": day, "subject": f"Lettre n°{number}",
                           "recipients": readers, "opens": opens, "clicks": round(opens * rng.uniform(0.1, 0.3))})  # fmt: skip
            day += rng.randint(10, 18) * DAY
        month = first.replace(day=1)
        while month <= today:
            snapshots.append({"newsletter_id": newsletter_id, "date": month, "count": readers})
            readers += rng.randint(-3, 8)
            month = (month + 32 * DAY).replace(day=1)
    _insert(session, NewsletterIssue, issues)
    _insert(session, SubscriberSnapshot, snapshots)


def _accounts(session, rng, scale: Scale, first: dt.date, today: dt.date) -> None:
    """Accounts of the network (one password hash for all: scrypt costs 0.1 s each) and a journal of writes."""
    password_hash = session.scalar(select(User.password_hash).limit(1))
    roles = [Role.VIEWER.value] * 3 + [Role.COORDINATOR.value]
    users = [{"email": f"compte{n}@bench.mednum42.fr", "name": f"Compte {n}", "password_hash": password_hash,
              "role": rng.choice(roles), "active": rng.random() < 0.9} for n in range(scale.users)]  # fmt: skip
    user_ids = _insert_returning_ids(session, User, users)
    span = (today - first).days * 86_400
    start = clock.to_utc(first)
    journal = []
    for _ in range(scale.journal):
        user = rng.randrange(len(users))
        table = rng.choice(("loans", "events", "places", "training_sessions", "newsletter_issues"))
        journal.append({"at": start + dt.timedelta(seconds=rng.randint(0, span)), "user_id": user_ids[user],
                        "user_email": users[user]["email"],
                        "table_name": table, "row_id": str(rng.randint(1, 50_000)),
                        "action": rng.choice(("create", "update", "update", "delete")),
                        "before": None, "after": {"note": "modification de la fiche"}})  # fmt: skip
    _insert(session, AuditLog, journal)


def analyse(database: Database) -> None:
    """Fresh planner statistics after the bulk load (the planner otherwise nests loops over 100,000s of rows)."""
    if database.is_sqlite:
        with database.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
        return
    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))


def _counts(database: Database) -> dict[str, int]:
    with database.session() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (Place, Loan, Attendant, EventOccurrence, Event, TrainingSession, Training, EquipmentItem,
                          NewsletterIssue, User, AuditLog)
        }  # fmt: skip


def existing(url: str) -> dict[str, int] | None:
    """The row counts of a bench dataset already built at `url` (BENCH_DATABASE_URL run again), else None."""
    database = Database(url)
    try:
        with database.session() as session:
            built = session.scalar(select(func.count()).select_from(Place).where(Place.id.like("Bench-%")))
    except Exception:  # noqa: BLE001 - no tables yet: nothing to reuse
        built = 0
    counts = _counts(database) if built else None
    database.dispose()
    if counts:
        print(f"dataset: reusing the one at this address: {counts}", flush=True)
    return counts


def build(url: str, scale: Scale | None = None, seed: int = 12) -> dict[str, int]:
    """Migrate the empty database at `url`, fill it, analyse it; return the number of rows per table."""
    from dashboard.cli import upgrade_database  # the migrations as `flask init-db` runs them

    scale = scale or Scale.from_env()
    upgrade_database(url)
    database = Database(url)
    rng = random.Random(seed)
    today = clock.today()
    first = dt.date(today.year - YEARS, today.month, 1)
    started = time.perf_counter()
    with database.transaction() as session:
        seed_demo(session, today)
    with database.transaction() as session:
        creator = session.scalar(select(User.id).where(User.role == Role.COORDINATOR.value).limit(1))
        places = _places(session, rng, scale, first, today)
        _loans(session, rng, scale, places, first, today, creator)
        _agenda(session, rng, scale, places, first, today)
        _formations(session, rng, scale, places, first, today)
        _lettres(session, rng, scale, first, today)
        _accounts(session, rng, scale, first, today)
    analyse(database)
    counts = _counts(database)
    database.dispose()
    print(f"dataset: {counts} in {time.perf_counter() - started:.0f} s", flush=True)
    return counts
