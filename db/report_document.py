"""The annual report of a year as the convention lays it out, assembled from the records: a cover, the summary of
every figure by mission, then axis by axis each mission with its catalogue figures beside the year before, the
year's dated actions (and the trainings, events and loans attached to the mission) with their partners and
participants, the tables behind its figures and the coordination's narrative (Markdown); then the conclusion and
the sources and definitions.

The document is plain data (`ConventionReport`, JSON-ready through `to_dict`/`from_dict`): the renderers
(db/report_render.py) turn it into HTML, PDF and DOCX, and a validated version stores it as it was sent
(db/report_versions.py). Nothing here knows how it is drawn.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, selectinload

from db import catalogue, clock, formations, materiel, revisions
from db import convention as conv
from db import rapport as old
from db.actions import KINDS
from db.models import (
    Action,
    EquipmentItem,
    Event,
    EventOccurrence,
    Loan,
    Training,
    TrainingSession,
)
from db.periods import Period, reporting_period
from db.rapport import NETWORK, Table

METHOD = (
    "Chaque chiffre de ce rapport est recalculé à partir des enregistrements du tableau de bord (prêts, sessions, "
    "envois, relevés, registre des lieux) par la fonction qui le calcule partout ailleurs (Accueil, Indicateurs, "
    "exports) : il peut différer d'un chiffre compté à la main. Il est comparé à l'année précédente à l'identique : "
    "les flux sur la même durée, les états à la même date, les statistiques mensuelles sur les mêmes mois."
)


@dataclass
class FigureLine:
    key: str
    label: str
    unit: str
    value: float | None
    previous: float | None
    value_text: str
    previous_text: str
    change: str
    note: str = ""
    estimated: bool = False


@dataclass
class ActionLine:
    day: str  # ISO date, for ordering
    when: str  # « 27/04/2021 » or « du 03/05 au 07/05/2021 »
    title: str
    kind: str
    partners: str = ""
    commune: str = ""
    public: str = ""
    participants: int | None = None
    hours: float | None = None
    account: str = ""  # Markdown
    links: list[str] = field(default_factory=list)
    origin: str = "action"  # action | formation | événement | prêt


@dataclass
class MissionPart:
    key: str
    number: str  # « 1.2 »
    title: str
    description: str
    figures: list[FigureLine]
    actions: list[ActionLine]
    tables: list[Table]
    narrative: str = ""  # Markdown, the coordination's


@dataclass
class AxisPart:
    number: int
    title: str
    description: str
    missions: list[MissionPart]


@dataclass
class ConventionReport:
    year: int
    period_label: str
    previous_label: str
    network: str
    convention_title: str
    convention_span: str
    partner: str
    generated_at: str  # ISO instant, UTC
    axes: list[AxisPart]
    introduction: str = ""
    conclusion: str = ""
    sources: Table | None = None
    version: dict | None = None  # {number, validated_at, validated_by, note} once validated

    @property
    def title(self) -> str:
        return f"Rapport d'activité {self.year}"

    @property
    def missions(self) -> list[MissionPart]:
        return [mission for axis in self.axes for mission in axis.missions]

    @property
    def has_data(self) -> bool:
        return any(f.value for m in self.missions for f in m.figures) or any(m.actions for m in self.missions)

    def summary(self) -> Table:
        """Every figure of the report by mission: the table after the cover."""
        rows = [
            [f"{mission.number} {mission.title}" if n == 0 else "", figure.label, figure.value_text,
             figure.previous_text, figure.change]
            for mission in self.missions
            for n, figure in enumerate(mission.figures)
        ]  # fmt: skip
        return Table(
            "Synthèse des chiffres par mission",
            ["Mission", "Indicateur", self.period_label, self.previous_label, "Évolution"],
            rows,
            numeric=(2, 3, 4),
            widths_mm=(52, 52, 20, 20, 26),
            empty="Aucune mission ne déclare de chiffre du catalogue.",
        )

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ConventionReport:
        def table(d):
            return (
                None
                if d is None
                else Table(**{**d, "numeric": tuple(d["numeric"]), "widths_mm": tuple(d["widths_mm"])})
            )

        axes = [
            AxisPart(
                a["number"],
                a["title"],
                a["description"],
                [
                    MissionPart(
                        **{
                            **m,
                            "figures": [FigureLine(**f) for f in m["figures"]],
                            "actions": [ActionLine(**x) for x in m["actions"]],
                            "tables": [table(t) for t in m["tables"]],
                        }
                    )
                    for m in a["missions"]
                ],
            )
            for a in data["axes"]
        ]
        return cls(**{**data, "axes": axes, "sources": table(data.get("sources"))})


# --- the parts ------------------------------------------------------------------------------------------------------


def _figure_line(item: catalogue.Measure) -> FigureLine:
    def raw(value):
        return None if value is None else float(value)

    notes = [item.current.note] if item.current.note else []
    return FigureLine(
        key=item.figure.key,
        label=item.current.label + (f" ({item.current.detail})" if item.current.detail else ""),
        unit=item.figure.unit,
        value=raw(item.current.value),
        previous=raw(item.previous.value),
        value_text=old._value(item.current),
        previous_text=old._value(item.previous),
        change=old.change_text(item),
        note=" ".join(notes),
        estimated=item.current.estimated,
    )


def _when(first: dt.date, last: dt.date | None) -> str:
    if last is None or last == first:
        return f"{first:%d/%m/%Y}"
    if first.year == last.year:
        return f"du {first:%d/%m} au {last:%d/%m/%Y}"
    return f"du {first:%d/%m/%Y} au {last:%d/%m/%Y}"


def _actions(session: Session, period: Period) -> dict[int, list[ActionLine]]:
    """The year's actions under each of their missions."""
    actions = session.scalars(
        select(Action)
        .where(func.coalesce(Action.end_date, Action.start_date) >= period.start, Action.start_date <= period.end)
        .options(selectinload(Action.missions), selectinload(Action.partners))
        .order_by(Action.start_date, Action.id)
    )
    out: dict[int, list[ActionLine]] = {}
    for action in actions:
        line = ActionLine(
            day=action.start_date.isoformat(),
            when=_when(action.start_date, action.end_date),
            title=action.title,
            kind=KINDS.get(action.kind, action.kind),
            partners=", ".join(partner.name for partner in action.partners),
            commune=action.commune_name or action.commune_insee or "",
            public=action.public or "",
            participants=action.participants,
            hours=action.hours,
            account=action.account or "",
            links=(action.links or "").split(),
        )
        for link in action.missions:
            out.setdefault(link.mission_id, []).append(line)
    return out


def _records(session: Session, period: Period) -> dict[int, list[ActionLine]]:
    """The trainings, events and loans of the year attached to a mission, told as actions."""
    out: dict[int, list[ActionLine]] = {}
    # Trainings: their sessions of the year, a session's own mission before its training's.
    frame = formations.sessions_frame(session, formations.TrainingFilters(period=period))
    if len(frame):
        links = dict(
            session.execute(
                select(TrainingSession.id, func.coalesce(TrainingSession.mission_id, Training.mission_id))
                .join(Training, Training.id == TrainingSession.training_id)
                .where(TrainingSession.id.in_([int(i) for i in frame["session_id"]]))
            ).all()
        )
        frame = frame.assign(mission=frame["session_id"].map(links))
        for (mission_id, _training), group in frame.dropna(subset=["mission"]).groupby(["mission", "training_id"]):
            first, last = group["date"].min().date(), group["date"].max().date()
            present = group["present"].dropna()
            minutes = group["duration_minutes"].dropna()
            places = sorted({p for p in group["place"].dropna()} | {p for p in group["location"].dropna()})
            row = group.iloc[0]
            out.setdefault(int(mission_id), []).append(
                ActionLine(
                    day=first.isoformat(),
                    when=_when(first, last),
                    title=f"{row['title']} ({len(group)} session{'s' if len(group) > 1 else ''})",
                    kind=formations.KIND_LABELS.get(row["kind"], "Formation"),
                    partners=", ".join(places[:4]),
                    public=row["audience"] or "",
                    participants=int(present.sum()) if len(present) else None,
                    hours=round(float(minutes.sum()) / 60, 1) if len(minutes) else None,
                    origin="formation",
                )
            )
    # Events with a date in the year, not cancelled.
    first_last = (
        select(
            Event.id,
            Event.mission_id,
            Event.title,
            Event.category,
            Event.location_name,
            Event.city,
            func.min(EventOccurrence.start),
            func.max(EventOccurrence.start),
        )
        .join(EventOccurrence, EventOccurrence.event_id == Event.id)
        .where(
            Event.mission_id.is_not(None),
            Event.status != "cancelled",
            EventOccurrence.start < clock.to_utc(period.end + dt.timedelta(days=1)),
            EventOccurrence.end > clock.to_utc(period.start),
        )
        .group_by(Event.id, Event.mission_id, Event.title, Event.category, Event.location_name, Event.city)
    )
    for _id, mission_id, title, category, where, city, start, end in session.execute(first_last):
        first, last = clock.local_date(start), clock.local_date(end)
        out.setdefault(mission_id, []).append(
            ActionLine(
                day=first.isoformat(),
                when=_when(first, last),
                title=title,
                kind=category or "Événement",
                partners=where or "",
                commune=city or "",
                origin="événement",
            )
        )
    # Loans occupying a day of the year, not cancelled.
    loans = session.execute(
        select(Loan, EquipmentItem.name)
        .join(EquipmentItem, EquipmentItem.id == Loan.item_id)
        .where(
            Loan.mission_id.is_not(None),
            Loan.cancelled_at.is_(None),
            and_(Loan.start_date <= period.end, Loan.end_date >= period.start),
        )
        .order_by(Loan.start_date, Loan.id)
    )
    grouped: dict[tuple[int, str], list] = {}
    for loan, item in loans:
        grouped.setdefault((loan.mission_id, item), []).append(loan)
    for (mission_id, item), group in grouped.items():  # one line per item: a report tells its loans, not each one
        days = sum(materiel.loan_days(x.start_date, x.end_date, x.returned_on, period) * x.units for x in group)
        first, last = min(x.start_date for x in group), max(x.end_date for x in group)
        borrowers = list(dict.fromkeys(x.borrower_name for x in group))
        shown = ", ".join(borrowers[:5]) + (f" et {len(borrowers) - 5} autres" if len(borrowers) > 5 else "")
        out.setdefault(mission_id, []).append(
            ActionLine(
                day=first.isoformat(),
                when=_when(max(first, period.start), min(last, period.end)),
                title=f"Prêts : {item} ({len(group)} prêt{'s' if len(group) > 1 else ''}, "
                f"{days} jour{'s' if days > 1 else ''} de prêt)",
                kind="Prêt de matériel",
                partners=shown,
                origin="prêt",
            )
        )
    return out


def _tables_for(session: Session, keys: list[str], period: Period, use: dict) -> list[Table]:
    """The detail tables behind a mission's figures (each once per mission)."""
    tables: dict[str, Table] = {}

    def utilisation():
        if "use" not in use:
            use["use"] = materiel.utilisation(session, period)
        return use["use"]

    for key in keys:
        if key in ("loan_days", "loans", "equipment_utilisation", "interventions"):
            tables.setdefault("loan_days", old._loan_days_table(utilisation()))
        elif key == "borrowers":
            tables.setdefault("borrowers", old._borrowers_table(utilisation()))
        elif key in ("subscribers", "newsletter_issues", "newsletter_open_rate"):
            tables.setdefault("newsletters", old._newsletters_table(session, period))
        elif key in ("site_visitors_month_mean", "site_visitors_month_max", "wiki_pages", "chat_active_users"):
            tables.setdefault("audience", old._audience_table(session, period))
        elif key == "events":
            tables.setdefault("events", old._events_table(session, period))
        elif key in ("trainings", "sessions", "participants", "fill_rate", "attendance_rate"):
            tables.setdefault("trainings", old._trainings_table(session, period))
        elif key in ("places", "epcis"):
            tables.setdefault("epcis", old._epcis_table(session, period))
        elif key == "fresh_places":
            tables.setdefault("fresh", old._freshness_table(session, period))
    return list(tables.values())


def _sources(period: Period, items: list[catalogue.Measure]) -> Table:
    seen = {}
    for item in items:
        seen.setdefault(item.figure.key, item)
    return Table(
        "Sources et définitions",
        ["Indicateur", "Nature", "Comparé à", "Source", "Dernier enregistrement"],
        [
            [
                item.figure.label,
                catalogue.KIND_LABELS[item.figure.kind],
                catalogue.COMPARED_WITH[item.figure.kind],
                item.figure.source,
                old.day(item.current.as_of),
            ]
            for item in seen.values()
        ],
        widths_mm=(38, 24, 28, 56, 24),
        note=METHOD,
        empty="Aucun chiffre du catalogue dans ce rapport.",
    )


# --- assembly -------------------------------------------------------------------------------------------------------

CACHE = revisions.Cache(16)


def build(session: Session, year: int) -> ConventionReport | None:
    """The year's report following the convention covering it (None without one), built once per revision of the
    data (every area's tokens: figures, actions, the convention and the narratives)."""
    return revisions.memoize(
        CACHE, session, revisions.AREAS, ("convention-report", year, clock.today()), lambda: _build(session, year)
    )


def _build(session: Session, year: int) -> ConventionReport | None:
    convention = conv.for_year(session, year)
    if convention is None:
        return None
    period = reporting_period(year, clock.today())
    keys = list(dict.fromkeys(f.figure_key for m in conv.missions(convention) for f in m.figures))
    measures = {item.figure.key: item for item in catalogue.measures(session, period, keys)} if keys else {}
    texts = old.comments(session, year)
    actions = _actions(session, period)
    records = _records(session, period)
    use: dict = {}
    axes = []
    for a, axis in enumerate(convention.axes, start=1):
        parts = []
        for m, mission in enumerate(axis.missions, start=1):
            mission_keys = [f.figure_key for f in mission.figures]
            lines = sorted(actions.get(mission.id, []) + records.get(mission.id, []), key=lambda x: (x.day, x.title))
            parts.append(
                MissionPart(
                    key=mission.key,
                    number=f"{a}.{m}",
                    title=mission.title,
                    description=mission.description or "",
                    figures=[_figure_line(measures[key]) for key in mission_keys],
                    actions=lines,
                    tables=_tables_for(session, mission_keys, period, use),
                    narrative=texts.get(mission.key, ""),
                )
            )
        axes.append(AxisPart(a, axis.title, axis.description or "", parts))
    return ConventionReport(
        year=year,
        period_label=period.label,
        previous_label=period.previous_year().label,
        network=NETWORK,
        convention_title=convention.title,
        convention_span=conv.span_label(convention),
        partner=convention.partner or "",
        generated_at=clock.utcnow().isoformat(timespec="seconds"),
        axes=axes,
        introduction=texts.get("introduction", ""),
        conclusion=texts.get("conclusion", ""),
        sources=_sources(period, list(measures.values())),
    )
