"""Every form through the shared callback: a record is entered once, and after a save the form is ready for the next.

Forms are posted as dash-renderer posts them (`tests.conftest.post_form`) with their rendering's token: a fixed one
replays a submission. Layouts are rendered as the pages render them, to check each form's token and reset rule.
"""

import datetime as dt
import importlib
import json

import pytest
from dash import no_update
from flask_login import login_user
from sqlalchemy import func, select

from db import clock, lettres
from db.formations import save_training
from db.models import AuditLog, Commune, EquipmentItem, Event, FormSubmission, Loan, NewsletterIssue, TrainingSession
from db.writes import FORM_TOKEN, new_form_token
from tests.app.test_agenda import event_values
from tests.app.test_formations import session_values
from tests.app.test_lettres import forms as lettres_forms
from tests.app.test_materiel import loan_values, walk
from tests.conftest import login, post_form

ALREADY_SAVED = "Ce formulaire a déjà été enregistré : rien n'a été ajouté une seconde fois."
TODAY = clock.today().isoformat()


def outputs(response) -> dict:
    """{(component type, field name or None): value} of the shared form callback's answer (no_update: absent)."""
    answer = {}
    for key, props in response.get_json()["response"].items():
        component = json.loads(key)
        answer[component["type"], component.get("name")] = next(iter(props.values()))
    return answer


def alert_text(response) -> str:
    return json.dumps(outputs(response)["form-alert", None], ensure_ascii=False)


def count(database, model) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(model))


# --- the issue's acceptance case ------------------------------------------------------------------------------------


def a_loan(database, _users):
    with database.transaction() as session:
        session.add(Commune(insee="42187", name="Roanne", epci_code="200035731", epci_name="Roannais Agglomération"))
        tablets = EquipmentItem(name="Tablettes", category="Informatique", units=2)  # room for a copy: no clash
        session.add(tablets)
        session.flush()
        return "loan", loan_values(tablets.id), Loan


def a_session(database, users):
    with database.transaction() as session:
        training = save_training(
            session, users["coordinator"], programme="CNFPT", title="Accueillir", kind="formation",
            start_date="2025-01-01", end_date="2025-12-31",
        )  # fmt: skip
        return "formation-session", session_values(training.id), TrainingSession


def an_event(_database, _users):
    return "agenda-event", event_values(), Event


def a_newsletter_issue(database, users):
    with database.transaction() as session:
        newsletter = lettres.save_newsletter(session, users["coordinator"], name="La Lettre du réseau").row
        return "lettres-issue", lettres_forms(newsletter.id)["lettres-issue"], NewsletterIssue


@pytest.mark.parametrize("record", [a_loan, a_session, an_event, a_newsletter_issue])
def test_a_double_submission_leaves_one_record(app, database, users, as_role, record):
    form, values, model = record(database, users)
    client = as_role("coordinator")
    token = new_form_token()
    first = post_form(client, form, values, token=token)
    assert '"color": "success"' in alert_text(first)
    audit_rows = count(database, AuditLog)
    second = post_form(client, form, values, token=token)
    assert ALREADY_SAVED in alert_text(second)
    assert count(database, model) == 1
    assert count(database, AuditLog) == audit_rows
    # The replay ends like the save it repeats (its answer may be the one the browser keeps): a new token, the
    # panels told to refresh.
    answer = outputs(second)
    assert FORM_TOKEN.fullmatch(answer["form-token", None]) and answer["form-token", None] != token
    assert answer["form-saved", None] == 1


def test_a_refused_submission_does_not_spend_its_token(app, database, users, as_role):
    form, values, model = a_loan(database, users)
    token = new_form_token()
    coordinator = as_role("coordinator")
    viewer = app.server.test_client()
    assert login(viewer, "viewer@example.org").status_code == 302
    assert "Action réservée au rôle « Coordination »" in alert_text(post_form(viewer, form, values, token=token))
    refused = post_form(coordinator, form, {**values, "end_date": "2000-01-01"}, token=token)
    assert "rien n'a été enregistré" in alert_text(refused)
    assert ("form-token", None) not in outputs(refused)  # the same rendering, corrected, is saved
    assert (count(database, FormSubmission), count(database, model)) == (0, 0)
    assert "Prêt n° 1 enregistré" in alert_text(post_form(coordinator, form, values, token=token))
    assert (count(database, FormSubmission), count(database, model)) == (1, 1)


def test_a_stale_token_is_refused(app, database, users, as_role):
    form, values, model = a_loan(database, users)
    answer = post_form(as_role("coordinator"), form, values, token="ancien-formulaire")
    assert "Formulaire périmé : rechargez la page." in alert_text(answer)
    assert count(database, model) == 0


# --- what a form shows after a save --------------------------------------------------------------------------------


def rendered_forms(layout) -> dict:
    """{form: (token, rule after a save)} of a rendered layout."""
    stores = {}
    for node in walk(layout):
        component = getattr(node, "id", None)
        if isinstance(component, dict) and component.get("type") in ("form-token", "form-initial"):
            stores.setdefault(component["form"], {})[component["type"]] = node.data
    return {form: (found["form-token"], found["form-initial"]) for form, found in stores.items()}


def render(app, user, page: str, **query):
    with app.server.test_request_context("/"):
        login_user(user)
        if page == "lieu":  # the place form is rendered by a callback of the sheet
            return importlib.import_module("dashboard.callbacks.carte").form_panel("nouveau")
        return importlib.import_module(f"dashboard.pages.{page}").layout(**query)


PAGES = {
    "admin": {},
    "agenda": {},
    "compte": {},
    "formations": {},
    "lettres": {},
    "lieu": {},
    "materiel": {},
    "projection": {"filters": "on"},
    "rapport": {},
    "actions": {},
}


def test_every_form_has_a_fresh_token_and_captures_all_its_fields(app, users):
    from dashboard.callbacks import AREAS
    from dashboard.components.forms import initial_values

    writers = set()
    for area in AREAS:
        writers |= set(getattr(importlib.import_module(f"dashboard.callbacks.{area}"), "FORMS", {}))
    seen = set()
    for page, query in PAGES.items():
        layout = render(app, users["admin"], page, **query)
        again = rendered_forms(render(app, users["admin"], page, **query))
        for form, (token, rule) in rendered_forms(layout).items():
            assert FORM_TOKEN.fullmatch(token) and again[form][0] != token, (page, form)
            # form_body saw every field of its form: none is laid out where a save could not reset it
            assert rule["values"] == initial_values(form, layout), (page, form)
            seen.add(form)
    assert seen == writers


@pytest.fixture
def materiel_rules(app, users):
    """The matériel forms' rules after a save, as the page renders them."""
    return {
        form: rule for form, (_token, rule) in rendered_forms(render(app, users["coordinator"], "materiel")).items()
    }


def test_a_saved_loan_form_goes_back_to_its_rendered_values(app, database, users, as_role, materiel_rules):
    form, values, _model = a_loan(database, users)
    answer = outputs(post_form(as_role("coordinator"), form, values, after_save=materiel_rules["loan"]))
    fields = {name: value for (kind, name), value in answer.items() if kind == "field"}
    # Only what differs from the rendered form is sent back: the item, the borrower, the end date, the switch, notes.
    # The end date is the day the form was rendered (read from its rule: the test may run across midnight).
    rendered_day = materiel_rules["loan"]["values"]["end_date"]
    assert rendered_day in (str(clock.today()), str(clock.today() - dt.timedelta(days=1)))
    assert fields == {
        "item_id": None,
        "borrower_name": None,
        "borrower_commune": None,
        "end_date": rendered_day,
        "training_given": [],
        "notes": None,
    }


def test_the_item_form_resets_a_new_item_and_stays_on_an_edited_one(app, database, users, as_role, materiel_rules):
    client = as_role("coordinator")
    new = {"item_id": "new", "name": "Drone", "category": "Audiovisuel", "units": "2", "active": ["active"],
           "description": "Drone et batteries"}  # fmt: skip
    created = outputs(post_form(client, "equipment-item", new, after_save=materiel_rules["equipment-item"]))
    assert {name: value for (kind, name), value in created.items() if kind == "field"} == {
        "name": None,
        "category": None,
        "units": 1,
        "description": None,
    }
    with database.session() as session:
        drone = session.scalar(select(EquipmentItem.id).where(EquipmentItem.name == "Drone"))
    edited = outputs(
        post_form(client, "equipment-item", {**new, "item_id": str(drone)}, after_save=materiel_rules["equipment-item"])
    )
    assert "mis à jour" in json.dumps(edited["form-alert", None], ensure_ascii=False)
    assert not [name for kind, name in edited if kind == "field"]


def test_values_after_save():
    from dashboard.callbacks.forms import values_after_save

    names = ["attendant_id", "session_id", "state", "gender"]
    rule = {
        "values": {"attendant_id": "", "session_id": "", "state": "registered", "gender": ""},
        "context": ["session_id"],
        "record": "attendant_id",
        "new": "",
    }
    entered = {"attendant_id": "", "session_id": "12", "state": "present", "gender": "F"}
    # A new attendant: blank again, but for the session whose attendants are being entered.
    assert values_after_save(names, entered, rule) == [no_update, no_update, "registered", ""]
    # An edited attendant: the form stays on it.
    assert values_after_save(names, {**entered, "attendant_id": "7"}, rule) == [no_update] * 4
    # A form without a rule (a request built by hand) is left as it is.
    assert values_after_save(names, entered, None) == [no_update] * 4


def test_no_two_forms_share_a_name(app):
    """Every area's FORMS names its forms; a name used twice would send one form's submissions to the other's write
    function, so building the app refuses it."""
    import importlib

    from dashboard.callbacks import AREAS

    names = [
        name for area in AREAS for name in getattr(importlib.import_module(f"dashboard.callbacks.{area}"), "FORMS", {})
    ]
    assert names and len(names) == len(set(names)), sorted(n for n in names if names.count(n) > 1)


def test_building_the_app_refuses_a_form_name_used_twice(monkeypatch):
    from dash import Dash

    from dashboard import callbacks
    from dashboard.callbacks import admin, carte

    monkeypatch.setattr(carte, "FORMS", {**carte.FORMS, next(iter(admin.FORMS)): lambda *a, **k: ""})
    with pytest.raises(ValueError, match="Form names used by two areas"):
        callbacks.register_all(Dash(__name__))
