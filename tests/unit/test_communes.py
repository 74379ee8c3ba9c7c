"""The national commune reference (db/communes.py): normalised resolution, loading by init-db, and places imported
from a file without INSEE codes getting them, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json

import pytest
from sqlalchemy import func, select

from db import carte, communes
from db.interop import places as interop
from db.models import Commune, Place
from db.writes import SYSTEM
from tests.unit.test_carte_interop import REAL_LEGACY, REAL_V1, csv_of, real, valid_row


@pytest.mark.parametrize(
    ("name", "postal_code", "insee"),
    [
        ("Saint-Étienne", "42000", "42218"),
        ("St-Étienne", "42100", "42218"),
        ("SAINT ETIENNE", "42000", "42218"),
        ("Saint-étienne CEDEX 2", "42007", "42218"),  # a CEDEX code: the département decides
        ("Saint-Just St-Rambert", "42170", "42279"),
        ("Chazelles sur Lyon", "42140", "42059"),
        ("Boen s/ Lignon", "42130", "42019"),
        ("Crozet", "42310", "42078"),  # "Le Crozet" without its article
        ("L'Abergement-Clémenciat", "01400", "01001"),
        ("Jeansagnière", "42920", "42039"),  # a delegated commune's name gives the commune nouvelle
        ("Lyon 3e Arrondissement", "69003", "69123"),
        ("Marseille 13e", "13013", "13055"),
        ("PARIS 15E ARRONDISSEMENT", "", "75056"),
        ("Ajaccio", "20000", "2A004"),
        ("Roanne", "", "42187"),  # a unique name needs no postal code
        ("Firmini", "42700", "42095"),  # a misspelt name, but 42700 serves one commune
    ],
)
def test_resolve_normalises_the_ways_files_write_communes(name, postal_code, insee):
    assert communes.resolve(name, postal_code).insee == insee


def test_resolve_explains_what_it_cannot_find():
    assert "code postal est nécessaire" in communes.resolve("Saint-Martin", "").reason
    assert "introuvable" in communes.resolve("Atlantide", "").reason
    assert communes.resolve("", "42000").insee == "42218" and not communes.resolve("", "")


def test_reference_has_every_current_commune_with_its_epci():
    rows = communes.reference()
    current = [c for c in rows if not c.parent]
    assert len(current) > 34_000 and sum(1 for c in rows if c.parent) == 45
    saint_etienne = communes.resolver().commune("42218")
    assert saint_etienne.postal_codes == ("42000", "42100", "42230") and saint_etienne.departement == "42"
    assert (saint_etienne.epci_code, saint_etienne.epci_name) == ("244200770", "Saint-Étienne Métropole")
    assert communes.resolver().commune("69383").insee == "69123"  # an arrondissement's code gives its commune
    source = json.loads(communes.SOURCE_PATH.read_text(encoding="utf-8"))
    assert source["package"] == "@etalab/decoupage-administratif" and "Licence Ouverte" in source["licence"]


def test_load_communes_is_idempotent_and_keeps_the_ifn(database):
    sample = tuple(c for c in communes.reference() if c.departement == "42")
    with database.transaction() as session:
        session.add(Commune(insee="42218", name="St-É", ifn_total=4.2, latitude=45.43))
        report = communes.load_communes(session, sample)
    assert (len(report.created), report.updated) == (len(sample) - 1, ["42218"])
    with database.transaction() as session:
        again = communes.load_communes(session, sample)
        assert (again.created, again.updated, len(again.unchanged)) == ([], [], len(sample))
        saint_etienne = session.get(Commune, "42218")
        assert (saint_etienne.name, saint_etienne.ifn_total, saint_etienne.latitude) == ("Saint-Étienne", 4.2, 45.43)
        assert saint_etienne.postal_codes == "42000 42100 42230"


def test_legacy_file_alone_gets_the_insee_codes_of_the_conversion(database):
    """A fresh install (reference loaded by init-db), the legacy v0.1 Loire file imported alone: 81/81."""
    with database.transaction() as session:
        communes.load_communes(session)
    with database.transaction() as session:
        report = interop.import_places(session, SYSTEM, real(REAL_LEGACY))
    assert (len(report.created), report.rejected, report.warnings) == (81, [], [])
    expected = {row["id"]: row["code_insee"] for row in csv.DictReader(io.StringIO(real(REAL_V1).decode()))}
    with database.session() as session:
        got = dict(session.execute(select(Place.id, Place.code_insee)).all())
        assert got == expected
        assert session.scalar(select(func.count()).where(Place.epci_code.is_(None))) == 0
        commune_choices, epci_choices = carte.territories(session)
    assert {code for code, _, _ in commune_choices} == set(expected.values())
    epcis = {name: count for _, name, count in epci_choices}
    assert epcis["Saint-Étienne Métropole"] >= 30 and sum(epcis.values()) == 81


def test_unresolved_communes_are_reported_row_by_row(database):
    rows = [
        valid_row(id="Sans_code", code_insee="", commune="Sant-Etienne", code_postal="42000"),
        valid_row(id="Inconnue", code_insee="", commune="Atlantide", code_postal="99999"),
    ]
    with database.transaction() as session:
        report = interop.import_places(session, SYSTEM, csv_of(rows))
    assert sorted(report.created) == ["Inconnue", "Sans_code"]
    assert [(w.row, w.field, w.id) for w in report.warnings] == [(3, "code_insee", "Inconnue")]
    assert "Atlantide" in report.warnings[0].reason and any("1 avertissement(s)" in line for line in report.lines())
    with database.session() as session:
        place = session.scalar(select(Place).where(Place.id == "Sans_code"))
        assert (place.code_insee, place.epci_code) == ("42218", "244200770")  # the EPCI from the reference


def test_build_reference_from_the_npm_package(tmp_path):
    """The refresh reads the package's own JSON files: current communes with postal codes and EPCI, municipal
    arrondissements tied to their commune, delegated communes as aliases, merged communes' codes."""
    package = tmp_path / "package"
    (package / "data").mkdir(parents=True)
    (package / "package.json").write_text(json.dumps({"name": communes.PACKAGE, "version": "9.9.9"}))
    (package / "data" / "communes.json").write_text(
        json.dumps(
            [
                {"code": "42039", "nom": "Chalmazel-Jeansagnière", "type": "commune-actuelle", "departement": "42",
                 "codesPostaux": ["42920"], "anciensCodes": ["42114"]},
                {"code": "42114", "nom": "Jeansagnière", "type": "commune-deleguee", "chefLieu": "42039",
                 "departement": "42"},
                {"code": "69123", "nom": "Lyon", "type": "commune-actuelle", "departement": "69",
                 "codesPostaux": ["69001", "69003"]},
                {"code": "69383", "nom": "Lyon 3e Arrondissement", "type": "arrondissement-municipal",
                 "commune": "69123", "departement": "69", "codesPostaux": ["69003"]},
            ]
        )
    )
    (package / "data" / "epci.json").write_text(
        json.dumps([{"code": "200065886", "nom": "CA Loire Forez", "membres": [{"code": "42039"}]}])
    )
    rows, source = communes.build_reference(tmp_path)
    assert (source["version"], source["communes"], source["arrondissements"]) == ("9.9.9", 2, 1)
    path = tmp_path / "communes.csv.gz"
    communes.write_reference(rows, source, path)
    built = communes.Resolver(communes.reference.__wrapped__(path))
    assert built.resolve("Jeansagnière", "42920").insee == "42039"
    assert built.resolve("Lyon 3e", "69003").insee == "69123"
    assert built.commune("42114").epci_name == "CA Loire Forez"  # a merged commune's code: its successor
    assert built.commune("69383").insee == "69123"
