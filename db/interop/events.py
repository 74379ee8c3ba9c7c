"""Which reader an events file needs: OpenAgenda JSON, OpenAgenda spreadsheet CSV or iCalendar."""

from __future__ import annotations

import datetime as dt
from pathlib import PurePath

from db.agenda import ParsedFile
from db.interop import ical, openagenda

FORMATS = {".ics": "ical", ".ical": "ical", ".ifb": "ical", ".json": "json", ".csv": "csv"}
FORMAT_LABELS = {"ical": "iCalendar", "json": "OpenAgenda JSON", "csv": "OpenAgenda (export tableur)"}


def detect_format(filename: str, content: bytes) -> str:
    """By extension, else by the first characters of the file."""
    known = FORMATS.get(PurePath(filename or "").suffix.lower())
    if known:
        return known
    head = content.lstrip(b"\xef\xbb\xbf \t\r\n")[:20].upper()
    if head.startswith(b"BEGIN:VCALENDAR"):
        return "ical"
    if head[:1] in (b"{", b"["):
        return "json"
    return "csv"


def read_events_file(filename: str, content: bytes, today: dt.date) -> ParsedFile:
    """Parse a file; raises ValueError (French message) when it cannot be read at all."""
    kind = detect_format(filename, content)
    try:
        if kind == "ical":
            return ical.parse_ics(content, today)
        if kind == "json":
            return openagenda.parse_json(content)
        return openagenda.parse_csv(content)
    except UnicodeDecodeError as error:
        raise ValueError(f"Fichier {FORMAT_LABELS[kind]} illisible : encodage attendu UTF-8.") from error
    except ValueError as error:  # json.JSONDecodeError and csv.Error included
        message = str(error)
        raise ValueError(
            message
            if message.startswith(("Fichier", "Colonne", "JSON"))
            else f"Fichier {FORMAT_LABELS[kind]} illisible : {message}"
        ) from error
