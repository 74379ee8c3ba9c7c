"""The Département's monitoring view: key figures gathered from each area's own functions, never recomputed.

Figures are grouped by the missions of the association's convention with the Département. Every value, monthly
point or yearly point is the area's own figure function called for that period, so the Indicateurs, the annual
report and the area pages cannot disagree.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd
from sqlalchemy.orm import Session

from db import agenda, carte, clock, formations, lettres, materiel
from db.figures import KeyFigure
from db.periods import Period


@dataclass(frozen=True)
class FigureSource:
    """How to obtain one key figure for a period. `periodic=False`: the figure describes the records as they are
    now (e.g. the places file), so it has no value a year earlier and no series."""

    key: str
    mission: str
    compute: Callable[[Session, Period], KeyFigure]
    periodic: bool = True
    monthly: bool = True  # False: recorded per year, so charted by year only
    label: str | None = None  # for charts and exports when the area's label names the period


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


def _pick(figures: list[KeyFigure], key: str) -> KeyFigure:
    return next(figure for figure in figures if figure.key == key)


def _formations(key: str) -> Callable[[Session, Period], KeyFigure]:
    """One of the Formations page's key figures, for the period."""

    def compute(session: Session, period: Period) -> KeyFigure:
        # Sessions and participants come from the same computation: done once per period and read session.
        cache = session.info.setdefault("formation_figures", {})
        if period not in cache:
            frame = formations.sessions_frame(session, formations.TrainingFilters(period=period))
            cache[period] = formations.formation_figures(frame, clock.today())
        return _pick(cache[period], key)

    return compute


def _audience(indicator: str) -> Callable[[Session, Period], KeyFigure]:
    """An audience indicator of the Lettres: its latest figure recorded up to the end of the period."""
    return lambda session, period: lettres.audience_figure(session, indicator, as_of=period.end)


def borrowers_figure(session: Session, period: Period) -> KeyFigure:
    """Structures served: the borrowers of the Matériel's utilisation panel for the period."""
    use = materiel.utilisation(session, period)
    return KeyFigure(
        key="borrowers",
        label="Structures ayant emprunté du matériel",
        value=len(use.borrowers),
        source="Prêts de la période, hors annulés : emprunteurs distincts",
        as_of=materiel.loan_days_figure(session, period).as_of,
        detail=f"{use.total_interventions} interventions rendues possibles",
    )


def places_frame(session: Session) -> pd.DataFrame:
    """The Carte's list of every place with its freshness band (read once per read session)."""
    if "places" not in session.info:
        session.info["places"] = carte.search_places(session, carte.PlaceFilter(), clock.wall_clock(), False).places
    return session.info["places"]


def fresh_places_figure(session: Session, _period: Period) -> KeyFigure:
    """Places whose record is up to date by the Carte's freshness rule (updated less than 6 months ago)."""
    places = places_frame(session)
    fresh = int((places["freshness"] == carte.FRESHNESS[0].key).sum())
    share = round(100 * fresh / len(places)) if len(places) else 0
    return KeyFigure(
        key="fresh_places",
        label="Fiches de lieux à jour",
        value=fresh,
        source="Fiches des lieux : mises à jour il y a moins de 6 mois (règle de la Carte)",
        as_of=places["date_maj"].max() if len(places) else None,
        detail=f"{share} % des {len(places)} fiches",
    )


def covered_epcis_figure(session: Session, _period: Period) -> KeyFigure:
    """Intercommunalities (and communes) where the network has at least one place, as the Carte's filters list them."""
    communes, epcis = carte.territories(session)
    places = places_frame(session)
    return KeyFigure(
        key="epcis",
        label="Intercommunalités ayant un lieu",
        value=len(epcis),
        source="Fiches des lieux : intercommunalité et commune de chaque lieu",
        as_of=places["date_maj"].max() if len(places) else None,
        detail=f"{len(communes)} communes",
    )


FIGURE_SOURCES = (
    FigureSource("places", "animation", lambda session, _period: carte.place_count_figure(session), periodic=False),
    FigureSource("chat_utilisateurs_actifs", "animation", _audience("chat_utilisateurs_actifs"), monthly=False),
    FigureSource("wiki_pages", "animation", _audience("wiki_pages"), monthly=False),
    FigureSource("events", "visibilite", agenda.event_count_figure),
    FigureSource("newsletter_reach", "visibilite", lettres.newsletter_reach_figure),
    FigureSource("newsletter_issues", "visibilite", lettres.issue_count_figure, label="Lettres envoyées"),
    FigureSource("site_visiteurs_uniques", "visibilite", _audience("site_visiteurs_uniques")),
    FigureSource("loan_days", "materiel", materiel.loan_days_figure),
    FigureSource("borrowers", "materiel", borrowers_figure, monthly=False),  # structures served: a yearly count
    FigureSource("trainings", "formation", formations.training_figure),
    FigureSource("sessions", "formation", _formations("sessions")),
    FigureSource("participants", "formation", _formations("participants")),
    FigureSource("fresh_places", "politiques", fresh_places_figure, periodic=False),
    FigureSource("epcis", "politiques", covered_epcis_figure, periodic=False),
)
SOURCES_BY_KEY = {source.key: source for source in FIGURE_SOURCES}
HOME_KEYS = ("places", "events", "loan_days", "trainings", "newsletter_reach")  # one per area, for the Accueil


def key_figures(session: Session, period: Period) -> list[KeyFigure]:
    return [SOURCES_BY_KEY[key].compute(session, period) for key in HOME_KEYS]


# --- the period selector ------------------------------------------------------------------------------------------

LAST_12_MONTHS = "12m"


def period_choices(today: dt.date, years: int = 6) -> list[tuple[str, str]]:
    """(value, French label) of the periods offered: the current year to date, past years, the last 12 months."""
    choices = [(str(today.year), f"{today.year} (jusqu'au {today:%d/%m})")]
    choices += [(str(year), str(year)) for year in range(today.year - 1, today.year - years, -1)]
    return [*choices, (LAST_12_MONTHS, "12 derniers mois")]


def period_from_choice(choice: str | int | None, today: dt.date) -> Period:
    """The period of a selector value. The current year stops today, so that it is compared with the same dates a
    year earlier rather than with a whole year; anything unreadable gives the current year."""
    if str(choice) == LAST_12_MONTHS:
        return Period(Period(today, today).previous_year().start + dt.timedelta(days=1), today)
    try:
        year = int(choice)
    except (TypeError, ValueError):
        year = today.year
    if year >= today.year:
        return Period(dt.date(today.year, 1, 1), today)
    return Period.year(year)


# --- comparison with the same period a year earlier ---------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    absolute: float | None
    percent: float | None  # None when there is nothing to compare with (no previous value, or it was 0)


def change(current: float | None, previous: float | None) -> Change:
    """Change from `previous` to `current`: the difference, and the percentage when the previous value is not 0."""
    if current is None or previous is None:
        return Change(None, None)
    difference = current - previous
    return Change(difference, round(100 * difference / previous, 1) if previous else None)


@dataclass(frozen=True)
class Comparison:
    mission: str
    current: KeyFigure
    previous: KeyFigure | None  # None for figures that do not depend on the period

    @property
    def change(self) -> Change:
        return change(self.current.value, self.previous.value if self.previous else None)


def compare_figures(session: Session, period: Period) -> list[Comparison]:
    """Every key figure for the period and for the same period a year earlier, in mission order."""
    earlier = period.previous_year()
    out = []
    for mission in MISSIONS:
        for source in FIGURE_SOURCES:
            if source.mission != mission.key:
                continue
            previous = source.compute(session, earlier) if source.periodic else None
            out.append(Comparison(mission.key, source.compute(session, period), previous))
    return out


# --- series for the charts ----------------------------------------------------------------------------------------


def month_periods(period: Period) -> list[Period]:
    """The calendar months that meet the period, each clipped to it."""
    out, first = [], period.start.replace(day=1)
    while first <= period.end:
        following = dt.date(first.year + first.month // 12, first.month % 12 + 1, 1)
        out.append(Period(max(first, period.start), min(following - dt.timedelta(days=1), period.end)))
        first = following
    return out


def year_periods(period: Period, count: int = 5) -> list[Period]:
    """The `count` calendar years ending with the year the period ends in, the last one stopping with the period
    (a year still running is counted up to the period's end, not over dates to come)."""
    last = period.end.year
    years = [Period.year(year) for year in range(last - count + 1, last + 1)]
    return [*years[:-1], Period(years[-1].start, period.end)]


@dataclass(frozen=True)
class Series:
    key: str
    label: str  # the area's label of the figure
    points: pd.DataFrame  # columns `start`, `end`, `value`


def series(session: Session, key: str, periods: list[Period]) -> Series:
    """One figure over consecutive periods, each point being the area's figure for that period."""
    source = SOURCES_BY_KEY[key]
    figures = [source.compute(session, p) for p in periods]
    points = pd.DataFrame(
        [{"start": p.start, "end": p.end, "value": f.value} for p, f in zip(periods, figures, strict=True)],
        columns=["start", "end", "value"],
    )
    return Series(key, source.label or (figures[0].label if figures else key), points)


def periodic_keys(mission: str | None = None, monthly: bool = False) -> list[str]:
    """Keys of the figures that have series (only those recorded per month when `monthly`)."""
    return [
        s.key
        for s in FIGURE_SOURCES
        if s.periodic and (s.monthly or not monthly) and (mission is None or s.mission == mission)
    ]


# --- exports ------------------------------------------------------------------------------------------------------

FIGURE_COLUMNS = [
    "Mission",
    "Indicateur",
    "Période",
    "Valeur",
    "Même période un an plus tôt",
    "Évolution",
    "Évolution (%)",
    "Unité",
    "Détail",
    "Source",
    "Dernier enregistrement",
]


def file_stem(period: Period) -> str:
    """A file name part for the period: "2025", or "2024-12-01_2025-11-30"."""
    return period.label if period.label.isdigit() else f"{period.start:%Y-%m-%d}_{period.end:%Y-%m-%d}"


def figures_frame(comparisons: list[Comparison], period: Period) -> pd.DataFrame:
    """The key-figure table as exported (CSV, first sheet of the workbook)."""
    rows = []
    for item in comparisons:
        as_of = item.current.as_of
        rows.append(
            [
                MISSION_TITLES[item.mission],
                item.current.label,
                period.label,
                item.current.value,
                item.previous.value if item.previous else None,
                item.change.absolute,
                item.change.percent,
                item.current.unit,
                item.current.detail,
                item.current.source,
                as_of.date() if isinstance(as_of, dt.datetime) else as_of,
            ]
        )
    return pd.DataFrame(rows, columns=FIGURE_COLUMNS)


def series_frame(session: Session, keys: list[str], periods: list[Period]) -> pd.DataFrame:
    """Figures side by side, one row per period (a sheet of the workbook)."""
    frame = pd.DataFrame({"Début": [p.start for p in periods], "Fin": [p.end for p in periods]})
    for key in keys:
        figure_series = series(session, key, periods)
        frame[figure_series.label] = figure_series.points["value"].to_numpy()
    return frame


def workbook_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    """One XLSX workbook, a sheet per panel, columns sized to their content."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame.to_excel(writer, sheet_name=name[:31], index=False)
            sheet = writer.sheets[name[:31]]
            for column in sheet.columns:
                width = max(len(str(cell.value or "")) for cell in column)
                sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 60)
    return buffer.getvalue()


SHEET_NAMES = {
    "animation": "Animation",
    "visibilite": "Visibilité",
    "materiel": "Matériel",
    "formation": "Formation",
    "politiques": "Politiques publiques",
}


def export_sheets(session: Session, period: Period) -> dict[str, pd.DataFrame]:
    """Every panel of the Indicateurs page as a table: the key figures, each mission's months, the last years."""
    sheets = {"Chiffres clés": figures_frame(compare_figures(session, period), period)}
    months = month_periods(period)
    for mission in MISSIONS:
        keys = periodic_keys(mission.key, monthly=True)
        if keys:
            sheets[SHEET_NAMES[mission.key]] = series_frame(session, keys, months)
    sheets["Par année"] = series_frame(session, periodic_keys(), year_periods(period))
    return sheets
