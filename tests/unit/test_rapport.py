"""Annual report: the demo year's PDF holds the loan-days per item and their total, an empty year works, the
coordinators' commentary is validated, audited and printed escaped."""

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from db import rapport
from db.demo import DEMO_ACCOUNTS, demo_year, seed_demo
from db.models import AuditLog, EquipmentItem, ReportComment
from db.users import find_by_email
from db.writes import PermissionDenied, ValidationError
from tests.unit.test_demo import LOAN_DAYS

TODAY = dt.date(2026, 11, 30)
YEAR = demo_year(TODAY)


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_demo_year_report_has_loan_days_per_item_and_the_computed_total(database):
    with database.transaction() as session:
        seed_demo(session, TODAY)
        coordinator = find_by_email(session, next(a[0] for a in DEMO_ACCOUNTS if a[2] == "coordinator"))
        rapport.save_comment(session, coordinator, year=YEAR, mission="materiel", text="Année record.")
    with database.session() as session:
        report = rapport.build_report(session, YEAR)
        categories = dict(session.execute(select(EquipmentItem.name, EquipmentItem.category)).all())
    assert report.has_data
    materiel = next(section for section in report.sections if section.mission.key == "materiel")
    table = next(table for table in materiel.tables if table.title == "Jours de prêt par matériel")
    per_item = {row[0]: int(row[3].replace("\u00a0", "")) for row in table.rows}
    assert per_item == LOAN_DAYS
    assert table.total[3] == "752"
    assert materiel.figures[0].current.value == 752  # the key figure agrees with the table's total
    assert materiel.comment == "Année record."

    content = rapport.render_pdf(report)
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert f"Rapport d'activité {YEAR}" in text
    for name, days in LOAN_DAYS.items():
        # One line per item: name, category, loans, loan-days…
        assert re.search(rf"{re.escape(name)}\s+{re.escape(categories[name])}\s+\d+\s+{days}\b", text), name
    assert re.search(r"Total\s+\d+\s+752\b", text)
    assert "Année record." in text
    assert "916" in text  # newsletter readers

    page = rapport.render_html(report)
    assert "Jours de prêt par matériel" in page and ">752<" in page and "Année record." in page


def test_empty_year_gives_an_honest_report(database):
    with database.session() as session:
        report = rapport.build_report(session, 2012)
    assert not report.has_data
    assert all(not section.charts for section in report.sections)
    content = rapport.render_pdf(report)
    assert content.startswith(b"%PDF")
    text = pdf_text(content)
    assert "Aucune activité n'est enregistrée pour 2012" in text
    assert "Aucun commentaire saisi pour cette mission." in text
    assert "Aucune activité n'est enregistrée pour 2012" in rapport.render_html(report)


def test_comment_is_stored_per_year_updated_and_audited(database, users):
    coordinator = users["coordinator"]
    with database.transaction() as session:
        message = rapport.save_comment(session, coordinator, year="2025", mission="formation", text="  Bilan.  ")
        rapport.save_comment(session, coordinator, year=2024, mission="formation", text="Autre année.")
    assert "Formation et montée en compétences" in message and "2025" in message
    with database.transaction() as session:
        rapport.save_comment(session, coordinator, year=2025, mission="formation", text="Bilan revu.")
    with database.session() as session:
        assert rapport.comments(session, 2025) == {"formation": "Bilan revu."}
        assert rapport.comments(session, 2024) == {"formation": "Autre année."}
        actions = session.scalars(
            select(AuditLog.action).where(AuditLog.table_name == "report_comments").order_by(AuditLog.id)
        ).all()
    assert actions == ["create", "create", "update"]


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"year": "deux mille", "mission": "formation", "text": "x"}, "year", "Choisir une année"),
        ({"year": 1999, "mission": "formation", "text": "x"}, "year", "Choisir une année"),
        ({"year": 2025, "mission": "inconnue", "text": "x"}, "mission", "Choisir une mission"),
        ({"year": 2025, "mission": "formation", "text": "x" * 4001}, "text", "ne doit pas dépasser 4000"),
    ],
)
def test_bad_comment_writes_nothing(database, users, values, field, message):
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        rapport.save_comment(session, users["coordinator"], **values)
    assert message in error.value.errors[field]
    with database.session() as session:
        assert session.scalar(select(func.count(ReportComment.id))) == 0


def test_viewer_cannot_comment(database, users):
    with database.transaction() as session, pytest.raises(PermissionDenied):
        rapport.save_comment(session, users["viewer"], year=2025, mission="formation", text="x")


def test_comment_is_escaped_in_the_html_report(database, users):
    with database.transaction() as session:
        rapport.save_comment(session, users["admin"], year=2025, mission="animation", text="<script>alert(1)</script>")
    with database.session() as session:
        page = rapport.render_html(rapport.build_report(session, 2025))
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_axis_steps_are_round():
    assert [rapport.nice_step(top) for top in (0, 5, 7, 18, 80, 916)] == [1, 1, 2, 5, 20, 200]
