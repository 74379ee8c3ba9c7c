"""Lettres: newsletters (subscribers, issues, open rates) and the audience of the network's platforms.

Query string: `annee` (year), `lettre` (newsletter id), `indicateur` (audience indicator key).
Coordinators also get the entry panel (forms and CSV import); the panels are the same for everyone.
"""

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_login import current_user

from dashboard import ids
from dashboard.components import cards
from dashboard.components.cards import page_header
from dashboard.components.entry import entry_button, entry_panel
from dashboard.components.forms import field_input, field_select, form_body, form_field
from dashboard.components.imports import file_drop
from db import clock
from db.interop.mailing import FORMATS
from db.lettres import INDICATORS
from db.models import Role
from db.writes import has_role

dash.register_page(__name__, path="/lettres", name="Lettres", title="Lettres · Médiation numérique")

AREA = "lettres"  # its entry panel (dashboard/components/entry.py)
NEW_NEWSLETTER = "new"
ALL_NEWSLETTERS = "all"
DEFAULT_INDICATOR = "site_visiteurs_uniques"
YEARS_SHOWN = 6
INDICATOR_OPTIONS = [{"label": label, "value": key} for key, label in INDICATORS.items()]


def _int_or(value, default):
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _panel(title: str, panel: str, body_id: str, subtitle: str | None = None, controls=None):
    """A panel whose body a callback fills, with its exports (`cards.panel`)."""
    return cards.panel(
        title,
        body_id=body_id,
        subtitle=subtitle,
        tools=controls,
        export=("lettres", panel),
        class_name="lettres-panel mb-4",
    )


def _filters(year: int, newsletter: str):
    this_year = clock.today().year
    years = [{"label": str(y), "value": str(y)} for y in range(this_year, this_year - YEARS_SHOWN, -1)]
    return html.Div(
        [
            html.Div(
                [
                    dbc.Label("Année", html_for=ids.LETTRES_YEAR, className="mb-0 me-2"),
                    dbc.Select(id=ids.LETTRES_YEAR, options=years, value=str(year), style={"width": "7rem"}),
                ],
                className="d-flex align-items-center",
            ),
            html.Div(
                [
                    dbc.Label("Lettre", html_for=ids.LETTRES_NEWSLETTER, className="mb-0 me-2"),
                    dbc.Select(
                        id=ids.LETTRES_NEWSLETTER,
                        options=[{"label": "Toutes les lettres", "value": ALL_NEWSLETTERS}],
                        value=newsletter,
                        style={"flex": "0 1 16rem", "minWidth": 0},  # narrower than 16rem on a small phone
                    ),
                ],
                className="d-flex align-items-center mw-100",
            ),
        ],
        className="d-flex flex-wrap gap-3",
    )


def _panels(indicator: str):
    return [
        html.H2("Lettres d'information", className="h5 lettres-section"),
        _panel(
            "Abonnés par lettre",
            "abonnes",
            ids.LETTRES_SUBSCRIBERS,
            "Nombre d'abonnés en fin de mois (dernier relevé connu), empilé : la hauteur totale est la portée.",
        ),
        _panel("Lettres et derniers relevés", "lettres", ids.LETTRES_NEWSLETTERS),
        dbc.Row(
            [
                dbc.Col(_panel("Envois par année", "envois_annee", ids.LETTRES_ISSUES_PER_YEAR), lg=6),
                dbc.Col(
                    _panel(
                        "Taux d'ouverture et de clics",
                        "taux",
                        ids.LETTRES_RATES,
                        "Envois avec statistiques, rapportés aux destinataires.",
                    ),
                    lg=6,
                ),
            ],
            className="lettres-pair",
        ),
        _panel("Envois de l'année", "envois", ids.LETTRES_ISSUES),
        html.H2("Audience des plateformes", className="h5 lettres-section"),
        _panel(
            "Évolution d'un indicateur",
            "audience_serie",
            ids.LETTRES_AUDIENCE_CHART,
            controls=html.Div(
                [
                    dbc.Label("Indicateur", html_for=ids.LETTRES_INDICATOR, className="visually-hidden"),
                    dbc.Select(
                        id=ids.LETTRES_INDICATOR,
                        options=INDICATOR_OPTIONS,
                        value=indicator,
                        size="sm",
                        style={"width": "15rem"},
                    ),
                ]
            ),
        ),
        _panel("Derniers chiffres d'audience", "audience", ids.LETTRES_AUDIENCE_TABLE),
    ]


# --- coordinator forms --------------------------------------------------------------------------------------------


def _newsletter_select(form: str, first_option=None):
    if first_option:
        return field_select(form, "newsletter_id", [first_option], first_option["value"])
    return field_select(form, "newsletter_id", [], placeholder="Choisir une lettre…")


def _form_card(form: str, title: str, icon: str, fields: list, action: str, help_text: str | None = None, **after_save):
    """An entry form in its accordion item; `after_save` (`record`, `new`, `context`): see `form_body`."""
    return dbc.AccordionItem(
        [
            html.P(help_text, className="small text-body-secondary") if help_text else None,
            form_body(form, fields, action, **after_save),
        ],
        title=html.Span([html.I(className=f"bi bi-{icon} me-2", **{"aria-hidden": "true"}), title]),
        item_id=form,
    )


def _today_max() -> str:
    return clock.today().isoformat()


def _forms():
    new_option = {"label": "— Nouvelle lettre —", "value": NEW_NEWSLETTER}
    # No min/step: the browser would send an out-of-range value as empty; the server explains what is wrong.
    number = {"input_type": "number", "inputMode": "numeric"}
    items = [
        _form_card(
            ids.LETTRES_SNAPSHOT_FORM,
            "Relevé d'abonnés",
            "people",
            [
                form_field(
                    ids.LETTRES_SNAPSHOT_FORM,
                    "newsletter_id",
                    "Lettre",
                    _newsletter_select(ids.LETTRES_SNAPSHOT_FORM),
                    required=True,
                ),
                form_field(
                    ids.LETTRES_SNAPSHOT_FORM,
                    "date",
                    "Date du relevé",
                    field_input(ids.LETTRES_SNAPSHOT_FORM, "date", "date", value=_today_max(), max=_today_max()),
                    required=True,
                ),
                form_field(
                    ids.LETTRES_SNAPSHOT_FORM,
                    "count",
                    "Nombre d'abonnés",
                    field_input(ids.LETTRES_SNAPSHOT_FORM, "count", **number),
                    "Un second relevé à la même date remplace le premier.",
                    required=True,
                ),
            ],
            "Enregistrer le relevé",
            context=("newsletter_id",),  # blank again but for the newsletter: the next snapshot is often of it
        ),
        _form_card(
            ids.LETTRES_ISSUE_FORM,
            "Envoi d'une lettre",
            "send",
            [
                form_field(
                    ids.LETTRES_ISSUE_FORM,
                    "newsletter_id",
                    "Lettre",
                    _newsletter_select(ids.LETTRES_ISSUE_FORM),
                    required=True,
                ),
                form_field(
                    ids.LETTRES_ISSUE_FORM,
                    "sent_on",
                    "Date d'envoi",
                    field_input(ids.LETTRES_ISSUE_FORM, "sent_on", "date", max=_today_max()),
                    required=True,
                ),
                form_field(
                    ids.LETTRES_ISSUE_FORM,
                    "subject",
                    "Objet",
                    field_input(ids.LETTRES_ISSUE_FORM, "subject"),
                    required=True,
                ),
                form_field(
                    ids.LETTRES_ISSUE_FORM,
                    "link",
                    "Lien (version en ligne)",
                    field_input(ids.LETTRES_ISSUE_FORM, "link", "url"),
                    "https://…",
                ),
                dbc.Row(
                    [
                        dbc.Col(
                            form_field(
                                ids.LETTRES_ISSUE_FORM,
                                "recipients",
                                "Destinataires",
                                field_input(ids.LETTRES_ISSUE_FORM, "recipients", **number),
                            )
                        ),
                        dbc.Col(
                            form_field(
                                ids.LETTRES_ISSUE_FORM,
                                "opens",
                                "Ouvertures",
                                field_input(ids.LETTRES_ISSUE_FORM, "opens", **number),
                            )
                        ),
                        dbc.Col(
                            form_field(
                                ids.LETTRES_ISSUE_FORM,
                                "clicks",
                                "Clics",
                                field_input(ids.LETTRES_ISSUE_FORM, "clicks", **number),
                            )
                        ),
                    ],
                    className="g-2",
                ),
            ],
            "Enregistrer l'envoi",
            "Statistiques facultatives, telles que données par l'outil d'e-mailing. "
            "Le même objet à la même date met à jour l'envoi.",
            context=("newsletter_id",),  # blank again but for the newsletter
        ),
        _form_card(
            ids.LETTRES_AUDIENCE_FORM,
            "Chiffre d'audience",
            "graph-up-arrow",
            [
                form_field(
                    ids.LETTRES_AUDIENCE_FORM,
                    "indicator",
                    "Indicateur",
                    field_select(
                        ids.LETTRES_AUDIENCE_FORM, "indicator", INDICATOR_OPTIONS, placeholder="Choisir un indicateur…"
                    ),
                    required=True,
                ),
                form_field(
                    ids.LETTRES_AUDIENCE_FORM,
                    "period",
                    "Période",
                    field_input(ids.LETTRES_AUDIENCE_FORM, "period", placeholder="2025-03"),
                    "« 2025-03 » pour un mois, « 2025 » pour une année.",
                    required=True,
                ),
                form_field(
                    ids.LETTRES_AUDIENCE_FORM,
                    "value",
                    "Valeur",
                    field_input(ids.LETTRES_AUDIENCE_FORM, "value", "number", inputMode="decimal"),
                    required=True,
                ),
                form_field(
                    ids.LETTRES_AUDIENCE_FORM,
                    "source",
                    "Source",
                    field_input(ids.LETTRES_AUDIENCE_FORM, "source", placeholder="Matomo, Mattermost…"),
                    required=True,
                ),
            ],
            "Enregistrer le chiffre",
        ),
        _form_card(
            ids.LETTRES_NEWSLETTER_FORM,
            "Créer ou modifier une lettre",
            "envelope-plus",
            [
                form_field(
                    ids.LETTRES_NEWSLETTER_FORM,
                    "newsletter_id",
                    "Lettre",
                    _newsletter_select(ids.LETTRES_NEWSLETTER_FORM, new_option),
                ),
                form_field(
                    ids.LETTRES_NEWSLETTER_FORM,
                    "name",
                    "Nom",
                    field_input(ids.LETTRES_NEWSLETTER_FORM, "name"),
                    required=True,
                ),
                form_field(
                    ids.LETTRES_NEWSLETTER_FORM,
                    "audience",
                    "Public",
                    field_input(ids.LETTRES_NEWSLETTER_FORM, "audience", placeholder="Aidants numériques, élus…"),
                ),
                form_field(
                    ids.LETTRES_NEWSLETTER_FORM,
                    "platform",
                    "Plateforme d'envoi",
                    field_input(ids.LETTRES_NEWSLETTER_FORM, "platform", placeholder="Brevo, Mailjet…"),
                ),
            ],
            "Enregistrer la lettre",
            record="newsletter_id",  # a new newsletter: blank again; an edited one: stays chosen
            new=NEW_NEWSLETTER,
        ),
        dbc.AccordionItem(
            _import_body(),
            title=html.Span([html.I(className="bi bi-upload me-2", **{"aria-hidden": "true"}), "Import CSV"]),
        ),
    ]
    # The import stays with the forms: it enters the same records, and its mapping step fits the panel's width.
    return dbc.Accordion(
        items,
        id=ids.LETTRES_FORMS,
        active_item=[ids.LETTRES_SNAPSHOT_FORM],
        always_open=True,
        className="lettres-forms",
    )


def _import_body():
    return [
        dbc.Label("Type de fichier", html_for=ids.LETTRES_IMPORT_KIND),
        dbc.Select(
            id=ids.LETTRES_IMPORT_KIND,
            options=[{"label": fmt.label, "value": key} for key, fmt in FORMATS.items()],
            value="abonnes",
            className="mb-2",
        ),
        html.Div(id=ids.LETTRES_IMPORT_HELP, className="lettres-import-help small mb-2"),
        # The label around the drop zone names its file input (RGAA) and opens the file chooser on click.
        file_drop(
            ids.LETTRES_UPLOAD,
            "Glisser un fichier CSV ici",
            2_000_000,
            ".csv,text/csv,text/plain",
            "Fichier .csv de 2 Mo au plus",
        ),
        dcc.Loading(html.Div(id=ids.LETTRES_IMPORT_RESULT, className="mt-3"), type="dot"),
        # The mapping step, shown when a file's columns are not recognised.
        html.Div(
            [
                html.Div(id=ids.LETTRES_IMPORT_MAPPING_FIELDS),
                dbc.Button("Importer avec ces colonnes", id=ids.LETTRES_IMPORT_MAPPED, color="primary", size="sm"),
            ],
            id=ids.LETTRES_IMPORT_MAPPING,
            hidden=True,
            className="mt-2 lettres-import-mapping",
        ),
        dcc.Store(id=ids.LETTRES_IMPORT_FILE),
    ]


def layout(annee=None, lettre=None, indicateur=None, **_query):
    this_year = clock.today().year
    year = _int_or(annee, this_year)
    if not this_year - YEARS_SHOWN < year <= this_year:
        year = this_year
    newsletter = str(_int_or(lettre, ALL_NEWSLETTERS))
    indicator = indicateur if indicateur in INDICATORS else DEFAULT_INDICATOR
    can_write = current_user.is_authenticated and has_role(current_user, Role.COORDINATOR)
    panels = html.Div(_panels(indicator))
    return html.Div(
        [
            page_header(
                "Lettres d'information et audience",
                "Abonnés, envois et audience des plateformes du réseau, avec la source et la date de chaque chiffre.",
                actions=html.Div(
                    [
                        _filters(year, newsletter),
                        entry_button(AREA, "Saisir un envoi ou un chiffre") if can_write else None,
                    ],
                    className="d-flex flex-wrap align-items-center gap-3",
                ),
            ),
            dcc.Loading(html.Div(id=ids.LETTRES_KPIS, className="lettres-kpis"), delay_show=300),
            panels,
            entry_panel(AREA, "Saisir", [_forms()]) if can_write else None,
            dcc.Download(id=ids.LETTRES_DOWNLOAD),
            dcc.Store(id=ids.LETTRES_IMPORTED, data=0),  # bumped by an import: the panels refresh
        ]
    )
