"""A projection link opens /projection and its own callbacks only; a revoked one is refused at the next request;
the page honours its URL parameters."""

import datetime as dt
import json

import pytest

from db import clock, projection
from db.models import Event
from tests.conftest import csrf_headers, post_form

# The refresh callback's id as dash-renderer sends it (fixed: a revoked screen can no longer read the dependencies).
REFRESH_OUTPUT = '..{"name":["ALL"],"type":"proj-slide-body"}.children...proj-shown.data...proj-refreshed-at.children..'


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


def refresh(client, slides=("chiffres", "agenda"), shown=None):
    """The request of the projection's data refresh for these slides, the screen holding the data `shown`."""
    body = {
        "output": REFRESH_OUTPUT,
        "outputs": [
            [{"id": {"name": name, "type": "proj-slide-body"}, "property": "children"} for name in slides],
            {"id": "proj-shown", "property": "data"},
            {"id": "proj-refreshed-at", "property": "children"},
        ],
        "inputs": [{"id": "proj-refresh", "property": "n_intervals", "value": None}],
        "state": [{"id": "proj-shown", "property": "data", "value": shown}],
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


def test_a_refresh_sends_only_the_slides_whose_data_changed(client, as_role, database, users):
    as_role("viewer")
    slides = ("chiffres", "carte", "agenda", "materiel", "formations", "lettres")
    with clock.frozen(dt.datetime(2026, 12, 4, 10, 0)):
        first = refresh(client, slides).get_json()["response"]
        shown = first["proj-shown"]["data"]
        again = refresh(client, slides, shown)
        with database.transaction() as session:
            session.add(Event(title="Atelier ajouté", status="scheduled"))
        after_write = refresh(client, slides, shown).get_json()["response"]
    assert set(shown) == set(slides) and len(first) == len(slides) + 2
    assert again.status_code == 200 and len(again.data) < 300
    assert set(again.get_json()["response"]) == {"proj-refreshed-at"}
    changed = {json.loads(key)["name"] for key in after_write if key.startswith("{")}
    assert changed == {"chiffres", "agenda"}  # the figures read every area; the other slides are kept


def test_the_carte_slide_sends_which_places_to_draw_not_the_places(client, as_role, database):
    from db import carte
    from db.models import Place

    with database.transaction() as session:
        for n in range(3):
            place = Place(id=f"P{n}", pivot="00000000000000", nom=f"Lieu {n}", commune="Feurs", code_postal="42110",
                          adresse="1 rue", latitude=45.7 + n / 100, longitude=4.2, date_maj=dt.date(2026, 11, 1))  # fmt: skip
            carte.sync_place_values(place)
            session.add(place)
    as_role("viewer")
    with clock.frozen(dt.datetime(2026, 12, 4, 10, 0)):
        response = refresh(client, ("carte",)).get_json()["response"]
    body = json.dumps(response['{"name":"carte","type":"proj-slide-body"}'])
    match = next(part for part in _components(response) if part.get("props", {}).get("id") == "proj-carte-match")
    assert "Lieu 0" not in body  # the labels and positions stay in the collection the browser keeps
    assert set(match["props"]["data"]) == {"v", "sel", "codes", "palette"} and len(match["props"]["data"]["codes"]) == 3


def _components(value):
    """Every component (as JSON) inside an answer."""
    if isinstance(value, dict):
        if "namespace" in value and "props" in value:
            yield value
        for item in value.values():
            yield from _components(item)
    elif isinstance(value, list):
        for item in value:
            yield from _components(item)


def test_a_screen_link_reads_the_places_its_carte_slide_draws(client, link):
    open_link(client, link[1])
    assert client.get("/api/carte/points.json").status_code == 200
    assert client.get("/api/v1/indicateurs.json").status_code == 401


def test_a_links_settings_read_in_words():
    from dashboard.callbacks.projection import settings_in_words

    words = settings_in_words("slides=chiffres%2Cagenda&rotate=30&refresh=10&theme=clair")
    assert (
        words
        == "Chiffres clés, Prochains événements · 30 s par diapositive · actualisation toutes les 10 min · thème clair"
    )
    assert "%2C" not in settings_in_words("")
