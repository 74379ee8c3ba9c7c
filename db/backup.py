"""Backups: a consistent, portable archive of every table, and its restoration into an empty database.

The archive is a zip file holding:

- `tables/<table>.jsonl`: one line per row, a JSON object of every column (keys sorted, no spaces, UTF-8), in a
  canonical form that does not depend on the database it was read from: dates and times in ISO 8601, datetimes in
  UTC (`2025-03-01T09:00:00+00:00`), booleans, numbers and texts as JSON has them, NULL as `null`, and a JSON column as
  its document's canonical JSON text (so SQL NULL, `null`, stays distinct from the JSON value null, `"null"`). The
  lines are sorted bytewise, so a table's file is the same whatever the database and its collation.
- `manifest.json`: `format` ("mednum-sauvegarde"), `format_version`, `alembic_revision` (the schema's), `created_at`
  (the snapshot's instant, UTC ISO), `database` (the source's dialect), and `tables` in foreign-key order, each with
  its `name`, `rows` and `sha256` (of its file, that is of its rows' canonical form).

A backup reads every table at one instant while the app may be writing; a restore loads the rows with their keys into
an empty database of the same schema revision, in one transaction that it rolls back unless the database gives back
exactly the archive's rows.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from alembic.migration import MigrationContext
from sqlalchemy import (
    JSON,
    Connection,
    Date,
    DateTime,
    Float,
    Table,
    Text,
    Time,
    bindparam,
    cast,
    delete,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from db import clock, revisions
from db.models import Base, DataRevision
from db.session import Database

FORMAT = "mednum-sauvegarde"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
TABLES = tuple(Base.metadata.sorted_tables)  # parents before children
TOKENS = DataRevision.__table__
BATCH = 1000


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, in French."""


class ArchiveError(BackupError):
    """The file is not a usable archive: missing, unreadable, of another format, or not matching its checksums."""


class Refused(BackupError):
    """The database is not in a state for this operation (schema revision, data already there)."""


class NotRestored(BackupError):
    """The database did not take or did not give back the archive's rows: everything was rolled back."""


def reason(error: SQLAlchemyError) -> str:
    """The database's own words for an error, on one line."""
    return str(getattr(error, "orig", None) or error).strip().splitlines()[0]


# --- the canonical form of a value -------------------------------------------------------------------------------


def _same(value):
    return value


def _json_text(value: str) -> str:
    """A JSON column's document (read as its text) in canonical JSON text."""
    return _canonical(json.loads(value))


def _json_value(value: str):
    """The document to insert; JSON.NULL keeps the JSON value null apart from SQL NULL (see `_insert`)."""
    document = json.loads(value)
    return JSON.NULL if document is None else document


def _codec(column_type) -> tuple[Callable, Callable]:
    """(to the archive, from the archive) for the non-NULL values of a column type."""
    if isinstance(column_type, DateTime):
        return (lambda value: clock.as_utc(value).isoformat()), dt.datetime.fromisoformat
    if isinstance(column_type, Date):
        return dt.date.isoformat, dt.date.fromisoformat
    if isinstance(column_type, Time):
        return dt.time.isoformat, dt.time.fromisoformat
    if isinstance(column_type, Float):
        # A float, even from an integer SQLite kept in a REAL column; -0.0 as 0.0, the only zero SQLite stores.
        return (lambda value: float(value) + 0.0), float
    if isinstance(column_type, JSON):
        return _json_text, _json_value
    return _same, _same  # integers, booleans, texts


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _lines(connection: Connection, table: Table) -> list[bytes]:
    """The table's rows in canonical form, sorted. JSON columns are read as their text: once decoded, SQL NULL and the
    JSON value null would both be None."""
    columns = [cast(c, Text).label(c.name) if isinstance(c.type, JSON) else c for c in table.columns]
    encoders = [(c.name, _codec(c.type)[0]) for c in table.columns]
    lines = []
    for row in connection.execute(select(*columns)):
        values = zip(encoders, row, strict=True)
        lines.append(_canonical({name: None if v is None else encode(v) for (name, encode), v in values}).encode())
    return sorted(lines)


def _file(lines: list[bytes]) -> bytes:
    return b"".join(line + b"\n" for line in lines)


@dataclass(frozen=True)
class Digest:
    rows: int
    sha256: str


def digests(connection: Connection) -> dict[str, Digest]:
    """Every table's row count and checksum as an archive records them: equal on two databases holding the same
    rows, whatever their dialects."""
    found = {}
    for table in TABLES:
        lines = _lines(connection, table)
        found[table.name] = Digest(len(lines), hashlib.sha256(_file(lines)).hexdigest())
    return found


def schema_revision(connection: Connection) -> str | None:
    """The database's Alembic revision (None when it was not created by the migrations)."""
    return MigrationContext.configure(connection).get_current_revision()


# --- backup ------------------------------------------------------------------------------------------------------


@contextmanager
def snapshot(database: Database) -> Iterator[Connection]:
    """A connection that reads every table at the same instant while the app keeps writing. On SQLite one read
    transaction: in WAL mode it sees the database as of its first read, as SQLite's online backup does. On
    PostgreSQL a read-only REPEATABLE READ transaction: every statement sees the snapshot of the first."""
    with database.engine.connect() as connection:
        if not database.is_sqlite:
            connection.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        with connection.begin():
            yield connection


def _member(table_name: str) -> str:
    return f"tables/{table_name}.jsonl"


def _write(archive: zipfile.ZipFile, name: str, data: bytes, at: dt.datetime) -> None:
    info = zipfile.ZipInfo(name, date_time=at.timetuple()[:6])
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o600 << 16  # password hashes and personal data: readable by the owner only
    archive.writestr(info, data)


def write_backup(database: Database, path: Path) -> dict:
    """Write the archive of every table to `path` and return its manifest. The file appears complete or not at all:
    it is written beside `path` (owner-only permissions) and renamed over it at the end."""
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w") as archive, snapshot(database) as connection:
            created_at = clock.utcnow()
            revision = schema_revision(connection)
            if revision is None:
                raise Refused(
                    "la base n'a pas de révision de schéma (table alembic_version absente) : elle n'a pas été "
                    "créée par « flask --app app init-db »."
                )
            tables = []
            for table in TABLES:
                lines = _lines(connection, table)
                data = _file(lines)
                _write(archive, _member(table.name), data, created_at)
                tables.append({"name": table.name, "rows": len(lines), "sha256": hashlib.sha256(data).hexdigest()})
            manifest = {
                "format": FORMAT,
                "format_version": FORMAT_VERSION,
                "alembic_revision": revision,
                "created_at": created_at.isoformat(),
                "database": connection.dialect.name,
                "tables": tables,
            }
            _write(archive, MANIFEST, (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode(), created_at)
        os.replace(temporary, path)
    finally:
        Path(temporary).unlink(missing_ok=True)
    return manifest


# --- reading an archive ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Archive:
    path: Path
    manifest: dict

    @property
    def revision(self) -> str:
        return self.manifest["alembic_revision"]

    @property
    def counts(self) -> dict[str, int]:
        return {entry["name"]: entry["rows"] for entry in self.manifest["tables"]}

    def rows(self, table: Table) -> Iterator[dict]:
        """The table's rows as values to insert."""
        decoders = [(c.name, _codec(c.type)[1]) for c in table.columns]
        with zipfile.ZipFile(self.path) as archive, archive.open(_member(table.name)) as stream:
            for line in stream:  # a binary stream splits on b"\n" only, never inside a JSON string
                row = json.loads(line)
                yield {name: None if row[name] is None else decode(row[name]) for name, decode in decoders}


def _check_manifest(manifest, name: str) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError(f"{name} n'est pas une sauvegarde du tableau de bord (manifeste inconnu).")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ArchiveError(
            f"{name} est au format de sauvegarde {manifest.get('format_version')!r}, que cette version de "
            f"l'application ne lit pas (elle lit le format {FORMAT_VERSION})."
        )
    tables = manifest.get("tables")
    if not isinstance(manifest.get("alembic_revision"), str) or not isinstance(tables, list):
        raise ArchiveError(f"{name} : manifeste incomplet (révision ou liste des tables absente).")
    for entry in tables:
        if not (isinstance(entry, dict) and {"name", "rows", "sha256"} <= entry.keys()):
            raise ArchiveError(f"{name} : manifeste incomplet (une table sans nom, nombre de lignes ou somme).")


def _check_table(archive: zipfile.ZipFile, entry: dict, name: str) -> None:
    """The table's file against the manifest: its checksum and its number of rows."""
    digest, rows = hashlib.sha256(), 0
    try:
        stream = archive.open(_member(entry["name"]))
    except KeyError:
        raise ArchiveError(f"{name} : la table « {entry['name']} » manque dans l'archive.") from None
    with stream:
        while chunk := stream.read(1 << 20):
            digest.update(chunk)
            rows += chunk.count(b"\n")
    if Digest(rows, digest.hexdigest()) != Digest(entry["rows"], entry["sha256"]):
        raise ArchiveError(
            f"{name} : la table « {entry['name']} » ne correspond pas à sa somme de contrôle "
            "(archive altérée ou incomplète)."
        )


def open_archive(path: Path) -> Archive:
    """The archive at `path`, its manifest read and every table checked against its checksum."""
    if not path.is_file():
        raise ArchiveError(f"{path} : fichier introuvable.")
    try:
        with zipfile.ZipFile(path) as archive:
            try:
                manifest = json.loads(archive.read(MANIFEST))
            except KeyError:
                raise ArchiveError(
                    f"{path.name} n'est pas une sauvegarde du tableau de bord (pas de manifeste)."
                ) from None
            _check_manifest(manifest, path.name)
            for entry in manifest["tables"]:
                _check_table(archive, entry, path.name)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as error:  # ValueError: JSON or UTF-8
        raise ArchiveError(f"{path.name} est illisible ou endommagé ({error}).") from error
    return Archive(path, manifest)


# --- restore -----------------------------------------------------------------------------------------------------


def _check_schema(archive: Archive, database_revision: str | None, known: Sequence[str]) -> None:
    if archive.revision not in known:
        raise Refused(
            f"l'archive vient d'une version plus récente de l'application (schéma {archive.revision}, celle-ci "
            f"s'arrête au schéma {known[-1]}) : mettez l'application à jour avant de restaurer."
        )
    if archive.revision != database_revision:
        raise Refused(
            f"l'archive est au schéma {archive.revision}, la base au schéma {database_revision or '(aucun)'} : "
            "restaurez-la avec la version de l'application qui l'a faite, puis mettez la base à jour "
            "(« flask --app app init-db »)."
        )
    expected, found = {table.name for table in TABLES}, set(archive.counts)
    if found != expected:
        raise ArchiveError(
            f"{archive.path.name} ne contient pas les tables du schéma {archive.revision} "
            f"(manquantes : {', '.join(sorted(expected - found)) or '—'} ; "
            f"en trop : {', '.join(sorted(found - expected)) or '—'})."
        )


def _has_data(connection: Connection) -> bool:
    """Whether any table holds a row; the revision tokens do not count (the migrations write them)."""
    return any(
        connection.execute(select(literal(1)).select_from(table).limit(1)).first()
        for table in TABLES
        if table is not TOKENS
    )


def _batches(rows: Iterable[dict]) -> Iterator[list[dict]]:
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH)):
        yield batch


def _insert(connection: Connection, table: Table, rows: Iterable[dict]) -> None:
    # JSON columns bind None as SQL NULL and JSON.NULL as the JSON value null, as the archive tells them apart.
    statement = insert(table).values(
        {c.name: bindparam(c.name, type_=JSON(none_as_null=True)) for c in table.columns if isinstance(c.type, JSON)}
    )
    try:
        for batch in _batches(rows):
            connection.execute(statement, batch)
    except DBAPIError as error:
        raise NotRestored(
            f"la base a refusé une ligne de la table « {table.name} » ({reason(error)}) : rien n'a été restauré."
        ) from error
    except (KeyError, ValueError, TypeError) as error:  # a line without a column, or a value of the wrong kind
        raise ArchiveError(
            f"{table.name} : ligne illisible dans l'archive ({error!r}) : rien n'a été restauré."
        ) from error


def _reset_sequences(connection: Connection) -> None:
    """PostgreSQL's id sequences continue after the restored ids (SQLite takes the largest id plus one by itself)."""
    if connection.dialect.name != "postgresql":
        return
    for table in TABLES:
        column = table.autoincrement_column
        if column is not None:
            next_id = func.coalesce(func.max(column), 0) + 1
            sequence = func.pg_get_serial_sequence(table.name, column.name)
            connection.execute(select(func.setval(sequence, next_id, False)).select_from(table))


def _verify(connection: Connection, archive: Archive) -> None:
    """Every table read back from the database against the archive's checksums."""
    expected = {entry["name"]: Digest(entry["rows"], entry["sha256"]) for entry in archive.manifest["tables"]}
    found = digests(connection)
    wrong = [name for name in expected if found[name] != expected[name]]
    if wrong:
        raise NotRestored(
            f"relues dans la base, les tables {', '.join(wrong)} ne correspondent pas aux sommes de contrôle de "
            "l'archive : rien n'a été restauré."
        )


def _renew_tokens(connection: Connection) -> None:
    """A new token for every area, even one whose tables are empty: no cache keyed by a former token is read again."""
    connection.execute(delete(TOKENS).where(TOKENS.c.name.in_(revisions.AREAS)))
    connection.execute(insert(TOKENS), [{"name": area, "token": secrets.token_hex(16)} for area in revisions.AREAS])


def restore(database: Database, archive: Archive, *, known_revisions: Sequence[str], force: bool = False) -> None:
    """Load the archive into the database, which must be at the archive's schema revision (`known_revisions`: the
    migrations' revisions, oldest first, to name a newer archive) and empty unless `force`, which empties it first.
    One transaction: the emptying, the rows with their keys (parents first), the sequences, the check of every table
    read back against its checksum and the new revision tokens, or nothing."""
    with database.write_engine.connect() as connection, connection.begin():
        _check_schema(archive, schema_revision(connection), known_revisions)
        if force:
            for table in reversed(TABLES):
                connection.execute(delete(table))
        elif _has_data(connection):
            raise Refused(
                "la base contient déjà des données : restaurez dans une base vide, ou ajoutez --force pour la vider "
                "d'abord (dans la même transaction que la restauration)."
            )
        for table in TABLES:
            if table is not TOKENS:
                _insert(connection, table, archive.rows(table))
        # The tokens last: the triggers wrote some while the other tables loaded; the archive's replace them, are
        # checked like any table, then every area gets a new one.
        connection.execute(delete(TOKENS))
        _insert(connection, TOKENS, archive.rows(TOKENS))
        _reset_sequences(connection)
        _verify(connection, archive)
        _renew_tokens(connection)
