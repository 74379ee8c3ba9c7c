"""Every form of every page, submitted with extreme values as an admin (who may write everything): never an HTTP
500, never a row written, always a French message in the form."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from db.models import Base
from tests.conftest import csrf_headers, post_form

PAGES = ["/", "/carte", "/agenda", "/materiel", "/formations", "/lettres", "/indicateurs", "/rapport", "/actions", "/admin",
         "/projection?filters=on", "/compte"]  # fmt: skip
EXTREMES = {
    "huge number": "1" + "0" * 30,
    "overflowing float": "1e308",
    "negative": "-5",
    "long text": "x" * 10_000,
    "year 2999": "2999-01-01",
    "year 1900": "01/01/1900",
    "formula": '=HYPERLINK("http://evil.example")',
    "script address": "javascript:alert(1)",
    "control characters": "a\x00b\r\n\t",
    "a list": ["1", "2"],
    "an object": {"a": 1},
}


# Forms for which such values are a legitimate write: the admin's own password (a long one is a good one), a screen
# link (any text names a screen; its settings are normalised to valid ones).
LEGITIMATE = {"own-password", "projection-link"}


def page_forms(client) -> dict[str, list[str]]:
    """{form name: its field names}, read from every page's layout as the browser receives it."""
    forms: dict[str, list[str]] = {}

    def walk(node):
        if isinstance(node, dict):
            component_id = (node.get("props") or {}).get("id")
            if isinstance(component_id, dict) and component_id.get("type") == "field":
                names = forms.setdefault(component_id["form"], [])
                if component_id["name"] not in names:
                    names.append(component_id["name"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    headers = csrf_headers(client)
    for address in PAGES:
        path, _, query = address.partition("?")
        body = {
            "output": ".._pages_content.children..._pages_store.data..",
            "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
            "inputs": [
                {"id": "_pages_location", "property": "pathname", "value": path},
                {"id": "_pages_location", "property": "search", "value": f"?{query}"},
            ],  # fmt: skip
            "changedPropIds": ["_pages_location.pathname"],
        }
        response = client.post("/_dash-update-component", json=body, headers=headers)
        assert response.status_code == 200, path
        walk(response.get_json())
    return forms


def row_counts(database) -> dict[str, int]:
    with database.session() as session:
        return {
            table.name: session.scalar(select(func.count()).select_from(table)) for table in Base.metadata.sorted_tables
        }


def messages(answer: dict) -> list[str]:
    """The texts the answer shows: the form's alert and the messages under its fields, or the page's alert."""
    texts = [json.dumps(props, ensure_ascii=False) for props in answer.get("response", {}).values()]
    texts += [json.dumps(props, ensure_ascii=False) for props in answer.get("sideUpdate", {}).values()]
    return texts


@pytest.mark.parametrize("extreme", list(EXTREMES))
def test_every_form_refuses_extreme_values_in_french(client, as_role, database, extreme):
    as_role("admin")
    client.get("/")
    forms = page_forms(client)
    assert len(forms) >= 18, sorted(forms)  # every area's forms were found
    before = row_counts(database)
    crashed = []
    for form, names in forms.items():
        if form in LEGITIMATE:
            continue
        response = post_form(client, form, dict.fromkeys(names, EXTREMES[extreme]))
        assert response.status_code == 200, (form, response.status_code)
        answer = response.get_json()
        shown = " ".join(messages(answer))
        assert any(word in shown for word in ("invalide", "hors", "rien n", "Choisir", "obligatoire", "trop")), (
            form,
            shown[:300],
        )
        if "app-alert" in answer.get("sideUpdate", {}):
            crashed.append(form)
    assert row_counts(database) == before
    assert crashed == [], f"forms whose write raised instead of refusing: {crashed}"
