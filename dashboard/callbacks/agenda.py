"""Agenda: filters ↔ URL, the timeline, upcoming dates, map and counts; the event forms and the file import.

Every rule (periods, validation, import) lives in `db.agenda` and `db.interop`; here inputs become calls and
results become components.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import html as html_text
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
import dash_leaflet as dl
import pandas as pd
from dash import ALL, Input, Output, State, ctx, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import ids
from dashboard.callbacks.answers import per_revision
from dashboard.callbacks.forms import acting_user, alert, database
from dashboard.callbacks.shell import edited_record
from dashboard.components import charts
from dashboard.components import format as fmt
from dashboard.components.cards import NO_EVENT, NO_EVENT_ACTION, empty_state
from dashboard.components.entry import edit_button
from dashboard.components.imports import import_report, unusable_file
from dashboard.components.map import base_map, bounds_of, points_layer, points_to_geojson
from dashboard.components.paging import page_inputs, page_outputs, page_targets, requested_page
from dashboard.components.paging import table as paged_table
from dashboard.pages.agenda import AREA, FREE_PLACE, NEW_EVENT, NO_MISSION
from db import agenda as agenda_db
from db import clock, convention
from db.agenda import STATUS_LABELS, AgendaQuery
from db.interop.events import read_events_file
from db.models import AttendanceMode, EventStatus, Role
from db.writes import PermissionDenied, has_role

FILTERS = (
    ids.AGENDA_PERIOD,
    ids.AGENDA_DATE,
    ids.AGENDA_FROM,
    ids.AGENDA_TO,
    ids.AGENDA_CATEGORY,
    ids.AGENDA_COMMUNE,
    ids.AGENDA_STATUS,
    ids.AGENDA_ORGANISER,
    ids.AGENDA_GROUP,
)
PARAMS = ("period", "date", "from", "to", "category", "commune", "status", "organiser", "group")
FEED_PARAMS = ("category", "commune", "status", "organiser")
# The event form's fields: every column it fills (the INSEE code comes from the chosen place) and the dates.
FORM_FIELDS = ("event_id", "occurrences", *(name for name in agenda_db.EVENT_FIELDS if name != "insee"), "mission_id")
FORM_DEFAULTS = {"status": EventStatus.SCHEDULED.value, "attendance_mode": AttendanceMode.OFFLINE.value}
# Beyond this many dates a bar per date is unreadable (and heavy): the timeline shows dates per day instead.
MAX_BARS = 500
MAX_GROUPS = 25  # rows of the timeline; the others are gathered in one
MAX_MAP_POINTS = 500  # places on the events map, those with most events
# One visual class per status family; patterns mark disrupted events without relying on colour alone.
STATUS_STYLES = {
    EventStatus.SCHEDULED: ("Programmé", "#1f4e79", ""),
    EventStatus.RESCHEDULED: ("Programmé", "#1f4e79", ""),
    EventStatus.MOVED_ONLINE: ("Programmé", "#1f4e79", ""),
    EventStatus.FULL: ("Complet", "#0f766e", ""),
    EventStatus.POSTPONED: ("Reporté", "#c2410c", "/"),
    EventStatus.CANCELLED: ("Annulé", "#667085", "x"),
}
STATUS_BADGES = {
    EventStatus.CANCELLED: "secondary",
    EventStatus.POSTPONED: "warning",
    EventStatus.FULL: "info",
    EventStatus.RESCHEDULED: "primary",
    EventStatus.MOVED_ONLINE: "primary",
}
SHORT_MONTHS = fmt.SHORT_MONTHS
WEEKDAYS = ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]


def agenda_query(*values) -> AgendaQuery:
    """The filters' values (in FILTERS order) as the page's query."""
    return AgendaQuery.from_params(dict(zip(PARAMS, values, strict=True)), clock.today())


# --- filters and address -------------------------------------------------------------------------------------------


def sync_url(*values):
    """The address and the iCal feed link follow the filters (the feed keeps its default window of dates)."""
    params = agenda_query(*values).params()
    feed = {key: params[key] for key in FEED_PARAMS if key in params}
    search = f"?{urlencode(params)}" if params else ""
    return search, "/api/v1/agenda.ics" + (f"?{urlencode(feed)}" if feed else "")


def toggle_custom(period):
    return period == "custom", period != "custom"


def shift_period(_previous, _next, period, anchor):
    kind = period if period in agenda_db.PERIOD_KINDS else "month"
    anchor = agenda_db.parse_date(anchor) or clock.today()
    return agenda_db.shift_anchor(kind, anchor, -1 if ctx.triggered_id == ids.AGENDA_PREVIOUS else 1).isoformat()


def filter_options(_refresh):
    with database().session() as session:
        options = agenda_db.filter_options(session)
    every = [{"label": "Toutes", "value": ""}]
    return (
        every + [{"label": c, "value": c} for c in options["categories"]],
        every + [{"label": name, "value": insee} for insee, name in options["communes"]],
        [{"label": "Tous", "value": ""}] + [{"label": o, "value": o} for o in options["organisers"]],
    )


# --- timeline ------------------------------------------------------------------------------------------------------


def period_label(query: AgendaQuery) -> str:
    period = query.resolved
    if query.period == "week":
        return f"Semaine du {fmt.date(period.start)} au {fmt.date(period.end)}"
    if query.period == "month":
        return f"{fmt.MONTHS[period.start.month - 1].capitalize()} {period.start.year}"
    if query.period == "year":
        return f"Année {period.start.year}"
    return f"Du {fmt.date(period.start)} au {fmt.date(period.end)}"


def _labels(frame: pd.DataFrame) -> list[str]:
    """Each occurrence of the frame in words (whole days as days)."""
    return [
        agenda_db.occurrence_label(start, end, all_day)
        for start, end, all_day in zip(frame["start"], frame["end"], frame["all_day"], strict=True)
    ]


def _local_naive(series: pd.Series) -> pd.Series:
    """Paris wall-clock times: what people read on the axis (plotly ignores time zones)."""
    return series.dt.tz_convert(clock.zone()).dt.tz_localize(None)


def _others(count: int, group: str) -> str:
    return f"Autres ({fmt.number(count)} {'lieux' if group == 'place' else 'catégories'})"


def _rows(groups: pd.Series, group: str) -> pd.Series:
    """The timeline's rows for a bar per date, as `dates_per_day` gives them above MAX_BARS (one row per place of a
    regional network would make the chart as heavy as it is unreadable)."""
    totals = groups.value_counts().to_dict()
    kept = agenda_db.top_groups(totals, MAX_GROUPS)
    return groups if kept is None else groups.where(groups.isin(kept), _others(len(totals) - len(kept), group))


def _bars(frame: pd.DataFrame, groups: pd.Series, span: pd.Timedelta) -> list[dict]:
    start, end = _local_naive(frame["start"]), _local_naive(frame["end"])
    # A two-hour workshop on a year-long axis would be invisible: draw at least 1/150 of the period.
    shown = (end - start).clip(lower=span / 150)
    # Whole days already span their days: they start and end at local midnight.
    hover = [
        f"<b>{html_text.escape(title)}</b><br>{when}<br>{html_text.escape(where)}<br>{label}"
        for title, when, where, label in zip(
            frame["title"],
            _labels(frame),
            frame["location_name"].fillna(frame["city"]).fillna("En ligne"),
            frame["status"].map(lambda s: STATUS_LABELS.get(s, s)),
            strict=True,
        )
    ]
    family = frame["status"].map(lambda s: STATUS_STYLES.get(s, STATUS_STYLES[EventStatus.SCHEDULED])[0])
    traces = []
    for name, color, pattern in dict.fromkeys(STATUS_STYLES.values()):
        mask = (family == name).to_numpy()
        if mask.any():
            traces.append(
                {
                    "type": "bar",
                    "name": name,
                    "orientation": "h",
                    "y": groups[mask].tolist(),
                    "base": start[mask].dt.strftime("%Y-%m-%dT%H:%M").tolist(),
                    "x": (shown[mask].dt.total_seconds() * 1000).tolist(),
                    "marker": {"color": color, "pattern": {"shape": pattern, "fgcolor": "#ffffff", "size": 6}},
                    "hovertext": [h for h, keep in zip(hover, mask, strict=True) if keep],
                    "hovertemplate": "%{hovertext}<extra></extra>",
                }
            )
    return traces


def _density(per_day: pd.DataFrame, groups: pd.Series, period) -> list[dict]:
    counts = per_day.groupby([groups.to_numpy(), per_day["day"].to_numpy()])["dates"].sum().unstack(fill_value=0)
    counts = counts.reindex(columns=pd.date_range(period.start, period.end, freq="D"), fill_value=0)
    return [
        {
            "type": "heatmap",
            "z": counts.to_numpy().tolist(),
            "x": counts.columns.strftime("%Y-%m-%d").tolist(),
            "y": [html_text.escape(str(g)) for g in counts.index],
            "colorscale": [[0, "#f2f6fa"], [0.001, "#c9d9ea"], [1, "#1f4e79"]],
            "colorbar": {"title": {"text": "dates"}},
            "hovertemplate": "%{y}<br>%{x|%d/%m/%Y} : %{z} date(s)<extra></extra>",
        }
    ]


def _french_ticks(period) -> dict:
    """Day ticks for short periods; month ticks named in French otherwise (plotly only speaks English)."""
    if period.days <= 62:
        return {"tickformat": "%d/%m"}
    months = pd.date_range(period.start, period.end, freq="MS")
    return {
        "tickvals": months.strftime("%Y-%m-%d").tolist(),
        "ticktext": [
            SHORT_MONTHS[m.month - 1] + (f" {m.year}" if m.month == 1 or i == 0 else "") for i, m in enumerate(months)
        ],
    }


def timeline_panel(dates, counts: agenda_db.PeriodCounts, query: AgendaQuery):
    """The timeline grouped by category or place: a bar per date (`dates` from `occurrences_frame` with the
    group), or, above MAX_BARS dates, the dates per day (`dates` from `dates_per_day`)."""
    period = query.resolved
    if not counts.dates:
        return empty_state("Aucun événement sur cette période avec ces filtres.", "calendar-x")
    dense = counts.dates > MAX_BARS
    if dense:
        others = _others(dates.groups - (MAX_GROUPS - 1), query.group)
        dates = dates.counts
        groups = dates["group"].fillna(others)
        traces = _density(dates, groups, period)
    else:
        groups = _rows(dates["group"], query.group)
        span = pd.Timestamp(period.end + dt.timedelta(days=1)) - pd.Timestamp(period.start)
        traces = _bars(dates, groups, span)
    figure = charts.figure(
        traces,
        height=max(360, 110 + 30 * groups.nunique()),
        margin={"b": 40},
        font={"size": 12},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        hoverlabel={"font": {"color": "#17324d"}},
        barmode="overlay",
        bargap=0.35,
        xaxis={
            "type": "date",
            "range": [period.start.isoformat(), (period.end + dt.timedelta(days=1)).isoformat()],
            **_french_ticks(period),
        },
        yaxis={"autorange": "reversed", "categoryorder": "category ascending"},
    )
    what = "catégorie" if query.group == "category" else "lieu"
    description = (
        f"Frise chronologique : {fmt.number(counts.dates)} date(s) de {fmt.number(counts.events)} "
        f"événement(s), {period_label(query).lower()}, regroupées par {what}"
        + (" (nombre de dates par jour)." if dense else ". Les dates annulées et reportées sont hachurées.")
    )
    note = (
        html.P(
            f"{fmt.number(counts.dates)} dates : trop pour une barre par date, la frise montre le nombre de dates "
            "par jour. Réduire la période ou filtrer pour voir chaque date ; la liste des dates les donne toutes.",
            className="small text-body-secondary mb-2",
        )
        if dense
        else None
    )
    return html.Div([note, charts.chart(figure, description)])


# --- upcoming dates, key figures, map, counts -----------------------------------------------------------------------


def _status_badge(status: str):
    if status == EventStatus.SCHEDULED:
        return None
    color = STATUS_BADGES.get(status, "secondary")
    text = "dark" if color == "warning" else None  # white on amber is unreadable
    return dbc.Badge(STATUS_LABELS.get(status, status), color=color, text_color=text, className="ms-2 agenda-status")


def _when(row) -> str:
    """The badge beside gives the day, so hours on one day only need their weekday; whole days and dates over
    several days are said in full."""
    start, end = clock.local(row.start), clock.local(row.end)
    if not row.all_day and start.date() == end.date():
        return f"{WEEKDAYS[start.weekday()]} {start:%H:%M}–{end:%H:%M}"
    return agenda_db.occurrence_label(row.start, row.end, row.all_day, year=False)


def _place(row) -> str:
    return ", ".join(part for part in (row.location_name, row.city) if isinstance(part, str) and part)


def _where(row) -> str:
    if row.attendance_mode == AttendanceMode.ONLINE:
        return "En ligne"
    return _place(row) + (" · et en ligne" if row.attendance_mode == AttendanceMode.MIXED else "")


def _title(row):
    return html.Del(row.title) if row.status == EventStatus.CANCELLED else row.title


def upcoming_list(frame: pd.DataFrame):
    if frame.empty:
        return empty_state("Aucune date à venir sur cette période avec ces filtres.", "calendar-check")
    items = []
    for row in frame.itertuples():
        day = row.start.tz_convert(clock.zone())
        items.append(
            html.Li(
                [
                    html.Div(
                        [
                            html.Span(day.day, className="day"),
                            html.Span(SHORT_MONTHS[day.month - 1], className="month"),
                        ],
                        className="agenda-date-badge",
                        **{"aria-hidden": "true"},
                    ),
                    html.Div(
                        [
                            html.Div([html.Span(_title(row), className="fw-semibold"), _status_badge(row.status)]),
                            html.Div(
                                [
                                    html.Span(f"{fmt.date(day.date())}, ", className="visually-hidden"),
                                    _when(row),
                                ],
                                className="small",
                            ),
                            html.Div(_where(row), className="small text-body-secondary"),
                        ],
                        className="flex-grow-1",
                    ),
                ],
                className="list-group-item d-flex gap-3 align-items-start"
                + (" agenda-disrupted" if row.status in agenda_db.DISRUPTED else ""),
            )
        )
    # scrollable, so reachable with the keyboard
    return html.Ul(
        items,
        className="list-group list-group-flush agenda-upcoming",
        tabIndex="0",
        **{"aria-label": "Prochaines dates"},
    )


def _stat(label: str, value, icon: str) -> dbc.Col:
    return dbc.Col(
        html.Div(
            [
                html.I(className=f"bi bi-{icon}", **{"aria-hidden": "true"}),
                html.Div([html.Div(fmt.number(value), className="agenda-stat-value"), html.Div(label)]),
            ],
            className="agenda-stat",
        ),
        xs=6,
        lg=3,
    )


def key_stats(counts: agenda_db.PeriodCounts):
    return dbc.Row(
        [
            _stat("événements", counts.events, "calendar-event"),
            _stat("dates", counts.dates, "clock"),
            _stat("communes", counts.communes, "geo-alt"),
            _stat("annulés ou reportés", counts.disrupted, "calendar-x"),
        ],
        className="g-2",
    )


def _point_label(row) -> str:
    """A place with one event says the event (its first date in the period); a place with several, how many."""
    if row.events > 1:
        return f"{_place(row)} — {fmt.number(row.events)} événements, {fmt.number(row.dates)} dates"
    when = agenda_db.occurrence_label(row.start, row.end, row.all_day)
    status = f" ({STATUS_LABELS.get(row.status, row.status)})" if row.status != EventStatus.SCHEDULED else ""
    return f"{row.title} — {when} — {_where(row)}{status}"


def events_map(places: agenda_db.EventPlaces, events: int):
    """One point per place where the filter's events happen (the MAX_MAP_POINTS with most events); the label is
    plain text."""
    scheduled = STATUS_STYLES[EventStatus.SCHEDULED][1]
    # The markers' script draws a point without `color` in the scheduled colour: only other colours are sent (500
    # places make the answer's largest part).
    rows = [
        {"latitude": row.latitude, "longitude": row.longitude, "label": _point_label(row)}
        | ({"color": colour} if (colour := STATUS_STYLES.get(row.status, (0, scheduled))[1]) != scheduled else {})
        for row in places.points.itertuples()
    ]
    geojson = points_to_geojson(rows, properties=("label", "color"))
    note = f"{fmt.number(places.located_events)} événement(s) localisé(s) sur {fmt.number(events)}"
    note += " ; les autres sont en ligne ou sans coordonnées." if places.located_events < events else "."
    if places.places > len(rows):
        note += (
            f" La carte montre les {fmt.number(len(rows))} lieux qui en accueillent le plus, "
            f"sur {fmt.number(places.places)}."
        )
    legend = html.Span(
        [
            html.Span([html.Span("●", style={"color": color}, **{"aria-hidden": "true"}), f" {name}"], className="me-3")
            for name, color, _pattern in dict.fromkeys(STATUS_STYLES.values())
        ],
        className="d-block mt-1",
    )
    the_map = base_map(
        ids.AGENDA_MAP + "-leaflet",
        [points_layer(ids.AGENDA_MAP_LAYER, geojson)],
        bounds=bounds_of(places.points["latitude"], places.points["longitude"]),
        style={"minHeight": "520px", "height": "520px"},
    )
    return the_map, [note, legend]


def _count_table(frame: pd.DataFrame, key: str, heading: str, limit: int = 6):
    if frame.empty:
        return None
    head = html.Thead(
        html.Tr([html.Th(heading), html.Th("Événements", className="text-end"), html.Th("Dates", className="text-end")])
    )
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(row[key]),
                    html.Td(fmt.number(row["events"]), className="text-end"),
                    html.Td(fmt.number(row["occurrences"]), className="text-end"),
                ]
            )
            for row in frame.head(limit).to_dict("records")
        ]
    )
    return dbc.Table([head, body], size="sm", className="mb-3 agenda-counts-table")


def counts_panel(by_month: pd.DataFrame, by_category: pd.DataFrame, by_commune: pd.DataFrame):
    if by_category.empty:
        return empty_state("Aucun événement (hors annulés) sur la période.", "bar-chart")
    parts = []
    if len(by_month) > 2:  # a month chart says nothing about a week or a single month
        one_year = by_month["month"].dt.year.nunique() == 1
        bar = {
            "type": "bar",
            "x": [SHORT_MONTHS[m.month - 1] + ("" if one_year else f" {m.year}") for m in by_month["month"]],
            "y": by_month["events"].tolist(),
            "marker": {"color": charts.BRAND},
            "hovertemplate": "%{x} : %{y} événement(s)<extra></extra>",
        }
        figure = charts.figure(
            [bar], height=200, margin={"l": 30, "b": 30}, showlegend=False, yaxis={"rangemode": "tozero"}
        )
        summary = ", ".join(
            f"{fmt.MONTHS[m.month - 1]} {n}" for m, n in zip(by_month["month"], by_month["events"], strict=True)
        )
        parts.append(html.H3("Événements par mois", className="h6"))
        parts.append(charts.chart(figure, f"Événements par mois : {summary}."))
    parts.append(_count_table(by_category, "category", "Catégorie"))
    parts.append(_count_table(by_commune, "commune", "Commune"))
    parts.append(html.P("Hors événements annulés.", className="small text-body-secondary mb-0"))
    return html.Div(parts)


def panels(*values):
    """Everything a filter change shows but the list of dates: each from one query, counted by the database."""
    query = agenda_query(*values[: len(FILTERS)])
    filters = query.filters()
    with database().session() as session:
        found = agenda_db.panels(session, filters, query.group, MAX_BARS, MAX_GROUPS, MAX_MAP_POINTS)
        upcoming = agenda_db.upcoming_frame(session, filters, clock.utcnow(), limit=8)  # moves with the clock
        empty_base = not found.counts.dates and not agenda_db.has_events(session)
    counts = found.counts
    the_map, note = events_map(found.places, counts.events)
    if empty_base:
        nothing = empty_state(NO_EVENT, "calendar-x", NO_EVENT_ACTION)
        return period_label(query), key_stats(counts), nothing, nothing, the_map, note, nothing
    return (
        period_label(query),
        key_stats(counts),
        timeline_panel(found.dates, counts, query),
        upcoming_list(upcoming),
        the_map,
        note,
        counts_panel(found.by_month, found.by_category, found.by_commune),
    )


def _edit(row):
    return edit_button(
        AREA, ids.AGENDA_EVENT_FORM, "Modifier", row.event_id, **{"aria-label": f"Modifier « {row.title} »"}
    )


def dates_list(*values):
    """The period's dates, a page at a time, in the chosen order."""
    query = agenda_query(*values[: len(FILTERS)])
    sort, shown = values[len(FILTERS)], values[-1]
    with database().session() as session:
        page = agenda_db.occurrences_page(
            session, query.filters(), requested_page(ids.AGENDA_DATES, shown), sort or "date"
        )
    editor = has_role(acting_user(), Role.COORDINATOR)  # a date's « Modifier » opens its event in the entry panel
    rows = [
        [
            agenda_db.occurrence_label(row.start, row.end, row.all_day),
            [_title(row), _status_badge(row.status)],
            row.category or "Sans catégorie",
            _where(row) or "Lieu non précisé",
        ]
        + ([_edit(row)] if editor else [])
        for row in page.rows.itertuples()
    ]
    headers = ["Date", "Événement", "Catégorie", "Lieu"] + (["Action"] if editor else [])
    return page_outputs(page, paged_table(f"Dates de la période, {period_label(query).lower()}", headers, rows))


# --- forms ----------------------------------------------------------------------------------------------------------


def save_event(session, actor, **values) -> str:
    creating = not values.get("event_id")
    event = agenda_db.save_event(session, actor, **values)
    dates = len(event.occurrences)
    verb = "ajouté" if creating else "mis à jour"
    return f"Événement « {event.title} » {verb} ({dates} date{'s' if dates > 1 else ''})."


def change_status(session, actor, **values) -> str:
    event = agenda_db.set_event_status(session, actor, **values)
    return f"« {event.title} » : {STATUS_LABELS[EventStatus(event.status)].lower()}."


FORMS = {ids.AGENDA_EVENT_FORM: save_event, ids.AGENDA_STATUS_FORM: change_status}


def team_options(_saved, _status_saved, _refresh):
    with database().session() as session:
        events = agenda_db.event_choices(session)
        places = agenda_db.place_choices(session)
        categories = agenda_db.filter_options(session)["categories"]
        missions = [
            {"label": f"{m.title} ({m.convention})", "value": str(m.id)} for m in convention.all_missions(session)
        ]
    event_options = [{"label": label, "value": str(i)} for i, label in events]
    return (
        [NEW_EVENT, *event_options],
        event_options,
        [FREE_PLACE, *({"label": label, "value": str(pk)} for pk, label in places)],
        [html.Option(value=c) for c in categories],
        [NO_MISSION, *missions],
    )


def fill_form(_open, _load, _edits, event_id, options):
    """Blank form on « Saisir », the chosen event's values on « Charger » or on a date's « Modifier »."""
    if ctx.triggered_id == ids.AGENDA_FORM_LOAD:
        chosen = event_id
    elif isinstance(ctx.triggered_id, dict) and ctx.triggered_id["type"] == "entry-edit":
        chosen = edited_record()
        if chosen is None:  # the list drawn again: no click
            raise PreventUpdate
    else:
        chosen = None
    values = {"event_id": "", **FORM_DEFAULTS}
    if chosen:
        with database().session() as session:
            loaded = agenda_db.event_form_values(session, int(chosen))
            label = dict(agenda_db.event_choices(session)).get(int(chosen)) if loaded else None
        if loaded:
            values = {"event_id": str(chosen), **{k: v for k, v in loaded.items() if v is not None}}
            if not any(option["value"] == str(chosen) for option in options or []):  # older than the choices listed
                options = [*options, {"label": label or loaded.get("title") or str(chosen), "value": str(chosen)}]
    fields = [values.get(name) if values.get(name) is not None else "" for name in FORM_FIELDS]
    return [*fields, *("" for _ in FORM_FIELDS), None, options or no_update]  # values, messages, alert, choices


def pick_on_map(click):
    """A click on the form's map gives the free location's coordinates (and leaves the network's places)."""
    point = click["latlng"]  # {"lat", "lng"} from dash-leaflet
    latitude, longitude = round(point["lat"], 5), round(point["lng"], 5)
    marker = dl.CircleMarker(center=[latitude, longitude], radius=8, color="#c2410c")
    return str(latitude), str(longitude), "", [marker]


def after_save(_saved, _status_saved, event_message, status_message, refresh):
    """After a successful save (the shared form callback bumps a form's counter only then): repeat the outcome on the
    page, refresh the panels. The entry panel stays open for the next entry."""
    message = event_message if ctx.triggered_id == ids.form_saved(ids.AGENDA_EVENT_FORM) else status_message
    return message, (refresh or 0) + 1


def decode_upload(contents: str) -> bytes:
    return base64.b64decode(contents.split(",", 1)[1], validate=False)


def import_file(contents, filename, refresh):
    if not contents:
        return no_update, no_update
    try:
        parsed = read_events_file(filename or "", decode_upload(contents), clock.today())
        with database().transaction() as session:
            report = agenda_db.import_events(session, acting_user(), parsed)
    except PermissionDenied as error:
        return alert(str(error), "warning"), no_update
    except (ValueError, binascii.Error) as error:  # UnusableFile is a ValueError
        return unusable_file(filename, error), no_update
    return import_report(report, filename), (refresh or 0) + 1


def register(app) -> None:
    filters = [Input(component, "value") for component in FILTERS]
    app.callback(
        Output(ids.AGENDA_URL, "search"),
        Output(ids.AGENDA_FEED_LINK, "href"),
        *filters,
    )(sync_url)
    app.callback(
        Output(ids.AGENDA_ANCHOR_BOX, "hidden"),
        Output(ids.AGENDA_CUSTOM_BOX, "hidden"),
        Input(ids.AGENDA_PERIOD, "value"),
    )(toggle_custom)
    app.callback(
        Output(ids.AGENDA_DATE, "value"),
        Input(ids.AGENDA_PREVIOUS, "n_clicks"),
        Input(ids.AGENDA_NEXT, "n_clicks"),
        State(ids.AGENDA_PERIOD, "value"),
        State(ids.AGENDA_DATE, "value"),
        prevent_initial_call=True,
    )(shift_period)
    app.callback(
        Output(ids.AGENDA_CATEGORY, "options"),
        Output(ids.AGENDA_COMMUNE, "options"),
        Output(ids.AGENDA_ORGANISER, "options"),
        Input(ids.AGENDA_REFRESH, "data"),
    )(per_revision(agenda_db.PANEL_AREAS)(filter_options))
    app.callback(
        Output(ids.AGENDA_PERIOD_LABEL, "children"),
        Output(ids.AGENDA_KPIS, "children"),
        Output(ids.AGENDA_TIMELINE, "children"),
        Output(ids.AGENDA_UPCOMING, "children"),
        Output(ids.AGENDA_MAP, "children"),
        Output(ids.AGENDA_MAP_NOTE, "children"),
        Output(ids.AGENDA_COUNTS, "children"),
        *filters,
        Input(ids.AGENDA_REFRESH, "data"),
    )(per_revision(agenda_db.PANEL_AREAS, moves_with_the_clock=True)(panels))
    app.callback(
        *page_targets(ids.AGENDA_DATES),
        *filters,
        Input(ids.AGENDA_DATES_SORT, "value"),
        Input(ids.AGENDA_REFRESH, "data"),
        *page_inputs(ids.AGENDA_DATES),
    )(per_revision(agenda_db.PANEL_AREAS)(dates_list))
    # Coordinators only (these components exist only for them).
    app.callback(
        Output(ids.field(ids.AGENDA_EVENT_FORM, "event_id"), "options"),
        Output(ids.field(ids.AGENDA_STATUS_FORM, "event_id"), "options"),
        Output(ids.field(ids.AGENDA_EVENT_FORM, "place_pk"), "options"),
        Output(ids.AGENDA_CATEGORY_LIST, "children"),
        Output(ids.field(ids.AGENDA_EVENT_FORM, "mission_id"), "options"),
        Input(ids.form_saved(ids.AGENDA_EVENT_FORM), "data"),
        Input(ids.form_saved(ids.AGENDA_STATUS_FORM), "data"),
        Input(ids.AGENDA_REFRESH, "data"),
    )(team_options)
    app.callback(
        [Output(ids.field(ids.AGENDA_EVENT_FORM, name), "value", allow_duplicate=True) for name in FORM_FIELDS],
        [
            Output(ids.field_error(ids.AGENDA_EVENT_FORM, name), "children", allow_duplicate=True)
            for name in FORM_FIELDS
        ],
        Output(ids.form_alert(ids.AGENDA_EVENT_FORM), "children", allow_duplicate=True),
        Output(ids.field(ids.AGENDA_EVENT_FORM, "event_id"), "options", allow_duplicate=True),
        Input(ids.entry_open(AREA), "n_clicks"),
        Input(ids.AGENDA_FORM_LOAD, "n_clicks"),
        Input(ids.entry_edit(AREA, ids.AGENDA_EVENT_FORM, ALL), "n_clicks"),
        State(ids.field(ids.AGENDA_EVENT_FORM, "event_id"), "value"),
        State(ids.field(ids.AGENDA_EVENT_FORM, "event_id"), "options"),
        prevent_initial_call=True,
    )(fill_form)
    app.callback(
        Output(ids.field(ids.AGENDA_EVENT_FORM, "latitude"), "value", allow_duplicate=True),
        Output(ids.field(ids.AGENDA_EVENT_FORM, "longitude"), "value", allow_duplicate=True),
        Output(ids.field(ids.AGENDA_EVENT_FORM, "place_pk"), "value", allow_duplicate=True),
        Output(ids.AGENDA_PICK_MARKER, "children"),
        Input(ids.AGENDA_PICK_MAP, "clickData"),
        prevent_initial_call=True,
    )(pick_on_map)
    app.callback(
        Output(ids.AGENDA_NOTICE, "children"),
        Output(ids.AGENDA_REFRESH, "data"),
        Input(ids.form_saved(ids.AGENDA_EVENT_FORM), "data"),
        Input(ids.form_saved(ids.AGENDA_STATUS_FORM), "data"),
        State(ids.form_alert(ids.AGENDA_EVENT_FORM), "children"),
        State(ids.form_alert(ids.AGENDA_STATUS_FORM), "children"),
        State(ids.AGENDA_REFRESH, "data"),
        prevent_initial_call=True,
    )(after_save)
    # Admins only.
    app.callback(
        Output(ids.AGENDA_IMPORT_REPORT, "children"),
        Output(ids.AGENDA_REFRESH, "data", allow_duplicate=True),
        Input(ids.AGENDA_UPLOAD, "contents"),
        State(ids.AGENDA_UPLOAD, "filename"),
        State(ids.AGENDA_REFRESH, "data"),
        prevent_initial_call=True,
    )(import_file)
