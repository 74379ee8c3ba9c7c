"""The data model of every area, as SQLAlchemy 2 typed models.

Tables exist for all areas from the start so that later work adds behaviour, not schema churn.
Migrations (Alembic, `migrations/`) are generated from these classes.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from db import clock

# Explicit constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Timestamps:
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=clock.utcnow, onupdate=clock.utcnow
    )


# --- users and audit -------------------------------------------------------------------------------------------


class Role(StrEnum):
    VIEWER = "viewer"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class SessionIdentity:
    """The session-user protocol (as Flask-Login expects it), written here so db/ imports no web framework."""

    is_authenticated = True
    is_anonymous = False

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        """What the session cookie holds: the account and its session version (see `User.session_version`)."""
        return f"{self.id}:{self.session_version}"


class User(SessionIdentity, Timestamps, Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(20), default=Role.VIEWER)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # Part of every session's identity: raising it (logout, password, role or state change) ends them all.
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    __table_args__ = (CheckConstraint("role in ('viewer', 'coordinator', 'admin')", name="role"),)


class AuditLog(Base):
    """One row per write: who, when, what, and the row before and after."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    user_email: Mapped[str | None] = mapped_column(String(254))
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(20))  # create | update | delete | import | …
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)

    __table_args__ = (Index("ix_audit_log_table_row", "table_name", "row_id"),)


class FormSubmission(Base):
    """The token of one rendered form, spent by its first successful save in the same transaction: submitting the
    same render again (a double click, a replayed request) is refused as already saved."""

    __tablename__ = "form_submissions"

    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    form: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.utcnow)


class ProjectionToken(Base):
    """A revocable read-only link that opens only the projection page on a meeting-room screen."""

    __tablename__ = "projection_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    label: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)  # sha256 hex; the token itself is never stored
    query: Mapped[str] = mapped_column(String(500), default="")  # projection settings opened by the link
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


# --- places (national schema v1.0.2) ---------------------------------------------------------------------------

# Fields of the schema holding several values joined with "|"; each value is also a PlaceValue row for filtering.
PLACE_MULTI_FIELDS = (
    "services",
    "publics_specifiquement_adresses",
    "prise_en_charge_specifique",
    "frais_a_charge",
    "dispositif_programmes_nationaux",
    "formations_labels",
    "autres_formations_labels",
    "modalites_acces",
    "modalites_accompagnement",
    "itinerance",
    "typologie",
)


class DataRevision(Base):
    """A token per kind of data, replaced in the same transaction as every change of it: an in-memory cache built
    after reading token T holds every change committed up to T, whatever the clocks of the processes."""

    __tablename__ = "data_revisions"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    token: Mapped[str] = mapped_column(String(32))


class RegisterVersion(Base):
    """One state of a register row (a place of the Carte, an item of the catalogue) and the instants it held:
    `valid_from` ≤ t < `valid_to` (open while it is current). Written by `db.register` in the transaction of every
    create, import, change that a figure reads, retirement and deletion, so a figure at a past date counts what
    stood then; before a register's first version its past is unknown."""

    __tablename__ = "register_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    register: Mapped[str] = mapped_column(String(20))  # places | equipment
    ref: Mapped[int] = mapped_column(Integer)  # Place.pk or EquipmentItem.id
    valid_from: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    valid_to: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # What the figures read, as it was: a place's update date and territory, an item's units.
    date_maj: Mapped[dt.date | None] = mapped_column(Date)
    insee: Mapped[str | None] = mapped_column(String(5))
    epci_code: Mapped[str | None] = mapped_column(String(9))
    units: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_register_history_register_ref", "register", "ref", "valid_to"),
        Index("ix_register_history_register_from", "register", "valid_from"),
    )


class Place(Timestamps, Base):
    """A mediation place. Columns named as the national schema keep its values verbatim (text), so an export
    gives back exactly what was imported; `pk` is internal, `id` is the schema's identifier."""

    __tablename__ = "places"

    pk: Mapped[int] = mapped_column(primary_key=True)
    id: Mapped[str] = mapped_column(String(200), unique=True)
    pivot: Mapped[str] = mapped_column(String(14))
    nom: Mapped[str] = mapped_column(String(500))
    commune: Mapped[str] = mapped_column(String(200))
    code_postal: Mapped[str] = mapped_column(String(5))
    code_insee: Mapped[str | None] = mapped_column(String(5), index=True)
    adresse: Mapped[str] = mapped_column(String(500))
    complement_adresse: Mapped[str | None] = mapped_column(String(500))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    typologie: Mapped[str | None] = mapped_column(Text)
    telephone: Mapped[str | None] = mapped_column(String(20))
    courriels: Mapped[str | None] = mapped_column(Text)
    site_web: Mapped[str | None] = mapped_column(Text)
    horaires: Mapped[str | None] = mapped_column(Text)
    presentation_resume: Mapped[str | None] = mapped_column(String(280))
    presentation_detail: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(String(200))
    itinerance: Mapped[str | None] = mapped_column(String(50))
    structure_parente: Mapped[str | None] = mapped_column(String(500))
    date_maj: Mapped[dt.date] = mapped_column(Date)
    services: Mapped[str | None] = mapped_column(Text)
    publics_specifiquement_adresses: Mapped[str | None] = mapped_column(Text)
    prise_en_charge_specifique: Mapped[str | None] = mapped_column(Text)
    frais_a_charge: Mapped[str | None] = mapped_column(Text)
    dispositif_programmes_nationaux: Mapped[str | None] = mapped_column(Text)
    formations_labels: Mapped[str | None] = mapped_column(Text)
    autres_formations_labels: Mapped[str | None] = mapped_column(Text)
    modalites_acces: Mapped[str | None] = mapped_column(Text)
    modalites_accompagnement: Mapped[str | None] = mapped_column(Text)
    fiche_acces_libre: Mapped[str | None] = mapped_column(Text)
    prise_rdv: Mapped[str | None] = mapped_column(Text)

    # Internal, not part of the schema.
    epci_code: Mapped[str | None] = mapped_column(String(9), index=True)
    epci_name: Mapped[str | None] = mapped_column(String(200))

    values: Mapped[list[PlaceValue]] = relationship(back_populates="place", cascade="all, delete-orphan")


class PlaceValue(Base):
    """One value of a multi-valued schema field, so facets filter with an index instead of string matching."""

    __tablename__ = "place_values"

    place_pk: Mapped[int] = mapped_column(ForeignKey("places.pk", ondelete="CASCADE"), primary_key=True)
    field: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(300), primary_key=True)

    place: Mapped[Place] = relationship(back_populates="values")

    __table_args__ = (Index("ix_place_values_field_value", "field", "value", "place_pk"),)


class Commune(Base):
    """Reference data per INSEE code: EPCI, centroid and the digital fragility index (IFN, 0–10, 10 = most fragile)."""

    __tablename__ = "communes"

    insee: Mapped[str] = mapped_column(String(5), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    epci_code: Mapped[str | None] = mapped_column(String(9))
    epci_name: Mapped[str | None] = mapped_column(String(200))
    # From the national reference (db/communes.py): space-separated postal codes, the département's code.
    postal_codes: Mapped[str | None] = mapped_column(Text)
    departement: Mapped[str | None] = mapped_column(String(3))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    ifn_total: Mapped[float | None] = mapped_column(Float)
    ifn_scores: Mapped[dict | None] = mapped_column(JSON)  # the IFN's component rates, as imported


# --- agenda ----------------------------------------------------------------------------------------------------


class EventStatus(StrEnum):
    # OpenAgenda's codes 1–6 map onto these.
    SCHEDULED = "scheduled"
    RESCHEDULED = "rescheduled"
    MOVED_ONLINE = "moved_online"
    POSTPONED = "postponed"
    FULL = "full"
    CANCELLED = "cancelled"


class AttendanceMode(StrEnum):
    OFFLINE = "offline"
    ONLINE = "online"
    MIXED = "mixed"


class Event(Timestamps, Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(30), default="manual")  # manual | openagenda | ical
    source_uid: Mapped[str | None] = mapped_column(String(300))
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    keywords: Mapped[str | None] = mapped_column(Text)  # "|"-joined
    category: Mapped[str | None] = mapped_column(String(200))
    audience: Mapped[str | None] = mapped_column(String(200))
    organiser: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20), default=EventStatus.SCHEDULED)
    attendance_mode: Mapped[str] = mapped_column(String(10), default=AttendanceMode.OFFLINE)
    online_url: Mapped[str | None] = mapped_column(Text)
    registration_url: Mapped[str | None] = mapped_column(Text)
    place_pk: Mapped[int | None] = mapped_column(ForeignKey("places.pk", ondelete="SET NULL"))
    location_name: Mapped[str | None] = mapped_column(String(500))
    mission_id: Mapped[int | None] = mapped_column(ForeignKey("missions.id", ondelete="SET NULL"), index=True)
    address: Mapped[str | None] = mapped_column(String(500))
    postal_code: Mapped[str | None] = mapped_column(String(5))
    city: Mapped[str | None] = mapped_column(String(200))
    insee: Mapped[str | None] = mapped_column(String(5), index=True)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)

    occurrences: Mapped[list[EventOccurrence]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventOccurrence.start"
    )

    __table_args__ = (UniqueConstraint("source", "source_uid", name="source_uid"),)


class EventOccurrence(Base):
    """One timing of an event (OpenAgenda's `timings`, an iCalendar VEVENT occurrence)."""

    __tablename__ = "event_occurrences"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    start: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    end: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # A whole-day date (iCalendar VALUE=DATE): start and end are local midnights, the end exclusive.
    all_day: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    event: Mapped[Event] = relationship(back_populates="occurrences")

    # The agenda reads periods: the dates meeting one, and their events, come from this index alone.
    __table_args__ = (Index("ix_event_occurrences_period", "start", "end", "event_id", "all_day"),)


# --- equipment -------------------------------------------------------------------------------------------------


class EquipmentItem(Timestamps, Base):
    __tablename__ = "equipment_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    category: Mapped[str] = mapped_column(String(100))
    units: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    description: Mapped[str | None] = mapped_column(Text)

    loans: Mapped[list[Loan]] = relationship(back_populates="item")

    __table_args__ = (CheckConstraint("units > 0", name="units_positive"),)


class Loan(Timestamps, Base):
    __tablename__ = "loans"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("equipment_items.id"), index=True)
    units: Mapped[int] = mapped_column(Integer, default=1)
    borrower_place_pk: Mapped[int | None] = mapped_column(ForeignKey("places.pk", ondelete="SET NULL"))
    borrower_name: Mapped[str] = mapped_column(String(300))
    borrower_commune: Mapped[str | None] = mapped_column(String(200))
    borrower_insee: Mapped[str | None] = mapped_column(String(5))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    purpose: Mapped[str | None] = mapped_column(String(100))  # atelier | formation | événement | …
    training_given: Mapped[bool] = mapped_column(Boolean, default=False)
    interventions: Mapped[int | None] = mapped_column(Integer)  # None: one per loan-day
    returned_on: Mapped[dt.date | None] = mapped_column(Date)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    notes: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    mission_id: Mapped[int | None] = mapped_column(ForeignKey("missions.id", ondelete="SET NULL"), index=True)

    item: Mapped[EquipmentItem] = relationship(back_populates="loans")

    __table_args__ = (
        CheckConstraint("end_date >= start_date", name="dates_ordered"),
        CheckConstraint("units > 0", name="units_positive"),
        Index("ix_loans_item_dates", "item_id", "start_date", "end_date"),
    )


# --- trainings -------------------------------------------------------------------------------------------------


class TrainingKind(StrEnum):
    FORMATION = "formation"
    INTERVENTION = "intervention"
    RENCONTRE = "rencontre"
    WEBINAIRE = "webinaire"


class AttendantState(StrEnum):
    REGISTERED = "registered"
    WAITING = "waiting"
    CANCELLED = "cancelled"
    PRESENT = "present"


class Training(Timestamps, Base):
    __tablename__ = "trainings"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(20), default=TrainingKind.FORMATION)
    partner: Mapped[str | None] = mapped_column(String(200))
    audience: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    mission_id: Mapped[int | None] = mapped_column(ForeignKey("missions.id", ondelete="SET NULL"), index=True)

    sessions: Mapped[list[TrainingSession]] = relationship(
        back_populates="training", cascade="all, delete-orphan", order_by="TrainingSession.date"
    )


class TrainingSession(Timestamps, Base):
    __tablename__ = "training_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    training_id: Mapped[int] = mapped_column(ForeignKey("trainings.id", ondelete="CASCADE"), index=True)
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    start_time: Mapped[dt.time | None] = mapped_column(Time)
    end_time: Mapped[dt.time | None] = mapped_column(Time)
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    remote: Mapped[bool] = mapped_column(Boolean, default=False)
    place_pk: Mapped[int | None] = mapped_column(ForeignKey("places.pk", ondelete="SET NULL"))
    location: Mapped[str | None] = mapped_column(String(300))
    commune_insee: Mapped[str | None] = mapped_column(String(5))
    trainer: Mapped[str | None] = mapped_column(String(200))
    capacity: Mapped[int | None] = mapped_column(Integer)
    # Attendance as counts; when attendant rows exist they are the source instead.
    registered_count: Mapped[int | None] = mapped_column(Integer)
    present_count: Mapped[int | None] = mapped_column(Integer)
    # A session reported under another mission than its training's (None: the training's).
    mission_id: Mapped[int | None] = mapped_column(ForeignKey("missions.id", ondelete="SET NULL"), index=True)

    training: Mapped[Training] = relationship(back_populates="sessions")
    attendants: Mapped[list[Attendant]] = relationship(back_populates="session", cascade="all, delete-orphan")


class Attendant(Base):
    """A participant of a session: a state and an optional minimal profile, nothing more personal."""

    __tablename__ = "attendants"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("training_sessions.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(20), default=AttendantState.REGISTERED)
    audience_type: Mapped[str | None] = mapped_column(String(100))
    gender: Mapped[str | None] = mapped_column(String(20))
    age_band: Mapped[str | None] = mapped_column(String(20))

    session: Mapped[TrainingSession] = relationship(back_populates="attendants")


# --- newsletters and audience ----------------------------------------------------------------------------------


class Newsletter(Timestamps, Base):
    __tablename__ = "newsletters"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    audience: Mapped[str | None] = mapped_column(String(200))
    platform: Mapped[str | None] = mapped_column(String(100))

    issues: Mapped[list[NewsletterIssue]] = relationship(back_populates="newsletter", cascade="all, delete-orphan")
    snapshots: Mapped[list[SubscriberSnapshot]] = relationship(
        back_populates="newsletter", cascade="all, delete-orphan"
    )


class NewsletterIssue(Base):
    __tablename__ = "newsletter_issues"

    id: Mapped[int] = mapped_column(primary_key=True)
    newsletter_id: Mapped[int] = mapped_column(ForeignKey("newsletters.id", ondelete="CASCADE"), index=True)
    sent_on: Mapped[dt.date] = mapped_column(Date)
    subject: Mapped[str] = mapped_column(String(300))
    link: Mapped[str | None] = mapped_column(Text)
    recipients: Mapped[int | None] = mapped_column(Integer)
    opens: Mapped[int | None] = mapped_column(Integer)
    clicks: Mapped[int | None] = mapped_column(Integer)

    newsletter: Mapped[Newsletter] = relationship(back_populates="issues")


class SubscriberSnapshot(Base):
    __tablename__ = "subscriber_snapshots"

    id: Mapped[int] = mapped_column(primary_key=True)
    newsletter_id: Mapped[int] = mapped_column(ForeignKey("newsletters.id", ondelete="CASCADE"))
    date: Mapped[dt.date] = mapped_column(Date)
    count: Mapped[int] = mapped_column(Integer)

    newsletter: Mapped[Newsletter] = relationship(back_populates="snapshots")

    __table_args__ = (
        UniqueConstraint("newsletter_id", "date", name="newsletter_date"),
        CheckConstraint("count >= 0", name="count_positive"),
    )


class AudienceFigure(Base):
    """A figure of the network's audience: website visitors, wiki pages, chat users… for a month or a year."""

    __tablename__ = "audience_figures"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator: Mapped[str] = mapped_column(String(100))
    period_kind: Mapped[str] = mapped_column(String(10))  # month | year
    period_start: Mapped[dt.date] = mapped_column(Date)
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str | None] = mapped_column(String(300))

    __table_args__ = (UniqueConstraint("indicator", "period_kind", "period_start", name="indicator_period"),)


# --- annual report ---------------------------------------------------------------------------------------------


class ReportComment(Base):
    """The coordinators' free-text commentary of one mission for one year of the annual report."""

    __tablename__ = "report_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    mission: Mapped[str] = mapped_column(String(50))
    text: Mapped[str] = mapped_column(Text, default="")
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=clock.utcnow, onupdate=clock.utcnow
    )

    __table_args__ = (UniqueConstraint("year", "mission", name="year_mission"),)


# --- the convention and its missions ----------------------------------------------------------------------------


class Convention(Timestamps, Base):
    """The agreement binding the network to the Département for a year or a span of years: its axes and missions
    are the annual report's structure."""

    __tablename__ = "conventions"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    partner: Mapped[str | None] = mapped_column(String(300))  # who the report is sent to
    first_year: Mapped[int] = mapped_column(Integer)
    last_year: Mapped[int] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(Text)

    axes: Mapped[list[ConventionAxis]] = relationship(
        back_populates="convention", cascade="all, delete-orphan", order_by="ConventionAxis.position"
    )

    __table_args__ = (CheckConstraint("last_year >= first_year", name="years_ordered"),)


class ConventionAxis(Base):
    __tablename__ = "convention_axes"

    id: Mapped[int] = mapped_column(primary_key=True)
    convention_id: Mapped[int] = mapped_column(ForeignKey("conventions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)

    convention: Mapped[Convention] = relationship(back_populates="axes")
    missions: Mapped[list[Mission]] = relationship(
        back_populates="axis", cascade="all, delete-orphan", order_by="Mission.position"
    )


class Mission(Base):
    """A mission of the convention; `key` names it in the report's narratives and in import files."""

    __tablename__ = "missions"

    id: Mapped[int] = mapped_column(primary_key=True)
    axis_id: Mapped[int] = mapped_column(ForeignKey("convention_axes.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(50))
    position: Mapped[int] = mapped_column(Integer, default=1)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)

    axis: Mapped[ConventionAxis] = relationship(back_populates="missions")
    figures: Mapped[list[MissionFigure]] = relationship(
        back_populates="mission", cascade="all, delete-orphan", order_by="MissionFigure.position"
    )


class MissionFigure(Base):
    """A figure of the catalogue (db/catalogue.py) that a mission reports."""

    __tablename__ = "mission_figures"

    mission_id: Mapped[int] = mapped_column(ForeignKey("missions.id", ondelete="CASCADE"), primary_key=True)
    figure_key: Mapped[str] = mapped_column(String(50), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=1)

    mission: Mapped[Mission] = relationship(back_populates="figures")


# --- actions: what the network did ------------------------------------------------------------------------------


class Action(Timestamps, Base):
    """A dated action of the network (a meeting, an intervention, a training, support to a project…), told in the
    annual report under its missions."""

    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(30))
    start_date: Mapped[dt.date] = mapped_column(Date, index=True)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    commune_insee: Mapped[str | None] = mapped_column(String(5))
    commune_name: Mapped[str | None] = mapped_column(String(200))
    public: Mapped[str | None] = mapped_column(String(300))
    participants: Mapped[int | None] = mapped_column(Integer)
    hours: Mapped[float | None] = mapped_column(Float)
    account: Mapped[str | None] = mapped_column(Text)  # a short account, in Markdown
    links: Mapped[str | None] = mapped_column(Text)  # one address per line
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    missions: Mapped[list[ActionMission]] = relationship(back_populates="action", cascade="all, delete-orphan")
    partners: Mapped[list[ActionPartner]] = relationship(
        back_populates="action", cascade="all, delete-orphan", order_by="ActionPartner.position"
    )

    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="dates_ordered"),
        CheckConstraint("participants IS NULL OR participants >= 0", name="participants_positive"),
        CheckConstraint("hours IS NULL OR hours >= 0", name="hours_positive"),
    )


class ActionMission(Base):
    __tablename__ = "action_missions"

    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), primary_key=True)
    mission_id: Mapped[int] = mapped_column(ForeignKey("missions.id", ondelete="CASCADE"), primary_key=True)

    action: Mapped[Action] = relationship(back_populates="missions")


class ActionPartner(Base):
    """A partner structure of an action: a place of the Carte, or a name typed freely."""

    __tablename__ = "action_partners"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=1)
    place_pk: Mapped[int | None] = mapped_column(ForeignKey("places.pk", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(500))

    action: Mapped[Action] = relationship(back_populates="partners")


class ReportVersion(Base):
    """A report as it was validated and sent: its document as data (figures, actions, texts) and its files.
    Later corrections of the records never change it; a new version is issued instead."""

    __tablename__ = "report_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    validated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=clock.utcnow)
    validated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    validated_by_name: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(String(500))
    document: Mapped[dict] = mapped_column(JSON)  # the report's data as sent
    # The files as sent (base64: every backup format carries text), rendered by the app: no length limit at flush.
    html: Mapped[str] = mapped_column(Text, info={"file": True})
    pdf_base64: Mapped[str] = mapped_column(Text, info={"file": True})
    docx_base64: Mapped[str] = mapped_column(Text, info={"file": True})

    __table_args__ = (UniqueConstraint("year", "number", name="year_number"),)


def row_as_dict(obj: Base) -> dict:
    """Column values of a row, JSON-ready, for the audit log."""
    out = {}
    for column in obj.__table__.columns:
        value = getattr(obj, column.key)
        if isinstance(value, dt.date | dt.time | dt.datetime):
            value = value.isoformat()
        out[column.key] = value
    out.pop("password_hash", None)
    for bulky in ("html", "pdf_base64", "docx_base64", "document"):  # a report version's files: kept in its row
        out.pop(bulky, None)
    return out
