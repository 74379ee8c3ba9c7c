"""The Agenda's timeline on 50,000 occurrences: the whole callback (query + figure) next to the bare query.

Above `MAX_BARS` dates the timeline draws dates per day and category, so the figure stays light whatever the
volume; the year holds the 50,000 dates of 10,000 events spread over 20 categories and 150 places.
"""

from __future__ import annotations

import datetime as dt
import random

from sqlalchemy import insert

from bench.common import median_ms, temporary_database
from db import clock
from db.agenda import AgendaQuery, occurrences_frame
from db.models import Event, EventOccurrence

YEAR = 2025
EVENTS, PER_EVENT = 10_000, 5


def _seed(database) -> None:
    rng = random.Random(42)
    first = dt.datetime(YEAR, 1, 1, 8, tzinfo=dt.UTC)
    statuses = ["scheduled"] * 17 + ["cancelled", "postponed", "full"]
    events, occurrences = [], []
    for event_id in range(1, EVENTS + 1):
        events.append(
            {
                "id": event_id,
                "source": "manual",
                "title": f"Atelier {event_id}",
                "category": f"Catégorie {event_id % 20}",
                "status": rng.choice(statuses),
                "attendance_mode": "offline",
                "location_name": f"Lieu {event_id % 150}",
                "city": "Saint-Étienne",
                "insee": f"42{event_id % 300:03d}",
                "latitude": 45 + rng.random(),
                "longitude": 4 + rng.random(),
            }
        )
        for _ in range(PER_EVENT):
            start = first + dt.timedelta(days=rng.randrange(360), hours=rng.randrange(10))
            occurrences.append({"event_id": event_id, "start": start, "end": start + dt.timedelta(hours=2)})
    with database.transaction() as session:
        session.execute(insert(Event), events)
        session.execute(insert(EventOccurrence), occurrences)


def run() -> dict:
    from dashboard import create_app
    from dashboard.config import TestConfig

    database = temporary_database()
    _seed(database)
    app = create_app(TestConfig(database.url))
    from dashboard.callbacks import agenda as callbacks  # pages (imported by it) need an app first

    filters = ["year", f"{YEAR}-06-01", None, None, "", "", "", "", "category"]
    query = AgendaQuery.from_params({"period": "year", "date": f"{YEAR}-06-01"}, clock.today())

    def bare_query():
        with database.session() as session:
            return occurrences_frame(session, query.filters())

    with app.server.test_request_context():
        callback_ms = median_ms(lambda: callbacks.timeline(*filters, 0), repeat=7)
        one_category_ms = median_ms(lambda: callbacks.timeline(*filters[:4], "Catégorie 3", *filters[5:], 0), repeat=7)
    result = {
        "database": database.engine.dialect.name,
        "occurrences": EVENTS * PER_EVENT,
        "bare_query_median_ms": median_ms(bare_query, repeat=7),
        "timeline_callback_median_ms": callback_ms,
        "timeline_one_category_median_ms": one_category_ms,
    }
    app.server.extensions["database"].dispose()
    database.dispose()
    return result


if __name__ == "__main__":
    print(run())
