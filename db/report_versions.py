"""Validated versions of the annual report: the coordination validates the year's report as it is sent; its
document (figures, actions, texts) and its files (HTML, PDF, DOCX) are stored in the version's row. Later
corrections of the records never change a version; the report page lists what changed since, figure by figure,
and a new version can be issued. Every version stays downloadable.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import clock, rapport, report_document, report_render
from db.models import ReportVersion, Role
from db.report_document import ConventionReport
from db.writes import Actor, ValidationError, audit, require_role

NOTE_MAX = 500
MEDIA = {
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def validate(session: Session, actor: Actor, *, year=None, note=None) -> str:
    """Freeze the year's report as it stands now as its next version (coordinators and admins)."""
    require_role(actor, Role.COORDINATOR)
    errors = {}
    year = rapport.report_year(year, errors)
    note = (note or "").strip() if isinstance(note, str | None) else ""
    if len(note) > NOTE_MAX:
        errors["note"] = f"La note ne doit pas dépasser {NOTE_MAX} caractères."
    if errors:
        raise ValidationError(errors)
    report = report_document._build(session, year)  # from the records as this transaction reads them
    if report is None:
        raise ValidationError({"year": f"Aucune convention ne couvre {year} : rien à valider."})
    number = (session.scalar(select(func.max(ReportVersion.number)).where(ReportVersion.year == year)) or 0) + 1
    validated_at = clock.utcnow()
    report.version = {
        "number": number,
        "validated_at": validated_at.isoformat(timespec="seconds"),
        "validated_by": getattr(actor, "name", None) or actor.email,
        "note": note,
    }
    row = ReportVersion(
        year=year,
        number=number,
        validated_at=validated_at,
        validated_by=actor.id,
        validated_by_name=report.version["validated_by"],
        note=note or None,
        document=report.to_dict(),
        html=report_render.render_html(report),
        pdf_base64=base64.b64encode(report_render.render_pdf(report)).decode("ascii"),
        docx_base64=base64.b64encode(report_render.render_docx(report)).decode("ascii"),
    )
    session.add(row)
    audit(session, actor, row, "create")
    return f"Rapport {year} validé : version {number}, conservée telle qu'envoyée."


@dataclass(frozen=True)
class VersionInfo:
    year: int
    number: int
    validated_at: str  # local, « 04/12/2026 à 21:05 »
    validated_by: str
    note: str


def versions(session: Session, year: int) -> list[VersionInfo]:
    """The year's validated versions, latest first (without their files)."""
    rows = session.execute(
        select(
            ReportVersion.number, ReportVersion.validated_at, ReportVersion.validated_by_name, ReportVersion.note
        )
        .where(ReportVersion.year == year)
        .order_by(ReportVersion.number.desc())
    )
    return [
        VersionInfo(year, number, f"{clock.local(at):%d/%m/%Y à %H:%M}", by or "—", note or "")
        for number, at, by, note in rows
    ]


def version_file(session: Session, year: int, number: int, extension: str) -> bytes | str | None:
    """A version's file as it was sent (None when there is no such version or format)."""
    if extension not in MEDIA:
        return None
    row = session.scalar(select(ReportVersion).where(ReportVersion.year == year, ReportVersion.number == number))
    if row is None:
        return None
    if extension == "html":
        return row.html
    return base64.b64decode(row.pdf_base64 if extension == "pdf" else row.docx_base64)


def version_document(session: Session, year: int, number: int | None = None) -> ConventionReport | None:
    """A version's document (the latest when `number` is None)."""
    query = select(ReportVersion.document).where(ReportVersion.year == year)
    query = query.where(ReportVersion.number == number) if number else query.order_by(ReportVersion.number.desc())
    data = session.scalar(query.limit(1))
    return None if data is None else ConventionReport.from_dict(data)


@dataclass(frozen=True)
class Difference:
    mission: str
    what: str  # the figure's label, or « Actions », « Bilan »
    sent: str
    now: str


def differences(session: Session, year: int) -> tuple[int | None, list[Difference]]:
    """What changed since the latest validated version: each figure whose value changed, the missions whose actions
    or narrative changed, missions added or removed. (None, []) when no version was validated."""
    sent = version_document(session, year)
    if sent is None:
        return None, []
    now = report_document.build(session, year)
    return sent.version["number"], compare(sent, now)


def _figures(report: ConventionReport | None) -> dict[tuple[str, str], tuple[str, str, str]]:
    if report is None:
        return {}
    return {(m.key, f.key): (m.title, f.label, f.value_text) for m in report.missions for f in m.figures}


def compare(sent: ConventionReport, now: ConventionReport | None) -> list[Difference]:
    out = []
    before, after = _figures(sent), _figures(now)
    for key in dict.fromkeys([*before, *after]):
        was, is_ = before.get(key), after.get(key)
        if was and is_ and was[2] != is_[2]:
            out.append(Difference(is_[0], is_[1], was[2], is_[2]))
        elif was and not is_:
            out.append(Difference(was[0], was[1], was[2], "retiré du rapport"))
        elif is_ and not was:
            out.append(Difference(is_[0], is_[1], "absent", is_[2]))
    missions_now = {m.key: m for m in (now.missions if now else [])}
    for mission in sent.missions:
        current = missions_now.pop(mission.key, None)
        if current is None:
            out.append(Difference(mission.title, "Mission", "présente", "retirée de la convention"))
            continue
        if [(a.day, a.title, a.participants) for a in mission.actions] != [
            (a.day, a.title, a.participants) for a in current.actions
        ]:
            out.append(Difference(mission.title, "Actions", f"{len(mission.actions)}", f"{len(current.actions)}"))
        if mission.narrative != current.narrative:
            out.append(Difference(mission.title, "Bilan", "texte envoyé", "texte modifié"))
    for mission in missions_now.values():
        out.append(Difference(mission.title, "Mission", "absente", "ajoutée à la convention"))
    if now is not None and sent.conclusion != now.conclusion:
        out.append(Difference("Conclusion", "Texte", "texte envoyé", "texte modifié"))
    return out
