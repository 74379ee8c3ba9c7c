"""Agenda commands: import-events FILE (OpenAgenda JSON/CSV or iCalendar), export-events -o FILE.ics."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask, current_app

from dashboard.cli.imports import dry_run_option, run_and_report
from db import agenda as agenda_db
from db import clock
from db.interop.events import FORMAT_LABELS, detect_format, read_events_file
from db.interop.ical import export_calendar
from db.periods import Period
from db.writes import SYSTEM


def database():
    return current_app.extensions["database"]


def register(server: Flask) -> None:
    @server.cli.command("import-events")
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @dry_run_option
    def import_events(path: Path, dry_run: bool):
        """Importe des événements (OpenAgenda JSON ou CSV, iCalendar : format reconnu par l'extension, sinon par le
        contenu) et affiche le rapport."""
        content = path.read_bytes()

        def work(session):
            parsed = read_events_file(path.name, content, clock.today())
            return agenda_db.import_events(session, SYSTEM, parsed)

        run_and_report(f"Import de {path.name} ({FORMAT_LABELS[detect_format(path.name, content)]})", work, dry_run)

    @server.cli.command("export-events")
    @click.option(
        "-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Fichier .ics."
    )
    @click.option("--from", "start", type=click.DateTime(["%Y-%m-%d"]), help="Première date (AAAA-MM-JJ).")
    @click.option("--to", "end", type=click.DateTime(["%Y-%m-%d"]), help="Dernière date (AAAA-MM-JJ).")
    def export_events(output: Path, start, end):
        """Écrit les dates des événements dans un fichier iCalendar (toutes les dates par défaut)."""
        period = Period(start.date(), end.date()) if start and end else None
        if (start is None) != (end is None):
            click.echo("Erreur : donner --from et --to ensemble.", err=True)
            sys.exit(1)
        with database().session() as session:
            frame = agenda_db.occurrences_frame(session, agenda_db.EventFilters(period), detailed=True)
        output.write_bytes(export_calendar(frame))
        click.echo(f"{len(frame)} date(s) de {frame['event_id'].nunique()} événement(s) écrites dans {output}.")
