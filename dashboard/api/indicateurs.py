"""`/api/v1/indicateurs.json?year=2025` (or `from=2025-01-01&to=2025-03-31`): every figure of the catalogue for the
period with its comparison, the document `flask figures` prints. Login required, every role."""

from __future__ import annotations

from flask import Flask, current_app, jsonify, request

from db import catalogue, clock
from db.periods import requested_period


def figures_json():
    args = request.args
    try:
        period = requested_period(args.get("year"), args.get("from"), args.get("to"), today=clock.today())
    except ValueError as error:
        return jsonify(error=str(error)), 400
    with current_app.extensions["database"].session() as session:
        document = catalogue.document(session, period)
    response = jsonify(document)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def register(server: Flask) -> None:
    server.add_url_rule("/api/v1/indicateurs.json", "figures_json", figures_json)
