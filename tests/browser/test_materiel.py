"""Matériel in a real browser: a coordinator books an item through the form and sees its gauge move, the form ready
for the next loan; a submission sent twice records one loan; a bad loan shows its message under the field; the page
passes axe-core."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from dashboard import ids
from db import clock
from tests.browser.conftest import check_accessibility, log_in, wait_for_dash

pytestmark = pytest.mark.browser

# Next year: the demo's bookings stop a few weeks after today, so June of next year is free for the projector.
YEAR = clock.today().year + 1
ITEM = "Vidéoprojecteur"
ROUND_TRIP = 30_000  # ms: a save and its answer, on a small shared machine loading the page's panels meanwhile


def open_materiel(page, live_server, role="coordinator"):
    log_in(page, live_server, role)
    page.goto(f"{live_server}/materiel?annee={YEAR}")
    wait_for_dash(page)
    gauges(page).wait_for(timeout=60_000)  # a loaded machine


def open_entry(page):
    """The « Saisir … » button at the top of the page opens the panel with the loan form."""
    page.get_by_role("button", name="Saisir un prêt ou un article").click()
    form = page.locator("#nouveau-pret")
    expect(form).to_be_visible()
    return form


def gauges(page):
    """The utilisation gauges' figure, whose text alternative gives each item's rate and loan-days."""
    return page.locator("[role=img][aria-label^='Taux d\\'utilisation par article']")


def loan_days(page, item: str) -> int:
    """The loan-days of `item`, as the gauges' text alternative says them."""
    label = gauges(page).get_attribute("aria-label")
    return int(re.search(rf"{re.escape(item)} [^(]*\((\d+) jours de prêt\)", label).group(1))


def says_loan_days(item: str, days: int):
    """What the gauges' text alternative says once `item` counts `days` loan-days (for `expect`)."""
    return re.compile(rf"{re.escape(item)} [^(]*\({days} jours de prêt\)")


def choose_loan(form, page, item: str, start: str, end: str) -> None:
    """Fill the loan form: the item, the Médiathèque as borrower, the dates."""
    form.get_by_label("Article").select_option(label=item)
    form.locator("button.dash-dropdown").first.click()
    page.get_by_role("searchbox").fill("Médiathèque")
    page.get_by_role("option", name=re.compile("^Médiathèque")).first.click()
    form.get_by_label("Début").fill(start)
    form.get_by_label("Fin (incluse)").fill(end)


def test_materiel001_coordinator_books_and_the_gauge_moves(page, live_server):
    open_materiel(page, live_server)
    expect(gauges(page)).to_be_visible(timeout=60_000)
    before = loan_days(page, ITEM)
    form = open_entry(page)
    choose_loan(form, page, f"{ITEM} (1 unité)", f"{YEAR}-06-10", f"{YEAR}-06-12")
    form.get_by_label("Interventions prévues").fill("4")
    form.get_by_label("Notes").fill("Salle du conseil")
    form.get_by_role("button", name="Enregistrer le prêt").click()
    saved = re.compile(rf"Prêt n° \d+ enregistré : {ITEM} pour Médiathèque")
    expect(form.get_by_role("alert").filter(has_text=saved)).to_be_visible(timeout=ROUND_TRIP)  # announced
    expect(gauges(page)).to_have_attribute("aria-label", says_loan_days(ITEM, before + 3), timeout=45_000)  # 10–12 June
    # The form is ready for the next loan: back to the values it was rendered with.
    today = clock.today().isoformat()
    expect(form.get_by_label("Article")).to_have_value("")
    expect(form.locator("button.dash-dropdown").first).to_contain_text("Rechercher un lieu")
    expect(form.get_by_label("Début")).to_have_value(today)
    expect(form.get_by_label("Fin (incluse)")).to_have_value(today)
    expect(form.get_by_label("Interventions prévues")).to_have_value("")
    expect(form.get_by_label("Notes")).to_have_value("")
    # So a second click enters nothing.
    form.get_by_role("button", name="Enregistrer le prêt").click()
    expect(form.get_by_text("Choisir un article du catalogue.")).to_be_visible(timeout=ROUND_TRIP)
    expect(gauges(page)).to_have_attribute("aria-label", says_loan_days(ITEM, before + 3))
    # The same loan entered again: refused, with the loan just made named in the message.
    choose_loan(form, page, f"{ITEM} (1 unité)", f"{YEAR}-06-10", f"{YEAR}-06-12")
    form.get_by_role("button", name="Enregistrer le prêt").click()
    expect(form.get_by_text(re.compile(r"Conflit de réservation : « Vidéoprojecteur »"))).to_be_visible(
        timeout=ROUND_TRIP
    )
    expect(gauges(page)).to_have_attribute("aria-label", says_loan_days(ITEM, before + 3))


def test_materiel002_bad_loan_shows_the_message_under_the_field(page, live_server):
    open_materiel(page, live_server)
    form = open_entry(page)
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
    expect(page.get_by_role("heading", name="Calendrier des réservations")).to_be_visible()
    expect(page.get_by_role("button", name="Articles suivants")).to_be_hidden()  # the demo's rows fit at once
    expect(page.get_by_role("button", name="Enregistrer le prêt")).to_have_count(0)
    expect(gauges(page)).to_have_attribute("aria-label", re.compile(r"(?:[^)]* jours de prêt\)){8}"))  # 8 items
    check_accessibility(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="CSV : exporter « Utilisation par article »").click()
    assert download.value.suggested_filename == f"materiel-articles-{YEAR}0101-{YEAR}1231.csv"
    header = Path(download.value.path()).read_text(encoding="utf-8-sig").splitlines()[0]
    assert header.startswith("Article;Catégorie;Unités;Actif;Prêts;Jours de prêt")


def test_materiel008_lower_panels_are_drawn_when_the_reader_comes_near(page, live_server):
    """On a phone the page is long: the loans grid and the panels below wait until the reader scrolls near them."""
    page.set_viewport_size({"width": 390, "height": 844})
    open_materiel(page, live_server, "viewer")
    categories = page.locator(f"#{ids.MATERIEL_CATEGORIES} [role=img]")
    expect(categories).to_have_count(0)
    expect(page.locator(f"#{ids.MATERIEL_CATALOGUE} .ag-row")).to_have_count(0)
    expect(grid_rows(page)).to_have_count(0)
    expect(page.locator(f"#{ids.MATERIEL_LOANS_BODY}")).to_have_css("min-height", "440px")  # its room is kept
    reveal_loans(page)
    expect(grid_rows(page).first).to_be_visible(timeout=ROUND_TRIP)
    page.get_by_role("heading", name="Par catégorie").scroll_into_view_if_needed()
    expect(categories).to_have_attribute("aria-label", re.compile("^Jours de prêt par catégorie : "))
    page.get_by_role("heading", name="Articles").scroll_into_view_if_needed()
    expect(page.locator(f"#{ids.MATERIEL_CATALOGUE} .ag-row").first).to_be_visible()
    check_accessibility(page)


def test_materiel006_feedback_in_view_at_1366(page, live_server):
    """At 1366×768 the form's outcome is a toast in view: a refusal puts focus on the refused field, a save on the
    toast, and closing the toast with Escape gives focus back to the form's button."""
    page.set_viewport_size({"width": 1366, "height": 768})
    open_materiel(page, live_server)
    form = open_entry(page)
    button = form.get_by_role("button", name="Enregistrer le prêt")
    button.click()  # nothing chosen: refused
    toast = page.locator(".form-feedback.is-current .alert")
    expect(toast).to_contain_text("rien n'a été enregistré", timeout=ROUND_TRIP)
    expect(toast).to_be_in_viewport(ratio=1)
    expect(form.get_by_label("Article")).to_be_focused()
    choose_loan(form, page, f"{ITEM} (1 unité)", f"{YEAR}-07-20", f"{YEAR}-07-21")
    button.click()
    expect(toast).to_contain_text(re.compile(rf"Prêt n° \d+ enregistré : {ITEM}"), timeout=ROUND_TRIP)
    expect(toast).to_be_in_viewport(ratio=1)
    expect(toast).to_be_focused()
    # The panels the loan changed are marked for a while; the form's own card is not.
    expect(page.locator(".card.panel-updated", has_text="Utilisation par article")).to_be_visible(timeout=ROUND_TRIP)
    expect(page.locator(".entry-panel .card.panel-updated")).to_have_count(0)
    page.keyboard.press("Escape")
    expect(toast).to_be_hidden()
    expect(button).to_be_focused()


def test_materiel007_a_loan_entered_with_the_keyboard_alone(page, live_server):
    """From the « Saisir » button to the toast and back, without the mouse, at 1366×768: the panel opens with
    Enter, the fields are reached with Tab, the toast is read in view, Escape closes the panel and focus goes back
    to the button."""
    page.set_viewport_size({"width": 1366, "height": 768})
    open_materiel(page, live_server)
    opener = page.get_by_role("button", name="Saisir un prêt ou un article")
    opener.focus()
    page.keyboard.press("Enter")
    form = page.locator("#nouveau-pret")
    article = form.get_by_label("Article")
    expect(article).to_be_visible()
    article.focus()  # the panel's first field: Tab from its close button
    page.keyboard.press("ArrowDown")
    expect(article).not_to_have_value("")
    article.select_option(label=f"{ITEM} (1 unité)")  # a select's arrows reach it; pick it exactly
    form.get_by_label("Structure hors carte").focus()
    page.keyboard.type("Club photo de Roanne")
    page.keyboard.press("Tab")  # to the commune dropdown
    page.keyboard.press("Enter")
    page.keyboard.type("Roanne")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    form.get_by_label("Début").focus()
    page.keyboard.type(f"0108{YEAR + 1}")  # two summers ahead: no demo or other test books them
    form.get_by_label("Fin (incluse)").focus()
    page.keyboard.type(f"0208{YEAR + 1}")
    form.get_by_role("button", name="Enregistrer le prêt").focus()
    page.keyboard.press("Enter")
    toast = page.locator(".form-feedback.is-current .alert")
    expect(toast).to_be_visible(timeout=ROUND_TRIP)
    expect(form.locator(".field-error:not(:empty)")).to_have_text([])
    expect(toast).to_contain_text(
        re.compile(rf"Prêt n° \d+ enregistré : {ITEM} pour Club photo de Roanne"), timeout=ROUND_TRIP
    )
    expect(toast).to_be_in_viewport(ratio=1)
    expect(toast).to_be_focused()
    page.keyboard.press("Escape")  # the toast
    expect(form.get_by_role("button", name="Enregistrer le prêt")).to_be_focused()
    page.keyboard.press("Escape")  # the panel
    expect(form).to_be_hidden()
    expect(opener).to_be_focused()


def test_materiel004_a_submission_sent_twice_records_one_loan(page, live_server):
    """Two submissions of one rendering of the form, the first held in the network until the second has gone (a
    slow connection, an impatient second click): one loan. The item has two units, so clash detection alone would
    let the copy through."""
    open_materiel(page, live_server)
    before = loan_days(page, "Kit robotique")
    form = open_entry(page)
    choose_loan(form, page, "Kit robotique (2 unités)", f"{YEAR}-09-14", f"{YEAR}-09-15")
    submissions = []

    def hold_the_first_submission(route):
        if '"form-submit"' not in (route.request.post_data or ""):
            route.continue_()
            return
        submissions.append(route)
        if len(submissions) > 1:
            route.continue_()

    page.route(re.compile(r"/_dash-update-component"), hold_the_first_submission)
    button = form.get_by_role("button", name="Enregistrer le prêt")
    button.click()
    wait_until(page, lambda: len(submissions) == 1)
    button.click()
    wait_until(page, lambda: len(submissions) == 2)
    submissions[0].continue_()
    # Whichever answer the page keeps, it says the loan is saved, once.
    outcome = re.compile(r"Prêt n° \d+ enregistré : Kit robotique|Ce formulaire a déjà été enregistré")
    expect(form.get_by_role("alert").filter(has_text=outcome)).to_be_visible(timeout=ROUND_TRIP)
    expect(form.get_by_label("Article")).to_have_value("")
    wait_for_dash(page)
    # two days, one unit: one loan
    expect(gauges(page)).to_have_attribute("aria-label", says_loan_days("Kit robotique", before + 2), timeout=45_000)
    reveal_loans(page)
    booked = grid_rows(page).filter(has_text=f"14/09/{YEAR}")  # the list holds the open loans: one page
    expect(booked).to_have_count(1, timeout=ROUND_TRIP)


def reveal_loans(page):
    """Scroll to the loans, as a reader would: their grid is drawn once it comes near."""
    page.get_by_role("heading", name="Prêts à suivre").scroll_into_view_if_needed()


def grid_rows(page):
    return page.locator("#materiel-loans .ag-center-cols-container .ag-row")


def ids_shown(page) -> list[int]:
    # A row still loading (the infinite row model) shows empty cells: not a loan yet.
    return [int(text) for text in grid_rows(page).locator("[col-id='id']").all_inner_texts() if text.strip()]


def test_materiel005_loans_grid_pages_sorts_and_acts_on_a_loan(page, live_server):
    """The loans to follow come page by page from the server (100 rows a request at most); sorting asks it again;
    a loan chosen in the list with the keyboard is returned through the follow-up form, and leaves the list."""
    requests = []
    page.on("request", lambda r: requests.append(r.post_data) if '"getRowsRequest"' in (r.post_data or "") else None)
    open_materiel(page, live_server)
    reveal_loans(page)
    rows = grid_rows(page)
    expect(rows.first).to_be_visible(timeout=ROUND_TRIP)
    expect(page.locator("#materiel-loans .ag-paging-panel")).to_contain_text(re.compile(r"1 à \d+ de \d+"))
    assert requests and all('"endRow":100' in body for body in requests)
    # Sort by number, highest first: the server answers with the rows in that order.
    label = page.locator("#materiel-loans .ag-header-cell[col-id='id'] .ag-header-cell-label")
    label.click()
    label.click()
    expect(page.get_by_role("columnheader", name="N°")).to_have_attribute("aria-sort", "descending")
    wait_until(page, lambda: len(shown := ids_shown(page)) > 1 and shown == sorted(shown, reverse=True))
    # The overdue panel's button shows the overdue loans in the list.
    page.get_by_text(re.compile(r"Voir les \d+ prêts en retard dans la liste")).click()
    expect(page.get_by_label("Prêts", exact=True)).to_have_value("overdue")
    expect(rows.first.locator("[col-id='status']")).to_have_text("En retard", timeout=ROUND_TRIP)
    wait_until(page, lambda: rows.count() >= 2)
    before = rows.count()
    # The mouse picks the first row; the keyboard moves to the next and picks it with Space.
    rows.first.locator("[col-id='item']").click()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Space")
    loan_id = rows.nth(1).locator("[col-id='id']").inner_text()
    field = page.get_by_label(re.compile("^Prêt en cours ou à venir"))
    expect(field).to_have_value(loan_id, timeout=ROUND_TRIP)
    card = page.locator(".card").filter(has=page.get_by_role("button", name="Appliquer"))
    card.get_by_label("Date", exact=True).fill(clock.today().isoformat())
    card.get_by_role("button", name="Appliquer").click()
    expect(card.get_by_role("alert").filter(has_text=f"Prêt n° {loan_id} marqué rendu")).to_be_visible(
        timeout=ROUND_TRIP
    )
    expect(rows).to_have_count(before - 1, timeout=ROUND_TRIP)
    check_accessibility(page)


def wait_until(page, condition, timeout_ms: int = 30_000) -> None:
    """Let the page run (and its routes answer) until `condition()` holds."""
    for _ in range(timeout_ms // 50):
        if condition():
            return
        page.wait_for_timeout(50)
    raise AssertionError("condition not met in time")
