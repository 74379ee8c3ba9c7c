"""The figure engine: one aggregate pass per family for many periods, equal to the areas' own functions period by
period, and cached per revision token so that a write is seen at once and other areas are not computed again."""

from __future__ import annotations

import datetime as dt

import pytest

from db import agenda, catalogue, clock, formations, materiel, register
from db.demo import demo_year, seed_demo
from db.models import EquipmentItem, Loan, Newsletter
from db.periods import Period, month_periods

TODAY = dt.date(2026, 11, 30)
YEAR = demo_year(TODAY)


@pytest.fixture
def demo(database):
    with clock.frozen(dt.datetime.combine(TODAY, dt.time(12))), database.transaction() as session:
        seed_demo(session, TODAY)
    return database


def periods() -> list[Period]:
    """A year, the one before, its months, a span across a new year and one day."""
    return [
        Period.year(YEAR),
        Period.year(YEAR - 1),
        *month_periods(Period.year(YEAR)),
        Period(dt.date(YEAR - 1, 11, 15), dt.date(YEAR, 2, 10)),
        Period(dt.date(YEAR, 5, 20), dt.date(YEAR, 5, 20)),
    ]


def test_batches_equal_the_areas_functions_period_by_period(demo):
    with clock.frozen(dt.datetime.combine(TODAY, dt.time(12))), demo.session() as session:
        loans = materiel.loan_totals(session, periods())
        sessions = formations.session_totals(session, periods(), TODAY)
        events = agenda.event_counts(session, periods())
        for n, period in enumerate(periods()):
            use = materiel.utilisation(session, period)
            assert (loans[n].loan_days, loans[n].interventions, loans[n].estimated_interventions) == (
                use.total_loan_days,
                use.total_interventions,
                use.estimated_interventions,
            ), period
            assert (loans[n].loans, loans[n].borrowers) == (int(use.items["loans"].sum()), len(use.borrowers))
            assert loans[n].rate == pytest.approx(use.rate) if use.total_available_days else loans[n].rate is None
            totals = formations.totals(formations.sessions_frame(session, formations.TrainingFilters(period)), TODAY)
            assert (sessions[n].sessions, sessions[n].trainings, sessions[n].participants) == (
                totals["sessions"],
                totals["trainings"],
                totals["participants"],
            ), period
            assert sessions[n].fill_rate == pytest.approx(totals["fill_rate"], nan_ok=True)
            assert sessions[n].attendance_rate == pytest.approx(totals["attendance_rate"], nan_ok=True)
            by_category = agenda.counts_by_category(session, agenda.EventFilters(period))
            assert events[n][0] == by_category["events"].sum(), period
        days = [p.end for p in periods()]
        standing = register.standing(session, days, days)
        for day, places in zip(days, standing, strict=True):
            assert places.places == len(register.versions_at(session, register.PLACES, day))


def test_one_query_per_family_whatever_the_number_of_periods(demo, monkeypatch):
    calls = []
    original = catalogue.FAMILIES["loans"]
    counted = catalogue.Family(
        original.name,
        original.area,
        lambda session, ps: calls.append(len(ps)) or original.compute(session, ps),
        original.first_record,
    )
    monkeypatch.setitem(catalogue.FAMILIES, "loans", counted)
    with demo.session() as session:
        catalogue.read_many(session, ["loan_days", "borrowers", "interventions"], periods())
        catalogue.read_many(session, ["loans"], periods()[:3])  # cached already
    assert calls == [len(periods())]


def test_a_write_is_seen_at_once_and_other_areas_stay_cached(demo, monkeypatch):
    year = Period.year(YEAR)
    computed = []
    for name, family in list(catalogue.FAMILIES.items()):

        def spy(session, ps, family=family):
            computed.append(family.name)
            return family.compute(session, ps)

        monkeypatch.setitem(catalogue.FAMILIES, name, catalogue.Family(name, family.area, spy, family.first_record))
    with demo.session() as session:
        before = {m.figure.key: m.current.value for m in catalogue.measures(session, year)}
    with demo.transaction() as session:
        item = session.query(EquipmentItem).first()
        session.add(Loan(item=item, units=1, borrower_name="Nouveau", start_date=dt.date(YEAR, 8, 10),
                         end_date=dt.date(YEAR, 8, 12), returned_on=dt.date(YEAR, 8, 12)))  # fmt: skip
    computed.clear()
    with demo.session() as session:
        after = {m.figure.key: m.current.value for m in catalogue.measures(session, year)}
    assert after["loan_days"] == before["loan_days"] + 3 and after["loans"] == before["loans"] + 1
    assert computed == ["loans"]  # the other families came from the cache
    # A write through another area's model replaces only that area's token.
    with demo.transaction() as session:
        session.add(Newsletter(name="Nouvelle lettre"))
    computed.clear()
    with demo.session() as session:
        catalogue.measures(session, year)
    assert sorted(computed) == ["audience", "issues"]
