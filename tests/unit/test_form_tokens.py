"""Form tokens (db.writes.spend_form_token): a rendering of a form is saved once, in the write's own transaction."""

import threading

import pytest
from sqlalchemy import func, select

from db.formations import save_training
from db.models import FormSubmission, Training
from db.writes import FormAlreadySaved, PermissionDenied, ValidationError, new_form_token, spend_form_token

TRAINING = {"programme": "Aidants Connect", "title": "Habilitation", "kind": "formation"}
ALREADY_SAVED = "Ce formulaire a déjà été enregistré : rien n'a été ajouté une seconde fois."


def count(database, model) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(model))


def save(database, actor, token, **changes) -> Training:
    """What the shared form callback does: spend the token, then write, in one transaction."""
    with database.transaction() as session:
        spend_form_token(session, actor, "formation", token)
        return save_training(session, actor, **(TRAINING | changes))


def test_a_token_is_spent_once(database, users):
    coordinator, token = users["coordinator"], new_form_token()
    save(database, coordinator, token)
    with pytest.raises(FormAlreadySaved) as error:
        save(database, coordinator, token)
    assert error.value.errors == {"": ALREADY_SAVED}
    assert count(database, Training) == 1
    with database.session() as session:
        spent = session.get(FormSubmission, token)
    assert (spent.form, spent.user_id) == ("formation", coordinator.id)


def test_a_refused_write_leaves_the_token_unspent(database, users):
    coordinator, token = users["coordinator"], new_form_token()
    with pytest.raises(ValidationError) as error:
        save(database, coordinator, token, title="")
    assert error.value.errors == {"title": "L'intitulé est obligatoire."}
    with pytest.raises(PermissionDenied):
        save(database, users["viewer"], token)
    assert (count(database, FormSubmission), count(database, Training)) == (0, 0)
    save(database, coordinator, token)  # corrected: saved with the same rendering's token
    assert (count(database, FormSubmission), count(database, Training)) == (1, 1)


@pytest.mark.parametrize("token", [None, "", "court", "x" * 31 + "!", "é" * 32, "x" * 33, 12345])
def test_a_missing_or_malformed_token_is_refused(database, users, token):
    with pytest.raises(ValidationError) as error:
        save(database, users["coordinator"], token)
    assert error.value.errors == {"": "Formulaire périmé : rechargez la page."}
    assert (count(database, FormSubmission), count(database, Training)) == (0, 0)


def test_tokens_are_fresh_and_well_formed():
    tokens = {new_form_token() for _ in range(100)}
    assert len(tokens) == 100 and all(len(t) == 32 for t in tokens)


def test_concurrent_submissions_of_one_token_leave_one_record(database, users):
    """The primary key decides: one transaction inserts the token, the others fail on it (PostgreSQL makes them wait
    for the first to commit; SQLite serialises write transactions) and write nothing."""
    threads, token = 8, new_form_token()
    barrier, outcomes = threading.Barrier(threads), [None] * threads

    def submit(n):
        barrier.wait()
        try:
            save(database, users["coordinator"], token)
            outcomes[n] = "saved"
        except FormAlreadySaved:
            outcomes[n] = "already saved"

    workers = [threading.Thread(target=submit, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(outcomes) == ["already saved"] * (threads - 1) + ["saved"]
    assert (count(database, FormSubmission), count(database, Training)) == (1, 1)
