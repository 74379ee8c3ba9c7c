"""The demo data set: the 2021 report's figures in the demo year, schema-valid places, no item lent twice."""

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path

import pytest
from opening_hours import OpeningHours
from sqlalchemy import select

from db import formations, register
from db.agenda import EventFilters, occurrences_frame
from db.carte import split_multi
from db.demo import DEMO_ACCOUNTS, all_day_dates, demo_year, seed_demo
from db.indicateurs import key_figures
from db.materiel import loan_days
from db.models import PLACE_MULTI_FIELDS, EquipmentItem, Loan, Newsletter, Place, PlaceValue
from db.periods import Period
from db.users import authenticate
from tests.conftest import need

TODAY = dt.date(2026, 11, 30)
YEAR = demo_year(TODAY)
SCHEMA = Path(__file__).resolve().parents[3] / "shared" / "data" / "standard-mediation-num_v1.0.2_schema.json"
LOAN_DAYS = {
    "Kit robotique": 43,
    "Kit machine à voter": 2,
    "Centre multimédia mobile": 620,
    "Matériel vidéo": 30,
    "Kit rétrogaming": 4,
    "Pack réalité virtuelle / PS4": 14,
    "Vidéoprojecteur": 4,
    "Matériel FabLab": 35,
}

ENUMERATED = ("services", "publics_specifiquement_adresses", "prise_en_charge_specifique", "frais_a_charge",
              "dispositif_programmes_nationaux", "modalites_acces", "modalites_accompagnement", "itinerance")  # fmt: skip


@pytest.fixture
def seeded(database):
    with database.transaction() as session:
        return seed_demo(session, TODAY)


def test_demo_year_and_accounts():
    assert YEAR == 2021  # the association's 2021: the seed year of the demo
    assert {role for _, _, role, _ in DEMO_ACCOUNTS} == {"admin", "coordinator", "viewer"}
    assert all(len(password) >= 10 for *_, password in DEMO_ACCOUNTS)


def test_loans_give_the_report_figures_without_over_lending(database, seeded):
    with database.session() as session:
        loans = session.scalars(select(Loan).where(Loan.cancelled_at.is_(None))).all()
        items = {item.id: item for item in session.scalars(select(EquipmentItem))}
    per_item = Counter()
    for loan in loans:
        per_item[items[loan.item_id].name] += (
            loan_days(loan.start_date, loan.end_date, loan.returned_on, Period.year(YEAR)) * loan.units
        )
        if loan.start_date.year == YEAR or loan.end_date.year == YEAR:
            assert loan.start_date.year == loan.end_date.year == YEAR and loan.returned_on == loan.end_date
    assert dict(per_item) == LOAN_DAYS and sum(per_item.values()) == 752
    # No item has more units out than it owns on any day; an overdue loan keeps its item until returned.
    out = Counter()
    for loan in loans:
        overdue = loan.returned_on is None and loan.end_date < TODAY
        last = TODAY + dt.timedelta(days=400) if overdue else loan.returned_on or loan.end_date
        for k in range((last - loan.start_date).days + 1):
            out[loan.item_id, loan.start_date + dt.timedelta(days=k)] += loan.units
    assert all(units <= items[item_id].units for (item_id, _), units in out.items())
    current = [loan for loan in loans if loan.end_date.year >= TODAY.year]
    assert 1 <= sum(loan.returned_on is None and loan.end_date < TODAY for loan in current) <= 2
    assert any(loan.start_date > TODAY for loan in current)
    assert any(loan.start_date <= TODAY <= loan.end_date and loan.returned_on is None for loan in current)
    assert all(loan.borrower_place_pk and loan.borrower_name for loan in loans)


def _enumeration(pattern: str) -> set[str]:
    inner = pattern.removeprefix("(?:(?:^|\\|)(").removesuffix("))+$")
    return {re.sub(r"\\(.)", r"\1", value) for value in inner.split("|")}


def test_places_follow_the_national_schema(database, seeded):
    need(SCHEMA.exists(), f"the national schema is expected at {SCHEMA}")
    fields = json.loads(SCHEMA.read_text())["fields"]
    patterns = {f["name"]: f["constraints"]["pattern"] for f in fields if "pattern" in f.get("constraints", {})}
    with database.session() as session:
        places = session.scalars(select(Place)).all()
        values = session.execute(select(PlaceValue.field, PlaceValue.value)).all()
    assert 75 <= len(places) <= 85
    for place in places:
        assert re.fullmatch(r"\d{5}", place.code_postal) and re.fullmatch(r"42\d{3}", place.code_insee)
        for field, pattern in patterns.items():
            value = getattr(place, field)
            assert value is None or re.fullmatch(pattern, value), (place.id, field, value)
        assert place.services and place.modalites_acces and place.frais_a_charge and place.typologie
        assert place.epci_code and place.epci_name and place.source == "Réseau démo"
    for field in ENUMERATED:  # every value of these enumerations occurs, so each filter finds places
        assert {v for f, v in values if f == field} == _enumeration(patterns[field]), field
    assert len(values) == sum(len(split_multi(getattr(p, f))) for p in places for f in PLACE_MULTI_FIELDS)
    flags = "|".join(p.autres_formations_labels or "" for p in places)
    assert all(flag in flags for flag in ("QPV", "FRR", "ZRR"))
    ages = [(TODAY - p.date_maj).days for p in places]
    bands = {0 if age < 183 else 1 if age < 365 else 2 if age < 548 else 3 for age in ages}
    assert bands == {0, 1, 2, 3} and min(ages) >= 0
    invalid = empty = 0
    for place in places:
        if not place.horaires:
            empty += 1
            continue
        try:
            OpeningHours(place.horaires)
        except Exception:  # noqa: BLE001 - any parser failure means "not OSM syntax"
            invalid += 1
    assert invalid == 2 and 3 <= empty <= 4


def test_figures_accounts_and_refusal(database, seeded):
    period = Period.year(YEAR)
    with database.session() as session:
        newsletters = session.scalars(select(Newsletter)).all()
        at_year_end = {
            n.name: max((s for s in n.snapshots if s.date <= period.end), key=lambda s: s.date).count
            for n in newsletters
        }
        aidants = formations.TrainingFilters(period=period, programme="Aidants Connect")
        present = formations.sessions_frame(session, aidants)["present"].tolist()
        figures = {f.key: f.value for f in key_figures(session, period)}
        previous = {f.key: f.value for f in key_figures(session, period.previous_year())}
    assert len(newsletters) == 4 and sum(at_year_end.values()) == 916
    assert at_year_end["La Lettre du réseau"] == 323 and at_year_end["Lettre FabLab"] == 55
    assert len(present) == 6 and sum(present) >= 110
    assert figures["loan_days"] == 752 and figures["subscribers"] == 916
    assert 60 <= figures["places"] <= 80 and 100 <= figures["events"] <= 140 and figures["participants"] >= 400
    assert 0 < previous["loan_days"] < 752 and 0 < previous["events"] < figures["events"]
    assert seeded["loans"] > 50 and seeded["event_occurrences"] > seeded["events"] and seeded["attendants"] > 0
    with database.transaction() as session:
        for email, _, role, password in DEMO_ACCOUNTS:
            assert authenticate(session, email, password).role == role
    with database.transaction() as session, pytest.raises(RuntimeError):
        seed_demo(session, TODAY)


def test_the_registers_have_a_believable_history(database, seeded):
    """The places entered over the years and some left; records were updated now and then; every register figure
    of a demo year is known (the history starts with the demo's first year)."""
    first_year = YEAR - 3
    with database.session() as session:
        assert register.tracked_since(session, register.PLACES) == dt.date(first_year, 1, 1)
        assert register.tracked_since(session, register.EQUIPMENT) == dt.date(first_year, 1, 1)
        counts = [
            len(register.versions_at(session, register.PLACES, dt.date(y, 12, 31))) for y in range(first_year, YEAR + 1)
        ]
        now = len(register.versions_at(session, register.PLACES, TODAY))
        places = session.scalars(select(Place)).all()
        start = register.versions_at(session, register.PLACES, dt.date(first_year, 1, 1))
    assert counts[0] < counts[-1] <= now == len(places)
    assert set(start["ref"]) - {p.pk for p in places}, "some places of the first file have closed since"
    assert start["date_maj"].max() <= dt.date(first_year, 1, 1), "a version holds the update date as it was then"


def test_all_day_events_in_past_and_coming_months(database, seeded):
    with database.session() as session:
        frame = occurrences_frame(session, EventFilters())
    whole = frame[frame["all_day"]]
    assert len(whole) == len(all_day_dates(TODAY)) == 7
    days = whole["start"].dt.tz_convert("Europe/Paris")
    assert (days.dt.hour == 0).all() and ((whole["end"] - whole["start"]).dt.days.isin([1, 3])).all()
    assert (days.dt.date < TODAY).sum() == 5 and (days.dt.date > TODAY).sum() == 2
    assert set(whole["title"]) == {
        "Fête du numérique de la Loire",
        "Forum de l'inclusion numérique",
        "Journée des aidants numériques",
        "Portes ouvertes du FabLab de Bellevue",
        "Village numérique du Roannais",
    }


def test_the_demo_ships_the_loire_ifn_with_every_commune_in_its_epci(database, seeded):
    from db import carte

    with database.session() as session:
        frame = carte.offer_and_fragility(session)
    assert len(frame) == 323 and frame["epci"].notna().all()  # every Loire commune, from the public IFN file
    by_epci = carte.fragility_by_epci(frame)
    assert "Sans intercommunalité connue" not in set(by_epci["epci"])
    assert by_epci["communes"].sum() == 323 and by_epci["places"].sum() > 0
