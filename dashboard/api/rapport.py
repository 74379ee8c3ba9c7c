"""The annual report as a file, for logged-in users (the guard refuses anonymous requests and projection screens)."""

from __future__ import annotations

from flask import Flask, Response, abort, current_app

from db import clock
from db.rapport import rendered

FORMATS = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}


def report_file(year: int, extension: str):
    if extension not in FORMATS or not 2000 <= year <= clock.today().year:
        abort(404)
    with current_app.extensions["database"].session() as session:
        content = rendered(session, year, extension)
    return Response(
        content,
        mimetype=FORMATS[extension],
        headers={"Content-Disposition": f'attachment; filename="rapport-activite-{year}.{extension}"'},
    )


def register(server: Flask) -> None:
    server.add_url_rule("/api/rapport/<int:year>.<extension>", "report_file", report_file)
