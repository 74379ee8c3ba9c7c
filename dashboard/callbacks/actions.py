"""Actions: the filtered list a page at a time, its export, the action form's choices and values, the CSV import."""

from __future__ import annotations

import base64

from dash import ALL, Input, Output, State, dcc, no_update

from dashboard import ids
from dashboard.callbacks.forms import acting_user, alert, database
from dashboard.components import format as fmt
from dashboard.components.paging import page_inputs, page_outputs, page_targets, requested_page, table
from db import actions
from db import convention as conv
from db.periods import Period
from db.spreadsheets import csv_text
from db.writes import PermissionDenied, ValidationError

EVERY = "all"


def filters(year, mission, kind, text) -> actions.ActionFilters:
    period = Period.year(int(year)) if str(year or "").isdigit() else None
    return actions.ActionFilters(
        first=period.start if period else None,
        last=period.end if period else None,
        mission_id=int(mission) if str(mission or "").isdigit() else None,
        kind=kind if kind in actions.KINDS else None,
        text=text or "",
    )


def _day(value) -> str:
    return "" if value is None or value != value else f"{value:%d/%m/%Y}"


def action_list(year, mission, kind, text, _saved, _imported, _previous, _next, shown):
    with database().session() as session:
        page = actions.actions_page(session, filters(year, mission, kind, text), requested_page(ids.ACTIONS_LIST, shown))
    rows = [
        [
            _day(row.date) + (f" → {_day(row.end)}" if row.end is not None and row.end == row.end else ""),
            row.title,
            row.kind,
            row.missions,
            row.partners,
            "" if row.participants is None or row.participants != row.participants else fmt.number(row.participants),
        ]
        for row in page.rows.itertuples()
    ]
    headers = ["Date", "Titre", "Type", "Missions", "Partenaires", "Participants"]
    choices = [{"label": "— Nouvelle action —", "value": "new"}] + [
        {"label": f"{_day(row.date)} · {row.title}", "value": int(row.id)} for row in page.rows.itertuples()
    ]
    return *page_outputs(page, table("Actions", headers, rows, frozenset({5}))), choices


def choices(year, _imported):
    """The missions of the year's convention (filter and form) and the places of the Carte (form)."""
    with database().session() as session:
        if str(year or "").isdigit():
            missions = conv.mission_options(session, int(year))
        else:
            missions = [{"label": f"{m.title} ({m.convention})", "value": m.id} for m in conv.all_missions(session)]
        places = actions.place_options(session)
    return [{"label": "Toutes", "value": EVERY}, *missions], EVERY, missions, places


def action_values(action_id):
    names = ["title", "kind", "start_date", "end_date", "missions", "partner_places", "partner_names", "commune",
             "public", "participants", "hours", "account", "links"]  # fmt: skip
    if not str(action_id or "").isdigit():
        return [no_update for _ in names]
    with database().session() as session:
        values = actions.action_values(session, action_id)
    return [no_update for _ in names] if values is None else [values[name] for name in names]


def export(_clicks, year, mission, kind, text):
    with database().session() as session:
        frame = actions.export_frame(session, filters(year, mission, kind, text))
    return dcc.send_bytes(csv_text(frame).encode("utf-8"), f"actions-{year if year != EVERY else 'toutes'}.csv")


def import_file(contents, filename, imported):
    if not contents:
        return no_update, no_update, no_update
    data = base64.b64decode(contents.split(",", 1)[1])
    try:
        with database().transaction() as session:
            report = actions.import_csv(session, acting_user(), data)
    except ValidationError as error:
        return alert(f"{filename} : {error.errors.get('', error)} Rien n'a été importé.", "danger"), imported, None
    except PermissionDenied as error:
        return alert(str(error), "warning"), imported, None
    outcome = [alert(f"{filename} : {report.summary}", "warning" if report.rejected else "success")]
    if report.rejected:
        outcome.append(table("Lignes rejetées", ["Ligne", "Motif"], [[line, reason] for line, reason in report.rejected[:50]]))
    return outcome, (imported or 0) + (1 if report.created else 0), None


FORMS = {ids.ACTION_FORM: actions.save_action}


def register(app) -> None:
    form_fields = ["title", "kind", "start_date", "end_date", "missions", "partner_places", "partner_names", "commune",
                   "public", "participants", "hours", "account", "links"]  # fmt: skip
    app.callback(
        *page_targets(ids.ACTIONS_LIST),
        Output(ids.field(ids.ACTION_FORM, "action_id"), "options"),
        Input(ids.ACTIONS_YEAR, "value"),
        Input(ids.ACTIONS_MISSION, "value"),
        Input(ids.ACTIONS_KIND, "value"),
        Input(ids.ACTIONS_TEXT, "value"),
        Input(ids.form_saved(ALL), "data"),
        Input(ids.ACTIONS_IMPORTED, "data"),
        *page_inputs(ids.ACTIONS_LIST),
    )(action_list)
    app.callback(
        Output(ids.ACTIONS_MISSION, "options"),
        Output(ids.ACTIONS_MISSION, "value"),
        Output(ids.field(ids.ACTION_FORM, "missions"), "options"),
        Output(ids.field(ids.ACTION_FORM, "partner_places"), "options"),
        Input(ids.ACTIONS_YEAR, "value"),
        Input(ids.ACTIONS_IMPORTED, "data"),
    )(choices)
    app.callback(
        *[Output(ids.field(ids.ACTION_FORM, name), "value", allow_duplicate=True) for name in form_fields],
        Input(ids.field(ids.ACTION_FORM, "action_id"), "value"),
        prevent_initial_call=True,
    )(action_values)
    app.callback(
        Output(ids.ACTIONS_DOWNLOAD, "data"),
        Input(ids.ACTIONS_EXPORT, "n_clicks"),
        State(ids.ACTIONS_YEAR, "value"),
        State(ids.ACTIONS_MISSION, "value"),
        State(ids.ACTIONS_KIND, "value"),
        State(ids.ACTIONS_TEXT, "value"),
        prevent_initial_call=True,
    )(export)
    app.callback(
        Output(ids.ACTIONS_IMPORT_RESULT, "children"),
        Output(ids.ACTIONS_IMPORTED, "data"),
        Output(ids.ACTIONS_UPLOAD, "contents"),
        Input(ids.ACTIONS_UPLOAD, "contents"),
        State(ids.ACTIONS_UPLOAD, "filename"),
        State(ids.ACTIONS_IMPORTED, "data"),
        prevent_initial_call=True,
    )(import_file)

