"""One import framework for every file the app reads (places, IFN, communes, events, Lettres).

- one decoder: UTF-8 with or without BOM, then Windows-1252 (what a French Excel writes); a binary file is refused;
- one "unusable file" error (`UnusableFile`, a French message): nothing is written;
- limits on size (`MAX_BYTES`) and rows (`MAX_ROWS`);
- one report (`ImportReport`): created, updated, unchanged, rejected (row, field, reason), warnings; an identical
  row is reported unchanged and writes no journal row;
- a dry run (`run_import(..., dry_run=True)`): the same report, the transaction rolled back, nothing written.

The commands print `report.lines()` and exit non-zero when nothing was imported (`report.nothing_imported`); the
pages render the same report (`dashboard/components/imports.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

MAX_BYTES = 20 * 1024 * 1024  # 20 MB: a département's files are far smaller; a larger one is not what we read
MAX_ROWS = 50_000


class UnusableFile(ValueError):
    """The file as a whole cannot be read (encoding, syntax, header, size, no usable content): nothing is written."""


@dataclass(frozen=True)
class Issue:
    """A rejected row (or value) or a warning: where in the file, which field, why."""

    row: int | str | None  # line or record number; or where, for formats without rows (an event's UID)
    field: str = ""
    reason: str = ""
    id: str = ""

    @property
    def item(self) -> str:
        """Where, as text (the events' reports name their items by UID)."""
        return str(self.row)

    def line(self) -> str:
        where = f"ligne {self.row}" if isinstance(self.row, int) else str(self.row or "fichier")
        if self.id:
            where += f" ({self.id})"
        return f"{where}" + (f", champ « {self.field} »" if self.field else "") + f" : {self.reason}"


@dataclass
class ImportReport:
    what: str = "lignes"  # what a row is, in French, plural: "lieux", "communes", "événements"…
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    format: str = ""
    dry_run: bool = False

    @property
    def rejected_rows(self) -> int:
        return len({(r.row, r.id) for r in self.rejected})

    @property
    def accepted(self) -> int:
        return len(self.created) + len(self.updated) + len(self.unchanged)

    @property
    def nothing_imported(self) -> bool:
        return self.accepted == 0

    @property
    def summary(self) -> str:
        return (
            f"{self.what.capitalize()} : {len(self.created)} créé(s), {len(self.updated)} mis à jour, "
            f"{len(self.unchanged)} inchangé(s), {self.rejected_rows} rejeté(s), "
            f"{len(self.warnings)} avertissement(s)."
        )

    def lines(self) -> list[str]:
        lines = [f"Format lu : {self.format}"] if self.format else []
        lines.append(self.summary)
        lines += [f"  - rejeté, {issue.line()}" for issue in self.rejected]
        lines += [f"  - attention, {issue.line()}" for issue in self.warnings]
        if self.dry_run:
            lines.append("Simulation : rien n'a été enregistré.")
        elif self.nothing_imported:
            lines.append("Rien n'a été importé.")
        return lines


def decode(content: bytes | str) -> str:
    """The text of a file: UTF-8 (with or without BOM), else Windows-1252; UnusableFile for a binary file."""
    if isinstance(content, str):
        return content.lstrip("\ufeff")
    check_size(content)
    if b"\x00" in content[:4096]:
        raise UnusableFile("fichier binaire (ni texte, ni CSV, ni JSON, ni iCalendar)")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return content.decode("cp1252")
    except UnicodeDecodeError as error:
        raise UnusableFile(f"encodage inconnu (ni UTF-8, ni Windows-1252 ; octet {error.start})") from None


def check_size(content: bytes | str) -> None:
    if len(content) > MAX_BYTES:
        raise UnusableFile(
            f"fichier trop gros ({len(content) / 1024 / 1024:.1f} Mo ; {MAX_BYTES // 1024 // 1024} Mo au plus)"
        )


def check_rows(count: int) -> None:
    if count > MAX_ROWS:
        raise UnusableFile(f"fichier trop long : plus de {MAX_ROWS} lignes")


class _DryRun(Exception):
    def __init__(self, report: ImportReport):
        self.report = report


def run_import(database, work: Callable[[object], ImportReport], dry_run: bool = False) -> ImportReport:
    """`work(session)` in one transaction; with `dry_run` the transaction is rolled back and the report kept.
    UnusableFile (and any other error) propagates with nothing written."""
    try:
        with database.transaction() as session:
            report = work(session)
            if dry_run:
                report.dry_run = True
                raise _DryRun(report)
    except _DryRun as rolled_back:
        return rolled_back.report
    return report
