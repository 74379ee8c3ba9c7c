"""`flask --app app report --year 2025 -o rapport-2025.pdf` (or .html): the annual report as a file."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app

from db import clock
from db.rapport import build_report, render_html, render_pdf

RENDERERS = {".pdf": render_pdf, ".html": render_html}


def register(server: Flask) -> None:
    @server.cli.command("report")
    @click.option("--year", type=int, default=lambda: clock.today().year - 1, help="Année (par défaut : la dernière).")
    @click.option(
        "-o",
        "--output",
        "output",
        required=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="Fichier .pdf ou .html.",
    )
    def report(year: int, output: Path):
        """Écrit le rapport annuel d'activité d'une année dans un fichier PDF ou HTML."""
        render = RENDERERS.get(output.suffix.lower())
        if render is None:
            click.echo("Erreur : le fichier doit se terminer par .pdf ou .html.", err=True)
            sys.exit(1)
        if not 2000 <= year <= clock.today().year:
            click.echo(f"Erreur : année {year} hors de la plage 2000–{clock.today().year}.", err=True)
            sys.exit(1)
        with current_app.extensions["database"].session() as session:
            document = build_report(session, year)
            content = render(document)
        try:
            if isinstance(content, bytes):
                output.write_bytes(content)
            else:
                output.write_text(content, encoding="utf-8")
        except OSError:
            click.echo(f"Erreur : impossible d'écrire {output} (dossier absent ou accès refusé).", err=True)
            sys.exit(1)
        state = "" if document.has_data else " (aucune activité enregistrée pour cette année)"
        click.echo(f"Rapport {year} écrit dans {output} ({len(content):,} octets){state}.".replace(",", "\u202f"))
