"""revision triggers: the database replaces an area's token on any write to its tables, however it is made (the
app, a script, a bulk load, a fix in SQL), instead of the app's flush hook

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 21:00:00

"""
from collections.abc import Sequence

from alembic import op

from db.revisions import trigger_ddl

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The areas as they stood at this revision (db/revisions.py may grow later ones in its own migrations).
AREAS = {
    "places": ("places", "place_values", "register_history.register=places"),
    "agenda": ("events", "event_occurrences"),
    "materiel": ("equipment_items", "loans", "register_history.register=equipment"),
    "formations": ("trainings", "training_sessions", "attendants"),
    "lettres": ("newsletters", "newsletter_issues", "subscriber_snapshots", "audience_figures"),
    "communes": ("communes",),
    "rapport": ("report_comments",),
}


def upgrade() -> None:
    for statement in trigger_ddl(op.get_bind().dialect.name, AREAS):
        op.execute(statement)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for area, entries in AREAS.items():
        for entry in entries:
            table = entry.partition(".")[0]
            for suffix in ("_insert", "_update", "_delete", ""):
                name = f"revision_{area}_{table}{suffix}"
                op.execute(f"DROP TRIGGER IF EXISTS {name}" + ("" if sqlite else f" ON {table}"))
    if not sqlite:
        op.execute("DROP FUNCTION IF EXISTS replace_revision_token()")
