import datetime as dt

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_login import current_user

from dashboard import ids
from dashboard.components.cards import page_header
from dashboard.components.forms import field_input, field_select, field_textarea, form_body, form_field
from db import clock
from db.indicateurs import MISSIONS
from db.models import Role
from db.rapport import COMMENT_MAX
from db.writes import has_role

dash.register_page(__name__, path="/rapport", name="Rapport annuel", title="Rapport annuel · Médiation numérique")

REPORT_COMMENT = "report-comment"
MISSION_OPTIONS = [{"label": mission.title, "value": mission.key} for mission in MISSIONS]


def report_years(today: dt.date) -> list[int]:
    return list(range(today.year, today.year - 7, -1))


def _comment_form(year: int):
    if not has_role(current_user if current_user.is_authenticated else None, Role.COORDINATOR):
        # The preview listens to this store; without the form it simply never changes.
        return dbc.Alert(
            [
                "Les commentaires de chaque mission sont rédigés par la coordination du réseau.",
                dcc.Store(id=ids.form_saved(REPORT_COMMENT), data=0),
            ],
            color="light",
        )
    return dbc.Card(
        [
            dbc.CardHeader(html.H2("Commentaire de la coordination", className="h6 mb-0")),
            dbc.CardBody(
                [
                    html.P(
                        "Un texte libre par mission, imprimé dans le rapport de l'année choisie à la suite des chiffres.",
                        className="small text-body-secondary",
                    ),
                    form_body(
                        REPORT_COMMENT,
                        [
                            field_input(REPORT_COMMENT, "year", "hidden", value=year),
                            html.Div(id=ids.field_error(REPORT_COMMENT, "year"), className="field-error", role="alert"),
                            form_field(
                                REPORT_COMMENT,
                                "mission",
                                "Mission",
                                field_select(REPORT_COMMENT, "mission", MISSION_OPTIONS, MISSIONS[0].key),
                            ),
                            form_field(
                                REPORT_COMMENT,
                                "text",
                                "Commentaire",
                                field_textarea(REPORT_COMMENT, "text", rows=9, maxLength=COMMENT_MAX),
                                f"{COMMENT_MAX} caractères au plus. Laisser vide pour retirer le commentaire.",
                            ),
                        ],
                        "Enregistrer le commentaire",
                        record="mission",  # the commentary of the chosen year and mission: stays on it
                    ),
                ]
            ),
        ]
    )


def layout(annee=None, **_query):
    today = clock.today()
    years = report_years(today)
    try:
        year = int(annee) if int(annee) in years else today.year - 1
    except (TypeError, ValueError):
        year = today.year - 1
    return html.Div(
        [
            page_header(
                "Rapport annuel",
                "Le rapport d'activité de l'année, par mission de la convention, généré à partir des données : "
                "chiffres, graphiques, tableaux détaillés, commentaires de la coordination et annexe de données.",
                actions=[html.Div(id=ids.RAPPORT_DOWNLOADS, className="d-flex gap-2")],
            ),
            html.Div(
                [
                    dbc.Label("Année du rapport", html_for=ids.RAPPORT_YEAR, className="mb-0 me-2 fw-semibold"),
                    dbc.Select(
                        id=ids.RAPPORT_YEAR,
                        options=[{"label": str(y), "value": y} for y in years],
                        value=year,
                        style={"width": "8rem"},
                    ),
                ],
                className="ind-toolbar d-flex align-items-center mb-4",
            ),
            dbc.Row(
                [
                    dbc.Col(_comment_form(year), lg=4, className="mb-4"),
                    dbc.Col(
                        dcc.Loading(html.Div(id=ids.RAPPORT_PREVIEW), type="default", delay_show=300),
                        lg=8,
                    ),
                ]
            ),
        ]
    )
