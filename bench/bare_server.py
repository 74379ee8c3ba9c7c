"""The bare SQL served over HTTP, as the app is: what a callback is compared with when its user waits on HTTP.

`gunicorn -c gunicorn.conf.py bench.bare_server:app` with the bench's DATABASE_URL. POST /bare/<callback> with the
callback's input values (component id → value) runs `bench.bare.BARE[callback]` on a pooled connection and answers its
rows as JSON. No login, no Dash, no figure: the least work that gives the same numbers over the same transport.
"""

from __future__ import annotations

import json
import os

from flask import Flask, Response, abort, request
from sqlalchemy import create_engine

from bench import bare
from db.session import normalise_url

app = Flask(__name__)
engine = create_engine(normalise_url(os.environ["DATABASE_URL"]), pool_pre_ping=True)


@app.get("/healthz")
def healthz() -> str:
    return "ok"


@app.post("/bare/<path:callback>")
def run(callback: str) -> Response:
    query = bare.BARE.get(callback) or abort(404)
    with engine.connect() as connection:
        rows = query(bare.Sql(connection), request.get_json())
    return Response(json.dumps([list(row) for row in rows], default=str), mimetype="application/json")
