"""`flask --app app figures (--year Y | --from AAAA-MM-JJ --to AAAA-MM-JJ) [-o FILE]`: every figure of the catalogue
for a period, with its comparison, as JSON (the document /api/v1/indicateurs.json serves)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask, current_app

from db import catalogue, clock
from db.periods import requested_period


def register(server: Flask) -> None:
    @server.cli.command("figures")
    @click.option("--year", help="Année (l'année en cours s'arrête à aujourd'hui).")
    @click.option("--from", "start", help="Première date (AAAA-MM-JJ), avec --to.")
    @click.option("--to", "end", help="Dernière date (AAAA-MM-JJ), avec --from.")
    @click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), help="Fichier JSON.")
    def figures(year, start, end, output: Path | None):
        """Affiche en JSON les chiffres d'une période et ceux de la même période un an plus tôt."""
        try:
            period = requested_period(year, start, end, today=clock.today())
        except ValueError as error:
            click.echo(f"Erreur : {error}", err=True)
            sys.exit(2)
        with current_app.extensions["database"].session() as session:
            text = json.dumps(catalogue.document(session, period), ensure_ascii=False, indent=2)
        if output is None:
            click.echo(text)
            return
        try:
            output.write_text(text + "\n", encoding="utf-8")
        except OSError:
            click.echo(f"Erreur : impossible d'écrire {output} (dossier absent ou accès refusé).", err=True)
            sys.exit(1)
        click.echo(f"Chiffres du {period.start:%d/%m/%Y} au {period.end:%d/%m/%Y} écrits dans {output}.")
