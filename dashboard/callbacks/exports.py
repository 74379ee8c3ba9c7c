"""Downloads of a panel's data, with the same CSV and XLSX conventions on every page."""

from __future__ import annotations

import io

import pandas as pd
from dash import dcc


def send_frame(frame: pd.DataFrame, stem: str, file_format: str, sheet: str) -> dict:
    """`frame` as `stem`.xlsx (one sheet) or `stem`.csv for `dcc.Download`."""
    if file_format == "xlsx":
        buffer = io.BytesIO()
        frame.to_excel(buffer, index=False, sheet_name=sheet[:31])  # Excel's limit on sheet names
        return dcc.send_bytes(buffer.getvalue(), f"{stem}.xlsx")
    # Semicolons, decimal commas and a BOM: what a French spreadsheet opens without an import dialog.
    return dcc.send_string("\ufeff" + frame.to_csv(index=False, sep=";", decimal=","), f"{stem}.csv")
