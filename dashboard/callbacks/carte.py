"""Callbacks of the Carte: filters → map, list, counts and URL; a picked place → summary; exports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import parse_qs, urlencode

import dash_bootstrap_components as dbc
from dash import ALL, ClientsideFunction, Input, Output, State, ctx, dcc, html, no_update

from dashboard import ids
from dashboard.api.carte import filtered_rows  # the open-data route and the export button share one path
from dashboard.callbacks.answers import per_revision
from dashboard.callbacks.forms import acting_user, database
from dashboard.components import format as fmt
from dashboard.components.carte import (
    ifn_geojson,
    ifn_panel,
    legend,
    match_payload,
    place_form,
    place_list,
    place_sheet,
    place_summary,
)
from dashboard.components.map import bounds_of, outline_geojson, points_to_geojson
from db import carte, clock, revisions
from db.interop import places as interop
from db.interop import places_pdf
from db.models import Role
from db.writes import has_role

FORMS = {ids.CARTE_PLACE_FORM: interop.save_place}
NEW_PLACE = "nouveau"  # /carte/lieu/nouveau: the creation form
EMPTY_COLLECTION = {"type": "FeatureCollection", "features": []}


def schema_options() -> dict[str, tuple[str, ...]]:
    return {spec.name: spec.options for spec in interop.schema_fields()}


def filter_from_controls(facet_values: dict, text, hours, communes, epcis, freshness) -> carte.PlaceFilter:
    """The controls' values as a filter, validated exactly like a URL (the same path for both)."""
    return carte.PlaceFilter.from_query(
        {
            **{key: value for key, value in facet_values.items() if value},
            "q": text,
            "horaires": hours,
            "commune": communes,
            "epci": epcis,
            "fraicheur": freshness,
        }
    )


def _options(facet_key: str, values, counts: dict[str, int], chosen) -> list[dict]:
    return [
        {
            "label": f"{carte.option_label(facet_key, value)} ({fmt.number(counts.get(value, 0))})",
            "value": value,
            "disabled": not counts.get(value) and value not in chosen,
        }
        for value in values
    ]


def _active_chips(flt: carte.PlaceFilter, choices: carte.FilterChoices):
    lines = flt.summary(choices.commune_names, choices.epci_names)
    if not lines:
        return None
    return html.Div(
        [dbc.Badge(line, color="light", text_color="dark", className="border me-1 mb-1 fw-normal") for line in lines],
        **{"aria-label": "Filtres actifs"},
    )


@dataclass
class View:
    match: dict
    viewport: dict | None
    count: str
    active: object
    facet_options: list[list[dict]]
    hours_options: list[dict]
    freshness_options: list[dict]
    search: str


def carte_view(flt: carte.PlaceFilter, facet_keys: list[str], now: dt.datetime) -> View:
    with database().session() as session:
        result = carte.search_places(session, flt, now)
        choices = carte.filter_choices(session, schema_options(), flt)
        version = result.version
    places, counts = result.places, result.counts
    bounds = bounds_of(places["latitude"], places["longitude"])
    total = len(places)
    return View(
        match=match_payload(places, version),
        viewport={
            "bounds": bounds,
            "transition": "fitBounds",
            "options": {"padding": [30, 30], "maxZoom": 14, "animate": False},
        }
        if bounds
        else None,
        count=f"{fmt.number(total)} lieu{'x' if total > 1 else ''}",
        active=_active_chips(flt, choices),
        facet_options=[
            _options(key, choices.facets[key], counts.get(key, {}), flt.facets.get(key, ())) for key in facet_keys
        ],
        hours_options=[
            {"label": f"{label} ({fmt.number(counts['horaires'][key])})", "value": key}
            for key, label in carte.HOURS_OPTIONS.items()
        ],
        freshness_options=[
            {"label": f"{band.label} ({fmt.number(counts['fraicheur'].get(band.key, 0))})", "value": band.key}
            for band in carte.FRESHNESS
        ],
        search="?" + urlencode(flt.to_query(), doseq=True) if not flt.is_empty else "",
    )


def update_view(facet_values, text, hours, communes, epcis, freshness):
    facet_keys = [item["id"]["key"] for item in ctx.inputs_list[0]]
    flt = filter_from_controls(
        dict(zip(facet_keys, facet_values, strict=True)), text, hours, communes, epcis, freshness
    )
    view = carte_view(flt, facet_keys, clock.wall_clock())
    return (
        view.match,
        view.viewport or no_update,
        view.count,
        view.active,
        view.facet_options,
        view.hours_options,
        view.freshness_options,
        view.search,
    )


def list_in_view(_match, bounds, search):
    """The matching places inside the map's current bounds (all of them before the map reports its bounds)."""
    flt = carte.PlaceFilter.from_query(_query_dict(search))
    with database().session() as session:
        places = carte.search_places(session, flt, clock.wall_clock(), with_counts=False).places
    view = carte.places_in_view(places, bounds)
    return place_list(view.places, outside=view.outside, unplaced=view.unplaced, filtered=bool(flt.to_query()))


def layers(mode, ifn):
    """The legend, the IFN layer (when switched on) and the offer-vs-fragility panel."""
    with database().session() as session:
        fragility = carte.offer_and_fragility(session)
    shown = bool(ifn) and not fragility.empty
    data = ifn_geojson(fragility, outline_geojson()) if shown else EMPTY_COLLECTION
    return legend(mode or "ouverture", with_ifn=shown), data, ifn_panel(fragility)


def territory_options(_loaded):
    """Communes and EPCIs having places, with their number of places (once per page load, kept per revision of the
    places and the communes), and, when no outline is configured, the reference communes as faint dots: an offline
    base that still says where things are."""
    with database().session() as session:
        communes, epcis = carte.territories(session)
        centroids = carte.commune_centroids(session) if outline_geojson() is None else None
    base = EMPTY_COLLECTION
    if centroids is not None and not centroids.empty:
        rows = centroids.rename(columns={"name": "label"}).assign(color="#b8c4d0", radius=3).to_dict("records")
        base = points_to_geojson(rows, properties=("label", "color", "radius"))
    return (
        [{"label": f"{name} ({n})", "value": insee} for insee, name, n in communes],
        [{"label": f"{name} ({n})", "value": code} for code, name, n in epcis],
        base,
    )


def reset_filters(_clicks):
    return [[] for _ in ctx.outputs_list[0]], "", [], [], [], []


def pick_place(_list_clicks, click_data):
    """The place clicked in the list (a dict id) or on the map (a feature); clusters are ignored."""
    if isinstance(ctx.triggered_id, dict) and ctx.triggered_id.get("type") == "carte-place":
        if not any(_list_clicks):
            return no_update
        return ctx.triggered_id["id"]
    properties = (click_data or {}).get("properties") or {}
    if properties.get("cluster") or not properties.get("id"):
        return no_update
    return properties["id"]


def show_place(place_id, search):
    if not place_id:
        return no_update, no_update
    now = clock.wall_clock()
    with database().session() as session:
        place = carte.get_place(session, place_id)
        if place is None:
            return dbc.Alert("Ce lieu n'existe plus.", color="warning", className="mb-0"), no_update
        summary = place_summary(place, now, search)
        position = (place.latitude, place.longitude)
    if position[0] is None or position[1] is None:
        return summary, no_update
    # No animation: leaving the page while Leaflet animates a zoom raises errors in the browser.
    return summary, {"center": list(position), "zoom": 14, "transition": "setView", "options": {"animate": False}}


def export_csv(_clicks, search):
    flt = carte.PlaceFilter.from_query(_query_dict(search))
    with database().session() as session:
        rows = filtered_rows(session, flt)
    return dcc.send_string(interop.export_csv(rows), f"lieux-mediation-numerique-{clock.today():%Y-%m-%d}.csv")


def export_pdf(_clicks, _sheet_clicks, search):
    with_sheets = ctx.triggered_id == ids.CARTE_PDF_SHEETS
    flt = carte.PlaceFilter.from_query(_query_dict(search))
    now = clock.wall_clock()
    with database().session() as session:
        places = carte.places_matching(session, flt, now)
        choices = carte.filter_choices(session, schema_options(), flt)
        summary = flt.summary(choices.commune_names, choices.epci_names)
        pdf = places_pdf.view_pdf(places, summary, now, outline_geojson(), with_sheets=with_sheets)
    return dcc.send_bytes(pdf, f"carte-lieux-{now:%Y-%m-%d}.pdf")


def export_sheet_pdf(_clicks, place_id):
    with database().session() as session:
        place = carte.get_place(session, place_id or "")
        if place is None:
            return no_update
        pdf = places_pdf.sheets_pdf([place], clock.wall_clock())
    return dcc.send_bytes(pdf, f"fiche-{place.id}.pdf")


def _query_dict(search: str | None) -> dict:
    return parse_qs((search or "").lstrip("?"))


def sheet(place_id, _saved=None):
    if place_id == NEW_PLACE:
        return html.Div(
            [
                html.H1("Nouveau lieu", className="h2 mb-1"),
                html.P(
                    "Renseignez la fiche au standard national v1.0.2 ; les champs marqués * sont obligatoires.",
                    className="text-body-secondary",
                ),
            ],
            className="page-header mb-3",
        )
    now = clock.wall_clock()
    with database().session() as session:
        place = carte.get_place(session, place_id or "")
        if place is None:
            return html.Div(
                [
                    html.H1("Lieu introuvable", className="h3"),
                    html.P("Ce lieu n'existe pas ou a été supprimé."),
                    dbc.Button("Retour à la carte", href="/carte", color="primary"),
                ],
                className="empty-state p-5 text-center",
            )
        return place_sheet(place, now)


def form_panel(place_id):
    """The place form, for coordinators and admins only (the write function checks the role again)."""
    if not has_role(acting_user(), Role.COORDINATOR):
        return None
    specs = interop.schema_fields()
    options = {spec.name: spec.options for spec in specs}
    required = {spec.name for spec in specs if spec.required}
    today = clock.wall_clock().date()
    if place_id == NEW_PLACE:
        return dbc.Card(dbc.CardBody(place_form(None, options, required, today)), className="sheet-card mb-4")
    with database().session() as session:
        place = carte.get_place(session, place_id or "")
        if place is None:
            return None
        form = place_form(place, options, required, today)
    return dbc.Accordion(
        dbc.AccordionItem(form, title="Modifier la fiche"),
        start_collapsed=True,
        className="mb-4",
    )


def register(app) -> None:
    app.callback(
        Output(ids.CARTE_MATCH, "data"),
        Output(ids.CARTE_MAP, "viewport"),
        Output(ids.CARTE_COUNT, "children"),
        Output(ids.CARTE_ACTIVE, "children"),
        Output(ids.carte_facet(ALL), "options"),
        Output(ids.CARTE_HOURS, "options"),
        Output(ids.CARTE_FRESHNESS, "options"),
        Output(ids.CARTE_QUERY, "data"),
        Input(ids.carte_facet(ALL), "value"),
        Input(ids.CARTE_SEARCH, "value"),
        Input(ids.CARTE_HOURS, "value"),
        Input(ids.CARTE_COMMUNE, "value"),
        Input(ids.CARTE_EPCI, "value"),
        Input(ids.CARTE_FRESHNESS, "value"),
    )(update_view)
    # The points are drawn in the browser from the cached collection and the filter's bitmap (see match_payload).
    app.clientside_callback(
        ClientsideFunction("carte", "matchedPoints"),
        Output(ids.CARTE_POINTS, "data"),
        Input(ids.CARTE_MATCH, "data"),
        Input(ids.CARTE_COLOR, "value"),
    )
    # Also when the map moves: the list follows the view (dash-leaflet updates `bounds` after each move).
    app.callback(
        Output(ids.CARTE_LIST, "children"),
        Input(ids.CARTE_MATCH, "data"),
        Input(ids.CARTE_MAP, "bounds"),
        State(ids.CARTE_QUERY, "data"),
    )(list_in_view)
    app.callback(
        Output(ids.CARTE_LEGEND, "children"),
        Output(ids.CARTE_IFN_LAYER, "data"),
        Output(ids.CARTE_IFN_PANEL, "children"),
        Input(ids.CARTE_COLOR, "value"),
        Input(ids.CARTE_IFN, "value"),
    )(layers)
    app.callback(
        Output(ids.CARTE_COMMUNE, "options"),
        Output(ids.CARTE_EPCI, "options"),
        Output(ids.CARTE_BASE_LAYER, "data"),
        Input(ids.CARTE_LOADED, "data"),
    )(per_revision([revisions.PLACES, revisions.COMMUNES])(territory_options))
    app.callback(
        Output(ids.carte_facet(ALL), "value"),
        Output(ids.CARTE_SEARCH, "value"),
        Output(ids.CARTE_HOURS, "value"),
        Output(ids.CARTE_COMMUNE, "value"),
        Output(ids.CARTE_EPCI, "value"),
        Output(ids.CARTE_FRESHNESS, "value"),
        Input(ids.CARTE_RESET, "n_clicks"),
        prevent_initial_call=True,
    )(reset_filters)
    # The URL follows the filters without a page reload: replaceState does not wake Dash's page router.
    app.clientside_callback(
        """function (search) {
            const url = window.location.pathname + (search || "");
            if (url !== window.location.pathname + window.location.search) {
                window.history.replaceState(window.history.state, "", url);
            }
            return search;
        }""",
        Output(ids.CARTE_URL_SYNCED, "data"),
        Input(ids.CARTE_QUERY, "data"),
    )
    app.callback(
        Output(ids.CARTE_SELECTED, "data"),
        Input(ids.carte_place(ALL), "n_clicks"),
        Input(ids.CARTE_POINTS, "clickData"),
        prevent_initial_call=True,
    )(pick_place)
    app.callback(
        Output(ids.CARTE_PANEL, "children"),
        Output(ids.CARTE_MAP, "viewport", allow_duplicate=True),
        Input(ids.CARTE_SELECTED, "data"),
        State(ids.CARTE_QUERY, "data"),
        prevent_initial_call=True,
    )(show_place)
    app.callback(
        Output(ids.CARTE_DOWNLOAD, "data"),
        Input(ids.CARTE_CSV, "n_clicks"),
        State(ids.CARTE_QUERY, "data"),
        prevent_initial_call=True,
    )(export_csv)
    app.callback(
        Output(ids.CARTE_DOWNLOAD, "data", allow_duplicate=True),
        Input(ids.CARTE_PDF, "n_clicks"),
        Input(ids.CARTE_PDF_SHEETS, "n_clicks"),
        State(ids.CARTE_QUERY, "data"),
        prevent_initial_call=True,
    )(export_pdf)
    app.callback(
        Output(ids.LIEU_SHEET, "children"),
        Input(ids.LIEU_ID, "data"),
        Input(ids.form_saved(ALL), "data"),  # ALL: viewers have no form, the sheet must still load
    )(sheet)
    app.callback(Output(ids.LIEU_EDIT, "children"), Input(ids.LIEU_ID, "data"))(form_panel)
    app.callback(
        Output(ids.LIEU_DOWNLOAD, "data"),
        Input(ids.LIEU_PDF, "n_clicks"),
        State(ids.LIEU_ID, "data"),
        prevent_initial_call=True,
    )(export_sheet_pdf)
