"""The demo's 2021 report: the association's convention (two axes, nineteen missions), its actions, its figures
recomputed from the records (752 loan-days where the hand-written report said 720), and a validated version that a
later correction of a 2021 loan leaves as it was sent."""

import datetime as dt
import io
import zipfile

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from db import report_document, report_render, report_versions
from db.demo import DEMO_ACCOUNTS, FACTS, seed_demo
from db.models import Loan
from db.users import find_by_email

TODAY = dt.date(2026, 11, 30)


@pytest.fixture
def demo(database):
    with database.transaction() as session:
        seed_demo(session, TODAY)
    return database


def figure(report, key):
    return next(f for m in report.missions for f in m.figures if f.key == key)


def test_the_2021_report_follows_the_convention_with_recomputed_figures(demo):
    with demo.session() as session:
        report = report_document._build(session, 2021)
        pdf = report_render.render_pdf(report)
        docx = report_render.render_docx(report)
    assert [axis.title for axis in report.axes] == [
        "Animation de réseau",
        "Accompagnement de politiques publiques et ingénierie de projets",
    ]
    assert len(report.missions) == 19
    assert figure(report, "loan_days").value == 752 == sum(FACTS["loan_days"].values())
    assert figure(report, "subscribers").value == 916
    assert figure(report, "site_visitors_month_mean").value == 2400
    assert figure(report, "site_visitors_month_max").value == 3000
    assert figure(report, "chat_active_users").value == 172 and figure(report, "wiki_pages").value == 674
    tiers_lieux = next(m for m in report.missions if m.key == "tiers-lieux")
    meeting = tiers_lieux.actions[0]
    assert (meeting.when, meeting.participants) == ("27/04/2021", 16) and "Tiers-lieu du Pilat" in meeting.partners
    training = next(m for m in report.missions if m.key == "professionnalisation")
    assert any("Inkscape" in line.title for line in training.actions)
    loans = next(m for m in report.missions if m.key == "mutualisation-materiel")
    assert "720 jours de prêt" in loans.narrative and "752 jours de prêt" in loans.narrative
    assert len(loans.actions) == 8  # one line per lent item
    assert report.conclusion and report.introduction
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())
    for expected in ("Axe 1 — Animation de réseau", "Proposer des temps de rencontre aux tiers-lieux numériques",
                     "27/04/2021", "720 jours de prêt", "Conclusion", "Sources et définitions"):  # fmt: skip
        assert expected in text, expected
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        assert "Accompagner le déploiement d&apos;Aidants Connect" in archive.read("word/document.xml").decode() or (
            "Accompagner le déploiement d'Aidants Connect" in archive.read("word/document.xml").decode()
        )


def test_a_validated_2021_report_stays_as_sent_after_a_loan_is_corrected(demo):
    with demo.transaction() as session:
        coordinator = find_by_email(session, next(a[0] for a in DEMO_ACCOUNTS if a[2] == "coordinator"))
        report_versions.validate(session, coordinator, year=2021, note="Envoyé au Département")
    with demo.session() as session:
        sent_html = report_versions.version_file(session, 2021, 1, "html")
    with demo.transaction() as session:
        loan = session.scalars(
            select(Loan)
            .where(Loan.start_date >= dt.date(2021, 3, 1), Loan.end_date <= dt.date(2021, 11, 30))
            .where(Loan.end_date > Loan.start_date)
            .order_by(Loan.id)
            .limit(1)
        ).one()
        loan.end_date = loan.returned_on = loan.end_date - dt.timedelta(days=1)
        units = loan.units
    with demo.session() as session:
        frozen = report_versions.version_document(session, 2021)
        number, changes = report_versions.differences(session, 2021)
        assert report_versions.version_file(session, 2021, 1, "html") == sent_html
    assert figure(frozen, "loan_days").value == 752
    assert number == 1
    loan_days = next(c for c in changes if c.what.startswith("Jours de prêt"))
    assert (loan_days.sent, loan_days.now) == ("752", str(752 - units))
