"""Formations in a real browser: a coordinator records attendance and sees the figures change; errors and filters."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import check_accessibility, demo_today, log_in, wait_for_dash

pytestmark = pytest.mark.browser

WAIT = 45_000  # ms: a ceiling, not a delay; the test machine is shared and callbacks can queue behind others
DEMO_YEAR = demo_today().year - 1  # db.demo.demo_year: every session of that year is over


def open_formations(page, live_server, role: str, query: str = "") -> None:
    log_in(page, live_server, role)
    page.goto(f"{live_server}/formations{query}")
    wait_for_dash(page)
    expect(page.locator('[data-figure="participants"]')).to_be_visible(timeout=WAIT)


def figure(page, key: str) -> int:
    return int(re.sub(r"\D", "", page.locator(f'[data-figure="{key}"]').inner_text()))


def choose_past_counted_session(page) -> None:
    """In the session form, the demo year's Aidants Connect training and its latest session."""
    form = page.locator("#formation-session-card")
    training = form.get_by_label(re.compile(r"^Formation\b"))
    option = training.locator("option", has_text=f"(Aidants Connect, {DEMO_YEAR})").first
    training.select_option(option.get_attribute("value"))
    sessions = form.get_by_label("Session à modifier")
    expect(sessions.locator("option", has_text="Habilitation Aidants Connect")).to_have_count(6, timeout=WAIT)
    latest = sessions.locator("option", has_text="Habilitation Aidants Connect").first  # latest first
    sessions.select_option(latest.get_attribute("value"))
    expect(form.get_by_label("Présents")).not_to_have_value("", timeout=WAIT)


def test_formations001_coordinator_records_attendance_and_sees_the_panel_change(page, live_server):
    open_formations(page, live_server, "coordinator", f"?du={DEMO_YEAR}-01-01&au={DEMO_YEAR}-12-31")
    participants = figure(page, "participants")
    choose_past_counted_session(page)
    form = page.locator("#formation-session-card")
    present = int(form.get_by_label("Présents").input_value())
    form.get_by_label("Présents").fill(str(present - 2))
    form.get_by_role("button", name="Enregistrer la session").click()
    expect(form.get_by_role("alert").filter(has_text="enregistrée")).to_be_visible(timeout=WAIT)
    expect(page.locator('[data-figure="participants"]')).to_have_text(
        re.compile(rf"^{participants - 2}$"), timeout=WAIT
    )
    # Put it back, so the shared demo database tells the same story to the other tests.
    form.get_by_label("Présents").fill(str(present))
    form.get_by_role("button", name="Enregistrer la session").click()
    expect(page.locator('[data-figure="participants"]')).to_have_text(re.compile(rf"^{participants}$"), timeout=WAIT)


def test_formations002_bad_attendance_is_explained_under_the_field(page, live_server):
    open_formations(page, live_server, "coordinator", f"?du={DEMO_YEAR}-01-01&au={DEMO_YEAR}-12-31")
    participants = figure(page, "participants")
    choose_past_counted_session(page)
    form = page.locator("#formation-session-card")
    registered = int(form.get_by_label("Inscrits").input_value())
    form.get_by_label("Présents").fill(str(registered + 1))
    form.get_by_label("Places").fill("0")
    form.get_by_role("button", name="Enregistrer la session").click()
    expect(form.get_by_text(f"Plus de présents que d'inscrits ({registered + 1} > {registered}).")).to_be_visible(
        timeout=WAIT
    )
    expect(form.get_by_text("La capacité doit être d'au moins 1 place.")).to_be_visible(timeout=WAIT)
    expect(form.get_by_text("rien n'a été enregistré")).to_be_visible(timeout=WAIT)
    assert figure(page, "participants") == participants
    check_accessibility(page)


def test_formations003_filters_live_in_the_address(page, live_server):
    open_formations(page, live_server, "viewer", f"?du={DEMO_YEAR}-01-01&au={DEMO_YEAR}-12-31")
    assert page.get_by_role("button", name="Enregistrer la session").count() == 0  # viewers see the panels only
    all_sessions = figure(page, "sessions")
    page.get_by_label("Programme", exact=True).select_option("Aidants Connect")
    expect(page.locator('[data-figure="sessions"]')).to_have_text("6", timeout=WAIT)
    assert "programme=Aidants+Connect" in page.url and all_sessions > 6
    page.reload()
    wait_for_dash(page)
    expect(page.get_by_label("Programme", exact=True)).to_have_value("Aidants Connect", timeout=WAIT)
    expect(page.locator('[data-figure="sessions"]')).to_have_text("6", timeout=WAIT)
    check_accessibility(page)


def test_formations004_panel_exports_as_csv(page, live_server):
    open_formations(page, live_server, "viewer", f"?du={DEMO_YEAR}-01-01&au={DEMO_YEAR}-12-31&programme=CNFPT")
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("CSV : exporter « Sessions et participants par mois »")).click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    assert text.startswith("Mois;Sessions;Participants (présents)") and f"{DEMO_YEAR}-12" in text


def test_formations005_sessions_grid_pages_sorts_and_feeds_the_attendant_form(page, live_server):
    """The sessions of the selection come page by page from the server, follow the filter bar and sort on a click;
    a session chosen in the grid becomes the attendant form's, whose attendants load in their own grid."""
    open_formations(page, live_server, "coordinator", f"?du={DEMO_YEAR}-01-01&au={DEMO_YEAR}-12-31")
    grid = page.locator("#formations-sessions")
    rows = grid.locator(".ag-center-cols-container .ag-row")
    expect(rows.first).to_be_visible(timeout=WAIT)
    sessions = figure(page, "sessions")
    expect(grid.locator(".ag-paging-panel")).to_contain_text(f"de {sessions}", timeout=WAIT)
    page.get_by_label("Programme", exact=True).select_option("Aidants Connect")
    expect(grid.locator(".ag-paging-panel")).to_contain_text("1 à 6 de 6", timeout=WAIT)
    # Latest first by default; a click on « Date » sorts the other way, on the server.
    dates = grid.locator(".ag-center-cols-container .ag-row [col-id='date']")
    header = grid.get_by_role("columnheader", name="Date")
    header.locator(".ag-header-cell-label").click()
    expect(header).to_have_attribute("aria-sort", "ascending")
    expect(dates.first).to_have_text(re.compile(rf"^\d\d/0[1-6]/{DEMO_YEAR}$"), timeout=WAIT)
    # A click on a row chooses its session for the attendant form.
    rows.first.locator("[col-id='title']").click()
    form = page.locator("#formation-participant-card")
    expect(form.get_by_label(re.compile(r"^Session"))).not_to_have_value("", timeout=WAIT)
    expect(form.locator("#formations-attendance-summary")).to_contain_text("inscrits", timeout=WAIT)
    check_accessibility(page)
