"""One error path: French error pages and answers with a reference, logs that carry it, a failed callback told in
the page, security headers on every response, and a production server that refuses to start misconfigured."""

from __future__ import annotations

import logging

import pytest

from dashboard import config, create_app
from dashboard.auth import public
from tests.conftest import csrf_headers, login

UNREACHABLE = "postgresql://nobody@127.0.0.1:1/nothing?connect_timeout=1"


@pytest.mark.parametrize("path", ["/login", "/healthz", "/api/v1/lieux.csv", "/api/v1/nulle-part", "/assets/10-app.css"])
def test_security_headers_on_every_response(client, path):
    headers = client.get(path).headers
    policy = headers["Content-Security-Policy"]
    assert "frame-ancestors 'self'" in policy and "object-src 'none'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]  # scripts only by hash
    assert headers["X-Frame-Options"] == "SAMEORIGIN"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in headers  # only in production, over https
    assert headers["X-Request-ID"]


def test_a_request_id_from_the_proxy_is_kept_and_a_forged_one_replaced(client):
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    assert client.get("/healthz", headers={"X-Request-ID": "<script>"}).headers["X-Request-ID"] != "<script>"


def test_not_found_and_wrong_method_answer_in_french(client, as_role):
    as_role("viewer")
    assert client.get("/api/v1/nulle-part").get_json()["error"] == "Cette page n'existe pas ou a été déplacée."
    page = client.delete("/login")
    assert page.status_code == 405
    assert "Cette action n&#39;est pas possible à cette adresse." in page.get_data(as_text=True)
    assert '<html lang="fr">' in page.get_data(as_text=True)


def test_an_unexpected_error_gives_a_french_page_and_a_logged_reference(app, client, caplog):
    def broken():
        raise RuntimeError("boom")

    app.server.add_url_rule("/api/broken", "broken", public(broken))
    with caplog.at_level(logging.ERROR, logger="mednum"):
        response = client.get("/api/broken", headers={"X-Request-ID": "ref-42"})
    assert response.status_code == 500
    assert response.get_json() == {
        "error": "Une erreur inattendue s'est produite ; elle a été enregistrée.",
        "request_id": "ref-42",
    }
    assert any(record.request_id == "ref-42" and record.exc_info for record in caplog.records)


def test_a_failed_callback_is_told_in_the_page_not_as_an_http_500(app, client, as_role, monkeypatch, caplog):
    from dashboard.callbacks import home

    as_role("viewer")
    client.get("/")

    def broken(session, period):
        raise RuntimeError("boom")

    monkeypatch.setattr(home, "key_figures", broken)
    body = {
        "output": "home-figures.children",
        "outputs": {"id": "home-figures", "property": "children"},
        "inputs": [{"id": "home-year", "property": "value", "value": 2026}],
        "changedPropIds": ["home-year.value"],
    }
    with caplog.at_level(logging.ERROR, logger="mednum"):
        response = client.post("/_dash-update-component", json=body, headers=csrf_headers(client))
    assert response.status_code == 200
    alert = response.get_json()["sideUpdate"]["app-alert"]
    assert alert["is_open"] and "n'a pas abouti" in alert["children"]
    assert response.headers["X-Request-ID"] in alert["children"]
    assert any("home-figures" in record.getMessage() for record in caplog.records)


def test_a_database_out_of_reach_gives_a_french_503():
    app = create_app(config.TestConfig(UNREACHABLE))
    client = app.server.test_client()
    response = login(client, "viewer@example.org")
    assert response.status_code == 503
    assert "La base de données ne répond pas" in response.get_data(as_text=True)


@pytest.mark.parametrize("key", ["x", "changeme", "a" * 40])
def test_production_refuses_a_weak_secret_key(database_url, key):
    with pytest.raises(SystemExit, match="SECRET_KEY est trop faible"):
        create_app(config.TestConfig(database_url, ENV="production", SECRET_KEY=key))


def test_production_refuses_a_database_out_of_reach():
    with pytest.raises(SystemExit, match="ne répond pas"):
        create_app(config.TestConfig(UNREACHABLE, ENV="production", SECRET_KEY="k3Y-" + "0123456789abcdef" * 3))


def test_production_starts_with_a_strong_key_and_sends_hsts_over_https(database_url, caplog):
    strong = "k3Y-" + "0123456789abcdef" * 3
    with caplog.at_level(logging.WARNING, logger="mednum"):
        app = create_app(config.TestConfig(database_url, ENV="production", SECRET_KEY=strong))
    assert any("RATELIMIT_STORAGE_URI" in record.getMessage() for record in caplog.records)
    response = app.server.test_client().get("/login", base_url="https://localhost")
    assert "max-age" in response.headers["Strict-Transport-Security"]


@pytest.mark.parametrize("day", ["9999-01-01", "0001-01-01", "2026-13-45", "x" * 500])
def test_the_public_feed_takes_any_date_without_an_error(client, day):
    response = client.get(f"/api/v1/agenda.ics?period=year&date={day}")
    assert response.status_code == 200
    assert response.data.startswith(b"BEGIN:VCALENDAR")
