"""Matériel in a real browser: a coordinator books an item through the form and sees its gauge move; a bad loan
shows its message under the field; the page passes axe-core."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from db import clock
from tests.browser.conftest import check_accessibility, log_in, wait_for_dash

pytestmark = pytest.mark.browser

# Next year: the demo's bookings stop a few weeks after today, so June of next year is free for the projector.
YEAR = clock.today().year + 1
ITEM = "Vidéoprojecteur"


def open_materiel(page, live_server, role="coordinator"):
    log_in(page, live_server, role)
    page.goto(f"{live_server}/materiel?annee={YEAR}")
    wait_for_dash(page)
    page.locator(f"[data-item='{ITEM}'] .gauge-days").wait_for(timeout=60_000)  # a loaded machine


def gauge_figure(page):
    """The loan-days figure written under the item's gauge."""
    return page.locator(f"[data-item='{ITEM}'] .gauge-days")


def test_materiel001_coordinator_books_and_the_gauge_moves(page, live_server):
    open_materiel(page, live_server)
    expect(gauge_figure(page)).to_be_visible(timeout=60_000)
    before = int(gauge_figure(page).inner_text())
    form = page.locator("#nouveau-pret")
    form.get_by_label("Article").select_option(label=f"{ITEM} (1 unité)")
    form.locator("button.dash-dropdown").first.click()
    page.get_by_role("searchbox").fill("Médiathèque")
    page.get_by_role("option", name=re.compile("^Médiathèque")).first.click()
    form.get_by_label("Début").fill(f"{YEAR}-06-10")
    form.get_by_label("Fin (incluse)").fill(f"{YEAR}-06-12")
    form.get_by_role("button", name="Enregistrer le prêt").click()
    form.get_by_text(re.compile(rf"Prêt n° \d+ enregistré : {ITEM} pour Médiathèque")).wait_for()
    expect(gauge_figure(page)).to_have_text(str(before + 3), timeout=45_000)  # three days, 10 to 12 June
    # The same dates again: refused, with the loan just made named in the message.
    form.get_by_role("button", name="Enregistrer le prêt").click()
    form.get_by_text(re.compile(r"Conflit de réservation : « Vidéoprojecteur »")).wait_for()
    expect(gauge_figure(page)).to_have_text(str(before + 3))


def test_materiel002_bad_loan_shows_the_message_under_the_field(page, live_server):
    open_materiel(page, live_server)
    form = page.locator("#nouveau-pret")
    form.get_by_label("Article").select_option(label=f"{ITEM} (1 unité)")
    form.get_by_label("Structure hors carte").fill("Club photo de Roanne")
    form.get_by_label("Début").fill(f"{YEAR}-03-10")
    form.get_by_label("Fin (incluse)").fill(f"{YEAR}-03-08")
    form.get_by_role("button", name="Enregistrer le prêt").click()
    expect(form.get_by_text("La date de fin doit être le jour du début ou après.")).to_be_visible()
    expect(form.get_by_text("Indiquer la commune de la structure.")).to_be_visible()
    expect(form.get_by_text("Le formulaire contient des erreurs : rien n'a été enregistré.")).to_be_visible()
    check_accessibility(page)


def test_materiel003_viewer_sees_panels_without_forms_and_exports(page, live_server):
    open_materiel(page, live_server, "viewer")
    assert page.get_by_role("heading", name="Calendrier des réservations").is_visible()
    assert page.get_by_role("button", name="Enregistrer le prêt").count() == 0
    assert page.locator("[data-item]").count() >= 8
    check_accessibility(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="CSV : exporter « Utilisation par article »").click()
    assert download.value.suggested_filename == f"materiel-articles-{YEAR}0101-{YEAR}1231.csv"
    header = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("Article;Catégorie;Unités;Actif;Prêts;Jours de prêt")
