"""CSV and XLSX exports never carry a cell a spreadsheet would run (OWASP CSV injection), and keep numbers intact."""

import csv
import io

import openpyxl
import pandas as pd
import pytest

from db.spreadsheets import csv_text, neutralise, records_csv, xlsx_bytes

PAYLOADS = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_a_text_that_would_run_gets_an_apostrophe(payload):
    assert neutralise(payload) == "'" + payload


@pytest.mark.parametrize("value", ["-12", "+33612345678", "-12,5", "3.25", "Médiathèque", "", None, 42, -1.5])
def test_numbers_and_plain_texts_are_kept(value):
    assert neutralise(value) == value


def test_csv_of_a_panel_is_french_and_safe():
    frame = pd.DataFrame({"Nom": [PAYLOADS[0], "Lieu"], "Taux": [0.25, None], "Actif": [True, False], "N": [3, -4]})
    rows = list(csv.reader(io.StringIO(csv_text(frame).lstrip("\ufeff")), delimiter=";"))
    assert rows == [["Nom", "Taux", "Actif", "N"], ["'" + PAYLOADS[0], "0,25", "oui", "3"], ["Lieu", "", "non", "-4"]]


def test_xlsx_stores_texts_as_texts_never_formulas():
    frame = pd.DataFrame({"Nom": PAYLOADS, "Valeur": range(len(PAYLOADS))})
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({"Feuille": frame})))
    cells = list(workbook["Feuille"].iter_rows(min_row=2))
    # exactly as typed (XML stores a carriage return as a line feed)…
    assert [row[0].value for row in cells] == [payload.replace("\r", "\n") for payload in PAYLOADS]
    assert {row[0].data_type for row in cells} == {"s"}  # …and stored as text
    assert [row[1].value for row in cells] == list(range(len(PAYLOADS)))


def test_open_data_records_are_neutralised():
    text = records_csv([{"nom": PAYLOADS[0], "telephone": "+33477000000"}], ["nom", "telephone"])
    assert list(csv.reader(io.StringIO(text)))[1] == ["'" + PAYLOADS[0], "+33477000000"]
