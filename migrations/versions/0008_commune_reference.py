"""the national commune reference: postal codes and département of each commune (db/communes.py)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 21:00:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("communes") as batch:
        batch.add_column(sa.Column("postal_codes", sa.Text(), nullable=True))
        batch.add_column(sa.Column("departement", sa.String(length=3), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("communes") as batch:
        batch.drop_column("departement")
        batch.drop_column("postal_codes")
