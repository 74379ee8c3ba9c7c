"""Newsletters and the network's audience figures: queries and write rules of the Lettres."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.figures import KeyFigure
from db.models import SubscriberSnapshot
from db.periods import Period


def newsletter_reach_figure(session: Session, period: Period) -> KeyFigure:
    """Total reach: the sum over newsletters of each one's latest subscriber count up to the end of the period."""
    latest_dates = (
        select(SubscriberSnapshot.newsletter_id, func.max(SubscriberSnapshot.date).label("date"))
        .where(SubscriberSnapshot.date <= period.end)
        .group_by(SubscriberSnapshot.newsletter_id)
        .subquery()
    )
    total, as_of = session.execute(
        select(func.coalesce(func.sum(SubscriberSnapshot.count), 0), func.max(SubscriberSnapshot.date)).join(
            latest_dates,
            (SubscriberSnapshot.newsletter_id == latest_dates.c.newsletter_id)
            & (SubscriberSnapshot.date == latest_dates.c.date),
        )
    ).one()
    return KeyFigure(
        key="newsletter_reach",
        label="Abonnés aux lettres d'information",
        value=total,
        source="Dernier relevé d'abonnés de chaque lettre, sommé",
        as_of=as_of,
    )
