"""Indicateurs: key figures by mission for the chosen period, their charts and exports; the annual report page."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, dcc, html

from dashboard import ids
from dashboard.callbacks.forms import database
from dashboard.components.cards import empty_state
from dashboard.components.indicateurs import comparison_tile, series_chart
from dashboard.pages.rapport import REPORT_COMMENT
from db import catalogue, clock, rapport
from db import indicateurs as ind
from db.catalogue import Measure
from db.periods import Period, chosen_year
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


# --- annual report ------------------------------------------------------------------------------------------------


def report_links(year):
    """The report's files for the chosen year."""
    year = chosen_year(year, clock.today())
    return [
        dbc.Button(
            [html.I(className=f"bi bi-{icon} me-1", **{"aria-hidden": "true"}), label],
            href=f"/api/rapport/{year}.{extension}",
            external_link=True,
            color="primary",
            outline=extension == "html",
        )
        for extension, label, icon in (("pdf", f"PDF {year}", "file-earmark-pdf"), ("html", "HTML", "filetype-html"))
    ]


def report_preview(year, _saved):
    """The chosen year's report as it will print, rebuilt after each saved commentary."""
    year = chosen_year(year, clock.today())
    with database().session() as session:
        document = rapport.rendered(session, year, "html")
    return html.Iframe(srcDoc=document, title=f"Aperçu du rapport d'activité {year}", className="report-preview")


def comment_text(year, mission):
    """The stored commentary of the chosen year and mission, into the form (and the year the form writes to)."""
    year = chosen_year(year, clock.today())
    with database().session() as session:
        return rapport.comments(session, year).get(mission, ""), year


FORMS = {REPORT_COMMENT: rapport.save_comment}


def register(app) -> None:
    app.callback(Output(ids.RAPPORT_DOWNLOADS, "children"), Input(ids.RAPPORT_YEAR, "value"))(report_links)
    app.callback(
        Output(ids.RAPPORT_PREVIEW, "children"),
        Input(ids.RAPPORT_YEAR, "value"),
        Input(ids.form_saved(REPORT_COMMENT), "data"),
    )(report_preview)
    app.callback(
        Output(ids.field(REPORT_COMMENT, "text"), "value"),
        Output(ids.field(REPORT_COMMENT, "year"), "value"),
        Input(ids.RAPPORT_YEAR, "value"),
        Input(ids.field(REPORT_COMMENT, "mission"), "value"),
    )(comment_text)
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
