"""PDF exports of the Carte: valid PDF files naming the filters, escaping what users typed."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

from pypdf import PdfReader

from db import carte
from db.interop import places_pdf
from db.models import Place

NOW = dt.datetime(2025, 3, 12, 10, 0)
OUTLINE = Path(__file__).resolve().parents[3] / "shared" / "data" / "fne_departement-42-loire.geojson"


def place(pk: int, **fields) -> Place:
    values = dict(
        pk=pk,
        id=f"T_{pk}",
        pivot="00000000000000",
        nom=f"Lieu {pk}",
        commune="Feurs",
        code_postal="42110",
        adresse="1 rue de la Paix",
        latitude=45.74 + pk / 100,
        longitude=4.22,
        date_maj=dt.date(2025, 1, 1),
        horaires="Mo-Fr 09:00-12:00",
        services="Aide aux démarches administratives|Loisirs et créations numériques",
    )
    return Place(**(values | fields))


def pdf_text(data: bytes) -> str:
    assert data.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def test_view_pdf_names_the_filter_and_lists_the_places():
    flt = carte.PlaceFilter.from_query({"services": "Aide aux démarches administratives", "territoire": "FRR"})
    outline = json.loads(OUTLINE.read_text()) if OUTLINE.exists() else None
    places = [place(1, nom="<script>alert(1)</script> & Cie"), place(2, horaires=None, latitude=None)]
    data = places_pdf.view_pdf(places, flt.summary(), NOW, outline)
    content = pdf_text(data)
    assert "Services : Aide aux démarches administratives" in content
    assert "France Ruralités Revitalisation" in content
    # shown as text, not parsed as markup (DejaVu, the PDF kit's font, is wider: the name wraps in its cell)
    assert "<script>alert(1)</script> & Cie" in " ".join(content.split())
    assert "2 lieux" in content and "Ouvert maintenant" in content and "Horaires inconnus" in content
    assert PdfReader(io.BytesIO(data)).metadata.title == "Carte des lieux de médiation numérique"


def test_view_pdf_without_filter_or_places():
    content = pdf_text(places_pdf.view_pdf([], [], NOW))
    assert "Aucun filtre" in content and "0 lieu" in content


def test_sheets_pdf_has_every_field_and_the_week():
    data = places_pdf.sheets_pdf([place(1, telephone="+33477000000")], NOW)
    content = pdf_text(data)
    assert "Lieu 1" in content and "+33477000000" in content
    assert "Lundi" in content and "09:00–12:00" in content
    assert "Aide aux démarches administratives, Loisirs et créations numériques" in content
    assert len(PdfReader(io.BytesIO(places_pdf.sheets_pdf([place(1), place(2)], NOW))).pages) >= 2


def test_view_pdf_can_join_the_sheets_of_a_small_selection():
    places = [place(1, telephone="+33477000001"), place(2)]
    with_sheets = pdf_text(places_pdf.view_pdf(places, [], NOW, with_sheets=True))
    assert "+33477000001" in with_sheets and "Toutes les informations de la fiche" in with_sheets
    many = [place(i) for i in range(places_pdf.SHEETS_LIMIT + 1)]
    assert "Fiches non jointes" in pdf_text(places_pdf.view_pdf(many, [], NOW, with_sheets=True))
