"""Equipment and loans: the loan-day rule, the write rules (catalogue, loans, clash detection) and the utilisation
figures of the Matériel, computed in SQL so they stay fast over a hundred thousand loans."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Date, Float, Integer, and_, case, cast, func, literal, or_, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement, FunctionElement

from db import clock, fields, paging, register, revisions
from db.models import Commune, EquipmentItem, Loan, Mission, Place, Role
from db.periods import Period, month_periods, overlap_days, period_table
from db.writes import Actor, ValidationError, audit, require_role, snapshot

DAY = dt.timedelta(days=1)
EPOCH = dt.date(1970, 1, 1)
EARLIEST = dt.date(2015, 1, 1)  # before the network lent anything: a typo, not a loan
HORIZON_DAYS = 730  # bookings at most two years ahead
PURPOSES = ("atelier", "formation", "événement", "exposition", "animation", "autre")
MAX_NOTES = 2000


def loan_end(end_date: dt.date, returned_on: dt.date | None) -> dt.date:
    """The last day a loan occupies its item: the return date once returned (early or late), else the planned end."""
    return returned_on or end_date


def loan_days(start_date: dt.date, end_date: dt.date, returned_on: dt.date | None, period: Period) -> int:
    """THE loan-day rule: every calendar day from the first to the last day of the loan, both included, counted
    inside the period only. A loan from 30 December to 2 January counts 2 days in each year; a one-day loan counts 1.
    Cancelled loans count nothing (filtered by the callers' queries). `_period_days_sql` is its SQL twin."""
    return overlap_days(start_date, loan_end(end_date, returned_on), period)


# --- the rule in SQL ----------------------------------------------------------------------------------------------


class _days_between(FunctionElement):
    """`last - first` in days, for DATE columns, on PostgreSQL and SQLite (which stores dates as ISO text)."""

    type = Integer()
    inherit_cache = True


@compiles(_days_between)
def _days_between_default(element, compiler, **kw):
    last, first = list(element.clauses)
    return f"({compiler.process(last, **kw)} - {compiler.process(first, **kw)})"


@compiles(_days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    last, first = list(element.clauses)
    return f"CAST(julianday({compiler.process(last, **kw)}) - julianday({compiler.process(first, **kw)}) AS INTEGER)"


class _day_number(FunctionElement):
    """A DATE as a whole number of days (since 1970 on PostgreSQL, the Julian day on SQLite): computed once per row,
    the loan-day arithmetic over many periods is then integer comparisons."""

    type = Integer()
    inherit_cache = True


@compiles(_day_number)
def _day_number_default(element, compiler, **kw):
    (day,) = list(element.clauses)
    return f"({compiler.process(day, **kw)} - DATE '1970-01-01')"


@compiles(_day_number, "sqlite")
def _day_number_sqlite(element, compiler, **kw):
    (day,) = list(element.clauses)
    return f"CAST(julianday({compiler.process(day, **kw)}) AS INTEGER)"


class _least(FunctionElement):
    type = Integer()
    inherit_cache = True


class _greatest(FunctionElement):
    type = Integer()
    inherit_cache = True


@compiles(_least)
def _least_default(element, compiler, **kw):
    return f"LEAST({compiler.process(element.clauses, **kw)})"


@compiles(_greatest)
def _greatest_default(element, compiler, **kw):
    return f"GREATEST({compiler.process(element.clauses, **kw)})"


@compiles(_least, "sqlite")
def _least_sqlite(element, compiler, **kw):
    return f"MIN({compiler.process(element.clauses, **kw)})"  # SQLite's scalar MIN of several arguments


@compiles(_greatest, "sqlite")
def _greatest_sqlite(element, compiler, **kw):
    return f"MAX({compiler.process(element.clauses, **kw)})"


def _loan_end_sql() -> ColumnElement:
    return func.coalesce(Loan.returned_on, Loan.end_date)


def _period_days_sql(period: Period) -> ColumnElement:
    """loan_days() as an SQL expression, for loans already filtered by `_in_period`."""
    first, last = literal(period.start, Date), literal(period.end, Date)
    start = case((Loan.start_date < first, first), else_=Loan.start_date)
    end = case((_loan_end_sql() > last, last), else_=_loan_end_sql())
    return _days_between(end, start) + 1


def _item_key() -> ColumnElement:
    """The item id to group loans by. Written `item_id + 0` so that SQLite scans the table once instead of walking
    the (item, dates) index and fetching each row from it: seven times faster over 100,000 loans."""
    return (Loan.item_id + 0).label("item_id")


def _in_period(period: Period) -> ColumnElement:
    return and_(Loan.cancelled_at.is_(None), Loan.start_date <= period.end, _loan_end_sql() >= period.start)


def first_loan_day(session: Session) -> dt.date | None:
    """The first day of the earliest loan recorded: before it, the Matériel says nothing (not « no loans »)."""
    return session.scalar(select(func.min(Loan.start_date)).where(Loan.cancelled_at.is_(None)))


# --- parsing raw form values --------------------------------------------------------------------------------------


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _parse_int(value, field: str, errors: dict, label: str, required: bool = True) -> int | None:
    """A whole number (its sign is the caller's rule), within what a column holds."""
    text = _text(value)
    if not text:
        if required:
            errors[field] = f"{label} : valeur obligatoire."
        return None
    try:
        number = float(text.replace(",", "."))
    except ValueError:
        number = math.nan
    if not number.is_integer():  # also nan and the infinities
        errors[field] = f"{label} : un nombre entier est attendu."
        return None
    if abs(number) > fields.LARGEST_INTEGER:
        errors[field] = f"{label} : nombre trop grand."
        return None
    return int(number)


def _parse_date(value, field: str, errors: dict, label: str, today: dt.date) -> dt.date | None:
    """A date from a date input (ISO), a French dd/mm/yyyy, or a date object; within the sane range."""
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        text = _text(value)
        if not text:
            errors[field] = f"{label} : date obligatoire."
            return None
        try:
            day = dt.datetime.strptime(text, "%d/%m/%Y").date() if "/" in text else dt.date.fromisoformat(text[:10])
        except ValueError:
            errors[field] = f"{label} : date invalide (attendu : JJ/MM/AAAA)."
            return None
    latest = today + HORIZON_DAYS * DAY
    if day < EARLIEST:
        errors[field] = f"{label} : date trop ancienne (pas avant le {EARLIEST:%d/%m/%Y})."
    elif day > latest:
        errors[field] = f"{label} : date trop lointaine (au plus tard le {latest:%d/%m/%Y}, deux ans à l'avance)."
    else:
        return day
    return None


def _parse_flag(value) -> bool:
    """A checkbox: dbc.Checklist gives a list of ticked values, a switch a boolean."""
    if isinstance(value, list | tuple | set):
        return bool(value)
    return _text(value).lower() in {"1", "true", "on", "oui", "yes"}


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


# --- catalogue ----------------------------------------------------------------------------------------------------


def _lock_item(session: Session, item_id: int) -> EquipmentItem | None:
    """The item row, locked until the end of the transaction (PostgreSQL `FOR UPDATE`; on SQLite the write
    transaction's BEGIN IMMEDIATE already serialises writers), so clash checks and inserts cannot interleave."""
    return session.scalar(
        select(EquipmentItem)
        .where(EquipmentItem.id == item_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def save_item(
    session: Session,
    actor: Actor,
    *,
    item_id=None,
    name=None,
    category=None,
    units=None,
    active=True,
    description=None,
    today: dt.date | None = None,
) -> EquipmentItem:
    """Create an item (no `item_id`) or edit one. Coordinators and admins."""
    require_role(actor, Role.COORDINATOR)
    today = today or clock.today()
    errors: dict[str, str] = {}
    item = None
    if _text(item_id):
        key = _parse_int(item_id, "item_id", errors, "Article")
        item = _lock_item(session, key) if key is not None else None
        if item is None:
            errors["item_id"] = "Article inconnu : il a peut-être été supprimé."
    name, category = _text(name), _text(category)
    if not name:
        errors["name"] = "Le nom de l'article est obligatoire."
    elif len(name) > 200:
        errors["name"] = "Le nom est trop long (200 caractères au plus)."
    elif session.scalar(
        select(EquipmentItem.id).where(
            func.lower(EquipmentItem.name) == name.lower(), EquipmentItem.id != (item.id if item else -1)
        )
    ):
        errors["name"] = f"Un article s'appelle déjà « {name} »."
    if not category:
        errors["category"] = "La catégorie est obligatoire."
    elif len(category) > 100:
        errors["category"] = "La catégorie est trop longue (100 caractères au plus)."
    count = _parse_int(units, "units", errors, "Nombre d'unités")
    if count is not None and not 1 <= count <= 1000:
        errors["units"] = "Le nombre d'unités doit être compris entre 1 et 1 000."
    elif count is not None and item is not None and count < item.units:
        peak, busiest = _peak_from(session, item.id, today)
        if peak > count:
            errors["units"] = (
                f"Des prêts en cours ou à venir occupent {peak} unités le {busiest:%d/%m/%Y} : "
                f"impossible de descendre à {count}."
            )
    is_active = _parse_flag(active)
    _raise(errors)
    values = {"name": name, "category": category, "units": count, "active": is_active}
    values["description"] = _text(description) or None
    if item is None:
        item = EquipmentItem(**values)
        session.add(item)
        audit(session, actor, item, "create")
        return item
    before = snapshot(item)
    for key, value in values.items():
        setattr(item, key, value)
    audit(session, actor, item, "update", before)
    return item


def _peak_from(session: Session, item_id: int, today: dt.date) -> tuple[int, dt.date]:
    """The most units of an item lent on one day from `today` on, and that day."""
    loans = _occupying(session, item_id, today, dt.date.max - DAY)
    if not loans:
        return 0, today
    last = max(loan_end(loan.end_date, loan.returned_on) for loan in loans)
    usage = _daily_usage(loans, today, last)
    day = max(usage, key=usage.get)
    return usage[day], day


# --- loans --------------------------------------------------------------------------------------------------------


def _occupying(session: Session, item_id: int, first: dt.date, last: dt.date, exclude: int | None = None) -> list:
    """Non-cancelled loans of an item occupying at least one day of [first, last]."""
    query = select(Loan).where(
        Loan.item_id == item_id, Loan.cancelled_at.is_(None), Loan.start_date <= last, _loan_end_sql() >= first
    )
    if exclude is not None:
        query = query.where(Loan.id != exclude)
    return list(session.scalars(query.order_by(Loan.start_date)))


def _daily_usage(loans, first: dt.date, last: dt.date) -> Counter:
    usage: Counter = Counter()
    for loan in loans:
        day = max(loan.start_date, first)
        end = min(loan_end(loan.end_date, loan.returned_on), last)
        while day <= end:
            usage[day] += loan.units
            day += DAY
    return usage


def loan_dates(start_date: dt.date, end_date: dt.date, returned_on: dt.date | None = None) -> str:
    """The days a loan occupies, in French: "le 03/03/2025" or "du 03/03/2025 au 05/03/2025"."""
    last = loan_end(end_date, returned_on)
    return f"le {start_date:%d/%m/%Y}" if start_date == last else f"du {start_date:%d/%m/%Y} au {last:%d/%m/%Y}"


def describe_loan(loan: Loan) -> str:
    """How a loan is named in messages: borrower and dates, so a coordinator can find it."""
    units = f", {loan.units} unités" if loan.units > 1 else ""
    return f"prêt n° {loan.id} à {loan.borrower_name} {loan_dates(loan.start_date, loan.end_date, loan.returned_on)}{units}"


def check_clash(
    session: Session, item: EquipmentItem, start: dt.date, end: dt.date, units: int, exclude: int | None = None
) -> None:
    """Refuse a booking when, on some day of [start, end], the units already lent plus `units` exceed the item's.
    Call it with the item row locked (`_lock_item`)."""
    loans = _occupying(session, item.id, start, end, exclude)
    usage = _daily_usage(loans, start, end)
    clash_days = sorted(day for day, used in usage.items() if used + units > item.units)
    if not clash_days:
        return
    conflicting = [
        loan
        for loan in loans
        if any(loan.start_date <= day <= loan_end(loan.end_date, loan.returned_on) for day in clash_days)
    ]
    free = item.units - max(usage[day] for day in clash_days)
    span = (
        f"le {clash_days[0]:%d/%m/%Y}"
        if len(clash_days) == 1
        else f"du {clash_days[0]:%d/%m/%Y} au {clash_days[-1]:%d/%m/%Y}"
    )
    raise ValidationError(
        {
            "": f"Conflit de réservation : « {item.name} » ({item.units} unité{'s' if item.units > 1 else ''}) "
            f"n'a que {max(free, 0)} unité{'s' if free > 1 else ''} libre{'s' if free > 1 else ''} {span}, "
            f"déjà réservé par : " + " ; ".join(describe_loan(loan) for loan in conflicting) + ".",
            "start_date": "Ces dates chevauchent un autre prêt.",
        }
    )


def _borrower(session: Session, place_pk, name, commune, errors: dict) -> dict:
    """A place of the map (its name and commune copied), else a free name with a known commune."""
    if _text(place_pk):
        key = _parse_int(place_pk, "borrower_place_pk", errors, "Structure")
        place = session.get(Place, key) if key is not None else None
        if place is None:
            errors["borrower_place_pk"] = "Lieu inconnu : choisir une structure dans la liste."
            return {}
        return {
            "borrower_place_pk": place.pk,
            "borrower_name": place.nom,
            "borrower_commune": place.commune,
            "borrower_insee": place.code_insee,
        }
    name, commune = _text(name), _text(commune)
    if not name:
        errors["borrower_place_pk"] = (
            "Indiquer la structure emprunteuse : un lieu de la carte, ou un nom et sa commune."
        )
        return {}
    if len(name) > 300:
        errors["borrower_name"] = "Le nom est trop long (300 caractères au plus)."
    found = session.get(Commune, commune) if commune else None
    if found is None:
        found = session.scalar(select(Commune).where(func.lower(Commune.name) == commune.lower())) if commune else None
    if found is None:
        errors["borrower_commune"] = (
            "Commune inconnue : choisir dans la liste." if commune else "Indiquer la commune de la structure."
        )
        return {}
    return {
        "borrower_place_pk": None,
        "borrower_name": name,
        "borrower_commune": found.name,
        "borrower_insee": found.insee,
    }


def create_loan(
    session: Session,
    actor: Actor,
    *,
    item_id=None,
    units=1,
    borrower_place_pk=None,
    borrower_name=None,
    borrower_commune=None,
    start_date=None,
    end_date=None,
    purpose=None,
    training_given=False,
    interventions=None,
    notes=None,
    mission_id=None,
    today: dt.date | None = None,
) -> Loan:
    """Book units of an item for a borrower. Coordinators and admins; refused on a clash with other loans.
    `mission_id`: the convention's mission the annual report tells the loan under (none: the report's own rule)."""
    require_role(actor, Role.COORDINATOR)
    today = today or clock.today()
    errors: dict[str, str] = {}
    item = None
    if not _text(item_id):
        errors["item_id"] = "Choisir un article du catalogue."
    else:
        key = _parse_int(item_id, "item_id", errors, "Article")
        item = _lock_item(session, key) if key is not None else None
        if item is None:
            errors.setdefault("item_id", "Article inconnu : choisir un article du catalogue.")
        elif not item.active:
            errors["item_id"] = f"« {item.name} » est retiré du catalogue : il ne peut plus être prêté."
    count = _parse_int(units, "units", errors, "Unités")
    if count is not None and count <= 0:
        errors["units"] = "Prêter au moins 1 unité."
    elif count is not None and item is not None and count > item.units:
        errors["units"] = f"« {item.name} » ne compte que {item.units} unité{'s' if item.units > 1 else ''}."
    borrower = _borrower(session, borrower_place_pk, borrower_name, borrower_commune, errors)
    start = _parse_date(start_date, "start_date", errors, "Début", today)
    end = _parse_date(end_date, "end_date", errors, "Fin", today)
    if start and end and end < start:
        errors["end_date"] = "La date de fin doit être le jour du début ou après."
    purpose = _text(purpose) or None
    if purpose is not None and purpose not in PURPOSES:
        errors["purpose"] = "Objet inconnu : choisir dans la liste."
    planned = _parse_int(interventions, "interventions", errors, "Interventions", required=False)
    if planned is not None and not 0 <= planned <= 10_000:
        errors["interventions"] = "Le nombre d'interventions doit être compris entre 0 et 10 000."
    notes = _text(notes) or None
    if notes and len(notes) > MAX_NOTES:
        errors["notes"] = f"Les notes sont trop longues ({MAX_NOTES} caractères au plus)."
    mission = None
    if _text(mission_id):
        key = _parse_int(mission_id, "mission_id", errors, "Mission")
        mission = session.get(Mission, key) if key is not None else None
        if mission is None:
            errors.setdefault("mission_id", "Mission introuvable.")
    _raise(errors)
    check_clash(session, item, start, end, count)
    loan = Loan(
        item_id=item.id,
        units=count,
        start_date=start,
        end_date=end,
        purpose=purpose,
        training_given=_parse_flag(training_given),
        interventions=planned,
        notes=notes,
        created_by=getattr(actor, "id", None),
        mission_id=mission.id if mission else None,
        **borrower,
    )
    session.add(loan)
    audit(session, actor, loan, "create")
    return loan


def _open_loan(session: Session, loan_id, errors: dict) -> tuple[Loan | None, EquipmentItem | None]:
    """A loan that is neither cancelled nor returned, with its item row locked."""
    key = _parse_int(loan_id, "loan_id", errors, "Prêt", required=False)
    loan = session.get(Loan, key) if key is not None else None
    if loan is None:
        errors.setdefault("loan_id", "Choisir un prêt dans la liste.")
        return None, None
    if loan.cancelled_at is not None:
        errors["loan_id"] = f"Le prêt n° {loan.id} est annulé."
    elif loan.returned_on is not None:
        errors["loan_id"] = f"Le prêt n° {loan.id} est déjà rendu (le {loan.returned_on:%d/%m/%Y})."
    return loan, _lock_item(session, loan.item_id)


def return_loan(session: Session, actor: Actor, *, loan_id=None, returned_on=None, today: dt.date | None = None):
    """Record the real return date: the loan occupies its item up to that day, early or late."""
    require_role(actor, Role.COORDINATOR)
    today = today or clock.today()
    errors: dict[str, str] = {}
    loan, item = _open_loan(session, loan_id, errors)
    day = _parse_date(returned_on, "returned_on", errors, "Date de retour", today)
    if day and day > today:
        errors["returned_on"] = "La date de retour ne peut pas être dans le futur."
    elif day and loan and day < loan.start_date:
        errors["returned_on"] = f"Le retour ne peut pas précéder le début du prêt ({loan.start_date:%d/%m/%Y})."
    _raise(errors)
    if day > loan.end_date:  # a late return kept the item: it must not have been lent to someone else meanwhile
        check_clash(session, item, loan.end_date + DAY, day, loan.units, exclude=loan.id)
    before = snapshot(loan)
    loan.returned_on = day
    audit(session, actor, loan, "update", before)
    return loan


def extend_loan(session: Session, actor: Actor, *, loan_id=None, end_date=None, today: dt.date | None = None):
    """Push back the planned end of an open loan, if the item is free on the added days."""
    require_role(actor, Role.COORDINATOR)
    today = today or clock.today()
    errors: dict[str, str] = {}
    loan, item = _open_loan(session, loan_id, errors)
    end = _parse_date(end_date, "end_date", errors, "Nouvelle fin", today)
    if end and loan and end <= loan.end_date:
        errors["end_date"] = f"La nouvelle fin doit être après la fin actuelle ({loan.end_date:%d/%m/%Y})."
    _raise(errors)
    check_clash(session, item, loan.end_date + DAY, end, loan.units, exclude=loan.id)
    before = snapshot(loan)
    loan.end_date = end
    audit(session, actor, loan, "update", before)
    return loan


def cancel_loan(session: Session, actor: Actor, *, loan_id=None):
    """Cancel a loan that has not been returned: it frees its dates and counts nothing."""
    require_role(actor, Role.COORDINATOR)
    errors: dict[str, str] = {}
    loan, _item = _open_loan(session, loan_id, errors)
    _raise(errors)
    before = snapshot(loan)
    loan.cancelled_at = clock.utcnow()
    audit(session, actor, loan, "update", before)
    return loan


# --- lists --------------------------------------------------------------------------------------------------------


# The page's reads, once per revision of the loans, the catalogue and the names they show (places, communes): every
# user opening the page after a write meets the same answers. The frames are shared: read them, never modify them.
READS = revisions.Cache(256)
READ_AREAS = (revisions.MATERIEL, revisions.PLACES, revisions.COMMUNES)


def _once(session: Session, key: tuple, compute):
    return revisions.memoize(READS, session, READ_AREAS, key, compute)


def items_today(session: Session, today: dt.date) -> pd.DataFrame:
    """Per item lent on `today` (index `id`): the units out (loans started and not returned, overdue ones included)
    and how many of those loans are overdue. Items with nothing out are absent."""
    return _once(session, ("items_today", today), lambda: _items_today(session, today))


def _items_today(session: Session, today: dt.date) -> pd.DataFrame:
    overdue = case((Loan.end_date < today, 1), else_=0)
    query = (
        select(Loan.item_id.label("id"), func.sum(Loan.units).label("units_out"), func.sum(overdue).label("overdue"))
        .where(Loan.cancelled_at.is_(None), Loan.returned_on.is_(None), Loan.start_date <= today)
        .group_by(Loan.item_id)
    )
    frame = pd.DataFrame(session.execute(query).all(), columns=["id", "units_out", "overdue"])
    return frame.astype({"units_out": int, "overdue": int}).set_index("id")


def list_items(session: Session, active_only: bool = False) -> pd.DataFrame:
    return _once(session, ("items", active_only), lambda: _list_items(session, active_only))


def _list_items(session: Session, active_only: bool) -> pd.DataFrame:
    query = select(
        EquipmentItem.id,
        EquipmentItem.name,
        EquipmentItem.category,
        EquipmentItem.units,
        EquipmentItem.active,
        EquipmentItem.description,
    ).order_by(EquipmentItem.category, EquipmentItem.name)
    if active_only:
        query = query.where(EquipmentItem.active.is_(True))
    return pd.DataFrame(
        session.execute(query).all(), columns=["id", "name", "category", "units", "active", "description"]
    )


def borrower_places(session: Session) -> pd.DataFrame:
    rows = session.execute(select(Place.pk, Place.nom, Place.commune).order_by(Place.nom)).all()
    return pd.DataFrame(rows, columns=["pk", "name", "commune"])


def communes(session: Session) -> pd.DataFrame:
    rows = session.execute(select(Commune.insee, Commune.name).order_by(Commune.name)).all()
    return pd.DataFrame(rows, columns=["insee", "name"])


LOAN_STATUS_LABELS = {"overdue": "En retard", "current": "En cours", "upcoming": "À venir", "returned": "Rendu"}
OPEN_STATUSES = ("overdue", "current", "upcoming")  # the loans to follow: not returned yet


def _status_sql(today: dt.date) -> ColumnElement:
    """A loan's state on `today`: returned, overdue (the planned end passed without a return), upcoming, current."""
    return case(
        (Loan.returned_on.is_not(None), "returned"),
        (Loan.end_date < today, "overdue"),
        (Loan.start_date > today, "upcoming"),
        else_="current",
    )


def _loans_query(today: dt.date):
    """The loans that are not cancelled, with their item and their state on `today`."""
    return (
        select(
            Loan.id.label("id"),
            EquipmentItem.name.label("item"),
            Loan.units.label("units"),
            Loan.borrower_name.label("borrower"),
            Loan.borrower_commune.label("commune"),
            Loan.start_date.label("start_date"),
            Loan.end_date.label("end_date"),
            Loan.returned_on.label("returned_on"),
            Loan.purpose.label("purpose"),
            _status_sql(today).label("status"),
        )
        .join(EquipmentItem, EquipmentItem.id == Loan.item_id)
        .where(Loan.cancelled_at.is_(None))
    )


def _schedule_query(today: dt.date, past_days: int):
    """Every loan not yet returned and those returned in the last `past_days` days."""
    return _loans_query(today).where(or_(Loan.returned_on.is_(None), _loan_end_sql() >= today - past_days * DAY))


def loan_schedule(session: Session, today: dt.date, past_days: int = 30) -> pd.DataFrame:
    """Loans for the follow-up export and the projection: every loan not yet returned (current, upcoming, overdue)
    and those returned in the last `past_days` days. Cancelled ones excluded."""
    result = session.execute(_schedule_query(today, past_days).order_by(Loan.start_date, Loan.id))
    columns = list(result.keys())
    return pd.DataFrame(result.all(), columns=columns)


def loan_page(session: Session, today: dt.date, request: paging.PageRequest, past_days: int = 30) -> paging.Page:
    """A page of the loans of `loan_schedule`, filtered and sorted in SQL (filter `status` with `in` for a set of
    states); by default the most urgent first: overdue, current, upcoming, returned, each by start date. Sorting by
    `status` follows that urgency."""
    return _once(
        session, ("loan_page", today, repr(request), past_days), lambda: _loan_page(session, today, request, past_days)
    )


def _loan_page(session: Session, today: dt.date, request: paging.PageRequest, past_days: int) -> paging.Page:
    query = _schedule_query(today, past_days)
    columns = paging.columns_of(query)
    urgency = case({"overdue": 0, "current": 1, "upcoming": 2}, value=_status_sql(today), else_=3)
    order = (paging.Sort("status"), paging.Sort("start_date"))
    return paging.fetch(session, query, columns, request, order, Loan.id, sort_keys={"status": urgency})


def calendar_loans(session: Session, today: dt.date, window: Period) -> pd.DataFrame:
    """The loans drawn on the booking calendar for `window`: those occupying one of its days, and every overdue
    loan (the item is still out, whatever the window). Cancelled ones excluded; columns of `loan_schedule`."""
    return _once(session, ("calendar", today, window), lambda: _calendar_loans(session, today, window))


def _calendar_loans(session: Session, today: dt.date, window: Period) -> pd.DataFrame:
    query = _loans_query(today).where(
        or_(
            and_(Loan.start_date <= window.end, _loan_end_sql() >= window.start),
            and_(Loan.returned_on.is_(None), Loan.end_date < today),
        )
    )
    result = session.execute(query.order_by(Loan.start_date, Loan.id))
    columns = list(result.keys())
    return pd.DataFrame(result.all(), columns=columns)


# --- utilisation --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Utilisation:
    """Every panel of the Matériel for a period. Loan-days count units (a 2-unit loan of 3 days is 6 loan-days)."""

    period: Period
    # id, name, category, units, active, loans, loan_days, available_days, rate, interventions, estimated_interventions
    items: pd.DataFrame
    categories: pd.DataFrame
    borrowers: pd.DataFrame
    communes: pd.DataFrame
    epcis: pd.DataFrame
    months: pd.DataFrame
    last_day: dt.date | None  # the latest loan-day of the period
    availability: register.Presence  # how long each item stood in the catalogue during the period

    @property
    def total_loan_days(self) -> int:
        return int(self.items["loan_days"].sum())

    @property
    def total_available_days(self) -> int:
        return int(self.items["available_days"].sum())

    @property
    def total_interventions(self) -> int:
        return int(self.items["interventions"].sum())

    @property
    def estimated_interventions(self) -> int:
        """Interventions imputed (one per loan-day) for loans entered without a number: part of the total."""
        return int(self.items["estimated_interventions"].sum())

    @property
    def rate(self) -> float:
        return self.total_loan_days / self.total_available_days if self.total_available_days else 0.0


INTERVENTIONS_RULE = (
    "Estimation : une intervention par jour de prêt (× unités) pour les prêts saisis sans nombre d'interventions."
)


def _interventions_sql(period: Period) -> ColumnElement:
    """One intervention per loan-day, unless a number was entered: then its share for the days in the period."""
    days = _period_days_sql(period)
    total = _days_between(_loan_end_sql(), Loan.start_date) + 1
    return case(
        (Loan.interventions.is_(None), cast(days * Loan.units, Float)),
        else_=cast(Loan.interventions, Float) * days / total,
    )


def _imputed_interventions_sql(period: Period) -> ColumnElement:
    """The part of `_interventions_sql` that is imputed rather than entered."""
    return case((Loan.interventions.is_(None), cast(_period_days_sql(period) * Loan.units, Float)), else_=0.0)


@dataclass(frozen=True)
class LoanTotals:
    """The totals of `utilisation` for a period, from one aggregate pass (what the figure catalogue reads)."""

    loan_days: int
    loans: int
    borrowers: int
    interventions: int  # rounded per item, then summed, as the utilisation table adds them up
    estimated_interventions: int
    available_days: int
    availability: register.Presence
    last_day: dt.date | None

    @property
    def rate(self) -> float | None:
        return self.loan_days / self.available_days if self.available_days else None


def loan_totals(session: Session, periods: list[Period]) -> list[LoanTotals]:
    """The totals of `utilisation` for each period (what the figure catalogue reads), by joining the loans of all
    the periods to a table of the periods' day numbers: each loan meets the periods it overlaps, where the loan-day
    rule is integer arithmetic (days of [first, last] inside the period × units). Interventions are rounded per
    item, as the utilisation table adds them up."""
    span = Period(min(p.start for p in periods), max(p.end for p in periods))
    origin = session.scalar(select(_day_number(literal(EPOCH, Date))))  # this database's day number of EPOCH
    table = period_table(
        [((p.start - EPOCH).days + origin, (p.end - EPOCH).days + origin) for p in periods], (Integer(), Integer())
    )
    loans = (
        select(
            _item_key(),
            Loan.id,
            Loan.units,
            Loan.interventions,
            (Loan.borrower_name + "|" + func.coalesce(Loan.borrower_commune, "")).label("borrower"),
            _day_number(Loan.start_date).label("first"),
            _day_number(_loan_end_sql()).label("last"),
        )
        .where(_in_period(span))
        # Materialised: else SQLite inlines it and computes the day numbers again in every expression.
        .cte("period_loans")
        .prefix_with("MATERIALIZED")
    )
    overlap = and_(loans.c.first <= table.c.last, loans.c.last >= table.c.first)
    days = (_least(loans.c.last, table.c.last) - _greatest(loans.c.first, table.c.first) + 1) * loans.c.units
    imputed = loans.c.interventions.is_(None)
    entered_share = cast(loans.c.interventions, Float) * days / loans.c.units / (loans.c.last - loans.c.first + 1)
    per_item = session.execute(
        select(
            table.c.n,
            func.sum(days),
            func.sum(case((imputed, days), else_=entered_share)),
            func.sum(case((imputed, days), else_=0)),
        )
        .select_from(loans.join(table, overlap))
        .group_by(table.c.n, loans.c.item_id)
    ).all()
    overall = {
        n: (count, borrowers, last)
        for n, count, borrowers, last in session.execute(
            select(
                table.c.n,
                func.count(loans.c.id),
                func.count(func.distinct(loans.c.borrower)),
                func.max(_least(loans.c.last, table.c.last)),
            )
            .select_from(loans.join(table, overlap))
            .group_by(table.c.n)
        )
    }
    out = []
    for n, availability in enumerate(register.presences(session, register.EQUIPMENT, periods)):
        items = [row for row in per_item if row[0] == n]
        count, borrowers, last_day = overall.get(n, (0, 0, None))
        out.append(
            LoanTotals(
                loan_days=int(sum(row[1] for row in items)),
                loans=int(count),
                borrowers=int(borrowers),
                interventions=int(sum(round(row[2]) for row in items)),
                estimated_interventions=int(sum(round(row[3]) for row in items)),
                available_days=int(availability.rows["unit_days"].sum()),
                availability=availability,
                last_day=EPOCH + dt.timedelta(days=last_day - origin) if last_day is not None else None,
            )
        )
    return out


def _rate(frame: pd.DataFrame) -> pd.Series:
    return (frame["loan_days"] / frame["available_days"].where(frame["available_days"] > 0)).fillna(0.0)


def _totals(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Loans, loan-days and interventions summed per `keys`, most lent first."""
    out = frame.groupby(keys, as_index=False, dropna=False)[["loans", "loan_days", "interventions"]].sum()
    return out.sort_values(["loan_days", *keys], ascending=[False] + [True] * len(keys), ignore_index=True)


UTILISATIONS = revisions.Cache(64)


def utilisation(session: Session, period: Period) -> Utilisation:
    """`compute_utilisation`, once per period and revision of the loans, the catalogue and the communes: the page,
    its exports, the projection and the report share it. Its frames are shared too: read them, never modify them."""
    return revisions.memoize(
        UTILISATIONS,
        session,
        (revisions.MATERIEL, revisions.COMMUNES),
        ("utilisation", period, clock.today()),
        lambda: compute_utilisation(session, period),
    )


def compute_utilisation(session: Session, period: Period) -> Utilisation:
    """Loan-days per item (the rule), available days (units × days each item stood in the catalogue during the
    period, from the register's history), rate, interventions (entered, else imputed: see INTERVENTIONS_RULE);
    totals per category, borrower, commune and EPCI, and by month.

    Two aggregate queries, each one pass over the loans: per item (with one column per month), and per borrower
    with its commune and EPCI; the coarser totals are rolled up from those small results."""
    days = _period_days_sql(period) * Loan.units
    interventions = _interventions_sql(period)
    in_period = _in_period(period)
    measures = (func.count(Loan.id), func.sum(days), func.sum(interventions))
    last = literal(period.end, Date)
    last_day = func.max(case((_loan_end_sql() > last, last), else_=_loan_end_sql()))
    months = month_periods(period)

    item_key = _item_key()
    per_item = session.execute(
        select(
            item_key,
            *measures,
            func.sum(_imputed_interventions_sql(period)),
            last_day,
            *(func.sum(_month_days_sql(month)) for month in months),
        )
        .where(in_period)
        .group_by(item_key)
    ).all()
    lent = pd.DataFrame(
        [row[:5] for row in per_item],
        columns=["id", "loans", "loan_days", "interventions", "estimated_interventions"],
        dtype="float64",
    )
    availability, *per_month = register.presences(session, register.EQUIPMENT, [period, *months])
    items = list_items(session).drop(columns="description").merge(lent.astype({"id": "int64"}), on="id", how="left")
    items["available_days"] = items["id"].map(availability.rows.set_index("ref")["unit_days"]).fillna(0)
    # The items of the catalogue during the period, and any item lent in it.
    items = items[(items["available_days"] > 0) | items["loans"].notna()]
    items = items.fillna({"loans": 0, "loan_days": 0, "interventions": 0, "estimated_interventions": 0})
    items = items.astype({"units": "int64", "loans": "int64", "loan_days": "int64", "available_days": "int64"})
    items = items.reset_index(drop=True)
    for column in ("interventions", "estimated_interventions"):
        items[column] = items[column].round().astype("int64")
    items["rate"] = _rate(items)

    categories = items.groupby("category", as_index=False)[["loans", "loan_days", "available_days", "interventions"]]
    categories = categories.sum().sort_values("loan_days", ascending=False, ignore_index=True)
    categories["rate"] = _rate(categories)

    month_frame = pd.DataFrame(
        {
            "month": [month.start for month in months],
            "loan_days": [int(sum(row[6 + n] or 0 for row in per_item)) for n in range(len(months))],
            "available_days": [int(presence.rows["unit_days"].sum()) for presence in per_month],
        }
    )
    month_frame["rate"] = _rate(month_frame)

    keys = (
        Loan.borrower_name,
        Loan.borrower_commune,
        Loan.borrower_insee,
        Commune.name,
        Commune.epci_code,
        Commune.epci_name,
    )
    per_borrower = pd.DataFrame(
        session.execute(
            select(*keys, *measures)
            .outerjoin(Commune, Commune.insee == Loan.borrower_insee)
            .where(in_period)
            .group_by(*keys)
        ).all(),
        columns=[
            "borrower",
            "commune",
            "insee",
            "commune_name",
            "epci_code",
            "epci",
            "loans",
            "loan_days",
            "interventions",
        ],
    ).astype({"loans": "int64", "loan_days": "int64", "interventions": "float64"})
    per_borrower = per_borrower.fillna({"commune_name": "Non renseigné", "epci": "Non renseigné"})
    borrowers = _totals(per_borrower, ["borrower", "commune"])
    communes = _totals(per_borrower, ["insee", "commune_name", "epci"]).rename(columns={"commune_name": "commune"})
    epcis = _totals(per_borrower, ["epci_code", "epci"])
    for frame in (borrowers, communes, epcis):
        frame["interventions"] = frame["interventions"].round().astype("int64")
    last_days = [row[5] for row in per_item if row[5] is not None]
    return Utilisation(
        period,
        items,
        categories,
        borrowers,
        communes,
        epcis,
        month_frame,
        max(_as_date(day) for day in last_days) if last_days else None,
        availability,
    )


def _as_date(value) -> dt.date:
    """A DATE aggregate: PostgreSQL gives a date, SQLite its ISO text."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _month_days_sql(month: Period) -> ColumnElement:
    """Loan-days × units of a loan inside one month, for loans filtered on the whole period."""
    first, last = literal(month.start, Date), literal(month.end, Date)
    start = case((Loan.start_date < first, first), else_=Loan.start_date)
    end = case((_loan_end_sql() > last, last), else_=_loan_end_sql())
    inside = _days_between(end, start) + 1
    return case((inside > 0, inside * Loan.units), else_=0)
