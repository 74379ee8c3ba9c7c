"""One entry pattern for every area: a « Saisir … » button at the top of the page opens a side panel (dbc.Offcanvas)
holding the area's forms. The panel keeps the keyboard inside while open, closes with Escape or its button, and gives
focus back to the button that opened it (react-bootstrap's restoreFocus). It stays open after a save: the form resets
and the toast says what was saved, ready for the next entry. One MATCH callback opens and closes every panel
(`dashboard.callbacks.shell`).

A table row is edited the same way: its « Modifier » action (`edit_button`) opens the panel too, and the area's
callback puts the record in the form, through the form's own « … à modifier » choice where it has one."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from dashboard import ids


def entry_button(area: str, label: str, icon: str = "plus-lg") -> dbc.Button:
    return dbc.Button(
        [html.I(className=f"bi bi-{icon} me-1", **{"aria-hidden": "true"}), label],
        id=ids.entry_open(area),
        color="primary",
        n_clicks=0,
        class_name="entry-open",
    )


def entry_panel(area: str, title: str, children) -> dbc.Offcanvas:
    """The area's forms in a panel on the right (full width on a phone). Our own close button: dbc's says "Close"."""
    heading = ids.dom_id(ids.entry_panel(area)) + "-title"
    return dbc.Offcanvas(
        [
            html.Div(
                [
                    html.H2(title, id=heading, className="h5 mb-0"),
                    html.Button(
                        type="button",
                        id=ids.entry_close(area),
                        className="btn-close",
                        n_clicks=0,
                        **{"aria-label": "Fermer le panneau de saisie"},
                    ),
                ],
                className="entry-panel-header d-flex justify-content-between align-items-center mb-3",
            ),
            *children,
        ],
        id=ids.entry_panel(area),
        is_open=False,
        placement="end",
        close_button=False,
        scrollable=True,  # the page stays readable (and scrollable) beside the panel
        backdrop=False,
        labelledby=heading,
        class_name="entry-panel",
    )


def edit_button(area: str, form: str, label: str, record="chosen", **props) -> html.Button:
    """« Modifier » for one row (`record`: its id), or for the row chosen in a grid (keyboard: arrows, then Space).
    A plain button: a row's names its record for screen readers (`aria-label`), which dbc.Button does not take."""
    return html.Button(
        [html.I(className="bi bi-pencil me-1", **{"aria-hidden": "true"}), label],
        id=ids.entry_edit(area, form, record),
        type="button",
        n_clicks=0,
        className="btn btn-outline-secondary btn-sm entry-edit",
        **props,
    )
