"""A key figure as shown on the Accueil, the Indicateurs and the report: its value, where it comes from, and when."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class KeyFigure:
    key: str
    label: str
    value: float | int | None
    source: str  # which records the figure is computed from, in French for the UI
    as_of: dt.date | dt.datetime | None  # date of the latest record it counts
    unit: str = ""
    detail: str = ""
