"""Equipment and loans: the loan-day rule, queries and write rules of the Matériel."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.figures import KeyFigure
from db.models import Loan
from db.periods import Period, overlap_days


def loan_end(end_date: dt.date, returned_on: dt.date | None) -> dt.date:
    """The last day a loan occupies its item: the return date once returned (early or late), else the planned end."""
    return returned_on or end_date


def loan_days(start_date: dt.date, end_date: dt.date, returned_on: dt.date | None, period: Period) -> int:
    """THE loan-day rule: every calendar day from the first to the last day of the loan, both included, counted
    inside the period only. A loan from 30 December to 2 January counts 2 days in each year; a one-day loan counts 1.
    Cancelled loans count nothing (filtered by the callers' queries)."""
    return overlap_days(start_date, loan_end(end_date, returned_on), period)


def loan_days_figure(session: Session, period: Period) -> KeyFigure:
    rows = session.execute(
        select(Loan.start_date, Loan.end_date, Loan.returned_on, Loan.units).where(
            Loan.cancelled_at.is_(None), Loan.start_date <= period.end, Loan.end_date >= period.start
        )
    ).all()
    latest = session.scalar(select(func.max(Loan.updated_at)))
    total = sum(loan_days(s, e, r, period) * units for s, e, r, units in rows)
    return KeyFigure(
        key="loan_days",
        label="Jours de prêt de matériel",
        value=total,
        source="Prêts enregistrés (jours calendaires, bornes incluses, × unités), hors annulés",
        as_of=latest,
        detail=f"{len(rows)} prêts",
    )
