"""The Département's monitoring view: key figures gathered from each area's own functions, never recomputed."""

from __future__ import annotations

from sqlalchemy.orm import Session

from db import agenda, carte, formations, lettres, materiel
from db.figures import KeyFigure
from db.periods import Period


def key_figures(session: Session, period: Period) -> list[KeyFigure]:
    return [
        carte.place_count_figure(session),
        agenda.event_count_figure(session, period),
        materiel.loan_days_figure(session, period),
        formations.training_figure(session, period),
        lettres.newsletter_reach_figure(session, period),
    ]
