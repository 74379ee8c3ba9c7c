"""Newsletters and the network's audience figures: queries and write rules of the Lettres.

Write rules (coordinators and admins; every written row gets its audit row):
- a newsletter has a unique name (case-insensitive), an optional audience and platform;
- an issue sent is identified by (newsletter, date, subject): recording it again updates its link and statistics,
  so re-importing a mailing tool's export refreshes it instead of duplicating it;
- a subscriber snapshot is one per newsletter and date: a second one on the same date UPDATES the first (the
  latest count of a day wins; re-importing a file is harmless), and the write reports it as an update;
- an audience figure is one per indicator and period (a month `2025-03` or a year `2025`): same rule, it updates.
Dates of issues, snapshots and periods may not be later than today.

Rates are weighted over the issues that carry the statistics: open rate = Σ opens / Σ recipients, click rate =
Σ clicks / Σ recipients (issues without recipients and opens do not count), never a mean of per-issue rates.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urlparse

import pandas as pd
from sqlalchemy import and_, case, extract, func, select
from sqlalchemy.orm import Session

from db import clock, fields, revisions
from db.figures import KeyFigure
from db.models import AudienceFigure, Newsletter, NewsletterIssue, Role, SubscriberSnapshot
from db.periods import Period, complete_months
from db.writes import Actor, ValidationError, audit, require_role, snapshot

NO_RECORD = "Aucun relevé sur la période."

# Known audience indicators: key → French label. Other keys (lowercase, digits, "_") may be entered or imported.
INDICATORS = {
    "site_visiteurs_uniques": "Visiteurs uniques du site",
    "wiki_contributeurs": "Contributeurs du wiki",
    "wiki_pages": "Pages du wiki",
    "chat_utilisateurs_actifs": "Utilisateurs actifs du chat",
    "chat_equipes": "Équipes du chat",
    "chat_canaux": "Canaux du chat",
    "chat_messages": "Messages du chat",
}
INDICATOR_RE = re.compile(r"^[a-z][a-z0-9_]{1,99}$")
PERIOD_KINDS = {"month": "mois", "year": "année"}


class Saved(NamedTuple):
    """A written row and whether it was created (True) or an existing one updated (False); `changed` is False when
    the existing row already had these values (nothing written, no journal row)."""

    row: object
    created: bool
    changed: bool = True


def indicator_label(key: str) -> str:
    return INDICATORS.get(key) or key.replace("_", " ").capitalize()


# --- parsing raw values (from the browser or a CSV cell) --------------------------------------------------------


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_date(value) -> dt.date:
    """A date from a date object, `AAAA-MM-JJ` or `JJ/MM/AAAA`; ValueError with a French message otherwise."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError("Date invalide : format attendu JJ/MM/AAAA ou AAAA-MM-JJ.")


def parse_number(value, integer: bool = True) -> float | int:
    """A non-negative number from a number or a French-formatted text ("2 400", "12,5")."""
    return fields.number(value, integer=integer)


def parse_period(value, today: dt.date) -> tuple[str, dt.date]:
    """("month", 1st of the month) from `2025-03` or `03/2025`, ("year", 1 January) from `2025`."""
    text = str(value or "").strip()
    if match := re.fullmatch(r"(\d{4})", text):
        kind, start = "year", dt.date(int(match[1]), 1, 1)
    elif (match := re.fullmatch(r"(\d{4})-(\d{1,2})", text)) or (match := re.fullmatch(r"(\d{1,2})/(\d{4})", text)):
        year, month = (match[1], match[2]) if "-" in text else (match[2], match[1])
        if not 1 <= int(month) <= 12:
            raise ValueError("Mois invalide : entre 01 et 12.")
        kind, start = "month", dt.date(int(year), int(month), 1)
    else:
        raise ValueError("Période invalide : « 2025-03 » pour un mois, « 2025 » pour une année.")
    if start > today:
        raise ValueError("La période ne peut pas être dans le futur.")
    return kind, start


class _Checker:
    """Collects one French message per field, so a form shows every problem at once."""

    def __init__(self):
        self.errors: dict[str, str] = {}

    def text(self, field: str, value, label: str, max_length: int, required: bool = True) -> str | None:
        text = "" if value is None else str(value).strip()
        if not text:
            if required:
                self.errors[field] = f"{label} est obligatoire."
            return None
        if len(text) > max_length:
            self.errors[field] = f"{label} ne doit pas dépasser {max_length} caractères."
        return text

    def past_date(self, field: str, value, today: dt.date, label: str = "La date") -> dt.date | None:
        if _blank(value):
            self.errors[field] = f"{label} est obligatoire."
            return None
        try:
            day = parse_date(value)
        except ValueError as error:
            self.errors[field] = str(error)
            return None
        if day > today:
            self.errors[field] = f"{label} ne peut pas être postérieure à aujourd'hui."
        return day

    def number(self, field: str, value, required: bool, integer: bool = True, label: str = "Ce nombre"):
        if _blank(value):
            if required:
                self.errors[field] = f"{label} est obligatoire."
            return None
        try:
            return parse_number(value, integer)
        except ValueError as error:
            self.errors[field] = str(error)
            return None

    def newsletter(self, session: Session, field: str, value) -> Newsletter | None:
        if _blank(value):
            self.errors[field] = "Choisir une lettre d'information."
            return None
        key = fields.record_key(value)
        newsletter = session.get(Newsletter, key, with_for_update=True) if key else None
        if newsletter is None:
            self.errors[field] = "Lettre d'information introuvable."
        return newsletter

    def done(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _upsert(session: Session, actor: Actor, existing, new_row, values: dict) -> Saved:
    """Update `existing` with `values` (audited with its previous state), or add `new_row`."""
    if existing is None:
        session.add(new_row)
        audit(session, actor, new_row, "create")
        return Saved(new_row, True)
    if all(getattr(existing, key) == value for key, value in values.items()):
        return Saved(existing, False, changed=False)
    before = snapshot(existing)
    for key, value in values.items():
        setattr(existing, key, value)
    audit(session, actor, existing, "update", before)
    return Saved(existing, False)


# --- writes -------------------------------------------------------------------------------------------------------


def save_newsletter(session: Session, actor: Actor, *, name, audience=None, platform=None, newsletter_id=None) -> Saved:
    """Create a newsletter, or edit the one `newsletter_id` names."""
    require_role(actor, Role.COORDINATOR)
    check = _Checker()
    existing = None
    if not _blank(newsletter_id):
        existing = check.newsletter(session, "newsletter_id", newsletter_id)
    name = check.text("name", name, "Le nom", 200)
    audience = check.text("audience", audience, "Le public", 200, required=False)
    platform = check.text("platform", platform, "La plateforme", 100, required=False)
    if name:
        clash = session.scalar(
            select(Newsletter.id).where(
                func.lower(Newsletter.name) == name.lower(), Newsletter.id != existing.id if existing else True
            )
        )
        if clash is not None:
            check.errors["name"] = "Une lettre porte déjà ce nom."
    check.done()
    values = {"name": name, "audience": audience, "platform": platform}
    return _upsert(session, actor, existing, Newsletter(**values), values)


def record_issue(
    session: Session,
    actor: Actor,
    *,
    newsletter_id,
    sent_on,
    subject,
    link=None,
    recipients=None,
    opens=None,
    clicks=None,
    today: dt.date | None = None,
) -> Saved:
    """Record an issue sent; the same newsletter, date and subject again updates its link and statistics."""
    require_role(actor, Role.COORDINATOR)
    check = _Checker()
    newsletter = check.newsletter(session, "newsletter_id", newsletter_id)
    sent_on = check.past_date("sent_on", sent_on, today or clock.today(), "La date d'envoi")
    subject = check.text("subject", subject, "L'objet", 300)
    link = check.text("link", link, "Le lien", 2000, required=False)
    if link and "link" not in check.errors:
        parsed = urlparse(link)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            check.errors["link"] = "Lien invalide : adresse web commençant par https:// attendue."
    recipients = check.number("recipients", recipients, required=False)
    opens = check.number("opens", opens, required=False)
    clicks = check.number("clicks", clicks, required=False)
    if recipients is not None and opens is not None and opens > recipients:
        check.errors["opens"] = "Les ouvertures ne peuvent pas dépasser le nombre de destinataires."
    if opens is not None and clicks is not None and clicks > opens:
        check.errors["clicks"] = "Les clics ne peuvent pas dépasser le nombre d'ouvertures."
    check.done()
    existing = session.scalar(
        select(NewsletterIssue).where(
            NewsletterIssue.newsletter_id == newsletter.id,
            NewsletterIssue.sent_on == sent_on,
            NewsletterIssue.subject == subject,
        )
    )
    values = {"link": link, "recipients": recipients, "opens": opens, "clicks": clicks}
    new = NewsletterIssue(newsletter_id=newsletter.id, sent_on=sent_on, subject=subject, **values)
    return _upsert(session, actor, existing, new, values)


def record_snapshot(
    session: Session, actor: Actor, *, newsletter_id, date, count, today: dt.date | None = None
) -> Saved:
    """The subscriber count of a newsletter on a date; a second count on the same date replaces the first."""
    require_role(actor, Role.COORDINATOR)
    check = _Checker()
    newsletter = check.newsletter(session, "newsletter_id", newsletter_id)
    day = check.past_date("date", date, today or clock.today(), "La date du relevé")
    count = check.number("count", count, required=True, label="Le nombre d'abonnés")
    check.done()
    existing = session.scalar(
        select(SubscriberSnapshot).where(
            SubscriberSnapshot.newsletter_id == newsletter.id, SubscriberSnapshot.date == day
        )
    )
    new = SubscriberSnapshot(newsletter_id=newsletter.id, date=day, count=count)
    return _upsert(session, actor, existing, new, {"count": count})


def record_audience_figure(
    session: Session, actor: Actor, *, indicator, period, value, source, today: dt.date | None = None
) -> Saved:
    """An audience figure for a month (`2025-03`) or a year (`2025`); the same indicator and period again updates."""
    require_role(actor, Role.COORDINATOR)
    check = _Checker()
    key = "" if indicator is None else str(indicator).strip().lower()
    if not key:
        check.errors["indicator"] = "Choisir un indicateur."
    elif not INDICATOR_RE.match(key):
        check.errors["indicator"] = (
            "Indicateur invalide : lettres minuscules, chiffres et « _ » (ex. site_visiteurs_uniques)."
        )
    kind = start = None
    if _blank(period):
        check.errors["period"] = "La période est obligatoire."
    else:
        try:
            kind, start = parse_period(period, today or clock.today())
        except ValueError as error:
            check.errors["period"] = str(error)
    value = check.number("value", value, required=True, integer=False, label="La valeur")
    source = check.text("source", source, "La source", 300)
    check.done()
    existing = session.scalar(
        select(AudienceFigure).where(
            AudienceFigure.indicator == key, AudienceFigure.period_kind == kind, AudienceFigure.period_start == start
        )
    )
    new = AudienceFigure(indicator=key, period_kind=kind, period_start=start, value=value, source=source)
    return _upsert(session, actor, existing, new, {"value": value, "source": source})


# --- queries ------------------------------------------------------------------------------------------------------


def _ids_filter(column, newsletter_ids):
    return column.in_([int(i) for i in newsletter_ids]) if newsletter_ids else True


def list_newsletters(session: Session, period: Period | None = None) -> pd.DataFrame:
    """Every newsletter with its latest subscriber count and date inside `period` (none when the period has no
    count: never carried forward; the latest ever without a period) and its number of issues (in `period`; all of
    them without one)."""
    latest = (
        select(SubscriberSnapshot.newsletter_id, func.max(SubscriberSnapshot.date).label("date"))
        .where(SubscriberSnapshot.date.between(period.start, period.end) if period else True)
        .group_by(SubscriberSnapshot.newsletter_id)
        .subquery()
    )
    issues = (
        select(NewsletterIssue.newsletter_id, func.count(NewsletterIssue.id).label("issues"))
        .where(NewsletterIssue.sent_on.between(period.start, period.end) if period else True)
        .group_by(NewsletterIssue.newsletter_id)
        .subquery()
    )
    rows = session.execute(
        select(
            Newsletter.id,
            Newsletter.name,
            Newsletter.audience,
            Newsletter.platform,
            SubscriberSnapshot.count,
            latest.c.date,
            func.coalesce(issues.c.issues, 0),
        )
        .outerjoin(latest, latest.c.newsletter_id == Newsletter.id)
        .outerjoin(
            SubscriberSnapshot,
            (SubscriberSnapshot.newsletter_id == Newsletter.id) & (SubscriberSnapshot.date == latest.c.date),
        )
        .outerjoin(issues, issues.c.newsletter_id == Newsletter.id)
        .order_by(Newsletter.name)
    ).all()
    frame = pd.DataFrame(rows, columns=["id", "name", "audience", "platform", "subscribers", "as_of", "issues"])
    frame["subscribers"] = frame["subscribers"].astype("Int64")
    return frame


def newsletter_reach_figure(session: Session, period: Period, newsletter_ids=None) -> KeyFigure:
    return newsletter_reach_figures(session, [period], newsletter_ids)[0]


def newsletter_reach_figures(session: Session, periods: list[Period], newsletter_ids=None) -> list[KeyFigure]:
    """Subscribers at the end of each period: over the newsletters, the sum of each one's latest count recorded
    inside the period. A count from an earlier period is never carried forward: a newsletter without a count in
    the period is left out (the note says so), and without any count at all the figure is None. The snapshots
    (a few a month per newsletter) are read once for all the periods."""
    snapshots = session.execute(
        select(SubscriberSnapshot.newsletter_id, SubscriberSnapshot.date, SubscriberSnapshot.count)
        .where(
            SubscriberSnapshot.date.between(min(p.start for p in periods), max(p.end for p in periods)),
            _ids_filter(SubscriberSnapshot.newsletter_id, newsletter_ids),
        )
        .order_by(SubscriberSnapshot.date)
    ).all()
    newsletters = session.scalar(select(func.count(Newsletter.id)).where(_ids_filter(Newsletter.id, newsletter_ids)))
    out = []
    for period in periods:
        latest = {nid: (day, count) for nid, day, count in snapshots if period.start <= day <= period.end}
        note = ""
        if not latest:
            note = NO_RECORD
        elif len(latest) < newsletters:
            missing = newsletters - len(latest)
            note = f"{missing} lettre(s) sur {newsletters} sans relevé d'abonnés sur la période, non comptée(s)."
        out.append(
            KeyFigure(
                key="subscribers",
                label="Abonnés aux lettres d'information",
                value=sum(count for _day, count in latest.values()) if latest else None,
                source="Dernier relevé d'abonnés de la période pour chaque lettre, sommé",
                as_of=max(day for day, _count in latest.values()) if latest else None,
                note=note,
            )
        )
    return out


def month_ends(period: Period) -> list[dt.date]:
    """The last day of every month ending inside the period, then the period's own end when it falls inside a
    month."""
    out = []
    year, month = period.start.year, period.start.month
    while True:
        following = dt.date(year + month // 12, month % 12 + 1, 1)
        last = following - dt.timedelta(days=1)
        if last > period.end:
            break
        out.append(last)
        year, month = following.year, following.month
    if not out or out[-1] != period.end:
        out.append(period.end)
    return out


def carried_forward(snapshots: list[tuple[str, dt.date, int]], ends: list[dt.date]) -> list[tuple]:
    """(end, newsletter, count) for each day of `ends` and each newsletter with a snapshot by then: its latest
    count up to that day. `snapshots`: (newsletter, date, count) in date order."""
    out, latest, i = [], {}, 0
    for end in ends:
        while i < len(snapshots) and snapshots[i][1] <= end:
            latest[snapshots[i][0]] = snapshots[i][2]
            i += 1
        out += [(end, name, latest[name]) for name in sorted(latest)]
    return out


def subscribers_by_month(session: Session, period: Period, newsletter_ids=None) -> pd.DataFrame:
    """Each newsletter's subscribers at the end of every month of the period: its latest count up to that day
    (carried forward between snapshots), so the months' sums are the total reach over time.
    Columns: month_end, newsletter, subscribers; a newsletter appears from its first snapshot on."""
    # Only each newsletter's last snapshot of a month can be a month's latest: the database picks them.
    date = SubscriberSnapshot.date
    last = (
        select(SubscriberSnapshot.newsletter_id, func.max(date).label("date"))
        .where(date <= period.end, _ids_filter(SubscriberSnapshot.newsletter_id, newsletter_ids))
        .group_by(SubscriberSnapshot.newsletter_id, extract("year", date), extract("month", date))
        .subquery()
    )
    rows = session.execute(
        select(Newsletter.name, SubscriberSnapshot.date, SubscriberSnapshot.count)
        .join(last, (last.c.newsletter_id == SubscriberSnapshot.newsletter_id) & (last.c.date == date))
        .join(Newsletter, Newsletter.id == SubscriberSnapshot.newsletter_id)
        .order_by(date)
    ).all()
    return pd.DataFrame(
        carried_forward([tuple(row) for row in rows], month_ends(period)),
        columns=["month_end", "newsletter", "subscribers"],
    )


def list_issues(session: Session, period: Period, newsletter_ids=None) -> pd.DataFrame:
    """Issues sent in the period, newest first, with their open and click rates when the statistics are there."""
    rows = session.execute(
        select(
            NewsletterIssue.id,
            Newsletter.name,
            NewsletterIssue.sent_on,
            NewsletterIssue.subject,
            NewsletterIssue.link,
            NewsletterIssue.recipients,
            NewsletterIssue.opens,
            NewsletterIssue.clicks,
        )
        .join(Newsletter)
        .where(NewsletterIssue.sent_on.between(period.start, period.end), _ids_filter(Newsletter.id, newsletter_ids))
        .order_by(NewsletterIssue.sent_on.desc(), NewsletterIssue.id.desc())
    ).all()
    frame = pd.DataFrame(
        rows, columns=["id", "newsletter", "sent_on", "subject", "link", "recipients", "opens", "clicks"]
    )
    for column in ("recipients", "opens", "clicks"):
        frame[column] = frame[column].astype("Int64")
    frame["open_rate"] = _rate(frame["opens"], frame["recipients"])
    frame["click_rate"] = _rate(frame["clicks"], frame["recipients"])
    return frame


def issue_values(session: Session, issue_id) -> dict | None:
    """An issue's fields as its entry form names them, to correct it (recorded again, it updates its statistics)."""
    issue = session.get(NewsletterIssue, int(issue_id))
    if issue is None:
        return None
    return {
        "newsletter_id": str(issue.newsletter_id),
        "sent_on": issue.sent_on.isoformat(),
        "subject": issue.subject,
        "link": issue.link or "",
        "recipients": issue.recipients,
        "opens": issue.opens,
        "clicks": issue.clicks,
    }


def _rate(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    """numerator / denominator as floats, missing where either is missing or the denominator is 0."""
    numerator = numerator.astype("Float64")
    denominator = denominator.astype("Float64").where(denominator.astype("Float64") > 0)
    return (numerator / denominator).astype("float64")


def issues_per_year(
    session: Session, newsletter_ids=None, last_year: int | None = None, by_newsletter: bool = True
) -> pd.DataFrame:
    """Issues sent per year and newsletter (or per year only), with the weighted open and click rates of those
    with statistics. Columns: year, [newsletter,] issues, with_stats, recipients, opens, clicks, open_rate,
    click_rate."""
    year = extract("year", NewsletterIssue.sent_on)
    has_stats = NewsletterIssue.recipients.is_not(None) & NewsletterIssue.opens.is_not(None)

    def stats_sum(column):
        return func.coalesce(func.sum(case((has_stats, column))), 0)

    rows = session.execute(
        select(
            year.label("year"),
            Newsletter.name,
            func.count(NewsletterIssue.id),
            func.count(case((has_stats, 1))),
            stats_sum(NewsletterIssue.recipients),
            stats_sum(NewsletterIssue.opens),
            stats_sum(NewsletterIssue.clicks),
        )
        .join(Newsletter)
        .where(
            _ids_filter(Newsletter.id, newsletter_ids),
            NewsletterIssue.sent_on <= dt.date(last_year, 12, 31) if last_year else True,
        )
        .group_by(year, Newsletter.name)
        .order_by(year, Newsletter.name)
    ).all()
    frame = pd.DataFrame(
        rows, columns=["year", "newsletter", "issues", "with_stats", "recipients", "opens", "clicks"]
    ).astype({"year": int, "issues": int, "with_stats": int, "recipients": int, "opens": int, "clicks": int})
    if not by_newsletter:
        frame = frame.drop(columns="newsletter").groupby("year", as_index=False).sum()
    frame["open_rate"] = _rate(frame["opens"], frame["recipients"])
    frame["click_rate"] = _rate(frame["clicks"], frame["recipients"])
    return frame


def first_issue_day(session: Session) -> dt.date | None:
    """The date of the earliest issue recorded: before it, the Lettres say nothing (not « no issue »)."""
    return session.scalar(select(func.min(NewsletterIssue.sent_on)))


def issue_figures(session: Session, periods: list[Period], newsletter_ids=None) -> list[tuple[KeyFigure, KeyFigure]]:
    """For each period, the issues sent and their weighted open rate (in %, over the issues that carry recipients
    and opens; None without any), in one aggregate pass over the issues of all the periods."""
    has_stats = and_(NewsletterIssue.recipients > 0, NewsletterIssue.opens.is_not(None))
    columns = []
    for period in periods:
        inside = NewsletterIssue.sent_on.between(period.start, period.end)
        with_stats = and_(inside, has_stats)
        columns += [
            func.count(case((inside, NewsletterIssue.id))),
            func.max(case((inside, NewsletterIssue.sent_on))),
            func.sum(case((with_stats, NewsletterIssue.recipients))),
            func.sum(case((with_stats, NewsletterIssue.opens))),
            func.count(case((with_stats, NewsletterIssue.id))),
            func.max(case((with_stats, NewsletterIssue.sent_on))),
        ]
    row = session.execute(
        select(*columns).where(
            NewsletterIssue.sent_on.between(min(p.start for p in periods), max(p.end for p in periods)),
            _ids_filter(NewsletterIssue.newsletter_id, newsletter_ids),
        )
    ).one()
    out = []
    for n, period in enumerate(periods):
        count, last, recipients, opens, with_stats, last_with_stats = row[6 * n : 6 * n + 6]
        sent = KeyFigure(
            key="newsletter_issues",
            label=f"Lettres envoyées ({period.label})",
            value=count,
            source="Envois enregistrés",
            as_of=_date(last),
        )
        opened = KeyFigure(
            key="newsletter_open_rate",
            label="Taux d'ouverture moyen (%)",
            value=round(100 * opens / recipients, 1) if recipients else None,
            source=f"Ouvertures / destinataires des {with_stats} envois avec statistiques"
            if with_stats
            else "Aucun envoi avec statistiques d'ouverture",
            as_of=_date(last_with_stats),
            unit="%",
        )
        out.append((sent, opened))
    return out


def _date(value) -> dt.date | None:
    """A DATE aggregated through a CASE (SQLite gives it back as text)."""
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def issue_count_figure(session: Session, period: Period, newsletter_ids=None) -> KeyFigure:
    return issue_figures(session, [period], newsletter_ids)[0][0]


def open_rate_figure(session: Session, period: Period, newsletter_ids=None) -> KeyFigure:
    return issue_figures(session, [period], newsletter_ids)[0][1]


# --- what the Lettres page shows, once per revision of the data -------------------------------------------------


@dataclass(frozen=True)
class Overview:
    """The page's key figures and tables for a period and newsletters (None: all). Shared by every request: read
    it, never change it in place."""

    reach: KeyFigure
    issues_sent: KeyFigure
    open_rate: KeyFigure
    newsletters: pd.DataFrame  # `list_newsletters` of the period (every newsletter)
    issues: pd.DataFrame  # `list_issues` of the period and newsletters


@dataclass(frozen=True)
class History:
    """The page's charts: the newsletters' names, subscribers per month since `history.start`, issues per year
    by newsletter and in all (with the rates), up to the period's year."""

    names: list[str]
    subscribers: pd.DataFrame
    per_year: pd.DataFrame
    rates: pd.DataFrame


PAGE = revisions.Cache(64)


def _ids_key(newsletter_ids) -> tuple | None:
    return tuple(sorted(int(i) for i in newsletter_ids)) if newsletter_ids else None


def overview(session: Session, period: Period, newsletter_ids=None) -> Overview:
    def compute() -> Overview:
        (sent, opened), *_ = issue_figures(session, [period], newsletter_ids)
        return Overview(
            newsletter_reach_figure(session, period, newsletter_ids),
            sent,
            opened,
            list_newsletters(session, period),
            list_issues(session, period, newsletter_ids),
        )

    key = ("overview", period, _ids_key(newsletter_ids))
    return revisions.memoize(PAGE, session, [revisions.LETTRES], key, compute)


def history(session: Session, period: Period, since: dt.date, newsletter_ids=None) -> History:
    def compute() -> History:
        last_year = period.end.year
        return History(
            list(list_newsletters(session)["name"]),
            subscribers_by_month(session, Period(since, period.end), newsletter_ids),
            issues_per_year(session, newsletter_ids, last_year=last_year),
            issues_per_year(session, newsletter_ids, last_year=last_year, by_newsletter=False),
        )

    key = ("history", period, since, _ids_key(newsletter_ids))
    return revisions.memoize(PAGE, session, [revisions.LETTRES], key, compute)


def audience_series(session: Session, indicators=None) -> pd.DataFrame:
    """Every audience figure. Columns: indicator, label, period_kind, period_start, value, source."""
    rows = session.execute(
        select(
            AudienceFigure.indicator,
            AudienceFigure.period_kind,
            AudienceFigure.period_start,
            AudienceFigure.value,
            AudienceFigure.source,
        )
        .where(AudienceFigure.indicator.in_(indicators) if indicators else True)
        .order_by(AudienceFigure.indicator, AudienceFigure.period_start)
    ).all()
    frame = pd.DataFrame(rows, columns=["indicator", "period_kind", "period_start", "value", "source"])
    frame.insert(1, "label", frame["indicator"].map(indicator_label).astype(object))
    return frame


def latest_audience(session: Session, as_of: dt.date | None = None) -> pd.DataFrame:
    """Each indicator's most recent figure (up to `as_of`), with its period and source; known indicators first."""
    frame = audience_series(session)
    if as_of is not None:
        frame = frame[frame["period_start"] <= as_of]
    frame = frame.sort_values(["indicator", "period_start"]).groupby("indicator", as_index=False).tail(1)
    order = {key: i for i, key in enumerate(INDICATORS)}
    frame = frame.assign(_order=frame["indicator"].map(lambda key: order.get(key, len(order))))
    return frame.sort_values(["_order", "indicator"]).drop(columns="_order").reset_index(drop=True)


def period_label(kind: str, start: dt.date) -> str:
    return str(start.year) if kind == "year" else f"{start:%m/%Y}"


def _records(session: Session, indicator: str, periods: list[Period], kind: str | None = None) -> list:
    """An indicator's records (kind, start, value, source) starting inside the span of the periods."""
    first, last = min(p.start for p in periods), max(p.end for p in periods)
    return session.execute(
        select(AudienceFigure.period_kind, AudienceFigure.period_start, AudienceFigure.value, AudienceFigure.source)
        .where(
            AudienceFigure.indicator == indicator,
            AudienceFigure.period_start.between(first.replace(day=1), last),
            AudienceFigure.period_kind == kind if kind else True,
        )
        .order_by(AudienceFigure.period_start, AudienceFigure.period_kind)
    ).all()


def latest_record_figure(session: Session, indicator: str, period: Period) -> KeyFigure:
    return latest_record_figures(session, indicator, [period])[0]


def latest_record_figures(session: Session, indicator: str, periods: list[Period]) -> list[KeyFigure]:
    """For each period, an indicator's latest record whose month or year starts inside it (a count as it stood
    then); None with a note when the period has none: an older record is never carried forward."""
    records = _records(session, indicator, periods)
    label = indicator_label(indicator)
    out = []
    for period in periods:
        inside = [r for r in records if period.start <= r[1] <= period.end]
        if not inside:
            out.append(
                KeyFigure(
                    key=indicator, label=label, value=None, source="Relevés d'audience", as_of=None, note=NO_RECORD
                )
            )
            continue
        # the latest start; a month's record before the year's on the same day
        kind, start, value, source = max(inside, key=lambda r: (r[1], r[0] == "month"))
        out.append(
            KeyFigure(
                key=indicator,
                label=label,
                value=value,
                source=source or "Source non précisée",
                as_of=start,
                detail=f"{PERIOD_KINDS[kind].capitalize()} {period_label(kind, start)}",
            )
        )
    return out


MONTHLY_STATISTICS = {"mean": "moyenne", "max": "maximum"}


def monthly_statistic_figure(session: Session, indicator: str, period: Period, statistic: str) -> KeyFigure:
    return monthly_statistic_figures(session, indicator, [period], statistic)[0]


def monthly_statistic_figures(
    session: Session, indicator: str, periods: list[Period], statistic: str
) -> list[KeyFigure]:
    """For each period, the mean or the maximum of an indicator's monthly records over its complete months (see
    `complete_months`), as the network reports its visitors (« 2 400 par mois en moyenne, 3 000 au plus »).
    Months without a record are named in the note and left out; none at all gives None."""
    records = {start: (value, source) for _kind, start, value, source in _records(session, indicator, periods, "month")}
    label = f"{indicator_label(indicator)} par mois ({MONTHLY_STATISTICS[statistic]})"
    out = []
    for period in periods:
        months = complete_months(period)
        values = {m: records[m][0] for m in months if m in records}
        if not values:
            out.append(
                KeyFigure(key=indicator, label=label, value=None, source="Relevés mensuels", as_of=None, note=NO_RECORD)
            )
            continue
        sources = sorted({records[m][1] for m in values if records[m][1]})
        missing = [m for m in months if m not in values]
        numbers = list(values.values())
        span = f"{period_label('month', months[0])} à {period_label('month', months[-1])}"
        out.append(
            KeyFigure(
                key=indicator,
                label=label,
                value=round(sum(numbers) / len(numbers)) if statistic == "mean" else round(max(numbers)),
                source=f"Relevés mensuels ({', '.join(sources) or 'source non précisée'})",
                as_of=max(values),
                detail=f"{len(values)} mois relevés, de {span}",
                note=f"Sans relevé : {', '.join(period_label('month', m) for m in missing)}." if missing else "",
            )
        )
    return out
