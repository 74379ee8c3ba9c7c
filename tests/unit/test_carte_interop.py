"""Import and export of places in the national schema v1.0.2 (and the legacy v0.1), on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from db.interop import places as interop
from db.models import AuditLog, Commune, Place, PlaceValue
from db.writes import SYSTEM, PermissionDenied
from tests.conftest import need

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
REAL_V1 = DATA / "hinaura-loire-42-2022_converted-to-schema-v1.0.2.csv"
REAL_LEGACY = DATA / "hinaura-lieux-mediation-numerique-loire-42-2022_schema-v0.1.json"


def real(path: Path) -> bytes:
    need(path.exists(), f"test data missing: {path}")
    return path.read_bytes()


def import_file(database, content, actor=SYSTEM) -> interop.ImportReport:
    with database.transaction() as session:
        return interop.import_places(session, actor, content)


def export(database, fmt="csv") -> str:
    with database.session() as session:
        rows = interop.export_rows(interop.places_in_order(session))
    return interop.export_csv(rows) if fmt == "csv" else interop.export_json(rows)


def valid_row(**changes) -> dict:
    row = dict.fromkeys(interop.field_names(), "")
    row.update(
        id="Test_1",
        pivot="00000000000000",
        nom="Médiathèque",
        commune="Feurs",
        code_postal="42110",
        code_insee="42094",
        adresse="1 rue de la Paix",
        date_maj="2024-01-15",
        services="Aide aux démarches administratives",
    )
    row.update(changes)
    return row


def csv_of(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=interop.field_names())
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def test_schema_constraints_come_from_the_schema_file():
    specs = {spec.name: spec for spec in interop.schema_fields()}
    assert len(specs) == 32 and interop.field_names()[:3] == ["id", "pivot", "nom"]
    assert {name for name, spec in specs.items() if spec.required} == {
        "id", "pivot", "nom", "commune", "code_postal", "adresse", "date_maj"
    }  # fmt: skip
    assert len(specs["services"].options) == 9
    assert "Langues étrangères (anglais)" in specs["prise_en_charge_specifique"].options
    assert "Étapes numériques(La Poste)" in specs["formations_labels"].options
    assert specs["presentation_resume"].max_length == 280


def test_real_places_import_without_rejection_and_round_trip(database):
    content = real(REAL_V1)
    report = import_file(database, content)
    assert (len(report.created), report.rejected) == (81, [])
    assert export(database).splitlines()[1:] == sorted(content.decode("utf-8").splitlines()[1:])
    assert export(database).splitlines()[0] == content.decode("utf-8").splitlines()[0]
    with database.session() as session:
        andrezieux = session.scalar(select(Place).where(Place.id == "Hinaura_17"))
        assert andrezieux.code_postal == "42160" and andrezieux.latitude == pytest.approx(45.52655083612423)
        values = {(v.field, v.value) for v in andrezieux.values}
        assert ("services", "Aide aux démarches administratives") in values
        assert session.query(AuditLog).filter_by(table_name="places", action="create").count() == 81
    again = import_file(database, content)
    assert (len(again.created), len(again.updated), len(again.unchanged)) == (0, 0, 81)


def test_json_export_reimports_unchanged_and_passes_validation(database):
    import_file(database, real(REAL_V1))
    text = export(database, "json")
    records = json.loads(text)
    assert len(records) == 81 and isinstance(records[0]["latitude"], float)
    assert all(not interop.clean_place(record)[1] for record in records)
    report = import_file(database, text.encode())
    assert len(report.unchanged) == 81 and not report.rejected


def test_legacy_file_imports_like_the_converted_one(database):
    with database.transaction() as session:
        session.add(Commune(insee="42005", name="Andrézieux-Bouthéon", epci_code="244200770", epci_name="Loire Forez"))
    report = import_file(database, real(REAL_LEGACY))
    assert report.format == "ancien format v0.1"
    assert (len(report.created), report.rejected) == (81, [])
    with database.session() as session:
        place = session.scalar(select(Place).where(Place.id == "Hinaura_17"))
        assert place.code_insee == "42005" and place.epci_name == "Loire Forez"
        assert place.frais_a_charge == "Gratuit|Payant"
        assert place.courriels == "cyberfabAB@andrezieux-boutheon.com"
    # Same values as the official conversion, the INSEE codes the legacy file lacks found by the commune reference.
    expected = list(csv.DictReader(io.StringIO(real(REAL_V1).decode())))
    got = {row["id"]: row for row in csv.DictReader(io.StringIO(export(database)))}
    for row in expected:
        assert got[row["id"]] == row


def test_legacy_import_keeps_fields_it_does_not_carry(database):
    import_file(database, real(REAL_V1))
    report = import_file(database, real(REAL_LEGACY))
    assert len(report.unchanged) == 81  # code_insee, absent from v0.1, is not erased


def test_malformed_rows_are_rejected_with_reasons_and_others_kept(database):
    rows = [
        valid_row(id="Ok_1"),
        valid_row(id="Bad_postcode", code_postal="4211"),
        valid_row(id="", nom=""),
        valid_row(id="Bad_service", services="Aide aux démarches administratives|Cuisine"),
        valid_row(id="Bad_phone", telephone="04 77 00 00 00"),
        valid_row(id="Bad_date", date_maj="15/01/2024"),
        valid_row(id="Ok_1", nom="Doublon"),
        valid_row(id="Leading_zero", code_postal="01000", code_insee="01053"),
    ]
    report = import_file(database, csv_of(rows))
    assert sorted(report.created) == ["Bad_service", "Leading_zero", "Ok_1"]
    reasons = {(r.row, r.field): r.reason for r in report.rejected}
    assert "5 chiffres" in reasons[(3, "code_postal")]
    assert reasons[(4, "id")] == reasons[(4, "nom")] == "champ obligatoire manquant"
    # An unknown value of an enumeration is dropped and named; the place keeps its other values.
    assert [(w.row, w.field) for w in report.warnings] == [(5, "services")]
    assert "« Cuisine »" in report.warnings[0].reason
    assert "+33477000000" in reasons[(6, "telephone")]
    assert "AAAA-MM-JJ" in reasons[(7, "date_maj")]
    assert "déjà ligne 2" in reasons[(8, "id")]
    assert "Lieux : 3 créé(s), 0 mis à jour, 0 inchangé(s), 5 rejeté(s), 1 avertissement(s)." in report.lines()
    with database.session() as session:
        assert session.scalar(select(Place.code_postal).where(Place.id == "Leading_zero")) == "01000"
        assert session.scalar(select(Place.nom).where(Place.id == "Ok_1")) == "Médiathèque"
        assert session.scalar(select(Place.services).where(Place.id == "Bad_service")) == (
            "Aide aux démarches administratives"
        )


def test_broken_csv_keeps_rows_before_the_break(database):
    text = csv_of([valid_row(id="Before")]) + '"Broken,"a\n' + csv_of([valid_row(id="After")]).split("\n", 1)[1]
    short = csv_of([]) + ",".join(list(valid_row(id="Short").values())[:30]) + "\n"
    report = import_file(database, text)
    assert report.created == ["Before"]
    assert report.rejected[0].row == 3 and "CSV illisible" in report.rejected[0].reason
    report = import_file(database, short)
    assert report.created == [] and "30 colonnes au lieu de 32" in report.rejected[0].reason


def test_unreadable_file_writes_nothing(database):
    with pytest.raises(interop.UnreadableFile, match="JSON invalide"):
        import_file(database, b'[{"id": "x",')
    with pytest.raises(interop.UnreadableFile, match="aucune colonne du schéma"):
        import_file(database, b"nom_du_lieu;ville\nX;Y\n")
    with pytest.raises(interop.UnreadableFile, match="binaire"):
        import_file(database, b"PK\x03\x04\x00\x00junk")
    with database.session() as session:
        assert session.query(Place).count() == 0


def test_windows_encoded_csv_is_read(database):
    report = import_file(database, csv_of([valid_row(nom="Maison Pétanque")]).encode("cp1252"))
    assert report.created == ["Test_1"]
    with database.session() as session:
        assert session.scalar(select(Place.nom)) == "Maison Pétanque"


def test_dry_run_reports_and_writes_nothing(database):
    from db.imports import run_import

    report = run_import(database, lambda session: interop.import_places(session, SYSTEM, real(REAL_V1)), dry_run=True)
    assert report.dry_run and len(report.created) == 81
    with database.session() as session:
        assert session.query(Place).count() == 0 and session.query(AuditLog).count() == 0


def test_crash_rolls_the_whole_file_back(database, monkeypatch):
    calls = []

    def failing_audit(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")

    monkeypatch.setattr(interop, "audit", failing_audit)
    with pytest.raises(RuntimeError):
        import_file(database, csv_of([valid_row(id="A"), valid_row(id="B")]))
    with database.session() as session:
        assert session.query(Place).count() == 0


def test_update_rewrites_facets_epci_and_audits(database):
    with database.transaction() as session:
        session.add(Commune(insee="42094", name="Feurs", epci_code="244200895", epci_name="Forez-Est"))
    import_file(database, csv_of([valid_row()]))
    report = import_file(database, csv_of([valid_row(services="Loisirs et créations numériques", nom="Nouveau")]))
    assert report.updated == ["Test_1"]
    with database.session() as session:
        place = session.scalar(select(Place))
        assert place.epci_name == "Forez-Est"
        assert [(v.field, v.value) for v in session.scalars(select(PlaceValue))] == [
            ("services", "Loisirs et créations numériques")
        ]
        update = session.scalar(select(AuditLog).where(AuditLog.action == "update"))
        assert update.before["nom"] == "Médiathèque" and update.after["nom"] == "Nouveau"


def test_viewer_cannot_import(database, users):
    with pytest.raises(PermissionDenied):
        import_file(database, csv_of([valid_row()]), actor=users["viewer"])


def form_values(**changes) -> dict:
    """The place form's values as the browser sends them: text, None, lists for checklists."""
    values = {name: (value or None) for name, value in valid_row().items()}
    values["services"] = ["Aide aux démarches administratives"]
    values["latitude"], values["longitude"] = 45.74, 4.22
    return values | changes


def test_save_place_creates_then_edits_with_audit(database, users):
    with database.transaction() as session:
        message = interop.save_place(session, users["coordinator"], original_id="", **form_values())
    assert message == "Lieu « Médiathèque » créé."
    with database.transaction() as session:
        message = interop.save_place(
            session,
            users["coordinator"],
            original_id="Test_1",
            **form_values(
                nom="Médiathèque Aragon",
                services=["Aide aux démarches administratives", "Loisirs et créations numériques"],
            ),
        )
    assert message == "Fiche « Médiathèque Aragon » enregistrée."
    with database.session() as session:
        place = session.scalar(select(Place).where(Place.id == "Test_1"))
        assert place.services == "Aide aux démarches administratives|Loisirs et créations numériques"
        assert len(place.values) == 2
        actions = [a.action for a in session.scalars(select(AuditLog).where(AuditLog.table_name == "places"))]
        assert actions == ["create", "update"]


def test_save_place_reports_every_bad_field_and_writes_nothing(database, users):
    with database.transaction() as session:
        interop.save_place(session, users["coordinator"], original_id="", **form_values(id="Other"))
    with pytest.raises(interop.ValidationError) as error, database.transaction() as session:
        interop.save_place(
            session,
            users["coordinator"],
            original_id="",
            **form_values(
                id="Other", nom=None, code_postal="42 110", telephone="0477", latitude="nord", services=["Cuisine"]
            ),
        )
    errors = error.value.errors
    assert errors["nom"] == "Champ obligatoire manquant."
    assert errors["id"] == "L'identifiant « Other » est déjà celui d'un autre lieu."
    assert "5 chiffres" in errors["code_postal"] and "+33477000000" in errors["telephone"]
    assert errors["latitude"] == "Nombre attendu, reçu « nord »."
    assert "Cuisine" in errors["services"]
    with database.session() as session:
        assert session.query(Place).count() == 1


def test_viewer_cannot_save_a_place(database, users):
    with pytest.raises(PermissionDenied), database.transaction() as session:
        interop.save_place(session, users["viewer"], original_id="", **form_values())


def test_invalid_enumeration_values_are_named_and_the_export_passes_frictionless(database, tmp_path):
    """The importer reads the schema as the reference validator does: full-match patterns, every value of a
    multi-valued field in its enumeration. What it exports then validates with 0 errors."""
    frictionless = pytest.importorskip("frictionless")
    rows = [
        valid_row(id="Mix_1", itinerance="Nimporte|Fixe", services="Bla bla|Aide aux démarches administratives"),
        valid_row(id="Mix_2", frais_a_charge="gratuit|Sur devis|Payant", modalites_accompagnement="Seul"),
        valid_row(id="Mix_3", publics_specifiquement_adresses="Seniors||Jeunes", code_insee=""),
    ]
    report = import_file(database, csv_of(rows))
    assert sorted(report.created) == ["Mix_1", "Mix_2", "Mix_3"] and not report.rejected
    named = {(w.row, w.field): w.reason for w in report.warnings}
    assert set(named) == {(2, "itinerance"), (2, "services"), (3, "frais_a_charge"), (3, "modalites_accompagnement")}
    assert "« Nimporte »" in named[(2, "itinerance")] and "« Bla bla »" in named[(2, "services")]
    assert "« Sur devis »" in named[(3, "frais_a_charge")] and "« Seul »" in named[(3, "modalites_accompagnement")]
    with database.session() as session:
        mix = {p.id: p for p in session.scalars(select(Place))}
    assert (mix["Mix_1"].itinerance, mix["Mix_1"].services) == ("Fixe", "Aide aux démarches administratives")
    assert mix["Mix_2"].frais_a_charge == "Gratuit|Payant" and mix["Mix_2"].modalites_accompagnement is None
    assert mix["Mix_3"].publics_specifiquement_adresses == "Seniors|Jeunes" and mix["Mix_3"].code_insee == "42094"
    exported = tmp_path / "lieux.csv"
    exported.write_text(export(database), encoding="utf-8")
    with frictionless.system.use_context(trusted=True):  # files outside the working directory
        result = frictionless.validate(str(exported), schema=str(interop.SCHEMA_PATH))
    assert result.valid, [error.message for task in result.tasks for error in task.errors]


def test_the_pattern_must_match_the_whole_value(database):
    values, errors = interop.clean_place(valid_row(itinerance="Nimporte|Fixe"))
    assert "itinerance" in errors
    with database.transaction() as session, pytest.raises(interop.ValidationError) as error:
        interop.save_place(session, SYSTEM, original_id="", **{**valid_row(), "itinerance": "Nimporte|Fixe"})
    assert "Nimporte" in error.value.errors["itinerance"]
