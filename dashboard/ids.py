"""Component ids: constants for single components, dict factories for pattern-matching families. One place."""

from __future__ import annotations

import json

# Shell
NAVBAR_TOGGLER = "navbar-toggler"
NAVBAR_COLLAPSE = "navbar-collapse"

# Accueil
HOME_YEAR = "home-year"
HOME_FIGURES = "home-figures"

# Admin
ADMIN_USERS = "admin-users"
ADMIN_AUDIT = "admin-audit"
ADMIN_REFRESH = "admin-refresh"
ADMIN_ROLE_USER = "admin-role-user"


def field(form: str, name) -> dict:
    """An input of a form; `name` is the argument name of the `db/` write function it feeds."""
    return {"type": "field", "form": form, "name": name}


def field_error(form: str, name) -> dict:
    """The message shown under a field when the server refuses its value."""
    return {"type": "field-error", "form": form, "name": name}


def form_submit(form: str) -> dict:
    return {"type": "form-submit", "form": form}


def form_alert(form: str) -> dict:
    """The form-wide outcome: saved, refused, or not allowed."""
    return {"type": "form-alert", "form": form}


def form_saved(form: str) -> dict:
    """A store bumped after each successful save, for panels that must refresh."""
    return {"type": "form-saved", "form": form}


def dom_id(component_id: dict | str) -> str:
    """The DOM id Dash renders for a component id, e.g. for a <label for=…> on a dict id."""
    if isinstance(component_id, str):
        return component_id
    return json.dumps(component_id, sort_keys=True, separators=(",", ":"))
