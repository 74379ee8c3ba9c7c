"""Reads are guarded like writes: every callback declares the role it needs, and a forged request for each one, as
each role and as a screen link, gets exactly what that role may read (and never an HTTP 500)."""

from __future__ import annotations

import json

import pytest

from dashboard import access
from db import projection
from db.models import Role
from tests.conftest import csrf_headers

ADMIN_ONLY = {"admin-accounts", "admin-journal", "proj-tokens"}  # a component id each admin-only callback writes
SCREEN_OUTPUTS = {"proj-slide-body", "_pages_content"}


def _prop(spec_id: str, prop: str, value=None):
    """What dash-renderer sends for one input or output: a list for an ALL wildcard id (here: no component)."""
    if spec_id.startswith("{"):
        pattern = json.loads(spec_id)
        if any(value == ["ALL"] or value == ["ALLSMALLER"] for value in pattern.values()):
            return []
        spec_id = {key: "x" if value == ["MATCH"] else value for key, value in pattern.items()}
    return {"id": spec_id, "property": prop, "value": value}


def forged_body(key: str, spec: dict) -> dict:
    outputs = []
    for part in (key[2:-2].split("...") if key.startswith("..") else [key]):
        component, prop = part.split("@", 1)[0].rsplit(".", 1)
        outputs.append(_prop(component, prop))
    return {
        "output": key,
        "outputs": outputs if key.startswith("..") else outputs[0],
        "inputs": [_prop(item["id"], item["property"]) for item in spec["inputs"]],
        "state": [_prop(item["id"], item["property"]) for item in spec["state"]],
        "changedPropIds": [],
    }


def server_callbacks(app, client) -> dict:
    client.get("/login")  # Dash registers its page router at its first request
    return {key: spec for key, spec in app.callback_map.items() if "callback" in spec}


def writes_to(key: str) -> set[str]:
    return set(access.output_names(key)) | {
        json.loads(part.split("@")[0].rsplit(".", 1)[0]).get("list", "")
        for part in key.strip(".").split("...")
        if part.startswith("{")
    }


def test_every_callback_declares_a_role(app, client):
    declared = app.server.extensions[access.REGISTRY]
    for key in server_callbacks(app, client):
        assert access.required_role(app.server, {"output": key}) is not None, key
        assert key in declared or set(access.output_names(key)) == access.PAGES_OUTPUTS
    admin = {key for key, role in declared.items() if role == Role.ADMIN}
    assert {name for key in admin for name in writes_to(key)} & ADMIN_ONLY == ADMIN_ONLY
    assert all(writes_to(key) & ADMIN_ONLY for key in admin), "only the accounts, journal and links are admin-only"


@pytest.mark.parametrize("role", ["viewer", "coordinator", "admin"])
def test_every_callback_forged_as_each_role(app, client, as_role, users, role):
    as_role(role)
    headers = csrf_headers(client)
    for key, spec in server_callbacks(app, client).items():
        response = client.post("/_dash-update-component", json=forged_body(key, spec), headers=headers)
        admin_only = bool(writes_to(key) & ADMIN_ONLY)
        if admin_only and role != "admin":
            assert response.status_code == 403, key
            assert "@example.org" not in response.get_data(as_text=True)
        else:
            assert response.status_code in (200, 204), (key, response.status_code, response.get_data(as_text=True))


def test_unknown_or_malformed_callbacks_are_refused(client, as_role):
    as_role("admin")
    headers = csrf_headers(client)
    for body in (
        {"output": "nowhere.children", "inputs": []},
        {"output": "home-figures.children", "inputs": "x"},
        {"output": "home-figures.children", "inputs": [{"id": 1}]},
        {"output": "home-figures.children"},
        ["not", "an", "object"],
    ):
        response = client.post("/_dash-update-component", json=body, headers=headers)
        assert response.status_code == 400, body
        assert "Requête" in response.get_json()["error"]


@pytest.fixture
def screen(client, database, users):
    """A client holding a screen link made for the key figures slide only."""
    with database.transaction() as session:
        _, token = projection.create_token(session, users["admin"], label="Hall", query="slides=chiffres")
    client.get(f"/projection?jeton={token}")
    return client


def test_a_screen_link_runs_only_the_slides_callback(app, screen):
    headers = csrf_headers(screen)
    for key, spec in server_callbacks(app, screen).items():
        body = forged_body(key, spec)
        if set(access.output_names(key)) == access.PAGES_OUTPUTS:
            body["inputs"][0]["value"] = "/admin"  # routing to another page than the projection
        response = screen.post("/_dash-update-component", json=body, headers=headers)
        allowed = bool(set(access.output_names(key)) & {"proj-slide-body"})
        assert (response.status_code in (200, 204)) == allowed, key
        if not allowed:
            assert response.status_code == 401


def test_a_screen_link_reads_only_its_own_slides(app, screen):
    from dashboard.callbacks.projection import NOT_IN_LINK  # once the app exists: it imports the pages

    key = next(key for key in app.callback_map if "proj-slide-body" in key)
    body = forged_body(key, app.callback_map[key])
    body["outputs"][0] = [
        {"id": {"type": "proj-slide-body", "name": name}, "property": "children"} for name in projection.SLIDES
    ]
    response = screen.post("/_dash-update-component", json=body, headers=csrf_headers(screen))
    assert response.status_code == 200
    bodies = _slide_bodies(response.get_json())
    assert bodies["chiffres"] != NOT_IN_LINK
    assert {name for name, content in bodies.items() if content == NOT_IN_LINK} == set(projection.SLIDES) - {"chiffres"}


def _slide_bodies(answer: dict) -> dict:
    return {
        json.loads(component)["name"]: props["children"]
        for component, props in answer["response"].items()
        if component.startswith("{") and json.loads(component)["type"] == "proj-slide-body"
    }
