"""The admin page's panels, called as plain functions."""

import datetime as dt

from dashboard.callbacks.admin import users_panel
from dashboard.components import format as fmt


def test_users_panel_lists_accounts_never_logged_in(app, users):
    with app.server.test_request_context():
        table, audit, options = users_panel(0, 0)
    assert "aucune donnée" in str(table)  # last login of accounts that never logged in
    assert {option["label"] for option in options} >= {"Admin Test (admin@example.org)"}
    assert "users" in str(audit)


def test_french_formats():
    assert fmt.number(1234567.5) == "1\u202f234\u202f568"
    assert fmt.number(None) == "—"
    assert fmt.date(dt.date(2025, 3, 1)) == "1 mars 2025"
