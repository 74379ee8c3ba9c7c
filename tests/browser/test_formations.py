"""Formations in a real browser: a coordinator records attendance and sees the figures change; errors and filters."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from db.models import Training
from tests.browser.conftest import (
    check_accessibility,
    close_entry_with_the_keyboard,
    demo_today,
    focus_in_entry_panel,
    log_in,
    open_entry,
    submit_with_the_keyboard,
    tab_to,
    wait_for_dash,
)

pytestmark = pytest.mark.browser

WAIT = 45_000  # ms: a ceiling, not a delay; the test machine is shared and callbacks can queue behind others
DEMO_YEAR = demo_today().year - 1  # db.demo.demo_year: every session of that year is over
SAISIR = "Saisir une session ou une formation"
KEYBOARD_TRAINING = "Clavier seul"


def open_formations(page, live_server, role: str, query: str = "") -> None:
    log_in(page, live_server, role)
    page.goto(f"{live_server}/formations{query}")
    wait_for_dash(page)
    expect(page.locator('[data-figure="participants"]')).to_be_visible(timeout=WAIT)


def figure(page, key: str) -> int:
    return int(re.sub(r"\D", "", page.locator(f'[data-figure="{key}"]').inner_text()))


def choose_past_counted_session(page) -> None:
    """In the session form, the demo year's Aidants Connect training and its latest session."""
    form = open_entry(page, SAISIR).locator("#formation-session-card")
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
    expect(page.locator('[data-figure="participants"]')).to_have_text(re.compile(rf"^{participants}$"))
    check_accessibility(page)


def test_formations003_filters_live_in_the_address(page, live_server):
    open_formations(page, live_server, "viewer", f"?du={DEMO_YEAR}-01-01&au={DEMO_YEAR}-12-31")
    expect(page.get_by_role("button", name="Enregistrer la session")).to_have_count(0)  # viewers see the panels only
    all_sessions = figure(page, "sessions")
    page.get_by_label("Programme", exact=True).select_option("Aidants Connect")
    expect(page.locator('[data-figure="sessions"]')).to_have_text("6", timeout=WAIT)
    expect(page).to_have_url(re.compile(r"programme=Aidants\+Connect"))
    assert all_sessions > 6
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
    page.get_by_role("button", name="Saisir ses participants").click()
    form = page.locator("#formation-participant-card")
    expect(form.get_by_label(re.compile(r"^Session"))).not_to_have_value("", timeout=WAIT)
    expect(form.locator("#formations-attendance-summary")).to_contain_text("inscrits", timeout=WAIT)
    check_accessibility(page)


def test_formations006_a_session_entered_with_the_keyboard_alone(page, live_server, live_database):
    """From the « Saisir » button to the toast and back, without the mouse, at 1366×768: Enter opens the panel, Tab,
    type-ahead and typing fill the session form, the toast is read in view, Escape closes the panel and focus goes
    back to the button."""
    with live_database.transaction() as session:  # a training without dates: any session date is in it
        if not session.scalar(select(Training).where(Training.title == KEYBOARD_TRAINING)):
            session.add(Training(programme="Tests", title=KEYBOARD_TRAINING, kind="formation"))
    page.set_viewport_size({"width": 1366, "height": 768})
    open_formations(page, live_server, "coordinator")
    opener = page.get_by_role("button", name=SAISIR)
    tab_to(page, opener)
    page.keyboard.press("Enter")
    form = page.locator("#formation-session-card")
    training = form.get_by_label(re.compile(r"^Formation\b"))
    expect(training.locator("option", has_text=KEYBOARD_TRAINING)).to_be_attached(timeout=WAIT)
    tab_to(page, training)  # the panel's first field
    page.keyboard.type(KEYBOARD_TRAINING)  # a closed select's type-ahead
    expect(training.locator("option:checked")).to_contain_text(KEYBOARD_TRAINING)
    tab_to(page, form.get_by_label("Date"))
    page.keyboard.type(f"0505{DEMO_YEAR + 3}")  # 5 May whatever the order of the fields; years ahead of any figure
    tab_to(page, form.get_by_label("Ou adresse libre"))
    page.keyboard.type("Salle du clavier")
    submit = form.get_by_role("button", name="Enregistrer la session")
    submit_with_the_keyboard(page, submit, f"Session du 5 mai {DEMO_YEAR + 3} enregistrée.")
    expect(form.get_by_label("Ou adresse libre")).to_have_value("")  # ready for the next session of the training
    close_entry_with_the_keyboard(page, form, opener)


def test_formations007_a_session_chosen_in_the_grid_opens_in_the_panel(page, live_server):
    """A row of « Sessions de la sélection » chosen with the keyboard (arrows, then Space), then « Modifier la
    session »: the panel opens on that session, its training and values loaded; « Modifier sa formation » does the
    same for its training."""
    open_formations(page, live_server, "coordinator", f"?du={DEMO_YEAR}-01-01&au={DEMO_YEAR}-12-31")
    edit = page.get_by_role("button", name="Modifier la session")
    expect(edit).to_be_disabled()
    grid = page.locator("#formations-sessions")
    rows = grid.locator(".ag-center-cols-container .ag-row")
    expect(rows.nth(1)).to_be_visible(timeout=WAIT)
    second = rows.nth(1)
    row_id = second.get_attribute("row-id")
    title = second.locator("[col-id='title']").inner_text()
    rows.first.locator("[col-id='date']").focus()  # the grid's first cell, then the keyboard
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    expect(second).to_have_class(re.compile(r"ag-row-selected"))
    expect(edit).to_be_enabled(timeout=WAIT)
    edit.focus()
    page.keyboard.press("Enter")
    form = page.locator("#formation-session-card")
    expect(form).to_be_visible()
    expect(form.get_by_label("Session à modifier")).to_have_value(row_id, timeout=WAIT)
    expect(form.get_by_label("Date")).not_to_have_value("", timeout=WAIT)
    expect(form.get_by_label(re.compile(r"^Formation\b")).locator("option:checked")).to_contain_text(title)
    focus_in_entry_panel(page)
    page.keyboard.press("Escape")
    expect(form).to_be_hidden()
    expect(edit).to_be_focused()
    page.get_by_role("button", name="Modifier sa formation").click()
    training = page.locator("#formation-card")
    expect(training.get_by_label("Intitulé")).to_have_value(title, timeout=WAIT)
