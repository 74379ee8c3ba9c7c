"""Carte in Chromium: filter through the UI, the URL follows and restores the view, open a place sheet."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import check_accessibility, log_in, open_first_sheet, wait_for_dash

pytestmark = pytest.mark.browser

SERVICE = "Aide aux démarches administratives"


def place_count(page) -> int:
    page.wait_for_function("() => /\\d+ lieu/.test(document.getElementById('carte-count').textContent)")
    return int(re.sub(r"\D", "", page.locator("#carte-count").inner_text()))


def test_carte001_filter_by_service_then_open_a_sheet(page, live_server):
    log_in(page, live_server, "viewer")
    page.goto(f"{live_server}/carte")
    wait_for_dash(page)
    page.wait_for_selector(".mednum-cluster, .leaflet-interactive")
    before = place_count(page)
    expect(page.locator(".leaflet-control-scale")).to_have_count(1)
    check_accessibility(page)

    page.get_by_role("checkbox", name=re.compile(f"^{SERVICE}")).check()
    page.wait_for_url(re.compile(r"services=Aide\+aux\+d%C3%A9marches\+administratives"))
    wait_for_dash(page)
    after = place_count(page)
    expected = int(re.search(r"\((\d+)\)", page.get_by_text(re.compile(f"^{SERVICE} \\(")).inner_text()).group(1))
    assert after == expected and 0 < after < before
    expect(page.locator(".carte-list .list-group-item")).to_have_count(min(after, 25))

    first = page.locator(".carte-list .list-group-item").first
    name = first.locator(".fw-semibold").inner_text()
    first.click()
    page.get_by_role("heading", name=name).wait_for()
    # The map zooms on the place: the list keeps the places of that part of the map only.
    page.get_by_text(re.compile(r"hors de la vue")).wait_for()
    in_view = int(re.sub(r"\D", "", page.get_by_text(re.compile(r"dans la vue$")).inner_text()))
    assert 0 < in_view < after
    page.get_by_role("link", name="Voir la fiche complète").click()
    page.wait_for_url(re.compile(r"/carte/lieu/.*\?services="))
    wait_for_dash(page)
    page.get_by_role("heading", level=1, name=name).wait_for()
    expect(page.get_by_text("Horaires de la semaine")).to_be_visible()
    check_accessibility(page)
    # Back to the map with the same filters.
    page.get_by_text("Retour à la carte").click()
    page.wait_for_url(re.compile(r"/carte\?services="))
    wait_for_dash(page)
    expect(page.locator("#carte-count")).to_have_text(re.compile(rf"^{after}\D"))
    expect(page.get_by_role("checkbox", name=re.compile(f"^{SERVICE}"))).to_be_checked()


def test_carte002_shared_link_restores_the_filters(page, live_server):
    log_in(page, live_server, "viewer")
    page.goto(f"{live_server}/carte?services=Aide+aux+d%C3%A9marches+administratives&horaires=weekend")
    wait_for_dash(page)
    place_count(page)
    expect(page.get_by_role("checkbox", name=re.compile(f"^{SERVICE}"))).to_be_checked()
    expect(page.get_by_label(re.compile("^Ouvert le week-end"))).to_be_checked()
    expect(page.get_by_text("Horaires : ouvert le week-end")).to_be_visible()
    page.get_by_role("button", name="Réinitialiser").click()
    page.wait_for_url(f"{live_server}/carte")
    expect(page.get_by_role("checkbox", name=re.compile(f"^{SERVICE}"))).not_to_be_checked()


def test_carte003_coordinator_form_shows_errors_under_fields(page, live_server):
    log_in(page, live_server, "coordinator")
    open_first_sheet(page, live_server)
    page.get_by_role("button", name="Modifier la fiche").click()
    page.get_by_label("Code postal").fill("4200")
    page.get_by_role("button", name="Enregistrer la fiche").click()
    page.get_by_text("Format invalide « 4200 » (5 chiffres attendus).").wait_for()
    page.get_by_text("Le formulaire contient des erreurs : rien n'a été enregistré.").wait_for()
    check_accessibility(page)
