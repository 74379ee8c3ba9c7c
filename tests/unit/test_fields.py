"""The rules every stored value obeys (db.fields): the parsers, and the net at flush that refuses, whatever wrote the
row, what its column cannot hold or no one could believe, with a French message and nothing written."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from db import fields
from db.models import AudienceFigure, Commune, Event, Place
from db.writes import ValidationError

TODAY = dt.date(2026, 12, 4)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("12", 12), ("2 400", 2400), ("2\u202f400", 2400), ("3,0", 3), (7, 7), ("0", 0)],
)
def test_number_reads_french_whole_numbers(text, expected):
    assert fields.number(text) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1" + "0" * 30, "trop grand"),
        ("1e308", "trop grand"),
        ("nan", "Nombre attendu"),
        ("-5", "positif"),
        ("2,5", "entier"),
        (["1"], "entier"),
        (True, "entier"),
        ("douze", "entier"),
    ],
)
def test_number_refuses_what_a_column_cannot_hold(value, message):
    with pytest.raises(ValueError, match=message):
        fields.number(value)


def test_record_key_names_only_keys_that_can_exist():
    assert fields.record_key("42") == 42
    assert [fields.record_key(v) for v in ("0", "-1", "1" + "0" * 30, "x", None, ["1"])] == [None] * 6


@pytest.mark.parametrize("code", ["42218", "2A004", "2B033", "97105", "01001"])
def test_insee_codes_by_one_rule(code):
    assert fields.is_insee_code(code)


@pytest.mark.parametrize("code", ["99999", "00001", "96001", "4221", "2C004", "97701", "42 218"])
def test_implausible_insee_codes(code):
    assert not fields.is_insee_code(code)


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,x", "//evil.example", "ftp://x.org", "https://ok.fr|vbscript:x"]
)
def test_only_http_addresses_are_published(url):
    assert fields.url_problem(url) is not None


def test_http_addresses_pass():
    assert fields.url_problem("https://www.loire.fr/numerique|http://exemple.org/a?b=c") is None


def column(model, name):
    return model.__table__.columns[name]


@pytest.mark.parametrize(
    ("model", "name", "value", "message"),
    [
        (Event, "title", "x" * 10_000, "trop long"),
        (Event, "description", "x" * 1_000_000, "trop long"),
        (Event, "title", "a\x00b", "contrôle"),
        (Place, "date_maj", dt.date(2999, 1, 1), "période plausible"),
        (Place, "date_maj", TODAY + dt.timedelta(days=30), "période plausible"),
        (Place, "site_web", "javascript:alert(1)", "http"),
        (Place, "code_insee", "99999", "INSEE"),
        (Place, "latitude", 91.0, "limites"),
        (AudienceFigure, "value", 1e308, "limites"),
        (AudienceFigure, "value", float("inf"), "limites"),
        (AudienceFigure, "period_start", dt.date(1900, 1, 1), "période plausible"),
        (Commune, "insee", "99999", "INSEE"),
    ],
)
def test_values_no_one_could_believe_are_refused(model, name, value, message):
    assert message in fields.value_problem(column(model, name), value, TODAY)


@pytest.mark.parametrize(
    ("model", "name", "value"),
    [
        (Event, "title", "Atelier « =SOMME » du 12/01"),
        (Place, "date_maj", TODAY),
        (Place, "site_web", "https://www.loire.fr"),
        (Place, "code_insee", "42218"),
        (AudienceFigure, "value", 2400.0),
        (AudienceFigure, "period_start", dt.date(2021, 1, 1)),
    ],
)
def test_ordinary_values_pass(model, name, value):
    assert fields.value_problem(column(model, name), value, TODAY) is None


def test_the_net_refuses_a_write_from_any_path_and_writes_nothing(database):
    """A row added directly (a script, an import) meets the same rules as a form."""
    with pytest.raises(ValidationError) as refused, database.transaction() as session:
        session.add(Commune(insee="99999", name="Nulle part"))
    assert refused.value.errors["insee"].startswith("Code INSEE invalide")
    assert refused.value.errors[""] == "Des valeurs sont hors des limites : rien n'a été enregistré."
    with database.session() as session:
        assert session.scalar(select(func.count(Commune.insee))) == 0


def test_the_net_checks_a_changed_value_only(database):
    with database.transaction() as session:
        session.add(Commune(insee="42218", name="Saint-Étienne"))
    with pytest.raises(ValidationError, match="trop long"), database.transaction() as session:
        session.get(Commune, "42218").name = "x" * 10_000
    with database.session() as session:
        assert session.get(Commune, "42218").name == "Saint-Étienne"
