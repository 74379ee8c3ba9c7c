"""iCalendar (RFC 5545) import and export, with the `icalendar` library.

Import: every VEVENT with a UID is one event (UID = source uid). Times with a TZID (with or without its
VTIMEZONE) or in UTC are converted to UTC; floating times are taken in Paris time. Dates (DTSTART;VALUE=DATE) are
whole-day occurrences: DTEND is the day after the last one (exclusive), one day when it is missing. A recurring
event (RRULE, RDATE, EXDATE, overrides by RECURRENCE-ID) is expanded inside a bounded window around today
(WINDOW_BEFORE / WINDOW_AFTER), at most MAX_OCCURRENCES dates; an event without recurrence keeps its date
whatever it is. STATUS: CONFIRMED and TENTATIVE → scheduled, CANCELLED → cancelled, anything else rejected.

Export: one VEVENT per occurrence, timed ones in UTC (no VTIMEZONE needed), whole days as VALUE=DATE dates (DTEND
exclusive); UID stable per occurrence (event id + start), STATUS:CANCELLED for cancelled events, TENTATIVE for
postponed ones.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import pandas as pd
from dateutil import rrule
from icalendar import Calendar, Event, vRecur
from icalendar.error import IncompleteComponent, InvalidCalendar

from db import clock
from db.agenda import (
    DAY,
    MAX_OCCURRENCES,
    STATUS_LABELS,
    EventRecord,
    Occurrence,
    ParsedFile,
    Rejection,
    local_days,
)
from db.interop.openagenda import UnknownCode
from db.models import AttendanceMode, EventStatus

DOMAIN = "mediation-numerique-loire.fr"
SOURCE = "ical"
# The UIDs of this app's own export (`occurrence_uid`): its events are recognised when a calendar comes back.
OWN_UID = re.compile(r"evenement-(\d+)-\d{8}T\d{6}Z@" + re.escape(DOMAIN))
WINDOW_BEFORE = dt.timedelta(days=365)
WINDOW_AFTER = dt.timedelta(days=2 * 365)
STATUSES = {"CONFIRMED": EventStatus.SCHEDULED, "TENTATIVE": EventStatus.SCHEDULED, "CANCELLED": EventStatus.CANCELLED}
EXPORT_STATUS = {EventStatus.CANCELLED: "CANCELLED", EventStatus.POSTPONED: "TENTATIVE"}
CALENDAR_NAME = "Agenda de la médiation numérique – Loire"


def _aware(value: dt.date | dt.datetime) -> dt.datetime:
    """A DTSTART-like value as an aware datetime: dates at midnight and floating times in Paris time."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time.min)
    return value.replace(tzinfo=clock.zone()) if value.tzinfo is None else value


def _utc(value: dt.date | dt.datetime) -> dt.datetime:
    return _aware(value).astimezone(dt.UTC)


def _occurrence(start: dt.date | dt.datetime, end: dt.date | dt.datetime) -> Occurrence:
    """Dates are whole days with an exclusive end (a DTEND on DTSTART's own day still means that day)."""
    if not isinstance(start, dt.datetime):
        return Occurrence.whole_days(start, max(start, end - DAY))
    return Occurrence(_utc(start), _utc(end))


def _rule(recur: vRecur, start: dt.datetime) -> rrule.rrule:
    """dateutil's rule for an RRULE; an UNTIL given as a date or floating time is read in Paris time."""
    recur = vRecur(recur)
    if "UNTIL" in recur:
        until = recur["UNTIL"][0]
        if not isinstance(until, dt.datetime):
            until = dt.datetime.combine(until, dt.time.max)
        recur["UNTIL"] = [_aware(until).astimezone(dt.UTC)]
    return rrule.rrulestr(recur.to_ical().decode(), dtstart=start)


def _starts(vevent: Event, start: dt.datetime, window: tuple[dt.datetime, dt.datetime], warnings: list) -> list:
    if not vevent.rrules and not vevent.get("RDATE"):
        return [start]
    rules = rrule.rruleset()
    rules.rdate(start)  # DTSTART is always the first occurrence
    for recur in vevent.rrules:
        rules.rrule(_rule(recur, start))
    for value in vevent.rdates:
        rules.rdate(_aware(value[0] if isinstance(value, tuple) else value))
    for value in vevent.exdates:
        rules.exdate(_aware(value))
    starts = []
    for value in rules.xafter(window[0], inc=True):
        if value > window[1]:
            break
        if len(starts) == MAX_OCCURRENCES:
            warnings.append(f"récurrence limitée à {MAX_OCCURRENCES} dates")
            break
        starts.append(value)
    if not starts:
        raise ValueError("aucune date de la récurrence dans la fenêtre importée")
    return starts


def _text(vevent: Event, name: str) -> str | None:
    value = vevent.get(name)
    text = str(value).strip() if value is not None else ""
    return text or None


def _record(uid: str, vevent: Event, overrides: list[Event], window) -> list[EventRecord]:
    """The event of a VEVENT (with its recurrence), then one more per moved date that has its own title or text."""
    try:
        start, end = vevent.start, vevent.end
    except (IncompleteComponent, InvalidCalendar) as error:
        raise ValueError("DTSTART manquant ou incohérent") from error
    all_day = not isinstance(start, dt.datetime)
    # Whole days repeat as days (a date plus a number of days); times keep their wall-clock duration.
    duration = end - start if all_day else _aware(end) - _aware(start)
    warnings: list[str] = []
    occurrences: dict[dt.datetime, Occurrence] = {}
    for first in _starts(vevent, _aware(start), window, warnings):
        begin = first.date() if all_day else first
        occurrences[_utc(first)] = _occurrence(begin, begin + duration)
    moved: list[EventRecord] = []
    for override in overrides:  # one changed or cancelled date of the series
        key = _utc(override["RECURRENCE-ID"].dt)
        if key not in occurrences:
            continue
        if str(override.get("STATUS", "")).upper() == "CANCELLED":
            del occurrences[key]
            continue
        try:
            occurrences[key] = _occurrence(override.start, override.end)
        except (IncompleteComponent, InvalidCalendar):
            override_end = occurrences[key].end - occurrences[key].start + _utc(override.start)
            occurrences[key] = _occurrence(override.start, override_end)
        own = {name: _text(override, name) for name in ("SUMMARY", "DESCRIPTION", "LOCATION")}
        if any(text and text != _text(vevent, name) for name, text in own.items()):
            # A date with its own title (or text, or place): an event of its own, so nothing of it is lost.
            moved.append((key, override))
    status = (_text(vevent, "STATUS") or "CONFIRMED").upper()
    if status not in STATUSES:
        raise UnknownCode(f"statut inconnu « {status} »")
    location = _text(vevent, "LOCATION")
    online = bool(location and location.lower().startswith(("http://", "https://")))
    geo = vevent.get("GEO")
    organizer = vevent.get("ORGANIZER")
    categories = [str(c).strip() for c in vevent.categories if str(c).strip()]
    values = {
        "title": _text(vevent, "SUMMARY"),
        "description": _text(vevent, "DESCRIPTION"),
        "keywords": "|".join(dict.fromkeys(categories)) or None,
        "category": categories[0] if categories else None,
        "audience": None,
        "organiser": (organizer.params.get("CN") or None) if organizer is not None else None,
        "status": STATUSES[status].value,
        "attendance_mode": (AttendanceMode.ONLINE if online else AttendanceMode.OFFLINE).value,
        "online_url": location if online else None,
        "registration_url": _text(vevent, "URL"),
        "place_pk": None,
        "location_name": None if online else location,
        "address": None,
        "postal_code": None,
        "city": None,
        "insee": None,
        "latitude": geo.latitude if geo is not None else None,
        "longitude": geo.longitude if geo is not None else None,
    }
    if geo is None and not online:
        warnings.append("pas de coordonnées (GEO) : absent de la carte")
    records = []
    for key, override in moved:
        occurrence = occurrences.pop(key)
        separate = _record(f"{uid}#{key:%Y%m%dT%H%M%SZ}", _merged(vevent, override), [], window)[0]
        separate.occurrences[:] = [occurrence]
        records.append(separate)
    return [EventRecord(uid, values, sorted(occurrences.values()), warnings), *records]


def _merged(master: Event, override: Event) -> Event:
    """A moved date as an event of its own: the master's properties, overridden by the date's, no recurrence."""
    single = Event()
    for name, value in master.property_items(recursive=False):
        if name not in {"BEGIN", "END", "RRULE", "RDATE", "EXDATE"}:
            single.add(name, value)
    for name in list(single.keys()):
        if name in override and name != "UID":
            del single[name]
    for name, value in override.property_items(recursive=False):
        if name not in {"BEGIN", "END", "RECURRENCE-ID", "UID"}:
            single.add(name, value)
    return single


def parse_ics(content: bytes | str, today: dt.date) -> ParsedFile:
    """The VEVENTs of an iCalendar file; recurrences expanded from today - WINDOW_BEFORE to today + WINDOW_AFTER."""
    try:
        calendar = Calendar.from_ical(content)
    except ValueError as error:
        raise ValueError(f"Fichier iCalendar illisible : {error}") from error
    midnight = clock.local(clock.day_start(today))
    window = (midnight - WINDOW_BEFORE, midnight + WINDOW_AFTER)
    parsed = ParsedFile(SOURCE)
    masters: dict[str, Event] = {}
    overrides: dict[str, list[Event]] = {}
    own: dict[int, list[Event]] = {}
    for index, vevent in enumerate(calendar.walk("VEVENT"), start=1):
        uid = _text(vevent, "UID")
        own_uid = OWN_UID.fullmatch(uid or "")
        if not uid:
            parsed.rejected.append(Rejection(f"VEVENT n° {index}", "UID manquant"))
        elif own_uid and vevent.get("RECURRENCE-ID") is None:
            own.setdefault(int(own_uid[1]), []).append(vevent)
        elif vevent.get("RECURRENCE-ID") is not None:
            overrides.setdefault(uid, []).append(vevent)
        elif uid in masters:
            parsed.rejected.append(Rejection(uid, "UID présent plusieurs fois dans le fichier"))
        else:
            masters[uid] = vevent
    for uid, vevent in masters.items():
        try:
            parsed.records.extend(_record(uid, vevent, overrides.get(uid, []), window))
        except ValueError as error:
            parsed.rejected.append(Rejection(uid, str(error)))
    for event_id, vevents in own.items():
        uid = f"evenement-{event_id}@{DOMAIN}"
        try:
            dates = [_record(uid, vevent, [], window)[0] for vevent in vevents]
        except ValueError as error:
            parsed.rejected.append(Rejection(uid, str(error)))
            continue
        occurrences = sorted({o for record in dates for o in record.occurrences})
        parsed.records.append(EventRecord(uid, dates[0].values, occurrences, dates[0].warnings, event_id=event_id))
    return parsed


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower().split())


def occurrence_uid(event_id: int, start: dt.datetime) -> str:
    """Stable while the occurrence keeps its date: calendar clients update it instead of duplicating it."""
    return f"evenement-{event_id}-{start.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}@{DOMAIN}"


def _location(row) -> str | None:
    """Place name, address, postal code and city, each said once (an address or a name that already holds the
    city, or a location read from a calendar that holds all of them, is not repeated)."""
    parts: list[str] = []
    for part in (row.location_name, row.address, " ".join(p for p in (row.postal_code, row.city) if p)):
        if part and _fold(part) not in _fold(", ".join(parts)):
            parts = [p for p in parts if _fold(p) not in _fold(part)] + [part]
    text = ", ".join(parts)
    return text or (row.online_url if row.attendance_mode == AttendanceMode.ONLINE else None)


def _description(row) -> str | None:
    lines = []
    if row.status != EventStatus.SCHEDULED:
        lines.append(f"Statut : {STATUS_LABELS.get(row.status, row.status)}")
    if row.organiser:
        lines.append(f"Organisé par {row.organiser}")
    if row.online_url:
        lines.append(f"En ligne : {row.online_url}")
    if row.description:
        lines.append(row.description)
    return "\n\n".join(lines) or None


def export_calendar(frame: pd.DataFrame, name: str = CALENDAR_NAME) -> bytes:
    """A calendar of the occurrences of `db.agenda.occurrences_frame(..., detailed=True)`."""
    calendar = Calendar.new(
        name=name,
        prodid="-//Réseau de la médiation numérique de la Loire//Agenda//FR",
        uid=f"agenda@{DOMAIN}",
        refresh_interval=dt.timedelta(hours=6),
    )
    calendar["REFRESH-INTERVAL"].params["VALUE"] = "DURATION"  # required by RFC 7986
    calendar.add("X-PUBLISHED-TTL", "PT6H")  # the same hint, for older clients
    calendar.add("X-WR-TIMEZONE", "Europe/Paris")
    for row in frame.astype(object).where(frame.notna(), None).itertuples(index=False):
        start, end = row.start.to_pydatetime().astimezone(dt.UTC), row.end.to_pydatetime().astimezone(dt.UTC)
        if row.all_day:  # dates, as people wrote them: calendar apps show them as whole days
            first, last = local_days(start, end)
            start, end = first, last + DAY
        event = Event.new(
            uid=occurrence_uid(row.event_id, row.start),
            stamp=(row.updated_at or row.start).to_pydatetime().astimezone(dt.UTC),
            start=start,
            end=end,
            summary=row.title,
            description=_description(row),
            location=_location(row),
            categories=[row.category] if row.category else (),
            url=row.registration_url,
        )
        event.add("STATUS", EXPORT_STATUS.get(row.status, "CONFIRMED"))
        if row.latitude is not None and row.longitude is not None:
            event.add("GEO", (row.latitude, row.longitude))
        calendar.add_component(event)
    return calendar.to_ical()
