"""The one way a form is submitted: read its fields, spend its token and call a `db/` write in one transaction, show
per-field messages or success, then reset the form for the next entry."""

from __future__ import annotations

from collections.abc import Callable

import dash_bootstrap_components as dbc
from dash import ALL, MATCH, ClientsideFunction, Input, Output, State, ctx, html, no_update
from dash.exceptions import PreventUpdate
from flask import current_app
from flask_login import current_user

from dashboard import ids
from db.fields import CONTROL_CHARACTERS
from db.writes import FormAlreadySaved, PermissionDenied, ValidationError, new_form_token, spend_form_token


def database():
    return current_app.extensions["database"]


def acting_user():
    """The logged-in user as the `db/` write functions expect it (None when anonymous)."""
    return current_user if current_user.is_authenticated else None


def _typed(value):
    """What a person can type: control characters (a NUL byte PostgreSQL refuses) are dropped on the way in."""
    return CONTROL_CHARACTERS.sub("", value) if isinstance(value, str) else value


def field_values(states: list[dict]) -> dict:
    """{name: value} of an ALL-matched list of `ids.field` states."""
    return {state["id"]["name"]: _typed(state.get("value")) for state in states}


def alert(message, color: str, icon: str | None = None) -> dbc.Alert:
    icon = icon or {"success": "check-circle", "danger": "exclamation-triangle", "warning": "exclamation-circle"}.get(
        color, "info-circle"
    )
    # Our own close button: dbc's says "Close alert". It hides the toast and gives focus back to the form
    # (assets/06-feedback.js).
    close = html.Button(type="button", className="btn-close", **{"aria-label": "Fermer le message"})
    return dbc.Alert(
        [html.I(className=f"bi bi-{icon} me-2", **{"aria-hidden": "true"}), message, close],
        color=color,
        className="mb-0 alert-dismissible",
    )


def values_after_save(names: list[str], values: dict, after_save: dict | None) -> list:
    """What each field shows once its form is saved (`no_update`: as it is), by the rule `form_body` gave the form.

    A form entering a new record (a loan, a session, an account…) goes back to its rendered values: a second click
    then has nothing to enter twice. A form on an existing record (an access, a status, a loan's follow-up, a place
    sheet, a report commentary, an edited training…) stays on it as saved: resetting it would show stale values.
    """
    after_save = after_save or {}
    record = after_save.get("record")
    if record and values.get(record) not in (None, "", after_save.get("new")):
        return [no_update for _ in names]
    context = after_save.get("context") or ()
    rendered = {name: value for name, value in (after_save.get("values") or {}).items() if name not in context}
    return [rendered[name] if name in rendered and rendered[name] != values.get(name) else no_update for name in names]


def submit(form: str, write: Callable[..., str], saved: int | None, token, after_save: dict | None) -> tuple:
    """Spend the form's token and run `write(session, actor, **fields)`, in one transaction.

    The callback's outputs are ALL `ids.field_error` of the form, its alert, saved counter, token and ALL
    `ids.field` values; its first state is ALL `ids.field`. Returns the messages under each field, the form alert,
    the saved counter (bumped after a save or a replay of one, untouched otherwise so that panels listening to it
    refresh only after a real write), and then a new token and the fields' values (`values_after_save`).
    """
    values = field_values(ctx.states_list[0])
    errors_under = [output["id"]["name"] for output in ctx.outputs_list[0]]
    fields = [output["id"]["name"] for output in ctx.outputs_list[4]]
    try:
        with database().transaction() as session:
            spend_form_token(session, acting_user(), form, token)
            message = write(session, acting_user(), **values)
        outcome = alert(message, "success")
    except FormAlreadySaved as error:
        # The first submission of this rendering was saved; on a double click its answer may be dropped for this
        # one's: the form ends as after that save, saying that nothing was added.
        outcome = alert(error.errors[""], "info")
    except ValidationError as error:
        general = error.errors.get("") or "Le formulaire contient des erreurs : rien n'a été enregistré."
        messages = [error.errors.get(name, "") for name in errors_under]
        return messages, alert(general, "danger"), no_update, no_update, [no_update for _ in fields]
    except PermissionDenied as error:
        messages = ["" for _ in errors_under]
        return messages, alert(str(error), "warning", "shield-lock"), no_update, no_update, [no_update for _ in fields]
    return (
        ["" for _ in errors_under],
        outcome,
        (saved or 0) + 1,
        new_form_token(),
        values_after_save(fields, values, after_save),
    )


def register(app, writers: dict[str, Callable[..., str]]) -> None:
    """One callback serves every form: the submitted form's name picks its write function in `writers`."""

    def on_submit(_n_clicks, _values, saved, token, after_save):
        form = (ctx.triggered_id or {}).get("form")
        if form not in writers:  # a forged request naming no form of this app
            raise PreventUpdate
        return submit(form, writers[form], saved, token, after_save)

    app.callback(
        Output(ids.field_error(MATCH, ALL), "children"),
        Output(ids.form_alert(MATCH), "children"),
        Output(ids.form_saved(MATCH), "data"),
        Output(ids.form_token(MATCH), "data"),
        # allow_duplicate: areas also fill their forms' fields (a record chosen for editing, the report's year…).
        Output(ids.field(MATCH, ALL), "value", allow_duplicate=True),
        Input(ids.form_submit(MATCH), "n_clicks"),
        State(ids.field(MATCH, ALL), "value"),
        State(ids.form_saved(MATCH), "data"),
        State(ids.form_token(MATCH), "data"),
        State(ids.form_initial(MATCH), "data"),
        prevent_initial_call=True,
    )(on_submit)
    # The outcome in view: a toast, focus on the first refused field or on the toast (assets/06-feedback.js).
    app.clientside_callback(
        ClientsideFunction("feedback", "show"),
        Output(ids.FEEDBACK_SHOWN, "data"),
        Input(ids.form_alert(ALL), "children"),
        prevent_initial_call=True,
    )
