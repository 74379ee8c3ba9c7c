"""PDF exports of the Carte (reportlab): the current view (filters, legend, a map drawn from the data, the list of
places) and place sheets. Everything a user typed is escaped before it reaches reportlab's paragraph markup."""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Iterable, Sequence
from html import escape

from reportlab.graphics.shapes import Circle, Drawing, Line, Polygon, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from db import carte
from db.interop.places import schema_fields
from db.models import Place
from db.pdf_kit import BRAND, FONT, FONT_BOLD

SHEETS_LIMIT = 200  # sheets of a selection: one page or more each, so large selections get the list only
OPEN_COLORS = {"open": "#1a7f37", "closed": "#475467", "unknown": "#b54708"}
OPEN_LABELS = {"open": "Ouvert maintenant", "closed": "Fermé", "unknown": "Horaires inconnus"}
STYLES = getSampleStyleSheet()
SMALL = ParagraphStyle("small", parent=STYLES["BodyText"], fontName=FONT, fontSize=8, leading=10, alignment=TA_LEFT)
BODY = ParagraphStyle("body", parent=STYLES["BodyText"], fontName=FONT, fontSize=9.5, leading=12)
H1 = ParagraphStyle("h1", parent=STYLES["Heading1"], fontName=FONT_BOLD, textColor=BRAND, fontSize=18, leading=22)
H2 = ParagraphStyle("h2", parent=STYLES["Heading2"], fontName=FONT_BOLD, textColor=BRAND, fontSize=12, leading=15,
                    spaceBefore=8)  # fmt: skip


def text(value) -> str:
    """A user value as paragraph text: `<`, `&`… escaped (reportlab paragraphs are a markup language)."""
    return escape(str(value)) if value not in (None, "") else "—"


def _document(title: str, subject: str) -> tuple[io.BytesIO, SimpleDocTemplate]:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=1.6 * cm,
        rightMargin=1.6 * cm,
        topMargin=1.5 * cm,
        bottomMargin=1.5 * cm,
        title=title,
        subject=subject,
        author="Réseau de médiation numérique de la Loire",
    )
    return buffer, doc


def _footer(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 7.5)
    canvas.setFillColor(colors.HexColor("#475467"))
    canvas.drawString(doc.leftMargin, 0.9 * cm, doc.title)
    canvas.drawRightString(A4[0] - doc.rightMargin, 0.9 * cm, f"Page {doc.page}")
    canvas.restoreState()


# --- the map, drawn from the data --------------------------------------------------------------------------------


def _rings(outline: dict | None) -> list[list[tuple[float, float]]]:
    """The outer rings (lon, lat) of an outline GeoJSON (FeatureCollection, Feature or geometry)."""
    if not outline:
        return []
    if outline.get("type") == "FeatureCollection":
        return [ring for feature in outline.get("features", []) for ring in _rings(feature)]
    geometry = outline.get("geometry", outline)
    if geometry.get("type") == "Polygon":
        return [geometry["coordinates"][0]]
    if geometry.get("type") == "MultiPolygon":
        return [polygon[0] for polygon in geometry["coordinates"]]
    return []


def map_drawing(points: Sequence[tuple[float, float, str]], outline: dict | None, width: float, height: float):
    """Points (lat, lon, open state) over the outline, in an equirectangular projection fitted to the frame."""
    drawing = Drawing(width, height)
    drawing.add(Rect(0, 0, width, height, fillColor=colors.HexColor("#f4f6f8"), strokeColor=colors.HexColor("#d0d5dd")))
    rings = _rings(outline)
    lons = [p[1] for p in points] + [x for ring in rings for x, _y in ring]
    lats = [p[0] for p in points] + [y for ring in rings for _x, y in ring]
    if not lons:
        drawing.add(String(width / 2, height / 2, "Aucun lieu localisé", textAnchor="middle", fontSize=10))
        return drawing
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    shrink = math.cos(math.radians((south + north) / 2))  # degrees of longitude are shorter than of latitude
    span_x, span_y = max((east - west) * shrink, 0.02), max(north - south, 0.02)
    margin = 12
    scale = min((width - 2 * margin) / span_x, (height - 2 * margin) / span_y)
    offset_x = (width - span_x * scale) / 2
    offset_y = (height - span_y * scale) / 2

    def project(lon: float, lat: float) -> tuple[float, float]:
        return offset_x + (lon - west) * shrink * scale, offset_y + (lat - south) * scale

    for ring in rings:
        flat = [coordinate for x, y in ring for coordinate in project(x, y)]
        drawing.add(
            Polygon(flat, fillColor=colors.HexColor("#dbe7f3"), strokeColor=BRAND, strokeWidth=0.8, fillOpacity=0.6)
        )
    for lat, lon, state in sorted(points, key=lambda p: p[2] == "open"):  # open places drawn last, on top
        x, y = project(lon, lat)
        drawing.add(
            Circle(x, y, 3.2, fillColor=colors.HexColor(OPEN_COLORS[state]), strokeColor=colors.white, strokeWidth=0.6)
        )
    # A 10 km scale bar.
    bar = 10 / 111.32 * shrink * scale
    drawing.add(Line(margin, margin, margin + bar, margin, strokeColor=colors.black, strokeWidth=1.5))
    drawing.add(String(margin, margin + 4, "10 km", fontSize=7))
    return drawing


def _legend() -> Table:
    cells = []
    for state, label in OPEN_LABELS.items():
        dot = Drawing(10, 10)
        dot.add(Circle(5, 4, 3.5, fillColor=colors.HexColor(OPEN_COLORS[state]), strokeColor=colors.white))
        cells += [dot, Paragraph(label, SMALL)]
    table = Table([cells], colWidths=[0.5 * cm, 3.4 * cm] * 3)
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return table


# --- documents -----------------------------------------------------------------------------------------------------


def view_pdf(
    places: list[Place], summary: list[str], now: dt.datetime, outline: dict | None = None, with_sheets: bool = False
) -> bytes:
    """The current view: title, filters, map and legend, the list of places (and their sheets if asked)."""
    title = "Carte des lieux de médiation numérique"
    filters = summary or ["Aucun filtre : tous les lieux du réseau."]
    buffer, doc = _document(title, " ; ".join(filters))
    states = {p.pk: carte.open_state(p.horaires, now) for p in places}
    points = [
        (p.latitude, p.longitude, states[p.pk]) for p in places if p.latitude is not None and p.longitude is not None
    ]
    story = [
        Paragraph(title, H1),
        Paragraph(f"Export du {now:%d/%m/%Y à %H:%M} · {len(places)} lieu{'x' if len(places) > 1 else ''}", BODY),
        Paragraph("Filtres appliqués", H2),
        *[Paragraph(f"• {text(line)}", BODY) for line in filters],
        Spacer(1, 6),
        map_drawing(points, outline, doc.width, 11 * cm),
        Spacer(1, 4),
        _legend(),
        Paragraph(f"Ouverture évaluée le {now:%d/%m/%Y à %H:%M} d'après les horaires OpenStreetMap des fiches.", SMALL),
        Paragraph("Lieux", H2),
        _places_table(places, states, now.date(), doc.width),
    ]
    if with_sheets and len(places) > SHEETS_LIMIT:
        story.append(Paragraph(f"Fiches non jointes : plus de {SHEETS_LIMIT} lieux, affinez les filtres.", SMALL))
    elif with_sheets:
        for place in places:
            story += [PageBreak(), *_sheet(place, now)]
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()


def _places_table(places: Iterable[Place], states: dict, today: dt.date, width: float) -> Table:
    rows = [
        [Paragraph(f"<b>{h}</b>", SMALL) for h in ("Lieu", "Commune", "Adresse", "Téléphone", "Ouverture", "Fiche")]
    ]
    for place in places:
        rows.append(
            [
                Paragraph(text(place.nom), SMALL),
                Paragraph(text(place.commune), SMALL),
                Paragraph(text(place.adresse), SMALL),
                Paragraph(text(place.telephone), SMALL),
                Paragraph(OPEN_LABELS[states[place.pk]], SMALL),
                Paragraph(carte.freshness_of(place.date_maj, today).label, SMALL),
            ]
        )
    table = Table(rows, colWidths=[w * width for w in (0.26, 0.15, 0.21, 0.16, 0.12, 0.10)], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#d0d5dd")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _sheet(place: Place, now: dt.datetime) -> list:
    state = carte.open_state(place.horaires, now)
    band = carte.freshness_of(place.date_maj, now.date())
    story = [
        Paragraph(text(place.nom), H1),
        Paragraph(
            f"{text(place.adresse)}, {text(place.code_postal)} {text(place.commune)} · {OPEN_LABELS[state]} · "
            f"fiche {band.label.lower()}",
            BODY,
        ),
    ]
    days = carte.week_timetable(place.horaires, now.date())
    if days:
        rows = [
            [
                Paragraph(f"<b>{day.label}</b>", SMALL),
                Paragraph(
                    ", ".join(f"{s:%H:%M}–{'24:00' if e == dt.time() else f'{e:%H:%M}'}" for s, e, _c in day.slots)
                    or "Fermé",
                    SMALL,
                ),
            ]
            for day in days
        ]
        story += [Paragraph("Horaires de la semaine", H2), Table(rows, colWidths=[3 * cm, 10 * cm], hAlign="LEFT")]
    fields = [
        [Paragraph(f"<b>{escape(spec.title)}</b>", SMALL), Paragraph(text(_value(place, spec.name)), SMALL)]
        for spec in schema_fields()
    ]
    table = Table(fields, colWidths=[5 * cm, 12.4 * cm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#d0d5dd")), ("VALIGN", (0, 0), (-1, -1), "TOP")]
        )
    )
    story += [Paragraph("Toutes les informations de la fiche (standard national v1.0.2)", H2), table]
    return [KeepTogether(story[:2]), *story[2:]]


def _value(place: Place, name: str):
    value = getattr(place, name)
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, str) and "|" in value:
        return ", ".join(carte.split_multi(value))
    return value


def sheets_pdf(places: list[Place], now: dt.datetime) -> bytes:
    """One sheet per place, every field of the schema."""
    title = "Fiche du lieu" if len(places) == 1 else "Fiches des lieux"
    name = places[0].nom if len(places) == 1 else f"{len(places)} lieux"
    buffer, doc = _document(f"{title} · {name}", name)
    story = []
    for i, place in enumerate(places):
        if i:
            story.append(PageBreak())
        story += _sheet(place, now)
    doc.build(story, onFirstPage=_footer, onLaterPages=_footer)
    return buffer.getvalue()
