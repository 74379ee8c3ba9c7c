"""Which reader an events file needs: OpenAgenda JSON, OpenAgenda spreadsheet CSV or iCalendar."""

from __future__ import annotations

import datetime as dt
from pathlib import PurePath

from db import imports
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
    """Parse a file (the shared decoder and limits, db/imports.py); raises UnusableFile, a ValueError with a French
    message, when it cannot be read at all or holds no event."""
    kind = detect_format(filename, content)
    try:
        text = imports.decode(content)
        if kind == "ical":
            parsed = ical.parse_ics(text, today)
        elif kind == "json":
            parsed = openagenda.parse_json(text)
        else:
            parsed = openagenda.parse_csv(text)
    except imports.UnusableFile as error:
        raise imports.UnusableFile(f"Fichier {FORMAT_LABELS[kind]} inutilisable : {error}.") from error
    except ValueError as error:  # json.JSONDecodeError and csv.Error included
        message = str(error)
        raise imports.UnusableFile(
            message
            if message.startswith(("Fichier", "Colonne", "JSON"))
            else f"Fichier {FORMAT_LABELS[kind]} illisible : {message}"
        ) from error
    except (AttributeError, TypeError) as error:  # a JSON of another shape than OpenAgenda's
        raise imports.UnusableFile(f"Fichier {FORMAT_LABELS[kind]} inutilisable : structure inattendue.") from error
    if not parsed.records and not parsed.rejected:
        raise imports.UnusableFile(f"Fichier {FORMAT_LABELS[kind]} inutilisable : aucun événement trouvé.")
    imports.check_rows(len(parsed.records) + len(parsed.rejected))
    return parsed
