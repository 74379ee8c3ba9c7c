"""Lettres: panels, exports, the entry forms and the CSV import. Rules and queries live in db.lettres."""

from __future__ import annotations

import base64
import datetime as dt
import html as html_text

import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, Input, Output, State, ctx, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import ids
from dashboard.callbacks.answers import per_revision
from dashboard.callbacks.exports import send_frame
from dashboard.callbacks.forms import acting_user, alert, database
from dashboard.callbacks.shell import edited_record
from dashboard.components import charts
from dashboard.components import format as fmt
from dashboard.components.cards import empty_state, kpi_card, more_in_export
from dashboard.components.entry import edit_button
from dashboard.components.imports import import_report, unusable_file
from dashboard.pages.lettres import (
    ALL_NEWSLETTERS,
    AREA,
    NEW_NEWSLETTER,
)
from db import catalogue, clock, lettres, revisions
from db.imports import UnusableFile
from db.interop import mailing
from db.models import Role
from db.periods import Period, reporting_period
from db.writes import PermissionDenied, has_role

HISTORY_YEARS = 3  # the subscribers chart shows the selected year and the three before it
REJECTED_SHOWN = 50
# The latest issues of the period; the export has them all. A table of components costs the browser about a
# component a cell: at five years, 50 rows (412 components) held /lettres' first click back to 2.5 s, 15 rows to 1.7 s.
ISSUES_SHOWN = 20
HEIGHT = 320

# --- forms --------------------------------------------------------------------------------------------------------


def save_newsletter(session, actor, *, newsletter_id, name, audience, platform):
    saved = lettres.save_newsletter(
        session,
        actor,
        newsletter_id=None if newsletter_id == NEW_NEWSLETTER else newsletter_id,
        name=name,
        audience=audience,
        platform=platform,
    )
    return f"Lettre « {saved.row.name} » {'créée' if saved.created else 'modifiée'}."


def record_snapshot(session, actor, *, newsletter_id, date, count):
    saved = lettres.record_snapshot(session, actor, newsletter_id=newsletter_id, date=date, count=count)
    row = saved.row
    what = f"{fmt.number(row.count)} abonnés à « {row.newsletter.name} »"
    if saved.created:
        return f"Relevé enregistré : {what} au {fmt.date(row.date)}."
    return f"Relevé du {fmt.date(row.date)} mis à jour : {what} (il remplace le relevé précédent de ce jour)."


def record_issue(session, actor, *, newsletter_id, sent_on, subject, link, recipients, opens, clicks):
    saved = lettres.record_issue(
        session,
        actor,
        newsletter_id=newsletter_id,
        sent_on=sent_on,
        subject=subject,
        link=link,
        recipients=recipients,
        opens=opens,
        clicks=clicks,
    )
    verb = "enregistré" if saved.created else "mis à jour"
    return f"Envoi « {saved.row.subject} » du {fmt.date(saved.row.sent_on)} {verb}."


def record_audience_figure(session, actor, *, indicator, period, value, source):
    saved = lettres.record_audience_figure(
        session, actor, indicator=indicator, period=period, value=value, source=source
    )
    row = saved.row
    when = lettres.period_label(row.period_kind, row.period_start)
    verb = "enregistré" if saved.created else "mis à jour"
    return f"{lettres.indicator_label(row.indicator)} ({when}) : {fmt.number(row.value)} {verb}."


FORMS = {
    ids.LETTRES_NEWSLETTER_FORM: save_newsletter,
    ids.LETTRES_SNAPSHOT_FORM: record_snapshot,
    ids.LETTRES_ISSUE_FORM: record_issue,
    ids.LETTRES_AUDIENCE_FORM: record_audience_figure,
}


def fill_newsletter_form(newsletter_id):
    """Choosing an existing newsletter in the edit form loads its fields; "new" clears them."""
    if not newsletter_id or newsletter_id == NEW_NEWSLETTER:
        return "", "", ""
    with database().session() as session:
        frame = lettres.list_newsletters(session).set_index("id")
    if int(newsletter_id) not in frame.index:
        return "", "", ""
    row = frame.loc[int(newsletter_id)]
    return row["name"], row["audience"] or "", row["platform"] or ""


# --- panels -------------------------------------------------------------------------------------------------------


def _filters(year, newsletter) -> tuple[Period, list[int] | None]:
    period = reporting_period(int(year or clock.today().year), clock.today())
    return period, None if newsletter in (None, "", ALL_NEWSLETTERS) else [int(newsletter)]


def _percent(rate) -> str:
    return "—" if rate is None or pd.isna(rate) else f"{fmt.number(100 * rate, 1)} %"


def _count(value) -> str:
    return "—" if value is None or pd.isna(value) else fmt.number(value)


def _colours(names) -> dict[str, str]:
    """The same colour for a newsletter in every chart: by its rank among all newsletters, by name."""
    return {name: charts.COLOURS[i % len(charts.COLOURS)] for i, name in enumerate(sorted(names))}


def _table(headers: list[str], rows: list[list], numeric: set[int] = frozenset(), scroll: bool = False):
    def cell(tag, i, value):  # no className at all on text cells: a null per cell adds up on long tables
        return tag(value, className="text-end") if i in numeric else tag(value)

    return html.Div(
        dbc.Table(
            [
                html.Thead(html.Tr([cell(html.Th, i, h) for i, h in enumerate(headers)])),
                html.Tbody([html.Tr([cell(html.Td, i, v) for i, v in enumerate(row)]) for row in rows]),
            ],
            striped=True,
            hover=True,
            size="sm",
            className="mb-0",
        ),
        className="table-responsive lettres-table" + (" lettres-table-scroll" if scroll else ""),
    )


def history_start(period: Period) -> dt.date:
    """The subscribers chart shows the selected year and the HISTORY_YEARS before it."""
    return dt.date(period.start.year - HISTORY_YEARS, 1, 1)


def subscribers_frame(session, period, newsletter_ids) -> pd.DataFrame:
    history = Period(history_start(period), min(period.end, clock.today()))
    return lettres.subscribers_by_month(session, history, newsletter_ids)


def _years_axis(**changes) -> dict:
    return {"xaxis": {"title": None, "dtick": 1, "type": "category"}, **changes}


def subscribers_panel(frame: pd.DataFrame, colours: dict[str, str]):
    if frame.empty:
        return empty_state("Aucun relevé d'abonnés pour cette sélection.", "people")
    traces = []
    for name, rows in frame.groupby("newsletter", sort=True):  # a newsletter from its first snapshot on
        traces.append(
            {
                "type": "scatter",
                "x": [day.isoformat() for day in rows["month_end"]],
                "y": rows["subscribers"].tolist(),
                "name": name,
                "stackgroup": "abonnes",
                "mode": "lines",
                "line": {"color": colours.get(name)},
                "hovertemplate": f"{_escape(name)}<br>%{{x|%d/%m/%Y}} : %{{y:,d}} abonnés<extra></extra>",
            }
        )
    figure = charts.figure(
        traces,
        height=HEIGHT,
        xaxis={"title": None, "tickformat": "%m/%Y", "type": "date"},
        yaxis={"title": {"text": "Abonnés"}, "rangemode": "tozero", "tickformat": ",d"},
    )
    last = frame[frame["month_end"] == frame["month_end"].max()]
    label = (
        f"Graphique en aires empilées : abonnés par lettre en fin de mois, du {fmt.date(frame['month_end'].min())} "
        f"au {fmt.date(last['month_end'].iloc[0])} ; portée finale {fmt.number(last['subscribers'].sum())} abonnés."
    )
    return charts.chart(figure, label)


def _escape(text: str) -> str:
    """A name inside a hover template: plotly reads `%{` as a placeholder and renders HTML."""
    return html_text.escape(str(text)).replace("%", "%%")


def newsletters_panel(frame: pd.DataFrame):
    if frame.empty:
        return empty_state(
            "Aucune lettre d'information enregistrée. La coordination en crée une avec le formulaire "
            "« Créer ou modifier une lettre ».",
            "envelope",
        )
    rows = [
        [
            row.name,
            row.audience or "—",
            row.platform or "—",
            _count(row.subscribers),
            fmt.date(row.as_of),
            fmt.number(row.issues),
        ]
        for row in frame.itertuples()
    ]
    headers = ["Lettre", "Public", "Plateforme", "Abonnés", "Dernier relevé", "Envois de l'année"]
    return _table(headers, rows, {3, 5})


def issues_per_year_panel(frame: pd.DataFrame, colours: dict[str, str]):
    if frame.empty:
        return empty_state("Aucun envoi enregistré.", "send")
    traces = [
        {
            "type": "bar",
            "x": [str(year) for year in rows["year"]],
            "y": rows["issues"].tolist(),
            "name": name,
            "marker": {"color": colours.get(name)},
            "hovertemplate": f"{_escape(name)}<br>%{{x}} : %{{y}} envois<extra></extra>",
        }
        for name, rows in frame.groupby("newsletter", sort=True)
    ]
    years = [str(year) for year in sorted(set(frame["year"]))]
    figure = charts.figure(
        traces,
        height=HEIGHT,
        barmode="relative",
        **_years_axis(yaxis={"title": {"text": "Envois"}}),
    )
    figure["layout"]["xaxis"]["categoryarray"] = years
    figure["layout"]["xaxis"]["categoryorder"] = "array"
    totals = frame.groupby("year")["issues"].sum()
    label = "Histogramme empilé des envois par année : " + ", ".join(
        f"{year} : {fmt.number(n)}" for year, n in totals.items()
    )
    return charts.chart(figure, label)


def rates_panel(frame: pd.DataFrame):
    frame = frame.dropna(subset=["open_rate"])
    if frame.empty:
        return empty_state("Aucun envoi avec statistiques d'ouverture.", "envelope-open")
    years = [str(year) for year in frame["year"]]
    traces = [
        {
            "type": "scatter",
            "x": years,
            "y": [None if pd.isna(v) else float(v) for v in frame[column]],
            "name": name,
            "mode": "lines+markers",
            "hovertemplate": "%{x} : %{y:.1%}<extra>" + name + "</extra>",
        }
        for column, name in (("open_rate", "Taux d'ouverture"), ("click_rate", "Taux de clics"))
    ]
    figure = charts.figure(
        traces, height=HEIGHT, **_years_axis(yaxis={"title": None, "tickformat": ".0%", "rangemode": "tozero"})
    )
    label = "Courbes des taux d'ouverture et de clics par année : " + ", ".join(
        f"{row.year} : {_percent(row.open_rate)} d'ouverture" for row in frame.itertuples()
    )
    return charts.chart(figure, label)


def issues_panel(frame: pd.DataFrame, editor: bool = False):
    """The issues of the year; for a coordinator, each with its « Modifier » (the issue in its form, in the panel)."""
    if frame.empty:
        return empty_state("Aucun envoi sur cette période.", "send")
    more = len(frame) - ISSUES_SHOWN
    frame = frame.head(ISSUES_SHOWN)  # newest first

    def subject(row):
        return (
            html.A(row.subject, href=row.link, target="_blank", rel="noopener noreferrer") if row.link else row.subject
        )

    def with_rate(count, rate):
        return _count(count) if pd.isna(rate) else f"{_count(count)} ({_percent(rate)})"

    rows = [
        [
            f"{row.sent_on:%d/%m/%Y}",
            row.newsletter,
            subject(row),
            _count(row.recipients),
            with_rate(row.opens, row.open_rate),
            with_rate(row.clicks, row.click_rate),
        ]
        + ([_edit(row)] if editor else [])
        for row in frame.itertuples()
    ]
    headers = ["Date", "Lettre", "Objet", "Destinataires", "Ouvertures", "Clics"] + (["Action"] if editor else [])
    table = _table(headers, rows, {3, 4, 5}, scroll=True)
    return [table, more_in_export(more, "envois, plus anciens", "Envois de l'année")] if more > 0 else table


def _edit(row):
    label = f"Modifier l'envoi « {row.subject} » du {row.sent_on:%d/%m/%Y}"
    return edit_button(AREA, ids.LETTRES_ISSUE_FORM, "Modifier", int(row.id), **{"aria-label": label})


ISSUE_FIELDS = ("newsletter_id", "sent_on", "subject", "link", "recipients", "opens", "clicks")


def edit_issue(_clicks, open_items):
    """A row's « Modifier »: the issue in its form, whose accordion item opens. Saved with the same date and subject,
    it updates the issue (an issue is its newsletter, date and subject)."""
    issue_id = edited_record()
    if issue_id is None:
        raise PreventUpdate
    with database().session() as session:
        values = lettres.issue_values(session, issue_id)
    if values is None:
        raise PreventUpdate
    items = open_items if isinstance(open_items, list) else [open_items] if open_items else []
    shown = items if ids.LETTRES_ISSUE_FORM in items else [*items, ids.LETTRES_ISSUE_FORM]
    return [*(values[name] if values[name] is not None else "" for name in ISSUE_FIELDS), shown]


# The audience figures of the catalogue, as the Indicateurs and the report give them for the same period.
AUDIENCE_KEYS = ("site_visitors_month_mean", "site_visitors_month_max", "chat_active_users")


# Tables and key figures come in one callback, charts in another: the figures show before plotly.js has loaded.


def newsletter_figures(year, newsletter, _saved, _imported):
    period, newsletter_ids = _filters(year, newsletter)
    with database().session() as session:
        found = lettres.overview(session, period, newsletter_ids)
        audience = [catalogue.read(session, key, period) for key in AUDIENCE_KEYS]
    figures = [found.reach, found.issues_sent, found.open_rate, *audience]
    newsletters = found.newsletters
    shown = newsletters if newsletter_ids is None else newsletters[newsletters["id"].isin(newsletter_ids)]
    options = [{"label": row.name, "value": str(row.id)} for row in newsletters.itertuples()]
    field_options = [
        [{"label": "— Nouvelle lettre —", "value": NEW_NEWSLETTER}, *options]
        if output["id"]["form"] == ids.LETTRES_NEWSLETTER_FORM
        else options
        for output in ctx.outputs_list[-1]
    ]
    return (
        dbc.Row(
            [dbc.Col(kpi_card(figure), className="mb-4") for figure in figures],
            className="row-cols-1 row-cols-md-3",
        ),
        newsletters_panel(shown),
        issues_panel(found.issues, has_role(acting_user(), Role.COORDINATOR)),
        [{"label": "Toutes les lettres", "value": ALL_NEWSLETTERS}, *options],
        field_options,
    )


def newsletter_charts(year, newsletter, _saved, _imported):
    period, newsletter_ids = _filters(year, newsletter)
    shown = Period(period.start, min(period.end, clock.today()))
    with database().session() as session:
        found = lettres.history(session, shown, history_start(period), newsletter_ids)
    colours = _colours(found.names)
    return (
        subscribers_panel(found.subscribers, colours),
        issues_per_year_panel(found.per_year, colours),
        rates_panel(found.rates),
    )


def audience_table(year, _saved, _imported):
    period, _ = _filters(year, None)
    with database().session() as session:
        latest = lettres.latest_audience(session, period.end)
    if latest.empty:
        table = empty_state("Aucun chiffre d'audience enregistré.", "graph-up")
    else:
        rows = [
            [
                row.label,
                fmt.number(row.value, 0 if float(row.value).is_integer() else 1),
                lettres.period_label(row.period_kind, row.period_start),
                row.source or "—",
            ]
            for row in latest.itertuples()
        ]
        table = _table(["Indicateur", "Dernière valeur", "Période", "Source"], rows, {1})
    known = dict.fromkeys([*lettres.INDICATORS, *latest["indicator"]])
    options = [{"label": lettres.indicator_label(key), "value": key} for key in known]
    return table, options, [options for _ in ctx.outputs_list[-1]]


def audience_chart(indicator, year, _saved, _imported):
    period, _ = _filters(year, None)
    with database().session() as session:
        series = lettres.audience_series(session, [indicator])
    series = series[series["period_start"] <= period.end]
    if series.empty:
        return empty_state("Aucun chiffre enregistré pour cet indicateur.", "graph-up")
    kinds = {"month": "Mensuel", "year": "Annuel"}
    traces = [
        {
            "type": "scatter",
            "x": [day.isoformat() for day in rows["period_start"]],
            "y": rows["value"].tolist(),
            "name": kinds.get(kind, kind),
            "mode": "lines+markers",
            "hovertemplate": "%{x|%m/%Y} : %{y:,~f}<extra>" + kinds.get(kind, kind) + "</extra>",
        }
        for kind, rows in series.groupby("period_kind", sort=False)
    ]
    figure = charts.figure(
        traces,
        height=HEIGHT,
        showlegend=len(traces) > 1,
        xaxis={"title": None, "type": "date", "tickformat": "%m/%Y" if "month" in set(series["period_kind"]) else "%Y"},
        yaxis={"title": None, "rangemode": "tozero", "tickformat": ",~f"},
    )
    last = series.iloc[-1]
    return charts.chart(
        figure,
        f"Courbe « {last['label']} » : {len(series)} valeurs, la dernière "
        f"{fmt.number(last['value'])} ({lettres.period_label(last['period_kind'], last['period_start'])}, "
        f"source {last['source'] or 'non précisée'}).",
    )


# --- exports ------------------------------------------------------------------------------------------------------


def export_frame(panel: str, year, newsletter, indicator) -> pd.DataFrame:
    """The data behind a panel, with French column names, as shown for the current filters."""
    period, newsletter_ids = _filters(year, newsletter)
    with database().session() as session:
        if panel == "abonnes":
            frame = subscribers_frame(session, period, newsletter_ids)
            return frame.set_axis(["Fin de mois", "Lettre", "Abonnés"], axis=1)
        if panel == "lettres":
            frame = lettres.list_newsletters(session, period)
            if newsletter_ids:
                frame = frame[frame["id"].isin(newsletter_ids)]
            return frame.drop(columns="id").set_axis(
                ["Lettre", "Public", "Plateforme", "Abonnés (dernier relevé)", "Date du relevé", "Envois de l'année"],
                axis=1,
            )
        if panel in ("envois_annee", "taux"):
            frame = lettres.issues_per_year(
                session, newsletter_ids, last_year=period.end.year, by_newsletter=panel == "envois_annee"
            )
            names = {
                "year": "Année",
                "newsletter": "Lettre",
                "issues": "Envois",
                "with_stats": "Envois avec statistiques",
                "recipients": "Destinataires",
                "opens": "Ouvertures",
                "clicks": "Clics",
                "open_rate": "Taux d'ouverture",
                "click_rate": "Taux de clics",
            }
            return frame.round({"open_rate": 4, "click_rate": 4}).rename(columns=names)
        if panel == "envois":
            frame = lettres.list_issues(session, period, newsletter_ids).drop(columns="id").round(4)
            return frame.set_axis(
                ["Lettre", "Date", "Objet", "Lien", "Destinataires", "Ouvertures", "Clics", "Taux d'ouverture",
                 "Taux de clics"],
                axis=1,
            )  # fmt: skip
        frame = (
            lettres.audience_series(session, [indicator])
            if panel == "audience_serie"
            else lettres.latest_audience(session, period.end)
        )
    frame = frame[frame["period_start"] <= period.end]
    frame = frame.assign(
        period=[lettres.period_label(k, s) for k, s in zip(frame["period_kind"], frame["period_start"], strict=True)]
    )
    return frame[["indicator", "label", "period", "period_start", "value", "source"]].set_axis(
        ["Clé", "Indicateur", "Période", "Début de période", "Valeur", "Source"], axis=1
    )


def export(_clicks, year, newsletter, indicator):
    if not ctx.triggered_id or not any(_clicks):
        return no_update
    panel, file_format = ctx.triggered_id["panel"], ctx.triggered_id["format"]
    frame = export_frame(panel, year, newsletter, indicator)
    return send_frame(frame, f"lettres-{panel}-{year}", file_format, panel)


# --- CSV import ---------------------------------------------------------------------------------------------------


def import_help(kind):
    csv_format = mailing.FORMATS[kind]
    optional = [column for column in csv_format.columns if column not in csv_format.required]
    return [
        html.Div("Colonnes attendues (séparateur « ; », première ligne d'en-tête) :"),
        html.Code(";".join(csv_format.columns), className="d-block my-1"),
        html.Div(["Exemple : ", html.Code(csv_format.example)]),
        html.Div(f"Colonnes facultatives : {', '.join(optional)}.") if optional else None,
        html.Div("Dates JJ/MM/AAAA ou AAAA-MM-JJ. Une ligne déjà connue est mise à jour."),
        html.Div(
            "Les exports Mailchimp (rapport de campagnes, audience) et Brevo (campagnes) sont reconnus tels quels ; "
            "pour un export de contacts, choisir la lettre dans le filtre « Lettre ». Autres colonnes : elles "
            "seront demandées."
        ),
    ]


def _run_import(data: bytes, kind: str, newsletter, mapping: dict | None = None):
    chosen = newsletter if newsletter and newsletter != ALL_NEWSLETTERS else None
    with database().transaction() as session:
        return mailing.import_lettres(session, acting_user(), data, kind, mapping=mapping, newsletter=chosen)


def mapping_fields(kind: str, header: list[str]):
    """One choice per column of the kind: which header of the file holds it (guessed when a name matches)."""
    csv_format = mailing.FORMATS[kind]
    options = [{"label": "— aucune —", "value": ""}] + [{"label": h, "value": h} for h in header]
    rows = []
    for column in csv_format.columns:
        guess = next((h for h in header if mailing.header_key(h) == column), "")
        label = column + (" (obligatoire)" if column in csv_format.required else "")
        field_id = ids.lettres_import_column(column)
        rows.append(
            dbc.Row(
                [
                    dbc.Label(label, html_for=ids.dom_id(field_id), width=5, className="small"),
                    dbc.Col(dbc.Select(id=field_id, options=options, value=guess, size="sm"), width=7),
                ],
                className="mb-1",
            )
        )
    return [
        html.P("Colonnes non reconnues : indiquer l'en-tête du fichier pour chaque colonne.", className="small mb-2"),
        *rows,
    ]


def import_file(contents, filename, kind, newsletter, imported):
    """Upload → the report; a file whose columns are not recognised opens the mapping step instead."""
    nothing = (no_update,) * 6
    if not contents:
        return nothing
    data = base64.b64decode(contents.split(",", 1)[1])
    try:
        report = _run_import(data, kind, newsletter)
    except mailing.UnknownLayout as error:
        message = alert(f"{filename} : colonnes non reconnues ({'; '.join(error.header[:12])}).", "info")
        kept = {"contents": contents, "filename": filename}
        return message, imported, None, kept, mapping_fields(kind, error.header), False
    except UnusableFile as error:
        return unusable_file(filename, error), imported, None, None, [], True
    except PermissionDenied as error:
        return alert(str(error), "warning"), imported, None, None, [], True
    bump = (imported or 0) + (1 if report.created or report.updated else 0)
    return import_report(report, filename), bump, None, None, [], True


def import_mapped(_clicks, kept, columns, column_ids, kind, newsletter, imported):
    """The mapping step's button: the kept file imported with the chosen headers."""
    if not kept or not _clicks:
        return no_update, no_update, no_update, no_update
    mapping = {i["column"]: value for i, value in zip(column_ids, columns, strict=True) if value}
    data = base64.b64decode(kept["contents"].split(",", 1)[1])
    filename = kept.get("filename") or ""
    try:
        report = _run_import(data, kind, newsletter, mapping)
    except UnusableFile as error:
        return unusable_file(filename, error), imported, no_update, False
    except PermissionDenied as error:
        return alert(str(error), "warning"), imported, None, True
    bump = (imported or 0) + (1 if report.created or report.updated else 0)
    return import_report(report, filename), bump, None, True


# The URL keeps the filters (a shared link opens the same view) without reloading the page.
SYNC_URL = """
function (year, newsletter, indicator) {
    const query = new URLSearchParams(window.location.search);
    query.set("annee", year);
    if (newsletter && newsletter !== "all") { query.set("lettre", newsletter); } else { query.delete("lettre"); }
    query.set("indicateur", indicator);
    window.history.replaceState(window.history.state, "", window.location.pathname + "?" + query.toString());
}
"""


def register(app) -> None:
    saved = Input(ids.form_saved(ALL), "data")
    imported = Input(ids.LETTRES_IMPORTED, "data")
    year = Input(ids.LETTRES_YEAR, "value")
    newsletter = Input(ids.LETTRES_NEWSLETTER, "value")
    app.callback(
        Output(ids.LETTRES_KPIS, "children"),
        Output(ids.LETTRES_NEWSLETTERS, "children"),
        Output(ids.LETTRES_ISSUES, "children"),
        Output(ids.LETTRES_NEWSLETTER, "options"),
        Output(ids.field(ALL, "newsletter_id"), "options"),
        year,
        newsletter,
        saved,
        imported,
    )(per_revision([revisions.LETTRES])(newsletter_figures))
    app.callback(
        Output(ids.LETTRES_SUBSCRIBERS, "children"),
        Output(ids.LETTRES_ISSUES_PER_YEAR, "children"),
        Output(ids.LETTRES_RATES, "children"),
        year,
        newsletter,
        saved,
        imported,
    )(per_revision([revisions.LETTRES])(newsletter_charts))
    app.callback(
        Output(ids.LETTRES_AUDIENCE_TABLE, "children"),
        Output(ids.LETTRES_INDICATOR, "options"),
        Output(ids.field(ALL, "indicator"), "options"),
        year,
        saved,
        imported,
    )(per_revision([revisions.LETTRES])(audience_table))
    app.callback(
        Output(ids.LETTRES_AUDIENCE_CHART, "children"),
        Input(ids.LETTRES_INDICATOR, "value"),
        year,
        saved,
        imported,
    )(per_revision([revisions.LETTRES])(audience_chart))
    app.callback(
        Output(ids.LETTRES_DOWNLOAD, "data"),
        Input(ids.panel_export("lettres", ALL, ALL), "n_clicks"),
        State(ids.LETTRES_YEAR, "value"),
        State(ids.LETTRES_NEWSLETTER, "value"),
        State(ids.LETTRES_INDICATOR, "value"),
        prevent_initial_call=True,
    )(export)
    app.callback(
        Output(ids.field(ids.LETTRES_NEWSLETTER_FORM, "name"), "value"),
        Output(ids.field(ids.LETTRES_NEWSLETTER_FORM, "audience"), "value"),
        Output(ids.field(ids.LETTRES_NEWSLETTER_FORM, "platform"), "value"),
        Input(ids.field(ids.LETTRES_NEWSLETTER_FORM, "newsletter_id"), "value"),
        prevent_initial_call=True,
    )(fill_newsletter_form)
    app.callback(
        *[Output(ids.field(ids.LETTRES_ISSUE_FORM, name), "value", allow_duplicate=True) for name in ISSUE_FIELDS],
        Output(ids.LETTRES_FORMS, "active_item"),
        Input(ids.entry_edit(AREA, ids.LETTRES_ISSUE_FORM, ALL), "n_clicks"),
        State(ids.LETTRES_FORMS, "active_item"),
        prevent_initial_call=True,
    )(edit_issue)
    app.callback(Output(ids.LETTRES_IMPORT_HELP, "children"), Input(ids.LETTRES_IMPORT_KIND, "value"))(import_help)
    app.callback(
        Output(ids.LETTRES_IMPORT_RESULT, "children"),
        Output(ids.LETTRES_IMPORTED, "data"),
        Output(ids.LETTRES_UPLOAD, "contents"),
        Output(ids.LETTRES_IMPORT_FILE, "data"),
        Output(ids.LETTRES_IMPORT_MAPPING_FIELDS, "children"),
        Output(ids.LETTRES_IMPORT_MAPPING, "hidden"),
        Input(ids.LETTRES_UPLOAD, "contents"),
        State(ids.LETTRES_UPLOAD, "filename"),
        State(ids.LETTRES_IMPORT_KIND, "value"),
        State(ids.LETTRES_NEWSLETTER, "value"),
        State(ids.LETTRES_IMPORTED, "data"),
        prevent_initial_call=True,
    )(import_file)
    app.callback(
        Output(ids.LETTRES_IMPORT_RESULT, "children", allow_duplicate=True),
        Output(ids.LETTRES_IMPORTED, "data", allow_duplicate=True),
        Output(ids.LETTRES_IMPORT_FILE, "data", allow_duplicate=True),
        Output(ids.LETTRES_IMPORT_MAPPING, "hidden", allow_duplicate=True),
        Input(ids.LETTRES_IMPORT_MAPPED, "n_clicks"),
        State(ids.LETTRES_IMPORT_FILE, "data"),
        State(ids.lettres_import_column(ALL), "value"),
        State(ids.lettres_import_column(ALL), "id"),
        State(ids.LETTRES_IMPORT_KIND, "value"),
        State(ids.LETTRES_NEWSLETTER, "value"),
        State(ids.LETTRES_IMPORTED, "data"),
        prevent_initial_call=True,
    )(import_mapped)
    app.clientside_callback(
        SYNC_URL,
        Input(ids.LETTRES_YEAR, "value"),
        Input(ids.LETTRES_NEWSLETTER, "value"),
        Input(ids.LETTRES_INDICATOR, "value"),
    )
