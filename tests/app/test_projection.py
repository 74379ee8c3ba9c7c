"""A projection link opens /projection and its own callbacks only; a revoked one is refused at the next request;
the page honours its URL parameters."""

import datetime as dt
import json

import pytest

from db import projection
from tests.conftest import csrf_headers, post_form

# The refresh callback's id as dash-renderer sends it (fixed: a revoked screen can no longer read the dependencies).
REFRESH_OUTPUT = '..{"name":["ALL"],"type":"proj-slide-body"}.children...proj-refreshed-at.children..'


@pytest.fixture
def link(database, users):
    """A screen link's (row id, token)."""
    with database.transaction() as session:
        row, token = projection.create_token(session, users["admin"], label="Salle", query="slides=chiffres,agenda")
    return row.id, token


def _spec(client, marker: str) -> dict:
    return next(d for d in client.get("/_dash-dependencies").get_json() if marker in d["output"])


def route_body(client, pathname: str, search: str = "") -> dict:
    """The request dash-renderer sends to render the page at `pathname` (Dash's page-routing callback)."""
    return {
        "output": _spec(client, "_pages_content")["output"],
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [
            {"id": "_pages_location", "property": "pathname", "value": pathname},
            {"id": "_pages_location", "property": "search", "value": search},
        ],
        "changedPropIds": ["_pages_location.pathname"],
    }


def route(client, pathname: str, search: str = ""):
    return client.post(
        "/_dash-update-component", json=route_body(client, pathname, search), headers=csrf_headers(client)
    )


def refresh(client, slides=("chiffres", "agenda")):
    """The request of the projection's data refresh for these slides."""
    body = {
        "output": REFRESH_OUTPUT,
        "outputs": [
            [{"id": {"name": name, "type": "proj-slide-body"}, "property": "children"} for name in slides],
            {"id": "proj-refreshed-at", "property": "children"},
        ],
        "inputs": [{"id": "proj-refresh", "property": "n_intervals", "value": None}],
        "changedPropIds": [],
    }
    return client.post("/_dash-update-component", json=body, headers=csrf_headers(client))


def open_link(client, token: str):
    response = client.get(f"/projection?jeton={token}")
    assert response.status_code == 302
    return response


def test_link_opens_the_projection_with_its_settings(client, link):
    response = open_link(client, link[1])
    assert response.headers["Location"] == "/projection?slides=chiffres%2Cagenda&rotate=20&refresh=5&theme=sombre"
    assert link[1] not in response.headers["Location"]  # the token leaves the address bar
    assert client.get("/projection").status_code == 200
    assert client.get("/_dash-layout").status_code == 200
    page = route(client, "/projection", "?slides=chiffres,agenda")
    assert page.status_code == 200 and "proj-deck" in page.get_data(as_text=True)
    data = refresh(client)
    assert data.status_code == 200
    assert "Jours de prêt de matériel" in data.get_data(as_text=True)
    assert "Données actualisées à" in data.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/", "/carte", "/materiel", "/admin", "/rapport", "/indicateurs"])
def test_link_opens_no_other_page(client, link, path):
    open_link(client, link[1])
    assert client.get(path).headers["Location"].startswith("/login")


def test_link_reaches_no_form_export_or_other_callback(client, link, users):
    open_link(client, link[1])
    assert client.get("/api/rapport/2025.pdf").status_code == 401
    assert route(client, "/admin").status_code == 401
    assert route(client, "/materiel").status_code == 401
    assert post_form(client, "report-comment", {"year": "2025", "mission": "formation", "text": "x"}).status_code == 401
    assert post_form(client, "projection-link", {"label": "Autre écran", "query": ""}).status_code == 401
    export = {
        "output": _spec(client, "ind-download")["output"],
        "outputs": {"id": "ind-download", "property": "data"},
        "inputs": [{"id": "ind-export-csv", "property": "n_clicks", "value": 1}],
        "state": [{"id": "ind-period", "property": "value", "value": "2025"}],
        "changedPropIds": ["ind-export-csv.n_clicks"],
    }
    assert client.post("/_dash-update-component", json=export, headers=csrf_headers(client)).status_code == 401
    # Dash picks the function by `output`: outputs that look like the projection's do not open another callback.
    disguised = {**export, "outputs": {"id": "proj-counter", "property": "children"}}
    assert client.post("/_dash-update-component", json=disguised, headers=csrf_headers(client)).status_code == 401
    body = route_body(client, "/projection")
    body["inputs"].reverse()  # "/projection" given as the search, the pathname left to Dash's default
    assert client.post("/_dash-update-component", json=body, headers=csrf_headers(client)).status_code == 401


def test_revoked_link_is_refused_at_the_next_request(client, link, database, users):
    open_link(client, link[1])
    assert refresh(client).status_code == 200
    with database.transaction() as session:
        projection.revoke_token(session, users["admin"], token_id=link[0])
    assert refresh(client).status_code == 401
    assert client.get("/projection").headers["Location"].startswith("/login")
    assert client.get(f"/projection?jeton={link[1]}").headers["Location"].startswith("/login")


def test_unknown_link_goes_to_login(client, users):
    response = client.get("/projection?jeton=pas-un-jeton")
    assert response.headers["Location"].startswith("/login")
    assert "révoqué" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_url_parameters_are_honoured(client, as_role):
    as_role("viewer")
    page = route(client, "/projection", "?slides=lettres,carte&rotate=7&refresh=2&theme=clair").get_json()
    content = json.dumps(page["response"]["_pages_content"]["children"])
    assert '"className": "kiosk theme-clair"' in content
    assert '"interval": 7000' in content and '"interval": 120000' in content
    assert content.index('"name": "lettres"') < content.index('"name": "carte"')
    assert '"name": "agenda"' not in content


@pytest.mark.parametrize("role", ["viewer", "coordinator"])
def test_forged_link_creation_writes_nothing(client, as_role, database, role):
    as_role(role)
    response = post_form(client, "projection-link", {"label": "Écran pirate", "query": ""})
    assert "réservée" in response.get_data(as_text=True)
    with database.session() as session:
        assert projection.list_tokens(session).empty


def test_agenda_slide_says_whole_days_as_days(app, database):
    from dashboard.callbacks.projection import agenda_slide
    from db.agenda import Occurrence
    from db.models import Event, EventOccurrence

    fair = Occurrence.whole_days(dt.date(2027, 4, 15), dt.date(2027, 4, 17))
    workshop = Occurrence(dt.datetime(2027, 4, 20, 12, tzinfo=dt.UTC), dt.datetime(2027, 4, 20, 14, tzinfo=dt.UTC))
    with database.transaction() as session:
        for title, (start, end, all_day) in (("Fête du numérique", fair), ("Atelier tablette", workshop)):
            occurrence = EventOccurrence(start=start, end=end, all_day=all_day)
            session.add(Event(title=title, status="scheduled", occurrences=[occurrence]))
    with database.session() as session:
        slide = agenda_slide(session, dt.datetime(2027, 4, 1, tzinfo=dt.UTC))
    whens = [item.children[0].children for item in slide.children]
    assert whens == ["du 15 au 17 avril", "mar. 20 avril · 14:00"]
