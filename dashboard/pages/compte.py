import dash
import dash_bootstrap_components as dbc
from dash import html
from flask_login import current_user

from dashboard import ids
from dashboard.components.cards import page_header
from dashboard.components.forms import field_input, form_body, form_field
from db.users import MIN_PASSWORD_LENGTH
from db.writes import ROLE_LABELS

dash.register_page(__name__, path="/compte", name="Mon compte", title="Mon compte · Médiation numérique")


def _password(name: str, label: str, autocomplete: str, help_text: str | None = None):
    control = field_input(ids.ACCOUNT_PASSWORD_FORM, name, "password", autoComplete=autocomplete)
    return form_field(ids.ACCOUNT_PASSWORD_FORM, name, label, control, help_text, required=True)


def layout(**_query):
    return html.Div(
        [
            page_header("Mon compte", f"{current_user.name} · {current_user.email} · {ROLE_LABELS[current_user.role]}"),
            dbc.Row(
                dbc.Col(
                    dbc.Card(
                        [
                            dbc.CardHeader(html.H2("Changer mon mot de passe", className="h6 mb-0")),
                            dbc.CardBody(
                                [
                                    html.P(
                                        "Vos autres sessions (autres navigateurs, autres appareils) seront fermées.",
                                        className="small text-body-secondary",
                                    ),
                                    form_body(
                                        ids.ACCOUNT_PASSWORD_FORM,
                                        [
                                            _password("current", "Mot de passe actuel", "current-password"),
                                            _password(
                                                "new",
                                                "Nouveau mot de passe",
                                                "new-password",
                                                f"Au moins {MIN_PASSWORD_LENGTH} caractères.",
                                            ),
                                            _password("confirm", "Nouveau mot de passe, à nouveau", "new-password"),
                                        ],
                                        "Changer le mot de passe",
                                        "key",
                                    ),
                                ]
                            ),
                        ]
                    ),
                    lg=6,
                )
            ),
        ]
    )
