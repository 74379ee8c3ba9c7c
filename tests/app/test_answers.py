"""Callback answers kept per data revision (dashboard/callbacks/answers.py): served again only while nothing they
read has changed, never across roles, filters or the outputs they fill."""

import datetime as dt
from contextvars import copy_context

import pytest
from dash import html
from dash._callback_context import context_value
from dash._utils import AttributeDict
from flask_login import login_user

from db import clock, lettres, revisions
from db.models import User
from tests.conftest import make_user

OUTPUTS = [{"id": "panel", "property": "children"}]


@pytest.fixture
def answered(app, database, users):
    """A kept callback that counts how often it really runs, and a way to call it as a user in a Dash request."""
    from dashboard.callbacks.answers import per_revision

    runs = []

    def panel(year, outputs=OUTPUTS):
        runs.append(year)
        return html.Div([html.Span(f"{year} : {len(runs)}")], id="panel"), {"shown": year}

    kept = per_revision([revisions.LETTRES])(panel)

    def call(role: str, year: str, triggered: str = "year.value", outputs=OUTPUTS):
        def run():
            context_value.set(
                AttributeDict(triggered_inputs=[{"prop_id": triggered, "value": year}], outputs_list=outputs)
            )
            with app.server.test_request_context():
                with database.session() as session:
                    login_user(session.get(User, users[role].id))
                return kept(year)

        return copy_context().run(run)

    return call, runs


def test_an_answer_is_served_again_as_plain_data_until_its_area_changes(answered, database, users):
    call, runs = answered
    first = call("viewer", "2025")
    assert first == (
        {
            "props": {"children": [{"props": {"children": "2025 : 1"}, "type": "Span", "namespace": "dash_html_components"}], "id": "panel"},  # noqa: E501
            "type": "Div",
            "namespace": "dash_html_components",
        },
        {"shown": "2025"},
    )
    assert call("viewer", "2025") == first and runs == ["2025"]
    make_user(database, "viewer")  # another area's write (the accounts): the answer holds
    assert call("viewer", "2025") == first and runs == ["2025"]
    with database.transaction() as session:  # its own area's write: computed again, by any worker
        lettres.save_newsletter(session, users["coordinator"], name="La Lettre")
    assert call("viewer", "2025") != first and runs == ["2025", "2025"]


def test_roles_filters_triggers_and_outputs_each_get_their_own_answer(answered):
    call, runs = answered
    call("viewer", "2025")
    call("coordinator", "2025")  # a coordinator's panel holds the tools a viewer has not
    call("viewer", "2024")
    call("viewer", "2025", triggered="saved.data")
    call("viewer", "2025", outputs=[*OUTPUTS, {"id": {"form": "x", "type": "field"}, "property": "options"}])
    assert len(runs) == 5
    call("coordinator", "2025")
    assert len(runs) == 5


def test_an_area_without_a_token_is_never_kept(answered, database):
    from db.models import DataRevision

    call, runs = answered
    with database.transaction() as session:
        session.query(DataRevision).filter_by(name=revisions.LETTRES).delete()
    call("viewer", "2025")
    call("viewer", "2025")
    assert runs == ["2025", "2025"]


def test_an_answer_moving_with_the_clock_is_kept_for_its_minute(app, database, users, monkeypatch):
    from dashboard.callbacks import answers

    runs = []
    kept = answers.per_revision([revisions.AGENDA], moves_with_the_clock=True)(lambda: runs.append(1) or len(runs))
    now = dt.datetime(2026, 12, 5, 9, 30, 10, tzinfo=dt.UTC)
    monkeypatch.setattr(clock, "utcnow", lambda: now)

    def run():
        context_value.set(AttributeDict(triggered_inputs=[], outputs_list=OUTPUTS))
        with app.server.test_request_context():
            return kept()

    assert [copy_context().run(run) for _ in range(2)] == [1, 1]
    now = now + dt.timedelta(minutes=1)
    assert copy_context().run(run) == 2


def test_a_kept_answer_costs_its_request_one_query(app, client, as_role, users):
    """The account and the revision tokens are read together, the account kept per revision of the accounts: a
    page already seen since the last write reads the database once per callback (the tokens), as a bare query
    would."""
    from sqlalchemy import event

    from tests.app.test_read_access import forged_body, server_callbacks
    from tests.conftest import csrf_headers

    as_role("viewer")
    key, spec = next((k, s) for k, s in server_callbacks(app, client).items() if k.startswith("lettres-audience-chart"))
    body, headers = forged_body(key, spec), csrf_headers(client)
    statements = []
    engine = app.server.extensions["database"].engine
    event.listen(engine, "before_cursor_execute", keep := lambda *args: statements.append(args[2]))
    try:
        assert client.post("/_dash-update-component", json=body, headers=headers).status_code == 200
        first = list(statements)
        statements.clear()
        assert client.post("/_dash-update-component", json=body, headers=headers).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) == 1 and "data_revisions" in reads[0], statements
    assert len([s for s in first if "FROM users" in s]) == 0, "the account was kept from the login's request"
