"""One revision token per area of data, replaced by the database itself in the transaction of every change.

Whatever a process caches from an area (the Carte's index of places, the figure engine's results) is keyed by the
area's token: a reader that sees token T sees every change committed up to T, so each worker, in any process,
picks up a write at its next request, whatever the clocks of the machines. Triggers on every table of an area
replace its token (created by migration 0005, and by `create_all` for tests), so a write made any way at all — the
app, a script importing only the models, a bulk load, a fix in SQL — is seen.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable

from sqlalchemy import Connection, event, select
from sqlalchemy.orm import Session

from db.models import Base, DataRevision

PLACES = "places"
AGENDA = "agenda"
MATERIEL = "materiel"
FORMATIONS = "formations"
LETTRES = "lettres"
COMMUNES = "communes"
RAPPORT = "rapport"
CONVENTION = "convention"
ACTIONS = "actions"
ACCOUNTS = "accounts"
JOURNAL = "journal"

# Area → the tables whose changes replace its token. "table.column=value": only the rows with that value (the
# register's history holds the places' versions and the catalogue's).
AREAS: dict[str, tuple[str, ...]] = {
    PLACES: ("places", "place_values", "register_history.register=places"),
    AGENDA: ("events", "event_occurrences"),
    MATERIEL: ("equipment_items", "loans", "register_history.register=equipment"),
    FORMATIONS: ("trainings", "training_sessions", "attendants"),
    LETTRES: ("newsletters", "newsletter_issues", "subscriber_snapshots", "audience_figures"),
    COMMUNES: ("communes",),
    RAPPORT: ("report_comments", "report_versions"),
    CONVENTION: ("conventions", "convention_axes", "missions", "mission_figures"),
    ACTIONS: ("actions", "action_missions", "action_partners"),
    ACCOUNTS: ("users",),
    JOURNAL: ("audit_log",),
}
TRIGGER_EVENTS = ("insert", "update", "delete")  # the writes a trigger replaces its token after


def trigger_ddl(dialect: str, areas: dict[str, tuple[str, ...]]) -> list[str]:
    """The statements creating the triggers that replace each area's token on any insert, update or delete of its
    tables: one per statement on PostgreSQL, one per row on SQLite (it has no statement triggers) and for the rows
    of a shared table."""
    statements = []
    if dialect != "sqlite":
        # Once per area and transaction (a flag local to the transaction): a bulk load of row-by-row statements
        # would otherwise rewrite the same row thousands of times, each slower than the last.
        statements.append(
            "CREATE OR REPLACE FUNCTION replace_revision_token() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF current_setting('revisions.' || TG_ARGV[0], true) IS DISTINCT FROM 'replaced' THEN "
            "INSERT INTO data_revisions (name, token) VALUES (TG_ARGV[0], md5(random()::text || clock_timestamp()::text)) "
            "ON CONFLICT (name) DO UPDATE SET token = excluded.token; "
            "PERFORM set_config('revisions.' || TG_ARGV[0], 'replaced', true); "
            "END IF; RETURN NULL; END $$"
        )
    upsert = (
        "INSERT INTO data_revisions (name, token) VALUES ('{area}', lower(hex(randomblob(16)))) "
        "ON CONFLICT (name) DO UPDATE SET token = excluded.token;"
    )
    for area, entries in areas.items():
        for entry in entries:
            table, _, condition = entry.partition(".")
            column, _, value = condition.partition("=")
            when = {
                "insert": f"NEW.{column} = '{value}'",
                "update": f"NEW.{column} = '{value}' OR OLD.{column} = '{value}'",
                "delete": f"OLD.{column} = '{value}'",
            }
            name = f"revision_{area}_{table}"
            if dialect == "sqlite":
                statements += [
                    f"CREATE TRIGGER IF NOT EXISTS {name}_{action} AFTER {action.upper()} ON {table} "
                    + (f"WHEN {when[action]} " if column else "")
                    + f"BEGIN {upsert.format(area=area)} END"
                    for action in TRIGGER_EVENTS
                ]
            elif column:
                statements += [
                    f"CREATE OR REPLACE TRIGGER {name}_{action} AFTER {action.upper()} ON {table} FOR EACH ROW "
                    f"WHEN ({when[action]}) EXECUTE FUNCTION replace_revision_token('{area}')"
                    for action in TRIGGER_EVENTS
                ]
            else:
                statements.append(
                    f"CREATE OR REPLACE TRIGGER {name} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION replace_revision_token('{area}')"
                )
    return statements


def drop_trigger_ddl(dialect: str, areas: dict[str, tuple[str, ...]]) -> list[str]:
    """The statements dropping what `trigger_ddl` created for `areas` (a migration's downgrade)."""
    return [
        f"DROP TRIGGER IF EXISTS revision_{area}_{table}{suffix}" + ("" if dialect == "sqlite" else f" ON {table}")
        for area, entries in areas.items()
        for table in (entry.partition(".")[0] for entry in entries)
        for suffix in (*(f"_{action}" for action in TRIGGER_EVENTS), "")
    ]


def token_rows_ddl(areas: Iterable[str]) -> str:
    """A token for each area from the start: results read from an area never written yet are cached too."""
    values = ", ".join(f"('{area}', 'initial')" for area in areas)
    return f"INSERT INTO data_revisions (name, token) VALUES {values} ON CONFLICT (name) DO NOTHING"


@event.listens_for(Base.metadata, "after_create")
def _create_triggers(_metadata, connection, **_kw) -> None:
    """`create_all` (the tests' schema) gets the migrations' triggers and tokens too."""
    for statement in trigger_ddl(connection.dialect.name, AREAS):
        connection.exec_driver_sql(statement)
    connection.exec_driver_sql(token_rows_ddl(AREAS))


_TOKENS = select(DataRevision.name, DataRevision.token)


def tokens(reader: Session | Connection) -> dict[str, str]:
    """Every area's current token ("" for an area without one: see `scope`), read in one query. Read at every
    request, from a bare connection there (`Database.connect`): an ORM session costs more than the query."""
    connection = reader.connection() if isinstance(reader, Session) else reader
    found = dict(connection.execute(_TOKENS).all())
    return {area: found.get(area, "") for area in AREAS}


def fingerprint(session: Session, areas: Iterable[str] = AREAS) -> str:
    """A short digest of the areas' tokens: it changes with every write, e.g. to give a document's address a version
    a browser may cache."""
    current = session_tokens(session)
    return hashlib.sha256("|".join(current[area] for area in areas).encode()).hexdigest()[:16]


def session_tokens(session: Session) -> dict[str, str]:
    """`tokens`, read once per session (a request reads them once, whatever it computes)."""
    if "revision_tokens" not in session.info:
        session.info["revision_tokens"] = tokens(session)
    return session.info["revision_tokens"]


class Cache:
    """Results keyed by the revision tokens they were computed from, least recently used out first. A write
    replaces its area's token in its own transaction, so a stale entry is never read again: every worker of every
    process sees a write at its next request. Thread-safe (gthread workers)."""

    def __init__(self, size: int = 512):
        self.size = size
        self.entries: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
                return self.entries[key]
        return None

    def put(self, key, value) -> None:
        with self.lock:
            self.entries[key] = value
            self.entries.move_to_end(key)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


def scope(session: Session, areas: Iterable[str]) -> tuple | None:
    """The part of a cache key that says which data a result was computed from: the database and the areas'
    tokens. None when an area has no token (its row was deleted, e.g. by a test truncating every table): such a
    result is not cached."""
    return scope_of(session_tokens(session), str(session.get_bind().url), areas)


def scope_of(current: dict[str, str], database: str, areas: Iterable[str]) -> tuple | None:
    """`scope` from tokens read before (`tokens`) in `database`."""
    area_tokens = tuple(current[area] for area in areas)
    return (database, *area_tokens) if all(area_tokens) else None


def memoize(cache: Cache, session: Session, areas: Iterable[str], key: tuple, compute: Callable[[], object]):
    """`compute()` once per data revision of `areas` (and `key`), shared by every request of the process."""
    where = scope(session, areas)
    if where is None:
        return compute()
    found = cache.get((*where, *key))
    if found is None:
        found = compute()
        cache.put((*where, *key), found)
    return found
