"""Indicateurs in a real browser: the demo year's figures by mission with their charts, the XLSX export; axe-core on
each page. The annual report's page: tests/browser/test_rapport.py."""

import re

import pytest
from playwright.sync_api import expect

from db import clock
from db.demo import demo_year
from tests.browser.conftest import check_accessibility, log_in, wait_for_dash

pytestmark = pytest.mark.browser

YEAR = demo_year(clock.today())


def test_indicateurs001_figures_by_mission_with_charts(page, live_server):
    log_in(page, live_server, "viewer")
    page.goto(f"{live_server}/indicateurs?periode={YEAR}")
    wait_for_dash(page)
    expect(page.locator("[data-figure='loan_days']")).to_have_text("752", timeout=30_000)
    expect(page.get_by_role("region", name="Prêt de matériel avec prise en main")).to_contain_text(
        f"Un an plus tôt ({YEAR - 1})"
    )
    expect(page.locator("figcaption").filter(has_text="Jours de prêt de matériel par mois")).to_have_count(1)
    page.get_by_label("Par année").check()
    expect(page.locator("figcaption").filter(has_text="Jours de prêt de matériel par année")).to_have_count(
        1, timeout=30_000
    )
    check_accessibility(page)


def test_indicateurs003_every_figure_agrees_with_the_figures_document(page, live_server):
    """The page shows, for every key, the value /api/v1/indicateurs.json gives (the document `flask figures`
    prints); where a value is unknown it says why, and estimates are flagged."""
    from dashboard.components import format as fmt

    log_in(page, live_server, "viewer")
    page.goto(f"{live_server}/indicateurs?periode={clock.today().year}")
    wait_for_dash(page)
    expect(page.locator("[data-figure='loan_days']")).not_to_be_empty(timeout=30_000)
    response = page.request.get(f"{live_server}/api/v1/indicateurs.json?year={clock.today().year}")
    assert response.ok
    figures = response.json()["figures"]
    for figure in figures:
        expect(page.locator(f"[data-figure='{figure['key']}']")).to_have_text(
            re.compile(rf"^{re.escape(fmt.figure_value(figure['value'], figure['unit']))}")
        )
    chat = page.locator(".ind-tile").filter(has=page.locator("[data-figure='chat_active_users']"))
    expect(chat).to_contain_text("Aucun relevé sur la période.")  # the demo records the chat once a year
    interventions = page.locator(".ind-tile").filter(has=page.locator("[data-figure='interventions']"))
    expect(interventions.get_by_text("Estimation", exact=True)).to_be_visible()


def test_indicateurs002_exports_one_workbook(page, live_server):
    log_in(page, live_server, "viewer")
    page.goto(f"{live_server}/indicateurs?periode={YEAR}")
    wait_for_dash(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Classeur XLSX").click()
    assert download.value.suggested_filename == f"indicateurs-{YEAR}.xlsx"
