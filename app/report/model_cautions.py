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
from app.weights_info import UNVALIDATED_TITLE
from models.resources import is_demo_checkpoint, is_demo_weights, shown_cautions, weights_cautions

# the screen's amber banner starts with the same words (app.weights_info)
CAUTIONS_TITLE = UNVALIDATED_TITLE
# the warning tone's amber on a light page (app/widgets/tones.py), a pale fill under it
CAUTION_AMBER = colors.HexColor("#8a5300")
CAUTION_FILL = colors.HexColor("#fdf3e1")
TITLE_STYLE = ParagraphStyle("cautions_title", fontName=FONT_BOLD, fontSize=10, leading=12.5, textColor=CAUTION_AMBER)
LINE_STYLE = ParagraphStyle("cautions_line", fontName=FONT, fontSize=8, leading=10, textColor=CAUTION_AMBER)


def is_demo_record(model: Mapping | None) -> bool:
    """Whether an assessment's model record (assessment.json "model") names the demonstration
    weights. The verdict recorded when the model was loaded (`demo`, with the weights' digest
    `state_sha256` and `training_command`) says so first: the file may since have been moved or
    replaced. A recorded `demo: false` never outweighs the GUI banner's rules
    (`models.resources.is_demo_weights`: name, sha256), which records without the field rely on."""
    if not isinstance(model, Mapping):
        return False
    if model.get("demo") is True:
        return True
    recorded = {"state_sha256": model.get("state_sha256"), "training": {"command": model.get("training_command")}}
    if is_demo_checkpoint(recorded):
        return True
    path, sha256 = model.get("path"), model.get("sha256")
    return is_demo_weights(str(path) if path else "", sha256 if isinstance(sha256, str) else None)


def record_cautions(model: Mapping | None) -> list[str]:
    """The cautions a report shows for an assessment's model record, by the rule the weights
    get when loaded (`models.resources.shown_cautions`): a record of weights from a file
    (`sha256`) that are not the demonstration ones and records none (a visit graded before the
    rule, with research or foreign weights) gets the not-validated caution; its reprint had no
    warning at all. A record of no file (an in-memory network) keeps what it records."""
    if isinstance(model, Mapping) and isinstance(model.get("sha256"), str) and model.get("sha256"):
        return shown_cautions(model, demo=is_demo_record(model))
    return weights_cautions(model)


def cautions_box(model: Mapping | None, width: float) -> Table | None:
    """The amber-bordered box of the model record's cautions (`record_cautions`), one line each
    under the title, `width` points wide; None when there are none. The page title follows it."""
    cautions = record_cautions(model)
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
