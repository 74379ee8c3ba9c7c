"""Trainings, sessions and attendance: queries and write rules of the Formations.

Counting rules, written once here and used by every panel, export and key figure:

- A session's attendance comes from its attendant rows when it has any, else from the counts entered on it.
  From rows, *registered* = rows in state « inscrit » or « présent » (someone present was registered; the waiting
  list and cancellations hold no seat) and *present* = rows in state « présent ».
- Participants = people present, counted once per session (a workshop of 10 counts 10, even when the same people
  come back next month), as national statistics do. A session without recorded attendance counts 0 participants.
- Fill rate = registered / capacity, over the sessions where both are known. Sessions without a capacity (an open
  webinar) or without a registered figure are left out of both sides; no such session at all gives None (shown
  « — »), never 0 % or a division by zero.
- Attendance rate = present / registered, over the sessions held on or before `today` whose registered and present
  figures are both known and whose registered figure is above 0. Upcoming sessions are left out (nobody can be
  present yet); no such session gives None.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Date, Select, and_, case, extract, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement

from db import clock, fields, paging, revisions
from db.figures import KeyFigure
from db.models import (
    Attendant,
    AttendantState,
    Commune,
    Mission,
    Place,
    Role,
    Training,
    TrainingKind,
    TrainingSession,
)
from db.periods import Period, period_table
from db.writes import Actor, ValidationError, audit, require_role, snapshot

KIND_LABELS = {
    TrainingKind.FORMATION.value: "Formation",
    TrainingKind.INTERVENTION.value: "Intervention",
    TrainingKind.RENCONTRE.value: "Rencontre",
    TrainingKind.WEBINAIRE.value: "Webinaire",
}
STATE_LABELS = {
    AttendantState.REGISTERED.value: "Inscrit",
    AttendantState.WAITING.value: "En liste d'attente",
    AttendantState.CANCELLED.value: "Annulé",
    AttendantState.PRESENT.value: "Présent",
}
# The optional profile of an attendant: deliberately coarse, nothing that identifies a person.
GENDER_LABELS = {"F": "Femme", "M": "Homme", "X": "Autre"}
AGE_BANDS = ("moins de 18", "18-25", "26-39", "40-54", "55-64", "65+")
MODE_LABELS = {"in_person": "En présentiel", "remote": "À distance"}
HOLDING_SEAT = (AttendantState.REGISTERED.value, AttendantState.PRESENT.value)
NOT_SPECIFIED = "Non précisé"
INSEE_RE = re.compile(r"^(\d{5}|2[AB]\d{3})$")


# --- reading raw form values ----------------------------------------------------------------------------------


class _Form:
    """Parses the raw values a browser sends (strings, None, numbers) and gathers one French message per field."""

    def __init__(self):
        self.errors: dict[str, str] = {}

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def check(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)

    def text(self, name: str, value, *, required: str | None = None, max_length: int = 200) -> str | None:
        text = str(value).strip() if value is not None else ""
        if not text:
            if required:
                self.fail(name, required)
            return None
        if len(text) > max_length:
            self.fail(name, f"{max_length} caractères au plus.")
        return text

    def integer(self, name: str, value, *, minimum: int = 0, message: str | None = None) -> int | None:
        if value is None or str(value).strip() == "":
            return None
        try:
            number = float(str(value).strip().replace(",", ".")) if isinstance(value, int | float | str) else None
        except ValueError:
            number = None
        if number is None or not number.is_integer():  # also nan and infinities
            self.fail(name, "Saisir un nombre entier.")
            return None
        if number > fields.LARGEST_INTEGER:
            self.fail(name, f"Nombre trop grand : {fields.LARGEST_INTEGER} au plus.")
            return None
        if number < minimum:
            self.fail(name, message or f"Saisir un nombre supérieur ou égal à {minimum}.")
            return None
        return int(number)

    def date(self, name: str, value, *, required: str | None = None) -> dt.date | None:
        if isinstance(value, dt.date):
            return value
        if value is None or str(value).strip() == "":
            if required:
                self.fail(name, required)
            return None
        try:
            return dt.date.fromisoformat(str(value).strip()[:10])
        except ValueError:
            self.fail(name, "Date invalide (format attendu : jj/mm/aaaa).")
            return None

    def time(self, name: str, value) -> dt.time | None:
        if isinstance(value, dt.time):
            return value
        if value is None or str(value).strip() == "":
            return None
        try:
            return dt.time.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(name, "Heure invalide (format attendu : hh:mm).")
            return None

    def choice(self, name: str, value, choices, message: str, *, required: bool = True) -> str | None:
        if value is None or str(value).strip() == "":
            if required:
                self.fail(name, message)
            return None
        if str(value) not in choices:
            self.fail(name, message)
            return None
        return str(value)

    def row(self, session: Session, name: str, model, value, message: str, lock: bool = False):
        """The row of `model` whose primary key is `value`, or None (with `message` when a value was given).
        `lock` takes it FOR UPDATE (PostgreSQL; SQLite's write transactions are serialised already), so a check
        against it (seats left) holds until the write is committed."""
        key = self.integer(name, value, minimum=1, message=message)
        if key is None:
            return None
        row = session.get(model, key, with_for_update=lock)
        if row is None:
            self.fail(name, message)
        return row


def _sort_key(text: str) -> str:
    """French alphabetical order: accents sort with their letter (Boën before Bourg)."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().casefold()


def _format_date(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


def _write(session: Session, actor: Actor, obj, values: dict, *, is_new: bool) -> None:
    """Apply `values` to `obj` and add its audit row (create or update) in the same transaction."""
    before = None if is_new else snapshot(obj)
    for key, value in values.items():
        setattr(obj, key, value)
    if is_new:
        session.add(obj)
    audit(session, actor, obj, "create" if is_new else "update", before)


# --- write rules ------------------------------------------------------------------------------------------------


def save_training(
    session: Session,
    actor: Actor,
    *,
    training_id=None,
    programme=None,
    title=None,
    kind=None,
    partner=None,
    audience=None,
    description=None,
    start_date=None,
    end_date=None,
    mission_id=None,
) -> Training:
    """Create a training, or edit the one `training_id` names (every field is replaced, as the form sends them
    all). Its dates, when given, must contain its sessions. `mission_id`: the convention's mission the annual report
    tells it under (none: not told)."""
    require_role(actor, Role.COORDINATOR)
    form = _Form()
    training = form.row(session, "training_id", Training, training_id, "Formation introuvable.")
    values = {
        "programme": form.text("programme", programme, required="Le programme est obligatoire."),
        "title": form.text("title", title, required="L'intitulé est obligatoire.", max_length=300),
        "kind": form.choice(
            "kind", kind, KIND_LABELS, "Type inconnu : formation, intervention, rencontre ou webinaire."
        ),
        "partner": form.text("partner", partner),
        "audience": form.text("audience", audience),
        "description": form.text("description", description, max_length=5000),
        "start_date": form.date("start_date", start_date),
        "end_date": form.date("end_date", end_date),
    }
    mission = form.row(session, "mission_id", Mission, mission_id, "Mission introuvable.")
    values["mission_id"] = mission.id if mission else None
    first, last = values["start_date"], values["end_date"]
    if first and last and last < first:
        form.fail("end_date", "La date de fin précède la date de début.")
    if training is not None and (first or last):
        outside = [s.date for s in training.sessions if (first and s.date < first) or (last and s.date > last)]
        if outside:
            form.fail(
                "start_date" if first and min(outside) < first else "end_date",
                f"Une session a lieu hors de ces dates (le {_format_date(min(outside))}) : "
                "élargir les dates ou déplacer la session.",
            )
    form.check()
    is_new = training is None
    training = training or Training()
    _write(session, actor, training, values, is_new=is_new)
    return training


def _attendance_from_rows(attendants: list[Attendant]) -> tuple[int, int]:
    """(registered, present) of a session's attendant rows: see the module's counting rules."""
    registered = sum(1 for a in attendants if a.state in HOLDING_SEAT)
    present = sum(1 for a in attendants if a.state == AttendantState.PRESENT)
    return registered, present


def save_session(
    session: Session,
    actor: Actor,
    *,
    training_id=None,
    session_id=None,
    date=None,
    start_time=None,
    end_time=None,
    duration_minutes=None,
    mode=None,
    place_pk=None,
    location=None,
    commune_insee=None,
    trainer=None,
    capacity=None,
    registered_count=None,
    present_count=None,
    today: dt.date | None = None,
) -> TrainingSession:
    """Create a session of a training, or edit `session_id`, with its attendance as counts (registered, present).

    The duration is the one entered (a day with a lunch break lasts less than its span), else the span between the
    start and end times. A place from the map gives the commune when none is chosen. A session whose attendance is
    kept as a list of attendants takes no counts: the list is the source.
    """
    require_role(actor, Role.COORDINATOR)
    today = today or clock.today()
    form = _Form()
    training = form.row(session, "training_id", Training, training_id, "Choisir une formation existante.")
    if training is None and "training_id" not in form.errors:
        form.fail("training_id", "Choisir la formation de la session.")
    row = form.row(session, "session_id", TrainingSession, session_id, "Session introuvable.", lock=True)
    if row is not None and training is not None and row.training_id != training.id:
        form.fail("session_id", "Cette session appartient à une autre formation.")
    day = form.date("date", date, required="La date de la session est obligatoire.")
    start, end = form.time("start_time", start_time), form.time("end_time", end_time)
    duration = form.integer("duration_minutes", duration_minutes, minimum=1, message="La durée doit être positive.")
    remote = form.choice("mode", mode or "in_person", MODE_LABELS, "Choisir présentiel ou à distance.") == "remote"
    place = form.row(session, "place_pk", Place, place_pk, "Lieu introuvable sur la carte.")
    location = form.text("location", location, max_length=300)
    insee = form.text("commune_insee", commune_insee, max_length=5)
    capacity = form.integer("capacity", capacity, minimum=1, message="La capacité doit être d'au moins 1 place.")
    registered = form.integer("registered_count", registered_count, message="Le nombre d'inscrits est négatif.")
    present = form.integer("present_count", present_count, message="Le nombre de présents est négatif.")
    trainer = form.text("trainer", trainer)

    if day and training is not None:
        if training.start_date and day < training.start_date:
            form.fail("date", f"La session précède le début de la formation ({_format_date(training.start_date)}).")
        elif training.end_date and day > training.end_date:
            form.fail("date", f"La session suit la fin de la formation ({_format_date(training.end_date)}).")
    if start and end:
        span = (dt.datetime.combine(dt.date.min, end) - dt.datetime.combine(dt.date.min, start)).seconds // 60
        if end <= start:
            form.fail("end_time", "L'heure de fin doit suivre l'heure de début.")
        elif duration is None:
            duration = span
        elif duration > span:
            form.fail("duration_minutes", f"La durée dépasse l'écart entre le début et la fin ({span} min).")
    if not remote and place is None and location is None and "place_pk" not in form.errors:
        form.fail("location", "Choisir un lieu de la carte ou saisir une adresse.")
    if insee is None and place is not None:
        insee = place.code_insee
    if insee is not None and not INSEE_RE.match(insee):
        form.fail("commune_insee", "Code INSEE invalide (5 caractères, ex. 42218).")

    has_rows = row is not None and bool(row.attendants)
    if has_rows and (registered is not None or present is not None):
        form.fail(
            "registered_count" if registered is not None else "present_count",
            "Cette session a une liste de participants : ses inscrits et présents en sont calculés.",
        )
    if registered is not None and present is not None and present > registered:
        form.fail("present_count", f"Plus de présents que d'inscrits ({present} > {registered}).")
    seats_taken = _attendance_from_rows(row.attendants)[0] if has_rows else registered
    if capacity is not None and seats_taken is not None and seats_taken > capacity:
        form.fail(
            "registered_count" if not has_rows else "capacity",
            f"Plus d'inscrits que de places ({seats_taken} > {capacity}) : "
            "augmenter la capacité ou inscrire en liste d'attente.",
        )
    if present and day and day > today:
        form.fail("present_count", "Session à venir : les présents se saisissent une fois la session tenue.")
    form.check()

    is_new = row is None
    row = row or TrainingSession(training_id=training.id)
    values = {
        "date": day,
        "start_time": start,
        "end_time": end,
        "duration_minutes": duration,
        "remote": remote,
        "place_pk": place.pk if place else None,
        "location": location,
        "commune_insee": insee,
        "trainer": trainer,
        "capacity": capacity,
        "registered_count": registered,
        "present_count": present,
    }
    _write(session, actor, row, values, is_new=is_new)
    return row


def save_attendant(
    session: Session,
    actor: Actor,
    *,
    session_id=None,
    attendant_id=None,
    state=None,
    audience_type=None,
    gender=None,
    age_band=None,
    today: dt.date | None = None,
) -> Attendant:
    """Add an attendant to a session, or change the state or profile of `attendant_id`.

    A session whose attendance was entered as counts must have its counts cleared first, so figures never jump
    silently from the counts to a one-row list. A full session takes new people only on its waiting list.
    """
    require_role(actor, Role.COORDINATOR)
    today = today or clock.today()
    form = _Form()
    training_session = form.row(session, "session_id", TrainingSession, session_id, "Session introuvable.", lock=True)
    if training_session is None and "session_id" not in form.errors:
        form.fail("session_id", "Choisir la session.")
    attendant = form.row(session, "attendant_id", Attendant, attendant_id, "Participant introuvable.")
    if attendant is not None and training_session is not None and attendant.session_id != training_session.id:
        form.fail("attendant_id", "Ce participant est inscrit à une autre session.")
    values = {
        "state": form.choice(
            "state", state, STATE_LABELS, "État inconnu : inscrit, en liste d'attente, annulé ou présent."
        ),
        "audience_type": form.text("audience_type", audience_type, max_length=100),
        "gender": form.choice("gender", gender, GENDER_LABELS, "Genre inconnu.", required=False),
        "age_band": form.choice("age_band", age_band, AGE_BANDS, "Tranche d'âge inconnue.", required=False),
    }
    if training_session is not None:
        others = [a for a in training_session.attendants if a is not attendant]
        if (
            not others
            and attendant is None
            and (training_session.registered_count is not None or training_session.present_count is not None)
        ):
            form.fail(
                "session_id",
                "Cette session est suivie par des comptes (inscrits, présents) : les effacer dans le formulaire "
                "de la session avant de saisir une liste de participants.",
            )
        if values["state"] == AttendantState.PRESENT and training_session.date > today:
            form.fail("state", "Session à venir : la présence se note une fois la session tenue.")
        seats = _attendance_from_rows(others)[0]
        capacity = training_session.capacity
        if values["state"] in HOLDING_SEAT and capacity is not None and seats >= capacity:
            places = f"{capacity} place{'s' if capacity > 1 else ''}"
            form.fail("state", f"Session complète ({places}) : inscrire en liste d'attente.")
    form.check()
    is_new = attendant is None
    attendant = attendant or Attendant(session_id=training_session.id)
    _write(session, actor, attendant, values, is_new=is_new)
    return attendant


# --- queries ----------------------------------------------------------------------------------------------------


def first_session_day(session: Session) -> dt.date | None:
    """The date of the earliest session recorded: before it, the Formations say nothing (not « no session »)."""
    return session.scalar(select(func.min(TrainingSession.date)))


@dataclass(frozen=True)
class TrainingFilters:
    """What the Formations page shows; None means « all »."""

    period: Period | None = None
    programme: str | None = None
    kind: str | None = None
    audience: str | None = None
    commune: str | None = None


SESSION_COLUMNS = [
    "session_id",
    "training_id",
    "programme",
    "title",
    "kind",
    "audience",
    "date",
    "start_time",
    "end_time",
    "duration_minutes",
    "remote",
    "place",
    "location",
    "commune_insee",
    "commune",
    "trainer",
    "capacity",
    "registered",
    "present",
    "source",
    "updated_at",
]


def _filtered(query, filters: TrainingFilters):
    """`query` (over sessions joined to their training) restricted to `filters`."""
    if filters.period is not None:
        query = query.where(TrainingSession.date.between(filters.period.start, filters.period.end))
    for column, value in (
        (Training.programme, filters.programme),
        (Training.kind, filters.kind),
        (Training.audience, filters.audience),
        (TrainingSession.commune_insee, filters.commune),
    ):
        if value:
            query = query.where(column == value)
    return query


def _attendance(filters: TrainingFilters):
    """Registered and present of each session matching `filters` that has attendant rows, aggregated over those
    sessions only (the period filter comes before the aggregation)."""
    query = (
        select(
            Attendant.session_id,
            func.count(Attendant.id).label("n"),
            func.sum(case((Attendant.state.in_(HOLDING_SEAT), 1), else_=0)).label("registered"),
            func.sum(case((Attendant.state == AttendantState.PRESENT, 1), else_=0)).label("present"),
        )
        .join(TrainingSession, TrainingSession.id == Attendant.session_id)
        .join(Training, Training.id == TrainingSession.training_id)
    )
    return _filtered(query, filters).group_by(Attendant.session_id).subquery()


@dataclass(frozen=True)
class _Sessions:
    """The sessions matching some filters, joined to their training, place, commune and attendance: `query` lists
    them (SESSION_COLUMNS); `registered` and `present` are the counting rules' figures, as SQL expressions."""

    query: Select
    registered: ColumnElement
    present: ColumnElement

    # The session columns `_measures_sql` reads (properties: the model's attributes are descriptors).
    id = property(lambda _self: TrainingSession.id)
    date = property(lambda _self: TrainingSession.date)
    capacity = property(lambda _self: TrainingSession.capacity)


def _sessions(filters: TrainingFilters) -> _Sessions:
    rows = _attendance(filters)
    from_rows = func.coalesce(rows.c.n, 0) > 0
    registered = case((from_rows, rows.c.registered), else_=TrainingSession.registered_count)
    present = case((from_rows, rows.c.present), else_=TrainingSession.present_count)
    query = (
        select(
            TrainingSession.id.label("session_id"),
            Training.id.label("training_id"),
            Training.programme,
            Training.title,
            Training.kind,
            Training.audience,
            TrainingSession.date,
            TrainingSession.start_time,
            TrainingSession.end_time,
            TrainingSession.duration_minutes,
            TrainingSession.remote,
            Place.nom.label("place"),
            TrainingSession.location,
            TrainingSession.commune_insee,
            Commune.name.label("commune"),
            TrainingSession.trainer,
            TrainingSession.capacity,
            registered.label("registered"),
            present.label("present"),
            case((from_rows, "liste"), else_="comptes").label("source"),
            TrainingSession.updated_at,
        )
        .join(Training, Training.id == TrainingSession.training_id)
        .outerjoin(rows, rows.c.session_id == TrainingSession.id)
        .outerjoin(Place, Place.pk == TrainingSession.place_pk)
        .outerjoin(Commune, Commune.insee == TrainingSession.commune_insee)
    )
    return _Sessions(_filtered(query, filters), registered, present)


def _frame(session: Session, query) -> pd.DataFrame:
    frame = pd.DataFrame(session.execute(query).all(), columns=SESSION_COLUMNS)
    for column in ("capacity", "registered", "present", "duration_minutes"):
        frame[column] = frame[column].astype("Int64")
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


CHRONOLOGICAL = (TrainingSession.date, TrainingSession.start_time, TrainingSession.id)


# The page's panels and grid pages, per revision of the data they read (sessions name their place and commune).
PANELS = revisions.Cache(64)
PANEL_AREAS = (revisions.FORMATIONS, revisions.PLACES, revisions.COMMUNES)


def sessions_frame(session: Session, filters: TrainingFilters = TrainingFilters()) -> pd.DataFrame:
    """One row per session matching `filters`, with its registered and present figures (see the counting rules)."""
    return _frame(session, _sessions(filters).query.order_by(*CHRONOLOGICAL))


def session_page(session: Session, filters: TrainingFilters, request: paging.PageRequest) -> paging.Page:
    """A page of the sessions matching `filters` (columns of SESSION_COLUMNS), filtered and sorted in SQL, latest
    first by default; `where` filters and sorts on the place of the map, else the address entered. Each page is
    read once per revision of the data (its count and rows aggregate the period's attendant rows)."""

    def compute() -> paging.Page:
        query = _sessions(filters).query
        columns = paging.columns_of(query)
        columns["where"] = func.coalesce(Place.nom, TrainingSession.location)
        latest_first = (paging.Sort("date", descending=True), paging.Sort("start_time", descending=True))
        return paging.fetch(session, query, columns, request, latest_first, TrainingSession.id)

    key = ("session_page", filters, request)
    try:
        hash(key)
    except TypeError:  # a filter on a list of values: not cached
        return compute()
    return revisions.memoize(PANELS, session, PANEL_AREAS, key, compute)


def session_label(day: dt.date, title: str) -> str:
    """How a session is named in the forms: its date and its training."""
    return f"{_format_date(day)} · {title}"


ATTENDANT_COLUMNS = ["id", "number", "state", "audience_type", "gender", "age_band"]


def attendant_page(session: Session, session_id: int, request: paging.PageRequest) -> paging.Page:
    """A page of the attendants of a session, numbered in the order they were entered (Participant n° 1…)."""
    numbered = (
        select(
            Attendant.id,
            func.row_number().over(order_by=Attendant.id).label("number"),
            Attendant.state,
            Attendant.audience_type,
            Attendant.gender,
            Attendant.age_band,
        )
        .where(Attendant.session_id == session_id)
        .subquery()
    )
    columns = {name: numbered.c[name] for name in ATTENDANT_COLUMNS}
    return paging.fetch(session, select(numbered), columns, request, (paging.Sort("number"),), numbered.c.id)


def attendant_label(number: int, state: str, audience_type, gender, age_band) -> str:
    """How an attendant is named in the forms: a number in the session, a state and the optional profile."""
    # Only texts: a DataFrame gives NaN for a missing value.
    profile = [v for v in (audience_type, GENDER_LABELS.get(gender), age_band) if isinstance(v, str) and v]
    return " · ".join([f"Participant n° {number}", STATE_LABELS.get(state, state), *profile])


def rate(numerator, denominator) -> float | None:
    """numerator / denominator, or None when the denominator is missing or 0 (« — » in the UI, never 0 %)."""
    if denominator is None or pd.isna(denominator) or denominator == 0 or numerator is None or pd.isna(numerator):
        return None
    return float(numerator) / float(denominator)


SUMMARY_COLUMNS = ["sessions", "participants", "registered", "capacity", "fill_rate", "attendance_rate"]
# Summed over sessions: counts, then the sides of the two rates, each over its own subset (None when empty).
MEASURES = ["sessions", "participants", "registered", "capacity", "held_registered", "held_present"]
PARTIAL = MEASURES[2:]


def _summed(grouped) -> pd.DataFrame:
    """MEASURES summed per group: a rate's side over no qualifying session stays undefined, not 0."""
    return pd.DataFrame(
        {
            "sessions": grouped["sessions"].sum(),
            "participants": grouped["participants"].sum(),
            **{column: grouped[column].sum(min_count=1) for column in PARTIAL},
        }
    )


def _with_rates(sums: pd.DataFrame) -> pd.DataFrame:
    """The fill and attendance rates of summed MEASURES, as object columns so an undefined rate stays None."""
    out = sums.copy()
    out["fill_rate"] = pd.Series(
        [rate(r, c) for r, c in zip(out["registered"], out["capacity"], strict=True)], index=out.index, dtype=object
    )
    out["attendance_rate"] = pd.Series(
        [rate(p, r) for p, r in zip(out["held_present"], out["held_registered"], strict=True)],
        index=out.index,
        dtype=object,
    )
    return out.drop(columns=["held_registered", "held_present"]).astype({"sessions": "int64", "participants": "int64"})


def summarise(frame: pd.DataFrame, by: str | None, today: dt.date) -> pd.DataFrame:
    """Sessions, participants and the two rates per value of `by` (None: one row for everything), from a
    `sessions_frame`. `summary_cube` is its SQL twin for the page's panels (a test keeps them equal).

    `registered` and `capacity` are the sums the fill rate divides (sessions with both known); the attendance rate
    uses its own subset (held sessions with both figures, registered > 0), as the module docstring says.
    """
    work = pd.DataFrame({"key": frame[by] if by else "", "sessions": 1, "participants": frame["present"].fillna(0)})
    both = frame["capacity"].notna() & frame["registered"].notna()
    work["registered"] = frame["registered"].where(both)
    work["capacity"] = frame["capacity"].where(both)
    held = (
        (frame["date"] <= pd.Timestamp(today))
        & frame["registered"].notna()
        & frame["present"].notna()
        & (frame["registered"].fillna(0) > 0)
    )
    work["held_registered"] = frame["registered"].where(held)
    work["held_present"] = frame["present"].where(held)
    out = _with_rates(_summed(work.groupby("key", sort=False, dropna=False)))
    out.index.name = by or "total"
    return out.reset_index() if by else out.reset_index(drop=True)


def _measures_sql(sessions, today: dt.date) -> list[ColumnElement]:
    """MEASURES in SQL over sessions whose columns `sessions` gives (`id`, `date`, `capacity`, `registered`,
    `present`): the counting rules of the module docstring, written once for the page's panels and the figure
    catalogue."""
    registered, present = sessions.registered, sessions.present
    both = and_(sessions.capacity.is_not(None), registered.is_not(None))
    held = and_(sessions.date <= today, registered.is_not(None), present.is_not(None), registered > 0)
    return [
        func.count(sessions.id).label("sessions"),
        func.coalesce(func.sum(present), 0).label("participants"),
        func.sum(case((both, registered))).label("registered"),
        func.sum(case((both, sessions.capacity))).label("capacity"),
        func.sum(case((held, registered))).label("held_registered"),
        func.sum(case((held, present))).label("held_present"),
    ]


def summary_cube(session: Session, filters: TrainingFilters, today: dt.date) -> pd.DataFrame:
    """MEASURES of the sessions matching `filters` per month, programme and audience, aggregated in SQL: a few
    hundred rows whatever the number of sessions, from which `per_month`, `per_programme` and
    `audience_breakdown` roll their totals up."""
    sessions = _sessions(filters)
    dimensions = (
        extract("year", TrainingSession.date).label("year"),
        extract("month", TrainingSession.date).label("month"),
        Training.programme,
        Training.audience,
    )
    query = sessions.query.with_only_columns(*dimensions, *_measures_sql(sessions, today)).group_by(*dimensions)
    cube = pd.DataFrame(session.execute(query).all(), columns=["year", "month", "programme", "audience", *MEASURES])
    months = pd.to_datetime({"year": cube["year"], "month": cube["month"], "day": 1}) if len(cube) else pd.NaT
    return cube.drop(columns="year").assign(month=months).astype({column: "float64" for column in PARTIAL})


def summary_totals(
    session: Session, filters: TrainingFilters, today: dt.date, cube: pd.DataFrame | None = None
) -> dict:
    """The summary of every session matching `filters` (as `totals`), with its trainings, hours and latest
    change. `cube`, the same filters' `summary_cube`, spares the attendant rows a second pass: the measures are its
    sums, the rest comes from the sessions alone."""
    cube = summary_cube(session, filters, today) if cube is None else cube

    def total(column) -> int | None:  # a rate's side over no qualifying session stays undefined, not 0
        value = cube[column].sum(min_count=1)
        return None if pd.isna(value) else int(value)

    query = _filtered(
        select(
            func.count(func.distinct(TrainingSession.training_id)),
            func.coalesce(func.sum(TrainingSession.duration_minutes), 0),
            func.max(TrainingSession.updated_at),
        ).join(Training, Training.id == TrainingSession.training_id),
        filters,
    )
    trainings, minutes, as_of = session.execute(query).one()
    registered, capacity = total("registered"), total("capacity")
    return {
        "sessions": total("sessions") or 0,
        "participants": total("participants") or 0,
        "registered": registered,
        "capacity": capacity,
        "fill_rate": rate(registered, capacity),
        "attendance_rate": rate(total("held_present"), total("held_registered")),
        "trainings": trainings,
        "hours": int(minutes) // 60,
        "as_of": as_of,
    }


def totals(frame: pd.DataFrame, today: dt.date) -> dict:
    """The summary of every session of `frame` as a dict; zeros and None rates on an empty frame."""
    if frame.empty:
        return {"sessions": 0, "participants": 0, "registered": None, "capacity": None, "fill_rate": None,
                "attendance_rate": None, "trainings": 0}  # fmt: skip
    summary_frame = summarise(frame, None, today)
    summary = {}
    for key in SUMMARY_COLUMNS:  # column by column: a row would cast every value to float
        value = summary_frame[key].iloc[0]
        if value is None or pd.isna(value):
            summary[key] = None
        else:
            summary[key] = value.item() if hasattr(value, "item") else value  # numpy scalar → Python
    summary["trainings"] = int(frame["training_id"].nunique())
    return summary


def roll_up(cube: pd.DataFrame, by: str) -> pd.DataFrame:
    """`summarise` per value of `by`, from a `summary_cube`."""
    out = _with_rates(_summed(cube.groupby(by, sort=False, dropna=False)))
    out.index.name = by
    return out.reset_index()


def per_month(cube: pd.DataFrame, period: Period | None) -> pd.DataFrame:
    """`roll_up` per calendar month, every month of `period` present (0 sessions when none). An open end of the
    period (date.min or date.max) stops at the first or last session instead."""
    summary = roll_up(cube, "month").set_index("month")
    if period is not None:
        first = summary.index.min() if period.start == dt.date.min else pd.Timestamp(period.start)
        last = summary.index.max() if period.end == dt.date.max else pd.Timestamp(period.end)
        open_and_empty = pd.isna(first) or pd.isna(last)
        months = [] if open_and_empty else pd.date_range(first.to_period("M").to_timestamp(), last, freq="MS")
        summary = summary.reindex(summary.index.union(months))
        summary[["sessions", "participants"]] = summary[["sessions", "participants"]].fillna(0).astype("int64")
        for column in ("fill_rate", "attendance_rate"):  # months without sessions: undefined, as elsewhere
            summary[column] = summary[column].astype(object).where(summary[column].notna(), None)
    summary.index.name = "month"
    return summary.sort_index().reset_index()


def per_programme(cube: pd.DataFrame) -> pd.DataFrame:
    return roll_up(cube, "programme").sort_values("participants", ascending=False, ignore_index=True)


def audience_breakdown(cube: pd.DataFrame) -> pd.DataFrame:
    """Participants per audience type of the training (« Non précisé » when the training names none)."""
    work = cube.assign(audience=cube["audience"].fillna(NOT_SPECIFIED))
    return roll_up(work, "audience").sort_values("participants", ascending=False, ignore_index=True)


PROFILE_DIMENSIONS = {"audience_type": "Public", "gender": "Genre", "age_band": "Âge"}


def attendant_profiles(session: Session, filters: TrainingFilters) -> pd.DataFrame:
    """Participants present per profile value (dimension, value, participants), from the sessions followed with a
    list of attendants: counts entered as numbers carry no profile. Empty when no such session matches."""
    profile = (Attendant.audience_type, Attendant.gender, Attendant.age_band)
    query = _filtered(
        select(*profile, func.count(Attendant.id))
        .join(TrainingSession, TrainingSession.id == Attendant.session_id)
        .join(Training, Training.id == TrainingSession.training_id)
        .where(Attendant.state == AttendantState.PRESENT),
        filters,
    ).group_by(*profile)
    rows = pd.DataFrame(session.execute(query).all(), columns=[*PROFILE_DIMENSIONS, "participants"])
    rows["gender"] = rows["gender"].map(GENDER_LABELS)
    long = rows.melt(id_vars="participants", var_name="dimension", value_name="value")
    long = long.fillna({"value": NOT_SPECIFIED})
    long["dimension"] = long["dimension"].map(PROFILE_DIMENSIONS)
    counts = long.groupby(["dimension", "value"], as_index=False)["participants"].sum()
    # Dimensions in their fixed order; age bands in age order, other values by decreasing count.
    dimension_rank = counts["dimension"].map({label: n for n, label in enumerate(PROFILE_DIMENSIONS.values())})
    age_rank = counts["value"].map({band: n for n, band in enumerate(AGE_BANDS)})
    value_rank = age_rank.where(counts["dimension"] == PROFILE_DIMENSIONS["age_band"], -counts["participants"])
    order = pd.DataFrame({"d": dimension_rank, "v": value_rank.fillna(len(AGE_BANDS))}).sort_values(["d", "v"])
    return counts.loc[order.index].reset_index(drop=True)


def upcoming_sessions(session: Session, filters: TrainingFilters, today: dt.date, limit: int = 10) -> pd.DataFrame:
    """The next sessions from `today` on, whatever the filters' period, with the seats still free."""
    ahead = dataclasses.replace(filters, period=Period(today, dt.date.max))
    frame = _frame(session, _sessions(ahead).query.order_by(*CHRONOLOGICAL).limit(limit))
    return frame.assign(free_seats=(frame["capacity"] - frame["registered"].fillna(0)).clip(lower=0))


@dataclass(frozen=True)
class Panels:
    """What the Formations page shows for some filters: `summary_totals`, `summary_cube` and its roll-ups,
    `attendant_profiles` and `upcoming_sessions`. Shared by every request: read it, never change it in place."""

    totals: dict
    cube: pd.DataFrame
    by_month: pd.DataFrame | None  # None when the cube is empty, as the two below
    by_programme: pd.DataFrame | None
    by_audience: pd.DataFrame | None
    profiles: pd.DataFrame
    upcoming: pd.DataFrame


def panels(session: Session, filters: TrainingFilters, today: dt.date) -> Panels:
    """The page's four aggregate queries and their roll-ups, run once per filters, day and revision of the data
    (every worker sees a write at its next request: see db.revisions)."""

    def compute() -> Panels:
        cube = summary_cube(session, filters, today)
        empty = cube.empty
        return Panels(
            totals=summary_totals(session, filters, today, cube),
            cube=cube,
            by_month=None if empty else per_month(cube, filters.period),
            by_programme=None if empty else per_programme(cube),
            by_audience=None if empty else audience_breakdown(cube),
            profiles=attendant_profiles(session, filters),
            upcoming=upcoming_sessions(session, filters, today),
        )

    return revisions.memoize(PANELS, session, PANEL_AREAS, ("panels", filters, today), compute)


def formation_figures(frame: pd.DataFrame, today: dt.date) -> list[KeyFigure]:
    """The key figures of the sessions of `frame` (a `sessions_frame`), rates in %, None when undefined."""
    hours = int(frame["duration_minutes"].fillna(0).sum()) // 60
    as_of = frame["updated_at"].max() if not frame.empty else None
    return key_figures(totals(frame, today) | {"hours": hours, "as_of": as_of})


def key_figures(summary: dict) -> list[KeyFigure]:
    """The Formations' key figures from a summary (`totals` with hours and as_of, or `summary_totals`)."""
    source = "Sessions filtrées ; présence : liste des participants si elle existe, sinon comptes saisis"
    as_of = summary["as_of"]

    def percent(value):
        return None if value is None or pd.isna(value) else round(100 * value)

    return [
        KeyFigure("sessions", "Sessions", summary["sessions"], source, as_of,
                  detail=f"{summary['trainings']} formations · {summary['hours']} h"),
        KeyFigure("participants", "Participants", summary["participants"], source, as_of,
                  detail="Présents, comptés une fois par session"),
        KeyFigure("fill_rate", "Taux de remplissage", percent(summary["fill_rate"]), source, as_of, unit="%",
                  detail="Inscrits / places, sessions avec capacité"),
        KeyFigure("attendance_rate", "Taux de présence", percent(summary["attendance_rate"]), source, as_of,
                  unit="%", detail="Présents / inscrits, sessions tenues"),
    ]  # fmt: skip


@dataclass(frozen=True)
class SessionTotals:
    """`totals` and `formation_figures` of a period's sessions, computed in SQL (what the figure catalogue reads)."""

    sessions: int
    trainings: int
    participants: int
    hours: int
    fill_rate: float | None
    attendance_rate: float | None
    last: dt.date | None


def session_totals(session: Session, periods: list[Period], today: dt.date) -> list[SessionTotals]:
    """The counting rules of this module for each period, in one aggregate query: the sessions of all the periods
    (their attendant rows aggregated for those sessions only) joined to a table of the periods, so each session is
    counted in every period that holds it."""
    span = _sessions(TrainingFilters(Period(min(p.start for p in periods), max(p.end for p in periods))))
    sessions = (
        span.query.with_only_columns(
            TrainingSession.id,
            TrainingSession.training_id,
            TrainingSession.date,
            TrainingSession.capacity,
            TrainingSession.duration_minutes,
            span.registered.label("registered"),
            span.present.label("present"),
        )
        .cte("period_sessions")
        .prefix_with("MATERIALIZED")  # else SQLite recomputes each session's attendance in every expression
    )
    table = period_table([(p.start, p.end) for p in periods], (Date(), Date()))
    c = sessions.c
    found = {
        row[0]: row[1:]
        for row in session.execute(
            select(
                table.c.n,
                *_measures_sql(c, today),
                func.count(func.distinct(c.training_id)),
                func.sum(func.coalesce(c.duration_minutes, 0)),
                func.max(c.date),
            )
            .select_from(sessions.join(table, c.date.between(table.c.first, table.c.last)))
            .group_by(table.c.n)
        )
    }
    out = []
    for n in range(len(periods)):
        count, participants, seats, capacity, expected, came, trainings, minutes, latest = found.get(
            n, (0, 0, None, None, None, None, 0, 0, None)
        )
        out.append(
            SessionTotals(
                sessions=count,
                trainings=trainings,
                participants=int(participants or 0),
                hours=int(minutes or 0) // 60,
                fill_rate=rate(seats, capacity),
                attendance_rate=rate(came, expected),
                last=dt.date.fromisoformat(latest) if isinstance(latest, str) else latest,
            )
        )
    return out


# --- choices and current values for the forms ------------------------------------------------------------------


def filter_options(session: Session) -> dict[str, list[tuple[str, str]]]:
    """(value, label) pairs of every filter, from the recorded trainings and sessions."""

    def distinct(column):
        return [v for v in session.scalars(select(column).distinct().order_by(column)) if v]

    communes = session.execute(
        select(TrainingSession.commune_insee, func.coalesce(Commune.name, TrainingSession.commune_insee))
        .outerjoin(Commune, Commune.insee == TrainingSession.commune_insee)
        .where(TrainingSession.commune_insee.is_not(None))
        .distinct()
    ).all()
    return {
        "programme": [(v, v) for v in distinct(Training.programme)],
        "kind": list(KIND_LABELS.items()),
        "audience": [(v, v) for v in distinct(Training.audience)],
        "commune": sorted(communes, key=lambda pair: _sort_key(pair[1])),
    }


def training_choices(session: Session) -> list[tuple[int, str]]:
    rows = session.execute(
        select(Training.id, Training.programme, Training.title, Training.start_date).order_by(
            Training.start_date.desc().nulls_last(), Training.title
        )
    ).all()
    return [(id_, f"{title} ({programme}{f', {start:%Y}' if start else ''})") for id_, programme, title, start in rows]


def session_choices(session: Session, training_id=None) -> list[tuple[int, str]]:
    """Sessions of a training (every training when None), latest first, labelled by date and title."""
    query = (
        select(TrainingSession.id, TrainingSession.date, Training.title)
        .join(Training)
        .order_by(TrainingSession.date.desc(), TrainingSession.id.desc())
    )
    if training_id:
        query = query.where(TrainingSession.training_id == int(training_id))
    return [(id_, session_label(day, title)) for id_, day, title in session.execute(query).all()]


def place_choices(session: Session) -> list[tuple[int, str]]:
    rows = session.execute(select(Place.pk, Place.nom, Place.commune).order_by(Place.commune, Place.nom)).all()
    return [(pk, f"{name} ({commune})") for pk, name, commune in rows]


def commune_choices(session: Session) -> list[tuple[str, str]]:
    return sorted(session.execute(select(Commune.insee, Commune.name)).all(), key=lambda pair: _sort_key(pair[1]))


def training_values(session: Session, training_id) -> dict:
    """The stored values of a training, named as `save_training`'s arguments (for an edit form)."""
    training = session.get(Training, int(training_id))
    return {
        "programme": training.programme,
        "title": training.title,
        "kind": training.kind,
        "partner": training.partner,
        "audience": training.audience,
        "description": training.description,
        "start_date": training.start_date.isoformat() if training.start_date else None,
        "end_date": training.end_date.isoformat() if training.end_date else None,
        "mission_id": str(training.mission_id) if training.mission_id else "",
    }


def session_values(session: Session, session_id) -> dict:
    """The stored values of a session, named as `save_session`'s arguments (for an edit form)."""
    row = session.get(TrainingSession, int(session_id))
    return {
        "date": row.date.isoformat(),
        "start_time": row.start_time.strftime("%H:%M") if row.start_time else None,
        "end_time": row.end_time.strftime("%H:%M") if row.end_time else None,
        "duration_minutes": row.duration_minutes,
        "mode": "remote" if row.remote else "in_person",
        "place_pk": row.place_pk,
        "location": row.location,
        "commune_insee": row.commune_insee,
        "trainer": row.trainer,
        "capacity": row.capacity,
        "registered_count": row.registered_count,
        "present_count": row.present_count,
    }


def attendant_values(session: Session, attendant_id) -> dict:
    attendant = session.get(Attendant, int(attendant_id))
    return {
        "state": attendant.state,
        "audience_type": attendant.audience_type,
        "gender": attendant.gender,
        "age_band": attendant.age_band,
    }
