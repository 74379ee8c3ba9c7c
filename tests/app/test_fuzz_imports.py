"""Every import command fed files no one should send: never a traceback, an exit code that says whether anything
was imported, and nothing written when nothing was."""

from __future__ import annotations

import csv
import io
import os

import pytest
from sqlalchemy import func, select

from db.interop.mailing import FORMATS
from db.models import Base

HUGE = "1" + "0" * 30
JUNK = {
    "binary.csv": os.urandom(4096),
    "empty.csv": b"",
    "nul.csv": b"nom;commune\nA\x00B;Saint-\x00Etienne\n",
    "huge.csv": f"nom;commune;code_postal;latitude;longitude;date_maj\nX;Y;{HUGE};1e308;-1e308;2999-01-01\n".encode(),
    "json-object.json": b'{"not": "a list"}',
    "junk.ics": b"BEGIN:VCALENDAR\nBEGIN:VEVENT\nDTSTART:99999999T999999\nSUMMARY:" + b"x" * 20_000 + b"\nEND:VCALENDAR",
    "cp1252.csv": "nom;commune\nMédiathèque;Saint-Étienne\n".encode("cp1252"),
    "formula.csv": b'=HYPERLINK("http://evil");=1+1\n@SUM(A1);-2+3\n',
}
COMMANDS = [["import-places"], ["import-ifn"], ["import-events"], *[["import-lettres", kind] for kind in FORMATS]]


def row_counts(database) -> dict[str, int]:
    with database.session() as session:
        return {t.name: session.scalar(select(func.count()).select_from(t)) for t in Base.metadata.sorted_tables}


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_every_import_survives_junk(app, database, tmp_path, command):
    runner = app.server.test_cli_runner()
    for name, content in JUNK.items():
        path = tmp_path / name
        path.write_bytes(content)
        before = row_counts(database)
        result = runner.invoke(args=[*command, str(path)])
        assert result.exception is None or isinstance(result.exception, SystemExit), (name, result.output)
        assert "Traceback" not in result.output, name
        assert result.exit_code in (0, 1), (name, result.exit_code, result.output)
        if result.exit_code == 1:
            assert row_counts(database) == before, name


def test_one_implausible_place_is_rejected_and_the_others_imported(app, database, tmp_path):
    from tests.unit.test_carte_interop import REAL_V1

    rows = list(csv.DictReader(io.StringIO(REAL_V1.read_text(encoding="utf-8-sig"))))
    rows[0]["site_web"] = "javascript:alert(1)"
    rows[1]["date_maj"] = "2999-01-01"
    path = tmp_path / "lieux.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = app.server.test_cli_runner().invoke(args=["import-places", str(path)])
    assert result.exit_code == 0, result.output
    assert f"{len(rows) - 2} créé(s)" in result.output and "2 rejeté(s)" in result.output
    assert "champ « site_web » : Adresse web invalide" in result.output
    assert "champ « date_maj » : Date hors de la période plausible" in result.output
