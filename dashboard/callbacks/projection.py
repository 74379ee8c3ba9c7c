"""Projection: the slides' content (refreshed every M minutes), the rotation (in the browser, so it keeps turning
offline), the settings panel and the admins' screen links."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qsl, urlencode

import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, Input, Output, State, ctx, dcc, html, no_update
from flask import request

from dashboard import access, auth, ids
from dashboard.callbacks.forms import database
from dashboard.components import format as fmt
from dashboard.components.cards import ICONS, empty_state
from dashboard.components.carte import match_payload
from dashboard.components.indicateurs import change_text
from dashboard.components.map import base_map, bounds_of, points_layer
from db import agenda, carte, catalogue, clock, formations, lettres, materiel, projection, revisions
from db.models import Role
from db.periods import Period, reporting_period

# The key figures of the first slide, in reading order.
FIGURE_KEYS = ("events", "loan_days", "participants", "subscribers", "borrowers", "places")
FRESHNESS_COLORS = {"a_jour": "#12b76a", "a_surveiller": "#2e90fa", "a_verifier": "#f79009", "a_actualiser": "#f04438"}
FIGURE_ICONS = {**ICONS, "participants": "people", "borrowers": "building", "sessions": "calendar-check"}
WEEKDAYS = ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."]


def _when(row) -> str:
    """When a coming date starts; whole days are said as days."""
    if row.all_day:
        return agenda.occurrence_label(row.start, row.end, True, year=False)
    value = clock.local(row.start)
    return f"{WEEKDAYS[value.weekday()]} {value.day} {fmt.MONTHS[value.month - 1]} · {value:%H:%M}"


def _figure_tiles(session, keys: tuple[str, ...], today: dt.date) -> html.Div:
    """Key figures since 1 January, each with its change over the same dates a year earlier."""
    period = reporting_period(today.year, today)
    tiles = []
    for key in keys:
        item = catalogue.measure(session, key, period)
        comparison = change_text(item.change)
        tiles.append(
            html.Div(
                [
                    html.I(className=f"bi bi-{FIGURE_ICONS[key]} proj-figure-icon", **{"aria-hidden": "true"}),
                    html.Div(fmt.number(item.current.value), className="proj-figure-value"),
                    html.Div(item.current.label, className="proj-figure-label"),
                    html.Div(
                        f"{comparison} sur un an" if item.change.absolute is not None else item.current.note,
                        className="proj-figure-change",
                    ),
                ],
                className="proj-figure",
            )
        )
    return html.Div(tiles, className=f"proj-figures cols-{min(len(keys), 3)}")


def chiffres(session, today: dt.date):
    return [
        html.P(f"Depuis le 1er janvier {today.year}", className="proj-subtitle"),
        _figure_tiles(session, FIGURE_KEYS, today),
    ]


def _centre(bounds) -> tuple[float, float]:
    """The middle of the places (the département's centre without any): a fixed zoom fits the Loire on a screen,
    where fitting bounds would not work on a slide still hidden when the map is drawn."""
    if bounds is None:
        return (45.73, 4.22)
    (south, west), (north, east) = bounds
    return ((south + north) / 2, (west + east) / 2)


def carte_slide(session, now: dt.datetime):
    """The places coloured by the freshness of their sheet. The points come from the Carte's collection, which the
    browser fetches once per version of the places (`/api/carte/points.json`): the slide sends which of them to
    draw and their colours, ~1 byte a place."""
    result = carte.search_places(session, carte.PlaceFilter(), now, with_counts=False)
    places = result.places
    match = {**match_payload(places, result.version), "palette": {"fraicheur": list(FRESHNESS_COLORS.values())}}
    counts = places["freshness"].value_counts()
    legend = [
        html.Li(
            [
                html.Span(className="proj-dot", style={"background": FRESHNESS_COLORS[band.key]}),
                f"{band.label} : {counts.get(band.key, 0)}",
            ]
        )
        for band in carte.FRESHNESS
    ]
    empty = {"type": "FeatureCollection", "features": []}
    return html.Div(
        [
            base_map(
                "proj-map",
                [points_layer(ids.PROJ_CARTE_POINTS, empty, cluster=False, hideout={"radius": 9})],
                center=_centre(bounds_of(places["latitude"], places["longitude"])),
                zoom=10,
                zoomControl=False,
                className="proj-map",
                style={"minHeight": "0"},
            ),
            dcc.Store(id=ids.PROJ_CARTE_MATCH, data=match),
            html.Div(
                [
                    html.Div(fmt.number(len(places)), className="proj-figure-value"),
                    html.Div("lieux de médiation numérique", className="proj-figure-label"),
                    html.H2("Mise à jour des fiches", className="proj-side-title"),
                    html.Ul(legend, className="proj-legend"),
                ],
                className="proj-side",
            ),
        ],
        className="proj-map-layout",
    )


def agenda_slide(session, now: dt.datetime):
    events = agenda.upcoming_frame(session, agenda.EventFilters(), now, limit=7)
    events = events[events["status"] != "cancelled"]
    if events.empty:
        return empty_state("Aucun événement à venir dans l'agenda.", "calendar-x")
    return html.Ul(
        [
            html.Li(
                [
                    html.Div(_when(row), className="proj-when"),
                    html.Div(row.title, className="proj-what"),
                    html.Div(" · ".join(v for v in (row.location_name, row.city) if isinstance(v, str)), className="proj-where"),
                ]
            )
            for row in events.itertuples()
        ],
        className="proj-list",
    )  # fmt: skip


def gauge(name: str, percent: int) -> html.Div:
    """A horizontal gauge with its value written inside (beside the bar when the bar is too short to hold it), named
    for screen readers."""
    text = f"{percent} %"
    inside = percent >= 12
    return html.Div(
        [
            html.Div(text if inside else None, className="proj-gauge-bar", style={"width": f"{max(percent, 1)}%"}),
            None if inside else html.Span(text, className="proj-gauge-outside"),
        ],
        className="proj-gauge",
        role="progressbar",
        **{"aria-label": name, "aria-valuenow": percent, "aria-valuemin": 0, "aria-valuemax": 100},
    )


SLIDE_GAUGES = 12  # what a meeting room reads from its back row; a regional catalogue has hundreds of items


def materiel_slide(session, today: dt.date):
    use = materiel.utilisation(session, reporting_period(today.year, today))
    out_now = set(materiel.items_today(session, today).index)  # one grouped query, not every loan
    busiest = use.items.sort_values("rate", ascending=False, kind="stable").head(SLIDE_GAUGES)
    gauges = [
        html.Div(
            [
                html.Div(
                    [html.Span(row.name), html.Span("en prêt" if row.id in out_now else "disponible", className="proj-state" + (" out" if row.id in out_now else ""))],
                    className="proj-gauge-label",
                ),
                gauge(f"Occupation de {row.name}", round(100 * row.rate)),
            ]
        )
        for row in busiest.itertuples()
    ]  # fmt: skip
    shown = f" (les {len(busiest)} articles les plus occupés sur {fmt.number(len(use.items))})" if len(use.items) > SLIDE_GAUGES else ""
    return [
        html.P(
            f"Occupation depuis le 1er janvier : {fmt.number(use.total_loan_days)} jours de prêt, "
            f"{fmt.number(len(use.borrowers))} structures{shown}",
            className="proj-subtitle",
        ),
        html.Div(gauges, className="proj-gauges") if gauges else empty_state("Aucun matériel enregistré.", "box-seam"),
    ]


def _session_place(row) -> str:
    seats = f"{row.free_seats} places libres" if pd.notna(row.capacity) else None
    return " · ".join(v for v in (row.commune, seats) if isinstance(v, str))


def formations_slide(session, today: dt.date):
    upcoming = formations.upcoming_sessions(session, formations.TrainingFilters(), today, limit=5)
    items = [
        html.Li(
            [
                html.Div(f"{WEEKDAYS[row.date.weekday()]} {row.date.day} {fmt.MONTHS[row.date.month - 1]}", className="proj-when"),
                html.Div(row.title, className="proj-what"),
                html.Div(_session_place(row), className="proj-where"),
            ]
        )
        for row in upcoming.itertuples()
    ]  # fmt: skip
    return [
        _figure_tiles(session, ("trainings", "sessions", "participants"), today),
        html.H2("Prochaines sessions", className="proj-side-title"),
        html.Ul(items, className="proj-list") if items else empty_state("Aucune session programmée.", "mortarboard"),
    ]


def lettres_slide(session, today: dt.date):
    year = reporting_period(today.year, today)
    newsletters = lettres.list_newsletters(session, year)
    cards = [
        html.Div(
            [html.Div(fmt.number(row.subscribers), className="proj-figure-value"), html.Div(row.name, className="proj-figure-label")],
            className="proj-figure",
        )
        for row in newsletters.itertuples()
    ]  # fmt: skip
    issues = lettres.list_issues(session, Period(today - dt.timedelta(days=120), today)).head(4)
    reach = catalogue.read(session, "subscribers", year)
    return [
        html.P(f"{fmt.number(reach.value)} abonnés au total (derniers relevés de l'année)", className="proj-subtitle"),
        html.Div(cards, className="proj-figures cols-4")
        if cards
        else empty_state("Aucune lettre enregistrée.", "envelope"),
        html.H2("Derniers envois", className="proj-side-title"),
        html.Ul(
            [
                html.Li([html.Span(f"{row.sent_on:%d/%m}", className="proj-when me-3"), row.subject])
                for row in issues.itertuples()
            ],
            className="proj-list compact",
        ),
    ]


SLIDE_BUILDERS = {
    "chiffres": lambda session, now: chiffres(session, now.date()),
    "carte": carte_slide,
    "agenda": agenda_slide,
    "materiel": lambda session, now: materiel_slide(session, now.date()),
    "formations": lambda session, now: formations_slide(session, now.date()),
    "lettres": lambda session, now: lettres_slide(session, now.date()),
}


# The areas each slide reads: a slide is built and sent again only when one of their revision tokens, or the day,
# changed since the screen got it; the agenda's list also moves with the time of day (it is small).
SLIDE_AREAS = {
    "chiffres": tuple(revisions.AREAS),
    "carte": (revisions.PLACES,),
    "agenda": (revisions.AGENDA,),
    "materiel": (revisions.MATERIEL,),
    "formations": (revisions.FORMATIONS,),
    "lettres": (revisions.LETTRES,),
}


NOT_IN_LINK = "Cette diapositive n'est pas prévue par le lien de cet écran."


def slide_key(name: str, tokens: dict[str, str], now: dt.datetime) -> str:
    """What the content of slide `name` depends on, as text: equal keys, equal contents."""
    moment = now.isoformat() if name == "agenda" else now.date().isoformat()
    return "|".join([moment, *(tokens[area] for area in SLIDE_AREAS[name])])


def refresh_slides(_n_intervals, shown):
    """The content of the slides whose data changed since the screen got them (`shown`: slide → key), and the time
    of this refresh: when nothing changed, the answer is that time alone."""
    now = clock.wall_clock()
    names = [output["id"]["name"] for output in ctx.outputs_list[0]]
    allowed = auth.screen_slides()  # a screen link reaches only the slides it was made for
    readable = [name for name in names if name in SLIDE_BUILDERS and (allowed is None or name in allowed)]
    shown = shown if isinstance(shown, dict) else {}
    with database().session() as session:
        tokens = revisions.tokens(session)  # first: data read after it is at least as new
        keys = {name: slide_key(name, tokens, now) for name in readable}
        bodies = [
            (SLIDE_BUILDERS[name](session, now) if keys[name] != shown.get(name) else no_update)
            if name in keys
            else NOT_IN_LINK
            for name in names
        ]
    return bodies, keys if keys != shown else no_update, f"Données actualisées à {now:%H:%M}"


# Rotation in the browser: the shown slide follows the interval's tick, also with the server out of reach.
ROTATE_JS = """
function(n) {
    const outputs = dash_clientside.callback_context.outputs_list[0];
    const count = outputs.length;
    const active = count ? (n || 0) % count : 0;
    // A map drawn on a hidden slide measures itself again once shown.
    setTimeout(() => window.dispatchEvent(new Event("resize")), 50);
    return [outputs.map((_, i) => i === active ? "proj-slide active" : "proj-slide"), count > 1 ? `${active + 1} / ${count}` : ""];
}
"""


def chosen_settings(slides, rotate, refresh, theme) -> projection.Settings:
    return projection.parse_settings(
        {"slides": ",".join(slides or []), "rotate": rotate, "refresh": refresh, "theme": theme}
    )


def apply_href(*values):
    """The address of the chosen settings, for the Apply button."""
    return f"/projection?{chosen_settings(*values).query()}&{urlencode({'filters': 'on'})}"


def link_query(*values):
    """The settings a new screen link will open (admins only: the field exists only for them)."""
    return chosen_settings(*values).query()


def create_link(session, actor, *, label=None, query=None):
    link, token = projection.create_token(session, actor, label=label, query=query)
    url = f"{request.host_url.rstrip('/')}/projection?{urlencode({'jeton': token})}"
    return html.Div(
        [
            html.Div(f"Lien « {link.label} » créé. Copiez-le maintenant : il ne sera plus affiché."),
            html.Div(
                [html.Code(url, id="proj-new-link", className="proj-link"), dcc.Clipboard(target_id="proj-new-link", title="Copier le lien", className="ms-2")],
                className="d-flex align-items-start mt-2",
            ),
        ]
    )  # fmt: skip


def revoke_link(session, actor, *, token_id=None):
    link = projection.revoke_token(session, actor, token_id=token_id)
    return f"Lien « {link.label} » révoqué : l'écran qui l'utilise est refusé dès sa prochaine actualisation."


def settings_in_words(query: str) -> str:
    """A link's settings as a person reads them, not as its URL encodes them."""
    settings = projection.parse_settings(dict(parse_qsl(query or "")))
    slides = ", ".join(projection.SLIDES[name] for name in settings.slides)
    return (
        f"{slides} · {settings.rotate} s par diapositive · actualisation toutes les {settings.refresh} min · "
        f"thème {projection.THEMES[settings.theme].lower()}"
    )


def links_panel(_created, _revoked):
    with database().session() as session:
        frame = projection.list_tokens(session)
    if frame.empty:
        return empty_state("Aucun lien de projection.", "link-45deg"), []
    table = dbc.Table(
        [html.Thead(html.Tr([html.Th("Écran"), html.Th("Créé"), html.Th("État")]))]
        + [
            html.Tbody(
                [
                    html.Tr(
                        [
                            html.Td([row.label, html.Div(settings_in_words(row.query), className="small text-body-secondary")]),
                            html.Td([fmt.date(row.created_at), html.Div(row.created_by or "—", className="small")]),
                            html.Td(dbc.Badge("Révoqué", color="secondary") if pd.notna(row.revoked_at) else dbc.Badge("Actif", color="success")),
                        ]
                    )
                    for row in frame.itertuples()
                ]
            )
        ],
        size="sm",
        className="proj-links",
    )  # fmt: skip
    active = frame[frame["revoked_at"].isna()]
    return table, [{"label": row.label, "value": row.id} for row in active.itertuples()]


FORMS = {ids.PROJECTION_LINK_FORM: create_link, ids.PROJECTION_REVOKE_FORM: revoke_link}


def register(app) -> None:
    with access.reading(app, access.SCREEN):  # the one callback a screen link runs
        app.callback(
            Output(ids.proj_slide_body(ALL), "children"),
            Output(ids.PROJ_SHOWN, "data"),
            Output(ids.PROJ_REFRESHED_AT, "children"),
            Input(ids.PROJ_REFRESH, "n_intervals"),
            State(ids.PROJ_SHOWN, "data"),
        )(refresh_slides)
    # The Carte slide's points, drawn in the browser from the Carte's collection (kept there once per version).
    app.clientside_callback(
        "function (match) { return window.mednumMap.matchedPoints(match, 'fraicheur'); }",
        Output(ids.PROJ_CARTE_POINTS, "data"),
        Input(ids.PROJ_CARTE_MATCH, "data"),
    )
    app.clientside_callback(
        ROTATE_JS,
        Output(ids.proj_slide(ALL), "className"),
        Output(ids.PROJ_COUNTER, "children"),
        Input(ids.PROJ_ROTATE, "n_intervals"),
    )
    settings = [Input(ids.PROJ_SET_SLIDES, "value"), Input(ids.PROJ_SET_ROTATE, "value"),
                Input(ids.PROJ_SET_REFRESH, "value"), Input(ids.PROJ_SET_THEME, "value")]  # fmt: skip
    app.callback(Output(ids.PROJ_APPLY, "href"), *settings)(apply_href)
    app.callback(Output(ids.field(ids.PROJECTION_LINK_FORM, "query"), "value"), *settings)(link_query)
    with access.reading(app, Role.ADMIN):  # the list of screen links
        app.callback(
            Output(ids.PROJ_TOKENS, "children"),
            Output(ids.field(ids.PROJECTION_REVOKE_FORM, "token_id"), "options"),
            Input(ids.form_saved(ids.PROJECTION_LINK_FORM), "data"),
            Input(ids.form_saved(ids.PROJECTION_REVOKE_FORM), "data"),
        )(links_panel)
