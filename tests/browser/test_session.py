"""A session that ends while a form is filled: the page says so in French, in view, and what was typed is still there
once the person has logged in again."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from dashboard import ids
from db import users as user_db
from db.demo import DEMO_ACCOUNTS
from db.models import User
from tests.browser.conftest import log_in, open_entry, wait_for_dash

pytestmark = pytest.mark.browser
NEWSLETTER_FORM = ids.LETTRES_NEWSLETTER_FORM


def test_session001_an_expired_session_says_so_and_keeps_what_was_typed(page, live_server, live_database):
    log_in(page, live_server, "coordinator")
    page.goto(f"{live_server}/lettres")
    wait_for_dash(page)
    open_entry(page, "Saisir un envoi ou un chiffre")
    page.get_by_role("button", name="Créer ou modifier une lettre").click()
    name = page.locator(f"[id='{ids.dom_id(ids.field(NEWSLETTER_FORM, 'name'))}']")
    name.fill("Lettre des tiers-lieux")

    email = next(account[0] for account in DEMO_ACCOUNTS if account[2] == "coordinator")
    with live_database.transaction() as session:  # logged out elsewhere: every session of the account ends
        user_db.end_sessions(session.scalar(select(User).where(User.email == email)))

    page.get_by_role("button", name="Enregistrer la lettre").click()
    banner = page.get_by_role("alert").filter(has_text="Votre session a expiré")
    expect(banner).to_be_visible()
    expect(banner).to_be_in_viewport()
    expect(banner.get_by_role("link", name="reconnectez-vous")).to_be_visible()
    expect(name).to_have_value("Lettre des tiers-lieux")

    log_in(page, live_server, "coordinator")  # as in the new tab the banner opens
    page.goto(f"{live_server}/lettres")
    wait_for_dash(page)
    open_entry(page, "Saisir un envoi ou un chiffre")
    page.get_by_role("button", name="Créer ou modifier une lettre").click()
    expect(name).to_have_value("Lettre des tiers-lieux")
