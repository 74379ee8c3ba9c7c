"""CSV and XLSX as people open them: the French conventions, and no cell that a spreadsheet would run.

French conventions everywhere (`csv_text`, `xlsx_bytes`): `;` and a BOM, decimal commas, « Taux … » columns (ratios)
as percentages rounded to 0.1 (a percent number format in XLSX), « Oui »/« Non », dates as dates (JJ/MM/AAAA).

A text starting with `=`, `+`, `-`, `@`, a tab or a carriage return can be run as a formula by a spreadsheet (CSV
injection, OWASP): in a CSV such a cell gets a leading apostrophe, unless it is a plain number (« -12,5 »,
« +33612345678 »); in an XLSX every text is stored as text, never as a formula. Numbers are never altered.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d+([.,]\d+)?")


def neutralise(value):
    """The value as a spreadsheet may show it but never run it."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def is_rate(column) -> bool:
    """A column holding ratios (0.872 for 87.2 %): every export names them « Taux … »."""
    return str(column).strip().lower().startswith("taux")


def _number(value: float) -> str:
    """A float for a French spreadsheet: a whole number without decimals, others rounded to 6 places, comma."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{round(value, 6):.6f}".rstrip("0").rstrip(".").replace(".", ",")


def _csv_cell(value, rate: bool = False) -> str:
    """One CSV cell as text, French conventions: decimal comma, rates as « 87,2 % », « Oui »/« Non », dates as
    JJ/MM/AAAA; texts neutralised. Always text, so pandas never turns a column of counts into floats."""
    if value is None or (not isinstance(value, str) and not isinstance(value, list | tuple) and pd.isna(value)):
        return ""
    if isinstance(value, bool | np.bool_):
        return "Oui" if value else "Non"
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y" if value.time() == dt.time.min else "%d/%m/%Y %H:%M")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if rate and isinstance(value, int | float | np.number):
        return f"{float(value) * 100:.1f}".replace(".", ",") + "\u00a0%"
    if isinstance(value, float | np.floating):
        return _number(float(value))
    return str(neutralise(value))


def csv_text(frame: pd.DataFrame) -> str:
    """A table as a French spreadsheet opens it without an import dialog: semicolons, BOM, decimal commas, rates
    as percentages (« Taux … » columns), « Oui »/« Non », dates JJ/MM/AAAA."""
    cells = pd.DataFrame(
        {
            column: [_csv_cell(value, is_rate(column)) for value in frame[column].astype(object)]
            for column in frame.columns
        },
        columns=frame.columns,
    )
    return "\ufeff" + cells.to_csv(index=False, sep=";")


def records_csv(rows: Iterable[dict], fieldnames: list[str]) -> str:
    """Records as a standard CSV (commas, every field quoted: what open-data consumers read), texts neutralised."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fieldnames, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writeheader()
    writer.writerows({key: neutralise(value) for key, value in row.items()} for row in rows)
    return buffer.getvalue()


def _xlsx_value(value):
    if isinstance(value, bool | np.bool_):
        return "Oui" if value else "Non"
    return value


def xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """One XLSX workbook, a sheet per table, columns sized to their content, every text stored as text; rates
    (« Taux … » columns) as numbers in percent format, dates as dates (JJ/MM/AAAA), « Oui »/« Non »."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.astype(object).map(_xlsx_value).to_excel(writer, sheet_name=name[:31], index=False)
            sheet = writer.sheets[name[:31]]
            for header, column in zip(frame.columns, sheet.columns, strict=False):
                rate = is_rate(header)
                for cell in column[1:]:
                    if cell.data_type == "f":  # openpyxl reads a text starting with "=" as a formula
                        cell.data_type = "s"
                    elif rate and isinstance(cell.value, int | float):
                        cell.number_format = "0.0%"
                    elif isinstance(cell.value, dt.datetime | dt.date):
                        timed = isinstance(cell.value, dt.datetime) and cell.value.time() != dt.time.min
                        cell.number_format = "DD/MM/YYYY HH:MM" if timed else "DD/MM/YYYY"
                    elif isinstance(cell.value, float) and cell.value != int(cell.value):
                        cell.number_format = "0.0##"
                if column[0].data_type == "f":
                    column[0].data_type = "s"
                width = max(len(str(cell.value or "")) for cell in column)
                sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 60)
    return buffer.getvalue()
