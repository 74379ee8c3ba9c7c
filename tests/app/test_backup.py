"""Backups and restores (db/backup.py and its commands): a consistent snapshot, exact types, any database to any
other, nothing written unless everything checks, and through the CLI a summary or a French message and an exit code,
never a traceback."""

import datetime as dt
import json
import threading
import uuid
import zipfile

import pytest
from sqlalchemy import create_engine, event, func, insert, select, text

from dashboard.cli import upgrade_database
from dashboard.cli.backup import migration_revisions
from db import backup, catalogue, clock, revisions
from db.demo import demo_year, seed_demo
from db.models import (
    Base,
    Commune,
    FormSubmission,
    Newsletter,
    NewsletterIssue,
    ProjectionToken,
    ReportComment,
    Training,
    TrainingSession,
    User,
)
from db.periods import Period
from db.session import Database
from tests.conftest import PG_URL, make_user, need

KNOWN = migration_revisions()
# Long, yet within what a text column takes (db.fields.LONGEST_TEXT).
LONG_TEXT = 'Ligne « un »\nligne\u2028deux\ttab "guillemets" \\ émoji 🖥️\x85\n' * 800
AT = dt.datetime(2025, 3, 30, 1, 15, 42, 123456, tzinfo=dt.UTC)  # stored as the app stores instants: in UTC


@pytest.fixture
def new_database(tmp_path):
    """new_database("sqlite" | "postgresql"): an empty database (a new file, a new PostgreSQL schema), migrated unless
    `migrated=False`."""
    schemas, databases = [], []
    admin = create_engine(PG_URL)

    def make(dialect: str, migrated: bool = True) -> Database:
        if dialect == "sqlite":
            url = f"sqlite:///{tmp_path / f'{uuid.uuid4().hex[:8]}.sqlite'}"
        else:
            schema = f"b_{uuid.uuid4().hex[:12]}"
            try:
                with admin.begin() as connection:
                    connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            except Exception:  # noqa: BLE001 - any failure means "no usable server"
                need(False, f"no PostgreSQL server at {PG_URL}: start it or set TEST_DATABASE_URL")
            schemas.append(schema)
            url = f"{PG_URL}?options=-csearch_path%3D{schema}"
        if migrated:
            upgrade_database(url)
        databases.append(Database(url))
        return databases[-1]

    yield make
    for database in databases:
        database.dispose()
    if schemas:
        with admin.begin() as connection:
            for schema in schemas:
                connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


def digests(database: Database) -> dict[str, backup.Digest]:
    with database.engine.connect() as connection:
        return backup.digests(connection)


def figures(database: Database) -> dict:
    with database.session() as session:
        document = catalogue.document(session, Period.year(demo_year(clock.today())))
    document.pop("generated_at")
    return document


def add_edge_rows(session) -> None:
    """Values whose type a careless round trip would change."""
    session.add_all(
        [
            Commune(insee="42901", name="JSON null", ifn_scores=None),  # set: the JSON value null
            Commune(insee="42902", name="SQL NULL"),  # never set: NULL
            Commune(insee="42903", name="Scores", latitude=45.123456789012345, ifn_total=1e-300,
                    longitude=-0.0,  # SQLite stores no negative zero: archived as 0.0 from either database
                    ifn_scores={"b": [0.1, None, True], "a": {"é": "x\ny"}}),
            Training(programme="P", title="Horaires", sessions=[
                TrainingSession(date=AT.date(), start_time=dt.time(9, 30, 15, 250), remote=True)
            ]),
            ReportComment(year=2025, mission="carte", text=LONG_TEXT, updated_at=AT),
            FormSubmission(token="t" * 64, form="loan", at=AT),
            ProjectionToken(label="Salle du conseil", token_hash="h" * 64, query="?slides=carte", created_at=AT),
        ]
    )  # fmt: skip


@pytest.mark.parametrize(("source", "target"), [("sqlite", "postgresql"), ("postgresql", "sqlite")])
def test_a_backup_restored_into_the_other_database_gives_the_same_rows_and_figures(
    source, target, new_database, tmp_path
):
    origin = new_database(source)
    with origin.transaction() as session:
        seed_demo(session, clock.today())
        add_edge_rows(session)
    backup.write_backup(origin, tmp_path / "sauvegarde.zip")
    archive = backup.open_archive(tmp_path / "sauvegarde.zip")
    restored = new_database(target)
    backup.restore(restored, archive, known_revisions=KNOWN)

    before, after = digests(origin), digests(restored)
    assert {name for name in before if before[name] != after[name]} == {"data_revisions"}
    assert all(archive.counts[name] for name in ("register_history", "audit_log", "form_submissions", "events"))
    assert figures(restored) == figures(origin)
    # Every area has a token that is neither the archive's nor the source's: no cache keyed by them is read again.
    archived = {row["name"]: row["token"] for row in archive.rows(backup.TOKENS)}
    with origin.session() as session:
        original = revisions.tokens(session)
    with restored.session() as session:
        renewed = revisions.tokens(session)
    assert all(renewed[area] not in {"", archived[area], original[area]} for area in revisions.AREAS)

    with restored.session() as session:
        null = text("SELECT insee FROM communes WHERE insee LIKE '4290%' AND ifn_scores IS NULL")
        assert session.scalars(null).all() == ["42902"]
        scores = session.get(Commune, "42903")
        assert (scores.ifn_scores, scores.latitude, scores.ifn_total) == (
            {"b": [0.1, None, True], "a": {"é": "x\ny"}},
            45.123456789012345,
            1e-300,
        )
        comment = session.scalar(select(ReportComment).where(ReportComment.mission == "carte"))  # the demo has its own
        assert comment.text == LONG_TEXT and clock.as_utc(comment.updated_at) == AT
        assert clock.as_utc(session.get(FormSubmission, "t" * 64).at) == AT
        assert session.scalar(select(ProjectionToken.revoked_at)) is None
        timed = session.scalar(select(TrainingSession).join(Training).where(Training.title == "Horaires"))
        assert (timed.start_time, timed.remote) == (dt.time(9, 30, 15, 250), True)
    # New rows take the ids after the restored ones (PostgreSQL's sequences were moved on).
    with restored.transaction() as session:
        session.add(Newsletter(name="Après la restauration"))
    with restored.session() as session:
        assert session.scalar(select(func.count()).select_from(Newsletter)) == archive.counts["newsletters"] + 1


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_a_backup_reads_every_table_at_one_instant_while_another_thread_writes(dialect, new_database, tmp_path):
    database = new_database(dialect)

    def write_newsletter(n: int) -> None:  # a newsletter and its first issue, in one transaction
        with database.transaction() as session:
            session.add(Newsletter(name=f"Lettre {n}", issues=[NewsletterIssue(sent_on=AT.date(), subject="N° 1")]))

    write_newsletter(1)
    writes = []

    def between_the_two_tables(_connection, _cursor, statement, *_args) -> None:
        """Once the backup has read the newsletters, before it reads their issues: another thread commits one more."""
        if "FROM newsletters" in statement and not writes:
            writes.append(threading.Thread(target=write_newsletter, args=(2,)))
            writes[0].start()
            writes[0].join()

    event.listen(database.engine, "after_cursor_execute", between_the_two_tables)
    try:
        manifest = backup.write_backup(database, tmp_path / "sauvegarde.zip")
    finally:
        event.remove(database.engine, "after_cursor_execute", between_the_two_tables)

    assert writes, "the other thread did not write during the backup"
    counts = {entry["name"]: entry["rows"] for entry in manifest["tables"]}
    assert counts["newsletters"] == counts["newsletter_issues"] == 1
    with database.session() as session:
        assert session.scalar(select(func.count()).select_from(NewsletterIssue)) == 2
    with zipfile.ZipFile(tmp_path / "sauvegarde.zip") as archive:
        assert {name: archive.read(f"tables/{name}.jsonl").count(b"\n") for name in counts} == counts


def small_network(database: Database) -> None:
    make_user(database, "admin", "admin@example.org")
    with database.transaction() as session:
        session.add(Newsletter(name="La Lettre", issues=[NewsletterIssue(sent_on=AT.date(), subject="N° 1")]))


def small_archive(database: Database, path) -> backup.Archive:
    small_network(database)
    backup.write_backup(database, path)
    return backup.open_archive(path)


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_a_database_with_data_is_replaced_only_with_force(dialect, new_database, tmp_path):
    origin = new_database("sqlite")
    archive = small_archive(origin, tmp_path / "sauvegarde.zip")
    target = new_database(dialect)
    make_user(target, "viewer", "autre@example.org")
    untouched = digests(target)
    with pytest.raises(backup.Refused, match="contient déjà des données.*--force"):
        backup.restore(target, archive, known_revisions=KNOWN)
    assert digests(target) == untouched
    backup.restore(target, archive, known_revisions=KNOWN, force=True)
    with target.session() as session:
        assert session.scalars(select(User.email)).all() == ["admin@example.org"]
    assert {name for name, found in digests(target).items() if found != digests(origin)[name]} == {"data_revisions"}


def rewrite(source, path, change) -> None:
    """A copy of the archive at `source` with each member's bytes passed through change(name, data)."""
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as copy:
        for name in original.namelist():
            copy.writestr(name, change(name, original.read(name)))


def manifest_with(**fields):
    def change(name, data):
        return json.dumps(json.loads(data) | fields).encode() if name == "manifest.json" else data

    return change


def test_damaged_or_foreign_archives_are_refused_and_nothing_is_written(new_database, tmp_path):
    good = tmp_path / "sauvegarde.zip"
    small_archive(new_database("sqlite"), good)
    target = new_database("sqlite")
    empty = digests(target)

    truncated, garbage, other = tmp_path / "tronquee.zip", tmp_path / "texte.zip", tmp_path / "autre.zip"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    garbage.write_text("ceci n'est pas une archive", "utf-8")
    rewrite(good, other, lambda name, data: data if name != "manifest.json" else b'{"format": "autre"}')
    edited, version, newer = tmp_path / "modifiee.zip", tmp_path / "v2.zip", tmp_path / "recente.zip"
    rewrite(good, edited, lambda name, data: data.replace(b"La Lettre", b"La Lettre modifiee"))
    rewrite(good, version, manifest_with(format_version=2))
    rewrite(good, newer, manifest_with(alembic_revision="9999"))

    for path, error, message in [
        (tmp_path / "absente.zip", backup.ArchiveError, "fichier introuvable"),
        (truncated, backup.ArchiveError, "illisible ou endommagé"),
        (garbage, backup.ArchiveError, "illisible ou endommagé"),
        (other, backup.ArchiveError, "n'est pas une sauvegarde du tableau de bord"),
        (edited, backup.ArchiveError, "« newsletters » ne correspond pas à sa somme de contrôle"),
        (version, backup.ArchiveError, "format de sauvegarde 2"),
        (newer, backup.Refused, "version plus récente de l'application \\(schéma 9999"),
    ]:
        with pytest.raises(error, match=message):
            backup.restore(target, backup.open_archive(path), known_revisions=KNOWN)
    assert digests(target) == empty


def test_rows_the_database_does_not_give_back_roll_everything_back(new_database, tmp_path):
    archive = small_archive(new_database("sqlite"), tmp_path / "sauvegarde.zip")
    target = new_database("sqlite")
    with target.engine.begin() as connection:  # a database that alters what it is given
        connection.exec_driver_sql(
            "CREATE TRIGGER shout AFTER INSERT ON newsletters BEGIN "
            "UPDATE newsletters SET name = upper(name) WHERE id = NEW.id; END"
        )
    empty = digests(target)
    with pytest.raises(backup.NotRestored, match="les tables newsletters ne correspondent pas"):
        backup.restore(target, archive, known_revisions=KNOWN)
    assert digests(target) == empty


def test_a_row_postgresql_refuses_rolls_everything_back(new_database, tmp_path):
    origin = new_database("sqlite")
    with origin.transaction() as session:
        # SQLite does not check lengths; a plain INSERT, as an old file or a hand-made fix would, past the flush rules
        session.execute(insert(Commune).values(insee="420940", name="Code INSEE trop long"))
    backup.write_backup(origin, tmp_path / "sauvegarde.zip")
    target = new_database("postgresql")
    empty = digests(target)
    with pytest.raises(backup.NotRestored, match="refusé une ligne de la table « communes »"):
        backup.restore(target, backup.open_archive(tmp_path / "sauvegarde.zip"), known_revisions=KNOWN)
    assert digests(target) == empty


def test_a_database_without_a_schema_revision_is_not_backed_up(database, tmp_path):
    """The suite's databases come from `create_all`: their schema has no Alembic revision to record."""
    folder = tmp_path / "sauvegardes"
    folder.mkdir()
    with pytest.raises(backup.Refused, match="alembic_version absente"):
        backup.write_backup(database, folder / "sauvegarde.zip")
    assert list(folder.iterdir()) == []  # not even a partial file


# --- the commands ---------------------------------------------------------------------------------------------

UNREACHABLE = "postgresql://nobody@127.0.0.1:1/absente"


@pytest.fixture
def app_on():
    """app_on(url): the app on that database."""
    from dashboard import create_app
    from dashboard.config import TestConfig

    apps = []

    def make(url: str):
        apps.append(create_app(TestConfig(url)))
        return apps[-1]

    yield make
    for app in apps:
        app.server.extensions["database"].dispose()


def run(app, *args):
    result = app.server.test_cli_runner().invoke(args=list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


@pytest.mark.parametrize(("source", "target"), [("sqlite", "postgresql"), ("postgresql", "sqlite")])
def test_backup_then_restore_into_a_new_database_of_the_other_kind(source, target, new_database, app_on, tmp_path):
    origin = new_database(source)
    small_network(origin)
    archive = tmp_path / "sauvegarde.zip"
    saved = run(app_on(origin.url), "backup", "-o", str(archive))
    assert saved.exit_code == 0, saved.output
    assert f"Sauvegarde écrite dans {archive}" in saved.output
    assert "newsletter_issues" in saved.output and f"lignes, {len(Base.metadata.tables)} tables" in saved.output

    restored = app_on(new_database(target, migrated=False).url)  # restore runs the migrations itself
    result = run(restored, "restore", str(archive))
    assert result.exit_code == 0, result.output
    assert "sommes de contrôle vérifiées, jetons de révision renouvelés" in result.output
    with restored.server.extensions["database"].session() as session:
        assert session.scalars(select(Newsletter.name)).all() == ["La Lettre"]

    again = run(restored, "restore", str(archive))
    assert again.exit_code == 4 and "la base contient déjà des données" in again.output and "--force" in again.output
    assert run(restored, "restore", str(archive), "--force").exit_code == 0


def test_unusable_archives_exit_with_a_french_message(new_database, app_on, tmp_path):
    good, damaged, newer = tmp_path / "sauvegarde.zip", tmp_path / "abimee.zip", tmp_path / "recente.zip"
    small_archive(new_database("sqlite"), good)
    damaged.write_bytes(good.read_bytes()[:-200])
    rewrite(good, newer, lambda name, data: data.replace(b'"alembic_revision": "', b'"alembic_revision": "9'))
    app = app_on(new_database("sqlite").url)
    for path, code, message in [
        (tmp_path / "absente.zip", 1, "Erreur : " + str(tmp_path / "absente.zip") + " : fichier introuvable."),
        (damaged, 1, "Erreur : abimee.zip est illisible ou endommagé"),
        (newer, 4, "Erreur : l'archive vient d'une version plus récente de l'application"),
    ]:
        result = run(app, "restore", str(path))
        assert (result.exit_code, message in result.output) == (code, True), result.output
    nowhere = tmp_path / "dossier-absent" / "sauvegarde.zip"
    unwritable = run(app, "backup", "-o", str(nowhere))
    assert unwritable.exit_code == 1 and f"Erreur : accès impossible à {nowhere} (" in unwritable.output


def test_an_unreachable_database_or_one_of_a_newer_version_exits_with_code_3(new_database, app_on, tmp_path):
    archive = tmp_path / "sauvegarde.zip"
    small_archive(new_database("sqlite"), archive)
    app = app_on(UNREACHABLE)
    for args in (["backup", "-o", str(tmp_path / "autre.zip")], ["restore", str(archive)]):
        result = run(app, *args)
        assert result.exit_code == 3, result.output
        assert "Erreur : base de données injoignable (postgresql+psycopg://nobody@127.0.0.1:1/absente)" in result.output
    assert not (tmp_path / "autre.zip").exists()

    newer = new_database("sqlite")
    with newer.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    result = run(app_on(newer.url), "restore", str(archive))
    assert result.exit_code == 3 and "les migrations n'ont pas pu mettre la base à jour" in result.output
