"""The navigation bar's collapse on small screens."""

from dash import Input, Output, State

from dashboard import ids


def toggle_navbar(n_clicks, is_open):
    """The collapse's state and the button's `aria-expanded`, which tells a screen reader whether the menu is open."""
    opened = not is_open if n_clicks else bool(is_open)
    return opened, "true" if opened else "false"


def register(app) -> None:
    app.callback(
        Output(ids.NAVBAR_COLLAPSE, "is_open"),
        Output(ids.NAVBAR_TOGGLER, "aria-expanded"),
        Input(ids.NAVBAR_TOGGLER, "n_clicks"),
        State(ids.NAVBAR_COLLAPSE, "is_open"),
        prevent_initial_call=True,
    )(toggle_navbar)
