"""The navigation bar's collapse on small screens, and the areas' entry panels (dashboard/components/entry.py)."""

from dash import ALL, MATCH, Input, Output, State, ctx
from dash.exceptions import PreventUpdate

from dashboard import ids


def toggle_navbar(n_clicks, is_open):
    """The collapse's state and the button's `aria-expanded`, which tells a screen reader whether the menu is open."""
    opened = not is_open if n_clicks else bool(is_open)
    return opened, "true" if opened else "false"


def edited_record() -> str | None:
    """The record a « Modifier » click (`dashboard.components.entry.edit_button`) asks for: a row's id, or "chosen"
    for the row chosen in a grid. None when the callback fired for anything else, such as a table drawn again with
    its buttons (new buttons fire their callbacks with no click)."""
    trigger = ctx.triggered_id
    if not isinstance(trigger, dict) or trigger.get("type") != "entry-edit":
        return None
    return str(trigger["record"]) if any(item.get("value") for item in ctx.triggered) else None


def toggle_entry_panel(_opened, _closed, _edits):
    """The « Saisir … » button and a row's « Modifier » open their area's panel, the panel's close button closes it."""
    kind = ctx.triggered_id["type"]
    if kind == "entry-edit" and edited_record() is None:
        raise PreventUpdate
    return kind != "entry-close"


def register(app) -> None:
    app.callback(
        Output(ids.entry_panel(MATCH), "is_open"),
        Input(ids.entry_open(MATCH), "n_clicks"),
        Input(ids.entry_close(MATCH), "n_clicks"),
        Input(ids.entry_edit(MATCH, ALL, ALL), "n_clicks"),
        prevent_initial_call=True,
    )(toggle_entry_panel)
    app.callback(
        Output(ids.NAVBAR_COLLAPSE, "is_open"),
        Output(ids.NAVBAR_TOGGLER, "aria-expanded"),
        Input(ids.NAVBAR_TOGGLER, "n_clicks"),
        State(ids.NAVBAR_COLLAPSE, "is_open"),
        prevent_initial_call=True,
    )(toggle_navbar)
