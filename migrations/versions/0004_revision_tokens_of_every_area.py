"""revision tokens of every area: a row per area from the start, so that results computed from an area never written
yet are cached too (db/revisions.py caches nothing for an area without a token)

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 20:00:00

"""
import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AREAS = ("places", "agenda", "materiel", "formations", "lettres", "communes", "rapport")


def upgrade() -> None:
    revisions = sa.table("data_revisions", sa.column("name", sa.String), sa.column("token", sa.String))
    existing = {row[0] for row in op.get_bind().execute(sa.select(revisions.c.name))}
    rows = [{"name": area, "token": uuid.uuid4().hex} for area in AREAS if area not in existing]
    if rows:
        op.bulk_insert(revisions, rows)


def downgrade() -> None:
    pass  # the tokens are harmless
