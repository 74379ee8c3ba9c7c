"""Keyboard and French: arrows move in every select, the Dash dropdown's focus proxy is out of the tab order, and no
English word of the widgets shows on any page (their opened menus included)."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, open_entry, wait_for_dash

pytestmark = pytest.mark.browser

WAIT = 45_000

# Words of the widgets' own English (Dash, dbc, ag-grid, Plotly) that a French page must not show.
ENGLISH = re.compile(
    r"\b(Search|Select All|Deselect All|Select\.\.\.|No options|No results|Loading|Close|Toggle navigation|"
    r"Page \d+ of|Previous|Next|First|Last|Filter|Reset|Apply|Clear|Download|Zoom in|Zoom out|Autoscale|selected)\b"
)
PAGES = ["/", "/carte", "/agenda", "/materiel", "/formations", "/lettres", "/indicateurs", "/rapport", "/compte"]


def test_keyboard001_arrows_leave_a_select_blank_choice(page, live_server):
    """On /formations the session's « Formation » select starts on its blank choice: ArrowDown reaches the first
    training (the hidden placeholder of dbc.Select used to bring it back to the blank one)."""
    log_in(page, live_server, "coordinator")
    page.goto(f"{live_server}/formations")
    wait_for_dash(page)
    training = (
        open_entry(page, "Saisir une session ou une formation")
        .locator("#formation-session-card")
        .get_by_label(re.compile(r"^Formation\b"))
    )
    expect(training.locator("option").nth(2)).to_be_attached(timeout=WAIT)  # the trainings arrived
    first = training.locator("option:not([hidden])").nth(1).get_attribute("value")
    training.focus()
    page.keyboard.press("ArrowDown")
    expect(training).to_have_value(first)
    page.keyboard.press("ArrowUp")
    expect(training).to_have_value("")
    expect(training.locator("option:checked")).not_to_have_attribute("hidden", "")


def test_keyboard002_agenda_filter_moves_with_arrows(page, live_server):
    log_in(page, live_server, "viewer")
    page.goto(f"{live_server}/agenda")
    wait_for_dash(page)
    category = page.get_by_label("Catégorie", exact=True)
    expect(category.locator("option").nth(2)).to_be_attached(timeout=WAIT)
    category.focus()
    page.keyboard.press("ArrowDown")
    expect(category).not_to_have_value("")
    page.keyboard.press("ArrowUp")
    expect(category).to_have_value("")


def test_keyboard003_dropdowns_speak_french_and_their_proxy_is_not_tabbable(page, live_server):
    log_in(page, live_server, "viewer")
    page.goto(f"{live_server}/carte")
    wait_for_dash(page)
    proxies = page.locator(".dash-dropdown-focus-target")
    expect(proxies.first).to_have_attribute("tabindex", "-1")
    page.locator("#carte-commune button.dash-dropdown, button.dash-dropdown").first.click()
    expect(page.locator(".dash-dropdown-search")).to_have_attribute("placeholder", "Rechercher")
    expect(page.get_by_text("Tout sélectionner")).to_be_visible()
    assert not ENGLISH.search(page.locator("body").inner_text())


@pytest.mark.parametrize("role", ["viewer", "admin"])
def test_keyboard004_no_english_in_any_page(page, live_server, role):
    log_in(page, live_server, role)
    for path in PAGES + (["/admin"] if role == "admin" else []):
        page.goto(f"{live_server}{path}")
        wait_for_dash(page)
        page.wait_for_timeout(500)  # late panels
        page.locator(".user-menu .dropdown-toggle").click()
        text = page.locator("body").inner_text() + " ".join(
            page.locator("[aria-label], [title], [placeholder]").evaluate_all(
                "els => els.map(e => [e.getAttribute('aria-label'), e.getAttribute('title'),"
                " e.getAttribute('placeholder')].filter(Boolean).join(' '))"
            )
        )
        found = sorted(set(ENGLISH.findall(text)))
        assert not found, f"{role} {path}: English words shown: {found}"
