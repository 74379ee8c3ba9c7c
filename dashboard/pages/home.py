import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import ids
from dashboard.components.cards import page_header
from dashboard.shell import map_pages
from db import clock

dash.register_page(__name__, path="/", name="Accueil", title="Accueil · Médiation numérique")


def layout(annee=None, **_query):
    this_year = clock.today().year
    try:
        year = int(annee) if annee else this_year
    except ValueError:
        year = this_year
    years = [{"label": str(y), "value": y} for y in range(this_year, this_year - 6, -1)]
    return html.Div(
        [
            page_header(
                "Le réseau en chiffres",
                "Chiffres clés calculés à partir des données enregistrées, avec leur source et leur date.",
                actions=html.Div(
                    [
                        dbc.Label("Année", html_for=ids.HOME_YEAR, className="mb-0 me-2"),
                        dbc.Select(id=ids.HOME_YEAR, options=years, value=year, style={"width": "8rem"}),
                    ],
                    className="d-flex align-items-center",
                ),
            ),
            dcc.Loading(html.Div(id=ids.HOME_FIGURES), type="default", delay_show=300),
            html.H2("Accès rapide", className="h5 mt-2 mb-3"),
            dbc.Row([dbc.Col(_shortcut(*item), md=6, xl=3, className="mb-3") for item in SHORTCUTS]),
        ]
    )


SHORTCUTS = [
    ("/carte", "geo-alt", "Carte des lieux", "Rechercher un lieu, ses services, ses horaires."),
    ("/materiel", "box-seam", "Prêts de matériel", "Saisir un prêt, voir les réservations et l'utilisation."),
    ("/indicateurs", "graph-up", "Indicateurs", "Le suivi par mission, comparé à l'année précédente."),
    ("/projection", "display", "Mode projection", "Afficher les chiffres sur l'écran de la salle."),
]


def _shortcut(href, icon, title, text):
    return dbc.Card(
        dbc.CardBody(
            [
                html.I(className=f"bi bi-{icon} fs-4 text-brand", **{"aria-hidden": "true"}),
                html.H3(
                    # a page with a map is loaded in full: only then does it load the map's script (see shell)
                    dcc.Link(title, href=href, className="stretched-link", refresh=href in map_pages()),
                    className="h6 mt-2 mb-1",
                ),
                html.P(text, className="small text-body-secondary mb-0"),
            ]
        ),
        className="shortcut-card h-100",
    )
