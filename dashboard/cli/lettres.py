"""Lettres command: import-lettres KIND FILE (subscriber counts, sending statistics or audience figures, as CSV)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app

from db.interop.mailing import FORMATS, IMPORTERS, decode
from db.writes import SYSTEM, ValidationError


def register(server: Flask) -> None:
    @server.cli.command("import-lettres")
    @click.argument("kind", type=click.Choice(list(IMPORTERS)))
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    def import_lettres(kind: str, path: Path):
        """Importe un CSV (KIND : abonnes, envois ou audience ; les mêmes fichiers que l'import de la page) et affiche
        le rapport. Les lignes valides sont gardées, chaque ligne rejetée est listée avec sa raison."""
        try:
            with current_app.extensions["database"].transaction() as session:
                report = IMPORTERS[kind](session, SYSTEM, decode(path.read_bytes()))
        except ValidationError as error:
            click.echo(f"Erreur : {' '.join(error.errors.values())} Rien n'a été importé.", err=True)
            sys.exit(1)
        click.echo(f"{FORMATS[kind].label} : {report.summary}")
        for line, reason in report.rejected:
            click.echo(f"  - ligne {line} : {reason}")
