"""Events of the network: queries and write rules of the Agenda.

Times are stored in UTC (timezone-aware); people type and read them in the network's time zone (db.clock). An event has one or more
occurrences (OpenAgenda's `timings`, the expanded dates of an iCalendar VEVENT). An occurrence is timed, or whole days
(`all_day`): then it runs from local midnight of its first day to local midnight after its last day, like iCalendar's
VALUE=DATE with its exclusive DTEND, and every label says it in days (`occurrence_label`). Imported events are keyed by
(source, source_uid): importing the same file twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import NamedTuple

import pandas as pd
from sqlalchemy import DateTime, and_, case, func, literal, or_, select, true
from sqlalchemy.orm import Session, selectinload

from db import clock, fields, imports, revisions
from db.imports import Issue
from db.models import AttendanceMode, Commune, Event, EventOccurrence, EventStatus, Mission, Place, Role
from db.paging import Page, fetch_page
from db.periods import Period, month_starts, period_table
from db.writes import Actor, ValidationError, audit, require_role, snapshot

STATUS_LABELS = {
    EventStatus.SCHEDULED: "Programmé",
    EventStatus.RESCHEDULED: "Reprogrammé",
    EventStatus.MOVED_ONLINE: "Déplacé en ligne",
    EventStatus.POSTPONED: "Reporté",
    EventStatus.FULL: "Complet",
    EventStatus.CANCELLED: "Annulé",
}
MODE_LABELS = {AttendanceMode.OFFLINE: "Sur place", AttendanceMode.ONLINE: "En ligne", AttendanceMode.MIXED: "Mixte"}
# Shown crossed out / flagged wherever occurrences are listed.
DISRUPTED = (EventStatus.CANCELLED, EventStatus.POSTPONED)

# The columns of `events` an import or the form fills (besides the key and the occurrences).
EVENT_FIELDS = (
    "title",
    "description",
    "keywords",
    "category",
    "audience",
    "organiser",
    "status",
    "attendance_mode",
    "online_url",
    "registration_url",
    "place_pk",
    "location_name",
    "address",
    "postal_code",
    "city",
    "insee",
    "latitude",
    "longitude",
)
TEXT_LIMITS = {"title": 500, "category": 200, "audience": 200, "organiser": 300, "location_name": 500}
TEXT_LIMITS |= {"address": 500, "city": 200}
MAX_OCCURRENCES = 500
LONGEST_OCCURRENCE = dt.timedelta(days=366)  # a date lasting longer is refused (an exhibition lasts months, not years)
URL_RE = re.compile(r"^https?://[^\s/$.?#][^\s]*\.[^\s]+$|^https?://localhost(:\d+)?(/\S*)?$", re.IGNORECASE)
POSTCODE_RE = re.compile(r"^\d{5}$")
INSEE_RE = re.compile(r"^(\d{5}|2[AB]\d{3})$")

DAY = dt.timedelta(days=1)


class Occurrence(NamedTuple):
    """One date of an event, as UTC instants; `all_day`: whole local days, `end` the midnight after the last one."""

    start: dt.datetime
    end: dt.datetime
    all_day: bool = False

    @classmethod
    def whole_days(cls, first: dt.date, last: dt.date) -> Occurrence:
        """The days from `first` to `last` included."""
        return cls(clock.day_start(first), clock.day_start(last + DAY), True)


def local_days(start: dt.datetime, end: dt.datetime) -> tuple[dt.date, dt.date]:
    """The first and last local day of a whole-day occurrence (its end is the midnight after its last day)."""
    first = clock.local_date(start)
    return first, max(first, clock.local_date(end) - DAY)


def _day_number(day: dt.date) -> str:
    return "1er" if day.day == 1 else str(day.day)


def _day_words(day: dt.date, year: bool = True) -> str:
    return f"{_day_number(day)} {clock.MONTHS[day.month - 1]}" + (f" {day.year}" if year else "")


def occurrence_label(start: dt.datetime, end: dt.datetime, all_day: bool = False, *, year: bool = True) -> str:
    """An occurrence in French words, the one wording of every page: « le 15 avril 2027, toute la journée »,
    « du 15 au 17 avril 2027 », « le 15 avril 2027, 14:00–16:30 », « du 15 avril 2027 14:00 au 16 avril 2027 12:00 ».
    `year=False` leaves the years out, for lists of coming dates."""
    if all_day:
        first, last = local_days(start, end)
        if first == last:
            return f"le {_day_words(first, year)}, toute la journée"
        if (first.year, first.month) == (last.year, last.month):
            return f"du {_day_number(first)} au {_day_words(last, year)}"
        return f"du {_day_words(first, year and first.year != last.year)} au {_day_words(last, year)}"
    start, end = clock.local(start), clock.local(end)
    if start.date() == end.date():
        return f"le {_day_words(start.date(), year)}, {start:%H:%M}–{end:%H:%M}"
    return f"du {_day_words(start.date(), year)} {start:%H:%M} au {_day_words(end.date(), year)} {end:%H:%M}"


# --- the figure of the Accueil -------------------------------------------------------------------------------------


def event_counts(session: Session, periods: list[Period]) -> list[tuple[int, dt.date | None]]:
    """For each period: the events with at least one occurrence starting on one of its local days, cancelled ones
    excluded, and the local day of the latest such occurrence; one aggregate query, the occurrences of all the
    periods joined to a table of the periods' instants."""
    bounds = [clock.bounds(period) for period in periods]
    table = period_table(bounds, (DateTime(timezone=True), DateTime(timezone=True)))
    starts = (
        select(EventOccurrence.event_id, EventOccurrence.start)
        .join(Event)
        .where(
            EventOccurrence.start >= min(start for start, _ in bounds),
            EventOccurrence.start < max(end for _, end in bounds),
            Event.status != EventStatus.CANCELLED,
        )
        .subquery()
    )
    found = {
        n: (count, latest)
        for n, count, latest in session.execute(
            select(table.c.n, func.count(func.distinct(starts.c.event_id)), func.max(starts.c.start))
            .select_from(starts.join(table, and_(starts.c.start >= table.c.first, starts.c.start < table.c.last)))
            .group_by(table.c.n)
        )
    }
    return [(found.get(n, (0,))[0], _local_day(found.get(n, (0, None))[1])) for n in range(len(periods))]


def _local_day(value) -> dt.date | None:
    """The local day of an aggregated time (SQLite gives a CASE's result back as text)."""
    if value is None:
        return None
    return clock.local_date(dt.datetime.fromisoformat(value) if isinstance(value, str) else value)


def first_occurrence_day(session: Session) -> dt.date | None:
    """The local day of the agenda's earliest date: before it, the agenda says nothing (not « zero events »)."""
    first = session.scalar(select(func.min(EventOccurrence.start)))
    return clock.local_date(first) if first is not None else None


# --- validation shared by the form and the imports ------------------------------------------------------------------


def _in_range(value, low: float, high: float) -> bool:
    return value is not None and low <= value <= high


def validate_event(values: dict, occurrences: list[Occurrence]) -> dict[str, str]:
    """French message per field for an event about to be written ({} when it is acceptable)."""
    errors: dict[str, str] = {}
    if not (values.get("title") or "").strip():
        errors["title"] = "Le titre est obligatoire."
    for name, limit in TEXT_LIMITS.items():
        if len(values.get(name) or "") > limit and name not in errors:
            errors[name] = f"{limit} caractères au plus."
    if not occurrences:
        errors["occurrences"] = "Indiquer au moins une date."
    elif len(occurrences) > MAX_OCCURRENCES:
        errors["occurrences"] = f"{MAX_OCCURRENCES} dates au plus par événement."
    elif any(o.end < o.start for o in occurrences):
        errors["occurrences"] = "La fin d'une date précède son début."
    elif any(o.end - o.start > LONGEST_OCCURRENCE for o in occurrences):
        errors["occurrences"] = "Une date dure un an au plus : saisir plutôt plusieurs dates."
    if values.get("status") not in {s.value for s in EventStatus}:
        errors["status"] = "Statut inconnu."
    mode = values.get("attendance_mode")
    if mode not in {m.value for m in AttendanceMode}:
        errors["attendance_mode"] = "Mode de participation inconnu."
    latitude, longitude = values.get("latitude"), values.get("longitude")
    if (latitude is None) != (longitude is None):
        errors["latitude" if latitude is None else "longitude"] = "Indiquer la latitude et la longitude, ou aucune."
    if latitude is not None and not _in_range(latitude, -90, 90):
        errors["latitude"] = "La latitude doit être comprise entre -90 et 90."
    if longitude is not None and not _in_range(longitude, -180, 180):
        errors["longitude"] = "La longitude doit être comprise entre -180 et 180."
    for name in ("online_url", "registration_url"):
        if values.get(name) and not URL_RE.match(values[name]):
            errors[name] = "Adresse web invalide : elle doit commencer par http:// ou https://."
    if mode in (AttendanceMode.ONLINE, AttendanceMode.MIXED) and not values.get("online_url"):
        errors.setdefault("online_url", "Indiquer le lien de connexion d'un événement en ligne ou mixte.")
    if values.get("postal_code") and not POSTCODE_RE.match(values["postal_code"]):
        errors["postal_code"] = "Le code postal compte 5 chiffres."
    if values.get("insee") and not INSEE_RE.match(values["insee"]):
        errors["insee"] = "Le code INSEE compte 5 caractères."
    return errors


# --- the event form ---------------------------------------------------------------------------------------------

DATE_RE = r"(\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2})"
TIME_RE = r"(\d{1,2})[:hH](\d{2})?"
OCCURRENCE_LINE_RE = re.compile(
    rf"^{DATE_RE}\s+{TIME_RE}\s*(?:-|–|→|à|au)\s*(?:{DATE_RE}\s+)?{TIME_RE}$", re.IGNORECASE
)
# Dates without hours are whole days: « 12/03/2026 », or a span « 12/03/2026 - 14/03/2026 » (last day included).
DAYS_LINE_RE = re.compile(rf"^{DATE_RE}(?:\s*(?:-|–|→|au)\s*{DATE_RE})?$", re.IGNORECASE)
OCCURRENCE_EXAMPLE = "12/03/2026 14:00-16:30"
DAYS_EXAMPLE = "12/03/2026 - 14/03/2026"


def _parse_day(text: str) -> dt.date:
    if "/" in text:
        day, month, year = (int(part) for part in text.split("/"))
        return dt.date(year, month, day)
    return dt.date.fromisoformat(text)


def _parse_line(line: str) -> Occurrence | None:
    """One line of the form as an occurrence, None when it has neither shape; ValueError for a date or time that
    does not exist."""
    if match := DAYS_LINE_RE.match(line):
        first, last = match.groups()
        first = _parse_day(first)
        return Occurrence.whole_days(first, _parse_day(last) if last else first)
    if match := OCCURRENCE_LINE_RE.match(line):
        day1, hour1, minute1, day2, hour2, minute2 = match.groups()
        first = _parse_day(day1)
        last = _parse_day(day2) if day2 else first
        return Occurrence(
            clock.to_utc(first, dt.time(int(hour1), int(minute1 or 0))),
            clock.to_utc(last, dt.time(int(hour2), int(minute2 or 0))),
        )
    return None


def parse_occurrences(text: str | None) -> tuple[list[Occurrence], str | None]:
    """Lines « 12/03/2026 14:00-16:30 » or « 12/03/2026 14:00 - 13/03/2026 12:00 », Paris time → UTC instants;
    « 12/03/2026 » or « 12/03/2026 - 14/03/2026 » → whole days.

    Returns (occurrences, the first error message or None)."""
    occurrences = []
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    for number, line in enumerate(lines, start=1):
        try:
            occurrence = _parse_line(line)
        except ValueError:
            return [], f"Ligne {number} : date ou heure inexistante."
        if occurrence is None:
            return [], (
                f"Ligne {number} : format attendu « {OCCURRENCE_EXAMPLE} » (heure de Paris), "
                f"ou « {DAYS_EXAMPLE} » pour des journées entières."
            )
        start, end, all_day = occurrence
        if end < start or (all_day and end == start):  # whole days: a span ending the day before it starts
            return [], f"Ligne {number} : la fin précède le début."
        occurrences.append(occurrence)
    return sorted(set(occurrences)), None


def format_occurrences(occurrences: list[Occurrence]) -> str:
    """The form's text for stored occurrences (inverse of `parse_occurrences`)."""
    lines = []
    for occurrence in occurrences:
        if occurrence.all_day:
            first, last = local_days(occurrence.start, occurrence.end)
            lines.append(f"{first:%d/%m/%Y}" if first == last else f"{first:%d/%m/%Y} - {last:%d/%m/%Y}")
            continue
        start, end = clock.local(occurrence.start), clock.local(occurrence.end)
        same_day = end.date() == start.date()
        lines.append(
            f"{start:%d/%m/%Y %H:%M}-{end:%H:%M}" if same_day else f"{start:%d/%m/%Y %H:%M} - {end:%d/%m/%Y %H:%M}"
        )
    return "\n".join(lines)


def _text(value) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def _coordinate(value, name: str, errors: dict) -> float | None:
    text = _text(value)
    if text is None:
        return None
    try:
        return float(text.replace(",", "."))
    except ValueError:
        errors[name] = "Nombre attendu (par exemple 45,4397)."
        return None


def _keywords(value) -> str | None:
    parts = [part.strip() for part in re.split(r"[,;|\n]", _text(value) or "") if part.strip()]
    return "|".join(dict.fromkeys(parts)) or None


def parse_event_form(session: Session, raw: dict) -> tuple[dict, list[Occurrence], dict[str, str]]:
    """Raw browser values → (event column values, occurrences, errors)."""
    errors: dict[str, str] = {}
    occurrences, message = parse_occurrences(raw.get("occurrences"))
    if message:
        errors["occurrences"] = message
    values = {
        "title": _text(raw.get("title")),
        "description": _text(raw.get("description")),
        "keywords": _keywords(raw.get("keywords")),
        "category": _text(raw.get("category")),
        "audience": _text(raw.get("audience")),
        "organiser": _text(raw.get("organiser")),
        "status": _text(raw.get("status")) or EventStatus.SCHEDULED.value,
        "attendance_mode": _text(raw.get("attendance_mode")) or AttendanceMode.OFFLINE.value,
        "online_url": _text(raw.get("online_url")),
        "registration_url": _text(raw.get("registration_url")),
        "place_pk": None,
        "location_name": _text(raw.get("location_name")),
        "address": _text(raw.get("address")),
        "postal_code": _text(raw.get("postal_code")),
        "city": _text(raw.get("city")),
        "insee": None,
        "latitude": _coordinate(raw.get("latitude"), "latitude", errors),
        "longitude": _coordinate(raw.get("longitude"), "longitude", errors),
    }
    place_pk = _text(raw.get("place_pk"))
    if place_pk:
        place = session.get(Place, key) if (key := fields.record_key(place_pk)) else None
        if place is None:
            errors["place_pk"] = "Lieu introuvable : choisir un lieu de la liste."
        else:  # the event sits where the place is; its fields win over free text
            values |= {
                "place_pk": place.pk,
                "location_name": place.nom,
                "address": place.adresse,
                "postal_code": place.code_postal,
                "city": place.commune,
                "insee": place.code_insee,
                "latitude": place.latitude,
                "longitude": place.longitude,
            }
    if values["attendance_mode"] != AttendanceMode.ONLINE and not values["location_name"] and not values["city"]:
        errors.setdefault("place_pk", "Choisir un lieu du réseau ou saisir un lieu libre (nom ou commune).")
    for name, message in validate_event(values, occurrences).items():
        if name != "occurrences" or "occurrences" not in errors:
            errors.setdefault(name, message)
    return values, occurrences, errors


def _replace_occurrences(session: Session, actor: Actor, event: Event, occurrences: list[Occurrence]) -> bool:
    """Make the event's occurrences exactly these, auditing each row removed or added. True when they changed (a
    date turned into whole days, or back, is a change)."""
    wanted = set(occurrences)
    current = {_stored(o): o for o in event.occurrences}
    if set(current) == wanted:
        return False
    for key, occurrence in current.items():
        if key not in wanted:
            audit(session, actor, occurrence, "delete", before=snapshot(occurrence))
            event.occurrences.remove(occurrence)
    for start, end, all_day in sorted(wanted - set(current)):
        occurrence = EventOccurrence(start=start, end=end, all_day=all_day)
        event.occurrences.append(occurrence)
        audit(session, actor, occurrence, "create")
    return True


def _stored(row: EventOccurrence) -> Occurrence:
    return Occurrence(clock.as_utc(row.start), clock.as_utc(row.end), bool(row.all_day))


def save_event(session: Session, actor: Actor, *, event_id=None, mission_id=None, **raw) -> Event:
    """Create an event from the form (or update the one with `event_id`). Nothing is written on bad input.
    `mission_id`: the convention's mission the annual report tells the event under (none: not told)."""
    require_role(actor, Role.COORDINATOR)
    event = None
    if _text(event_id):
        event = session.get(Event, key) if (key := fields.record_key(event_id)) else None
        if event is None:
            raise ValidationError({"event_id": "Événement introuvable."})
    values, occurrences, errors = parse_event_form(session, raw)
    if _text(mission_id):
        mission = session.get(Mission, key) if (key := fields.record_key(mission_id)) else None
        if mission is None:
            errors["mission_id"] = "Mission introuvable."
        values["mission_id"] = mission.id if mission else None
    else:
        values["mission_id"] = None
    if errors:
        raise ValidationError(errors)
    if event is None:
        event = Event(source="manual", **values)
        session.add(event)
        audit(session, actor, event, "create")
        _replace_occurrences(session, actor, event, occurrences)
        return event
    before = snapshot(event)
    for name, value in values.items():
        setattr(event, name, value)
    if session.is_modified(event):
        event.updated_at = clock.utcnow()
    _replace_occurrences(session, actor, event, occurrences)
    audit(session, actor, event, "update", before=before)
    return event


def set_event_status(session: Session, actor: Actor, *, event_id=None, status=None) -> Event:
    """Change only the status of an event (cancel, postpone, mark full…)."""
    require_role(actor, Role.COORDINATOR)
    errors = {}
    event = session.get(Event, key) if (key := fields.record_key(event_id)) else None
    if event is None:
        errors["event_id"] = "Choisir un événement."
    if not isinstance(status, str) or status not in {s.value for s in EventStatus}:
        errors["status"] = "Choisir un statut."
    if errors:
        raise ValidationError(errors)
    before = snapshot(event)
    event.status = status
    audit(session, actor, event, "update", before=before)
    return event


def event_form_values(session: Session, event_id: int) -> dict | None:
    """The form's raw values for an existing event (to edit it)."""
    event = session.get(Event, event_id)
    if event is None:
        return None
    values = {name: getattr(event, name) for name in EVENT_FIELDS}
    values["keywords"] = ", ".join(event.keywords.split("|")) if event.keywords else None
    values["place_pk"] = str(event.place_pk) if event.place_pk else None  # a select's value is text
    values["occurrences"] = format_occurrences([_stored(o) for o in event.occurrences])
    values["mission_id"] = str(event.mission_id) if event.mission_id else None
    return values


# --- imports ----------------------------------------------------------------------------------------------------


@dataclass
class EventRecord:
    """An event read from a file, before it is written: `values` are columns of EVENT_FIELDS."""

    uid: str
    values: dict
    occurrences: list[Occurrence]
    warnings: list[str] = field(default_factory=list)
    event_id: int | None = None  # the app's own event, when the file is one of its exports (its UIDs say so)


def Rejection(item: str, reason: str) -> Issue:  # noqa: N802 — an item of an events file that is not imported
    return Issue(item, "", reason)


@dataclass
class ParsedFile:
    source: str  # openagenda | ical
    records: list[EventRecord] = field(default_factory=list)
    rejected: list[Issue] = field(default_factory=list)


def ImportReport(rejected: list[Issue] | None = None) -> imports.ImportReport:  # noqa: N802
    """The shared import report (db/imports.py), for events."""
    return imports.ImportReport(what="événements", rejected=list(rejected or []))


def _existing(session: Session, source: str, uids: list[str]) -> dict[str, Event]:
    found = {}
    for first in range(0, len(uids), 500):  # bounded IN lists
        chunk = uids[first : first + 500]
        query = (
            select(Event)
            .options(selectinload(Event.occurrences))
            .where(Event.source == source, Event.source_uid.in_(chunk))
        )
        found |= {event.source_uid: event for event in session.scalars(query)}
    return found


def import_events(session: Session, actor: Actor, parsed: ParsedFile) -> imports.ImportReport:
    """Upsert the parsed events by (source, uid) in the caller's transaction; invalid items are reported, not
    written. A failure of the database aborts the whole transaction, so a file is never half imported."""
    require_role(actor, Role.ADMIN)
    report = ImportReport(rejected=parsed.rejected)
    report.format = {"ical": "iCalendar", "openagenda": "OpenAgenda"}.get(parsed.source, parsed.source)
    valid: dict[str, EventRecord] = {}
    for record in parsed.records:
        if record.uid in valid:
            report.rejected.append(Rejection(record.uid, "identifiant présent plusieurs fois dans le fichier"))
            continue
        errors = validate_event(record.values, record.occurrences)
        if errors:
            report.rejected.append(Rejection(record.uid, " ".join(dict.fromkeys(errors.values()))))
            continue
        valid[record.uid] = record
        report.warnings.extend(Issue(record.uid, "", warning) for warning in record.warnings)
    own = {uid: _own_event(session, r) for uid, r in valid.items() if r.event_id is not None}
    existing = _existing(session, parsed.source, [uid for uid in valid if own.get(uid) is None])
    for uid, record in valid.items():
        if own.get(uid) is not None:  # one of the app's own events, back from one of its exports
            _update_own_event(session, actor, own[uid], record, report)
            continue
        event = existing.get(uid)
        if event is None:
            event = Event(source=parsed.source, source_uid=uid, **record.values)
            session.add(event)
            audit(session, actor, event, "create")
            _replace_occurrences(session, actor, event, record.occurrences)
            report.created.append(uid)
            continue
        before = snapshot(event)
        changed = False
        for name, value in record.values.items():
            if getattr(event, name) != value:
                setattr(event, name, value)
                changed = True
        changed = _replace_occurrences(session, actor, event, record.occurrences) or changed
        if changed:
            event.updated_at = clock.utcnow()
            audit(session, actor, event, "update", before=before)
            report.updated.append(uid)
        else:
            report.unchanged.append(uid)
    return report


def _own_event(session: Session, record: EventRecord) -> Event | None:
    """The event an own UID names, when it is the same event: its title or one of its dates in common (another
    instance's export carries the same kind of UID for unrelated events: those are imported as new ones)."""
    event = session.get(Event, record.event_id)
    if event is None:
        return None
    starts = {o.start for o in record.occurrences}
    if event.title == record.values.get("title") or any(_stored(o).start in starts for o in event.occurrences):
        return event
    return None


def _update_own_event(session: Session, actor: Actor, event: Event, record: EventRecord, report) -> None:
    """An event of this app read back from its own iCalendar export: its dates and title are taken; what the export
    composed from several fields (description, location) and the link to its place stay as they are. Postponed is
    exported as TENTATIVE, read back as it was."""
    before = snapshot(event)
    changed = False
    status = record.values.get("status")
    if status == EventStatus.CANCELLED.value or event.status == EventStatus.CANCELLED.value:
        wanted_status = status
    else:
        wanted_status = event.status
    for name, value in (("title", record.values.get("title")), ("status", wanted_status)):
        if value and getattr(event, name) != value:
            setattr(event, name, value)
            changed = True
    changed = _replace_occurrences(session, actor, event, record.occurrences) or changed
    if changed:
        event.updated_at = clock.utcnow()
        audit(session, actor, event, "update", before=before)
        report.updated.append(record.uid)
    else:
        report.unchanged.append(record.uid)


# --- queries ----------------------------------------------------------------------------------------------------

PERIOD_KINDS = {"week": "Semaine", "month": "Mois", "year": "Année", "custom": "Personnalisée"}


def resolve_period(kind: str | None, anchor: dt.date, start: dt.date | None = None, end: dt.date | None = None):
    """The week (Monday–Sunday), month or year containing `anchor`, or the custom range [start, end]."""
    if kind == "week":
        monday = anchor - dt.timedelta(days=anchor.weekday())
        return Period(monday, monday + dt.timedelta(days=6))
    if kind == "year":
        return Period.year(anchor.year)
    if kind == "custom" and start and end:
        return Period(min(start, end), max(start, end))
    first = anchor.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return Period(first, following - dt.timedelta(days=1))


def shift_anchor(kind: str, anchor: dt.date, steps: int) -> dt.date:
    """The anchor of the previous (-1) or next (+1) week, month or year."""
    if kind == "week":
        return anchor + dt.timedelta(weeks=steps)
    if kind == "year":
        return anchor.replace(year=anchor.year + steps, day=min(anchor.day, 28))
    month = anchor.month - 1 + steps
    return dt.date(anchor.year + month // 12, month % 12 + 1, 1)


@dataclass(frozen=True)
class EventFilters:
    period: Period | None = None
    category: str | None = None
    insee: str | None = None
    status: str | None = None
    organiser: str | None = None


def parse_date(text) -> dt.date | None:
    """A day of an address's parameters; None when absent, unreadable or outside the plausible window."""
    try:
        day = dt.date.fromisoformat(str(text)) if text else None
    except ValueError:
        return None
    return day if day is not None and fields.is_plausible_day(day, clock.today()) else None


@dataclass(frozen=True)
class AgendaQuery:
    """The agenda's state as URL query parameters (the page's address and the iCal feed share it)."""

    period: str = "month"
    anchor: dt.date | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    category: str | None = None
    commune: str | None = None
    status: str | None = None
    organiser: str | None = None
    group: str = "category"

    @classmethod
    def from_params(cls, params: dict, today: dt.date) -> AgendaQuery:
        """Read query parameters, dropping unknown or malformed values instead of failing."""
        kind = params.get("period") if params.get("period") in PERIOD_KINDS else "month"
        status = params.get("status") if params.get("status") in {s.value for s in EventStatus} else None
        return cls(
            period=kind,
            anchor=parse_date(params.get("date")) or today,
            start=parse_date(params.get("from")),
            end=parse_date(params.get("to")),
            category=_text(params.get("category")),
            commune=_text(params.get("commune")),
            status=status,
            organiser=_text(params.get("organiser")),
            group="place" if params.get("group") == "place" else "category",
        )

    @property
    def resolved(self) -> Period:
        return resolve_period(self.period, self.anchor or clock.today(), self.start, self.end)

    def filters(self) -> EventFilters:
        return EventFilters(self.resolved, self.category, self.commune, self.status, self.organiser)

    def params(self) -> dict[str, str]:
        """Non-default values only, so a shared link stays short."""
        values = {
            "period": self.period if self.period != "month" else None,
            "date": self.anchor.isoformat() if self.anchor and self.period != "custom" else None,
            "from": self.start.isoformat() if self.start and self.period == "custom" else None,
            "to": self.end.isoformat() if self.end and self.period == "custom" else None,
            "category": self.category,
            "commune": self.commune,
            "status": self.status,
            "organiser": self.organiser,
            "group": self.group if self.group != "category" else None,
        }
        return {key: value for key, value in values.items() if value}


BASE_COLUMNS = {
    "occurrence_id": EventOccurrence.id,
    "event_id": Event.id,
    "start": EventOccurrence.start,
    "end": EventOccurrence.end,
    "all_day": EventOccurrence.all_day,
    "title": Event.title,
    "category": Event.category,
    "status": Event.status,
    "organiser": Event.organiser,
    "location_name": Event.location_name,
    "city": Event.city,
    "insee": Event.insee,
    "latitude": Event.latitude,
    "longitude": Event.longitude,
    "attendance_mode": Event.attendance_mode,
}
DETAIL_COLUMNS = {
    "source": Event.source,
    "source_uid": Event.source_uid,
    "description": Event.description,
    "keywords": Event.keywords,
    "address": Event.address,
    "postal_code": Event.postal_code,
    "online_url": Event.online_url,
    "registration_url": Event.registration_url,
    "updated_at": Event.updated_at,
}


def _where(query, filters: EventFilters):
    if filters.period is not None:
        start, end = clock.bounds(filters.period)
        # overlapping the period; one ending exactly at midnight does not spill into the next day
        query = query.where(
            EventOccurrence.start < end,
            or_(EventOccurrence.end > start, EventOccurrence.start >= start),
            # bounds the index walk: no date of the agenda lasts longer than this
            EventOccurrence.start >= start - LONGEST_OCCURRENCE,
        )
    if filters.category:
        query = query.where(Event.category == filters.category)
    if filters.insee:
        query = query.where(Event.insee == filters.insee)
    if filters.status:
        query = query.where(Event.status == filters.status)
    if filters.organiser:
        query = query.where(Event.organiser == filters.organiser)
    return query


def _counted(filters: EventFilters):
    """The counts' rule: occurrences starting in the period (not those begun before it), cancelled events left out
    unless the status filter asks for them."""
    conditions = []
    if filters.period is not None:
        conditions.append(EventOccurrence.start >= clock.bounds(filters.period)[0])
    if filters.status != EventStatus.CANCELLED:
        conditions.append(Event.status != EventStatus.CANCELLED)
    return and_(true(), *conditions)


def _tuples(session: Session, query) -> list[tuple]:
    """Rows as plain tuples through Core: building a DataFrame from ORM rows costs more than the query itself."""
    return [tuple(row) for row in session.connection().execute(query).all()]


def _aware(frame: pd.DataFrame, times=("start", "end")) -> pd.DataFrame:
    """The stored times of `frame` as aware UTC (SQLite hands them back as text)."""
    for name in times:
        frame[name] = pd.to_datetime(frame[name], utc=True) if len(frame) else pd.Series(dtype="datetime64[ns, UTC]")
    return frame


def _frame(rows: list[tuple], columns, times=("start", "end")) -> pd.DataFrame:
    return _aware(pd.DataFrame(rows, columns=list(columns)), times)


# What the timeline groups its dates by: the category, or where they happen.
GROUPS = {
    "category": func.coalesce(Event.category, "Sans catégorie"),
    "place": func.coalesce(
        Event.location_name,
        Event.city,
        case((Event.attendance_mode == AttendanceMode.ONLINE, "En ligne"), else_="Lieu non précisé"),
    ),
}


def occurrences_frame(
    session: Session, filters: EventFilters, detailed: bool = False, limit: int | None = None, group: str | None = None
) -> pd.DataFrame:
    """One row per occurrence meeting the filters (overlapping the period), by start; times aware UTC. `group` (a
    key of GROUPS) adds the timeline's row of each date as a column "group"."""
    columns = BASE_COLUMNS | (DETAIL_COLUMNS if detailed else {}) | ({"group": GROUPS[group]} if group else {})
    query = _where(
        select(*[column.label(name) for name, column in columns.items()]).join(EventOccurrence.event), filters
    ).order_by(EventOccurrence.start, EventOccurrence.id)
    if limit:
        query = query.limit(limit)
    return _frame(_tuples(session, query), columns, ("start", "end") + (("updated_at",) if detailed else ()))


def upcoming_frame(session: Session, filters: EventFilters, now: dt.datetime, limit: int = 10) -> pd.DataFrame:
    """The occurrences under way at `now` (a fair on its second day) and the next ones (from the period's start when
    it is later), other filters applied: the list goes on past the period's end, so the last days of a month still
    show what comes next."""
    start = now
    if filters.period is not None:
        start = max(now, clock.bounds(filters.period)[0])
    query = _where(
        select(*[column.label(name) for name, column in BASE_COLUMNS.items()]).join(EventOccurrence.event),
        EventFilters(None, filters.category, filters.insee, filters.status, filters.organiser),
    ).where(
        EventOccurrence.end > start,
        # bounds the index walk: no date of the agenda lasts longer than this
        EventOccurrence.start >= start - LONGEST_OCCURRENCE,
    )
    rows = _tuples(session, query.order_by(EventOccurrence.start, EventOccurrence.id).limit(limit))
    return _frame(rows, BASE_COLUMNS)


# SQL that puts a stored instant on its local day or month, as text ("2026-03-29", "2026-03").
LOCAL_FORMATS = {"day": ("YYYY-MM-DD", "%Y-%m-%d"), "month": ("YYYY-MM", "%Y-%m")}


def _local(session: Session, column, period: Period, unit: str):
    """PostgreSQL converts to the zone itself; SQLite knows no time zones, so the zone's UTC offsets over the
    period are spelled out (instants outside it are never asked for)."""
    pg_format, sqlite_format = LOCAL_FORMATS[unit]
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone(clock.zone_name(), column), pg_format)
    offsets = [(when, f"{seconds:+d} seconds") for when, seconds in clock.utc_offsets(*clock.bounds(period))]
    modifier = literal(offsets[-1][1])
    if len(offsets) > 1:  # each offset holds until the next change
        changes = zip(offsets[1:], offsets[:-1], strict=True)
        modifier = case(*[(column < change, offset) for (change, _), (_, offset) in changes], else_=modifier)
    return func.strftime(sqlite_format, column, modifier)


@dataclass(frozen=True)
class PeriodCounts:
    """A filter's occurrences counted by the database in one GROUP BY (category, commune, status). Every event falls
    in exactly one cell, so its distinct events add up across cells. `dates` and `events` overlap the period (the
    key figures); `counted_*` follow the counts' rule (`_counted`)."""

    cells: pd.DataFrame  # category, insee ("" when none), city, status, dates, events, counted_dates, counted_events
    names: dict[str, str]  # commune names by INSEE code

    @property
    def dates(self) -> int:
        return int(self.cells["dates"].sum())

    @property
    def events(self) -> int:
        return int(self.cells["events"].sum())

    @property
    def communes(self) -> int:
        codes = self.cells["insee"]
        return codes[codes != ""].nunique()

    @property
    def disrupted(self) -> int:
        """Cancelled or postponed events."""
        return int(self.cells.loc[self.cells["status"].isin(DISRUPTED), "events"].sum())

    def _grouped(self, key: str) -> pd.DataFrame:
        counted = self.cells[self.cells["counted_dates"] > 0]
        counts = (
            counted.groupby(key, dropna=False)[["counted_events", "counted_dates"]]
            .sum()
            .rename(columns={"counted_events": "events", "counted_dates": "occurrences"})
            .reset_index()
        )
        return counts.sort_values(["events", key], ascending=[False, True], ignore_index=True).astype(
            {"events": int, "occurrences": int}
        )

    @property
    def by_category(self) -> pd.DataFrame:
        """Columns category ("Sans catégorie" when empty), events, occurrences; most events first."""
        return self._grouped("category")

    @property
    def by_commune(self) -> pd.DataFrame:
        """Columns insee, commune, events, occurrences, grouped by INSEE code (online events: insee empty)."""
        counts = self._grouped("insee")
        cities = self.cells.dropna(subset=["city"]).groupby("insee")["city"].min().to_dict()
        counts.insert(
            1,
            "commune",
            [self.names.get(i) or cities.get(i) or ("En ligne ou sans lieu" if not i else i) for i in counts["insee"]],
        )
        return counts


def has_events(session: Session) -> bool:
    """Whether the base holds any event: an empty base is not a period or a filter that leaves nothing."""
    return session.scalar(select(Event.id).limit(1)) is not None


def period_counts(session: Session, filters: EventFilters) -> PeriodCounts:
    """The key figures and the counts by category and commune of a filter, from one query."""
    counted = _counted(filters)
    insee = func.coalesce(Event.insee, "")
    query = _where(
        select(
            GROUPS["category"].label("category"),
            insee.label("insee"),
            func.min(Event.city).label("city"),
            Event.status,
            func.count().label("dates"),
            func.count(func.distinct(EventOccurrence.event_id)).label("events"),
            func.count(case((counted, EventOccurrence.id))).label("counted_dates"),
            func.count(func.distinct(case((counted, EventOccurrence.event_id)))).label("counted_events"),
        ).join(EventOccurrence.event),
        filters,
    ).group_by(GROUPS["category"], insee, Event.status)
    cells = pd.DataFrame(_tuples(session, query), columns=[c.key for c in query.selected_columns])
    codes = sorted({code for code in cells["insee"] if code})
    names = dict(session.execute(select(Commune.insee, Commune.name).where(Commune.insee.in_(codes))).all())
    return PeriodCounts(cells, names)


def counts_by_category(session: Session, filters: EventFilters) -> pd.DataFrame:
    """Columns category ("Sans catégorie" when empty), events, occurrences; most events first."""
    return period_counts(session, filters).by_category


def counts_by_month(session: Session, filters: EventFilters) -> pd.DataFrame:
    """Columns month (first day, Paris time), events (distinct), occurrences; months of the period with none at 0.
    Needs a period."""
    month = _local(session, EventOccurrence.start, filters.period, "month")
    query = (
        _where(
            select(
                month.label("month"),
                func.count(func.distinct(EventOccurrence.event_id)).label("events"),
                func.count().label("occurrences"),
            ).join(EventOccurrence.event),
            filters,
        )
        .where(_counted(filters))
        .group_by(month)
    )
    found = {month: (events, dates) for month, events, dates in _tuples(session, query)}
    months = month_starts(filters.period)
    counts = [found.get(f"{month:%Y-%m}", (0, 0)) for month in months]
    return pd.DataFrame(
        {
            "month": pd.to_datetime(months),
            "events": [events for events, _ in counts],
            "occurrences": [dates for _, dates in counts],
        }
    )


def top_groups(totals: dict[str, int], rows: int) -> set[str] | None:
    """The `rows` - 1 groups with most dates (ties by name), shown apart while the others share a last row; None
    when every group fits in `rows`."""
    if len(totals) <= rows:
        return None
    return set(sorted(totals, key=lambda name: (-totals[name], name))[: rows - 1])


class DatesPerDay(NamedTuple):
    counts: pd.DataFrame  # day (local, naive), group (None: the groups not in `top_groups`, together), dates
    groups: int  # how many groups have dates, shown apart or not


def dates_per_day(session: Session, filters: EventFilters, group: str, rows: int) -> DatesPerDay:
    """The occurrences starting on each day of the period (which it needs), every status, by GROUPS[group], on
    `rows` rows at most (`top_groups`): a year of a regional network has hundreds of places, and only the rows
    shown leave the database."""

    def starting(*columns):
        query = _where(select(*columns).join(EventOccurrence.event), filters)
        return query.where(EventOccurrence.start >= clock.bounds(filters.period)[0])

    key = GROUPS[group]
    totals = dict(_tuples(session, starting(key, func.count()).group_by(key)))
    kept = top_groups(totals, rows)
    shown = key if kept is None else case((key.in_(sorted(kept)), key))
    day = _local(session, EventOccurrence.start, filters.period, "day")
    counts = pd.DataFrame(
        _tuples(session, starting(day, shown, func.count()).group_by(day, shown)), columns=["day", "group", "dates"]
    )
    counts["day"] = pd.to_datetime(counts["day"], format="%Y-%m-%d")
    return DatesPerDay(counts, len(totals))


@dataclass(frozen=True)
class EventPlaces:
    points: pd.DataFrame  # one row per location, most events first (see `event_places`)
    located_events: int  # events having coordinates, every location together
    places: int  # locations, shown or not


def event_places(session: Session, filters: EventFilters, limit: int) -> EventPlaces:
    """Where the filter's events happen, one row per location (its coordinates), the `limit` with most events:
    latitude, longitude, events, dates, and of the location's events the first title, date (start, end, all_day),
    place, city, attendance mode and statuses (`status` when they share one, else None)."""
    events = func.count(func.distinct(EventOccurrence.event_id))
    query = (
        _where(
            select(
                Event.latitude,
                Event.longitude,
                events.label("events"),
                func.count().label("dates"),
                func.min(Event.title).label("title"),
                func.min(EventOccurrence.start).label("start"),
                func.min(EventOccurrence.end).label("end"),
                func.max(case((EventOccurrence.all_day, 1), else_=0)).label("all_day"),
                func.min(Event.location_name).label("location_name"),
                func.min(Event.city).label("city"),
                func.min(Event.attendance_mode).label("attendance_mode"),
                case((func.min(Event.status) == func.max(Event.status), func.min(Event.status))).label("status"),
                func.sum(events).over().label("located_events"),
                func.count().over().label("places"),
            ).join(EventOccurrence.event),
            filters,
        )
        .where(Event.latitude.is_not(None), Event.longitude.is_not(None))
        .group_by(Event.latitude, Event.longitude)
        .order_by(events.desc(), Event.latitude, Event.longitude)
        .limit(limit)
    )
    columns = [c.key for c in query.selected_columns]
    points = _frame(_tuples(session, query), columns)
    points["all_day"] = points["all_day"].astype(bool)
    located, places = (int(points[name].iloc[0]) for name in ("located_events", "places")) if len(points) else (0, 0)
    return EventPlaces(points.drop(columns=["located_events", "places"]), located, places)


# The agenda's list of dates, a page at a time: sort key → order (ending with a unique column).
DATE_SORTS = {
    "date": (EventOccurrence.start, EventOccurrence.id),
    "date-desc": (EventOccurrence.start.desc(), EventOccurrence.id.desc()),
    "title": (Event.title, EventOccurrence.start, EventOccurrence.id),
}


def occurrences_page(session: Session, filters: EventFilters, number: int, sort: str = "date") -> Page:
    """A page of the occurrences overlapping the period (BASE_COLUMNS), in DATE_SORTS[sort] (by date by default);
    each page read once per revision of the agenda."""

    def compute() -> Page:
        query = _where(
            select(*[column.label(name) for name, column in BASE_COLUMNS.items()]).join(EventOccurrence.event),
            filters,
        )
        page = fetch_page(session, query, DATE_SORTS.get(sort, DATE_SORTS["date"]), number)
        _aware(page.rows)
        return page

    return revisions.memoize(PANELS, session, PANEL_AREAS, ("dates", filters, number, sort), compute)


@dataclass(frozen=True)
class Panels:
    """What the Agenda shows for a filter, the list of dates and the upcoming ones apart: the key figures and
    counts, the timeline's dates (None without any; a bar per date up to `max_bars`, else `dates_per_day`), the
    months and the map's places. Shared by every request: read it, never change it in place."""

    counts: PeriodCounts
    by_category: pd.DataFrame  # the counts' roll-ups, made once
    by_commune: pd.DataFrame
    dates: pd.DataFrame | DatesPerDay | None
    by_month: pd.DataFrame
    places: EventPlaces


# The panels and pages of dates, per revision of the agenda and of the communes whose names they give.
PANELS = revisions.Cache(64)
PANEL_AREAS = (revisions.AGENDA, revisions.COMMUNES)


def panels(session: Session, filters: EventFilters, group: str, max_bars: int, max_groups: int, max_points: int):
    """The Agenda's panels for a filter: each query run once per revision of the data, shared by every worker
    thread of the process (see db.revisions)."""

    def compute() -> Panels:
        counts = period_counts(session, filters)
        dates = None
        if counts.dates:
            dates = (
                dates_per_day(session, filters, group, max_groups)
                if counts.dates > max_bars
                else occurrences_frame(session, filters, group=group)
            )
        return Panels(
            counts,
            counts.by_category,
            counts.by_commune,
            dates,
            counts_by_month(session, filters),
            event_places(session, filters, max_points),
        )

    key = ("panels", filters, group, max_bars, max_groups, max_points)
    return revisions.memoize(PANELS, session, PANEL_AREAS, key, compute)


def filter_options(session: Session) -> dict[str, list]:
    """Values offered by the page's filters: categories, communes (insee, name), organisers."""

    def distinct(column):
        return [v for v in session.scalars(select(column).distinct().where(column.is_not(None)).order_by(column))]

    communes = session.execute(
        select(Event.insee, func.min(Event.city)).where(Event.insee.is_not(None)).group_by(Event.insee)
    ).all()
    names = dict(session.execute(select(Commune.insee, Commune.name)).all())
    return {
        "categories": distinct(Event.category),
        "communes": sorted(
            ((insee, names.get(insee) or city or insee) for insee, city in communes), key=lambda c: c[1]
        ),
        "organisers": distinct(Event.organiser),
    }


def event_choices(session: Session, limit: int = 300) -> list[tuple[int, str]]:
    """(id, label) of the most recently touched events with their first date, for the edit and status forms."""
    first = (
        select(EventOccurrence.id)
        .where(EventOccurrence.event_id == Event.id)
        .order_by(EventOccurrence.start, EventOccurrence.id)
        .limit(1)
        .correlate(Event)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Event.id, Event.title, EventOccurrence.start, EventOccurrence.end, EventOccurrence.all_day)
        .join(EventOccurrence, EventOccurrence.id == first, isouter=True)
        .order_by(Event.updated_at.desc(), Event.id.desc())
        .limit(limit)
    ).all()
    return [
        (i, f"{title} ({occurrence_label(start, end, all_day)})" if start else title)
        for i, title, start, end, all_day in rows
    ]


def place_choices(session: Session) -> list[tuple[int, str]]:
    """(pk, « name — commune ») of the network's places, for the form's place selector."""
    rows = session.execute(select(Place.pk, Place.nom, Place.commune).order_by(Place.commune, Place.nom)).all()
    return [(pk, f"{name} — {commune}") for pk, name, commune in rows]
