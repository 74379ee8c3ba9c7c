"""The Carte's filter callback on 20,000 places (the demo places jittered), next to the bare SQL query.

Reported per filter: the bare query's median time (the SQL part alone, rows to a DataFrame), the callback's median
server time (query + text/hours + counts per option + GeoJSON + list + JSON serialisation as Dash does it) and the
size of the callback's JSON response. Targets: ≤ 50 ms and ≤ 3× the bare query.
"""

from __future__ import annotations

import datetime as dt
import json
import random

from flask import Flask
from sqlalchemy import insert, select

from bench.common import median_ms, temporary_database
from db import carte
from db.demo import seed_demo
from db.models import PLACE_MULTI_FIELDS, Place, PlaceValue

PLACES = 20_000
FILTERS = {
    "aucun filtre": {},
    "un service": {"services": "Aide aux démarches administratives"},
    "service + gratuit + EPCI": {
        "services": "Aide aux démarches administratives",
        "frais": "Gratuit",
        "epci": "244200770",
    },
    "ouvert le week-end + texte": {"horaires": "weekend", "q": "médiathèque"},
}
SCHEMA_COLUMNS = [c.name for c in Place.__table__.columns if c.name not in {"pk", "created_at", "updated_at"}]


def fill(database, today: dt.date, count: int = PLACES) -> None:
    """The demo network, then copies of its places moved by up to ~3 km until `count` places."""
    with database.transaction() as session:
        seed_demo(session, today)
        models = [{c: getattr(p, c) for c in SCHEMA_COLUMNS} for p in session.scalars(select(Place))]
    rng = random.Random(42)
    rows, values = [], []
    start = len(models) + 1
    for n in range(start, count + 1):
        row = dict(rng.choice(models))
        row.update(
            pk=n,
            id=f"Bench-{n:05d}",
            latitude=row["latitude"] + rng.uniform(-0.03, 0.03),
            longitude=row["longitude"] + rng.uniform(-0.04, 0.04),
            date_maj=today - dt.timedelta(days=rng.randint(0, 900)),
        )
        rows.append(row)
        values.extend(
            {"place_pk": n, "field": field, "value": value}
            for field in PLACE_MULTI_FIELDS
            for value in dict.fromkeys(carte.split_multi(row[field]))
        )
    with database.transaction() as session:
        session.execute(insert(Place), rows)
        session.execute(insert(PlaceValue), values)


def run() -> dict:
    from dash._utils import to_json

    from dashboard.callbacks import carte as callbacks

    database = temporary_database()
    now = dt.datetime.combine(dt.date.today(), dt.time(10, 30))
    fill(database, now.date())
    server = Flask(__name__)
    server.extensions["database"] = database
    keys = [f.key for f in carte.FACETS]
    results = {"database": database.engine.dialect.name, "places": PLACES, "filters": {}}
    with server.app_context():
        for name, query in FILTERS.items():
            flt = carte.PlaceFilter.from_query(query)

            def bare(flt=flt):
                with database.session() as session:
                    return carte.bare_query(session, flt, now.date())

            def callback(flt=flt):
                view = callbacks.carte_view(flt, keys, now)
                return view, to_json({"response": vars(view)})

            view, body = callback()
            bare_ms, callback_ms = median_ms(bare, repeat=9), median_ms(callback, repeat=9)
            results["filters"][name] = {
                "matching_places": len(view.match["pk"]),
                "bare_query_median_ms": bare_ms,
                "callback_median_ms": callback_ms,
                "ratio": round(callback_ms / bare_ms, 2),
                "response_bytes": len(body.encode()),
            }
        with database.session() as session:
            collection = json.dumps(carte.point_collection(session), ensure_ascii=False, separators=(",", ":"))
        # Fetched once per page (and cached by the browser while no place changes), not per filter.
        results["point_collection_bytes"] = len(collection.encode())
    database.dispose()
    return results


if __name__ == "__main__":
    print(json.dumps(run(), indent=1, ensure_ascii=False))
