"""Key-figure cards and page furniture."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.components import format as fmt
from dashboard.components.exports import export_buttons
from db.figures import KeyFigure

ICONS = {
    "places": "geo-alt",
    "events": "calendar-event",
    "loan_days": "box-seam",
    "trainings": "mortarboard",
    "participants": "people",
    "subscribers": "envelope-paper",
}


def figure_notes(figure: KeyFigure) -> html.Div | None:
    """Why a value is missing, what it leaves out, and whether it includes estimates: said next to the number."""
    if not figure.note and not figure.estimated:
        return None
    badge = dbc.Badge("Estimation", color="warning", text_color="dark", className="me-1") if figure.estimated else None
    return html.Div([badge, figure.note], className="kpi-note")


def kpi_card(figure: KeyFigure) -> dbc.Card:
    """A key figure with its source and the date of its latest record, so a reader can trust it."""
    return dbc.Card(
        dbc.CardBody(
            [
                html.Div(
                    [
                        html.I(className=f"bi bi-{ICONS.get(figure.key, 'bar-chart')} me-2", **{"aria-hidden": "true"}),
                        figure.label,
                    ],
                    className="kpi-label",
                ),
                html.Div(
                    [fmt.figure_value(figure.value, figure.unit), html.Span(f" {figure.unit}", className="kpi-unit")]
                    if figure.unit
                    else fmt.number(figure.value),
                    className="kpi-value",
                    **{"data-figure": figure.key},
                ),
                html.Div(figure.detail, className="kpi-detail") if figure.detail else None,
                figure_notes(figure),
                html.Div(
                    [
                        html.Span("Source : "),
                        figure.source,
                        html.Br(),
                        html.Span(f"Dernier enregistrement : {fmt.date(figure.as_of)}"),
                    ],
                    className="kpi-source",
                ),
            ]
        ),
        className="kpi-card h-100",
    )


def panel(
    title: str,
    *,
    body=None,
    body_id=None,
    icon: str | None = None,
    subtitle: str | None = None,
    tools=None,
    export: tuple[str, str] | None = None,
    class_name: str = "",
) -> dbc.Card:
    """A panel of any page: a card titled at level 2 (with its icon and subtitle), its tools and its exports
    (`export`: the area and the panel's key), around `body` as it is (a grid that loads its own rows), or around a
    body a callback fills (`body_id`), with a loading indicator."""
    heading = html.Div(
        [
            html.H2(
                [html.I(className=f"bi bi-{icon} me-2", **{"aria-hidden": "true"}) if icon else None, title],
                className="h6 mb-0",
            ),
            html.Div(subtitle, className="panel-subtitle") if subtitle else None,
        ],
        className="flex-grow-1",
    )
    actions = [tools, export_buttons(*export, title) if export else None]
    content = body if body_id is None else dcc.Loading(html.Div(id=body_id, className="panel-body"), delay_show=300)
    return dbc.Card(
        [
            dbc.CardHeader(
                [heading, html.Div(actions, className="d-flex align-items-center gap-2 flex-wrap")],
                className="d-flex justify-content-between align-items-center gap-2 flex-wrap",
            ),
            dbc.CardBody(content),
        ],
        className=f"panel {class_name}".strip(),
    )


def reveal_marker(store_id: str) -> html.Div:
    """Where a page's lower panels begin: their callbacks wait for the store `store_id`, which turns true once the
    reader comes within a quarter of a screen of this marker (assets/08-reveal.js). The page draws what is in sight first and
    answers its first clicks sooner; a long page does not pay at once for panels nobody scrolled to."""
    return html.Div([dcc.Store(id=store_id, data=False), html.Div(className="reveal-marker", **{"data-reveals": store_id})])


def page_header(title: str, subtitle: str | None = None, actions=None) -> html.Div:
    return html.Div(
        [
            html.Div(
                [
                    html.H1(title, className="h2 mb-1"),
                    html.P(subtitle, className="text-body-secondary mb-0") if subtitle else None,
                ]
            ),
            html.Div(actions, className="d-flex flex-wrap gap-2") if actions else None,
        ],
        className="page-header d-flex flex-wrap justify-content-between align-items-end gap-3 mb-4",
    )


def coming_soon(title: str, what: str) -> html.Div:
    """An honest placeholder for an area not built yet: what it will do, no fake figures."""
    return html.Div(
        [
            page_header(title),
            dbc.Alert(
                [html.H2("À venir", className="h5"), html.P(what, className="mb-0")],
                color="secondary",
                className="coming-soon",
            ),
        ]
    )


def empty_state(message: str, icon: str = "inbox", action=None) -> html.Div:
    """What a panel shows instead of an empty chart or table; `action`: what to do about it (a hint, a link)."""
    return html.Div(
        [
            html.I(className=f"bi bi-{icon} d-block fs-2 mb-2", **{"aria-hidden": "true"}),
            message,
            html.Div(action, className="small mt-2") if action else None,
        ],
        className="empty-state text-center text-body-secondary py-4",
    )


# An empty base is not a search that found nothing: say which, and what fills the base.
NO_PLACE = "Aucun lieu enregistré."
NO_PLACE_ACTION = "Importez un fichier au schéma national (commande « import-places ») pour remplir la carte."
NO_EVENT = "Aucun événement enregistré."
NO_EVENT_ACTION = "L'équipe de coordination saisit les événements ou les importe (.ics, OpenAgenda) sur cette page."
NO_SESSION = "Aucune session enregistrée."
NO_SESSION_ACTION = "Saisissez une formation puis ses sessions avec les formulaires de cette page."


def more_in_export(more: int, what: str, panel: str) -> html.P | None:
    """Under a list cut short: how many rows are left out, and which export has them all."""
    if more <= 0:
        return None
    return html.P(f"… et {fmt.number(more)} autres {what} : tous dans l'export « {panel} ».",
                  className="small text-body-secondary mt-2 mb-0")  # fmt: skip
