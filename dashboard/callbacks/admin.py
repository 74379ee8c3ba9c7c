"""Admin: accounts and the audit log, each read a page at a time. Every write goes through db.users, which checks
the admin role itself."""

import base64

from dash import Input, Output, State, no_update

from dashboard import ids
from dashboard.callbacks.answers import per_revision
from dashboard.callbacks.forms import acting_user, alert, database
from dashboard.components import format as fmt
from dashboard.components.imports import import_report, unusable_file
from dashboard.components.paging import page_inputs, page_outputs, page_targets, requested_page, table
from db import carte, clock, revisions
from db import users as user_db
from db.fields import record_key
from db.imports import UnusableFile, run_import
from db.interop import places
from db.models import Role
from db.writes import ACTION_LABELS, ACTOR_LABELS, ROLE_LABELS, TABLE_LABELS, PermissionDenied, ValidationError

READ_ROLE = Role.ADMIN  # accounts and the journal
SAVED = [Input(ids.form_saved(ids.ADMIN_NEW_USER_FORM), "data"), Input(ids.form_saved(ids.ADMIN_ACCESS_FORM), "data")]


def create_user(session, actor, *, email, name, role, password):
    user = user_db.create_user(
        session, actor, email=email or "", name=name or "", role=role or "", password=password or ""
    )
    return f"Compte créé pour {user.email}."


def change_access(session, actor, *, user_id, role, status, password=None):
    user_id = record_key(user_id)
    if user_id is None:
        raise ValidationError({"user_id": "Choisir un compte."})
    if role:
        user_db.set_role(session, actor, user_id, role)
    if status:
        user_db.set_active(session, actor, user_id, status == "active")
    if password:
        user_db.set_password(session, actor, user_id, password)
    return "Accès mis à jour : mot de passe remplacé, sessions du compte terminées." if password else "Accès mis à jour."


def accounts(text, role, state, sort, _created, _changed, _previous, _next, shown):
    """A page of the accounts; the access form offers the accounts of that page (filter to find one)."""
    active = {"active": True, "inactive": False}.get(state)
    with database().session() as session:
        page = user_db.accounts_page(
            session, requested_page(ids.ADMIN_ACCOUNTS, shown), text=text, role=role, active=active, sort=sort or "name"
        )
    rows = [
        [row.name, row.email, ROLE_LABELS.get(row.role, row.role), "Actif" if row.active else "Désactivé",
         fmt.date(row.last_login_at)]
        for row in page.rows.itertuples()
    ]  # fmt: skip
    headers = ["Nom", "E-mail", "Rôle", "État", "Dernière connexion"]
    options = [{"label": f"{row.name} ({row.email})", "value": row.id} for row in page.rows.itertuples()]
    return *page_outputs(page, table("Comptes", headers, rows)), options


def journal(table_name, action, who, sort, _created, _changed, _previous, _next, shown):
    """A page of the audit log, in French."""
    with database().session() as session:
        page = user_db.journal_page(
            session,
            requested_page(ids.ADMIN_JOURNAL, shown),
            table=table_name,
            action=action,
            who=who,
            sort=sort or "recent",
        )
    rows = [
        [
            fmt.moment(row.at),
            ACTOR_LABELS.get(row.user_email, row.user_email) or "—",
            TABLE_LABELS.get(row.table_name, row.table_name),
            row.row_id,
            ACTION_LABELS.get(row.action, row.action),
        ]
        for row in page.rows.itertuples()
    ]
    headers = [f"Quand ({clock.zone_label()})", "Qui", "Table", "Ligne", "Action"]
    return page_outputs(page, table("Journal des modifications", headers, rows))


FORMS = {ids.ADMIN_NEW_USER_FORM: create_user, ids.ADMIN_ACCESS_FORM: change_access}


def import_data(contents, filename, kind, dry_run):
    """Places or the IFN uploaded by an admin: the commands' import, the shared report."""
    if not contents:
        return no_update, None
    data = base64.b64decode(contents.split(",", 1)[1])
    actor = acting_user()
    if kind == "ifn":
        work = lambda session: carte.import_ifn(session, actor, data)  # noqa: E731
    else:
        work = lambda session: places.import_places(session, actor, data)  # noqa: E731
    try:
        report = run_import(database(), work, dry_run=bool(dry_run))
    except UnusableFile as error:
        return unusable_file(filename, error), None
    except PermissionDenied as error:
        return alert(str(error), "warning"), None
    return import_report(report, filename), None


def register(app) -> None:
    app.callback(
        Output(ids.ADMIN_IMPORT_RESULT, "children"),
        Output(ids.ADMIN_UPLOAD, "contents"),
        Input(ids.ADMIN_UPLOAD, "contents"),
        State(ids.ADMIN_UPLOAD, "filename"),
        State(ids.ADMIN_IMPORT_KIND, "value"),
        State(ids.ADMIN_IMPORT_DRY_RUN, "value"),
        prevent_initial_call=True,
    )(import_data)
    app.callback(
        *page_targets(ids.ADMIN_ACCOUNTS),
        Output(ids.field(ids.ADMIN_ACCESS_FORM, "user_id"), "options"),
        Input(ids.ADMIN_ACCOUNTS_TEXT, "value"),
        Input(ids.ADMIN_ACCOUNTS_ROLE, "value"),
        Input(ids.ADMIN_ACCOUNTS_STATE, "value"),
        Input(ids.ADMIN_ACCOUNTS_SORT, "value"),
        *SAVED,
        *page_inputs(ids.ADMIN_ACCOUNTS),
    )(per_revision([revisions.ACCOUNTS])(accounts))
    app.callback(
        *page_targets(ids.ADMIN_JOURNAL),
        Input(ids.ADMIN_JOURNAL_TABLE, "value"),
        Input(ids.ADMIN_JOURNAL_ACTION, "value"),
        Input(ids.ADMIN_JOURNAL_WHO, "value"),
        Input(ids.ADMIN_JOURNAL_SORT, "value"),
        *SAVED,  # a save writes journal rows
        *page_inputs(ids.ADMIN_JOURNAL),
    )(per_revision([revisions.JOURNAL])(journal))
