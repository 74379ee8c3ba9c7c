"""Carte commands: import-places, export-places (national schema v1.0.2), import-ifn (digital fragility index)."""

from __future__ import annotations

from pathlib import Path
from tempfile import TemporaryDirectory

import click
from flask import Flask, current_app

from dashboard.cli.imports import dry_run_option, run_and_report
from db import carte, communes
from db.interop import places as interop
from db.writes import SYSTEM


def register(server: Flask) -> None:
    @server.cli.command("import-places")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @dry_run_option
    def import_places(file: Path, dry_run: bool):
        """Importe des lieux (CSV ou JSON, schéma national v1.0.2 ou ancien v0.1), créés ou mis à jour selon leur `id`."""
        content = file.read_bytes()
        run_and_report(
            f"Import de {file.name}", lambda session: interop.import_places(session, SYSTEM, content), dry_run
        )

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

    @server.cli.command("refresh-communes")
    @click.argument("package", type=click.Path(exists=True, path_type=Path))
    @dry_run_option
    def refresh_communes(package: Path, dry_run: bool):
        """Reconstruit db/data/communes.csv.gz depuis le paquet npm @etalab/decoupage-administratif (le .tgz de
        `npm pack @etalab/decoupage-administratif`, ou son dossier décompressé), puis le charge. Avec --dry-run :
        ce qui changerait dans la base, sans rien écrire (ni le fichier ni la table)."""
        rows, source = communes.build_reference(package)
        click.echo(
            f"{source['package']} {source['version']} : {source['communes']} communes, "
            f"{source['arrondissements']} arrondissements municipaux."
        )
        if dry_run:
            with TemporaryDirectory() as folder:
                path = Path(folder) / communes.REFERENCE_PATH.name
                communes.write_reference(rows, source, path)
                reference = communes.reference.__wrapped__(path)
            run_and_report("Référentiel des communes", lambda s: communes.load_communes(s, reference), True)
            return
        communes.write_reference(rows, source)
        communes.reference.cache_clear()
        communes.resolver.cache_clear()
        click.echo(f"Écrit dans {communes.REFERENCE_PATH}.")
        run_and_report("Référentiel des communes", communes.load_communes, False)

    @server.cli.command("import-ifn")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @dry_run_option
    def import_ifn(file: Path, dry_run: bool):
        """Importe l'indice de fragilité numérique (IFN) des communes (CSV : name,division,code,…,total)."""
        content = file.read_bytes()
        run_and_report(
            f"Import de l'indice de fragilité numérique ({file.name})",
            lambda session: carte.import_ifn(session, SYSTEM, content),
            dry_run,
        )
