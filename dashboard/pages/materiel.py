import dash
import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_login import current_user

from dashboard import ids
from dashboard.components import cards
from dashboard.components.cards import page_header
from dashboard.components.entry import entry_button, entry_panel
from dashboard.components.forms import (
    dropdown,
    field_input,
    field_select,
    field_textarea,
    form_body,
    form_field,
)
from dashboard.components.grids import column, server_grid
from db import clock
from db.materiel import EARLIEST, PURPOSES
from db.models import Role
from db.writes import has_role

dash.register_page(__name__, path="/materiel", name="Matériel", title="Matériel · Médiation numérique")

NEW_ITEM = "new"  # the catalogue form's choice for "a new item" (a select cannot show an empty value)
ACTION_OPTIONS = [
    {"label": "Marquer rendu (date de retour réelle)", "value": "return"},
    {"label": "Prolonger (nouvelle date de fin)", "value": "extend"},
    {"label": "Annuler le prêt", "value": "cancel"},
]
PURPOSE_OPTIONS = [{"label": purpose.capitalize(), "value": purpose} for purpose in PURPOSES]
LOAN_FORM_ANCHOR = "nouveau-pret"
AREA = "materiel"  # its entry panel (dashboard/components/entry.py)
LOANS_ANCHOR = "prets-a-suivre"
LOAN_STATUS_OPTIONS = [
    {"label": "À suivre : en retard, en cours, à venir", "value": "open"},
    {"label": "En retard", "value": "overdue"},
    {"label": "En cours", "value": "current"},
    {"label": "À venir", "value": "upcoming"},
    {"label": "Rendus ces 30 derniers jours", "value": "returned"},
    {"label": "Tous", "value": "all"},
]
LOAN_COLUMNS = [
    column("id", "N°", "number", width=90),
    column("status", "État", width=120, cellClassRules={"loan-overdue-cell": "params.data && params.data.overdue"}),
    column("item", "Article", "text", flex=1, minWidth=150),
    column("borrower", "Structure", "text", flex=1, minWidth=160),
    column("commune", "Commune", "text", width=150),
    column("start_date", "Début", "date", width=140),
    column("end_date", "Fin prévue", "date", width=140),
    column("returned_on", "Rendu le", "date", width=140),
]


def panel(title: str, body_id: str | None, export=None, icon: str = "bar-chart", **options):
    """The page's panels (`cards.panel`): the Matériel's exports, a chart icon by default, as tall as their row."""
    export = ("materiel", export) if export else None
    return cards.panel(title, body_id=body_id, export=export, icon=icon, class_name="materiel-panel h-100", **options)


def _period_bar(year: int, start: str | None, end: str | None):
    this_year = clock.today().year
    years = [{"label": str(y), "value": str(y)} for y in range(this_year + 1, EARLIEST.year - 1, -1)]
    return html.Div(
        [
            html.Div(
                [
                    dbc.Label("Année", html_for=ids.MATERIEL_YEAR, className="mb-0"),
                    dbc.Select(id=ids.MATERIEL_YEAR, options=years, value=str(year), style={"width": "7rem"}),
                ],
                className="period-field",
            ),
            html.Div(
                [
                    dbc.Label("ou du", html_for=ids.MATERIEL_FROM, className="mb-0"),
                    dbc.Input(id=ids.MATERIEL_FROM, type="date", value=start, debounce=True),
                ],
                className="period-field",
            ),
            html.Div(
                [
                    dbc.Label("au", html_for=ids.MATERIEL_TO, className="mb-0"),
                    dbc.Input(id=ids.MATERIEL_TO, type="date", value=end, debounce=True),
                ],
                className="period-field",
            ),
        ],
        className="materiel-period d-flex flex-wrap align-items-end gap-2",
    )


def _loan_form(today: str):
    f = ids.MATERIEL_LOAN_FORM
    return dbc.Card(
        [
            dbc.CardHeader(
                html.H2(
                    [html.I(className="bi bi-plus-circle me-2", **{"aria-hidden": "true"}), "Nouveau prêt"],
                    className="h6 mb-0",
                )
            ),
            dbc.CardBody(
                form_body(
                    f,
                    [
                        dbc.Row(
                            [
                                dbc.Col(
                                    form_field(
                                        f,
                                        "item_id",
                                        "Article",
                                        field_select(f, "item_id", [], placeholder="Choisir un article…"),
                                        required=True,
                                    ),
                                    md=8,
                                ),
                                dbc.Col(
                                    form_field(
                                        f,
                                        "units",
                                        "Unités",
                                        field_input(f, "units", "number", value=1, min=1),
                                    ),
                                    md=4,
                                ),
                            ]
                        ),
                        form_field(
                            f,
                            "borrower_place_pk",
                            "Structure emprunteuse (lieu de la carte)",
                            dropdown(
                                ids.field(f, "borrower_place_pk"),
                                options=[],
                                placeholder="Rechercher un lieu par son nom ou sa commune…",
                                searchable=True,
                                clearable=True,
                            ),
                            "Ou, si la structure n'est pas sur la carte, son nom et sa commune ci-dessous.",
                            required=True,
                        ),
                        dbc.Row(
                            [
                                dbc.Col(
                                    form_field(
                                        f,
                                        "borrower_name",
                                        "Structure hors carte",
                                        field_input(f, "borrower_name", placeholder="Nom de la structure"),
                                    ),
                                    md=6,
                                ),
                                dbc.Col(
                                    form_field(
                                        f,
                                        "borrower_commune",
                                        "Sa commune",
                                        dropdown(
                                            ids.field(f, "borrower_commune"),
                                            options=[],
                                            placeholder="Commune…",
                                            searchable=True,
                                            clearable=True,
                                        ),
                                    ),
                                    md=6,
                                ),
                            ]
                        ),
                        dbc.Row(
                            [
                                dbc.Col(
                                    form_field(
                                        f,
                                        "start_date",
                                        "Début",
                                        field_input(f, "start_date", "date", value=today),
                                        required=True,
                                    ),
                                    md=6,
                                ),
                                dbc.Col(
                                    form_field(
                                        f,
                                        "end_date",
                                        "Fin (incluse)",
                                        field_input(f, "end_date", "date", value=today),
                                        required=True,
                                    ),
                                    md=6,
                                ),
                            ]
                        ),  # fmt: skip
                        dbc.Row(
                            [
                                dbc.Col(
                                    form_field(
                                        f,
                                        "purpose",
                                        "Objet",
                                        field_select(f, "purpose", PURPOSE_OPTIONS, "atelier"),
                                    ),
                                    md=6,
                                ),
                                dbc.Col(
                                    form_field(
                                        f,
                                        "interventions",
                                        "Interventions prévues",
                                        field_input(
                                            f,
                                            "interventions",
                                            "number",
                                            min=0,
                                            placeholder="une par jour",
                                        ),
                                        "Vide : une par jour de prêt et par unité.",
                                    ),
                                    md=6,
                                ),
                            ]
                        ),
                        form_field(
                            f,
                            "training_given",
                            "Prise en main",
                            dbc.Checklist(
                                id=ids.field(f, "training_given"),
                                options=[{"label": "Une prise en main du matériel a été assurée", "value": "yes"}],
                                value=[],
                                switch=True,
                            ),
                        ),
                        form_field(
                            f,
                            "notes",
                            "Notes",
                            field_textarea(f, "notes", rows=2),
                        ),
                        form_field(
                            f,
                            "mission_id",
                            "Mission de la convention",
                            field_select(f, "mission_id", [{"label": "— Aucune mission —", "value": ""}], ""),
                            "Le rapport annuel raconte le prêt sous cette mission.",
                        ),
                    ],
                    "Enregistrer le prêt",
                    "box-arrow-up-right",
                )
            ),
        ],
        id=LOAN_FORM_ANCHOR,
    )


def _action_form(today: str):
    f = ids.MATERIEL_LOAN_ACTION_FORM
    return dbc.Card(
        [
            dbc.CardHeader(
                html.H2(
                    [html.I(className="bi bi-arrow-repeat me-2", **{"aria-hidden": "true"}), "Retour, prolongation, annulation"],
                    className="h6 mb-0",
                )
            ),
            dbc.CardBody(
                form_body(
                    f,
                    [
                        form_field(
                            f, "loan_id", "Prêt en cours ou à venir",
                            field_select(f, "loan_id", [], placeholder="Choisir un prêt dans la liste…"),
                            "Choisir la ligne du prêt dans « Prêts à suivre » (clic, ou flèches puis Espace).",
                            required=True,
                        ),
                        form_field(
                            f, "action", "Action",
                            dbc.RadioItems(id=ids.field(f, "action"), options=ACTION_OPTIONS, value="return"),
                        ),
                        form_field(
                            f, "date", "Date", field_input(f, "date", "date", value=today),
                            "Date de retour réelle, ou nouvelle date de fin (ignorée pour une annulation).",
                        ),
                    ],
                    "Appliquer",
                    "check2-circle",
                    record="loan_id",  # acts on the chosen loan: stays on it
                )
            ),
        ],
        className="mb-4",
    )  # fmt: skip


def _item_form():
    f = ids.MATERIEL_ITEM_FORM
    return dbc.Card(
        [
            dbc.CardHeader(
                html.H2(
                    [html.I(className="bi bi-pencil-square me-2", **{"aria-hidden": "true"}), "Ajouter ou modifier un article"],
                    className="h6 mb-0",
                )
            ),
            dbc.CardBody(
                form_body(
                    f,
                    [
                        form_field(
                            f, "item_id", "Article",
                            field_select(f, "item_id", [{"label": "— Nouvel article —", "value": NEW_ITEM}], NEW_ITEM),
                        ),
                        form_field(f, "name", "Nom", field_input(f, "name"), required=True),
                        dbc.Row(
                            [
                                dbc.Col(form_field(f, "category", "Catégorie", field_input(f, "category"),
                                                   required=True), md=8),
                                dbc.Col(form_field(f, "units", "Unités", field_input(f, "units", "number", value=1,
                                                                                       min=1), required=True), md=4),
                            ]
                        ),
                        form_field(
                            f, "active", "Disponibilité",
                            dbc.Checklist(
                                id=ids.field(f, "active"),
                                options=[{"label": "Prêtable (décocher pour retirer du catalogue)", "value": "active"}],
                                value=["active"],
                                switch=True,
                            ),
                        ),
                        form_field(f, "description", "Description", field_textarea(f, "description", rows=2)),
                    ],
                    "Enregistrer l'article",
                    record="item_id",  # a new item: blank again; an edited one: stays chosen
                    new=NEW_ITEM,
                )
            ),
        ]
    )  # fmt: skip


def _arrow(component_id, icon, label):
    return dbc.Button(
        [html.I(className=f"bi bi-{icon}", **{"aria-hidden": "true"}), html.Span(label, className="visually-hidden")],
        id=component_id, color="secondary", outline=True, size="sm", title=label,
    )  # fmt: skip


def _calendar_body():
    """The chart, and under it the pager of its rows: a regional catalogue has more items out in four weeks than a
    screen can show (the loans list below has them all)."""
    rows = html.Div(  # `hidden` on a wrapper: Bootstrap's d-flex would override it
        html.Div(
            [
                _arrow(ids.MATERIEL_CALENDAR_ROWS_PREVIOUS, "chevron-up", "Articles précédents"),
                html.Span(id=ids.MATERIEL_CALENDAR_ROWS_LABEL, className="small text-body-secondary", **{"aria-live": "polite"}),
                _arrow(ids.MATERIEL_CALENDAR_ROWS_NEXT, "chevron-down", "Articles suivants"),
                dcc.Store(id=ids.MATERIEL_CALENDAR_ROWS_START, data=0),
            ],
            className="d-flex align-items-center gap-2 mt-2",
        ),
        id=ids.MATERIEL_CALENDAR_ROWS,
        hidden=True,
    )  # fmt: skip
    return html.Div(
        [dcc.Loading(html.Div(id=ids.MATERIEL_CALENDAR, className="panel-body"), delay_show=300), rows]
    )


def _calendar_tools():
    return html.Div(
        [
            _arrow(ids.MATERIEL_CALENDAR_PREVIOUS, "chevron-left", "Quatre semaines plus tôt"),
            dbc.Button("Aujourd'hui", id=ids.MATERIEL_CALENDAR_TODAY, color="secondary", outline=True, size="sm"),
            _arrow(ids.MATERIEL_CALENDAR_NEXT, "chevron-right", "Quatre semaines plus tard"),
            html.Span(id=ids.MATERIEL_CALENDAR_LABEL, className="small text-body-secondary", **{"aria-live": "polite"}),
            dcc.Store(id=ids.MATERIEL_CALENDAR_START),
        ],
        className="d-flex align-items-center gap-1",
    )


def _loans_panel(coordinator: bool):
    """The loans to follow: which ones (the status filter), then their grid."""
    status = html.Div(
        [
            dbc.Label("Prêts", html_for=ids.MATERIEL_LOANS_STATUS, className="mb-0 small"),
            dbc.Select(id=ids.MATERIEL_LOANS_STATUS, options=LOAN_STATUS_OPTIONS, value="open", size="sm"),
        ],
        className="d-flex align-items-center gap-2",
    )
    # The grid arrives when the reader comes near (`loans_grid`): at five years, drawing it with the page held the
    # first click back by half a second. Its room is kept meanwhile (assets/20-materiel.css).
    body = dcc.Loading(html.Div(id=ids.MATERIEL_LOANS_BODY), delay_show=300)
    return html.Div(
        panel("Prêts à suivre", None, None, "list-check", body=body, tools=status), id=LOANS_ANCHOR, className="mb-4"
    )


def loans_grid(coordinator: bool):
    """The loans to follow, page by page from the server; a coordinator picks the one to act on."""
    return server_grid(ids.MATERIEL_LOANS, LOAN_COLUMNS, selectable=coordinator)


def layout(annee=None, du=None, au=None, **_query):
    this_year = clock.today().year
    try:
        year = int(annee) if annee else this_year
    except ValueError:
        year = this_year
    today = clock.today().isoformat()
    coordinator = has_role(current_user if current_user.is_authenticated else None, Role.COORDINATOR)
    actions = entry_button(AREA, "Saisir un prêt ou un article") if coordinator else None
    return html.Div(
        [
            page_header(
                "Prêts de matériel",
                "Le matériel prêté aux structures du réseau : utilisation, réservations et catalogue.",
                actions=actions,
            ),
            dbc.Card(
                dbc.CardBody(
                    [
                        _period_bar(year, du, au),
                        html.Div(id=ids.MATERIEL_PERIOD_NOTE, className="period-note", **{"aria-live": "polite"}),
                    ],
                    className="py-2",
                ),
                className="mb-3",
            ),
            dcc.Loading(html.Div(id=ids.MATERIEL_SUMMARY, className="mb-4"), type="default", delay_show=250),
            html.Div(
                panel(
                    "Utilisation par article",
                    ids.MATERIEL_GAUGES,
                    "articles",
                    "speedometer2",
                    subtitle="Taux = jours de prêt ÷ (unités × jours de la période)",
                ),
                className="mb-4",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        panel(
                            "Calendrier des réservations",
                            None,
                            "prets",
                            "calendar3-range",
                            subtitle="Quatre semaines, et les prêts en retard",
                            tools=_calendar_tools(),
                            body=_calendar_body(),
                        ),
                        xl=8,
                        className="mb-4",
                    ),
                    dbc.Col(panel("Prêts en retard", ids.MATERIEL_OVERDUE, None, "alarm"), xl=4, className="mb-4"),
                ]
            ),
            cards.reveal_marker(ids.MATERIEL_LOWER_SEEN),
            # The follow-up acts on a row chosen in the list: it stays beside it, on the page.
            dbc.Row(
                [
                    dbc.Col(_loans_panel(coordinator), xl=8 if coordinator else 12),
                    dbc.Col(_action_form(today), xl=4) if coordinator else None,
                ]
            ),
            dbc.Row(
                [
                    dbc.Col(
                        panel("Par catégorie", ids.MATERIEL_CATEGORIES, "categories", "tags"), lg=5, className="mb-4"
                    ),
                    dbc.Col(panel("Par mois", ids.MATERIEL_MONTHS, "mois", "calendar-month"), lg=7, className="mb-4"),
                ]
            ),
            dbc.Row(
                [
                    dbc.Col(
                        panel("Par structure emprunteuse", ids.MATERIEL_BORROWERS, "structures", "building"),
                        xl=4,
                        className="mb-4",
                    ),
                    dbc.Col(panel("Par commune", ids.MATERIEL_COMMUNES, "communes", "geo-alt"), xl=4, className="mb-4"),
                    dbc.Col(
                        panel("Par intercommunalité (EPCI)", ids.MATERIEL_EPCIS, "epci", "map"), xl=4, className="mb-4"
                    ),
                ]
            ),  # fmt: skip
            html.H2("Catalogue", className="h4 mt-2 mb-3", id="catalogue"),
            dbc.Row(
                [
                    dbc.Col(panel("Articles", ids.MATERIEL_CATALOGUE, "catalogue", "box-seam"), className="mb-4"),
                ]
            ),  # fmt: skip
            dcc.Download(id=ids.MATERIEL_DOWNLOAD),
            entry_panel(AREA, "Saisir", [_loan_form(today), html.Div(className="mb-4"), _item_form()])
            if coordinator
            else None,
        ],
        className="materiel-page",
    )
