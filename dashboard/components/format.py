"""French number and date formatting for the UI."""

from __future__ import annotations

import datetime as dt

import pandas as pd

MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


def number(value, decimals: int = 0) -> str:
    """1234567.5 → "1 234 567" (narrow no-break space as thousands separator, comma as decimal mark)."""
    if value is None or pd.isna(value):
        return "—"
    text = f"{value:,.{decimals}f}".replace(",", "\u202f").replace(".", ",")
    return text


def date(value: dt.date | dt.datetime | None) -> str:
    if value is None or pd.isna(value):  # NaT from DataFrames too
        return "aucune donnée"
    if isinstance(value, dt.datetime):
        value = value.date()
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"
