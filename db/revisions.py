"""One revision token per area of data, replaced in the same transaction as every change of it (DataRevision).

Whatever a process caches from an area (the Carte's index of places, the figure engine's results) is keyed by the
area's token: a reader that sees token T sees every change committed up to T, so each worker, in any process,
picks up a write at its next request, whatever the clocks of the machines. Writes go through an ORM session; a
bulk Core write (a benchmark's seeding) must call `touch` itself.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable
from itertools import chain

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from db.models import (
    Attendant,
    AudienceFigure,
    Commune,
    DataRevision,
    EquipmentItem,
    Event,
    EventOccurrence,
    Loan,
    Newsletter,
    NewsletterIssue,
    Place,
    PlaceValue,
    ReportComment,
    SubscriberSnapshot,
    Training,
    TrainingSession,
)

PLACES = "places"
AGENDA = "agenda"
MATERIEL = "materiel"
FORMATIONS = "formations"
LETTRES = "lettres"
COMMUNES = "communes"
RAPPORT = "rapport"

AREAS: dict[str, tuple[type, ...]] = {
    PLACES: (Place, PlaceValue),
    AGENDA: (Event, EventOccurrence),
    MATERIEL: (EquipmentItem, Loan),
    FORMATIONS: (Training, TrainingSession, Attendant),
    LETTRES: (Newsletter, NewsletterIssue, SubscriberSnapshot, AudienceFigure),
    COMMUNES: (Commune,),
    RAPPORT: (ReportComment,),
}
_AREA_OF = {model: area for area, models in AREAS.items() for model in models}

_UPSERT = text(
    "INSERT INTO data_revisions (name, token) VALUES (:name, :token) "
    "ON CONFLICT (name) DO UPDATE SET token = excluded.token"
)


def touch(session: Session, areas: Iterable[str]) -> None:
    """Give these areas a new token in the current transaction."""
    for area in sorted(set(areas)):  # a fixed order: two writers never wait on each other's rows crosswise
        session.execute(_UPSERT, {"name": area, "token": uuid.uuid4().hex})


@event.listens_for(Session, "before_flush")
def _replace_tokens(session: Session, _context, _instances) -> None:
    """A flush that changes rows of an area gives the area a new token, in the same transaction."""
    changed = chain(session.new, session.deleted, (o for o in session.dirty if session.is_modified(o)))
    touch(session, {_AREA_OF[type(o)] for o in changed if type(o) in _AREA_OF})


def tokens(session: Session) -> dict[str, str]:
    """Every area's current token ("" for an area never written through the ORM), read in one query."""
    found = dict(session.execute(select(DataRevision.name, DataRevision.token)).all())
    return {area: found.get(area, "") for area in AREAS}


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
    tokens. None when an area was never written through a session (a bulk load could not replace its token):
    such a result is not cached."""
    current = session_tokens(session)
    area_tokens = tuple(current[area] for area in areas)
    return (str(session.get_bind().url), *area_tokens) if all(area_tokens) else None


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
