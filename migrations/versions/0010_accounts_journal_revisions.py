"""revision tokens for the accounts and the journal: the Admin's lists are kept per revision like every area's

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05 04:00:00

"""

from collections.abc import Sequence

from alembic import op

from db.revisions import drop_trigger_ddl, token_rows_ddl, trigger_ddl

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AREAS = {"accounts": ("users",), "journal": ("audit_log",)}


def upgrade() -> None:
    for statement in trigger_ddl(op.get_bind().dialect.name, AREAS):
        op.execute(statement)
    op.execute(token_rows_ddl(AREAS))


def downgrade() -> None:
    for statement in drop_trigger_ddl(op.get_bind().dialect.name, AREAS):
        op.execute(statement)
    op.execute("DELETE FROM data_revisions WHERE name IN ('accounts', 'journal')")
