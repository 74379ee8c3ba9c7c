"""Indicateurs: key figures by mission for the chosen period, their charts and exports."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html

from dashboard import ids
from dashboard.callbacks.forms import database
from dashboard.components.cards import empty_state
from dashboard.components.indicateurs import comparison_tile, series_chart
from db import catalogue, clock
from db import indicateurs as ind
from db.catalogue import Measure
from db.periods import Period
from db.spreadsheets import csv_text, xlsx_bytes


def chart(session, period: Period, key: str, by_year: bool):
    """A figure's chart: the last years, or the period's months beside the same months a year earlier."""
    if by_year or not catalogue.BY_KEY[key].by_month:
        return series_chart(ind.series(session, key, ind.year_periods(period), by_year=True), None, True)
    months, earlier = ind.month_periods(period), ind.month_periods(period.previous_year())
    names = (period.label, period.previous_year().label)
    return series_chart(ind.series(session, key, months), ind.series(session, key, earlier), False, names)


def mission_section(session, mission: ind.Mission, items: list[Measure], period: Period, by_year: bool):
    """A mission's card: each key figure beside its chart."""
    if not items:
        body = empty_state(
            "Aucun indicateur n'est encore calculé à partir des enregistrements pour cette mission.", "hourglass"
        )
    else:
        body = [
            dbc.Row(
                [
                    dbc.Col(comparison_tile(item), lg=4, className="mb-3"),
                    dbc.Col(chart(session, period, item.figure.key, by_year), lg=8, className="mb-3"),
                ],
                className="ind-figure-row",
            )
            for item in items
        ]
    return html.Section(
        dbc.Card(
            [
                dbc.CardHeader(
                    [html.H2(mission.title, className="h5 mb-1"), html.P(mission.summary, className="mb-0 small")]
                ),
                dbc.CardBody(body),
            ],
            className="ind-mission",
        ),
        className="mb-4",
        **{"aria-label": mission.title},
    )


def indicateurs_body(choice, granularity):
    period = ind.period_from_choice(choice, clock.today())
    with database().session() as session:
        measures = ind.compare_figures(session, period, granularity == "annee")
        sections = [
            mission_section(
                session,
                mission,
                [item for item in measures if item.figure.mission == mission.key],
                period,
                granularity == "annee",
            )
            for mission in ind.MISSIONS
        ]
    return [
        html.P(
            f"Période : {period.label}, comparée à {period.previous_year().label} : les flux sur la même durée, les "
            "états à la même date, les statistiques mensuelles sur les mêmes mois. « — » : inconnu ou sans relevé "
            "(la note dit pourquoi).",
            className="ind-period",
        ),
        *sections,
    ]


def export_csv(_clicks, choice):
    period = ind.period_from_choice(choice, clock.today())
    with database().session() as session:
        frame = ind.figures_frame(ind.compare_figures(session, period), period)
    return dcc.send_bytes(csv_text(frame).encode("utf-8"), f"indicateurs-{ind.file_stem(period)}.csv")


def export_xlsx(_clicks, choice):
    period = ind.period_from_choice(choice, clock.today())
    with database().session() as session:
        content = xlsx_bytes(ind.export_sheets(session, period))
    return dcc.send_bytes(content, f"indicateurs-{ind.file_stem(period)}.xlsx")


def register(app) -> None:
    app.callback(Output(ids.IND_BODY, "children"), Input(ids.IND_PERIOD, "value"), Input(ids.IND_GRANULARITY, "value"))(
        indicateurs_body
    )
    app.callback(
        Output(ids.IND_DOWNLOAD, "data", allow_duplicate=True),
        Input(ids.IND_EXPORT_CSV, "n_clicks"),
        State(ids.IND_PERIOD, "value"),
        prevent_initial_call=True,
    )(export_csv)
    app.callback(
        Output(ids.IND_DOWNLOAD, "data", allow_duplicate=True),
        Input(ids.IND_EXPORT_XLSX, "n_clicks"),
        State(ids.IND_PERIOD, "value"),
        prevent_initial_call=True,
    )(export_xlsx)
