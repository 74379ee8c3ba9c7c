"""The guard, CSRF, rate limiting and role checks, through the real Flask stack."""

import json
import re

import pytest
from sqlalchemy import func, select

from db.models import AuditLog, User
from tests.conftest import PASSWORD, csrf_headers, login, post_form

PAGES = [
    "/",
    "/carte",
    "/agenda",
    "/materiel",
    "/formations",
    "/lettres",
    "/indicateurs",
    "/projection",
    "/admin",
    "/page-inconnue",
]
NEW_USER = {"email": "new@example.org", "name": "Nouveau", "role": "admin", "password": "a long password"}


@pytest.mark.parametrize("path", PAGES)
def test_anonymous_page_redirects_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("path", ["/_dash-layout", "/_dash-dependencies"])
def test_anonymous_dash_endpoints_are_refused(client, path):
    assert client.get(path).status_code == 401


def test_anonymous_callback_is_refused(client):
    assert client.post("/_dash-update-component", json={"output": "x.children"}).status_code == 401


def test_login_page_and_health_are_open(client):
    assert client.get("/login").status_code == 200
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}


def test_login_then_pages_render(client, users):
    assert login(client, "viewer@example.org").headers["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.get("/_dash-layout").status_code == 200


@pytest.mark.parametrize(
    ("target", "expected"),
    [("/materiel?annee=2025", "/materiel?annee=2025"), ("https://evil.example/x", "/"), ("//evil.example", "/")],
)
def test_login_follows_next_only_to_local_paths(client, users, target, expected):
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": "viewer@example.org", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == expected


def test_logout_ends_the_session(client, as_role):
    as_role("viewer")
    client.post("/logout", data={"csrf_token": csrf_headers(client)["X-CSRFToken"]})
    assert client.get("/").status_code == 302


def test_wrong_password_six_times_is_rate_limited(client, users):
    codes = [login(client, "viewer@example.org", "wrong password").status_code for _ in range(6)]
    assert codes[:5] == [200] * 5
    assert codes[5] == 429


def test_login_form_without_csrf_is_refused(client, users):
    response = client.post("/login", data={"email": "viewer@example.org", "password": "correct horse battery"})
    assert response.status_code == 400


def test_callback_without_csrf_header_is_refused(client, as_role):
    as_role("admin")
    response = post_form(client, "new-user", NEW_USER, headers={"X-Other": "1"})
    assert response.status_code == 400


def test_admin_creates_user_through_callback_with_one_audit_row(client, as_role, database):
    as_role("admin")
    with database.session() as session:
        audit_before = session.scalar(select(func.count(AuditLog.id)))
    response = post_form(client, "new-user", NEW_USER)
    assert response.status_code == 200
    assert "Compte créé" in response.get_data(as_text=True)
    with database.session() as session:
        assert session.scalar(select(User).where(User.email == "new@example.org")).role == "admin"
        assert session.scalar(select(func.count(AuditLog.id))) == audit_before + 1


@pytest.mark.parametrize("role", ["viewer", "coordinator"])
def test_forged_write_callback_writes_nothing(client, as_role, database, role):
    as_role(role)
    with database.session() as session:
        before = session.scalar(select(func.count(User.id))), session.scalar(select(func.count(AuditLog.id)))
    response = post_form(client, "new-user", NEW_USER)
    assert "réservée" in response.get_data(as_text=True)
    with database.session() as session:
        after = session.scalar(select(func.count(User.id))), session.scalar(select(func.count(AuditLog.id)))
    assert after == before


def test_bad_input_shows_field_messages_and_writes_nothing(client, as_role, database):
    as_role("admin")
    response = post_form(client, "new-user", {**NEW_USER, "email": "pas-une-adresse", "password": "court"})
    body = response.get_data(as_text=True)
    assert "Adresse e-mail invalide" in body and "au moins 10" in body
    with database.session() as session:
        assert session.scalar(select(User).where(User.email == "pas-une-adresse")) is None


def test_deactivated_account_loses_its_session(client, as_role, database, users):
    from db.users import set_active

    as_role("viewer")
    assert client.get("/").status_code == 200
    with database.transaction() as session:
        set_active(session, users["admin"], users["viewer"].id, False)
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("trusted", [False, True])
def test_screen_links_trust_the_proxys_headers_only_when_configured(database_url, users, trusted):
    """Behind a reverse proxy (PROXY_FIX=1) a screen link carries the public scheme and host; without the setting,
    the same headers, which any client can send, change nothing."""
    from dashboard import create_app
    from dashboard.config import TestConfig

    app = create_app(TestConfig(database_url, PROXY_FIX=int(trusted)))
    client = app.server.test_client()
    assert login(client, "admin@example.org").status_code == 302
    forwarded = {
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "tableau.mednum42.fr",
        "X-Forwarded-For": "203.0.113.9",
        "Referer": "https://tableau.mednum42.fr/projection",  # CSRF checks it on HTTPS, as browsers send it
    }
    response = post_form(
        client, "projection-link", {"label": "Salle", "query": ""}, {**csrf_headers(client), **forwarded}
    )
    app.server.extensions["database"].dispose()
    expected = "https://tableau.mednum42.fr/projection?jeton=" if trusted else "http://localhost/projection?jeton="
    assert expected in json.dumps(response.get_json())


def test_charts_load_plotly_cartesian_bundle_on_demand(as_role):
    """Every page names plotly.js's cartesian bundle for dcc.Graph (assets/01-plotly.js) and none loads it up front;
    the bundle is the plotly.js version plotly.py ships, so figures and the drawing code agree."""
    from plotly.offline import get_plotlyjs_version

    from dashboard import PLOTLY_BUNDLE

    client = as_role("viewer")
    page = client.get("/materiel").get_data(as_text=True)
    (url,) = re.findall(r'<meta name="plotly-bundle" content="([^"]+)">', page)
    assert "vendor/" not in "".join(re.findall(r'<script src="([^"]+)"', page))
    bundle = client.get(url)
    assert bundle.status_code == 200 and bundle.mimetype == "text/javascript"
    header = bundle.get_data(as_text=True)[:200]
    assert f"plotly.js (cartesian - minified) v{get_plotlyjs_version()}" in header
    assert PLOTLY_BUNDLE.endswith(f"-{get_plotlyjs_version()}.min.js")


def test_pages_without_a_map_do_not_load_the_map_script(as_role):
    """dash-leaflet's script (300 KB) is in the index of the pages that draw a map, and only there; links to those
    pages load them in full."""
    client = as_role("viewer")

    def scripts(path: str) -> list[str]:
        return re.findall(r'<script src="([^"]+)"', client.get(path).get_data(as_text=True))

    for path in ("/", "/materiel", "/indicateurs", "/carte/lieu/Lieu_1"):
        assert not [src for src in scripts(path) if "/dash_leaflet/" in src], path
    for path in ("/carte", "/agenda", "/projection"):
        (leaflet,) = [src for src in scripts(path) if "/dash_leaflet/" in src]
        assert client.get(leaflet).status_code == 200
    assert '<meta name="map-pages" content="/agenda /carte /projection">' in client.get("/").get_data(as_text=True)
    links = re.findall(
        r'"href": "(/[a-z]*)", "active": "\w+", "external_link": (\w+)',
        json.dumps(client.get("/_dash-layout").get_json()),
    )
    assert {href for href, full_load in links if full_load == "true"} == {"/agenda", "/carte", "/projection"}
    assert ("/materiel", "false") in links
