"""Matériel: utilisation panels, booking calendar, loan follow-up, catalogue, exports, and the forms' write calls.

Every figure comes from `db.materiel`; here inputs become a period and `db/` results become components."""

from __future__ import annotations

import datetime as dt

import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, Input, Output, State, ctx, html, no_update
from dash.exceptions import PreventUpdate

from dashboard import ids
from dashboard.callbacks.answers import per_revision
from dashboard.callbacks.exports import send_frame
from dashboard.callbacks.forms import acting_user, database
from dashboard.components import charts, grids
from dashboard.components import format as fmt
from dashboard.components.cards import empty_state, figure_notes, more_in_export
from dashboard.components.gauges import BRAND, gauge_chart
from dashboard.pages.materiel import LOANS_ANCHOR, NEW_ITEM, loans_grid
from db import clock, convention, paging
from db import materiel as materiel_db
from db.figures import KeyFigure
from db.models import Role
from db.periods import Period
from db.writes import ValidationError, has_role

OVERDUE = "#b42318"
STATUS_COLOURS = {"current": BRAND, "upcoming": "#6f9fd0", "overdue": OVERDUE, "returned": "#98a2b3"}
STATUS_BADGES = {"current": "primary", "upcoming": "info", "overdue": "danger", "returned": "secondary"}
MARGIN = {"l": 8, "r": 8, "t": 8, "b": 8}
MONTH_ABBREVIATIONS = fmt.SHORT_MONTHS
SAVED = Input(ids.form_saved(ALL), "data")  # any form of the page saved: refresh what it may change


# --- forms -----------------------------------------------------------------------------------------------------


def save_loan(session, actor, **fields) -> str:
    loan = materiel_db.create_loan(session, actor, **fields)
    dates = materiel_db.loan_dates(loan.start_date, loan.end_date)
    return f"Prêt n° {loan.id} enregistré : {loan.item.name} pour {loan.borrower_name}, {dates}."


ACTIONS = {
    "return": (materiel_db.return_loan, "returned_on", "Prêt n° {id} marqué rendu le {day:%d/%m/%Y}."),
    "extend": (materiel_db.extend_loan, "end_date", "Prêt n° {id} prolongé jusqu'au {day:%d/%m/%Y}."),
    "cancel": (materiel_db.cancel_loan, None, "Prêt n° {id} annulé : ses dates sont libérées."),
}


def act_on_loan(session, actor, *, loan_id=None, action=None, date=None) -> str:
    """One form for the three follow-up actions; the `db/` function's date field is the form's `date`."""
    if not isinstance(action, str) or action not in ACTIONS:
        raise ValidationError({"action": "Choisir une action."})
    write, date_field, message = ACTIONS[action]
    try:
        loan = write(session, actor, loan_id=loan_id, **({date_field: date} if date_field else {}))
    except ValidationError as error:
        raise ValidationError(
            {("date" if key == date_field else key): text for key, text in error.errors.items()}
        ) from None
    return message.format(id=loan.id, day=materiel_db.loan_end(loan.end_date, loan.returned_on))


def save_item(session, actor, *, item_id=None, **fields) -> str:
    created = item_id in (None, "", NEW_ITEM)
    item = materiel_db.save_item(session, actor, item_id=None if created else item_id, **fields)
    return f"Article « {item.name} » {'ajouté au catalogue' if created else 'mis à jour'}."


FORMS = {
    ids.MATERIEL_LOAN_FORM: save_loan,
    ids.MATERIEL_LOAN_ACTION_FORM: act_on_loan,
    ids.MATERIEL_ITEM_FORM: save_item,
}


# --- period ------------------------------------------------------------------------------------------------------


def period_of(year, start, end) -> tuple[Period, str]:
    """The selected year, or the date range when both ends are given and in order; a note says which."""
    try:
        chosen = Period.year(int(year))
    except (TypeError, ValueError):
        chosen = Period.year(clock.today().year)
    if not start and not end:
        return chosen, f"Période : année {chosen.start.year}."
    try:
        first, last = dt.date.fromisoformat(start or ""), dt.date.fromisoformat(end or "")
    except ValueError:
        return chosen, f"Indiquer les deux dates de la plage ; en attendant, année {chosen.start.year}."
    if last < first:
        return chosen, f"La fin de la plage précède son début ; en attendant, année {chosen.start.year}."
    period = Period(first, last)
    return period, f"Période : {period.label} ({fmt.number(period.days)} jours)."


# --- panels ------------------------------------------------------------------------------------------------------


def _figure(traces: list[dict], height: int, **changes) -> dict:
    """The Matériel's charts: the kit's theme, tight margins, no legend."""
    return charts.figure(traces, **charts.merged({"height": height, "margin": MARGIN, "showlegend": False}, changes))


def _kpi(label: str, value: str, icon: str, detail: str, key: str, note: str = "", estimated: bool = False) -> dbc.Col:
    return dbc.Col(
        dbc.Card(
            dbc.CardBody(
                [
                    html.Div(
                        [html.I(className=f"bi bi-{icon} me-2", **{"aria-hidden": "true"}), label],
                        className="kpi-label",
                    ),
                    html.Div(value, className="kpi-value", **{"data-figure": key}),
                    html.Div(detail, className="kpi-detail small mb-0"),
                    figure_notes(KeyFigure(key, label, None, "", None, note=note, estimated=estimated)),
                ]
            ),
            className="kpi-card h-100",
        ),
        md=6,
        xl=3,
        className="mb-3",
    )


def summary(result: materiel_db.Utilisation) -> dbc.Row:
    imputed = result.estimated_interventions
    return dbc.Row(
        [
            _kpi("Jours de prêt", fmt.number(result.total_loan_days), "box-seam",
                 "Jours calendaires, bornes incluses, × unités, hors annulés", "materiel_loan_days"),
            _kpi("Taux d'utilisation", f"{fmt.number(result.rate * 100, 1)} %", "speedometer2",
                 f"sur {fmt.number(result.total_available_days)} jours disponibles", "materiel_rate",
                 result.availability.note, result.availability.estimated),
            _kpi("Interventions rendues possibles", fmt.number(result.total_interventions), "people",
                 "Nombre saisi sur chaque prêt", "materiel_interventions",
                 f"Dont {fmt.number(imputed)} estimées. {materiel_db.INTERVENTIONS_RULE}" if imputed else "",
                 bool(imputed)),
            _kpi("Prêts", fmt.number(int(result.items["loans"].sum())), "arrow-left-right",
                 f"{len(result.borrowers)} structures emprunteuses", "materiel_loans"),
        ]
    )  # fmt: skip


GAUGES_SHOWN = 40  # a regional catalogue has hundreds of items: the busiest are shown, the export has them all
CATALOGUE_SHOWN = 100


def gauges(result: materiel_db.Utilisation):
    if result.items.empty:
        return empty_state("Aucun article au catalogue : ajoutez-en un dans le formulaire « Catalogue ».")
    busiest = result.items.sort_values(["rate", "loan_days"], ascending=False, kind="stable")
    return html.Div(
        [
            gauge_chart(busiest.head(GAUGES_SHOWN)),
            more_in_export(len(busiest) - GAUGES_SHOWN, "articles, moins utilisés", "Utilisation par article"),
        ]
    )


def category_chart(result: materiel_db.Utilisation):
    frame = result.categories
    if frame["loan_days"].sum() == 0:
        return empty_state("Aucun prêt sur la période.")
    frame = frame.sort_values("loan_days")
    bar = {
        "type": "bar",
        "x": frame["loan_days"].tolist(),
        "y": frame["category"].tolist(),
        "orientation": "h",
        "marker": {"color": BRAND},
        "text": [fmt.number(v) for v in frame["loan_days"]],
        "textposition": "outside",
        "cliponaxis": False,
        "customdata": [fmt.number(r * 100, 1) for r in frame["rate"]],
        "hovertemplate": "%{y} : %{x} jours de prêt (taux %{customdata} %)<extra></extra>",
    }
    description = "Jours de prêt par catégorie : " + ", ".join(
        f"{row.category} {row.loan_days}" for row in frame.iloc[::-1].itertuples()
    )
    return charts.chart(_figure([bar], 60 + 36 * len(frame)), description)


def month_chart(result: materiel_db.Utilisation):
    frame = result.months
    if frame["loan_days"].sum() == 0:
        return empty_state("Aucun prêt sur la période.")
    one_year = frame["month"].iloc[0].year == frame["month"].iloc[-1].year
    labels = [MONTH_ABBREVIATIONS[m.month - 1] + ("" if one_year else f" {m.year}") for m in frame["month"]]
    bar = {
        "type": "bar",
        "x": labels,
        "y": frame["loan_days"].tolist(),
        "marker": {"color": BRAND},
        "customdata": [fmt.number(r * 100, 1) for r in frame["rate"]],
        "hovertemplate": "%{x} : %{y} jours de prêt (taux %{customdata} %)<extra></extra>",
    }
    description = "Jours de prêt par mois : " + ", ".join(
        f"{fmt.MONTHS[m.month - 1]} {m.year} {v}" for m, v in zip(frame["month"], frame["loan_days"], strict=True)
    )
    return charts.chart(
        _figure([bar], 300, yaxis={"title": {"text": "Jours de prêt"}, "rangemode": "tozero"}), description
    )


def table(
    frame: pd.DataFrame, columns: dict[str, str], limit: int = 12, numeric=("loans", "loan_days", "interventions")
):
    """The first rows of a totals frame as a compact table; the export has them all."""
    if frame.empty:
        return empty_state("Aucun prêt sur la période.")
    rows = [
        html.Tr(
            [
                html.Td(fmt.number(row[key]) if key in numeric else (row[key] or "—"), className="text-end" if key in numeric else None)
                for key in columns
            ]
        )
        for _, row in frame.head(limit).iterrows()
    ]  # fmt: skip
    more = len(frame) - limit
    return html.Div(
        [
            dbc.Table(
                [
                    html.Thead(
                        html.Tr([html.Th(label, className="text-end" if key in numeric else None) for key, label in columns.items()])
                    ),
                    html.Tbody(rows),
                ],
                size="sm",
                hover=True,
                responsive=True,
                className="mb-0",
            ),
            html.P(f"… et {more} autres (voir l'export).", className="small text-body-secondary mb-0") if more > 0 else None,
        ]
    )  # fmt: skip


BORROWER_COLUMNS = {"borrower": "Structure", "commune": "Commune", "loans": "Prêts", "loan_days": "Jours"}
COMMUNE_COLUMNS = {"commune": "Commune", "epci": "EPCI", "loans": "Prêts", "loan_days": "Jours"}
EPCI_COLUMNS = {"epci": "EPCI", "loans": "Prêts", "loan_days": "Jours", "interventions": "Interv."}


def _utilisation(period: Period) -> materiel_db.Utilisation:
    with database().session() as session:
        return materiel_db.utilisation(session, period)  # kept per revision: the upper and lower panels share it


def panels(year, start, end, _saved):
    period, note = period_of(year, start, end)
    result = _utilisation(period)
    return note, summary(result), gauges(result)


def loans(seen):
    """The loans grid, once the reader comes near it (cards.reveal_marker): its rows come from `loan_rows`."""
    if not seen:
        raise PreventUpdate
    return loans_grid(has_role(acting_user(), Role.COORDINATOR))


def lower_panels(seen, year, start, end, _saved):
    """The panels below the loans, once the reader comes near them (cards.reveal_marker)."""
    if not seen:
        raise PreventUpdate
    result = _utilisation(period_of(year, start, end)[0])
    return (
        category_chart(result),
        month_chart(result),
        table(result.borrowers, BORROWER_COLUMNS),
        table(result.communes, COMMUNE_COLUMNS),
        table(result.epcis, EPCI_COLUMNS),
    )


# --- calendar and follow-up ---------------------------------------------------------------------------------------

WINDOW_WEEKS = 4  # the calendar shows four weeks at a time: a light figure whatever the number of loans
CALENDAR_ROWS = 25  # and 25 rows (items, or lanes of an item) at a time: at five years, 4 weeks hold 110 rows
OVERDUE_SHOWN = 5  # the most overdue loans named in their panel; the list shows them all, page by page
STATUS_SCOPES = {
    "open": materiel_db.OPEN_STATUSES,
    "overdue": ("overdue",),
    "current": ("current",),
    "upcoming": ("upcoming",),
    "returned": ("returned",),
    "all": tuple(materiel_db.LOAN_STATUS_LABELS),
}


def _dates(row) -> str:
    return materiel_db.loan_dates(row.start_date, row.end_date, row.returned_on)


def _lanes(frame: pd.DataFrame) -> pd.Series:
    """The calendar row of each loan: one row per item, or one per lane when its loans overlap (several units),
    so that no booking hides another."""
    rows = pd.Series(frame["item"], index=frame.index)
    for item, loans in frame.sort_values(["start_date", "id"]).groupby("item", sort=False):
        lane_ends: list[dt.date] = []
        lanes = {}
        for index, start, end, returned in zip(
            loans.index, loans["start_date"], loans["end_date"], loans["returned_on"], strict=True
        ):
            lane = next((n for n, last in enumerate(lane_ends) if last < start), len(lane_ends))
            lane_ends[lane : lane + 1] = [materiel_db.loan_end(end, returned)]
            lanes[index] = lane
        if len(lane_ends) > 1:
            for index, lane in lanes.items():
                rows[index] = f"{item} · {lane + 1}"
    return rows


def calendar_window(start: str | None, today: dt.date) -> Period:
    """The four weeks shown: from `start` (a Monday), by default from the Monday of last week."""
    try:
        first = dt.date.fromisoformat(start or "")
    except ValueError:
        first = today - dt.timedelta(days=today.weekday() + 7)
    return Period(first, first + dt.timedelta(weeks=WINDOW_WEEKS, days=-1))


def _bar_end(row, today: dt.date) -> dt.date:
    """The day after a bar: an overdue loan holds its item until today at least, so it stays in sight."""
    last = materiel_db.loan_end(row.end_date, row.returned_on)
    return max(last, today) + dt.timedelta(days=1) if row.status == "overdue" else last + dt.timedelta(days=1)


def calendar_rows(frame: pd.DataFrame, first: int) -> tuple[pd.DataFrame, int, int]:
    """The loans of the calendar's rows `first` to `first` + CALENDAR_ROWS (moved back onto the last page when the
    rows are fewer), each with its row; the first row shown and how many rows there are."""
    frame = frame.assign(row=_lanes(frame))
    rows = sorted(frame["row"].unique())
    first = max(0, min(first, (len(rows) - 1) // CALENDAR_ROWS * CALENDAR_ROWS))
    return frame[frame["row"].isin(rows[first : first + CALENDAR_ROWS])], first, len(rows)


def calendar_chart(frame: pd.DataFrame, today: dt.date, window: Period, rows_note: str = ""):
    """The loans of `frame` (with their `row`), as bars on the four weeks of `window`."""
    if frame.empty:
        return empty_state("Aucun prêt sur ces semaines.", "calendar3")
    traces = []
    for status, label in materiel_db.LOAN_STATUS_LABELS.items():
        part = frame[frame["status"] == status]
        if part.empty:
            continue
        # A plain figure dict, one trace per state: plotly's graph objects validate every bar again, slowly.
        traces.append(
            {"type": "bar", "orientation": "h", "name": label, "y": part["row"].tolist(),
             "base": [f"{d:%Y-%m-%d}" for d in part["start_date"]],
             "x": [(_bar_end(r, today) - r.start_date).days * 86_400_000 for r in part.itertuples()],
             "marker": {"color": STATUS_COLOURS[status], "line": {"color": "white", "width": 1}},
             "hovertext": [f"n° {r.id} · {r.borrower}<br>{_dates(r)}" + (f" · {r.units} unités" if r.units > 1 else "")
                           for r in part.itertuples()],
             "hovertemplate": f"<b>%{{y}}</b> · {label}<br>%{{hovertext}}<extra></extra>"}
        )  # fmt: skip
    items = sorted(frame["row"].unique())
    figure = _figure(
        traces,
        90 + 30 * len(items),
        barmode="overlay",
        showlegend=True,
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.01, "x": 0},
        margin={"t": 40},
        xaxis={"type": "date", "tickformat": "%d/%m",
               "range": [f"{window.start:%Y-%m-%d}", f"{window.end + dt.timedelta(days=1):%Y-%m-%d}"]},
        yaxis={"categoryorder": "array", "categoryarray": items[::-1]},
        shapes=[{"type": "line", "xref": "x", "yref": "paper", "x0": f"{today:%Y-%m-%d}", "x1": f"{today:%Y-%m-%d}",
                 "y0": 0, "y1": 1, "line": {"color": charts.ACCENT, "width": 2, "dash": "dot"}}],
    )  # fmt: skip
    counts = frame["status"].value_counts()
    description = (
        f"Calendrier des réservations {window.label} : {counts.get('current', 0)} prêts en cours, "
        f"{counts.get('upcoming', 0)} à venir, {counts.get('overdue', 0)} en retard, "
        f"{counts.get('returned', 0)} rendus{rows_note}."
    )
    return charts.chart(figure, description)


def shift_window(_previous, _today, _next, start):
    """The calendar's arrows move it by its four weeks; « Aujourd'hui » brings it back."""
    today = clock.today()
    if ctx.triggered_id == ids.MATERIEL_CALENDAR_TODAY:
        return None
    step = dt.timedelta(weeks=WINDOW_WEEKS if ctx.triggered_id == ids.MATERIEL_CALENDAR_NEXT else -WINDOW_WEEKS)
    return (calendar_window(start, today).start + step).isoformat()


def shift_rows(_previous, _next, first):
    step = CALENDAR_ROWS if ctx.triggered_id == ids.MATERIEL_CALENDAR_ROWS_NEXT else -CALENDAR_ROWS
    return max(0, (first or 0) + step)


def calendar(start, first, _saved):
    today = clock.today()
    window = calendar_window(start, today)
    with database().session() as session:
        frame = materiel_db.calendar_loans(session, today, window)
    shown, first, total = calendar_rows(frame, first or 0) if not frame.empty else (frame, 0, 0)
    last = min(first + CALENDAR_ROWS, total)
    rows = f"Articles {first + 1} à {last} sur {total}" if total > CALENDAR_ROWS else ""
    return (
        calendar_chart(shown, today, window, f" ; {rows.lower()} affichés" if rows else ""),
        f"Semaines {window.label}",
        rows,
        total <= CALENDAR_ROWS,
        first == 0,
        last >= total,
    )


def overdue_list(page: paging.Page, today: dt.date):
    if page.total == 0:
        return empty_state("Aucun prêt en retard : tout le matériel attendu est rentré.", "check2-circle")
    return [
        html.Ul(
            [
                html.Li(
                    [
                        html.Div([html.Strong(row.item), f" · prêt n° {row.id}"]),
                        html.Div(f"{row.borrower}" + (f" ({row.commune})" if row.commune else "")),
                        html.Div(
                            f"Fin prévue le {row.end_date:%d/%m/%Y} : {(today - row.end_date).days} jours de retard",
                            className="overdue-days",
                        ),
                    ],
                    className="overdue-item",
                )
                for row in page.rows.itertuples()
            ],
            className="overdue-list list-unstyled mb-2",
        ),
        dbc.Button(
            f"Voir les {fmt.number(page.total)} prêts en retard dans la liste"
            if page.total > 1
            else "Voir ce prêt dans la liste",
            id=ids.MATERIEL_SHOW_OVERDUE,
            href=f"#{LOANS_ANCHOR}",
            external_link=True,
            color="danger",
            outline=True,
            size="sm",
        ),
    ]


def overdue(_page, _saved):
    """The longest overdue loans, and how many there are."""
    today = clock.today()
    request = paging.PageRequest(
        (paging.Filter("status", "in", ("overdue",)),), (paging.Sort("end_date"),), 0, OVERDUE_SHOWN
    )
    with database().session() as session:
        page = materiel_db.loan_page(session, today, request)
    return overdue_list(page, today)


def show_overdue(clicks):
    """The overdue panel's button shows them in the list (the button appearing fires this too: not a click)."""
    return "overdue" if clicks else no_update


def loan_label(row) -> str:
    """How a loan is named in the follow-up form."""
    late = " (en retard)" if row.status == "overdue" else ""
    return f"n° {row.id} · {row.item} · {row.borrower} · {_dates(row)}{late}"


def loan_rows(request, scope):
    """A page of the loans to follow, for the grid: sorted and filtered on the server."""
    today = clock.today()
    states = paging.Filter("status", "in", STATUS_SCOPES.get(scope, materiel_db.OPEN_STATUSES))
    try:
        with database().session() as session:
            page = materiel_db.loan_page(session, today, grids.page_request(request, states))
    except ValueError:
        return grids.NO_ROWS
    rows = [
        {
            "id": str(row.id),  # the grid's row ids are texts
            "status": materiel_db.LOAN_STATUS_LABELS[row.status],
            "overdue": row.status == "overdue",
            "item": row.item + (f" × {row.units}" if row.units > 1 else ""),
            "borrower": row.borrower,
            "commune": row.commune,
            "start_date": grids.date_text(row.start_date),
            "end_date": grids.date_text(row.end_date),
            "returned_on": grids.date_text(row.returned_on),
            "label": loan_label(row),
        }
        for row in page.rows.itertuples()
    ]
    return grids.rows_response(rows, page.total)


def choose_loan(selected):
    """A loan chosen in the list becomes the follow-up form's loan."""
    if not selected:
        return no_update, no_update
    row = selected[0]
    return [{"label": row["label"], "value": str(row["id"])}], str(row["id"])


# What an item is today: « prêtable » (in the catalogue) is not « disponible aujourd'hui ». The tone colours the cell.
def today_state(row, out) -> tuple[str, str]:
    if not row.active:
        return "Retiré du catalogue", "retired"
    units_out = int(out.at[row.id, "units_out"]) if row.id in out.index else 0
    overdue = int(out.at[row.id, "overdue"]) if row.id in out.index else 0
    if overdue:
        return f"En retard ({units_out} sur {row.units} sortie{'s' if units_out > 1 else ''})", "late"
    if units_out >= row.units:
        return "En prêt", "out"
    if units_out:
        return f"Disponible aujourd'hui : {row.units - units_out} sur {row.units}", "free"
    return "Disponible aujourd'hui", "free"


CATALOGUE_GRID_COLUMNS = [
    {"field": "name", "headerName": "Article", "minWidth": 160, "cellClass": "fw-semibold"},
    {"field": "category", "headerName": "Catégorie", "minWidth": 120},
    {"field": "units", "headerName": "Unités", "width": 90, "type": "rightAligned"},
    {"field": "listed", "headerName": "Au catalogue", "width": 120},
    {"field": "today", "headerName": "Aujourd'hui", "minWidth": 180,
     "cellClassRules": {f"item-{tone}": f"params.data.tone === '{tone}'" for tone in ("late", "out", "free", "retired")}},
    {"field": "description", "headerName": "Description", "minWidth": 220, "flex": 2, "tooltipField": "description"},
]  # fmt: skip


def catalogue(seen, _saved):
    if not seen:  # below the fold: drawn when the reader comes near (cards.reveal_marker)
        raise PreventUpdate
    with database().session() as session:
        items = materiel_db.list_items(session)
        out = materiel_db.items_today(session, clock.today())
    if items.empty:
        return empty_state("Le catalogue est vide.", "box-seam")
    rows = []
    for row in items.head(CATALOGUE_SHOWN).itertuples():
        today, tone = today_state(row, out)
        rows.append({"name": row.name, "category": row.category, "units": row.units,
                     "listed": "Prêtable" if row.active else "Retiré", "today": today, "tone": tone,
                     "description": row.description or "—"})  # fmt: skip
    grid = grids.client_grid(ids.MATERIEL_CATALOGUE_GRID, CATALOGUE_GRID_COLUMNS, rows)
    return html.Div([grid, more_in_export(len(items) - CATALOGUE_SHOWN, "articles", "Articles")])


def form_options(*_saved):
    """Choices of the coordinators' forms: active items, places, communes, the whole catalogue. The loan to follow
    up is chosen in the list of loans (`choose_loan`)."""
    with database().session() as session:
        items = materiel_db.list_items(session)
        places = materiel_db.borrower_places(session)
        communes = materiel_db.communes(session)
        missions = [{"label": "— Aucune mission —", "value": ""}] + [
            {"label": f"{m.title} ({m.convention})", "value": str(m.id)} for m in convention.all_missions(session)
        ]
    active = items[items["active"]]
    loan_items = [
        {"label": f"{r.name} ({r.units} unité{'s' if r.units > 1 else ''})", "value": str(r.id)}
        for r in active.itertuples()
    ]
    place_options = [{"label": f"{r.name} — {r.commune}", "value": r.pk} for r in places.itertuples()]
    commune_options = [{"label": r.name, "value": r.insee} for r in communes.itertuples()]
    catalogue_options = [{"label": "— Nouvel article —", "value": NEW_ITEM}] + [
        {"label": r.name + ("" if r.active else " (retiré)"), "value": str(r.id)} for r in items.itertuples()
    ]
    return loan_items, place_options, commune_options, catalogue_options, missions


def fill_item(item_id):
    """Editing an existing item starts from its current values; "new" starts blank."""
    if item_id in (None, "", NEW_ITEM):
        return "", "", 1, ["active"], ""
    with database().session() as session:
        items = materiel_db.list_items(session)
    match = items[items["id"] == int(item_id)]
    if match.empty:
        return no_update
    row = match.iloc[0]
    return (
        row["name"],
        row["category"],
        int(row["units"]),
        ["active"] if row["active"] else [],
        row["description"] or "",
    )


# --- exports -------------------------------------------------------------------------------------------------------

EXPORTS = {
    "articles": ("items", {"name": "Article", "category": "Catégorie", "units": "Unités", "active": "Actif",
                           "loans": "Prêts", "loan_days": "Jours de prêt", "available_days": "Jours disponibles",
                           "rate": "Taux d'utilisation", "interventions": "Interventions",
                           "estimated_interventions": "Dont interventions estimées (une par jour de prêt)"}),
    "categories": ("categories", {"category": "Catégorie", "loans": "Prêts", "loan_days": "Jours de prêt",
                                  "available_days": "Jours disponibles", "rate": "Taux d'utilisation",
                                  "interventions": "Interventions"}),
    "mois": ("months", {"month": "Mois", "loan_days": "Jours de prêt", "available_days": "Jours disponibles",
                        "rate": "Taux d'utilisation"}),
    "structures": ("borrowers", {"borrower": "Structure", "commune": "Commune", "loans": "Prêts",
                                 "loan_days": "Jours de prêt", "interventions": "Interventions"}),
    "communes": ("communes", {"insee": "Code INSEE", "commune": "Commune", "epci": "EPCI", "loans": "Prêts",
                              "loan_days": "Jours de prêt", "interventions": "Interventions"}),
    "epci": ("epcis", {"epci_code": "SIREN EPCI", "epci": "EPCI", "loans": "Prêts", "loan_days": "Jours de prêt",
                       "interventions": "Interventions"}),
}  # fmt: skip
SCHEDULE_COLUMNS = {"id": "N° de prêt", "item": "Article", "units": "Unités", "borrower": "Structure",
                    "commune": "Commune", "start_date": "Début", "end_date": "Fin prévue", "returned_on": "Rendu le",
                    "purpose": "Objet", "status": "État"}  # fmt: skip
CATALOGUE_COLUMNS = {"name": "Article", "category": "Catégorie", "units": "Unités", "active": "Actif",
                     "description": "Description"}  # fmt: skip


def export_frame(panel: str, period: Period) -> pd.DataFrame:
    with database().session() as session:
        if panel == "prets":
            frame = materiel_db.loan_schedule(session, clock.today())
            frame["status"] = frame["status"].map(materiel_db.LOAN_STATUS_LABELS)
            return frame[list(SCHEDULE_COLUMNS)].rename(columns=SCHEDULE_COLUMNS)
        if panel == "catalogue":
            return materiel_db.list_items(session)[list(CATALOGUE_COLUMNS)].rename(columns=CATALOGUE_COLUMNS)
        attribute, columns = EXPORTS[panel]
        frame = getattr(materiel_db.utilisation(session, period), attribute)
    return frame[list(columns)].rename(columns=columns)


def export(_clicks, year, start, end):
    if not ctx.triggered_id or not any(_clicks):
        return no_update
    panel, file_format = ctx.triggered_id["panel"], ctx.triggered_id["format"]
    period, _note = period_of(year, start, end)
    frame = export_frame(panel, period)
    return send_frame(frame, f"materiel-{panel}-{period.start:%Y%m%d}-{period.end:%Y%m%d}", file_format, panel)


def register(app) -> None:
    period = (Input(ids.MATERIEL_YEAR, "value"), Input(ids.MATERIEL_FROM, "value"), Input(ids.MATERIEL_TO, "value"))
    app.callback(
        Output(ids.MATERIEL_PERIOD_NOTE, "children"),
        Output(ids.MATERIEL_SUMMARY, "children"),
        Output(ids.MATERIEL_GAUGES, "children"),
        *period,
        SAVED,
    )(per_revision(materiel_db.READ_AREAS)(panels))
    app.callback(
        Output(ids.MATERIEL_CATEGORIES, "children"),
        Output(ids.MATERIEL_MONTHS, "children"),
        Output(ids.MATERIEL_BORROWERS, "children"),
        Output(ids.MATERIEL_COMMUNES, "children"),
        Output(ids.MATERIEL_EPCIS, "children"),
        Input(ids.MATERIEL_LOWER_SEEN, "data"),
        *period,
        SAVED,
        prevent_initial_call=True,  # nothing to draw before the reader comes near
    )(per_revision(materiel_db.READ_AREAS)(lower_panels))
    app.callback(
        Output(ids.MATERIEL_LOANS_BODY, "children"), Input(ids.MATERIEL_LOWER_SEEN, "data"), prevent_initial_call=True
    )(loans)
    app.callback(
        Output(ids.MATERIEL_CALENDAR_START, "data"),
        Input(ids.MATERIEL_CALENDAR_PREVIOUS, "n_clicks"),
        Input(ids.MATERIEL_CALENDAR_TODAY, "n_clicks"),
        Input(ids.MATERIEL_CALENDAR_NEXT, "n_clicks"),
        State(ids.MATERIEL_CALENDAR_START, "data"),
        prevent_initial_call=True,
    )(shift_window)
    app.callback(
        Output(ids.MATERIEL_CALENDAR_ROWS_START, "data"),
        Input(ids.MATERIEL_CALENDAR_ROWS_PREVIOUS, "n_clicks"),
        Input(ids.MATERIEL_CALENDAR_ROWS_NEXT, "n_clicks"),
        State(ids.MATERIEL_CALENDAR_ROWS_START, "data"),
        prevent_initial_call=True,
    )(shift_rows)
    app.callback(
        Output(ids.MATERIEL_CALENDAR, "children"),
        Output(ids.MATERIEL_CALENDAR_LABEL, "children"),
        Output(ids.MATERIEL_CALENDAR_ROWS_LABEL, "children"),
        Output(ids.MATERIEL_CALENDAR_ROWS, "hidden"),
        Output(ids.MATERIEL_CALENDAR_ROWS_PREVIOUS, "disabled"),
        Output(ids.MATERIEL_CALENDAR_ROWS_NEXT, "disabled"),
        Input(ids.MATERIEL_CALENDAR_START, "data"),  # fires once when the page opens, for every role
        Input(ids.MATERIEL_CALENDAR_ROWS_START, "data"),
        SAVED,
    )(per_revision(materiel_db.READ_AREAS)(calendar))
    app.callback(Output(ids.MATERIEL_OVERDUE, "children"), Input(ids.MATERIEL_YEAR, "id"), SAVED)(overdue)
    app.callback(
        Output(ids.MATERIEL_LOANS_STATUS, "value"),
        Input(ids.MATERIEL_SHOW_OVERDUE, "n_clicks"),
        prevent_initial_call=True,
    )(show_overdue)
    app.callback(
        Output(ids.MATERIEL_LOANS, "getRowsResponse"),
        Input(ids.MATERIEL_LOANS, "getRowsRequest"),
        State(ids.MATERIEL_LOANS_STATUS, "value"),
        prevent_initial_call=True,
    )(loan_rows)
    grids.refresh_on(app, ids.MATERIEL_LOANS, Input(ids.MATERIEL_LOANS_STATUS, "value"), SAVED)
    app.callback(
        Output(ids.field(ids.MATERIEL_LOAN_ACTION_FORM, "loan_id"), "options"),
        Output(ids.field(ids.MATERIEL_LOAN_ACTION_FORM, "loan_id"), "value", allow_duplicate=True),
        Input(ids.MATERIEL_LOANS, "selectedRows"),
        prevent_initial_call=True,
    )(choose_loan)
    app.callback(
        Output(ids.MATERIEL_CATALOGUE, "children"), Input(ids.MATERIEL_LOWER_SEEN, "data"), SAVED, prevent_initial_call=True
    )(per_revision(materiel_db.READ_AREAS)(catalogue))
    app.callback(
        Output(ids.field(ids.MATERIEL_LOAN_FORM, "item_id"), "options"),
        Output(ids.field(ids.MATERIEL_LOAN_FORM, "borrower_place_pk"), "options"),
        Output(ids.field(ids.MATERIEL_LOAN_FORM, "borrower_commune"), "options"),
        Output(ids.field(ids.MATERIEL_ITEM_FORM, "item_id"), "options"),
        Output(ids.field(ids.MATERIEL_LOAN_FORM, "mission_id"), "options"),
        Input(ids.form_saved(ids.MATERIEL_LOAN_FORM), "data"),
        Input(ids.form_saved(ids.MATERIEL_LOAN_ACTION_FORM), "data"),
        Input(ids.form_saved(ids.MATERIEL_ITEM_FORM), "data"),
    )(form_options)
    app.callback(
        Output(ids.field(ids.MATERIEL_ITEM_FORM, "name"), "value"),
        Output(ids.field(ids.MATERIEL_ITEM_FORM, "category"), "value"),
        Output(ids.field(ids.MATERIEL_ITEM_FORM, "units"), "value"),
        Output(ids.field(ids.MATERIEL_ITEM_FORM, "active"), "value"),
        Output(ids.field(ids.MATERIEL_ITEM_FORM, "description"), "value"),
        Input(ids.field(ids.MATERIEL_ITEM_FORM, "item_id"), "value"),
        prevent_initial_call=True,
    )(fill_item)
    app.callback(
        Output(ids.MATERIEL_DOWNLOAD, "data"),
        Input(ids.panel_export("materiel", ALL, ALL), "n_clicks"),
        *(State(i.component_id, i.component_property) for i in period),
        prevent_initial_call=True,
    )(export)
