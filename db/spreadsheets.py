"""CSV and XLSX as people open them: the French conventions, and no cell that a spreadsheet would run.

A text starting with `=`, `+`, `-`, `@`, a tab or a carriage return can be run as a formula by a spreadsheet (CSV
injection, OWASP): in a CSV such a cell gets a leading apostrophe, unless it is a plain number (« -12,5 »,
« +33612345678 »); in an XLSX every text is stored as text, never as a formula. Numbers are never altered.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d+([.,]\d+)?")


def neutralise(value):
    """The value as a spreadsheet may show it but never run it."""
    if isinstance(value, str) and value.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def _csv_cell(value) -> str:
    """One CSV cell as text, French conventions: decimal comma, « oui »/« non »; texts neutralised. Always text, so
    pandas never turns a column of counts into floats."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, float):
        return repr(value).replace(".", ",")
    return str(neutralise(value))


def csv_text(frame: pd.DataFrame) -> str:
    """A table as a French spreadsheet opens it without an import dialog: semicolons, decimal commas, a BOM."""
    cells = frame.astype(object).map(_csv_cell)
    return "\ufeff" + cells.to_csv(index=False, sep=";")


def records_csv(rows: Iterable[dict], fieldnames: list[str]) -> str:
    """Records as a standard CSV (commas, every field quoted: what open-data consumers read), texts neutralised."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fieldnames, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writeheader()
    writer.writerows({key: neutralise(value) for key, value in row.items()} for row in rows)
    return buffer.getvalue()


def xlsx_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """One XLSX workbook, a sheet per table, columns sized to their content, every text stored as text."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name[:31], index=False)  # Excel's limit on sheet names
            sheet = writer.sheets[name[:31]]
            for column in sheet.columns:
                for cell in column:
                    if cell.data_type == "f":  # openpyxl reads a text starting with "=" as a formula
                        cell.data_type = "s"
                width = max(len(str(cell.value or "")) for cell in column)
                sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 60)
    return buffer.getvalue()
