"""A key figure as a card shows it (Accueil, Indicateurs, report, area pages): its value, where it comes from, when.

The catalogue of the figures the Département reads (db/catalogue.py) produces these; area pages build their own
filtered ones with the same functions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class KeyFigure:
    key: str
    label: str
    value: float | int | None  # None: unknown or nothing recorded for the period (`note` says which)
    source: str  # which records the figure is computed from, in French for the UI
    as_of: dt.date | dt.datetime | None  # date of the latest record it counts
    unit: str = ""
    detail: str = ""
    note: str = ""  # why the value is missing, or what it leaves out
    estimated: bool = False  # includes imputed values; `note` gives the rule
