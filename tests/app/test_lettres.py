"""Lettres through the app: forms posted like the browser does, the CSV import, exports and panels."""

import base64
import datetime as dt
import io
import json

import pandas as pd
import pytest
from dash import dcc
from flask_login import login_user

from db import clock, lettres
from db.models import AudienceFigure, AuditLog, Newsletter, NewsletterIssue, SubscriberSnapshot, User
from tests.conftest import csrf_headers, form_payload

# The page's form names (dashboard.pages.lettres), spelled out: page modules import only once an app exists.
NEWSLETTER_FORM, SNAPSHOT_FORM, ISSUE_FORM, AUDIENCE_FORM = (
    "lettres-newsletter",
    "lettres-snapshot",
    "lettres-issue",
    "lettres-audience",
)
ALL_FORMS = [NEWSLETTER_FORM, SNAPSHOT_FORM, ISSUE_FORM, AUDIENCE_FORM]
MODELS = (Newsletter, NewsletterIssue, SubscriberSnapshot, AudienceFigure)
YESTERDAY = (clock.today() - dt.timedelta(days=1)).isoformat()


class ComponentEncoder(json.JSONEncoder):
    def default(self, o):
        return o.to_plotly_json() if hasattr(o, "to_plotly_json") else str(o)


@pytest.fixture
def callbacks(app):
    from dashboard.callbacks import lettres

    return lettres


@pytest.fixture
def page(app):
    from dashboard.pages import lettres

    return lettres


def post_form(client, form: str, values: dict):
    """Post to the shared MATCH form callback only (another area's own callback may also write a form alert)."""
    dependencies = client.get("/_dash-dependencies").get_json()
    shared = [d for d in dependencies if '"form":["MATCH"],"type":"form-alert"' in d["output"]]
    return client.post("/_dash-update-component", json=form_payload(shared, form, values), headers=csrf_headers(client))


def counts(database):
    with database.session() as session:
        return [session.query(model).count() for model in (*MODELS, AuditLog)]


@pytest.fixture
def newsletter_id(database, users):
    with database.transaction() as session:
        return lettres.save_newsletter(session, users["coordinator"], name="La Lettre du réseau").row.id


def forms(newsletter_id):
    return {
        NEWSLETTER_FORM: {"newsletter_id": "new", "name": "Lettre X", "audience": "", "platform": ""},
        SNAPSHOT_FORM: {"newsletter_id": str(newsletter_id), "date": YESTERDAY, "count": 330},
        ISSUE_FORM: {
            "newsletter_id": str(newsletter_id),
            "sent_on": YESTERDAY,
            "subject": "N°1",
            "link": "",
            "recipients": 330,
            "opens": 120,
            "clicks": 12,
        },
        AUDIENCE_FORM: {"indicator": "wiki_pages", "period": "2025", "value": 674, "source": "Wiki.js"},
    }


@pytest.mark.parametrize("form", ALL_FORMS)
def test_viewer_forged_write_is_refused_and_writes_nothing(client, as_role, database, newsletter_id, form):
    as_role("viewer")
    before = counts(database)
    response = post_form(client, form, forms(newsletter_id)[form])
    assert response.status_code == 200
    assert "Action réservée au rôle « Coordination »" in response.get_data(as_text=True)
    assert counts(database) == before


@pytest.mark.parametrize("form", ALL_FORMS)
def test_coordinator_writes_through_each_form_with_an_audit_row(client, as_role, database, newsletter_id, form):
    as_role("coordinator")
    before = counts(database)
    response = post_form(client, form, forms(newsletter_id)[form])
    body = response.get_data(as_text=True)
    assert '"color":"success"' in body and '"form-saved\\"}":{"data":1}' in body, body
    after = counts(database)
    assert sum(after[:4]) == sum(before[:4]) + 1 and after[4] == before[4] + 1


def test_snapshot_form_messages_and_nothing_written(client, as_role, database, newsletter_id):
    as_role("coordinator")
    before = counts(database)
    response = post_form(client, SNAPSHOT_FORM, {"newsletter_id": None, "date": "2999-01-01", "count": -5})
    body = response.get_json()["response"]
    errors = [value["children"] for key, value in body.items() if "field-error" in key]
    assert errors == [
        "Choisir une lettre d'information.",
        "La date du relevé ne peut pas être postérieure à aujourd'hui.",
        "Le nombre doit être positif ou nul.",
    ]
    assert "rien n'a été enregistré" in json.dumps(body, ensure_ascii=False)
    assert counts(database) == before


def test_snapshot_success_message_says_created_then_replaced(client, as_role, database, newsletter_id):
    as_role("coordinator")
    values = {"newsletter_id": str(newsletter_id), "date": "2025-12-31", "count": "323"}
    assert "Relevé enregistré : 323 abonnés à « La Lettre du réseau » au 31 décembre 2025." in post_form(
        client, SNAPSHOT_FORM, values
    ).get_data(as_text=True)
    replaced = post_form(client, SNAPSHOT_FORM, {**values, "count": 330}).get_data(as_text=True)
    assert "Relevé du 31 décembre 2025 mis à jour : 330 abonnés" in replaced
    with database.session() as session:
        assert [s.count for s in session.query(SubscriberSnapshot)] == [330]


def test_newsletter_form_edits_an_existing_newsletter(client, as_role, database, newsletter_id, app, callbacks):
    as_role("coordinator")
    with app.server.app_context():
        assert callbacks.fill_newsletter_form(str(newsletter_id)) == ("La Lettre du réseau", "", "")
        assert callbacks.fill_newsletter_form("new") == ("", "", "")
    values = {"newsletter_id": str(newsletter_id), "name": "La Lettre", "audience": "Élus", "platform": "Brevo"}
    assert "Lettre « La Lettre » modifiée." in post_form(client, NEWSLETTER_FORM, values).get_data(as_text=True)
    with database.session() as session:
        assert session.get(Newsletter, newsletter_id).platform == "Brevo"


def upload(text: str) -> str:
    return "data:text/csv;base64," + base64.b64encode(text.encode("utf-8")).decode()


def run_import(app, database, role, kind, text):
    from dashboard.callbacks import lettres as callbacks

    with app.server.test_request_context():
        with database.session() as session:
            login_user(session.query(User).filter_by(email=f"{role}@example.org").one())
        return callbacks.import_file(upload(text), "fichier.csv", kind, "all", 0)[:3]


def test_import_reports_rejected_rows_and_refreshes_panels(app, database, newsletter_id):
    text = "lettre;date;abonnes\nLa Lettre du réseau;2025-12-31;323\nInconnue;2025-12-31;3\n"
    outcome, imported, contents = run_import(app, database, "coordinator", "abonnes", text)
    rendered = json.dumps(outcome, cls=ComponentEncoder, ensure_ascii=False)
    assert "Lignes : 2 créé(s), 0 mis à jour, 0 inchangé(s), 0 rejeté(s), 1 avertissement(s)." in rendered
    assert "lettre « Inconnue » inconnue : créée" in rendered
    assert (imported, contents) == (1, None)
    with database.session() as session:
        assert session.query(SubscriberSnapshot).count() == 2


def test_viewer_import_is_refused(app, database, newsletter_id):
    before = counts(database)
    outcome, imported, _ = run_import(
        app, database, "viewer", "abonnes", "lettre;date;abonnes\nLa Lettre;2025-01-01;1\n"
    )
    assert "réservée" in json.dumps(outcome.to_plotly_json(), cls=ComponentEncoder, ensure_ascii=False)
    assert imported == 0 and counts(database) == before


def test_unusable_file_writes_nothing(app, database, newsletter_id):
    outcome, imported, _ = run_import(app, database, "coordinator", "envois", "\n\n")
    text = json.dumps(outcome.to_plotly_json(), cls=ComponentEncoder, ensure_ascii=False)
    assert "le fichier est vide" in text and "Fichier inutilisable, rien n'a été importé" in text
    assert imported == 0


def test_unknown_columns_open_the_mapping_step_then_import(app, database, newsletter_id):
    from dashboard.callbacks import lettres as callbacks

    text = "Liste;Jour;Nombre\nLa Lettre du réseau;2025-11-30;300\n"
    with app.server.test_request_context():
        with database.session() as session:
            login_user(session.query(User).filter_by(email="coordinator@example.org").one())
        message, imported, _contents, kept, fields, hidden = callbacks.import_file(
            upload(text), "outil.csv", "abonnes", "all", 0
        )
        assert kept["filename"] == "outil.csv" and hidden is False and imported == 0
        rendered = json.dumps(fields, cls=ComponentEncoder, ensure_ascii=False)
        assert "Colonnes non reconnues" in rendered and '"Liste"' in rendered and '"Nombre"' in rendered
        columns = [{"type": "lettres-import-column", "column": c} for c in ("lettre", "date", "abonnes")]
        outcome, imported, kept_after, hidden = callbacks.import_mapped(
            1, kept, ["Liste", "Jour", "Nombre"], columns, "abonnes", "all", 0
        )
    rendered = json.dumps(outcome, cls=ComponentEncoder, ensure_ascii=False)
    assert "Lignes : 1 créé(s)" in rendered and (imported, kept_after, hidden) == (1, None, True)
    with database.session() as session:
        assert session.query(SubscriberSnapshot).one().count == 300


def test_import_help_shows_the_format(app, callbacks):
    rendered = json.dumps(callbacks.import_help("envois"), cls=ComponentEncoder, ensure_ascii=False)
    assert "lettre;date;objet;lien;destinataires;ouvertures;clics" in rendered
    assert "Colonnes facultatives : lien, destinataires, ouvertures, clics." in rendered


@pytest.fixture
def network(database, users, newsletter_id):
    actor = users["coordinator"]
    with database.transaction() as session:
        lettres.record_snapshot(session, actor, newsletter_id=newsletter_id, date="2025-06-30", count=300)
        lettres.record_issue(
            session, actor, newsletter_id=newsletter_id, sent_on="2025-06-01", subject="N°1", recipients=300, opens=150
        )
        lettres.record_audience_figure(
            session, actor, indicator="site_visiteurs_uniques", period="2025-05", value=2400, source="Matomo"
        )
    return newsletter_id


@pytest.mark.parametrize(
    "panel, columns",
    [
        ("abonnes", ["Fin de mois", "Lettre", "Abonnés"]),
        ("envois", ["Lettre", "Date", "Objet", "Lien", "Destinataires", "Ouvertures", "Clics", "Taux d'ouverture",
                    "Taux de clics"]),
        ("audience", ["Clé", "Indicateur", "Période", "Début de période", "Valeur", "Source"]),
    ],
)  # fmt: skip
def test_exports_have_the_panels_data(app, network, panel, columns, callbacks):
    with app.server.app_context():
        frame = callbacks.export_frame(panel, "2025", "all", "site_visiteurs_uniques")
    assert list(frame.columns) == columns
    if panel == "envois":
        assert frame.iloc[0]["Taux d'ouverture"] == 0.5
    if panel == "abonnes":
        assert frame.iloc[-1].tolist() == [dt.date(2025, 12, 31), "La Lettre du réseau", 300]
    if panel == "audience":
        assert frame.iloc[0][["Période", "Valeur", "Source"]].tolist() == ["05/2025", 2400, "Matomo"]


def test_excel_export_opens_with_the_same_rows(app, network, callbacks):
    with app.server.app_context():
        frame = callbacks.export_frame("lettres", "2025", "all", "site_visiteurs_uniques")
    sent = dcc.send_data_frame(frame.to_excel, "x.xlsx", sheet_name="lettres", index=False)
    back = pd.read_excel(io.BytesIO(base64.b64decode(sent["content"])))
    assert back.iloc[0]["Abonnés (dernier relevé)"] == 300 and back.iloc[0]["Envois de l'année"] == 1


def test_panels_without_data_show_empty_states(callbacks):
    rendered = json.dumps(
        [
            callbacks.subscribers_panel(pd.DataFrame(columns=["month_end", "newsletter", "subscribers"]), {}),
            callbacks.issues_panel(pd.DataFrame()),
            callbacks.rates_panel(pd.DataFrame(columns=["year", "open_rate", "click_rate"])),
        ],
        cls=ComponentEncoder,
        ensure_ascii=False,
    )
    assert "Aucun relevé d'abonnés" in rendered and "Aucun envoi sur cette période" in rendered
    assert "Aucun envoi avec statistiques" in rendered


def test_the_issues_panel_shows_the_latest_and_says_how_many_are_in_the_export(callbacks):
    sent = [dt.date(2025, 1, 1) + dt.timedelta(days=7 * week) for week in range(callbacks.ISSUES_SHOWN + 5)][::-1]
    frame = pd.DataFrame(
        {"id": range(len(sent)), "sent_on": sent, "newsletter": "La Lettre", "subject": [f"N°{i}" for i in range(len(sent))],
         "link": None, "recipients": 300, "opens": 120, "open_rate": 0.4, "clicks": 12, "click_rate": 0.04}
    )  # fmt: skip
    rendered = json.dumps(callbacks.issues_panel(frame), cls=ComponentEncoder, ensure_ascii=False)
    assert rendered.count('"type": "Tr"') == callbacks.ISSUES_SHOWN + 1  # the header, then the newest issues
    assert f"{sent[0]:%d/%m/%Y}" in rendered and f"{sent[-1]:%d/%m/%Y}" not in rendered
    assert "… et 5 autres envois, plus anciens : tous dans l'export « Envois de l'année »." in rendered


def test_layout_shows_forms_only_to_coordinators(app, users, database, page):
    for role, has_forms in [("viewer", False), ("coordinator", True)]:
        with app.server.test_request_context():
            with database.session() as session:
                login_user(session.query(User).filter_by(email=f"{role}@example.org").one())
            rendered = json.dumps(page.layout(annee="2024", lettre="x"), cls=ComponentEncoder, ensure_ascii=False)
        assert ('"lettres-upload"' in rendered) is has_forms
        assert ("Enregistrer le relevé" in rendered) is has_forms
        assert '"value": "2024"' in rendered and '"value": "all"' in rendered  # bad `lettre` falls back to all


def test_every_panel_of_an_empty_database_shows_its_empty_state(app, callbacks, monkeypatch):
    class NoFormFields:  # the callbacks' last output matches the forms' fields with ALL: none for this call
        outputs_list = [[]]

    monkeypatch.setattr(callbacks, "ctx", NoFormFields)
    with app.server.test_request_context():  # callbacks run in a request: the panels ask who reads them
        parts = [
            callbacks.newsletter_figures("2025", "all", [], 0),
            callbacks.newsletter_charts("2025", "all", [], 0),
            callbacks.audience_table("2025", [], 0),
            callbacks.audience_chart("site_visiteurs_uniques", "2025", [], 0),
        ]
    rendered = json.dumps(parts, cls=ComponentEncoder, ensure_ascii=False)
    for message in [
        "Aucune lettre d'information enregistrée.",
        "Aucun envoi sur cette période.",
        "Aucun relevé d'abonnés pour cette sélection.",
        "Aucun envoi enregistré.",
        "Aucun envoi avec statistiques d'ouverture.",
        "Aucun chiffre d'audience enregistré.",
        "Aucun chiffre enregistré pour cet indicateur.",
    ]:
        assert message in rendered
    assert '"data-figure": "subscribers"' in rendered


def test_panels_show_the_recorded_figures(app, callbacks, network, monkeypatch):
    class TwoForms:
        outputs_list = [[{"id": {"form": NEWSLETTER_FORM}}, {"id": {"form": SNAPSHOT_FORM}}]]

    monkeypatch.setattr(callbacks, "ctx", TwoForms)
    with app.server.test_request_context():
        kpis, newsletters, issues, filter_options, field_options = callbacks.newsletter_figures("2025", "all", [], 0)
        charts = callbacks.newsletter_charts("2025", str(network), [], 0)
    rendered = json.dumps([kpis, newsletters, issues], cls=ComponentEncoder, ensure_ascii=False)
    assert '"children": "300", "className": "kpi-value", "data-figure": "subscribers"' in rendered
    assert "150 (50,0 %)" in rendered and "N°1" in rendered
    assert [o["label"] for o in filter_options] == ["Toutes les lettres", "La Lettre du réseau"]
    assert [len(options) for options in field_options] == [2, 1]  # "new newsletter" only in the newsletter form
    labels = [part.to_plotly_json()["props"].get("aria-label", "") for part in charts]
    assert "portée finale 300 abonnés" in labels[0] and "2025 : 1" in labels[1] and "2025 : 50,0 %" in labels[2]
