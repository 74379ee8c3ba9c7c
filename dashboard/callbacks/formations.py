"""Formations: filters ↔ URL, key figures, charts, exports and the three entry forms. Every rule lives in
db.formations; this module only turns inputs into its calls and its DataFrames into components."""

from __future__ import annotations

import datetime as dt
import math
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, Input, Output, State, ctx, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import ids
from dashboard.callbacks.answers import per_revision
from dashboard.callbacks.exports import send_frame
from dashboard.callbacks.forms import database
from dashboard.callbacks.shell import edited_record
from dashboard.components import charts, grids
from dashboard.components import format as fmt
from dashboard.components.cards import NO_SESSION, NO_SESSION_ACTION, empty_state, kpi_card
from dashboard.components.charts import ACCENT, BRAND
from dashboard.pages.formations import (
    AREA,
    CHOOSE_SESSION,
    CHOOSE_TRAINING,
    FILTER_PARAMS,
    NEW_ATTENDANT,
    NEW_SESSION,
    NEW_TRAINING,
    NO_MISSION,
    NONE,
    PANELS,
)
from db import clock, convention, paging
from db import formations as formations_db
from db.periods import Period

FILTER_IDS = list(FILTER_PARAMS)
SAVED = Input({"type": "form-saved", "form": ALL}, "data")  # any form of the page saved: refresh
# The forms whose « Modifier » buttons under the sessions grid act on its chosen row (`dashboard.pages.formations`).
EDITED_FROM_GRID = (ids.FORMATIONS_SESSION_FORM, ids.FORMATIONS_TRAINING_FORM, ids.FORMATIONS_ATTENDANT_FORM)


# --- filters --------------------------------------------------------------------------------------------------


class BadPeriod(ValueError):
    pass


def _day(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        raise BadPeriod("Date de période invalide.") from None


def filters_from(start, end, programme, kind, audience, commune) -> formations_db.TrainingFilters:
    """The filter bar's raw values as db filters; an open end of the period reaches the first/last session."""
    first, last = _day(start), _day(end)
    if first and last and last < first:
        raise BadPeriod("La date de fin de la période précède sa date de début.")
    period = Period(first or dt.date.min, last or dt.date.max) if first or last else None
    return formations_db.TrainingFilters(
        period=period,
        programme=programme or None,
        kind=kind or None,
        audience=audience or None,
        commune=commune or None,
    )


def url_search(*values) -> str:
    """The query string holding the filter bar, so the address can be shared or bookmarked."""
    query = {FILTER_PARAMS[key]: value for key, value in zip(FILTER_IDS, values, strict=True) if value}
    return f"?{urlencode(query)}" if query else ""


def filter_options(_pathname, _saved, *current):
    """Options of the select filters. A value from a shared link that no record has any more stays listed, so the
    select shows what is really filtered instead of « all »."""
    with database().session() as session:
        options = formations_db.filter_options(session)
    keys = (("programme", "Tous"), ("kind", "Tous"), ("audience", "Tous"), ("commune", "Toutes"))
    out = []
    for (key, blank), value in zip(keys, current, strict=True):
        pairs = options[key]
        if value and value not in {v for v, _ in pairs}:
            pairs = [*pairs, (value, value)]
        out.append([{"label": blank, "value": ""}] + [{"label": label, "value": v} for v, label in pairs])
    return out


# --- panels -----------------------------------------------------------------------------------------------------


def _percent(value) -> str:
    return "—" if value is None or pd.isna(value) else f"{fmt.number(100 * value)} %"


SHORT_MONTHS = fmt.SHORT_MONTHS


def _month_label(month: pd.Timestamp) -> str:
    return f"{SHORT_MONTHS[month.month - 1]} {month.year}"


def _figure(traces: list[dict], height: int = 320, **changes) -> dict:
    """The Formations' charts: the kit's theme, every value axis from zero."""
    return charts.figure(
        traces, **charts.merged({"height": height, "legend": {"y": -0.15}, "yaxis": {"rangemode": "tozero"}}, changes)
    )


def _values(series) -> list:
    """A column as plotly reads it: plain numbers, None where unknown."""
    return [None if v is None or pd.isna(v) else v.item() if hasattr(v, "item") else v for v in series]


def month_chart(summary: pd.DataFrame) -> dict:
    one_year = summary["month"].dt.year.nunique() == 1
    labels = [SHORT_MONTHS[m.month - 1] if one_year else _month_label(m) for m in summary["month"]]
    traces = [
        {"type": "bar", "x": labels, "y": _values(summary["participants"]), "name": "Participants",
         "marker": {"color": BRAND}, "hovertemplate": "%{x} : %{y} participants<extra></extra>"},
        {"type": "scatter", "x": labels, "y": _values(summary["sessions"]), "name": "Sessions", "yaxis": "y2",
         "mode": "lines+markers", "line": {"color": ACCENT, "width": 3},
         "hovertemplate": "%{x} : %{y} sessions<extra></extra>"},
    ]  # fmt: skip
    return _figure(
        traces,
        yaxis={"title": {"text": "Participants"}},
        yaxis2={
            "title": {"text": "Sessions"},
            "overlaying": "y",
            "side": "right",
            "rangemode": "tozero",
            "showgrid": False,
            "automargin": True,
            "dtick": max(1, math.ceil(summary["sessions"].max() / 5)),  # whole sessions only
        },
        xaxis={"tickangle": 0 if one_year else -45},
    )


def programme_chart(summary: pd.DataFrame) -> dict:
    ordered = summary.iloc[::-1]
    bar = {
        "type": "bar",
        "y": ordered["programme"].tolist(),
        "x": _values(ordered["participants"]),
        "orientation": "h",
        "marker": {"color": BRAND},
        "text": [f"{p} · {s} sessions" for p, s in zip(ordered["participants"], ordered["sessions"], strict=True)],
        "textposition": "outside",
        "cliponaxis": False,
        "hovertemplate": "%{y} : %{x} participants, %{text}<extra></extra>",
    }
    # Room on the right for the labels written after the bars.
    most = max(int(ordered["participants"].max()), 1)
    return _figure([bar], xaxis={"title": {"text": "Participants"}, "range": [0, 1.45 * most]})


def rates_chart(summary: pd.DataFrame) -> dict:
    ordered = summary.iloc[::-1]
    bars = [
        {
            "type": "bar",
            "y": ordered["programme"].tolist(),
            "x": [None if v is None or pd.isna(v) else round(100 * v) for v in ordered[column]],
            "name": name,
            "orientation": "h",
            "marker": {"color": colour},
            "text": [_percent(v) for v in ordered[column]],
            "textposition": "outside",
            "cliponaxis": False,
            "hovertemplate": f"%{{y}} : {name.lower()} %{{text}}<extra></extra>",
        }
        for column, name, colour in (("fill_rate", "Remplissage", BRAND), ("attendance_rate", "Présence", ACCENT))
    ]
    return _figure(
        bars, barmode="group", xaxis={"title": {"text": "%"}, "range": [0, 115]}, legend={"traceorder": "reversed"}
    )


def audience_chart(summary: pd.DataFrame) -> dict:
    ordered = summary.iloc[::-1]
    bar = {
        "type": "bar",
        "y": ordered["audience"].tolist(),
        "x": _values(ordered["participants"]),
        "orientation": "h",
        "marker": {"color": "#2b6ca3"},
        "text": _values(ordered["participants"]),
        "textposition": "auto",
        "textangle": 0,
        "hovertemplate": "%{y} : %{x} participants<extra></extra>",
    }
    return _figure([bar], xaxis={"title": {"text": "Participants"}})


PROFILE_SPACING = 0.12  # between two profile charts, a share of the figure's height


def profile_chart(profiles: pd.DataFrame) -> dict:
    """One horizontal bar chart per profile dimension, stacked, each as tall as its number of values."""
    dimensions = list(dict.fromkeys(profiles["dimension"]))
    sizes = [int((profiles["dimension"] == d).sum()) for d in dimensions]
    room = 1 - PROFILE_SPACING * (len(dimensions) - 1)
    traces, axes, titles, top = [], {}, [], 1.0
    for n, (dimension, size) in enumerate(zip(dimensions, sizes, strict=True), start=1):
        bottom = max(top - room * size / sum(sizes), 0)
        suffix = "" if n == 1 else str(n)
        part = profiles[profiles["dimension"] == dimension].iloc[::-1]
        traces.append(
            {
                "type": "bar",
                "y": part["value"].tolist(),
                "x": _values(part["participants"]),
                "xaxis": f"x{suffix}",
                "yaxis": f"y{suffix}",
                "orientation": "h",
                "marker": {"color": BRAND},
                "text": _values(part["participants"]),
                "textposition": "auto",
                "textangle": 0,
                "hovertemplate": f"{dimension} · %{{y}} : %{{x}} participants<extra></extra>",
                "showlegend": False,
            }
        )
        axes[f"xaxis{suffix}"] = charts.merged(charts.THEME["xaxis"], {"anchor": f"y{suffix}", "domain": [0, 1]})
        axes[f"yaxis{suffix}"] = charts.merged(charts.THEME["yaxis"], {"anchor": f"x{suffix}", "domain": [bottom, top]})
        titles.append(
            {"text": dimension, "x": 0, "xanchor": "left", "xref": "paper", "y": top, "yanchor": "bottom",
             "yref": "paper", "showarrow": False, "font": {"size": 13}}
        )  # fmt: skip
        top = bottom - PROFILE_SPACING
    # Room at the top for the first chart's title.
    return _figure(traces, height=120 + 26 * sum(sizes), annotations=titles, margin={"t": 30}, **axes)


def _describe(summary: pd.DataFrame, key: str) -> str:
    return " ; ".join(f"{row[key]} : {row['participants']} participants" for _, row in summary.head(8).iterrows())


def _time(value) -> str:
    """9 h, 9 h 30: the French short form."""
    if value is None or pd.isna(value):
        return ""
    return f"{value.hour} h" + (f" {value.minute:02d}" if value.minute else "")


def _text(value) -> str:
    return value if isinstance(value, str) else ""


def _where(row) -> str:
    if row.remote:
        return "À distance"
    place, commune = _text(row.place) or _text(row.location), _text(row.commune)
    return place if commune in place else ", ".join(v for v in (place, commune) if v)


def upcoming_table(frame: pd.DataFrame) -> dbc.Table:
    header = ["Date", "Horaire", "Formation", "Programme", "Lieu", "Places libres"]
    rows = [
        html.Tr(
            [
                html.Td(f"{row.date:%d/%m/%Y}", className="text-nowrap"),
                html.Td(
                    " – ".join(t for t in (_time(row.start_time), _time(row.end_time)) if t) or "—",
                    className="text-nowrap",
                ),
                html.Td(row.title),
                html.Td(row.programme),
                html.Td(_where(row) or "—"),
                html.Td("—" if pd.isna(row.free_seats) else fmt.number(row.free_seats)),
            ]
        )
        for row in frame.itertuples()
    ]
    return dbc.Table(
        [html.Thead(html.Tr([html.Th(h, scope="col") for h in header])), html.Tbody(rows)],
        striped=True,
        hover=True,
        responsive=True,
        size="sm",
        className="mb-0",
    )


def panels(start, end, programme, kind, audience, commune, _saved):
    """Key figures and every panel for the filter bar's values."""
    today = clock.today()
    try:
        filters = filters_from(start, end, programme, kind, audience, commune)
    except BadPeriod as error:
        invalid = empty_state(str(error), "calendar-x")
        return [dbc.Alert(str(error), color="warning")] + [invalid] * 6
    with database().session() as session:
        found = formations_db.panels(session, filters, today)
        no_session = found.cube.empty and formations_db.first_session_day(session) is None
    summary, cube, upcoming, profiles = found.totals, found.cube, found.upcoming, found.profiles
    figures = formations_db.key_figures(summary)
    kpis = dbc.Row([dbc.Col(kpi_card(figure), md=6, xl=3, className="mb-4") for figure in figures])
    nothing = (
        empty_state(NO_SESSION, "calendar-x", NO_SESSION_ACTION)  # an empty base, not filters that leave nothing
        if no_session
        else empty_state("Aucune session ne correspond à ces filtres.", "calendar-x")
    )
    if cube.empty:
        month = programme_panel = rates = audience_panel = nothing
    else:
        by_month, by_programme, by_audience = found.by_month, found.by_programme, found.by_audience
        month = charts.chart(
            month_chart(by_month),
            "Participants (barres) et sessions (ligne) par mois : "
            + " ; ".join(
                f"{_month_label(r.month)} : {r.sessions} sessions, {r.participants} participants"
                for r in by_month.itertuples()
                if r.sessions
            ),
        )
        programme_panel = charts.chart(
            programme_chart(by_programme), "Participants par programme : " + _describe(by_programme, "programme")
        )
        rates = charts.chart(
            rates_chart(by_programme),
            "Taux de remplissage et de présence par programme : "
            + " ; ".join(
                f"{r.programme} : remplissage {_percent(r.fill_rate)}, présence {_percent(r.attendance_rate)}"
                for r in by_programme.itertuples()
            ),
        )
        audience_panel = charts.chart(
            audience_chart(by_audience), "Participants par public : " + _describe(by_audience, "audience")
        )
    upcoming_panel = [
        upcoming_table(upcoming)
        if not upcoming.empty
        else empty_state("Aucune session à venir pour ces filtres.", "calendar"),
        html.P(
            "À partir d'aujourd'hui, quelle que soit la période choisie.", className="small text-body-secondary mt-2"
        ),
    ]
    profiles_panel = (
        charts.chart(
            profile_chart(profiles),
            "Participants présents par profil : "
            + " ; ".join(f"{r.dimension} {r.value} : {r.participants}" for r in profiles.itertuples()),
        )
        if not profiles.empty
        else empty_state("Aucune session suivie par liste de participants pour ces filtres.", "people")
    )
    return kpis, month, programme_panel, rates, audience_panel, upcoming_panel, profiles_panel


# --- exports ----------------------------------------------------------------------------------------------------

SUMMARY_HEADERS = {
    "sessions": "Sessions",
    "participants": "Participants (présents)",
    "registered": "Inscrits (sessions avec capacité)",
    "capacity": "Places",
    "fill_rate": "Taux de remplissage",
    "attendance_rate": "Taux de présence",
}
SESSION_HEADERS = {
    "date": "Date",
    "start_time": "Début",
    "end_time": "Fin",
    "duration_minutes": "Durée (min)",
    "programme": "Programme",
    "title": "Formation",
    "kind": "Type",
    "audience": "Public",
    "remote": "À distance",
    "place": "Lieu de la carte",
    "location": "Adresse",
    "commune_insee": "Code INSEE",
    "commune": "Commune",
    "trainer": "Formateur",
    "capacity": "Places",
    "registered": "Inscrits",
    "present": "Présents",
    "source": "Présence saisie par",
}


SOURCE_LABELS = {"liste": "liste de participants", "comptes": "comptes saisis"}


def export_frame(panel: str, filters: formations_db.TrainingFilters, today: dt.date) -> pd.DataFrame:
    """The table behind a panel, with French headers, as exported."""
    with database().session() as session:
        if panel == "upcoming":
            frame = formations_db.upcoming_sessions(session, filters, today)
            return _sessions_export(frame).assign(**{"Places libres": frame["free_seats"].to_numpy()})
        if panel == "profiles":
            profiles = formations_db.attendant_profiles(session, filters)
            return profiles.rename(columns={"dimension": "Profil", "value": "Valeur", "participants": "Participants"})
        if panel == "sessions":
            return _sessions_export(formations_db.sessions_frame(session, filters))
        cube = formations_db.summary_cube(session, filters, today)
    if panel == "month":
        table = formations_db.per_month(cube, filters.period)
        table["month"] = table["month"].dt.strftime("%Y-%m")
        return table.rename(columns={"month": "Mois", **SUMMARY_HEADERS})
    if panel == "audience":
        return formations_db.audience_breakdown(cube).rename(columns={"audience": "Public", **SUMMARY_HEADERS})
    return formations_db.per_programme(cube).rename(columns={"programme": "Programme", **SUMMARY_HEADERS})


def _sessions_export(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame[list(SESSION_HEADERS)].copy()
    out["date"] = out["date"].dt.date
    out["kind"] = out["kind"].map(formations_db.KIND_LABELS)
    out["remote"] = out["remote"].map({True: "oui", False: "non"})
    out["source"] = out["source"].map(SOURCE_LABELS)
    for column in ("start_time", "end_time"):
        out[column] = [None if t is None or pd.isna(t) else t.strftime("%H:%M") for t in out[column]]
    return out.rename(columns=SESSION_HEADERS)


def export(_clicks, start, end, programme, kind, audience, commune):
    trigger = ctx.triggered_id
    if not trigger or not any(_clicks):
        return no_update
    try:
        filters = filters_from(start, end, programme, kind, audience, commune)
    except BadPeriod:
        return no_update
    table = export_frame(trigger["panel"], filters, clock.today())
    name = f"formations-{trigger['panel']}-{clock.today():%Y%m%d}"
    return send_frame(table, name, trigger["format"], PANELS[trigger["panel"]])


# --- forms ------------------------------------------------------------------------------------------------------


def _choices(pairs, blank: str) -> list[dict]:
    return [{"label": blank, "value": ""}] + [{"label": label, "value": str(value)} for value, label in pairs]


def form_choices(_pathname, _saved):
    """Options of the forms' selects, fresh after any save. A session to list attendants of is chosen in the
    sessions grid (`choose_session`)."""
    with database().session() as session:
        trainings = formations_db.training_choices(session)
        places = formations_db.place_choices(session)
        communes = formations_db.commune_choices(session)
        missions = [(m.id, f"{m.title} ({m.convention})") for m in convention.all_missions(session)]
    return (
        _choices(trainings, NEW_TRAINING),
        _choices(trainings, CHOOSE_TRAINING),
        _choices(places, NONE),
        _choices(communes, NONE),
        _choices(missions, NO_MISSION),
    )


def training_session_choices(training_id, _saved, session_id):
    """Sessions of the chosen training; choosing another training starts a new session, unless the session chosen
    with it is one of its own (a session edited from the grid brings its training)."""
    sessions = []
    if training_id:
        with database().session() as session:
            sessions = formations_db.session_choices(session, training_id)
    chosen = str(session_id or "") in {str(value) for value, _label in sessions}
    changed = ctx.triggered_id == ids.field(ids.FORMATIONS_SESSION_FORM, "training_id")
    # Already a new session: left alone, or the form would empty itself again under what is being typed.
    return _choices(sessions, NEW_SESSION), "" if changed and session_id and not chosen else no_update


def _count(value) -> str:
    return "—" if pd.isna(value) else fmt.number(value)


def session_rows(request, start, end, programme, kind, audience, commune):
    """A page of the sessions of the filter bar's selection, for the grid: sorted and filtered on the server."""
    try:
        filters = filters_from(start, end, programme, kind, audience, commune)
        with database().session() as session:
            page = formations_db.session_page(session, filters, grids.page_request(request))
    except (BadPeriod, ValueError):
        return grids.NO_ROWS
    rows = [
        {
            "id": str(row.session_id),  # the grid's row ids are texts
            "training_id": str(row.training_id),
            "date": grids.date_text(row.date),
            "start_time": " – ".join(t for t in (_time(row.start_time), _time(row.end_time)) if t),
            "title": row.title,
            "programme": row.programme,
            "kind": formations_db.KIND_LABELS.get(row.kind, row.kind),
            "where": _where(row),
            "commune": _text(row.commune),
            "capacity": _number(row.capacity),
            "registered": _number(row.registered),
            "present": _number(row.present),
            "source": SOURCE_LABELS[row.source],
            "label": formations_db.session_label(row.date, row.title),
            "summary": _attendance(row),
        }
        for row in page.rows.itertuples()
    ]
    return grids.rows_response(rows, page.total)


def _number(value) -> int | None:
    return None if pd.isna(value) else int(value)


def _count(value) -> str:
    return "—" if pd.isna(value) else fmt.number(value)


def _attendance(row) -> str:
    return (
        f"{_count(row.registered)} inscrits · {_count(row.present)} présents · {_count(row.capacity)} places "
        f"({SOURCE_LABELS[row.source]})"
    )


def edit_chosen(_clicks, selected):
    """« Modifier la session » / « Modifier sa formation » under the grid: the chosen row's session (with its
    training) or training in its form, which fills itself from it (`_register_prefill`). « Saisir ses participants »
    only opens the panel: the attendant form already follows the chosen row (`choose_session`)."""
    if edited_record() is None or not selected:
        raise PreventUpdate
    row, form = selected[0], ctx.triggered_id["form"]
    if form == ids.FORMATIONS_TRAINING_FORM:
        return str(row["training_id"]), no_update, no_update
    if form == ids.FORMATIONS_SESSION_FORM:
        return no_update, str(row["training_id"]), str(row["id"])
    raise PreventUpdate


def chosen_row_tools(selected):
    """The grid's edit buttons act on its chosen row: usable once a row is chosen."""
    return [not selected] * 3


def choose_session(selected):
    """A session chosen in the grid becomes the attendant form's session."""
    if not selected:
        return no_update, no_update
    row = selected[0]
    return _choices([(row["id"], row["label"])], CHOOSE_SESSION), str(row["id"])


def attendant_choice(session_id, selected, _saved):
    """The attendant form follows its session (its attendance in a sentence; a new attendant to start with), the
    attendant chosen in the session's grid, and its own saves (the attendance changed)."""
    trigger = ctx.triggered_id
    if trigger == ids.FORMATIONS_ATTENDANTS:
        if not selected:
            return no_update, no_update, no_update
        row = selected[0]
        return _choices([(row["id"], row["label"])], NEW_ATTENDANT), str(row["id"]), no_update
    summary = None
    if session_id:
        request = paging.PageRequest((paging.Filter("session_id", "equals", int(session_id)),), limit=1)
        with database().session() as session:
            page = formations_db.session_page(session, formations_db.TrainingFilters(), request)
        summary = _attendance(next(page.rows.itertuples())) if page.total else None
    if trigger == ids.form_saved(ids.FORMATIONS_ATTENDANT_FORM):
        return no_update, no_update, summary
    return _choices([], NEW_ATTENDANT), "", summary


def attendant_rows(request, session_id):
    """A page of the chosen session's attendants, for the grid."""
    if not session_id:
        return grids.NO_ROWS
    try:
        with database().session() as session:
            page = formations_db.attendant_page(session, int(session_id), grids.page_request(request))
    except ValueError:
        return grids.NO_ROWS
    rows = [
        {
            "id": str(row.id),
            "number": row.number,
            "state": formations_db.STATE_LABELS.get(row.state, row.state),
            "audience_type": _text(row.audience_type),
            "gender": formations_db.GENDER_LABELS.get(row.gender, ""),
            "age_band": _text(row.age_band),
            "label": formations_db.attendant_label(row.number, row.state, row.audience_type, row.gender, row.age_band),
        }
        for row in page.rows.itertuples()
    ]
    return grids.rows_response(rows, page.total)


def _prefill(names: list[str], values: dict | None) -> list:
    """Values to put in the fields `names`: the stored row's, or blanks for a new one."""
    values = values or {}
    return [values.get(name) if values.get(name) is not None else "" for name in names]


TRAINING_FIELDS = [
    "programme", "title", "kind", "partner", "audience", "description", "start_date", "end_date", "mission_id",
]  # fmt: skip
SESSION_FIELDS = [
    "date", "start_time", "end_time", "duration_minutes", "mode", "place_pk", "location", "commune_insee",
    "trainer", "capacity", "registered_count", "present_count",
]  # fmt: skip
ATTENDANT_FIELDS = ["state", "audience_type", "gender", "age_band"]
DEFAULTS = {"kind": "formation", "mode": "in_person", "state": "registered"}


def _fill(reader, key, names):
    if not key:
        return [DEFAULTS.get(name, "") for name in names]
    with database().session() as session:
        values = reader(session, key)
    return [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in _prefill(names, values)]


def fill_training(training_id):
    return _fill(formations_db.training_values, training_id, TRAINING_FIELDS)


def fill_session(session_id):
    return _fill(formations_db.session_values, session_id, SESSION_FIELDS)


def fill_attendant(attendant_id):
    return _fill(formations_db.attendant_values, attendant_id, ATTENDANT_FIELDS)


def save_training(session, actor, **fields):
    training = formations_db.save_training(session, actor, **fields)
    return f"Formation « {training.title} » enregistrée."


def save_session(session, actor, **fields):
    row = formations_db.save_session(session, actor, **fields)
    return f"Session du {fmt.date(row.date)} enregistrée."


def save_attendant(session, actor, **fields):
    attendant = formations_db.save_attendant(session, actor, **fields)
    return f"Participant enregistré : {formations_db.STATE_LABELS[attendant.state].lower()}."


FORMS = {
    ids.FORMATIONS_TRAINING_FORM: save_training,
    ids.FORMATIONS_SESSION_FORM: save_session,
    ids.FORMATIONS_ATTENDANT_FORM: save_attendant,
}


def register(app) -> None:
    filters = [Input(component_id, "value") for component_id in FILTER_IDS]
    app.callback(Output(ids.FORMATIONS_URL, "search"), *filters, prevent_initial_call=True)(url_search)
    app.callback(
        *[Output(component_id, "options") for component_id in FILTER_IDS[2:]],
        Input(ids.FORMATIONS_URL, "pathname"),
        SAVED,
        *[State(component_id, "value") for component_id in FILTER_IDS[2:]],
    )(per_revision(formations_db.PANEL_AREAS)(filter_options))
    app.callback(
        Output(ids.FORMATIONS_KPIS, "children"),
        *[Output(ids.formations_panel(name), "children") for name in ("month", "programme", "rates", "audience")],
        Output(ids.formations_panel("upcoming"), "children"),
        Output(ids.formations_panel("profiles"), "children"),
        *filters,
        SAVED,
    )(per_revision(formations_db.PANEL_AREAS)(panels))
    app.callback(
        Output(ids.FORMATIONS_DOWNLOAD, "data"),
        Input(ids.panel_export("formations", ALL, ALL), "n_clicks"),
        *[State(component_id, "value") for component_id in FILTER_IDS],
        prevent_initial_call=True,
    )(export)
    app.callback(
        Output(ids.field(ids.FORMATIONS_TRAINING_FORM, "training_id"), "options"),
        Output(ids.field(ids.FORMATIONS_SESSION_FORM, "training_id"), "options"),
        Output(ids.field(ids.FORMATIONS_SESSION_FORM, "place_pk"), "options"),
        Output(ids.field(ids.FORMATIONS_SESSION_FORM, "commune_insee"), "options"),
        Output(ids.field(ids.FORMATIONS_TRAINING_FORM, "mission_id"), "options"),
        Input(ids.FORMATIONS_URL, "pathname"),
        SAVED,
    )(form_choices)
    app.callback(
        Output(ids.field(ids.FORMATIONS_SESSION_FORM, "session_id"), "options"),
        Output(ids.field(ids.FORMATIONS_SESSION_FORM, "session_id"), "value"),
        Input(ids.field(ids.FORMATIONS_SESSION_FORM, "training_id"), "value"),
        SAVED,
        State(ids.field(ids.FORMATIONS_SESSION_FORM, "session_id"), "value"),
    )(training_session_choices)
    app.callback(
        Output(ids.FORMATIONS_SESSIONS, "getRowsResponse"),
        Input(ids.FORMATIONS_SESSIONS, "getRowsRequest"),
        *[State(component_id, "value") for component_id in FILTER_IDS],
        prevent_initial_call=True,
    )(per_revision(formations_db.PANEL_AREAS)(session_rows))
    grids.refresh_on(app, ids.FORMATIONS_SESSIONS, *filters, SAVED)
    app.callback(
        Output(ids.field(ids.FORMATIONS_TRAINING_FORM, "training_id"), "value", allow_duplicate=True),
        Output(ids.field(ids.FORMATIONS_SESSION_FORM, "training_id"), "value", allow_duplicate=True),
        Output(ids.field(ids.FORMATIONS_SESSION_FORM, "session_id"), "value", allow_duplicate=True),
        Input(ids.entry_edit(AREA, ALL, ALL), "n_clicks"),
        State(ids.FORMATIONS_SESSIONS, "selectedRows"),
        prevent_initial_call=True,
    )(edit_chosen)
    app.callback(
        [Output(ids.entry_edit(AREA, form), "disabled") for form in EDITED_FROM_GRID],
        Input(ids.FORMATIONS_SESSIONS, "selectedRows"),
    )(chosen_row_tools)
    app.callback(
        Output(ids.field(ids.FORMATIONS_ATTENDANT_FORM, "session_id"), "options"),
        Output(ids.field(ids.FORMATIONS_ATTENDANT_FORM, "session_id"), "value", allow_duplicate=True),
        Input(ids.FORMATIONS_SESSIONS, "selectedRows"),
        prevent_initial_call=True,
    )(choose_session)
    app.callback(
        Output(ids.field(ids.FORMATIONS_ATTENDANT_FORM, "attendant_id"), "options"),
        Output(ids.field(ids.FORMATIONS_ATTENDANT_FORM, "attendant_id"), "value", allow_duplicate=True),
        Output(ids.FORMATIONS_ATTENDANCE_SUMMARY, "children"),
        Input(ids.field(ids.FORMATIONS_ATTENDANT_FORM, "session_id"), "value"),
        Input(ids.FORMATIONS_ATTENDANTS, "selectedRows"),
        Input(ids.form_saved(ids.FORMATIONS_ATTENDANT_FORM), "data"),
        prevent_initial_call=True,
    )(attendant_choice)
    app.callback(
        Output(ids.FORMATIONS_ATTENDANTS, "getRowsResponse"),
        Input(ids.FORMATIONS_ATTENDANTS, "getRowsRequest"),
        State(ids.field(ids.FORMATIONS_ATTENDANT_FORM, "session_id"), "value"),
        prevent_initial_call=True,
    )(attendant_rows)
    grids.refresh_on(
        app,
        ids.FORMATIONS_ATTENDANTS,
        Input(ids.field(ids.FORMATIONS_ATTENDANT_FORM, "session_id"), "value"),
        Input(ids.form_saved(ids.FORMATIONS_ATTENDANT_FORM), "data"),
    )
    _register_prefill(app, ids.FORMATIONS_TRAINING_FORM, "training_id", TRAINING_FIELDS, fill_training)
    _register_prefill(app, ids.FORMATIONS_SESSION_FORM, "session_id", SESSION_FIELDS, fill_session)
    _register_prefill(app, ids.FORMATIONS_ATTENDANT_FORM, "attendant_id", ATTENDANT_FIELDS, fill_attendant)


def _register_prefill(app, form: str, key: str, names: list[str], fill) -> None:
    """Choosing a row to edit in a form's first select fills the form with its stored values."""
    app.callback(
        [Output(ids.field(form, name), "value") for name in names],
        Input(ids.field(form, key), "value"),
        prevent_initial_call=True,
    )(fill)
