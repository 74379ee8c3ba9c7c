"""Formations through the app: forms posted as the browser does, callbacks called as plain functions."""

import datetime as dt
import json

import pytest
from flask_login import login_user
from sqlalchemy import func, select

from dashboard import ids
from db.models import Attendant, AuditLog, Training, TrainingSession, User
from tests.conftest import post_form

TRAINING_FORM, SESSION_FORM, ATTENDANT_FORM = (
    ids.FORMATIONS_TRAINING_FORM,
    ids.FORMATIONS_SESSION_FORM,
    ids.FORMATIONS_ATTENDANT_FORM,
)

TRAINING = {
    "training_id": "",
    "programme": "CNFPT",
    "title": "Accueillir les usagers",
    "kind": "formation",
    "partner": "",
    "audience": "Agents des collectivités",
    "description": "",
    "start_date": "2025-01-01",
    "end_date": "2025-12-31",
}


def text_of(response) -> str:
    """The callback's response as readable text (JSON may escape accents)."""
    return json.dumps(response.get_json(), ensure_ascii=False)


def session_values(training_id, **changes) -> dict:
    values = {
        "training_id": str(training_id),
        "session_id": "",
        "date": "2025-03-10",
        "start_time": "09:00",
        "end_time": "12:00",
        "duration_minutes": "",
        "mode": "in_person",
        "place_pk": "",
        "location": "Salle du réseau",
        "commune_insee": "",
        "trainer": "",
        "capacity": "12",
        "registered_count": "10",
        "present_count": "9",
    }
    return values | changes


def counts(database) -> tuple[int, ...]:
    with database.session() as session:
        return tuple(
            session.scalar(select(func.count()).select_from(model))
            for model in (Training, TrainingSession, Attendant, AuditLog)
        )


@pytest.fixture
def training_id(client, as_role, database):
    as_role("coordinator")
    response = post_form(client, TRAINING_FORM, TRAINING)
    assert "Formation « Accueillir les usagers » enregistrée." in text_of(response)
    with database.session() as session:
        return session.scalar(select(Training.id))


def test_coordinator_records_a_session_with_its_audit_row(client, database, training_id):
    before = counts(database)
    response = post_form(client, SESSION_FORM, session_values(training_id))
    assert "Session du 10 mars 2025 enregistrée." in text_of(response)
    with database.session() as session:
        row = session.scalar(select(TrainingSession))
        audit = session.scalar(select(AuditLog).order_by(AuditLog.id.desc()))
    assert (row.registered_count, row.present_count, row.duration_minutes) == (10, 9, 180)
    assert counts(database) == (before[0], before[1] + 1, 0, before[3] + 1)
    assert audit.table_name == "training_sessions" and audit.user_email == "coordinator@example.org"


def test_bad_session_shows_messages_under_fields_and_writes_nothing(client, database, training_id):
    before = counts(database)
    bad = session_values(training_id, date="2026-02-01", capacity="0", registered_count="5", present_count="7")
    body = text_of(post_form(client, SESSION_FORM, bad))
    assert "La session suit la fin de la formation (31/12/2025)." in body
    assert "La capacité doit être d'au moins 1 place." in body
    assert "Plus de présents que d'inscrits (7 > 5)." in body
    assert "rien n'a été enregistré" in body
    assert counts(database) == before


@pytest.mark.parametrize("form", [TRAINING_FORM, SESSION_FORM, ATTENDANT_FORM])
def test_viewer_forged_write_is_refused_and_writes_nothing(client, as_role, database, users, form):
    as_role("viewer")
    values = {
        TRAINING_FORM: TRAINING,
        SESSION_FORM: session_values(1),
        ATTENDANT_FORM: {"session_id": "1", "attendant_id": "", "state": "registered", "audience_type": "",
                              "gender": "", "age_band": ""},
    }[form]  # fmt: skip
    before = counts(database)
    response = post_form(client, form, values)
    assert response.status_code == 200
    assert "Action réservée au rôle « Coordination » ou supérieur." in text_of(response)
    assert counts(database) == before


def test_attendant_form_adds_a_participant(client, database, training_id):
    post_form(client, SESSION_FORM, session_values(training_id, registered_count="", present_count=""))
    with database.session() as session:
        session_id = session.scalar(select(TrainingSession.id))
    values = {"session_id": str(session_id), "attendant_id": "", "state": "present", "audience_type": "Agent",
              "gender": "F", "age_band": "40-54"}  # fmt: skip
    assert "Participant enregistré : présent." in text_of(post_form(client, ATTENDANT_FORM, values))
    with database.session() as session:
        attendant = session.scalar(select(Attendant))
    assert (attendant.state, attendant.gender, attendant.age_band) == ("present", "F", "40-54")


@pytest.fixture
def callbacks(app):
    from dashboard.callbacks import formations

    return formations


def test_panels_callback_shows_figures_and_empty_states(app, callbacks, client, database, training_id):
    post_form(client, SESSION_FORM, session_values(training_id))
    with app.server.test_request_context():
        kpis, month, programme, rates, audience, upcoming, profiles = callbacks.panels(
            "2025-01-01", "2025-12-31", "", "", "", "", []
        )
        figures = {
            getattr(c, "data-figure"): c.children[0]  # the number, then its unit
            for c in kpis._traverse()
            if getattr(c, "className", "") == "kpi-value"
        }
        assert (figures["sessions"], figures["participants"], figures["attendance_rate"]) == ("1", "9", "90")
        assert all(getattr(panel, "role", None) == "img" for panel in (month, programme, rates, audience))
        assert "empty-state" in str(upcoming)  # nothing after today in 2025's data
        assert "Aucune session suivie par liste" in str(profiles)  # attendance entered as counts only
        nothing = callbacks.panels("2025-01-01", "2025-12-31", "Inconnu", "", "", "", [])
        assert all("Aucune session ne correspond" in str(panel) for panel in nothing[1:5])
        for start, end in (("", ""), ("2025-03-01", ""), ("", "2025-12-31")):  # open periods: up to the sessions
            assert "Aucune session" not in str(callbacks.panels(start, end, "", "", "", "", [])[1])
        refused = callbacks.panels("2025-12-31", "2025-01-01", "", "", "", "", [])
        assert "La date de fin de la période précède sa date de début." in str(refused[0])


def test_export_frames_have_french_headers(app, callbacks, client, training_id):
    post_form(client, SESSION_FORM, session_values(training_id))
    filters = callbacks.filters_from("2025-01-01", "2025-12-31", "", "", "", "")
    with app.server.test_request_context():
        sessions = callbacks.export_frame("sessions", filters, dt.date(2025, 6, 1))
        months = callbacks.export_frame("month", filters, dt.date(2025, 6, 1))
        programmes = callbacks.export_frame("programme", filters, dt.date(2025, 6, 1))
    assert sessions[["Formation", "Début", "Inscrits", "Présents", "Présence saisie par"]].values.tolist() == [
        ["Accueillir les usagers", "09:00", 10, 9, "comptes saisis"]
    ]
    assert len(months) == 12 and months.loc[2, "Mois"] == "2025-03" and months.loc[2, "Participants (présents)"] == 9
    assert programmes.loc[0, "Taux de présence"] == pytest.approx(0.9)


def test_filters_travel_in_the_query_string(callbacks):
    assert callbacks.url_search("2025-01-01", "2025-12-31", "Aidants Connect", "", "", "42218") == (
        "?du=2025-01-01&au=2025-12-31&programme=Aidants+Connect&commune=42218"
    )
    assert callbacks.url_search("", "", "", "", "", "") == ""


@pytest.mark.parametrize(("role", "has_forms"), [("viewer", False), ("coordinator", True), ("admin", True)])
def test_entry_forms_are_shown_to_coordinators_only(app, database, users, role, has_forms):
    from dashboard.pages import formations as page

    with app.server.test_request_context():
        with database.session() as session:
            login_user(session.get(User, users[role].id))
        layout = str(page.layout(programme="CNFPT", inconnu="x"))
    assert ("Enregistrer la session" in layout) is has_forms
    assert "'value': 'CNFPT'" in layout  # the query string's filter is the initial value


def test_filter_from_a_stale_link_stays_listed(app, callbacks, client, training_id):
    with app.server.test_request_context():
        programme, kind, audience, commune = callbacks.filter_options(None, [], "Ancien programme", "", "", "")
    assert [o["value"] for o in programme] == ["", "CNFPT", "Ancien programme"]
    assert [o["label"] for o in kind][:2] == ["Tous", "Formation"]
    assert [o["value"] for o in audience] == ["", "Agents des collectivités"]


def test_an_empty_base_says_so_and_what_fills_it(app, callbacks):
    """No session recorded at all: not « nothing matches these filters », but what to do."""
    with app.server.test_request_context():
        panels = callbacks.panels("2025-01-01", "2025-12-31", "", "", "", "", [])
    assert all("Aucune session enregistrée." in str(panel) for panel in panels[1:5])
    assert "ne correspond" not in str(panels[1])


def test_choosing_a_training_for_a_new_session_leaves_what_is_typed(app, callbacks, client, database, training_id):
    """A new session stays new when its training is chosen: no refill of the form under what is being typed. A
    session of another training, chosen before, is let go (the form becomes a new session of this one)."""
    from dash import no_update

    from tests.conftest import in_callback

    post_form(client, SESSION_FORM, session_values(training_id))
    with database.session() as session:
        own = session.scalar(select(TrainingSession.id))
    chosen = json.dumps(ids.field(SESSION_FORM, "training_id"), sort_keys=True, separators=(",", ":")) + ".value"
    with app.server.test_request_context():
        options, new = in_callback(callbacks.training_session_choices, str(training_id), 0, "", triggered=chosen)
        _options, kept = in_callback(callbacks.training_session_choices, str(training_id), 0, str(own), triggered=chosen)
        _options, other = in_callback(callbacks.training_session_choices, str(training_id), 0, "999", triggered=chosen)
    assert [o["value"] for o in options] == ["", str(own)]
    assert new is no_update and kept is no_update and other == ""
