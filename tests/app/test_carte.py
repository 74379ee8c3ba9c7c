"""Carte through the app: the page from a URL, the filter view, escaping, open-data routes and the CSV export."""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json
from urllib.parse import parse_qs

import numpy as np
import pytest
from dash.development.base_component import Component
from pypdf import PdfReader
from sqlalchemy import select, update

from db import carte, clock
from db.interop.places import field_names
from db.models import Place

TODAY = clock.today()
SCRIPT = "<script>alert('x')</script> Médiathèque"


def add_places(app):
    def make(pk, **fields):
        values = dict(
            id=f"T_{pk}",
            pivot="00000000000000",
            nom=f"Lieu {pk}",
            commune="Feurs",
            code_postal="42110",
            code_insee="42094",
            adresse="1 rue de la Paix",
            latitude=45.74,
            longitude=4.22,
            date_maj=TODAY,
        )
        place = Place(**(values | fields))
        carte.sync_place_values(place)
        return place

    with app.server.extensions["database"].transaction() as session:
        session.add_all(
            [
                make(1, nom=SCRIPT, services="Aide aux démarches administratives", horaires="Mo-Su 00:00-24:00"),
                make(2, services="Loisirs et créations numériques", commune="Roanne", code_insee="42187"),
                make(3, latitude=None, longitude=None, services="Aide aux démarches administratives"),
            ]
        )


@pytest.fixture
def ui(app):
    from dashboard.callbacks import carte as callbacks
    from dashboard.pages import carte as page
    from dashboard.pages import lieu

    add_places(app)
    return callbacks, page, lieu


def texts(component) -> list[str]:
    """Every string rendered as text in a component tree."""
    if isinstance(component, str):
        return [component]
    if isinstance(component, (list, tuple)):
        return [t for child in component for t in texts(child)]
    if isinstance(component, Component):
        return texts(getattr(component, "children", None))
    return []


def find(component, component_id):
    if isinstance(component, (list, tuple)):
        return next((found for child in component if (found := find(child, component_id)) is not None), None)
    if isinstance(component, Component):
        if getattr(component, "id", None) == component_id:
            return component
        return find(getattr(component, "children", None), component_id)
    return None


def test_page_reads_its_filters_from_the_url(app, ui):
    _callbacks, page, _lieu = ui
    from dashboard import ids

    with app.server.test_request_context("/carte"):
        layout = page.layout(services=["Aide aux démarches administratives", "Inconnu"], q="feurs", territoire="FRR")
    assert find(layout, ids.carte_facet("services")).value == ["Aide aux démarches administratives", "Inconnu"]
    assert find(layout, ids.carte_facet("territoire")).value == ["FRR"]
    assert find(layout, ids.CARTE_SEARCH).value == "feurs"
    assert find(layout, ids.carte_facet("frais")).value == []


def test_view_filters_counts_and_writes_the_url(app, ui):
    callbacks, _page, _lieu = ui
    flt = carte.PlaceFilter.from_query({"services": "Aide aux démarches administratives"})
    keys = [f.key for f in carte.FACETS]
    with app.server.test_request_context("/carte"):
        view = callbacks.carte_view(flt, keys, dt.datetime.combine(TODAY, dt.time(10)))
    assert view.count == "2 lieux"
    # The map gets a bitmap over the point collection (pk order: T_1, T_2; T_3 has no position) and one colour
    # code per matching located place: 4 × open state (0: open) + freshness band (0: À jour).
    bits = np.unpackbits(np.frombuffer(base64.b64decode(view.match["sel"]), dtype=np.uint8))
    assert list(np.flatnonzero(bits)) == [0] and view.match["codes"] == "0"
    assert view.match["palette"]["ouverture"][0] == "#1a7f37"
    assert view.search == "?services=Aide+aux+d%C3%A9marches+administratives"
    assert carte.PlaceFilter.from_query(parse_qs(view.search[1:])) == flt
    services = dict(zip(keys, view.facet_options, strict=True))["services"]
    assert {o["value"]: o["label"] for o in services}["Loisirs et créations numériques"].endswith("(1)")
    assert view.viewport["bounds"] == [[45.74, 4.22], [45.74, 4.22]]


def client_points(app) -> dict:
    client = app.server.test_client()
    from tests.conftest import login

    login(client, "viewer@example.org")
    return client.get("/api/carte/points.json").get_json()


def test_point_collection_needs_login_and_is_cached_by_version(app, ui, users, client):
    assert client.get("/api/carte/points.json").status_code == 401
    points = client_points(app)
    assert points["pk"] == [1, 2] and points["lat"] == [45.74, 45.74]  # T_3 has no coordinates
    logged = app.server.test_client()
    from tests.conftest import login

    login(logged, "viewer@example.org")
    fresh = logged.get(f"/api/carte/points.json?v={points['v']}")
    assert fresh.headers["Cache-Control"] == "private, max-age=86400"
    assert logged.get("/api/carte/points.json?v=old").headers["Cache-Control"] == "no-cache"


def test_user_text_is_never_html(app, ui, users):
    callbacks, _page, _lieu = ui
    with app.server.test_request_context("/carte"):
        sheet = callbacks.sheet("T_1")
    # The point's `label` is bound by assets/30-carte.js with textContent; `tooltip`/`popup` (raw HTML in
    # dash-leaflet) are never sent.
    points = client_points(app)
    assert points["label"][points["id"].index("T_1")] == f"{SCRIPT} — Feurs"
    assert not {"tooltip", "popup"} & points.keys()
    assert SCRIPT in texts(sheet)  # a plain string child: React renders it as text
    assert "textContent" in open("assets/30-carte.js", encoding="utf-8").read()


def test_sheet_shows_every_field_and_unknown_place(app, ui):
    callbacks, _page, _lieu = ui
    with app.server.test_request_context("/carte/lieu/T_1"):
        shown = texts(callbacks.sheet("T_1"))
        missing = texts(callbacks.sheet("nope"))
    assert "Ouvert maintenant" in shown and "À jour" in shown and "Aide aux démarches administratives" in shown
    assert "Lundi" in shown and "T_1" in shown
    assert "Lieu introuvable" in missing


def test_open_data_routes_need_no_login_and_filter(app, ui, client):
    response = client.get("/api/v1/lieux.csv", query_string={"services": "Aide aux démarches administratives"})
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == field_names() and len(rows[0]) == 32
    assert sorted(r[0] for r in rows[1:]) == ["T_1", "T_3"]
    data = json.loads(client.get("/api/v1/lieux.json?commune=42187").get_data(as_text=True))
    assert [d["id"] for d in data] == ["T_2"] and data[0]["code_postal"] == "42110"


def test_open_data_speaks_the_schema_and_refuses_unknown_parameters(app, ui, client, database):
    with database.transaction() as session:
        # Addresses written before the rules on stored values (db.fields), by a plain UPDATE: the API still
        # publishes only their http(s) parts.
        session.execute(
            update(Place)
            .where(Place.id == "T_1")
            .values(frais_a_charge="Payant", site_web="javascript:alert(1)|https://exemple.fr",
                    prise_rdv="ftp://exemple.fr/rdv")
        )  # fmt: skip
        carte.sync_place_values(session.scalar(select(Place).where(Place.id == "T_1")))

    def ids(path, **query):
        response = client.get(path, query_string=query)
        assert response.status_code == 200, response.get_data(as_text=True)
        return sorted(d["id"] for d in json.loads(response.get_data(as_text=True)))

    assert ids("/api/v1/lieux.json", frais_a_charge="Payant") == ["T_1"]  # the schema's name
    assert ids("/api/v1/lieux.json", frais="Payant") == ["T_1"]  # the short name, an alias
    assert ids("/api/v1/lieux.json", code_insee="42187") == ["T_2"]
    assert ids("/api/v1/lieux.json", services="Loisirs et créations numériques|Aide aux démarches administratives") == [
        "T_1",
        "T_2",
        "T_3",
    ]
    refused = client.get("/api/v1/lieux.csv", query_string={"frais_a_charge": "Payant", "prix": "0"})
    assert refused.status_code == 400
    body = refused.get_json()
    assert body["erreur"] == "Paramètre(s) inconnu(s) : prix."
    assert {"frais_a_charge", "modalites_acces", "code_insee", "frais", "commune", "q"} <= set(
        body["parametres_valides"]
    )
    (published,) = json.loads(client.get("/api/v1/lieux.json?frais_a_charge=Payant").get_data(as_text=True))
    assert published["site_web"] == "https://exemple.fr" and "prise_rdv" not in published  # only http(s) URLs


def test_csv_export_button_uses_the_current_filter(app, ui):
    callbacks, _page, _lieu = ui
    with app.server.test_request_context("/carte"):
        download = callbacks.export_csv(1, "?commune=42187")
    assert download["filename"].startswith("lieux-mediation-numerique-") and download["filename"].endswith(".csv")
    lines = download["content"].splitlines()
    assert len(lines) == 2 and lines[1].startswith('"T_2"')


def test_territory_options_are_kept_until_the_places_change(app, ui, client, as_role):
    """Asked once per page load, answered once per revision of the places: a later load reads no place, and a new
    commune's place shows at the next one."""
    from sqlalchemy import event

    from tests.app.test_read_access import forged_body, server_callbacks
    from tests.conftest import csrf_headers

    as_role("viewer")
    key, spec = next((k, s) for k, s in server_callbacks(app, client).items() if k.startswith("..carte-commune.options"))
    body, headers = forged_body(key, spec), csrf_headers(client)

    def communes():
        answer = client.post("/_dash-update-component", json=body, headers=headers).get_json()
        return [option["label"] for option in answer["response"]["carte-commune"]["options"]]

    assert communes() == ["Feurs (2)", "Roanne (1)"]
    statements = []
    engine = app.server.extensions["database"].engine
    event.listen(engine, "before_cursor_execute", keep := lambda *args: statements.append(args[2]))
    try:
        assert communes() == ["Feurs (2)", "Roanne (1)"]
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    assert not [s for s in statements if "places" in s], statements
    with app.server.extensions["database"].transaction() as session:
        session.add(Place(id="T_9", pivot="00000000000000", nom="Lieu 9", commune="Montbrison", code_postal="42600",
                          code_insee="42147", adresse="2 rue", date_maj=TODAY))  # fmt: skip
    assert communes() == ["Feurs (2)", "Montbrison (1)", "Roanne (1)"]


def test_pick_place_ignores_clusters(app, ui):
    callbacks, _page, _lieu = ui
    from dash._callback_context import context_value
    from dash._utils import AttributeDict

    context_value.set(AttributeDict(triggered_inputs=[{"prop_id": "carte-points.clickData", "value": None}]))
    assert callbacks.pick_place([], {"properties": {"cluster": True, "point_count": 4}}) is callbacks.no_update
    assert callbacks.pick_place([], {"properties": {"id": "T_2"}}) == "T_2"


def post_place_form(client, values: dict):
    """The shared MATCH form callback for the place form, exactly as the browser posts it."""
    from tests.conftest import csrf_headers, form_payload

    shared = [
        d for d in client.get("/_dash-dependencies").get_json() if '"form":["MATCH"],"type":"form-alert"' in d["output"]
    ]
    return client.post(
        "/_dash-update-component", json=form_payload(shared, "place", values), headers=csrf_headers(client)
    )


PLACE = {
    "original_id": "",
    "id": "Form_1",
    "pivot": "00000000000000",
    "nom": "Tiers-lieu du Forez",
    "commune": "Feurs",
    "code_postal": "42110",
    "adresse": "3 place Drouot",
    "date_maj": TODAY.isoformat(),
    "services": ["Loisirs et créations numériques"],
}


def place_ids(app) -> list[str]:
    with app.server.extensions["database"].session() as session:
        return sorted(p.id for p in session.query(Place))


def test_coordinator_creates_a_place_through_the_form(app, ui, as_role):
    response = post_place_form(as_role("coordinator"), PLACE)
    assert response.status_code == 200
    assert "Lieu « Tiers-lieu du Forez » créé." in response.get_data(as_text=True)
    assert "Form_1" in place_ids(app)


def test_forged_write_by_a_viewer_and_bad_input_write_nothing(app, ui, as_role):
    before = place_ids(app)
    response = post_place_form(as_role("viewer"), PLACE)
    assert "réservée au rôle" in response.get_data(as_text=True)
    assert place_ids(app) == before


def test_bad_input_is_refused_field_by_field(app, ui, as_role):
    before = place_ids(app)
    response = post_place_form(as_role("coordinator"), PLACE | {"code_postal": "4211", "nom": ""})
    body = response.get_data(as_text=True)
    assert "Champ obligatoire manquant." in body and "5 chiffres attendus" in body
    assert place_ids(app) == before


def test_form_is_shown_to_coordinators_only(app, ui, users):
    callbacks, _page, _lieu = ui
    from flask_login import login_user

    with app.server.test_request_context("/carte/lieu/T_1"):
        login_user(users["viewer"])
        assert callbacks.form_panel("T_1") is None
    with app.server.test_request_context("/carte/lieu/T_1"):
        login_user(users["coordinator"])
        assert "Médiathèque" in str(callbacks.form_panel("T_1").to_plotly_json())
        assert callbacks.form_panel("nouveau") is not None


def test_cli_import_export_and_ifn(app, tmp_path):
    from pathlib import Path

    from tests.conftest import need

    data = Path(__file__).resolve().parents[3] / "shared" / "data"
    need((data / "hinaura-loire-42-2022_converted-to-schema-v1.0.2.csv").exists(), "test data missing")
    runner = app.server.test_cli_runner()
    result = runner.invoke(args=["import-places", str(data / "hinaura-loire-42-2022_converted-to-schema-v1.0.2.csv")])
    assert result.exit_code == 0 and "Lieux : 81 créé(s), 0 mis à jour, 0 inchangé(s), 0 rejeté(s)" in result.output
    out = tmp_path / "lieux.json"
    result = runner.invoke(args=["export-places", "--format", "json", "-o", str(out)])
    assert result.exit_code == 0 and len(json.loads(out.read_text())) == 81
    csv_text = runner.invoke(args=["export-places"]).output
    assert csv_text.splitlines()[0].startswith('"id","pivot","nom"') and len(csv_text.splitlines()) == 82
    result = runner.invoke(args=["import-ifn", str(data / "fne_ifn-city-all-variation_loire-42.csv")])
    assert result.exit_code == 0 and "Communes : 323 créé(s)" in result.output
    broken = tmp_path / "broken.json"
    broken.write_text('[{"id": ')
    result = runner.invoke(args=["import-places", str(broken)])
    assert result.exit_code == 1 and "rien n'a été importé" in result.output


def test_pdf_buttons_export_the_view_and_the_sheet(app, ui):
    callbacks, _page, _lieu = ui
    from dash._callback_context import context_value
    from dash._utils import AttributeDict

    with app.server.test_request_context("/carte"):
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": "carte-pdf.n_clicks", "value": 1}]))
        view = callbacks.export_pdf(1, 0, "?commune=42187")
        context_value.set(AttributeDict(triggered_inputs=[{"prop_id": "carte-pdf-sheets.n_clicks", "value": 1}]))
        with_sheets = callbacks.export_pdf(1, 1, "?commune=42187")
        sheet = callbacks.export_sheet_pdf(1, "T_1")
    sheets_text = "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(base64.b64decode(with_sheets["content"]))).pages
    )
    assert "Toutes les informations de la fiche" in sheets_text
    assert view["filename"].startswith("carte-lieux-") and view["base64"]
    content = base64.b64decode(view["content"])
    assert content.startswith(b"%PDF-")
    assert "Commune : Roanne" in "".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)
    assert base64.b64decode(sheet["content"]).startswith(b"%PDF-") and sheet["filename"] == "fiche-T_1.pdf"


def test_list_keeps_the_places_in_the_map_view(app, ui):
    callbacks, _page, _lieu = ui
    with app.server.test_request_context("/carte"):
        everything = texts(callbacks.list_in_view(None, None, ""))  # before the map reports its bounds
        around_feurs = texts(callbacks.list_in_view(None, [[45.7, 4.2], [45.8, 4.3]], ""))
        elsewhere = texts(callbacks.list_in_view(None, [[46.0, 4.0], [46.1, 4.1]], "?commune=42094"))
    assert "3 dans la vue" in everything
    assert "2 dans la vue" in around_feurs and any("1 lieu sans coordonnées" in t for t in around_feurs)
    assert "Aucun lieu dans cette partie de la carte." in elsewhere
    assert any(t.startswith("1 autre lieu hors de la vue") for t in elsewhere)


def test_sheet_link_and_back_link_keep_the_filters(app, ui):
    callbacks, _page, lieu = ui
    from dashboard import ids

    with app.server.test_request_context("/carte"):
        summary, _viewport = callbacks.show_place("T_1", "?services=Aide+aux+d%C3%A9marches+administratives")
    assert summary.children[-1].href == "/carte/lieu/T_1?services=Aide+aux+d%C3%A9marches+administratives"
    with app.server.test_request_context("/carte/lieu/T_1"):
        kept = lieu.layout(place_id="T_1", services="Aide aux démarches administratives", evil="<x>", commune="nope")
        plain = lieu.layout(place_id="T_1")
    back = "/carte?services=Aide+aux+d%C3%A9marches+administratives"  # unknown or invalid parameters are dropped
    assert find(kept, ids.LIEU_BACK).href == back and find(plain, ids.LIEU_BACK).href == "/carte"


def test_ifn_is_a_choropleth_when_the_outline_holds_communes(app, ui, tmp_path):
    callbacks, _page, _lieu = ui
    from db.models import Commune

    with app.server.extensions["database"].transaction() as session:
        session.add_all(
            [
                Commune(insee="42094", name="Feurs", ifn_total=7.2, latitude=45.74, longitude=4.22),
                Commune(insee="42187", name="Roanne", ifn_total=2.1, latitude=46.04, longitude=4.07),
            ]
        )

    def square(code, x, y):
        ring = [[x, y], [x + 0.1, y], [x + 0.1, y + 0.1], [x, y + 0.1], [x, y]]
        return {"type": "Feature", "properties": {"code": code}, "geometry": {"type": "Polygon", "coordinates": [ring]}}

    communes = tmp_path / "communes.geojson"
    communes.write_text(json.dumps({"type": "FeatureCollection", "features": [square("42094", 4.2, 45.7)]}))
    with app.server.test_request_context("/carte"):
        _legend, centres, _panel = callbacks.layers("ouverture", ["ifn"])  # the shipped outline: the département
        app.server.config["OUTLINE_GEOJSON"] = str(communes)
        _legend, areas, _panel = callbacks.layers("ouverture", ["ifn"])
        _legend, hidden, _panel = callbacks.layers("ouverture", [])
    assert {f["geometry"]["type"] for f in centres["features"]} == {"Point"} and len(centres["features"]) == 2
    assert [f["geometry"]["type"] for f in areas["features"]] == ["Polygon"]
    assert areas["features"][0]["properties"]["color"] == "#de2d26"  # 6.5 ≤ 7.2 < 8
    assert areas["features"][0]["properties"]["label"].startswith("Feurs · IFN 7,2/10 · ")
    assert hidden["features"] == []
