"""Events of the network: queries and write rules of the Agenda."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.figures import KeyFigure
from db.models import Event, EventOccurrence, EventStatus
from db.periods import Period


def _period_bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=dt.UTC)
    return start, dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=dt.UTC)


def event_count_figure(session: Session, period: Period) -> KeyFigure:
    """Events with at least one occurrence starting in the period, cancelled ones excluded."""
    start, end = _period_bounds(period)
    count, latest = session.execute(
        select(func.count(func.distinct(Event.id)), func.max(Event.updated_at))
        .join(EventOccurrence)
        .where(EventOccurrence.start >= start, EventOccurrence.start < end, Event.status != EventStatus.CANCELLED)
    ).one()
    return KeyFigure(
        key="events",
        label="Événements publiés",
        value=count,
        source="Agenda : événements ayant une date dans la période, hors annulés",
        as_of=latest,
    )
