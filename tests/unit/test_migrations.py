"""The Alembic migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from dashboard.cli import upgrade_database
from db.models import Base
from db.session import Database
from tests.conftest import PG_URL, need


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrated.sqlite'}"
        return
    schema = f"m_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL)
    try:
        with admin.begin() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception:  # noqa: BLE001
        need(False, f"no PostgreSQL server at {PG_URL}")
    yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    with admin.begin() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def test_migrations_match_models(empty_url):
    upgrade_database(empty_url)
    upgrade_database(empty_url)  # idempotent: running it again changes nothing
    database = Database(empty_url)
    with database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    database.dispose()
    assert differences == []


def test_every_table_of_an_area_keeps_its_revision_trigger_after_the_migrations(empty_url):
    """A migration that rebuilds a table (SQLite's batch mode) must create its triggers again: a write to it would
    otherwise leave every cached figure of its area stale."""
    from db.revisions import AREAS

    upgrade_database(empty_url)
    engine = create_engine(empty_url)
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            found = {row[0] for row in connection.execute(text("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger'"))}
        else:
            found = {row[0] for row in connection.execute(text(
                "SELECT event_object_table FROM information_schema.triggers WHERE trigger_schema = current_schema()"
            ))}  # fmt: skip
    engine.dispose()
    tables = {entry.partition(".")[0] for entries in AREAS.values() for entry in entries}
    assert tables - found == set()
