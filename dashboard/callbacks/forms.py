"""The one way a form is submitted: read its fields, call a `db/` write, show per-field messages or success."""

from __future__ import annotations

from collections.abc import Callable

import dash_bootstrap_components as dbc
from dash import ALL, MATCH, Input, Output, State, ctx, html, no_update
from flask import current_app
from flask_login import current_user

from dashboard import ids
from db.writes import PermissionDenied, ValidationError


def database():
    return current_app.extensions["database"]


def acting_user():
    """The logged-in user as the `db/` write functions expect it (None when anonymous)."""
    return current_user if current_user.is_authenticated else None


def field_values(states: list[dict]) -> dict:
    """{name: value} of an ALL-matched list of `ids.field` states."""
    return {state["id"]["name"]: state.get("value") for state in states}


def alert(message, color: str, icon: str | None = None) -> dbc.Alert:
    icon = icon or {"success": "check-circle", "danger": "exclamation-triangle", "warning": "exclamation-circle"}.get(
        color, "info-circle"
    )
    return dbc.Alert(
        [html.I(className=f"bi bi-{icon} me-2", **{"aria-hidden": "true"}), message],
        color=color,
        className="mb-0",
        dismissable=color == "success",
    )


def submit(write: Callable[..., str], saved: int | None = 0) -> tuple[list[str], dbc.Alert, object]:
    """Run `write(session, actor, **fields)` in one transaction.

    The callback's first output must be ALL `ids.field_error` of the form, its first state ALL `ids.field`.
    Returns (messages under each field, the form alert, the saved counter: bumped on success, untouched otherwise
    so that panels listening to it refresh only after a real write).
    """
    values = field_values(ctx.states_list[0])
    names = [output["id"]["name"] for output in ctx.outputs_list[0]]
    try:
        with database().transaction() as session:
            message = write(session, acting_user(), **values)
    except ValidationError as error:
        general = error.errors.get("") or "Le formulaire contient des erreurs : rien n'a été enregistré."
        return [error.errors.get(name, "") for name in names], alert(general, "danger"), no_update
    except PermissionDenied as error:
        return ["" for _ in names], alert(str(error), "warning", "shield-lock"), no_update
    return ["" for _ in names], alert(message, "success"), (saved or 0) + 1


def register(app, writers: dict[str, Callable[..., str]]) -> None:
    """One callback serves every form: the submitted form's name picks its write function in `writers`."""

    def on_submit(_n_clicks, _values, saved):
        return submit(writers[ctx.triggered_id["form"]], saved)

    app.callback(
        Output(ids.field_error(MATCH, ALL), "children"),
        Output(ids.form_alert(MATCH), "children"),
        Output(ids.form_saved(MATCH), "data"),
        Input(ids.form_submit(MATCH), "n_clicks"),
        State(ids.field(MATCH, ALL), "value"),
        State(ids.form_saved(MATCH), "data"),
        prevent_initial_call=True,
    )(on_submit)
