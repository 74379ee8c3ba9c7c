"""The Département's monitoring view: the catalogue's figures (db/catalogue.py) grouped by mission, the period
selector, the series of the charts and the exports.

Nothing is computed here: every value, monthly point or yearly point is the catalogue's figure for that period, so
the Indicateurs, the annual report, the projection and `flask figures` cannot disagree.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy.orm import Session

from db import catalogue, clock
from db.catalogue import KIND_LABELS, Measure
from db.figures import KeyFigure
from db.periods import Period, month_periods, reporting_period


@dataclass(frozen=True)
class Mission:
    key: str
    title: str
    summary: str


MISSIONS = (
    Mission(
        "animation",
        "Animation du réseau et suivi partagé",
        "Le réseau des lieux de médiation numérique et son suivi partagé.",
    ),
    Mission(
        "visibilite",
        "Visibilité des acteurs : agenda, lettres, carte",
        "Faire connaître les acteurs : l'agenda des événements, les lettres d'information et la carte des lieux.",
    ),
    Mission(
        "materiel",
        "Prêt de matériel avec prise en main",
        "Le parc de matériel prêté aux structures, et sa prise en main par les équipes qui l’empruntent.",
    ),
    Mission(
        "formation",
        "Formation et montée en compétences",
        "Les formations, interventions et rencontres proposées aux médiateurs et aux aidants.",
    ),
    Mission(
        "politiques",
        "Appui aux politiques publiques",
        "Les données partagées avec le Département et ses partenaires pour piloter l'inclusion numérique.",
    ),
)
MISSION_TITLES = {mission.key: mission.title for mission in MISSIONS}
HOME_KEYS = ("places", "events", "loan_days", "participants", "subscribers")  # one per area, for the Accueil


def key_figures(session: Session, period: Period) -> list[KeyFigure]:
    return [catalogue.read(session, key, period) for key in HOME_KEYS]


# --- the period selector ------------------------------------------------------------------------------------------

LAST_12_MONTHS = "12m"


def period_choices(today: dt.date, years: int = 6) -> list[tuple[str, str]]:
    """(value, French label) of the periods offered: the current year to date, past years, the last 12 months."""
    choices = [(str(today.year), f"{today.year} (jusqu'au {today:%d/%m})")]
    choices += [(str(year), str(year)) for year in range(today.year - 1, today.year - years, -1)]
    return [*choices, (LAST_12_MONTHS, "12 derniers mois")]


def period_from_choice(choice: str | int | None, today: dt.date) -> Period:
    """The period of a selector value (see `reporting_period`); anything unreadable gives the current year."""
    if str(choice) == LAST_12_MONTHS:
        return Period(Period(today, today).previous_year().start + dt.timedelta(days=1), today)
    try:
        year = int(choice)
    except (TypeError, ValueError):
        year = today.year
    return reporting_period(min(year, today.year), today)


# --- figures by mission -------------------------------------------------------------------------------------------


def compare_figures(session: Session, period: Period, by_year: bool = False) -> list[Measure]:
    """Every figure of the catalogue for the period beside its comparison, in mission order. The periods its chart
    draws (the months of both years, or the last years) are computed with it: one pass per family of figures,
    whatever is drawn next."""
    order = {mission.key: n for n, mission in enumerate(MISSIONS)}
    keys = sorted(catalogue.BY_KEY, key=lambda key: order[catalogue.BY_KEY[key].mission])
    earlier = period.previous_year()
    months = [*month_periods(period), *month_periods(earlier)]
    for yearly in (False, True):
        charted = [key for key in keys if (by_year or not catalogue.BY_KEY[key].by_month) == yearly]
        if charted:
            catalogue.read_many(session, charted, [period, earlier, *(year_periods(period) if yearly else months)])
    return catalogue.measures(session, period, keys)


# --- series for the charts ----------------------------------------------------------------------------------------


def year_periods(period: Period, count: int = 5) -> list[Period]:
    """The `count` calendar years ending with the year the period ends in, the last one stopping with the period
    (a year still running is counted up to the period's end, not over dates to come)."""
    last = period.end.year
    years = [Period.year(year) for year in range(last - count + 1, last + 1)]
    return [*years[:-1], Period(years[-1].start, period.end)]


@dataclass(frozen=True)
class Series:
    key: str
    label: str  # the figure's
    title: str  # the chart's
    points: pd.DataFrame  # columns `start`, `end`, `value` (None where the figure is unknown: a gap, not a 0)


def series(session: Session, key: str, periods: list[Period], by_year: bool = False) -> Series:
    """One figure over consecutive periods (months, or years when `by_year`), each point being the catalogue's
    figure for that period."""
    figures = catalogue.series(session, key, periods)
    points = pd.DataFrame(
        {
            "start": [p.start for p in periods],
            "end": [p.end for p in periods],
            "value": pd.Series([f.value for f in figures], dtype=object),
        }
    )
    figure = catalogue.BY_KEY[key]
    return Series(key, figure.label, figure.chart_title(by_year), points)


def chart_keys(mission: str | None = None, monthly: bool = False) -> list[str]:
    """Keys of the figures charted (only those that have a meaning per month when `monthly`)."""
    return [
        f.key for f in catalogue.CATALOGUE if (f.by_month or not monthly) and (mission is None or f.mission == mission)
    ]


# --- exports ------------------------------------------------------------------------------------------------------

FIGURE_COLUMNS = [
    "Mission",
    "Indicateur",
    "Nature",
    "Période",
    "Valeur",
    "Unité",
    "Comparée à",
    "Valeur comparée",
    "Évolution",
    "Évolution (%)",
    "Détail",
    "Estimation",
    "Note",
    "Source",
    "Dernier enregistrement",
]


def file_stem(period: Period) -> str:
    """A file name part for the period: "2025", or "2024-12-01_2025-11-30"."""
    return period.label if period.label.isdigit() else f"{period.start:%Y-%m-%d}_{period.end:%Y-%m-%d}"


def figures_frame(measures: list[Measure], period: Period) -> pd.DataFrame:
    """The key-figure table as exported (CSV, first sheet of the workbook)."""
    rows = []
    for item in measures:
        current = item.current
        notes = [current.note] + ([f"{item.compared_to.label} : {item.previous.note}"] if item.previous.note else [])
        rows.append(
            [
                MISSION_TITLES[item.figure.mission],
                current.label,
                KIND_LABELS[item.figure.kind],
                period.label,
                current.value,
                current.unit,
                item.compared_to.label,
                item.previous.value,
                item.change.absolute,
                item.change.percent,
                current.detail,
                "oui" if current.estimated else "",
                " ".join(note for note in notes if note),
                current.source,
                clock.local_date(current.as_of) if current.as_of is not None else None,
            ]
        )
    # Object columns: a count stays 12, not 12.0, beside the unknown values of other rows.
    return pd.DataFrame(rows, columns=FIGURE_COLUMNS, dtype=object)


def series_frame(session: Session, keys: list[str], periods: list[Period], by_year: bool = False) -> pd.DataFrame:
    """Figures side by side, one row per period (a sheet of the workbook); empty cells where unknown."""
    frame = pd.DataFrame({"Début": [p.start for p in periods], "Fin": [p.end for p in periods]})
    for key in keys:
        figure_series = series(session, key, periods, by_year)
        frame[figure_series.label] = figure_series.points["value"].to_numpy()
    return frame


SHEET_NAMES = {
    "animation": "Animation",
    "visibilite": "Visibilité",
    "materiel": "Matériel",
    "formation": "Formation",
    "politiques": "Politiques publiques",
}


def export_sheets(session: Session, period: Period) -> dict[str, pd.DataFrame]:
    """Every panel of the Indicateurs page as a table: the key figures, each mission's months, the last years."""
    sheets = {"Chiffres clés": figures_frame(compare_figures(session, period, by_year=True), period)}
    months = month_periods(period)
    for mission in MISSIONS:
        keys = chart_keys(mission.key, monthly=True)
        if keys:
            sheets[SHEET_NAMES[mission.key]] = series_frame(session, keys, months)
    sheets["Par année"] = series_frame(session, chart_keys(), year_periods(period), by_year=True)
    return sheets
