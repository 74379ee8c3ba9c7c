"""Sessions that end: logout, a new password, a role change or a deactivation end every session of the account (a
cookie copied before is refused), and a session ends after its idle and absolute limits."""

from __future__ import annotations

import datetime as dt

import pytest

from db import clock
from db import users as user_db
from tests.conftest import PASSWORD, csrf_headers, form_payload, login, post_form

LOGIN_TIME = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def copy_of(app, client):
    """A second browser holding a copy of `client`'s session cookie (as a thief would)."""
    other = app.server.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def reads(client) -> int:
    return client.get("/_dash-layout").status_code


def test_a_cookie_copied_before_logout_is_refused_after_it(app, client, users):
    login(client, "coordinator@example.org")
    dependencies = client.get("/_dash-dependencies").get_json()
    thief = copy_of(app, client)
    assert reads(thief) == 200
    client.post("/logout", data={"csrf_token": client.get_cookie("_csrf_token").value})
    assert reads(thief) == 401
    forged = form_payload(dependencies, "loan", {"item_id": "1"})
    refused = thief.post("/_dash-update-component", json=forged, headers=csrf_headers(client))
    assert refused.status_code == 401  # no session: never a write
    assert reads(client) == 401


@pytest.mark.parametrize(
    ("change", "kwargs"),
    [
        (user_db.set_role, {"role": "viewer"}),
        (user_db.set_active, {"active": False}),
        (user_db.set_password, {"password": "a brand new secret"}),
    ],
)
def test_an_admins_change_ends_the_accounts_sessions(app, client, users, database, change, kwargs):
    login(client, "coordinator@example.org")
    assert reads(client) == 200
    with database.transaction() as session:
        change(session, users["admin"], users["coordinator"].id, **kwargs)
    assert reads(client) == 401


def test_changing_ones_password_keeps_this_session_and_ends_the_others(app, client, users, database):
    login(client, "viewer@example.org")
    elsewhere = copy_of(app, client)
    bad = post_form(client, "own-password", {"current": "wrong", "new": "another secret!", "confirm": "x"})
    text = bad.get_data(as_text=True)
    assert "Mot de passe actuel incorrect." in text and "diffèrent" in text
    assert reads(elsewhere) == 200  # nothing changed
    done = post_form(
        client, "own-password", {"current": PASSWORD, "new": "another secret!", "confirm": "another secret!"}
    )
    assert "Mot de passe changé" in done.get_data(as_text=True)
    assert reads(client) == 200 and reads(elsewhere) == 401
    with database.transaction() as session:
        assert user_db.authenticate(session, "viewer@example.org", "another secret!") is not None


def test_a_session_ends_after_its_idle_limit(app, client, users):
    with clock.frozen(LOGIN_TIME):
        login(client, "viewer@example.org")
    with clock.frozen(LOGIN_TIME + dt.timedelta(hours=7, minutes=59)):
        assert reads(client) == 200
    with clock.frozen(LOGIN_TIME + dt.timedelta(hours=15, minutes=59)):  # 8 h after the last request
        response = client.get("/_dash-layout")
    assert response.status_code == 401 and "session a expiré" in response.get_json()["error"]


def test_a_session_ends_after_its_absolute_lifetime_however_busy(app, client, users):
    with clock.frozen(LOGIN_TIME):
        login(client, "viewer@example.org")
    for hour in range(1, 12):
        with clock.frozen(LOGIN_TIME + dt.timedelta(hours=hour)):
            assert reads(client) == 200
    with clock.frozen(LOGIN_TIME + dt.timedelta(hours=12, minutes=1)):
        assert reads(client) == 401
        page = client.get("/materiel")
    assert page.status_code == 302 and "/login" in page.headers["Location"]


def test_a_cookie_without_a_session_version_is_refused(app, client, users):
    with client.session_transaction() as session:
        session["_user_id"] = str(users["admin"].id)  # as a cookie made before session versions
        session["session_since"] = session["session_seen"] = clock.utcnow().timestamp()
    assert reads(client) == 401


def test_an_admin_resets_a_password_from_the_access_form(app, client, users):
    viewer = app.server.test_client()
    login(viewer, "viewer@example.org")
    assert reads(viewer) == 200
    login(client, "admin@example.org")
    values = {"user_id": str(users["viewer"].id), "role": "", "status": "", "password": "court"}
    refused = post_form(client, "user-access", values).get_data(as_text=True)
    assert "au moins 10" in refused
    assert reads(viewer) == 200  # nothing changed
    saved = post_form(client, "user-access", {**values, "password": "un-nouveau-secret"}).get_data(as_text=True)
    assert "mot de passe remplacé" in saved
    assert reads(viewer) == 401
    assert login(app.server.test_client(), "viewer@example.org").status_code == 200  # the old one is refused
    assert login(app.server.test_client(), "viewer@example.org", "un-nouveau-secret").status_code == 302
