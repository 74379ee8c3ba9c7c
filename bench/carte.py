"""The Carte's filter callback on 20,000 places (the demo places jittered), next to the bare SQL query.

Reported per filter: the bare query's median time (the SQL part alone, rows to a DataFrame), the callback's median
server time of the two callbacks a filter change fires (the view: matching places as a bitmap, counts per option,
URL; then the list of the places in view), JSON serialisation as Dash does it included, and the size of their
responses. Targets: ≤ 50 ms and ≤ 3× the bare query. Also: the first search after a write, which rebuilds the
in-memory index (`db.carte.PlaceIndex`), and the point collection the browser fetches once per version.
"""

from __future__ import annotations

import datetime as dt
import gzip
import itertools
import json
import random
from urllib.parse import urlencode

from flask import Flask
from sqlalchemy import insert, select, text

from bench.common import median_ms, temporary_database
from db import carte, clock
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
    if database.engine.dialect.name == "postgresql":
        with database.transaction() as session:  # fresh statistics, or the planner nests loops over 360k values
            session.execute(text("ANALYZE"))


def gzipped(body: str) -> int:
    """The size on the wire with the app's compression (Flask-Compress; gzip level 6, brotli does a little better)."""
    return len(gzip.compress(body.encode(), compresslevel=6))


EDITS = itertools.count()


def rebuild(database, now: dt.datetime) -> None:
    """A write (any place), then the first search after it: what a coordinator's edit costs the next filter."""
    with database.transaction() as session:
        session.scalar(select(Place).where(Place.pk == 1)).telephone = f"+33477{next(EDITS):06d}"  # a real change
    with database.session() as session:
        carte.search_places(session, carte.PlaceFilter(), now)


def run() -> dict:
    from dash._utils import to_json

    from dashboard.callbacks import carte as callbacks

    database = temporary_database()
    now = dt.datetime.combine(clock.today(), dt.time(10, 30))
    fill(database, now.date())
    server = Flask(__name__)
    server.extensions["database"] = database
    keys = [f.key for f in carte.FACETS]
    results = {"database": database.engine.dialect.name, "places": PLACES, "filters": {}}
    with server.app_context():
        for name, query in FILTERS.items():
            flt = carte.PlaceFilter.from_query(query)
            search = "?" + urlencode(flt.to_query(), doseq=True)

            def bare(flt=flt):
                with database.session() as session:
                    return carte.bare_query(session, flt, now.date())

            def view_callback(flt=flt):
                return to_json({"response": vars(callbacks.carte_view(flt, keys, now))})

            def list_callback(search=search):  # fired next by the new match (and again by each move of the map)
                return to_json({"response": callbacks.list_in_view(None, None, search)})

            with database.session() as session:
                matching = len(carte.search_places(session, flt, now, with_counts=False).places)
            bare_ms = median_ms(bare, repeat=9)
            view_ms, list_ms = median_ms(view_callback, repeat=9), median_ms(list_callback, repeat=9)
            results["filters"][name] = {
                "matching_places": matching,
                "bare_query_median_ms": bare_ms,
                "view_callback_median_ms": view_ms,
                "list_callback_median_ms": list_ms,
                "ratio": round((view_ms + list_ms) / bare_ms, 2),
                "response_bytes": len(view_callback().encode()) + len(list_callback().encode()),
                "response_bytes_gzip": gzipped(view_callback()) + gzipped(list_callback()),
            }
        results["index_rebuild_after_a_write_median_ms"] = median_ms(lambda: rebuild(database, now), repeat=5)
        with database.session() as session:
            collection = json.dumps(carte.point_collection(session), ensure_ascii=False, separators=(",", ":"))
        # Fetched once per page (and cached by the browser while no place changes), not per filter.
        results["point_collection_bytes"] = len(collection.encode())
        results["point_collection_bytes_gzip"] = gzipped(collection)
    database.dispose()
    return results


if __name__ == "__main__":
    print(json.dumps(run(), indent=1, ensure_ascii=False))
