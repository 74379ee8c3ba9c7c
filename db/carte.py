"""Places of the network: queries and write rules of the Carte.

Filtering: every facet is a set of `PlaceValue` rows, so it is one indexed SQL condition; OR within a facet, AND
across facets. Free text and opening hours are evaluated in Python on the rows the SQL left (opening hours need a
real OSM parser; accent-insensitive text is not portable SQL). Counts per option are "what you would get by adding
this option": each facet is counted with every filter applied except its own, on boolean masks of the places kept
in memory per version of the data (`FacetIndex`), rather than one GROUP BY per facet.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import threading
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from opening_hours import OpeningHours, State
from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from db.figures import KeyFigure
from db.models import PLACE_MULTI_FIELDS, Commune, Place, PlaceValue, Role
from db.writes import Actor, audit, require_role, snapshot

PARIS = ZoneInfo("Europe/Paris")


def place_count_figure(session: Session) -> KeyFigure:
    count, latest = session.execute(select(func.count(Place.pk), func.max(Place.date_maj))).one()
    return KeyFigure(
        key="places",
        label="Lieux de médiation numérique",
        value=count,
        source="Fiches des lieux (standard national v1.0.2)",
        as_of=latest,
    )


def split_multi(value: str | None) -> list[str]:
    """The values of a "|"-joined schema field, trimmed, empty ones dropped, order kept."""
    return [part.strip() for part in (value or "").split("|") if part.strip()]


def sync_place_values(place: Place) -> None:
    """Rebuild the PlaceValue rows of a place from its multi-valued schema columns (call after any change)."""
    wanted = {(field, value) for field in PLACE_MULTI_FIELDS for value in split_multi(getattr(place, field))}
    place.values = [v for v in place.values if (v.field, v.value) in wanted]
    present = {(v.field, v.value) for v in place.values}
    place.values.extend(PlaceValue(field=f, value=v) for f, v in sorted(wanted - present))


# --- facets ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Facet:
    key: str  # the URL query parameter
    field: str  # the schema column (PlaceValue.field)
    label: str
    # option → raw values it matches, when they differ (the national exports write ZRR for what is now FRR)
    aliases: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def raw_values(self, options) -> list[str]:
        return [raw for option in options for raw in self.aliases.get(option, (option,))]


TERRITOIRES = {"QPV": ("QPV",), "FRR": ("FRR", "ZRR")}
TERRITOIRE_LABELS = {"QPV": "Quartier prioritaire (QPV)", "FRR": "France Ruralités Revitalisation (FRR, ex-ZRR)"}

FACETS = (
    Facet("services", "services", "Services"),
    Facet("publics", "publics_specifiquement_adresses", "Publics spécifiquement adressés"),
    Facet("prise_en_charge", "prise_en_charge_specifique", "Prise en charge spécifique"),
    Facet("frais", "frais_a_charge", "Frais à charge"),
    Facet("dispositifs", "dispositif_programmes_nationaux", "Dispositifs et programmes nationaux"),
    Facet("labels", "formations_labels", "Formations et labels"),
    Facet("typologie", "typologie", "Type de structure"),
    Facet("acces", "modalites_acces", "Modalités d'accès"),
    Facet("accompagnement", "modalites_accompagnement", "Modalités d'accompagnement"),
    Facet("territoire", "autres_formations_labels", "Territoire prioritaire", TERRITOIRES),
)
FACET_BY_KEY = {f.key: f for f in FACETS}

# Structure types of the national typology (the codes the schema's `typologie` column holds).
TYPOLOGIE_LABELS = {
    "ASSO": "Association",
    "BIB": "Bibliothèque, médiathèque",
    "CAF": "Caisse d'allocations familiales",
    "CCAS": "Centre communal d'action sociale",
    "CIAS": "Centre intercommunal d'action sociale",
    "CS": "Centre social",
    "EPN": "Espace public numérique",
    "FABLAB": "Fablab",
    "FS": "France Services",
    "ML": "Mission locale",
    "MUNI": "Mairie, service municipal",
    "PIMMS": "Point information médiation multi-services",
    "TIERS_LIEUX": "Tiers-lieu",
}

HOURS_OPTIONS = {"maintenant": "Ouvert maintenant", "weekend": "Ouvert le week-end"}


@dataclass(frozen=True)
class Freshness:
    key: str
    label: str
    color: str  # Bootstrap contextual colour of its badge
    max_months: int | None  # updated less than this many months ago; None: older or unknown


FRESHNESS = (
    Freshness("a_jour", "À jour", "success", 6),
    Freshness("a_surveiller", "À surveiller", "primary", 12),
    Freshness("a_verifier", "À vérifier", "warning", 18),
    Freshness("a_actualiser", "À actualiser", "danger", None),
)
FRESHNESS_BY_KEY = {f.key: f for f in FRESHNESS}


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier (the last day of the month when it does not exist)."""
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for candidate in range(day.day, 27, -1):
        try:
            return dt.date(year, month, candidate)
        except ValueError:
            continue
    return dt.date(year, month, min(day.day, 28))


def freshness_of(date_maj: dt.date | None, today: dt.date) -> Freshness:
    """< 6 months: À jour; 6–12: À surveiller; 12–18: À vérifier; > 18 or unknown: À actualiser."""
    if date_maj is not None:
        for band in FRESHNESS[:-1]:
            if date_maj > months_before(today, band.max_months):
                return band
    return FRESHNESS[-1]


def _freshness_condition(keys, today: dt.date) -> ColumnElement[bool]:
    parts = []
    for key in keys:
        index = next(i for i, band in enumerate(FRESHNESS) if band.key == key)
        newer = months_before(today, FRESHNESS[index].max_months) if FRESHNESS[index].max_months else None
        older = months_before(today, FRESHNESS[index - 1].max_months) if index else None
        condition = []
        if newer is not None:
            condition.append(Place.date_maj > newer)
        else:
            condition.append(or_(Place.date_maj.is_(None), Place.date_maj <= older))
        if older is not None and newer is not None:
            condition.append(Place.date_maj <= older)
        parts.append(condition[0] if len(condition) == 1 else condition[0] & condition[1])
    return or_(*parts)


# --- opening hours ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def parse_hours(text: str | None) -> OpeningHours | None:
    """The parsed OSM opening hours, or None when missing or not OSM syntax ("horaires inconnus")."""
    if not isinstance(text, str) or not text.strip():  # None, or NaN from a DataFrame
        return None
    try:
        return OpeningHours(text.strip())
    except Exception:  # noqa: BLE001 - the parser raises its own error types; any failure means "unknown"
        return None


def open_state(text: str | None, when: dt.datetime) -> str:
    """ "open", "closed" or "unknown" at a local (Europe/Paris, naive) time."""
    hours = parse_hours(text)
    if hours is None:
        return "unknown"
    state = hours.state(when)[0]
    return {State.OPEN: "open", State.CLOSED: "closed"}.get(state, "unknown")


def open_on_weekend(text: str | None, today: dt.date) -> bool:
    """Open at some time on the coming Saturday or Sunday (today included when it is one)."""
    hours = parse_hours(text)
    if hours is None:
        return False
    saturday = today + dt.timedelta(days=(5 - today.weekday()) % 7)
    if today.weekday() == 6:
        saturday = today - dt.timedelta(days=1)
    start = dt.datetime.combine(saturday, dt.time())
    return any(state == State.OPEN for _s, _e, state, _c in hours.intervals(start, start + dt.timedelta(days=2)))


WEEKDAYS = ("Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche")


@dataclass(frozen=True)
class DayHours:
    day: dt.date
    label: str
    slots: tuple[tuple[dt.time, dt.time, str], ...]  # (start, end, comment), end 00:00 = midnight


def week_timetable(text: str | None, today: dt.date) -> list[DayHours] | None:
    """The opening slots of the week (Monday to Sunday) containing `today`, or None when the hours are unknown."""
    hours = parse_hours(text)
    if hours is None:
        return None
    monday = today - dt.timedelta(days=today.weekday())
    start = dt.datetime.combine(monday, dt.time())
    slots: dict[dt.date, list] = {monday + dt.timedelta(days=i): [] for i in range(7)}
    for begin, end, state, comment in hours.intervals(start, start + dt.timedelta(days=7)):
        if state != State.OPEN:
            continue
        cursor = begin
        while cursor < end:  # split a slot running past midnight into one slot per day
            day_end = min(end, dt.datetime.combine(cursor.date() + dt.timedelta(days=1), dt.time()))
            slots[cursor.date()].append((cursor.time(), day_end.time(), comment or ""))
            cursor = day_end
    return [DayHours(day, WEEKDAYS[day.weekday()], tuple(day_slots)) for day, day_slots in slots.items()]


def local_now() -> dt.datetime:
    """The current time in the Loire, naive (opening hours are local)."""
    return dt.datetime.now(PARIS).replace(tzinfo=None, second=0, microsecond=0)


# --- the filter ------------------------------------------------------------------------------------------------


def _as_list(value) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    return tuple(dict.fromkeys(str(v) for v in value if v not in (None, "")))


@dataclass(frozen=True)
class PlaceFilter:
    """What the Carte filters on. Built from the URL query string and written back to it."""

    facets: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    communes: tuple[str, ...] = ()  # INSEE codes
    epcis: tuple[str, ...] = ()  # SIREN codes
    freshness: tuple[str, ...] = ()
    hours: tuple[str, ...] = ()  # keys of HOURS_OPTIONS (both must hold when both are chosen)
    text: str = ""

    @classmethod
    def from_query(cls, query: Mapping) -> PlaceFilter:
        """Unknown keys and values are ignored, so an old or edited link still opens a view."""
        facets = {}
        for facet in FACETS:
            chosen = _as_list(query.get(facet.key))
            if facet.aliases:
                chosen = tuple(v for v in chosen if v in facet.aliases)
            if chosen:
                facets[facet.key] = chosen
        return cls(
            facets=facets,
            communes=tuple(v for v in _as_list(query.get("commune")) if re.fullmatch(r"[0-9AB]{5}", v)),
            epcis=tuple(v for v in _as_list(query.get("epci")) if re.fullmatch(r"\d{9}", v)),
            freshness=tuple(v for v in _as_list(query.get("fraicheur")) if v in FRESHNESS_BY_KEY),
            hours=tuple(v for v in _as_list(query.get("horaires")) if v in HOURS_OPTIONS),
            text=" ".join(str(query.get("q") or "").split())[:200],
        )

    def to_query(self) -> dict[str, list[str] | str]:
        """The URL query parameters of this filter, in a stable order (for `urlencode(..., doseq=True)`)."""
        query: dict[str, list[str] | str] = {}
        for facet in FACETS:
            if self.facets.get(facet.key):
                query[facet.key] = list(self.facets[facet.key])
        for key, values in (
            ("commune", self.communes),
            ("epci", self.epcis),
            ("fraicheur", self.freshness),
            ("horaires", self.hours),
        ):
            if values:
                query[key] = list(values)
        if self.text:
            query["q"] = self.text
        return query

    @property
    def is_empty(self) -> bool:
        return not self.to_query()

    def summary(self, communes: Mapping[str, str] | None = None, epcis: Mapping[str, str] | None = None) -> list[str]:
        """One French line per active filter, e.g. for the PDF export or a screen reader."""
        lines = []
        for facet in FACETS:
            if self.facets.get(facet.key):
                lines.append(
                    f"{facet.label} : {' ou '.join(option_label(facet.key, v) for v in self.facets[facet.key])}"
                )
        if self.communes:
            lines.append("Commune : " + " ou ".join((communes or {}).get(c, c) for c in self.communes))
        if self.epcis:
            lines.append("Intercommunalité : " + " ou ".join((epcis or {}).get(c, c) for c in self.epcis))
        if self.freshness:
            lines.append("Mise à jour : " + " ou ".join(FRESHNESS_BY_KEY[k].label for k in self.freshness))
        if self.hours:
            lines.append("Horaires : " + " et ".join(HOURS_OPTIONS[k].lower() for k in self.hours))
        if self.text:
            lines.append(f"Recherche : « {self.text} »")
        return lines


def option_label(facet_key: str, value: str) -> str:
    if facet_key == "typologie":
        return TYPOLOGIE_LABELS.get(value, value)
    if facet_key == "territoire":
        return TERRITOIRE_LABELS.get(value, value)
    return value


def _facet_condition(facet: Facet, options) -> ColumnElement[bool]:
    return Place.pk.in_(
        select(PlaceValue.place_pk).where(
            PlaceValue.field == facet.field, PlaceValue.value.in_(facet.raw_values(options))
        )
    )


def _conditions(flt: PlaceFilter, today: dt.date, skip: str | None = None) -> list[ColumnElement[bool]]:
    conditions = [_facet_condition(FACET_BY_KEY[k], v) for k, v in flt.facets.items() if k != skip]
    if flt.communes and skip != "commune":
        conditions.append(Place.code_insee.in_(flt.communes))
    if flt.epcis and skip != "epci":
        conditions.append(Place.epci_code.in_(flt.epcis))
    if flt.freshness and skip != "fraicheur":
        conditions.append(_freshness_condition(flt.freshness, today))
    return conditions


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower case without accents, for searching as people type ("etienne" finds "Étienne"). Cached: names and
    communes repeat from one request to the next."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", " ", plain).strip()


def _python_mask(frame: pd.DataFrame, flt: PlaceFilter, now: dt.datetime, skip_hours: bool = False) -> pd.Series:
    mask = pd.Series(True, index=frame.index)
    if flt.text:
        folded = (
            frame["nom"].fillna("").map(fold)
            + " "
            + frame["commune"].fillna("").map(fold)
            + " "
            + frame["adresse"].fillna("").map(fold)
        )
        for word in fold(flt.text).split():
            mask &= folded.str.contains(word, regex=False)
    if not skip_hours:
        for key in flt.hours:
            mask &= _hours_flags(frame["horaires"], key, now)
    return mask


def _per_distinct(series: pd.Series, function, missing):
    """`function` of each value, evaluated once per distinct value: many places share the same hours string."""
    verdict = {value: function(value) for value in series.dropna().unique()}
    return series.map(verdict).where(series.notna(), missing)


def _hours_flags(horaires: pd.Series, key: str, now: dt.datetime) -> pd.Series:
    if key == "maintenant":
        flags = _per_distinct(horaires, lambda text: open_state(text, now) == "open", False)
    else:
        flags = _per_distinct(horaires, lambda text: open_on_weekend(text, now.date()), False)
    return flags.astype(bool)


# --- queries ---------------------------------------------------------------------------------------------------

LIST_COLUMNS = (
    Place.pk,
    Place.id,
    Place.nom,
    Place.commune,
    Place.adresse,
    Place.latitude,
    Place.longitude,
    Place.date_maj,
    Place.horaires,
)


@dataclass
class SearchResult:
    places: pd.DataFrame  # LIST_COLUMNS + `open_state`, `freshness`, sorted by commune then name
    counts: dict[str, dict[str, int]]  # facet key (and "fraicheur", "horaires") → option → places
    version: str | None = None  # `collection_version` read for the counts (None without counts)


def bare_query(session: Session, flt: PlaceFilter, today: dt.date) -> pd.DataFrame:
    """The SQL part of the filter alone (the benchmark's reference)."""
    # Core execution (no ORM row loading) and plain tuples (pandas inspects Row objects one by one): both cost
    # more than the query itself on large results.
    rows = session.connection().execute(select(*LIST_COLUMNS).where(*_conditions(flt, today))).all()
    return pd.DataFrame.from_records([tuple(row) for row in rows], columns=[c.key for c in LIST_COLUMNS])


def freshness_keys(dates: pd.Series, today: dt.date) -> pd.Series:
    """`freshness_of` for a whole column at once."""
    stamps = pd.to_datetime(dates, errors="coerce")
    keys = pd.Series(FRESHNESS[-1].key, index=dates.index, dtype=object)
    for band in reversed(FRESHNESS[:-1]):  # the newest band last, so it wins
        keys[stamps > pd.Timestamp(months_before(today, band.max_months))] = band.key
    return keys


def search_places(session: Session, flt: PlaceFilter, now: dt.datetime, with_counts: bool = True) -> SearchResult:
    """The places matching `flt` at local time `now`, and the count of each option given the other filters."""
    today = now.date()
    frame = bare_query(session, flt, today)
    before_hours = frame[_python_mask(frame, flt, now, skip_hours=True)]
    places = before_hours[_python_mask(before_hours, flt, now)].copy()
    places["open_state"] = _per_distinct(places["horaires"], lambda text: open_state(text, now), "unknown")
    places["freshness"] = freshness_keys(places["date_maj"], today)
    keys = [
        (fold(c or ""), fold(n or "")) for c, n in zip(places["commune"].tolist(), places["nom"].tolist(), strict=True)
    ]
    places = places.iloc[sorted(range(len(keys)), key=keys.__getitem__)].reset_index(drop=True)
    if not with_counts:
        return SearchResult(places, {})
    index = facet_index(session)
    return SearchResult(places, _counts(index, flt, now, before_hours), index.version)


@dataclass
class FacetIndex:
    """Every place's facet values as boolean masks over the places, for counting options without a query each.

    Built once per version of the places (`collection_version`) and kept per database: counting ~70 options on
    20,000 places is then a few array operations instead of one GROUP BY per facet."""

    version: str
    pks: np.ndarray
    masks: dict[tuple[str, str], np.ndarray]
    insee: np.ndarray
    epci: np.ndarray
    date_maj: np.ndarray  # datetime64[D], NaT when unknown
    light: pd.DataFrame  # pk, nom, commune, adresse, horaires: what the Python-side filters read

    def mask(self, field_name: str, values) -> np.ndarray:
        result = np.zeros(len(self.pks), dtype=bool)
        for value in values:
            found = self.masks.get((field_name, value))
            if found is not None:
                result |= found
        return result


_INDEXES: dict[str, FacetIndex] = {}
_INDEX_LOCK = threading.Lock()


def facet_index(session: Session) -> FacetIndex:
    version = collection_version(session)
    key = str(session.get_bind().url)
    index = _INDEXES.get(key)
    if index is not None and index.version == version:
        return index
    with _INDEX_LOCK:
        rows = session.execute(
            select(
                Place.pk, Place.nom, Place.commune, Place.adresse, Place.horaires, Place.code_insee, Place.epci_code,
                Place.date_maj,
            ).order_by(Place.pk)
        ).all()  # fmt: skip
        places = pd.DataFrame.from_records(
            [tuple(r) for r in rows],
            columns=["pk", "nom", "commune", "adresse", "horaires", "code_insee", "epci_code", "date_maj"],
        )
        pks = places["pk"].to_numpy(dtype=np.int64)
        masks: dict[tuple[str, str], np.ndarray] = {}
        values = session.execute(select(PlaceValue.place_pk, PlaceValue.field, PlaceValue.value)).all()
        if values:
            frame = pd.DataFrame.from_records([tuple(v) for v in values], columns=["pk", "field", "value"])
            frame["position"] = np.searchsorted(pks, frame["pk"].to_numpy(dtype=np.int64))
            for (field_name, value), positions in frame.groupby(["field", "value"])["position"]:
                mask = np.zeros(len(pks), dtype=bool)
                mask[positions.to_numpy()] = True
                masks[(field_name, value)] = mask
        index = FacetIndex(
            version=version,
            pks=pks,
            masks=masks,
            insee=places["code_insee"].to_numpy(dtype=object),
            epci=places["epci_code"].to_numpy(dtype=object),
            date_maj=pd.to_datetime(places["date_maj"], errors="coerce").to_numpy(dtype="datetime64[D]"),
            light=places[["pk", "nom", "commune", "adresse", "horaires"]],
        )
        _INDEXES[key] = index
    return index


def _counts(index: FacetIndex, flt: PlaceFilter, now: dt.datetime, before_hours: pd.DataFrame) -> dict:
    today = now.date()
    everything = np.ones(len(index.pks), dtype=bool)
    conditions: dict[str, np.ndarray] = {
        key: index.mask(FACET_BY_KEY[key].field, FACET_BY_KEY[key].raw_values(chosen))
        for key, chosen in flt.facets.items()
    }
    if flt.communes:
        conditions["commune"] = np.isin(index.insee, flt.communes)
    if flt.epcis:
        conditions["epci"] = np.isin(index.epci, flt.epcis)
    bands = _band_masks(index.date_maj, today)
    if flt.freshness:
        conditions["fraicheur"] = np.logical_or.reduce([bands[key] for key in flt.freshness])
    if flt.text or flt.hours:
        # Text and hours are not SQL: evaluated once on every place, then a condition like the others.
        conditions["python"] = _python_mask(index.light, flt, now).to_numpy(dtype=bool)

    def matching(skip: str | None) -> np.ndarray:
        result = everything.copy()
        for key, mask in conditions.items():
            if key != skip:
                result &= mask
        return result

    counts: dict[str, dict[str, int]] = {}
    for facet in FACETS:
        base = matching(facet.key)
        options = facet.aliases or {v: (v,) for f, v in index.masks if f == facet.field}
        found = {option: int((base & index.mask(facet.field, raws)).sum()) for option, raws in options.items()}
        counts[facet.key] = {option: n for option, n in found.items() if n}
    base = matching("fraicheur")
    counts["fraicheur"] = {key: int((base & mask).sum()) for key, mask in bands.items() if (base & mask).any()}
    counts["horaires"] = {key: int(_hours_flags(before_hours["horaires"], key, now).sum()) for key in HOURS_OPTIONS}
    return counts


def _band_masks(dates: np.ndarray, today: dt.date) -> dict[str, np.ndarray]:
    """One mask per freshness band (unknown dates are "À actualiser")."""
    masks, newer = {}, np.zeros(len(dates), dtype=bool)
    for band in FRESHNESS[:-1]:
        within = dates > np.datetime64(months_before(today, band.max_months))  # NaT compares False
        masks[band.key] = within & ~newer
        newer |= within
    masks[FRESHNESS[-1].key] = ~newer
    return masks


@dataclass(frozen=True)
class FilterChoices:
    """What the facet checklists offer, and the names of the communes and EPCIs chosen (for the summary)."""

    facets: dict[str, list[str]]
    commune_names: dict[str, str]
    epci_names: dict[str, str]


def filter_choices(
    session: Session, schema_options: Mapping[str, tuple[str, ...]], flt: PlaceFilter | None = None
) -> FilterChoices:
    """The schema's enumerations for each facet (in the standard's order), the values found in the data for free
    columns (typologie)."""
    facets = {}
    for facet in FACETS:
        if facet.aliases:
            facets[facet.key] = list(facet.aliases)
        elif schema_options.get(facet.field):
            facets[facet.key] = list(schema_options[facet.field])
        else:
            present = session.scalars(select(PlaceValue.value).where(PlaceValue.field == facet.field).distinct())
            facets[facet.key] = sorted(present, key=lambda v: fold(option_label(facet.key, v)))
    names = []
    for code, name, chosen in (
        (Place.code_insee, Place.commune, flt.communes if flt else ()),
        (Place.epci_code, Place.epci_name, flt.epcis if flt else ()),
    ):
        query = select(code, func.min(name)).where(code.in_(chosen)).group_by(code)
        names.append(dict(session.execute(query).all()) if chosen else {})
    communes, epcis = names
    return FilterChoices(facets, communes, epcis)


def territories(session: Session) -> tuple[list[tuple[str, str, int]], list[tuple[str, str, int]]]:
    """(code, name, places) of the communes and of the EPCIs that have places, sorted by name."""
    found = []
    for code, name in ((Place.code_insee, Place.commune), (Place.epci_code, Place.epci_name)):
        rows = session.execute(select(code, func.min(name), func.count()).where(code.is_not(None)).group_by(code)).all()
        found.append(sorted((tuple(r) for r in rows), key=lambda r: fold(r[1] or "")))
    return found[0], found[1]


def get_place(session: Session, place_id: str) -> Place | None:
    return session.scalar(select(Place).where(Place.id == place_id))


def commune_centroids(session: Session) -> pd.DataFrame:
    rows = session.execute(
        select(Commune.insee, Commune.name, Commune.latitude, Commune.longitude).where(Commune.latitude.is_not(None))
    ).all()
    return pd.DataFrame(rows, columns=["insee", "name", "latitude", "longitude"])


def places_matching(session: Session, flt: PlaceFilter, now: dt.datetime) -> list[Place]:
    """The full rows of the places matching `flt`, in the list's order (for exports)."""
    pks = [int(pk) for pk in search_places(session, flt, now, with_counts=False).places["pk"]]
    by_pk = {}
    for start in range(0, len(pks), 5000):  # bounded IN lists
        by_pk.update({p.pk: p for p in session.scalars(select(Place).where(Place.pk.in_(pks[start : start + 5000])))})
    return [by_pk[pk] for pk in pks]


def collection_version(session: Session) -> str:
    """Changes whenever a place is added, changed or removed: the browser's cached point collection is keyed by it."""
    count, latest = session.execute(select(func.count(Place.pk), func.max(Place.updated_at))).one()
    return f"{count}.{latest:%Y%m%d%H%M%S%f}" if latest else str(count)


def point_collection(session: Session) -> dict:
    """Every located place, column-wise (compact JSON): the browser keeps it and each filter sends only `pk`s."""
    rows = session.execute(
        select(Place.pk, Place.id, Place.nom, Place.commune, Place.latitude, Place.longitude)
        .where(Place.latitude.is_not(None), Place.longitude.is_not(None))
        .order_by(Place.pk)
    ).all()
    return {
        "pk": [r.pk for r in rows],
        "id": [r.id for r in rows],
        "label": [f"{r.nom} — {r.commune}" for r in rows],
        "lat": [round(r.latitude, 5) for r in rows],
        "lon": [round(r.longitude, 5) for r in rows],
    }


# --- digital fragility index (IFN) ------------------------------------------------------------------------------

IFN_COMPONENTS = {
    "no_thd_coverage_rate": "Sans couverture très haut débit",
    "no_4g_coverage_rate": "Sans couverture 4G",
    "poverty_rate": "Taux de pauvreté",
    "older_65_rate": "Part des plus de 65 ans",
    "nscol15p_rate": "Non-diplômés (15 ans et plus)",
}


@dataclass
class IfnReport:
    created: int = 0
    updated: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)

    def lines(self) -> list[str]:
        lines = [
            f"Communes créées : {self.created}",
            f"Communes mises à jour : {self.updated}",
            f"Lignes rejetées : {len(self.rejected)}",
        ]
        return lines + [f"  - ligne {line} : {reason}" for line, reason in self.rejected]


def _score(text: str | None) -> float | None:
    try:
        value = float((text or "").strip().replace(",", "."))
    except ValueError:
        return None
    return value if 0 <= value <= 10 else None


def import_ifn(session: Session, actor: Actor, content: str | bytes) -> IfnReport:
    """The IFN per commune (`name,division,code,<components>,total`, scores 0–10): upserted into `Commune` by INSEE
    code. Rows of other divisions (departments, EPCIs) are skipped; bad rows are reported."""
    require_role(actor, Role.COORDINATOR)
    if isinstance(content, bytes):
        content = content.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(content, newline=""))
    missing = {"name", "code", "total"} - set(reader.fieldnames or ())
    if missing:
        raise ValueError(f"colonnes manquantes : {', '.join(sorted(missing))}")
    report = IfnReport()
    communes = {c.insee: c for c in session.scalars(select(Commune))}
    for row in reader:
        line = reader.line_num
        if (row.get("division") or "city") != "city":
            continue
        code, total = (row.get("code") or "").strip(), _score(row.get("total"))
        if not re.fullmatch(r"\d[0-9AB]\d{3}", code):
            report.rejected.append((line, f"code INSEE invalide « {code} »"))
            continue
        if total is None:
            report.rejected.append((line, f"indice total invalide « {row.get('total')} » (0 à 10 attendu)"))
            continue
        scores = {key: _score(row.get(key)) for key in IFN_COMPONENTS if key in row}
        commune = communes.get(code)
        if commune is None:
            commune = Commune(insee=code, name=(row.get("name") or code).strip())
            session.add(commune)
            communes[code] = commune
            before, action = None, "create"
            report.created += 1
        else:
            before, action = snapshot(commune), "update"
            report.updated += 1
        commune.ifn_total, commune.ifn_scores = total, scores
        audit(session, actor, commune, action, before=before)
    return report


def offer_and_fragility(session: Session) -> pd.DataFrame:
    """Per commune with an IFN: its score, its places and a position (the commune's, else its places' mean)."""
    places = (
        select(
            Place.code_insee.label("insee"),
            func.count(Place.pk).label("places"),
            func.avg(Place.latitude).label("place_lat"),
            func.avg(Place.longitude).label("place_lon"),
        )
        .group_by(Place.code_insee)
        .subquery()
    )
    rows = session.execute(
        select(
            Commune.insee,
            Commune.name,
            Commune.epci_name,
            Commune.ifn_total,
            func.coalesce(places.c.places, 0),
            func.coalesce(Commune.latitude, places.c.place_lat),
            func.coalesce(Commune.longitude, places.c.place_lon),
        )
        .outerjoin(places, places.c.insee == Commune.insee)
        .where(Commune.ifn_total.is_not(None))
        .order_by(Commune.ifn_total.desc(), Commune.name)
    ).all()
    return pd.DataFrame.from_records(
        [tuple(r) for r in rows], columns=["insee", "name", "epci", "ifn", "places", "latitude", "longitude"]
    )
