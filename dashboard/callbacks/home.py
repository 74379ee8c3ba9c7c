"""Accueil: the key figures of the selected year."""

import dash_bootstrap_components as dbc
from dash import Input, Output

from dashboard import ids
from dashboard.callbacks.forms import database
from dashboard.components.cards import kpi_card
from db.indicateurs import key_figures
from db.periods import Period


def home_figures(year):
    with database().session() as session:
        figures = key_figures(session, Period.year(int(year)))
    return dbc.Row([dbc.Col(kpi_card(figure), md=6, xl=4, className="mb-4") for figure in figures])


def register(app) -> None:
    app.callback(Output(ids.HOME_FIGURES, "children"), Input(ids.HOME_YEAR, "value"))(home_figures)
