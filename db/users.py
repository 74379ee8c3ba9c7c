"""Accounts: creation, authentication, roles. Passwords are hashed with scrypt (Werkzeug's default KDF)."""

from __future__ import annotations

import re

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from db import clock
from db.models import AuditLog, Role, User
from db.writes import Actor, ValidationError, audit, require_role, snapshot

PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - a method name; tests lower the cost, never production
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MIN_PASSWORD_LENGTH = 10


def _hash(password: str) -> str:
    return generate_password_hash(password, method=PASSWORD_HASH_METHOD)


# Checked against when the account does not exist, so a wrong email costs the same time as a wrong password.
_DUMMY_HASH = _hash("not a real password")


def normalise_email(email: str | None) -> str:
    return (email or "").strip().lower()


def get_user(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def find_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(User.email == normalise_email(email)))


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


def _validate(session: Session, email: str, name: str, role: str, password: str | None, user_id=None) -> None:
    errors = {}
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
    user = User(email=email, name=name.strip(), role=role, password_hash=_hash(password))
    session.add(user)
    audit(session, actor, user, "create")
    return user


def _change(session: Session, actor: Actor, user_id: int, **changes) -> User:
    require_role(actor, Role.ADMIN)
    user = session.get(User, user_id)
    if user is None:
        raise ValidationError({"": "Compte introuvable."})
    before = snapshot(user)
    for key, value in changes.items():
        setattr(user, key, value)
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
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValidationError({"password": f"Le mot de passe doit compter au moins {MIN_PASSWORD_LENGTH} caractères."})
    return _change(session, actor, user_id, password_hash=_hash(password))


def list_users(session: Session) -> pd.DataFrame:
    rows = session.execute(
        select(User.id, User.email, User.name, User.role, User.active, User.last_login_at).order_by(User.email)
    ).all()
    return pd.DataFrame(rows, columns=["id", "email", "name", "role", "active", "last_login_at"])


def count_users(session: Session) -> int:
    return session.scalar(select(func.count(User.id))) or 0


def recent_audit(session: Session, limit: int = 100) -> pd.DataFrame:
    rows = session.execute(
        select(AuditLog.at, AuditLog.user_email, AuditLog.table_name, AuditLog.row_id, AuditLog.action)
        .order_by(AuditLog.id.desc())
        .limit(limit)
    ).all()
    return pd.DataFrame(rows, columns=["at", "user_email", "table_name", "row_id", "action"])
