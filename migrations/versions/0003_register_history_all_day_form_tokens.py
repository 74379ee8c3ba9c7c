"""register history, all-day occurrences, form submission tokens

The register's history starts with what the database holds: each place and catalogue item gets one version from
its creation; a retired item's version ends at its last change (the retirement, unless it was edited since).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 10:00:00

"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "form_submissions",
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("form", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_form_submissions_user_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("token", name=op.f("pk_form_submissions")),
    )
    op.create_table(
        "register_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("register", sa.String(length=20), nullable=False),
        sa.Column("ref", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_to", sa.DateTime(timezone=True), nullable=True),
        sa.Column("date_maj", sa.Date(), nullable=True),
        sa.Column("insee", sa.String(length=5), nullable=True),
        sa.Column("epci_code", sa.String(length=9), nullable=True),
        sa.Column("units", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register_history")),
    )
    op.create_index("ix_register_history_register_ref", "register_history", ["register", "ref", "valid_to"])
    op.create_index("ix_register_history_register_from", "register_history", ["register", "valid_from"])
    with op.batch_alter_table("event_occurrences") as batch:
        batch.add_column(sa.Column("all_day", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.execute(
        "INSERT INTO register_history (register, ref, valid_from, valid_to, date_maj, insee, epci_code) "
        "SELECT 'places', pk, created_at, NULL, date_maj, code_insee, epci_code FROM places"
    )
    op.execute(
        "INSERT INTO register_history (register, ref, valid_from, valid_to, units) "
        "SELECT 'equipment', id, created_at, CASE WHEN active THEN NULL ELSE updated_at END, units "
        "FROM equipment_items"
    )


def downgrade() -> None:
    with op.batch_alter_table("event_occurrences") as batch:
        batch.drop_column("all_day")
    op.drop_index("ix_register_history_register_from", table_name="register_history")
    op.drop_index("ix_register_history_register_ref", table_name="register_history")
    op.drop_table("register_history")
    op.drop_table("form_submissions")
