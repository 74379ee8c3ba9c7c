"""The annual report page: its files and preview, the report's texts, validation and versions, and the convention
(admins): export, import, a copy for new years, missions one by one."""

from __future__ import annotations

import base64

import dash_bootstrap_components as dbc
from dash import ALL, Input, Output, State, dcc, html, no_update

from dashboard import ids
from dashboard.callbacks.forms import acting_user, alert, database
from dashboard.components.cards import empty_state
from db import catalogue, clock, rapport, report_versions, revisions
from db import convention as conv
from db.models import Mission
from db.periods import chosen_year
from db.writes import PermissionDenied, ValidationError

REPORT_COMMENT = ids.REPORT_COMMENT_FORM
FORMATS = (("pdf", "PDF", "file-earmark-pdf"), ("html", "HTML", "filetype-html"), ("docx", "DOCX", "file-earmark-word"))


def report_links(year):
    """The report's files for the chosen year (DOCX when a convention lays it out)."""
    with database().session() as session:
        has_convention = conv.for_year(session, chosen_year(year, clock.today())) is not None
    return [
        dbc.Button(
            [html.I(className=f"bi bi-{icon} me-1", **{"aria-hidden": "true"}), f"{label} {year}" if n == 0 else label],
            href=f"/api/rapport/{chosen_year(year, clock.today())}.{extension}",
            external_link=True,
            color="primary",
            outline=n > 0,
        )
        for n, (extension, label, icon) in enumerate(FORMATS)
        if extension != "docx" or has_convention
    ]


def report_preview(year, _saved, _imported):
    """The chosen year's report as it will print, in a frame that loads it from its own address (a document of
    several hundred KB, cached by the browser per data revision, instead of inside the callback's answer). It
    reloads after each saved text, validation or convention change: the revision in the address changes."""
    today = clock.today()
    year = chosen_year(year, today)
    with database().session() as session:
        version = f"{revisions.fingerprint(session)}-{today:%Y%m%d}"
    return html.Iframe(
        src=f"/api/rapport/{year}/apercu.html?version={version}",
        title=f"Aperçu du rapport d'activité {year}",
        className="report-preview",
    )


def narrative_parts(year, _imported):
    """The parts of the year's report a text may be written for, and the year the text and validation forms write
    to."""
    with database().session() as session:
        targets = rapport.narrative_targets(session, chosen_year(year, clock.today()))
    options = [{"label": label, "value": key} for key, label in targets.items()]
    return options, next(iter(targets), None), year, year


def narrative_text(year, mission):
    """The stored text of the chosen year and part, into the form."""
    if not mission:
        return ""
    with database().session() as session:
        return rapport.comments(session, chosen_year(year, clock.today())).get(mission, "")


def versions_panel(year, _saved):
    """The validated versions of the year, each downloadable, and what changed since the latest."""
    year = chosen_year(year, clock.today())
    with database().session() as session:
        listed = report_versions.versions(session, year)
        number, changes = report_versions.differences(session, year) if listed else (None, [])
    if not listed:
        return empty_state(f"Aucune version validée du rapport {year}.", "lock")
    items = [
        html.Li(
            [
                html.Strong(f"Version {v.number}"),
                f" — validée le {v.validated_at} par {v.validated_by}",
                html.Div(v.note, className="small text-body-secondary") if v.note else None,
                html.Div(
                    [
                        html.A(label, href=f"/api/rapport/{year}/v{v.number}.{ext}", className="me-2")
                        for ext, label, _ in FORMATS
                    ],
                    className="small",
                ),
            ],
            className="mb-2",
        )
        for v in listed
    ]
    if changes:
        since = html.Div(
            [
                html.H3(f"Changements depuis la version {number}", className="h6 mt-3"),
                dbc.Table(
                    [
                        html.Thead(
                            html.Tr([html.Th("Mission"), html.Th("Quoi"), html.Th("Envoyé"), html.Th("Aujourd'hui")])
                        ),
                        html.Tbody(
                            [
                                html.Tr([html.Td(c.mission), html.Td(c.what), html.Td(c.sent), html.Td(c.now)])
                                for c in changes
                            ]
                        ),
                    ],
                    size="sm",
                    className="report-changes",
                ),
                html.P(
                    "La version validée reste telle qu'envoyée ; valider à nouveau émet une nouvelle version.",
                    className="small text-body-secondary",
                ),
            ]
        )
    else:
        since = html.P(
            f"Aucun changement depuis la version {number} : le rapport calculé aujourd'hui est identique.",
            className="small text-success mt-2",
        )
    return [html.Ul(items, className="list-unstyled mb-0"), since]


# --- the convention (admins) ------------------------------------------------------------------------------------------


def convention_panel(year, _imported, _saved):
    """The convention covering the year (axes, missions, figures), and the options of the admin's forms."""
    year = chosen_year(year, clock.today())
    with database().session() as session:
        convention = conv.for_year(session, year)
        every = conv.list_conventions(session)
        sources = [{"label": f"{conv.span_label(c)} — {c.title}", "value": c.id} for c in every]
        if convention is None:
            summary = empty_state(
                f"Aucune convention ne couvre {year} : le rapport suit les missions propres au tableau de bord. "
                "Importer une convention (JSON) ou en recopier une.",
                "journal-x",
            )
            missions, axes = [], []
        else:
            summary = html.Div(
                [
                    html.P([html.Strong(convention.title), f" ({conv.span_label(convention)})"], className="mb-1"),
                    html.Ol(
                        [
                            html.Li(
                                [
                                    axis.title,
                                    html.Ol(
                                        [
                                            html.Li(
                                                [
                                                    mission.title,
                                                    html.Span(
                                                        " · "
                                                        + ", ".join(
                                                            catalogue.BY_KEY[f.figure_key].label
                                                            for f in mission.figures
                                                        ),
                                                        className="small text-body-secondary",
                                                    )
                                                    if mission.figures
                                                    else None,
                                                ]
                                            )
                                            for mission in axis.missions
                                        ]
                                    ),
                                ]
                            )
                            for axis in convention.axes
                        ],
                        className="small",
                    ),
                ]
            )
            missions = [{"label": m.title, "value": m.id} for m in conv.missions(convention)]
            axes = [{"label": a.title, "value": a.id} for a in convention.axes]
        source = next((c.id for c in every if c.first_year <= year - 1 <= c.last_year), every[0].id if every else None)
    return (
        summary,
        sources,
        source,
        [{"label": "— Nouvelle mission —", "value": "new"}, *missions],
        axes,
        axes[0]["value"] if axes else None,
    )


def mission_values(mission_id):
    """The chosen mission's fields into the form (a new mission: blank)."""
    with database().session() as session:
        mission = session.get(Mission, int(mission_id)) if str(mission_id or "").isdigit() else None
        if mission is None:
            return no_update, "", "", None, []
        return (
            mission.axis_id,
            mission.title,
            mission.description or "",
            mission.position,
            [f.figure_key for f in mission.figures],
        )


def export_convention(_clicks, year):
    with database().session() as session:
        convention = conv.for_year(session, chosen_year(year, clock.today()))
        if convention is None:
            return no_update
        return dcc.send_string(conv.export_json(convention), f"convention-{conv.span_label(convention)}.json")


def import_convention(contents, filename, imported):
    if not contents:
        return no_update, no_update, no_update
    data = base64.b64decode(contents.split(",", 1)[1])
    try:
        with database().transaction() as session:
            message = conv.import_convention(session, acting_user(), content=data)
    except ValidationError as error:
        reasons = "; ".join(f"{k} : {v}" if k else v for k, v in error.errors.items())
        return alert(f"{filename} : {reasons}. Rien n'a été importé.", "danger"), imported, None
    except PermissionDenied as error:
        return alert(str(error), "warning"), imported, None
    return alert(f"{filename} : {message}", "success"), (imported or 0) + 1, None


FORMS = {
    REPORT_COMMENT: rapport.save_narrative,
    ids.REPORT_VALIDATE_FORM: report_versions.validate,
    ids.CONVENTION_COPY_FORM: conv.copy_convention,
    ids.CONVENTION_MISSION_FORM: conv.save_mission,
}


def register(app) -> None:
    saved = Input(ids.form_saved(ALL), "data")
    imported = Input(ids.RAPPORT_CONVENTION_IMPORTED, "data")
    app.callback(Output(ids.RAPPORT_DOWNLOADS, "children"), Input(ids.RAPPORT_YEAR, "value"), imported, saved)(
        lambda year, *_: report_links(year)
    )
    app.callback(Output(ids.RAPPORT_PREVIEW, "children"), Input(ids.RAPPORT_YEAR, "value"), saved, imported)(
        report_preview
    )
    app.callback(
        Output(ids.field(REPORT_COMMENT, "mission"), "options"),
        Output(ids.field(REPORT_COMMENT, "mission"), "value", allow_duplicate=True),
        Output(ids.field(REPORT_COMMENT, "year"), "value", allow_duplicate=True),
        Output(ids.field(ids.REPORT_VALIDATE_FORM, "year"), "value", allow_duplicate=True),
        Input(ids.RAPPORT_YEAR, "value"),
        imported,  # (every input is on the page for every role: a missing one would keep the callback from running)
        prevent_initial_call="initial_duplicate",
    )(narrative_parts)
    app.callback(
        Output(ids.field(REPORT_COMMENT, "text"), "value", allow_duplicate=True),
        Input(ids.RAPPORT_YEAR, "value"),
        Input(ids.field(REPORT_COMMENT, "mission"), "value"),
        prevent_initial_call="initial_duplicate",
    )(narrative_text)
    app.callback(Output(ids.RAPPORT_VERSIONS, "children"), Input(ids.RAPPORT_YEAR, "value"), saved)(versions_panel)
    # The convention's panel, export and import: read by every role (the convention is no secret), written by
    # admins only (db/convention.py checks it).
    app.callback(
        Output(ids.RAPPORT_CONVENTION, "children"),
        Output(ids.field(ids.CONVENTION_COPY_FORM, "source_id"), "options"),
        Output(ids.field(ids.CONVENTION_COPY_FORM, "source_id"), "value", allow_duplicate=True),
        Output(ids.field(ids.CONVENTION_MISSION_FORM, "mission_id"), "options"),
        Output(ids.field(ids.CONVENTION_MISSION_FORM, "axis_id"), "options"),
        Output(ids.field(ids.CONVENTION_MISSION_FORM, "axis_id"), "value", allow_duplicate=True),
        Input(ids.RAPPORT_YEAR, "value"),
        imported,
        saved,
        prevent_initial_call="initial_duplicate",
    )(convention_panel)
    app.callback(
        Output(ids.field(ids.CONVENTION_MISSION_FORM, "axis_id"), "value", allow_duplicate=True),
        Output(ids.field(ids.CONVENTION_MISSION_FORM, "title"), "value", allow_duplicate=True),
        Output(ids.field(ids.CONVENTION_MISSION_FORM, "description"), "value", allow_duplicate=True),
        Output(ids.field(ids.CONVENTION_MISSION_FORM, "position"), "value", allow_duplicate=True),
        Output(ids.field(ids.CONVENTION_MISSION_FORM, "figures"), "value", allow_duplicate=True),
        Input(ids.field(ids.CONVENTION_MISSION_FORM, "mission_id"), "value"),
        prevent_initial_call=True,
    )(mission_values)
    app.callback(
        Output(ids.RAPPORT_DOWNLOAD, "data"),
        Input(ids.RAPPORT_CONVENTION_EXPORT, "n_clicks"),
        State(ids.RAPPORT_YEAR, "value"),
        prevent_initial_call=True,
    )(export_convention)
    app.callback(
        Output(ids.RAPPORT_CONVENTION_RESULT, "children"),
        Output(ids.RAPPORT_CONVENTION_IMPORTED, "data"),
        Output(ids.RAPPORT_CONVENTION_UPLOAD, "contents"),
        Input(ids.RAPPORT_CONVENTION_UPLOAD, "contents"),
        State(ids.RAPPORT_CONVENTION_UPLOAD, "filename"),
        State(ids.RAPPORT_CONVENTION_IMPORTED, "data"),
        prevent_initial_call=True,
    )(import_convention)
