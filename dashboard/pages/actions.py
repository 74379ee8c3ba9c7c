import dash
import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_login import current_user

from dashboard import ids
from dashboard.components.cards import page_header
from dashboard.components.forms import field_input, field_select, field_textarea, form_body, form_field
from dashboard.components.imports import file_drop
from dashboard.components.paging import paged_list
from db import clock
from db.actions import ACCOUNT_MAX, CSV_FORMAT, KINDS
from db.models import Role
from db.writes import has_role

dash.register_page(__name__, path="/actions", name="Actions", title="Actions du réseau · Médiation numérique")

KIND_OPTIONS = [{"label": label, "value": key} for key, label in KINDS.items()]
ALL = "all"


def _form():
    form = ids.ACTION_FORM
    return dbc.Card(
        [
            dbc.CardHeader(html.H2("Saisir une action", className="h6 mb-0")),
            dbc.CardBody(
                form_body(
                    form,
                    [
                        form_field(form, "action_id", "Action", field_select(form, "action_id",
                                   [{"label": "— Nouvelle action —", "value": "new"}], "new")),
                        form_field(form, "title", "Titre", field_input(form, "title", maxLength=300), required=True),
                        form_field(form, "kind", "Type", field_select(form, "kind", KIND_OPTIONS, None), required=True),
                        dbc.Row(
                            [
                                dbc.Col(form_field(form, "start_date", "Date", field_input(form, "start_date", "date"),
                                                   required=True)),
                                dbc.Col(form_field(form, "end_date", "Fin (si plusieurs jours)",
                                                   field_input(form, "end_date", "date"))),
                            ]
                        ),
                        form_field(form, "missions", "Missions de la convention",
                                   dcc.Dropdown(id=ids.field(form, "missions"), options=[], value=[], multi=True,
                                                placeholder="Choisir une ou plusieurs missions")),
                        form_field(form, "partner_places", "Structures partenaires (Carte)",
                                   dcc.Dropdown(id=ids.field(form, "partner_places"), options=[], value=[], multi=True,
                                                placeholder="Lieux de la Carte")),
                        form_field(form, "partner_names", "Autres partenaires", field_textarea(form, "partner_names", rows=2),
                                   "Un nom par ligne."),
                        form_field(form, "commune", "Commune", field_input(form, "commune", maxLength=200),
                                   "Nom ou code INSEE."),
                        form_field(form, "public", "Public", field_input(form, "public", maxLength=300)),
                        dbc.Row(
                            [
                                dbc.Col(form_field(form, "participants", "Participants",
                                                   field_input(form, "participants", "number", min=0))),
                                dbc.Col(form_field(form, "hours", "Heures", field_input(form, "hours", "number", min=0,
                                                                                        step=0.5))),
                            ]
                        ),
                        form_field(form, "account", "Compte rendu", field_textarea(form, "account", rows=4,
                                   maxLength=ACCOUNT_MAX), "Markdown, sans HTML."),
                        form_field(form, "links", "Liens", field_textarea(form, "links", rows=2),
                                   "Une adresse http(s) par ligne."),
                    ],
                    "Enregistrer l'action",
                    record="action_id",
                    new="new",
                )
            ),
        ],
        className="mb-4",
    )  # fmt: skip


def _import():
    return dbc.Card(
        [
            dbc.CardHeader(html.H2("Import CSV", className="h6 mb-0")),
            dbc.CardBody(
                [
                    html.P(
                        ["En-tête : ", html.Code(";".join(CSV_FORMAT.columns)), ". Colonnes obligatoires : titre, "
                         "type, debut. Missions : clés de la convention de l'année, séparées par « | »."],
                        className="small",
                    ),
                    file_drop(ids.ACTIONS_UPLOAD, "Glisser un fichier CSV ici", 2_000_000, ".csv,text/csv,text/plain"),
                    dcc.Loading(html.Div(id=ids.ACTIONS_IMPORT_RESULT, className="mt-2"), type="dot"),
                ]
            ),
        ]
    )  # fmt: skip


def layout(annee=None, **_query):
    today = clock.today()
    years = [{"label": "Toutes les années", "value": ALL}] + [
        {"label": str(y), "value": str(y)} for y in range(today.year, today.year - 8, -1)
    ]
    year = str(annee) if str(annee) in {o["value"] for o in years} else str(today.year)
    user = current_user if current_user.is_authenticated else None
    coordinator = has_role(user, Role.COORDINATOR)
    filters = dbc.Row(
        [
            dbc.Col([dbc.Label("Année", html_for=ids.ACTIONS_YEAR),
                     dbc.Select(id=ids.ACTIONS_YEAR, options=years, value=year)], md=2),
            dbc.Col([dbc.Label("Mission", html_for=ids.ACTIONS_MISSION),
                     dbc.Select(id=ids.ACTIONS_MISSION, options=[{"label": "Toutes", "value": ALL}], value=ALL)], md=4),
            dbc.Col([dbc.Label("Type", html_for=ids.ACTIONS_KIND),
                     dbc.Select(id=ids.ACTIONS_KIND, options=[{"label": "Tous", "value": ALL}, *KIND_OPTIONS],
                                value=ALL)], md=2),
            dbc.Col([dbc.Label("Recherche", html_for=ids.ACTIONS_TEXT),
                     dbc.Input(id=ids.ACTIONS_TEXT, type="search", debounce=True,
                               placeholder="Titre, partenaire, public…")], md=4),
        ],
        className="mb-3 g-2",
    )  # fmt: skip
    listing = html.Div([filters, paged_list(ids.ACTIONS_LIST, "actions")])
    return html.Div(
        [
            page_header(
                "Actions du réseau",
                "Ce que le réseau a fait, daté, sous les missions de la convention : le rapport annuel les raconte.",
                actions=[
                    dbc.Button(
                        [html.I(className="bi bi-file-earmark-text me-1", **{"aria-hidden": "true"}), "Rapport annuel"],
                        href="/rapport",
                        color="primary",
                        outline=True,
                    ),
                    dbc.Button(
                        [html.I(className="bi bi-filetype-csv me-1", **{"aria-hidden": "true"}), "Export CSV"],
                        id=ids.ACTIONS_EXPORT,
                        color="primary",
                        outline=True,
                    ),
                ],
            ),
            dbc.Row(
                [
                    dbc.Col(listing, lg=8 if coordinator else 12, className="mb-4"),
                    dbc.Col([_form(), _import()], lg=4) if coordinator else None,
                ]
            ),
            dcc.Download(id=ids.ACTIONS_DOWNLOAD),
            dcc.Store(id=ids.ACTIONS_IMPORTED, data=0),
        ]
    )
