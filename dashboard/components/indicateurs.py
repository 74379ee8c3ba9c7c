"""Widgets of the Indicateurs and the projection: a key figure compared with a year earlier, a figure's chart."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

from dashboard.components import charts
from dashboard.components import format as fmt
from dashboard.components.cards import ICONS, empty_state, figure_notes
from db.catalogue import Change, Measure
from db.indicateurs import Series

BRAND = charts.BRAND
EARLIER = "#98a2b3"
SHORT_MONTHS = fmt.SHORT_MONTHS


def change_text(value: Change) -> str:
    return value.text(fmt.number) or "non comparable"


def change_badge(value: Change) -> dbc.Badge:
    """The change as a badge whose colour and arrow say its direction (the text says it too, for screen readers)."""
    if value.absolute is None:
        return dbc.Badge("non comparable", color="light", text_color="dark", className="change-badge")
    icon, color = ("arrow-up-right", "success") if value.absolute > 0 else ("arrow-down-right", "danger")
    if value.absolute == 0:
        icon, color = "arrow-right", "secondary"
    return dbc.Badge(
        [html.I(className=f"bi bi-{icon} me-1", **{"aria-hidden": "true"}), change_text(value)],
        color=color,
        className="change-badge",
    )


def comparison_tile(item: Measure) -> html.Div:
    """A key figure for the period, its value a year earlier (like for like), the change, its source, its latest
    record, and what is unknown or estimated."""
    figure = item.current
    earlier = html.Div(
        [
            html.Span(f"Un an plus tôt ({item.compared_to.label}) : "),
            html.Strong(fmt.figure_value(item.previous.value, item.previous.unit)),
            " ",
            change_badge(item.change),
            # Why the earlier value is unknown; an estimate there follows the rule given above.
            html.Div(item.previous.note, className="kpi-note") if item.previous.value is None else None,
        ],
        className="ind-earlier",
    )
    return html.Div(
        [
            html.Div(
                [
                    html.I(className=f"bi bi-{ICONS.get(figure.key, 'bar-chart')} me-2", **{"aria-hidden": "true"}),
                    figure.label,
                ],
                className="kpi-label",
            ),
            html.Div(
                [
                    fmt.figure_value(figure.value, figure.unit),
                    html.Span(f" {figure.unit}", className="kpi-unit") if figure.unit else None,
                ],
                className="kpi-value",
                **{"data-figure": figure.key},
            ),
            html.Div(figure.detail, className="kpi-detail") if figure.detail else None,
            figure_notes(figure),
            earlier,
            html.Div(
                [
                    html.Span("Source : "),
                    figure.source,
                    html.Br(),
                    f"Dernier enregistrement : {fmt.date(figure.as_of)}",
                ],
                className="kpi-source",
            ),
        ],
        className="ind-tile h-100",
    )


def point_labels(starts: list, by_year: bool) -> list[str]:
    """Axis labels: years, or short month names with the year on the first month and on each January."""
    if by_year:
        return [str(start.year) for start in starts]
    return [
        f"{SHORT_MONTHS[start.month - 1]} {start.year}" if i == 0 or start.month == 1 else SHORT_MONTHS[start.month - 1]
        for i, start in enumerate(starts)
    ]


def series_chart(
    current: Series,
    earlier: Series | None,
    by_year: bool,
    names: tuple[str, str] = ("Période", "Un an plus tôt"),
    height: int = 260,
) -> html.Figure:
    """A bar chart of a figure over months or years (with the same months a year earlier as a line), inside a
    <figure> whose caption names the chart and lists its values for screen readers."""
    x = point_labels(list(current.points["start"]), by_year)
    values = list(current.points["value"]) + (list(earlier.points["value"]) if earlier is not None else [])
    if not any(values):  # nothing recorded: an empty-state box, not bars of zero on a 0–1 axis
        return html.Figure(
            [
                html.Figcaption(current.title),
                empty_state(
                    "Rien d'enregistré sur cette période : toutes les valeurs sont nulles ou inconnues.", "bar-chart"
                ),
            ],
            className="ind-figure mb-0",
        )
    # A plain figure dict: plotly's graph objects validate every property, several times slower for no gain here.
    traces = [
        {"type": "bar", "x": x, "y": list(current.points["value"]), "name": names[0], "marker": {"color": BRAND},
         "hovertemplate": "%{x} : %{y}<extra></extra>"}
    ]  # fmt: skip
    if earlier is not None:
        traces.append(
            {"type": "scatter", "x": x, "y": list(earlier.points["value"]), "name": names[1], "mode": "lines+markers",
             "line": {"color": EARLIER, "width": 2, "dash": "dot"}, "hovertemplate": f"{names[1]} : %{{y}}<extra></extra>"}
        )  # fmt: skip
    chart = charts.figure(
        traces,
        height=height,
        margin={"l": 40, "b": 40},
        showlegend=earlier is not None,
        legend={"y": -0.25, "x": 0},
        font={"size": 12},
        yaxis={"rangemode": "tozero"},
    )
    title = current.title
    summary = ", ".join(
        f"{label} : {'inconnu' if v is None else fmt.number(v)}"
        for label, v in zip(x, current.points["value"], strict=True)
    )
    return html.Figure(
        [
            html.Figcaption([html.Span(title), html.Span(f" — {summary}.", className="visually-hidden")]),
            dcc.Graph(figure=chart, config=charts.CONFIG, className="ind-chart"),
        ],
        className="ind-figure mb-0",
    )
