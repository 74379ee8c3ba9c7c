"""Widgets of the Carte: badges, the list of places, the summary panel, the place sheet, the legend.

Every text coming from a place is passed to Dash as a string child, which React renders as text: a name
containing `<script>` is shown, never run.
"""

from __future__ import annotations

import base64
import datetime as dt
from urllib.parse import quote

import dash_bootstrap_components as dbc
import numpy as np
from dash import dcc, html

from dashboard import ids
from dashboard.components import format as fmt
from dashboard.components.cards import NO_PLACE, NO_PLACE_ACTION, empty_state
from dashboard.components.forms import field_input, field_textarea, form_body, form_field
from dashboard.components.map import commune_code
from db import carte

OPEN_STATES = {
    "open": ("Ouvert maintenant", "#1a7f37", "success"),
    "closed": ("Fermé", "#475467", "secondary"),
    "unknown": ("Horaires inconnus", "#b54708", "warning"),
}
FRESHNESS_COLORS = {"a_jour": "#1a7f37", "a_surveiller": "#1f4e79", "a_verifier": "#b54708", "a_actualiser": "#b42318"}
COLOR_MODES = {"ouverture": "Ouverture", "fraicheur": "Mise à jour"}


def icon(name: str, classes: str = "me-1") -> html.I:
    return html.I(className=f"bi bi-{name} {classes}", **{"aria-hidden": "true"})


def open_badge(state: str) -> dbc.Badge:
    label, _color, bootstrap = OPEN_STATES[state]
    return dbc.Badge(label, color=bootstrap, text_color="dark" if bootstrap == "warning" else None, className="me-1")


def freshness_badge(key: str) -> dbc.Badge:
    band = carte.FRESHNESS_BY_KEY[key]
    return dbc.Badge(
        band.label,
        color=band.color,
        text_color="dark" if band.color == "warning" else None,
        title="Fraîcheur de la fiche (date de mise à jour)",
    )


def marker_codes(places) -> str:
    """One character per place, `chr(48 + 4 × open state + freshness band)` (positions in OPEN_STATES and
    FRESHNESS_COLORS): assets/30-carte.js takes the colour of the mode shown from it, so switching modes costs no
    request and a place costs 1 byte in the filter's response."""
    state, band = _positions(places["open_state"], OPEN_STATES), _positions(places["freshness"], FRESHNESS_COLORS)
    return (48 + 4 * state + band).astype(np.uint8).tobytes().decode("ascii")


def match_payload(places, version: str) -> dict:
    """What the map needs from a filter, against the point collection the browser fetched once per version
    (`/api/carte/points.json`): which of its places match, as a bitmap over its order (base64, 1 bit a place), and
    each matching place's colour code (1 byte a place). A filter of 20,000 places answers in ~25 KB."""
    located = places[places["position"] >= 0].sort_values("position")
    bits = np.zeros(int(located["position"].max()) + 1 if len(located) else 0, dtype=bool)
    bits[located["position"].to_numpy()] = True
    return {
        "v": version,
        "sel": base64.b64encode(np.packbits(bits).tobytes()).decode("ascii"),
        "codes": marker_codes(located),
        "palette": MARKER_PALETTE,
    }


def _positions(values, keys) -> np.ndarray:
    """Each value's position in `keys`; `values` is categorical, so this is one array lookup."""
    order = np.array([list(keys).index(category) for category in values.cat.categories], dtype=np.uint8)
    return order[values.cat.codes.to_numpy()]


MARKER_PALETTE = {
    "ouverture": [color for _label, color, _bootstrap in OPEN_STATES.values()],
    "fraicheur": list(FRESHNESS_COLORS.values()),
}


def legend(mode: str, with_ifn: bool = False) -> html.Div:
    if mode == "fraicheur":
        items = [(carte.FRESHNESS_BY_KEY[k].label, color) for k, color in FRESHNESS_COLORS.items()]
        title = "Mise à jour de la fiche"
    else:
        items = [(label, color) for label, color, _b in OPEN_STATES.values()]
        title = "Ouverture"
    return html.Div(
        [
            html.Div(title, className="fw-semibold mb-1"),
            *[
                html.Div([html.Span(className="legend-dot", style={"background": color}), label])
                for label, color in items
            ],
            html.Div(
                [html.Span(className="legend-dot legend-cluster"), "Groupe de lieux (cliquer pour zoomer)"],
                className="mt-1",
            ),
            ifn_legend() if with_ifn else None,
        ],
        className="carte-legend small",
    )


def place_list(places, outside: int = 0, unplaced: int = 0, limit: int = 25, filtered: bool = True) -> html.Div:
    """The places in the map's view as buttons (a click centres the map and opens the summary); `outside`: the
    matching places the view leaves out, `unplaced`: those without coordinates (never on the map)."""
    notes = [
        f"{fmt.number(outside)} autre{'s' if outside > 1 else ''} lieu{'x' if outside > 1 else ''} hors de la vue : "
        "déplacez ou dézoomez la carte pour les voir."
        if outside
        else None,
        f"{fmt.number(unplaced)} lieu{'x' if unplaced > 1 else ''} sans coordonnées, absent{'s' if unplaced > 1 else ''} "
        "de la carte (voir l'export CSV)."
        if unplaced
        else None,
    ]
    elsewhere = [html.P(note, className="small text-body-secondary mt-2 mb-0") for note in notes if note]
    if places.empty and not (outside or unplaced or filtered):
        return empty_state(NO_PLACE, "geo-alt", NO_PLACE_ACTION)
    if places.empty:
        message = (
            "Aucun lieu dans cette partie de la carte."
            if outside or unplaced
            else "Aucun lieu ne correspond à ces filtres."
        )
        return html.Div(
            [html.Div([icon("search", "me-2"), message], className="empty-state p-4 text-center text-body-secondary"),
             *elsewhere]
        )  # fmt: skip
    rows = places.head(limit).to_dict("records")
    items = [
        html.Button(
            [
                html.Div(row["nom"], className="fw-semibold text-start"),
                html.Div(
                    [icon("geo-alt"), row["commune"] or "", " · ", row["adresse"] or ""],
                    className="small text-body-secondary text-start",
                ),
                html.Div([open_badge(row["open_state"]), freshness_badge(row["freshness"])], className="mt-1"),
            ],
            id=ids.carte_place(row["id"]),
            n_clicks=0,
            className="list-group-item list-group-item-action",
            type="button",
        )
        for row in rows
    ]
    more = (
        html.P(
            f"Et {fmt.number(len(places) - limit)} autres dans la vue : zoomez ou affinez les filtres.",
            className="small text-body-secondary mt-2 mb-0",
        )
        if len(places) > limit
        else None
    )
    return html.Div(
        [
            html.P(f"{fmt.number(len(places))} dans la vue", className="small text-body-secondary mb-1"),
            html.Div(items, className="list-group"),
            more,
            *elsewhere,
        ]
    )


def _line(icon_name: str, content) -> html.Li:
    # Dash renders components only at the first level of a children list: flatten.
    parts = content if isinstance(content, list) else [content]
    return html.Li([icon(icon_name, "me-2 text-brand"), *parts], className="mb-1")


def _link(url: str | None, label: str | None = None):
    if not url:
        return None
    safe = url if url.startswith(("http://", "https://")) else f"https://{url}"
    return html.A(label or url, href=safe, target="_blank", rel="noopener noreferrer")


def place_summary(place, now: dt.datetime, search: str | None = None) -> html.Div:
    """The short card shown beside the map for the place picked in the list or on the map. `search`: the Carte's
    filters, carried to the sheet so that its "Retour à la carte" brings them back."""
    state = carte.open_state(place.horaires, now)
    band = carte.freshness_of(place.date_maj, now.date())
    return html.Div(
        [
            html.H2(place.nom, className="h5 mb-1"),
            html.Div([open_badge(state), freshness_badge(band.key)], className="mb-2"),
            html.Ul(
                [
                    _line("geo-alt", f"{place.adresse}, {place.code_postal} {place.commune}"),
                    _line("telephone", place.telephone) if place.telephone else None,
                    _line("clock", place.horaires or "Horaires inconnus (non renseignés)"),
                ],
                className="list-unstyled small mb-2",
            ),
            html.P(place.presentation_resume, className="small mb-2") if place.presentation_resume else None,
            dcc.Link(
                [icon("card-text"), "Voir la fiche complète"],
                href=f"/carte/lieu/{quote(place.id, safe='')}{search or ''}",
                className="btn btn-primary btn-sm",
            ),
        ]
    )


def _values(place, field: str, facet_key: str | None = None) -> list:
    values = carte.split_multi(getattr(place, field))
    if not values:
        return [html.Span("Non renseigné", className="text-body-secondary")]
    return [
        dbc.Badge(carte.option_label(facet_key, v) if facet_key else v, color="light", text_color="dark",
                  className="me-1 mb-1 border fw-normal value-chip")
        for v in values
    ]  # fmt: skip


def timetable(place, now: dt.datetime) -> html.Div:
    days = carte.week_timetable(place.horaires, now.date())
    if days is None:
        if not place.horaires:
            return html.P(
                [icon("question-circle"), "Horaires inconnus : la fiche ne les renseigne pas."], className="mb-0"
            )
        return html.Div(
            [
                html.P([icon("question-circle"), "Horaires inconnus : ils ne sont pas au format OpenStreetMap."]),
                html.P(["Texte saisi : ", html.Q(place.horaires)], className="small text-body-secondary mb-0"),
            ]
        )
    rows = []
    for day in days:
        slots = ", ".join(
            f"{start:%H:%M}–{'24:00' if end == dt.time() else f'{end:%H:%M}'}" + (f" ({comment})" if comment else "")
            for start, end, comment in day.slots
        )
        today = day.day == now.date()
        rows.append(
            html.Tr(
                [
                    html.Th([day.label, " (aujourd'hui)" if today else ""], scope="row"),
                    html.Td(slots or html.Span("Fermé", className="text-body-secondary")),
                ],
                className="table-active" if today else None,
            )
        )
    return html.Div(
        [
            dbc.Table(
                [html.Caption(f"Semaine du {fmt.date(days[0].day)}", className="caption-top"), html.Tbody(rows)],
                size="sm",
                className="mb-1 timetable",
            ),
            html.P(["Syntaxe OpenStreetMap : ", html.Code(place.horaires)], className="small text-body-secondary"),
        ]
    )


SHEET_SECTIONS = (
    ("Services proposés", "services", None),
    ("Publics spécifiquement adressés", "publics_specifiquement_adresses", None),
    ("Prise en charge spécifique", "prise_en_charge_specifique", None),
    ("Frais à charge", "frais_a_charge", None),
    ("Modalités d'accès", "modalites_acces", None),
    ("Modalités d'accompagnement", "modalites_accompagnement", None),
    ("Dispositifs et programmes nationaux", "dispositif_programmes_nationaux", None),
    ("Formations et labels", "formations_labels", None),
    ("Autres labels et territoires", "autres_formations_labels", None),
    ("Type de structure", "typologie", "typologie"),
)


def place_sheet(place, now: dt.datetime) -> html.Div:
    state = carte.open_state(place.horaires, now)
    band = carte.freshness_of(place.date_maj, now.date())
    emails = carte.split_multi(place.courriels)
    contact = [
        _line("geo-alt", [place.adresse, html.Br(), place.complement_adresse, html.Br() if place.complement_adresse else None,
                          f"{place.code_postal} {place.commune}"]),
        _line("telephone", html.A(place.telephone, href=f"tel:{place.telephone}")) if place.telephone else None,
        *[_line("envelope", html.A(email, href=f"mailto:{email}")) for email in emails],
        _line("globe", _link(place.site_web, "Site internet")) if place.site_web else None,
        _line("calendar-check", _link(place.prise_rdv, "Prendre rendez-vous en ligne")) if place.prise_rdv else None,
        _line("universal-access", _link(place.fiche_acces_libre, "Fiche accessibilité (Accès libre)"))
        if place.fiche_acces_libre
        else None,
    ]  # fmt: skip
    details = [
        ("Identifiant", place.id),
        ("SIRET / RNA (pivot)", place.pivot),
        ("Code INSEE", place.code_insee or "—"),
        ("Intercommunalité", place.epci_name or "—"),
        ("Coordonnées", f"{place.latitude:.5f}, {place.longitude:.5f}" if place.latitude is not None else "—"),
        ("Itinérance", place.itinerance or "—"),
        ("Structure parente", place.structure_parente or "—"),
        ("Source", place.source or "—"),
        ("Mise à jour", fmt.date(place.date_maj) if place.date_maj else "—"),
    ]
    return html.Div(
        [
            html.Div(
                [
                    html.Div(
                        [
                            html.H1(place.nom, className="h2 mb-1"),
                            html.P([icon("geo-alt"), f"{place.commune} ({place.code_postal})"],
                                   className="text-body-secondary mb-2"),
                            html.Div([open_badge(state), freshness_badge(band.key)]),
                        ]
                    ),
                ],
                className="page-header mb-4",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        [
                            _card("Présentation", [
                                html.P(place.presentation_resume, className="lead fs-6") if place.presentation_resume else None,
                                html.P(place.presentation_detail, className="mb-0", style={"whiteSpace": "pre-line"})
                                if place.presentation_detail else None,
                                None if (place.presentation_resume or place.presentation_detail)
                                else html.P("Pas de présentation.", className="text-body-secondary mb-0"),
                            ]),
                            _card("Offre de médiation numérique", html.Dl(
                                [item for title, field, key in SHEET_SECTIONS
                                 for item in (html.Dt(title), html.Dd(_values(place, field, key)))],
                                className="mb-0 sheet-values",
                            )),
                        ],
                        lg=7,
                    ),
                    dbc.Col(
                        [
                            _card("Contact", html.Ul(contact, className="list-unstyled mb-0")),
                            _card("Horaires de la semaine", timetable(place, now)),
                            _card("Fiche", html.Dl(
                                [item for title, value in details for item in (html.Dt(title), html.Dd(value))],
                                className="mb-0 sheet-details",
                            )),
                        ],
                        lg=5,
                    ),
                ]
            ),
        ]
    )  # fmt: skip


def _card(title: str, body) -> dbc.Card:
    return dbc.Card(
        [dbc.CardHeader(html.H2(title, className="h6 mb-0")), dbc.CardBody(body)],
        className="mb-4 sheet-card",
    )


# --- digital fragility (IFN) -----------------------------------------------------------------------------------

IFN_CLASSES = ((3, "#fcbba1"), (5, "#fc9272"), (6.5, "#fb6a4a"), (8, "#de2d26"), (10.01, "#a50f15"))


def ifn_color(score: float) -> str:
    return next(color for upper, color in IFN_CLASSES if score < upper)


def _ifn_label(row) -> str:
    return f"{row.name} · IFN {fmt.number(row.ifn, 1)}/10 · {row.places} lieu{'x' if row.places > 1 else ''}"


def ifn_geojson(frame, outline: dict | None = None) -> dict:
    """The IFN layer under the places: the communes of `outline` coloured by score (a choropleth) when the outline
    holds commune polygons with their INSEE code, else each commune's centre graduated by colour and size."""
    rows = {row.insee: row for row in frame.itertuples()}
    areas = [
        {**feature, "properties": {"label": _ifn_label(row), "color": ifn_color(row.ifn)}}
        for feature in (outline or {}).get("features", [])
        if (row := rows.get(commune_code(feature) or "")) is not None
    ]
    if areas:
        return {"type": "FeatureCollection", "features": areas}
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [round(row.longitude, 5), round(row.latitude, 5)]},
            "properties": {"label": _ifn_label(row), "color": ifn_color(row.ifn), "radius": 4 + row.ifn * 1.2},
        }
        for row in rows.values()
        if row.latitude == row.latitude and row.longitude == row.longitude and row.latitude is not None
    ]
    return {"type": "FeatureCollection", "features": features}


def ifn_panel(frame) -> html.Div:
    """Offer vs fragility: the most fragile communes and whether they have a mediation place."""
    if frame.empty:
        return html.Div(
            [
                icon("info-circle", "me-2"),
                "Indice de fragilité numérique non chargé : l'administration du tableau de bord peut l'importer "
                "(fichier CSV de l'indice par commune, publié par France Numérique Ensemble).",
            ],
            className="empty-state p-3 small text-body-secondary",
        )
    fragile = frame[frame["ifn"] >= carte.VERY_FRAGILE]
    without = fragile[fragile["places"] == 0]
    return html.Div(
        [
            html.P(
                [
                    html.Strong(fmt.number(len(fragile))),
                    f" communes très fragiles (IFN ≥ {fmt.number(carte.VERY_FRAGILE, 1)} sur 10), dont ",
                    html.Strong(fmt.number(len(without))),
                    " sans lieu de médiation numérique.",
                ],
                className="mb-2",
            ),
            _small_table(
                "Les 10 communes les plus fragiles et leur offre",
                ["Commune", "Intercommunalité", "IFN", "Lieux"],
                [
                    [row.name, row.epci if isinstance(row.epci, str) else "—", fmt.number(row.ifn, 1),
                     fmt.number(row.places) if row.places else dbc.Badge("aucun", color="danger")]
                    for row in frame.head(10).itertuples()
                ],
            ),
            _small_table(
                "Par intercommunalité, de la plus fragile à la moins fragile",
                ["Intercommunalité", "Communes", "IFN moyen", "Très fragiles", "dont sans lieu", "Lieux"],
                [
                    [row.epci, fmt.number(row.communes), fmt.number(row.mean_ifn, 1), fmt.number(row.very_fragile),
                     dbc.Badge(fmt.number(row.without_place), color="danger") if row.without_place else "0",
                     fmt.number(row.places)]
                    for row in carte.fragility_by_epci(frame).itertuples()
                ],
            ),
        ]
    )  # fmt: skip


def _small_table(caption: str, headers: list[str], rows: list[list]) -> dbc.Table:
    return dbc.Table(
        [
            html.Caption(caption, className="caption-top"),
            html.Thead(html.Tr([html.Th(header, scope="col") for header in headers])),
            html.Tbody([html.Tr([html.Td(cell) for cell in row]) for row in rows]),
        ],
        size="sm",
        responsive=True,
        className="mb-3 small",
    )


def ifn_legend() -> html.Div:
    bounds = ["< 3", "3 – 5", "5 – 6,5", "6,5 – 8", "≥ 8"]
    return html.Div(
        [
            html.Div("Fragilité numérique (IFN)", className="fw-semibold mt-2 mb-1"),
            *[
                html.Div([html.Span(className="legend-dot", style={"background": color}), label])
                for (_upper, color), label in zip(IFN_CLASSES, bounds, strict=True)
            ],
        ]
    )


# --- the place form (coordinators) ------------------------------------------------------------------------------

# (schema field, label, kind, help); kind: text, textarea, number, date, checklist (options from the schema)
FORM_FIELDS = (
    ("nom", "Nom du lieu", "text", None),
    ("id", "Identifiant", "text", "Unique, ex. « Loire_042 » ; le même que dans les exports."),
    ("pivot", "SIRET ou RNA", "text", "9 à 14 caractères ; 00000000000000 si inconnu."),
    ("adresse", "Adresse", "text", None),
    ("complement_adresse", "Complément d'adresse", "text", None),
    ("code_postal", "Code postal", "text", None),
    ("commune", "Commune", "text", None),
    ("code_insee", "Code INSEE", "text", "Rattache le lieu à sa commune et à son intercommunalité."),
    ("latitude", "Latitude", "number", None),
    ("longitude", "Longitude", "number", None),
    ("telephone", "Téléphone", "text", "Format international : +33477000000."),
    ("courriels", "Courriels", "text", "Plusieurs adresses séparées par « | »."),
    ("site_web", "Site internet", "text", None),
    ("prise_rdv", "Prise de rendez-vous en ligne", "text", None),
    ("fiche_acces_libre", "Fiche Accès libre (accessibilité)", "text", None),
    ("horaires", "Horaires (syntaxe OpenStreetMap)", "text", "Ex. Mo-Fr 09:00-12:00,14:00-17:00; Sa 09:00-12:00"),
    ("presentation_resume", "Présentation courte", "textarea", "280 caractères au plus."),
    ("presentation_detail", "Présentation détaillée", "textarea", None),
    (
        "typologie",
        "Type de structure (codes)",
        "text",
        "Codes de la typologie nationale séparés par « | », ex. BIB|MUNI.",
    ),
    ("structure_parente", "Structure parente", "text", None),
    ("source", "Source", "text", None),
    ("date_maj", "Date de mise à jour", "date", None),
    ("itinerance", "Itinérance", "checklist", None),
    ("services", "Services", "checklist", None),
    ("publics_specifiquement_adresses", "Publics spécifiquement adressés", "checklist", None),
    ("prise_en_charge_specifique", "Prise en charge spécifique", "checklist", None),
    ("frais_a_charge", "Frais à charge", "checklist", None),
    ("modalites_acces", "Modalités d'accès", "checklist", None),
    ("modalites_accompagnement", "Modalités d'accompagnement", "checklist", None),
    ("dispositif_programmes_nationaux", "Dispositifs et programmes nationaux", "checklist", None),
    ("formations_labels", "Formations et labels", "checklist", None),
    ("autres_formations_labels", "Autres labels et territoires", "text", "Séparés par « | », ex. QPV|Pass numérique."),
)


def place_form(place, options: dict[str, tuple[str, ...]], required: set[str], today: dt.date) -> html.Div:
    """Create (place None) or edit a place; `options` are the schema's enumerations, `required` its required
    fields. Validation happens on the server (`db.interop.places.save_place`)."""

    def value(name):
        if name == "date_maj":  # saving the sheet updates it: the date of the data, today
            return today.isoformat()
        return getattr(place, name) if place is not None else None

    controls = []
    for name, label, kind, help_text in FORM_FIELDS:
        if kind == "checklist":
            control = dbc.Checklist(
                id=ids.field(ids.CARTE_PLACE_FORM, name),
                options=[{"label": o, "value": o} for o in options[name]],
                value=carte.split_multi(value(name)),
                inline=len(options[name]) <= 3,
                className="small",
            )
        elif kind == "textarea":
            control = field_textarea(ids.CARTE_PLACE_FORM, name, value=value(name), rows=3)
        else:
            control = field_input(
                ids.CARTE_PLACE_FORM, name, kind, value=value(name), step="any" if kind == "number" else None
            )
        controls.append(form_field(ids.CARTE_PLACE_FORM, name, label, control, help_text, required=name in required))
    original = dcc.Input(
        id=ids.field(ids.CARTE_PLACE_FORM, "original_id"), type="hidden", value=place.id if place else ""
    )
    columns = [controls[:22], controls[22:]]
    return form_body(
        ids.CARTE_PLACE_FORM,
        [
            original,
            html.Div(id=ids.field_error(ids.CARTE_PLACE_FORM, "original_id"), className="field-error"),
            dbc.Row([dbc.Col(column, lg=6) for column in columns]),
        ],
        "Enregistrer la fiche" if place else "Créer le lieu",
        record="original_id",  # the sheet being edited stays; the creation form is blank again
    )
