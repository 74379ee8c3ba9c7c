"""CSV imports of the Lettres: subscriber counts, issue statistics from a mailing tool, audience figures.

Formats (UTF-8 or Windows-1252, `;` separator — `,` also accepted —, one header line, columns in any order,
headers case- and accent-insensitive; numbers may use spaces as thousands separators; dates JJ/MM/AAAA or
AAAA-MM-JJ; `lettre` is the exact name of an existing newsletter, case-insensitive):

    abonnes:    lettre;date;abonnes
                La Lettre du réseau;31/12/2025;323
    envois:     lettre;date;objet;lien;destinataires;ouvertures;clics   (lien and the statistics may be empty)
                La Lettre du réseau;2025-12-17;La Lettre n°45;https://…;323;160;34
    audience:   indicateur;periode;valeur;source        (periode: 2025-03 for a month, 2025 for a year)
                site_visiteurs_uniques;2025-03;2480;Matomo

Each row goes through the same write function as the forms (same rules, same audit rows): valid rows are
written, each bad row is rejected with its line number (the header is line 1) and the reasons. A row that
repeats an existing snapshot, issue or figure updates it. Everything happens in the caller's transaction, so
an unexpected failure writes nothing at all.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import lettres
from db.models import Newsletter, Role
from db.writes import Actor, ValidationError, require_role

MAX_ROWS = 20_000


@dataclass(frozen=True)
class CsvFormat:
    key: str
    label: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    example: str


FORMATS = {
    "abonnes": CsvFormat(
        "abonnes",
        "Nombres d'abonnés",
        ("lettre", "date", "abonnes"),
        ("lettre", "date", "abonnes"),
        "La Lettre du réseau;31/12/2025;323",
    ),
    "envois": CsvFormat(
        "envois",
        "Statistiques d'envoi (outil d'e-mailing)",
        ("lettre", "date", "objet", "lien", "destinataires", "ouvertures", "clics"),
        ("lettre", "date", "objet"),
        "La Lettre du réseau;17/12/2025;La Lettre n°45;https://exemple.fr/45;323;160;34",
    ),
    "audience": CsvFormat(
        "audience",
        "Chiffres d'audience",
        ("indicateur", "periode", "valeur", "source"),
        ("indicateur", "periode", "valeur", "source"),
        "site_visiteurs_uniques;2025-03;2480;Matomo",
    ),
}

# Messages of the write functions name their form fields; a CSV user knows the columns.
FIELD_COLUMNS = {
    "newsletter_id": "lettre",
    "date": "date",
    "sent_on": "date",
    "count": "abonnes",
    "subject": "objet",
    "link": "lien",
    "recipients": "destinataires",
    "opens": "ouvertures",
    "clicks": "clics",
    "indicator": "indicateur",
    "period": "periode",
    "value": "valeur",
    "source": "source",
}


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)

    @property
    def summary(self) -> str:
        return f"{self.created} ligne(s) créée(s), {self.updated} mise(s) à jour, {len(self.rejected)} rejetée(s)."


def _plain(text: str) -> str:
    """Lowercase without accents or surrounding spaces: `Abonnés ` → `abonnes`."""
    decomposed = unicodedata.normalize("NFKD", text.strip().lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_rows(text: str, fmt: CsvFormat) -> list[tuple[int, dict[str, str]]]:
    """(line number, {column: cell}) of each non-empty data row; ValidationError when the header is unusable."""
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise ValidationError({"": "Le fichier est vide."})
    delimiter = ";" if lines[0].count(";") >= lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [_plain(cell) for cell in next(reader)]
    missing = [column for column in fmt.required if column not in header]
    if missing:
        raise ValidationError(
            {"": f"Colonne(s) manquante(s) : {', '.join(missing)}. En-tête attendu : {';'.join(fmt.columns)}."}
        )
    rows = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise ValidationError({"": f"Fichier trop long : au plus {MAX_ROWS} lignes par import."})
        values = {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(header)}
        rows.append((reader.line_num, values))
    if not rows:
        raise ValidationError({"": "Le fichier ne contient aucune ligne de données."})
    return rows


def _reason(error: ValidationError) -> str:
    return " ; ".join(
        f"{FIELD_COLUMNS.get(name, name)} : {message}" if name else message for name, message in error.errors.items()
    )


def _newsletter_ids(session: Session) -> dict[str, int]:
    return {_plain(name): id_ for id_, name in session.execute(select(Newsletter.id, Newsletter.name))}


def _import(session: Session, actor: Actor, text: str, fmt: CsvFormat, write_row: Callable) -> ImportReport:
    require_role(actor, Role.COORDINATOR)
    report = ImportReport()
    for line, row in read_rows(text, fmt):
        try:
            saved = write_row(row)
        except ValidationError as error:
            report.rejected.append((line, _reason(error)))
            continue
        if saved.created:
            report.created += 1
        else:
            report.updated += 1
    return report


def _for_newsletter(row: dict, ids: dict[str, int], write: Callable[[int | None], lettres.Saved]) -> lettres.Saved:
    """Run `write(newsletter_id)` for the row's `lettre`; an unknown name is reported along with the other errors."""
    name = row.get("lettre", "")
    newsletter_id = ids.get(_plain(name))
    if newsletter_id is not None:
        return write(newsletter_id)
    message = (
        f"Lettre inconnue « {name} » : la créer d'abord sur la page."
        if name
        else "Le nom de la lettre est obligatoire."
    )
    try:
        write(None)
    except ValidationError as error:
        raise ValidationError({**error.errors, "newsletter_id": message}) from None
    raise AssertionError("a write without a newsletter must fail")  # pragma: no cover


def import_subscribers(session: Session, actor: Actor, text: str) -> ImportReport:
    ids = _newsletter_ids(session)

    def write_row(row):
        return _for_newsletter(
            row,
            ids,
            lambda newsletter_id: lettres.record_snapshot(
                session, actor, newsletter_id=newsletter_id, date=row.get("date"), count=row.get("abonnes")
            ),
        )

    return _import(session, actor, text, FORMATS["abonnes"], write_row)


def import_issues(session: Session, actor: Actor, text: str) -> ImportReport:
    ids = _newsletter_ids(session)

    def write_row(row):
        return _for_newsletter(
            row,
            ids,
            lambda newsletter_id: lettres.record_issue(
                session,
                actor,
                newsletter_id=newsletter_id,
                sent_on=row.get("date"),
                subject=row.get("objet"),
                link=row.get("lien"),
                recipients=row.get("destinataires"),
                opens=row.get("ouvertures"),
                clicks=row.get("clics"),
            ),
        )

    return _import(session, actor, text, FORMATS["envois"], write_row)


def import_audience(session: Session, actor: Actor, text: str) -> ImportReport:
    def write_row(row):
        return lettres.record_audience_figure(
            session,
            actor,
            indicator=row.get("indicateur"),
            period=row.get("periode"),
            value=row.get("valeur"),
            source=row.get("source"),
        )

    return _import(session, actor, text, FORMATS["audience"], write_row)


IMPORTERS = {"abonnes": import_subscribers, "envois": import_issues, "audience": import_audience}
