"""CSV and XLSX exports never carry a cell a spreadsheet would run (OWASP CSV injection), and keep numbers intact."""

import csv
import datetime as dt
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
    assert rows == [
        ["Nom", "Taux", "Actif", "N"],
        ["'" + PAYLOADS[0], "25,0\u00a0%", "Oui", "3"],
        ["Lieu", "", "Non", "-4"],
    ]


def test_xlsx_stores_texts_as_texts_never_formulas():
    frame = pd.DataFrame({"Nom": PAYLOADS, "Valeur": range(len(PAYLOADS))})
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({"Feuille": frame})))
    cells = list(workbook["Feuille"].iter_rows(min_row=2))
    # exactly as typed (an XML reader may give a carriage return back as a line feed)…
    assert [row[0].value.replace("\r", "\n") for row in cells] == [p.replace("\r", "\n") for p in PAYLOADS]
    assert {row[0].data_type for row in cells} == {"s"}  # …and stored as text
    assert [row[1].value for row in cells] == list(range(len(PAYLOADS)))


def test_open_data_records_are_neutralised():
    text = records_csv([{"nom": PAYLOADS[0], "telephone": "+33477000000"}], ["nom", "telephone"])
    assert list(csv.reader(io.StringIO(text)))[1] == ["'" + PAYLOADS[0], "+33477000000"]


def test_one_export_convention_for_numbers_rates_booleans_and_dates():
    frame = pd.DataFrame(
        {
            "Participants": [1050.0, 12.0],
            "Évolution (%)": [14.6, -3.25],
            "Taux de présence": [0.8723404255319149, 1.0],
            "Actif": pd.array([True, False], dtype=bool),
            "Date": [dt.date(2026, 11, 16), dt.date(2026, 1, 2)],
            "Envoi": [pd.Timestamp("2026-11-16 10:00"), pd.Timestamp("2026-01-02")],
        }
    )
    text = csv_text(frame)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[1] == ["1050", "14,6", "87,2\u00a0%", "Oui", "16/11/2026", "16/11/2026 10:00"]
    assert rows[2] == ["12", "-3,25", "100,0\u00a0%", "Non", "02/01/2026", "02/01/2026"]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({"Feuille": frame})))["Feuille"]
    participants, change, rate, active, day, sent = (cell for cell in sheet[2])
    assert participants.value == 1050 and change.value == 14.6
    assert rate.value == pytest.approx(0.8723404255319149) and rate.number_format == "0.0%"
    assert active.value == "Oui"
    assert day.is_date and day.number_format == "DD/MM/YYYY"
    assert sent.is_date and sent.number_format == "DD/MM/YYYY HH:MM"
