"""Formations: counting rules and rates on fixed cases, write rules with every validation message, roles, audit."""

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import func, select

from db import catalogue
from db import formations as f
from db.models import Attendant, AuditLog, Commune, Place, Training, TrainingSession
from db.paging import Filter, PageRequest, Sort
from db.periods import Period
from db.writes import PermissionDenied, ValidationError

TODAY = dt.date(2025, 6, 15)
YEAR = Period.year(2025)


def count(database, model) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def add_training(database, actor, **fields) -> int:
    values = {"programme": "Aidants Connect", "title": "Habilitation", "kind": "formation"} | fields
    with database.transaction() as session:
        return f.save_training(session, actor, **values).id


def add_session(database, actor, training_id, **fields) -> int:
    values = {"training_id": training_id, "date": "2025-03-10", "location": "Salle du réseau", "today": TODAY}
    with database.transaction() as session:
        return f.save_session(session, actor, **(values | fields)).id


def add_attendants(database, actor, session_id, *states) -> None:
    for state in states:
        with database.transaction() as session:
            f.save_attendant(session, actor, session_id=session_id, state=state, today=TODAY)


@pytest.fixture
def fixed_case(database, users):
    """Five sessions whose figures are known by hand (see the module docstring of db.formations).

    A: counts, 10 places, 8 registered, 6 present.          B: rows: 3 present, 1 registered, 1 waiting, 1 cancelled,
    C: counts, no capacity, 20 registered, 15 present.          5 places → 4 registered, 3 present.
    D: upcoming (July), 10 places, 5 registered.            E: held, 10 places, no attendance recorded.
    """
    coordinator = users["coordinator"]
    ac = add_training(database, coordinator, audience="Travailleurs sociaux")
    web = add_training(database, coordinator, programme="Réseau", title="Webinaire", kind="webinaire")
    sessions = {
        "A": add_session(database, coordinator, ac, capacity=10, registered_count=8, present_count=6,
                         commune_insee="42218"),
        "B": add_session(database, coordinator, ac, date="2025-04-02", capacity=5, commune_insee="42187"),
        "C": add_session(database, coordinator, web, date="2025-04-20", mode="remote", location=None,
                         registered_count=20, present_count=15),
        "D": add_session(database, coordinator, ac, date="2025-07-01", capacity=10, registered_count=5),
        "E": add_session(database, coordinator, ac, date="2025-05-05", capacity=10),
    }  # fmt: skip
    add_attendants(database, coordinator, sessions["B"], "present", "present", "present", "registered", "waiting")
    add_attendants(database, coordinator, sessions["B"], "cancelled")
    return sessions


def frame(database, **filters):
    with database.session() as session:
        return f.sessions_frame(session, f.TrainingFilters(**filters))


def cube(database, **filters):
    """The panels' SQL aggregate of the sessions matching `filters`, on TODAY."""
    with database.session() as session:
        return f.summary_cube(session, f.TrainingFilters(**filters), TODAY)


def test_rate_is_none_without_denominator():
    assert f.rate(3, 4) == 0.75
    assert f.rate(0, 4) == 0.0
    assert f.rate(3, 0) is None and f.rate(3, None) is None and f.rate(None, 4) is None


def test_rows_are_the_source_when_a_session_has_any(database, fixed_case):
    rows = frame(database).set_index("session_id")
    b, a = rows.loc[fixed_case["B"]], rows.loc[fixed_case["A"]]
    assert (b["registered"], b["present"], b["source"]) == (4, 3, "liste")  # waiting and cancelled hold no seat
    assert (a["registered"], a["present"], a["source"]) == (8, 6, "comptes")


def test_totals_on_fixed_case(database, fixed_case):
    summary = f.totals(frame(database), TODAY)
    assert summary["sessions"] == 5 and summary["trainings"] == 2
    assert summary["participants"] == 6 + 3 + 15  # present, once per session; D and E count 0
    # Fill: A, B, D have both capacity and registered (C has no capacity, E no registered figure).
    assert (summary["registered"], summary["capacity"]) == (8 + 4 + 5, 10 + 5 + 10)
    assert summary["fill_rate"] == pytest.approx(17 / 25)
    # Attendance: held sessions with both figures: A, B, C (D is upcoming, E has none).
    assert summary["attendance_rate"] == pytest.approx((6 + 3 + 15) / (8 + 4 + 20))


def test_totals_of_nothing_are_zero_and_undefined_rates(database, users):
    summary = f.totals(frame(database), TODAY)
    assert summary["sessions"] == summary["participants"] == 0
    assert summary["fill_rate"] is None and summary["attendance_rate"] is None


def test_rates_are_none_when_no_session_qualifies(database, users):
    training = add_training(database, users["coordinator"])
    add_session(database, users["coordinator"], training, registered_count=0)  # no capacity, nobody registered
    summary = f.totals(frame(database), TODAY)
    assert summary["sessions"] == 1 and summary["fill_rate"] is None and summary["attendance_rate"] is None


def test_per_month_lists_every_month_of_the_period(database, fixed_case):
    months = f.per_month(cube(database, period=YEAR), YEAR).set_index("month")
    assert len(months) == 12
    assert months.loc["2025-03-01", "sessions"] == 1 and months.loc["2025-03-01", "participants"] == 6
    assert months.loc["2025-04-01", "sessions"] == 2 and months.loc["2025-04-01", "participants"] == 18
    assert months.loc["2025-01-01", "sessions"] == 0 and months.loc["2025-01-01", "fill_rate"] is None
    assert months.loc["2025-04-01", "attendance_rate"] == pytest.approx(18 / 24)


def test_per_month_with_an_open_period_spans_the_sessions(database, fixed_case):
    open_end = Period(dt.date(2025, 2, 1), dt.date.max)
    months = f.per_month(cube(database, period=open_end), open_end)
    assert months["month"].dt.strftime("%Y-%m").tolist() == ["2025-02", "2025-03", "2025-04", "2025-05", "2025-06",
                                                              "2025-07"]  # fmt: skip
    open_start = Period(dt.date.min, dt.date(2025, 4, 30))
    assert len(f.per_month(cube(database, period=open_start), open_start)) == 2  # March and April
    nothing = Period(dt.date.min, dt.date(2000, 1, 1))
    assert f.per_month(cube(database, period=nothing), nothing).empty
    later = Period(dt.date(2030, 1, 1), dt.date.max)
    assert f.per_month(cube(database, period=later), later).empty


def test_per_programme_and_audience(database, fixed_case):
    programmes = f.per_programme(cube(database)).set_index("programme")
    assert programmes.loc["Aidants Connect", "sessions"] == 4 and programmes.loc["Aidants Connect", "participants"] == 9
    assert programmes.loc["Réseau", "fill_rate"] is None  # the webinar has no capacity
    assert programmes.loc["Aidants Connect", "fill_rate"] == pytest.approx(17 / 25)
    audiences = f.audience_breakdown(cube(database)).set_index("audience")
    assert audiences.loc["Travailleurs sociaux", "participants"] == 9
    assert audiences.loc[f.NOT_SPECIFIED, "participants"] == 15


def test_attendant_profiles_count_present_rows_only(database, users, fixed_case):
    with database.transaction() as session:
        attendant = session.scalars(select(Attendant).where(Attendant.state == "present")).first()
        attendant.gender, attendant.age_band, attendant.audience_type = "F", "26-39", "Travailleur social"
    with database.session() as session:
        profiles = f.attendant_profiles(session, f.TrainingFilters(period=YEAR))
        assert f.attendant_profiles(session, f.TrainingFilters(programme="Réseau")).empty
    table = {(d, v): n for d, v, n in profiles.itertuples(index=False)}
    assert table == {
        ("Public", "Travailleur social"): 1, ("Public", f.NOT_SPECIFIED): 2,
        ("Genre", "Femme"): 1, ("Genre", f.NOT_SPECIFIED): 2,
        ("Âge", "26-39"): 1, ("Âge", f.NOT_SPECIFIED): 2,
    }  # fmt: skip
    assert profiles["dimension"].drop_duplicates().tolist() == ["Public", "Genre", "Âge"]


def test_filters(database, fixed_case):
    assert len(frame(database, programme="Réseau")) == 1
    assert len(frame(database, kind="formation")) == 4
    assert len(frame(database, audience="Travailleurs sociaux")) == 4
    assert frame(database, commune="42187")["session_id"].tolist() == [fixed_case["B"]]
    assert len(frame(database, period=Period(dt.date(2025, 4, 1), dt.date(2025, 4, 30)))) == 2


def test_commune_name_and_place_come_from_reference_tables(database, users):
    with database.transaction() as session:
        session.add(Commune(insee="42218", name="Saint-Étienne"))
    training = add_training(database, users["coordinator"])
    add_session(database, users["coordinator"], training, commune_insee="42218")
    assert frame(database)["commune"].tolist() == ["Saint-Étienne"]


def test_upcoming_sessions_ignore_the_period_and_show_free_seats(database, fixed_case):
    with database.session() as session:
        upcoming = f.upcoming_sessions(session, f.TrainingFilters(period=Period.year(2024)), TODAY)
    assert upcoming["session_id"].tolist() == [fixed_case["D"]]
    assert upcoming["free_seats"].tolist() == [5]


def test_key_figures(database, fixed_case):
    figures = {k.key: k for k in f.formation_figures(frame(database, period=YEAR), TODAY)}
    assert figures["sessions"].value == 5 and figures["participants"].value == 24
    assert figures["fill_rate"].value == 68 and figures["attendance_rate"].value == 75
    assert figures["sessions"].as_of is not None


def test_sql_summaries_agree_with_the_sessions_frame(database, fixed_case):
    """The page's panels aggregate in SQL (`summary_cube`, `summary_totals`); the report and the catalogue sum a
    `sessions_frame`: both follow the same counting rules."""
    sessions = frame(database)
    by_programme = f.summarise(sessions, "programme", TODAY).set_index("programme").sort_index()
    rolled = f.per_programme(cube(database)).set_index("programme").sort_index()
    sums = {"registered": "float64", "capacity": "float64"}  # nullable integers in one, floats in the other
    pd.testing.assert_frame_equal(rolled[f.SUMMARY_COLUMNS].astype(sums), by_programme[f.SUMMARY_COLUMNS].astype(sums))
    with database.session() as session:
        summary = f.summary_totals(session, f.TrainingFilters(), TODAY)
    assert {k: summary[k] for k in [*f.SUMMARY_COLUMNS, "trainings"]} == f.totals(sessions, TODAY)
    figures = [(k.key, k.value, k.detail) for k in f.key_figures(summary)]
    assert figures == [(k.key, k.value, k.detail) for k in f.formation_figures(sessions, TODAY)]


def test_attendants_are_aggregated_for_the_filtered_sessions_only(database, fixed_case):
    """B's attendant rows count when B is in the period; outside it, B is not listed at all."""
    april = frame(database, period=Period(dt.date(2025, 4, 1), dt.date(2025, 4, 30))).set_index("session_id")
    assert april.loc[fixed_case["B"], ["registered", "present", "source"]].tolist() == [4, 3, "liste"]
    assert (
        fixed_case["B"] not in frame(database, period=Period(dt.date(2025, 3, 1), dt.date(2025, 3, 31)))["session_id"]
    )


def test_session_page_pages_sorts_filters_and_counts(database, fixed_case):
    with database.session() as session:
        first = f.session_page(session, f.TrainingFilters(), PageRequest(offset=0, limit=2))
        second = f.session_page(session, f.TrainingFilters(), PageRequest(offset=2, limit=2))
        by_present = f.session_page(session, f.TrainingFilters(), PageRequest(sort=(Sort("present", True),)))
        remote = f.session_page(session, f.TrainingFilters(), PageRequest(filters=(Filter("where", "blank"),)))
        held = f.session_page(
            session, f.TrainingFilters(programme="Aidants Connect"),
            PageRequest(filters=(Filter("date", "lessThan", dt.date(2025, 6, 1)), Filter("title", "contains", "HABIL"))),
        )  # fmt: skip
    assert first.total == second.total == 5
    assert first.rows["session_id"].tolist() == [fixed_case["D"], fixed_case["E"]]  # latest first
    assert second.rows["session_id"].tolist() == [fixed_case["C"], fixed_case["B"]]
    assert by_present.rows["present"].tolist()[:3] == [15, 6, 3]  # unknown figures last
    assert remote.rows["session_id"].tolist() == [fixed_case["C"]]
    assert held.total == 3 and set(held.rows["session_id"]) == {fixed_case[k] for k in "ABE"}


def test_catalogue_figures_are_the_formations_own(database, fixed_case):
    """The Indicateurs read the trainings and participants through the Formations' rules (present counted once per
    session)."""
    with database.session() as session:
        trainings = catalogue.read(session, "trainings", YEAR)
        participants = catalogue.read(session, "participants", YEAR)
    assert trainings.value == 2 and participants.value == 24


# --- writes -------------------------------------------------------------------------------------------------------


def test_training_create_and_edit_write_one_audit_row_each(database, users):
    training_id = add_training(database, users["coordinator"], start_date="2025-01-01", end_date="2025-12-31")
    add_training(database, users["coordinator"], training_id=str(training_id), title="Habilitation (v2)")
    with database.session() as session:
        training = session.get(Training, training_id)
        rows = session.scalars(select(AuditLog).where(AuditLog.table_name == "trainings").order_by(AuditLog.id)).all()
    assert training.title == "Habilitation (v2)" and training.start_date is None  # the edit replaces every field
    assert [r.action for r in rows] == ["create", "update"]
    assert rows[1].before["title"] == "Habilitation" and rows[1].after["title"] == "Habilitation (v2)"
    assert rows[1].before["start_date"] == "2025-01-01"
    assert rows[0].user_email == users["coordinator"].email


def test_session_and_attendant_writes_are_audited(database, users):
    training = add_training(database, users["coordinator"])
    session_id = add_session(database, users["coordinator"], training, start_time="09:00", end_time="12:30")
    add_attendants(database, users["coordinator"], session_id, "registered")
    with database.session() as session:
        tables = session.scalars(select(AuditLog.table_name).order_by(AuditLog.id)).all()
        row = session.get(TrainingSession, session_id)
    assert tables.count("training_sessions") == 1 and tables.count("attendants") == 1
    assert row.duration_minutes == 210  # computed from the times when not entered


def test_entered_duration_is_kept(database, users):
    training = add_training(database, users["coordinator"])
    session_id = add_session(
        database, users["coordinator"], training, start_time="09:00", end_time="17:00", duration_minutes="420"
    )
    with database.session() as session:
        assert session.get(TrainingSession, session_id).duration_minutes == 420


def test_place_from_the_map_gives_the_commune(database, users):
    with database.transaction() as session:
        place = Place(id="lieu-1", pivot="00000000000000", nom="Médiathèque", commune="Firminy", code_postal="42700",
                      code_insee="42095", adresse="1 rue de la Loire", date_maj=dt.date(2025, 1, 1))  # fmt: skip
        session.add(place)
        session.flush()
        place_pk = place.pk
    training = add_training(database, users["coordinator"])
    session_id = add_session(database, users["coordinator"], training, location=None, place_pk=str(place_pk))
    with database.session() as session:
        row = session.get(TrainingSession, session_id)
    assert row.place_pk == place_pk and row.commune_insee == "42095"


@pytest.mark.parametrize("role", ["viewer", None])
def test_viewer_and_anonymous_cannot_write(database, users, role):
    actor = users[role] if role else None
    training = add_training(database, users["coordinator"])
    session_id = add_session(database, users["coordinator"], training)
    before = count(database, Training), count(database, TrainingSession), count(database, AuditLog)
    calls = [
        (f.save_training, {"programme": "P", "title": "T", "kind": "formation"}),
        (f.save_session, {"training_id": training, "date": "2025-03-01", "location": "Salle"}),
        (f.save_attendant, {"session_id": session_id, "state": "registered"}),
    ]
    for write, values in calls:
        with database.transaction() as session, pytest.raises(PermissionDenied):
            write(session, actor, **values)
    assert (count(database, Training), count(database, TrainingSession), count(database, AuditLog)) == before
    assert count(database, Attendant) == 0


def refused(database, write, **values) -> dict[str, str]:
    """The messages of a refused write, after checking that it wrote nothing."""
    tables = (Training, TrainingSession, Attendant, AuditLog)
    before = [count(database, t) for t in tables]
    with database.transaction() as session, pytest.raises(ValidationError) as error:
        write(session, values.pop("actor"), **values)
    assert [count(database, t) for t in tables] == before
    return error.value.errors


TRAINING_ERRORS = [
    ({"programme": " "}, "programme", "Le programme est obligatoire."),
    ({"title": ""}, "title", "L'intitulé est obligatoire."),
    ({"kind": "conférence"}, "kind", "Type inconnu : formation, intervention, rencontre ou webinaire."),
    ({"kind": None}, "kind", "Type inconnu : formation, intervention, rencontre ou webinaire."),
    ({"start_date": "2025-13-01"}, "start_date", "Date invalide (format attendu : jj/mm/aaaa)."),
    ({"start_date": "2025-06-01", "end_date": "2025-05-01"}, "end_date", "La date de fin précède la date de début."),
    ({"title": "x" * 301}, "title", "300 caractères au plus."),
    ({"training_id": "999"}, "training_id", "Formation introuvable."),
]


@pytest.mark.parametrize(("change", "field", "message"), TRAINING_ERRORS)
def test_training_validation_messages(database, users, change, field, message):
    values = {"programme": "CNFPT", "title": "Accueil", "kind": "formation"} | change
    errors = refused(database, f.save_training, actor=users["coordinator"], **values)
    assert errors[field] == message


def test_training_dates_must_contain_its_sessions(database, users):
    training = add_training(database, users["coordinator"])
    add_session(database, users["coordinator"], training, date="2025-03-10")
    errors = refused(
        database, f.save_training, actor=users["coordinator"], training_id=training, programme="AC", title="H",
        kind="formation", start_date="2025-04-01",
    )  # fmt: skip
    assert errors["start_date"].startswith("Une session a lieu hors de ces dates (le 10/03/2025)")


SESSION_ERRORS = [
    ({"training_id": None}, "training_id", "Choisir la formation de la session."),
    ({"training_id": "999"}, "training_id", "Choisir une formation existante."),
    ({"date": ""}, "date", "La date de la session est obligatoire."),
    ({"date": "10/03/2025"}, "date", "Date invalide (format attendu : jj/mm/aaaa)."),
    ({"date": "2024-12-31"}, "date", "La session précède le début de la formation (01/01/2025)."),
    ({"date": "2026-01-05"}, "date", "La session suit la fin de la formation (31/12/2025)."),
    ({"start_time": "14:00", "end_time": "09:00"}, "end_time", "L'heure de fin doit suivre l'heure de début."),
    ({"start_time": "9h"}, "start_time", "Heure invalide (format attendu : hh:mm)."),
    ({"start_time": "09:00", "end_time": "12:00", "duration_minutes": "200"}, "duration_minutes",
     "La durée dépasse l'écart entre le début et la fin (180 min)."),
    ({"duration_minutes": "0"}, "duration_minutes", "La durée doit être positive."),
    ({"capacity": "0"}, "capacity", "La capacité doit être d'au moins 1 place."),
    ({"capacity": "-3"}, "capacity", "La capacité doit être d'au moins 1 place."),
    ({"capacity": "douze"}, "capacity", "Saisir un nombre entier."),
    ({"capacity": "2.5"}, "capacity", "Saisir un nombre entier."),
    ({"registered_count": "-1"}, "registered_count", "Le nombre d'inscrits est négatif."),
    ({"present_count": "-1"}, "present_count", "Le nombre de présents est négatif."),
    ({"registered_count": "10", "present_count": "12"}, "present_count", "Plus de présents que d'inscrits (12 > 10)."),
    ({"capacity": "10", "registered_count": "12"}, "registered_count",
     "Plus d'inscrits que de places (12 > 10) : augmenter la capacité ou inscrire en liste d'attente."),
    ({"date": "2025-09-01", "registered_count": "5", "present_count": "4"}, "present_count",
     "Session à venir : les présents se saisissent une fois la session tenue."),
    ({"location": ""}, "location", "Choisir un lieu de la carte ou saisir une adresse."),
    ({"place_pk": "999"}, "place_pk", "Lieu introuvable sur la carte."),
    ({"commune_insee": "4221"}, "commune_insee", "Code INSEE invalide (5 caractères, ex. 42218)."),
    ({"mode": "hybride"}, "mode", "Choisir présentiel ou à distance."),
]  # fmt: skip


@pytest.mark.parametrize(("change", "field", "message"), SESSION_ERRORS)
def test_session_validation_messages(database, users, change, field, message):
    training = add_training(database, users["coordinator"], start_date="2025-01-01", end_date="2025-12-31")
    values = {"training_id": str(training), "date": "2025-03-10", "location": "Salle du réseau", "today": TODAY}
    errors = refused(database, f.save_session, actor=users["coordinator"], **(values | change))
    assert errors[field] == message


def test_remote_session_needs_no_place(database, users):
    training = add_training(database, users["coordinator"])
    session_id = add_session(database, users["coordinator"], training, mode="remote", location="")
    with database.session() as session:
        assert session.get(TrainingSession, session_id).remote is True


def test_session_with_rows_takes_no_counts_and_keeps_its_capacity(database, users):
    training = add_training(database, users["coordinator"])
    session_id = add_session(database, users["coordinator"], training, capacity=3)
    add_attendants(database, users["coordinator"], session_id, "present", "registered")
    base = {
        "training_id": training,
        "session_id": session_id,
        "date": "2025-03-10",
        "location": "Salle",
        "today": TODAY,
    }
    errors = refused(database, f.save_session, actor=users["coordinator"], **base, capacity="3", present_count="2")
    assert (
        errors["present_count"]
        == "Cette session a une liste de participants : ses inscrits et présents en sont calculés."
    )
    errors = refused(database, f.save_session, actor=users["coordinator"], **base, capacity="1")
    assert errors["capacity"].startswith("Plus d'inscrits que de places (2 > 1)")


def test_session_of_another_training_cannot_be_edited_through_this_one(database, users):
    first, second = add_training(database, users["coordinator"]), add_training(database, users["coordinator"])
    session_id = add_session(database, users["coordinator"], first)
    errors = refused(
        database, f.save_session, actor=users["coordinator"], training_id=second, session_id=session_id,
        date="2025-03-10", location="Salle",
    )  # fmt: skip
    assert errors["session_id"] == "Cette session appartient à une autre formation."


def test_session_edit_updates_counts(database, users):
    training = add_training(database, users["coordinator"])
    session_id = add_session(database, users["coordinator"], training, capacity=10, registered_count=8)
    add_session(
        database, users["coordinator"], training, session_id=str(session_id), capacity="10", registered_count="8",
        present_count="7",
    )  # fmt: skip
    with database.session() as session:
        assert session.get(TrainingSession, session_id).present_count == 7
        assert session.scalar(select(func.count(TrainingSession.id))) == 1


ATTENDANT_ERRORS = [
    ({"session_id": None}, "session_id", "Choisir la session."),
    ({"session_id": "999"}, "session_id", "Session introuvable."),
    ({"state": "venu"}, "state", "État inconnu : inscrit, en liste d'attente, annulé ou présent."),
    ({"state": ""}, "state", "État inconnu : inscrit, en liste d'attente, annulé ou présent."),
    ({"gender": "Madame"}, "gender", "Genre inconnu."),
    ({"age_band": "30"}, "age_band", "Tranche d'âge inconnue."),
    ({"audience_type": "x" * 101}, "audience_type", "100 caractères au plus."),
    ({"attendant_id": "999"}, "attendant_id", "Participant introuvable."),
]


@pytest.mark.parametrize(("change", "field", "message"), ATTENDANT_ERRORS)
def test_attendant_validation_messages(database, users, change, field, message):
    training = add_training(database, users["coordinator"])
    session_id = add_session(database, users["coordinator"], training)
    values = {"session_id": str(session_id), "state": "registered", "today": TODAY} | change
    errors = refused(database, f.save_attendant, actor=users["coordinator"], **values)
    assert errors[field] == message


def test_full_session_takes_only_the_waiting_list(database, users):
    training = add_training(database, users["coordinator"])
    session_id = add_session(database, users["coordinator"], training, capacity=2)
    add_attendants(database, users["coordinator"], session_id, "registered", "present", "waiting", "cancelled")
    errors = refused(database, f.save_attendant, actor=users["coordinator"], session_id=session_id, state="registered")
    assert errors["state"] == "Session complète (2 places) : inscrire en liste d'attente."


def test_attendant_state_change_keeps_its_seat(database, users):
    training = add_training(database, users["coordinator"])
    session_id = add_session(database, users["coordinator"], training, capacity=1)
    add_attendants(database, users["coordinator"], session_id, "registered")
    with database.session() as session:
        attendant_id = session.scalar(select(Attendant.id))
    with database.transaction() as session:
        f.save_attendant(
            session, users["coordinator"], session_id=session_id, attendant_id=attendant_id, state="present",
            gender="F", age_band="26-39", audience_type="Travailleur social", today=TODAY,
        )  # fmt: skip
    row = frame(database).iloc[0]
    assert (row["registered"], row["present"]) == (1, 1)
    with database.session() as session:
        update = session.scalars(select(AuditLog).where(AuditLog.table_name == "attendants").order_by(AuditLog.id))
        assert [(a.action, (a.before or {}).get("state")) for a in update] == [
            ("create", None),
            ("update", "registered"),
        ]


def test_attendant_cannot_be_present_before_the_session(database, users):
    training = add_training(database, users["coordinator"])
    session_id = add_session(database, users["coordinator"], training, date="2025-09-01")
    errors = refused(
        database, f.save_attendant, actor=users["coordinator"], session_id=session_id, state="present", today=TODAY
    )
    assert errors["state"] == "Session à venir : la présence se note une fois la session tenue."


def test_counted_session_refuses_a_first_attendant_row(database, users):
    training = add_training(database, users["coordinator"])
    session_id = add_session(database, users["coordinator"], training, registered_count=12, present_count=10)
    errors = refused(database, f.save_attendant, actor=users["coordinator"], session_id=session_id, state="present")
    assert errors["session_id"].startswith("Cette session est suivie par des comptes")


def test_attendant_of_another_session_is_refused(database, users):
    training = add_training(database, users["coordinator"])
    first, second = (add_session(database, users["coordinator"], training) for _ in range(2))
    add_attendants(database, users["coordinator"], first, "registered")
    with database.session() as session:
        attendant_id = session.scalar(select(Attendant.id))
    errors = refused(
        database, f.save_attendant, actor=users["coordinator"], session_id=second, attendant_id=attendant_id,
        state="present",
    )  # fmt: skip
    assert errors["attendant_id"] == "Ce participant est inscrit à une autre session."


def test_choices_and_stored_values_for_the_forms(database, fixed_case):
    with database.session() as session:
        trainings = f.training_choices(session)
        values = f.session_values(session, fixed_case["A"])
        attendants = f.attendant_page(session, fixed_case["B"], PageRequest()).rows
        options = f.filter_options(session)
    assert len(trainings) == 2
    assert values["registered_count"] == 8 and values["mode"] == "in_person" and values["date"] == "2025-03-10"
    labels = [f.attendant_label(*row[1:]) for row in attendants.itertuples(index=False)]
    assert (
        labels[0].startswith("Participant n° 1 · Présent")
        and [lb.split(" · ")[1] for lb in labels].count("Présent") == 3
    )
    assert [v for v, _ in options["programme"]] == ["Aidants Connect", "Réseau"]


def test_demo_aidants_connect_has_six_sessions_in_the_demo_year(database):
    from db.demo import demo_year, seed_demo

    today = dt.date(2026, 3, 1)
    with database.transaction() as session:
        seed_demo(session, today)
    year = Period.year(demo_year(today))
    aidants = frame(database, period=year, programme="Aidants Connect")
    assert len(aidants) == 6
    assert f.totals(aidants, today)["participants"] >= 110


def test_two_coordinators_taking_the_last_seat_at_once_get_one_seat(database, users):
    """The session row is locked before counting its seats, so two simultaneous writers cannot both fit in."""
    import threading

    training = add_training(database, users["coordinator"])
    session_id = add_session(database, users["coordinator"], training, capacity=1)
    barrier, outcomes = threading.Barrier(2), []

    def take_seat():
        barrier.wait()
        try:
            with database.transaction() as session:
                f.save_attendant(session, users["coordinator"], session_id=session_id, state="registered", today=TODAY)
            outcomes.append("saved")
        except ValidationError as error:
            outcomes.append(error.errors["state"])

    threads = [threading.Thread(target=take_seat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["Session complète (1 place) : inscrire en liste d'attente.", "saved"]
    assert count(database, Attendant) == 1


def test_panels_and_session_pages_are_computed_once_per_revision(database, users, fixed_case):
    """Read again, the panels come from the cache; any write to a session or an attendant is seen at once."""
    filters = f.TrainingFilters(period=YEAR)
    request = PageRequest(limit=10)
    with database.session() as session:
        first, page = f.panels(session, filters, TODAY), f.session_page(session, filters, request)
    with database.session() as session:
        assert f.panels(session, filters, TODAY) is first and f.session_page(session, filters, request) is page
    assert (first.totals["sessions"], first.totals["participants"], page.total) == (5, 24, 5)
    assert first.by_month["sessions"].tolist() == [0, 0, 1, 2, 1, 0, 1] + [0] * 5
    add_attendants(database, users["coordinator"], fixed_case["B"], "present")
    with database.session() as session:
        again, page = f.panels(session, filters, TODAY), f.session_page(session, filters, request)
    assert again is not first and again.totals["participants"] == 25
    assert page.rows.set_index("session_id").loc[fixed_case["B"], "present"] == 4
