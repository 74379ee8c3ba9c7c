import datetime as dt

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_login import current_user

from dashboard import ids
from dashboard.components.cards import page_header
from dashboard.components.forms import field_input, field_select, field_textarea, form_body, form_field
from dashboard.components.imports import file_drop
from db import catalogue, clock
from db.models import Role
from db.rapport import NARRATIVE_MAX
from db.report_versions import NOTE_MAX
from db.writes import has_role

dash.register_page(__name__, path="/rapport", name="Rapport annuel", title="Rapport annuel · Médiation numérique")

REPORT_COMMENT = ids.REPORT_COMMENT_FORM
FIGURE_OPTIONS = [{"label": f"{figure.label} ({figure.key})", "value": figure.key} for figure in catalogue.CATALOGUE]


def report_years(today: dt.date) -> list[int]:
    return list(range(today.year, today.year - 7, -1))


def _user():
    return current_user if current_user.is_authenticated else None


def _card(title: str, body, help_text: str | None = None):
    return dbc.Card(
        [
            dbc.CardHeader(html.H2(title, className="h6 mb-0")),
            dbc.CardBody([html.P(help_text, className="small text-body-secondary") if help_text else None, body]),
        ],
        className="mb-4",
    )


def _narrative_form(year: int):
    if not has_role(_user(), Role.COORDINATOR):
        # The preview listens to these stores; without the forms they simply never change.
        return dbc.Alert(
            [
                "Les textes du rapport sont rédigés par la coordination du réseau.",
                dcc.Store(id=ids.form_saved(REPORT_COMMENT), data=0),
                dcc.Store(id=ids.form_saved(ids.REPORT_VALIDATE_FORM), data=0),
            ],
            color="light",
        )
    return _card(
        "Textes du rapport",
        form_body(
            REPORT_COMMENT,
            [
                field_input(REPORT_COMMENT, "year", "hidden", value=year),
                html.Div(id=ids.field_error(REPORT_COMMENT, "year"), className="field-error", role="alert"),
                form_field(
                    REPORT_COMMENT, "mission", "Partie du rapport", field_select(REPORT_COMMENT, "mission", [], None)
                ),
                form_field(
                    REPORT_COMMENT,
                    "text",
                    "Texte",
                    field_textarea(REPORT_COMMENT, "text", rows=10, maxLength=NARRATIVE_MAX),
                    "Markdown : **gras**, *italique*, listes « - », liens [texte](https://…) ; pas de HTML. "
                    "Laisser vide pour retirer le texte.",
                ),
            ],
            "Enregistrer le texte",
            record="mission",  # the text of the chosen year and part: stays on it
        ),
        "Le bilan de chaque mission de la convention, l'introduction et la conclusion, imprimés dans le rapport de "
        "l'année choisie.",
    )


def _validate_form(year: int):
    if not has_role(_user(), Role.COORDINATOR):
        return None
    return _card(
        "Valider le rapport",
        form_body(
            ids.REPORT_VALIDATE_FORM,
            [
                field_input(ids.REPORT_VALIDATE_FORM, "year", "hidden", value=year),
                html.Div(id=ids.field_error(ids.REPORT_VALIDATE_FORM, "year"), className="field-error", role="alert"),
                form_field(
                    ids.REPORT_VALIDATE_FORM,
                    "note",
                    "Note de version",
                    field_input(ids.REPORT_VALIDATE_FORM, "note", maxLength=NOTE_MAX),
                    "Par exemple : « Envoyé au Département le 15/03 ».",
                ),
            ],
            "Valider et figer cette version",
            icon="lock",
        ),
        "Le rapport validé est conservé tel qu'envoyé (chiffres, actions, textes et fichiers) : les corrections "
        "ultérieures des données ne le modifient pas. Une nouvelle version peut être émise ensuite.",
    )


def _convention_admin():
    if not has_role(_user(), Role.ADMIN):
        return None
    copy_form = form_body(
        ids.CONVENTION_COPY_FORM,
        [
            form_field(
                ids.CONVENTION_COPY_FORM,
                "source_id",
                "Convention à recopier",
                field_select(ids.CONVENTION_COPY_FORM, "source_id", [], None),
            ),
            dbc.Row(
                [
                    dbc.Col(
                        form_field(
                            ids.CONVENTION_COPY_FORM,
                            "first_year",
                            "Première année",
                            field_input(ids.CONVENTION_COPY_FORM, "first_year", "number", min=2000, max=2100),
                        )
                    ),
                    dbc.Col(
                        form_field(
                            ids.CONVENTION_COPY_FORM,
                            "last_year",
                            "Dernière année",
                            field_input(ids.CONVENTION_COPY_FORM, "last_year", "number", min=2000, max=2100),
                        )
                    ),
                ]
            ),
        ],
        "Créer à partir de celle-ci",
        icon="files",
    )
    mission_form = form_body(
        ids.CONVENTION_MISSION_FORM,
        [
            form_field(
                ids.CONVENTION_MISSION_FORM,
                "mission_id",
                "Mission",
                field_select(
                    ids.CONVENTION_MISSION_FORM,
                    "mission_id",
                    [{"label": "— Nouvelle mission —", "value": "new"}],
                    "new",
                ),
            ),
            form_field(
                ids.CONVENTION_MISSION_FORM,
                "axis_id",
                "Axe",
                field_select(ids.CONVENTION_MISSION_FORM, "axis_id", [], None),
            ),
            form_field(
                ids.CONVENTION_MISSION_FORM,
                "title",
                "Titre",
                field_input(ids.CONVENTION_MISSION_FORM, "title", maxLength=300),
                required=True,
            ),
            form_field(
                ids.CONVENTION_MISSION_FORM,
                "description",
                "Description",
                field_textarea(ids.CONVENTION_MISSION_FORM, "description", rows=3),
            ),
            form_field(
                ids.CONVENTION_MISSION_FORM,
                "position",
                "Rang dans l'axe",
                field_input(ids.CONVENTION_MISSION_FORM, "position", "number", min=1, max=99),
            ),
            form_field(
                ids.CONVENTION_MISSION_FORM,
                "figures",
                "Chiffres du catalogue",
                dcc.Dropdown(
                    id=ids.field(ids.CONVENTION_MISSION_FORM, "figures"),
                    options=FIGURE_OPTIONS,
                    value=[],
                    multi=True,
                    placeholder="Choisir les chiffres que la mission rapporte",
                ),
            ),
        ],
        "Enregistrer la mission",
        record="mission_id",
        new="new",
    )
    upload = file_drop(
        ids.RAPPORT_CONVENTION_UPLOAD,
        "Importer une convention : glisser un fichier JSON ici",
        1_000_000,
        ".json,application/json",
    )
    return dbc.Card(
        [
            dbc.CardHeader(html.H2("Convention de l'année (administration)", className="h6 mb-0")),
            dbc.CardBody(
                [
                    dbc.Row(
                        [
                            dbc.Col(
                                [
                                    html.Div(id=ids.RAPPORT_CONVENTION),
                                    dbc.Button(
                                        [
                                            html.I(className="bi bi-download me-1", **{"aria-hidden": "true"}),
                                            "Exporter la convention (JSON)",
                                        ],
                                        id=ids.RAPPORT_CONVENTION_EXPORT,
                                        color="primary",
                                        outline=True,
                                        className="my-2",
                                    ),  # fmt: skip
                                    upload,
                                    dcc.Loading(
                                        html.Div(id=ids.RAPPORT_CONVENTION_RESULT, className="mt-2"), type="dot"
                                    ),
                                    html.H3("Nouvelle convention à partir d'une autre", className="h6 mt-4"),
                                    copy_form,
                                ],
                                lg=6,
                            ),
                            dbc.Col([html.H3("Ajouter ou modifier une mission", className="h6"), mission_form], lg=6),
                        ]
                    )
                ]
            ),
        ],
        className="mb-4",
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
                "Le rapport d'activité de l'année, selon la convention qui lie le réseau au Département : axes, "
                "missions, chiffres, actions datées, bilans de la coordination et conclusion ; ses versions validées.",
                actions=[
                    html.Div(id=ids.RAPPORT_DOWNLOADS, className="d-flex gap-2"),
                    dbc.Button(
                        [html.I(className="bi bi-journal-check me-1", **{"aria-hidden": "true"}), "Actions du réseau"],
                        href="/actions",
                        color="primary",
                        outline=True,
                    ),
                ],
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
                    dbc.Col(
                        [
                            _narrative_form(year),
                            _validate_form(year),
                            _card("Versions validées", dcc.Loading(html.Div(id=ids.RAPPORT_VERSIONS), type="dot")),
                        ],
                        lg=4,
                        className="mb-4",
                    ),
                    dbc.Col(dcc.Loading(html.Div(id=ids.RAPPORT_PREVIEW), type="default", delay_show=300), lg=8),
                ]
            ),
            _convention_admin(),
            dcc.Download(id=ids.RAPPORT_DOWNLOAD),
            dcc.Store(id=ids.RAPPORT_CONVENTION_IMPORTED, data=0),
        ]
    )
