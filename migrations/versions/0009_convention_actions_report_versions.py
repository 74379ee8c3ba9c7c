"""the convention as data (axes, missions and their figures), the network's actions, a mission link on trainings,
sessions, events and loans, and the validated versions of the annual report

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 21:00:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from db.revisions import drop_trigger_ddl, token_rows_ddl, trigger_ddl

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The tables this revision adds to the areas (db/revisions.py), as they stand at this revision.
AREAS = {
    "rapport": ("report_versions",),
    "convention": ("conventions", "convention_axes", "missions", "mission_figures"),
    "actions": ("actions", "action_missions", "action_partners"),
}
LINKED = ("trainings", "training_sessions", "events", "loans")
# SQLite's batch mode rebuilds a table to add its foreign key, and its triggers go with the old one: the linked
# tables' revision triggers (migration 0005) are created again after it.
RELINKED = {"agenda": ("events",), "materiel": ("loans",), "formations": ("trainings", "training_sessions")}


def upgrade() -> None:
    op.create_table(
        "conventions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("partner", sa.String(length=300), nullable=True),
        sa.Column("first_year", sa.Integer(), nullable=False),
        sa.Column("last_year", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("last_year >= first_year", name=op.f("ck_conventions_years_ordered")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conventions")),
    )
    op.create_table(
        "convention_axes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("convention_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["convention_id"],
            ["conventions.id"],
            name=op.f("fk_convention_axes_convention_id_conventions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_convention_axes")),
    )
    op.create_index(op.f("ix_convention_axes_convention_id"), "convention_axes", ["convention_id"])
    op.create_table(
        "missions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("axis_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=50), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["axis_id"], ["convention_axes.id"], name=op.f("fk_missions_axis_id_convention_axes"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_missions")),
    )
    op.create_index(op.f("ix_missions_axis_id"), "missions", ["axis_id"])
    op.create_table(
        "mission_figures",
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.Column("figure_key", sa.String(length=50), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["mission_id"], ["missions.id"], name=op.f("fk_mission_figures_mission_id_missions"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("mission_id", "figure_key", name=op.f("pk_mission_figures")),
    )
    op.create_table(
        "actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("commune_insee", sa.String(length=5), nullable=True),
        sa.Column("commune_name", sa.String(length=200), nullable=True),
        sa.Column("public", sa.String(length=300), nullable=True),
        sa.Column("participants", sa.Integer(), nullable=True),
        sa.Column("hours", sa.Float(), nullable=True),
        sa.Column("account", sa.Text(), nullable=True),
        sa.Column("links", sa.Text(), nullable=True),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name=op.f("ck_actions_dates_ordered")),
        sa.CheckConstraint("participants IS NULL OR participants >= 0", name=op.f("ck_actions_participants_positive")),
        sa.CheckConstraint("hours IS NULL OR hours >= 0", name=op.f("ck_actions_hours_positive")),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_actions_created_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actions")),
    )
    op.create_index(op.f("ix_actions_start_date"), "actions", ["start_date"])
    op.create_table(
        "action_missions",
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.id"], name=op.f("fk_action_missions_action_id_actions"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["mission_id"], ["missions.id"], name=op.f("fk_action_missions_mission_id_missions"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("action_id", "mission_id", name=op.f("pk_action_missions")),
    )
    op.create_table(
        "action_partners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("place_pk", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.id"], name=op.f("fk_action_partners_action_id_actions"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["place_pk"], ["places.pk"], name=op.f("fk_action_partners_place_pk_places"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_partners")),
    )
    op.create_index(op.f("ix_action_partners_action_id"), "action_partners", ["action_id"])
    op.create_table(
        "report_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("validated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("validated_by", sa.Integer(), nullable=True),
        sa.Column("validated_by_name", sa.String(length=200), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("pdf_base64", sa.Text(), nullable=False),
        sa.Column("docx_base64", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["validated_by"], ["users.id"], name=op.f("fk_report_versions_validated_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_versions")),
        sa.UniqueConstraint("year", "number", name="year_number"),
    )
    for table in LINKED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("mission_id", sa.Integer(), nullable=True))
            batch.create_index(batch.f(f"ix_{table}_mission_id"), ["mission_id"])
            batch.create_foreign_key(
                batch.f(f"fk_{table}_mission_id_missions"), "missions", ["mission_id"], ["id"], ondelete="SET NULL"
            )
    for statement in trigger_ddl(op.get_bind().dialect.name, AREAS | RELINKED):
        op.execute(statement)
    op.execute(token_rows_ddl(AREAS))


def downgrade() -> None:
    for statement in drop_trigger_ddl(op.get_bind().dialect.name, AREAS):
        op.execute(statement)
    op.execute("DELETE FROM data_revisions WHERE name IN ('convention', 'actions')")
    for table in LINKED:
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(batch.f(f"fk_{table}_mission_id_missions"), type_="foreignkey")
            batch.drop_index(batch.f(f"ix_{table}_mission_id"))
            batch.drop_column("mission_id")
    for statement in trigger_ddl(op.get_bind().dialect.name, RELINKED):
        op.execute(statement)
    for table in (
        "report_versions",
        "action_partners",
        "action_missions",
        "actions",
        "mission_figures",
        "missions",
        "convention_axes",
        "conventions",
    ):
        op.drop_table(table)
