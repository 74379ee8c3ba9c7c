"""Places of the network: queries and write rules of the Carte.

Filtering: every facet is a set of `PlaceValue` rows. The Carte filters and counts on a `PlaceIndex`, the places
held in memory as arrays and one boolean mask per facet value, rebuilt whenever the places change: OR within a
facet, AND across facets, and "how many would this option give" for every option in a few milliseconds. Free text
(accent-insensitive) and opening hours (a real OSM parser, once per distinct text) are masks like the others.
`bare_query` is the same filter in SQL, kept equal to the index by a test.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import threading
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
from opening_hours import OpeningHours, State
from sqlalchemy import ColumnElement, String, cast, func, or_, select
from sqlalchemy.orm import Session

from db import communes as commune_reference
from db import imports, revisions
from db.figures import KeyFigure
from db.models import PLACE_MULTI_FIELDS, Commune, Place, PlaceValue, Role
from db.writes import Actor, audit, require_role, snapshot


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


@lru_cache(maxsize=8192)  # evaluates a week's intervals: the Carte asks it for the same texts on every search
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


# --- the SQL filter: the benchmark's reference, kept equal to the index by a test -------------------------------


def _facet_condition(facet: Facet, options) -> ColumnElement[bool]:
    return Place.pk.in_(
        select(PlaceValue.place_pk).where(
            PlaceValue.field == facet.field, PlaceValue.value.in_(facet.raw_values(options))
        )
    )


def _conditions(flt: PlaceFilter, today: dt.date) -> list[ColumnElement[bool]]:
    conditions = [_facet_condition(FACET_BY_KEY[k], v) for k, v in flt.facets.items()]
    if flt.communes:
        conditions.append(Place.code_insee.in_(flt.communes))
    if flt.epcis:
        conditions.append(Place.epci_code.in_(flt.epcis))
    if flt.freshness:
        conditions.append(_freshness_condition(flt.freshness, today))
    return conditions


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


def bare_query(session: Session, flt: PlaceFilter, today: dt.date) -> pd.DataFrame:
    """The SQL part of the filter alone, rows to a DataFrame: what a query-per-filter design would cost at least
    (the tests' reference for the index; text and hours are not SQL)."""
    rows = session.connection().execute(select(*LIST_COLUMNS).where(*_conditions(flt, today))).all()
    return pd.DataFrame.from_records([tuple(row) for row in rows], columns=[c.key for c in LIST_COLUMNS])


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Lower case without accents, for searching as people type ("etienne" finds "Étienne")."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", " ", plain).strip()


# --- the index: every filter and count in memory ----------------------------------------------------------------

OPEN_STATE_KEYS = ("open", "closed", "unknown")


@dataclass
class PlaceIndex:
    """The places as arrays in the list's order (commune, then name), and each facet value as a boolean mask.

    Built once per version of the places (`collection_version`, read on every search) and kept per database:
    filtering and counting 20,000 places is then a few array operations, where one SQL query alone takes longer
    than the whole budget. It is a cache, not state: any process rebuilds it when any other changes a place."""

    version: str
    rows: pd.DataFrame  # LIST_COLUMNS + code_insee, epci_code, position (in `point_collection`, -1: no position)
    masks: dict[tuple[str, str], np.ndarray]
    values: dict[str, list[str]]  # field → values present
    text: list[str]  # folded "name commune address" of each place
    hours: list[str]  # the distinct opening-hours texts
    hours_code: np.ndarray  # position of each place's text in `hours`, -1 when it has none
    date_maj: np.ndarray  # datetime64[D], NaT when unknown
    names: dict[str, dict[str, str]]  # "commune"/"epci" → code → name

    def __len__(self) -> int:
        return len(self.rows)

    def mask(self, field_name: str, values) -> np.ndarray:
        result = np.zeros(len(self), dtype=bool)
        for value in values:
            found = self.masks.get((field_name, value))
            if found is not None:
                result |= found
        return result

    def per_hours_text(self, function, missing) -> np.ndarray:
        """`function` of each place's hours, evaluated once per distinct text (places share a few hundred)."""
        verdicts = [function(text) for text in self.hours] + [missing]  # index -1: no hours
        return np.asarray(verdicts)[self.hours_code]

    def open_states(self, now: dt.datetime) -> np.ndarray:
        """Each place's `open_state` at `now`, as its position in OPEN_STATE_KEYS."""
        return self.per_hours_text(lambda text: OPEN_STATE_KEYS.index(open_state(text, now)), 2)

    def hours_flags(self, key: str, now: dt.datetime) -> np.ndarray:
        """Each place matches the HOURS_OPTIONS `key` at `now` (never when its hours are unknown)."""
        if key == "maintenant":
            return self.open_states(now) == OPEN_STATE_KEYS.index("open")
        return self.per_hours_text(lambda text: open_on_weekend(text, now.date()), False)

    def text_mask(self, text: str) -> np.ndarray:
        mask = np.ones(len(self), dtype=bool)
        for word in fold(text).split():
            mask &= np.fromiter((word in folded for folded in self.text), dtype=bool, count=len(self))
        return mask

    def conditions(self, flt: PlaceFilter, now: dt.datetime) -> dict[str, np.ndarray]:
        """One mask per active filter, keyed like the counts (a facet key, "commune", "fraicheur"…)."""
        conditions = {
            key: self.mask(FACET_BY_KEY[key].field, FACET_BY_KEY[key].raw_values(chosen))
            for key, chosen in flt.facets.items()
        }
        if flt.communes:
            conditions["commune"] = np.isin(self.rows["code_insee"].to_numpy(), flt.communes)
        if flt.epcis:
            conditions["epci"] = np.isin(self.rows["epci_code"].to_numpy(), flt.epcis)
        if flt.freshness:
            bands = freshness_codes(self.date_maj, now.date())
            conditions["fraicheur"] = np.isin(bands, [FRESHNESS_KEYS.index(key) for key in flt.freshness])
        if flt.text:
            conditions["q"] = self.text_mask(flt.text)
        if flt.hours:
            conditions["horaires"] = np.logical_and.reduce([self.hours_flags(key, now) for key in flt.hours])
        return conditions


FRESHNESS_KEYS = [band.key for band in FRESHNESS]


def freshness_codes(dates: np.ndarray, today: dt.date) -> np.ndarray:
    """The position in FRESHNESS of each date's band (`freshness_of` for a whole array; NaT: À actualiser)."""
    codes = np.full(len(dates), len(FRESHNESS) - 1, dtype=np.int8)
    for position in reversed(range(len(FRESHNESS) - 1)):  # the newest band last, so it wins
        codes[dates > np.datetime64(months_before(today, FRESHNESS[position].max_months))] = position
    return codes


_INDEXES: dict[str, PlaceIndex] = {}
_INDEX_LOCK = threading.Lock()


def place_index(session: Session) -> PlaceIndex:
    """The index of the places as they are now in this session's database (rebuilt when they changed)."""
    version = collection_version(session)
    key = str(session.get_bind().url)
    index = _INDEXES.get(key)
    if index is None or index.version != version:
        with _INDEX_LOCK:  # one build at a time; a second caller finds it done
            index = _INDEXES.get(key)
            if index is None or index.version != version:
                index = _INDEXES[key] = _build_index(session, version)
    return index


def _build_index(session: Session, version: str) -> PlaceIndex:
    columns = [*LIST_COLUMNS, Place.code_insee, Place.epci_code, Place.epci_name]
    fetched = session.connection().execute(select(*columns)).all()
    rows = pd.DataFrame.from_records([tuple(r) for r in fetched], columns=[c.key for c in columns])
    located = rows["latitude"].notna() & rows["longitude"].notna()
    rows["position"] = -1
    rows.loc[located, "position"] = rows.loc[located, "pk"].rank(method="first").astype(int) - 1
    keys = [(fold(c or ""), fold(n or "")) for c, n in zip(rows["commune"].tolist(), rows["nom"].tolist(), strict=True)]
    order = sorted(range(len(rows)), key=keys.__getitem__)
    rows = rows.iloc[order].reset_index(drop=True)
    hours = rows["horaires"].where(rows["horaires"].notna(), None)
    distinct = list(dict.fromkeys(text for text in hours if text))
    code_of = {text: i for i, text in enumerate(distinct)}
    position_of_pk = np.full(int(rows["pk"].max()) + 1 if len(rows) else 0, -1, dtype=np.int64)
    position_of_pk[rows["pk"].to_numpy(dtype=np.int64)] = np.arange(len(rows))
    masks: dict[tuple[str, str], np.ndarray] = {}
    values: dict[str, list[str]] = {}
    for field_name, value, pks in _place_values(session):
        mask = np.zeros(len(rows), dtype=bool)
        positions = position_of_pk[pks[pks < len(position_of_pk)]]
        mask[positions[positions >= 0]] = True  # a place added after `rows` was read waits for the next version
        masks[(field_name, value)] = mask
        values.setdefault(field_name, []).append(value)
    return PlaceIndex(
        version=version,
        rows=rows[[c.key for c in LIST_COLUMNS] + ["code_insee", "epci_code", "position"]],
        masks=masks,
        values=values,
        text=[
            f"{fold(n or '')} {fold(c or '')} {fold(a or '')}"
            for n, c, a in zip(rows["nom"].tolist(), rows["commune"].tolist(), rows["adresse"].tolist(), strict=True)
        ],
        hours=distinct,
        hours_code=np.array([code_of.get(text, -1) for text in hours], dtype=np.int64),
        date_maj=pd.to_datetime(rows["date_maj"], errors="coerce").to_numpy(dtype="datetime64[D]"),
        names={
            "commune": _names(rows["code_insee"], rows["commune"]),
            "epci": _names(rows["epci_code"], rows["epci_name"]),
        },
    )


def _place_values(session: Session) -> Iterator[tuple[str, str, np.ndarray]]:
    """(field, value, pks of the places having it): one row per value, the pks joined by the database (one row per
    place and value would be ~20 rows a place to fetch one by one)."""
    pks = func.aggregate_strings(cast(PlaceValue.place_pk, String), ",")
    query = select(PlaceValue.field, PlaceValue.value, pks).group_by(PlaceValue.field, PlaceValue.value)
    for field_name, value, joined in session.connection().execute(query):
        yield field_name, value, np.array(joined.split(","), dtype=np.int64)


def _names(codes: pd.Series, names: pd.Series) -> dict[str, str]:
    """code → name (the smallest when places disagree), for codes that are set."""
    pairs = pd.DataFrame({"code": codes, "name": names}).dropna()
    return pairs.groupby("code")["name"].min().to_dict()


@dataclass
class SearchResult:
    # LIST_COLUMNS + `open_state`, `freshness` (categorical: OPEN_STATE_KEYS, FRESHNESS_KEYS), `position`; sorted by
    # commune, then name
    places: pd.DataFrame
    counts: dict[str, dict[str, int]]  # facet key (and "fraicheur", "horaires") → option → places
    version: str  # the `collection_version` the result was computed on


def search_places(session: Session, flt: PlaceFilter, now: dt.datetime, with_counts: bool = True) -> SearchResult:
    """The places matching `flt` at local time `now`, and the count of each option given the other filters."""
    index = place_index(session)
    conditions = index.conditions(flt, now)
    selected = np.flatnonzero(_all_but(conditions, None, len(index)))
    places = index.rows.take(selected).reset_index(drop=True)
    places["open_state"] = pd.Categorical.from_codes(index.open_states(now)[selected], categories=OPEN_STATE_KEYS)
    bands = freshness_codes(index.date_maj, now.date())
    places["freshness"] = pd.Categorical.from_codes(bands[selected], categories=FRESHNESS_KEYS)
    counts = _counts(index, conditions, bands, now) if with_counts else {}
    return SearchResult(places, counts, index.version)


def _all_but(conditions: dict[str, np.ndarray], skip: str | None, size: int) -> np.ndarray:
    result = np.ones(size, dtype=bool)
    for key, mask in conditions.items():
        if key != skip:
            result &= mask
    return result


def _counts(index: PlaceIndex, conditions: dict[str, np.ndarray], bands: np.ndarray, now: dt.datetime) -> dict:
    """ "What you would get by adding this option": each facet counted with every filter applied but its own."""
    counts: dict[str, dict[str, int]] = {}
    for facet in FACETS:
        base = _all_but(conditions, facet.key, len(index))
        options = facet.aliases or {value: (value,) for value in index.values.get(facet.field, ())}
        found = {option: int((base & index.mask(facet.field, raws)).sum()) for option, raws in options.items()}
        counts[facet.key] = {option: n for option, n in found.items() if n}
    per_band = np.bincount(bands[_all_but(conditions, "fraicheur", len(index))], minlength=len(FRESHNESS))
    counts["fraicheur"] = {key: int(n) for key, n in zip(FRESHNESS_KEYS, per_band, strict=True) if n}
    base = _all_but(conditions, "horaires", len(index))
    counts["horaires"] = {key: int((base & index.hours_flags(key, now)).sum()) for key in HOURS_OPTIONS}
    return counts


@dataclass
class InView:
    places: pd.DataFrame  # the places inside the bounds
    outside: int  # located places outside them
    unplaced: int  # places without coordinates: never on the map


def places_in_view(places: pd.DataFrame, bounds) -> InView:
    """The places inside `[[south, west], [north, east]]`; all of them when `bounds` is None (the map has not
    reported its view yet)."""
    if not bounds:
        return InView(places, 0, 0)
    (south, west), (north, east) = bounds
    inside = places["latitude"].between(south, north) & places["longitude"].between(west, east)
    unplaced = int((places["latitude"].isna() | places["longitude"].isna()).sum())
    return InView(places[inside], len(places) - int(inside.sum()) - unplaced, unplaced)


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
    index = place_index(session)
    facets = {}
    for facet in FACETS:
        if facet.aliases:
            facets[facet.key] = list(facet.aliases)
        elif schema_options.get(facet.field):
            facets[facet.key] = list(schema_options[facet.field])
        else:
            present = index.values.get(facet.field, [])
            facets[facet.key] = sorted(present, key=lambda v: fold(option_label(facet.key, v)))
    communes = {
        code: index.names["commune"][code] for code in (flt.communes if flt else ()) if code in index.names["commune"]
    }
    epcis = {code: index.names["epci"][code] for code in (flt.epcis if flt else ()) if code in index.names["epci"]}
    return FilterChoices(facets, communes, epcis)


def territories(session: Session) -> tuple[list[tuple[str, str, int]], list[tuple[str, str, int]]]:
    """(code, name, places) of the communes and of the EPCIs that have places, sorted by name."""
    found = []
    for code, name in ((Place.code_insee, Place.commune), (Place.epci_code, Place.epci_name)):
        rows = session.execute(select(code, func.min(name), func.count()).where(code.is_not(None)).group_by(code)).all()
        found.append(sorted((tuple(r) for r in rows), key=lambda r: fold(r[1] or "")))
    return found[0], found[1]


def epci_names(session: Session) -> dict[str, str]:
    """EPCI code → name, from the commune reference and the places (for codes of places that have left)."""
    names = dict(session.execute(select(Place.epci_code, func.min(Place.epci_name)).group_by(Place.epci_code)).all())
    names |= dict(
        session.execute(select(Commune.epci_code, func.min(Commune.epci_name)).group_by(Commune.epci_code)).all()
    )
    return {code: name for code, name in names.items() if code and name}


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
    """Changes whenever a place is added, changed or removed, however (a trigger replaces the places' revision
    token): the index and the browser's point collection are keyed by it."""
    return revisions.tokens(session)[revisions.PLACES] or "none"


def point_collection(session: Session) -> dict:
    """Every located place, column-wise and by `pk` (compact JSON), with its version: the browser keeps it, and
    each filter sends only which of its places match (see `SearchResult.places["position"]`)."""
    index = place_index(session)
    located = index.rows[index.rows["position"] >= 0].sort_values("position")
    return {
        "v": index.version,
        "pk": located["pk"].tolist(),
        "id": located["id"].tolist(),
        "label": [f"{name} — {commune}" for name, commune in zip(located["nom"], located["commune"], strict=True)],
        "lat": located["latitude"].round(5).tolist(),
        "lon": located["longitude"].round(5).tolist(),
    }


# --- digital fragility index (IFN) ------------------------------------------------------------------------------

IFN_COMPONENTS = {
    "no_thd_coverage_rate": "Sans couverture très haut débit",
    "no_4g_coverage_rate": "Sans couverture 4G",
    "poverty_rate": "Taux de pauvreté",
    "older_65_rate": "Part des plus de 65 ans",
    "nscol15p_rate": "Non-diplômés (15 ans et plus)",
}


def IfnReport() -> imports.ImportReport:  # noqa: N802 — the report of an IFN import
    return imports.ImportReport(what="communes", format="indice de fragilité numérique (CSV)")


def _score(text: str | None) -> float | None:
    try:
        value = float((text or "").strip().replace(",", "."))
    except ValueError:
        return None
    return value if 0 <= value <= 10 else None


def import_ifn(session: Session, actor: Actor, content: str | bytes) -> imports.ImportReport:
    """The IFN per commune (`name,division,code,<components>,total`, scores 0–10): upserted into `Commune` by INSEE
    code. Rows of other divisions (departments, EPCIs) are skipped; bad rows are reported; a commune whose scores
    are the same is unchanged (no journal row). Raises UnusableFile."""
    require_role(actor, Role.COORDINATOR)
    text = imports.decode(content)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        fieldnames = [name.strip() for name in reader.fieldnames or ()]
    except csv.Error as error:
        raise imports.UnusableFile(f"en-tête CSV illisible : {error}") from None
    reader.fieldnames = fieldnames
    missing = {"name", "code", "total"} - set(fieldnames)
    if missing:
        raise imports.UnusableFile(
            f"colonnes manquantes : {', '.join(sorted(missing))} (attendu : name,division,code,…,total)"
        )
    report = IfnReport()
    communes = {c.insee: c for c in session.scalars(select(Commune))}
    try:
        for row in reader:
            line = reader.line_num
            imports.check_rows(line)
            if (row.get("division") or "city") != "city":
                continue
            code, total = (row.get("code") or "").strip(), _score(row.get("total"))
            if not re.fullmatch(r"\d[0-9AB]\d{3}", code):
                report.rejected.append(imports.Issue(line, "code", f"code INSEE invalide « {code} »"))
                continue
            if total is None:
                report.rejected.append(
                    imports.Issue(line, "total", f"indice total invalide « {row.get('total')} » (0 à 10 attendu)", code)
                )
                continue
            scores = {key: _score(row.get(key)) for key in IFN_COMPONENTS if key in row}
            commune = communes.get(code)
            if commune is None:
                reference = commune_reference.resolver().commune(code)
                commune = Commune(insee=code, name=(row.get("name") or code).strip())
                if reference is not None:  # its EPCI from the reference (a merged commune's: its successor's)
                    commune.epci_code, commune.epci_name = reference.epci_code, reference.epci_name
                    commune.departement = reference.departement
                if reference is not None and reference.insee == code:
                    commune.name = reference.name
                    commune.postal_codes = " ".join(reference.postal_codes) or None
                else:
                    report.warnings.append(
                        imports.Issue(line, "code", "commune absente du référentiel national : ajoutée", code)
                    )
                session.add(commune)
                communes[code] = commune
                before, action = None, "create"
                report.created.append(code)
            elif commune.ifn_total == total and (commune.ifn_scores or {}) == scores:
                report.unchanged.append(code)
                continue
            else:
                before, action = snapshot(commune), "update"
                report.updated.append(code)
            commune.ifn_total, commune.ifn_scores = total, scores
            audit(session, actor, commune, action, before=before)
    except csv.Error as error:
        raise imports.UnusableFile(f"CSV illisible ligne {reader.line_num} : {error}") from None
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


VERY_FRAGILE = 6.5  # IFN from which a commune counts as very fragile (the two darkest classes of the map)


def fragility_by_epci(frame: pd.DataFrame) -> pd.DataFrame:
    """Per EPCI, from `offer_and_fragility`: its communes with an IFN, their mean score, the very fragile ones and
    those of them without any place, and its places; the most fragile EPCI first."""
    if frame.empty:
        return pd.DataFrame(columns=["epci", "communes", "mean_ifn", "very_fragile", "without_place", "places"])
    scored = frame.assign(
        epci=frame["epci"].fillna("Sans intercommunalité connue"),
        very_fragile=frame["ifn"] >= VERY_FRAGILE,
        without_place=(frame["ifn"] >= VERY_FRAGILE) & (frame["places"] == 0),
    )
    table = scored.groupby("epci", as_index=False).agg(
        communes=("insee", "count"),
        mean_ifn=("ifn", "mean"),
        very_fragile=("very_fragile", "sum"),
        without_place=("without_place", "sum"),
        places=("places", "sum"),
    )
    return table.sort_values(["mean_ifn", "epci"], ascending=[False, True]).reset_index(drop=True)
