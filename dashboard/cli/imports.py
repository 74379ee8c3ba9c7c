"""What every import command shares: `--dry-run`, the report printed the same way, "fichier inutilisable" and the
exit code (1 when the file is unusable or nothing was imported)."""

from __future__ import annotations

import sys
from collections.abc import Callable

import click
from flask import current_app

from db.imports import ImportReport, UnusableFile, run_import
from db.writes import PermissionDenied

dry_run_option = click.option(
    "--dry-run", is_flag=True, help="Lire le fichier et afficher le rapport sans rien enregistrer."
)


def run_and_report(title: str, work: Callable[[object], ImportReport], dry_run: bool) -> ImportReport:
    """Run `work(session)` in one transaction (rolled back by `--dry-run`), print its report, exit 1 when the file
    is unusable or nothing was imported."""
    try:
        report = run_import(current_app.extensions["database"], work, dry_run=dry_run)
    except UnusableFile as error:
        click.echo(f"Erreur : {title} : fichier inutilisable, rien n'a été importé. {error}", err=True)
        sys.exit(1)
    except PermissionDenied as error:
        click.echo(f"Erreur : {error}", err=True)
        sys.exit(1)
    click.echo(title)
    for line in report.lines():
        click.echo(line)
    if report.nothing_imported:
        sys.exit(1)
    return report
