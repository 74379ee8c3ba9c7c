"""The annual activity report: the year's document by mission, built from the records by the areas' own functions
(the same as the Indicateurs and the area pages), with the coordinators' commentary, rendered as HTML and PDF.

Every total printed in a table is the sum of that table's rows, and the key figure above it comes from the area's
figure function: both are shown, so a reader sees that the totals agree with the details (the hand-written report
did not). A year without records gives a short, honest report rather than an error.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import io
from dataclasses import dataclass, field

import pandas as pd
from reportlab.graphics import renderSVG
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import (
    Table as PdfTable,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from db import agenda, carte, catalogue, clock, formations, lettres, materiel, register, revisions
from db import convention as conv
from db import indicateurs as ind
from db.catalogue import Measure
from db.models import ReportComment, Role
from db.pdf_kit import BRAND, FONT, FONT_BOLD
from db.periods import Period, reporting_period
from db.writes import Actor, ValidationError, audit, require_role, snapshot

NETWORK = "Réseau départemental de médiation numérique de la Loire"
COMMENT_MAX = 4000
EARLIER = colors.HexColor("#98a2b3")

# One set of fonts for every PDF (db/pdf_kit.py).


# --- the document's data ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[str]
    rows: list[list[str]]  # formatted text
    total: list[str] | None = None  # the computed total row, when summing the rows means something
    numeric: tuple[int, ...] = ()  # right-aligned columns
    note: str = ""
    empty: str = "Aucun enregistrement pour l'année."
    widths_mm: tuple[float, ...] = ()  # PDF column widths; by default text columns share what numbers leave


@dataclass(frozen=True)
class Chart:
    title: str
    labels: list[str]
    values: list[float | None]  # None: unknown, drawn as a gap
    earlier: list[float | None] | None = None  # the same months a year earlier
    names: tuple[str, str] = ("", "")


@dataclass(frozen=True)
class Section:
    mission: ind.Mission
    figures: list[Measure]
    charts: list[Chart] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    comment: str = ""


@dataclass(frozen=True)
class Report:
    year: int
    period: Period
    generated_at: dt.datetime
    sections: list[Section]
    appendix: list[Table]

    @property
    def has_data(self) -> bool:
        return any(item.current.value for section in self.sections for item in section.figures)

    @property
    def title(self) -> str:
        return f"Rapport d'activité {self.year}"


# --- formatting (the document's own, in French) ------------------------------------------------------------------


def number(value, decimals: int = 0) -> str:
    """1234.5 → "1 234" with a no-break space (a character every PDF font has); None → "—"."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return "—"
    return f"{value:,.{decimals}f}".replace(",", "\u00a0").replace(".", ",")


def percent(ratio) -> str:
    return "—" if ratio is None or pd.isna(ratio) else f"{number(100 * ratio)}\u00a0%"


def day(value) -> str:
    if value is None or (not isinstance(value, dt.date) and pd.isna(value)):
        return "—"
    return f"{clock.local_date(value):%d/%m/%Y}"  # a stored time: its local day


def change_text(item: Measure) -> str:
    return item.change.text(number) or "—"


MONTHS = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]

# --- the tables of each mission, from the areas' functions ----------------------------------------------------------


def _audience_table(session: Session, period: Period) -> Table:
    """Each audience indicator of the period: a yearly count as recorded, a monthly one as the mean and maximum of
    the period's complete months (what the network reports: « 2 400 visiteurs par mois en moyenne »)."""
    frame = lettres.latest_audience(session, as_of=period.end)
    rows = []
    for row in frame[frame["period_start"] >= period.start].itertuples():
        if row.period_kind != "month":
            rows.append(
                [
                    row.label,
                    lettres.period_label(row.period_kind, row.period_start),
                    number(row.value),
                    row.source or "—",
                ]
            )
            continue
        for statistic, name in lettres.MONTHLY_STATISTICS.items():
            figure = lettres.monthly_statistic_figure(session, row.indicator, period, statistic)
            rows.append([f"{row.label} par mois ({name})", figure.detail, number(figure.value), row.source or "—"])
    return Table(
        "Audience des outils du réseau",
        ["Indicateur", "Période", "Valeur", "Source"],
        rows,
        numeric=(2,),
        note="Relevés de l'année ; les relevés mensuels sont résumés par leur moyenne et leur maximum sur les mois "
        "complets de la période.",
    )  # fmt: skip


def _events_table(session: Session, period: Period) -> Table:
    frame = agenda.counts_by_category(session, agenda.EventFilters(period=period))
    return Table(
        "Événements par catégorie",
        ["Catégorie", "Événements", "Dates"],
        [[row.category, number(row.events), number(row.occurrences)] for row in frame.itertuples()],
        total=["Total", number(frame["events"].sum()), number(frame["occurrences"].sum())] if len(frame) else None,
        numeric=(1, 2),
        note="Événements ayant une date dans l'année, hors annulés ; un événement sur plusieurs catégories n'en a "
        "qu'une.",
    )


def _newsletters_table(session: Session, period: Period) -> Table:
    newsletters = lettres.list_newsletters(session, period).set_index("name")
    sent = lettres.issues_per_year(session, last_year=period.end.year)
    sent = sent[sent["year"] == period.end.year].set_index("newsletter")
    rows = [
        [
            name,
            number(row.issues),
            percent(sent["open_rate"].get(name)),
            number(None if pd.isna(row.subscribers) else row.subscribers),
            day(row.as_of),
        ]
        for name, row in newsletters.iterrows()
    ]
    counted = newsletters["subscribers"].dropna()
    total = ["Total", number(int(newsletters["issues"].sum())), "", number(int(counted.sum())), ""] if rows else None
    return Table(
        "Lettres d'information et leurs lecteurs",
        ["Lettre", "Envois", "Taux d'ouverture", "Abonnés", "Relevé du"],
        rows,
        total=total if len(counted) else None,
        numeric=(1, 2, 3),
        note="Abonnés : dernier relevé de chaque lettre dans la période (« — » : aucun relevé sur la période). Taux "
        "d'ouverture pondéré des envois ayant des statistiques.",
    )


def _loan_days_table(use: materiel.Utilisation) -> Table:
    items = use.items
    return Table(
        "Jours de prêt par matériel",
        ["Matériel", "Catégorie", "Prêts", "Jours de prêt", "Taux d'occupation", "Interventions"],
        [
            [
                row.name,
                row.category,
                number(row.loans),
                number(row.loan_days),
                percent(row.rate),
                number(row.interventions) + ("*" if row.estimated_interventions else ""),
            ]
            for row in items.itertuples()
        ],
        total=[
            "Total",
            "",
            number(int(items["loans"].sum())),
            number(use.total_loan_days),
            percent(use.rate),
            number(use.total_interventions) + ("*" if use.estimated_interventions else ""),
        ]
        if len(items)
        else None,
        numeric=(2, 3, 4, 5),
        widths_mm=(56, 30, 14, 22, 24, 24),
        note=" ".join(
            part
            for part in (
                "Jours calendaires de chaque prêt dans l'année, bornes incluses, multipliés par les unités prêtées ; "
                "prêts annulés exclus. Le total est la somme des lignes. Taux d'occupation : jours de prêt / jours où "
                "l'article était au catalogue × ses unités.",
                use.availability.note,
                f"* Dont {number(use.estimated_interventions)} interventions estimées. {materiel.INTERVENTIONS_RULE}"
                if use.estimated_interventions
                else "",
            )
            if part
        ),
    )


def _borrowers_table(use: materiel.Utilisation) -> Table:
    frame = use.epcis
    return Table(
        "Prêts par intercommunalité des structures",
        ["Intercommunalité", "Prêts", "Jours de prêt"],
        [[row.epci, number(row.loans), number(row.loan_days)] for row in frame.itertuples()],
        total=["Total", number(int(frame["loans"].sum())), number(int(frame["loan_days"].sum()))]
        if len(frame)
        else None,
        numeric=(1, 2),
    )


def _trainings_table(session: Session, period: Period) -> Table:
    frame = formations.sessions_frame(session, formations.TrainingFilters(period=period))
    today = clock.today()
    summary = formations.summarise(frame, "title", today) if len(frame) else frame
    programmes = frame.drop_duplicates("title").set_index("title")["programme"] if len(frame) else {}
    totals = formations.totals(frame, today)
    return Table(
        "Formations et participants",
        ["Formation", "Programme", "Sessions", "Participants", "Taux de présence"],
        [
            [
                row.title,
                programmes[row.title],
                number(row.sessions),
                number(row.participants),
                percent(row.attendance_rate),
            ]
            for row in summary.itertuples()
        ],
        total=[
            "Total",
            "",
            number(totals["sessions"]),
            number(totals["participants"]),
            percent(totals["attendance_rate"]),
        ]
        if len(frame)
        else None,
        numeric=(2, 3, 4),
        note="Participants présents, comptés une fois par session (liste des participants si elle existe, sinon "
        "comptes saisis).",
    )


def _register_at(session: Session, period: Period):
    """The places standing on the period's last day (today at the latest), or None before the register's history."""
    day = min(period.end, clock.today())
    return day, register.versions_at(session, register.PLACES, day)


def _unknown_register(title: str, columns: list[str], session: Session) -> Table:
    note = register.unknown_before(register.tracked_since(session, register.PLACES))
    return Table(title, columns, [], empty=note)


def _freshness_table(session: Session, period: Period) -> Table:
    day, standing = _register_at(session, period)
    title, columns = "Fiches des lieux et leur mise à jour", ["État de la fiche", "Lieux"]
    if standing is None:
        return _unknown_register(title, columns, session)
    counts = pd.Series([carte.freshness_of(maj, day).key for maj in standing["date_maj"]]).value_counts()
    return Table(
        title,
        columns,
        [[band.label, number(counts.get(band.key, 0))] for band in carte.FRESHNESS],
        total=["Total", number(len(standing))],
        numeric=(1,),
        note=f"État des fiches au {day:%d/%m/%Y}, d'après l'historique du registre. À jour : mise à jour depuis moins "
        "de 6 mois ; à surveiller : 6 à 12 mois ; à vérifier : 12 à 18 mois ; à actualiser : plus de 18 mois ou date "
        "inconnue.",
    )


def _epcis_table(session: Session, period: Period) -> Table:
    day, standing = _register_at(session, period)
    title, columns = "Lieux par intercommunalité", ["Intercommunalité", "Lieux"]
    if standing is None:
        return _unknown_register(title, columns, session)
    names = carte.epci_names(session)
    counts = standing["epci_code"].fillna("").value_counts()
    rows = sorted(((names.get(code) or code or "Non renseignée", count) for code, count in counts.items()),
                  key=lambda pair: (-pair[1], pair[0]))  # fmt: skip
    return Table(
        title,
        columns,
        [[name, number(count)] for name, count in rows],
        total=["Total", number(len(standing))] if rows else None,
        numeric=(1,),
        note=f"Lieux de médiation numérique du registre au {day:%d/%m/%Y}.",
    )


def _tables(session: Session, mission: str, period: Period) -> list[Table]:
    if mission == "animation":
        return [_audience_table(session, period)]
    if mission == "visibilite":
        return [_events_table(session, period), _newsletters_table(session, period), _freshness_table(session, period)]
    if mission == "politiques":
        return [_epcis_table(session, period)]
    if mission == "materiel":
        use = materiel.utilisation(session, period)
        return [_loan_days_table(use), _borrowers_table(use)]
    if mission == "formation":
        return [_trainings_table(session, period)]
    return []


# The figure charted for each mission: by month when it means something per month, else over the last years.
CHARTED = {
    "animation": ("chat_active_users",),
    "visibilite": ("events", "site_visitors_month_mean"),
    "materiel": ("loan_days",),
    "formation": ("participants",),
}
# The appendix's monthly table: the figures a reader follows month by month (a monthly mean of one month is that
# month's record).
APPENDIX_KEYS = ("events", "newsletter_issues", "subscribers", "site_visitors_month_mean", "loan_days", "participants")


def _values(points: pd.DataFrame) -> list[float | None]:
    return [None if value is None else float(value) for value in points["value"]]


def _chart(session: Session, key: str, period: Period) -> Chart:
    if not catalogue.BY_KEY[key].by_month:
        years = ind.series(session, key, ind.year_periods(period), by_year=True)
        labels = [str(start.year) for start in years.points["start"]]
        return Chart(years.title, labels, _values(years.points))
    current = ind.series(session, key, ind.month_periods(period))
    earlier = ind.series(session, key, ind.month_periods(period.previous_year()))
    return Chart(
        current.title,
        [MONTHS[start.month - 1] for start in current.points["start"]],
        _values(current.points),
        _values(earlier.points),
        (period.label, period.previous_year().label),
    )


def _charts(session: Session, mission: str, period: Period) -> list[Chart]:
    """The mission's charts that have something to show (an empty year gets none, not blank axes)."""
    charts = [_chart(session, key, period) for key in CHARTED.get(mission, ())]
    return [chart for chart in charts if any(chart.values)]


def _appendix(session: Session, report_sections: list[Section], period: Period) -> list[Table]:
    months = ind.month_periods(period)
    frame = ind.series_frame(session, list(APPENDIX_KEYS), months)
    labels = list(frame.columns[2:])
    monthly = Table(
        "Chiffres clés par mois",
        ["Mois", *labels],
        [
            [f"{MONTHS[row[0].month - 1]} {row[0].year}", *(number(v) for v in row[2:])]
            for row in frame.itertuples(index=False)
        ],
        numeric=tuple(range(1, len(labels) + 1)),
        note="Chaque mois est calculé par la même fonction que le chiffre de l'année, limitée au mois. Les chiffres "
        "d'état (abonnés) et les statistiques mensuelles ne s'additionnent pas d'un mois à l'autre ; « — » : "
        "inconnu ou sans relevé ce mois-là.",
    )
    sources = Table(
        "Sources et définitions",
        ["Indicateur", "Nature", "Source", "Dernier enregistrement"],
        [
            [item.current.label, catalogue.KIND_LABELS[item.figure.kind], item.current.source, day(item.current.as_of)]
            for section in report_sections
            for item in section.figures
        ],
    )
    return [monthly, sources]


def comments(session: Session, year: int) -> dict[str, str]:
    rows = session.scalars(select(ReportComment).where(ReportComment.year == year))
    return {row.mission: row.text for row in rows}


REPORTS = revisions.Cache(16)


def build_report(session: Session, year: int) -> Report:
    """The year's report (the current year up to today, compared with the same dates a year earlier), built once
    per revision of the data: the preview, the PDF and the HTML share it."""
    return revisions.memoize(
        REPORTS, session, revisions.AREAS, ("report", year, clock.today()), lambda: _build_report(session, year)
    )


def rendered(session: Session, year: int, extension: str) -> bytes | str:
    """The year's report as a PDF (bytes) or HTML (text) document, rendered once per revision of the data."""
    render = {"pdf": render_pdf, "html": render_html}[extension]
    return revisions.memoize(
        REPORTS, session, revisions.AREAS, (extension, year, clock.today()), lambda: render(build_report(session, year))
    )


def _build_report(session: Session, year: int) -> Report:
    period = reporting_period(year, clock.today())
    figures = ind.compare_figures(session, period)
    texts = comments(session, year)
    sections = [
        Section(
            mission,
            [item for item in figures if item.figure.mission == mission.key],
            _charts(session, mission.key, period),
            _tables(session, mission.key, period),
            texts.get(mission.key, ""),
        )
        for mission in ind.MISSIONS
    ]
    return Report(year, period, clock.utcnow(), sections, _appendix(session, sections, period))


# --- the coordinators' commentary ---------------------------------------------------------------------------------


def report_year(value, errors: dict) -> int | None:
    """The year a report form names, from 2000 to this year; None, with its message in `errors`, otherwise."""
    try:
        year = int(value)
    except (TypeError, ValueError):
        year = None
    if year is None or not 2000 <= year <= clock.today().year:
        errors["year"] = f"Choisir une année entre 2000 et {clock.today().year}."
        return None
    return year


def store_text(session: Session, actor: Actor, year: int, key: str, text: str) -> None:
    """Write one text of a year's report (a mission's commentary or narrative, the introduction…), audited."""
    row = session.scalar(
        select(ReportComment).where(ReportComment.year == year, ReportComment.mission == key).with_for_update()
    )
    if row is None:
        row = ReportComment(year=year, mission=key, text=text, updated_by=actor.id)
        session.add(row)
        audit(session, actor, row, "create")
    elif row.text != text:
        before = snapshot(row)
        row.text, row.updated_by = text, actor.id
        audit(session, actor, row, "update", before=before)


def save_comment(session: Session, actor: Actor, *, year=None, mission=None, text=None) -> str:
    """Store the commentary of one mission for one year (coordinators and admins); an empty text clears it."""
    require_role(actor, Role.COORDINATOR)
    errors = {}
    year = report_year(year, errors)
    if not isinstance(mission, str) or mission not in ind.MISSION_TITLES:
        errors["mission"] = "Choisir une mission de la convention."
    text = text.strip() if isinstance(text, str) else ""
    if len(text) > COMMENT_MAX:
        errors["text"] = f"Le commentaire ne doit pas dépasser {COMMENT_MAX} caractères (actuellement {len(text)})."
    if errors:
        raise ValidationError(errors)
    store_text(session, actor, year, mission, text)
    return f"Commentaire « {ind.MISSION_TITLES[mission]} » enregistré pour le rapport {year}."


# --- charts (reportlab graphics: the same drawing goes into the PDF and, as SVG, into the HTML) --------------------


def chart_drawing(chart: Chart, width: float = 170 * mm, height: float = 52 * mm) -> Drawing:
    drawing = Drawing(width, height)
    drawing.add(
        String(0, height - 10, chart.title, fontName=FONT_BOLD, fontSize=9, fillColor=colors.HexColor("#17324d"))
    )
    bars = VerticalBarChart()
    bars.x, bars.y, bars.width, bars.height = 30, 28, width - 40, height - 48
    bars.data = [chart.values, chart.earlier] if chart.earlier is not None else [chart.values]
    bars.categoryAxis.categoryNames = chart.labels
    bars.categoryAxis.labels.fontName = FONT
    bars.categoryAxis.labels.fontSize = 7
    bars.valueAxis.labels.fontName = FONT
    bars.valueAxis.labels.fontSize = 7
    bars.valueAxis.valueMin = 0
    bars.valueAxis.labelTextFormat = lambda value: number(value)
    top = max([v for v in (*chart.values, *(chart.earlier or [])) if v is not None] + [0])
    bars.valueAxis.valueStep = nice_step(top)
    bars.valueAxis.valueMax = top * 1.1
    bars.valueAxis.visibleGrid = True
    bars.valueAxis.gridStrokeColor = colors.HexColor("#eaecf0")
    bars.bars[0].fillColor = BRAND
    bars.bars.strokeColor = None
    if chart.earlier is not None:
        bars.bars[1].fillColor = EARLIER
        bars.barSpacing = 1
        legend = Legend()
        legend.x, legend.y = width - 120, height - 6
        legend.fontName, legend.fontSize = FONT, 7
        legend.columnMaximum, legend.dx, legend.dy, legend.deltax = 1, 6, 6, 60
        legend.colorNamePairs = [(BRAND, chart.names[0]), (EARLIER, chart.names[1])]
        drawing.add(legend)
    drawing.add(bars)
    return drawing


def nice_step(top: float) -> float:
    """A round axis step giving about five whole-number gridlines up to `top`."""
    step = 1
    while top / step > 6:
        step *= 2.5 if str(step)[0] == "2" else 2
    return step


def chart_summary(chart: Chart) -> str:
    """The chart's values in words, for screen readers of the HTML report."""
    return f"{chart.title} : " + ", ".join(
        f"{label} {'inconnu' if v is None else number(v)}" for label, v in zip(chart.labels, chart.values, strict=True)
    )


def chart_svg(chart: Chart) -> str:
    svg = renderSVG.drawToString(chart_drawing(chart))
    svg = svg[svg.index("<svg") :]
    # The PDF's font names are not the browser's: name the family as a web page does.
    svg = svg.replace("font-family: DejaVuSans-Bold", "font-family: 'DejaVu Sans', sans-serif; font-weight: bold")
    svg = svg.replace("font-family: DejaVuSans", "font-family: 'DejaVu Sans', sans-serif")
    return svg.replace("<svg", f'<svg role="img" aria-label="{html.escape(chart_summary(chart))}"', 1)


# --- HTML ---------------------------------------------------------------------------------------------------------

HTML_STYLE = """
body { font-family: "DejaVu Sans", system-ui, sans-serif; color: #1d2939; max-width: 960px; margin: 2rem auto;
  padding: 0 1.5rem; line-height: 1.45; }
h1 { color: #1f4e79; margin-bottom: .25rem; } h2 { color: #1f4e79; border-bottom: 2px solid #1f4e79;
  padding-bottom: .25rem; margin-top: 2.5rem; } h3 { color: #17324d; margin-top: 1.5rem; font-size: 1.05rem; }
.lead { color: #475467; } .notice { background: #fff7e6; border-left: 4px solid #c2410c; padding: .75rem 1rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 .25rem; font-size: .9rem; }
th, td { border-bottom: 1px solid #eaecf0; padding: .35rem .5rem; text-align: left; vertical-align: top; }
th { background: #f2f4f7; } td.n, th.n { text-align: right; white-space: nowrap; }
tr.total td { font-weight: 700; border-top: 2px solid #1f4e79; }
.note { font-size: .8rem; color: #475467; margin: 0 0 1rem; }
.comment { background: #f4f6f9; border-left: 4px solid #1f4e79; padding: .75rem 1rem; white-space: pre-wrap; }
.empty { color: #475467; font-style: italic; } svg { max-width: 100%; height: auto; }
footer { margin-top: 3rem; font-size: .8rem; color: #475467; }
"""


def _html_table(table: Table) -> str:
    def cell(tag: str, index: int, text: str) -> str:
        klass = ' class="n"' if index in table.numeric else ""
        return f"<{tag}{klass}>{html.escape(str(text))}</{tag}>"

    out = [f"<h3>{html.escape(table.title)}</h3>"]
    if not table.rows:
        out.append(f'<p class="empty">{html.escape(table.empty)}</p>')
    else:
        out.append(
            "<table><thead><tr>"
            + "".join(cell("th", i, c) for i, c in enumerate(table.columns))
            + "</tr></thead><tbody>"
        )
        out += ["<tr>" + "".join(cell("td", i, c) for i, c in enumerate(row)) + "</tr>" for row in table.rows]
        if table.total:
            out.append('<tr class="total">' + "".join(cell("td", i, c) for i, c in enumerate(table.total)) + "</tr>")
        out.append("</tbody></table>")
    if table.note:
        out.append(f'<p class="note">{html.escape(table.note)}</p>')
    return "\n".join(out)


def _figures_table(report: Report, items: list[Measure]) -> Table:
    """The key figures beside their comparison; an estimate is starred, and every note is written under the table."""
    earlier = report.period.previous_year().label
    notes = []
    for item in items:
        if item.current.note:
            notes.append(f"{item.current.label} ({report.period.label}) : {item.current.note}")
        if item.previous.value is None and item.previous.note:  # an earlier estimate follows the rule above
            notes.append(f"{item.previous.label} ({earlier}) : {item.previous.note}")
    return Table(
        "Chiffres clés",
        ["Indicateur", report.period.label, earlier, "Évolution"],
        [
            [
                item.current.label + (f" ({item.current.detail})" if item.current.detail else ""),
                _value(item.current),
                _value(item.previous),
                change_text(item),
            ]
            for item in items
        ],
        numeric=(1, 2, 3),
        empty="Aucun indicateur n'est encore calculé pour cette mission.",
        widths_mm=(90, 22, 22, 36),
        note=" ".join(dict.fromkeys(notes)) + (" * Estimation." if any(i.current.estimated for i in items) else ""),
    )


def _value(figure) -> str:
    text = (
        number(figure.value, 1 if figure.unit == "%" and figure.value % 1 else 0) if figure.value is not None else "—"
    )
    return (
        text
        + ("\u00a0%" if figure.unit == "%" and figure.value is not None else "")
        + ("*" if figure.estimated else "")
    )


def render_html(report: Report) -> str:
    parts = [
        f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{html.escape(report.title)}</title>',
        f"<style>{HTML_STYLE}</style></head><body><main>",
        f"<h1>{html.escape(report.title)}</h1>",
        f'<p class="lead">{html.escape(NETWORK)} — document généré le {day(report.generated_at)} à partir des données '
        "enregistrées dans le tableau de bord.</p>",
    ]
    if not report.has_data:
        parts.append(
            f'<p class="notice">Aucune activité n\'est enregistrée pour {report.year} : ce rapport est vide.</p>'
        )
    for section in report.sections:
        parts += [
            f"<section><h2>{html.escape(section.mission.title)}</h2>",
            f'<p class="lead">{html.escape(section.mission.summary)}</p>',
        ]
        parts.append(_html_table(_figures_table(report, section.figures)))
        parts += [f"<figure>{chart_svg(chart)}</figure>" for chart in section.charts]
        parts += [_html_table(table) for table in section.tables]
        parts.append("<h3>Commentaire de la coordination</h3>")
        parts.append(
            f'<div class="comment">{html.escape(section.comment)}</div>'
            if section.comment
            else '<p class="empty">Aucun commentaire saisi pour cette mission.</p>'
        )
        parts.append("</section>")
    parts.append("<section><h2>Annexe : données</h2>")
    parts += [_html_table(table) for table in report.appendix]
    parts.append(
        f"</section></main><footer>{html.escape(report.title)} · {html.escape(NETWORK)}</footer></body></html>"
    )
    return "\n".join(parts)


# --- PDF ----------------------------------------------------------------------------------------------------------


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["BodyText"], fontName=FONT, fontSize=9.5, leading=13)
    return {
        "title": ParagraphStyle("title", parent=base["Title"], fontName=FONT_BOLD, textColor=BRAND, fontSize=22, leading=28, alignment=0),
        "h1": ParagraphStyle("h1", parent=base["Heading1"], fontName=FONT_BOLD, textColor=BRAND, fontSize=15, spaceBefore=4),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontName=FONT_BOLD, textColor=colors.HexColor("#17324d"), fontSize=11, spaceBefore=8),
        "body": body,
        "lead": ParagraphStyle("lead", parent=body, textColor=colors.HexColor("#475467")),
        "note": ParagraphStyle("note", parent=body, fontSize=7.5, leading=10, textColor=colors.HexColor("#475467")),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8, leading=10),
        "cell_n": ParagraphStyle("cell_n", parent=body, fontSize=8, leading=10, alignment=TA_RIGHT),
        "comment": ParagraphStyle("comment", parent=body, backColor=colors.HexColor("#f4f6f9"), borderPadding=6, leftIndent=6, rightIndent=6),
    }  # fmt: skip


def _escape(text: str) -> str:
    return html.escape(text).replace("\n", "<br/>")


def _pdf_table(table: Table, styles: dict) -> list:
    flow = [Paragraph(_escape(table.title), styles["h2"])]
    if not table.rows:
        return [*flow, Paragraph(_escape(table.empty), styles["lead"])]

    def row_cells(row, bold=False):
        cells = []
        for i, text in enumerate(row):
            markup = _escape(str(text))
            cells.append(
                Paragraph(f"<b>{markup}</b>" if bold else markup, styles["cell_n" if i in table.numeric else "cell"])
            )
        return cells

    data = [row_cells(table.columns, bold=True), *(row_cells(row) for row in table.rows)]
    if table.total:
        data.append(row_cells(table.total, bold=True))
    grid = PdfTable(data, repeatRows=1, hAlign="LEFT", colWidths=_widths(table))
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f2f4f7")),
        ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#d0d5dd")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if table.total:
        style.append(("LINEABOVE", (0, -1), (-1, -1), 1, BRAND))
    grid.setStyle(TableStyle(style))
    flow.append(grid)
    if table.note:
        flow.append(Paragraph(_escape(table.note), styles["note"]))
    return flow


def _widths(table: Table) -> list[float]:
    """The text columns share what the numeric ones leave of the 170 mm text width."""
    if table.widths_mm:
        return [width * mm for width in table.widths_mm]
    total = 170 * mm
    numeric = min(24 * mm, total / (len(table.columns) + 1))
    texts = len(table.columns) - len(table.numeric)
    rest = (total - numeric * len(table.numeric)) / max(texts, 1)
    return [numeric if i in table.numeric else rest for i in range(len(table.columns))]


def render_pdf(report: Report) -> bytes:
    styles = _styles()
    buffer = io.BytesIO()

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(colors.HexColor("#475467"))
        canvas.drawString(20 * mm, 10 * mm, f"{report.title} · {NETWORK}")
        canvas.drawRightString(190 * mm, 10 * mm, f"Page {doc.page}")
        canvas.restoreState()

    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=report.title,
        author=NETWORK,
        lang="fr-FR",
    )
    story = [
        Paragraph(_escape(report.title), styles["title"]),
        Paragraph(_escape(NETWORK), styles["h1"]),
        Paragraph(
            f"Document généré le {day(report.generated_at)} à partir des données enregistrées dans le tableau de "
            "bord : chaque chiffre est calculé à partir des enregistrements, et chaque total est la somme des lignes "
            "de son tableau.",
            styles["lead"],
        ),
        Spacer(1, 6 * mm),
    ]
    if not report.has_data:
        story.append(
            Paragraph(f"Aucune activité n'est enregistrée pour {report.year} : ce rapport est vide.", styles["comment"])
        )
    summary = _figures_table(report, [item for section in report.sections for item in section.figures])
    story += _pdf_table(dataclasses.replace(summary, title="Synthèse des chiffres clés"), styles)
    for section in report.sections:
        story += [
            PageBreak(),
            Paragraph(_escape(section.mission.title), styles["h1"]),
            Paragraph(_escape(section.mission.summary), styles["lead"]),
        ]
        story += _pdf_table(_figures_table(report, section.figures), styles)
        story += [Spacer(1, 3 * mm), *(chart_drawing(chart) for chart in section.charts)]
        for table in section.tables:
            flow = _pdf_table(table, styles)
            # A short table stays on one page; a long one flows, its header row repeated.
            story += [KeepTogether(flow)] if len(table.rows) < 25 else flow
        comment = (
            Paragraph(_escape(section.comment), styles["comment"])
            if section.comment
            else Paragraph("Aucun commentaire saisi pour cette mission.", styles["lead"])
        )
        story.append(KeepTogether([Paragraph("Commentaire de la coordination", styles["h2"]), comment]))
    story += [PageBreak(), Paragraph("Annexe : données", styles["h1"])]
    for table in report.appendix:
        story += _pdf_table(table, styles)
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


# --- the narratives of the convention's report (Markdown) ---------------------------------------------------------

NARRATIVE_MAX = 20000
REPORT_TEXTS = {"introduction": "Introduction", "conclusion": "Conclusion"}


def narrative_targets(session: Session, year: int) -> dict[str, str]:
    """{key: label} of the texts of the year's report: its introduction, each mission of the convention covering
    the year, its conclusion; without a convention, the app's own missions."""
    convention = conv.for_year(session, year)
    if convention is None:  # the figures report by the app's own missions: one commentary each
        return {mission.key: mission.title for mission in ind.MISSIONS}
    missions = conv.missions(convention)
    return {
        "introduction": REPORT_TEXTS["introduction"],
        **{m.key: f"{n}. {m.title}" for n, m in enumerate(missions, start=1)},
        "conclusion": REPORT_TEXTS["conclusion"],
    }


def save_narrative(session: Session, actor: Actor, *, year=None, mission=None, text=None) -> str:
    """Store a text of the year's report (coordinators and admins): a mission's narrative, the introduction or the
    conclusion, in Markdown (rendered without HTML); an empty text clears it."""
    require_role(actor, Role.COORDINATOR)
    errors = {}
    year = report_year(year, errors)
    targets = narrative_targets(session, year) if year else {}
    key = mission if isinstance(mission, str) else None
    if year and key not in targets:
        errors["mission"] = "Choisir une mission de la convention de l'année, l'introduction ou la conclusion."
    text = (text or "").strip() if isinstance(text, str | None) else ""
    if len(text) > NARRATIVE_MAX:
        errors["text"] = f"Le texte ne doit pas dépasser {NARRATIVE_MAX} caractères (actuellement {len(text)})."
    if errors:
        raise ValidationError(errors)
    store_text(session, actor, year, key, text)
    return f"Texte « {targets[key]} » enregistré pour le rapport {year}."
