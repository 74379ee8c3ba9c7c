"""Routes of the Carte. Open data: the places in the national schema v1.0.2, filtered like the page.

`/api/v1/lieux.csv` and `/api/v1/lieux.json` need no login (the places are public information). Example:
`/api/v1/lieux.csv?services=Aide%20aux%20d%C3%A9marches%20administratives&commune=42218`. Parameters: the schema's
field names (`frais_a_charge=Payant`, `modalites_acces=…`, `code_insee=42218`; several values repeated or joined
with `|`) or the Carte's short names (`frais`, `acces`, `commune`…), plus `epci`, `fraicheur`, `horaires`, `q`; an
unknown parameter is refused (400, with the list of valid ones). URL fields publish only http(s) addresses.
"""

from __future__ import annotations

import json
from urllib.parse import urlparse

from flask import Flask, Response, current_app, request

from dashboard.auth import public
from db import carte, clock
from db.interop import places as interop


def filtered_rows(session, flt: carte.PlaceFilter) -> list[dict[str, str]]:
    return interop.export_rows(carte.places_matching(session, flt, clock.wall_clock()))


# The schema's own field names, accepted as parameters; the Carte's short names stay as aliases.
SCHEMA_PARAMETERS = {facet.field: facet.key for facet in carte.FACETS} | {"code_insee": "commune"}
SHORT_PARAMETERS = (*(facet.key for facet in carte.FACETS), "commune", "epci", "fraicheur", "horaires", "q")
URL_FIELDS = ("site_web", "prise_rdv", "fiche_acces_libre")


class BadParameters(Exception):
    pass


def api_query(args) -> dict[str, list[str]]:
    """The filter query of the request's parameters: schema names or short names, repeated or "|"-joined values
    (as the schema writes them). BadParameters names the unknown ones."""
    unknown = [key for key in args if key not in SCHEMA_PARAMETERS and key not in SHORT_PARAMETERS]
    if unknown:
        raise BadParameters(unknown)
    query: dict[str, list[str]] = {}
    for key in args:
        values = [part for value in args.getlist(key) for part in (value.split("|") if key != "q" else [value])]
        query.setdefault(SCHEMA_PARAMETERS.get(key, key), []).extend(v for v in values if v)
    if "q" in query:
        query["q"] = " ".join(query["q"])  # type: ignore[assignment]
    return query


def public_rows(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Open data publishes only web addresses (http, https) in its URL fields: any other scheme is left out."""
    for row in rows:
        for name in URL_FIELDS:
            if row.get(name):
                row[name] = "|".join(url for url in row[name].split("|") if _web_url(url))
    return rows


def _web_url(text: str) -> bool:
    parsed = urlparse(text.strip())
    return parsed.scheme in {"http", "https"} and bool(parsed.netloc)


def _rows() -> list[dict[str, str]]:
    query = api_query(request.args)
    with current_app.extensions["database"].session() as session:
        return public_rows(filtered_rows(session, carte.PlaceFilter.from_query(query)))


def _refused(error: BadParameters) -> Response:
    body = {
        "erreur": f"Paramètre(s) inconnu(s) : {', '.join(error.args[0])}.",
        "parametres_valides": sorted(SCHEMA_PARAMETERS) + [k for k in SHORT_PARAMETERS if k not in SCHEMA_PARAMETERS],
    }
    return Response(json.dumps(body, ensure_ascii=False, indent=1), status=400, mimetype="application/json")


@public
def places_csv():
    try:
        rows = _rows()
    except BadParameters as error:
        return _refused(error)
    return Response(
        interop.export_csv(rows),
        mimetype="text/csv",
        headers={"Content-Disposition": 'inline; filename="lieux-mediation-numerique.csv"'},
    )


@public
def places_json():
    try:
        rows = _rows()
    except BadParameters as error:
        return _refused(error)
    return Response(interop.export_json(rows), mimetype="application/json")


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
