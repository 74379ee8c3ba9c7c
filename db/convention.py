"""The convention binding the network to the Département: its axes and missions, and the catalogue figures each
mission reports. The annual report of a year follows the convention covering that year.

A convention travels as a small JSON document (see the README, « La convention ») — export, edit, import — and a
new one can start as a copy of last year's. Defining it is an admin's write; its missions' narratives are the
coordination's (db/rapport.py).
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from db import catalogue
from db.fields import record_key
from db.models import Convention, ConventionAxis, Mission, MissionFigure, Role
from db.writes import Actor, ValidationError, audit, require_role, snapshot

FORMAT = "mednum-convention"
FORMAT_VERSION = 1
MIN_YEAR, MAX_YEAR = 2000, 2100
TITLE_MAX = 300
DESCRIPTION_MAX = 4000
KEY = re.compile(r"[a-z0-9][a-z0-9-]{0,49}")
RESERVED_KEYS = {"introduction", "conclusion"}  # the report's own texts, beside the missions' narratives


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:50] or "mission"


# --- reading -------------------------------------------------------------------------------------------------------


def _loaded():
    return select(Convention).options(
        selectinload(Convention.axes).selectinload(ConventionAxis.missions).selectinload(Mission.figures)
    )


def for_year(session: Session, year: int) -> Convention | None:
    """The convention covering `year` (the most recent start when spans overlap), with its axes and missions."""
    return session.scalars(
        _loaded()
        .where(Convention.first_year <= year, Convention.last_year >= year)
        .order_by(Convention.first_year.desc(), Convention.id.desc())
        .limit(1)
    ).first()


def get(session: Session, convention_id) -> Convention | None:
    key = record_key(convention_id)
    return None if key is None else session.scalars(_loaded().where(Convention.id == key)).first()


def list_conventions(session: Session) -> list[Convention]:
    return list(session.scalars(_loaded().order_by(Convention.first_year.desc(), Convention.id.desc())))


def span_label(convention: Convention) -> str:
    first, last = convention.first_year, convention.last_year
    return str(first) if first == last else f"{first}–{last}"


def missions(convention: Convention | None) -> list[Mission]:
    """The missions in report order: by axis, then by position."""
    if convention is None:
        return []
    return [mission for axis in convention.axes for mission in axis.missions]


def mission_options(session: Session, year: int) -> list[dict]:
    """{label, value} of the missions of the convention covering `year`, for the forms."""
    convention = for_year(session, year)
    return [
        {"label": f"{n}. {mission.title}", "value": mission.id}
        for n, mission in enumerate(missions(convention), start=1)
    ]


@dataclass(frozen=True)
class MissionRef:
    id: int
    key: str
    title: str
    convention: str  # the convention's span, "2021–2023"


def all_missions(session: Session) -> list[MissionRef]:
    """Every mission of every convention (a record may be attached to a mission of any span)."""
    return [
        MissionRef(mission.id, mission.key, mission.title, span_label(convention))
        for convention in list_conventions(session)
        for mission in missions(convention)
    ]


# --- the document -------------------------------------------------------------------------------------------------


def export_document(convention: Convention) -> dict:
    """The convention as its JSON document (the import's format)."""
    return {
        "format": FORMAT,
        "version": FORMAT_VERSION,
        "title": convention.title,
        "partner": convention.partner,
        "first_year": convention.first_year,
        "last_year": convention.last_year,
        "description": convention.description,
        "axes": [
            {
                "title": axis.title,
                "description": axis.description,
                "missions": [
                    {
                        "key": mission.key,
                        "title": mission.title,
                        "description": mission.description,
                        "figures": [figure.figure_key for figure in mission.figures],
                    }
                    for mission in axis.missions
                ],
            }
            for axis in convention.axes
        ],
    }


def export_json(convention: Convention) -> str:
    return json.dumps(export_document(convention), ensure_ascii=False, indent=2) + "\n"


def _text(errors: dict, where: str, value, label: str, max_length: int, required: bool = True) -> str | None:
    if value is not None and not isinstance(value, str):
        errors[where] = f"{label} : un texte est attendu."
        return None
    text = (value or "").strip()
    if not text:
        if required:
            errors[where] = f"{label} est obligatoire."
        return None
    if len(text) > max_length:
        errors[where] = f"{label} ne doit pas dépasser {max_length} caractères."
    return text


def _year(errors: dict, where: str, value, label: str) -> int | None:
    try:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError
        year = int(value)
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValueError
    except (TypeError, ValueError, OverflowError):
        errors[where] = f"{label} : une année entre {MIN_YEAR} et {MAX_YEAR}."
        return None
    return year


def parse_document(data) -> dict:
    """A convention document (bytes, text or an already-parsed dict) checked in full: every problem is reported with
    where it is (« axes[1].missions[2].figures »), nothing is written. Returns the clean document."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError({"": "Le fichier doit être du JSON encodé en UTF-8."}) from None
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as error:
            raise ValidationError({"": f"JSON illisible (ligne {error.lineno}, colonne {error.colno})."}) from None
    if not isinstance(data, dict):
        raise ValidationError({"": "Le document doit être un objet JSON (voir le format dans le README)."})
    if data.get("format", FORMAT) != FORMAT or data.get("version", FORMAT_VERSION) != FORMAT_VERSION:
        raise ValidationError({"": f"Format inconnu : « {FORMAT} » version {FORMAT_VERSION} attendu."})
    errors: dict[str, str] = {}
    clean = {
        "title": _text(errors, "title", data.get("title"), "Le titre", TITLE_MAX),
        "partner": _text(errors, "partner", data.get("partner"), "Le partenaire", TITLE_MAX, required=False),
        "first_year": _year(errors, "first_year", data.get("first_year"), "Première année"),
        "last_year": _year(errors, "last_year", data.get("last_year", data.get("first_year")), "Dernière année"),
        "description": _text(errors, "description", data.get("description"), "La description", DESCRIPTION_MAX, False),
        "axes": [],
    }
    if clean["first_year"] and clean["last_year"] and clean["last_year"] < clean["first_year"]:
        errors["last_year"] = "La dernière année ne peut pas précéder la première."
    axes = data.get("axes")
    if not isinstance(axes, list) or not axes:
        errors["axes"] = "Au moins un axe est attendu (« axes » : une liste)."
        axes = []
    keys: set[str] = set()
    for a, axis in enumerate(axes, start=1):
        where = f"axes[{a}]"
        if not isinstance(axis, dict):
            errors[where] = "Un axe est un objet (title, description, missions)."
            continue
        clean_axis = {
            "title": _text(errors, f"{where}.title", axis.get("title"), "Le titre de l'axe", TITLE_MAX),
            "description": _text(errors, f"{where}.description", axis.get("description"), "La description",
                                 DESCRIPTION_MAX, False),
            "missions": [],
        }  # fmt: skip
        items = axis.get("missions")
        if not isinstance(items, list) or not items:
            errors[f"{where}.missions"] = "Au moins une mission par axe."
            items = []
        for m, mission in enumerate(items, start=1):
            at = f"{where}.missions[{m}]"
            if not isinstance(mission, dict):
                errors[at] = "Une mission est un objet (key, title, description, figures)."
                continue
            title = _text(errors, f"{at}.title", mission.get("title"), "Le titre de la mission", TITLE_MAX)
            key = mission.get("key") or slug(title or f"mission-{a}-{m}")
            if not isinstance(key, str) or not KEY.fullmatch(key) or key in RESERVED_KEYS:
                errors[f"{at}.key"] = (
                    "Clé : minuscules, chiffres et tirets (50 au plus), ni « introduction » ni « conclusion »."
                )
            elif key in keys:
                errors[f"{at}.key"] = f"Clé « {key} » déjà utilisée par une autre mission."
            keys.add(key if isinstance(key, str) else "")
            figures = mission.get("figures") or []
            if not isinstance(figures, list) or not all(isinstance(f, str) for f in figures):
                errors[f"{at}.figures"] = "Les chiffres sont une liste de clés du catalogue."
                figures = []
            unknown = [f for f in figures if f not in catalogue.BY_KEY]
            if unknown:
                errors[f"{at}.figures"] = f"Chiffre(s) inconnu(s) du catalogue : {', '.join(unknown)}."
            clean_axis["missions"].append(
                {
                    "key": key,
                    "title": title,
                    "description": _text(errors, f"{at}.description", mission.get("description"), "La description",
                                         DESCRIPTION_MAX, False),
                    "figures": list(dict.fromkeys(figures)),
                }
            )  # fmt: skip
        clean["axes"].append(clean_axis)
    if errors:
        raise ValidationError(errors)
    return clean


# --- writes --------------------------------------------------------------------------------------------------------


def _overlapping(session: Session, first: int, last: int, other_than: int | None = None) -> Convention | None:
    query = select(Convention).where(Convention.first_year <= last, Convention.last_year >= first)
    if other_than is not None:
        query = query.where(Convention.id != other_than)
    return session.scalars(query.limit(1)).first()


def import_document(session: Session, actor: Actor, data) -> tuple[Convention, bool]:
    """Write a convention document (admins). A document for the span of an existing convention updates it in place:
    axes by their order, missions by their key, so the actions and records attached to a kept mission stay
    attached; a mission left out of the document is removed (its actions lose that mission). A span overlapping
    another convention's is refused. Returns the convention and whether it was created."""
    require_role(actor, Role.ADMIN)
    document = parse_document(data)
    first, last = document["first_year"], document["last_year"]
    existing = session.scalars(
        _loaded().where(Convention.first_year == first, Convention.last_year == last).with_for_update()
    ).first()
    clash = _overlapping(session, first, last, existing.id if existing else None)
    if clash is not None:
        raise ValidationError(
            {"first_year": f"Ces années recouvrent la convention {span_label(clash)} « {clash.title} »."}
        )
    created = existing is None
    convention = existing or Convention(first_year=first, last_year=last, title=document["title"])
    before = None if created else snapshot(convention)
    convention.title, convention.partner = document["title"], document["partner"]
    convention.description = document["description"]
    if created:
        session.add(convention)
    audit(session, actor, convention, "create" if created else "update", before)
    old_missions = {mission.key: mission for axis in convention.axes for mission in axis.missions}
    kept_axes = []
    for position, axis_document in enumerate(document["axes"], start=1):
        axis = convention.axes[position - 1] if position <= len(convention.axes) else ConventionAxis()
        axis.position, axis.title, axis.description = position, axis_document["title"], axis_document["description"]
        if axis.id is None:
            convention.axes.append(axis)
        kept_axes.append(axis)
        for m, mission_document in enumerate(axis_document["missions"], start=1):
            mission = old_missions.pop(mission_document["key"], None) or Mission(key=mission_document["key"])
            mission.axis = axis
            session.add(mission)
            mission.position, mission.title = m, mission_document["title"]
            mission.description = mission_document["description"]
            _set_figures(mission, mission_document["figures"])
    for mission in old_missions.values():
        session.delete(mission)
    for axis in convention.axes[len(kept_axes) :]:
        session.delete(axis)
    session.flush()
    return convention, created


def _set_figures(mission: Mission, keys: list[str]) -> None:
    current = {figure.figure_key: figure for figure in mission.figures}
    mission.figures = [current.get(key) or MissionFigure(figure_key=key) for key in keys]
    for position, figure in enumerate(mission.figures, start=1):
        figure.position = position


def import_convention(session: Session, actor: Actor, *, content=None) -> str:
    """The import form's write: `content` is the uploaded file (text or bytes)."""
    if not content or not isinstance(content, str | bytes):
        raise ValidationError({"content": "Choisir un fichier JSON de convention."})
    convention, created = import_document(session, actor, content)
    count = len(missions(convention))
    return (
        f"Convention {span_label(convention)} {'créée' if created else 'mise à jour'} : "
        f"{len(convention.axes)} axe(s), {count} mission(s)."
    )


def copy_convention(session: Session, actor: Actor, *, source_id=None, first_year=None, last_year=None) -> str:
    """A new convention for other years, starting as a copy of `source_id` (last year's): its axes, missions and
    their figures; narratives and actions stay with their years."""
    require_role(actor, Role.ADMIN)
    source = get(session, source_id)
    if source is None:
        raise ValidationError({"source_id": "Choisir la convention à recopier."})
    document = export_document(source)
    document["first_year"], document["last_year"] = first_year, last_year or first_year
    try:
        convention, created = import_document(session, actor, document)
    except ValidationError as error:
        raise ValidationError(
            {"first_year" if k in ("", "last_year") else k: v for k, v in error.errors.items()}
        ) from None
    if not created:  # same span as an existing one: refuse rather than overwrite it by a copy
        raise ValidationError({"first_year": "Une convention existe déjà pour ces années."})
    return f"Convention {span_label(convention)} créée à partir de celle de {span_label(source)}."


def save_mission(
    session: Session,
    actor: Actor,
    *,
    mission_id=None,
    axis_id=None,
    title=None,
    description=None,
    position=None,
    figures=None,
) -> str:
    """Create or edit one mission of a convention (admins): title, description, order in its axis, figures."""
    require_role(actor, Role.ADMIN)
    errors: dict[str, str] = {}
    mission = None
    if mission_id not in (None, "", "new"):
        key = record_key(mission_id)
        mission = None if key is None else session.get(Mission, key, with_for_update=True)
        if mission is None:
            errors["mission_id"] = "Mission introuvable."
    axis_key = record_key(axis_id)
    axis = None if axis_key is None else session.get(ConventionAxis, axis_key)
    if axis is None:
        errors["axis_id"] = "Choisir l'axe de la mission."
    title = _text(errors, "title", title, "Le titre", TITLE_MAX)
    description = _text(errors, "description", description, "La description", DESCRIPTION_MAX, required=False)
    try:
        position = None if position in (None, "") else record_key(position) if isinstance(position, int | str) else 0
        if position is not None and not 1 <= position <= 99:
            raise ValueError
    except (TypeError, ValueError):
        errors["position"] = "Un rang entre 1 et 99."
    if not isinstance(figures, list | tuple | type(None)):
        figures = [figures]
    figures = [f for f in (figures or []) if f]
    if not all(isinstance(f, str) for f in figures):
        errors["figures"], figures = "Chiffres du catalogue invalides.", []
    unknown = [f for f in figures if f not in catalogue.BY_KEY]
    if unknown:
        errors["figures"] = f"Chiffre(s) inconnu(s) : {', '.join(unknown)[:200]}."
    if errors:
        raise ValidationError(errors)
    convention = axis.convention
    siblings = [m for a in convention.axes for m in a.missions if m is not mission]
    created = mission is None
    if created:
        key = base = slug(title)
        n = 2
        while key in {m.key for m in siblings} or key in RESERVED_KEYS:
            key, n = f"{base[:46]}-{n}", n + 1
        mission = Mission(key=key)
        before = None
    else:
        before = snapshot(mission)
    old_axis = mission.axis if not created else None
    if old_axis is not None and old_axis is not axis:
        old_axis.missions.remove(mission)
    ordered = [m for m in axis.missions if m is not mission]
    index = len(ordered) if position is None else min(position - 1, len(ordered))
    ordered.insert(index, mission)
    mission.axis, mission.title, mission.description = axis, title, description
    axis.missions = ordered
    for n, item in enumerate(ordered, start=1):
        item.position = n
    _set_figures(mission, list(dict.fromkeys(figures)))
    if created:
        session.add(mission)
    audit(session, actor, mission, "create" if created else "update", before)
    return f"Mission « {title} » {'ajoutée' if created else 'enregistrée'}."
