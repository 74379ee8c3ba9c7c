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
