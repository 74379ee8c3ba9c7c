"""Lettres command: import-lettres KIND FILE (subscriber counts, sending statistics or audience figures, as CSV:
the app's own files, Mailchimp's and Brevo's exports as they come, any other layout with --map)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
from flask import Flask

from dashboard.cli.imports import dry_run_option, run_and_report
from db.interop.mailing import FORMATS, import_lettres
from db.writes import SYSTEM


def _mapping(_ctx, _param, values: tuple[str, ...]) -> dict[str, str]:
    mapping = {}
    for value in values:
        column, sep, header = value.partition("=")
        if not sep or not column.strip() or not header.strip():
            raise click.BadParameter(f"« {value} » : colonne=En-tête attendu (ex. --map date=\"Send Date\")")
        mapping[column.strip()] = header.strip()
    return mapping


def register(server: Flask) -> None:
    @server.cli.command("import-lettres")
    @click.argument("kind", type=click.Choice(list(FORMATS)))
    @click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option(
        "--map",
        "mapping",
        multiple=True,
        callback=_mapping,
        help="Correspondance d'une colonne attendue et d'un en-tête du fichier : --map lettre=Liste (répétable).",
    )
    @click.option("--lettre", "newsletter", help="Lettre d'un export de contacts (le fichier ne la nomme pas).")
    @click.option("--date", "on", type=click.DateTime(["%Y-%m-%d"]), help="Date d'un export de contacts (AAAA-MM-JJ).")
    @dry_run_option
    def import_lettres_command(kind, path: Path, mapping, newsletter, on, dry_run: bool):
        """Importe un CSV : les fichiers de la page, un export Mailchimp ou Brevo (reconnu par son en-tête), ou toute
        autre disposition avec --map. Les lignes valides sont gardées, chaque ligne rejetée est listée avec sa raison."""
        content = path.read_bytes()
        day: dt.date | None = on.date() if on else None
        run_and_report(
            f"{FORMATS[kind].label} ({path.name})",
            lambda session: import_lettres(
                session, SYSTEM, content, kind, mapping=mapping or None, newsletter=newsletter, on=day
            ),
            dry_run,
        )
