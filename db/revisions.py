"""One revision token per area of data, replaced in the same transaction as every change of it (DataRevision).

Whatever a process caches from an area (the Carte's index of places, the figure engine's results) is keyed by the
area's token: a reader that sees token T sees every change committed up to T, so each worker, in any process,
picks up a write at its next request, whatever the clocks of the machines. Writes go through an ORM session; a
bulk Core write (a benchmark's seeding) must call `touch` itself.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
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

AREAS: dict[str, tuple[type, ...]] = {
    PLACES: (Place, PlaceValue),
    AGENDA: (Event, EventOccurrence),
    MATERIEL: (EquipmentItem, Loan),
    FORMATIONS: (Training, TrainingSession, Attendant),
    LETTRES: (Newsletter, NewsletterIssue, SubscriberSnapshot, AudienceFigure),
    COMMUNES: (Commune,),
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
