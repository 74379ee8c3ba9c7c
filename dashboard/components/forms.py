"""Form building blocks: a labelled field with its server-side error, and the form's body with its submit button,
outcome alert and stores.

Every field's id is `ids.field(form, name)`, so one callback per form reads all of them with ALL and
`dashboard.callbacks.forms.submit` maps the `db/` function's per-field messages back under each field.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from dashboard import ids
from db.writes import new_form_token


def form_field(form: str, name: str, label: str, control, help_text: str | None = None, required=False):
    """`control` is an input built with `field_input`/`field_select`… (its id is `ids.field(form, name)`)."""
    return html.Div(
        [
            dbc.Label(
                [label, html.Span(" *", className="text-danger", title="obligatoire") if required else None],
                html_for=ids.dom_id(ids.field(form, name)),
            ),
            control,
            dbc.FormText(help_text) if help_text else None,
            html.Div(id=ids.field_error(form, name), className="field-error", role="alert"),
        ],
        className="mb-3",
    )


# What a person types is kept in this browser until the form is saved (a save's reset is a callback's change, which
# drops it): a session that ends mid-entry loses nothing. Never a password, never a hidden context field.
KEPT = {"persistence": True, "persistence_type": "local"}


def field_input(form: str, name: str, input_type: str = "text", **props) -> dbc.Input:
    kept = {} if input_type in ("password", "hidden") else KEPT
    return dbc.Input(id=ids.field(form, name), type=input_type, **(kept | props))


def field_select(form: str, name: str, options, value=None, **props) -> dbc.Select:
    return dbc.Select(id=ids.field(form, name), options=options, value=value, **(KEPT | props))


# dcc.Dropdown's own strings are English ("Search", "Select All"…): every dropdown of the app is built by `dropdown`.
DROPDOWN_LABELS = {
    "select_all": "Tout sélectionner",
    "deselect_all": "Tout désélectionner",
    "selected_count": "{num_selected} sélectionnés",
    "search": "Rechercher",
    "clear_search": "Effacer la recherche",
    "clear_selection": "Effacer la sélection",
    "no_options_found": "Aucun résultat",
}


def dropdown(component_id, **props) -> dcc.Dropdown:
    """A dcc.Dropdown that speaks French."""
    return dcc.Dropdown(id=component_id, labels=DROPDOWN_LABELS, **props)


def field_textarea(form: str, name: str, **props) -> dbc.Textarea:
    return dbc.Textarea(id=ids.field(form, name), **(KEPT | props))


def _components(node):
    """`node` (a component or a list of them) and every component below it, through `children`."""
    if isinstance(node, list | tuple):
        for child in node:
            yield from _components(child)
    elif isinstance(node, Component):
        yield node
        yield from _components(getattr(node, "children", None))


def initial_values(form: str, fields) -> dict:
    """{name: value} of the form's fields as laid out in `fields`. Hidden inputs are left out: they carry context kept
    up to date by callbacks (the report's year, the projection's settings), not what a person typed."""
    return {
        component.id["name"]: getattr(component, "value", None)
        for component in _components(fields)
        if isinstance(getattr(component, "id", None), dict)
        and component.id == ids.field(form, component.id.get("name"))
        and getattr(component, "type", None) != "hidden"
    }


def form_body(
    form: str,
    fields: list,
    label: str = "Enregistrer",
    icon: str = "check2",
    *,
    record: str | None = None,
    new="",
    context: tuple[str, ...] = (),
) -> html.Div:
    """A form: its `fields`, then the submit button, the outcome alert and the form's stores.

    Each rendering of a form is saved once: its token, fresh at each rendering (every layout is built per request),
    is spent by the save; the form then gets a new token and its fields go back to the values captured here
    (`dashboard.callbacks.forms.values_after_save`). Two exceptions: the `context` fields (the parent under which rows
    are entered one after another, e.g. a session's attendants) keep their value, and a form whose `record` field
    selects an existing row to edit (any value but blank or `new`) stays on that row.
    """
    after_save = {"values": initial_values(form, fields), "context": list(context), "record": record, "new": new}
    return html.Div(
        [
            *fields,
            dbc.Button(
                [html.I(className=f"bi bi-{icon} me-1", **{"aria-hidden": "true"}), label],
                id=ids.form_submit(form),
                color="primary",
                n_clicks=0,
                class_name="form-submit",
            ),
            # The outcome shows as a toast fixed in view (assets/06-feedback.js): saved, refused, a one-time secret.
            dcc.Loading(html.Div(id=ids.form_alert(form), className="form-feedback"), type="dot"),
            dcc.Store(id=ids.form_saved(form), data=0),
            dcc.Store(id=ids.form_token(form), data=new_form_token()),
            dcc.Store(id=ids.form_initial(form), data=after_save),
        ],
        className="app-form",
    )
