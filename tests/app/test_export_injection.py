"""Safe exports: once a coordinator typed a formula into a name or a title, no CSV or XLSX the app serves (every
panel's export buttons, the Indicateurs files, the open data) carries a cell a spreadsheet would run."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import zipfile

import pytest
from sqlalchemy import String, cast, literal, update

from db import clock
from db.demo import seed_demo
from db.models import EquipmentItem, Event, Newsletter, Place, Training
from db.spreadsheets import FORMULA_START, PLAIN_NUMBER
from tests.app.test_read_access import forged_body, server_callbacks
from tests.conftest import csrf_headers

FORMULA = '=HYPERLINK("http://evil.example","cliquer")'


@pytest.fixture
def poisoned(database):
    """The demo, with a formula as the name of every place, item, training, newsletter and event."""
    with database.transaction() as session:
        seed_demo(session, clock.today())
    with database.transaction() as session:
        for model, column in ((Place, "nom"), (EquipmentItem, "name"), (Training, "title"), (Newsletter, "name"),
                              (Event, "title")):  # fmt: skip
            key = model.__mapper__.primary_key[0]
            session.execute(update(model).values({column: literal(FORMULA + " ") + cast(key, String)}))


def runnable_cells(content: bytes, file_format: str) -> list[str]:
    if file_format == "xlsx":  # a formula is an <f> element of a sheet; a text is a string, shown, never run
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
            return [formula for name in sheets for formula in re.findall(r"<f>(.*?)</f>", archive.read(name).decode())]
    text = content.decode("utf-8-sig")
    return [
        cell
        for row in csv.reader(io.StringIO(text), delimiter=";")
        for cell in row
        if cell.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(cell)
    ]


def export_buttons(node, found: set) -> set:
    """The ids of every panel export button in a layout or a callback's answer."""
    if isinstance(node, dict):
        component_id = (node.get("props") or {}).get("id")
        if isinstance(component_id, dict) and component_id.get("type") == "panel-export":
            found.add(json.dumps(component_id, sort_keys=True))
        for value in node.values():
            export_buttons(value, found)
    elif isinstance(node, list):
        for value in node:
            export_buttons(value, found)
    return found


def test_no_export_carries_a_formula(poisoned, app, client, as_role):
    as_role("coordinator")
    headers = csrf_headers(client)
    callbacks = server_callbacks(app, client)
    buttons: set = set()
    for path in ("/materiel", "/formations", "/lettres"):  # the areas with panel exports
        page = forged_body(".._pages_content.children..._pages_store.data..", callbacks[".._pages_content.children..._pages_store.data.."])
        page["inputs"][0]["value"] = path
        page["inputs"][1]["value"] = ""
        export_buttons(client.post("/_dash-update-component", json=page, headers=headers).get_json(), buttons)
    for key, spec in callbacks.items():  # panels drawn by callbacks carry their own buttons
        if "download" not in key:
            answer = client.post("/_dash-update-component", json=forged_body(key, spec), headers=headers)
            if answer.status_code == 200:
                export_buttons(answer.get_json(), buttons)
    assert len(buttons) >= 20
    files = 0
    for button in sorted(buttons):
        button_id = json.loads(button)
        key = next(k for k in callbacks if k.endswith("download.data") and button_id["area"] in k)
        body = forged_body(key, callbacks[key])
        body["inputs"][0] = [{"id": button_id, "property": "n_clicks", "value": 1}]
        body["changedPropIds"] = [json.dumps(button_id, separators=(",", ":"), sort_keys=True) + ".n_clicks"]
        answer = client.post("/_dash-update-component", json=body, headers=headers)
        assert answer.status_code == 200, button
        download = next(iter(answer.get_json()["response"].values()))["data"]
        content = base64.b64decode(download["content"]) if download["base64"] else download["content"].encode()
        assert runnable_cells(content, button_id["format"]) == [], button
        files += 1
    assert files == len(buttons)


def test_the_open_data_csv_carries_no_formula(poisoned, client):
    content = client.get("/api/v1/lieux.csv").data
    assert "HYPERLINK" in content.decode("utf-8-sig")  # the name is there…
    assert runnable_cells(content, "csv") == []  # …as text
