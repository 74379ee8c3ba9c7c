"""Agenda in a real browser: a coordinator adds an event through the entry panel (with the mouse, then the keyboard
alone) and finds it on the page; a date of the list opens its event in the panel."""

from __future__ import annotations

import datetime as dt
import re
import secrets

import pytest
from playwright.sync_api import expect

from db import clock
from db.agenda import Occurrence, occurrence_label
from db.demo import ALL_DAY_EVENTS, all_day_dates
from tests.browser.conftest import (
    check_accessibility,
    close_entry_with_the_keyboard,
    demo_today,
    log_in,
    open_entry,
    submit_with_the_keyboard,
    tab_to,
    wait_for_dash,
)

pytestmark = pytest.mark.browser
SAISIR = "Saisir un événement"
WAIT = 45_000  # ms: a ceiling, not a delay, on a shared machine


def open_agenda(page, live_server, role: str, query: str = "") -> None:
    log_in(page, live_server, role)
    page.goto(f"{live_server}/agenda{query}")
    wait_for_dash(page)
    expect(page.locator("#agenda-timeline .js-plotly-plot, #agenda-timeline .empty-state").first).to_be_visible(
        timeout=30_000
    )


def test_agenda001_coordinator_adds_an_event_and_sees_it_on_the_timeline(page, live_server):
    open_agenda(page, live_server, "coordinator")
    check_accessibility(page)
    day = clock.today() + dt.timedelta(days=1)
    tag = secrets.token_hex(3)
    title, category = f"Atelier navigateur {tag}", f"Essai {tag}"

    dialog = open_entry(page, SAISIR)
    dialog.get_by_label("Titre").fill(title)
    dialog.get_by_label("Dates (une par ligne, heure de Paris)").fill(f"{day:%d/%m/%Y} 10:00-12:00")
    dialog.get_by_label("Nom du lieu libre").fill("Salle des associations")
    dialog.get_by_label("Commune").fill("Feurs")
    dialog.locator("#agenda-pick-map").click()  # a click on the form's map fills the coordinates
    expect(dialog.get_by_label("Latitude")).to_have_value(re.compile(r"^4[56]\.\d+$"))
    dialog.get_by_label("Latitude").fill("45,7426")
    dialog.get_by_label("Longitude").fill("4,2260")
    dialog.get_by_label("Catégorie").fill(category)
    check_accessibility(page)
    dialog.get_by_role("button", name="Enregistrer l'événement").click()

    expect(page.locator("#agenda-notice")).to_contain_text(f"Événement « {title} » ajouté (1 date).")
    expect(dialog).to_be_visible()  # the panel stays open for the next entry
    expect(dialog.get_by_label("Titre")).to_have_value("")
    dialog.get_by_role("button", name="Fermer le panneau de saisie").click()
    expect(page.locator("#agenda-upcoming")).to_contain_text(title, timeout=20_000)

    # The week of that day, grouped by category: the new category has its row on the timeline.
    page.get_by_label("Date affichée").fill(day.isoformat())
    page.locator("label", has_text="Semaine").click()
    expect(page.locator("#agenda-timeline")).to_contain_text(category, timeout=20_000)
    expect(page).to_have_url(re.compile(rf"\?period=week&date={day.isoformat()}"))


def test_agenda002_bad_dates_are_explained_and_nothing_is_added(page, live_server):
    open_agenda(page, live_server, "coordinator")
    dialog = open_entry(page, SAISIR)
    dialog.get_by_label("Titre").fill("Atelier à l'envers")
    dialog.get_by_label("Dates (une par ligne, heure de Paris)").fill("01/12/2030 16:00-14:00")
    dialog.get_by_label("Latitude").fill("123")
    dialog.get_by_role("button", name="Enregistrer l'événement").click()
    expect(dialog.get_by_text("Ligne 1 : la fin précède le début.")).to_be_visible()
    expect(dialog.get_by_text("La latitude doit être comprise entre -90 et 90.")).to_be_visible()
    expect(dialog.get_by_text("Le formulaire contient des erreurs : rien n'a été enregistré.")).to_be_visible()
    expect(dialog).to_be_visible()


def test_agenda003_viewer_reads_the_agenda_from_a_shared_link(page, live_server):
    open_agenda(page, live_server, "viewer", "?period=year&group=place")
    expect(page.get_by_role("button", name=SAISIR)).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^Modifier"))).to_have_count(0)
    expect(page.locator("#agenda-period-label")).to_have_text(f"Année {clock.today().year}")
    expect(page.locator("#agenda-map .leaflet-container")).to_be_visible()
    expect(page.get_by_role("link", name="S'abonner (iCal)")).to_have_attribute("href", "/api/v1/agenda.ics")
    check_accessibility(page)

    # The demo's coming fair lasts three whole days: the upcoming list says them as days, not as hours.
    first = next(day for name, day in all_day_dates(demo_today()) if name == "village")
    title, category, *_ = ALL_DAY_EVENTS["village"]
    fair = Occurrence.whole_days(first, first + dt.timedelta(days=2))
    page.get_by_role("combobox", name="Catégorie").select_option(category)
    item = page.locator("#agenda-upcoming li", has_text=title)
    expect(item).to_contain_text(occurrence_label(*fair, year=False), timeout=20_000)
    expect(item).not_to_contain_text("00:00")


def test_agenda004_the_dates_of_a_year_are_read_a_page_at_a_time(page, live_server):
    open_agenda(page, live_server, "viewer", "?period=year")
    pager = page.get_by_role("navigation", name="Pages : dates de la période")
    status = pager.get_by_role("status")
    expect(status).to_have_text(re.compile(r"^1–50 sur \d+$"), timeout=20_000)
    expect(pager.get_by_role("button", name="Précédent")).to_be_disabled()
    dates = page.get_by_role("region", name=re.compile("^Dates de la période"))
    expect(dates.locator("tbody tr")).to_have_count(50)
    check_accessibility(page)

    pager.get_by_role("button", name="Suivant").click()
    expect(status).to_have_text(re.compile(r"^51–100 sur \d+$"))
    expect(pager.get_by_role("button", name="Précédent")).to_be_enabled()
    first_of_year = dates.locator("tbody tr").first.inner_text()
    page.get_by_label("Ordre").select_option(label="Les plus tardives d'abord")  # another order: the first page
    expect(status).to_have_text(re.compile(r"^1–50 sur \d+$"))
    expect(dates.locator("tbody tr").first).not_to_have_text(first_of_year)

    _title, category, *_ = ALL_DAY_EVENTS["village"]
    page.get_by_role("combobox", name="Catégorie").select_option(category)
    expect(status).to_have_text(re.compile(r"^1–\d+ sur \d+$"))
    expect(dates.locator("tbody tr").first).to_contain_text(category)


def test_agenda005_an_event_entered_with_the_keyboard_alone(page, live_server):
    """From the « Saisir » button to the toast and back, without the mouse, at 1366×768: Enter opens the panel, Tab
    and typing fill the event form, the toast is read in view, Escape closes the panel and focus goes back to the
    button."""
    page.set_viewport_size({"width": 1366, "height": 768})
    open_agenda(page, live_server, "coordinator")
    day = clock.today() + dt.timedelta(days=2)
    title = f"Atelier au clavier {secrets.token_hex(3)}"
    opener = page.get_by_role("button", name=SAISIR)
    tab_to(page, opener)
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    tab_to(page, dialog.get_by_label("Titre"))
    page.keyboard.type(title)
    tab_to(page, dialog.get_by_label("Dates (une par ligne, heure de Paris)"))
    page.keyboard.type(f"{day:%d/%m/%Y} 14:00-16:00")
    tab_to(page, dialog.get_by_label("Nom du lieu libre"))
    page.keyboard.type("Salle du clavier")
    submit = dialog.get_by_role("button", name="Enregistrer l'événement")
    submit_with_the_keyboard(page, submit, f"Événement « {title} » ajouté (1 date).")
    close_entry_with_the_keyboard(page, dialog, opener)
    expect(page.locator("#agenda-upcoming")).to_contain_text(title, timeout=WAIT)


def test_agenda006_a_date_of_the_list_opens_its_event_in_the_panel(page, live_server):
    """« Modifier » on a row of « Toutes les dates de la période » (keyboard: Tab, Enter) opens the entry panel on
    its event; closing the panel gives focus back to that row's button."""
    open_agenda(page, live_server, "coordinator", "?period=year")
    dates = page.get_by_role("region", name=re.compile("^Dates de la période"))
    edit = dates.get_by_role("button", name=re.compile("^Modifier « ")).first
    expect(edit).to_be_visible(timeout=WAIT)
    title = re.match(r"^Modifier « (.*) »$", edit.get_attribute("aria-label")).group(1)
    edit.focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("Titre")).to_have_value(title, timeout=WAIT)
    expect(dialog.get_by_label("Modifier un événement existant")).not_to_have_value("")
    expect(dialog.get_by_label("Dates (une par ligne, heure de Paris)")).not_to_have_value("")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(edit).to_be_focused()
