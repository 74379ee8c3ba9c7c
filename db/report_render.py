"""The convention's annual report (db/report_document.py) drawn as HTML, PDF and an editable DOCX.

The PDF uses the report's PDF kit (db/rapport.py: fonts, styles, tables), the HTML its style sheet. Texts written by
people (narratives, accounts of actions) are Markdown rendered by markdown-it-py with raw HTML disabled: a `<script>`
typed in a narrative is shown as text, and links other than http(s)/mailto are refused by its link validation.
"""

from __future__ import annotations

import datetime as dt
import html
import io
from dataclasses import dataclass, field

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor
from markdown_it import MarkdownIt
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer
from sqlalchemy.orm import Session

from db import clock, report_document, revisions
from db import rapport as kit
from db.rapport import Table
from db.report_document import ActionLine, ConventionReport, MissionPart

MARKDOWN = MarkdownIt("commonmark", {"html": False})


def markdown_html(text: str) -> str:
    """Safe HTML of a Markdown text: raw HTML escaped, unsafe links refused."""
    return MARKDOWN.render(text or "")


@dataclass
class Run:
    text: str
    bold: bool = False
    italic: bool = False
    href: str | None = None


@dataclass
class Block:
    kind: str  # p | h | li | quote | code
    runs: list[Run] = field(default_factory=list)
    level: int = 0  # heading level, or list depth
    marker: str = ""  # « • » or « 3. » for list items


def markdown_blocks(text: str) -> list[Block]:
    """A Markdown text as paragraphs, headings and list items of styled runs, for the PDF and the DOCX."""
    blocks: list[Block] = []
    lists: list[list] = []  # [ordered, counter] per open list
    quote = 0
    pending: Block | None = None
    for token in MARKDOWN.parse(text or ""):
        kind = token.type
        if kind in ("bullet_list_open", "ordered_list_open"):
            lists.append([kind == "ordered_list_open", int(token.attrGet("start") or 1) - 1])
        elif kind in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif kind == "list_item_open":
            lists[-1][1] += 1
            pending = Block("li", level=len(lists), marker=f"{lists[-1][1]}." if lists[-1][0] else "•")
        elif kind == "blockquote_open":
            quote += 1
        elif kind == "blockquote_close":
            quote -= 1
        elif kind == "heading_open":
            pending = Block("h", level=int(token.tag[1]))
        elif kind in ("code_block", "fence"):
            blocks.append(Block("code", [Run(token.content.rstrip("\n"))]))
        elif kind == "inline":
            block = pending or Block("quote" if quote else "p")
            if block.kind == "li" and blocks and pending is None:
                block = Block("li", level=len(lists), marker="")  # a second paragraph of the same item
            block.runs = _runs(token.children or [])
            blocks.append(block)
            pending = None
    return blocks


def _runs(children) -> list[Run]:
    runs, bold, italic, href = [], 0, 0, None
    for child in children:
        kind = child.type
        if kind == "strong_open":
            bold += 1
        elif kind == "strong_close":
            bold -= 1
        elif kind == "em_open":
            italic += 1
        elif kind == "em_close":
            italic -= 1
        elif kind == "link_open":
            href = child.attrGet("href")
        elif kind == "link_close":
            href = None
        elif kind in ("text", "code_inline"):
            runs.append(Run(child.content, bold > 0, italic > 0, href))
        elif kind == "softbreak":
            runs.append(Run(" "))
        elif kind == "hardbreak":
            runs.append(Run("\n"))
        elif kind == "image":
            runs.append(Run(child.content or "", italic=True))
    return runs


# --- shared wording ---------------------------------------------------------------------------------------------------


def action_details(line: ActionLine) -> list[str]:
    details = [line.kind]
    if line.partners:
        details.append(f"avec {line.partners}")
    if line.commune:
        details.append(line.commune)
    if line.public:
        details.append(f"public : {line.public}")
    if line.participants is not None:
        details.append(f"{kit.number(line.participants)} participant{'s' if line.participants > 1 else ''}")
    if line.hours:
        details.append(f"{kit.number(line.hours, 1 if line.hours % 1 else 0)} h")
    return details


def status_line(report: ConventionReport) -> str:
    version = report.version
    if version:
        when = clock.local(dt.datetime.fromisoformat(version["validated_at"]))
        by = f" par {version['validated_by']}" if version.get("validated_by") else ""
        return f"Version {version['number']} validée le {when:%d/%m/%Y à %H:%M}{by}."
    generated = clock.local(dt.datetime.fromisoformat(report.generated_at))
    return f"Document de travail, non validé, généré le {generated:%d/%m/%Y à %H:%M}."


def figures_table(report: ConventionReport, mission: MissionPart) -> Table:
    notes = [f"{f.label} : {f.note}" for f in mission.figures if f.note]
    return Table(
        "Chiffres de la mission",
        ["Indicateur", report.period_label, report.previous_label, "Évolution"],
        [[f.label, f.value_text, f.previous_text, f.change] for f in mission.figures],
        numeric=(1, 2, 3),
        widths_mm=(90, 22, 22, 36),
        note=" ".join(notes) + (" * Estimation." if any(f.estimated for f in mission.figures) else ""),
        empty="Cette mission ne déclare pas de chiffre du catalogue.",
    )


# --- HTML -------------------------------------------------------------------------------------------------------------

HTML_EXTRA = """
.cover { border-bottom: 4px solid #1f4e79; padding-bottom: 1rem; margin-bottom: 2rem; }
.cover .status { font-weight: 600; } .axis { margin-top: 3rem; } .mission { margin-top: 2rem; }
h4 { color: #17324d; margin: 1.25rem 0 .5rem; font-size: 1rem; }
ol.actions { padding-left: 1.2rem; } ol.actions li { margin-bottom: .6rem; }
.when { font-weight: 700; } .details { color: #475467; font-size: .9rem; }
.narrative { background: #f4f6f9; border-left: 4px solid #1f4e79; padding: .5rem 1rem; }
"""


def _table(table: Table) -> str:
    return kit._html_table(table).replace("<h3>", "<h4>").replace("</h3>", "</h4>")


def _actions_html(mission: MissionPart) -> str:
    if not mission.actions:
        return '<p class="empty">Aucune action enregistrée pour cette mission sur l\'année.</p>'
    items = []
    for line in mission.actions:
        links = "".join(
            f' <a href="{html.escape(link, quote=True)}">{html.escape(link)}</a>'
            for link in line.links
            if link.startswith(("http://", "https://"))
        )
        items.append(
            f'<li><span class="when">{html.escape(line.when)}</span> — {html.escape(line.title)}'
            f'<div class="details">{html.escape(" · ".join(action_details(line)))}</div>'
            + (markdown_html(line.account) if line.account else "")
            + (f'<div class="details">{links}</div>' if links else "")
            + "</li>"
        )
    return '<ol class="actions">' + "".join(items) + "</ol>"


def render_html(report: ConventionReport) -> str:
    esc = html.escape
    parts = [
        f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{esc(report.title)}</title>',
        f"<style>{kit.HTML_STYLE}{HTML_EXTRA}</style></head><body><main>",
        '<header class="cover">',
        f"<h1>{esc(report.title)}</h1>",
        f'<p class="lead">{esc(report.network)}</p>',
        f"<p>{esc(report.convention_title)} ({esc(report.convention_span)})"
        + (f" — rapport remis à : {esc(report.partner)}" if report.partner else "")
        + "</p>",
        f'<p class="status">{esc(status_line(report))}</p></header>',
    ]
    if report.introduction:
        parts += ["<section><h2>Introduction</h2>", markdown_html(report.introduction), "</section>"]
    parts += ["<section>", _table(report.summary()).replace("<h4>", "<h2>").replace("</h4>", "</h2>"), "</section>"]
    for axis in report.axes:
        parts += [f'<section class="axis"><h2>Axe {axis.number} — {esc(axis.title)}</h2>']
        if axis.description:
            parts.append(f'<p class="lead">{esc(axis.description)}</p>')
        for mission in axis.missions:
            parts += [
                f'<section class="mission" id="mission-{esc(mission.key)}">',
                f"<h3>{esc(mission.number)} {esc(mission.title)}</h3>",
            ]
            if mission.description:
                parts.append(f'<p class="lead">{esc(mission.description)}</p>')
            if mission.figures:
                parts.append(_table(figures_table(report, mission)))
            parts += ["<h4>Actions de l'année</h4>", _actions_html(mission)]
            parts += [_table(table) for table in mission.tables]
            parts.append("<h4>Bilan de la mission</h4>")
            parts.append(
                f'<div class="narrative">{markdown_html(mission.narrative)}</div>'
                if mission.narrative
                else '<p class="empty">Bilan non rédigé.</p>'
            )
            parts.append("</section>")
        parts.append("</section>")
    parts.append('<section class="axis"><h2>Conclusion</h2>')
    parts.append(
        markdown_html(report.conclusion) if report.conclusion else '<p class="empty">Conclusion non rédigée.</p>'
    )
    parts.append('</section><section class="axis"><h2>Annexe : sources et définitions</h2>')
    if report.sources:
        parts.append(_table(report.sources))
    parts.append(
        f"</section></main><footer>{esc(report.title)} · {esc(report.network)} · {esc(status_line(report))}"
        "</footer></body></html>"
    )
    return "\n".join(parts)


# --- PDF --------------------------------------------------------------------------------------------------------------


def _markup(runs: list[Run]) -> str:
    out = []
    for run in runs:
        text = html.escape(run.text).replace("\n", "<br/>")
        if run.bold:
            text = f"<b>{text}</b>"
        if run.italic:
            text = f"<i>{text}</i>"
        if run.href and run.href.startswith(("http://", "https://", "mailto:")):
            text = f'<a href="{html.escape(run.href, quote=True)}" color="#1f4e79">{text}</a>'
        out.append(text)
    return "".join(out)


def _markdown_flow(text: str, styles: dict, base: str = "body") -> list:
    flow = []
    for block in markdown_blocks(text):
        markup = _markup(block.runs)
        if block.kind == "h":
            flow.append(Paragraph(markup, styles["h3"]))
        elif block.kind == "li":
            style = ParagraphStyle(
                "li",
                parent=styles[base],
                leftIndent=8 * mm * block.level,
                bulletIndent=8 * mm * (block.level - 1) + 2 * mm,
            )
            flow.append(Paragraph(markup, style, bulletText=block.marker or None))
        elif block.kind == "code":
            flow.append(Paragraph(markup, styles["note"]))
        elif block.kind == "quote":
            flow.append(
                Paragraph(
                    markup,
                    ParagraphStyle("q", parent=styles[base], leftIndent=6 * mm, textColor=colors.HexColor("#475467")),
                )
            )
        else:
            flow.append(Paragraph(markup, styles[base]))
    return flow


def render_pdf(report: ConventionReport) -> bytes:
    styles = kit._styles()
    styles["h3"] = ParagraphStyle("h3", parent=styles["h2"], fontSize=10, spaceBefore=6)
    styles["cover"] = ParagraphStyle("cover", parent=styles["title"], fontSize=28, leading=34, spaceBefore=60 * mm)
    buffer = io.BytesIO()

    def footer(canvas, doc):
        canvas.saveState()
        canvas.setFont(kit.FONT, 7.5)
        canvas.setFillColor(colors.HexColor("#475467"))
        canvas.drawString(20 * mm, 10 * mm, f"{report.title} · {report.network}")
        canvas.drawRightString(190 * mm, 10 * mm, f"Page {doc.page}")
        canvas.restoreState()

    document = SimpleDocTemplate(
        buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm, bottomMargin=18 * mm,
        title=report.title, author=report.network, lang="fr-FR",
    )  # fmt: skip
    esc = kit._escape
    story = [
        Paragraph(esc(report.title), styles["cover"]),
        Paragraph(esc(report.network), styles["h1"]),
        Spacer(1, 8 * mm),
        Paragraph(esc(f"{report.convention_title} ({report.convention_span})"), styles["body"]),
    ]
    if report.partner:
        story.append(Paragraph(esc(f"Rapport remis à : {report.partner}"), styles["body"]))
    story += [Spacer(1, 8 * mm), Paragraph(esc(status_line(report)), styles["lead"]), PageBreak()]
    if report.introduction:
        story += [Paragraph("Introduction", styles["h1"]), *_markdown_flow(report.introduction, styles)]
    summary = report.summary()
    flow = kit._pdf_table(summary, styles)
    story += [Paragraph(esc(summary.title), styles["h1"]), *flow[1:]]
    for axis in report.axes:
        story += [PageBreak(), Paragraph(esc(f"Axe {axis.number} — {axis.title}"), styles["title"])]
        if axis.description:
            story.append(Paragraph(esc(axis.description), styles["lead"]))
        for mission in axis.missions:
            head = [Paragraph(esc(f"{mission.number} {mission.title}"), styles["h1"])]
            if mission.description:
                head.append(Paragraph(esc(mission.description), styles["lead"]))
            story.append(KeepTogether(head))
            if mission.figures:
                story.append(KeepTogether(kit._pdf_table(figures_table(report, mission), styles)))
            story.append(Paragraph("Actions de l'année", styles["h2"]))
            if not mission.actions:
                story.append(Paragraph("Aucune action enregistrée pour cette mission sur l'année.", styles["lead"]))
            for line in mission.actions:
                item = [
                    Paragraph(
                        f"<b>{esc(line.when)}</b> — {esc(line.title)}<br/>"
                        f'<font color="#475467" size="8">{esc(" · ".join(action_details(line)))}</font>',
                        ParagraphStyle("action", parent=styles["body"], leftIndent=4 * mm, spaceBefore=3),
                    )
                ]
                if line.account:
                    item += _markdown_flow(
                        line.account,
                        {
                            **styles,
                            "body": ParagraphStyle(
                                "acc", parent=styles["body"], leftIndent=4 * mm, fontSize=8.5, leading=11
                            ),
                        },
                    )
                story.append(KeepTogether(item))
            for table in mission.tables:
                flow = kit._pdf_table(table, styles)
                story += [KeepTogether(flow)] if len(table.rows) < 25 else flow
            story.append(Paragraph("Bilan de la mission", styles["h2"]))
            story += (
                _markdown_flow(mission.narrative, styles)
                if mission.narrative
                else [Paragraph("Bilan non rédigé.", styles["lead"])]
            )
    story += [PageBreak(), Paragraph("Conclusion", styles["title"])]
    story += (
        _markdown_flow(report.conclusion, styles)
        if report.conclusion
        else [Paragraph("Conclusion non rédigée.", styles["lead"])]
    )
    story += [PageBreak(), Paragraph("Annexe : sources et définitions", styles["h1"])]
    if report.sources:
        story += kit._pdf_table(report.sources, styles)
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


# --- DOCX (editable) ----------------------------------------------------------------------------------------------

BRAND = RGBColor(0x1F, 0x4E, 0x79)


def _docx_runs(paragraph, runs: list[Run]) -> None:
    for run in runs:
        text = run.text + (f" ({run.href})" if run.href and run.href != run.text else "")
        piece = paragraph.add_run(text)
        piece.bold, piece.italic = run.bold or None, run.italic or None


def _docx_markdown(doc, text: str) -> None:
    for block in markdown_blocks(text):
        if block.kind == "h":
            paragraph = doc.add_heading(level=min(block.level + 3, 9))
        elif block.kind == "li":
            style = "List Number" if block.marker[:1].isdigit() else "List Bullet"
            paragraph = doc.add_paragraph(style=style if block.level == 1 else f"{style} 2")
        elif block.kind == "quote":
            paragraph = doc.add_paragraph(style="Quote")
        else:
            paragraph = doc.add_paragraph()
        _docx_runs(paragraph, block.runs)


def _docx_table(doc, table: Table) -> None:
    doc.add_heading(table.title, level=4)
    if not table.rows:
        doc.add_paragraph(table.empty).runs[0].italic = True
        return
    rows = [table.columns, *table.rows] + ([table.total] if table.total else [])
    grid = doc.add_table(rows=len(rows), cols=len(table.columns))
    grid.style = "Table Grid"
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            cell = grid.cell(r, c)
            cell.text = str(text)
            paragraph = cell.paragraphs[0]
            if c in table.numeric:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            for run in paragraph.runs:
                run.font.size = Pt(8.5)
                run.bold = (r == 0 or (table.total and r == len(rows) - 1)) or None
    if table.note:
        note = doc.add_paragraph(table.note)
        for run in note.runs:
            run.font.size = Pt(8)


def render_docx(report: ConventionReport) -> bytes:
    doc = Document()
    doc.core_properties.title = report.title
    doc.core_properties.author = report.network
    doc.core_properties.language = "fr-FR"
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = "DejaVu Sans", Pt(10)
    doc.add_heading(report.title, level=0)
    doc.add_paragraph(report.network).runs[0].bold = True
    doc.add_paragraph(f"{report.convention_title} ({report.convention_span})")
    if report.partner:
        doc.add_paragraph(f"Rapport remis à : {report.partner}")
    doc.add_paragraph(status_line(report)).runs[0].italic = True
    doc.add_page_break()
    if report.introduction:
        doc.add_heading("Introduction", level=1)
        _docx_markdown(doc, report.introduction)
    _docx_table(doc, report.summary())
    for axis in report.axes:
        doc.add_page_break()
        heading = doc.add_heading(f"Axe {axis.number} — {axis.title}", level=1)
        heading.runs[0].font.color.rgb = BRAND
        if axis.description:
            doc.add_paragraph(axis.description)
        for mission in axis.missions:
            doc.add_heading(f"{mission.number} {mission.title}", level=2)
            if mission.description:
                doc.add_paragraph(mission.description).runs[0].italic = True
            if mission.figures:
                _docx_table(doc, figures_table(report, mission))
            doc.add_heading("Actions de l'année", level=3)
            if not mission.actions:
                doc.add_paragraph("Aucune action enregistrée pour cette mission sur l'année.")
            for line in mission.actions:
                paragraph = doc.add_paragraph(style="List Bullet")
                paragraph.add_run(line.when).bold = True
                paragraph.add_run(f" — {line.title}. ")
                paragraph.add_run(" · ".join(action_details(line))).italic = True
                if line.account:
                    _docx_markdown(doc, line.account)
            for table in mission.tables:
                _docx_table(doc, table)
            doc.add_heading("Bilan de la mission", level=3)
            if mission.narrative:
                _docx_markdown(doc, mission.narrative)
            else:
                doc.add_paragraph("Bilan non rédigé.")
    doc.add_page_break()
    doc.add_heading("Conclusion", level=1)
    if report.conclusion:
        _docx_markdown(doc, report.conclusion)
    else:
        doc.add_paragraph("Conclusion non rédigée.")
    doc.add_heading("Annexe : sources et définitions", level=1)
    if report.sources:
        _docx_table(doc, report.sources)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


RENDERERS = {"html": render_html, "pdf": render_pdf, "docx": render_docx}


FILES = revisions.Cache(16)


def rendered(session: Session, year: int, extension: str) -> bytes | str | None:
    """The year's report file, rendered once per revision of the data: the convention's report when a convention
    covers the year, else the figures report by the app's own missions (PDF and HTML only). None for a format the
    year's report has not."""
    report = report_document.build(session, year)
    if report is None:
        return kit.rendered(session, year, extension) if extension in ("pdf", "html") else None
    if extension not in RENDERERS:
        return None
    return revisions.memoize(
        FILES, session, revisions.AREAS, (extension, year, clock.today()), lambda: RENDERERS[extension](report)
    )
