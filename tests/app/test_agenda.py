"""Agenda through the app: public iCal feed, forms posted like the browser, callbacks as functions, CLI."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from flask_login import login_user
from icalendar import Calendar
from sqlalchemy import func, select

from dashboard import ids
from db import clock
from db.agenda import save_event
from db.models import AuditLog, Event
from db.writes import SYSTEM
from tests.conftest import post_form

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "agenda"
# Form names (pages can only be imported once an app exists, so not at collection time).
EVENT_FORM, STATUS_FORM = "agenda-event", "agenda-status-change"
TOMORROW = clock.today() + dt.timedelta(days=1)


def text_of(response) -> str:
    return json.dumps(response.get_json(), ensure_ascii=False)


def event_values(**changes) -> dict:
    values = {
        "event_id": "",
        "title": "Atelier découverte",
        "description": "",
        "occurrences": f"{TOMORROW:%d/%m/%Y} 14:00-16:00",
        "status": "scheduled",
        "attendance_mode": "offline",
        "online_url": "",
        "place_pk": "",
        "location_name": "Médiathèque",
        "address": "",
        "postal_code": "42000",
        "city": "Saint-Étienne",
        "latitude": "45.43",
        "longitude": "4.39",
        "category": "Atelier numérique",
        "keywords": "",
        "audience": "",
        "organiser": "Ville de Saint-Étienne",
        "registration_url": "",
    }
    return values | changes


def add(database, **changes) -> int:
    with database.transaction() as session:
        return save_event(session, SYSTEM, **event_values(**changes)).id


def events_count(database) -> int:
    with database.session() as session:
        return session.scalar(select(func.count(Event.id)))


# --- public feed ----------------------------------------------------------------------------------------------------


def test_feed_is_public_and_valid_icalendar(client, database):
    add(database)
    add(database, title="Permanence annulée", category="Permanence", status="cancelled")
    response = client.get("/api/v1/agenda.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    events = Calendar.from_ical(response.data).events
    assert sorted(str(e.get("SUMMARY")) for e in events) == ["Atelier découverte", "Permanence annulée"]
    statuses = {str(e.get("SUMMARY")): str(e.get("STATUS")) for e in events}
    assert statuses == {"Atelier découverte": "CONFIRMED", "Permanence annulée": "CANCELLED"}
    start = dt.datetime.combine(TOMORROW, dt.time(14), tzinfo=clock.zone())
    assert {e.start for e in events} == {start}


def test_feed_filters_like_the_page(client, database):
    add(database)
    add(database, title="Permanence", category="Permanence", city="Roanne")
    titles = [
        str(e.get("SUMMARY"))
        for e in Calendar.from_ical(client.get("/api/v1/agenda.ics?category=Permanence").data).events
    ]
    assert titles == ["Permanence"]
    far = (TOMORROW + dt.timedelta(days=800)).isoformat()
    empty = Calendar.from_ical(client.get(f"/api/v1/agenda.ics?period=month&date={far}").data)
    assert empty.events == []


# --- forms posted like the browser -----------------------------------------------------------------------------------


def test_viewer_forging_the_event_form_writes_nothing(as_role, database):
    client = as_role("viewer")
    body = text_of(post_form(client, EVENT_FORM, event_values()))
    assert "réservée au rôle « Coordination »" in body
    assert events_count(database) == 0


def test_viewer_forging_a_status_change_writes_nothing(as_role, database):
    event_id = add(database)
    client = as_role("viewer")
    body = text_of(post_form(client, STATUS_FORM, {"event_id": str(event_id), "status": "cancelled"}))
    assert "réservée au rôle « Coordination »" in body
    with database.session() as session:
        assert session.get(Event, event_id).status == "scheduled"


def test_bad_event_shows_messages_under_fields_and_writes_nothing(as_role, database):
    client = as_role("coordinator")
    bad = event_values(title="", occurrences=f"{TOMORROW:%d/%m/%Y} 16:00-14:00", latitude="95", registration_url="x")
    body = text_of(post_form(client, EVENT_FORM, bad))
    assert "Le titre est obligatoire." in body
    assert "Ligne 1 : la fin précède le début." in body
    assert "La latitude doit être comprise entre -90 et 90." in body
    assert "Adresse web invalide" in body
    assert events_count(database) == 0


def test_coordinator_adds_an_event_with_audit_rows(as_role, database):
    client = as_role("coordinator")
    body = text_of(post_form(client, EVENT_FORM, event_values()))
    assert "Événement « Atelier découverte » ajouté (1 date)." in body
    with database.session() as session:
        rows = session.execute(
            select(AuditLog.table_name, AuditLog.user_email).where(AuditLog.action == "create")
        ).all()
    assert ("events", "coordinator@example.org") in rows
    assert ("event_occurrences", "coordinator@example.org") in rows


# --- callbacks as functions ---------------------------------------------------------------------------------------


@pytest.fixture
def callbacks(app):
    from dashboard.callbacks import agenda

    return agenda


FILTERS = ["month", TOMORROW.isoformat(), None, None, "", "", "", "", "category"]


def timeline(callbacks, filters):
    """The timeline of the panels a filter change shows."""
    return callbacks.panels(*filters, 0)[2]


def test_timeline_has_an_accessible_name_and_marks_cancelled_dates(app, callbacks, database):
    add(database)
    add(database, title="Annulé", status="cancelled")
    with app.server.test_request_context():
        panel = timeline(callbacks, FILTERS)
    chart = panel.children[1]
    assert chart.role == "img"
    assert "2 date(s) de 2 événement(s)" in chart.to_plotly_json()["props"]["aria-label"]
    traces = {trace["name"]: trace for trace in chart.children.figure["data"]}
    assert set(traces) == {"Programmé", "Annulé"}
    assert traces["Annulé"]["marker"]["pattern"]["shape"] == "x"


def test_timeline_switches_to_dates_per_day_when_too_dense(app, callbacks, database, monkeypatch):
    add(database, occurrences="\n".join(f"{TOMORROW:%d/%m/%Y} {h}:00-{h}:30" for h in range(8, 12)))
    monkeypatch.setattr(callbacks, "MAX_BARS", 3)
    with app.server.test_request_context():
        panel = timeline(callbacks, FILTERS)
    (heatmap,) = panel.children[1].children.figure["data"]
    assert heatmap["type"] == "heatmap" and sum(map(sum, heatmap["z"])) == 4


def test_timeline_gathers_the_places_beyond_its_rows(app, callbacks, database, monkeypatch):
    for n in range(4):
        add(
            database,
            title=f"Atelier {n}",
            location_name=f"Lieu {n}",
            occurrences=f"{TOMORROW:%d/%m/%Y} 1{n}:00-1{n}:30",
        )
    monkeypatch.setattr(callbacks, "MAX_GROUPS", 3)
    place = [*FILTERS[:-1], "place"]
    with app.server.test_request_context():
        bars = timeline(callbacks, place).children[1].children.figure["data"]
        monkeypatch.setattr(callbacks, "MAX_BARS", 3)
        (heatmap,) = timeline(callbacks, place).children[1].children.figure["data"]
    assert sorted(set(bars[0]["y"])) == ["Autres (2 lieux)", "Lieu 0", "Lieu 1"]
    assert heatmap["y"] == ["Autres (2 lieux)", "Lieu 0", "Lieu 1"]


def test_an_empty_base_and_an_empty_period_say_different_things(app, callbacks, database):
    with app.server.test_request_context():
        _label, _stats, first_day, upcoming, _map, _note, counts = callbacks.panels(*FILTERS, 0)
    for panel in (first_day, upcoming, counts):
        assert "Aucun événement enregistré" in str(panel.to_plotly_json())
    add(database, occurrences=f"{TOMORROW - dt.timedelta(days=400):%d/%m/%Y} 10:00-11:00")
    with app.server.test_request_context():
        panel = timeline(callbacks, FILTERS)
    assert "Aucun événement sur cette période" in str(panel.to_plotly_json())


def test_panels_list_upcoming_dates_and_map_points(app, callbacks, database):
    add(database)
    add(
        database,
        title="En ligne",
        attendance_mode="online",
        online_url="https://visio.example.org/x",
        latitude="",
        longitude="",
    )
    with app.server.test_request_context():
        label, _stats, _timeline, upcoming, the_map, note, _counts = callbacks.panels(*FILTERS, 0)
    from dashboard.components.format import MONTHS

    assert label == f"{MONTHS[TOMORROW.month - 1].capitalize()} {TOMORROW.year}"
    assert "Atelier découverte" in str(upcoming.to_plotly_json())
    (layer,) = [child for child in the_map.children if getattr(child, "id", None) == ids.AGENDA_MAP_LAYER]
    assert [f["properties"]["label"].split(" — ")[0] for f in layer.data["features"]] == ["Atelier découverte"]
    assert note[0].startswith("1 événement(s) localisé(s) sur 2")


def test_the_map_shows_a_point_per_place_and_the_places_with_most_events(app, callbacks, database, monkeypatch):
    add(database)
    add(database, title="Atelier tablette")  # the same place
    add(database, title="Café numérique", latitude="45.6", longitude="4.1", location_name="Café")
    monkeypatch.setattr(callbacks, "MAX_MAP_POINTS", 1)
    with app.server.test_request_context():
        the_map, note = callbacks.panels(*FILTERS, 0)[4:6]
    (layer,) = [child for child in the_map.children if getattr(child, "id", None) == ids.AGENDA_MAP_LAYER]
    labels = [f["properties"]["label"] for f in layer.data["features"]]
    assert labels == ["Médiathèque, Saint-Étienne — 2 événements, 2 dates"]
    assert note[0] == "3 événement(s) localisé(s) sur 3. La carte montre les 1 lieux qui en accueillent le plus, sur 2."


def test_a_filter_change_runs_each_query_once(app, callbacks, database, monkeypatch):
    """The panels share one result per query: none is run twice, and above MAX_BARS the dates are counted by the
    database, never fetched one by one."""
    from sqlalchemy import event

    add(database, occurrences="\n".join(f"{TOMORROW:%d/%m/%Y} {h}:00-{h}:30" for h in range(8, 12)))
    monkeypatch.setattr(callbacks, "MAX_BARS", 3)
    statements = []

    def listener(_connection, _cursor, statement, parameters, _context, _many):
        statements.append((statement, str(parameters)))

    engine = app.server.extensions["database"].engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        with app.server.test_request_context():
            callbacks.panels(*FILTERS, 0)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    queries = [statement for statement, _ in statements if statement.lstrip().upper().startswith("SELECT")]
    assert len(statements) == len(set(statements))
    assert sum("occurrence_id" in query for query in queries) == 1  # the upcoming list, 8 rows at most


def test_dates_list_pages_through_the_period(app, callbacks, database):
    from tests.conftest import in_callback

    add(
        database, occurrences="\n".join(f"{TOMORROW + dt.timedelta(days=7 * n):%d/%m/%Y} 10:00-11:00" for n in range(3))
    )
    year = ["year", TOMORROW.isoformat(), None, None, "", "", "", "", "category"]
    following = f"{ids.dom_id(ids.paged(ids.AGENDA_DATES, 'next'))}.n_clicks"
    with app.server.test_request_context():
        first = in_callback(callbacks.dates_list, *year, "date-desc", 0, None, None, {"page": 0})
        beyond = in_callback(callbacks.dates_list, *year, "date", 0, None, 1, first[-1], triggered=following)
    table, status, no_previous, no_next, shown = first
    assert "Atelier découverte" in str(table) and "Médiathèque, Saint-Étienne" in str(table)
    assert (status, no_previous, no_next, shown) == ("1–3 sur 3", True, True, {"page": 0})
    assert beyond[-1] == {"page": 0}  # a single page: « Suivant » stays on it


def test_url_and_feed_link_follow_the_filters(callbacks):
    search, feed = callbacks.sync_url("week", "2026-03-25", None, None, "Permanence", "42218", "", "", "place")
    assert search == "?period=week&date=2026-03-25&category=Permanence&commune=42218&group=place"
    assert feed == "/api/v1/agenda.ics?category=Permanence&commune=42218"


def test_page_shows_entry_tools_by_role(app, users):
    from dashboard.pages import agenda as page

    def rendered(role):
        with app.server.test_request_context():
            login_user(users[role])
            return repr(page.layout(period="week"))

    assert "Ajouter un événement" not in rendered("viewer")
    assert "Ajouter un événement" in rendered("coordinator") and "Importer des événements" not in rendered(
        "coordinator"
    )
    assert "Importer des événements" in rendered("admin")


# --- CLI ------------------------------------------------------------------------------------------------------------


def test_cli_import_then_export(app, tmp_path):
    runner = app.server.test_cli_runner()
    result = runner.invoke(args=["import-events", str(FIXTURES / "openagenda-export.csv")])
    assert result.exit_code == 0, result.output
    assert "Événements : 2 créé(s), 0 mis à jour, 0 inchangé(s), 2 rejeté(s)" in result.output
    assert "rejeté, 6003 : statut inconnu « Ajourné sine die »" in result.output
    output = tmp_path / "agenda.ics"
    result = runner.invoke(args=["export-events", "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert len(Calendar.from_ical(output.read_bytes()).events) == 3
    # Its own export read back: the app's UIDs are recognised, nothing is created.
    result = runner.invoke(args=["import-events", str(output), "--dry-run"])
    assert result.exit_code == 0 and "Simulation" in result.output, result.output
    result = runner.invoke(args=["import-events", str(output)])
    assert result.exit_code == 0, result.output
    assert "Événements : 0 créé(s), 0 mis à jour, 2 inchangé(s), 0 rejeté(s)" in result.output


def test_an_all_day_fair_stays_all_day_from_import_to_the_public_feed(app, callbacks, client, database, tmp_path):
    """The issue's case: a 15–17 April fair from iCalendar is said « du 15 au 17 avril » (not « jusqu'au 18 avril
    00:00 »), exported as dates, and counted in April on its own days."""
    from db import agenda
    from db.periods import Period

    runner = app.server.test_cli_runner()
    with clock.frozen(dt.datetime(2027, 4, 1, 9)):
        result = runner.invoke(args=["import-events", str(FIXTURES / "all-day.ics")])
        assert result.exit_code == 0, result.output
        assert "4 créé(s), 0 mis à jour" in result.output  # the weekend date with its own title: an event
        april = ["month", "2027-04-01", None, None, "", "", "", "", "category"]
        with app.server.test_request_context():
            _label, _stats, panel, upcoming, the_map, _note, _counts = callbacks.panels(*april, 0)
    (bars,) = panel.children[1].children.figure["data"]
    assert "00:00" not in bars["hovertext"][0]
    assert "<br>du 15 au 17 avril 2027<br>" in bars["hovertext"][0]
    # the bar spans the three days, from local midnight to local midnight
    assert bars["base"][0] == "2027-04-15T00:00" and bars["x"][0] == 3 * 24 * 3600 * 1000
    listed = str(upcoming.to_plotly_json())
    assert "du 15 au 17 avril" in listed and "jusqu'au" not in listed
    (layer,) = [child for child in the_map.children if getattr(child, "id", None) == ids.AGENDA_MAP_LAYER]
    assert layer.data["features"][0]["properties"]["label"].startswith(
        "Fête du numérique de la Loire — du 15 au 17 avril 2027 — "
    )

    output = tmp_path / "agenda.ics"
    result = runner.invoke(args=["export-events", "-o", str(output)])
    assert result.exit_code == 0, result.output
    exported = output.read_bytes()
    assert b"DTSTART;VALUE=DATE:20270415\r\nDTEND;VALUE=DATE:20270418\r\n" in exported
    assert b"DTSTART;VALUE=DATE:20270415" in client.get("/api/v1/agenda.ics?period=year&date=2027-04-01").data

    spring = agenda.EventFilters(Period(dt.date(2027, 3, 1), dt.date(2027, 5, 31)))
    with database.session() as session:
        months = agenda.counts_by_month(session, spring)
        eve = agenda.occurrences_frame(session, agenda.EventFilters(Period(dt.date(2027, 4, 14), dt.date(2027, 4, 14))))
        last_day = agenda.occurrences_frame(
            session, agenda.EventFilters(Period(dt.date(2027, 4, 17), dt.date(2027, 4, 17)))
        )
    assert months[["events", "occurrences"]].values.tolist() == [[0, 0], [1, 1], [1, 1]]  # the fair; the forum
    assert eve.empty and list(last_day["title"]) == ["Fête du numérique de la Loire"]


def test_cli_import_of_an_unreadable_file_fails(app, tmp_path):
    broken = tmp_path / "agenda.json"
    broken.write_text("{")
    result = app.server.test_cli_runner().invoke(args=["import-events", str(broken)])
    assert result.exit_code == 1
    assert "fichier inutilisable, rien n'a été importé" in result.output


@pytest.mark.parametrize("name", ["events.ics", "openagenda-page.json"])
def test_admin_upload_reports_the_import(app, callbacks, users, database, name):
    import base64

    content = "data:application/octet-stream;base64," + base64.b64encode((FIXTURES / name).read_bytes()).decode()
    with app.server.test_request_context():
        login_user(users["admin"])
        report, refresh = callbacks.import_file(content, name, 0)
        login_user(users["coordinator"])
        refused, _ = callbacks.import_file(content, name, 0)
    assert "Import terminé" in str(report.to_plotly_json()) and refresh == 1
    assert "réservée au rôle « Administration »" in str(refused.to_plotly_json())
    assert events_count(database) == {"events.ics": 4, "openagenda-page.json": 3}[name]  # a moved date with its title
