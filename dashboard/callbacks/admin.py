"""Admin: accounts and the audit log. Every write goes through db.users, which checks the admin role itself."""

import dash_bootstrap_components as dbc
from dash import Input, Output, html

from dashboard import ids
from dashboard.callbacks.forms import database
from dashboard.components import format as fmt
from db import clock
from db import users as user_db
from db.writes import ROLE_LABELS, ValidationError


def create_user(session, actor, *, email, name, role, password):
    user = user_db.create_user(
        session, actor, email=email or "", name=name or "", role=role or "", password=password or ""
    )
    return f"Compte créé pour {user.email}."


def change_access(session, actor, *, user_id, role, status):
    if not user_id:
        raise ValidationError({"user_id": "Choisir un compte."})
    user_id = int(user_id)
    if role:
        user_db.set_role(session, actor, user_id, role)
    if status:
        user_db.set_active(session, actor, user_id, status == "active")
    return "Accès mis à jour."


def users_panel(_created, _changed):
    with database().session() as session:
        frame = user_db.list_users(session)
        audit = user_db.recent_audit(session)
    table = dbc.Table(
        [
            html.Thead(
                html.Tr(
                    [html.Th("Nom"), html.Th("E-mail"), html.Th("Rôle"), html.Th("État"), html.Th("Dernière connexion")]
                )
            )
        ]
        + [
            html.Tbody(
                [
                    html.Tr(
                        [
                            html.Td(row.name),
                            html.Td(row.email),
                            html.Td(ROLE_LABELS.get(row.role, row.role)),
                            html.Td("Actif" if row.active else "Désactivé"),
                            html.Td(fmt.date(row.last_login_at)),
                        ]
                    )
                    for row in frame.itertuples()
                ]
            )
        ],
        striped=True,
        hover=True,
        responsive=True,
        size="sm",
    )
    audit_table = dbc.Table(
        [
            html.Thead(
                html.Tr(
                    [
                        html.Th(f"Quand ({clock.zone_label()})"),
                        html.Th("Qui"),
                        html.Th("Table"),
                        html.Th("Ligne"),
                        html.Th("Action"),
                    ]
                )
            )
        ]
        + [
            html.Tbody(
                [
                    html.Tr(
                        [
                            html.Td(fmt.moment(row.at)),
                            html.Td(row.user_email or "—"),
                            html.Td(row.table_name),
                            html.Td(row.row_id),
                            html.Td(row.action),
                        ]
                    )
                    for row in audit.itertuples()
                ]
            )
        ],
        striped=True,
        responsive=True,
        size="sm",
    )
    options = [{"label": f"{row.name} ({row.email})", "value": row.id} for row in frame.itertuples()]
    return table, audit_table, options


FORMS = {ids.ADMIN_NEW_USER_FORM: create_user, ids.ADMIN_ACCESS_FORM: change_access}


def register(app) -> None:
    app.callback(
        Output(ids.ADMIN_USERS, "children"),
        Output(ids.ADMIN_AUDIT, "children"),
        Output(ids.field(ids.ADMIN_ACCESS_FORM, "user_id"), "options"),
        Input(ids.form_saved(ids.ADMIN_NEW_USER_FORM), "data"),
        Input(ids.form_saved(ids.ADMIN_ACCESS_FORM), "data"),
    )(users_panel)
