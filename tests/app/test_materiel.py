"""Matériel through the app: forms posted exactly as the browser does, roles enforced by the server, panels and
exports computed from the records."""

import datetime as dt
import io
import json

import pandas as pd
import pytest
from flask_login import login_user
from sqlalchemy import func, select

from db import clock
from db.models import AuditLog, Commune, EquipmentItem, Loan
from tests.conftest import login, post_form

TODAY = clock.today()
LOAN, LOAN_ACTION, ITEM = "loan", "loan-action", "equipment-item"  # the page's form names


@pytest.fixture
def ui(app):
    """The page and callback modules, importable once an app exists (pages register themselves with it)."""
    from dashboard.callbacks import materiel as callbacks
    from dashboard.pages import materiel as page

    assert (LOAN, LOAN_ACTION, ITEM) == (LOAN, LOAN_ACTION, ITEM)
    return callbacks, page


@pytest.fixture
def projector(app, users):
    database = app.server.extensions["database"]
    with database.transaction() as session:
        session.add(Commune(insee="42187", name="Roanne", epci_code="200035731", epci_name="Roannais Agglomération"))
        item = EquipmentItem(name="Vidéoprojecteur", category="Audiovisuel", units=1)
        session.add(item)
        session.flush()
        return item.id


def loan_values(item_id, **override):
    return {
        "item_id": str(item_id),
        "units": 1,
        "borrower_place_pk": None,
        "borrower_name": "Club photo",
        "borrower_commune": "42187",
        "start_date": TODAY.isoformat(),
        "end_date": (TODAY + dt.timedelta(days=2)).isoformat(),
        "purpose": "atelier",
        "interventions": None,
        "training_given": ["yes"],
        "notes": "",
    } | override


def counts(app):
    with app.server.extensions["database"].session() as session:
        return (
            session.scalar(select(func.count(Loan.id))),
            session.scalar(select(func.count(AuditLog.id)).where(AuditLog.table_name != "users")),
        )


def test_coordinator_creates_a_loan_through_the_form(app, as_role, projector):
    client = as_role("coordinator")
    response = post_form(client, LOAN, loan_values(projector))
    assert response.status_code == 200
    assert "Prêt n° 1 enregistré : Vidéoprojecteur pour Club photo" in text(response)
    assert counts(app) == (1, 1)
    with app.server.extensions["database"].session() as session:
        loan = session.get(Loan, 1)
    assert (loan.borrower_commune, loan.borrower_insee, loan.training_given) == ("Roanne", "42187", True)


def test_bad_loan_shows_messages_and_writes_nothing(app, as_role, projector):
    client = as_role("coordinator")
    values = loan_values(projector, end_date=(TODAY - dt.timedelta(days=1)).isoformat(), units="3")
    errors = field_errors(post_form(client, LOAN, values))
    assert errors["end_date"] == "La date de fin doit être le jour du début ou après."
    assert errors["units"] == "« Vidéoprojecteur » ne compte que 1 unité."
    assert counts(app) == (0, 0)


def text(response) -> str:
    """The callback's answer as readable text (messages unescaped)."""
    return json.dumps(response.get_json(), ensure_ascii=False)


def field_errors(response) -> dict:
    """{field name: message shown under it} from the shared form callback's answer."""
    out = {}
    for key, value in response.get_json()["response"].items():
        if '"type":"field-error"' in key:
            out[json.loads(key)["name"]] = value["children"]
    return out


def test_clash_through_the_form_names_the_other_loan(app, as_role, projector):
    client = as_role("coordinator")
    post_form(client, LOAN, loan_values(projector))
    answer = text(post_form(client, LOAN, loan_values(projector, borrower_name="Autre club")))
    assert "Conflit de réservation" in answer and "prêt n° 1 à Club photo" in answer
    assert counts(app) == (1, 1)


@pytest.mark.parametrize(
    ("form", "values"),
    [
        (LOAN, None),
        (LOAN_ACTION, {"loan_id": "1", "action": "cancel", "date": None}),
        (ITEM, {"item_id": "", "name": "Drone", "category": "Audiovisuel", "units": 1, "active": ["active"],
                     "description": ""}),
    ],
)  # fmt: skip
def test_viewer_forged_writes_change_nothing(app, as_role, projector, form, values):
    coordinator = as_role("coordinator")
    post_form(coordinator, LOAN, loan_values(projector))
    viewer = app.server.test_client()
    assert login(viewer, "viewer@example.org").status_code == 302
    before = counts(app)
    response = post_form(viewer, form, values or loan_values(projector, start_date="2030-01-01"))
    assert "Action réservée au rôle « Coordination »" in text(response)
    assert counts(app) == before
    with app.server.extensions["database"].session() as session:
        assert session.get(Loan, 1).cancelled_at is None
        assert session.scalar(select(func.count(EquipmentItem.id))) == 1


def test_follow_up_actions_through_the_form(app, as_role, projector):
    client = as_role("coordinator")
    post_form(client, LOAN, loan_values(projector))

    def act(action, day):
        return post_form(client, LOAN_ACTION, {"loan_id": "1", "action": action, "date": day.isoformat()})

    # The db function's end_date message shows under the form's own date field.
    assert field_errors(act("extend", TODAY))["date"].startswith("La nouvelle fin doit être après la fin actuelle")
    new_end = TODAY + dt.timedelta(days=5)
    assert f"Prêt n° 1 prolongé jusqu'au {new_end:%d/%m/%Y}." in text(act("extend", new_end))
    assert f"Prêt n° 1 marqué rendu le {TODAY:%d/%m/%Y}." in text(act("return", TODAY))
    assert counts(app) == (1, 3)


def test_item_form_creates_and_edits(app, as_role, projector):
    client = as_role("coordinator")
    values = {"item_id": "new", "name": "Drone", "category": "Audiovisuel", "units": "2", "active": ["active"],
              "description": "Drone et batteries"}  # fmt: skip
    assert "Article « Drone » ajouté au catalogue." in text(post_form(client, ITEM, values))
    values |= {"item_id": str(projector), "name": "Vidéoprojecteur HD", "active": []}
    assert "Article « Vidéoprojecteur HD » mis à jour." in text(post_form(client, ITEM, values))
    with app.server.extensions["database"].session() as session:
        item = session.get(EquipmentItem, projector)
    assert (item.name, item.units, item.active) == ("Vidéoprojecteur HD", 2, False)


def walk(component):
    """Every component of a layout tree."""
    stack = [component]
    while stack:
        node = stack.pop()
        if isinstance(node, list | tuple):
            stack.extend(node)
        elif node is not None and hasattr(node, "to_plotly_json"):
            yield node
            stack.append(getattr(node, "children", None))


def _rendered_ids(component) -> set:
    return {str(node.id) for node in walk(component) if getattr(node, "id", None) is not None}


def test_viewer_sees_panels_but_no_form(app, users, ui):
    _callbacks, page = ui
    with app.server.test_request_context("/materiel"):
        login_user(users["viewer"])
        viewer_ids = _rendered_ids(page.layout())
        login_user(users["coordinator"])
        coordinator_ids = _rendered_ids(page.layout())
    assert "materiel-gauges" in viewer_ids and "materiel-calendar" in viewer_ids
    assert not any("'form'" in i for i in viewer_ids)
    assert {LOAN, LOAN_ACTION, ITEM} <= {i.split("'form': '")[1].split("'")[0] for i in coordinator_ids
                                                        if "'form': '" in i}  # fmt: skip


def test_the_loans_grid_is_drawn_when_the_reader_comes_near(app, users, ui):
    """The grid is not in the page's first layout (it held the first click back at five years); the reveal marker
    above it brings it, rows selectable for a coordinator only."""
    from dash.exceptions import PreventUpdate

    callbacks, page = ui
    with app.server.test_request_context("/materiel"):
        login_user(users["coordinator"])
        assert "materiel-loans" not in _rendered_ids(page.layout())
        with pytest.raises(PreventUpdate):
            callbacks.loans(False)
        grid = callbacks.loans(True)
        assert grid.id == "materiel-loans" and "rowSelection" in grid.dashGridOptions
        login_user(users["viewer"])
        assert "rowSelection" not in callbacks.loans(True).dashGridOptions


def test_period_selection(ui):
    callbacks, _page = ui
    assert callbacks.period_of("2024", None, None)[0] == callbacks.Period.year(2024)
    period, note = callbacks.period_of("2024", "2025-03-01", "2025-03-31")
    assert (period.start, period.end, note) == (dt.date(2025, 3, 1), dt.date(2025, 3, 31), _range_note())
    assert callbacks.period_of("2024", "2025-03-31", "2025-03-01")[0] == callbacks.Period.year(2024)
    assert "Indiquer les deux dates" in callbacks.period_of("2024", "2025-03-01", None)[1]


def _range_note():
    return "Période : du 01/03/2025 au 31/03/2025 (31 jours)."


def test_panels_and_exports_follow_the_records(app, as_role, projector, ui):
    callbacks, _page = ui
    client = as_role("coordinator")
    post_form(client, LOAN, loan_values(projector))
    with app.server.app_context():
        note, summary, gauges, *_ = callbacks.panels(str(TODAY.year), None, None, [1])
        frame = callbacks.export_frame("articles", callbacks.Period.year(TODAY.year))
        loans = callbacks.export_frame("prets", callbacks.Period.year(TODAY.year))
    assert note == f"Période : année {TODAY.year}."
    loan_days = min(3, (dt.date(TODAY.year, 12, 31) - TODAY).days + 1)
    (graph,) = [n for n in walk(gauges) if type(n).__name__ == "Graph"]  # one figure for every gauge
    assert [row[0] for row in graph.figure["data"][1]["customdata"]] == [loan_days]
    assert frame.to_dict("records")[0]["Jours de prêt"] == loan_days
    assert list(loans["Structure"]) == ["Club photo"]
    buffer = io.BytesIO()
    frame.to_excel(buffer, index=False)
    assert pd.read_excel(io.BytesIO(buffer.getvalue()))["Article"].tolist() == ["Vidéoprojecteur"]


def test_choosing_an_item_fills_the_catalogue_form(app, projector, ui):
    callbacks, page = ui
    with app.server.app_context():
        assert callbacks.fill_item(str(projector)) == ("Vidéoprojecteur", "Audiovisuel", 1, ["active"], "")
        assert callbacks.fill_item(page.NEW_ITEM) == ("", "", 1, ["active"], "")


def test_calendar_gives_overlapping_loans_their_own_row(ui):
    callbacks, _page = ui
    day = dt.date(2026, 3, 1)
    frame = pd.DataFrame(
        {
            "id": [1, 2, 3, 4],
            "item": ["Kit", "Kit", "Kit", "Drone"],
            "start_date": [day, day + dt.timedelta(days=2), day + dt.timedelta(days=6), day],
            "end_date": [day + dt.timedelta(days=4), day + dt.timedelta(days=5), day + dt.timedelta(days=8), day],
            "returned_on": [None, None, day + dt.timedelta(days=6), None],
        }
    )
    assert list(callbacks._lanes(frame)) == ["Kit · 1", "Kit · 2", "Kit · 1", "Drone"]


def test_the_catalogue_says_what_an_item_is_today(ui):
    """« Prêtable » is not « disponible » : an item out, late or partly out says so, and how many units."""
    callbacks, _page = ui
    items = pd.DataFrame({"id": [1, 2, 3, 4, 5], "units": [1, 2, 2, 1, 1], "active": [True, True, True, True, False]})
    out = pd.DataFrame({"units_out": [1, 1, 2], "overdue": [0, 0, 1]}, index=pd.Index([1, 2, 3], name="id"))
    states = [callbacks.today_state(row, out) for row in items.itertuples()]
    assert states == [
        ("En prêt", "out"),
        ("Disponible aujourd'hui : 1 sur 2", "free"),
        ("En retard (2 sur 2 sorties)", "late"),
        ("Disponible aujourd'hui", "free"),
        ("Retiré du catalogue", "retired"),
    ]


def test_a_regional_catalogue_shows_its_busiest_gauges_and_a_first_page(app, database, ui):
    """Hundreds of items: the page shows the 40 busiest gauges and 100 catalogue rows, and says the export has all."""
    callbacks, _page = ui
    with database.transaction() as session:
        session.add_all(EquipmentItem(name=f"Kit n°{n:03}", category="Robotique", units=1) for n in range(120))
    with app.server.test_request_context():  # callbacks run in a request: the catalogue asks who reads it
        _note, _summary, gauges, *_ = callbacks.panels(str(TODAY.year), None, None, [1])
        catalogue = callbacks.catalogue(True, [1])  # the reader came near it
    (graph,) = [n for n in walk(gauges) if type(n).__name__ == "Graph"]
    assert len(graph.figure["data"][1]["y"]) == callbacks.GAUGES_SHOWN
    assert "… et 80 autres articles, moins utilisés : tous dans l'export « Utilisation par article »." in str(gauges)
    (grid,) = [n for n in walk(catalogue) if type(n).__name__ == "AgGrid"]  # one component, its rows as data
    assert len(grid.rowData) == callbacks.CATALOGUE_SHOWN
    assert {row["today"] for row in grid.rowData} == {"Disponible aujourd'hui"}
    assert "… et 20 autres articles : tous dans l'export « Articles »." in str(catalogue)


def test_calendar_shows_its_rows_a_page_at_a_time(ui):
    """60 items out the same week: rows 1–25, 26–50, 51–60; a start past the end shows the last page."""
    callbacks, _page = ui
    day = dt.date(2026, 3, 2)
    names = [f"Article {n:02d}" for n in range(60)]
    frame = pd.DataFrame(
        {"id": range(60), "item": names, "start_date": [day] * 60, "end_date": [day] * 60, "returned_on": [None] * 60}
    )
    first_page, first, total = callbacks.calendar_rows(frame, 0)
    assert (first, total) == (0, 60) and sorted(first_page["row"]) == names[:25]
    second, first, _total = callbacks.calendar_rows(frame, 25)
    assert first == 25 and sorted(second["row"]) == names[25:50]
    last, first, _total = callbacks.calendar_rows(frame, 500)
    assert first == 50 and sorted(last["row"]) == names[50:]


def test_calendar_pages_its_rows_when_many_items_are_out(app, database, ui):
    """30 items out this week: the calendar draws 25 rows, says which, and its pager moves to the last 5."""
    callbacks, _page = ui
    with database.transaction() as session:
        items = [EquipmentItem(name=f"Kit n°{n:02}", category="Robotique", units=1) for n in range(30)]
        session.add_all(items)
        session.flush()
        session.add_all(
            Loan(item_id=item.id, borrower_name="Médiathèque", start_date=TODAY, end_date=TODAY) for item in items
        )
    with app.server.test_request_context():
        chart, _weeks, rows, hidden, previous_off, next_off = callbacks.calendar(None, 0, [1])
        assert (rows, hidden, previous_off, next_off) == ("Articles 1 à 25 sur 30", False, True, False)
        (graph,) = [n for n in walk(chart) if type(n).__name__ == "Graph"]
        assert len({row for trace in graph.figure["data"] for row in trace["y"]}) == 25
        assert "articles 1 à 25 sur 30 affichés" in chart.to_plotly_json()["props"]["aria-label"]
        _chart, _weeks, rows, _hidden, previous_off, next_off = callbacks.calendar(None, callbacks.CALENDAR_ROWS, [1])
        assert (rows, previous_off, next_off) == ("Articles 26 à 30 sur 30", False, True)
