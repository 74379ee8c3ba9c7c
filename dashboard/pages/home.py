import datetime as dt

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import ids
from dashboard.components.cards import page_header

dash.register_page(__name__, path="/", name="Accueil", title="Accueil · Médiation numérique")


def layout(annee=None, **_query):
    this_year = dt.date.today().year
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
        ]
    )
