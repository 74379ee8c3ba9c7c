"""OpenAgenda: events from the API v2 JSON and from the spreadsheet (CSV) export, as `EventRecord`s.

JSON: a page `{"total", "events", "after"}` or a bare list of events. Multilingual fields take French, else the
first language given. Every `timings[{begin, end}]` (ISO times with their UTC offset) becomes one occurrence; a
timing from local midnight to 23:59 is whole days (see `_timing`).

CSV (the agenda's « export tableur », comma or semicolon separated, UTF-8): the columns read are
`Identifiant` (required), `Titre - FR`, `Description - FR`, `Description longue - FR`, `Horaires ISO` (every ISO
date-time with offset of the cell, taken in pairs begin/end, whatever separates them), `Mots clés - FR` (comma
separated), `Catégorie`, `Public`, `Organisateur`, `Nom du lieu`, `Adresse`, `Code postal`, `Ville`, `Code INSEE`,
`Latitude`, `Longitude` (decimal point or comma), `Statut` (1–6 or its French label), `Mode de participation` (1–3 or
« Sur place », « En ligne », « Mixte »), `Lien d'accès en ligne`, `Inscription` (the first web address is kept).
Other columns are ignored.

Unknown status or attendance mode: the event is rejected with the reason, never guessed (a code we do not know
could mean « cancelled », and publishing such an event as scheduled would mislead the public).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re

from db import clock
from db.agenda import DAY, MODE_LABELS, STATUS_LABELS, EventRecord, Occurrence, ParsedFile, Rejection
from db.models import AttendanceMode, EventStatus

SOURCE = "openagenda"
STATUS_CODES = {
    1: EventStatus.SCHEDULED,
    2: EventStatus.RESCHEDULED,
    3: EventStatus.MOVED_ONLINE,
    4: EventStatus.POSTPONED,
    5: EventStatus.FULL,
    6: EventStatus.CANCELLED,
}
MODE_CODES = {1: AttendanceMode.OFFLINE, 2: AttendanceMode.ONLINE, 3: AttendanceMode.MIXED}
ISO_TIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})")
URL_IN_TEXT_RE = re.compile(r"https?://\S+")
LAST_MINUTE = (dt.time(23, 59), dt.time(23, 59, 59))


class UnknownCode(ValueError):
    pass


def _label(value) -> str | None:
    """French text of a multilingual field ({"fr": …, "en": …}), else its first language; plain strings as is."""
    if isinstance(value, dict):
        value = value.get("fr") or next((v for v in value.values() if v), None)
    text = str(value).strip() if value not in (None, "") else ""
    return text or None


def _keywords(value) -> list[str]:
    if isinstance(value, dict):
        value = value.get("fr") or next((v for v in value.values() if v), [])
    if isinstance(value, str):
        value = value.split(",")
    return [str(k).strip() for k in value or [] if str(k).strip()]


def _time(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        raise ValueError(f"heure sans décalage horaire : {text}")
    return value.astimezone(dt.UTC)


def _timing(begin: str, end: str) -> Occurrence:
    """A timing as an occurrence. OpenAgenda has no all-day flag: its API documents `timings` as a list of
    {begin, end} instants with their offset, each at most 24 hours and never overlapping (dev-doc, « Structure d'un
    événement », Horaires), so a whole day comes as local 00:00 → 23:59 and a three-day fair as three such timings.
    A timing from local midnight to 23:59, 23:59:59 or a later midnight is therefore taken as whole days."""
    start, stop = _time(begin), _time(end)
    first, last = clock.local(start), clock.local(stop)
    if first.time() == dt.time.min and stop > start:
        if last.time().replace(microsecond=0) in LAST_MINUTE:
            return Occurrence.whole_days(first.date(), last.date())
        if last.time() == dt.time.min:
            return Occurrence.whole_days(first.date(), last.date() - DAY)
    return Occurrence(start, stop)


def _code(value, codes: dict, labels: dict, what: str, default):
    """An OpenAgenda code (1–6 or 1–3, as number or text) or its French label → our value."""
    if value in (None, ""):
        return default
    text = str(value).strip()
    if text.isdigit() and int(text) in codes:
        return codes[int(text)].value
    by_label = {label.casefold(): key.value for key, label in labels.items()}
    if text.casefold() in by_label:
        return by_label[text.casefold()]
    raise UnknownCode(f"{what} inconnu « {text} »")


def _float(value) -> float | None:
    if value in (None, ""):
        return None
    return float(str(value).replace(",", "."))


def _postcode(value) -> str | None:
    text = _label(value)
    return text.zfill(5) if text and text.isdigit() and len(text) == 4 else text


def _record(uid: str, fields: dict, timings: list[tuple[str, str]]) -> EventRecord:
    located = fields["latitude"] is not None or fields["attendance_mode"] == AttendanceMode.ONLINE
    return EventRecord(
        uid=uid,
        values=fields,
        occurrences=sorted({_timing(begin, end) for begin, end in timings}),
        warnings=[] if located else ["pas de coordonnées : absent de la carte"],
    )


def _json_event(item: dict) -> EventRecord:
    location = item.get("location") or {}
    registration = item.get("registration") or []
    links = [r.get("value") for r in registration if isinstance(r, dict) and r.get("type") == "link"]
    description = _label(item.get("longDescription")) or _label(item.get("description"))
    fields = {
        "title": _label(item.get("title")),
        "description": description,
        "keywords": "|".join(_keywords(item.get("keywords"))) or None,
        "category": _label(item.get("category")),
        "audience": _label(item.get("audience")),
        "organiser": _label((item.get("originAgenda") or {}).get("title")) or _label(item.get("organiser")),
        "status": _code(item.get("status"), STATUS_CODES, STATUS_LABELS, "statut", EventStatus.SCHEDULED.value),
        "attendance_mode": _code(
            item.get("attendanceMode"), MODE_CODES, MODE_LABELS, "mode de participation", AttendanceMode.OFFLINE.value
        ),
        "online_url": _label(item.get("onlineAccessLink")),
        "registration_url": links[0] if links else None,
        "place_pk": None,
        "location_name": _label(location.get("name")),
        "address": _label(location.get("address")),
        "postal_code": _postcode(location.get("postalCode")),
        "city": _label(location.get("city")),
        "insee": _label(location.get("insee")),
        "latitude": _float(location.get("latitude")),
        "longitude": _float(location.get("longitude")),
    }
    timings = [(t.get("begin"), t.get("end")) for t in item.get("timings") or []]
    if any(not begin or not end for begin, end in timings):
        raise ValueError("horaire sans début ou sans fin")
    return _record(str(item["uid"]), fields, timings)


def _collect(items, read, where) -> ParsedFile:
    parsed = ParsedFile(SOURCE)
    for index, item in enumerate(items, start=1):
        try:
            parsed.records.append(read(item))
        except (UnknownCode, ValueError, KeyError, TypeError, AttributeError) as error:
            reason = "identifiant manquant" if isinstance(error, KeyError) else str(error) or type(error).__name__
            parsed.rejected.append(Rejection(where(index, item), reason))
    return parsed


def parse_json(content: bytes | str) -> ParsedFile:
    """An OpenAgenda API v2 page or list of events."""
    data = json.loads(content)
    items = data.get("events", []) if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ValueError('JSON OpenAgenda attendu : une liste d\'événements ou une page {"events": […]}.')

    def where(index, item):
        return str(item.get("uid")) if isinstance(item, dict) and item.get("uid") else f"événement n° {index}"

    return _collect(items, _json_event, where)


def _csv_event(row: dict) -> EventRecord:
    def cell(name):
        return _label(row.get(name))

    uid = cell("Identifiant")
    if not uid:
        raise KeyError("Identifiant")
    times = ISO_TIME_RE.findall(row.get("Horaires ISO") or "")
    if len(times) % 2:
        raise ValueError("« Horaires ISO » : chaque début doit avoir sa fin")
    registration = URL_IN_TEXT_RE.findall(row.get("Inscription") or "")
    fields = {
        "title": cell("Titre - FR"),
        "description": cell("Description longue - FR") or cell("Description - FR"),
        "keywords": "|".join(_keywords(row.get("Mots clés - FR") or "")) or None,
        "category": cell("Catégorie"),
        "audience": cell("Public"),
        "organiser": cell("Organisateur"),
        "status": _code(cell("Statut"), STATUS_CODES, STATUS_LABELS, "statut", EventStatus.SCHEDULED.value),
        "attendance_mode": _code(
            cell("Mode de participation"),
            MODE_CODES,
            MODE_LABELS,
            "mode de participation",
            AttendanceMode.OFFLINE.value,
        ),
        "online_url": cell("Lien d'accès en ligne"),
        "registration_url": registration[0] if registration else None,
        "place_pk": None,
        "location_name": cell("Nom du lieu"),
        "address": cell("Adresse"),
        "postal_code": _postcode(row.get("Code postal")),
        "city": cell("Ville"),
        "insee": cell("Code INSEE"),
        "latitude": _float(row.get("Latitude")),
        "longitude": _float(row.get("Longitude")),
    }
    return _record(uid, fields, list(zip(times[::2], times[1::2], strict=True)))


def parse_csv(content: bytes | str) -> ParsedFile:
    """The OpenAgenda spreadsheet export (French column names)."""
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content.lstrip("\ufeff")
    dialect = csv.Sniffer().sniff(text.splitlines()[0] if text else ",", delimiters=",;\t")
    reader = csv.DictReader(io.StringIO(text), dialect=dialect)
    if "Identifiant" not in (reader.fieldnames or []):
        raise ValueError("Colonne « Identifiant » absente : ce n'est pas un export tableur OpenAgenda.")
    return _collect(reader, _csv_event, lambda index, row: _label(row.get("Identifiant")) or f"ligne {index + 1}")
