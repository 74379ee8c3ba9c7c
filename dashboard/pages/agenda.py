"""Agenda: the network's events as a timeline, an upcoming list and a map; entry and import for the team.

The filters live in the URL query string (see `db.agenda.AgendaQuery`), so a shared link opens the same view.
"""

import dash
import dash_bootstrap_components as dbc
import dash_leaflet as dl
from dash import dcc, html
from flask_login import current_user

from dashboard import ids
from dashboard.components import cards
from dashboard.components.cards import page_header
from dashboard.components.entry import entry_button, entry_panel
from dashboard.components.forms import field_input, field_select, field_textarea, form_body, form_field
from dashboard.components.imports import file_drop
from dashboard.components.map import base_map
from dashboard.components.paging import paged_list
from db import clock
from db.agenda import DAYS_EXAMPLE, MODE_LABELS, OCCURRENCE_EXAMPLE, PERIOD_KINDS, STATUS_LABELS, AgendaQuery
from db.models import Role
from db.writes import has_role

dash.register_page(__name__, path="/agenda", name="Agenda", title="Agenda · Médiation numérique", map=True)

AREA = "agenda"  # its entry panel (dashboard/components/entry.py)
NO_MISSION = {"label": "— Aucune mission —", "value": ""}
STATUS_OPTIONS = [{"label": label, "value": status.value} for status, label in STATUS_LABELS.items()]
MODE_OPTIONS = [{"label": label, "value": mode.value} for mode, label in MODE_LABELS.items()]
GROUP_OPTIONS = [{"label": "Catégorie", "value": "category"}, {"label": "Lieu", "value": "place"}]
# The orders of the list of dates (keys of db.agenda.DATE_SORTS).
DATE_SORT_OPTIONS = [
    {"label": "Par date", "value": "date"},
    {"label": "Les plus tardives d'abord", "value": "date-desc"},
    {"label": "Par titre", "value": "title"},
]
ALL = {"label": "Toutes", "value": ""}
# dbc.Select shows its placeholder for the value "": the same text as the explicit "" option, to choose it again.
NEW_EVENT = {"label": "— Nouvel événement —", "value": ""}
FREE_PLACE = {"label": "— Lieu libre (ci-dessous) —", "value": ""}
LOIRE_BOUNDS = [[45.23, 3.69], [46.28, 4.76]]  # the département, for the form's map


def _labelled(label: str, control, control_id, width: dict) -> dbc.Col:
    return dbc.Col([dbc.Label(label, html_for=control_id, className="small fw-semibold mb-1"), control], **width)


def _filters(query: AgendaQuery) -> dbc.Card:
    anchor_hidden = query.period == "custom"
    return dbc.Card(
        dbc.CardBody(
            [
                dbc.Row(
                    [
                        dbc.Col(
                            [
                                html.Div("Période", id="agenda-period-caption", className="small fw-semibold mb-1"),
                                html.Div(
                                    dbc.RadioItems(
                                        id=ids.AGENDA_PERIOD,
                                        options=[
                                            {"label": label, "value": kind} for kind, label in PERIOD_KINDS.items()
                                        ],
                                        value=query.period,
                                        inline=True,
                                        className="btn-group agenda-period",
                                        inputClassName="btn-check",
                                        labelClassName="btn btn-outline-primary btn-sm",
                                        labelCheckedClassName="active",
                                    ),
                                    role="radiogroup",
                                    **{"aria-labelledby": "agenda-period-caption"},
                                ),
                            ],
                            xs=12,
                            lg="auto",
                        ),
                        dbc.Col(
                            html.Div(
                                [
                                    html.Button(
                                        html.I(className="bi bi-chevron-left", **{"aria-hidden": "true"}),
                                        id=ids.AGENDA_PREVIOUS,
                                        type="button",
                                        className="btn btn-light btn-sm border",
                                        title="Période précédente",
                                        **{"aria-label": "Période précédente"},
                                    ),
                                    dbc.Label("Date affichée", html_for=ids.AGENDA_DATE, className="visually-hidden"),
                                    dbc.Input(
                                        id=ids.AGENDA_DATE,
                                        type="date",
                                        value=query.anchor.isoformat(),
                                        size="sm",
                                        className="agenda-date",
                                    ),
                                    html.Button(
                                        html.I(className="bi bi-chevron-right", **{"aria-hidden": "true"}),
                                        id=ids.AGENDA_NEXT,
                                        type="button",
                                        className="btn btn-light btn-sm border",
                                        title="Période suivante",
                                        **{"aria-label": "Période suivante"},
                                    ),
                                ],
                                id=ids.AGENDA_ANCHOR_BOX,
                                className="d-flex gap-1 align-items-end",
                                hidden=anchor_hidden,
                            ),
                            xs=12,
                            lg="auto",
                            className="d-flex align-items-end",
                        ),
                        dbc.Col(
                            html.Div(
                                [
                                    dbc.Label("Du", html_for=ids.AGENDA_FROM, className="small mb-0"),
                                    dbc.Input(
                                        id=ids.AGENDA_FROM,
                                        type="date",
                                        size="sm",
                                        value=(query.start or query.resolved.start).isoformat(),
                                    ),
                                    dbc.Label("au", html_for=ids.AGENDA_TO, className="small mb-0"),
                                    dbc.Input(
                                        id=ids.AGENDA_TO,
                                        type="date",
                                        size="sm",
                                        value=(query.end or query.resolved.end).isoformat(),
                                    ),
                                ],
                                id=ids.AGENDA_CUSTOM_BOX,
                                className="d-flex gap-2 align-items-center",
                                hidden=not anchor_hidden,
                            ),
                            xs=12,
                            lg="auto",
                            className="d-flex align-items-end",
                        ),
                        dbc.Col(
                            html.Div(id=ids.AGENDA_PERIOD_LABEL, className="agenda-period-label", role="status"),
                            className="d-flex align-items-end justify-content-lg-end",
                        ),
                    ],
                    className="g-2 mb-2",
                ),
                dbc.Row(
                    [
                        _labelled(
                            "Catégorie",
                            dbc.Select(
                                id=ids.AGENDA_CATEGORY,
                                options=[ALL],
                                value=query.category or "",
                                size="sm",
                                placeholder="Toutes",
                            ),
                            ids.AGENDA_CATEGORY,
                            {"xs": 12, "md": 6, "xl": 3},
                        ),
                        _labelled(
                            "Commune",
                            dbc.Select(
                                id=ids.AGENDA_COMMUNE,
                                options=[ALL],
                                value=query.commune or "",
                                size="sm",
                                placeholder="Toutes",
                            ),
                            ids.AGENDA_COMMUNE,
                            {"xs": 12, "md": 6, "xl": 2},
                        ),
                        _labelled(
                            "Statut",
                            dbc.Select(
                                id=ids.AGENDA_STATUS,
                                options=[{"label": "Tous", "value": ""}, *STATUS_OPTIONS],
                                value=query.status or "",
                                size="sm",
                                placeholder="Tous",
                            ),
                            ids.AGENDA_STATUS,
                            {"xs": 12, "md": 6, "xl": 2},
                        ),
                        _labelled(
                            "Organisateur",
                            dbc.Select(
                                id=ids.AGENDA_ORGANISER,
                                options=[{"label": "Tous", "value": ""}],
                                value=query.organiser or "",
                                size="sm",
                                placeholder="Tous",
                            ),
                            ids.AGENDA_ORGANISER,
                            {"xs": 12, "md": 6, "xl": 3},
                        ),
                        _labelled(
                            "Frise par",
                            dbc.Select(id=ids.AGENDA_GROUP, options=GROUP_OPTIONS, value=query.group, size="sm"),
                            ids.AGENDA_GROUP,
                            {"xs": 12, "md": 6, "xl": 2},
                        ),
                    ],
                    className="g-2",
                ),
            ]
        ),
        className="agenda-filters mb-3",
    )


def _card(title: str, body, icon: str, extra=None) -> dbc.Card:
    return cards.panel(title, body=body, icon=icon, tools=extra, class_name="agenda-card h-100")


def _event_form() -> html.Div:
    def text(name, label, required=False, help_text=None, **props):
        return form_field(
            ids.AGENDA_EVENT_FORM, name, label, field_input(ids.AGENDA_EVENT_FORM, name, **props), help_text, required
        )

    return form_body(
        ids.AGENDA_EVENT_FORM,
        [
            form_field(
                ids.AGENDA_EVENT_FORM,
                "event_id",
                "Modifier un événement existant",
                html.Div(
                    [
                        field_select(
                            ids.AGENDA_EVENT_FORM, "event_id", [NEW_EVENT], "", placeholder=NEW_EVENT["label"]
                        ),
                        dbc.Button("Charger", id=ids.AGENDA_FORM_LOAD, color="secondary", outline=True),
                    ],
                    className="d-flex gap-2",
                ),
                "Laisser « Nouvel événement » pour en créer un, ou choisir un événement puis « Charger ».",
            ),
            text("title", "Titre", required=True, maxLength=500),
            form_field(
                ids.AGENDA_EVENT_FORM,
                "description",
                "Description",
                field_textarea(ids.AGENDA_EVENT_FORM, "description", rows=3),
            ),
            form_field(
                ids.AGENDA_EVENT_FORM,
                "occurrences",
                "Dates (une par ligne, heure de Paris)",
                field_textarea(ids.AGENDA_EVENT_FORM, "occurrences", rows=3, placeholder=OCCURRENCE_EXAMPLE),
                f"Par exemple « {OCCURRENCE_EXAMPLE} », ou « 12/03/2026 14:00 - 13/03/2026 12:00 » sur deux jours. "
                f"Sans heure, des journées entières : « 12/03/2026 » (toute la journée) ou « {DAYS_EXAMPLE} » "
                "(du 12 au 14 mars).",
                required=True,
            ),
            dbc.Row(
                [
                    dbc.Col(
                        form_field(
                            ids.AGENDA_EVENT_FORM,
                            "status",
                            "Statut",
                            field_select(ids.AGENDA_EVENT_FORM, "status", STATUS_OPTIONS, STATUS_OPTIONS[0]["value"]),
                        ),
                        md=6,
                    ),
                    dbc.Col(
                        form_field(
                            ids.AGENDA_EVENT_FORM,
                            "attendance_mode",
                            "Participation",
                            field_select(
                                ids.AGENDA_EVENT_FORM, "attendance_mode", MODE_OPTIONS, MODE_OPTIONS[0]["value"]
                            ),
                        ),
                        md=6,
                    ),
                ]
            ),
            text("online_url", "Lien de connexion (en ligne ou mixte)", inputMode="url", placeholder="https://"),
            form_field(
                ids.AGENDA_EVENT_FORM,
                "mission_id",
                "Mission de la convention",
                field_select(ids.AGENDA_EVENT_FORM, "mission_id", [NO_MISSION], "", placeholder=NO_MISSION["label"]),
                "Le rapport annuel raconte l'événement sous cette mission.",
            ),
            html.Fieldset(
                [
                    html.Legend("Lieu", className="h6"),
                    form_field(
                        ids.AGENDA_EVENT_FORM,
                        "place_pk",
                        "Lieu du réseau",
                        field_select(
                            ids.AGENDA_EVENT_FORM, "place_pk", [FREE_PLACE], "", placeholder=FREE_PLACE["label"]
                        ),
                        "Ses adresse et coordonnées sont reprises ; sinon remplir le lieu libre.",
                    ),
                    dbc.Row(
                        [
                            dbc.Col(text("location_name", "Nom du lieu libre"), md=6),
                            dbc.Col(text("address", "Adresse"), md=6),
                            dbc.Col(text("postal_code", "Code postal", inputMode="numeric", maxLength=5), md=4),
                            dbc.Col(text("city", "Commune"), md=8),
                            dbc.Col(text("latitude", "Latitude", inputMode="decimal", placeholder="45,4397"), md=6),
                            dbc.Col(text("longitude", "Longitude", inputMode="decimal", placeholder="4,3872"), md=6),
                        ],
                        className="g-2",
                    ),
                    html.Div(
                        [
                            dbc.FormText("Ou cliquer sur la carte pour placer le lieu libre :"),
                            base_map(
                                ids.AGENDA_PICK_MAP,
                                [dl.LayerGroup(id=ids.AGENDA_PICK_MARKER)],
                                bounds=LOIRE_BOUNDS,
                                style={"height": "240px", "minHeight": "240px"},
                                className="agenda-pick-map mt-1",
                            ),
                        ],
                        className="mb-3",
                    ),
                ],
                className="agenda-fieldset",
            ),
            dbc.Row(
                [
                    dbc.Col(
                        text("category", "Catégorie", list=ids.AGENDA_CATEGORY_LIST, placeholder="Atelier numérique"),
                        md=6,
                    ),
                    dbc.Col(text("keywords", "Mots-clés", help_text="Séparés par des virgules."), md=6),
                    dbc.Col(text("audience", "Public"), md=6),
                    dbc.Col(text("organiser", "Organisateur"), md=6),
                ],
                className="g-2",
            ),
            html.Datalist(id=ids.AGENDA_CATEGORY_LIST),
            text("registration_url", "Lien d'inscription", inputMode="url", placeholder="https://"),
        ],
        "Enregistrer l'événement",
        "calendar-plus",
        record="event_id",  # a new event: blank again; a loaded one: stays loaded
    )


def _status_form() -> html.Div:
    return form_body(
        ids.AGENDA_STATUS_FORM,
        [
            form_field(
                ids.AGENDA_STATUS_FORM,
                "event_id",
                "Événement",
                field_select(ids.AGENDA_STATUS_FORM, "event_id", [], "", placeholder="— Choisir un événement —"),
            ),
            form_field(
                ids.AGENDA_STATUS_FORM,
                "status",
                "Nouveau statut",
                field_select(ids.AGENDA_STATUS_FORM, "status", STATUS_OPTIONS, placeholder="— Choisir un statut —"),
            ),
        ],
        "Changer le statut",
        "arrow-repeat",
        record="event_id",  # changes the chosen event: stays on it
    )


def _import_card() -> dbc.Card:
    upload = file_drop(
        ids.AGENDA_UPLOAD,
        "Déposer un fichier ici",
        20 * 1024 * 1024,
        ".ics,.ical,.json,.csv,text/calendar,application/json,text/csv",
        ".ics, OpenAgenda .json ou export tableur .csv",
    )
    body = [upload, dcc.Loading(html.Div(id=ids.AGENDA_IMPORT_REPORT, className="mt-3"), type="dot")]
    return _card("Importer des événements", body, "cloud-arrow-up")


def _entry_panel(is_admin: bool) -> dbc.Offcanvas:
    """Every entry of the team in one panel: an event (new, or loaded to edit), a change of status, and for admins
    the import (its report fits the panel's width, and the page stays for reading). The server checks the role again
    on each write."""
    cards = [
        _card("Événement", _event_form(), "calendar-plus"),
        _card("Annuler, reporter, marquer complet", _status_form(), "arrow-repeat"),
        _import_card() if is_admin else None,
    ]
    return entry_panel(AREA, "Saisir", [html.Div(card, className="mb-4") for card in cards if card is not None])


def layout(**query):
    state = AgendaQuery.from_params(query, clock.today())
    can_edit = current_user.is_authenticated and has_role(current_user, Role.COORDINATOR)
    is_admin = current_user.is_authenticated and has_role(current_user, Role.ADMIN)
    actions = [
        html.A(
            [html.I(className="bi bi-calendar2-week me-1", **{"aria-hidden": "true"}), "S'abonner (iCal)"],
            id=ids.AGENDA_FEED_LINK,
            href="/api/v1/agenda.ics",
            className="btn btn-outline-primary",
            title="Flux iCalendar public avec les filtres affichés",
        )
    ]
    if can_edit:
        actions.append(entry_button(AREA, "Saisir un événement", "calendar-plus"))
    return html.Div(
        [
            dcc.Location(id=ids.AGENDA_URL, refresh=False),
            dcc.Store(id=ids.AGENDA_REFRESH, data=0),
            page_header(
                "Agenda du réseau",
                "Les événements des lieux et acteurs de la médiation numérique de la Loire.",
                actions,
            ),
            _filters(state),
            html.Div(id=ids.AGENDA_NOTICE, className="mb-3", **{"aria-live": "polite"}),
            dcc.Loading(html.Div(id=ids.AGENDA_KPIS, className="mb-3"), type="dot"),
            dbc.Row(
                [
                    dbc.Col(
                        _card(
                            "Frise des événements",
                            dcc.Loading(html.Div(id=ids.AGENDA_TIMELINE), type="default"),
                            "bar-chart-steps",
                        ),
                        xl=8,
                        className="mb-3",
                    ),
                    dbc.Col(
                        _card(
                            "Prochaines dates",
                            dcc.Loading(html.Div(id=ids.AGENDA_UPCOMING), type="dot"),
                            "calendar-event",
                        ),
                        xl=4,
                        className="mb-3",
                    ),
                ]
            ),
            dbc.Row(
                [
                    dbc.Col(
                        _card(
                            "Carte des événements",
                            [
                                html.Div(id=ids.AGENDA_MAP, className="agenda-map"),
                                html.Div(id=ids.AGENDA_MAP_NOTE, className="small text-body-secondary mt-2"),
                            ],
                            "geo-alt",
                        ),
                        xl=7,
                        className="mb-3",
                    ),
                    dbc.Col(
                        _card("Chiffres de la période", dcc.Loading(html.Div(id=ids.AGENDA_COUNTS)), "bar-chart"),
                        xl=5,
                        className="mb-3",
                    ),
                ]
            ),
            _card(
                "Toutes les dates de la période",
                paged_list(ids.AGENDA_DATES, "dates de la période"),
                "list-ul",
                html.Div(
                    [
                        dbc.Label("Ordre", html_for=ids.AGENDA_DATES_SORT, className="small mb-0"),
                        dbc.Select(id=ids.AGENDA_DATES_SORT, options=DATE_SORT_OPTIONS, value="date", size="sm"),
                    ],
                    className="d-flex align-items-center gap-2",
                ),
            ),
            _entry_panel(is_admin) if can_edit else None,
        ]
    )
