"""Form building blocks: a labelled field with its server-side error, a submit button and an outcome alert.

Every field's id is `ids.field(form, name)`, so one callback per form reads all of them with ALL and
`dashboard.callbacks.forms.submit` maps the `db/` function's per-field messages back under each field.
"""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard import ids


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


def field_input(form: str, name: str, input_type: str = "text", **props) -> dbc.Input:
    return dbc.Input(id=ids.field(form, name), type=input_type, **props)


def field_select(form: str, name: str, options, value=None, **props) -> dbc.Select:
    return dbc.Select(id=ids.field(form, name), options=options, value=value, **props)


def field_textarea(form: str, name: str, **props) -> dbc.Textarea:
    return dbc.Textarea(id=ids.field(form, name), **props)


def form_actions(form: str, label: str = "Enregistrer", icon: str = "check2") -> html.Div:
    return html.Div(
        [
            dbc.Button(
                [html.I(className=f"bi bi-{icon} me-1", **{"aria-hidden": "true"}), label],
                id=ids.form_submit(form),
                color="primary",
                n_clicks=0,
            ),
            dcc.Loading(html.Div(id=ids.form_alert(form), className="mt-3"), type="dot"),
            dcc.Store(id=ids.form_saved(form), data=0),
        ]
    )
