import dash
import dash_bootstrap_components as dbc
from dash import html
from flask_login import current_user

from dashboard import ids
from dashboard.components.cards import page_header
from dashboard.components.forms import field_input, field_select, form_body, form_field
from db.models import Role
from db.writes import ROLE_LABELS

dash.register_page(__name__, path="/admin", name="Admin", title="Administration · Médiation numérique")

ROLE_OPTIONS = [{"label": ROLE_LABELS[role], "value": role.value} for role in Role]
NEW_USER = ids.ADMIN_NEW_USER_FORM
USER_ACCESS = ids.ADMIN_ACCESS_FORM
STATUS_OPTIONS = [{"label": "Actif", "value": "active"}, {"label": "Désactivé", "value": "inactive"}]


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
            dbc.CardHeader(html.H2("Modifier un accès", className="h6 mb-0")),
            dbc.CardBody(
                form_body(
                    USER_ACCESS,
                    [
                        form_field(USER_ACCESS, "user_id", "Compte", field_select(USER_ACCESS, "user_id", [])),
                        form_field(USER_ACCESS, "role", "Rôle", field_select(USER_ACCESS, "role", ROLE_OPTIONS)),
                        form_field(USER_ACCESS, "status", "État", field_select(USER_ACCESS, "status", STATUS_OPTIONS)),
                    ],
                    "Appliquer",
                    "shield-check",
                    record="user_id",  # edits the chosen account: stays on it
                )
            ),
        ]
    )


def layout(**_query):
    if not (current_user.is_authenticated and current_user.role == Role.ADMIN):
        return dbc.Alert("Cette page est réservée aux administrateurs.", color="warning")
    return html.Div(
        [
            page_header("Administration", "Comptes, rôles et journal des modifications."),
            dbc.Row(
                [
                    dbc.Col([_new_user_form(), _access_form()], lg=4),
                    dbc.Col(
                        [
                            html.H2("Comptes", className="h5"),
                            html.Div(id=ids.ADMIN_USERS, className="mb-4"),
                            html.H2("Journal des modifications (100 dernières)", className="h5"),
                            html.Div(id=ids.ADMIN_AUDIT),
                        ],
                        lg=8,
                    ),
                ]
            ),
        ]
    )
