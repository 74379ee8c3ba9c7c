"""The national commune reference: every current commune's INSEE code, name, postal codes, département and EPCI.

It ships as `db/data/communes.csv.gz`, derived from Etalab's administrative division data (the npm package
`@etalab/decoupage-administratif`, data under Licence Ouverte; its version and vintage are in
`db/data/communes.source.json`). `flask --app app refresh-communes PACKAGE` rebuilds it from the package (a `.tgz`
from `npm pack`, or its unpacked folder); `init-db` loads it into the `communes` table (`load_communes`), keeping
what other imports wrote there (IFN, positions).

`resolve(name, postal_code)` gives the INSEE code of a commune written the many ways real files write it ("St-Étienne",
"SAINT ETIENNE", "Boen sur Lignon", "Le Crozet"/"Crozet", "Lyon 3e Arrondissement", "Roanne Cedex", a delegated
commune's old name): a normalised name, then the postal code (or its département) to choose among homonyms. The
municipal arrondissements of Paris, Lyon and Marseille resolve to their commune (its EPCI, its IFN).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import tarfile
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import clock, imports
from db.models import Commune

DATA_DIR = Path(__file__).with_name("data")
REFERENCE_PATH = DATA_DIR / "communes.csv.gz"
SOURCE_PATH = DATA_DIR / "communes.source.json"
PACKAGE = "@etalab/decoupage-administratif"
COLUMNS = ["insee", "name", "postal_codes", "departement", "epci_code", "epci_name", "parent", "aliases", "former_codes"]


@dataclass(frozen=True)
class ReferenceCommune:
    insee: str
    name: str
    postal_codes: tuple[str, ...]
    departement: str
    epci_code: str | None
    epci_name: str | None
    parent: str | None  # a municipal arrondissement's commune
    aliases: tuple[str, ...]  # names of its delegated and associated communes
    former_codes: tuple[str, ...] = ()  # codes of the communes merged into it (older files still use them)

    @property
    def commune(self) -> str:
        """The INSEE code places are grouped by: the commune itself, or an arrondissement's commune."""
        return self.parent or self.insee


# --- building the file from the npm package -----------------------------------------------------------------------


def _package_files(package: Path) -> dict[str, bytes]:
    names = ("package.json", "data/communes.json", "data/epci.json")
    if package.is_dir():
        root = package / "package" if (package / "package" / "package.json").exists() else package
        return {name: (root / name).read_bytes() for name in names}
    with tarfile.open(package) as archive:
        return {name: archive.extractfile(f"package/{name}").read() for name in names}


def build_reference(package: Path) -> tuple[list[dict], dict]:
    """The reference rows (current communes, then municipal arrondissements) and their provenance."""
    files = _package_files(package)
    meta = json.loads(files["package.json"])
    communes = json.loads(files["data/communes.json"])
    epcis = json.loads(files["data/epci.json"])
    epci_of = {member["code"]: (epci["code"], epci["nom"]) for epci in epcis for member in epci["membres"]}
    aliases: dict[str, list[str]] = defaultdict(list)
    for item in communes:
        if item["type"] in {"commune-deleguee", "commune-associee"} and item.get("chefLieu"):
            aliases[item["chefLieu"]].append(item["nom"])
    rows = []
    current = {c["code"]: c for c in communes if c["type"] == "commune-actuelle"}
    for item in sorted(communes, key=lambda c: (c["type"] != "commune-actuelle", c["code"])):
        if item["type"] not in {"commune-actuelle", "arrondissement-municipal"}:
            continue
        parent = item.get("commune") if item["type"] == "arrondissement-municipal" else None
        epci_code, epci_name = epci_of.get(parent or item["code"], (None, None))
        own_name = item["nom"]
        rows.append(
            {
                "insee": item["code"],
                "name": own_name,
                "postal_codes": " ".join(item.get("codesPostaux") or current.get(parent or "", {}).get("codesPostaux", [])),
                "departement": item["departement"],
                "epci_code": epci_code or "",
                "epci_name": epci_name or "",
                "parent": parent or "",
                "aliases": "|".join(sorted({a for a in aliases.get(item["code"], []) if a != own_name})),
                "former_codes": " ".join(c for c in item.get("anciensCodes", []) if c != item["code"]),
            }
        )
    source = {
        "package": meta["name"],
        "version": meta["version"],
        "built": clock.today().isoformat(),
        "communes": sum(1 for r in rows if not r["parent"]),
        "arrondissements": sum(1 for r in rows if r["parent"]),
        "licence": "Licence Ouverte / Open Licence (Etalab)",
        "origin": "INSEE (code officiel géographique), DGCL (EPCI), La Poste (codes postaux) via Etalab",
    }
    return rows, source


def write_reference(rows: list[dict], source: dict, path: Path = REFERENCE_PATH) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0: the same data give the same bytes, so a refresh without change leaves git clean.
    with gzip.GzipFile(filename="", mode="wb", fileobj=path.open("wb"), mtime=0) as archive:
        archive.write(buffer.getvalue().encode("utf-8"))
    path.with_name(path.name.replace(".csv.gz", ".source.json")).write_text(
        json.dumps(source, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )


@lru_cache(maxsize=2)
def reference(path: Path = REFERENCE_PATH) -> tuple[ReferenceCommune, ...]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return tuple(
            ReferenceCommune(
                insee=row["insee"],
                name=row["name"],
                postal_codes=tuple(row["postal_codes"].split()),
                departement=row["departement"],
                epci_code=row["epci_code"] or None,
                epci_name=row["epci_name"] or None,
                parent=row["parent"] or None,
                aliases=tuple(a for a in row["aliases"].split("|") if a),
                former_codes=tuple(row.get("former_codes", "").split()),
            )
            for row in csv.DictReader(handle)
        )


# --- normalisation and resolution ---------------------------------------------------------------------------------

_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
_ARTICLES = {"le", "la", "les", "l"}
_ARRONDISSEMENT = re.compile(r"^(paris|lyon|marseille) \d{1,2} ?(?:e|er|eme|ieme|em)?(?: arr(?:ondissement)?)?$")


def fold(name: str) -> str:
    """A commune name reduced to what tells communes apart: no case, accents, punctuation, article, CEDEX or
    abbreviation ("St-Étienne", "SAINT ETIENNE" and "Saint-Etienne Cedex 2" all give "saint etienne")."""
    text = name.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    text = re.sub(r"\bs/\s*", "sur ", text)
    text = re.sub(r"\bcedex\b.*$", "", text)
    words = [_ABBREVIATIONS.get(word, word) for word in re.findall(r"[a-z0-9]+", text)]
    if len(words) > 1 and words[0] in _ARTICLES:
        words = words[1:]
    folded = " ".join(words)
    arrondissement = _ARRONDISSEMENT.fullmatch(folded)
    return arrondissement.group(1) if arrondissement else folded


def departement_of(postal_code: str) -> str | None:
    """The département a postal code belongs to (Corsica: both of its départements)."""
    code = (postal_code or "").strip()
    if not re.fullmatch(r"\d{5}", code):
        return None
    if code.startswith("97") or code.startswith("98"):
        return code[:3]
    return code[:2]


@dataclass(frozen=True)
class Resolution:
    insee: str | None
    reason: str = ""  # why it could not be resolved

    def __bool__(self) -> bool:
        return self.insee is not None


class Resolver:
    def __init__(self, communes: tuple[ReferenceCommune, ...]):
        self.by_code = {c.insee: c for c in communes}
        self.successor = {old: c.insee for c in communes for old in c.former_codes if old not in self.by_code}
        self.by_name: dict[str, set[str]] = defaultdict(set)
        self.by_postal_code: dict[str, set[str]] = defaultdict(set)
        for c in communes:
            for name in (c.name, *c.aliases):
                self.by_name[fold(name)].add(c.commune)
            for code in c.postal_codes:
                self.by_postal_code[code].add(c.commune)

    def commune(self, insee: str | None) -> ReferenceCommune | None:
        """The commune of a code (an arrondissement's code gives its commune, a merged commune's its successor)."""
        found = self.by_code.get(insee or "") or self.by_code.get(self.successor.get(insee or "", ""))
        return self.by_code.get(found.commune) if found else None

    def resolve(self, name: str | None, postal_code: str | None) -> Resolution:
        postal_code = (postal_code or "").strip()
        key = fold(name or "")
        candidates = self.by_name.get(key, set())
        if postal_code:
            with_code = {c for c in candidates if postal_code in self.by_code[c].postal_codes}
            if len(with_code) == 1:
                return Resolution(next(iter(with_code)))
            departement = departement_of(postal_code)
            in_departement = {c for c in candidates if _same_departement(self.by_code[c].departement, departement)}
            if len(in_departement) == 1:  # a CEDEX or a changed postal code
                return Resolution(next(iter(in_departement)))
            if len(in_departement) > 1:
                return Resolution(None, f"plusieurs communes « {name} » dans le département {departement}")
            if not candidates:
                served = self.by_postal_code.get(postal_code, set())
                if len(served) == 1:  # a misspelt name, but the postal code serves only one commune
                    return Resolution(next(iter(served)))
        elif len(candidates) == 1:
            return Resolution(next(iter(candidates)))
        if not key:
            return Resolution(None, "commune absente")
        if candidates and not postal_code:
            return Resolution(None, f"plusieurs communes « {name} » : le code postal est nécessaire")
        if candidates:
            return Resolution(None, f"commune « {name} » inconnue avec le code postal {postal_code}")
        return Resolution(None, f"commune « {name} » introuvable dans le référentiel national")


def _same_departement(departement: str, of_postal_code: str | None) -> bool:
    if of_postal_code == "20":
        return departement in {"2A", "2B"}
    return departement == of_postal_code


@lru_cache(maxsize=1)
def resolver() -> Resolver:
    return Resolver(reference())


def resolve(name: str | None, postal_code: str | None) -> Resolution:
    return resolver().resolve(name, postal_code)


# --- loading into the database ------------------------------------------------------------------------------------


_REFERENCE_FIELDS = ("name", "postal_codes", "departement", "epci_code", "epci_name")


def load_communes(session: Session, communes: tuple[ReferenceCommune, ...] | None = None) -> imports.ImportReport:
    """Upsert every current commune of the reference into `communes` (idempotent: unchanged rows are not written);
    the IFN and positions that other imports wrote stay. The shared import report (db/imports.py)."""
    report = imports.ImportReport(what="communes du référentiel national", format=REFERENCE_PATH.name)
    existing = {
        row.insee: row
        for row in session.execute(
            select(Commune.insee, *(getattr(Commune, name) for name in _REFERENCE_FIELDS))
        )
    }
    new, changed = [], []
    for c in communes if communes is not None else reference():
        if c.parent:
            continue
        values = {
            "insee": c.insee,
            "name": c.name,
            "postal_codes": " ".join(c.postal_codes) or None,
            "departement": c.departement,
            "epci_code": c.epci_code,
            "epci_name": c.epci_name,
        }
        row = existing.get(c.insee)
        if row is None:
            new.append(values)
        elif any(getattr(row, name) != values[name] for name in _REFERENCE_FIELDS):
            changed.append(values)
        else:
            report.unchanged.append(c.insee)
    if new:
        session.execute(Commune.__table__.insert(), new)
    for values in changed:
        session.execute(
            Commune.__table__.update().where(Commune.insee == values["insee"]),
            {k: v for k, v in values.items() if k != "insee"},
        )
    report.created = [values["insee"] for values in new]
    report.updated = [values["insee"] for values in changed]
    return report
