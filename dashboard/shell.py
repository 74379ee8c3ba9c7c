"""The shell around every page: navigation bar with the user's name, role and logout, then the page."""

from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from dashboard import ids
from dashboard.auth import role_label

# (path, label, icon, roles allowed to see the link; None = everyone)
NAV_ITEMS = [
    ("/", "Accueil", "house", None),
    ("/carte", "Carte", "geo-alt", None),
    ("/agenda", "Agenda", "calendar-event", None),
    ("/materiel", "Matériel", "box-seam", None),
    ("/formations", "Formations", "mortarboard", None),
    ("/lettres", "Lettres", "envelope-paper", None),
    ("/indicateurs", "Indicateurs", "graph-up", None),
    ("/rapport", "Rapport", "file-earmark-richtext", None),
    ("/projection", "Projection", "display", None),
    ("/admin", "Admin", "gear", {"admin"}),
]


def map_pages() -> list[str]:
    """The paths of the pages that draw a map (`dash.register_page(..., map=True)`): only they load dash-leaflet's
    script (see `dashboard.App`), so links to them load the page in full."""
    return [page["path"] for page in dash.page_registry.values() if page.get("map")]


def _user_menu():
    """The user's name and role, with logout (a POST form carrying the CSRF token) in a dropdown."""
    if not current_user.is_authenticated:
        return None
    logout = html.Form(
        [
            dcc.Input(type="hidden", name="csrf_token", value=generate_csrf()),
            html.Button(
                [html.I(className="bi bi-box-arrow-right me-2", **{"aria-hidden": "true"}), "Déconnexion"],
                type="submit",
                className="dropdown-item",
            ),
        ],
        method="POST",
        action="/logout",
    )
    return dbc.Nav(
        dbc.DropdownMenu(
            [
                dbc.DropdownMenuItem(
                    [html.Span(current_user.name, className="d-block fw-semibold"), current_user.email], header=True
                ),
                dbc.DropdownMenuItem(
                    [html.I(className="bi bi-key me-2", **{"aria-hidden": "true"}), "Mon compte"], href="/compte"
                ),
                dbc.DropdownMenuItem(divider=True),
                logout,
            ],
            label=[
                html.I(className="bi bi-person-circle me-1", **{"aria-hidden": "true"}),
                html.Span(current_user.name, className="user-name", title=current_user.name),
                dbc.Badge(
                    role_label(current_user.role), color="light", text_color="dark", class_name="ms-1 role-badge"
                ),
            ],
            nav=True,
            align_end=True,
            class_name="user-menu",
        ),
        navbar=True,
        class_name="user-nav",
    )


def navbar():
    role = current_user.role if current_user.is_authenticated else None
    links = [
        dbc.NavItem(
            dbc.NavLink(
                [html.I(className=f"bi bi-{icon} nav-icon", **{"aria-hidden": "true"}), html.Span(label)],
                href=path,
                active="exact" if path == "/" else "partial",
                external_link=path in map_pages(),
            )
        )
        for path, label, icon, roles in NAV_ITEMS
        if roles is None or role in roles
    ]
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand(
                    [
                        html.I(className="bi bi-diagram-3 me-2", **{"aria-hidden": "true"}),
                        html.Span("Médiation numérique", className="brand-long"),
                        html.Span("Médiation", className="brand-short"),
                    ],
                    href="/",
                ),
                # The user's menu stays outside the collapse: the name and role are in view at every width.
                _user_menu(),
                # A button of our own: react-bootstrap's toggler says "Toggle navigation" to screen readers.
                html.Button(
                    html.Span(className="navbar-toggler-icon"),
                    id=ids.NAVBAR_TOGGLER,
                    className="navbar-toggler",
                    type="button",
                    n_clicks=0,
                    **{"aria-label": "Menu des pages", "aria-controls": ids.NAVBAR_COLLAPSE, "aria-expanded": "false"},
                ),
                dbc.Collapse(
                    dbc.Nav(links, navbar=True, class_name="main-nav"),
                    id=ids.NAVBAR_COLLAPSE,
                    navbar=True,
                    is_open=False,
                ),
            ],
            fluid=True,
            class_name="app-navbar-inner",
        ),
        color="primary",
        dark=True,
        expand="xl",
        className="app-navbar",
    )


def layout():
    return html.Div(
        [
            html.A("Aller au contenu", href="#main", className="visually-hidden-focusable skip-link"),
            html.Header(navbar()),
            html.Main(dbc.Container(dash.page_container, fluid="xxl", className="py-4"), id="main"),
            # Where a callback that failed says so (dashboard.errors.callback_error), in view wherever one scrolled.
            dbc.Alert(id=ids.APP_ALERT, is_open=False, color="danger", dismissable=True, className="app-alert"),
            dcc.Store(id=ids.FEEDBACK_SHOWN),
        ]
    )
