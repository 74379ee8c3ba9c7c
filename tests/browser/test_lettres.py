"""Lettres in a real browser: a coordinator records a subscriber count and sees the reach change; errors; viewers; an
issue entered with the keyboard alone, and one corrected from its row."""

import re

import pytest
from playwright.sync_api import expect

from dashboard.components.format import number
from db import clock
from tests.browser.conftest import (
    check_accessibility,
    close_entry_with_the_keyboard,
    log_in,
    open_entry,
    submit_with_the_keyboard,
    tab_to,
    wait_for_dash,
)

pytestmark = pytest.mark.browser
SLOW = 60_000  # ms: the panels wait for plotly.js and the server's callbacks, slow on a busy machine
SAISIR = "Saisir un envoi ou un chiffre"


def as_int(text: str) -> int:
    return int(re.sub(r"\D", "", text))


@pytest.fixture(autouse=True)
def patient(page):
    page.set_default_timeout(SLOW)
    expect.set_options(timeout=SLOW)
    yield
    expect.set_options(timeout=5_000)  # Playwright's default, for the other areas' tests


def open_lettres(page, live_server, role: str, query: str = ""):
    log_in(page, live_server, role)
    page.goto(f"{live_server}/lettres{query}")
    wait_for_dash(page)
    page.locator("[data-figure='subscribers']").wait_for()


def snapshot_form(page):
    panel = open_entry(page, SAISIR)
    return panel.locator(".accordion-item").filter(has=page.get_by_role("button", name="Relevé d'abonnés"))


def reach(page) -> int:
    return as_int(page.locator("[data-figure='subscribers']").inner_text())


def test_lettres001_coordinator_adds_snapshot_and_reach_changes(page, live_server):
    open_lettres(page, live_server, "coordinator")
    fablab = page.locator(".lettres-table tr", has_text="Lettre FabLab").locator("td").nth(3)
    before, fablab_before = reach(page), as_int(fablab.inner_text())
    chart = page.get_by_role("img", name=re.compile("abonnés par lettre en fin de mois"))
    expect(chart).to_have_attribute("aria-label", re.compile(f"portée finale {number(before)} abonnés"))

    form = snapshot_form(page)
    form.get_by_label("Lettre").select_option(label="Lettre FabLab")
    form.get_by_label("Nombre d'abonnés").fill(str(fablab_before + 7))
    form.get_by_role("button", name="Enregistrer le relevé").click()
    # Created, or updated when an earlier test run already recorded today's count on this shared server.
    expect(form.get_by_role("alert").filter(has_text="Relevé")).to_contain_text(
        f"{number(fablab_before + 7)} abonnés à « Lettre FabLab »"
    )
    expect(page.locator("[data-figure='subscribers']")).to_have_text(number(before + 7))
    expect(fablab).to_have_text(number(fablab_before + 7))
    expect(chart).to_have_attribute("aria-label", re.compile(f"portée finale {number(before + 7)} abonnés"))
    check_accessibility(page)


def test_lettres002_bad_snapshot_shows_messages_and_saves_nothing(page, live_server):
    open_lettres(page, live_server, "coordinator")
    before = reach(page)
    form = snapshot_form(page)
    form.get_by_label("Nombre d'abonnés").fill("-5")
    form.get_by_role("button", name="Enregistrer le relevé").click()
    form.get_by_text("Le formulaire contient des erreurs : rien n'a été enregistré.").wait_for()
    expect(form.get_by_text("Choisir une lettre d'information.")).to_be_visible()
    expect(form.get_by_text("Le nombre doit être positif ou nul.")).to_be_visible()
    expect(page.locator("[data-figure='subscribers']")).to_have_text(number(before))
    check_accessibility(page)


def test_lettres003_viewer_sees_panels_only_and_filters_go_to_the_url(page, live_server):
    open_lettres(page, live_server, "viewer", "?annee=2025")
    expect(page.get_by_role("button", name=SAISIR)).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("^Modifier l'envoi"))).to_have_count(0)
    expect(page.get_by_role("button", name="Enregistrer le relevé")).to_have_count(0)
    total = reach(page)
    page.get_by_label("Lettre", exact=True).select_option(label="Lettre FabLab")
    page.wait_for_function("() => window.location.search.includes('lettre=')")
    expect(page.locator("[data-figure='subscribers']")).not_to_have_text(number(total))
    assert 0 < reach(page) < total
    expect(page).to_have_url(re.compile("annee=2025"))
    expect(page.get_by_role("img", name=re.compile("Courbe « Visiteurs uniques du site »"))).to_be_visible()
    wait_for_dash(page)
    check_accessibility(page)


MAILCHIMP_HEADER = (
    "Title,Subject,List,Send Date,Send Weekday,Total Recipients,Successful Deliveries,Soft Bounces,Hard Bounces,"
    "Total Bounces,Times Forwarded,Forwarded Opens,Unique Opens,Open Rate,Total Opens,Unique Clicks,Click Rate,"
    "Total Clicks,Unsubscribes,Abuse Complaints,Times Liked on Facebook,Folder Id,Unique Id"
)


def import_section(page):
    open_entry(page, SAISIR).get_by_role("button", name="Import CSV").click()
    return page.locator(".accordion-item").filter(has=page.get_by_role("button", name="Import CSV"))


def test_lettres004_mailchimp_export_and_an_unknown_layout_through_the_mapping_step(page, live_server, tmp_path):
    import secrets

    open_lettres(page, live_server, "coordinator")
    section = import_section(page)
    token = secrets.token_hex(3)  # the live server is shared between runs: a subject of its own
    export = tmp_path / "campaigns.csv"
    export.write_text(
        f'{MAILCHIMP_HEADER}\nLettre {token},Essai {token},Lettre FabLab,"Nov 16, 2026 10:00 am",Monday,"1,234",'
        '"1,230",2,2,4,0,0,615,50.00%,"1,020",123,10.00%,200,3,0,0,,a1b2c3\n',
        encoding="cp1252",
    )
    section.locator("#lettres-upload input[type=file]").set_input_files(str(export))
    report = section.locator(".import-report")
    expect(report).to_contain_text("Import terminé")
    expect(report).to_contain_text("Mailchimp (rapport de campagnes)")
    expect(report).to_contain_text("1 créé(s)")

    unknown = tmp_path / "outil.csv"
    unknown.write_text(f"Liste;Envoyé le;Titre\nLettre FabLab;2026-11-02 08:00;Autre {token}\n", encoding="utf-8")
    section.get_by_label("Type de fichier").select_option(label="Statistiques d'envoi (outil d'e-mailing)")
    section.locator("#lettres-upload input[type=file]").set_input_files(str(unknown))
    mapping = section.locator(".lettres-import-mapping")
    expect(mapping).to_be_visible()
    expect(mapping).to_contain_text("Colonnes non reconnues")
    mapping.get_by_label("lettre (obligatoire)").select_option("Liste")
    mapping.get_by_label("date (obligatoire)").select_option("Envoyé le")
    mapping.get_by_label("objet (obligatoire)").select_option("Titre")
    mapping.get_by_role("button", name="Importer avec ces colonnes").click()
    expect(report).to_contain_text("1 créé(s)")
    expect(mapping).to_be_hidden()
    check_accessibility(page)


def test_lettres005_an_issue_entered_with_the_keyboard_alone(page, live_server):
    """From the « Saisir » button to the toast and back, without the mouse, at 1366×768: Enter opens the panel and
    the issue's accordion item, Tab, arrows and typing fill it, the toast is read in view, Escape closes the panel and
    focus goes back to the button."""
    import secrets

    page.set_viewport_size({"width": 1366, "height": 768})
    open_lettres(page, live_server, "coordinator")
    subject = f"Envoi au clavier {secrets.token_hex(3)}"
    opener = page.get_by_role("button", name=SAISIR)
    tab_to(page, opener)
    page.keyboard.press("Enter")
    panel = page.locator(".entry-panel")
    item = panel.get_by_role("button", name="Envoi d'une lettre")
    tab_to(page, item)
    page.keyboard.press("Enter")
    form = panel.locator(".accordion-item").filter(has=page.get_by_role("button", name="Envoi d'une lettre"))
    newsletter = form.get_by_label("Lettre")
    expect(newsletter.locator("option").nth(1)).to_be_attached()  # the newsletters arrived
    tab_to(page, newsletter)
    page.keyboard.press("ArrowDown")
    expect(newsletter).not_to_have_value("")
    tab_to(page, form.get_by_label("Date d'envoi"))
    page.keyboard.type(f"0303{clock.today().year - 1}")  # 3 March whatever the order of the fields: in the past
    tab_to(page, form.get_by_label("Objet"))
    page.keyboard.type(subject)
    tab_to(page, form.get_by_label("Destinataires"))
    page.keyboard.type("120")
    submit_with_the_keyboard(page, form.get_by_role("button", name="Enregistrer l'envoi"), f"Envoi « {subject} »")
    expect(form.get_by_label("Objet")).to_have_value("")  # ready for the next issue
    close_entry_with_the_keyboard(page, panel, opener)


def test_lettres006_an_issue_of_the_table_opens_in_its_form(page, live_server):
    """« Modifier » on a row of « Envois de l'année » (keyboard: Enter) opens the panel on the issue form with the
    issue's values; closing the panel gives focus back to that row's button."""
    open_lettres(page, live_server, "coordinator", f"?annee={clock.today().year - 1}")
    edit = page.get_by_role("button", name=re.compile("^Modifier l'envoi « ")).first
    expect(edit).to_be_visible()
    subject = re.match(r"^Modifier l'envoi « (.*) » du ", edit.get_attribute("aria-label")).group(1)
    edit.focus()
    page.keyboard.press("Enter")
    panel = page.locator(".entry-panel")
    form = panel.locator(".accordion-item").filter(has=page.get_by_role("button", name="Envoi d'une lettre"))
    expect(form.get_by_label("Objet")).to_be_visible()
    expect(form.get_by_label("Objet")).to_have_value(subject)
    expect(form.get_by_label("Date d'envoi")).not_to_have_value("")
    expect(form.get_by_label("Lettre")).not_to_have_value("")
    page.keyboard.press("Escape")
    expect(panel).to_be_hidden()
    expect(edit).to_be_focused()
