"""Backup commands: `backup -o FILE` and `restore FILE [--force]` (the archive and its checks: db/backup.py)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from flask import Flask, current_app
from sqlalchemy.exc import SQLAlchemyError

from dashboard.cli.accounts import upgrade_database
from dashboard.config import ROOT
from db import backup
from db.session import Database

# Exit codes, for scripts and cron (README, « Sauvegarde et restauration »); 2 stays click's usage error.
EXIT_ARCHIVE, EXIT_DATABASE, EXIT_REFUSED, EXIT_NOT_RESTORED = 1, 3, 4, 5
EXIT_CODES = {backup.ArchiveError: EXIT_ARCHIVE, backup.Refused: EXIT_REFUSED, backup.NotRestored: EXIT_NOT_RESTORED}


def _fail(message: str, code: int):
    click.echo(f"Erreur : {message}", err=True)
    sys.exit(code)


@contextmanager
def _reporting(file: Path) -> Iterator[None]:
    """Every failure as a French message and its exit code, never a traceback."""
    try:
        yield
    except backup.BackupError as error:
        _fail(str(error), EXIT_CODES[type(error)])
    except OSError as error:
        _fail(f"accès impossible à {file} ({error.strerror}).", EXIT_ARCHIVE)
    except CommandError as error:
        _fail(f"les migrations n'ont pas pu mettre la base à jour : {error}", EXIT_DATABASE)
    except SQLAlchemyError as error:
        _fail(f"la base de données a répondu par une erreur : {backup.reason(error)}", EXIT_DATABASE)


def _reach(database: Database) -> None:
    try:
        database.ping()
    except SQLAlchemyError as error:
        where = database.engine.url.render_as_string(hide_password=True)
        _fail(f"base de données injoignable ({where}) : {backup.reason(error)}", EXIT_DATABASE)


def migration_revisions() -> list[str]:
    """The revisions of the application's migrations, oldest first."""
    scripts = ScriptDirectory(str(ROOT / "migrations"))
    return [script.revision for script in reversed(list(scripts.walk_revisions()))]


def _summary(counts: dict[str, int]) -> None:
    for name, rows in counts.items():
        click.echo(f"  {name:<24} {rows:>8}")
    click.echo(f"  {'total':<24} {sum(counts.values()):>8} lignes, {len(counts)} tables")


def register(server: Flask) -> None:
    @server.cli.command("backup")
    @click.option("-o", "--output", required=True, type=click.Path(path_type=Path), help="Fichier de l'archive (.zip).")
    def backup_command(output: Path):
        """Écrit une archive de toutes les tables, lues au même instant pendant que l'application tourne (zip : un
        fichier JSON Lines par table et un manifeste avec la révision du schéma et une somme de contrôle par table)."""
        database = current_app.extensions["database"]
        with _reporting(output):
            _reach(database)
            manifest = backup.write_backup(database, output)
        click.echo(
            f"Sauvegarde écrite dans {output} (schéma {manifest['alembic_revision']}, "
            f"instantané du {manifest['created_at']}) :"
        )
        _summary({entry["name"]: entry["rows"] for entry in manifest["tables"]})

    @server.cli.command("restore")
    @click.argument("file", type=click.Path(path_type=Path))
    @click.option("--force", is_flag=True, help="Vider d'abord une base qui contient des données (même transaction).")
    def restore_command(file: Path, force: bool):
        """Charge une archive dans une base vide, migrée d'abord si besoin. Rien n'est gardé si une table relue dans
        la base ne correspond pas aux sommes de contrôle de l'archive."""
        database = current_app.extensions["database"]
        with _reporting(file):
            archive = backup.open_archive(file)
            _reach(database)
            upgrade_database(database.url)
            backup.restore(database, archive, known_revisions=migration_revisions(), force=force)
        click.echo(
            f"Restauration de {file} terminée (sauvegarde du {archive.manifest['created_at']}, schéma "
            f"{archive.revision}) : sommes de contrôle vérifiées, jetons de révision renouvelés."
        )
        _summary(archive.counts)
