"""The least SQL that gives each callback's numbers: what the callback is compared with.

One function per callback, named by the callback's first output (see `bench.report.callback_name`). It reads the
callback's own input values (`params`: component id → value, as the browser sent them) and runs the aggregate a
careful hand would write: one GROUP BY over the period, a page of 100 rows and its count, the distinct values of a
list — never the app's own row fetch. Days are UTC days here (the app's local days cost it a little more). A
callback without data of its own (the URL, a panel shown or hidden) has no entry: it is measured, not compared.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from sqlalchemy import Connection, text

from db import clock

PAGE = 100


class Sql:
    """Dialect snippets: SQLite keeps dates as ISO text, PostgreSQL as dates and timestamps."""

    def __init__(self, connection: Connection):
        self.connection = connection
        self.sqlite = connection.dialect.name == "sqlite"

    def month(self, column: str) -> str:
        return f"substr({column}, 1, 7)" if self.sqlite else f"to_char({column}, 'YYYY-MM')"

    def day(self, column: str) -> str:
        return f"substr({column}, 1, 10)" if self.sqlite else f"date({column})"

    def overlap_days(self, start: str, end: str) -> str:
        """Days of [start, end] inside the period [:start, :end], both ends included."""
        if self.sqlite:
            return f"julianday(min({end}, :end)) - julianday(max({start}, :start)) + 1"
        return f"least({end}, :end) - greatest({start}, :start) + 1"

    def date(self, value: dt.date) -> str | dt.date:
        return value.isoformat() if self.sqlite else value

    def run(self, sql: str, start: dt.date | None = None, end: dt.date | None = None, **params) -> list:
        if start is not None:
            params["start"] = self.date(start)
        if end is not None:
            params["end"] = self.date(end)
        return self.connection.execute(text(sql), params).all()


def _year(params: dict, key: str) -> tuple[dt.date, dt.date]:
    year = int(params.get(key) or clock.today().year)
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def _key_figures(sql: Sql, start: dt.date, end: dt.date) -> list:
    """The year's headline counts, one statement: places, dates of events, loans, sessions and participants."""
    return sql.run(
        "SELECT (SELECT count(*) FROM places),"
        " (SELECT count(*) FROM event_occurrences WHERE start >= :start AND start <= :end),"
        " (SELECT count(*) FROM loans WHERE start_date <= :end AND end_date >= :start AND cancelled_at IS NULL),"
        " (SELECT count(*) FROM training_sessions WHERE date BETWEEN :start AND :end),"
        " (SELECT count(*) FROM attendants a JOIN training_sessions s ON s.id = a.session_id"
        "  WHERE s.date BETWEEN :start AND :end AND a.state = 'present'),"
        " (SELECT count(*) FROM newsletter_issues WHERE sent_on BETWEEN :start AND :end)",
        start,
        end,
    )


def _monthly_figures(sql: Sql, start: dt.date, end: dt.date) -> list:
    """Every family's figures per month of the period: what the Indicateurs and the report chart."""
    return sql.run(
        f"SELECT 'events', {sql.month('o.start')}, count(*) FROM event_occurrences o JOIN events e ON e.id = o.event_id"
        f" WHERE o.start >= :start AND o.start <= :end AND e.status != 'cancelled' GROUP BY 2"
        f" UNION ALL SELECT 'loan_days', {sql.month('start_date')}, sum({sql.overlap_days('start_date', 'end_date')})"
        f" FROM loans WHERE start_date <= :end AND end_date >= :start AND cancelled_at IS NULL GROUP BY 2"
        f" UNION ALL SELECT 'participants', {sql.month('s.date')}, count(a.id) FROM training_sessions s"
        f" LEFT JOIN attendants a ON a.session_id = s.id AND a.state = 'present'"
        f" WHERE s.date BETWEEN :start AND :end GROUP BY 2"
        f" UNION ALL SELECT 'opens', {sql.month('sent_on')}, sum(opens) FROM newsletter_issues"
        f" WHERE sent_on BETWEEN :start AND :end GROUP BY 2",
        start,
        end,
    )


def home(sql: Sql, params: dict) -> list:
    return _key_figures(sql, *_year(params, "home-year"))


def carte_territories(sql: Sql, params: dict) -> list:
    return sql.run("SELECT code_insee, epci_code, count(*) FROM places GROUP BY code_insee, epci_code")


def carte_view(sql: Sql, params: dict) -> list:
    """Counts per facet option of the matching places (free text on the name, as the Carte's search)."""
    words = f"%{params.get('carte-search') or ''}%"
    return sql.run(
        "SELECT v.field, v.value, count(*) FROM place_values v JOIN places p ON p.pk = v.place_pk"
        " WHERE p.nom LIKE :words GROUP BY v.field, v.value",
        words=words,
    )


def carte_list(sql: Sql, params: dict) -> list:
    """The first page of places inside the map's bounds, and how many there are."""
    (south, west), (north, east) = params.get("carte-map") or ((-90, -180), (90, 180))
    where = "latitude BETWEEN :south AND :north AND longitude BETWEEN :west AND :east"
    bounds = {"south": south, "north": north, "west": west, "east": east}
    return sql.run(f"SELECT count(*) FROM places WHERE {where}", **bounds) + sql.run(
        f"SELECT pk, nom, commune FROM places WHERE {where} ORDER BY nom LIMIT {PAGE}", **bounds
    )


def _agenda_period(params: dict) -> tuple[dt.date, dt.date]:
    return dt.date.fromisoformat(params["agenda-from"]), dt.date.fromisoformat(params["agenda-to"])


def agenda_options(sql: Sql, params: dict) -> list:
    return sql.run("SELECT category, city, organiser, count(*) FROM events GROUP BY category, city, organiser")


def agenda_dates(sql: Sql, params: dict) -> list:
    start, end = _agenda_period(params)
    where = "o.start >= :start AND o.start < :end"
    end += dt.timedelta(days=1)
    return sql.run(f"SELECT count(*) FROM event_occurrences o WHERE {where}", start, end) + sql.run(
        f"SELECT o.start, e.title, e.city FROM event_occurrences o JOIN events e ON e.id = o.event_id WHERE {where}"
        f" ORDER BY o.start LIMIT {PAGE}",
        start,
        end,
    )


def agenda_panels(sql: Sql, params: dict) -> list:
    """Dates per day and category (the timeline), per place (the map) and the upcoming ten."""
    start, end = _agenda_period(params)
    end += dt.timedelta(days=1)
    category = params.get("agenda-category") or None
    return sql.run(
        f"SELECT {sql.day('o.start')}, e.category, e.place_pk, count(*) FROM event_occurrences o"
        " JOIN events e ON e.id = o.event_id WHERE o.start >= :start AND o.start < :end"
        " AND (CAST(:category AS TEXT) IS NULL OR e.category = :category) GROUP BY 1, 2, 3",
        start,
        end,
        category=category,
    ) + sql.run(
        "SELECT o.start, e.title FROM event_occurrences o JOIN events e ON e.id = o.event_id"
        " WHERE o.start >= :start ORDER BY o.start LIMIT 10",
        clock.today(),
    )


def _materiel_period(params: dict) -> tuple[dt.date, dt.date]:
    if params.get("materiel-from") and params.get("materiel-to"):
        return dt.date.fromisoformat(params["materiel-from"]), dt.date.fromisoformat(params["materiel-to"])
    return _year(params, "materiel-year")


def materiel_catalogue(sql: Sql, params: dict) -> list:
    return sql.run("SELECT name, category, units, active, description FROM equipment_items ORDER BY name")


def materiel_overdue(sql: Sql, params: dict) -> list:
    return sql.run(
        "SELECT l.id, i.name, l.borrower_name, l.end_date FROM loans l JOIN equipment_items i ON i.id = l.item_id"
        " WHERE l.end_date < :start AND l.returned_on IS NULL AND l.cancelled_at IS NULL ORDER BY l.end_date",
        clock.today(),
    )


def materiel_calendar(sql: Sql, params: dict) -> list:
    """The loans of the four weeks shown, at most a page of them."""
    start = clock.today() - dt.timedelta(days=clock.today().weekday())
    return sql.run(
        "SELECT l.item_id, l.start_date, l.end_date, l.borrower_name FROM loans l"
        f" WHERE l.start_date <= :end AND l.end_date >= :start AND l.cancelled_at IS NULL LIMIT {PAGE}",
        start,
        start + dt.timedelta(days=27),
    )


def materiel_panels(sql: Sql, params: dict) -> list:
    """Loan-days and loans per item and month of the period (the gauges, categories, months, borrowers)."""
    start, end = _materiel_period(params)
    return sql.run(
        f"SELECT item_id, borrower_insee, {sql.month('start_date')}, count(*),"
        f" sum({sql.overlap_days('start_date', 'end_date')}) FROM loans"
        " WHERE start_date <= :end AND end_date >= :start AND cancelled_at IS NULL GROUP BY 1, 2, 3",
        start,
        end,
    )


def materiel_loans(sql: Sql, params: dict) -> list:
    return sql.run("SELECT count(*) FROM loans") + sql.run(
        "SELECT l.id, i.name, l.borrower_name, l.start_date, l.end_date FROM loans l"
        f" JOIN equipment_items i ON i.id = l.item_id ORDER BY l.start_date DESC LIMIT {PAGE}"
    )


def formations_options(sql: Sql, params: dict) -> list:
    return sql.run(
        "SELECT t.programme, t.kind, t.audience, s.commune_insee, count(*) FROM trainings t"
        " JOIN training_sessions s ON s.training_id = t.id GROUP BY 1, 2, 3, 4"
    )


def formations_panels(sql: Sql, params: dict) -> list:
    """Sessions, places, registered and present per month, programme and audience of the period."""
    start = dt.date.fromisoformat(params["formations-from"])
    end = dt.date.fromisoformat(params["formations-to"])
    programme = params.get("formations-programme") or None
    return sql.run(
        f"SELECT {sql.month('s.date')}, t.programme, t.audience, count(DISTINCT s.id), sum(s.capacity),"
        " count(a.id), sum(CASE WHEN a.state = 'present' THEN 1 ELSE 0 END)"
        " FROM training_sessions s JOIN trainings t ON t.id = s.training_id"
        " LEFT JOIN attendants a ON a.session_id = s.id"
        " WHERE s.date BETWEEN :start AND :end AND (CAST(:programme AS TEXT) IS NULL OR t.programme = :programme)"
        " GROUP BY 1, 2, 3",
        start,
        end,
        programme=programme,
    )


def formations_sessions(sql: Sql, params: dict) -> list:
    return sql.run("SELECT count(*) FROM training_sessions") + sql.run(
        "SELECT s.id, s.date, t.title, (SELECT count(*) FROM attendants a WHERE a.session_id = s.id)"
        f" FROM training_sessions s JOIN trainings t ON t.id = s.training_id ORDER BY s.date DESC LIMIT {PAGE}"
    )


def lettres_audience(sql: Sql, params: dict) -> list:
    start, end = _year(params, "lettres-year")
    return sql.run(
        "SELECT indicator, period_start, value FROM audience_figures WHERE period_start BETWEEN :start AND :end",
        start,
        end,
    )


def lettres_issues(sql: Sql, params: dict) -> list:
    start, end = _year(params, "lettres-year")
    return sql.run(
        "SELECT newsletter_id, count(*), sum(recipients), sum(opens), sum(clicks) FROM newsletter_issues"
        " WHERE sent_on BETWEEN :start AND :end GROUP BY newsletter_id",
        start,
        end,
    ) + sql.run(
        f"SELECT id, sent_on, subject FROM newsletter_issues WHERE sent_on BETWEEN :start AND :end LIMIT {PAGE}",
        start,
        end,
    )


def lettres_chart(sql: Sql, params: dict) -> list:
    return sql.run(
        "SELECT period_start, value FROM audience_figures WHERE indicator = :indicator AND period_kind = 'month'",
        indicator=params.get("lettres-indicator"),
    )


def lettres_subscribers(sql: Sql, params: dict) -> list:
    return sql.run(
        f"SELECT newsletter_id, {sql.month('date')}, max(count) FROM subscriber_snapshots GROUP BY 1, 2"
    ) + sql.run(
        "SELECT newsletter_id, substr(CAST(sent_on AS TEXT), 1, 4), count(*), sum(opens), sum(recipients)"
        " FROM newsletter_issues GROUP BY 1, 2"
    )


def indicateurs(sql: Sql, params: dict) -> list:
    """The period's figures per month, and the same months a year earlier."""
    start, end = _year(params, "ind-period")
    return _monthly_figures(sql, start.replace(year=start.year - 1), end)


def rapport(sql: Sql, params: dict) -> list:
    return _monthly_figures(sql, *_year(params, "rapport-year"))


def projection(sql: Sql, params: dict) -> list:
    today = clock.today()
    return _key_figures(sql, today.replace(month=1, day=1), today) + sql.run(
        "SELECT o.start, e.title FROM event_occurrences o JOIN events e ON e.id = o.event_id"
        " WHERE o.start >= :start ORDER BY o.start LIMIT 10",
        today,
    )


def admin_journal(sql: Sql, params: dict) -> list:
    table = params.get("admin-journal-table") or None
    where = "WHERE (CAST(:table AS TEXT) IS NULL OR table_name = :table)"
    return sql.run(f"SELECT count(*) FROM audit_log {where}", table=table) + sql.run(
        f"SELECT at, user_email, table_name, action FROM audit_log {where} ORDER BY at DESC LIMIT {PAGE}", table=table
    )


def admin_accounts(sql: Sql, params: dict) -> list:
    role = params.get("admin-accounts-role") or None
    return sql.run(
        f"SELECT email, name, role, active, last_login_at FROM users WHERE (CAST(:role AS TEXT) IS NULL OR role = :role)"
        f" ORDER BY name LIMIT {PAGE}",
        role=role,
    )


# The callback's first output → its bare SQL.
BARE: dict[str, Callable[[Sql, dict], list]] = {
    "home-figures": home,
    "carte-commune": carte_territories,
    "carte-match": carte_view,
    "carte-list": carte_list,
    "agenda-category": agenda_options,
    "paged-table[agenda-dates]": agenda_dates,
    "agenda-period-label": agenda_panels,
    "materiel-catalogue": materiel_catalogue,
    "materiel-overdue": materiel_overdue,
    "materiel-calendar": materiel_calendar,
    "materiel-period-note": materiel_panels,
    "materiel-categories": materiel_panels,
    "materiel-loans": materiel_loans,
    "formations-programme": formations_options,
    "formations-kpis": formations_panels,
    "formations-sessions": formations_sessions,
    "lettres-audience-table": lettres_audience,
    "lettres-kpis": lettres_issues,
    "lettres-audience-chart": lettres_chart,
    "lettres-subscribers": lettres_subscribers,
    "ind-body": indicateurs,
    "rapport-preview": rapport,
    "proj-slide-body[ALL]": projection,
    "paged-table[admin-journal]": admin_journal,
    "paged-table[admin-accounts]": admin_accounts,
}
