"""The rules every stored value obeys, whatever wrote it (a form, an import, a command): checked once, at flush.

Each area parses its own fields first, with messages that speak of its forms. This is the net beneath them, derived
from the columns themselves: text within the column's length, whole numbers within what the column holds and never
negative, finite amounts, dates within a plausible window (set once here), web addresses in http(s) only, INSEE
codes by one rule. A value outside is refused with one French message under the field of the same name, and the
transaction writes nothing, instead of a database error (PostgreSQL refuses a 10,000-character name that SQLite would
keep) or a figure that no one can believe (a place "updated in 2999" fresh forever, an audience of 1e308).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from urllib.parse import urlsplit

from sqlalchemy import Date, DateTime, Float, Integer, String, Text, event, inspect
from sqlalchemy.orm import Session

from db import clock
from db.writes import ValidationError

EARLIEST = dt.date(2000, 1, 1)  # before any network's records: a typo
YEARS_AHEAD = 10  # events, loans and trainings are planned a few years ahead at most
LONGEST_TEXT = 50_000  # characters, for columns without a length (a description, a narrative)
LARGEST_INTEGER = 2**31 - 1  # what an INTEGER column holds on PostgreSQL
LARGEST_AMOUNT = 1e12
URL_COLUMNS = {"site_web", "online_url", "registration_url", "link", "prise_rdv", "fiche_acces_libre"}
INSEE_COLUMNS = {"insee", "code_insee", "borrower_insee", "commune_insee"}
NOT_IN_FUTURE = {"date_maj"}  # a record cannot have been updated after today
COORDINATES = {"latitude": 90.0, "longitude": 180.0}
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # tab and line breaks are text
# Départements 01–95 with Corsica's 2A/2B, overseas 971–976: the five characters of a commune's INSEE code.
INSEE_CODE = re.compile(r"(?:0[1-9]|[1-8]\d|9[0-5]|2[AB])\d{3}|97[1-6]\d{2}")


def _number(value: float) -> str:
    return f"{value:,}".replace(",", "\u202f")


def number(value, *, integer: bool = True) -> int | float:
    """A non-negative number from a number or a French-formatted text ("2 400", "12,5"), within what a column
    holds; ValueError with the French message otherwise. The one number parser of forms and imports."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError("Nombre entier attendu." if integer else "Nombre attendu.")
    if isinstance(value, str):
        text = re.sub(r"[\s\u00a0\u202f]", "", value).replace(",", ".")
        try:
            value = float(text) if text.lower() not in ("nan", "inf", "-inf", "infinity") else math.nan
        except ValueError:
            raise ValueError("Nombre entier attendu." if integer else "Nombre attendu.") from None
    if not math.isfinite(value):
        raise ValueError("Nombre attendu.")
    if value < 0:
        raise ValueError("Le nombre doit être positif ou nul.")
    if value > (LARGEST_INTEGER if integer else LARGEST_AMOUNT):
        raise ValueError(f"Nombre trop grand : {_number(LARGEST_INTEGER if integer else LARGEST_AMOUNT)} au plus.")
    if integer:
        if value != int(value):
            raise ValueError("Nombre entier attendu.")
        return int(value)
    return float(value)


def record_key(value) -> int | None:
    """The primary key a field names (a chosen record), or None when it names none that can exist."""
    try:
        key = number(value)
    except ValueError:
        return None
    return key or None


def latest_date(today: dt.date) -> dt.date:
    return dt.date(today.year + YEARS_AHEAD, 12, 31)


def is_plausible_day(day: dt.date, today: dt.date) -> bool:
    return EARLIEST <= day <= latest_date(today)


def url_problem(value: str) -> str | None:
    """Why `value` (one address, or several joined by "|") is not a web address to publish, or None."""
    for part in value.split("|"):
        parts = urlsplit(part.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            return "Adresse web invalide : seules les adresses en http:// ou https:// sont acceptées."
    return None


def is_insee_code(value: str) -> bool:
    return bool(INSEE_CODE.fullmatch(value))


def value_problem(column, value, today: dt.date) -> str | None:
    """The French message for a value its column must not store, or None."""
    if value is None:
        return None
    kind, name = column.type, column.key
    if isinstance(kind, String | Text) and isinstance(value, str):
        limit = kind.length or (None if column.info.get("file") else LONGEST_TEXT)  # a file the app rendered
        if limit is not None and len(value) > limit:
            return f"Texte trop long : {_number(limit)} caractères au plus."
        if CONTROL_CHARACTERS.search(value):
            return "Caractères de contrôle non admis."
        if name in URL_COLUMNS and value.strip():
            return url_problem(value)
        if name in INSEE_COLUMNS and value.strip() and not is_insee_code(value):
            return "Code INSEE invalide : cinq caractères, comme 42218 (2A/2B pour la Corse)."
    elif isinstance(kind, Integer) and isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value <= LARGEST_INTEGER:
            return f"Nombre hors limites : de 0 à {_number(LARGEST_INTEGER)}."
    elif isinstance(kind, Float) and isinstance(value, int | float):
        bound = COORDINATES.get(name, LARGEST_AMOUNT)
        if not math.isfinite(value) or abs(value) > bound:
            return f"Nombre hors limites : de −{_number(bound)} à {_number(bound)}."
    elif isinstance(kind, Date | DateTime) and isinstance(value, dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        latest = today + dt.timedelta(days=1) if name in NOT_IN_FUTURE else latest_date(today)
        if not EARLIEST <= day <= latest:  # is_plausible_day, with the update dates' own end
            return f"Date hors de la période plausible : du {EARLIEST:%d/%m/%Y} au {latest:%d/%m/%Y}."
    return None


def values_problems(model, values: dict, today: dt.date) -> dict[str, str]:
    """The problems of values about to be written to `model`'s columns (an import checks a row before adding it,
    so that one bad row is reported rather than refusing the whole file at flush)."""
    columns = model.__table__.columns
    return {
        name: message
        for name, value in values.items()
        if name in columns and (message := value_problem(columns[name], value, today)) is not None
    }


def row_problems(obj, today: dt.date, changed_only: bool) -> dict[str, str]:
    state = inspect(obj)
    problems = {}
    for attribute in state.mapper.column_attrs:
        if changed_only and not state.attrs[attribute.key].history.has_changes():
            continue
        for column in attribute.columns:
            if (message := value_problem(column, getattr(obj, attribute.key), today)) is not None:
                problems.setdefault(attribute.key, message)
    return problems


@event.listens_for(Session, "before_flush")
def _refuse_implausible_values(session: Session, _context, _instances) -> None:
    today = clock.today()
    problems = {}
    for obj in session.new:
        problems.update(row_problems(obj, today, changed_only=False))
    for obj in session.dirty:
        problems.update(row_problems(obj, today, changed_only=True))
    if problems:
        raise ValidationError({"": "Des valeurs sont hors des limites : rien n'a été enregistré.", **problems})
