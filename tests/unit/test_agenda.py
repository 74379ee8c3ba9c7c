"""Agenda rules: the event form (parsing, validation, audit, roles), periods and filters, counts."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import func, select

from db import agenda, clock
from db.agenda import (
    AgendaQuery,
    EventFilters,
    Occurrence,
    resolve_period,
    save_event,
    set_event_status,
    shift_anchor,
)
from db.models import AuditLog, Commune, Event, EventOccurrence, Place
from db.periods import Period
from db.writes import PermissionDenied, ValidationError


def utc(*parts) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


GOOD = {
    "title": "Atelier smartphone",
    "description": "Prendre en main son téléphone.",
    "occurrences": "24/03/2026 14:00-16:00\n31/03/2026 14h-16h30",
    "location_name": "Salle des fêtes",
    "city": "Feurs",
    "postal_code": "42110",
    "latitude": "45,7426",
    "longitude": "4.2260",
    "keywords": "smartphone, débutants",
    "category": "Atelier numérique",
    "status": "scheduled",
    "attendance_mode": "offline",
    "registration_url": "https://inscription.example.org/smartphone",
}


def count(database, model) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def agenda_audit(database) -> list[tuple]:
    with database.session() as session:
        return session.execute(
            select(AuditLog.table_name, AuditLog.action, AuditLog.user_email).where(
                AuditLog.table_name.in_(["events", "event_occurrences"])
            )
        ).all()


# --- the form -------------------------------------------------------------------------------------------------------


def test_parse_occurrences_paris_time_to_utc_across_summer_time():
    occurrences, error = agenda.parse_occurrences("24/03/2026 14:00-16:00\n\n2026-03-31 14:00 → 16:30")
    assert error is None
    assert occurrences == [
        Occurrence(utc(2026, 3, 24, 13), utc(2026, 3, 24, 15)),
        Occurrence(utc(2026, 3, 31, 12), utc(2026, 3, 31, 14, 30)),
    ]
    two_days, _ = agenda.parse_occurrences("12/06/2026 09:00 - 13/06/2026 17:00")
    assert two_days == [Occurrence(utc(2026, 6, 12, 7), utc(2026, 6, 13, 15))]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "demain 14h",
            "Ligne 1 : format attendu « 12/03/2026 14:00-16:30 » (heure de Paris), "
            "ou « 12/03/2026 - 14/03/2026 » pour des journées entières.",
        ),
        ("24/03/2026 14:00-16:00\n31/02/2026 14:00-16:00", "Ligne 2 : date ou heure inexistante."),
        ("24/03/2026 16:00-14:00", "Ligne 1 : la fin précède le début."),
    ],
)
def test_parse_occurrences_messages(text, message):
    assert agenda.parse_occurrences(text) == ([], message)


def test_format_occurrences_gives_back_the_typed_text():
    occurrences, _ = agenda.parse_occurrences("24/03/2026 14:00-16:00\n12/06/2026 09:00 - 13/06/2026 17:00")
    assert agenda.format_occurrences(occurrences) == "24/03/2026 14:00-16:00\n12/06/2026 09:00 - 13/06/2026 17:00"


@pytest.mark.parametrize(
    "text",
    ["15/04/2027 - 17/04/2027", "15/04/2027 au 17/04/2027", "15/04/2027–17/04/2027", "2027-04-15 → 2027-04-17"],
)
def test_dates_without_hours_are_whole_days(text):
    occurrences, error = agenda.parse_occurrences(text)
    assert error is None
    # local midnight of the first day to local midnight after the last (Paris summer time: UTC+2)
    assert occurrences == [Occurrence(utc(2027, 4, 14, 22), utc(2027, 4, 17, 22), True)]


def test_a_single_date_is_one_whole_day_next_to_timed_lines():
    occurrences, error = agenda.parse_occurrences("20/04/2027\n16/04/2027 14:00-16:00")
    assert error is None
    assert occurrences == [
        Occurrence(utc(2027, 4, 16, 12), utc(2027, 4, 16, 14)),
        Occurrence(utc(2027, 4, 19, 22), utc(2027, 4, 20, 22), True),
    ]
    assert agenda.parse_occurrences("17/04/2027 - 15/04/2027") == ([], "Ligne 1 : la fin précède le début.")
    assert agenda.parse_occurrences("31/04/2027") == ([], "Ligne 1 : date ou heure inexistante.")


def test_whole_days_across_the_change_to_summer_time_keep_local_midnights():
    (occurrence,), _ = agenda.parse_occurrences("27/03/2027 - 29/03/2027")  # clocks go forward on 28 March
    assert occurrence == Occurrence(utc(2027, 3, 26, 23), utc(2027, 3, 29, 22), True)
    assert agenda.local_days(occurrence.start, occurrence.end) == (dt.date(2027, 3, 27), dt.date(2027, 3, 29))


def test_format_occurrences_gives_back_whole_days():
    text = "15/04/2027 - 17/04/2027\n20/04/2027\n21/04/2027 09:00-12:00"
    occurrences, _ = agenda.parse_occurrences(text)
    assert agenda.format_occurrences(occurrences) == text


@pytest.mark.parametrize(
    ("occurrence", "label", "short"),
    [
        (
            Occurrence.whole_days(dt.date(2027, 4, 15), dt.date(2027, 4, 17)),
            "du 15 au 17 avril 2027",
            "du 15 au 17 avril",
        ),
        (
            Occurrence.whole_days(dt.date(2027, 4, 15), dt.date(2027, 4, 15)),
            "le 15 avril 2027, toute la journée",
            "le 15 avril, toute la journée",
        ),
        (
            Occurrence.whole_days(dt.date(2027, 4, 30), dt.date(2027, 5, 2)),
            "du 30 avril au 2 mai 2027",
            "du 30 avril au 2 mai",
        ),
        (Occurrence.whole_days(dt.date(2027, 5, 1), dt.date(2027, 5, 2)), "du 1er au 2 mai 2027", "du 1er au 2 mai"),
        (
            Occurrence.whole_days(dt.date(2026, 12, 31), dt.date(2027, 1, 2)),
            "du 31 décembre 2026 au 2 janvier 2027",
            "du 31 décembre au 2 janvier",
        ),
        (
            Occurrence(utc(2027, 4, 15, 12), utc(2027, 4, 15, 14, 30)),
            "le 15 avril 2027, 14:00–16:30",
            "le 15 avril, 14:00–16:30",
        ),
        (
            Occurrence(utc(2027, 4, 15, 12), utc(2027, 4, 16, 10)),
            "du 15 avril 2027 14:00 au 16 avril 2027 12:00",
            "du 15 avril 14:00 au 16 avril 12:00",
        ),
    ],
)
def test_occurrence_label(occurrence, label, short):
    assert agenda.occurrence_label(*occurrence) == label
    assert agenda.occurrence_label(*occurrence, year=False) == short


def test_turning_a_date_into_whole_days_is_a_change(database, users):
    form = GOOD | {"occurrences": "15/04/2027 10:00-18:00"}
    with database.transaction() as session:
        event_id = save_event(session, users["coordinator"], **form).id
    with database.transaction() as session:
        save_event(session, users["coordinator"], **(form | {"event_id": str(event_id), "occurrences": "15/04/2027"}))
    with database.session() as session:
        event = session.get(Event, event_id)
        assert [(o.all_day, clock.as_utc(o.start)) for o in event.occurrences] == [(True, utc(2027, 4, 14, 22))]
        assert agenda.event_form_values(session, event_id)["occurrences"] == "15/04/2027"
        assert agenda.event_choices(session) == [(event_id, "Atelier smartphone (le 15 avril 2027, toute la journée)")]
    actions = [action for table, action, _ in agenda_audit(database) if table == "event_occurrences"]
    assert sorted(actions) == ["create", "create", "delete"]


def test_coordinator_creates_an_event_with_its_occurrences_and_audit_rows(database, users):
    with database.transaction() as session:
        event = save_event(session, users["coordinator"], **GOOD)
        event_id = event.id
    with database.session() as session:
        event = session.get(Event, event_id)
        assert (event.source, event.title, event.keywords) == ("manual", "Atelier smartphone", "smartphone|débutants")
        assert (event.latitude, event.longitude) == (45.7426, 4.226)
        assert [Occurrence(clock.as_utc(o.start), clock.as_utc(o.end), o.all_day) for o in event.occurrences] == [
            Occurrence(utc(2026, 3, 24, 13), utc(2026, 3, 24, 15)),
            Occurrence(utc(2026, 3, 31, 12), utc(2026, 3, 31, 14, 30)),
        ]
    assert sorted(agenda_audit(database)) == [
        ("event_occurrences", "create", "coordinator@example.org"),
        ("event_occurrences", "create", "coordinator@example.org"),
        ("events", "create", "coordinator@example.org"),
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"title": "  "}, "title", "Le titre est obligatoire."),
        ({"occurrences": ""}, "occurrences", "Indiquer au moins une date."),
        ({"occurrences": "24/03/2026 16:00-15:00"}, "occurrences", "Ligne 1 : la fin précède le début."),
        ({"latitude": "145"}, "latitude", "La latitude doit être comprise entre -90 et 90."),
        ({"longitude": "-200"}, "longitude", "La longitude doit être comprise entre -180 et 180."),
        ({"latitude": "nord"}, "latitude", "Nombre attendu (par exemple 45,4397)."),
        ({"longitude": ""}, "longitude", "Indiquer la latitude et la longitude, ou aucune."),
        (
            {"registration_url": "www.example.org"},
            "registration_url",
            "Adresse web invalide : elle doit commencer par http:// ou https://.",
        ),
        (
            {"attendance_mode": "mixed"},
            "online_url",
            "Indiquer le lien de connexion d'un événement en ligne ou mixte.",
        ),
        (
            {"location_name": "", "city": "", "latitude": "", "longitude": ""},
            "place_pk",
            "Choisir un lieu du réseau ou saisir un lieu libre (nom ou commune).",
        ),
        ({"place_pk": "999999"}, "place_pk", "Lieu introuvable : choisir un lieu de la liste."),
        ({"postal_code": "4211"}, "postal_code", "Le code postal compte 5 chiffres."),
        ({"status": "maybe"}, "status", "Statut inconnu."),
        ({"attendance_mode": "teleport"}, "attendance_mode", "Mode de participation inconnu."),
        ({"title": "x" * 501}, "title", "500 caractères au plus."),
    ],
)
def test_bad_input_gives_a_message_under_the_field_and_writes_nothing(database, users, changes, field, message):
    with pytest.raises(ValidationError) as caught, database.transaction() as session:
        save_event(session, users["coordinator"], **(GOOD | changes))
    assert caught.value.errors[field] == message
    assert count(database, Event) == 0
    assert agenda_audit(database) == []


def test_online_event_needs_no_place(database, users):
    online = GOOD | {"attendance_mode": "online", "online_url": "https://visio.example.org/a", "location_name": ""}
    online |= {"city": "", "latitude": "", "longitude": ""}
    with database.transaction() as session:
        save_event(session, users["coordinator"], **online)
    assert count(database, Event) == 1


def test_viewer_cannot_create_an_event(database, users):
    with pytest.raises(PermissionDenied), database.transaction() as session:
        save_event(session, users["viewer"], **GOOD)
    assert count(database, Event) == 0


def _place(database) -> int:
    with database.transaction() as session:
        place = Place(
            id="lieu-1",
            pivot="00000000000000",
            nom="Médiathèque de Feurs",
            commune="Feurs",
            code_postal="42110",
            code_insee="42094",
            adresse="1 rue de la Loire",
            latitude=45.74,
            longitude=4.23,
            date_maj=dt.date(2026, 1, 1),
        )
        session.add(place)
        session.flush()
        return place.pk


def test_a_place_of_the_network_gives_its_address_and_coordinates(database, users):
    pk = _place(database)
    with database.transaction() as session:
        event = save_event(
            session, users["coordinator"], **(GOOD | {"place_pk": str(pk), "latitude": "", "longitude": ""})
        )
        event_id = event.id
    with database.session() as session:
        event = session.get(Event, event_id)
        assert (event.place_pk, event.location_name, event.insee) == (pk, "Médiathèque de Feurs", "42094")
        assert (event.latitude, event.longitude, event.address) == (45.74, 4.23, "1 rue de la Loire")


def test_edit_replaces_the_occurrences_and_audits_the_change(database, users):
    with database.transaction() as session:
        event_id = save_event(session, users["coordinator"], **GOOD).id
    with database.session() as session:
        values = agenda.event_form_values(session, event_id)
    assert values["occurrences"] == "24/03/2026 14:00-16:00\n31/03/2026 14:00-16:30"
    assert values["keywords"] == "smartphone, débutants"
    values |= {"event_id": str(event_id), "title": "Atelier smartphone (complet)"}
    values["occurrences"] = "24/03/2026 14:00-16:00\n07/04/2026 14:00-16:00"
    with database.transaction() as session:
        save_event(session, users["admin"], **values)
    with database.session() as session:
        event = session.get(Event, event_id)
        assert event.title == "Atelier smartphone (complet)"
        assert [clock.as_utc(o.start) for o in event.occurrences] == [utc(2026, 3, 24, 13), utc(2026, 4, 7, 12)]
        update = session.scalar(select(AuditLog).where(AuditLog.action == "update"))
        assert (
            update.before["title"] == "Atelier smartphone" and update.after["title"] == "Atelier smartphone (complet)"
        )
        assert session.scalar(select(func.count(AuditLog.id)).where(AuditLog.action == "delete")) == 1


def test_status_change_cancels_and_is_audited(database, users):
    with database.transaction() as session:
        event_id = save_event(session, users["coordinator"], **GOOD).id
    with pytest.raises(ValidationError) as caught, database.transaction() as session:
        set_event_status(session, users["coordinator"], event_id="", status="unknown")
    assert caught.value.errors == {"event_id": "Choisir un événement.", "status": "Choisir un statut."}
    with pytest.raises(PermissionDenied), database.transaction() as session:
        set_event_status(session, users["viewer"], event_id=str(event_id), status="cancelled")
    with database.transaction() as session:
        set_event_status(session, users["coordinator"], event_id=str(event_id), status="cancelled")
    with database.session() as session:
        assert session.get(Event, event_id).status == "cancelled"
        row = session.scalar(select(AuditLog).where(AuditLog.action == "update"))
        assert (row.before["status"], row.after["status"]) == ("scheduled", "cancelled")


# --- periods and the URL ------------------------------------------------------------------------------------------


def test_periods():
    wednesday = dt.date(2026, 3, 25)
    assert resolve_period("week", wednesday) == Period(dt.date(2026, 3, 23), dt.date(2026, 3, 29))
    assert resolve_period("month", dt.date(2024, 2, 10)) == Period(dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert resolve_period("year", wednesday) == Period.year(2026)
    assert resolve_period("custom", wednesday, dt.date(2026, 5, 1), dt.date(2026, 4, 1)) == Period(
        dt.date(2026, 4, 1), dt.date(2026, 5, 1)
    )
    assert resolve_period("custom", wednesday) == resolve_period("month", wednesday)  # incomplete range
    assert shift_anchor("month", dt.date(2026, 12, 31), 1) == dt.date(2027, 1, 1)
    assert shift_anchor("month", dt.date(2026, 1, 15), -1) == dt.date(2025, 12, 1)
    assert shift_anchor("week", wednesday, -1) == dt.date(2026, 3, 18)
    assert shift_anchor("year", dt.date(2024, 2, 29), 1) == dt.date(2025, 2, 28)


def test_query_parameters_round_trip_and_junk_is_dropped():
    today = dt.date(2026, 3, 25)
    query = AgendaQuery.from_params(
        {"period": "week", "date": "2026-04-02", "category": "Permanence", "status": "cancelled", "group": "place"},
        today,
    )
    assert query.filters() == EventFilters(
        Period(dt.date(2026, 3, 30), dt.date(2026, 4, 5)), "Permanence", None, "cancelled", None
    )
    assert AgendaQuery.from_params(query.params(), today) == query
    junk = AgendaQuery.from_params({"period": "decade", "date": "hier", "status": "lost", "utm": "x"}, today)
    assert junk == AgendaQuery(anchor=today)
    assert junk.params() == {"date": "2026-03-25"}


# --- queries and counts ---------------------------------------------------------------------------------------------


def _seed(database):
    """Two communes, a cancelled event, an online one, and dates on both sides of a month's end in Paris time."""
    with database.transaction() as session:
        session.add(Commune(insee="42218", name="Saint-Étienne"))

        def add(title, category, insee, city, status, *starts):
            session.add(
                Event(
                    title=title,
                    category=category,
                    insee=insee,
                    city=city,
                    status=status,
                    occurrences=[EventOccurrence(start=s, end=s + dt.timedelta(hours=2)) for s in starts],
                )
            )

        add("A", "Atelier", "42218", "St-Étienne", "scheduled", utc(2026, 1, 10, 9), utc(2026, 3, 31, 19, 30))
        add("B", "Atelier", "42187", "Roanne", "scheduled", utc(2026, 3, 31, 22, 30))  # 1 April, 00:30 in Paris
        add("C", "Permanence", "42187", "Roanne", "cancelled", utc(2026, 3, 5, 9))
        add("D", None, None, None, "postponed", utc(2026, 3, 6, 9))


def test_period_filter_uses_paris_days(database):
    _seed(database)
    march = EventFilters(Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31)))
    with database.session() as session:
        frame = agenda.occurrences_frame(session, march)
        april = agenda.occurrences_frame(session, EventFilters(Period(dt.date(2026, 4, 1), dt.date(2026, 4, 30))))
        roanne = agenda.occurrences_frame(session, EventFilters(march.period, insee="42187"))
    assert list(frame["title"]) == ["C", "D", "A"]
    assert list(april["title"]) == ["B"]
    assert list(roanne["title"]) == ["C"]
    assert str(frame["start"].dt.tz) == "UTC"


def test_counts_by_month_category_and_commune_leave_out_cancelled_events(database):
    _seed(database)
    year = EventFilters(Period.year(2026))
    with database.session() as session:
        months = agenda.counts_by_month(session, year)
        categories = agenda.counts_by_category(session, year)
        communes = agenda.period_counts(session, year).by_commune
        cancelled = agenda.counts_by_category(session, EventFilters(Period.year(2026), status="cancelled"))
    assert len(months) == 12
    assert months.set_index("month").loc["2026-01-01":"2026-04-01", "events"].tolist() == [1, 0, 2, 1]
    assert categories.to_dict("records") == [
        {"category": "Atelier", "events": 2, "occurrences": 3},
        {"category": "Sans catégorie", "events": 1, "occurrences": 1},
    ]
    assert communes[["insee", "commune", "events"]].to_dict("records") == [
        {"insee": "", "commune": "En ligne ou sans lieu", "events": 1},
        {"insee": "42187", "commune": "Roanne", "events": 1},
        {"insee": "42218", "commune": "Saint-Étienne", "events": 1},  # the reference name wins over typed text
    ]
    assert cancelled.to_dict("records") == [{"category": "Permanence", "events": 1, "occurrences": 1}]


def test_upcoming_goes_past_the_period_end(database):
    _seed(database)
    with database.session() as session:
        frame = agenda.upcoming_frame(
            session, EventFilters(Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31))), utc(2026, 3, 20)
        )
    assert list(frame["title"]) == ["A", "B"]


def test_upcoming_keeps_what_is_under_way(database):
    """On the second day of a three-day fair, the fair is still in the list (and a workshop that ended is not)."""
    _seed(database)
    fair = Occurrence.whole_days(dt.date(2026, 3, 30), dt.date(2026, 4, 1))
    with database.transaction() as session:
        session.add(Event(title="Foire", occurrences=[EventOccurrence(start=fair.start, end=fair.end, all_day=True)]))
    with database.session() as session:
        frame = agenda.upcoming_frame(session, EventFilters(), utc(2026, 3, 31, 22, 0))
    assert list(frame["title"]) == ["Foire", "B"]  # A's workshop ended at 21:30 UTC


def test_whole_days_are_counted_on_their_local_days(database):
    """A fair from 1 to 3 April starts at local midnight, 22:00 UTC on 31 March: it is April's, and it overlaps the
    days it covers only."""
    with database.transaction() as session:
        fair = Occurrence.whole_days(dt.date(2026, 4, 1), dt.date(2026, 4, 3))
        session.add(
            Event(
                title="Fête du numérique",
                status="scheduled",
                occurrences=[EventOccurrence(start=fair.start, end=fair.end, all_day=True)],
            )
        )
    with database.session() as session:
        months = agenda.counts_by_month(session, EventFilters(Period(dt.date(2026, 3, 1), dt.date(2026, 4, 30))))
        frame = agenda.occurrences_frame(session, EventFilters())

        def days(first, last):
            return list(agenda.occurrences_frame(session, EventFilters(Period(first, last)))["title"])

        assert days(dt.date(2026, 3, 31), dt.date(2026, 3, 31)) == []
        assert days(dt.date(2026, 4, 3), dt.date(2026, 4, 3)) == ["Fête du numérique"]
        assert days(dt.date(2026, 4, 4), dt.date(2026, 4, 4)) == []
    assert months["events"].tolist() == [0, 1]
    assert frame["all_day"].tolist() == [True]


# --- counts by the database, against the pandas counts they replace ---------------------------------------------


def _varied(database) -> None:
    """Dates around both changes of summer time, whole days over a month's end, a date begun before the period,
    cancelled and postponed events, online events, two places with several events."""

    def add(title, category, insee, city, status, dates, *, where=None, mode="offline", all_day=False):
        if all_day:  # (first day, last day)
            occurrences = [Occurrence.whole_days(first, last) for first, last in dates]
        else:  # (start, hours)
            occurrences = [Occurrence(start, start + dt.timedelta(hours=hours)) for start, hours in dates]
        latitude, longitude = where or (None, None)
        session.add(
            Event(
                title=title, category=category, insee=insee, city=city, status=status, attendance_mode=mode,
                location_name=f"Lieu {city}" if city else None, latitude=latitude, longitude=longitude,
                occurrences=[EventOccurrence(start=o.start, end=o.end, all_day=o.all_day) for o in occurrences],
            )
        )  # fmt: skip

    with database.transaction() as session:
        add(
            "Veille",
            "Atelier",
            "42218",
            "Saint-Étienne",
            "scheduled",
            [(utc(2026, 3, 28, 22, 30), 2), (utc(2026, 3, 29, 0, 30), 1)],
            where=(45.43, 4.39),
        )
        add(
            "Heure d'été",
            "Atelier",
            "42218",
            "Saint-Étienne",
            "postponed",
            [(utc(2026, 3, 29, 1, 30), 1), (utc(2026, 10, 25, 0, 30), 1), (utc(2026, 10, 25, 1, 30), 1)],
            where=(45.43, 4.39),
        )
        add(
            "Foire",
            "Fête",
            "42187",
            "Roanne",
            "scheduled",
            [(dt.date(2026, 4, 29), dt.date(2026, 5, 2)), (dt.date(2026, 12, 31), dt.date(2027, 1, 2))],
            where=(46.03, 4.07),
            all_day=True,
        )
        add(
            "Commencée avant", "Fête", "42187", "Roanne", "cancelled", [(utc(2025, 12, 30, 9), 72)], where=(46.03, 4.07)
        )
        add(
            "Webinaire",
            "Formation",
            None,
            None,
            "scheduled",
            [(utc(2026, 2, 3, 17), 1), (utc(2026, 2, 10, 17), 1), (utc(2026, 3, 3, 17), 1)],
            mode="online",
        )
        add("Sans catégorie", None, "42095", "Feurs", "full", [(utc(2026, 6, 1, 8), 3)], where=(45.74, 4.22))
        add("L'an passé", "Atelier", "42218", "Saint-Étienne", "scheduled", [(utc(2025, 6, 1, 8), 2)])
        session.add(Commune(insee="42218", name="Saint-Étienne"))


def _pandas_counted(frame: pd.DataFrame, filters: EventFilters) -> pd.DataFrame:
    """The rows the counts took before they were made by the database: starting in the period, not cancelled."""
    start, end = clock.bounds(filters.period)
    frame = frame[(frame["start"] >= start) & (frame["start"] < end)]
    return frame if filters.status == "cancelled" else frame[frame["status"] != "cancelled"]


def _pandas_grouped(frame: pd.DataFrame, key: str) -> pd.DataFrame:
    counts = frame.groupby(key, dropna=False).agg(events=("event_id", "nunique"), occurrences=("occurrence_id", "size"))
    return counts.reset_index().sort_values(["events", key], ascending=[False, True], ignore_index=True)


FILTERS = [
    EventFilters(Period.year(2026)),
    EventFilters(Period(dt.date(2026, 3, 1), dt.date(2026, 5, 31))),
    EventFilters(Period(dt.date(2025, 12, 1), dt.date(2026, 12, 31)), category="Fête"),
    EventFilters(Period.year(2026), status="cancelled"),
    EventFilters(Period.year(2026), insee="42218"),
    EventFilters(Period(dt.date(2025, 1, 1), dt.date(2027, 12, 31))),
]


@pytest.mark.parametrize("filters", FILTERS, ids=range(len(FILTERS)))
def test_counts_made_by_the_database_equal_the_pandas_counts(database, filters):
    _varied(database)
    with database.session() as session:
        frame = agenda.occurrences_frame(session, filters)
        counts = agenda.period_counts(session, filters)
        months = agenda.counts_by_month(session, filters)
        per_day = agenda.dates_per_day(session, filters, "category", 100).counts
    counted = _pandas_counted(frame, filters).copy()
    assert (counts.dates, counts.events) == (len(frame), frame["event_id"].nunique())
    assert counts.communes == frame["insee"].dropna().nunique()
    assert counts.disrupted == frame.loc[frame["status"].isin(["cancelled", "postponed"]), "event_id"].nunique()
    counted["category"] = counted["category"].fillna("Sans catégorie")
    pd.testing.assert_frame_equal(counts.by_category, _pandas_grouped(counted, "category"), check_dtype=False)
    counted["insee"] = counted["insee"].fillna("")
    expected = _pandas_grouped(counted, "insee")
    assert counts.by_commune[["insee", "events", "occurrences"]].values.tolist() == expected.values.tolist()
    local = counted["start"].dt.tz_convert("Europe/Paris").dt.tz_localize(None)
    by_month = counted.groupby(local.dt.to_period("M").dt.start_time).agg(
        events=("event_id", "nunique"), occurrences=("occurrence_id", "size")
    )
    assert months.set_index("month").query("events > 0").to_dict("index") == by_month.to_dict("index")
    starting = _pandas_counted(frame, EventFilters(filters.period, status="cancelled"))  # every status
    days = starting["start"].dt.tz_convert("Europe/Paris").dt.tz_localize(None).dt.normalize()
    by_day = days.groupby([days, starting["category"].fillna("Sans catégorie")]).size()
    assert per_day.set_index(["day", "group"])["dates"].sort_index().to_dict() == by_day.to_dict()


def test_dates_fall_on_their_local_days_across_summer_time(database):
    _varied(database)
    with database.session() as session:
        per_day = agenda.dates_per_day(session, EventFilters(Period.year(2026)), "place", 100).counts
    days = {(day.date(), group): dates for day, group, dates in per_day.itertuples(index=False)}
    # 23:30 on 28 March (winter time) and 01:30 on 29 March (00:30 UTC, still winter time); then 03:30 (summer)
    assert days[(dt.date(2026, 3, 28), "Lieu Saint-Étienne")] == 1
    assert days[(dt.date(2026, 3, 29), "Lieu Saint-Étienne")] == 2
    assert days[(dt.date(2026, 10, 25), "Lieu Saint-Étienne")] == 2  # 02:30 summer time, then 02:30 winter time
    assert days[(dt.date(2026, 2, 3), "En ligne")] == 1
    assert days[(dt.date(2026, 4, 29), "Lieu Roanne")] == 1  # a whole-day fair starts at local midnight


def test_event_places_one_point_per_place_with_most_events_first(database):
    _varied(database)
    year = EventFilters(Period.year(2026))
    with database.session() as session:
        places = agenda.event_places(session, year, limit=10)
        first = agenda.event_places(session, year, limit=1)
    points = places.points
    assert points[["latitude", "longitude", "events"]].values.tolist() == [
        [45.43, 4.39, 2], [46.03, 4.07, 2], [45.74, 4.22, 1]
    ]  # fmt: skip
    assert (places.located_events, places.places) == (5, 3)  # the webinar has no place
    # a place whose events differ in status has none
    assert points["status"].isna().tolist() == [True, True, False] and points["status"].iloc[2] == "full"
    feurs = points.iloc[2]
    assert (feurs["title"], feurs["start"], feurs["all_day"]) == ("Sans catégorie", utc(2026, 6, 1, 8), False)
    assert len(first.points) == 1 and (first.located_events, first.places) == (5, 3)


def test_occurrences_page_reads_a_page_in_the_chosen_order(database):
    with database.transaction() as session:
        for n in range(120):
            start = utc(2026, 1, 1, 8) + dt.timedelta(days=n)
            occurrence = EventOccurrence(start=start, end=start + dt.timedelta(hours=1))
            session.add(Event(title=f"Atelier {n:03d}", occurrences=[occurrence]))
    year = EventFilters(Period.year(2026))
    with database.session() as session:
        first = agenda.occurrences_page(session, year, 0)
        last = agenda.occurrences_page(session, year, 2)
        beyond = agenda.occurrences_page(session, year, 9)
        latest = agenda.occurrences_page(session, year, 0, "date-desc")
        titles = agenda.occurrences_page(session, year, 1, "title")
        february = agenda.occurrences_page(session, EventFilters(Period(dt.date(2026, 2, 1), dt.date(2026, 2, 28))), 0)
    assert (first.total, first.pages, len(first.rows)) == (120, 3, 50)
    assert first.rows["title"].iloc[0] == "Atelier 000" and str(first.rows["start"].dt.tz) == "UTC"
    assert (last.number, last.first, len(last.rows)) == (2, 101, 20)
    assert beyond.number == 2 and beyond.rows["title"].tolist() == last.rows["title"].tolist()
    assert latest.rows["title"].iloc[0] == "Atelier 119"
    assert titles.rows["title"].iloc[0] == "Atelier 050"
    assert (february.total, february.rows["title"].iloc[0]) == (28, "Atelier 031")


def test_dates_per_day_keep_the_places_with_most_dates_apart(database):
    _varied(database)
    year = EventFilters(Period.year(2026))
    with database.session() as session:
        capped = agenda.dates_per_day(session, year, "place", 3)
        fitting = agenda.dates_per_day(session, year, "place", 4)
    assert capped.groups == fitting.groups == 4  # Saint-Étienne 5 dates, online 3, Roanne 2, Feurs 1
    totals = capped.counts.groupby(capped.counts["group"].fillna("others"))["dates"].sum().to_dict()
    assert totals == {"Lieu Saint-Étienne": 5, "En ligne": 3, "others": 3}
    assert set(fitting.counts["group"]) == {"Lieu Saint-Étienne", "Lieu Roanne", "En ligne", "Lieu Feurs"}


def test_panels_are_read_once_per_revision_and_see_a_write(database):
    _seed(database)
    march = EventFilters(Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31)))
    with database.session() as session:
        first = agenda.panels(session, march, "category", 500, 25, 500)
    with database.session() as session:
        assert agenda.panels(session, march, "category", 500, 25, 500) is first
        dense = agenda.panels(session, march, "category", 1, 25, 500)
    assert (first.counts.dates, first.counts.events) == (3, 3)
    assert first.by_category["category"].tolist() == ["Atelier", "Sans catégorie"]  # cancelled left out
    assert list(first.dates["title"]) == ["C", "D", "A"] and dense.dates.counts["dates"].sum() == 3
    with database.transaction() as session:
        start = utc(2026, 3, 12, 9)
        session.add(Event(title="E", category="Atelier", occurrences=[EventOccurrence(start=start, end=start)]))
    with database.session() as session:
        again = agenda.panels(session, march, "category", 500, 25, 500)
    assert again.counts.dates == 4 and list(again.dates["title"]) == ["C", "D", "E", "A"]
