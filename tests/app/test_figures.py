"""Figures true through time, as the Département reads them: one clock in local time, like-for-like comparisons,
unknown rather than invented values, and the same number on the Indicateurs, in the report and in `flask figures`
(its JSON also served at /api/v1/indicateurs.json)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from pathlib import Path

import pytest
from dash.development.base_component import Component

from db import agenda, catalogue, clock, lettres, rapport
from db import indicateurs as ind
from db.demo import demo_year, seed_demo
from db.models import AudienceFigure, Event, EventOccurrence, Newsletter, SubscriberSnapshot
from db.periods import Period

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data"


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=clock.zone()).astimezone(dt.UTC)


def add_event(session, title: str, start: dt.datetime) -> None:
    session.add(
        Event(
            title=title, city="Feurs", occurrences=[EventOccurrence(start=start, end=start + dt.timedelta(minutes=15))]
        )
    )


def run(app, *args):
    return app.server.test_cli_runner().invoke(args=list(args))


def figures_json(app, *args) -> dict:
    result = run(app, "figures", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def values(document: dict) -> dict:
    return {figure["key"]: figure["value"] for figure in document["figures"]}


# --- one clock ----------------------------------------------------------------------------------------------------

# (title, local start, the year and the month it belongs to)
BOUNDARY_EVENTS = [
    ("Réveillon numérique", local(2024, 12, 31, 23, 30), 2024, (2024, 12)),
    ("Premier atelier de l'an", local(2025, 1, 1, 0, 30), 2025, (2025, 1)),
    # Summer time from 30 March: 00:30 on 1 April is 22:30 UTC on 31 March.
    ("Atelier du printemps", local(2025, 4, 1, 0, 30), 2025, (2025, 4)),
    ("Veillée de mars", local(2025, 3, 31, 23, 30), 2025, (2025, 3)),
    # Winter time from 26 October: 00:30 on 1 November is 23:30 UTC on 31 October.
    ("Atelier de la Toussaint", local(2025, 11, 1, 0, 30), 2025, (2025, 11)),
    ("Veillée d'Halloween", local(2025, 10, 31, 23, 30), 2025, (2025, 10)),
]


def test_an_event_counts_on_its_local_day_on_every_page_export_feed_figure_and_report(app, database, as_role):
    with database.transaction() as session:
        for title, start, *_ in BOUNDARY_EVENTS:
            add_event(session, title, start)
    client = as_role("viewer")
    per_year = {2024: 1, 2025: 5}
    with database.session() as session:
        for year, count in per_year.items():
            assert catalogue.read(session, "events", Period.year(year)).value == count
            assert agenda.counts_by_month(session, agenda.EventFilters(Period.year(year)))["events"].sum() == count
            report = rapport.build_report(session, year)
            visibility = next(s for s in report.sections if s.mission.key == "visibilite")
            events_table = next(t for t in visibility.tables if t.title == "Événements par catégorie")
            assert events_table.total[1] == str(count)
            assert next(m for m in visibility.figures if m.figure.key == "events").current.value == count
        for title, _start, _year, (year, month) in BOUNDARY_EVENTS:
            first = dt.date(year, month, 1)
            last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
            months = agenda.counts_by_month(session, agenda.EventFilters(Period(first, last)))
            assert months["events"].tolist() == [1], title
            assert catalogue.read(session, "events", Period(first, last)).value == 1, title
    for year, count in per_year.items():
        assert values(figures_json(app, "--year", str(year)))["events"] == count
        assert values(client.get(f"/api/v1/indicateurs.json?year={year}").get_json())["events"] == count
        feed = client.get(f"/api/v1/agenda.ics?period=year&date={year}-06-15").get_data(as_text=True)
        assert feed.count("BEGIN:VEVENT") == count
        assert (year == 2025) == ("Premier atelier de l'an" in feed)
    from dashboard.callbacks import indicateurs as callbacks

    with app.server.app_context():
        export = callbacks.export_csv(1, "2024")
    lines = base64.b64decode(export["content"]).decode("utf-8-sig").splitlines()
    row = next(line.split(";") for line in lines if ";Événements publiés;" in line)
    assert row[4] == "1"  # Valeur


def test_times_shown_to_people_are_local(app):
    from dashboard.components import format as fmt

    new_year = local(2025, 1, 1, 0, 30)
    assert fmt.moment(new_year) == "01/01/2025 00:30" and fmt.date(new_year) == "1 janvier 2025"


# --- like-for-like comparisons ------------------------------------------------------------------------------------


def add_months(session, indicator: str, values_by_month: dict[dt.date, float]) -> None:
    session.add_all(
        AudienceFigure(indicator=indicator, period_kind="month", period_start=month, value=value, source="Matomo")
        for month, value in values_by_month.items()
    )


def test_monthly_visitors_are_the_mean_and_maximum_of_the_same_months(database):
    months_2024 = {dt.date(2024, m, 1): 1000 + 10 * m for m in range(1, 13)}
    months_2025 = {dt.date(2025, m, 1): 2000 + 100 * m for m in range(1, 12)}  # no December record yet
    with database.transaction() as session:
        add_months(session, "site_visiteurs_uniques", months_2024 | months_2025)
    with database.session() as session:
        year = catalogue.measure(session, "site_visitors_month_mean", Period.year(2025))
        peak = catalogue.measure(session, "site_visitors_month_max", Period.year(2025))
        quarter = catalogue.measure(
            session, "site_visitors_month_mean", Period(dt.date(2025, 1, 1), dt.date(2025, 3, 31))
        )
        with clock.frozen(dt.datetime(2025, 12, 4, 10)):
            to_date = catalogue.measure(
                session, "site_visitors_month_mean", ind.period_from_choice("2025", clock.today())
            )
    assert year.current.value == round(sum(months_2025.values()) / 11)
    assert year.previous.value == round(sum(months_2024.values()) / 12)
    assert year.current.note == "Sans relevé : 12/2025."
    assert (peak.current.value, peak.previous.value) == (3100, 1120)
    # January–March against January–March
    assert (quarter.current.value, quarter.previous.value) == (2200, 1020)
    # The year to 4 December: its complete months, January to November, against the same months a year earlier.
    assert to_date.current.value == round(sum(months_2025.values()) / 11)
    assert to_date.previous.value == round(sum(v for k, v in months_2024.items() if k.month <= 11) / 11)


def test_a_stock_without_a_record_in_its_period_is_unknown_and_its_chart_has_a_gap(database):
    from dashboard.components.indicateurs import series_chart

    with database.transaction() as session:
        session.add(
            Newsletter(
                name="La Lettre",
                snapshots=[
                    SubscriberSnapshot(date=dt.date(2025, 1, 5), count=100),
                    SubscriberSnapshot(date=dt.date(2025, 3, 5), count=120),
                ],  # fmt: skip
            )
        )
    with database.session() as session:
        february = catalogue.read(session, "subscribers", Period(dt.date(2025, 2, 1), dt.date(2025, 2, 28)))
        first_quarter = ind.series(
            session, "subscribers", ind.month_periods(Period(dt.date(2025, 1, 1), dt.date(2025, 3, 31)))
        )
        chart_2025 = rapport._chart(session, "subscribers", Period(dt.date(2025, 1, 1), dt.date(2025, 3, 31)))
    assert february.value is None and february.note == lettres.NO_RECORD
    assert first_quarter.points["value"].tolist() == [100, None, 120]
    figure = series_chart(first_quarter, None, False).children[1].figure
    assert figure["data"][0]["y"] == [100, None, 120]  # plotly leaves a gap for null
    assert chart_2025.values == [100.0, None, 120.0]


# --- the register's history ---------------------------------------------------------------------------------------


def test_places_imported_today_are_unknown_in_the_past_and_counted_now(app, database):
    result = run(app, "import-places", str(SHARED / "standard-mediation-num_v1.0.2_exemple-valide.csv"))
    assert result.exit_code == 0, result.output
    imported = int(re.search(r"Lieux : (\d+) créé", result.output)[1])
    past = {f["key"]: f for f in figures_json(app, "--year", "2021")["figures"]}
    assert past["places"]["value"] is None
    assert past["places"]["note"] == f"Inconnu : registre suivi depuis le {clock.today():%d/%m/%Y}."
    assert past["fresh_places"]["value"] is None and past["epcis"]["value"] is None
    current = figures_json(app)  # the current year to date
    assert values(current)["places"] == imported
    assert current["period"] == {"from": f"{clock.today().year}-01-01", "to": clock.today().isoformat()}


# --- the figures as data ------------------------------------------------------------------------------------------

REQUIRED_KEYS = {"places", "events", "loan_days", "sessions", "participants", "subscribers", "newsletter_issues",
                 "site_visitors_month_mean", "site_visitors_month_max"}  # fmt: skip


def test_figures_document_shape_and_parameters(app, client, users):
    document = figures_json(app, "--from", "2025-01-01", "--to", "2025-03-31")
    assert document["period"] == {"from": "2025-01-01", "to": "2025-03-31"}
    assert document["compared_to"] == {"from": "2024-01-01", "to": "2024-03-31"}
    assert REQUIRED_KEYS <= set(values(document))
    for figure in document["figures"]:
        assert {
            "key",
            "label",
            "kind",
            "unit",
            "value",
            "previous",
            "source",
            "last_record",
            "estimated",
            "note",
        } <= set(figure)
        assert figure["kind"] in {"flow", "stock", "monthly", "rate"}
    for args, message in [
        (("--year", "2025", "--from", "2025-01-01"), "soit une année"),
        (("--from", "2025-01-01"), "ensemble"),
        (("--from", "2025-03-31", "--to", "2025-01-01"), "précède"),
        (("--year", "1999"), "Année entre"),
        (("--from", "2025-13-01", "--to", "2025-12-31"), "AAAA-MM-JJ"),
    ]:
        result = run(app, "figures", *args)
        assert result.exit_code == 2 and message in result.output
    # The same document over HTTP: login required, every role, a clear 400 on bad parameters.
    assert client.get("/api/v1/indicateurs.json?year=2025").status_code == 401
    from tests.conftest import login

    login(client, "viewer@example.org")
    served = client.get("/api/v1/indicateurs.json?from=2025-01-01&to=2025-03-31").get_json()
    assert {k: v for k, v in served.items() if k != "generated_at"} == {
        k: v for k, v in document.items() if k != "generated_at"
    }
    refused = client.get("/api/v1/indicateurs.json?year=abc")
    assert refused.status_code == 400 and "Année attendue" in refused.get_json()["error"]


def test_output_file(app, tmp_path):
    result = run(app, "figures", "--year", "2025", "-o", str(tmp_path / "chiffres.json"))
    assert result.exit_code == 0 and "écrits dans" in result.output
    assert json.loads((tmp_path / "chiffres.json").read_text(encoding="utf-8"))["period"]["from"] == "2025-01-01"


def _rendered_figures(tree) -> dict[str, str]:
    """key → the text of each `data-figure` value in a rendered component tree."""
    found = {}

    def walk(node):
        if isinstance(node, Component):
            key = getattr(node, "data-figure", None)
            if key:
                found[key] = "".join(c if isinstance(c, str) else "" for c in _children(node))
            for child in _children(node):
                walk(child)
        elif isinstance(node, list | tuple):
            for child in node:
                walk(child)

    walk(tree)
    return found


def _children(node) -> list:
    children = getattr(node, "children", None)
    return children if isinstance(children, list) else [children]


@pytest.mark.parametrize("year_offset", [0, -1])  # the demo year, and the year before it
def test_indicateurs_report_and_figures_agree_on_the_demo(app, database, year_offset):
    from dashboard.callbacks import indicateurs as callbacks
    from dashboard.components import format as fmt

    with database.transaction() as session:
        seed_demo(session, clock.today())
    year = demo_year(clock.today()) + year_offset
    full = figures_json(app, "--year", str(year))
    document, units = values(full), {figure["key"]: figure["unit"] for figure in full["figures"]}
    with app.server.app_context():
        page = _rendered_figures(callbacks.indicateurs_body(str(year), "mois"))
    with database.session() as session:
        report = rapport.build_report(session, year)
    in_report = {m.figure.key: m.current.value for s in report.sections for m in s.figures}
    assert set(page) == set(in_report) == set(document) >= REQUIRED_KEYS
    for key, value in document.items():
        assert page[key] == fmt.figure_value(value, units[key]), key
        assert in_report[key] == pytest.approx(value), key
    assert document["loan_days"] == (752 if year_offset == 0 else document["loan_days"])


def test_a_chart_with_nothing_recorded_is_an_empty_state_not_empty_axes(database):
    from dashboard.components.indicateurs import series_chart

    with database.session() as session:
        months = ind.series(
            session, "subscribers", ind.month_periods(Period(dt.date(2025, 1, 1), dt.date(2025, 3, 31)))
        )
    rendered = series_chart(months, None, False)
    assert "empty-state" in str(rendered) and "Graph" not in str(rendered)
