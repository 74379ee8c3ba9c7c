"""Routes of the Carte. Open data: the places in the national schema v1.0.2, filtered like the page.

`/api/v1/lieux.csv` and `/api/v1/lieux.json` need no login (the places are public information). Example:
`/api/v1/lieux.csv?services=Aide%20aux%20d%C3%A9marches%20administratives&commune=42218`.
"""

from __future__ import annotations

import json

from flask import Flask, Response, current_app, request

from dashboard.auth import public
from db import carte, clock
from db.interop import places as interop


def filtered_rows(session, flt: carte.PlaceFilter) -> list[dict[str, str]]:
    return interop.export_rows(carte.places_matching(session, flt, clock.wall_clock()))


def _rows() -> list[dict[str, str]]:
    query = {key: request.args.getlist(key) for key in request.args}
    with current_app.extensions["database"].session() as session:
        return filtered_rows(session, carte.PlaceFilter.from_query(query))


@public
def places_csv():
    return Response(
        interop.export_csv(_rows()),
        mimetype="text/csv",
        headers={"Content-Disposition": 'inline; filename="lieux-mediation-numerique.csv"'},
    )


@public
def places_json():
    return Response(interop.export_json(_rows()), mimetype="application/json")


def points():
    """The map's point collection for the logged-in Carte (not public: under /api/, the guard asks for a login).
    The URL carries the collection version, so the browser may keep it until a place changes."""
    with current_app.extensions["database"].session() as session:
        collection = carte.point_collection(session)
    body = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    cache = "private, max-age=86400" if request.args.get("v") == collection["v"] else "no-cache"
    return Response(body, mimetype="application/json", headers={"Cache-Control": cache})


def register(server: Flask) -> None:
    server.add_url_rule("/api/carte/points.json", "carte_points", points)
    server.add_url_rule("/api/v1/lieux.csv", "carte_places_csv", places_csv)
    server.add_url_rule("/api/v1/lieux.json", "carte_places_json", places_json)
