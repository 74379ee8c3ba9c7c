"""Every page opens for a logged-in user, with its navigation, and passes axe-core."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import check_accessibility, log_in, wait_for_dash

pytestmark = pytest.mark.browser

PAGES = [
    ("/carte", "Carte"),
    ("/agenda", "Agenda"),
    ("/materiel", "Matériel"),
    ("/formations", "Formations"),
    ("/lettres", "Lettres"),
    ("/indicateurs", "Indicateurs"),
    ("/projection", "Projection"),
]


def test_shell001_login_shows_accueil_figures(page, live_server):
    log_in(page, live_server, "coordinator")
    expect(page.locator(".kpi-card")).to_have_count(5)
    expect(page.locator(".app-navbar")).to_contain_text("Coordination")
    check_accessibility(page)


def test_shell002_wrong_password_stays_on_login(page, live_server):
    page.goto(f"{live_server}/login")
    page.get_by_label("Adresse e-mail").fill("coordination@demo.mednum42.fr")
    page.get_by_label("Mot de passe").fill("pas le bon mot de passe")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_have_text("Adresse e-mail ou mot de passe incorrect.")
    check_accessibility(page)


def test_shell003_navigate_every_page(page, live_server):
    log_in(page, live_server, "viewer")
    for path, label in PAGES:
        page.locator(".app-navbar").get_by_role("link", name=label).click()
        page.wait_for_url(f"{live_server}{path}")
        wait_for_dash(page)
        expect(page.locator("h1").first).to_be_visible()
        check_accessibility(page)
    expect(page.locator(".app-navbar").get_by_role("link", name="Admin")).to_have_count(0)


def test_shell004_unknown_page_and_logout(page, live_server):
    log_in(page, live_server, "admin")
    page.goto(f"{live_server}/nulle-part")
    expect(page.get_by_role("heading", name="Page introuvable")).to_be_visible()
    page.locator(".user-menu .dropdown-toggle").click()
    page.get_by_role("button", name="Déconnexion").click()
    page.wait_for_url(f"{live_server}/login")
    page.goto(f"{live_server}/materiel")
    expect(page).to_have_url(re.compile("/login"))


def test_shell005_admin_creates_account_with_error_then_success(page, live_server):
    log_in(page, live_server, "admin")
    page.goto(f"{live_server}/admin")
    wait_for_dash(page)
    page.get_by_label("Adresse e-mail").fill("pas-une-adresse")
    page.get_by_label("Nom").fill("Camille Martin")
    page.get_by_label("Mot de passe initial").fill("un mot de passe long")
    page.get_by_role("button", name="Créer le compte").click()
    expect(page.get_by_text("Adresse e-mail invalide.")).to_be_visible()
    check_accessibility(page)
    page.get_by_label("Adresse e-mail").fill("camille.martin@example.org")
    page.get_by_role("button", name="Créer le compte").click()
    expect(page.get_by_text("Compte créé pour camille.martin@example.org.")).to_be_visible()
    expect(page.get_by_role("cell", name="camille.martin@example.org")).to_be_visible()


def test_shell006_a_page_with_a_map_reached_from_a_page_without_one_draws_it(page, live_server):
    """A place's sheet is loaded without the map's script: « Retour à la carte » loads the Carte in full."""
    log_in(page, live_server, "viewer")
    page.goto(f"{live_server}/carte/lieu/Demo-42-001")
    wait_for_dash(page)
    assert page.evaluate("() => window.dash_leaflet === undefined")
    page.get_by_text("Retour à la carte").click()
    page.wait_for_url(f"{live_server}/carte")
    expect(page.locator("#carte-map .leaflet-interactive").first).to_be_visible(timeout=30_000)
    page.wait_for_function("() => window.dash_leaflet !== undefined")
