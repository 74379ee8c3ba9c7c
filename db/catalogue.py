"""The figure catalogue: every figure the Département reads (Accueil, Indicateurs, annual report, projection, their
exports, `flask figures` and /api/v1/indicateurs.json), defined once here and computed by one function.

Each figure has a kind, which fixes how it is compared, like for like:
- flow: a count or a sum over the period (loans, loan-days, events, participants); compared with the same span one
  year earlier. Before an area's first record the figure is unknown (None), not 0.
- stock: what stood on the period's last day, today at the latest (places, subscribers); compared with the same
  date a year earlier. From the register's history (places) it is unknown before the history starts; from dated
  records (subscribers, yearly audience counts) it is the latest record inside the period, never an older one
  carried forward.
- monthly: the mean or the maximum of the monthly records over the period's complete months (visitors); compared
  with the same months a year earlier.
- rate: a ratio over the period (fill, attendance, open rate, utilisation); compared with the same span a year
  earlier.
A figure without any record in its period is None with a note, and charts leave a gap there, never a 0. A figure
that includes imputed values says so (`estimated`, and the rule in its note).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from sqlalchemy.orm import Session

from db import agenda, carte, clock, formations, lettres, materiel, register
from db.figures import KeyFigure
from db.periods import Period


class Kind(StrEnum):
    FLOW = "flow"
    STOCK = "stock"
    MONTHLY = "monthly"
    RATE = "rate"


KIND_LABELS = {
    Kind.FLOW: "Flux sur la période",
    Kind.STOCK: "État à la date",
    Kind.MONTHLY: "Statistique mensuelle",
    Kind.RATE: "Taux sur la période",
}
COMPARED_WITH = {
    Kind.FLOW: "la même durée un an plus tôt",
    Kind.STOCK: "la même date un an plus tôt",
    Kind.MONTHLY: "les mêmes mois un an plus tôt",
    Kind.RATE: "la même durée un an plus tôt",
}


class Reading(NamedTuple):
    """What a figure's function reads for one period."""

    value: float | int | None
    last_record: dt.date | None
    detail: str = ""
    note: str = ""
    estimated: bool = False


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    kind: Kind
    mission: str  # the Indicateurs' grouping (db.indicateurs.MISSIONS)
    source: str
    read: Callable[[Session, Period], Reading]
    unit: str = ""
    # The day an area's records begin, before which a flow or a rate is unknown rather than 0.
    first_record: Callable[[Session], dt.date | None] | None = None
    by_month: bool = True  # False: recorded per year, so charted by year only
    month_label: str = ""  # what one month's value is, when it is not the label's figure for a month

    def chart_title(self, by_year: bool) -> str:
        if by_year:
            return f"{self.label}, par année" if self.kind == Kind.MONTHLY else f"{self.label} par année"
        return self.month_label or f"{self.label} par mois"


def _memo(session: Session, key: tuple, compute: Callable[[], object]):
    """One computation per read session (e.g. per period), shared by the figures drawn from it."""
    cache = session.info.setdefault("catalogue", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def _as_of(period: Period) -> dt.date:
    """The day a stock is read at: the period's last day, today at the latest (the future has no state yet)."""
    return min(period.end, clock.today())


def _day(value) -> dt.date | None:
    return None if value is None else clock.local_date(value)


# --- the areas' figures, each read through the area's own rules --------------------------------------------------


def _events(session: Session, period: Period) -> Reading:
    count, last = agenda.event_count(session, period)
    return Reading(count, last)


def _loans_of(session: Session, period: Period) -> materiel.LoanTotals:
    return _memo(session, ("loans", period), lambda: materiel.loan_totals(session, period))


def _loan_days(session: Session, period: Period) -> Reading:
    totals = _loans_of(session, period)
    return Reading(totals.loan_days, totals.last_day, f"{totals.loans} prêt{'s' if totals.loans > 1 else ''}")


def _loans(session: Session, period: Period) -> Reading:
    totals = _loans_of(session, period)
    return Reading(totals.loans, totals.last_day)


def _borrowers(session: Session, period: Period) -> Reading:
    totals = _loans_of(session, period)
    return Reading(totals.borrowers, totals.last_day)


def _interventions(session: Session, period: Period) -> Reading:
    totals = _loans_of(session, period)
    imputed, total = totals.estimated_interventions, totals.interventions
    if not imputed:
        return Reading(total, totals.last_day)
    return Reading(
        total, totals.last_day, note=f"{imputed} des {total} interventions estimées. {materiel.INTERVENTIONS_RULE}",
        estimated=True,
    )  # fmt: skip


def _utilisation(session: Session, period: Period) -> Reading:
    totals = _loans_of(session, period)
    if totals.rate is None:
        return Reading(None, totals.last_day, note="Aucun matériel au catalogue sur la période.")
    availability = totals.availability
    return Reading(
        round(100 * totals.rate, 1), totals.last_day, note=availability.note, estimated=availability.estimated
    )  # fmt: skip


def _sessions(session: Session, period: Period) -> dict[str, KeyFigure]:
    """The Formations' own key figures (sessions, participants, rates) and the number of trainings."""

    def compute():
        frame = formations.sessions_frame(session, formations.TrainingFilters(period=period))
        figures = {figure.key: figure for figure in formations.formation_figures(frame, clock.today())}
        last = frame["date"].max().date() if len(frame) else None
        return figures | {"trainings": int(frame["training_id"].nunique()), "last": last}

    return _memo(session, ("sessions", period), compute)


def _formations(key: str) -> Callable[[Session, Period], Reading]:
    def read(session: Session, period: Period) -> Reading:
        figures = _sessions(session, period)
        if key == "trainings":
            return Reading(figures["trainings"], figures["last"])
        figure = figures[key]
        # The sessions' detail (trainings, hours) adds to the source; the others' repeat it.
        return Reading(figure.value, figures["last"], figure.detail if key == "sessions" else "")

    return read


def _from_key_figure(figure: KeyFigure) -> Reading:
    return Reading(figure.value, _day(figure.as_of), figure.detail, figure.note, figure.estimated)


def _subscribers(session: Session, period: Period) -> Reading:
    return _from_key_figure(lettres.newsletter_reach_figure(session, period))


def _issues(session: Session, period: Period) -> Reading:
    return _from_key_figure(lettres.issue_count_figure(session, period))


def _open_rate(session: Session, period: Period) -> Reading:
    figure = lettres.open_rate_figure(session, period)
    if figure.value is None:
        return Reading(None, _day(figure.as_of), note="Aucun envoi avec statistiques d'ouverture sur la période.")
    return Reading(figure.value, _day(figure.as_of), figure.source)


def _audience_record(indicator: str) -> Callable[[Session, Period], Reading]:
    return lambda session, period: _from_key_figure(lettres.latest_record_figure(session, indicator, period))


def _monthly(indicator: str, statistic: str) -> Callable[[Session, Period], Reading]:
    return lambda session, period: _from_key_figure(
        lettres.monthly_statistic_figure(session, indicator, period, statistic)
    )


def _places_at(session: Session, period: Period):
    """The places standing on the stock's day, from the register's history, or the note saying it is unknown."""
    day = _as_of(period)
    standing = _memo(session, ("places", day), lambda: register.versions_at(session, register.PLACES, day))
    if standing is None:
        return None, register.unknown_before(register.tracked_since(session, register.PLACES))
    return standing, ""


def _last_update(standing) -> dt.date | None:
    return standing["date_maj"].max() if len(standing) and standing["date_maj"].notna().any() else None


def _places(session: Session, period: Period) -> Reading:
    standing, note = _places_at(session, period)
    if standing is None:
        return Reading(None, None, note=note)
    return Reading(len(standing), _last_update(standing))


def _fresh_places(session: Session, period: Period) -> Reading:
    standing, note = _places_at(session, period)
    if standing is None:
        return Reading(None, None, note=note)
    day = _as_of(period)
    bands = [carte.freshness_of(maj, day) for maj in standing["date_maj"]]
    fresh = sum(band is carte.FRESHNESS[0] for band in bands)
    share = round(100 * fresh / len(standing)) if len(standing) else 0
    return Reading(fresh, _last_update(standing), f"{share} % des {len(standing)} fiches au {day:%d/%m/%Y}")


def _epcis(session: Session, period: Period) -> Reading:
    standing, note = _places_at(session, period)
    if standing is None:
        return Reading(None, None, note=note)
    communes = standing["insee"].dropna().nunique()
    return Reading(int(standing["epci_code"].dropna().nunique()), _last_update(standing), f"{communes} communes")


FRESH = carte.FRESHNESS[0]

CATALOGUE: tuple[Figure, ...] = (
    # Animation du réseau
    Figure("places", "Lieux de médiation numérique", Kind.STOCK, "animation",
           "Registre des lieux de la carte (standard national), tel qu'il était à la date", _places),
    Figure("chat_active_users", "Utilisateurs actifs du chat", Kind.STOCK, "animation",
           "Relevé annuel de la messagerie du réseau", _audience_record("chat_utilisateurs_actifs"), by_month=False),
    Figure("wiki_pages", "Pages du wiki", Kind.STOCK, "animation",
           "Relevé annuel du wiki du réseau", _audience_record("wiki_pages"), by_month=False),
    # Visibilité des acteurs
    Figure("events", "Événements publiés", Kind.FLOW, "visibilite",
           "Agenda : événements ayant une date dans la période (jours en heure locale), hors annulés", _events,
           first_record=agenda.first_occurrence_day),
    Figure("subscribers", "Abonnés aux lettres d'information", Kind.STOCK, "visibilite",
           "Dernier relevé d'abonnés de la période pour chaque lettre, sommé", _subscribers),
    Figure("newsletter_issues", "Lettres envoyées", Kind.FLOW, "visibilite", "Envois enregistrés", _issues,
           first_record=lettres.first_issue_day),
    Figure("newsletter_open_rate", "Taux d'ouverture des lettres", Kind.RATE, "visibilite",
           "Ouvertures / destinataires des envois ayant des statistiques (moyenne pondérée)", _open_rate, unit="%",
           first_record=lettres.first_issue_day),
    Figure("site_visitors_month_mean", "Visiteurs uniques du site par mois (moyenne)", Kind.MONTHLY, "visibilite",
           "Relevés mensuels de l'outil de mesure d'audience : moyenne des mois complets de la période",
           _monthly("site_visiteurs_uniques", "mean"), month_label="Visiteurs uniques du site, relevé de chaque mois"),
    Figure("site_visitors_month_max", "Visiteurs uniques du site par mois (maximum)", Kind.MONTHLY, "visibilite",
           "Relevés mensuels de l'outil de mesure d'audience : meilleur mois complet de la période",
           _monthly("site_visiteurs_uniques", "max"), by_month=False),
    # Prêt de matériel
    Figure("loan_days", "Jours de prêt de matériel", Kind.FLOW, "materiel",
           "Prêts enregistrés (jours calendaires, bornes incluses, × unités), hors annulés", _loan_days,
           first_record=materiel.first_loan_day),
    Figure("loans", "Prêts de matériel", Kind.FLOW, "materiel",
           "Prêts occupant au moins un jour de la période, hors annulés", _loans, first_record=materiel.first_loan_day),
    Figure("borrowers", "Structures ayant emprunté du matériel", Kind.FLOW, "materiel",
           "Prêts de la période, hors annulés : emprunteurs distincts", _borrowers,
           first_record=materiel.first_loan_day, by_month=False),
    Figure("interventions", "Interventions avec le matériel prêté", Kind.FLOW, "materiel",
           "Nombre saisi sur chaque prêt, réparti sur ses jours ; à défaut une par jour de prêt", _interventions,
           first_record=materiel.first_loan_day),
    Figure("equipment_utilisation", "Taux d'occupation du matériel", Kind.RATE, "materiel",
           "Jours de prêt / jours où chaque article était au catalogue × ses unités", _utilisation, unit="%"),
    # Formation
    Figure("trainings", "Formations et interventions", Kind.FLOW, "formation",
           "Formations ayant une session dans la période", _formations("trainings"),
           first_record=formations.first_session_day, by_month=False),
    Figure("sessions", "Sessions", Kind.FLOW, "formation", "Sessions de formation de la période",
           _formations("sessions"), first_record=formations.first_session_day),
    Figure("participants", "Participants", Kind.FLOW, "formation",
           "Présents, comptés une fois par session (liste des participants si elle existe, sinon comptes saisis)",
           _formations("participants"), first_record=formations.first_session_day),
    Figure("fill_rate", "Taux de remplissage", Kind.RATE, "formation",
           "Inscrits / places, sessions ayant une capacité", _formations("fill_rate"), unit="%",
           first_record=formations.first_session_day),
    Figure("attendance_rate", "Taux de présence", Kind.RATE, "formation",
           "Présents / inscrits, sessions tenues", _formations("attendance_rate"), unit="%",
           first_record=formations.first_session_day),
    # Appui aux politiques publiques
    Figure("fresh_places", "Fiches de lieux à jour", Kind.STOCK, "politiques",
           f"Registre des lieux : fiches mises à jour depuis moins de {FRESH.max_months} mois à la date "
           "(règle de la Carte)", _fresh_places),
    Figure("epcis", "Intercommunalités ayant un lieu", Kind.STOCK, "politiques",
           "Registre des lieux : intercommunalité de chaque lieu à la date", _epcis),
)  # fmt: skip
BY_KEY = {figure.key: figure for figure in CATALOGUE}


def read(session: Session, key: str, period: Period) -> KeyFigure:
    """The figure `key` for the period, as every page, export and document shows it."""
    figure = BY_KEY[key]

    def compute() -> KeyFigure:
        reading = _read_recorded(session, figure, period) if figure.first_record else figure.read(session, period)
        if reading.value is None and not reading.note:
            reading = reading._replace(note="Aucun enregistrement utilisable sur la période.")
        return KeyFigure(
            key=figure.key,
            label=figure.label,
            value=reading.value,
            source=figure.source,
            as_of=reading.last_record,
            unit=figure.unit,
            detail=reading.detail,
            note=reading.note,
            estimated=reading.estimated,
        )

    return _memo(session, ("figure", key, period), compute)


def _read_recorded(session: Session, figure: Figure, period: Period) -> Reading:
    """A flow before its area's first record is unknown, not 0; one that starts inside the period says so."""
    since = _memo(session, ("since", figure.key), lambda: figure.first_record(session))
    if since is None:
        return Reading(None, None, note="Aucun enregistrement.")
    if period.end < since:
        return Reading(None, None, note=f"Inconnu : premiers enregistrements le {since:%d/%m/%Y}.")
    reading = figure.read(session, period)
    if period.start < since:
        extra = f"Enregistrements à partir du {since:%d/%m/%Y}."
        return reading._replace(note=f"{reading.note} {extra}".strip())
    return reading


@dataclass(frozen=True)
class Change:
    absolute: float | None
    percent: float | None  # None when there is nothing to compare with (no previous value, or it was 0)
    points: bool = False  # a rate's change, in percentage points (a percentage of a percentage would mislead)

    def text(self, number: Callable[..., str]) -> str | None:
        """« +7 (+140,0 %) » or « +3,9 pts » with the caller's number format; None when not comparable."""
        if self.absolute is None:
            return None
        sign = "+" if self.absolute > 0 else ""
        if self.points:
            return f"{sign}{number(self.absolute, 1)}\u00a0pt{'s' if abs(self.absolute) >= 2 else ''}"
        text = f"{sign}{number(self.absolute)}"
        return text + (f" ({sign}{number(self.percent, 1)}\u00a0%)" if self.percent is not None else "")


def change(current: float | None, previous: float | None, rate: bool = False) -> Change:
    """Change from `previous` to `current`: the difference, and the percentage when the previous value is not 0;
    for a rate, the difference in points only."""
    if current is None or previous is None:
        return Change(None, None, rate)
    difference = current - previous
    if rate:
        return Change(round(difference, 1), None, True)
    return Change(difference, round(100 * difference / previous, 1) if previous else None)


@dataclass(frozen=True)
class Measure:
    """A figure for a period beside the same figure compared like for like (see the kinds)."""

    figure: Figure
    period: Period
    current: KeyFigure
    compared_to: Period
    previous: KeyFigure

    @property
    def change(self) -> Change:
        return change(self.current.value, self.previous.value, rate=self.figure.kind == Kind.RATE)


def measure(session: Session, key: str, period: Period) -> Measure:
    earlier = period.previous_year()
    return Measure(BY_KEY[key], period, read(session, key, period), earlier, read(session, key, earlier))


def measures(session: Session, period: Period, keys: Iterable[str] | None = None) -> list[Measure]:
    return [measure(session, key, period) for key in (keys or BY_KEY)]


def series(session: Session, key: str, periods: list[Period]) -> list[KeyFigure]:
    """The figure over consecutive periods (months or years), each point being the figure for that period."""
    return [read(session, key, period) for period in periods]


# --- the figures as data ------------------------------------------------------------------------------------------


def _number(value):
    if value is None:
        return None
    return int(value) if float(value).is_integer() else round(float(value), 2)


def document(session: Session, period: Period) -> dict:
    """Every figure of the catalogue for the period and its comparison, JSON-ready (ISO dates, numbers or null):
    what `flask figures` prints and /api/v1/indicateurs.json serves."""
    figures = []
    for item in measures(session, period):
        figures.append(
            {
                "key": item.figure.key,
                "label": item.figure.label,
                "kind": item.figure.kind.value,
                "unit": item.figure.unit,
                "value": _number(item.current.value),
                "previous": _number(item.previous.value),
                "source": item.figure.source,
                "last_record": _iso(item.current.as_of),
                "estimated": item.current.estimated,
                "note": item.current.note or None,
                "previous_note": item.previous.note or None,
                "mission": item.figure.mission,
            }
        )
    return {
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "compared_to": {"from": period.previous_year().start.isoformat(), "to": period.previous_year().end.isoformat()},
        "time_zone": clock.zone_name(),
        "generated_at": clock.utcnow().isoformat(timespec="seconds"),
        "figures": figures,
    }


def _iso(value) -> str | None:
    return None if value is None else clock.local_date(value).isoformat()
