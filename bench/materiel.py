"""The Matériel's utilisation panels over 100,000 loans, computed in SQL: median server time of every panel of a year
(per item, category, borrower, commune, EPCI, month) next to the bare aggregate query (loan-days per item)."""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import insert

from bench.common import median_ms, temporary_database
from db.materiel import bare_loan_days, loan_schedule, loan_totals, utilisation
from db.models import Commune, EquipmentItem, Loan
from db.periods import Period

LOANS = 100_000
FIRST_YEAR, LAST_YEAR = 2016, 2025  # ten years: a year's panels read about a tenth of the rows


def _seed(database, rng: random.Random) -> None:
    communes = [(f"42{n:03d}", f"Commune {n}", f"2000{n % 12:05d}", f"EPCI {n % 12}") for n in range(1, 121)]
    borrowers = [(f"Structure {n}", communes[n % len(communes)]) for n in range(600)]
    first = dt.date(FIRST_YEAR, 1, 1)
    span = (dt.date(LAST_YEAR, 12, 31) - first).days
    with database.transaction() as session:
        session.add_all(Commune(insee=i, name=n, epci_code=c, epci_name=e) for i, n, c, e in communes)
        items = [EquipmentItem(name=f"Article {n}", category=f"Catégorie {n % 5}", units=1 + n % 3) for n in range(40)]
        session.add_all(items)
        session.flush()
        rows = []
        for _ in range(LOANS):
            start = first + dt.timedelta(days=rng.randrange(span))
            end = start + dt.timedelta(days=rng.choice((0, 1, 2, 3, 6, 13, 29)))
            name, (insee, commune, *_epci) = rng.choice(borrowers)
            rows.append(
                {
                    "item_id": rng.choice(items).id,
                    "units": 1,
                    "borrower_name": name,
                    "borrower_commune": commune,
                    "borrower_insee": insee,
                    "start_date": start,
                    "end_date": end,
                    "returned_on": end + dt.timedelta(days=rng.choice((-1, 0, 0, 0, 1))) if end > start else end,
                    "interventions": rng.choice((None, None, None, 4)),
                    "cancelled_at": None,
                }
            )
        session.execute(insert(Loan), rows)


def run() -> dict:
    database = temporary_database()
    _seed(database, random.Random(7))
    period = Period.year(LAST_YEAR)

    def timed(function):
        def call():
            with database.session() as session:
                return function(session)

        return median_ms(call)

    with database.session() as session:
        result = utilisation(session, period)
    return {
        "database": database.engine.dialect.name,
        "loans": LOANS,
        "loans_in_period": int(result.items["loans"].sum()),
        "loan_days_in_period": result.total_loan_days,
        "bare_aggregate_median_ms": timed(lambda s: bare_loan_days(s, period)),
        "utilisation_panels_median_ms": timed(lambda s: utilisation(s, period)),
        "loan_totals_median_ms": timed(lambda s: loan_totals(s, period)),
        "booking_calendar_median_ms": timed(lambda s: loan_schedule(s, dt.date(LAST_YEAR, 6, 15))),
    }
