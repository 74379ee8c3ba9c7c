"""The chart panel kit: one plotly theme for every area (French separators, fonts, margins, no English mode bar) and
the accessible chart wrapper.

Figures are plain dicts ({"data": [...], "layout": {...}}): plotly express and the graph objects validate every
property, which cost more than the queries behind a panel (about 100 ms a figure).
"""

from __future__ import annotations

from dash import dcc, html

from dashboard.components import format as fmt

BRAND, ACCENT = "#1f4e79", "#c2410c"
COLOURS = [BRAND, ACCENT, "#2e7d32", "#7c3aed", "#0e7490", "#a16207", "#be185d"]
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif", "color": "#344054"}
GRID = "#eaecf0"
# No mode bar: its buttons speak English, and each panel has its own French exports.
CONFIG = {"displaylogo": False, "displayModeBar": False, "responsive": True}
THEME = {
    "colorway": COLOURS,
    "separators": fmt.PLOTLY_SEPARATORS,
    "paper_bgcolor": "#ffffff",
    "plot_bgcolor": "#ffffff",
    "font": FONT,
    "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
    "legend": {"orientation": "h", "y": -0.18},
    "hoverlabel": {"bgcolor": "#ffffff", "namelength": -1},
    "xaxis": {"automargin": True, "gridcolor": GRID, "linecolor": "#d0d5dd"},
    "yaxis": {"automargin": True, "gridcolor": GRID, "zerolinecolor": "#d0d5dd"},
}


def merged(base: dict, changes: dict) -> dict:
    """`base` with `changes` applied, nested dicts merged key by key (an axis keeps the theme's grid)."""
    out = dict(base)
    for key, value in changes.items():
        out[key] = merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def layout(**changes) -> dict:
    """The theme's layout with a chart's own settings."""
    return merged(THEME, changes)


# The traces of plotly.js's cartesian bundle, the one the browser loads (dashboard.PLOTLY_BUNDLE): another type would
# draw nothing.
TRACE_TYPES = frozenset(
    {"bar", "box", "contour", "heatmap", "histogram", "histogram2d", "histogram2dcontour", "image", "pie", "scatter",
     "scatterternary", "violin"}
)  # fmt: skip


def figure(traces: list[dict], **changes) -> dict:
    """A figure dict drawn with the theme."""
    unknown = {trace.get("type", "scatter") for trace in traces} - TRACE_TYPES
    if unknown:
        raise ValueError(f"plotly.js's cartesian bundle does not draw {sorted(unknown)}: see dashboard.PLOTLY_BUNDLE")
    return {"data": traces, "layout": layout(**changes)}


def chart(figure, description: str, **graph) -> html.Div:
    """A chart with its text alternative: screen readers read `description` (the graph itself is a drawing they
    cannot read); the panel's export gives every figure. A chart of known height takes its room at once: the page
    does not shift under the reader (or a click) when plotly has drawn it."""
    height = figure.get("layout", {}).get("height") if isinstance(figure, dict) else None
    if height and "style" not in graph:
        graph["style"] = {"height": f"{height}px"}
    return html.Div(dcc.Graph(figure=figure, config=CONFIG, **graph), role="img", **{"aria-label": description})
