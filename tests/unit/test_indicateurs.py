"""Indicateurs: the year-over-year change on fixed data, the period selector, and the figures equal to the areas'."""

import datetime as dt
import io

import openpyxl
import pytest

from db import catalogue, formations, lettres, materiel
from db import indicateurs as ind
from db.demo import demo_year, seed_demo
from db.models import EquipmentItem, Loan
from db.periods import Period
from db.spreadsheets import xlsx_bytes

TODAY = dt.date(2026, 11, 30)
YEAR = demo_year(TODAY)


@pytest.mark.parametrize(
    ("current", "previous", "absolute", "percent"),
    [
        (10, 8, 2, 25.0),
        (8, 10, -2, -20.0),
        (7, 7, 0, 0.0),
        (5, 0, 5, None),  # no percentage of nothing
        (0, 0, 0, None),
        (3, None, None, None),
        (None, 3, None, None),
        (752, 601, 151, 25.1),
    ],
)
def test_change_on_fixed_values(current, previous, absolute, percent):
    assert catalogue.change(current, previous) == catalogue.Change(absolute, percent)


def test_period_choices_and_their_periods():
    assert ind.period_from_choice("2024", TODAY) == Period.year(2024)
    # The current year stops today, so that it compares with the same dates a year earlier.
    current = ind.period_from_choice(str(TODAY.year), TODAY)
    assert current == Period(dt.date(2026, 1, 1), TODAY)
    assert current.previous_year() == Period(dt.date(2025, 1, 1), dt.date(2025, 11, 30))
    assert ind.period_from_choice("12m", TODAY) == Period(dt.date(2025, 12, 1), TODAY)
    assert ind.period_from_choice("2999", TODAY) == current  # a future year: today's, not dates to come
    for junk in (None, "", "abc"):
        assert ind.period_from_choice(junk, TODAY) == current
    values = [value for value, _label in ind.period_choices(TODAY)]
    assert values[0] == "2026" and "2021" in values and values[-1] == "12m"


def test_month_and_year_periods_are_clipped_to_the_period():
    months = ind.month_periods(Period(dt.date(2025, 1, 15), dt.date(2025, 3, 10)))
    assert months == [
        Period(dt.date(2025, 1, 15), dt.date(2025, 1, 31)),
        Period(dt.date(2025, 2, 1), dt.date(2025, 2, 28)),
        Period(dt.date(2025, 3, 1), dt.date(2025, 3, 10)),
    ]
    years = ind.year_periods(Period(dt.date(2026, 1, 1), TODAY), count=3)
    assert years == [Period.year(2024), Period.year(2025), Period(dt.date(2026, 1, 1), TODAY)]


def _lend(session, item, start, end, units=1):
    session.add(
        Loan(item=item, units=units, borrower_name="Médiathèque", start_date=start, end_date=end, returned_on=end)
    )


def test_year_over_year_comparison_on_fixed_loans(database):
    with database.transaction() as session:
        item = EquipmentItem(name="Tablettes", category="Tablettes", units=4)
        session.add(item)
        _lend(session, item, dt.date(2024, 3, 1), dt.date(2024, 3, 5))  # 5 days
        _lend(session, item, dt.date(2025, 3, 1), dt.date(2025, 3, 5), units=2)  # 10 days
        _lend(session, item, dt.date(2025, 12, 30), dt.date(2026, 1, 2))  # 2 days in 2025, 2 in 2026
    with database.session() as session:
        items = {m.figure.key: m for m in ind.compare_figures(session, Period.year(2025))}
        months = ind.series(session, "loan_days", ind.month_periods(Period.year(2025)))
        before = catalogue.read(session, "loan_days", Period.year(2023))
    loans = items["loan_days"]
    assert (loans.current.value, loans.previous.value) == (12, 5)
    assert loans.change == catalogue.Change(7, 140.0)
    assert items["borrowers"].current.value == 1
    assert list(months.points["value"]) == [0, 0, 10, 0, 0, 0, 0, 0, 0, 0, 0, 2]
    # Before the first loan the Matériel says nothing: unknown, not 0.
    assert before.value is None and "premiers enregistrements le 01/03/2024" in before.note
    # The places register was never filled: its figures are unknown, with the reason.
    assert items["places"].current.value is None and "registre vide" in items["places"].current.note.lower()


def test_every_figure_of_the_catalogue_is_in_a_mission(database):
    missions = {mission.key for mission in ind.MISSIONS}
    assert {figure.mission for figure in catalogue.CATALOGUE} <= missions
    with database.session() as session:
        keys = [m.figure.key for m in ind.compare_figures(session, Period.year(2025))]
    assert sorted(keys) == sorted(catalogue.BY_KEY)


def test_indicateurs_figures_equal_the_area_figures_on_the_demo(database):
    with database.transaction() as session:
        seed_demo(session, TODAY)
    period = Period.year(YEAR)
    with database.session() as session:
        measures = {m.figure.key: m for m in ind.compare_figures(session, period)}
        use = materiel.utilisation(session, period)
        trainings = formations.totals(formations.sessions_frame(session, formations.TrainingFilters(period)), TODAY)
        area = {
            "subscribers": lettres.newsletter_reach_figure(session, period).value,
            "newsletter_issues": lettres.issue_count_figure(session, period).value,
            "loan_days": use.total_loan_days,
            "borrowers": len(use.borrowers),
            "interventions": use.total_interventions,
            "equipment_utilisation": round(100 * use.rate, 1),
            "trainings": trainings["trainings"],
            "sessions": trainings["sessions"],
            "participants": trainings["participants"],
        }
        monthly = ind.series(session, "loan_days", ind.month_periods(period)).points["value"].sum()
        sheets = ind.export_sheets(session, period)
    figures = {key: m.current.value for key, m in measures.items()}
    assert {key: figures[key] for key in area} == area
    assert figures["loan_days"] == 752 and figures["subscribers"] == 916
    assert monthly == 752  # the loan-day rule adds up month by month
    assert measures["interventions"].current.estimated and "estimées" in measures["interventions"].current.note
    # The exported key-figure sheet carries the same numbers, notes and the estimate flag.
    exported = sheets["Chiffres clés"].set_index("Indicateur")
    assert exported.loc["Jours de prêt de matériel", "Valeur"] == 752
    assert exported.loc["Interventions avec le matériel prêté", "Estimation"] == "oui"
    assert exported.loc["Lieux de médiation numérique", "Nature"] == "État à la date"


def test_workbook_has_a_sheet_per_panel(database):
    with database.session() as session:
        content = xlsx_bytes(ind.export_sheets(session, Period.year(2025)))
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["Chiffres clés", "Animation", "Visibilité", "Matériel", "Formation",
                                   "Politiques publiques", "Par année"]  # fmt: skip
    header = [cell.value for cell in workbook["Chiffres clés"][1]]
    assert header == ind.FIGURE_COLUMNS
    assert workbook["Matériel"].max_row == 13  # a header and twelve months
