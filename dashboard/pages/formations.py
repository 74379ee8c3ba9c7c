"""Formations: trainings, their sessions and attendance, filtered by period, programme, kind, audience, commune."""

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_login import current_user

from dashboard import ids
from dashboard.components import cards
from dashboard.components.cards import page_header
from dashboard.components.entry import edit_button, entry_button, entry_panel
from dashboard.components.exports import export_buttons
from dashboard.components.forms import field_input, field_select, field_textarea, form_body, form_field
from dashboard.components.grids import column, server_grid
from db import clock
from db.formations import AGE_BANDS, GENDER_LABELS, KIND_LABELS, MODE_LABELS, STATE_LABELS
from db.models import Role
from db.writes import has_role

dash.register_page(__name__, path="/formations", name="Formations", title="Formations · Médiation numérique")

AREA = "formations"  # its entry panel (dashboard/components/entry.py)
NO_MISSION = "— Aucune mission —"

# Labels of the empty choice of the forms' selects (the callbacks refill their options with the same labels).
NEW_TRAINING, NEW_SESSION, NEW_ATTENDANT = "Nouvelle formation", "Nouvelle session", "Nouveau participant"
CHOOSE_TRAINING, CHOOSE_SESSION, NONE = "Choisir une formation", "Choisir une session", "—"

# Query-string parameter of each filter, so a shared link opens the same view.
FILTER_PARAMS = {
    ids.FORMATIONS_FROM: "du",
    ids.FORMATIONS_TO: "au",
    ids.FORMATIONS_PROGRAMME: "programme",
    ids.FORMATIONS_KIND: "type",
    ids.FORMATIONS_AUDIENCE: "public",
    ids.FORMATIONS_COMMUNE: "commune",
}
# (panel, title, what the export holds)
PANELS = {
    "month": "Sessions et participants par mois",
    "programme": "Sessions et participants par programme",
    "rates": "Taux de remplissage et de présence par programme",
    "audience": "Participants par public",
    "upcoming": "Prochaines sessions",
    "profiles": "Profil des participants suivis par liste",
    "sessions": "Sessions de la sélection",
}


def optional_select(form: str, name: str, blank: str, pairs=()):
    """A select whose empty value means « none » or « new », labelled `blank` (also its placeholder, which dbc
    renders as a hidden option of value "" that would otherwise show as an empty box)."""
    return field_select(form, name, _options(pairs, blank), "", placeholder=blank)


def _options(pairs, blank: str | None = None) -> list[dict]:
    return ([{"label": blank, "value": ""}] if blank is not None else []) + [
        {"label": label, "value": value} for value, label in pairs
    ]


SESSION_COLUMNS = [
    column("date", "Date", "date", width=140),
    column("start_time", "Horaire", width=130),
    column("title", "Formation", "text", flex=2, minWidth=180),
    column("programme", "Programme", "text", flex=1, minWidth=150),
    column("kind", "Type", width=120),
    column("where", "Lieu", "text", flex=1, minWidth=150),
    column("commune", "Commune", "text", width=150),
    column("capacity", "Places", "number", width=110),
    column("registered", "Inscrits", "number", width=110),
    column("present", "Présents", "number", width=110),
    column("source", "Présence", width=170),
]
ATTENDANT_COLUMNS = [
    column("number", "N°", width=80),
    column("state", "État", width=140),
    column("audience_type", "Public", "text", flex=1, minWidth=120),
    column("gender", "Genre", width=110),
    column("age_band", "Âge", width=110),
]


def panel(name: str, width: int, body=None) -> dbc.Col:
    """A panel whose body a callback fills, or `body` as it is (a grid that loads its own rows)."""
    body_id = ids.formations_panel(name) if body is None else None
    card = cards.panel(
        PANELS[name], body=body, body_id=body_id, export=("formations", name), class_name="h-100 formations-panel"
    )
    return dbc.Col(card, lg=width, className="mb-4")


def _filter(component_id: str, label: str, control, width: int = 2) -> dbc.Col:
    return dbc.Col([dbc.Label(label, html_for=component_id, className="small fw-semibold mb-1"), control], md=width)


def filter_bar(query: dict) -> dbc.Card:
    this_year = clock.today().year
    start = query.get("du") or f"{this_year}-01-01"
    end = query.get("au") or f"{this_year}-12-31"

    def select(component_id, blank):
        value = query.get(FILTER_PARAMS[component_id]) or ""
        # The saved value is offered until the real options arrive, so the select does not fall back to « all ».
        options = _options([(value, value)] if value else [], blank)
        return dbc.Select(id=component_id, options=options, value=value, placeholder=blank)

    return dbc.Card(
        dbc.CardBody(
            dbc.Row(
                [
                    _filter(ids.FORMATIONS_FROM, "Du", dbc.Input(id=ids.FORMATIONS_FROM, type="date", value=start)),
                    _filter(ids.FORMATIONS_TO, "Au", dbc.Input(id=ids.FORMATIONS_TO, type="date", value=end)),
                    _filter(ids.FORMATIONS_PROGRAMME, "Programme", select(ids.FORMATIONS_PROGRAMME, "Tous")),
                    _filter(ids.FORMATIONS_KIND, "Type", select(ids.FORMATIONS_KIND, "Tous")),
                    _filter(ids.FORMATIONS_AUDIENCE, "Public", select(ids.FORMATIONS_AUDIENCE, "Tous")),
                    _filter(ids.FORMATIONS_COMMUNE, "Commune", select(ids.FORMATIONS_COMMUNE, "Toutes")),
                ],
                className="g-3 align-items-end",
            )
        ),
        className="filter-bar mb-4",
    )


def _card(title: str, icon: str, fields: list, form: str, label: str, submit_icon="check2", **after_save) -> dbc.Card:
    """An entry form in its card; `after_save` (`record`, `context`) says what it shows once saved (`form_body`)."""
    return dbc.Card(
        [
            dbc.CardHeader(
                html.H3([html.I(className=f"bi bi-{icon} me-2", **{"aria-hidden": "true"}), title], className="h6 mb-0")
            ),
            dbc.CardBody(form_body(form, fields, label, submit_icon, **after_save)),
        ],
        className="formations-form mb-4",
        id=f"{form}-card",
    )


def training_form() -> dbc.Card:
    f = ids.FORMATIONS_TRAINING_FORM
    return _card(
        "Formation",
        "mortarboard",
        [
            form_field(
                f,
                "training_id",
                "Formation à modifier",
                optional_select(f, "training_id", NEW_TRAINING),
            ),
            form_field(f, "programme", "Programme", field_input(f, "programme"), "Ex. Aidants Connect, CNFPT.", True),
            form_field(f, "title", "Intitulé", field_input(f, "title"), required=True),
            form_field(
                f, "kind", "Type", field_select(f, "kind", _options(KIND_LABELS.items()), "formation"), required=True
            ),
            form_field(f, "partner", "Partenaire", field_input(f, "partner")),
            form_field(f, "audience", "Public", field_input(f, "audience"), "Ex. Travailleurs sociaux."),
            dbc.Row(
                [
                    dbc.Col(form_field(f, "start_date", "Début", field_input(f, "start_date", "date"))),
                    dbc.Col(form_field(f, "end_date", "Fin", field_input(f, "end_date", "date"))),
                ]
            ),
            form_field(f, "description", "Description", field_textarea(f, "description", rows=3)),
            form_field(
                f,
                "mission_id",
                "Mission de la convention",
                optional_select(f, "mission_id", NO_MISSION),
                "Le rapport annuel raconte la formation sous cette mission.",
            ),
        ],
        f,
        "Enregistrer la formation",
        record="training_id",  # a new training: blank again; an edited one: stays chosen
    )


def session_form() -> dbc.Card:
    f = ids.FORMATIONS_SESSION_FORM
    return _card(
        "Session et présence",
        "calendar-check",
        [
            form_field(f, "training_id", "Formation", optional_select(f, "training_id", CHOOSE_TRAINING), None, True),
            form_field(f, "session_id", "Session à modifier", optional_select(f, "session_id", NEW_SESSION)),
            form_field(f, "date", "Date", field_input(f, "date", "date"), required=True),
            dbc.Row(
                [
                    dbc.Col(form_field(f, "start_time", "Début", field_input(f, "start_time", "time"))),
                    dbc.Col(form_field(f, "end_time", "Fin", field_input(f, "end_time", "time"))),
                    dbc.Col(
                        form_field(f, "duration_minutes", "Durée (min)", field_input(f, "duration_minutes", "number"))
                    ),
                ],
                className="g-2",
            ),
            form_field(f, "mode", "Modalité", field_select(f, "mode", _options(MODE_LABELS.items()), "in_person")),
            form_field(f, "place_pk", "Lieu de la carte", optional_select(f, "place_pk", NONE)),
            form_field(
                f, "location", "Ou adresse libre", field_input(f, "location"), "Salle, établissement, visioconférence…"
            ),
            form_field(
                f,
                "commune_insee",
                "Commune",
                optional_select(f, "commune_insee", NONE),
                "Celle du lieu de la carte si vide.",
            ),
            form_field(f, "trainer", "Formateur ou formatrice", field_input(f, "trainer")),
            dbc.Row(
                [
                    dbc.Col(form_field(f, "capacity", "Places", field_input(f, "capacity", "number"))),
                    dbc.Col(
                        form_field(f, "registered_count", "Inscrits", field_input(f, "registered_count", "number"))
                    ),
                    dbc.Col(form_field(f, "present_count", "Présents", field_input(f, "present_count", "number"))),
                ],
                className="g-2",
            ),
            dbc.FormText("Inscrits et présents : laisser vides quand la présence est suivie par participant."),
        ],
        f,
        "Enregistrer la session",
        record="session_id",  # a new session: blank again but for its training; an edited one: stays chosen
        context=("training_id",),
    )


def attendant_form() -> dbc.Card:
    f = ids.FORMATIONS_ATTENDANT_FORM
    return _card(
        "Participant",
        "person-check",
        [
            form_field(
                f,
                "session_id",
                "Session",
                optional_select(f, "session_id", CHOOSE_SESSION),
                "Choisir la ligne de la session dans « Sessions de la sélection » (clic, ou flèches puis Espace).",
                True,
            ),
            html.Div(id=ids.FORMATIONS_ATTENDANCE_SUMMARY, className="small text-body-secondary mb-2"),
            html.Div(
                server_grid(ids.FORMATIONS_ATTENDANTS, ATTENDANT_COLUMNS, selectable=True, height=280),
                className="mb-3",
                role="region",
                **{"aria-label": "Participants de la session"},
            ),
            form_field(
                f,
                "attendant_id",
                "Participant à modifier",
                optional_select(f, "attendant_id", NEW_ATTENDANT),
                "Ou choisir sa ligne dans la liste ci-dessus.",
            ),
            form_field(
                f, "state", "État", field_select(f, "state", _options(STATE_LABELS.items()), "registered"), None, True
            ),
            html.P("Profil facultatif, sans donnée nominative :", className="small text-body-secondary mb-2"),
            form_field(f, "audience_type", "Type de public", field_input(f, "audience_type")),
            dbc.Row(
                [
                    dbc.Col(
                        form_field(f, "gender", "Genre", optional_select(f, "gender", NONE, GENDER_LABELS.items()))
                    ),
                    dbc.Col(
                        form_field(
                            f,
                            "age_band",
                            "Âge",
                            optional_select(f, "age_band", NONE, ((a, a) for a in AGE_BANDS)),
                        )
                    ),
                ],
                className="g-2",
            ),
        ],
        f,
        "Enregistrer le participant",
        "person-plus",
        record="attendant_id",  # a new attendant: blank again but for the session; an edited one: stays chosen
        context=("session_id",),
    )


def entry_forms() -> list:
    """The panel's forms, the most frequent entry first: a session (of a training entered once), its attendants."""
    return [session_form(), attendant_form(), training_form()]


def sessions_tools() -> html.Div:
    """Edit the session chosen in the grid, or its training, in the entry panel."""
    return html.Div(
        [
            edit_button(AREA, ids.FORMATIONS_SESSION_FORM, "Modifier la session", disabled=True),
            edit_button(AREA, ids.FORMATIONS_TRAINING_FORM, "Modifier sa formation", disabled=True),
            edit_button(AREA, ids.FORMATIONS_ATTENDANT_FORM, "Saisir ses participants", disabled=True),
        ],
        className="d-flex flex-wrap gap-2 mb-2 formations-edit",
    )


def layout(**query):
    can_write = has_role(current_user if current_user.is_authenticated else None, Role.COORDINATOR)
    sessions_grid = server_grid(ids.FORMATIONS_SESSIONS, SESSION_COLUMNS, selectable=can_write)
    return html.Div(
        [
            dcc.Location(id=ids.FORMATIONS_URL, refresh=False),
            dcc.Download(id=ids.FORMATIONS_DOWNLOAD),
            page_header(
                "Formations et interventions",
                "Sessions, participants et taux de remplissage et de présence des formations du réseau.",
                actions=html.Div(
                    [
                        html.Span("Sessions de la sélection :", className="small text-body-secondary"),
                        export_buttons("formations", "sessions", PANELS["sessions"]),
                        entry_button(AREA, "Saisir une session ou une formation") if can_write else None,
                    ],
                    className="d-flex flex-wrap align-items-center gap-2",
                ),
            ),
            filter_bar(query),
            dcc.Loading(html.Div(id=ids.FORMATIONS_KPIS, className="mb-2"), delay_show=300),
            dbc.Row([panel("month", 7), panel("programme", 5)]),
            dbc.Row([panel("rates", 7), panel("audience", 5)]),
            dbc.Row([panel("upcoming", 7), panel("profiles", 5)]),
            dbc.Row(panel("sessions", 12, [sessions_tools() if can_write else None, sessions_grid])),
            entry_panel(AREA, "Saisir", entry_forms()) if can_write else None,
        ]
    )
