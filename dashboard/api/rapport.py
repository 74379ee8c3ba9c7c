"""The annual report as a file, for logged-in users (the guard refuses anonymous requests and projection screens):
the year's report as the records stand (`/api/rapport/2021.pdf|html|docx`) and each validated version as it was
sent (`/api/rapport/2021/v1.pdf|html|docx`); and the preview the Rapport page frames (`/api/rapport/2021/apercu.html`).
"""

from __future__ import annotations

from flask import Flask, Response, abort, current_app

from db import clock, report_render, report_versions
from db.periods import chosen_year

FORMATS = report_versions.MEDIA


def _file(content, year: int, extension: str, stem: str):
    if content is None:
        abort(404)
    return Response(
        content,
        mimetype=FORMATS[extension],
        headers={"Content-Disposition": f'attachment; filename="{stem}.{extension}"'},
    )


def report_file(year: int, extension: str):
    if extension not in FORMATS or not 2000 <= year <= clock.today().year:
        abort(404)
    with current_app.extensions["database"].session() as session:
        content = report_render.rendered(session, year, extension)
    return _file(content, year, extension, f"rapport-activite-{year}")


def report_preview(year: int):
    """The year's report as HTML to read in the page, not to download. The page's frame asks for it with the data's
    revision in its address, so a browser keeps it until something is written and the frame reloads then."""
    if year != chosen_year(year, clock.today()):
        abort(404)
    with current_app.extensions["database"].session() as session:
        content = report_render.rendered(session, year, "html")
    if content is None:
        abort(404)
    return Response(content, mimetype="text/html", headers={"Cache-Control": "private, max-age=86400"})


def version_file(year: int, number: int, extension: str):
    with current_app.extensions["database"].session() as session:
        content = report_versions.version_file(session, year, number, extension)
    return _file(content, year, extension, f"rapport-activite-{year}-version-{number}")


def register(server: Flask) -> None:
    server.add_url_rule("/api/rapport/<int:year>.<extension>", "report_file", report_file)
    server.add_url_rule("/api/rapport/<int:year>/v<int:number>.<extension>", "report_version_file", version_file)
    server.add_url_rule("/api/rapport/<int:year>/apercu.html", "report_preview", report_preview)
