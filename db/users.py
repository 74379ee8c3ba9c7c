"""Accounts: creation, authentication, roles. Passwords are hashed with scrypt (Werkzeug's default KDF)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection, case, func, or_, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from db import clock, revisions
from db.models import AuditLog, Role, SessionIdentity, User
from db.paging import Page, fetch_page
from db.writes import ACTOR_LABELS, ROLE_RANK, TABLE_LABELS, Actor, ValidationError, audit, require_role, snapshot

PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - a method name; tests lower the cost, never production
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 10


def _hash(password: str) -> str:
    return generate_password_hash(password, method=PASSWORD_HASH_METHOD)


# Checked against when the account does not exist, so a wrong email costs the same time as a wrong password.
_DUMMY_HASH = _hash("not a real password")


def normalise_email(email) -> str:
    return email.strip().lower() if isinstance(email, str) else ""


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


def session_user(session: Session, session_id: str) -> User | None:
    """The active account a session cookie names ("id:version"), or None when its sessions were ended since (a
    logout, a new password, a role or state change) or the cookie predates session versions."""
    parsed = _parse_session_id(session_id)
    return _still_signed_in(session.get(User, parsed[0]) if parsed else None, parsed)


def _parse_session_id(session_id: str) -> tuple[int, int] | None:
    """(account id, session version) of a session cookie's "id:version"; None for anything else."""
    user_id, _, version = str(session_id).partition(":")
    return (int(user_id), int(version)) if user_id.isdigit() and version.isdigit() else None


def _still_signed_in(user, parsed: tuple[int, int] | None):
    """`user` if it is active and its sessions were not ended since the cookie's version."""
    return user if user is not None and user.active and user.session_version == parsed[1] else None


@dataclass(frozen=True)
class SignedIn(SessionIdentity):
    """The account behind a request, as read when it began: what the app reads of the person (writes read the
    account again by its id). Frozen, so one copy serves every request of the process."""

    id: int
    email: str
    name: str
    role: str
    active: bool
    session_version: int


_signed_in = revisions.Cache(1024)
_SIGNED_IN = select(User.id, User.email, User.name, User.role, User.active, User.session_version)


def signed_in(connection: Connection, session_id: str, accounts_token: str) -> SignedIn | None:
    """`session_user` for every request, kept per revision of the accounts (`revisions.ACCOUNTS`: any change of the
    users' table, a logout or a role change included, replaces it): a request whose account is unchanged reads
    nothing more than the tokens."""
    parsed = _parse_session_id(session_id)
    if parsed is None:
        return None
    key = (str(connection.engine.url), session_id, accounts_token)
    user = _signed_in.get(key) if accounts_token else None
    if user is None:
        row = connection.execute(_SIGNED_IN.where(User.id == parsed[0])).first()
        user = SignedIn(*row) if row is not None else None
        if user is not None and accounts_token:
            _signed_in.put(key, user)
    return _still_signed_in(user, parsed)


def end_sessions(user: User) -> None:
    """Every session of the account ends at its next request (any worker, any copied cookie)."""
    user.session_version += 1


def sign_out(session: Session, session_id: str) -> None:
    """Logout: the session's account ends all its sessions, so a cookie copied before cannot be replayed."""
    user = session_user(session, session_id)
    if user is not None:
        end_sessions(user)


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with this email and password, or None. Records the login time."""
    user = find_by_email(session, email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password or "")
        return None
    if not check_password_hash(user.password_hash, password or "") or not user.active:
        return None
    user.last_login_at = clock.utcnow()
    return user


def _validate(session: Session, email: str, name, role, password, user_id=None) -> None:
    errors = {}
    name, role = (value if isinstance(value, str) else "" for value in (name, role))
    if password is not None and not isinstance(password, str):
        password = ""
    if not EMAIL_RE.match(email):
        errors["email"] = "Adresse e-mail invalide."
    elif session.scalar(select(User.id).where(User.email == email, User.id != user_id)) is not None:
        errors["email"] = "Un compte existe déjà avec cette adresse."
    if not name.strip():
        errors["name"] = "Le nom est obligatoire."
    if role not in {r.value for r in Role}:
        errors["role"] = "Rôle inconnu : choisir lecture, coordination ou administration."
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = f"Le mot de passe doit compter au moins {MIN_PASSWORD_LENGTH} caractères."
    if errors:
        raise ValidationError(errors)


def create_user(session: Session, actor: Actor, *, email: str, name: str, role: str, password: str) -> User:
    require_role(actor, Role.ADMIN)
    email = normalise_email(email)
    _validate(session, email, name or "", role, password or "")
    user = User(email=email, name=name.strip(), role=role, password_hash=_hash(password))  # all checked strings
    session.add(user)
    audit(session, actor, user, "create")
    return user


def _change(session: Session, actor: Actor, user_id: int, **changes) -> User:
    """An admin's change of an account; it ends the account's sessions (its rights or its secret changed)."""
    require_role(actor, Role.ADMIN)
    user = session.get(User, user_id)
    if user is None:
        raise ValidationError({"": "Compte introuvable."})
    before = snapshot(user)
    for key, value in changes.items():
        setattr(user, key, value)
    if session.is_modified(user):
        end_sessions(user)
    audit(session, actor, user, "update", before)
    return user


def set_role(session: Session, actor: Actor, user_id: int, role: str) -> User:
    if role not in {r.value for r in Role}:
        raise ValidationError({"role": "Rôle inconnu : choisir lecture, coordination ou administration."})
    if getattr(actor, "id", None) == user_id and role != Role.ADMIN:
        raise ValidationError({"role": "Un administrateur ne peut pas retirer son propre rôle."})
    return _change(session, actor, user_id, role=role)


def set_active(session: Session, actor: Actor, user_id: int, active: bool) -> User:
    if getattr(actor, "id", None) == user_id and not active:
        raise ValidationError({"": "Impossible de désactiver son propre compte."})
    return _change(session, actor, user_id, active=active)


def set_password(session: Session, actor: Actor, user_id: int, password: str) -> User:
    """An admin resets an account's password (the account's sessions end)."""
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationError({"password": f"Le mot de passe doit compter au moins {MIN_PASSWORD_LENGTH} caractères."})
    return _change(session, actor, user_id, password_hash=_hash(password))


def change_own_password(session: Session, actor: User, *, current: str, new: str, confirm: str) -> User:
    """A person changes their own password, proving they know the current one; their other sessions end."""
    user = session.get(User, getattr(actor, "id", None) or 0)
    if user is None or not user.active:
        raise ValidationError({"": "Compte introuvable : reconnectez-vous."})
    errors = {}
    if not check_password_hash(user.password_hash, current or ""):
        errors["current"] = "Mot de passe actuel incorrect."
    if len(new or "") < MIN_PASSWORD_LENGTH:
        errors["new"] = f"Le mot de passe doit compter au moins {MIN_PASSWORD_LENGTH} caractères."
    elif new == current:
        errors["new"] = "Choisir un mot de passe différent de l'actuel."
    if (new or "") != (confirm or ""):
        errors["confirm"] = "Les deux saisies du nouveau mot de passe diffèrent."
    if errors:
        raise ValidationError(errors)
    before = snapshot(user)
    user.password_hash = _hash(new)
    end_sessions(user)
    audit(session, actor, user, "update", before)
    return user


def list_users(session: Session) -> pd.DataFrame:
    rows = session.execute(
        select(User.id, User.email, User.name, User.role, User.active, User.last_login_at).order_by(User.email)
    ).all()
    return pd.DataFrame(rows, columns=["id", "email", "name", "role", "active", "last_login_at"])


def count_users(session: Session) -> int:
    return session.scalar(select(func.count(User.id))) or 0


def _contains(column, text: str):
    """Case-insensitive substring match (LIKE's wildcards in `text` are taken literally)."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")


# Orders of the accounts list, each ending with a unique column.
ACCOUNT_SORTS = {
    "name": (func.lower(User.name), User.id),
    "email": (User.email,),
    "login": (User.last_login_at.desc().nulls_last(), User.id),
    "role": (
        case({role.value: -rank for role, rank in ROLE_RANK.items()}, value=User.role),
        func.lower(User.name),
        User.id,
    ),
}


def accounts_page(
    session: Session, number: int, *, text=None, role=None, active: bool | None = None, sort: str = "name"
) -> Page:
    """A page of the accounts (id, email, name, role, active, last_login_at) whose name or e-mail contains `text`,
    of `role`, active or not, in ACCOUNT_SORTS[sort]."""
    query = select(User.id, User.email, User.name, User.role, User.active, User.last_login_at)
    if text and text.strip():
        query = query.where(or_(_contains(User.name, text.strip()), _contains(User.email, text.strip())))
    if role:
        query = query.where(User.role == role)
    if active is not None:
        query = query.where(User.active.is_(active))
    return fetch_page(session, query, ACCOUNT_SORTS.get(sort, ACCOUNT_SORTS["name"]), number)


# Orders of the journal, each ending with a unique column; tables are sorted by their French name.
JOURNAL_SORTS = {
    "recent": (AuditLog.at.desc(), AuditLog.id.desc()),
    "oldest": (AuditLog.at, AuditLog.id),
    "table": (case(TABLE_LABELS, value=AuditLog.table_name, else_=AuditLog.table_name), AuditLog.id.desc()),
    "who": (AuditLog.user_email, AuditLog.id.desc()),
}


def journal_page(session: Session, number: int, *, table=None, action=None, who=None, sort: str = "recent") -> Page:
    """A page of the audit log (id, at, user_email, table_name, row_id, action) of `table`, `action`, and an author
    whose e-mail (or French name, « Ligne de commande ») contains `who`, in JOURNAL_SORTS[sort]."""
    query = select(AuditLog.id, AuditLog.at, AuditLog.user_email, AuditLog.table_name, AuditLog.row_id, AuditLog.action)
    if table:
        query = query.where(AuditLog.table_name == table)
    if action:
        query = query.where(AuditLog.action == action)
    if who and who.strip():
        named = [actor for actor, label in ACTOR_LABELS.items() if who.strip().lower() in label.lower()]
        query = query.where(or_(_contains(AuditLog.user_email, who.strip()), AuditLog.user_email.in_(named)))
    return fetch_page(session, query, JOURNAL_SORTS.get(sort, JOURNAL_SORTS["recent"]), number)
