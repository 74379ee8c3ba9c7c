"""French number and date formatting for the UI."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from db import clock
from db.clock import MONTHS

# Month names abbreviated as French typography does (axis labels, calendars): one list for every area.
SHORT_MONTHS = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")


# The one rule for thousands: a narrow no-break space (U+202F), in text (`number`) and in charts (plotly's
# `separators`: decimal mark, then thousands separator).
THOUSANDS = "\u202f"
PLOTLY_SEPARATORS = "," + THOUSANDS


def number(value, decimals: int = 0) -> str:
    """1234567.5 → "1 234 567" (narrow no-break space as thousands separator, comma as decimal mark)."""
    if value is None or pd.isna(value):
        return "—"
    text = f"{value:,.{decimals}f}".replace(",", THOUSANDS).replace(".", ",")
    return text


def figure_value(value, unit: str = "") -> str:
    """A key figure's number: a rate keeps one decimal when it has one (22,3 %), a count none."""
    decimals = 1 if unit == "%" and value is not None and not pd.isna(value) and float(value) % 1 else 0
    return number(value, decimals)


def date(value: dt.date | dt.datetime | None) -> str:
    """A day in words; a stored time gives its local day (23:30 UTC on 31 December is 1 January in Paris)."""
    if value is None or pd.isna(value):  # NaT from DataFrames too
        return "aucune donnée"
    value = clock.local_date(value)
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def moment(value: dt.datetime | None) -> str:
    """A stored time as local date and time, e.g. « 04/12/2026 14:05 »."""
    if value is None or pd.isna(value):
        return "—"
    return f"{clock.local(value):%d/%m/%Y %H:%M}"
