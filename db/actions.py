"""Actions: what the network did — a meeting, an intervention, a training, an event, support to a project, a piece
of communication… — dated, under one or more missions of the convention, with its partner structures (places of the
Carte or names), commune, public, participants, hours, a short account and links. The annual report tells them under
their missions.

Entered through the shared form (`save_action`), imported from CSV (`import_csv`, same write, same rules), listed a
page at a time with filters (`actions_page`) and exported (`actions_frame`).

CSV format (UTF-8 or Windows-1252, `;` or `,`, one header line, columns in any order, headers case- and
accent-insensitive; dates JJ/MM/AAAA or AAAA-MM-JJ):

    titre;type;debut;fin;missions;partenaires;commune;public;participants;heures;compte_rendu;liens
    Rencontre des tiers-lieux;rencontre;27/04/2021;;tiers-lieux;Tiers-lieu du Pilat|FabLab Roannais;42218;…;18;3;…;

`missions` are mission keys of the convention covering the action's year, joined with `|`; `partenaires` are names
joined with `|` (a name equal to a place of the Carte links that place); `commune` an INSEE code or a commune name;
`type` a key or a label of `KINDS`; `liens` addresses joined with `|` or spaces.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload

from db import clock, fields, imports
from db import convention as conv
from db.fields import record_key
from db.interop.mailing import CsvFormat, _plain, read_table
from db.lettres import parse_date, parse_number
from db.models import Action, ActionMission, ActionPartner, Commune, Mission, Place, Role
from db.paging import Page, fetch_page
from db.writes import Actor, ValidationError, audit, require_role, snapshot

KINDS = {
    "rencontre": "Rencontre, réunion",
    "intervention": "Intervention",
    "formation": "Formation",
    "evenement": "Événement",
    "accompagnement": "Accompagnement de projet",
    "communication": "Communication",
    "outil": "Outil, ressource",
    "autre": "Autre",
}
TITLE_MAX, TEXT_MAX, ACCOUNT_MAX, LINKS_MAX = 300, 300, 4000, 2000
URL = re.compile(r"https?://[^\s<>\"']+")


@dataclass(frozen=True)
class Saved:
    action: Action
    created: bool


# --- writes --------------------------------------------------------------------------------------------------------


def _ids(values) -> list[int]:
    if values is None or values == "":
        return []
    if not isinstance(values, list | tuple):
        values = [values]
    out = []
    for value in values:
        key = record_key(value)
        if key is None:
            raise ValueError
        out.append(key)
    return list(dict.fromkeys(out))


def _names(value) -> list[str]:
    """Free partner names: one per line, or joined with `|` or `;`."""
    if not value:
        return []
    if not isinstance(value, str | list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValueError("Noms de structures attendus.")
    parts = re.split(r"[\n|;]", value) if isinstance(value, str) else list(value)
    return list(dict.fromkeys(p.strip() for p in parts if p and p.strip()))


def _links(value) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValueError("Adresses attendues, une par ligne.")
    text = (value or "").strip()
    if not text:
        return None
    links = re.split(r"[\s|]+", text)
    bad = [link for link in links if not URL.fullmatch(link)]
    if bad:
        raise ValueError(f"Adresse invalide : « {bad[0][:60]} » (http:// ou https:// attendu).")
    return "\n".join(dict.fromkeys(links))


def save_action(
    session: Session,
    actor: Actor,
    *,
    action_id=None,
    title=None,
    kind=None,
    start_date=None,
    end_date=None,
    missions=None,
    partner_places=None,
    partner_names=None,
    commune=None,
    public=None,
    participants=None,
    hours=None,
    account=None,
    links=None,
) -> str:
    """Create or edit an action (coordinators and admins); one French message per field."""
    values = {name: value for name, value in locals().items() if name not in ("session", "actor")}
    return _save(session, actor, **values).message


@dataclass(frozen=True)
class _Result:
    saved: Saved
    message: str


def _save(session: Session, actor: Actor, **values) -> _Result:
    require_role(actor, Role.COORDINATOR)
    errors: dict[str, str] = {}
    action = None
    action_id = values.get("action_id")
    if action_id not in (None, "", "new"):
        key = record_key(action_id)
        action = None if key is None else session.get(Action, key, with_for_update=True)
        if action is None:
            errors["action_id"] = "Action introuvable."
    title = conv._text(errors, "title", values.get("title"), "Le titre", TITLE_MAX)
    kind = values.get("kind") if isinstance(values.get("kind"), str) else None
    if kind not in KINDS:
        by_label = {_plain(label): key for key, label in KINDS.items()}
        kind = by_label.get(_plain(str(kind or ""))) or (
            _plain(str(kind or "")) if _plain(str(kind or "")) in KINDS else None
        )
        if kind is None:
            errors["kind"] = "Choisir le type d'action."
    days = {}
    for name, label, required in (("start_date", "La date", True), ("end_date", "La date de fin", False)):
        value = values.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                errors[name] = f"{label} est obligatoire."
            days[name] = None
            continue
        try:
            if not isinstance(value, str | dt.date):
                raise ValueError("Date invalide : format attendu JJ/MM/AAAA ou AAAA-MM-JJ.")
            days[name] = parse_date(value)
            if not fields.EARLIEST <= days[name] <= fields.latest_date(clock.today()):
                raise ValueError(
                    f"Date hors de la période plausible : du {fields.EARLIEST:%d/%m/%Y} au "
                    f"{fields.latest_date(clock.today()):%d/%m/%Y}."
                )
        except ValueError as error:
            errors[name] = str(error)
            days[name] = None
    if days["start_date"] and days["end_date"] and days["end_date"] < days["start_date"]:
        errors["end_date"] = "La date de fin ne peut pas précéder le début."
    if days["end_date"] == days["start_date"]:
        days["end_date"] = None
    try:
        mission_ids = _ids(values.get("missions"))
    except ValueError:
        mission_ids, errors["missions"] = [], "Mission invalide."
    found = (
        {m.id: m for m in session.scalars(select(Mission).where(Mission.id.in_(mission_ids)))} if mission_ids else {}
    )
    if len(found) != len(mission_ids):
        errors["missions"] = "Mission introuvable."
    try:
        place_pks = _ids(values.get("partner_places"))
    except ValueError:
        place_pks, errors["partner_places"] = [], "Lieu invalide."
    places = {p.pk: p for p in session.scalars(select(Place).where(Place.pk.in_(place_pks)))} if place_pks else {}
    if len(places) != len(place_pks):
        errors["partner_places"] = "Lieu introuvable sur la Carte."
    try:
        names = _names(values.get("partner_names"))
    except ValueError as error:
        names, errors["partner_names"] = [], str(error)
    if any(len(name) > 500 for name in names):
        errors["partner_names"] = "Un nom de structure ne doit pas dépasser 500 caractères."
    commune_insee = commune_name = None
    commune = values.get("commune")
    if commune is not None and not isinstance(commune, str):
        errors["commune"], commune = "Nom ou code INSEE de la commune attendu.", None
    commune = (commune or "").strip()
    if commune:
        row = session.get(Commune, str(commune)) if re.fullmatch(r"\d[0-9AB]\d{3}", str(commune)) else None
        if row is None:
            row = session.scalars(select(Commune).where(func.lower(Commune.name) == str(commune).lower())).first()
        if row is not None:
            commune_insee, commune_name = row.insee, row.name
        elif fields.is_insee_code(commune):
            commune_insee = commune
        elif len(str(commune)) <= 200:
            commune_name = str(commune)
        else:
            errors["commune"] = "Commune : 200 caractères au plus."
    public = conv._text(errors, "public", values.get("public"), "Le public", TEXT_MAX, required=False)
    numbers = {}
    for name, integer, label in (("participants", True, "Le nombre de participants"), ("hours", False, "La durée")):
        value = values.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            numbers[name] = None
            continue
        try:
            numbers[name] = parse_number(value, integer)
        except ValueError as error:
            errors[name] = f"{label} : {str(error)[0].lower()}{str(error)[1:]}"
            numbers[name] = None
    account = conv._text(errors, "account", values.get("account"), "Le compte rendu", ACCOUNT_MAX, required=False)
    try:
        links = _links(values.get("links"))
        if links and len(links) > LINKS_MAX:
            raise ValueError(f"Liens : {LINKS_MAX} caractères au plus.")
    except ValueError as error:
        links, errors["links"] = None, str(error)
    if errors:
        raise ValidationError(errors)
    created = action is None
    before = None if created else snapshot(action)
    if created:
        action = Action(created_by=actor.id)
        session.add(action)
    action.title, action.kind = title, kind
    action.start_date, action.end_date = days["start_date"], days["end_date"]
    action.commune_insee, action.commune_name = commune_insee, commune_name
    action.public, action.account, action.links = public, account, links
    action.participants, action.hours = numbers["participants"], numbers["hours"]
    action.missions = [ActionMission(mission_id=mission_id) for mission_id in mission_ids]
    partners = [(pk, places[pk].nom) for pk in place_pks] + [
        (_place_named(session, name), name) for name in names if name not in {p.nom for p in places.values()}
    ]
    action.partners = [
        ActionPartner(place_pk=pk, name=name, position=n) for n, (pk, name) in enumerate(partners, start=1)
    ]
    audit(session, actor, action, "create" if created else "update", before)
    verb = "enregistrée" if created else "modifiée"
    return _Result(Saved(action, created), f"Action « {title} » du {action.start_date:%d/%m/%Y} {verb}.")


def _place_named(session: Session, name: str) -> int | None:
    return session.scalar(select(Place.pk).where(func.lower(Place.nom) == name.lower()).limit(1))


def delete_action(session: Session, actor: Actor, *, action_id=None) -> str:
    require_role(actor, Role.COORDINATOR)
    key = record_key(action_id)
    action = None if key is None else session.get(Action, key, with_for_update=True)
    if action is None:
        raise ValidationError({"action_id": "Action introuvable."})
    before = snapshot(action)
    session.delete(action)
    audit(session, actor, action, "delete", before)
    return f"Action « {action.title} » supprimée."


# --- CSV import ----------------------------------------------------------------------------------------------------

CSV_FORMAT = CsvFormat(
    "actions",
    "Actions",
    ("titre", "type", "debut", "fin", "missions", "partenaires", "commune", "public", "participants", "heures",
     "compte_rendu", "liens"),
    ("titre", "type", "debut"),
    "Rencontre départementale des tiers-lieux;rencontre;27/04/2021;;tiers-lieux;Tiers-lieu du Pilat;42218;"
    "Tiers-lieux numériques;18;3;Une matinée d'échanges.;",
)  # fmt: skip
CSV_COLUMNS = {
    "title": "titre", "kind": "type", "start_date": "debut", "end_date": "fin", "missions": "missions",
    "partner_names": "partenaires", "commune": "commune", "public": "public", "participants": "participants",
    "hours": "heures", "account": "compte_rendu", "links": "liens",
}  # fmt: skip


@dataclass
class ImportReport:
    created: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return f"{self.created} action(s) créée(s), {len(self.rejected)} ligne(s) rejetée(s)."


def read_rows(data: bytes | str) -> list[tuple[int, dict[str, str]]]:
    """(line number, {column: cell}) of each data row, read by the import framework (db/imports.py: encodings,
    size and row limits); ValidationError when the file as a whole is unusable."""
    try:
        header, plain, rows = read_table(imports.decode(data))
    except imports.UnusableFile as error:
        raise ValidationError({"": f"Fichier inutilisable : {error}."}) from None
    missing = [column for column in CSV_FORMAT.required if column not in plain]
    if missing:
        raise ValidationError(
            {"": f"Colonne(s) manquante(s) : {', '.join(missing)}. En-tête attendu : {';'.join(CSV_FORMAT.columns)}."}
        )
    if not rows:
        raise ValidationError({"": "Le fichier ne contient aucune ligne de données."})
    return [
        (line, {name: (cells[i].strip() if i < len(cells) else "") for i, name in enumerate(plain)})
        for line, cells in rows
    ]


def import_csv(session: Session, actor: Actor, data: bytes | str) -> ImportReport:
    """Each row through `save_action`'s rules; bad rows are reported with their line and reasons, good ones written
    (in the caller's transaction). A file without the required columns writes nothing."""
    require_role(actor, Role.COORDINATOR)
    report = ImportReport()
    keys_by_year: dict[int, dict[str, int]] = {}
    for line, row in read_rows(data):
        values = {name: row.get(column, "") for name, column in CSV_COLUMNS.items()}
        wanted = _names(values.pop("missions"))
        try:
            year = parse_date(values["start_date"]).year
        except ValueError:
            year = None
        if year is not None and year not in keys_by_year:
            keys_by_year[year] = {m.key: m.id for m in conv.missions(conv.for_year(session, year))}
        known = keys_by_year.get(year, {})
        unknown = [key for key in wanted if key not in known]
        try:
            with session.begin_nested():
                result = _save(session, actor, **values, missions=[known[k] for k in wanted if k in known])
                if unknown:
                    raise ValidationError({"missions": f"Mission(s) inconnue(s) pour {year} : {', '.join(unknown)}."})
        except ValidationError as error:
            reasons = " ; ".join(f"{CSV_COLUMNS.get(k, k)} : {v}" if k else v for k, v in error.errors.items())
            report.rejected.append((line, reasons))
            continue
        report.created += result.saved.created
    return report


def import_actions(session: Session, actor: Actor, *, content=None) -> str:
    """The import form's write."""
    if not content or not isinstance(content, str | bytes):
        raise ValidationError({"content": "Choisir un fichier CSV d'actions."})
    report = import_csv(session, actor, content)
    lines = "; ".join(f"ligne {line} : {reason}" for line, reason in report.rejected[:10])
    return report.summary + (f" Rejets : {lines}" if lines else "")


# --- reading -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActionFilters:
    first: dt.date | None = None
    last: dt.date | None = None
    mission_id: int | None = None
    kind: str | None = None
    text: str = ""
    unattached: bool = False  # only actions under no mission


def _query(filters: ActionFilters) -> Select:
    query = select(Action)
    conditions = []
    if filters.first:
        conditions.append(func.coalesce(Action.end_date, Action.start_date) >= filters.first)
    if filters.last:
        conditions.append(Action.start_date <= filters.last)
    if filters.kind:
        conditions.append(Action.kind == filters.kind)
    if filters.mission_id:
        conditions.append(
            exists().where(and_(ActionMission.action_id == Action.id, ActionMission.mission_id == filters.mission_id))
        )
    if filters.unattached:
        conditions.append(~exists().where(ActionMission.action_id == Action.id))
    if filters.text.strip():
        needle = f"%{filters.text.strip().lower()}%"
        conditions.append(
            or_(
                func.lower(Action.title).like(needle),
                func.lower(func.coalesce(Action.account, "")).like(needle),
                func.lower(func.coalesce(Action.public, "")).like(needle),
                exists().where(and_(ActionPartner.action_id == Action.id, func.lower(ActionPartner.name).like(needle))),
            )
        )
    return query.where(*conditions)


def _rows(session: Session, actions: list[Action]) -> pd.DataFrame:
    titles = dict(session.execute(select(Mission.id, Mission.title)).all()) if actions else {}
    return pd.DataFrame(
        [
            {
                "id": action.id,
                "date": action.start_date,
                "end": action.end_date,
                "title": action.title,
                "kind": KINDS.get(action.kind, action.kind),
                "missions": " | ".join(titles.get(link.mission_id, "?") for link in action.missions),
                "partners": " | ".join(partner.name for partner in action.partners),
                "commune": action.commune_name or action.commune_insee or "",
                "public": action.public or "",
                "participants": action.participants,
                "hours": action.hours,
                "account": action.account or "",
                "links": (action.links or "").replace("\n", " "),
            }
            for action in actions
        ],
        columns=["id", "date", "end", "title", "kind", "missions", "partners", "commune", "public", "participants",
                 "hours", "account", "links"],
    )  # fmt: skip


def _loaded(query: Select) -> Select:
    return query.options(selectinload(Action.missions), selectinload(Action.partners))


def actions_page(session: Session, filters: ActionFilters, number: int = 0, size: int = 25) -> Page:
    """A page of the actions matching the filters, latest first, with the count of them all."""
    ids_page = fetch_page(
        session,
        _query(filters).with_only_columns(Action.id),
        [Action.start_date.desc(), Action.id.desc()],
        number,
        size,
    )
    ids = [int(i) for i in ids_page.rows["id"]] if len(ids_page.rows) else []
    actions = {a.id: a for a in session.scalars(_loaded(select(Action).where(Action.id.in_(ids))))}
    return Page(_rows(session, [actions[i] for i in ids]), ids_page.total, ids_page.offset, ids_page.size)


def actions_frame(session: Session, filters: ActionFilters) -> pd.DataFrame:
    """Every action matching the filters (for the export), by date."""
    actions = list(session.scalars(_loaded(_query(filters).order_by(Action.start_date, Action.id))))
    return _rows(session, actions)


EXPORT_COLUMNS = {
    "date": "Date", "end": "Fin", "title": "Titre", "kind": "Type", "missions": "Missions", "partners": "Partenaires",
    "commune": "Commune", "public": "Public", "participants": "Participants", "hours": "Heures",
    "account": "Compte rendu", "links": "Liens",
}  # fmt: skip


def export_frame(session: Session, filters: ActionFilters) -> pd.DataFrame:
    frame = actions_frame(session, filters)
    return frame[list(EXPORT_COLUMNS)].rename(columns=EXPORT_COLUMNS)


def action_values(session: Session, action_id) -> dict | None:
    """An action's fields as the form shows them (None when it does not exist)."""
    key = record_key(action_id)
    action = None if key is None else session.get(Action, key)
    if action is None:
        return None
    return {
        "title": action.title,
        "kind": action.kind,
        "start_date": action.start_date.isoformat(),
        "end_date": action.end_date.isoformat() if action.end_date else "",
        "missions": [link.mission_id for link in action.missions],
        "partner_places": [p.place_pk for p in action.partners if p.place_pk],
        "partner_names": "\n".join(p.name for p in action.partners if not p.place_pk),
        "commune": action.commune_insee or action.commune_name or "",
        "public": action.public or "",
        "participants": action.participants,
        "hours": action.hours,
        "account": action.account or "",
        "links": action.links or "",
    }


def place_options(session: Session) -> list[dict]:
    return [{"label": f"{nom} ({commune})", "value": pk}
            for pk, nom, commune in session.execute(select(Place.pk, Place.nom, Place.commune).order_by(Place.nom))]  # fmt: skip
