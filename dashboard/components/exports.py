"""The CSV and Excel buttons in a panel's header."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from dashboard import ids


def export_buttons(area: str, panel: str, title: str) -> html.Div:
    """Buttons whose accessible names say which panel they export (several panels share a page)."""
    return html.Div(
        [
            dbc.Button(
                [
                    html.I(className="bi bi-download me-1", **{"aria-hidden": "true"}),
                    label,
                    html.Span(f" : exporter « {title} »", className="visually-hidden"),
                ],
                id=ids.panel_export(area, panel, file_format),
                color="primary",
                outline=True,
                size="sm",
                n_clicks=0,
                title=f"Exporter « {title} » en {label}",
            )
            for file_format, label in (("csv", "CSV"), ("xlsx", "XLSX"))
        ],
        className="d-flex gap-1 flex-shrink-0",
    )
