"""Downloads of a panel's data, with the same CSV and XLSX conventions on every page (db/spreadsheets.py)."""

from __future__ import annotations

import pandas as pd
from dash import dcc

from db.spreadsheets import csv_text, xlsx_bytes


def send_frame(frame: pd.DataFrame, stem: str, file_format: str, sheet: str) -> dict:
    """`frame` as `stem`.xlsx (one sheet) or `stem`.csv for `dcc.Download`."""
    if file_format == "xlsx":
        return dcc.send_bytes(xlsx_bytes({sheet: frame}), f"{stem}.xlsx")
    return dcc.send_string(csv_text(frame), f"{stem}.csv")
