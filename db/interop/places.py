"""Places in the national schema of digital mediation places (v1.0.2), and the legacy v0.1 format.

The validation rules are read from the schema file itself (`standard-mediation-num_v1.0.2_schema.json`, a copy of
LaMednum/standard-mediation-num's `schema.json`, Licence Ouverte / etalab-2.0): required fields, patterns, maximum
lengths, types. The enumerations offered as filters by the Carte come from the same patterns.

`import_places` upserts by `id` in the caller's transaction: a bad row is rejected (row number, field, reason) and
the others are written; an exception rolls the whole file back. `export_rows`/`export_csv`/`export_json` give v1.0.2
back exactly (32 columns, in order, "|"-joined multi-values).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import clock, fields, imports
from db import communes as communes_reference
from db.carte import sync_place_values
from db.imports import Issue, UnusableFile
from db.models import Commune, Place, Role
from db.spreadsheets import records_csv
from db.writes import Actor, ValidationError, audit, require_role, snapshot

SCHEMA_PATH = Path(__file__).with_name("standard-mediation-num_v1.0.2_schema.json")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    title: str
    type: str
    required: bool
    pattern: re.Pattern | None
    max_length: int | None
    options: tuple[str, ...]  # the enumeration written in the pattern, empty when free text

    @property
    def multi(self) -> bool:
        return bool(self.options)


def _options(pattern: str | None) -> tuple[str, ...]:
    """The values of a schema pattern of the form `(?:(?:^|\\|)(A|B|C))+$`, unescaped."""
    match = re.fullmatch(r"\(\?:\(\?:\^\|\\\|\)\((.*)\)\)\+\$", pattern or "")
    if not match:
        return ()
    return tuple(re.sub(r"\\(.)", r"\1", part) for part in re.split(r"(?<!\\)\|", match.group(1)))


@lru_cache(maxsize=1)
def schema_fields() -> tuple[FieldSpec, ...]:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    specs = []
    for spec in schema["fields"]:
        constraints = spec.get("constraints", {})
        pattern = constraints.get("pattern")
        specs.append(
            FieldSpec(
                name=spec["name"],
                title=spec.get("title") or spec["name"],
                type=spec.get("type", "string"),
                required=bool(constraints.get("required")),
                pattern=re.compile(pattern) if pattern else None,
                max_length=constraints.get("maxLength"),
                options=_options(pattern),
            )
        )
    return tuple(specs)


def field_names() -> list[str]:
    return [spec.name for spec in schema_fields()]


# --- validation ------------------------------------------------------------------------------------------------


# The shared import report and its issues (db/imports.py); the names this module has always used.
Rejection = Issue


def ImportReport() -> imports.ImportReport:  # noqa: N802 — the report of a places import
    return imports.ImportReport(what="lieux")


# Lengths of the database columns, so an over-long value is a rejected row rather than a failed transaction.
_COLUMN_LENGTH = {c.name: getattr(c.type, "length", None) for c in Place.__table__.columns}


def clean_place(raw: dict) -> tuple[dict, dict[str, str]]:
    """The typed values of one v1.0.2 record (strings stripped, "" → None) and a French message per bad field."""
    values: dict = {}
    errors: dict[str, str] = {}
    for spec in schema_fields():
        text = _text(raw.get(spec.name))
        if text is None:
            values[spec.name] = None
            if spec.required:
                errors[spec.name] = "champ obligatoire manquant"
            continue
        if spec.type == "number":
            try:
                number = float(text.replace(",", "."))
            except ValueError:
                errors[spec.name] = f"nombre attendu, reçu « {text} »"
                continue
            if not math.isfinite(number):
                errors[spec.name] = f"nombre attendu, reçu « {text} »"
                continue
            values[spec.name] = number
            continue
        if spec.type == "date":
            try:
                values[spec.name] = dt.date.fromisoformat(text)
            except ValueError:
                errors[spec.name] = f"date attendue au format AAAA-MM-JJ, reçu « {text} »"
            continue
        if spec.max_length and len(text) > spec.max_length:
            errors[spec.name] = f"{len(text)} caractères, {spec.max_length} au maximum"
            continue
        # Full match, as the reference validator (Frictionless) reads a pattern: "Nimporte|Fixe" is not an itinerance.
        if spec.pattern and not spec.pattern.fullmatch(text):
            errors[spec.name] = _pattern_message(spec, text)
            continue
        limit = _COLUMN_LENGTH.get(spec.name)
        if limit and len(text) > limit:
            errors[spec.name] = f"{len(text)} caractères, {limit} au maximum"
            continue
        values[spec.name] = text
    for name, low, high in (("latitude", -90, 90), ("longitude", -180, 180)):
        if values.get(name) is not None and not low <= values[name] <= high:
            errors[name] = f"hors limites ({low} à {high})"
    return values, errors


def _pattern_message(spec: FieldSpec, text: str) -> str:
    if spec.options:
        unknown = [v for v in text.split("|") if v not in spec.options]
        return f"valeur inconnue « {' | '.join(unknown) or text} » (valeurs permises : {', '.join(spec.options)})"
    hints = {
        "code_postal": "5 chiffres attendus",
        "code_insee": "code INSEE de 5 caractères attendu",
        "pivot": "SIRET ou RNA attendu (9 à 14 lettres ou chiffres)",
        "telephone": "numéro au format international attendu, ex. +33477000000",
        "itinerance": "« Itinérant » ou « Fixe » attendu",
    }
    return f"format invalide « {text} » ({hints.get(spec.name, 'motif du schéma non respecté')})"


def keep_known_values(record: dict) -> list[tuple[str, list[str]]]:
    """In a record about to be imported, the multi-valued fields keep their values of the schema's enumeration
    (written as the schema writes them, whatever the case and accents); the others are dropped and returned
    (field, values) so the report names them. The place itself is kept: one unknown service does not lose it."""
    dropped = []
    for spec in schema_fields():
        text = _text(record.get(spec.name))
        if not spec.multi or text is None:
            continue
        canonical = {_fold(option): option for option in spec.options}
        kept, unknown = [], []
        for part in text.split("|"):
            if not part.strip():
                continue
            option = part if part in spec.options else canonical.get(_fold(part))
            if option is None:
                unknown.append(part.strip())
            elif option not in kept:
                kept.append(option)
        if unknown:
            dropped.append((spec.name, unknown))
        record[spec.name] = "|".join(kept) or None
    return dropped


def _fold(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", " ", plain).strip()


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    text = str(value)
    # Kept verbatim (no trimming): an export must give back exactly what was imported.
    return text if text.strip() else None


# --- reading files ---------------------------------------------------------------------------------------------


UnreadableFile = UnusableFile


def read_records(content: str | bytes) -> Iterator[tuple[int, dict | None, str | None]]:
    """(row number, record as text values, or None with the reason the row cannot be read)."""
    content = imports.decode(content)
    if content.lstrip()[:1] in {"[", "{"}:
        yield from _json_records(content)
    else:
        yield from _csv_records(content)


def _json_records(content: str):
    try:
        data = json.loads(content)
    except json.JSONDecodeError as error:
        raise UnreadableFile(f"JSON invalide ligne {error.lineno}, colonne {error.colno} : {error.msg}") from None
    if isinstance(data, dict):
        # A data.gouv.fr style wrapper, or a single record.
        data = next((v for v in data.values() if isinstance(v, list)), [data])
    imports.check_rows(len(data))
    for number, record in enumerate(data, start=1):
        if not isinstance(record, dict):
            yield number, None, "un objet JSON est attendu pour chaque lieu"
            continue
        yield (
            number,
            {k: None if v is None else str(v) if not isinstance(v, str) else v for k, v in record.items()},
            None,
        )


def _csv_records(content: str):
    first_line = content.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter, strict=True)
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration:
        raise UnreadableFile("fichier vide") from None
    except csv.Error as error:
        raise UnreadableFile(f"en-tête CSV illisible : {error}") from None
    line = reader.line_num
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            # Past a broken quote the rest of the file cannot be split into rows reliably.
            yield line + 1, None, f"CSV illisible à partir de cette ligne ({error}) : lignes suivantes ignorées"
            return
        number, line = line + 1, reader.line_num
        imports.check_rows(number - 1)
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            yield number, None, f"{len(row)} colonnes au lieu de {len(header)}"
            continue
        yield number, dict(zip(header, row, strict=True)), None


# --- legacy v0.1 -----------------------------------------------------------------------------------------------

LEGACY_MARKERS = {"publics_accueillis", "conditions_acces", "courriel"}

LEGACY_SERVICES = {
    "Accéder à une connexion internet": "Accès internet et matériel informatique",
    "Accéder à du matériel": "Accès internet et matériel informatique",
    "Prendre en main un ordinateur": "Maîtrise des outils numériques du quotidien",
    "Prendre en main un smartphone ou une tablette": "Maîtrise des outils numériques du quotidien",
    "Utiliser le numérique au quotidien": "Maîtrise des outils numériques du quotidien",
    "Échanger avec ses proches": "Maîtrise des outils numériques du quotidien",
    "Approfondir ma culture numérique": "Compréhension du monde numérique",
    "Promouvoir la citoyenneté numérique": "Compréhension du monde numérique",
    "Accompagner les démarches de santé": "Aide aux démarches administratives",
    "Devenir autonome dans les démarches administratives": "Aide aux démarches administratives",
    "Réaliser des démarches administratives avec un accompagnement": "Aide aux démarches administratives",
    "Trouver un emploi ou une formation": "Insertion professionnelle via le numérique",
    "Créer et développer mon entreprise": "Insertion professionnelle via le numérique",
    "Soutenir la parentalité et l'éducation avec le numérique": "Parentalité et éducation avec le numérique",
    "Créer avec le numérique": "Loisirs et créations numériques",
}
LEGACY_PUBLICS = {  # only kept when the place does not also welcome "Adultes" (then it is not specific)
    "Seniors": "Seniors",
    "Jeunes": "Jeunes",
    "Familles": "Familles et/ou enfants",
    "Femmes": "Femmes",
}
LEGACY_PRISE_EN_CHARGE = {
    "Surdité": "Surdité",
    "Handicaps moteurs": "Handicaps moteurs",
    "Handicaps mentaux": "Handicaps mentaux",
    "Personnes en situation d'illettrisme": "Illettrisme",
    "Illettrisme": "Illettrisme",
    "Public langues étrangères": "Langues étrangères (autres)",
    "Déficience visuelle": "Déficience visuelle",
}
LEGACY_FRAIS = {
    "Gratuit": "Gratuit",
    "Gratuit sous condition": "Gratuit sous condition",
    "Payant": "Payant",
    "Adhésion": "Payant",
}
LEGACY_ACCOMPAGNEMENT = {
    "Seul": "En autonomie",
    "Avec de l'aide": "Accompagnement individuel",
    "A ma place": "Accompagnement individuel",
    "À ma place": "Accompagnement individuel",
    "Dans un atelier": "Dans un atelier collectif",
}


def is_legacy(record: dict) -> bool:
    return bool(LEGACY_MARKERS & record.keys()) and "courriels" not in record


def legacy_to_v1(record: dict) -> dict:
    """A v0.1 record as v1.0.2 (see ../shared/data/README.md): `;` lists, long labels "Valeur : explication"."""

    def values(name: str) -> list[str]:
        return [part.strip() for part in (record.get(name) or "").split(";") if part.strip()]

    def short(value: str) -> str:
        return value.split(" : ", 1)[0].strip()

    def mapped(items: Iterable[str], table: dict, by_prefix: bool = False) -> str | None:
        out: list[str] = []
        for item in items:
            key = short(item)
            target = next((v for k, v in table.items() if key.startswith(k)), None) if by_prefix else table.get(key)
            if target and target not in out:
                out.append(target)
        return "|".join(out) or None

    publics = values("publics_accueillis")
    source = _text(record.get("source"))
    record_id = _text(record.get("id"))
    converted = {name: record.get(name) for name in field_names() if name in record}
    converted.update(
        id=f"{source}_{record_id}" if source and record_id and not record_id.startswith(f"{source}_") else record_id,
        courriels="|".join(values("courriel")) or None,
        services=mapped(values("services"), LEGACY_SERVICES),
        publics_specifiquement_adresses=None
        if any(short(p).startswith("Adultes") for p in publics)
        else mapped(publics, LEGACY_PUBLICS, by_prefix=True),
        prise_en_charge_specifique=mapped(publics, LEGACY_PRISE_EN_CHARGE, by_prefix=True),
        frais_a_charge=mapped(values("conditions_acces"), LEGACY_FRAIS),
        modalites_accompagnement=mapped(values("modalites_accompagnement"), LEGACY_ACCOMPAGNEMENT),
    )
    return converted


# --- import ----------------------------------------------------------------------------------------------------


def commune_lookup(session: Session) -> dict[str, Commune]:
    return {c.insee: c for c in session.scalars(select(Commune))}


def apply_values(place: Place, values: dict, communes: dict[str, Commune]) -> None:
    """Write schema values on a place, then what derives from them (EPCI, facet rows). The EPCI is the commune
    table's (the database's own), else the national reference's (an arrondissement's code gives its commune's)."""
    for name, value in values.items():
        setattr(place, name, value)
    commune = communes.get(place.code_insee or "")
    if commune is None or not commune.epci_code:
        commune = communes_reference.resolver().commune(place.code_insee) or commune
    place.epci_code = commune.epci_code if commune else None
    place.epci_name = commune.epci_name if commune else None
    sync_place_values(place)


def resolve_insee(values: dict) -> str | None:
    """Fill an empty `code_insee` from the commune's name and postal code (national reference); the reason when
    it cannot be found."""
    if values.get("code_insee"):
        return None
    found = communes_reference.resolve(values.get("commune"), values.get("code_postal"))
    if found:
        values["code_insee"] = found.insee
        return None
    return f"code INSEE non trouvé : {found.reason} ; le lieu est importé sans commune de rattachement"


def import_places(session: Session, actor: Actor, content: str | bytes) -> ImportReport:
    """Upsert every valid record by `id`; rejected rows are reported, not written. Raises UnreadableFile."""
    require_role(actor, Role.COORDINATOR)
    report = ImportReport()
    communes = commune_lookup(session)
    existing = {p.id: p for p in session.scalars(select(Place))}
    today = clock.today()
    seen: dict[str, int] = {}
    formats = set()
    for number, record, problem in read_records(content):
        if record is None:
            report.rejected.append(Rejection(number, "", problem))
            continue
        if not formats and not {"id", "nom", "adresse"} & record.keys():
            raise UnusableFile(
                "aucune colonne du schéma des lieux (id, nom, adresse…) : "
                f"colonnes lues {', '.join(list(record)[:8]) or '(aucune)'}"
            )
        legacy = is_legacy(record)
        formats.add("ancien format v0.1" if legacy else "standard v1.0.2")
        if legacy:
            record = legacy_to_v1(record)
        dropped = keep_known_values(record)
        values, errors = clean_place(record)
        errors = {**fields.values_problems(Place, values, today), **errors}
        unresolved = None if errors else resolve_insee(values)
        if legacy:
            # v0.1 has no column for these: an old file must not erase what a v1 import or a form wrote.
            values = {k: v for k, v in values.items() if k in record or v is not None}
        place_id = values.get("id") or ""
        if place_id in seen:
            errors.setdefault("id", f"identifiant en double dans le fichier (déjà ligne {seen[place_id]})")
        if errors:
            report.rejected.extend(Rejection(number, name, reason, place_id) for name, reason in errors.items())
            continue
        seen[place_id] = number
        if unresolved:
            report.warnings.append(Rejection(number, "code_insee", unresolved, place_id))
        for name, unknown in dropped:
            spec = next(s for s in schema_fields() if s.name == name)
            report.warnings.append(
                Rejection(
                    number,
                    name,
                    f"valeur{'s' if len(unknown) > 1 else ''} rejetée{'s' if len(unknown) > 1 else ''} "
                    f"« {' | '.join(unknown)} » (hors de la liste du schéma : {', '.join(spec.options)}) ; "
                    "le lieu est importé sans elle" + ("s" if len(unknown) > 1 else ""),
                    place_id,
                )
            )
        place = existing.get(place_id)
        if place is None:
            place = Place()
            apply_values(place, values, communes)
            session.add(place)
            audit(session, actor, place, "create")
            existing[place_id] = place
            report.created.append(place_id)
        elif all(_same(getattr(place, name), value) for name, value in values.items()):
            report.unchanged.append(place_id)
        else:
            before = snapshot(place)
            apply_values(place, values, communes)
            audit(session, actor, place, "update", before=before)
            report.updated.append(place_id)
    report.format = " + ".join(sorted(formats)) or "aucune ligne"
    return report


def _same(current, new) -> bool:
    if isinstance(current, float) and isinstance(new, float):
        return math.isclose(current, new, rel_tol=0, abs_tol=1e-9)
    return current == new


# --- export ----------------------------------------------------------------------------------------------------


def export_value(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)  # shortest text giving back the same float: a round trip keeps every digit
    return str(value)


def export_rows(places: Iterable[Place]) -> list[dict[str, str]]:
    names = field_names()
    return [{name: export_value(getattr(place, name)) for name in names} for place in places]


def export_csv(rows: list[dict[str, str]]) -> str:
    return records_csv(rows, field_names())


def export_json(rows: list[dict[str, str]]) -> str:
    """v1.0.2 records; empty values are left out and coordinates are numbers, as in the national JSON exports."""
    records = []
    for row in rows:
        record = {}
        for name, value in row.items():
            if value == "":
                continue
            record[name] = float(value) if name in {"latitude", "longitude"} else value
        records.append(record)
    return json.dumps(records, ensure_ascii=False, indent=1)


def places_in_order(session: Session) -> list[Place]:
    """Every place, by identifier (the full export)."""
    return list(session.scalars(select(Place).order_by(Place.id)))


# --- the place form ----------------------------------------------------------------------------------------------


def save_place(session: Session, actor: Actor, original_id: str | None = None, **fields) -> str:
    """Create (no `original_id`) or edit a place from the sheet's form, with the import's validation.

    Values come raw from the browser: text, None, or lists for checklists (joined with "|")."""
    require_role(actor, Role.COORDINATOR)
    record = {name: "|".join(value) if isinstance(value, list | tuple) else value for name, value in fields.items()}
    unknown = set(record) - set(field_names())
    if unknown:
        raise ValidationError({"": f"Champs inconnus : {', '.join(sorted(unknown))}."})
    values, errors = clean_place(record)
    errors = {name: reason[0].upper() + reason[1:] + "." for name, reason in errors.items()}
    place = session.scalar(select(Place).where(Place.id == original_id).with_for_update()) if original_id else None
    if original_id and place is None:
        raise ValidationError({"": "Ce lieu n'existe plus : rechargez la page."})
    new_id = values.get("id")
    if new_id and new_id != original_id and session.scalar(select(Place.pk).where(Place.id == new_id)) is not None:
        errors["id"] = f"L'identifiant « {new_id} » est déjà celui d'un autre lieu."
    if errors:
        raise ValidationError(errors)
    resolve_insee(values)
    communes = commune_lookup(session)
    if place is None:
        place = Place()
        apply_values(place, values, communes)
        session.add(place)
        audit(session, actor, place, "create")
        return f"Lieu « {place.nom} » créé."
    before = snapshot(place)
    apply_values(place, values, communes)
    audit(session, actor, place, "update", before=before)
    return f"Fiche « {place.nom} » enregistrée."
