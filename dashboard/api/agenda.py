"""The public iCalendar feed of the agenda: `/api/v1/agenda.ics`, no login, the page's filters as parameters.

Parameters: `category`, `commune` (INSEE code), `status`, `organiser`, and the period: `period` (week, month, year
with `date`, or custom with `from` and `to`). Without a period the feed holds the dates from FEED_PAST ago to
FEED_AHEAD ahead, which is what a calendar subscription wants.
"""

from __future__ import annotations

import datetime as dt

from flask import Flask, Response, current_app, request

from dashboard.auth import public
from db import agenda as agenda_db
from db import clock
from db.interop.ical import export_calendar
from db.periods import Period

FEED_PAST = dt.timedelta(days=90)
FEED_AHEAD = dt.timedelta(days=365)


def feed_filters(params: dict, today: dt.date) -> agenda_db.EventFilters:
    query = agenda_db.AgendaQuery.from_params(params, today)
    filters = query.filters()
    if "period" not in params:
        filters = agenda_db.EventFilters(
            Period(today - FEED_PAST, today + FEED_AHEAD), query.category, query.commune, query.status, query.organiser
        )
    return filters


def register(server: Flask) -> None:
    @server.get("/api/v1/agenda.ics")
    @public
    def agenda_feed():
        filters = feed_filters(request.args.to_dict(), clock.today())
        with current_app.extensions["database"].session() as session:
            frame = agenda_db.occurrences_frame(session, filters, detailed=True)
        response = Response(export_calendar(frame), mimetype="text/calendar")
        response.headers["Content-Disposition"] = 'inline; filename="agenda.ics"'
        response.headers["Cache-Control"] = "public, max-age=900"
        return response
