"""Utilisation gauges: one light list of bars for the whole catalogue, each item's figures written out in text
(a plotly figure per item weighed 10 KB and a component tree each)."""

from __future__ import annotations

import pandas as pd
from dash import html

from dashboard.components import format as fmt

BRAND = "#1f4e79"
BUSY = 0.8  # nearly always out: worth a second unit


def _gauge(row) -> html.Li:
    rate = float(row.rate)
    loans = int(row.loans)
    return html.Li(
        [
            html.Div([html.H3(row.name, className="gauge-title h6"), html.Span(row.category, className="gauge-category")],
                     className="gauge-head"),
            html.Div(html.Div(className="gauge-fill", style={"width": f"{min(rate, 1) * 100:.1f}%"}),
                     className="gauge-track", **{"aria-hidden": "true"}),
            html.Div(
                [
                    html.Span(f"{fmt.number(rate * 100, 1)} %", className="gauge-rate"),
                    " · ",
                    html.Span(fmt.number(row.loan_days), className="gauge-days", **{"data-loan-days": str(row.loan_days)}),
                    f" jours de prêt sur {fmt.number(row.available_days)} disponibles · "
                    f"{fmt.number(loans)} prêt{'s' if loans > 1 else ''}"
                    + (" · très demandé" if rate >= BUSY else ""),
                ],
                className="gauge-detail",
            ),
        ],
        className="gauge-row" + (" gauge-busy" if rate >= BUSY else ""),
        **{"data-item": row.name},
    )  # fmt: skip


def gauge_list(items: pd.DataFrame) -> html.Ul:
    """Every item's utilisation rate as a bar, with its loan-days (what the annual report quotes) and loans."""
    return html.Ul([_gauge(row) for row in items.itertuples()], className="gauge-list list-unstyled mb-0")
