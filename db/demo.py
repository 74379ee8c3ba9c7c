"""Demo data: an invented but coherent digital-inclusion network of the Loire (42), for trying the dashboard.

`seed_demo(session, today)` fills an empty database with the years of the network from three years before its seed
year (2021) up to the current year, a little past `today`. The demo's 2021 is the association's 2021: the facts of
its activity report (the reference data in `db/demo_data/`: 752 loan-days, 916 newsletter readers, the platforms'
audience, 112 Aidants Connect trainees…), its convention with the Département, its actions and its report's texts;
the years after grow from it. Communes, INSEE codes and EPCIs are real; every place, person, event and figure is
invented. Deterministic: the same `today` always gives the same rows.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
import unicodedata
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import actions, carte, clock, communes, convention
from db.agenda import Occurrence
from db.carte import sync_place_values
from db.models import (
    AttendanceMode,
    Attendant,
    AttendantState,
    AudienceFigure,
    Base,
    Commune,
    EquipmentItem,
    Event,
    EventOccurrence,
    EventStatus,
    Loan,
    Newsletter,
    NewsletterIssue,
    Place,
    ReportComment,
    Role,
    SubscriberSnapshot,
    Training,
    TrainingKind,
    TrainingSession,
    User,
)
from db.users import create_user
from db.writes import SYSTEM

IFN_PATH = communes.DATA_DIR / "ifn-loire-42.csv"

DAY = dt.timedelta(days=1)
HOUR = dt.timedelta(hours=1)
SOURCE = "Réseau démo"
NETWORK = "Réseau départemental de médiation numérique de la Loire"
DOMAIN = "demo.mednum42.fr"

DEMO_ACCOUNTS: list[tuple[str, str, str, str]] = [
    ("admin@demo.mednum42.fr", "Administration (démo)", Role.ADMIN.value, "demo-admin-42"),
    ("coordination@demo.mednum42.fr", "Coordination du réseau (démo)", Role.COORDINATOR.value, "demo-coord-42"),
    ("departement@demo.mednum42.fr", "Département de la Loire (démo)", Role.VIEWER.value, "demo-lecture-42"),
]


DATA = Path(__file__).with_name("demo_data")
FACTS = json.loads((DATA / "association-2021.json").read_text(encoding="utf-8"))
SEED_YEAR = FACTS["year"]


def demo_year(today: dt.date) -> int:
    """The seed year (2021), whose figures are those of the association's 2021 report; the last complete year when
    `today` comes before it has ended."""
    return min(SEED_YEAR, today.year - 1)


def later_years(today: dt.date) -> range:
    """The offsets of the complete years after the seed year."""
    return range(1, today.year - demo_year(today))


# --- reference data: real communes and EPCIs (SIREN codes approximate), invented places ---------------------------

EPCIS = {
    "SEM": ("244200770", "Saint-Étienne Métropole"),
    "RA": ("200035731", "Roannais Agglomération"),
    "LFA": ("200065886", "Loire Forez Agglomération"),
    "FE": ("200065894", "CC de Forez-Est"),
    "CB": ("200040558", "CC Charlieu-Belmont"),
    "PR": ("244200622", "CC du Pilat Rhodanien"),
    "MP": ("200066744", "CC des Monts du Pilat"),
    "PLR": ("244200895", "CC du Pays entre Loire et Rhône"),
    "VAI": ("244200887", "CC Vals d'Aix et Isable"),
    "MDL": ("200066587", "CC des Monts du Lyonnais"),
}

# insee: (name, postcode, EPCI, latitude, longitude)
COMMUNES = {
    "42218": ("Saint-Étienne", "42000", "SEM", 45.4339, 4.3903),
    "42207": ("Saint-Chamond", "42400", "SEM", 45.4758, 4.5153),
    "42095": ("Firminy", "42700", "SEM", 45.3883, 4.2886),
    "42186": ("Rive-de-Gier", "42800", "SEM", 45.5281, 4.6181),
    "42044": ("Le Chambon-Feugerolles", "42500", "SEM", 45.3933, 4.3256),
    "42189": ("Roche-la-Molière", "42230", "SEM", 45.4317, 4.3244),
    "42275": ("Saint-Priest-en-Jarez", "42270", "SEM", 45.4747, 4.3767),
    "42305": ("La Talaudière", "42350", "SEM", 45.4772, 4.4306),
    "42005": ("Andrézieux-Bouthéon", "42160", "SEM", 45.5261, 4.2603),
    "42271": ("Saint-Paul-en-Jarez", "42740", "SEM", 45.4853, 4.5711),
    "42187": ("Roanne", "42300", "RA", 46.0367, 4.0722),
    "42184": ("Riorges", "42153", "RA", 46.0425, 4.0403),
    "42071": ("Le Coteau", "42120", "RA", 46.0197, 4.0928),
    "42248": ("Saint-Just-en-Chevalet", "42430", "RA", 45.9142, 3.8431),
    "42147": ("Montbrison", "42600", "LFA", 45.6075, 4.0653),
    "42279": ("Saint-Just-Saint-Rambert", "42170", "LFA", 45.4997, 4.2411),
    "42019": ("Boën-sur-Lignon", "42130", "LFA", 45.7431, 4.0069),
    "42159": ("Noirétable", "42440", "LFA", 45.8164, 3.7636),
    "42204": ("Saint-Bonnet-le-Château", "42380", "LFA", 45.4239, 4.0636),
    "42304": ("Sury-le-Comtal", "42450", "LFA", 45.5372, 4.1853),
    "42094": ("Feurs", "42110", "FE", 45.7422, 4.2267),
    "42222": ("Saint-Galmier", "42330", "FE", 45.5969, 4.3117),
    "42323": ("Veauche", "42340", "FE", 45.5617, 4.2775),
    "42165": ("Panissières", "42360", "FE", 45.7914, 4.3417),
    "42149": ("Montrond-les-Bains", "42210", "FE", 45.6433, 4.2378),
    "42052": ("Charlieu", "42190", "CB", 46.1597, 4.1731),
    "42015": ("Belmont-de-la-Loire", "42670", "CB", 46.1658, 4.3475),
    "42168": ("Pélussin", "42410", "PR", 45.4194, 4.6822),
    "42056": ("Chavanay", "42410", "PR", 45.4161, 4.7261),
    "42023": ("Bourg-Argental", "42220", "MP", 45.2994, 4.5675),
    "42224": ("Saint-Genest-Malifaux", "42660", "MP", 45.3408, 4.4172),
    "42289": ("Saint-Symphorien-de-Lay", "42470", "PLR", 45.9481, 4.2131),
    "42230": ("Saint-Germain-Laval", "42260", "VAI", 45.8328, 4.0128),
    "42059": ("Chazelles-sur-Lyon", "42140", "MDL", 45.6378, 4.3886),
}

# (insee, name, typologie, territory flags for autres_formations_labels); "Itinérant" in the flags: a mobile place.
PLACES = [
    ("42218", "Médiathèque de Tarentaize", "BIB", ""),
    ("42218", "Médiathèque de Montreynaud", "BIB", "QPV"),
    ("42218", "Centre social de la Cotonne", "CS", "QPV"),
    ("42218", "Centre social de Beaubrun-Tarentaize", "CS", "QPV"),
    ("42218", "Centre social du Crêt de Roch", "CS", "QPV"),
    ("42218", "France Services Saint-Étienne Montreynaud", "FS", "QPV"),
    ("42218", "Espace Public Numérique de Terrenoire", "EPN|MUNI", ""),
    ("42218", "FabLab de Bellevue", "FABLAB|TIERS_LIEUX", ""),
    ("42218", "Mission locale Saint-Étienne Centre", "ML", ""),
    ("42218", "CCAS de Saint-Étienne – antenne Solaure", "CCAS", "QPV"),
    ("42218", "PIMMS Médiation Saint-Étienne", "PIMMS", ""),
    ("42218", "Tiers-lieu La Manufacture numérique", "TIERS_LIEUX|ASSO", ""),
    ("42218", "Association Solidarité Numérique 42", "ASSO", ""),
    ("42218", "Espace numérique du Soleil", "EPN|ASSO", "QPV"),
    ("42218", "Bus numérique stéphanois", "ASSO", "Itinérant"),
    ("42207", "Médiathèque du Pré-Château", "BIB", ""),
    ("42207", "Centre social de Fonsala", "CS", "QPV"),
    ("42207", "France Services Saint-Chamond", "FS", ""),
    ("42207", "Espace Public Numérique d'Izieux", "EPN", ""),
    ("42095", "Médiathèque de Firminy-Vert", "BIB", "QPV"),
    ("42095", "Centre social de Firminy", "CS", ""),
    ("42095", "Mission locale de l'Ondaine", "ML", ""),
    ("42186", "France Services Rive-de-Gier", "FS", ""),
    ("42186", "Centre social du Grand-Pont", "CS", "QPV"),
    ("42186", "Médiathèque de Rive-de-Gier", "BIB", ""),
    ("42186", "Mission locale du Gier", "ML", ""),
    ("42044", "Espace Public Numérique du Chambon", "EPN", ""),
    ("42044", "CCAS du Chambon-Feugerolles", "CCAS", ""),
    ("42189", "Médiathèque de Roche-la-Molière", "BIB", ""),
    ("42275", "Médiathèque de Saint-Priest-en-Jarez", "BIB", ""),
    ("42305", "FabLab de La Talaudière", "FABLAB|ASSO", ""),
    ("42005", "Espace Public Numérique d'Andrézieux-Bouthéon", "EPN|MUNI", ""),
    ("42005", "France Services Andrézieux-Bouthéon", "FS", ""),
    ("42271", "Tiers-lieu du Gier", "TIERS_LIEUX", ""),
    ("42187", "Médiathèque de Roanne", "BIB", ""),
    ("42187", "Centre social des Tuileries", "CS", "QPV"),
    ("42187", "Centre social du Parc", "CS", "QPV"),
    ("42187", "France Services Roanne", "FS", ""),
    ("42187", "Espace Public Numérique de Roanne", "EPN|MUNI", ""),
    ("42187", "FabLab Roannais", "FABLAB|ASSO", ""),
    ("42187", "Mission locale du Roannais", "ML", ""),
    ("42187", "PIMMS Médiation Roanne", "PIMMS", "QPV"),
    ("42187", "CCAS de Roanne", "CCAS", ""),
    ("42184", "Médiathèque de Riorges", "BIB", ""),
    ("42184", "Espace numérique seniors de Riorges", "MUNI", ""),
    ("42071", "Centre social du Coteau", "CS", ""),
    ("42248", "France Services de Saint-Just-en-Chevalet", "FS", "ZRR|FRR"),
    ("42248", "Camion connecté de la Côte roannaise", "ASSO", "FRR|Itinérant"),
    ("42147", "Médiathèque de Montbrison", "BIB", ""),
    ("42147", "Centre social de Montbrison", "CS", ""),
    ("42147", "France Services Montbrison", "FS", ""),
    ("42147", "Mission locale du Forez", "ML", ""),
    ("42147", "Espace Public Numérique de Beauregard", "EPN", "QPV"),
    ("42147", "CCAS de Montbrison", "CCAS", ""),
    ("42279", "Médiathèque de Saint-Just-Saint-Rambert", "BIB", ""),
    ("42279", "FabLab du Forez", "FABLAB|TIERS_LIEUX", ""),
    ("42019", "France Services de Boën-sur-Lignon", "FS", "FRR"),
    ("42159", "France Services de Noirétable", "FS", "ZRR|FRR"),
    ("42159", "Bus numérique des Monts du Forez", "ASSO", "FRR|Itinérant"),
    ("42204", "Centre social de Saint-Bonnet-le-Château", "CS", "FRR"),
    ("42304", "Médiathèque de Sury-le-Comtal", "BIB", ""),
    ("42094", "Médiathèque de Feurs", "BIB", ""),
    ("42094", "France Services de Feurs", "FS", ""),
    ("42094", "CCAS de Feurs", "CCAS", ""),
    ("42094", "Mission locale Forez-Est", "ML", ""),
    ("42222", "Espace Public Numérique de Saint-Galmier", "EPN|MUNI", ""),
    ("42323", "Centre social de Veauche", "CS", ""),
    ("42165", "France Services de Panissières", "FS", "FRR"),
    ("42149", "Tiers-lieu de Montrond-les-Bains", "TIERS_LIEUX|ASSO", ""),
    ("42052", "France Services de Charlieu", "FS", ""),
    ("42052", "Médiathèque de Charlieu", "BIB", ""),
    ("42015", "Espace numérique de Belmont-de-la-Loire", "MUNI", "ZRR"),
    ("42168", "France Services de Pélussin", "FS", "FRR"),
    ("42168", "Tiers-lieu du Pilat", "TIERS_LIEUX|ASSO", "FRR"),
    ("42056", "Médiathèque de Chavanay", "BIB", ""),
    ("42023", "France Services de Bourg-Argental", "FS", "FRR"),
    ("42224", "Médiathèque de Saint-Genest-Malifaux", "BIB", "FRR"),
    ("42289", "France Services de Saint-Symphorien-de-Lay", "FS", "FRR"),
    ("42230", "France Services de Saint-Germain-Laval", "FS", "ZRR|FRR"),
    ("42059", "Médiathèque de Chazelles-sur-Lyon", "BIB", ""),
]

# The schema's enumerations (v1.0.2), spelled exactly as its patterns require.
SERVICES = (
    "Aide aux démarches administratives",
    "Maîtrise des outils numériques du quotidien",
    "Insertion professionnelle via le numérique",
    "Utilisation sécurisée du numérique",
    "Parentalité et éducation avec le numérique",
    "Loisirs et créations numériques",
    "Compréhension du monde numérique",
    "Accès internet et matériel informatique",
    "Acquisition de matériel informatique à prix solidaire",
)
PUBLICS = ("Jeunes", "Étudiants", "Familles et/ou enfants", "Seniors", "Femmes")
PRISE_EN_CHARGE = (
    "Surdité",
    "Handicaps moteurs",
    "Handicaps mentaux",
    "Illettrisme",
    "Langues étrangères (anglais)",
    "Langues étrangères (autres)",
    "Déficience visuelle",
)
FRAIS = ("Gratuit", "Gratuit sous condition", "Payant")
DISPOSITIFS = (
    "Aidants Connect",
    "Bibliothèques numérique de référence",
    "Certification PIX",
    "Conseillers numériques",
    "Emmaüs Connect",
    "France Services",
    "Grande école du numérique",
    "La Croix Rouge",
    "Point d'accès numérique CAF",
    "Promeneurs du net",
    "Relais numérique (Emmaüs Connect)",
)
LABELS = (
    "Formé à « Mon Espace Santé »",
    "Formé à « DUPLEX » (illettrisme)",
    "Étapes numériques(La Poste)",
    "Fabriques de Territoire",
    "ORDI 3.0",
)
ACCES = (
    "Se présenter",
    "Téléphoner",
    "Contacter par mail",
    "Prendre un RDV en ligne",
    "Ce lieu n'accueille pas de public",
    "Envoyer un mail avec une fiche de prescription",
)
ACCOMPAGNEMENT = ("En autonomie", "Accompagnement individuel", "Dans un atelier collectif", "À distance")

S_DEMARCHES, S_QUOTIDIEN, S_INSERTION, S_SECURITE, S_PARENTALITE, S_LOISIRS, S_MONDE, S_ACCES, S_MATERIEL = SERVICES

# Per main typology: core services, services sometimes added, national programmes it may belong to,
# publics it may address, a one-line presentation and two opening-hours choices (OpenStreetMap syntax).
PROFILES = {
    "BIB": (
        (S_QUOTIDIEN, S_ACCES, S_LOISIRS),
        (S_MONDE, S_PARENTALITE, S_SECURITE),
        ("Bibliothèques numérique de référence", "Conseillers numériques", "Certification PIX"),
        ("Familles et/ou enfants", "Seniors", "Étudiants"),
        "Médiathèque : accès libre à internet, ateliers numériques et accompagnement individuel sur rendez-vous.",
        ("Tu,Th,Fr 14:00-18:00; We 10:00-12:00,14:00-18:00; Sa 10:00-12:30", "Tu-Fr 13:30-18:30; Sa 09:30-12:30"),
    ),
    "FS": (
        (S_DEMARCHES, S_QUOTIDIEN),
        (S_ACCES, S_SECURITE, S_INSERTION),
        ("France Services", "Aidants Connect", "Conseillers numériques", "Point d'accès numérique CAF"),
        ("Seniors", "Jeunes"),
        "Guichet France Services : démarches en ligne (CAF, impôts, retraite, santé) avec un conseiller formé.",
        ("Mo-Fr 09:00-12:00,13:30-17:00", "Mo-Th 08:30-12:00,13:30-17:00; Fr 08:30-12:00"),
    ),
    "CS": (
        (S_DEMARCHES, S_QUOTIDIEN, S_PARENTALITE),
        (S_SECURITE, S_ACCES, S_INSERTION, S_MATERIEL),
        ("Conseillers numériques", "Point d'accès numérique CAF", "Promeneurs du net", "Aidants Connect"),
        ("Familles et/ou enfants", "Femmes", "Seniors", "Jeunes"),
        "Centre social : ateliers numériques collectifs, aide aux démarches et accompagnement des familles.",
        ("Mo-Fr 09:00-12:00,14:00-17:30", "Mo-Fr 08:30-12:00,13:30-18:00; Sa 09:00-12:00"),
    ),
    "EPN": (
        (S_QUOTIDIEN, S_ACCES, S_SECURITE),
        (S_MONDE, S_LOISIRS, S_DEMARCHES),
        ("Conseillers numériques", "Certification PIX", "Aidants Connect"),
        ("Seniors",),
        "Espace public numérique : postes en accès libre, ateliers d'initiation et aide aux usages du quotidien.",
        ("Tu,Th 14:00-18:00; Sa 09:00-12:00", "Mo,We,Fr 09:00-12:00,14:00-17:00"),
    ),
    "FABLAB": (
        (S_LOISIRS, S_MONDE),
        (S_MATERIEL, S_ACCES, S_INSERTION),
        ("Grande école du numérique", "Conseillers numériques"),
        ("Jeunes", "Étudiants", "Familles et/ou enfants"),
        "Atelier de fabrication numérique : impression 3D, découpe laser, électronique et projets collectifs.",
        ("We 14:00-19:00; Fr 17:00-21:00; Sa 10:00-18:00", "Tu-Fr 14:00-19:00; Sa,Su 10:00-17:00"),
    ),
    "ML": (
        (S_INSERTION, S_DEMARCHES),
        (S_QUOTIDIEN, S_SECURITE),
        ("Promeneurs du net", "Conseillers numériques", "Emmaüs Connect"),
        ("Jeunes",),
        "Mission locale : accompagnement des 16-25 ans, recherche d'emploi en ligne, CV et démarches.",
        ("Mo-Th 08:30-12:00,13:30-17:30; Fr 08:30-12:00", "Mo-Fr 09:00-12:30,13:30-17:00"),
    ),
    "CCAS": (
        (S_DEMARCHES, S_QUOTIDIEN),
        (S_ACCES, S_MATERIEL),
        ("Aidants Connect", "Relais numérique (Emmaüs Connect)", "La Croix Rouge"),
        ("Seniors", "Femmes"),
        "Accueil social de la commune : aide aux démarches en ligne et orientation vers les ateliers numériques.",
        ("Mo-Fr 08:30-12:00", "Mo-Fr 08:30-12:00,13:30-16:30"),
    ),
    "PIMMS": (
        (S_DEMARCHES, S_QUOTIDIEN),
        (S_SECURITE, S_ACCES),
        ("France Services", "Aidants Connect", "Relais numérique (Emmaüs Connect)"),
        ("Seniors",),
        "Point d'information médiation multi-services : démarches en ligne et médiation avec les opérateurs.",
        ("Mo-Fr 09:00-12:30,13:30-17:00", "Mo-Fr 08:30-12:30; Tu,Th 13:30-17:00"),
    ),
    "TIERS_LIEUX": (
        (S_LOISIRS, S_ACCES, S_QUOTIDIEN),
        (S_MONDE, S_INSERTION, S_MATERIEL),
        ("Conseillers numériques", "Grande école du numérique"),
        ("Jeunes", "Étudiants"),
        "Tiers-lieu : espace de travail partagé, ateliers numériques et événements ouverts à tous.",
        ("Mo-Fr 09:00-18:00; Sa 10:00-13:00", "Tu-Sa 10:00-19:00; Su 10:00-13:00"),
    ),
    "ASSO": (
        (S_QUOTIDIEN, S_SECURITE),
        (S_DEMARCHES, S_MATERIEL, S_MONDE, S_PARENTALITE),
        ("Conseillers numériques", "Emmaüs Connect", "Aidants Connect"),
        ("Seniors", "Femmes", "Familles et/ou enfants"),
        "Association d'éducation populaire au numérique : ateliers, permanences et accompagnement individuel.",
        ("Mo,We 14:00-17:00; Sa 09:30-12:00", "Tu,Th 09:00-12:00,14:00-17:00"),
    ),
    "MUNI": (
        (S_QUOTIDIEN, S_DEMARCHES),
        (S_ACCES, S_SECURITE),
        ("Conseillers numériques", "Aidants Connect"),
        ("Seniors",),
        "Espace numérique municipal : accompagnement des habitants, en particulier des seniors, au numérique.",
        ("Tu,Th 09:00-12:00", "Mo-Fr 09:00-12:00; We 14:00-17:00"),
    ),
}
MOBILE = (
    "Dispositif itinérant : un médiateur numérique se déplace de commune en commune avec ordinateurs et connexion.",
    "We 09:00-12:00,13:30-16:30",
)
STREETS = (
    "rue Victor Hugo", "place de la Mairie", "avenue de la Libération", "rue Jean Jaurès", "rue de la République",
    "boulevard Gambetta", "rue Pasteur", "place de l'Hôtel de Ville", "rue des Écoles", "allée des Tilleuls",
    "rue du 8 Mai 1945", "rue Émile Zola", "chemin des Vignes", "rue de la Paix", "avenue Charles de Gaulle",
    "rue du Général Leclerc", "place du Marché", "rue des Jardins", "rue Paul Bert", "cours Fauriel",
)  # fmt: skip
INVALID_HOURS = ("le mardi matin", "Lundi au vendredi de 9h à 12h")
TRAINERS = ("Claire Rousset", "Julien Ferrand", "Nadia Benali", "Thomas Girard", "Sophie Marchand", "Karim Haddad")


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:48]


def _de(name: str) -> str:
    """ "de" before a commune's name, elided or contracted as French requires: d'Unieux, du Coteau, de Feurs."""
    if name.startswith("Le "):
        return "du " + name[3:]
    if name.startswith("Les "):
        return "des " + name[4:]
    return ("d'" if name[0] in "AEÉIOUY" else "de ") + name


def _siret(rng: random.Random) -> str:
    """A 14-digit number passing the Luhn check, like a SIRET (invented)."""
    body = str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(12))
    for check in range(10):
        digits = [int(c) for c in body + str(check)]
        total = sum(d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2) for i, d in enumerate(reversed(digits)))
        if total % 10 == 0:
            return body + str(check)
    raise AssertionError("unreachable")


def _pick(rng: random.Random, options, low: int, high: int) -> list:
    return rng.sample(list(options), min(len(options), rng.randint(low, high)))


def _join(values, order) -> str:
    return "|".join(v for v in order if v in set(values))


def _on_weekday(day: dt.date) -> dt.date:
    """The nearest working day in the same year."""
    if day.weekday() == 5:
        return day - DAY if day.timetuple().tm_yday > 1 else day + 2 * DAY
    if day.weekday() == 6:
        return day + DAY if (day.month, day.day) != (12, 31) else day - 2 * DAY
    return day


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return clock.to_utc(day, dt.time(hour, minute))


MONTH_WEIGHTS = (1.0, 1.1, 1.2, 1.1, 1.0, 1.0, 0.6, 0.2, 1.1, 1.2, 1.2, 0.9)


def _random_day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    """A day in [first, last], rarer in summer (rejection sampling on the month weights)."""
    span = (last - first).days
    while True:
        day = first + rng.randint(0, span) * DAY
        if rng.random() * 1.2 < MONTH_WEIGHTS[day.month - 1]:
            return day


# --- places -------------------------------------------------------------------------------------------------------


def _epci(insee: str) -> tuple[str, str]:
    """A demo commune's EPCI as the national reference has it (db/communes.py), else the demo's own table."""
    reference = communes.resolver().commune(insee)
    if reference and reference.epci_code:
        return reference.epci_code, reference.epci_name
    return EPCIS[COMMUNES[insee][2]]


def _places(rng: random.Random, today: dt.date) -> list[Place]:
    n = len(PLACES)
    bands = [0] * (n - 2 * (n * 3 // 20) - n // 5) + [1] * (n // 5) + [2] * (n * 3 // 20) + [3] * (n * 3 // 20)
    rng.shuffle(bands)
    age_ranges = ((3, 170), (195, 355), (380, 530), (570, 1100))  # days; bands < 6, 6–12, 12–18, > 18 months
    special = rng.sample(range(n), 6)  # 4 places without opening hours, 2 with free text that is not OSM syntax
    places = []
    for i, (insee, nom, typologie, flags) in enumerate(PLACES):
        commune, postcode, _, lat, lon = COMMUNES[insee]
        if insee == "42218":
            postcode = rng.choice(("42000", "42100"))
        mobile = "Itinérant" in flags
        core, extra, programmes, publics, resume, hours = PROFILES[typologie.split("|")[0]]
        services = list(core) + _pick(rng, extra, 0, 2)
        dispositifs = _pick(rng, programmes, 1, 2) if rng.random() < 0.85 else []
        if typologie.startswith("FS"):
            dispositifs.append("France Services")
        acces = ["Se présenter", "Téléphoner"] + _pick(rng, ("Contacter par mail", "Prendre un RDV en ligne"), 0, 2)
        if typologie in {"ML", "CCAS"}:
            acces.append("Envoyer un mail avec une fiche de prescription")
        if nom == "Association Solidarité Numérique 42":  # a head office: reached by mail, no public desk
            acces = ["Contacter par mail", "Ce lieu n'accueille pas de public"]
        accompagnement = ["Accompagnement individuel"] + _pick(rng, ("En autonomie", "Dans un atelier collectif"), 1, 2)
        if rng.random() < 0.3:
            accompagnement.append("À distance")
        frais = ["Gratuit"]
        if "FABLAB" in typologie or "TIERS_LIEUX" in typologie:
            frais = ["Gratuit sous condition", "Payant"]
        elif rng.random() < 0.15:
            frais.append("Gratuit sous condition")
        other_labels = [f for f in flags.split("|") if f and f != "Itinérant"]
        if rng.random() < 0.15:
            other_labels.append("Pass numérique")
        if i in special[:4]:
            horaires = None
        elif i in special[4:]:
            horaires = INVALID_HOURS[special.index(i) - 4]
        else:
            horaires = MOBILE[1] if mobile else rng.choice(hours)
        slug = _slug(nom)
        place = Place(
            id=f"Demo-42-{i + 1:03d}",
            pivot="00000000000000" if rng.random() < 0.3 else _siret(rng),
            nom=nom,
            commune=commune,
            code_postal=postcode,
            code_insee=insee,
            adresse=f"{rng.randint(1, 80)} {rng.choice(STREETS)}",
            complement_adresse=rng.choice((None, None, None, "Rez-de-chaussée", "1er étage", "Entrée par la cour")),
            latitude=round(lat + rng.uniform(-1, 1) * (0.02 if insee == "42218" else 0.006), 6),
            longitude=round(lon + rng.uniform(-1, 1) * (0.03 if insee == "42218" else 0.008), 6),
            typologie=typologie,
            telephone=("+336" if mobile else "+33477")
            + "".join(str(rng.randint(0, 9)) for _ in range(8 if mobile else 6)),
            courriels=f"contact@{slug}.{DOMAIN}" + (f"|numerique@{slug}.{DOMAIN}" if rng.random() < 0.2 else ""),
            site_web=f"https://{slug}.{DOMAIN}" if rng.random() < 0.75 else None,
            horaires=horaires,
            presentation_resume=MOBILE[0] if mobile else resume,
            presentation_detail=f"{nom} accueille les habitants {_de(commune)} et des environs. "
            "Accompagnement gratuit par un médiateur numérique du réseau.",
            source=SOURCE,
            itinerance="Itinérant" if mobile else "Fixe",
            structure_parente=NETWORK if mobile or typologie == "ASSO" else None,
            date_maj=today - rng.randint(*age_ranges[bands[i]]) * DAY,
            services=_join(services, SERVICES),
            publics_specifiquement_adresses=_join(_pick(rng, publics, 1, 2), PUBLICS) if rng.random() < 0.75 else None,
            prise_en_charge_specifique=_join(_pick(rng, PRISE_EN_CHARGE, 1, 3), PRISE_EN_CHARGE)
            if rng.random() < 0.7
            else None,
            frais_a_charge=_join(frais, FRAIS),
            dispositif_programmes_nationaux=_join(dispositifs, DISPOSITIFS) or None,
            formations_labels=_join(_pick(rng, LABELS, 1, 2), LABELS) if rng.random() < 0.6 else None,
            autres_formations_labels="|".join(other_labels) or None,
            modalites_acces=_join(acces, ACCES),
            modalites_accompagnement=_join(accompagnement, ACCOMPAGNEMENT),
            prise_rdv=f"https://rdv.{DOMAIN}/{slug}" if "Prendre un RDV en ligne" in acces else None,
            epci_code=_epci(insee)[0],
            epci_name=_epci(insee)[1],
        )
        places.append(place)
    # Every value of every enumeration occurs somewhere, so each filter of the Carte finds places.
    for field, order in (
        ("services", SERVICES),
        ("publics_specifiquement_adresses", PUBLICS),
        ("prise_en_charge_specifique", PRISE_EN_CHARGE),
        ("dispositif_programmes_nationaux", DISPOSITIFS),
        ("frais_a_charge", FRAIS),
        ("formations_labels", LABELS),
        ("modalites_acces", ACCES),
        ("modalites_accompagnement", ACCOMPAGNEMENT),
    ):
        for value in order:
            if not any(value in (getattr(p, field) or "").split("|") for p in places):
                place = rng.choice(places)
                setattr(place, field, _join((getattr(place, field) or "").split("|") + [value], order))
    for place in places:
        sync_place_values(place)
    return places


# --- the register's history ---------------------------------------------------------------------------------

CLOSED_PLACES = (  # places that left the network during the demo years (name, commune, years after the start)
    ("Cyber-base de la Ricamarie", "42218", 1.4),
    ("Point numérique de la gare de Feurs", "42094", 2.1),
    ("Atelier numérique itinérant du Haut-Forez", "42159", 2.6),
)


def tracked_since(today: dt.date) -> dt.date:
    """The day the demo network's registers start: the places file and the catalogue were set up then."""
    return dt.date(demo_year(today) - 3, 1, 1)


def _register_history(session: Session, places: list[Place], items: list[EquipmentItem], today: dt.date) -> None:
    """Write the places and the catalogue through the years as they happened, each change at its own date (the
    clock stopped there), so the register's history has what a real one would: most places entered with the first
    file, others joined later, every record updated now and then, a few places closed.

    A random generator of its own, so the rest of the demo draws the same numbers as before."""
    rng = random.Random(1942)
    start = dt.datetime.combine(tracked_since(today), dt.time(9))
    changes: list[tuple[dt.datetime, int, object]] = []  # (when, order, action)
    for n, place in enumerate(places):
        final = place.date_maj
        joined = start if rng.random() < 0.7 else start + rng.randint(30, (today - start.date()).days - 30) * DAY
        joined = min(joined, dt.datetime.combine(max(final, start.date()), dt.time(9)))
        earlier, day = [], joined.date() - rng.randint(0, 200) * DAY  # the record's age in the first file
        while day < final:
            earlier.append(day)
            day += rng.randint(120, 420) * DAY
        first = earlier[0] if earlier else final
        updates = [d for d in earlier[1:] if d > joined.date()] + ([final] if first != final else [])
        changes.append((joined, n, ("enter", place, first)))
        # An update is written on its day (after the entry, when both fall on the same day).
        changes += [(max(dt.datetime.combine(d, dt.time(11)), joined + HOUR), n, ("update", place, d)) for d in updates]
    for n, (name, insee, years) in enumerate(CLOSED_PLACES, start=len(places)):
        model = next(p for p in places if p.code_insee == insee)
        closed = Place(
            **{
                c.key: getattr(model, c.key)
                for c in Place.__table__.columns
                if c.key not in ("pk", "created_at", "updated_at")
            }
        )
        closed.id, closed.nom, closed.date_maj = f"Demo-42-ferme-{n}", name, start.date() - 90 * DAY
        sync_place_values(closed)
        changes.append((start, n, ("enter", closed, closed.date_maj)))
        changes.append((start + round(365 * years) * DAY, n, ("leave", closed, None)))
    for item in items:
        changes.append((start, -1, ("enter", item, None)))
    for when, _order, (action, row, date_maj) in sorted(changes, key=lambda c: (c[0], c[1])):
        with clock.frozen(when):
            if action == "leave":
                session.delete(row)
            else:
                if date_maj is not None:
                    row.date_maj = date_maj
                if action == "enter":
                    session.add(row)
            session.flush()


# --- equipment and loans ------------------------------------------------------------------------------------------

# name: (category, units, demo-year loan-days, shortest and longest loan in days, share of two-unit loans)
_LOAN_DAYS = FACTS["loan_days"]
EQUIPMENT = {
    "Kit robotique": ("Robotique", 2, _LOAN_DAYS["Kit robotique"], 2, 6, 0.4),
    "Kit machine à voter": ("Citoyenneté", 1, _LOAN_DAYS["Kit machine à voter"], 1, 1, 0),
    "Centre multimédia mobile": ("Multimédia", 2, _LOAN_DAYS["Centre multimédia mobile"], 14, 60, 0),
    "Matériel vidéo": ("Audiovisuel", 1, _LOAN_DAYS["Matériel vidéo"], 2, 6, 0),
    "Kit rétrogaming": ("Jeu vidéo", 1, _LOAN_DAYS["Kit rétrogaming"], 1, 2, 0),
    "Pack réalité virtuelle / PS4": ("Réalité virtuelle", 1, _LOAN_DAYS["Pack réalité virtuelle / PS4"], 2, 4, 0),
    "Vidéoprojecteur": ("Audiovisuel", 1, _LOAN_DAYS["Vidéoprojecteur"], 1, 2, 0),
    "Matériel FabLab": ("FabLab", 1, _LOAN_DAYS["Matériel FabLab"], 3, 8, 0),
}
DESCRIPTIONS = {
    "Kit robotique": "Robots Thymio et cartes micro:bit pour des ateliers de 8 à 12 personnes.",
    "Kit machine à voter": "Urne électronique de démonstration pour les ateliers citoyens.",
    "Centre multimédia mobile": "Malle de 8 ordinateurs portables, routeur 4G et imprimante : un espace numérique "
    "éphémère.",
    "Matériel vidéo": "Caméra, trépied, micros sans fil et éclairage LED pour des tournages.",
    "Kit rétrogaming": "Console rétro, manettes et écran pour des animations intergénérationnelles.",
    "Pack réalité virtuelle / PS4": "Casque PS VR, console PS4 et jeux de découverte.",
    "Vidéoprojecteur": "Vidéoprojecteur portable, écran et câbles.",
    "Matériel FabLab": "Imprimante 3D portable, stylos 3D et petit outillage électronique.",
}
GROWTH = {-3: 0.45, -2: 0.6, -1: 0.8}  # share of the demo year's loan-days in the years before


def growth(offset: int) -> float:
    """The share of the seed year's activity in the year `offset` years away: less before, more after."""
    return GROWTH[offset] if offset < 0 else 1 + 0.07 * offset


OVERDUE_ITEMS = ("Kit rétrogaming", "Matériel vidéo")
PURPOSES = ("atelier", "formation", "événement", "exposition", "animation")


def _split(rng: random.Random, total: int, low: int, high: int, units: int, two_share: float) -> list[tuple[int, int]]:
    """Loans as (days, units) whose days × units add up to exactly `total`."""
    pieces, rest = [], total
    while rest > 0:
        u = 2 if units >= 2 and rest >= 2 * low and rng.random() < two_share else 1
        days = min(rng.randint(low, high), rest // u)
        pieces.append((days, u))
        rest -= days * u
    return pieces


def _schedule(rng, total, low, high, units, two_share, first, last, strict=True) -> list[tuple[dt.date, dt.date, int]]:
    """Place loans adding up to `total` loan-days inside [first, last], never lending more than `units` a day.
    `strict`: fail rather than drop a loan that finds no room (the demo year's totals must be exact)."""
    span = (last - first).days + 1
    if total <= 0 or span <= 0:
        return []
    if total > 0.3 * units * span:  # busy item: one lane per unit, loans one after the other with random gaps
        out = []
        for lane in range(units):
            lane_total = min(total // units + (lane < total % units), span)
            pieces = _split(rng, lane_total, low, high, 1, 0)
            cuts = sorted(rng.randint(0, span - lane_total) for _ in pieces)
            day, previous_cut = first, 0
            for (days, _), cut in zip(pieces, cuts, strict=True):
                day += (cut - previous_cut) * DAY
                out.append((day, day + (days - 1) * DAY, 1))
                day += days * DAY
                previous_cut = cut
        return out
    busy: Counter = Counter()
    out = []
    for days, u in sorted(_split(rng, total, low, high, units, two_share), reverse=True):
        starts = list(range(span - days + 1))
        rng.shuffle(starts)
        for offset in starts:
            if all(busy[offset + k] + u <= units for k in range(days)):
                for k in range(days):
                    busy[offset + k] += u
                out.append((first + offset * DAY, first + (offset + days - 1) * DAY, u))
                break
        else:
            if strict:
                raise RuntimeError(f"no room for a {days}-day loan between {first} and {last}")
    return out


def _loans(rng, items: dict[str, EquipmentItem], places: list[Place], today: dt.date, creator: int | None):
    year = demo_year(today)
    current_first = dt.date(today.year, 1, 1)
    loans = []

    def add(item, start, end, units, returned_on):
        place = rng.choice(places)
        loans.append(
            Loan(
                item=item,
                units=units,
                borrower_place_pk=place.pk,
                borrower_name=place.nom,
                borrower_commune=place.commune,
                borrower_insee=place.code_insee,
                start_date=start,
                end_date=end,
                purpose=rng.choice(PURPOSES),
                training_given=rng.random() < 0.3,
                interventions=rng.randint(2, 12) if (end - start).days > 10 else None,
                returned_on=returned_on,
                notes=rng.choice((None, None, "Matériel rendu complet.", "Prévoir une rallonge électrique.")),
                created_by=creator,
            )
        )

    for name, (_, units, target, low, high, two_share) in EQUIPMENT.items():
        item = items[name]
        for offset in (-3, -2, -1, 0, *later_years(today)):
            y = year + offset
            total = target if offset == 0 else max(1, round(target * growth(offset)))
            for start, end, u in _schedule(
                rng, total, low, high, units, two_share, dt.date(y, 1, 1), dt.date(y, 12, 31), strict=offset <= 0
            ):
                add(item, start, end, u, end)
        # Current year: returned, ongoing and upcoming loans; two items are still out after their planned end.
        last = today + 45 * DAY
        if name in OVERDUE_ITEMS and today - 5 * DAY >= current_first:
            end = today - rng.randint(2, 5) * DAY
            start = max(current_first, end - rng.randint(2, 5) * DAY)
            add(item, start, end, 1, None)
            last = start - 2 * DAY
        span = (last - current_first).days + 1
        total = round(target * growth(today.year - year) * span / 365)
        for start, end, u in _schedule(rng, total, low, high, units, two_share, current_first, last, strict=False):
            add(item, start, end, u, end if end < today else None)
    cancelled = items["Kit machine à voter"]
    loans.append(
        Loan(
            item=cancelled,
            units=1,
            borrower_name=places[0].nom,
            borrower_place_pk=places[0].pk,
            borrower_commune=places[0].commune,
            borrower_insee=places[0].code_insee,
            start_date=today + 20 * DAY,
            end_date=today + 21 * DAY,
            purpose="atelier",
            cancelled_at=dt.datetime.combine(today - 3 * DAY, dt.time(10), tzinfo=dt.UTC),
            notes="Annulé : atelier reporté.",
            created_by=creator,
        )
    )
    return loans


# --- events -------------------------------------------------------------------------------------------------------

# category: (weight, typologies hosting it (empty: any), [(title, keywords, audience)])
EVENT_TEMPLATES = {
    "Atelier numérique": (34, (), [
        ("Atelier : prendre en main sa tablette", "tablette|initiation", "Seniors"),
        ("Atelier : sécuriser ses mots de passe", "sécurité|mots de passe", "Tout public"),
        ("Atelier : réaliser ses démarches en ligne", "démarches|administration", "Tout public"),
        ("Atelier : débuter avec le smartphone", "smartphone|initiation", "Seniors"),
        ("Atelier : trier et retoucher ses photos", "photo|loisirs", "Tout public"),
        ("Atelier : créer et gérer son adresse e-mail", "e-mail|initiation", "Tout public"),
        ("Atelier : découvrir Mon Espace Santé", "santé|démarches", "Tout public"),
        ("Atelier : FranceConnect et ses identifiants", "FranceConnect|démarches", "Tout public"),
        ("Atelier : la visioconférence en famille", "visioconférence|famille", "Familles"),
    ]),
    "Café numérique": (15, (), [
        ("Café numérique : déjouer les arnaques en ligne", "arnaques|sécurité", "Tout public"),
        ("Café numérique : les réseaux sociaux des ados", "réseaux sociaux|parentalité", "Parents"),
        ("Café numérique : l'intelligence artificielle au quotidien", "IA|culture numérique", "Tout public"),
        ("Café numérique : protéger sa vie privée", "données personnelles|sécurité", "Tout public"),
    ]),
    "Conférence": (6, ("BIB", "TIERS_LIEUX", "CS"), [
        ("Conférence : les enfants et les écrans", "écrans|parentalité", "Parents"),
        ("Conférence : l'IA générative, mode d'emploi", "IA|culture numérique", "Tout public"),
        ("Conférence : vers un numérique plus sobre", "sobriété|environnement", "Tout public"),
    ]),
    "FabLab": (12, ("FABLAB", "TIERS_LIEUX", "BIB"), [
        ("FabLab ouvert : découpe laser", "découpe laser|fabrication", "Tout public"),
        ("Initiation à l'impression 3D", "impression 3D|fabrication", "Tout public"),
        ("Repair café numérique", "réemploi|réparation", "Tout public"),
        ("Atelier robotique pour les 8-12 ans", "robotique|programmation|enfants", "Jeunes (8-12 ans)"),
        ("Soirée rétrogaming", "jeu vidéo|intergénérationnel", "Tout public"),
    ]),
    "Permanence": (18, ("FS", "CS", "CCAS", "PIMMS", "MUNI", "EPN", "ML"), [
        ("Permanence numérique", "permanence|accompagnement", "Tout public"),
        ("Permanence Aidants Connect", "Aidants Connect|démarches", "Tout public"),
        ("Permanence du conseiller numérique", "conseiller numérique|accompagnement", "Tout public"),
    ]),
    "Formation": (7, ("EPN", "BIB", "TIERS_LIEUX", "ML"), [
        ("Formation : bureautique pour débutants", "bureautique|formation", "Demandeurs d'emploi"),
        ("Formation : premiers pas sur ordinateur", "ordinateur|initiation", "Tout public"),
        ("Formation : CV et candidature en ligne", "emploi|CV", "Jeunes (16-25 ans)"),
    ]),
    "Rencontre du réseau": (5, ("TIERS_LIEUX", "FABLAB"), [
        ("Rencontre du réseau des médiateurs numériques", "réseau|professionnels", "Professionnels"),
        ("Rencontre des conseillers numériques de la Loire", "conseillers numériques|réseau", "Professionnels"),
        ("Matinale du réseau : accompagner sans faire à la place", "réseau|pratiques", "Professionnels"),
    ]),
    "Fête du numérique": (3, ("BIB", "TIERS_LIEUX", "FABLAB", "CS"), [
        ("Fête du numérique", "fête|découverte|famille", "Tout public"),
        ("Village numérique", "découverte|famille", "Tout public"),
    ]),
}  # fmt: skip
EVENTS_PER_YEAR = {-3: 84, -2: 98, -1: 110, 0: 124}  # later years: growth(offset) × the seed year's
LENGTHS = {"Permanence": (120, 180), "Formation": (150, 180), "Fête du numérique": (360, 360), "Conférence": (90, 120)}


def _events(rng: random.Random, places: list[Place], first: dt.date, last: dt.date, count: int) -> list[Event]:
    categories = list(EVENT_TEMPLATES)
    weights = [EVENT_TEMPLATES[c][0] for c in categories]
    events = []
    for _ in range(count):
        category = rng.choices(categories, weights)[0]
        _, hosts, templates = EVENT_TEMPLATES[category]
        title, keywords, audience = rng.choice(templates)
        r = rng.random()
        if category == "Rencontre du réseau":
            mode = AttendanceMode.ONLINE if r < 0.4 else AttendanceMode.MIXED if r < 0.7 else AttendanceMode.OFFLINE
        elif category == "Fête du numérique":
            mode = AttendanceMode.OFFLINE
        else:
            mode = AttendanceMode.ONLINE if r < 0.05 else AttendanceMode.MIXED if r < 0.09 else AttendanceMode.OFFLINE
        place = None
        if mode != AttendanceMode.ONLINE:
            candidates = [p for p in places if not hosts or p.typologie.split("|")[0] in hosts] or places
            place = rng.choice(candidates)
            if category == "Fête du numérique":
                title = f"{title} {_de(place.commune)}"
        status = rng.random()
        status = (
            EventStatus.CANCELLED if status < 0.05
            else EventStatus.POSTPONED if status < 0.07
            else EventStatus.FULL if status < 0.09
            else EventStatus.RESCHEDULED if status < 0.10
            else EventStatus.SCHEDULED
        )  # fmt: skip
        day = _random_day(rng, first, last)
        if day.weekday() == 6 or (day.weekday() == 5 and category not in {"FabLab", "Fête du numérique"}):
            day = _on_weekday(day)
        low, high = LENGTHS.get(category, (60, 120))
        minutes = rng.randrange(low, high + 1, 30)
        hour, minute = (10, 0) if minutes >= 360 else rng.choice(((9, 0), (9, 30), (10, 0), (14, 0), (14, 30), (18, 0)))
        repeats = 1
        if category == "Permanence":
            repeats = rng.randint(1, 4)
        elif category in {"Atelier numérique", "Formation"} and rng.random() < 0.25:
            repeats = rng.randint(2, 4)
        starts = [day + 7 * k * DAY for k in range(repeats)]
        starts = [d for d in starts if d.year == day.year] or [day]
        occurrences = [
            EventOccurrence(start=_local(d, hour, minute), end=_local(d, hour, minute) + dt.timedelta(minutes=minutes))
            for d in starts
        ]
        slug = _slug(title)
        events.append(
            Event(
                source="manual",
                source_uid=None,
                title=title,
                description=f"{title}. Gratuit, ouvert à tous, sur inscription auprès de l'organisateur.",
                keywords=keywords,
                category=category,
                audience=audience,
                organiser=place.nom if place and category != "Rencontre du réseau" else NETWORK,
                status=status,
                attendance_mode=mode,
                online_url=f"https://visio.{DOMAIN}/{slug}" if mode != AttendanceMode.OFFLINE else None,
                registration_url=f"https://agenda.{DOMAIN}/inscription/{slug}" if rng.random() < 0.4 else None,
                place_pk=place.pk if place else None,
                location_name=place.nom if place else None,
                address=place.adresse if place else None,
                postal_code=place.code_postal if place else None,
                city=place.commune if place else None,
                insee=place.code_insee if place else None,
                latitude=place.latitude if place else None,
                longitude=place.longitude if place else None,
                occurrences=occurrences,
            )
        )
    return events


# Whole-day events (iCalendar's VALUE=DATE): the network's fair and forum each year, and a few around today, so the
# agenda shows dates said in days. Placed by rule, not drawn: the random events keep their sequence.
# name: (title, category, keywords, audience, host place, number of days)
ALL_DAY_EVENTS = {
    "fair": ("Fête du numérique de la Loire", "Fête du numérique", "fête|découverte|famille", "Tout public",
             "Tiers-lieu La Manufacture numérique", 3),
    "forum": ("Forum de l'inclusion numérique", "Rencontre du réseau", "réseau|inclusion numérique", "Professionnels",
              "Médiathèque de Montbrison", 1),
    "open_day": ("Portes ouvertes du FabLab de Bellevue", "FabLab", "fabrication|découverte", "Tout public",
                 "FabLab de Bellevue", 1),
    "village": ("Village numérique du Roannais", "Fête du numérique", "découverte|famille", "Tout public",
                "FabLab Roannais", 3),
    "helpers_day": ("Journée des aidants numériques", "Rencontre du réseau", "aidants|Aidants Connect",
                    "Professionnels", "Médiathèque de Feurs", 1),
}  # fmt: skip
THURSDAY, FRIDAY, SATURDAY, TUESDAY = 3, 4, 5, 1


def _on_or_after(day: dt.date, weekday: int) -> dt.date:
    return day + (weekday - day.weekday()) % 7 * DAY


def all_day_dates(today: dt.date) -> list[tuple[str, dt.date]]:
    """(name in ALL_DAY_EVENTS, first day): the fair in October and the forum in March of the demo year and the one
    before, a FabLab open day some weeks ago, a village within a fortnight and a day for helpers next month."""
    year = demo_year(today)
    yearly = [
        (name, _on_or_after(dt.date(y, month, day), weekday))
        for y in (year - 1, year)
        for name, month, day, weekday in (("fair", 10, 8, THURSDAY), ("forum", 3, 15, TUESDAY))
    ]
    return yearly + [
        ("open_day", _on_or_after(today - 50 * DAY, SATURDAY)),
        ("village", _on_or_after(today + 8 * DAY, FRIDAY)),
        ("helpers_day", _on_or_after(today + 35 * DAY, TUESDAY)),
    ]


def _all_day_events(places: list[Place], today: dt.date) -> list[Event]:
    hosts = {place.nom: place for place in places}
    events = []
    for name, first in all_day_dates(today):
        title, category, keywords, audience, host, days = ALL_DAY_EVENTS[name]
        place = hosts[host]
        occurrence = Occurrence.whole_days(first, first + (days - 1) * DAY)
        events.append(
            Event(
                source="manual",
                title=title,
                description=f"{title} : démonstrations, ateliers et rencontres, entrée libre.",
                keywords=keywords,
                category=category,
                audience=audience,
                organiser=NETWORK,
                status=EventStatus.SCHEDULED,
                attendance_mode=AttendanceMode.OFFLINE,
                place_pk=place.pk,
                location_name=place.nom,
                address=place.adresse,
                postal_code=place.code_postal,
                city=place.commune,
                insee=place.code_insee,
                latitude=place.latitude,
                longitude=place.longitude,
                occurrences=[EventOccurrence(**occurrence._asdict())],
            )
        )
    return events


# --- trainings ----------------------------------------------------------------------------------------------------

# (programme, title, kind, partner, audience, sessions per year offset -3…0 and current, capacity, present range,
#  hours (start, minutes), where: a typology of place, "collège"/"EHPAD", or "remote")
TRAININGS = [
    ("Aidants Connect", "Habilitation Aidants Connect", TrainingKind.FORMATION, "Conseil départemental de la Loire",
     "Travailleurs sociaux", (2, 3, 4, 6, 6), 24, (14, 21), (9, 420), "FS"),
    ("CNFPT", "Accueillir et orienter les usagers vers les services en ligne", TrainingKind.FORMATION,
     "CNFPT Auvergne-Rhône-Alpes", "Agents des collectivités", (2, 3, 3, 4, 4), 15, (9, 14), (9, 390), "salle"),
    ("FabLab", "Rencontre des FabLabs de la Loire", TrainingKind.RENCONTRE, None, "Fabmanagers et bénévoles",
     (2, 3, 4, 4, 4), 20, (8, 14), (18, 150), "FABLAB"),
    ("Interventions", "Usages responsables des écrans au collège", TrainingKind.INTERVENTION, "Collèges de la Loire",
     "Collégiens (4e-3e)", (2, 3, 4, 5, 5), 28, (20, 28), (9, 110), "collège"),
    ("Interventions", "Découverte de la tablette en EHPAD", TrainingKind.INTERVENTION, "EHPAD de la Loire",
     "Résidents d'EHPAD", (1, 2, 3, 4, 4), 12, (6, 11), (14, 90), "EHPAD"),
    ("Conseillers numériques", "Rencontre départementale des conseillers numériques", TrainingKind.RENCONTRE,
     "Préfecture de la Loire", "Conseillers numériques", (1, 2, 2, 2, 2), 40, (22, 34), (9, 180), "TIERS_LIEUX"),
    ("Réseau", "Webinaire : repérer les arnaques en ligne", TrainingKind.WEBINAIRE, None, "Médiateurs numériques",
     (0, 1, 1, 1, 1), 100, (25, 45), (11, 60), "remote"),
    ("Réseau", "Webinaire : Mon Espace Santé, ce qui change", TrainingKind.WEBINAIRE, None, "Médiateurs numériques",
     (0, 0, 0, 1, 1), 100, (25, 45), (11, 60), "remote"),
]  # fmt: skip
AIDANTS_PRESENT = (21, 18, 20, 17, 19, 17)  # 112 social workers in the demo year
AGE_BANDS = ("18-25", "26-39", "40-54", "55-64", "65+")


def _session_days(rng: random.Random, year: int, n: int) -> list[dt.date]:
    days = []
    for k in range(n):
        month = 1 + int((k + 0.5) * 12 / n)
        month = 9 if month == 8 else month
        days.append(_on_weekday(dt.date(year, month, rng.randint(3, 25))))
    return sorted(days)


def _attendants(rng: random.Random, present: int, absent: int, profiles: tuple[str, ...]) -> list[Attendant]:
    states = [AttendantState.PRESENT] * present + [AttendantState.REGISTERED] * absent
    states += [AttendantState.CANCELLED] * rng.randint(0, 1) + [AttendantState.WAITING] * rng.randint(0, 1)
    rows = []
    for state in states:
        audience_type = rng.choice(profiles)
        age_band = "65+" if audience_type == "Résident" else rng.choice(AGE_BANDS)
        rows.append(
            Attendant(
                state=state, audience_type=audience_type, gender=rng.choice(("F", "F", "M", None)), age_band=age_band
            )
        )
    return rows


def _trainings(rng: random.Random, places: list[Place], today: dt.date) -> list[Training]:
    year = demo_year(today)
    trainings = []

    def session(day, hour, minutes, where, capacity, present, registered, trainer, with_rows=None):
        place = None
        location = insee = None
        if where == "remote":
            location = "Visioconférence"
        elif where in {"collège", "EHPAD"}:
            insee = rng.choice(list(COMMUNES))
            location = f"{'Collège' if where == 'collège' else 'EHPAD'} {_de(COMMUNES[insee][0])}"
        elif where == "salle":
            insee, location = "42218", "Salle de formation du réseau, Saint-Étienne"
        else:
            place = rng.choice([p for p in places if where in p.typologie.split("|")])
            insee = place.code_insee
        start = dt.time(hour, 30 if hour == 18 else 0)
        end = (dt.datetime.combine(day, start) + dt.timedelta(minutes=minutes + (60 if minutes > 300 else 0))).time()
        upcoming = day > today
        row = TrainingSession(
            date=day,
            start_time=start,
            end_time=end,
            duration_minutes=minutes,
            remote=where == "remote",
            place_pk=place.pk if place else None,
            location=location,
            commune_insee=insee,
            trainer=trainer,
            capacity=capacity,
            registered_count=None if with_rows else registered,
            present_count=None if with_rows or upcoming else present,
        )
        if with_rows and not upcoming:
            row.attendants = _attendants(rng, present, registered - present, with_rows)
        return row

    def training(programme, title, kind, partner, audience, sessions):
        return Training(
            programme=programme,
            title=title,
            kind=kind,
            partner=partner,
            audience=audience,
            description=f"{title} ({programme}), organisée par le réseau pour « {audience} ».",
            start_date=min(s.date for s in sessions),
            end_date=max(s.date for s in sessions),
            sessions=sessions,
        )

    for offset in range(-3, today.year - year + 1):  # up to the current year
        y = year + offset
        for programme, title, kind, partner, audience, counts, capacity, (low, high), (
            hour,
            minutes,
        ), where in TRAININGS:
            n = counts[min(offset + 3, 4)]
            if not n:
                continue
            trainer = rng.choice(TRAINERS)
            sessions = []
            for k, day in enumerate(_session_days(rng, y, n)):
                present = (
                    AIDANTS_PRESENT[k] if offset == 0 and programme == "Aidants Connect" else rng.randint(low, high)
                )
                registered = min(capacity, present + rng.randint(0, 3))
                rows = None
                if offset == 0 and k == 1 and kind == TrainingKind.RENCONTRE and programme == "FabLab":
                    rows = ("Fabmanager", "Médiateur numérique", "Bénévole")
                elif offset == 0 and k == 0 and "EHPAD" in title:
                    rows = ("Résident", "Résident", "Résident", "Animateur EHPAD")
                elif offset == 0 and kind == TrainingKind.WEBINAIRE and "arnaques" in title:
                    rows = ("Médiateur numérique", "Travailleur social", "Agent France Services", "Bénévole")
                sessions.append(session(day, hour, minutes, where, capacity, present, registered, trainer, rows))
            trainings.append(training(programme, title, kind, partner, audience, sessions))
        if offset >= -1:  # the FabLab's software training, full every time
            day = _on_weekday(dt.date(y, 10, 14))
            trainings.append(
                training("FabLab", "Initiation à Inkscape pour la découpe laser", TrainingKind.FORMATION, None,
                         "Médiateurs et bénévoles",
                         [session(day, 9, 360, "FABLAB", 10, 9, 10, "Julien Ferrand")])
            )  # fmt: skip
    # Always something ahead of `today`, whatever the date.
    day = _on_weekday(today + 10 * DAY)
    trainings.append(
        training("Réseau", "Webinaire : les nouveautés du réseau", TrainingKind.WEBINAIRE, None,
                 "Médiateurs numériques", [session(day, 11, 60, "remote", 100, 0, 32, "Nadia Benali")])
    )  # fmt: skip
    return trainings


# --- newsletters and audience -------------------------------------------------------------------------------------

# name: (audience, platform, readers at the end of the demo year, readers 3 years before, issues a year -3…0)
_READERS = FACTS["newsletter_readers"]
NEWSLETTERS = {
    "La Lettre du réseau": ("Acteurs de la médiation numérique", "Sendinblue", _READERS["La Lettre du réseau"], 140,
                            (6, 8, 10, 11)),
    "Lettre FabLab": ("Communauté des FabLabs", "Mailjet", _READERS["Lettre FabLab"], 22, (3, 4, 5, 6)),
    "Lettre des aidants": ("Aidants numériques et travailleurs sociaux", "Sendinblue", _READERS["Lettre des aidants"],
                           70, (4, 5, 6, 8)),
    "Actus médiation numérique": ("Élus, partenaires et grand public", "Mailjet", _READERS["Actus médiation numérique"],
                                  160, (8, 10, 12, 15)),
}  # fmt: skip
TOPICS = (
    "retour sur la Fête du numérique", "les nouveaux lieux du réseau", "Aidants Connect : nouvelles sessions",
    "le point sur les conseillers numériques", "prêt de matériel : réservez vos kits", "agenda des ateliers",
    "cybersécurité : les bons réflexes", "Mon Espace Santé expliqué", "appel à projets inclusion numérique",
    "portrait d'une médiatrice", "les chiffres de l'année", "formations du trimestre", "la découpe laser pour tous",
    "le réemploi d'ordinateurs", "rencontre départementale : le compte rendu",
)  # fmt: skip
_YEARLY = FACTS["yearly_audience"]
YEARLY_AUDIENCE = {  # indicator: (source, values for the years -3…0 of the demo year; later years grow from it)
    "wiki_contributeurs": ("Wiki.js", (28, 41, 52, _YEARLY["wiki_contributeurs"])),
    "wiki_pages": ("Wiki.js", (310, 452, 581, _YEARLY["wiki_pages"])),
    "chat_utilisateurs_actifs": ("Mattermost", (85, 118, 149, _YEARLY["chat_utilisateurs_actifs"])),
    "chat_equipes": ("Mattermost", (8, 11, 13, _YEARLY["chat_equipes"])),
    "chat_canaux": ("Mattermost", (47, 68, 87, _YEARLY["chat_canaux"])),
    "chat_messages": ("Mattermost", (11200, 17650, 23100, _YEARLY["chat_messages"])),
}
VISITORS = {-3: 1450, -2: 1800, -1: 2100, 0: 2400}
SEED_VISITORS = FACTS["site_visitors_by_month"]  # the seed year's months as recorded: a mean of 2 400, 3 000 at most


def _visitors(offset: int) -> float:
    return VISITORS.get(offset) or VISITORS[0] * (1 + 0.06 * offset)


SEASON = (1.05, 1.08, 1.1, 1.0, 0.98, 0.95, 0.8, 0.6, 1.05, 1.12, 1.1, 0.9)


def _month_starts(first: dt.date, last: dt.date) -> list[dt.date]:
    out, day = [], first
    while day <= last:
        out.append(day)
        day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return out


def _newsletters(rng: random.Random, today: dt.date) -> list[Newsletter]:
    year = demo_year(today)
    months = _month_starts(dt.date(year - 3, 1, 1), today)
    end_index = months.index(dt.date(year, 12, 1))
    newsletters = []
    for name, (audience, platform, target, start, issues_per_year) in NEWSLETTERS.items():
        counts = {}
        for i, month in enumerate(months):
            trend = start + (target - start) * i / end_index
            noise = rng.randint(-2, 2) if target > 100 else rng.randint(-1, 1)
            counts[month] = target if i == end_index else max(0, round(trend) + (noise if i else 0))
        issues, number = [], 0
        topics = rng.sample(TOPICS, len(TOPICS))
        later = today.year - year  # the years after the seed year, the current one included
        for offset, n in enumerate((*issues_per_year, *[issues_per_year[-1]] * later)):
            y = year - 3 + offset
            for k in range(n):
                day = _on_weekday(dt.date(y, 1, 1) + (int((k + 0.5) * 365 / n) + rng.randint(-4, 4)) * DAY)
                if day.year != y or day > today:
                    continue
                number += 1
                readers = counts.get(day.replace(day=1), target)
                topic = topics[number % len(topics)]
                subject = {
                    "La Lettre du réseau": f"La Lettre du réseau n°{number} – {clock.MONTHS[day.month - 1]} {y}",
                    "Lettre FabLab": f"Lettre FabLab n°{number} : {topic}",
                    "Lettre des aidants": f"Lettre des aidants – {topic}",
                }.get(name, topic[0].upper() + topic[1:])
                stats = rng.random() < (0.9 if offset >= 2 else 0.6)
                opened = round(readers * rng.uniform(0.32, 0.55))
                issues.append(
                    NewsletterIssue(
                        sent_on=day,
                        subject=subject,
                        link=f"https://lettres.{DOMAIN}/{_slug(name)}/{number}" if rng.random() < 0.7 else None,
                        recipients=readers if stats else None,
                        opens=opened if stats else None,
                        clicks=round(opened * rng.uniform(0.12, 0.3)) if stats else None,
                    )
                )
        snapshots = [SubscriberSnapshot(date=month, count=count) for month, count in counts.items()]
        newsletters.append(
            Newsletter(name=name, audience=audience, platform=platform, issues=issues, snapshots=snapshots)
        )
    return newsletters


def _audience(rng: random.Random, today: dt.date) -> list[AudienceFigure]:
    year = demo_year(today)
    mean = sum(SEASON) / 12
    current_month = today.replace(day=1)
    figures = [
        AudienceFigure(
            indicator="site_visiteurs_uniques",
            period_kind="month",
            period_start=month,
            value=float(
                SEED_VISITORS[month.month - 1]
                if month.year == SEED_YEAR == year
                else round(_visitors(month.year - year) * SEASON[month.month - 1] / mean * rng.uniform(0.95, 1.05))
            ),
            source="Matomo",
        )
        for month in _month_starts(dt.date(year - 3, 1, 1), today)
        if month < current_month
    ]
    for indicator, (source, values) in YEARLY_AUDIENCE.items():
        values = (*values, *(round(values[-1] * (1 + 0.12 * k)) for k in later_years(today)))
        for offset, value in enumerate(values):
            figures.append(
                AudienceFigure(
                    indicator=indicator,
                    period_kind="year",
                    period_start=dt.date(year - 3 + offset, 1, 1),
                    value=float(value),
                    source=source,
                )
            )
    return figures


# --- the convention, its actions and the report's texts -----------------------------------------------------------


def _convention_and_actions(session: Session, today: dt.date) -> None:
    """The seed year's convention (a copy for the years after its span), its actions told again each later year,
    the trainings, events and loans attached to their missions, and the seed year's report texts."""
    year = demo_year(today)
    if year != SEED_YEAR:  # a clock before the seed year has ended: no convention to tell yet
        return
    document = json.loads((DATA / "convention-2021.json").read_text(encoding="utf-8"))
    told = json.loads((DATA / "actions-2021.json").read_text(encoding="utf-8"))
    first, _ = convention.import_document(session, SYSTEM, document)
    if today.year > first.last_year:
        convention.copy_convention(
            session,
            SYSTEM,
            source_id=first.id,
            first_year=first.last_year + 1,
            last_year=max(today.year, first.last_year + 3),
        )
    keys = {
        y: {m.key: m.id for m in convention.missions(convention.for_year(session, y))}
        for y in range(year, today.year + 1)
    }
    for offset in (0, *later_years(today)):
        y = year + offset
        for entry in told["actions"]:
            start = _on_weekday(dt.date.fromisoformat(entry["start"]).replace(year=y))
            end = dt.date.fromisoformat(entry["end"]).replace(year=y) if entry["end"] else None
            participants = entry["participants"]
            actions.save_action(
                session,
                SYSTEM,
                title=entry["title"] + ("" if offset == 0 else f" ({y})"),
                kind=entry["kind"],
                start_date=start,
                end_date=end if end and end >= start else None,
                missions=[keys[y][key] for key in entry["missions"]],
                partner_names="\n".join(entry["partners"]),
                commune=entry["commune"],
                public=entry["public"],
                participants=None if participants is None else round(participants * growth(offset)),
                hours=entry["hours"],
                account=entry["account"],
                links="\n".join(entry["links"]),
            )
    for key, text in told["texts"].items():
        session.add(ReportComment(year=year, mission=key, text=text))
    attach = told["attach"]
    for training in session.scalars(select(Training)):
        mission = attach["trainings"].get(training.title)
        training.mission_id = keys.get(training.start_date.year, {}).get(mission) if mission else None
    for event in session.scalars(select(Event).where(Event.title.in_(list(attach["events"])))):
        day = clock.local_date(event.occurrences[0].start)
        event.mission_id = keys.get(day.year, {}).get(attach["events"][event.title])
    for loan in session.scalars(select(Loan).where(Loan.cancelled_at.is_(None))):
        loan.mission_id = keys.get(loan.start_date.year, {}).get(attach["loans"])


# --- entry point --------------------------------------------------------------------------------------------------


def seed_demo(session: Session, today: dt.date) -> dict[str, int]:
    """Fill an empty database with the demo network; return the number of rows per table."""
    if session.scalar(select(func.count(User.id))) or session.scalar(select(func.count(Place.pk))):
        raise RuntimeError(
            "La base n'est pas vide : les données de démonstration ne s'installent que sur une base vide."
        )
    rng = random.Random(42)
    year = demo_year(today)
    accounts = [
        create_user(session, SYSTEM, email=email, name=name, role=role, password=password)
        for email, name, role, password in DEMO_ACCOUNTS
    ]
    # The national reference (init-db) may already hold these communes: complete them rather than add them twice.
    known = {c.insee: c for c in session.scalars(select(Commune).where(Commune.insee.in_(list(COMMUNES))))}
    for insee, (name, _, _epci_key, lat, lon) in COMMUNES.items():
        commune = known.get(insee) or Commune(insee=insee, name=name)
        commune.epci_code, commune.epci_name = _epci(insee)
        commune.latitude, commune.longitude = lat, lon
        session.add(commune)
    # The Loire's digital fragility index, public data (db/data/ifn-loire-42.csv, see the README): the Carte's IFN
    # layer and panel and the EPCI figures have their real values in the demo.
    carte.import_ifn(session, SYSTEM, IFN_PATH.read_bytes())
    places = _places(rng, today)
    items = {
        name: EquipmentItem(name=name, category=category, units=units, description=DESCRIPTIONS[name])
        for name, (category, units, *_) in EQUIPMENT.items()
    }
    _register_history(session, places, list(items.values()), today)  # also gives the places their keys

    session.add_all(_loans(rng, items, places, today, accounts[1].id))
    per_year = EVENTS_PER_YEAR | {k: round(EVENTS_PER_YEAR[0] * growth(k)) for k in later_years(today)}
    for offset, count in per_year.items():
        y = year + offset
        session.add_all(_events(rng, places, dt.date(y, 1, 2), dt.date(y, 12, 20), count))
    current_last = today + 90 * DAY
    current_count = round(130 * ((current_last - dt.date(today.year, 1, 2)).days + 1) / 365)
    session.add_all(_events(rng, places, dt.date(today.year, 1, 2), current_last, current_count))
    session.add_all(_all_day_events(places, today))
    session.add_all(_trainings(rng, places, today))
    session.add_all(_newsletters(rng, today))
    session.add_all(_audience(rng, today))
    session.flush()
    _convention_and_actions(session, today)
    session.flush()
    return {
        table.name: session.scalar(select(func.count()).select_from(table)) for table in Base.metadata.sorted_tables
    }
