"""data revisions: a token replaced by every change of the places (keys the Carte's in-memory index)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02 02:10:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "data_revisions",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_data_revisions")),
    )


def downgrade() -> None:
    op.drop_table("data_revisions")
