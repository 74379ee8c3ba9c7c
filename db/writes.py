"""What every write function shares: who may write, how bad input is reported, the audit row, and the form token.

A write function takes the acting user, checks the role with `require_role`, validates its input (raising
`ValidationError` with one French message per field) and writes its rows plus their `audit` rows in the same
transaction. The role check lives here, not in the UI: a request crafted by a viewer writes nothing.

A form sent from the web is also spent once (`spend_form_token`) in that transaction: a record is entered once.
"""

from __future__ import annotations

import re
import secrets

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from db.models import AuditLog, Base, FormSubmission, Role, User, row_as_dict

ROLE_RANK = {Role.VIEWER: 0, Role.COORDINATOR: 1, Role.ADMIN: 2}
ROLE_LABELS = {Role.VIEWER: "Lecture seule", Role.COORDINATOR: "Coordination", Role.ADMIN: "Administration"}
# The journal of writes (`audit`) in French: what was written, how, and by whom when it was not an account.
TABLE_LABELS = {
    "users": "Comptes",
    "projection_tokens": "Liens de projection",
    "places": "Lieux",
    "communes": "Communes",
    "events": "Événements",
    "event_occurrences": "Dates d'événements",
    "equipment_items": "Matériel",
    "loans": "Prêts",
    "trainings": "Formations",
    "training_sessions": "Sessions de formation",
    "attendants": "Participants",
    "newsletters": "Lettres d'information",
    "newsletter_issues": "Envois de lettres",
    "subscriber_snapshots": "Relevés d'abonnés",
    "audience_figures": "Mesures d'audience",
    "report_comments": "Commentaires du rapport",
    "report_versions": "Versions validées du rapport",
    "conventions": "Conventions",
    "convention_axes": "Axes de la convention",
    "missions": "Missions de la convention",
    "mission_figures": "Chiffres des missions",
    "actions": "Actions",
    "action_missions": "Missions des actions",
    "action_partners": "Partenaires des actions",
}
ACTION_LABELS = {"create": "Création", "update": "Modification", "delete": "Suppression", "revoke": "Révocation"}
ACTOR_LABELS = {"cli": "Ligne de commande"}


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


class FormAlreadySaved(ValidationError):
    """This rendering of a form has already been saved: submitting it again (a double click, a replayed request)
    adds nothing."""

    def __init__(self):
        super().__init__({"": "Ce formulaire a déjà été enregistré : rien n'a été ajouté une seconde fois."})


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


FORM_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


def new_form_token() -> str:
    """The token of one rendering of a form, sent back with its fields (32 URL-safe characters)."""
    return secrets.token_urlsafe(24)


def spend_form_token(session: Session, actor: Actor | None, form: str, token) -> None:
    """Record that this rendering of `form` is saved. Call it in the write's own transaction, before the write (so a
    second submission waits here holding no lock): if the write is refused or fails, the rollback leaves the token
    unspent and the corrected form can be saved.

    The token is the table's primary key, so of two submissions of one rendering, even concurrent ones, exactly one
    inserts it (PostgreSQL makes the second wait for the first to commit); the other raises `FormAlreadySaved`.
    """
    if not isinstance(token, str) or not FORM_TOKEN.fullmatch(token):
        raise ValidationError({"": "Formulaire périmé : rechargez la page."})
    session.add(FormSubmission(token=token, form=form, user_id=actor.id if actor else None))
    try:
        session.flush()
    except IntegrityError:
        raise FormAlreadySaved() from None
