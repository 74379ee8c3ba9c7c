"""Admin in a real browser: the journal of writes, in French, read a page at a time."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import check_accessibility, log_in, wait_for_dash

pytestmark = pytest.mark.browser


def test_admin001_the_journal_reads_in_french_a_page_at_a_time(page, live_server, live_database):
    from sqlalchemy import insert

    from db import clock
    from db.models import AuditLog

    with live_database.transaction() as session:  # more history than the demo writes
        rows = [
            {"at": clock.utcnow(), "user_email": "cli", "table_name": "loans", "row_id": str(n), "action": "update"}
            for n in range(60)
        ]
        session.execute(insert(AuditLog), rows)
    log_in(page, live_server, "admin")
    page.goto(f"{live_server}/admin")
    wait_for_dash(page)
    journal = page.get_by_role("region", name="Journal des modifications")
    expect(journal).to_contain_text("Ligne de commande")
    expect(journal).to_contain_text("Prêts")
    expect(journal).to_contain_text("Modification")
    expect(journal).not_to_contain_text("loans")
    pager = page.get_by_role("navigation", name="Pages : journal")
    expect(pager.get_by_role("status")).to_have_text(re.compile(r"^1–50 sur \d+$"))
    check_accessibility(page)

    pager.get_by_role("button", name="Suivant").click()
    expect(pager.get_by_role("status")).to_have_text(re.compile(r"^51–\d+ sur \d+$"))
    page.get_by_label("Table").select_option(label="Comptes")
    expect(pager.get_by_role("status")).to_have_text(re.compile(r"^1–\d sur \d$"))
    expect(journal.locator("tbody tr").first).to_contain_text("Création")
    expect(journal).not_to_contain_text("Prêts")
