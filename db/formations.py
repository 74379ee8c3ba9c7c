"""Trainings, sessions and attendance: queries and write rules of the Formations."""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from db.figures import KeyFigure
from db.models import Attendant, AttendantState, TrainingSession
from db.periods import Period


def session_present_expression():
    """Participants present at a session: its attendant rows when there are any, else the entered count."""
    present_rows = (
        select(func.count(Attendant.id))
        .where(Attendant.session_id == TrainingSession.id, Attendant.state == AttendantState.PRESENT)
        .scalar_subquery()
    )
    any_rows = select(func.count(Attendant.id)).where(Attendant.session_id == TrainingSession.id).scalar_subquery()
    return case((any_rows > 0, present_rows), else_=func.coalesce(TrainingSession.present_count, 0))


def training_figure(session: Session, period: Period) -> KeyFigure:
    trainings, sessions, participants, latest = session.execute(
        select(
            func.count(func.distinct(TrainingSession.training_id)),
            func.count(TrainingSession.id),
            func.coalesce(func.sum(session_present_expression()), 0),
            func.max(TrainingSession.updated_at),
        ).where(TrainingSession.date.between(period.start, period.end))
    ).one()
    return KeyFigure(
        key="trainings",
        label="Formations et interventions",
        value=trainings,
        source="Sessions de formation de la période ; participants présents comptés une fois par session",
        as_of=latest,
        detail=f"{sessions} sessions · {participants} participants",
    )
