"""The admin page's lists, called as plain functions: a page at a time, in French."""

import datetime as dt

from dashboard import ids
from dashboard.callbacks.admin import accounts, journal
from dashboard.components import format as fmt
from db.users import create_user
from tests.conftest import PASSWORD, in_callback

NEXT = f"{ids.dom_id(ids.paged(ids.ADMIN_JOURNAL, 'next'))}.n_clicks"


def test_accounts_list_a_page_and_the_access_form_offers_its_accounts(app, users):
    with app.server.test_request_context():
        table, status, no_previous, no_next, shown, options = in_callback(
            accounts, "", "", "", "name", 0, 0, None, None, {"page": 0}
        )
        admins = in_callback(accounts, "", "admin", "active", "name", 0, 0, None, None, {"page": 0})
    assert "aucune donnée" in str(table)  # last login of accounts that never logged in
    assert "Lecture seule" in str(table) and "Actif" in str(table)
    assert (status, no_previous, no_next, shown) == ("1–3 sur 3", True, True, {"page": 0})
    assert [option["label"] for option in options] == [
        "Admin Test (admin@example.org)",
        "Coordinator Test (coordinator@example.org)",
        "Viewer Test (viewer@example.org)",
    ]
    assert admins[1] == "1–1 sur 1" and [o["value"] for o in admins[-1]] == [users["admin"].id]


def test_journal_reads_in_french_and_pages_from_the_page_shown(app, database, users):
    with database.transaction() as session:
        for n in range(60):
            create_user(
                session, users["admin"], email=f"u{n}@example.org", name=f"U{n}", role="viewer", password=PASSWORD
            )
    with app.server.test_request_context():
        first = in_callback(journal, "", "", "", "oldest", 0, 0, None, None, {"page": 0})
        second = in_callback(journal, "", "", "", "oldest", 0, 0, None, 1, first[-1], triggered=NEXT)
        refiltered = in_callback(journal, "users", "create", "", "oldest", 0, 0, None, 1, second[-1])
    table, status, no_previous, no_next, shown = first
    text = str(table)
    assert "Ligne de commande" in text and "Comptes" in text and "Création" in text  # the fixtures' accounts
    assert "users" not in text and "create" not in text and "cli" not in text
    assert (status, no_previous, no_next, shown) == ("1–50 sur 63", True, False, {"page": 0})
    assert second[1:] == ("51–63 sur 63", False, True, {"page": 1})
    assert refiltered[1] == "1–50 sur 63" and refiltered[-1] == {"page": 0}  # a new filter starts again


def test_french_formats():
    assert fmt.number(1234567.5) == "1\u202f234\u202f568"
    assert fmt.number(None) == "—"
    assert fmt.date(dt.date(2025, 3, 1)) == "1 mars 2025"


def test_admin_imports_places_and_the_ifn_from_the_page_with_the_shared_report(app, database, users):
    import base64
    import json
    from pathlib import Path

    from flask_login import login_user
    from plotly.utils import PlotlyJSONEncoder

    from dashboard.callbacks.admin import import_data
    from db.models import Commune, Place
    from tests.conftest import need

    data = Path(__file__).resolve().parents[3] / "shared" / "data"
    legacy = data / "hinaura-lieux-mediation-numerique-loire-42-2022_schema-v0.1.json"
    need(legacy.exists(), "test data missing")

    def upload(path: Path) -> str:
        return "data:application/octet-stream;base64," + base64.b64encode(path.read_bytes()).decode()

    def rendered(component) -> str:
        return json.dumps(component.to_plotly_json(), cls=PlotlyJSONEncoder, ensure_ascii=False)

    with app.server.test_request_context():
        login_user(users["admin"])
        simulated, cleared = import_data(upload(legacy), legacy.name, "lieux", True)
        assert "Simulation" in rendered(simulated) and cleared is None
        with database.session() as session:
            assert session.query(Place).count() == 0
        report, _ = import_data(upload(legacy), legacy.name, "lieux", False)
        assert "Lieux : 81 créé(s)" in rendered(report)
        ifn, _ = import_data(upload(data / "fne_ifn-city-all-variation_loire-42.csv"), "ifn.csv", "ifn", False)
        assert "Communes : 323 créé(s)" in rendered(ifn)
        junk, _ = import_data(
            "data:text/plain;base64," + base64.b64encode(b"\x00\x01junk").decode(), "x.bin", "ifn", False
        )
        assert "Fichier inutilisable" in rendered(junk)
    with database.session() as session:
        assert session.query(Place).count() == 81 and session.query(Commune).count() == 323
