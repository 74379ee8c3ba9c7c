"""Agenda imports and export: OpenAgenda JSON and spreadsheet CSV, iCalendar; upsert, report, one transaction."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from db import agenda, clock
from db.agenda import EventFilters, Occurrence, import_events, occurrences_frame
from db.imports import MAX_BYTES, UnusableFile
from db.interop import ical, openagenda
from db.interop.events import detect_format, read_events_file
from db.models import AuditLog, Event, EventOccurrence
from db.writes import SYSTEM, PermissionDenied

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "agenda"
TODAY = dt.date(2026, 3, 1)


def utc(*parts) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


def read(name: str):
    return read_events_file(name, (FIXTURES / name).read_bytes(), TODAY)


def by_uid(parsed):
    return {record.uid: record for record in parsed.records}


# --- OpenAgenda JSON ----------------------------------------------------------------------------------------------


def test_openagenda_page_every_timing_is_an_occurrence_in_utc_across_summer_time():
    record = by_uid(read("openagenda-page.json"))["4001"]
    # 24 March is winter time (UTC+1), 31 March summer time (UTC+2): same wall clock, different UTC hours.
    assert record.occurrences == [
        Occurrence(utc(2026, 3, 24, 13), utc(2026, 3, 24, 15)),
        Occurrence(utc(2026, 3, 31, 12), utc(2026, 3, 31, 14)),
    ]
    values = record.values
    assert values["title"] == "Atelier « Mes démarches en ligne »"
    assert values["description"].startswith("Atelier en petit groupe")  # longDescription preferred
    assert values["keywords"] == "démarches|France Connect"
    assert values["registration_url"] == "https://inscription.example.org/4001"  # the link, not the phone
    assert values["organiser"] == "Réseau médiation numérique Loire"
    assert (values["insee"], values["latitude"], values["longitude"]) == ("42147", 45.6075, 4.0653)
    assert (values["status"], values["attendance_mode"]) == ("scheduled", "offline")
    assert record.warnings == []


def test_openagenda_takes_the_first_language_without_french_and_allows_missing_coordinates():
    record = by_uid(read("openagenda-page.json"))["4002"]
    assert record.values["title"] == "Digital family day"
    assert record.values["status"] == "cancelled"
    assert record.values["attendance_mode"] == "mixed"
    assert record.values["latitude"] is None and record.values["longitude"] is None
    assert record.occurrences == [Occurrence(utc(2026, 10, 24, 8), utc(2026, 10, 24, 15))]  # "+0200" offset form
    assert record.warnings == ["pas de coordonnées : absent de la carte"]


def test_openagenda_unknown_status_is_rejected_with_its_reason():
    parsed = read("openagenda-page.json")
    assert "4003" not in by_uid(parsed)
    assert [(r.item, r.reason) for r in parsed.rejected] == [("4003", "statut inconnu « 9 »")]


def test_openagenda_status_and_attendance_codes():
    parsed = read("openagenda-page.json")
    webinar = by_uid(parsed)["4004"]
    assert (webinar.values["status"], webinar.values["attendance_mode"]) == ("postponed", "online")
    assert webinar.warnings == []  # online: no coordinates expected
    assert set(openagenda.STATUS_CODES) == {1, 2, 3, 4, 5, 6}


def test_openagenda_list_of_events_and_missing_uid():
    parsed = read("openagenda-list.json")
    assert sorted(by_uid(parsed)) == ["5001", "5003"]
    assert by_uid(parsed)["5001"].values["latitude"] == 45.4397  # numbers given as text
    assert [(r.item, r.reason) for r in parsed.rejected] == [("événement n° 2", "identifiant manquant")]


def april(day: int) -> dt.date:
    return dt.date(2027, 4, day)


def _timings(*timings: tuple[str, str]) -> list[Occurrence]:
    item = {"uid": 7001, "title": {"fr": "Fête"}, "timings": [{"begin": b, "end": e} for b, e in timings]}
    (record,) = openagenda.parse_json(json.dumps([item])).records
    return record.occurrences


def test_openagenda_timings_from_midnight_to_2359_are_whole_days():
    days = Occurrence.whole_days
    assert _timings(("2027-04-15T00:00:00+02:00", "2027-04-15T23:59:00+02:00")) == [
        Occurrence(utc(2027, 4, 14, 22), utc(2027, 4, 15, 22), True)
    ]
    assert _timings(("2027-04-15T00:00:00+0200", "2027-04-15T23:59:59+0200")) == [days(april(15), april(15))]
    assert _timings(("2027-04-15T00:00:00+02:00", "2027-04-16T00:00:00+02:00")) == [days(april(15), april(15))]
    assert _timings(("2027-04-15T00:00:00+02:00", "2027-04-17T23:59:00+02:00")) == [days(april(15), april(17))]
    # the same instants written in UTC: the local wall clock decides
    assert _timings(("2027-04-14T22:00:00Z", "2027-04-15T21:59:00Z")) == [days(april(15), april(15))]
    # one timing per day, as OpenAgenda writes a three-day fair (a timing lasts 24 hours at most)
    assert _timings(*[(f"2027-04-{d}T00:00:00+02:00", f"2027-04-{d}T23:59:00+02:00") for d in (15, 16, 17)]) == [
        days(april(d), april(d)) for d in (15, 16, 17)
    ]


def test_openagenda_timings_that_are_not_whole_days_stay_timed():
    assert _timings(("2027-04-15T00:00:00+02:00", "2027-04-15T12:00:00+02:00")) == [
        Occurrence(utc(2027, 4, 14, 22), utc(2027, 4, 15, 10))
    ]
    assert _timings(("2027-04-15T09:00:00+02:00", "2027-04-15T23:59:00+02:00"))[0].all_day is False
    assert _timings(("2027-04-15T00:00:00+02:00", "2027-04-15T00:00:00+02:00"))[0].all_day is False


# --- OpenAgenda spreadsheet export ----------------------------------------------------------------------------------


def test_openagenda_csv_export():
    parsed = read("openagenda-export.csv")
    records = by_uid(parsed)
    tablet = records["6001"]
    assert tablet.occurrences == [  # 20 October summer time, 3 November winter time
        Occurrence(utc(2026, 10, 20, 7, 30), utc(2026, 10, 20, 9, 30)),
        Occurrence(utc(2026, 11, 3, 8, 30), utc(2026, 11, 3, 10, 30)),
    ]
    assert (tablet.values["latitude"], tablet.values["longitude"]) == (45.6378, 4.3889)  # decimal commas
    assert tablet.values["keywords"] == "tablette|seniors"
    assert tablet.values["registration_url"] == "https://inscription.example.org/6001"
    assert tablet.values["postal_code"] == "42140"
    assert (tablet.values["category"], tablet.values["organiser"]) == ("Atelier numérique", "France Services Chazelles")
    desk = records["6002"]
    assert desk.values["status"] == "cancelled"
    assert desk.values["description"] == "Aide aux démarches sans rendez-vous."
    assert desk.occurrences == [Occurrence(utc(2026, 12, 1, 13), utc(2026, 12, 1, 16))]
    assert desk.values["latitude"] is None
    assert {r.item: r.reason for r in parsed.rejected} == {
        "6003": "statut inconnu « Ajourné sine die »",
        "6004": "« Horaires ISO » : chaque début doit avoir sa fin",
    }


def test_openagenda_csv_whole_days():
    content = "Identifiant;Titre - FR;Horaires ISO\n7002;Fête;2027-04-15T00:00:00+02:00 → 2027-04-17T23:59:00+02:00\n"
    (record,) = openagenda.parse_csv(content).records
    assert record.occurrences == [Occurrence.whole_days(april(15), april(17))]


def test_csv_without_the_identifier_column_is_refused():
    with pytest.raises(ValueError, match="Identifiant"):
        read_events_file("agenda.csv", b"Titre;Date\nA;B\n", TODAY)


def test_unreadable_files_give_a_french_message():
    with pytest.raises(ValueError, match="OpenAgenda JSON illisible"):
        read_events_file("x.json", b"{not json", TODAY)
    with pytest.raises(UnusableFile, match="fichier binaire"):
        read_events_file("x.csv", "Identifiant;Titre - FR\n1;é\n".encode("utf-16"), TODAY)
    # Windows-1252 (a French Excel's CSV) is read.
    parsed = read_events_file("x.csv", "Identifiant;Titre - FR\n1;Café numérique\n".encode("cp1252"), TODAY)
    assert parsed.records or parsed.rejected
    # A JSON object of another shape, or a junk file: unusable, not "0 events imported".
    with pytest.raises(UnusableFile, match="aucun événement"):
        read_events_file("x.json", b'{"foo": 1}', TODAY)
    with pytest.raises(UnusableFile):
        read_events_file("x.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", TODAY)
    with pytest.raises(UnusableFile, match="trop gros"):
        read_events_file("x.ics", b"X" * (MAX_BYTES + 1), TODAY)


def test_format_detection():
    assert detect_format("a.ICS", b"") == "ical"
    assert detect_format("upload", b"\xef\xbb\xbfBEGIN:VCALENDAR\r\n") == "ical"
    assert detect_format("upload", b'  {"events": []}') == "json"
    assert detect_format("upload", b"Identifiant;Titre - FR") == "csv"


# --- iCalendar ------------------------------------------------------------------------------------------------------


def test_ics_recurrence_with_exdate_and_override_converted_to_utc():
    parsed = read("events.ics")
    weekly = by_uid(parsed)["permanence-hebdo@example.org"]
    assert weekly.occurrences == [
        Occurrence(utc(2026, 3, 17, 13), utc(2026, 3, 17, 16)),  # 14:00 Paris, winter time
        Occurrence(utc(2026, 3, 24, 13), utc(2026, 3, 24, 16)),
        # 31 March excluded (EXDATE); 7 April moved by its RECURRENCE-ID with its own title: an event of its own
    ]
    moved = by_uid(parsed)["permanence-hebdo@example.org#20260407T120000Z"]
    assert moved.occurrences == [Occurrence(utc(2026, 4, 7, 13), utc(2026, 4, 7, 16))]  # 15:00–18:00 Paris
    assert moved.values["title"] == "Permanence numérique hebdomadaire (décalée)"
    assert moved.values["organiser"] == "Ville de Firminy" and moved.values["latitude"] == 45.3886  # the series'
    values = weekly.values
    assert (values["latitude"], values["longitude"]) == (45.3886, 4.2877)
    assert (values["category"], values["keywords"]) == ("Permanence", "Permanence|démarches")
    assert values["organiser"] == "Ville de Firminy"
    assert values["description"] == "Aide aux démarches en ligne, sans rendez-vous."


def test_ics_utc_times_all_day_dates_and_online_location():
    records = by_uid(read("events.ics"))
    talk = records["conference-utc@example.org"]
    assert talk.occurrences == [Occurrence(utc(2026, 11, 10, 17), utc(2026, 11, 10, 19))]
    assert (talk.values["status"], talk.values["attendance_mode"]) == ("cancelled", "online")
    assert talk.values["online_url"] == "https://visio.example.org/ia"
    party = records["fete-numerique@example.org"]
    # a date is a whole day, from midnight to midnight Paris time (UTC+2 in June)
    assert party.occurrences == [Occurrence(utc(2026, 6, 12, 22), utc(2026, 6, 13, 22), True)]
    assert party.warnings == ["pas de coordonnées (GEO) : absent de la carte"]


def test_ics_dates_are_whole_days_with_an_exclusive_end_or_one_day_without_it():
    records = by_uid(read("all-day.ics"))
    # DTEND;VALUE=DATE:20270418 is the day after the last one
    assert records["fete-numerique-2027@example.org"].occurrences == [
        Occurrence(utc(2027, 4, 14, 22), utc(2027, 4, 17, 22), True)
    ]
    assert records["forum-inclusion-2027@example.org"].occurrences == [
        Occurrence.whole_days(dt.date(2027, 5, 20), dt.date(2027, 5, 20))
    ]


def test_ics_recurrence_on_dates_with_exdate_and_overrides():
    weekly = by_uid(read("all-day.ics"))["portes-ouvertes@example.org"]
    days = Occurrence.whole_days
    assert weekly.occurrences == [
        days(dt.date(2027, 10, 23), dt.date(2027, 10, 23)),
        # the clocks go back on 31 October: still whole local days
        Occurrence(utc(2027, 10, 29, 22), utc(2027, 10, 30, 22), True),
        # 6 November excluded (EXDATE); 20 November cancelled; 13 November made a weekend by its RECURRENCE-ID,
        # with its own title: an event of its own
    ]
    weekend = by_uid(read("all-day.ics"))["portes-ouvertes@example.org#20271112T230000Z"]
    assert weekend.occurrences == [Occurrence(utc(2027, 11, 12, 23), utc(2027, 11, 14, 23), True)]
    assert weekend.values["title"] == "Portes ouvertes du FabLab (week-end)"


def test_ics_unknown_status_and_missing_uid_are_rejected():
    rejected = {r.item: r.reason for r in read("events.ics").rejected}
    assert rejected == {
        "VEVENT n° 6": "UID manquant",
        "statut-bizarre@example.org": "statut inconnu « NEEDS-ACTION »",
    }


def test_ics_tzid_without_vtimezone_and_until_in_utc():
    (record,) = read("no-vtimezone.ics").records
    assert record.occurrences == [
        Occurrence(utc(2026, 10, 20, 8), utc(2026, 10, 20, 10)),  # summer time
        Occurrence(utc(2026, 10, 27, 9), utc(2026, 10, 27, 11)),  # winter time from 25 October
        Occurrence(utc(2026, 11, 3, 9), utc(2026, 11, 3, 11)),  # UNTIL 09:00Z includes this one
    ]


def test_ics_endless_recurrence_is_bounded():
    content = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:t\r\nBEGIN:VEVENT\r\nUID:daily\r\nDTSTAMP:20260101T000000Z\r\n"
        "DTSTART:20200101T080000Z\r\nDTEND:20200101T090000Z\r\nRRULE:FREQ=WEEKLY\r\nSUMMARY:Sans fin\r\n"
        "LOCATION:Mairie\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    (record,) = ical.parse_ics(content, TODAY).records
    first, last = record.occurrences[0][0], record.occurrences[-1][0]
    assert first >= utc(2025, 3, 1, 0) - dt.timedelta(hours=1)  # window starts a year before today
    assert last <= utc(2028, 3, 1)  # and ends two years after
    assert 150 < len(record.occurrences) <= agenda.MAX_OCCURRENCES


# --- upsert ---------------------------------------------------------------------------------------------------------


def _import(database, name: str, content: bytes | None = None):
    parsed = read_events_file(name, content if content is not None else (FIXTURES / name).read_bytes(), TODAY)
    with database.transaction() as session:
        return import_events(session, SYSTEM, parsed)


def _occurrences(database, uid: str) -> list[Occurrence]:
    with database.session() as session:
        event = session.scalar(select(Event).where(Event.source_uid == uid))
        return [Occurrence(clock.as_utc(o.start), clock.as_utc(o.end), o.all_day) for o in event.occurrences]


def test_import_creates_then_leaves_unchanged_then_updates(database):
    report = _import(database, "openagenda-page.json")
    assert sorted(report.created) == ["4001", "4002", "4004"]
    assert [r.item for r in report.rejected] == ["4003"]
    assert _occurrences(database, "4001") == [
        Occurrence(utc(2026, 3, 24, 13), utc(2026, 3, 24, 15)),
        Occurrence(utc(2026, 3, 31, 12), utc(2026, 3, 31, 14)),
    ]
    again = _import(database, "openagenda-page.json")
    assert (again.created, again.updated, sorted(again.unchanged)) == ([], [], ["4001", "4002", "4004"])

    data = json.loads((FIXTURES / "openagenda-page.json").read_text())
    data["events"][0]["title"]["fr"] = "Atelier démarches (nouveau titre)"
    data["events"][0]["timings"] = data["events"][0]["timings"][:1]
    changed = _import(database, "page.json", json.dumps(data).encode())
    assert changed.updated == ["4001"] and sorted(changed.unchanged) == ["4002", "4004"]
    assert _occurrences(database, "4001") == [Occurrence(utc(2026, 3, 24, 13), utc(2026, 3, 24, 15))]
    with database.session() as session:
        assert session.scalar(select(func.count(Event.id))) == 3
        actions = session.execute(
            select(AuditLog.table_name, AuditLog.action, func.count()).group_by(AuditLog.table_name, AuditLog.action)
        ).all()
    assert set(actions) == {
        ("events", "create", 3),
        ("event_occurrences", "create", 4),
        ("events", "update", 1),
        ("event_occurrences", "delete", 1),
    }


def test_import_report_rejects_invalid_events_and_lists_reasons(database):
    report = _import(database, "openagenda-list.json")
    assert report.created == ["5001"]
    reasons = {r.item: r.reason for r in report.rejected}
    assert reasons["5003"] == "La fin d'une date précède son début."
    assert reasons["événement n° 2"] == "identifiant manquant"
    assert report.summary == "Événements : 1 créé(s), 0 mis à jour, 0 inchangé(s), 2 rejeté(s), 0 avertissement(s)."


def test_import_is_reserved_to_admins(database, users):
    parsed = read("openagenda-page.json")
    with pytest.raises(PermissionDenied), database.transaction() as session:
        import_events(session, users["coordinator"], parsed)
    with database.session() as session:
        assert session.scalar(select(func.count(Event.id))) == 0


def test_a_failing_import_writes_nothing(database, monkeypatch):
    calls = []

    def failing_audit(*args, **kwargs):
        calls.append(1)
        if len(calls) == 4:  # in the middle of the second event
            raise RuntimeError("disque plein")

    monkeypatch.setattr(agenda, "audit", failing_audit)
    with pytest.raises(RuntimeError):
        _import(database, "openagenda-page.json")
    with database.session() as session:
        assert session.scalar(select(func.count(Event.id))) == 0
        assert session.scalar(select(func.count(EventOccurrence.id))) == 0


# --- export and round trip ------------------------------------------------------------------------------------------


def _exported(database) -> bytes:
    with database.session() as session:
        return ical.export_calendar(occurrences_frame(session, EventFilters(), detailed=True))


def test_ics_round_trip_keeps_every_occurrence(database):
    parsed = read("events.ics")
    expected = {(r.values["title"], *occurrence) for r in parsed.records for occurrence in r.occurrences}
    _import(database, "events.ics")
    exported = _exported(database)
    again = ical.parse_ics(exported, TODAY)
    assert again.rejected == []
    assert {(r.values["title"], *occurrence) for r in again.records for occurrence in r.occurrences} == expected
    statuses = {r.values["title"]: r.values["status"] for r in again.records}
    assert statuses["Conférence : l'IA au quotidien"] == "cancelled"


def test_export_is_valid_icalendar_with_stable_uids_and_utc_times(database):
    _import(database, "openagenda-page.json")
    first, second = _exported(database), _exported(database)
    calendar = Calendar.from_ical(first)
    events = calendar.events
    assert len(events) == 4  # 2 + 1 + 1 occurrences
    assert [e.uid for e in events] == [e.uid for e in Calendar.from_ical(second).events]
    assert len({e.uid for e in events}) == 4
    assert all(e.start.utcoffset() == dt.timedelta(0) for e in events)
    cancelled = [e for e in events if e.get("STATUS") == "CANCELLED"]
    assert [str(e.get("SUMMARY")) for e in cancelled] == ["Digital family day"]
    assert b"DTSTART:20260324T130000Z" in first
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT6H" in first
    assert str(events[0].get("GEO").latitude) == "45.6075"


def test_export_writes_whole_days_as_dates_with_stable_uids(database):
    _import(database, "all-day.ics")
    _import(database, "openagenda-page.json")
    first, second = _exported(database), _exported(database)
    assert first == second
    assert b"DTSTART;VALUE=DATE:20270415\r\nDTEND;VALUE=DATE:20270418\r\n" in first
    assert b"DTSTART;VALUE=DATE:20270520\r\nDTEND;VALUE=DATE:20270521\r\n" in first
    assert b"DTSTART:20260324T130000Z" in first  # timed dates stay in UTC
    with database.session() as session:
        fair = session.scalar(select(Event).where(Event.source_uid == "fete-numerique-2027@example.org"))
    uid = ical.occurrence_uid(fair.id, utc(2027, 4, 14, 22))  # the occurrence's start instant, as before
    assert uid == f"evenement-{fair.id}-20270414T220000Z@{ical.DOMAIN}"
    (event,) = [e for e in Calendar.from_ical(first).events if e.uid == uid]
    assert (event.start, event.end) == (dt.date(2027, 4, 15), dt.date(2027, 4, 18))
    again = by_uid(ical.parse_ics(first, TODAY))  # its own UIDs: one record per event of the app, with its id
    own = again[f"evenement-{fair.id}@{ical.DOMAIN}"]
    assert own.event_id == fair.id
    assert own.occurrences == [Occurrence.whole_days(dt.date(2027, 4, 15), dt.date(2027, 4, 17))]


def test_own_export_imported_back_creates_nothing(database):
    _import(database, "events.ics")
    _import(database, "openagenda-page.json")
    with database.session() as session:
        events_before = session.scalar(select(func.count(Event.id)))
        journal_before = session.scalar(select(func.count(AuditLog.id)))
    exported = _exported(database)
    with database.transaction() as session:
        report = import_events(session, SYSTEM, ical.parse_ics(exported, TODAY))
    assert report.created == [] and report.updated == [] and not report.rejected
    assert len(report.unchanged) == events_before
    with database.session() as session:
        assert session.scalar(select(func.count(Event.id))) == events_before
        assert session.scalar(select(func.count(AuditLog.id))) == journal_before
    # Another instance's export: the same kind of UID, but nothing in common with the event of that id → new events.
    with database.session() as session:
        some_id = session.scalar(select(func.min(Event.id)))
    foreign = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//FR\r\nBEGIN:VEVENT\r\n"
        f"UID:evenement-{some_id}-20261210T090000Z@{ical.DOMAIN}\r\nDTSTAMP:20261201T000000Z\r\n"
        "DTSTART:20261210T090000Z\r\nDTEND:20261210T100000Z\r\nSUMMARY:Tout autre chose\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    with database.transaction() as session:
        report = import_events(session, SYSTEM, ical.parse_ics(foreign, TODAY))
        session.rollback()
    assert len(report.created) == 1 and not report.updated
    # A date moved in a calendar app and the file read back: that event updated, still no new event.
    moved = exported.replace(b"DTSTART:20260324T130000Z", b"DTSTART:20260324T140000Z", 1)
    with database.transaction() as session:
        report = import_events(session, SYSTEM, ical.parse_ics(moved, TODAY))
    assert report.created == [] and len(report.updated) == 1


def test_export_says_the_location_once():
    row = SimpleNamespace(
        location_name="Médiathèque Tarentaize, 20-24 rue Jo Gouttebarge, 42000 Saint-Étienne",
        address="20-24 rue Jo Gouttebarge",
        postal_code="42000",
        city="Saint-Étienne",
        attendance_mode="offline",
        online_url=None,
    )
    assert ical._location(row) == "Médiathèque Tarentaize, 20-24 rue Jo Gouttebarge, 42000 Saint-Étienne"
    row.location_name, row.address = "Médiathèque Tarentaize", "20-24 rue Jo Gouttebarge, 42000 Saint-Étienne"
    assert ical._location(row) == "Médiathèque Tarentaize, 20-24 rue Jo Gouttebarge, 42000 Saint-Étienne"
    row.address = "20-24 rue Jo Gouttebarge"
    assert ical._location(row) == "Médiathèque Tarentaize, 20-24 rue Jo Gouttebarge, 42000 Saint-Étienne"
