"""Accueil: the key figures of the selected year."""

import dash_bootstrap_components as dbc
from dash import Input, Output, html

from dashboard import ids
from dashboard.callbacks.forms import database
from dashboard.components.cards import kpi_card
from db import clock
from db.indicateurs import key_figures
from db.periods import chosen_year, reporting_period


def home_figures(year):
    period = reporting_period(chosen_year(year, clock.today()), clock.today())
    with database().session() as session:
        figures = key_figures(session, period)
    return [
        html.P(f"Période : {period.label}.", className="text-body-secondary small mb-2"),
        dbc.Row([dbc.Col(kpi_card(figure), md=6, xl=4, className="mb-4") for figure in figures]),
    ]


def register(app) -> None:
    app.callback(Output(ids.HOME_FIGURES, "children"), Input(ids.HOME_YEAR, "value"))(home_figures)
