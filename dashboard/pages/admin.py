import dash
import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_login import current_user

from dashboard import ids
from dashboard.components.cards import page_header
from dashboard.components.forms import field_input, field_select, form_body, form_field
from dashboard.components.imports import file_drop
from dashboard.components.paging import paged_list
from db.models import Role
from db.writes import ACTION_LABELS, ROLE_LABELS, TABLE_LABELS

dash.register_page(__name__, path="/admin", name="Admin", title="Administration · Médiation numérique")

ROLE_OPTIONS = [{"label": ROLE_LABELS[role], "value": role.value} for role in Role]
NEW_USER = ids.ADMIN_NEW_USER_FORM
USER_ACCESS = ids.ADMIN_ACCESS_FORM
STATUS_OPTIONS = [{"label": "Actif", "value": "active"}, {"label": "Désactivé", "value": "inactive"}]
# Orders of the two lists (keys of db.users.ACCOUNT_SORTS and JOURNAL_SORTS).
ACCOUNT_SORT_OPTIONS = [
    {"label": "Par nom", "value": "name"},
    {"label": "Par e-mail", "value": "email"},
    {"label": "Par rôle", "value": "role"},
    {"label": "Connexion la plus récente d'abord", "value": "login"},
]
JOURNAL_SORT_OPTIONS = [
    {"label": "Les plus récentes d'abord", "value": "recent"},
    {"label": "Les plus anciennes d'abord", "value": "oldest"},
    {"label": "Par table", "value": "table"},
    {"label": "Par auteur", "value": "who"},
]
EVERY = {"label": "Toutes", "value": ""}


def _control(label: str, control, width: dict) -> dbc.Col:
    return dbc.Col([dbc.Label(label, html_for=control.id, className="small fw-semibold mb-1"), control], **width)


def _select(component_id: str, options: list[dict], value: str = "") -> dbc.Select:
    # dbc.Select shows its placeholder for the value "": the label of the "" option, « Tous » or « Toutes »
    return dbc.Select(id=component_id, options=options, value=value, size="sm", placeholder=options[0]["label"])


def _accounts():
    """The accounts, filtered, sorted and read a page at a time on the server."""
    filters = dbc.Row(
        [
            _control(
                "Recherche",
                dbc.Input(id=ids.ADMIN_ACCOUNTS_TEXT, type="search", size="sm", debounce=True),
                {"md": 4},
            ),
            _control(
                "Rôle", _select(ids.ADMIN_ACCOUNTS_ROLE, [{"label": "Tous", "value": ""}, *ROLE_OPTIONS]), {"md": 3}
            ),
            _control(
                "État", _select(ids.ADMIN_ACCOUNTS_STATE, [{"label": "Tous", "value": ""}, *STATUS_OPTIONS]), {"md": 2}
            ),
            _control("Ordre", _select(ids.ADMIN_ACCOUNTS_SORT, ACCOUNT_SORT_OPTIONS, "name"), {"md": 3}),
        ],
        className="g-2 mb-2",
    )
    return html.Section(
        [html.H2("Comptes", className="h5"), filters, paged_list(ids.ADMIN_ACCOUNTS, "comptes")],
        className="mb-4",
    )


def _journal():
    """The audit log in French, filtered, sorted and read a page at a time on the server."""
    tables = sorted(TABLE_LABELS.items(), key=lambda item: item[1])
    filters = dbc.Row(
        [
            _control(
                "Table",
                _select(ids.ADMIN_JOURNAL_TABLE, [EVERY, *({"label": v, "value": k} for k, v in tables)]),
                {"md": 3},
            ),
            _control(
                "Action",
                _select(
                    ids.ADMIN_JOURNAL_ACTION, [EVERY, *({"label": v, "value": k} for k, v in ACTION_LABELS.items())]
                ),
                {"md": 3},
            ),
            _control("Auteur", dbc.Input(id=ids.ADMIN_JOURNAL_WHO, type="search", size="sm", debounce=True), {"md": 3}),
            _control("Ordre", _select(ids.ADMIN_JOURNAL_SORT, JOURNAL_SORT_OPTIONS, "recent"), {"md": 3}),
        ],
        className="g-2 mb-2",
    )
    return html.Section(
        [html.H2("Journal des modifications", className="h5"), filters, paged_list(ids.ADMIN_JOURNAL, "journal")]
    )


def _new_user_form():
    return dbc.Card(
        [
            dbc.CardHeader(html.H2("Créer un compte", className="h6 mb-0")),
            dbc.CardBody(
                form_body(
                    NEW_USER,
                    [
                        form_field(
                            NEW_USER, "email", "Adresse e-mail", field_input(NEW_USER, "email", "email"), required=True
                        ),
                        form_field(NEW_USER, "name", "Nom", field_input(NEW_USER, "name"), required=True),
                        form_field(
                            NEW_USER, "role", "Rôle", field_select(NEW_USER, "role", ROLE_OPTIONS, Role.VIEWER.value)
                        ),
                        form_field(
                            NEW_USER,
                            "password",
                            "Mot de passe initial",
                            field_input(NEW_USER, "password", "password", autoComplete="new-password"),
                            "Au moins 10 caractères.",
                            required=True,
                        ),
                    ],
                    "Créer le compte",
                    "person-plus",
                )
            ),
        ],
        className="mb-4",
    )


def _access_form():
    return dbc.Card(
        [
            dbc.CardHeader(html.H2("Modifier un accès ou un mot de passe", className="h6 mb-0")),
            dbc.CardBody(
                form_body(
                    USER_ACCESS,
                    [
                        form_field(
                            USER_ACCESS,
                            "user_id",
                            "Compte",
                            field_select(USER_ACCESS, "user_id", []),
                            "Les comptes de la page affichée de la liste : la filtrer pour en trouver un.",
                        ),
                        form_field(USER_ACCESS, "role", "Rôle", field_select(USER_ACCESS, "role", ROLE_OPTIONS)),
                        form_field(USER_ACCESS, "status", "État", field_select(USER_ACCESS, "status", STATUS_OPTIONS)),
                        form_field(
                            USER_ACCESS,
                            "password",
                            "Nouveau mot de passe",
                            field_input(USER_ACCESS, "password", "password", autoComplete="new-password"),
                            "Facultatif : à transmettre à la personne ; ses sessions en cours prennent fin.",
                        ),
                    ],
                    "Appliquer",
                    "shield-check",
                    record="user_id",  # edits the chosen account: stays on it
                )
            ),
        ]
    )


IMPORT_KINDS = [
    {"label": "Lieux (standard national v1.0.2 ou ancien format v0.1, CSV ou JSON)", "value": "lieux"},
    {"label": "Indice de fragilité numérique des communes (CSV)", "value": "ifn"},
]


def _data_import():
    """Files of reference data, for admins: the same import and report as the commands."""
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2("Import de données", className="h5"),
                _control("Fichier", _select(ids.ADMIN_IMPORT_KIND, IMPORT_KINDS, "lieux"), {"className": "mb-2"}),
                dbc.Checkbox(
                    id=ids.ADMIN_IMPORT_DRY_RUN,
                    label="Simulation : lire le fichier et afficher le rapport sans rien enregistrer",
                    value=False,
                    className="small mb-2",
                ),
                file_drop(ids.ADMIN_UPLOAD, "Glisser un fichier ici", 20 * 1024 * 1024, icon_class="me-2"),
                dcc.Loading(html.Div(id=ids.ADMIN_IMPORT_RESULT, className="mt-3"), type="dot"),
            ]
        ),
        className="mt-3 admin-import",
    )


def layout(**_query):
    if not (current_user.is_authenticated and current_user.role == Role.ADMIN):
        return html.Div(
            [page_header("Administration"), dbc.Alert("Cette page est réservée aux administrateurs.", color="warning")]
        )
    return html.Div(
        [
            page_header("Administration", "Comptes, rôles et journal des modifications."),
            dbc.Row(
                [
                    dbc.Col([_new_user_form(), _access_form(), _data_import()], lg=4),
                    dbc.Col([_accounts(), _journal()], lg=8),
                ]
            ),
        ]
    )
