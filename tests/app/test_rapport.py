"""The annual report through the app: file downloads for logged-in users, the commentary form, the CLI command."""

import base64
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from db.models import ReportComment
from tests.conftest import post_form

COMMENT = {"year": "2025", "mission": "visibilite", "text": "Une année riche en événements."}


def test_report_files_need_a_login(client):
    assert client.get("/api/rapport/2025.pdf").status_code == 401


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
    assert "Commentaire « Visibilité des acteurs" in response.get_data(as_text=True)
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
