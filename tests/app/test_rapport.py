"""The annual report through the app: file downloads for logged-in users, the commentary form, the CLI command."""

import base64
import io
import json

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from db.models import ReportComment
from tests.conftest import in_callback, post_form

COMMENT = {"year": "2025", "mission": "visibilite", "text": "Une année riche en événements."}


def test_report_files_need_a_login(client):
    assert client.get("/api/rapport/2025.pdf").status_code == 401
    assert client.get("/api/rapport/2025/v1.pdf").status_code == 401


@pytest.mark.parametrize(
    ("extension", "mimetype", "start"), [("pdf", "application/pdf", b"%PDF"), ("html", "text/html", b"<!DOCTYPE html>")]
)
def test_viewer_downloads_the_report(client, as_role, extension, mimetype, start):
    as_role("viewer")
    response = client.get(f"/api/rapport/2025.{extension}")
    assert response.status_code == 200
    assert response.mimetype == mimetype and response.data.startswith(start)
    assert f'filename="rapport-activite-2025.{extension}"' in response.headers["Content-Disposition"]


@pytest.mark.parametrize("path", ["/api/rapport/1999.pdf", "/api/rapport/2025.docx", "/api/rapport/3000.html"])
def test_unknown_report_is_not_found(client, as_role, path):
    as_role("viewer")
    assert client.get(path).status_code == 404


def test_coordinator_saves_a_comment_through_the_form(client, as_role, database):
    as_role("coordinator")
    response = post_form(client, "report-comment", COMMENT)
    assert "Texte « Visibilité des acteurs" in response.get_data(as_text=True)
    with database.session() as session:
        assert session.scalar(select(ReportComment.text)) == COMMENT["text"]


def test_viewer_forged_comment_writes_nothing(client, as_role, database):
    as_role("viewer")
    response = post_form(client, "report-comment", COMMENT)
    assert "réservée" in response.get_data(as_text=True)
    with database.session() as session:
        assert session.scalar(select(func.count(ReportComment.id))) == 0


def test_cli_writes_pdf_and_html(app, tmp_path):
    runner = app.server.test_cli_runner()
    for name in ("rapport.pdf", "rapport.html"):
        result = runner.invoke(args=["report", "--year", "2025", "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        assert "Rapport 2025 écrit" in result.output and "aucune activité" in result.output
    assert (tmp_path / "rapport.pdf").read_bytes().startswith(b"%PDF")
    assert "<h1>Rapport d&#x27;activité 2025</h1>" in (tmp_path / "rapport.html").read_text(encoding="utf-8")


def test_cli_refuses_an_unknown_format_and_docx_without_a_convention(app, tmp_path):
    runner = app.server.test_cli_runner()
    result = runner.invoke(args=["report", "--year", "2025", "-o", str(tmp_path / "r.odp")])
    assert result.exit_code == 1 and ".pdf, .html ou .docx" in result.output
    result = runner.invoke(args=["report", "--year", "2025", "-o", str(tmp_path / "r.docx")])
    assert result.exit_code == 1 and "aucune convention ne couvre 2025" in result.output
    assert not (tmp_path / "r.docx").exists() and not (tmp_path / "r.odp").exists()


def test_indicateurs_exports_as_callbacks(app):
    from dashboard.callbacks import indicateurs as callbacks  # pages register only once an app exists

    with app.server.app_context():
        csv = callbacks.export_csv(1, "2025")
        xlsx = callbacks.export_xlsx(1, "2025")
    assert csv["filename"] == "indicateurs-2025.csv"
    text = base64.b64decode(csv["content"]).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Mission;Indicateur;Nature;Période;Valeur;Unité;Comparée à")
    assert "Jours de prêt de matériel" in text
    workbook = load_workbook(io.BytesIO(base64.b64decode(xlsx["content"])))
    assert workbook.sheetnames[0] == "Chiffres clés"


# --- the convention's report, its versions and the actions through the app -----------------------------------------


@pytest.fixture
def convention_2021(database, users):
    from db import convention as conv
    from tests.unit.test_convention import DOCUMENT

    with database.transaction() as session:
        conv.import_document(session, users["admin"], DOCUMENT)
    with database.session() as session:
        return {m.key: m.id for m in conv.missions(conv.for_year(session, 2021))}


def test_narrative_validation_and_version_files_through_the_app(client, as_role, database, convention_2021):
    as_role("coordinator")
    text = "Un **bilan** pour la veille."
    answer = post_form(client, "report-comment", {"year": "2021", "mission": "veille", "text": text})
    assert "Texte « 1. Mettre en place un outil de veille partagée » enregistré" in answer.get_data(as_text=True)
    answer = post_form(client, "report-validate", {"year": "2021", "note": "Envoyé"})
    assert "version 1" in answer.get_data(as_text=True)
    docx = client.get("/api/rapport/2021.docx")
    assert docx.status_code == 200 and docx.data.startswith(b"PK")
    for extension, start in (("pdf", b"%PDF"), ("html", b"<!DOCTYPE html>"), ("docx", b"PK")):
        response = client.get(f"/api/rapport/2021/v1.{extension}")
        assert response.status_code == 200 and response.data.startswith(start), extension
        assert "version-1" in response.headers["Content-Disposition"]
    assert b"<strong>bilan</strong>" in client.get("/api/rapport/2021/v1.html").data
    assert client.get("/api/rapport/2021/v2.pdf").status_code == 404


def test_the_preview_frame_loads_the_report_and_reloads_after_a_write(app, client, as_role, convention_2021):
    from dashboard.callbacks import rapport as callbacks

    assert client.get("/api/rapport/2021/apercu.html").status_code == 401
    as_role("coordinator")
    with app.server.test_request_context():
        before = callbacks.report_preview("2021", None, None).src
    # The callback's answer holds the address only; the document comes from there, shown in the page.
    preview = client.get(before)
    assert preview.status_code == 200 and preview.mimetype == "text/html"
    assert "Content-Disposition" not in preview.headers and b"Mettre en place un outil de veille" in preview.data
    post_form(client, "report-comment", {"year": "2021", "mission": "veille", "text": "Un **bilan** tout neuf."})
    with app.server.test_request_context():
        after = callbacks.report_preview("2021", None, None).src
    assert after != before and b"<strong>bilan</strong> tout neuf" in client.get(after).data
    assert client.get("/api/rapport/3000/apercu.html").status_code == 404


def test_actions_form_and_convention_import_callbacks(app, client, as_role, database, convention_2021):
    from dashboard.callbacks import actions as action_callbacks
    from dashboard.callbacks import rapport as report_callbacks
    from db.models import Action
    from tests.unit.test_convention import DOCUMENT

    as_role("coordinator")
    values = {"action_id": "new", "title": "Rencontre des tiers-lieux", "kind": "rencontre", "start_date": "2021-04-27",
              "end_date": "", "missions": [convention_2021["veille"]], "partner_places": [], "partner_names": "FabLab",
              "commune": "", "public": "", "participants": "18", "hours": "", "account": "", "links": ""}  # fmt: skip
    answer = post_form(client, "action", values)
    assert "Action « Rencontre des tiers-lieux » du 27/04/2021 enregistrée" in json.dumps(answer.get_json(), ensure_ascii=False)
    with database.session() as session:
        assert session.scalar(select(func.count(Action.id))) == 1
    with app.server.test_request_context("/"):
        table, status, *_ = in_callback(action_callbacks.action_list, "2021", "all", "all", "", None, 0, None, None, None)
        assert status == "1–1 sur 1"
        document = json.dumps({**DOCUMENT, "first_year": 2022, "last_year": 2022}).encode()
        contents = "data:application/json;base64," + base64.b64encode(document).decode()
        from flask_login import login_user

        from db.users import find_by_email

        with database.session() as session:
            login_user(find_by_email(session, "admin@example.org"))
        result, imported, _ = report_callbacks.import_convention(contents, "c.json", 0)
    assert imported == 1 and "Convention 2022 créée" in result.children[1]
