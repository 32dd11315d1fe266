"""The assessment report (DESIGN §9) as a PDF, built with ReportLab from the assessment.json
body, so the GUI can rebuild a report from a stored assessment.

    write_report("report.pdf", assessment_dict, ReportContext(...), images)

`images` maps each expression to {"photo": png, "segmentation": png, "attention": png}.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

import cv2
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from app.report.charts import ACCENT, HIGHLIGHT, HistoryPoint, history_chart, probability_chart
from app.report.hb_table import HB_TABLE
from models.labels import EXPRESSIONS, GRADES
from models.pipeline.overlays import LEGEND_WIDTH
from models.pipeline.training_summary import describe_training

# Without ReportLab's C accelerator, ASCII85-encoding the photos in pure Python took
# 2.2 s of a 2.6 s report; binary streams are valid PDF and cost nothing.
rl_config.useA85 = 0

DISCLAIMER = (
    "This software supports and does not replace the clinician's judgement. The grade is a "
    "decision aid computed from photographs; the clinician confirms or overrides it."
)
EXPRESSION_TITLES = {
    "rest": "Rest",
    "close_eyes": "Close eyes",
    "raise_eyebrows": "Raise eyebrows",
    "open_mouth": "Open mouth",
    "wrinkle_nose": "Wrinkle nose",
    "puff_cheeks": "Puff cheeks",
}
SIDE_WORDS = {"left": "left (patient's)", "right": "right (patient's)", "none": "none"}
PAGE_W, PAGE_H = A4
MARGIN = 16 * mm
LIGHT = colors.HexColor("#f2f5f9")
GRID = colors.HexColor("#b8c4d0")


@dataclass
class ReportContext:
    """Who, where and what the clinician decided; all optional except what the clinic fills in."""

    clinic_name: str = "Palsy Grader"
    clinic_logo: str | None = None
    patient_id: str = ""
    patient_name: str = ""
    date_of_birth: str = ""
    sex: str = ""
    clinician: str = ""
    assessment_date: str = field(default_factory=lambda: date.today().isoformat())
    confirmed_grade: str | None = None
    notes: str = ""
    history: Sequence[HistoryPoint] = ()


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle("title", parent=base["Title"], fontSize=16, leading=19, spaceAfter=2, alignment=0),
        "h2": ParagraphStyle("h2", parent=base["Heading2"], fontSize=11.5, leading=14, spaceBefore=8, spaceAfter=4, textColor=ACCENT),
        "body": ParagraphStyle("body", parent=base["BodyText"], fontSize=8.5, leading=10.5),
        "small": ParagraphStyle("small", parent=base["BodyText"], fontSize=7, leading=8.5, textColor=colors.HexColor("#444444")),
        "cell": ParagraphStyle("cell", parent=base["BodyText"], fontSize=7.2, leading=8.6),
        "cellb": ParagraphStyle("cellb", parent=base["BodyText"], fontSize=7.2, leading=8.6, fontName="Helvetica-Bold"),
        "big": ParagraphStyle("big", parent=base["BodyText"], fontSize=22, leading=26, fontName="Helvetica-Bold", alignment=TA_CENTER),
        "caption": ParagraphStyle("caption", parent=base["BodyText"], fontSize=7.5, leading=9, alignment=TA_CENTER),
    }


def _p(text: object, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def _fmt(value: object, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _table(rows: list[list], widths: Sequence[float], header: bool = True, extra: Sequence[tuple] = ()) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("FONTSIZE", (0, 0), (-1, -1), 7.5),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if header:
        style += [("BACKGROUND", (0, 0), (-1, 0), LIGHT), ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold")]
    table.setStyle(TableStyle(style + list(extra)))
    return table


class _Page:
    """Header line and footer (disclaimer, page number) drawn on every page."""

    def __init__(self, context: ReportContext, model_name: str) -> None:
        self.context, self.model_name = context, model_name

    def __call__(self, canvas, doc) -> None:  # noqa: ANN001 - ReportLab callback signature
        canvas.saveState()
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(0.8)
        canvas.line(MARGIN, PAGE_H - 12 * mm, PAGE_W - MARGIN, PAGE_H - 12 * mm)
        canvas.setFont("Helvetica-Bold", 8)
        canvas.drawString(MARGIN, PAGE_H - 10.5 * mm, self.context.clinic_name)
        canvas.setFont("Helvetica", 8)
        who = " ".join(x for x in (self.context.patient_id, self.context.patient_name) if x)
        canvas.drawRightString(PAGE_W - MARGIN, PAGE_H - 10.5 * mm, f"{who}  {self.context.assessment_date}".strip())
        canvas.setFont("Helvetica-Oblique", 6.8)
        canvas.setFillColor(colors.HexColor("#555555"))
        first, rest = _split_to_width(DISCLAIMER, PAGE_W - 2 * MARGIN - 15 * mm, canvas, "Helvetica-Oblique", 6.8)
        canvas.drawString(MARGIN, 9 * mm, first)
        canvas.drawString(MARGIN, 6.2 * mm, rest)
        canvas.setFont("Helvetica", 7)
        canvas.drawRightString(PAGE_W - MARGIN, 6.2 * mm, f"page {doc.page}")
        canvas.restoreState()


def _split_to_width(text: str, width: float, canvas, font: str, size: float) -> tuple[str, str]:  # noqa: ANN001
    """Split `text` at a word boundary so the first part fits `width` points."""
    words = text.split()
    for n in range(len(words), 0, -1):
        head = " ".join(words[:n])
        if canvas.stringWidth(head, font, size) <= width:
            return head, " ".join(words[n:])
    return text, ""


def write_report(
    path: str | os.PathLike,
    assessment: Mapping,
    context: ReportContext | None = None,
    images: Mapping[str, Mapping[str, str | os.PathLike]] | None = None,
) -> Path:
    """Write the PDF report of an assessment.json body; returns the path."""
    context = context or ReportContext()
    images = images or {}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    s = _styles()
    model = assessment.get("model", {})
    doc = SimpleDocTemplate(
        str(path), pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=16 * mm, bottomMargin=15 * mm,
        title=f"Facial palsy assessment {context.patient_id}".strip(), author=context.clinic_name,
        subject="House-Brackmann facial palsy assessment", creator="Palsy Grader",
    )
    width = PAGE_W - 2 * MARGIN
    story: list = []
    story += _header(context, s, width)
    story += _grade_section(assessment, context, s, width)
    story += _measured_section(assessment, s, width)
    story += _flags_section(assessment, s)
    story.append(KeepTogether(_hb_section(_shown_grade(assessment, context), s, width)))
    if context.history:
        story.append(KeepTogether([
            Paragraph("Grade history", s["h2"]),
            history_chart(list(context.history), width=width, height=160),
            _history_table(context.history, s, width),
        ]))
    story.append(KeepTogether([Paragraph("Notes", s["h2"]), _p(context.notes or "No notes.", s["body"])]))
    story.append(KeepTogether(_model_section(model, s, width)))
    story += _photo_section(assessment, images, s, width)
    page = _Page(context, str(model.get("name", "")))
    doc.build(story, onFirstPage=page, onLaterPages=page)
    return path


def _shown_grade(assessment: Mapping, context: ReportContext) -> str:
    return context.confirmed_grade or assessment.get("grade", "")


def _header(context: ReportContext, s: dict, width: float) -> list:
    title = [Paragraph(escape(context.clinic_name), s["title"]), _p("Facial palsy assessment (House-Brackmann)", s["body"])]
    if context.clinic_logo and Path(context.clinic_logo).is_file():
        logo = Image(str(context.clinic_logo))
        scale = min(18 * mm / logo.imageHeight, 40 * mm / logo.imageWidth)
        logo.drawHeight, logo.drawWidth = logo.imageHeight * scale, logo.imageWidth * scale
        head = Table([[title, logo]], colWidths=[width - 45 * mm, 45 * mm])
        head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (1, 0), (1, 0), "RIGHT")]))
        out: list = [head]
    else:
        out = list(title)
    rows = [
        ["Patient ID", context.patient_id or "-", "Name", context.patient_name or "-"],
        ["Date of birth", context.date_of_birth or "-", "Sex", context.sex or "-"],
        ["Clinician", context.clinician or "(not signed)", "Assessment date", context.assessment_date],
    ]
    w = width / 4
    out += [Spacer(1, 4), _table(rows, [w * 0.7, w * 1.3, w * 0.8, w * 1.2], header=False, extra=[
        ("BACKGROUND", (0, 0), (0, -1), LIGHT), ("BACKGROUND", (2, 0), (2, -1), LIGHT),
        ("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold"), ("FONTNAME", (2, 0), (2, -1), "Helvetica-Bold"),
    ])]
    return out


def _grade_section(a: Mapping, context: ReportContext, s: dict, width: float) -> list:
    measured = a.get("measured", {})
    confirmed = context.confirmed_grade
    probabilities = a.get("probabilities", {})
    top = max(probabilities.values()) if probabilities else 0.0
    box_title = "Confirmed grade" if confirmed else "Model's grade (not yet confirmed)"
    box = [
        _p(box_title, s["caption"]),
        _p(confirmed or a.get("grade", "-"), s["big"]),
        _p(f"by {context.clinician}" if confirmed and context.clinician else ("review and confirm before use" if not confirmed else ""), s["caption"]),
    ]
    mf = measured.get("function_percent")
    summary = [
        ["Network grade", f"{a.get('grade', '-')} ({100 * top:.0f} %)"],
        ["Measured grade", f"{measured.get('grade') or '-'}" + (f" ({mf:.0f} % function, House's measure)" if mf is not None else "")],
        ["Affected side", SIDE_WORDS.get(a.get("affected_side", "none"), str(a.get("affected_side")))],
    ]
    if confirmed and confirmed != a.get("grade"):
        summary.append(["Clinician override", f"network said {a.get('grade')}, clinician confirmed {confirmed}"])
    summary_table = Table([[_p(k, s["cellb"]), _p(v, s["cell"])] for k, v in summary], colWidths=[28 * mm, 52 * mm])
    summary_table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, GRID), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    chart = probability_chart(probabilities, highlight=a.get("grade"), width=width - 40 * mm - 82 * mm, height=105)
    row = Table([[box, summary_table, chart]], colWidths=[40 * mm, 82 * mm, width - 122 * mm])
    row.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BOX", (0, 0), (0, 0), 1.2, HIGHLIGHT),
        ("BACKGROUND", (0, 0), (0, 0), colors.HexColor("#fff6ea")),
    ]))
    return [Paragraph("Grade", s["h2"]), row]


def _measured_section(a: Mapping, s: dict, width: float) -> list:
    measured = a.get("measured", {})
    regions = measured.get("regions", {})
    out: list = [Paragraph("Measured regional function (from the parsing masks, each expression against rest)", s["h2"])]
    if not regions:
        out.append(_p("Not available: " + "; ".join(measured.get("notes", [])) if measured.get("notes") else "Not available.", s["body"]))
        return out
    rows = [["Region", "Expression", "Left", "Right", "Ratio", "Function", "Note"]]
    for r in regions.values():
        percent = r.get("percent")
        rows.append([
            r.get("label", r.get("name")), EXPRESSION_TITLES.get(r.get("expression"), r.get("expression")),
            _fmt(r.get("left")), _fmt(r.get("right")), _fmt(r.get("ratio")),
            "-" if percent is None else f"{percent:.0f} %",
            _p(r.get("note") or ("weaker: " + r["weaker_side"] if r.get("weaker_side") else ""), s["cell"]),
        ])
    widths = [30 * mm, 26 * mm, 15 * mm, 15 * mm, 24 * mm, 17 * mm]
    widths.append(width - sum(widths))
    out.append(_table(rows, widths))
    out.append(Spacer(1, 3))
    out.append(_p(
        "Movements in units of the inter-eye distance (eye closure: closed share of the rest opening); "
        "ratio = weaker side / stronger side. "
        "Left and right are the patient's sides. " + str(measured.get("method", "")), s["small"]))
    shown = {r.get("label") for r in regions.values()}
    for note in measured.get("notes", []):
        if note.split(":")[0] not in shown:  # region notes are already in the table
            out.append(_p("Note: " + note, s["small"]))
    return out


def _flags_section(a: Mapping, s: dict) -> list:
    flags = a.get("flags", [])
    out: list = [Paragraph("Review flags", s["h2"])]
    if not flags:
        out.append(_p("None.", s["body"]))
    for f in flags:
        out.append(Paragraph(f"<b>{escape(f.get('code', ''))}</b>: {escape(f.get('message', ''))}", s["body"]))
    return out


def _hb_section(grade: str, s: dict, width: float) -> list:
    rows = [["Grade", "Description", "Gross", "At rest", "Motion"]]
    for g, description, gross, rest, motion in HB_TABLE:
        style = s["cellb"] if g == grade else s["cell"]
        rows.append([_p(g, style), _p(description, style), _p(gross, style), _p(rest, style), _p(motion, style)])
    widths = [13 * mm, 27 * mm, 56 * mm, 24 * mm]
    widths.append(width - sum(widths))
    extra = []
    if grade in GRADES:
        i = GRADES.index(grade) + 1
        extra = [("BACKGROUND", (0, i), (-1, i), colors.HexColor("#ffe2b8")), ("BOX", (0, i), (-1, i), 1.2, HIGHLIGHT)]
    return [
        Paragraph("House-Brackmann grading system (Wang et al. 2019, Table 1)", s["h2"]),
        _table(rows, widths, extra=extra),
        _p(f"Highlighted: grade {grade}.", s["small"]),
    ]


def _history_table(history: Sequence[HistoryPoint], s: dict, width: float) -> Table:
    rows = [["Date", "Grade", "Measured function"]]
    rows += [[p.date, p.grade, "-" if p.function_percent is None else f"{p.function_percent:.0f} %"] for p in history]
    return _table(rows, [35 * mm, 20 * mm, 35 * mm])


def _model_section(model: Mapping, s: dict, width: float) -> list:
    training = model.get("training_data")
    rows = [
        ["Model", f"{model.get('name', '-')} (configuration {model.get('config', '-')})"],
        ["SHA-256", model.get("sha256") or "not from a file (untrained or in-memory network)"],
        ["Training data", _p(describe_training(training), s["cell"])],
    ]
    table = _table(rows, [28 * mm, width - 28 * mm], header=False, extra=[("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold"), ("BACKGROUND", (0, 0), (0, -1), LIGHT)])
    return [Paragraph("Model", s["h2"]), table, Spacer(1, 6), _p(DISCLAIMER, s["body"])]


def _as_jpeg(path: Path) -> io.BytesIO | str:
    """The image as in-memory JPEG: ReportLab embeds JPEG as is, while PNG pixels are
    zlib-compressed again (about 12 ms per photo on the 2-core machine)."""
    if path.suffix.lower() in (".jpg", ".jpeg"):
        return str(path)
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    ok, data = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 90]) if bgr is not None else (False, None)
    return io.BytesIO(data.tobytes()) if ok else str(path)


def _photo_section(a: Mapping, images: Mapping, s: dict, width: float) -> list:
    expressions = [e for e in EXPRESSIONS if e in a.get("expressions", {})]
    if not expressions:
        return []
    out: list = [Paragraph("Expression photos, segmentation and attention", s["h2"])]
    # Photo, segmentation (with its legend panel, wider by LEGEND_WIDTH) and attention at one scale.
    seg_ratio = (256 + LEGEND_WIDTH) / 256
    first = images.get(expressions[0], {})
    if first.get("photo") and first.get("segmentation") and Path(first["segmentation"]).is_file():
        seg_shape = cv2.imread(str(first["segmentation"]), cv2.IMREAD_UNCHANGED).shape
        seg_ratio = seg_shape[1] / seg_shape[0]
    cell = (width - 8 * mm) / (2 + seg_ratio)
    for e in expressions:
        info = a["expressions"][e]
        files = images.get(e, {})
        row = []
        for kind, w in (("photo", cell), ("segmentation", cell * seg_ratio), ("attention", cell)):
            f = files.get(kind)
            if f and Path(f).is_file():
                img = Image(_as_jpeg(Path(f)))
                ratio = img.imageHeight / img.imageWidth
                img.drawWidth, img.drawHeight = w, w * ratio
                row.append(img)
            else:
                row.append(_p(f"({kind} not available)", s["caption"]))
        probs = info.get("probabilities", {})
        top = max(probs, key=probs.get) if probs else "-"
        q = info.get("quality", {})
        failed = [k for k, c in q.get("checks", {}).items() if not c.get("passed")]
        caption = (
            f"{EXPRESSION_TITLES.get(e, e)}: network grade {top} ({100 * probs.get(top, 0):.0f} %); "
            f"quality {'passed' if q.get('passed') else 'failed: ' + ', '.join(failed)}"
        )
        grid = Table([row], colWidths=[cell + 2 * mm, cell * seg_ratio + 2 * mm, cell + 2 * mm])
        grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 1), ("RIGHTPADDING", (0, 0), (-1, -1), 1)]))
        out.append(KeepTogether([_p(caption, s["body"]), grid, Spacer(1, 5)]))
    return out
