"""Shared fixtures: a fresh database per test on SQLite and on PostgreSQL, an app, logged-in clients.

PostgreSQL: `TEST_DATABASE_URL`, else the local server (127.0.0.1:5432, database `test`). Each test run works in its
own schema, so parallel runs never see each other's rows. When no server answers the PostgreSQL cases are skipped
with a message, except with CI=true, where they fail.
"""

from __future__ import annotations

import os
import secrets
import uuid

import pytest
from sqlalchemy import create_engine, text

from db.models import Base, Role
from db.session import Database, normalise_url
from db.users import create_user
from db.writes import SYSTEM

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PG_URL = normalise_url(os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"))
PASSWORD = "correct horse battery"


def need(condition: bool, how_to_enable: str) -> None:
    """Skip a test whose requirement is missing, with how to enable it; in CI, fail instead."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {how_to_enable}")
    pytest.skip(how_to_enable)


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch):
    """scrypt costs ~0.1 s a hash by design; tests hash hundreds of passwords, so they use a cheap method."""
    import db.users

    monkeypatch.setattr(db.users, "PASSWORD_HASH_METHOD", "pbkdf2:sha256:1000")


@pytest.fixture(scope="session")
def pg_schema_url():
    """A PostgreSQL URL whose search_path is a schema of this run only, or None when no server answers."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception:  # noqa: BLE001 - any failure means "no usable server"
        yield None
        return
    separator = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{separator}options=-csearch_path%3D{schema}"
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    engine.dispose()
    yield url
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def _truncate_all(database: Database) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with database.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """The URL of an empty database with every table: a SQLite file, or this run's PostgreSQL schema."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.sqlite'}"
        database = Database(url)
        Base.metadata.create_all(database.engine)
        database.dispose()
        yield url
        return
    url = request.getfixturevalue("pg_schema_url")
    need(url is not None, f"no PostgreSQL server at {PG_URL}: start it or set TEST_DATABASE_URL")
    database = Database(url)
    _truncate_all(database)
    database.dispose()
    yield url


@pytest.fixture
def database(database_url):
    database = Database(database_url)
    yield database
    database.dispose()


def make_user(database: Database, role: str, email: str | None = None):
    with database.transaction() as session:
        return create_user(
            session,
            SYSTEM,
            email=email or f"{role}-{secrets.token_hex(3)}@example.org",
            name=f"{role.title()} Test",
            role=role,
            password=PASSWORD,
        )


@pytest.fixture
def users(database):
    """One account per role, all with password PASSWORD."""
    return {role.value: make_user(database, role.value, f"{role.value}@example.org") for role in Role}


@pytest.fixture
def app(database_url):
    from dashboard import create_app
    from dashboard.config import TestConfig

    app = create_app(TestConfig(database_url))
    yield app
    app.server.extensions["database"].dispose()


@pytest.fixture
def client(app):
    return app.server.test_client()


def login(client, email: str, password: str = PASSWORD):
    """Log in through the real form (with its CSRF token); returns the response."""
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


@pytest.fixture
def as_role(client, users):
    """as_role("viewer") logs the test client in with that role's account and returns the client."""

    def _login(role: str):
        response = login(client, f"{role}@example.org")
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return _login


def csrf_headers(client) -> dict:
    """The header dash-renderer sends, taken from the cookie the server set."""
    cookie = client.get_cookie("_csrf_token")
    return {"X-CSRFToken": cookie.value} if cookie else {}


def form_payload(
    dependencies: list[dict], form: str, values: dict, token: str | None = None, after_save: dict | None = None
) -> dict:
    """The body dash-renderer POSTs for a click on a form's submit button (the shared MATCH form callback).

    `token` is the rendering's token (a fresh one by default; the same one twice replays a submission), `after_save`
    the form's rule for its fields once saved (by default, none: they stay as they are)."""
    import json

    from db.writes import new_form_token

    spec = next(
        d
        for d in dependencies
        if all(f'"type":"{kind}"' in d["output"] for kind in ("field-error", "form-alert", "form-saved", "form-token"))
        and "MATCH" in d["output"]
    )

    def wid(kind, **extra):
        return {"type": kind, "form": form, **extra}

    # The fields' values are a duplicate output: its property carries the suffix Dash gave it ("value@<hash>").
    field_value = spec["output"].strip(".").split("...")[-1].rsplit(".", 1)[1]
    return {
        "output": spec["output"],
        "outputs": [
            [{"id": wid("field-error", name=n), "property": "children"} for n in values],
            {"id": wid("form-alert"), "property": "children"},
            {"id": wid("form-saved"), "property": "data"},
            {"id": wid("form-token"), "property": "data"},
            [{"id": wid("field", name=n), "property": field_value} for n in values],
        ],
        "inputs": [{"id": wid("form-submit"), "property": "n_clicks", "value": 1}],
        "state": [
            [{"id": wid("field", name=n), "property": "value", "value": v} for n, v in values.items()],
            {"id": wid("form-saved"), "property": "data", "value": 0},
            {"id": wid("form-token"), "property": "data", "value": token or new_form_token()},
            {"id": wid("form-initial"), "property": "data", "value": after_save},
        ],
        "changedPropIds": [json.dumps(wid("form-submit"), sort_keys=True, separators=(",", ":")) + ".n_clicks"],
    }


def post_form(client, form: str, values: dict, headers: dict | None = None, **rendering):
    """Submit a form's callback as the browser would, without a browser: lets a test forge a write (e.g. as a
    viewer) and check that the server refuses it on its own. `rendering`: `token`, `after_save` (`form_payload`)."""
    payload = form_payload(client.get("/_dash-dependencies").get_json(), form, values, **rendering)
    return client.post("/_dash-update-component", json=payload, headers=headers or csrf_headers(client))


def in_callback(function, *args, triggered: str = "test.value"):
    """Call a callback as a plain function, inside a callback context triggered by `triggered` ("id.property",
    the id as `ids.dom_id` spells it), for callbacks that read `ctx.triggered_id`."""
    from contextvars import copy_context

    from dash._callback_context import context_value
    from dash._utils import AttributeDict

    def run():
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": triggered, "value": 1}]))
        return function(*args)

    return copy_context().run(run)
