"""`flask --app app report --year 2021 -o rapport-2021.pdf` (or .html, .docx): the annual report as a file.

With a convention covering the year, the report follows it (axes, missions, actions, narratives); otherwise it is
the figures report by the app's own missions (PDF and HTML only). `--version N` writes a validated version as it was
sent instead of the report as the records stand today."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app

from db import clock, rapport, report_document, report_render, report_versions

FORMATS = (".pdf", ".html", ".docx")


def register(server: Flask) -> None:
    @server.cli.command("report")
    @click.option("--year", type=int, default=lambda: clock.today().year - 1, help="Année (par défaut : la dernière).")
    @click.option(
        "-o",
        "--output",
        "output",
        required=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="Fichier .pdf, .html ou .docx.",
    )
    @click.option("--version", "version", type=int, default=None, help="Une version validée, telle qu'envoyée.")
    def report(year: int, output: Path, version: int | None):
        """Écrit le rapport annuel d'activité d'une année dans un fichier PDF, HTML ou DOCX."""
        extension = output.suffix.lower()
        if extension not in FORMATS:
            click.echo("Erreur : le fichier doit se terminer par .pdf, .html ou .docx.", err=True)
            sys.exit(1)
        if not 2000 <= year <= clock.today().year:
            click.echo(f"Erreur : année {year} hors de la plage 2000–{clock.today().year}.", err=True)
            sys.exit(1)
        with current_app.extensions["database"].session() as session:
            if version is not None:
                content = report_versions.version_file(session, year, version, extension[1:])
                if content is None:
                    click.echo(f"Erreur : aucune version {version} validée du rapport {year}.", err=True)
                    sys.exit(1)
                has_data = True
            else:
                document = report_document.build(session, year)
                content = report_render.rendered(session, year, extension[1:])
                if content is None:
                    click.echo(
                        f"Erreur : le format DOCX suit la convention, et aucune convention ne couvre {year}.", err=True
                    )
                    sys.exit(1)
                has_data = document.has_data if document else rapport.build_report(session, year).has_data
        try:
            if isinstance(content, bytes):
                output.write_bytes(content)
            else:
                output.write_text(content, encoding="utf-8")
        except OSError:
            click.echo(f"Erreur : impossible d'écrire {output} (dossier absent ou accès refusé).", err=True)
            sys.exit(1)
        state = "" if has_data else " (aucune activité enregistrée pour cette année)"
        label = f"Rapport {year}" + (f", version {version}," if version is not None else "")
        size = f"{len(content):,}".replace(",", "\u202f")
        click.echo(f"{label} écrit dans {output} ({size} octets){state}.")
