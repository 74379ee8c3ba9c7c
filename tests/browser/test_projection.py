"""Projection in a real browser: the slides turn by themselves; an admin's link opens the kiosk on a screen
without an account, and nothing else, until the link is revoked."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import check_accessibility, log_in, wait_for_dash

pytestmark = pytest.mark.browser


def test_projection001_slides_rotate_every_n_seconds(page, live_server):
    log_in(page, live_server, "viewer")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{live_server}/projection?slides=chiffres,agenda&rotate=5&theme=clair")
    wait_for_dash(page)
    first, second = (
        page.get_by_role("heading", name="Chiffres clés"),
        page.get_by_role("heading", name="Prochains événements"),
    )
    expect(first).to_be_visible(timeout=30_000)
    expect(second).to_be_hidden()
    expect(page.locator(".app-navbar")).to_be_hidden()
    expect(page.locator(".proj-refreshed")).to_contain_text("Données actualisées à")
    check_accessibility(page)
    expect(second).to_be_visible(timeout=9_000)  # 5 s per slide
    expect(first).to_be_hidden()
    expect(page.locator(".proj-counter")).to_have_text("2 / 2")


def test_projection002_screen_link_opens_only_the_projection_until_revoked(page, browser, live_server):
    log_in(page, live_server, "admin")
    page.goto(f"{live_server}/projection?slides=chiffres&filters=on")
    wait_for_dash(page)
    label = "Salle du conseil"
    page.get_by_label("Nom de l'écran").fill(label)
    page.get_by_role("button", name="Créer un lien").click()
    # The link's text, read in the same moment it is seen (a redraw of the outcome can come right after).
    url = page.wait_for_function(
        "() => { const link = document.getElementById('proj-new-link');"
        " return link && link.textContent.includes('jeton=') ? link.textContent : null; }",
        timeout=30_000,
    ).json_value()
    check_accessibility(page)

    screen = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    screen.goto(url)
    wait_for_dash(screen)
    expect(screen).not_to_have_url(re.compile("jeton"))
    expect(screen.get_by_role("heading", name="Chiffres clés")).to_be_visible(timeout=30_000)
    expect(screen.locator("[data-figure], .proj-figure-value").first).to_be_visible()
    screen.goto(f"{live_server}/materiel")
    expect(screen).to_have_url(re.compile("/login"))

    page.get_by_label("Lien à révoquer").select_option(label=label)
    page.get_by_role("button", name="Révoquer").click()
    expect(page.get_by_text(re.compile(f"Lien « {label} » révoqué"))).to_be_visible()
    screen.goto(f"{live_server}/projection")
    expect(screen).to_have_url(re.compile("/login"))
    screen.context.close()


def test_projection003_the_carte_slide_draws_the_places_and_the_deck_keeps_turning(page, live_server):
    log_in(page, live_server, "viewer")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{live_server}/projection?slides=carte,agenda&rotate=5")
    wait_for_dash(page)
    carte = page.get_by_role("region", name="Carte des lieux")
    expect(carte.get_by_role("heading", name="Carte des lieux")).to_be_visible(timeout=30_000)
    markers = carte.locator("path.leaflet-interactive")  # the places, drawn from the Carte's collection
    expect(markers.first).to_be_visible(timeout=20_000)
    expect(markers.nth(20)).to_be_attached()  # more than 20 places drawn
    check_accessibility(page)
    expect(page.get_by_role("heading", name="Prochains événements")).to_be_visible(timeout=9_000)
    expect(carte.get_by_role("heading", name="Carte des lieux")).to_be_visible(timeout=9_000)
    expect(markers.first).to_be_visible()
