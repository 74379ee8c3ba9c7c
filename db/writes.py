"""What every write function shares: who may write, how bad input is reported, and the audit row.

A write function takes the acting user, checks the role with `require_role`, validates its input (raising
`ValidationError` with one French message per field) and writes its rows plus their `audit` rows in the same
transaction. The role check lives here, not in the UI: a request crafted by a viewer writes nothing.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from db.models import AuditLog, Base, Role, User, row_as_dict

ROLE_RANK = {Role.VIEWER: 0, Role.COORDINATOR: 1, Role.ADMIN: 2}
ROLE_LABELS = {Role.VIEWER: "Lecture seule", Role.COORDINATOR: "Coordination", Role.ADMIN: "Administration"}


class SystemActor:
    """The server's own shell (CLI commands, imports run by an operator): trusted, audited as `email`."""

    id = None
    role = Role.ADMIN
    active = True

    def __init__(self, email: str = "cli"):
        self.email = email


SYSTEM = SystemActor()
Actor = User | SystemActor


class PermissionDenied(Exception):
    """The acting user may not perform this write."""


class ValidationError(Exception):
    """Bad input: `errors` maps a field name to a message shown next to it ("" for the form as a whole)."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" if k else v for k, v in errors.items()))
        self.errors = errors


def has_role(user: Actor | None, minimum: Role) -> bool:
    return bool(user and user.active and ROLE_RANK.get(Role(user.role), -1) >= ROLE_RANK[minimum])


def require_role(user: Actor | None, minimum: Role) -> Actor:
    if not has_role(user, minimum):
        raise PermissionDenied(f"Action réservée au rôle « {ROLE_LABELS[minimum]} » ou supérieur.")
    return user


def audit(session: Session, actor: Actor | None, obj: Base, action: str, before: dict | None = None) -> None:
    """Add the audit row of a write to the current transaction. Call it after the write (flushes to get ids)."""
    session.flush()
    after = None if action == "delete" else row_as_dict(obj)
    mapper = obj.__mapper__
    row_id = ",".join(str(getattr(obj, c.key)) for c in mapper.primary_key)
    session.add(
        AuditLog(
            user_id=actor.id if actor else None,
            user_email=actor.email if actor else None,
            table_name=obj.__tablename__,
            row_id=row_id,
            action=action,
            before=before,
            after=after,
        )
    )


def snapshot(obj: Base) -> dict:
    """The row before a change, for `audit(..., before=snapshot(obj))`."""
    return row_as_dict(obj)
