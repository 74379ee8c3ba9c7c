import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import ids
from dashboard.components.cards import page_header
from db import clock
from db.indicateurs import period_choices

dash.register_page(__name__, path="/indicateurs", name="Indicateurs", title="Indicateurs · Médiation numérique")

GRANULARITY_LABEL = "ind-granularity-label"
GRANULARITIES = [{"label": "Par mois", "value": "mois"}, {"label": "Par année", "value": "annee"}]


def _icon(name: str):
    return html.I(className=f"bi bi-{name} me-1", **{"aria-hidden": "true"})


def layout(periode=None, graphiques=None, **_query):
    choices = period_choices(clock.today())
    values = [value for value, _label in choices]
    return html.Div(
        [
            page_header(
                "Indicateurs",
                "Les chiffres de la convention avec le Département, par mission, comparés à la même période un an "
                "plus tôt. Chaque chiffre est calculé à partir des enregistrements, comme sur les pages de chaque "
                "domaine.",
                actions=[
                    dbc.Button([_icon("filetype-csv"), "CSV"], id=ids.IND_EXPORT_CSV, color="primary", outline=True),
                    dbc.Button(
                        [_icon("file-earmark-spreadsheet"), "Classeur XLSX"],
                        id=ids.IND_EXPORT_XLSX,
                        color="primary",
                        outline=True,
                    ),
                    dbc.Button([_icon("file-earmark-richtext"), "Rapport annuel"], href="/rapport", color="primary"),
                ],
            ),
            html.Div(
                [
                    html.Div(
                        [
                            dbc.Label("Période", html_for=ids.IND_PERIOD, className="mb-0 me-2 fw-semibold"),
                            dbc.Select(
                                id=ids.IND_PERIOD,
                                options=[{"label": label, "value": value} for value, label in choices],
                                value=periode if periode in values else values[0],
                                style={"width": "14rem"},
                            ),
                        ],
                        className="d-flex align-items-center",
                    ),
                    html.Div(
                        [
                            html.Span("Graphiques", id=GRANULARITY_LABEL, className="me-2 fw-semibold"),
                            dbc.RadioItems(
                                id=ids.IND_GRANULARITY,
                                options=GRANULARITIES,
                                value=graphiques if graphiques in ("mois", "annee") else "mois",
                                inline=True,
                                className="mb-0",
                            ),
                        ],
                        role="radiogroup",
                        className="d-flex align-items-center",
                        **{"aria-labelledby": GRANULARITY_LABEL},
                    ),
                ],
                className="ind-toolbar d-flex flex-wrap gap-4 align-items-center mb-4",
            ),
            dcc.Download(id=ids.IND_DOWNLOAD),
            dcc.Loading(html.Div(id=ids.IND_BODY), type="default", delay_show=300),
        ]
    )
