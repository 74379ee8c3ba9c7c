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

from db import agenda, carte, clock, formations, lettres, materiel, register, revisions
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
    """What a figure's family reads for one period."""

    value: float | int | None
    last_record: dt.date | None
    detail: str = ""
    note: str = ""
    estimated: bool = False


# A family computes several figures for many periods from one pass over the same records:
# (session, periods) → for each period, {figure key: Reading}.
FamilyCompute = Callable[[Session, list[Period]], list[dict[str, Reading]]]


@dataclass(frozen=True)
class Family:
    name: str
    area: str  # the revision token (db/revisions.py) its results are cached under
    compute: FamilyCompute
    first_record: Callable[[Session], dt.date | None] | None = None  # before it a flow or rate is unknown, not 0


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    kind: Kind
    mission: str  # the Indicateurs' grouping (db.indicateurs.MISSIONS)
    source: str
    family: str
    unit: str = ""
    by_month: bool = True  # False: recorded per year, so charted by year only
    month_label: str = ""  # what one month's value is, when it is not the label's figure for a month

    def chart_title(self, by_year: bool) -> str:
        if by_year:
            return f"{self.label}, par année" if self.kind == Kind.MONTHLY else f"{self.label} par année"
        return self.month_label or f"{self.label} par mois"


def _as_of(period: Period, today: dt.date) -> dt.date:
    """The day a stock is read at: the period's last day, today at the latest (the future has no state yet)."""
    return min(period.end, today)


def _day(value) -> dt.date | None:
    return None if value is None else clock.local_date(value)


def _from_key_figure(figure: KeyFigure) -> Reading:
    return Reading(figure.value, _day(figure.as_of), figure.detail, figure.note, figure.estimated)


# --- the families: each reads its records through the area's own rules, for all the periods at once -------------


def _places(session: Session, periods: list[Period]) -> list[dict[str, Reading]]:
    today = clock.today()
    days = [_as_of(period, today) for period in periods]
    fresh_since = [carte.months_before(day, FRESH.max_months) for day in days]
    unknown = register.unknown_before(register.tracked_since(session, register.PLACES))
    out = []
    for day, standing in zip(days, register.standing(session, days, fresh_since), strict=True):
        if standing is None:
            out.append(dict.fromkeys(("places", "fresh_places", "epcis"), Reading(None, None, note=unknown)))
            continue
        share = round(100 * standing.fresh / standing.places) if standing.places else 0
        last = standing.last_update
        out.append(
            {
                "places": Reading(standing.places, last),
                "fresh_places": Reading(
                    standing.fresh, last, f"{share} % des {standing.places} fiches au {day:%d/%m/%Y}"
                ),
                "epcis": Reading(standing.epcis, last, f"{standing.communes} communes"),
            }
        )
    return out


def _events(session: Session, periods: list[Period]) -> list[dict[str, Reading]]:
    return [{"events": Reading(count, last)} for count, last in agenda.event_counts(session, periods)]


def _loans(session: Session, periods: list[Period]) -> list[dict[str, Reading]]:
    out = []
    for totals in materiel.loan_totals(session, periods):
        last, imputed, total = totals.last_day, totals.estimated_interventions, totals.interventions
        if totals.rate is None:
            utilisation = Reading(None, last, note="Aucun matériel au catalogue sur la période.")
        else:
            availability = totals.availability
            utilisation = Reading(
                round(100 * totals.rate, 1), last, note=availability.note, estimated=availability.estimated
            )
        out.append(
            {
                "loan_days": Reading(totals.loan_days, last, f"{totals.loans} prêt{'s' if totals.loans > 1 else ''}"),
                "loans": Reading(totals.loans, last),
                "borrowers": Reading(totals.borrowers, last),
                "interventions": Reading(
                    total, last, note=f"{imputed} des {total} interventions estimées. {materiel.INTERVENTIONS_RULE}",
                    estimated=True,
                ) if imputed else Reading(total, last),
                "equipment_utilisation": utilisation,
            }
        )  # fmt: skip
    return out


def _percent(value: float | None) -> int | None:
    """A rate as the Formations show it (formations.formation_figures): a whole percentage."""
    return None if value is None else round(100 * value)


def _sessions(session: Session, periods: list[Period]) -> list[dict[str, Reading]]:
    return [
        {
            "trainings": Reading(totals.trainings, totals.last),
            # The sessions' detail (trainings, hours) adds to the source; the others' would repeat it.
            "sessions": Reading(totals.sessions, totals.last, f"{totals.trainings} formations · {totals.hours} h"),
            "participants": Reading(totals.participants, totals.last),
            "fill_rate": Reading(_percent(totals.fill_rate), totals.last),
            "attendance_rate": Reading(_percent(totals.attendance_rate), totals.last),
        }
        for totals in formations.session_totals(session, periods, clock.today())
    ]


def _issues(session: Session, periods: list[Period]) -> list[dict[str, Reading]]:
    out = []
    for sent, opened in lettres.issue_figures(session, periods):
        if opened.value is None:
            rate = Reading(None, _day(opened.as_of), note="Aucun envoi avec statistiques d'ouverture sur la période.")
        else:
            rate = Reading(opened.value, _day(opened.as_of), opened.source)
        out.append({"newsletter_issues": _from_key_figure(sent), "newsletter_open_rate": rate})
    return out


def _audience(session: Session, periods: list[Period]) -> list[dict[str, Reading]]:
    columns = {
        "subscribers": lettres.newsletter_reach_figures(session, periods),
        "chat_active_users": lettres.latest_record_figures(session, "chat_utilisateurs_actifs", periods),
        "wiki_pages": lettres.latest_record_figures(session, "wiki_pages", periods),
        "site_visitors_month_mean": lettres.monthly_statistic_figures(session, VISITORS, periods, "mean"),
        "site_visitors_month_max": lettres.monthly_statistic_figures(session, VISITORS, periods, "max"),
    }
    return [{key: _from_key_figure(figures[n]) for key, figures in columns.items()} for n in range(len(periods))]


VISITORS = "site_visiteurs_uniques"
FRESH = carte.FRESHNESS[0]

FAMILIES = {
    family.name: family
    for family in (
        Family("places", revisions.PLACES, _places),
        Family("events", revisions.AGENDA, _events, agenda.first_occurrence_day),
        Family("loans", revisions.MATERIEL, _loans, materiel.first_loan_day),
        Family("sessions", revisions.FORMATIONS, _sessions, formations.first_session_day),
        Family("issues", revisions.LETTRES, _issues, lettres.first_issue_day),
        Family("audience", revisions.LETTRES, _audience),
    )
}
# Rates of a family with a first record are unknown before it too, except the utilisation rate, which reads the
# catalogue (no loans yet: 0 %, not unknown).
BEFORE_FIRST_RECORD_KNOWN = {"equipment_utilisation"}

CATALOGUE: tuple[Figure, ...] = (
    # Animation du réseau
    Figure("places", "Lieux de médiation numérique", Kind.STOCK, "animation",
           "Registre des lieux de la carte (standard national), tel qu'il était à la date", "places"),
    Figure("chat_active_users", "Utilisateurs actifs du chat", Kind.STOCK, "animation",
           "Relevé annuel de la messagerie du réseau", "audience", by_month=False),
    Figure("wiki_pages", "Pages du wiki", Kind.STOCK, "animation", "Relevé annuel du wiki du réseau", "audience",
           by_month=False),
    # Visibilité des acteurs
    Figure("events", "Événements publiés", Kind.FLOW, "visibilite",
           "Agenda : événements ayant une date dans la période (jours en heure locale), hors annulés", "events"),
    Figure("subscribers", "Abonnés aux lettres d'information", Kind.STOCK, "visibilite",
           "Dernier relevé d'abonnés de la période pour chaque lettre, sommé", "audience"),
    Figure("newsletter_issues", "Lettres envoyées", Kind.FLOW, "visibilite", "Envois enregistrés", "issues"),
    Figure("newsletter_open_rate", "Taux d'ouverture des lettres", Kind.RATE, "visibilite",
           "Ouvertures / destinataires des envois ayant des statistiques (moyenne pondérée)", "issues", unit="%"),
    Figure("site_visitors_month_mean", "Visiteurs uniques du site par mois (moyenne)", Kind.MONTHLY, "visibilite",
           "Relevés mensuels de l'outil de mesure d'audience : moyenne des mois complets de la période", "audience",
           month_label="Visiteurs uniques du site, relevé de chaque mois"),
    Figure("site_visitors_month_max", "Visiteurs uniques du site par mois (maximum)", Kind.MONTHLY, "visibilite",
           "Relevés mensuels de l'outil de mesure d'audience : meilleur mois complet de la période", "audience",
           by_month=False),
    # Prêt de matériel
    Figure("loan_days", "Jours de prêt de matériel", Kind.FLOW, "materiel",
           "Prêts enregistrés (jours calendaires, bornes incluses, × unités), hors annulés", "loans"),
    Figure("loans", "Prêts de matériel", Kind.FLOW, "materiel",
           "Prêts occupant au moins un jour de la période, hors annulés", "loans"),
    Figure("borrowers", "Structures ayant emprunté du matériel", Kind.FLOW, "materiel",
           "Prêts de la période, hors annulés : emprunteurs distincts", "loans"),
    Figure("interventions", "Interventions avec le matériel prêté", Kind.FLOW, "materiel",
           "Nombre saisi sur chaque prêt, réparti sur ses jours ; à défaut une par jour de prêt", "loans"),
    Figure("equipment_utilisation", "Taux d'occupation du matériel", Kind.RATE, "materiel",
           "Jours de prêt / jours où chaque article était au catalogue × ses unités", "loans", unit="%"),
    # Formation
    Figure("trainings", "Formations et interventions", Kind.FLOW, "formation",
           "Formations ayant une session dans la période", "sessions"),
    Figure("sessions", "Sessions", Kind.FLOW, "formation", "Sessions de formation de la période", "sessions"),
    Figure("participants", "Participants", Kind.FLOW, "formation",
           "Présents, comptés une fois par session (liste des participants si elle existe, sinon comptes saisis)",
           "sessions"),
    Figure("fill_rate", "Taux de remplissage", Kind.RATE, "formation",
           "Inscrits / places, sessions ayant une capacité", "sessions", unit="%"),
    Figure("attendance_rate", "Taux de présence", Kind.RATE, "formation",
           "Présents / inscrits, sessions tenues", "sessions", unit="%"),
    # Appui aux politiques publiques
    Figure("fresh_places", "Fiches de lieux à jour", Kind.STOCK, "politiques",
           f"Registre des lieux : fiches mises à jour depuis moins de {FRESH.max_months} mois à la date "
           "(règle de la Carte)", "places"),
    Figure("epcis", "Intercommunalités ayant un lieu", Kind.STOCK, "politiques",
           "Registre des lieux : intercommunalité de chaque lieu à la date", "places"),
)  # fmt: skip
BY_KEY = {figure.key: figure for figure in CATALOGUE}


# --- the engine: one computation per family, periods and data revision, shared by every page and worker thread ----


CACHE = revisions.Cache()


def _family_readings(session: Session, family: Family, periods: list[Period]) -> dict[Period, dict[str, Reading]]:
    """The family's readings for the periods: from the cache, else one computation for those missing."""
    scope = revisions.scope(session, [family.area])
    cache = CACHE if scope is not None else revisions.Cache(0)  # not cached: see revisions.scope
    scope = (*(scope or ()), family.name)
    today = clock.today()
    out, missing = {}, []
    for period in dict.fromkeys(periods):
        cached = cache.get((*scope, period, today))
        if cached is None:
            missing.append(period)
        else:
            out[period] = cached
    if missing:
        since = cache.get((*scope, "first_record"))
        if since is None and family.first_record:
            since = family.first_record(session) or NO_RECORD
            cache.put((*scope, "first_record"), since)
        computed = family.compute(session, missing)
        for period, readings in zip(missing, computed, strict=True):
            readings = _before_first_record(readings, period, since)
            cache.put((*scope, period, today), readings)
            out[period] = readings
    return out


NO_RECORD = "none"  # the cached answer of a family without any record yet


def _before_first_record(readings: dict[str, Reading], period: Period, since) -> dict[str, Reading]:
    """A flow or rate before its area's first record is unknown, not 0; one that starts inside the period says so."""
    if since is None:
        return readings
    out = {}
    for key, reading in readings.items():
        if key in BEFORE_FIRST_RECORD_KNOWN:
            out[key] = reading
        elif since == NO_RECORD:
            out[key] = Reading(None, None, note="Aucun enregistrement.")
        elif period.end < since:
            out[key] = Reading(None, None, note=f"Inconnu : premiers enregistrements le {since:%d/%m/%Y}.")
        elif period.start < since:
            extra = f"Enregistrements à partir du {since:%d/%m/%Y}."
            out[key] = reading._replace(note=f"{reading.note} {extra}".strip())
        else:
            out[key] = reading
    return out


def read_many(session: Session, keys: Iterable[str], periods: list[Period]) -> dict[tuple[str, Period], KeyFigure]:
    """The figures `keys` for every period: each family computed once (one pass over its records for all the
    periods not cached yet)."""
    keys = list(dict.fromkeys(keys))
    by_family: dict[str, list[str]] = {}
    for key in keys:
        by_family.setdefault(BY_KEY[key].family, []).append(key)
    out = {}
    for name, family_keys in by_family.items():
        readings = _family_readings(session, FAMILIES[name], periods)
        for period in periods:
            for key in family_keys:
                out[key, period] = _key_figure(BY_KEY[key], readings[period][key])
    return out


def _key_figure(figure: Figure, reading: Reading) -> KeyFigure:
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


def read(session: Session, key: str, period: Period) -> KeyFigure:
    """The figure `key` for the period, as every page, export and document shows it."""
    return read_many(session, [key], [period])[key, period]


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
    return measures(session, period, [key])[0]


def measures(session: Session, period: Period, keys: Iterable[str] | None = None) -> list[Measure]:
    keys = list(keys or BY_KEY)
    earlier = period.previous_year()
    figures = read_many(session, keys, [period, earlier])
    return [Measure(BY_KEY[key], period, figures[key, period], earlier, figures[key, earlier]) for key in keys]


def series(session: Session, key: str, periods: list[Period]) -> list[KeyFigure]:
    """The figure over consecutive periods (months or years), each point being the figure for that period."""
    figures = read_many(session, [key], periods)
    return [figures[key, period] for period in periods]


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
