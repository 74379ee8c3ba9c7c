"""Mon compte: a person changes their own password (db.users checks the current one and ends the other sessions)."""

from dashboard import auth, ids
from db import users as user_db


def change_password(session, actor, *, current=None, new=None, confirm=None):
    user = user_db.change_own_password(session, actor, current=current, new=new, confirm=confirm)
    auth.start_session(user)  # this browser stays logged in under the account's new session version
    return "Mot de passe changé. Vos autres sessions sont fermées."


FORMS = {ids.ACCOUNT_PASSWORD_FORM: change_password}


def register(_app) -> None:
    """No callback of its own: its form goes through the shared one."""
