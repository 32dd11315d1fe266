"""The amber box, and the line under each page's header, of a report made with weights that
carry cautions (`models.resources.shown_cautions`): a clinic's own, trained on a few of the
clinic's patients, and any other weights but the demonstration ones, none of them validated.
The demonstration weights' red box says "not for diagnosis"; without this one a clinic-trained
model's report, or a research run's, looked like a validated one."""

from __future__ import annotations

from collections.abc import Mapping

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph, Table, TableStyle

from app.report.fonts import FONT, FONT_BOLD, markup, register_fonts
from models.resources import weights_cautions

CAUTIONS_TITLE = "MODEL NOT VALIDATED \u2014 NOT FOR DIAGNOSIS"
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
    title = Paragraph(markup(CAUTIONS_TITLE, size=TITLE_STYLE.fontSize), TITLE_STYLE)
    lines = [Paragraph(markup(f"\u2022 {text}", size=LINE_STYLE.fontSize), LINE_STYLE) for text in cautions]
    return warning_box([title, *lines], CAUTION_AMBER, CAUTION_FILL, width)


def warning_box(paragraphs: list[Paragraph], edge: colors.Color, fill: colors.Color, width: float) -> Table:
    """A box of `paragraphs`, one a row, bordered in `edge` on `fill`, `width` points wide: the
    demonstration weights' red box and the cautions' amber one."""
    box = Table([[p] for p in paragraphs], colWidths=[width])
    box.setStyle(TableStyle([
        ("BOX", (0, 0), (-1, -1), 1.6, edge),
        ("BACKGROUND", (0, 0), (-1, -1), fill),
        ("LEFTPADDING", (0, 0), (-1, -1), 6), ("RIGHTPADDING", (0, 0), (-1, -1), 6),
        ("TOPPADDING", (0, 0), (0, 0), 5), ("BOTTOMPADDING", (0, -1), (-1, -1), 5),
    ]))
    return box


def draw_page_title(canvas, x: float, y: float, text: str, colour: colors.Color) -> None:  # noqa: ANN001 - a ReportLab canvas
    """`text` centred at (x, y) in bold `colour`, under the running header: a page printed or
    copied alone still says which weights made it."""
    canvas.saveState()
    canvas.setFillColor(colour)
    canvas.setFont(FONT_BOLD, 6.8)
    canvas.drawCentredString(x, y, text)
    canvas.restoreState()
