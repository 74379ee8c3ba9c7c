"""CSV imports of the Lettres: subscriber counts, issue statistics, audience figures — the app's own files and the
mailing tools' exports as they come.

Layouts, recognised by their header (case, accents and spaces ignored):

- the app's own (`;` or `,`, one header line, columns in any order):

      abonnes:    lettre;date;abonnes
                  La Lettre du réseau;31/12/2025;323
      envois:     lettre;date;objet;lien;destinataires;ouvertures;clics   (lien and the statistics may be empty)
                  La Lettre du réseau;2025-12-17;La Lettre n°45;https://…;323;160;34
      audience:   indicateur;periode;valeur;source        (periode: 2025-03 for a month, 2025 for a year)
                  site_visiteurs_uniques;2025-03;2480;Matomo

- Mailchimp's campaign report export (`Title, Subject, List, Send Date, …, Total Recipients, …, Unique Opens, …,
  Unique Clicks, …`): one issue per row (list → newsletter, Send Date `Nov 16, 2026 10:00 am`, Subject, Total
  Recipients, Unique Opens, Unique Clicks);
- Brevo's campaign export (English or French headers: `Campaign name`/`Nom de la campagne`, `Subject`/`Objet`,
  `Sent date`/`Date d'envoi`, `Lists`/`Listes`, `Recipients`/`Destinataires`, `Unique opens`/`Ouvertures uniques`,
  `Unique clicks`/`Clics uniques`…): one issue per row;
- Mailchimp's audience export (one row per contact: `Email Address, First Name, …, MEMBER_RATING, OPTIN_TIME, …`)
  and any contact export with an e-mail column: one subscriber snapshot, the number of contacts (the subscribed
  ones when there is a status column), for the newsletter given (`newsletter`, else the only one) at the export
  date (`on`, else today).

Any other layout: `mapping` (the command's `--map colonne=En-tête`) names the header of each of the kind's columns.
Numbers may use thousands separators (`1,234`, `1 234`), percentages and date-times are read. A list name unknown to
the app creates the newsletter, with a warning. Each row goes through the same write function as the forms (same
rules, same journal rows); an identical row is unchanged and writes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import clock, imports, lettres
from db.imports import ImportReport, Issue, UnusableFile
from db.models import Newsletter, Role
from db.writes import Actor, ValidationError, require_role

MAX_ROWS = imports.MAX_ROWS


@dataclass(frozen=True)
class CsvFormat:
    key: str
    label: str
    columns: tuple[str, ...]
    required: tuple[str, ...]
    example: str


FORMATS = {
    "abonnes": CsvFormat(
        "abonnes",
        "Nombres d'abonnés",
        ("lettre", "date", "abonnes"),
        ("lettre", "date", "abonnes"),
        "La Lettre du réseau;31/12/2025;323",
    ),
    "envois": CsvFormat(
        "envois",
        "Statistiques d'envoi (outil d'e-mailing)",
        ("lettre", "date", "objet", "lien", "destinataires", "ouvertures", "clics"),
        ("lettre", "date", "objet"),
        "La Lettre du réseau;17/12/2025;La Lettre n°45;https://exemple.fr/45;323;160;34",
    ),
    "audience": CsvFormat(
        "audience",
        "Chiffres d'audience",
        ("indicateur", "periode", "valeur", "source"),
        ("indicateur", "periode", "valeur", "source"),
        "site_visiteurs_uniques;2025-03;2480;Matomo",
    ),
}

# Messages of the write functions name their form fields; a CSV user knows the columns.
FIELD_COLUMNS = {
    "newsletter_id": "lettre",
    "date": "date",
    "sent_on": "date",
    "count": "abonnes",
    "subject": "objet",
    "link": "lien",
    "recipients": "destinataires",
    "opens": "ouvertures",
    "clicks": "clics",
    "indicator": "indicateur",
    "period": "periode",
    "value": "valeur",
    "source": "source",
}


def _plain(text: str) -> str:
    """Lowercase without accents, spaces squeezed: `Abonnés ` → `abonnes`, `Send  Date` → `send date`."""
    decomposed = unicodedata.normalize("NFKD", (text or "").strip().lower().replace("\ufeff", ""))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).replace("’", "'").split())


header_key = _plain  # how a header is compared: the page's mapping step guesses with it


# --- layouts ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    key: str
    label: str
    kind: str  # envois | abonnes | audience | contacts
    columns: dict[str, tuple[str, ...]]  # the kind's column → the headers that hold it (plain), first found wins
    signature: tuple[str, ...]  # plain headers that must all be there to recognise the layout
    platform: str | None = None


MAILCHIMP_CAMPAIGNS = Layout(
    "mailchimp-campagnes",
    "Mailchimp (rapport de campagnes)",
    "envois",
    {
        "lettre": ("list",),
        "date": ("send date",),
        "objet": ("subject", "title"),
        "destinataires": ("total recipients",),
        "ouvertures": ("unique opens",),
        "clics": ("unique clicks",),
    },
    ("title", "subject", "list", "send date", "total recipients", "unique opens", "unique clicks"),
    "Mailchimp",
)
BREVO_CAMPAIGNS = Layout(
    "brevo-campagnes",
    "Brevo (export de campagnes)",
    "envois",
    {
        "lettre": ("lists", "list", "listes", "liste", "liste(s)", "list(s)"),
        "date": ("sent date", "sent at", "send date", "date d'envoi", "date of sending", "date"),
        "objet": ("subject", "objet", "campaign name", "nom de la campagne", "name", "nom"),
        "destinataires": ("recipients", "sent", "destinataires", "envoyes", "delivered", "delivres"),
        "ouvertures": ("unique opens", "unique views", "ouvertures uniques", "ouvreurs", "opens", "ouvertures"),
        "clics": ("unique clicks", "clickers", "clics uniques", "cliqueurs", "clicks", "clics"),
    },
    (),  # recognised by its campaign-name column with a date and opens (see `detect`)
    "Brevo",
)
MAILCHIMP_AUDIENCE = Layout(
    "mailchimp-audience",
    "Mailchimp (export d'audience)",
    "contacts",
    {"email": ("email address",), "statut": ("status",)},
    ("email address",),
    "Mailchimp",
)
CONTACTS = Layout(
    "contacts",
    "export de contacts (une ligne par abonné)",
    "contacts",
    {
        "email": ("email", "e-mail", "email address", "adresse e-mail", "adresse email", "courriel", "mail"),
        "statut": ("status", "statut", "subscription status", "email_status"),
    },
    (),
)
MAILCHIMP_AUDIENCE_MARKERS = {"member_rating", "optin_time", "confirm_time", "leid", "euid", "last_changed"}


def _own(kind: str) -> Layout:
    fmt = FORMATS[kind]
    return Layout(kind, f"format de l'application ({fmt.label.lower()})", kind, {c: (c,) for c in fmt.columns}, ())


def detect(header: list[str], kind: str) -> Layout | None:
    """The layout of a header (plain names): a tool's export, else the app's own for `kind`, else None."""
    names = set(header)
    if set(MAILCHIMP_CAMPAIGNS.signature) <= names:
        return MAILCHIMP_CAMPAIGNS
    if names & {"campaign name", "nom de la campagne"} and _find(BREVO_CAMPAIGNS, "date", header) and (
        _find(BREVO_CAMPAIGNS, "ouvertures", header)
    ):
        return BREVO_CAMPAIGNS
    if "email address" in names and names & MAILCHIMP_AUDIENCE_MARKERS:
        return MAILCHIMP_AUDIENCE
    own = _own(kind)
    if set(FORMATS[kind].required) <= names:
        return own
    if _find(CONTACTS, "email", header) and not set(FORMATS[kind].required) & names:
        return CONTACTS
    return None


def _find(layout: Layout, column: str, header: list[str]) -> int | None:
    for name in layout.columns.get(column, ()):
        if name in header:
            return header.index(name)
    return None


def mapped_layout(kind: str, mapping: dict[str, str], header: list[str]) -> Layout:
    """The layout a user's mapping describes (`{"lettre": "Liste", "date": "Envoyé le", …}`)."""
    fmt = FORMATS[kind]
    unknown = set(mapping) - set(fmt.columns)
    if unknown:
        raise UnusableFile(
            f"correspondance inconnue : {', '.join(sorted(unknown))} (colonnes possibles : {', '.join(fmt.columns)})"
        )
    missing_headers = [h for h in mapping.values() if _plain(h) not in header]
    if missing_headers:
        raise UnusableFile(f"en-tête(s) absent(s) du fichier : {', '.join(missing_headers)}")
    columns = {c: (_plain(mapping[c]),) if c in mapping else (c,) for c in fmt.columns}
    layout = Layout(f"{kind}-correspondance", f"{fmt.label} (colonnes choisies)", kind, columns, ())
    missing = [c for c in fmt.required if _find(layout, c, header) is None]
    if missing:
        raise UnusableFile(f"colonne(s) sans correspondance : {', '.join(missing)}")
    return layout


# --- values -------------------------------------------------------------------------------------------------------

_DATE_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%m/%d/%Y",
)
_TIME = re.compile(r"(?:[ T]+(?:à\s*)?\d{1,2}[:h]\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[ap]\.?m\.?)?(?:\s*(?:Z|[+-]\d{2}:?\d{2}|UTC|GMT|[A-Z]{3,4}))?)$", re.I)


def parse_date(text: str | None) -> str | None:
    """A date or date-time as the tools write it (`Nov 16, 2026 10:00 am`, `16/11/2026 10:00`,
    `2026-11-16T10:00:00Z`) → `2026-11-16`; the text unchanged when it is none of these (the write rule says why)."""
    if not text or not text.strip():
        return text
    plain = _TIME.sub("", text.strip())
    for fmt in _DATE_FORMATS:
        try:
            return dt.datetime.strptime(plain, fmt).date().isoformat()
        except ValueError:
            continue
    return text


def parse_count(text: str | None) -> str | None:
    """`1,234`, `1 234`, `1.234` (thousands) or `12.0` → `1234`/`12`; other texts unchanged (the write rule
    rejects them with its message)."""
    if text is None:
        return None
    plain = text.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
    if re.fullmatch(r"\d{1,3}([,.]\d{3})+", plain):
        return re.sub(r"[,.]", "", plain)
    if re.fullmatch(r"\d+[.,]0+", plain):
        return re.split(r"[.,]", plain)[0]
    return plain


def parse_rate(text: str | None) -> float | None:
    """`50.00%`, `50,0 %` or `0.5` → 0.5."""
    if not text or not text.strip():
        return None
    plain = text.strip().replace(" ", "").replace(",", ".")
    try:
        return float(plain[:-1]) / 100 if plain.endswith("%") else float(plain)
    except ValueError:
        return None


# --- reading ------------------------------------------------------------------------------------------------------


def decode(data: bytes | str) -> str:
    return imports.decode(data)


def read_table(text: str) -> tuple[list[str], list[str], list[tuple[int, list[str]]]]:
    """(header as written, header plain, [(line number, cells)]) of a CSV; UnusableFile when it has no header."""
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise UnusableFile("le fichier est vide")
    first = lines[0]
    delimiter = max((";", ",", "\t"), key=first.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader)
        rows = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            rows.append((reader.line_num, cells))
            imports.check_rows(len(rows))
    except csv.Error as error:
        raise UnusableFile(f"CSV illisible ligne {reader.line_num} : {error}") from None
    return header, [_plain(h) for h in header], rows


class UnknownLayout(UnusableFile):
    """The header is none of the known layouts: the page offers to map its columns (the command, --map)."""

    def __init__(self, header: list[str], message: str):
        super().__init__(message)
        self.header = [h.strip().lstrip("\ufeff") for h in header if h.strip()]


def _reason(error: ValidationError) -> str:
    return " ; ".join(
        f"{FIELD_COLUMNS.get(name, name)} : {message}" if name else message for name, message in error.errors.items()
    )


class _Newsletters:
    """Newsletter by name, case- and accent-insensitive; an unknown name is created (with a warning)."""

    def __init__(self, session: Session, actor: Actor, report: ImportReport, platform: str | None):
        self.session, self.actor, self.report, self.platform = session, actor, report, platform
        self.ids = {_plain(name): id_ for id_, name in session.execute(select(Newsletter.id, Newsletter.name))}

    def id_for(self, name: str, line: int) -> int | None:
        if not name or not name.strip():
            return None
        key = _plain(name)
        if key not in self.ids:
            saved = lettres.save_newsletter(self.session, self.actor, name=name.strip(), platform=self.platform)
            self.session.flush()
            self.ids[key] = saved.row.id
            self.report.warnings.append(
                Issue(line, "lettre", f"lettre « {name.strip()} » inconnue : créée (à compléter sur la page)")
            )
        return self.ids[key]


def import_lettres(
    session: Session,
    actor: Actor,
    content: str | bytes,
    kind: str,
    mapping: dict[str, str] | None = None,
    newsletter: str | int | None = None,
    on: dt.date | None = None,
) -> ImportReport:
    """Import one file of the Lettres (any layout above) in the caller's transaction. Raises UnusableFile."""
    require_role(actor, Role.COORDINATOR)
    header_raw, header, rows = read_table(decode(content))
    layout = mapped_layout(kind, mapping, header) if mapping else detect(header, kind)
    if layout is None:
        fmt = FORMATS[kind]
        missing = [c for c in fmt.required if c not in header]
        raise UnknownLayout(
            header_raw,
            f"colonne(s) manquante(s) : {', '.join(missing)} ; en-tête attendu : {';'.join(fmt.columns)} "
            f"(ou un export Mailchimp ou Brevo). En-tête lu : {';'.join(header_raw[:12])}. "
            "Indiquer la correspondance des colonnes (--map colonne=En-tête)."
        )
    report = ImportReport(what="lignes", format=layout.label)
    if not rows:
        return report
    if layout.kind == "contacts":
        return _import_contacts(session, actor, report, layout, header, rows, newsletter, on)
    positions = {column: _find(layout, column, header) for column in layout.columns}
    newsletters = _Newsletters(session, actor, report, layout.platform)
    for line, cells in rows:
        row = {c: (cells[i].strip() if i is not None and i < len(cells) else "") for c, i in positions.items()}
        try:
            saved = _write(session, actor, layout.kind, row, newsletters, line)
        except ValidationError as error:
            report.rejected.append(Issue(line, "", _reason(error)))
            continue
        label = f"ligne {line}"
        (report.created if saved.created else report.updated if saved.changed else report.unchanged).append(label)
    return report


def _write(session, actor, kind: str, row: dict, newsletters: _Newsletters, line: int) -> lettres.Saved:
    if kind == "audience":
        return lettres.record_audience_figure(
            session,
            actor,
            indicator=row.get("indicateur"),
            period=row.get("periode"),
            value=parse_count(row.get("valeur")),
            source=row.get("source"),
        )
    newsletter_id = newsletters.id_for(row.get("lettre", ""), line)
    if kind == "abonnes":
        return lettres.record_snapshot(
            session, actor, newsletter_id=newsletter_id, date=parse_date(row.get("date")), count=parse_count(row.get("abonnes"))
        )
    return lettres.record_issue(
        session,
        actor,
        newsletter_id=newsletter_id,
        sent_on=parse_date(row.get("date")),
        subject=row.get("objet"),
        link=row.get("lien") or None,
        recipients=parse_count(row.get("destinataires")) or None,
        opens=parse_count(row.get("ouvertures")) or None,
        clicks=parse_count(row.get("clics")) or None,
    )


SUBSCRIBED = {"subscribed", "abonne", "abonnee", "inscrit", "actif", "active", "opt-in", "optin", "valid", ""}


def _import_contacts(session, actor, report, layout, header, rows, newsletter, on) -> ImportReport:
    """One row per contact → one subscriber snapshot (distinct addresses, subscribed ones when a status says)."""
    email_at, status_at = _find(layout, "email", header), _find(layout, "statut", header)
    addresses = set()
    for line, cells in rows:
        email = cells[email_at].strip().lower() if email_at is not None and email_at < len(cells) else ""
        status = _plain(cells[status_at]) if status_at is not None and status_at < len(cells) else ""
        if "@" not in email:
            report.warnings.append(Issue(line, "email", f"adresse absente ou invalide « {email} » : ligne ignorée"))
            continue
        if status not in SUBSCRIBED:
            continue
        addresses.add(email)
    ids = dict(session.execute(select(Newsletter.name, Newsletter.id)).all())
    if isinstance(newsletter, int) or (isinstance(newsletter, str) and newsletter.isdigit()):
        newsletter = next((name for name, id_ in ids.items() if id_ == int(newsletter)), None)
    if newsletter is None and len(ids) == 1:
        newsletter = next(iter(ids))
    if not newsletter:
        raise UnusableFile(
            "export de contacts : indiquer la lettre d'information concernée (le fichier ne la nomme pas ; "
            "sur la page, la choisir dans le filtre « Lettre »)"
        )
    day = on or clock.today()
    newsletters = _Newsletters(session, actor, report, layout.platform)
    try:
        saved = lettres.record_snapshot(
            session, actor, newsletter_id=newsletters.id_for(newsletter, 1), date=day.isoformat(), count=len(addresses)
        )
    except ValidationError as error:
        report.rejected.append(Issue("fichier", "", _reason(error)))
        return report
    label = f"{newsletter} au {day.strftime('%d/%m/%Y')} : {len(addresses)} abonnés"
    (report.created if saved.created else report.updated if saved.changed else report.unchanged).append(label)
    return report


def _importer(kind: str) -> Callable[[Session, Actor, str | bytes], ImportReport]:
    def run(session: Session, actor: Actor, content: str | bytes, **options) -> ImportReport:
        return import_lettres(session, actor, content, kind, **options)

    run.__name__ = f"import_{kind}"
    return run


import_subscribers = _importer("abonnes")
import_issues = _importer("envois")
import_audience = _importer("audience")
IMPORTERS = {"abonnes": import_subscribers, "envois": import_issues, "audience": import_audience}
