"""The navigation bar's collapse on small screens, and the areas' entry panels (dashboard/components/entry.py)."""

from dash import MATCH, Input, Output, State, ctx

from dashboard import ids


def toggle_navbar(n_clicks, is_open):
    """The collapse's state and the button's `aria-expanded`, which tells a screen reader whether the menu is open."""
    opened = not is_open if n_clicks else bool(is_open)
    return opened, "true" if opened else "false"


def toggle_entry_panel(_opened, _closed):
    """The « Saisir … » button opens its area's panel, the panel's close button closes it."""
    return ctx.triggered_id["type"] == "entry-open"


def register(app) -> None:
    app.callback(
        Output(ids.entry_panel(MATCH), "is_open"),
        Input(ids.entry_open(MATCH), "n_clicks"),
        Input(ids.entry_close(MATCH), "n_clicks"),
        prevent_initial_call=True,
    )(toggle_entry_panel)
    app.callback(
        Output(ids.NAVBAR_COLLAPSE, "is_open"),
        Output(ids.NAVBAR_TOGGLER, "aria-expanded"),
        Input(ids.NAVBAR_TOGGLER, "n_clicks"),
        State(ids.NAVBAR_COLLAPSE, "is_open"),
        prevent_initial_call=True,
    )(toggle_navbar)
