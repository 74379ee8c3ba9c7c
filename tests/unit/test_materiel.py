"""Matériel: the loan-day rule, utilisation on fixed cases, every validation message, clashes (also under
concurrency), roles and audit rows, and the demo year's report figures."""

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from db.demo import demo_year, seed_demo
from db.materiel import (
    OPEN_STATUSES,
    calendar_loans,
    cancel_loan,
    create_loan,
    extend_loan,
    items_today,
    loan_days,
    loan_end,
    loan_page,
    loan_schedule,
    return_loan,
    save_item,
    utilisation,
)
from db.models import AuditLog, Commune, EquipmentItem, Loan, Place
from db.paging import Filter, PageRequest, Sort
from db.periods import Period
from db.writes import SYSTEM, PermissionDenied, ValidationError

TODAY = dt.date(2025, 6, 2)
Y2025 = Period.year(2025)
D = dt.date


# --- the rule -----------------------------------------------------------------------------------------------------


def test_loan_end_is_the_return_date_once_returned():
    assert loan_end(D(2025, 3, 10), None) == D(2025, 3, 10)
    assert loan_end(D(2025, 3, 10), D(2025, 3, 5)) == D(2025, 3, 5)
    assert loan_end(D(2025, 3, 10), D(2025, 3, 14)) == D(2025, 3, 14)


@pytest.mark.parametrize(
    ("start", "end", "returned", "period", "expected"),
    [
        (D(2025, 3, 4), D(2025, 3, 4), None, Y2025, 1),  # single day
        (D(2025, 3, 4), D(2025, 3, 6), None, Y2025, 3),  # both ends included
        (D(2024, 12, 30), D(2025, 1, 2), None, Y2025, 2),  # across a year boundary: two days in each year
        (D(2024, 12, 30), D(2025, 1, 2), None, Period.year(2024), 2),
        (D(2025, 3, 1), D(2025, 3, 10), D(2025, 3, 3), Y2025, 3),  # returned early
        (D(2025, 3, 1), D(2025, 3, 10), D(2025, 3, 12), Y2025, 12),  # returned late
        (D(2025, 12, 30), D(2025, 12, 31), D(2026, 1, 3), Period.year(2026), 3),  # late return spills over
        (D(2023, 1, 1), D(2023, 1, 9), None, Y2025, 0),  # outside
    ],
)
def test_loan_day_rule(start, end, returned, period, expected):
    assert loan_days(start, end, returned, period) == expected


# --- fixtures -----------------------------------------------------------------------------------------------------


@pytest.fixture
def catalogue(database, users):
    """Two communes of two EPCIs, one place, a 2-unit kit and a 1-unit projector."""
    with database.transaction() as session:
        session.add_all(
            [
                Commune(
                    insee="42218", name="Saint-Étienne", epci_code="244200770", epci_name="Saint-Étienne Métropole"
                ),
                Commune(insee="42187", name="Roanne", epci_code="200035731", epci_name="Roannais Agglomération"),
            ]
        )
        place = Place(
            id="lieu-1",
            pivot="12345678900011",
            nom="Médiathèque Tarentaize",
            commune="Saint-Étienne",
            code_postal="42000",
            code_insee="42218",
            adresse="20 rue Jo Gouttebarge",
            date_maj=D(2025, 1, 1),
        )
        kit = EquipmentItem(name="Kit robotique", category="Robotique", units=2)
        projector = EquipmentItem(name="Vidéoprojecteur", category="Audiovisuel", units=1)
        session.add_all([place, kit, projector])
        session.flush()
        return {"place": place.pk, "kit": kit.id, "projector": projector.id, "users": users}


MARCH_3, MARCH_5 = D(2025, 3, 3), D(2025, 3, 5)


def loan(database, ids, item="projector", start=MARCH_3, end=MARCH_5, units=1, **extra):
    values = {"borrower_place_pk": ids["place"]} | extra
    with database.transaction() as session:
        return create_loan(
            session,
            ids["users"]["coordinator"],
            item_id=ids[item],
            units=units,
            start_date=start,
            end_date=end,
            today=TODAY,
            **values,
        )


def count(database, model) -> int:
    with database.session() as session:
        return session.scalar(select(func.count()).select_from(model))


# --- utilisation on fixed cases ---------------------------------------------------------------------------------


def test_utilisation_fixed_cases(database, catalogue):
    ids = catalogue
    loan(database, ids, start=D(2024, 12, 30), end=D(2025, 1, 2))  # 2 days in 2025
    loan(database, ids, start=D(2025, 2, 14), end=D(2025, 2, 14))  # single day: 1
    loan(database, ids, "kit", D(2025, 3, 3), D(2025, 3, 5), units=2)  # multi-unit: 2 × 3 = 6
    early = loan(database, ids, start=D(2025, 4, 1), end=D(2025, 4, 10), interventions="4")
    late = loan(
        database,
        ids,
        "kit",
        D(2025, 5, 26),
        D(2025, 5, 28),
        borrower_place_pk=None,
        borrower_name="Club de Roanne",
        borrower_commune="42187",
    )
    cancelled = loan(database, ids, start=D(2025, 7, 1), end=D(2025, 7, 31))
    coordinator = ids["users"]["coordinator"]
    with database.transaction() as session:
        return_loan(session, coordinator, loan_id=early.id, returned_on="2025-04-02", today=TODAY)  # 2 days
        return_loan(session, coordinator, loan_id=late.id, returned_on="2025-05-31", today=TODAY)  # 6 days
        cancel_loan(session, coordinator, loan_id=cancelled.id)  # counts nothing

    with database.session() as session:
        result = utilisation(session, Y2025)
    items = result.items.set_index("name")
    assert items.loc["Vidéoprojecteur", "loan_days"] == 2 + 1 + 2
    assert items.loc["Kit robotique", "loan_days"] == 6 + 6
    assert items.loc["Kit robotique", "available_days"] == 2 * 365
    assert items.loc["Kit robotique", "rate"] == pytest.approx(12 / 730)
    assert items.loc["Vidéoprojecteur", "loans"] == 3
    # The entered 4 interventions count in full (both loan days are in the year); the others one per loan-day.
    assert items.loc["Vidéoprojecteur", "interventions"] == 2 + 1 + 4
    assert result.total_loan_days == 17
    # The catalogue was entered today: its 2025 availability is an estimate, and says so.
    assert result.availability.estimated and "suivi depuis le" in result.availability.note
    assert result.estimated_interventions == 2 + 1 + 6 + 6  # every loan but the one with 4 entered
    assert result.rate == pytest.approx(17 / (3 * 365))
    assert result.categories.set_index("category").loc["Robotique", "loan_days"] == 12
    months = result.months.set_index("month")["loan_days"]
    assert (months[D(2025, 1, 1)], months[D(2025, 2, 1)], months[D(2025, 3, 1)], months[D(2025, 4, 1)]) == (2, 1, 6, 2)
    assert months[D(2025, 5, 1)] == 6 and months.sum() == 17
    communes = result.communes.set_index("commune")["loan_days"]
    assert (communes["Saint-Étienne"], communes["Roanne"]) == (11, 6)
    assert result.epcis.set_index("epci").loc["Roannais Agglomération", "loan_days"] == 6
    borrowers = result.borrowers.set_index("borrower")["loan_days"]
    assert (borrowers["Médiathèque Tarentaize"], borrowers["Club de Roanne"]) == (11, 6)

    # The loan across the year boundary counts its other two days in 2024; any range works, not only years.
    with database.session() as session:
        assert utilisation(session, Period.year(2024)).total_loan_days == 2
        spring = utilisation(session, Period(D(2025, 3, 4), D(2025, 4, 30)))
    assert spring.total_loan_days == 2 * 2 + 2
    assert spring.items.set_index("name").loc["Kit robotique", "available_days"] == 2 * 58


def test_retired_item_counts_only_when_lent(database, catalogue):
    with database.transaction() as session:
        session.add(EquipmentItem(name="Ancien kit", category="Robotique", units=3, active=False))
    with database.session() as session:
        names = set(utilisation(session, Y2025).items["name"])
    assert "Ancien kit" not in names and {"Kit robotique", "Vidéoprojecteur"} <= names


def test_utilisation_is_computed_once_per_revision_and_again_after_a_write(database, catalogue):
    """Shared by the page, the projection and the report: the second reading is the same object, and a new loan is
    counted at the next reading (its write replaced the Matériel's revision token)."""
    loan(database, catalogue)
    with database.session() as session:
        first = utilisation(session, Y2025)
    with database.session() as session:
        assert utilisation(session, Y2025) is first
    loan(database, catalogue, start=D(2025, 6, 2), end=D(2025, 6, 4))
    with database.session() as session:
        again = utilisation(session, Y2025)
    assert (first.total_loan_days, again.total_loan_days) == (3, 6)


def test_empty_period(database, catalogue):
    with database.session() as session:
        result = utilisation(session, Period.year(2019))
    assert result.total_loan_days == 0 and result.rate == 0
    assert result.borrowers.empty and len(result.months) == 12


# --- validation -----------------------------------------------------------------------------------------------------


BAD_LOANS = [
    ({"item_id": ""}, "item_id", "Choisir un article du catalogue."),
    ({"item_id": "999"}, "item_id", "Article inconnu : choisir un article du catalogue."),
    ({"item_id": "abc"}, "item_id", "Article : un nombre entier est attendu."),
    ({"units": "0"}, "units", "Prêter au moins 1 unité."),
    ({"units": "-2"}, "units", "Prêter au moins 1 unité."),
    ({"units": "1.5"}, "units", "Unités : un nombre entier est attendu."),
    ({"units": ""}, "units", "Unités : valeur obligatoire."),
    ({"units": "2"}, "units", "« Vidéoprojecteur » ne compte que 1 unité."),
    ({"start_date": ""}, "start_date", "Début : date obligatoire."),
    ({"start_date": "31/02/2025"}, "start_date", "Début : date invalide (attendu : JJ/MM/AAAA)."),
    ({"start_date": "2014-12-31"}, "start_date", "Début : date trop ancienne (pas avant le 01/01/2015)."),
    (
        {"end_date": "2027-06-03"},
        "end_date",
        "Fin : date trop lointaine (au plus tard le 02/06/2027, deux ans à l'avance).",
    ),
    ({"end_date": "2025-03-02"}, "end_date", "La date de fin doit être le jour du début ou après."),
    (
        {"borrower_place_pk": None},
        "borrower_place_pk",
        "Indiquer la structure emprunteuse : un lieu de la carte, ou un nom et sa commune.",
    ),
    ({"borrower_place_pk": "4242"}, "borrower_place_pk", "Lieu inconnu : choisir une structure dans la liste."),
    (
        {"borrower_place_pk": None, "borrower_name": "Club", "borrower_commune": ""},
        "borrower_commune",
        "Indiquer la commune de la structure.",
    ),
    (
        {"borrower_place_pk": None, "borrower_name": "Club", "borrower_commune": "99999"},
        "borrower_commune",
        "Commune inconnue : choisir dans la liste.",
    ),
    ({"purpose": "sieste"}, "purpose", "Objet inconnu : choisir dans la liste."),
    ({"interventions": "-1"}, "interventions", "Le nombre d'interventions doit être compris entre 0 et 10 000."),
    ({"notes": "x" * 2001}, "notes", "Les notes sont trop longues (2000 caractères au plus)."),
]


@pytest.mark.parametrize(("override", "field", "message"), BAD_LOANS)
def test_loan_validation_messages_write_nothing(database, catalogue, override, field, message):
    values = {
        "item_id": str(catalogue["projector"]),
        "units": "1",
        "borrower_place_pk": str(catalogue["place"]),
        "start_date": "2025-03-03",
        "end_date": "2025-03-05",
    } | override
    with pytest.raises(ValidationError) as error, database.transaction() as session:
        create_loan(session, catalogue["users"]["coordinator"], today=TODAY, **values)
    assert error.value.errors[field] == message
    assert count(database, Loan) == 0 and count(database, AuditLog) == 3  # the three accounts only


def test_retired_item_cannot_be_lent(database, catalogue):
    with database.transaction() as session:
        session.get(EquipmentItem, catalogue["projector"]).active = False
    with pytest.raises(ValidationError) as error:
        loan(database, catalogue)
    assert error.value.errors["item_id"] == "« Vidéoprojecteur » est retiré du catalogue : il ne peut plus être prêté."


def test_free_borrower_copies_the_commune_and_place_wins_over_free_name(database, catalogue):
    free = loan(database, catalogue, borrower_place_pk="", borrower_name=" Club photo ", borrower_commune="Roanne")
    placed = loan(database, catalogue, start=D(2025, 4, 1), end=D(2025, 4, 1), borrower_name="ignoré")
    assert (free.borrower_name, free.borrower_commune, free.borrower_insee) == ("Club photo", "Roanne", "42187")
    assert free.borrower_place_pk is None
    assert (placed.borrower_name, placed.borrower_insee, placed.borrower_place_pk) == (
        "Médiathèque Tarentaize",
        "42218",
        catalogue["place"],
    )


def test_return_extend_cancel_messages(database, catalogue):
    first = loan(database, catalogue)
    coordinator = catalogue["users"]["coordinator"]
    cases = [
        (return_loan, {"loan_id": ""}, "loan_id", "Choisir un prêt dans la liste."),
        (return_loan, {"loan_id": first.id, "returned_on": "2025-06-03"}, "returned_on", "La date de retour ne peut pas être dans le futur."),
        (return_loan, {"loan_id": first.id, "returned_on": "2025-03-02"}, "returned_on", "Le retour ne peut pas précéder le début du prêt (03/03/2025)."),
        (return_loan, {"loan_id": first.id, "returned_on": ""}, "returned_on", "Date de retour : date obligatoire."),
        (extend_loan, {"loan_id": first.id, "end_date": "2025-03-05"}, "end_date", "La nouvelle fin doit être après la fin actuelle (05/03/2025)."),
        (extend_loan, {"loan_id": "77"}, "loan_id", "Choisir un prêt dans la liste."),
    ]  # fmt: skip
    for write, values, field, message in cases:
        with pytest.raises(ValidationError) as error, database.transaction() as session:
            write(session, coordinator, today=TODAY, **values)
        assert error.value.errors[field] == message, values
    with database.transaction() as session:
        return_loan(session, coordinator, loan_id=str(first.id), returned_on="04/03/2025", today=TODAY)
    for write, values in ((cancel_loan, {}), (extend_loan, {"end_date": "2025-03-09", "today": TODAY})):
        with pytest.raises(ValidationError) as error, database.transaction() as session:
            write(session, coordinator, loan_id=first.id, **values)
        assert error.value.errors["loan_id"] == f"Le prêt n° {first.id} est déjà rendu (le 04/03/2025)."
    second = loan(database, catalogue, start=D(2025, 5, 1), end=D(2025, 5, 1))
    with database.transaction() as session:
        cancel_loan(session, coordinator, loan_id=second.id)
    with pytest.raises(ValidationError) as error, database.transaction() as session:
        return_loan(session, coordinator, loan_id=second.id, returned_on="2025-05-01", today=TODAY)
    assert error.value.errors["loan_id"] == f"Le prêt n° {second.id} est annulé."


def test_catalogue_create_edit_and_messages(database, catalogue):
    coordinator = catalogue["users"]["coordinator"]
    with database.transaction() as session:
        item = save_item(session, coordinator, name=" Tablettes ", category="Multimédia", units="6", description="")
    assert (item.name, item.units, item.active, item.description) == ("Tablettes", 6, True, None)
    loan(database, catalogue, "kit", D(2025, 7, 1), D(2025, 7, 3), units=2)
    cases = [
        ({"name": "", "category": "", "units": "0"}, {"name": "Le nom de l'article est obligatoire.", "category": "La catégorie est obligatoire.", "units": "Le nombre d'unités doit être compris entre 1 et 1 000."}),
        ({"name": "vidéoprojecteur", "category": "X", "units": "1"}, {"name": "Un article s'appelle déjà « vidéoprojecteur »."}),
        ({"item_id": "999", "name": "Y", "category": "X", "units": "1"}, {"item_id": "Article inconnu : il a peut-être été supprimé."}),
        ({"item_id": str(catalogue["kit"]), "name": "Kit robotique", "category": "Robotique", "units": "1"}, {"units": "Des prêts en cours ou à venir occupent 2 unités le 01/07/2025 : impossible de descendre à 1."}),
    ]  # fmt: skip
    for values, expected in cases:
        with pytest.raises(ValidationError) as error, database.transaction() as session:
            save_item(session, coordinator, today=TODAY, **values)
        assert error.value.errors == expected
    with database.transaction() as session:
        edited = save_item(
            session, coordinator, item_id=str(item.id), name="Tablettes", category="Multimédia", units=4, active=[]
        )
    assert (edited.units, edited.active) == (4, False)


# --- clashes ------------------------------------------------------------------------------------------------------


def test_clash_is_refused_and_names_the_conflicting_loan(database, catalogue):
    loan(database, catalogue, "kit", D(2025, 3, 3), D(2025, 3, 6), units=1)
    loan(database, catalogue, "kit", D(2025, 3, 5), D(2025, 3, 9), units=1, borrower_place_pk=None,
         borrower_name="Club de Roanne", borrower_commune="42187")  # fmt: skip
    loan(database, catalogue, "kit", D(2025, 3, 7), D(2025, 3, 8), units=1)  # two units: still fits
    with pytest.raises(ValidationError) as error:
        loan(database, catalogue, "kit", D(2025, 3, 1), D(2025, 3, 5), units=1)
    message = error.value.errors[""]
    assert message == (
        "Conflit de réservation : « Kit robotique » (2 unités) n'a que 0 unité libre le 05/03/2025, "
        "déjà réservé par : prêt n° 1 à Médiathèque Tarentaize du 03/03/2025 au 06/03/2025 ; "
        "prêt n° 2 à Club de Roanne du 05/03/2025 au 09/03/2025."
    )
    assert error.value.errors["start_date"] == "Ces dates chevauchent un autre prêt."
    assert count(database, Loan) == 3
    # Either side of the clash is free: a 1-unit loan before 5 March fits.
    loan(database, catalogue, "kit", D(2025, 3, 1), D(2025, 3, 4), units=1)


def test_returned_and_cancelled_loans_free_their_days(database, catalogue):
    coordinator = catalogue["users"]["coordinator"]
    first = loan(database, catalogue, start=D(2025, 3, 3), end=D(2025, 3, 10))
    with pytest.raises(ValidationError):
        loan(database, catalogue, start=D(2025, 3, 6), end=D(2025, 3, 6))
    with database.transaction() as session:
        return_loan(session, coordinator, loan_id=first.id, returned_on="2025-03-05", today=TODAY)
    loan(database, catalogue, start=D(2025, 3, 6), end=D(2025, 3, 6))  # freed by the early return
    with pytest.raises(ValidationError) as error:
        loan(database, catalogue, start=D(2025, 3, 5), end=D(2025, 3, 5))
    assert "prêt n° 1 à Médiathèque Tarentaize du 03/03/2025 au 05/03/2025" in error.value.errors[""]
    booked = loan(database, catalogue, start=D(2025, 4, 1), end=D(2025, 4, 3))
    with database.transaction() as session:
        cancel_loan(session, coordinator, loan_id=booked.id)
    loan(database, catalogue, start=D(2025, 4, 2), end=D(2025, 4, 2))  # freed by the cancellation


def test_extension_and_late_return_check_clashes(database, catalogue):
    coordinator = catalogue["users"]["coordinator"]
    first = loan(database, catalogue, start=D(2025, 3, 3), end=D(2025, 3, 5))
    loan(database, catalogue, start=D(2025, 3, 8), end=D(2025, 3, 9), borrower_place_pk=None,
         borrower_name="Club de Roanne", borrower_commune="Roanne")  # fmt: skip
    for write, values in ((extend_loan, {"end_date": "2025-03-08"}), (return_loan, {"returned_on": "2025-03-08"})):
        with pytest.raises(ValidationError) as error, database.transaction() as session:
            write(session, coordinator, loan_id=first.id, today=TODAY, **values)
        assert "prêt n° 2 à Club de Roanne du 08/03/2025 au 09/03/2025" in error.value.errors[""]
    with database.transaction() as session:
        extend_loan(session, coordinator, loan_id=first.id, end_date="2025-03-07", today=TODAY)
    with database.session() as session:
        assert session.get(Loan, first.id).end_date == D(2025, 3, 7)


def _book_concurrently(database, catalogue, threads=20) -> list:
    barrier = threading.Barrier(threads)
    outcomes: list = [None] * threads

    def book(n):
        barrier.wait()
        try:
            with database.transaction() as session:
                create_loan(
                    session,
                    catalogue["users"]["coordinator"],
                    item_id=catalogue["projector"],
                    units=1,
                    borrower_place_pk=catalogue["place"],
                    start_date=D(2025, 9, 1 + n % 5),
                    end_date=D(2025, 9, 10),
                    today=TODAY,
                )
            outcomes[n] = "booked"
        except ValidationError as error:
            outcomes[n] = error.errors[""]

    workers = [threading.Thread(target=book, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return outcomes


def test_twenty_concurrent_bookings_leave_exactly_one_loan(database, catalogue):
    outcomes = _book_concurrently(database, catalogue)
    assert outcomes.count("booked") == 1
    assert all(o.startswith("Conflit de réservation : « Vidéoprojecteur »") for o in outcomes if o != "booked")
    assert count(database, Loan) == 1


# --- roles and audit ----------------------------------------------------------------------------------------------


def test_viewer_is_refused_every_write(database, catalogue):
    viewer = catalogue["users"]["viewer"]
    first = loan(database, catalogue)
    writes = [
        (create_loan, {"item_id": catalogue["kit"], "start_date": "2025-04-01", "end_date": "2025-04-01"}),
        (return_loan, {"loan_id": first.id, "returned_on": "2025-03-04"}),
        (extend_loan, {"loan_id": first.id, "end_date": "2025-03-09"}),
        (cancel_loan, {"loan_id": first.id}),
        (save_item, {"name": "Drone", "category": "Audiovisuel", "units": 1}),
    ]
    for write, values in writes:
        with pytest.raises(PermissionDenied), database.transaction() as session:
            write(session, viewer, **values)
    assert count(database, Loan) == 1 and count(database, EquipmentItem) == 2
    with database.session() as session:
        assert session.get(Loan, first.id).returned_on is None and session.get(Loan, first.id).cancelled_at is None


def test_each_write_adds_an_audit_row(database, catalogue):
    coordinator = catalogue["users"]["coordinator"]

    def audit_rows():
        with database.session() as session:
            return session.execute(
                select(AuditLog.table_name, AuditLog.action, AuditLog.user_email).where(AuditLog.table_name != "users")
            ).all()

    first = loan(database, catalogue)
    second = loan(database, catalogue, start=D(2025, 4, 1), end=D(2025, 4, 2))
    with database.transaction() as session:
        extend_loan(session, coordinator, loan_id=first.id, end_date="2025-03-06", today=TODAY)
    with database.transaction() as session:
        return_loan(session, coordinator, loan_id=first.id, returned_on="2025-03-06", today=TODAY)
    with database.transaction() as session:
        cancel_loan(session, coordinator, loan_id=second.id)
    with database.transaction() as session:
        save_item(session, SYSTEM, name="Drone", category="Audiovisuel", units=1)
    rows = audit_rows()
    assert [(t, a) for t, a, _ in rows] == [
        ("loans", "create"),
        ("loans", "create"),
        ("loans", "update"),
        ("loans", "update"),
        ("loans", "update"),
        ("equipment_items", "create"),
    ]
    assert {email for *_, email in rows[:5]} == {"coordinator@example.org"}
    with database.session() as session:
        last_update = session.scalars(
            select(AuditLog).where(AuditLog.table_name == "loans").order_by(AuditLog.id.desc())
        ).first()
    assert last_update.before["cancelled_at"] is None and last_update.after["cancelled_at"] is not None


# --- schedule and demo ----------------------------------------------------------------------------------------------


def test_schedule_statuses(database, catalogue):
    coordinator = catalogue["users"]["coordinator"]
    overdue = loan(database, catalogue, start=D(2025, 5, 20), end=D(2025, 5, 25))
    current = loan(database, catalogue, "kit", D(2025, 6, 1), D(2025, 6, 4))
    upcoming = loan(database, catalogue, start=D(2025, 7, 1), end=D(2025, 7, 1))
    old = loan(database, catalogue, "kit", D(2025, 1, 6), D(2025, 1, 7))
    with database.transaction() as session:
        return_loan(session, coordinator, loan_id=old.id, returned_on="2025-01-07", today=TODAY)
    with database.session() as session:
        frame = loan_schedule(session, TODAY).set_index("id")
    assert frame["status"].to_dict() == {overdue.id: "overdue", current.id: "current", upcoming.id: "upcoming"}


def test_items_today_counts_units_out_and_overdue_loans(database, catalogue):
    """The catalogue's « today »: units out on loans started and not returned (overdue ones too), not the upcoming,
    returned or cancelled ones."""
    coordinator = catalogue["users"]["coordinator"]
    loan(database, catalogue, start=D(2025, 5, 20), end=D(2025, 5, 25))  # projector, overdue
    loan(database, catalogue, "kit", D(2025, 6, 1), D(2025, 6, 4))  # current, one unit of two
    loan(database, catalogue, "kit", D(2025, 7, 1), D(2025, 7, 1), units=2)  # upcoming
    returned = loan(database, catalogue, "kit", D(2025, 5, 6), D(2025, 5, 7))
    with database.transaction() as session:
        return_loan(session, coordinator, loan_id=returned.id, returned_on="2025-05-07", today=TODAY)
    with database.session() as session:
        frame = items_today(session, TODAY)
    assert frame.to_dict("index") == {
        catalogue["projector"]: {"units_out": 1, "overdue": 1},
        catalogue["kit"]: {"units_out": 1, "overdue": 0},
    }


def test_loan_page_pages_sorts_filters_and_counts(database, catalogue):
    """The follow-up grid's pages come from SQL: the most urgent first, any column sorted and filtered, the count of
    every match alongside."""
    coordinator = catalogue["users"]["coordinator"]
    overdue = loan(database, catalogue, start=D(2025, 5, 20), end=D(2025, 5, 25))
    current = loan(database, catalogue, "kit", D(2025, 6, 1), D(2025, 6, 4))
    upcoming = loan(database, catalogue, start=D(2025, 7, 1), end=D(2025, 7, 1))
    free = loan(database, catalogue, "kit", D(2025, 6, 10), D(2025, 6, 12), borrower_place_pk=None,
                borrower_name="Club 100% photo", borrower_commune="42187")  # fmt: skip
    returned = loan(database, catalogue, "kit", D(2025, 5, 6), D(2025, 5, 7))
    with database.transaction() as session:
        return_loan(session, coordinator, loan_id=returned.id, returned_on="2025-05-07", today=TODAY)
    open_loans = (Filter("status", "in", OPEN_STATUSES),)
    with database.session() as session:
        default = loan_page(session, TODAY, PageRequest())
        first = loan_page(session, TODAY, PageRequest(open_loans, offset=0, limit=2))
        second = loan_page(session, TODAY, PageRequest(open_loans, offset=2, limit=2))
        by_end = loan_page(session, TODAY, PageRequest(sort=(Sort("end_date", descending=True),)))
        club = loan_page(session, TODAY, PageRequest((Filter("borrower", "contains", "100%"),)))
        kits = loan_page(session, TODAY, PageRequest((Filter("item", "equals", "KIT ROBOTIQUE"),)))
        june = loan_page(session, TODAY, PageRequest((Filter("start_date", "inRange", D(2025, 6, 1), D(2025, 6, 30)),)))
        huge = loan_page(session, TODAY, PageRequest(limit=10_000))
        with pytest.raises(ValueError):
            loan_page(session, TODAY, PageRequest((Filter("notes", "contains", "x"),)))
    assert default.rows["id"].tolist() == [overdue.id, current.id, free.id, upcoming.id, returned.id]
    assert default.rows["status"].tolist() == ["overdue", "current", "upcoming", "upcoming", "returned"]
    assert (first.total, second.total) == (4, 4)
    assert first.rows["id"].tolist() + second.rows["id"].tolist() == [overdue.id, current.id, free.id, upcoming.id]
    assert by_end.rows["id"].tolist()[:2] == [upcoming.id, free.id]
    assert club.rows["id"].tolist() == [free.id]  # "%" is a character, not a wildcard
    assert kits.total == 3
    assert sorted(june.rows["id"]) == sorted([current.id, free.id])
    assert huge.total == 5 and len(huge.rows) == 5


def test_calendar_shows_its_window_and_every_overdue_loan(database, catalogue):
    overdue = loan(database, catalogue, start=D(2025, 3, 20), end=D(2025, 3, 25))
    inside = loan(database, catalogue, "kit", D(2025, 6, 1), D(2025, 6, 4))
    loan(database, catalogue, start=D(2025, 9, 1), end=D(2025, 9, 1))  # after the window
    with database.session() as session:
        frame = calendar_loans(session, TODAY, Period(D(2025, 5, 26), D(2025, 6, 22)))
    assert frame["id"].tolist() == [overdue.id, inside.id]
    assert frame["status"].tolist() == ["overdue", "current"]


def test_demo_year_reproduces_the_report(database):
    today = D(2026, 11, 30)
    with database.transaction() as session:
        seed_demo(session, today)
    with database.session() as session:
        result = utilisation(session, Period.year(demo_year(today)))
    per_item = result.items.set_index("name")["loan_days"].to_dict()
    assert per_item == {
        "Kit robotique": 43,
        "Kit machine à voter": 2,
        "Centre multimédia mobile": 620,
        "Matériel vidéo": 30,
        "Kit rétrogaming": 4,
        "Pack réalité virtuelle / PS4": 14,
        "Vidéoprojecteur": 4,
        "Matériel FabLab": 35,
    }
    assert result.total_loan_days == 752
