"""Utilisation gauges: the busiest items' rates as the bars of one figure, each bar written out (rate and loan-days)
and its hover giving the loan-days, days available and loans. One component for the whole set: a component tree
per gauge (nine components an item) cost the browser seconds to lay out at a regional catalogue's size."""

from __future__ import annotations

import pandas as pd

from dashboard.components import charts
from dashboard.components import format as fmt

BRAND = charts.BRAND
BUSY = 0.8  # nearly always out: worth a second unit
TRACK = "#eef2f6"
ROW_PX = 30


def gauge_chart(items: pd.DataFrame):
    """Every item of `items` (in that order, busiest first) as a gauge from 0 to 100 %."""
    names = [f"{row.name} · {row.category}" for row in items.itertuples()]
    rates = [min(float(rate), 1.0) * 100 for rate in items["rate"]]
    busy = [float(rate) >= BUSY for rate in items["rate"]]
    track = {
        "type": "bar", "orientation": "h", "y": names, "x": [100] * len(names), "width": 0.6,
        "marker": {"color": TRACK}, "hoverinfo": "skip",
    }  # fmt: skip
    fill = {
        "type": "bar", "orientation": "h", "y": names, "x": rates, "width": 0.6,
        "marker": {"color": [charts.ACCENT if b else BRAND for b in busy]},
        "text": [f"{fmt.number(r, 1)} % · {fmt.number(d)} j" + (" · très demandé" if b else "")
                 for r, d, b in zip(rates, items["loan_days"], busy, strict=True)],
        "textposition": "outside", "cliponaxis": False, "textfont": {"color": "#17324d"},
        # loan-days, days available, loans: what the annual report quotes
        "customdata": [[int(d), int(a), int(n)] for d, a, n in zip(items["loan_days"], items["available_days"],
                                                                 items["loans"], strict=True)],
        "hovertemplate": "<b>%{y}</b><br>%{customdata[0]} jours de prêt sur %{customdata[1]} disponibles · "
                         "%{customdata[2]} prêt(s)<extra></extra>",
    }  # fmt: skip
    figure = charts.figure(
        [track, fill],
        height=40 + ROW_PX * len(names),
        barmode="overlay",
        showlegend=False,
        margin={"l": 8, "r": 8, "t": 8, "b": 24},
        bargap=0.3,
        xaxis={"range": [0, 135], "tickvals": [0, 25, 50, 75, 100], "ticksuffix": " %", "fixedrange": True},
        yaxis={"autorange": "reversed", "fixedrange": True, "gridcolor": "rgba(0,0,0,0)"},
    )
    description = "Taux d'utilisation par article : " + ", ".join(
        f"{row.name} {fmt.number(min(float(row.rate), 1) * 100, 1)} % ({fmt.number(row.loan_days)} jours de prêt)"
        for row in items.itertuples()
    )
    return charts.chart(figure, description, className="gauge-chart")
