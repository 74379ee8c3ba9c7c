"""The navigation bar's collapse on small screens."""

from dash import Input, Output, State

from dashboard import ids


def toggle_navbar(n_clicks, is_open):
    return not is_open if n_clicks else is_open


def register(app) -> None:
    app.callback(
        Output(ids.NAVBAR_COLLAPSE, "is_open"),
        Input(ids.NAVBAR_TOGGLER, "n_clicks"),
        State(ids.NAVBAR_COLLAPSE, "is_open"),
        prevent_initial_call=True,
    )(toggle_navbar)
