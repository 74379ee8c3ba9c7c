"""Each area's revision token is replaced by a write of that area, in its transaction, and by nothing else."""

import datetime as dt

from db import revisions
from db.models import EquipmentItem, Event, EventOccurrence, Newsletter, Training, TrainingSession
from tests.unit.test_carte import place

WRITES = {
    revisions.PLACES: lambda: place(1),
    revisions.AGENDA: lambda: Event(
        title="Atelier", occurrences=[EventOccurrence(start=dt.datetime(2025, 3, 1, 9, tzinfo=dt.UTC),
                                                      end=dt.datetime(2025, 3, 1, 11, tzinfo=dt.UTC))]
    ),
    revisions.MATERIEL: lambda: EquipmentItem(name="Kit", category="Robotique", units=1),
    revisions.FORMATIONS: lambda: Training(programme="P", title="T", sessions=[TrainingSession(date=dt.date(2025, 3, 1))]),
    revisions.LETTRES: lambda: Newsletter(name="La Lettre"),
}  # fmt: skip


def test_a_write_replaces_its_area_token_only(database):
    with database.session() as session:
        before = revisions.tokens(session)
    for area, row in WRITES.items():
        with database.transaction() as session:
            session.add(row())
        with database.session() as session:
            after = revisions.tokens(session)
        assert {name for name in after if after[name] != before[name]} == {area}, area
        before = after


def test_a_failed_transaction_keeps_the_tokens(database):
    with database.session() as session:
        before = revisions.tokens(session)
    try:
        with database.transaction() as session:
            session.add(Newsletter(name="La Lettre"))
            session.flush()
            raise RuntimeError("the write fails after its flush")
    except RuntimeError:
        pass
    with database.session() as session:
        assert revisions.tokens(session) == before


def test_a_migrated_database_has_a_token_for_every_area(tmp_path):
    from dashboard.cli import upgrade_database
    from db.session import Database

    url = f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    upgrade_database(url)
    database = Database(url)
    with database.session() as session:
        assert all(revisions.tokens(session).values())
    database.dispose()


def test_a_write_in_plain_sql_replaces_the_token_and_the_carte_sees_it(database):
    """However a place is changed (here a Core UPDATE, as a script or a fix in SQL would), the next search finds it."""
    from sqlalchemy import update

    from db import carte, clock
    from db.models import Place

    with database.transaction() as session:
        session.add(place(1, nom="Avant"))
    with database.session() as session:
        before = revisions.tokens(session)
        assert carte.search_places(session, carte.PlaceFilter(text="avant"), clock.wall_clock()).places[
            "nom"
        ].tolist() == ["Avant"]
    with database.transaction() as session:
        session.execute(update(Place).values(nom="Après le correctif"))
    with database.session() as session:
        after = revisions.tokens(session)
        found = carte.search_places(session, carte.PlaceFilter(text="correctif"), clock.wall_clock()).places
    assert {name for name in after if after[name] != before[name]} == {revisions.PLACES}
    assert found["nom"].tolist() == ["Après le correctif"]
