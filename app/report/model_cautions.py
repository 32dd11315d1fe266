"""The amber box, and the line under each page's header, of a report made with weights that
carry cautions (a clinic's own, `models.resources.weights_cautions`): trained on a few of the
clinic's patients and not validated. The demonstration weights' red box says "not for
diagnosis"; without this one a clinic-trained model's report looked like a validated one."""

from __future__ import annotations

from collections.abc import Mapping

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, Table, TableStyle

from app.report.fonts import FONT, FONT_BOLD, markup, register_fonts
from models.resources import weights_cautions

CAUTIONS_TITLE = "CLINIC-TRAINED MODEL \u2014 NOT VALIDATED"
# the warning tone's amber on a light page (app/widgets/tones.py), a pale fill under it
CAUTION_AMBER = colors.HexColor("#8a5300")
CAUTION_FILL = colors.HexColor("#fdf3e1")
TITLE_STYLE = ParagraphStyle("cautions_title", fontName=FONT_BOLD, fontSize=10, leading=12.5, textColor=CAUTION_AMBER)
LINE_STYLE = ParagraphStyle("cautions_line", fontName=FONT, fontSize=8, leading=10, textColor=CAUTION_AMBER)


def cautions_box(model: Mapping | None, width: float) -> Table | None:
    """The amber-bordered box of the model record's cautions, one line each under the title,
    `width` points wide; None when the record carries none."""
    cautions = weights_cautions(model)
    if not cautions:
        return None
    register_fonts()
    rows = [[Paragraph(markup(CAUTIONS_TITLE, size=TITLE_STYLE.fontSize), TITLE_STYLE)]]
    rows += [[Paragraph(markup(f"\u2022 {text}", size=LINE_STYLE.fontSize), LINE_STYLE)] for text in cautions]
    box = Table(rows, colWidths=[width])
    box.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 1.6, CAUTION_AMBER),
        ("BACKGROUND", (0, 0), (-1, -1), CAUTION_FILL),
        ("LEFTPADDING", (0, 0), (-1, -1), 6), ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (0, 0), 5), ("BOTTOMPADDING", (0, -1), (-1, -1), 5),
    ]))
    return box


def draw_cautions_title(canvas, x: float, y: float) -> None:  # noqa: ANN001 - a ReportLab canvas
    """The title centred at (x, y), under the running header: a page printed or copied alone
    still says it."""
    canvas.saveState()
    canvas.setFillColor(CAUTION_AMBER)
    canvas.setFont(FONT_BOLD, 6.8)
    canvas.drawCentredString(x, y, CAUTIONS_TITLE)
    canvas.restoreState()
