"""Carte commands: import-places, export-places (national schema v1.0.2), import-ifn (digital fragility index)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app

from db import carte
from db.interop import places as interop
from db.writes import SYSTEM


def register(server: Flask) -> None:
    @server.cli.command("import-places")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    def import_places(file: Path):
        """Importe des lieux (CSV ou JSON, schéma national v1.0.2 ou ancien v0.1), créés ou mis à jour selon leur `id`."""
        database = current_app.extensions["database"]
        try:
            with database.transaction() as session:
                report = interop.import_places(session, SYSTEM, file.read_bytes())
        except interop.UnreadableFile as error:
            click.echo(f"Erreur : {file.name} illisible, rien n'a été importé : {error}", err=True)
            sys.exit(1)
        click.echo(f"Import de {file.name}")
        for line in report.lines():
            click.echo(line)
        if report.rejected and not (report.created or report.updated or report.unchanged):
            sys.exit(1)

    @server.cli.command("export-places")
    @click.option(
        "--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True, help="Format."
    )
    @click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Fichier (défaut : sortie)")
    def export_places(fmt: str, output: Path | None):
        """Exporte tous les lieux au schéma national v1.0.2 (32 colonnes, valeurs multiples séparées par « | »)."""
        database = current_app.extensions["database"]
        with database.session() as session:
            rows = interop.export_rows(interop.places_in_order(session))
        text = interop.export_csv(rows) if fmt == "csv" else interop.export_json(rows)
        if output is None:
            click.echo(text, nl=False)
            return
        output.write_text(text, encoding="utf-8")
        click.echo(f"{len(rows)} lieux exportés dans {output}.", err=True)

    @server.cli.command("import-ifn")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    def import_ifn(file: Path):
        """Importe l'indice de fragilité numérique (IFN) des communes (CSV : name,division,code,…,total)."""
        database = current_app.extensions["database"]
        try:
            with database.transaction() as session:
                report = carte.import_ifn(session, SYSTEM, file.read_bytes())
        except (ValueError, UnicodeDecodeError) as error:
            click.echo(f"Erreur : {file.name} illisible, rien n'a été importé : {error}", err=True)
            sys.exit(1)
        click.echo(f"Import de l'indice de fragilité numérique ({file.name})")
        for line in report.lines():
            click.echo(line)
