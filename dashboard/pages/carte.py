"""Carte: the filterable map of the network's mediation places. The URL query string holds the filters."""

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_login import current_user

from dashboard import ids
from dashboard.components.carte import COLOR_MODES, icon, legend
from dashboard.components.forms import dropdown
from dashboard.components.map import AREA_STYLE, base_map, points_layer
from db.carte import FACETS, FRESHNESS, HOURS_OPTIONS, PlaceFilter
from db.interop.places_pdf import SHEETS_LIMIT
from db.models import Role
from db.writes import has_role

dash.register_page(__name__, path="/carte", name="Carte", title="Carte · Médiation numérique", map=True)

EMPTY_POINTS = {"type": "FeatureCollection", "features": []}


def _facet(facet, chosen) -> dbc.AccordionItem:
    return dbc.AccordionItem(
        html.Fieldset(
            [
                html.Legend(facet.label, className="visually-hidden"),
                dbc.Checklist(id=ids.carte_facet(facet.key), options=[], value=list(chosen), className="facet-options"),
            ]
        ),
        title=facet.label,
        item_id=facet.key,
    )


def _filters(flt: PlaceFilter):
    opened = [key for key in flt.facets] or ["services"]
    return html.Div(
        [
            html.Div(
                [
                    html.H2("Filtres", className="h6 mb-0"),
                    dbc.Button(
                        [icon("x-circle"), "Réinitialiser"],
                        id=ids.CARTE_RESET,
                        color="link",
                        size="sm",
                        className="p-0",
                        n_clicks=0,
                    ),
                ],
                className="d-flex justify-content-between align-items-center mb-2",
            ),
            dbc.Label("Rechercher un nom, une commune, une adresse", html_for=ids.CARTE_SEARCH, className="small"),
            dbc.Input(
                id=ids.CARTE_SEARCH,
                type="search",
                value=flt.text,
                debounce=0.4,
                placeholder="ex. médiathèque, Roanne…",
                className="mb-3",
            ),
            html.Fieldset(
                [
                    html.Legend("Horaires", className="small fw-semibold mb-1 fs-6"),
                    dbc.Checklist(
                        id=ids.CARTE_HOURS,
                        options=[{"label": label, "value": key} for key, label in HOURS_OPTIONS.items()],
                        value=list(flt.hours),
                        switch=True,
                        className="mb-3",
                    ),
                ]
            ),
            dbc.Label("Commune", html_for=ids.CARTE_COMMUNE, className="small"),
            dropdown(
                ids.CARTE_COMMUNE,
                options=[],
                value=list(flt.communes),
                multi=True,
                placeholder="Toutes les communes",
                className="mb-3",
            ),
            dbc.Label("Intercommunalité (EPCI)", html_for=ids.CARTE_EPCI, className="small"),
            dropdown(
                ids.CARTE_EPCI,
                options=[],
                value=list(flt.epcis),
                multi=True,
                placeholder="Toutes les intercommunalités",
                className="mb-3",
            ),
            html.Fieldset(
                [
                    html.Legend("Mise à jour de la fiche", className="small fw-semibold mb-1 fs-6"),
                    dbc.Checklist(
                        id=ids.CARTE_FRESHNESS,
                        options=[{"label": band.label, "value": band.key} for band in FRESHNESS],
                        value=list(flt.freshness),
                        className="mb-3 facet-options",
                    ),
                ]
            ),
            dbc.Accordion(
                [_facet(facet, flt.facets.get(facet.key, ())) for facet in FACETS],
                always_open=True,
                active_item=opened,
                flush=True,
                className="facets",
            ),
        ],
        className="carte-filters",
    )


def layout(**query):
    flt = PlaceFilter.from_query(query)
    actions = [
        dbc.Button(
            [icon("filetype-csv"), "Exporter (CSV)"], id=ids.CARTE_CSV, color="primary", outline=True, n_clicks=0
        ),
        dbc.DropdownMenu(
            [
                dbc.DropdownMenuItem("Carte et liste des lieux", id=ids.CARTE_PDF, n_clicks=0),
                dbc.DropdownMenuItem(
                    f"Carte, liste et fiches (jusqu'à {SHEETS_LIMIT} lieux)", id=ids.CARTE_PDF_SHEETS, n_clicks=0
                ),
            ],
            label=[icon("file-earmark-pdf"), "Exporter (PDF)"],
            color="primary",
            toggle_class_name="btn-outline-primary bg-transparent text-primary",
        ),
        dbc.Button([icon("plus-lg"), "Nouveau lieu"], href="/carte/lieu/nouveau", color="primary")
        if has_role(current_user if current_user.is_authenticated else None, Role.COORDINATOR)
        else None,
        dbc.Button(
            [icon("box-arrow-up-right"), "Données ouvertes"],
            href="/api/v1/lieux.csv",
            external_link=True,
            color="link",
            title="Tous les lieux au standard national v1.0.2, sans connexion",
        ),
    ]
    return html.Div(
        [
            html.Div(
                [
                    html.Div(
                        [
                            html.H1("Carte des lieux", className="h2 mb-1"),
                            html.P(
                                "Lieux de médiation numérique du réseau, au standard national v1.0.2.",
                                className="text-body-secondary mb-0",
                            ),
                        ]
                    ),
                    html.Div(actions, className="d-flex flex-wrap gap-2"),
                ],
                className="page-header d-flex flex-wrap justify-content-between align-items-end gap-3 mb-3",
            ),
            dcc.Store(id=ids.CARTE_QUERY),
            dcc.Store(id=ids.CARTE_MATCH),
            dcc.Store(id=ids.CARTE_LOADED, data=True),  # fires the once-per-page callbacks
            dcc.Store(id=ids.CARTE_URL_SYNCED),
            dcc.Store(id=ids.CARTE_SELECTED),
            dcc.Download(id=ids.CARTE_DOWNLOAD),
            dbc.Row(
                [
                    dbc.Col(html.Aside(_filters(flt), **{"aria-label": "Filtres de la carte"}), lg=3, className="mb-3"),
                    dbc.Col(
                        [
                            html.Div(
                                [
                                    html.Div(id=ids.CARTE_COUNT, className="fw-semibold", **{"aria-live": "polite"}),
                                    dbc.Checklist(
                                        id=ids.CARTE_IFN,
                                        options=[{"label": "Fragilité numérique (IFN)", "value": "ifn"}],
                                        value=[],
                                        switch=True,
                                        className="small mb-0",
                                    ),
                                    html.Div(
                                        [
                                            dbc.Label("Couleur des points", html_for=ids.CARTE_COLOR,
                                                      className="small mb-0 me-2"),
                                            dbc.Select(
                                                id=ids.CARTE_COLOR,
                                                options=[{"label": v, "value": k} for k, v in COLOR_MODES.items()],
                                                value="ouverture",
                                                size="sm",
                                                style={"width": "9rem"},
                                            ),
                                        ],
                                        className="d-flex align-items-center",
                                    ),
                                ],
                                className="d-flex flex-wrap justify-content-between align-items-center gap-2 mb-2",
                            ),
                            html.Div(id=ids.CARTE_ACTIVE, className="mb-2"),
                            html.Div(
                                [
                                    base_map(
                                        ids.CARTE_MAP,
                                        [
                                            points_layer(ids.CARTE_BASE_LAYER, EMPTY_POINTS, cluster=False),
                                            points_layer(ids.CARTE_IFN_LAYER, EMPTY_POINTS, cluster=False, style=AREA_STYLE),
                                            points_layer(ids.CARTE_POINTS, EMPTY_POINTS),
                                        ],
                                        className="carte-map",
                                    ),
                                    html.Div(legend("ouverture"), id=ids.CARTE_LEGEND),
                                ],
                                className="carte-map-wrap",
                                role="region",
                                **{"aria-label": "Carte des lieux (la liste à droite donne les mêmes lieux)"},
                            ),
                            dbc.Card(
                                [
                                    dbc.CardHeader(html.H2("Offre et fragilité numérique", className="h6 mb-0")),
                                    dbc.CardBody(html.Div(id=ids.CARTE_IFN_PANEL)),
                                ],
                                className="mt-3 sheet-card",
                            ),
                        ],
                        lg=6,
                        className="mb-3",
                    ),
                    dbc.Col(
                        [
                            dbc.Card(
                                dbc.CardBody(
                                    html.Div(
                                        html.P(
                                            [icon("hand-index"), "Choisissez un lieu dans la liste ou sur la carte."],
                                            className="small text-body-secondary mb-0",
                                        ),
                                        id=ids.CARTE_PANEL,
                                        **{"aria-live": "polite"},
                                    )
                                ),
                                className="mb-3 carte-panel",
                            ),
                            html.H2("Lieux affichés", className="h6"),
                            dcc.Loading(html.Div(id=ids.CARTE_LIST, className="carte-list"), type="dot", delay_show=300),
                        ],
                        lg=3,
                    ),
                ]
            ),
        ]
    )  # fmt: skip
