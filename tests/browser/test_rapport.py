"""The annual report's page in a real browser: a coordinator writes a mission's narrative and sees it in the preview;
validates the report, which then stays as sent while a 2021 loan is corrected, the page listing the difference;
axe-core on the page."""

import datetime as dt
import re
import secrets

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.conftest import check_accessibility, log_in, wait_for_dash

pytestmark = pytest.mark.browser

YEAR = 2021  # the demo's seed year: the association's convention and actions


def test_rapport001_coordinator_writes_a_missions_narrative(page, live_server):
    word = secrets.token_hex(3)
    log_in(page, live_server, "coordinator")
    page.goto(f"{live_server}/rapport?annee={YEAR}")
    wait_for_dash(page)
    page.get_by_label("Partie du rapport").select_option(
        label="4. Proposer des temps de rencontre aux tiers-lieux numériques"
    )
    wait_for_dash(page)  # the part's stored text is loaded into the field first
    page.get_by_label("Texte", exact=True).fill(f"Une rencontre **{word}** très suivie.\n\n- atelier\n- suites")
    page.get_by_role("button", name="Enregistrer le texte").click()
    expect(
        page.get_by_text("Texte « 4. Proposer des temps de rencontre aux tiers-lieux numériques » enregistré")
    ).to_be_visible()
    preview = page.frame_locator("iframe.report-preview")
    expect(preview.locator("#mission-tiers-lieux strong", has_text=word)).to_be_visible(timeout=60_000)
    expect(preview.locator("#mission-tiers-lieux")).to_contain_text("27/04/2021")
    expect(
        preview.get_by_role("heading", name="Axe 2 — Accompagnement de politiques publiques et ingénierie de projets")
    ).to_be_visible()
    expect(page.get_by_role("button", name=f"PDF {YEAR}")).to_have_attribute("href", f"/api/rapport/{YEAR}.pdf")
    expect(page.get_by_role("button", name="DOCX")).to_have_attribute("href", f"/api/rapport/{YEAR}.docx")
    check_accessibility(page)


def test_rapport002_a_validated_report_stays_as_sent_and_the_page_lists_what_changed(page, live_server, live_database):
    from db.models import Loan

    log_in(page, live_server, "coordinator")
    page.goto(f"{live_server}/rapport?annee={YEAR}")
    wait_for_dash(page)
    page.get_by_label("Note de version").fill("Envoyé au Département")
    page.get_by_role("button", name="Valider et figer cette version").click()
    expect(page.get_by_text(f"Rapport {YEAR} validé : version")).to_be_visible(timeout=60_000)
    versions = page.locator(f"#{'rapport-versions'}")
    expect(versions).to_contain_text("Envoyé au Département")
    expect(versions).to_contain_text("Aucun changement depuis la version")
    link = versions.get_by_role("link", name="PDF").first
    href = link.get_attribute("href")
    sent = page.request.get(f"{live_server}{href}").body()
    assert sent.startswith(b"%PDF")

    with live_database.transaction() as session:  # a correction made after the report was sent
        loan = session.scalars(
            select(Loan)
            .where(Loan.start_date >= dt.date(YEAR, 3, 1), Loan.end_date <= dt.date(YEAR, 11, 30))
            .where(Loan.end_date > Loan.start_date, Loan.cancelled_at.is_(None))
            .order_by(Loan.id)
            .limit(1)
        ).one()
        loan_id, end = loan.id, loan.end_date
        loan.end_date = loan.returned_on = end - dt.timedelta(days=1)
    try:
        _changes_are_listed(page, live_server, href, sent)
    finally:  # the live server is shared: the demo's 752 loan-days again for the other tests
        with live_database.transaction() as session:
            loan = session.get(Loan, loan_id)
            loan.end_date = loan.returned_on = end


def _changes_are_listed(page, live_server, href, sent):
    page.reload()
    wait_for_dash(page)
    changes = page.locator("table.report-changes")
    expect(changes).to_contain_text("Jours de prêt de matériel", timeout=60_000)
    expect(changes).to_contain_text("752")
    assert page.request.get(f"{live_server}{href}").body() == sent
    check_accessibility(page)


def test_rapport003_admin_sees_and_exports_the_convention(page, live_server):
    log_in(page, live_server, "admin")
    page.goto(f"{live_server}/rapport?annee={YEAR}")
    wait_for_dash(page)
    panel = page.locator("#rapport-convention")
    expect(panel).to_contain_text("(2021–2023)")
    expect(panel).to_contain_text("Expérimenter une démarche autour du numérique responsable")
    with page.expect_download() as download:
        page.get_by_role("button", name="Exporter la convention (JSON)").click()
    assert download.value.suggested_filename == "convention-2021–2023.json"
    page.get_by_label("Mission", exact=True).select_option(label="Mutualisation de ressources matérielles")
    expect(page.get_by_label(re.compile(r"^Titre"))).to_have_value("Mutualisation de ressources matérielles")
    check_accessibility(page)


def test_actions001_coordinator_records_an_action_and_finds_it(page, live_server):
    title = f"Atelier de la démo {secrets.token_hex(3)}"
    log_in(page, live_server, "coordinator")
    page.goto(f"{live_server}/actions?annee={YEAR}")
    wait_for_dash(page)
    expect(page.locator(".paged-table")).to_contain_text("Rencontre départementale des tiers-lieux numériques")
    page.get_by_label(re.compile(r"^Titre")).fill(title)
    page.get_by_label("Type *").select_option(label="Intervention")
    page.get_by_label(re.compile(r"^Date")).fill(f"{YEAR}-06-15")
    page.get_by_label("Participants").fill("14")
    page.get_by_label("Autres partenaires").fill("Centre social de test")
    page.get_by_role("button", name="Enregistrer l'action").click()
    expect(page.get_by_text(f"Action « {title} » du 15/06/{YEAR} enregistrée.")).to_be_visible()
    page.get_by_label("Recherche").fill(title)
    page.get_by_label("Recherche").press("Enter")
    expect(page.locator(".paged-table")).to_contain_text("Centre social de test", timeout=30_000)
    with page.expect_download() as download:
        page.get_by_role("button", name="Export CSV").click()
    assert title in download.value.path().read_text(encoding="utf-8-sig")
    check_accessibility(page)
