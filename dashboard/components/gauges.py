"""Utilisation gauges: a plotly `go.Indicator` per equipment item, with its loan-days figure written out in text."""

from __future__ import annotations

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dcc, html

from dashboard.components import format as fmt

BRAND = "#1f4e79"


def gauge_figure(rate: float) -> go.Figure:
    figure = go.Figure(
        go.Indicator(
            mode="gauge+number",
            value=round(rate * 100, 1),
            number={"suffix": " %", "valueformat": ".1f", "font": {"size": 26, "color": "#17324d"}},
            gauge={
                "axis": {
                    "range": [0, 100],
                    "tickvals": [0, 50, 100],
                    "ticksuffix": " %",
                    "tickfont": {"size": 10, "color": "#475467"},
                },
                "bar": {"color": BRAND, "thickness": 0.75},
                "bgcolor": "#eef2f6",
                "borderwidth": 0,
                "steps": [{"range": [80, 100], "color": "#fde9d9"}],  # nearly always out: worth a second unit
            },
        )
    )
    figure.update_layout(height=150, margin={"l": 24, "r": 24, "t": 16, "b": 4}, paper_bgcolor="white", separators=", ")
    return figure


def gauge_card(name: str, category: str, loan_days: int, available_days: int, rate: float, loans: int) -> html.Div:
    """One item: the rate as a gauge, the loan-days as the headline figure (what the annual report quotes)."""
    description = (
        f"{name} : taux d'utilisation {fmt.number(rate * 100, 1)} %, "
        f"{fmt.number(loan_days)} jours de prêt sur {fmt.number(available_days)} jours disponibles"
    )
    return html.Div(
        dbc.Card(
            dbc.CardBody(
                [
                    html.H3(name, className="gauge-title h6 mb-0"),
                    html.Div(category, className="gauge-category"),
                    html.Div(
                        dcc.Graph(figure=gauge_figure(rate), config={"displayModeBar": False, "staticPlot": True}),
                        role="img",
                        **{"aria-label": description},
                    ),
                    html.Div(
                        [
                            html.Span(
                                fmt.number(loan_days), className="gauge-days", **{"data-loan-days": str(loan_days)}
                            ),
                            html.Span(" jours de prêt", className="gauge-days-label"),
                        ],
                        className="text-center",
                    ),
                    html.Div(
                        f"sur {fmt.number(available_days)} disponibles · {fmt.number(loans)} prêt{'s' if loans > 1 else ''}",
                        className="gauge-detail text-center",
                    ),
                ]
            ),
            className="gauge-card h-100",
        ),
        className="h-100",
        **{"data-item": name},
    )
