"""Alembic environment: the models' metadata, and the URL from the caller or the app's configuration."""

from alembic import context

from db.models import Base
from db.session import Database

config = context.config


def database_url() -> str:
    url = config.attributes.get("database_url")
    if url:
        return url
    from dashboard.config import Config

    return Config().DATABASE_URL


def run_migrations_offline() -> None:
    context.configure(
        url=Database(database_url()).url, target_metadata=Base.metadata, literal_binds=True, render_as_batch=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    database = Database(database_url())
    with database.engine.connect() as connection:
        # render_as_batch: SQLite can only ALTER tables by copying them; Alembic's batch mode does that.
        context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True, compare_type=True)
        with context.begin_transaction():
            context.run_migrations()
    database.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
