"""The PDF kit every document shares (the annual report, the place sheets): one set of fonts, the brand colour.

DejaVu Sans when the system has it (every character a name or a narrative may hold: œ, ’, €, emoji fall back to a
box rather than breaking the document), else the PDF base font.
"""

from __future__ import annotations

from pathlib import Path

from reportlab.lib import colors
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
BRAND = colors.HexColor("#1f4e79")
MUTED = colors.HexColor("#475467")


def _register_fonts() -> tuple[str, str]:
    try:
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(DEJAVU / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", str(DEJAVU / "DejaVuSans-Bold.ttf")))
        pdfmetrics.registerFontFamily("DejaVuSans", normal="DejaVuSans", bold="DejaVuSans-Bold")
    except Exception:  # noqa: BLE001 - a missing or unreadable font file: fall back to the built-in font
        return "Helvetica", "Helvetica-Bold"
    return "DejaVuSans", "DejaVuSans-Bold"


FONT, FONT_BOLD = _register_fonts()
