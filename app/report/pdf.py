"""The assessment report (DESIGN §9) as a PDF, built with ReportLab from the assessment.json
body, so the GUI can rebuild a report from a stored assessment.

    write_report("report.pdf", assessment_dict, ReportContext(...), images)

`images` maps each expression to {"photo": png, "segmentation": png, "attention": png}.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
from PIL import Image as PILImage
from reportlab import rl_config
from reportlab.graphics.shapes import Drawing, Rect, String
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    Image,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

import app
from app.local_time import local_minute_zoned, parse_stamp
from app.pages.results_logic import (
    NO_MEASURED_GRADE,
    REVIEW_FLAGS,
    grade_label,
    measured_unavailable_text,
    wider_than_rest,
)
from app.report.charts import ACCENT, HIGHLIGHT, HistoryPoint, history_chart, probability_chart
from app.report.fonts import (
    FONT,
    FONT_BOLD,
    clean_text,
    draw_text,
    fit_text,
    has_rtl,
    markup,
    plain_text,
    reader_font_chars,
    register_fonts,
    script_names,
    starts_rtl,
    text_width,
    unprintable,
)
from app.report.hb_table import HB_TABLE
from app.report.model_cautions import (
    CAUTION_AMBER,
    CAUTIONS_TITLE,
    cautions_box,
    draw_page_title,
    is_demo_record,
    warning_box,
)
from models.errors import InputError
from models.labels import CLASSES, EXPRESSIONS, GRADES
from models.pipeline.flag_wording import (
    DOUBTFUL_NOTE,
    EXPRESSION_LABELS,
    doubtful_photos,
    failed_checks_text,
    measured_side,
    photo_days_text,
    review_flags,
    spaced_percent,
    top_probability_text,
)
from models.pipeline.images import ImageTooLargeError, load_image
from models.pipeline.measures import (
    HOUSE_MEASURE,
    method_in_current_words,
    movement_figure,
    restated_flags,
)
from models.pipeline.overlays import ATTENTION_NOTE, LEGEND_WIDTH, heat_blend
from models.pipeline.training_summary import describe_training

# Without ReportLab's C accelerator, ASCII85-encoding the photos in pure Python took
# 2.2 s of a 2.6 s report; binary streams are valid PDF and cost nothing.
rl_config.useA85 = 0
# ReportLab reads the user's ~/.reportlab_settings at import: the report's own choices are
# pinned, so a file left by another program cannot change how reports are written.
rl_config.pageCompression = 1

DISCLAIMER = (
    "This software supports and does not replace the clinician's judgement. The grade is a "
    "decision aid computed from photographs; the clinician confirms or overrides it."
)
DEMO_TITLE = "DEMONSTRATION MODEL \u2014 NOT FOR DIAGNOSIS"
# What the demo recipe trains on (resources/weights/demo_compact.md, "Data"): the grading
# network on synthetic patients only, the face parser (masks, measurements, overlays) on them
# and on public research photo sets; no palsy patient in either.
DOUBTFUL_MARK = "doubtful photo"  # a marked row's note; the sentence saying why is under the table
DEMO_TEXT = (
    "The grading network was trained on synthetic faces only; the face parser behind the "
    "measurements and overlays on synthetic faces and public research photo sets (Training data, "
    "below). No palsy patient was seen in training. The grades, measurements and overlays in this "
    "report demonstrate the software and must not inform a diagnosis or treatment."
)
# The one name of the measured grade's method, here and on the screens (DESIGN §7 step 4);
# the method line under the regions table says what it sums (brow + commissure).
SIDE_WORDS = {"left": "left (patient's)", "right": "right (patient's)", "none": "none"}
PAGE_W, PAGE_H = A4
MARGIN = 16 * mm
LIGHT = colors.HexColor("#f2f5f9")
GRID = colors.HexColor("#b8c4d0")
HEADER_SIZE = 8
HEADER_GAP = 6 * mm  # between the clinic name and the patient on the running header
WARNING_RED = colors.HexColor("#b00020")
WARNING_FILL = colors.HexColor("#fdecee")
LOGO_MAX_PX = 600  # the embedded logo's longer side (40 mm wide at 380 dpi)
CLINIC_NAME_LINES = 3  # the clinic name's width in title lines, shortened with "…" past it (word wrap may add one)
NOT_RECORDED = "not recorded"  # a patient field left blank, as the patient form says it
# the grade history's table lists the last visits (this one, the newest, among them); the chart
# shows them all: a 500-visit patient's report printed 10 pages of visits
HISTORY_TABLE_VISITS = 20
EMPTY_CELL = "\u2013"  # en dash: the history page's mark for a visit without a grade or a measure


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
    confirmed_at: str = ""  # when the grade was (last) confirmed, a stored UTC timestamp; "" when not known
    notes: str = ""
    history: Sequence[HistoryPoint] = ()
    registered_side: str = "unknown"  # the patient form's affected side: unknown, left, right, none
    demo_model: bool = False  # the caller knows the weights are the demo's (the record is asked too)
    assessment_id: int | None = None  # its number in the data folder (None: not stored, `palsy assess`)
    # first and last local day the photos were taken (None: not known, `palsy assess`); when
    # known, the report is dated by them, not by the draft's start
    photo_days: tuple[str, str] | None = None
    photos_apart: bool = False  # taken in two sittings (`local_time.photos_apart`): flagged for review

    @property
    def report_date(self) -> str:
        """The date the report gives: the photos' day(s) when known, else the assessment date."""
        return photo_days_text(self.photo_days) if self.photo_days else self.assessment_date


def shows_demo_warning(context: ReportContext, model: Mapping | None) -> bool:
    """Whether a report (and `palsy assess`'s summary) carries the demonstration warning: the
    caller knows the weights are the demo's, or the model record names them."""
    return context.demo_model or is_demo_record(model)


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    base = getSampleStyleSheet()

    def style(name: str, parent: str, bold: bool = False, **kw: object) -> ParagraphStyle:
        return ParagraphStyle(name, parent=base[parent], fontName=FONT_BOLD if bold else FONT, **kw)

    return {
        "title": style("title", "Title", True, fontSize=16, leading=19, spaceAfter=2, alignment=0),
        "h2": style("h2", "Heading2", True, fontSize=11.5, leading=14, spaceBefore=8, spaceAfter=4, textColor=ACCENT),
        "body": style("body", "BodyText", fontSize=8.5, leading=10.5),
        "small": style("small", "BodyText", fontSize=7, leading=8.5, textColor=colors.HexColor("#444444")),
        "cell": style("cell", "BodyText", fontSize=7.2, leading=8.6),
        "cellb": style("cellb", "BodyText", True, fontSize=7.2, leading=8.6),
        "value": style("value", "BodyText", fontSize=7.5, leading=9),  # text cells that may wrap
        "label": style("label", "BodyText", True, fontSize=7.5, leading=9),
        "big": style("big", "BodyText", True, fontSize=22, leading=26, alignment=TA_CENTER),
        "caption": style("caption", "BodyText", fontSize=7.5, leading=9, alignment=TA_CENTER),
        "warning_title": style("warning_title", "BodyText", True, fontSize=10, leading=12.5, textColor=WARNING_RED),
        "warning": style("warning", "BodyText", fontSize=8, leading=10, textColor=WARNING_RED),
    }


def _p(text: object, style: ParagraphStyle, multiline: bool = False, width: float | None = None) -> Paragraph:
    """A paragraph that prints `text` literally (cleaned, escaped; see fonts.markup). User text
    gives the `width` of its table cell or frame: a right-to-left line longer than that is
    broken in reading order first (its wrapped lines printed last first, a long Arabic name
    garbled; the 6 pt paddings either side left out), measured in the style's own face."""
    wrap_width = None if width is None else width - 12
    bold = style.fontName == FONT_BOLD
    return Paragraph(markup(text, multiline, wrap_width=wrap_width, size=style.fontSize, bold=bold), style)


def _aligned(text: str, style: ParagraphStyle) -> ParagraphStyle:
    """`style`, right-aligned when `text` starts right to left: a wrapped line then starts
    where its reader starts reading."""
    if starts_rtl(text):
        return ParagraphStyle(f"{style.name}_rtl", parent=style, alignment=TA_RIGHT)
    return style


def _notes(notes: str | None, style: ParagraphStyle, width: float) -> Paragraph:
    """The clinician's notes: right-to-left ones right-aligned, their long lines broken in
    reading order (`fonts.markup`'s `wrap_width`; the frame's 6 pt paddings left out)."""
    text = notes if (notes or "").strip() else "No notes."
    return _p(text, _aligned(text, style), multiline=True, width=width)


def _fmt(value: object, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _movement_cell(value: object, region: str) -> str:
    """A region's movement as the results page shows it (`movement_figure`)."""
    return movement_figure(value, region) if isinstance(value, float) else _fmt(value)


def _table(rows: list[list], widths: Sequence[float], header: bool = True, extra: Sequence[tuple] = ()) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("FONTSIZE", (0, 0), (-1, -1), 7.5),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    if header:
        style += [("BACKGROUND", (0, 0), (-1, 0), LIGHT), ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD)]
    table.setStyle(TableStyle(style + list(extra)))
    return table


class _NumberedCanvas(Canvas):
    """A canvas that numbers the pages "page N of M" once it knows M: each finished page is
    kept until the document is saved, then drawn with its number (ReportLab's two-pass
    pattern). A missing page of a printed report is then evident (auditor a3, F4). The number
    is drawn last on the page, after the running header and footer."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003 - ReportLab's canvas signature
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self) -> None:  # noqa: N802 - ReportLab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            self.setFont(FONT, 7)
            self.setFillColor(colors.HexColor("#555555"))
            self.drawRightString(PAGE_W - MARGIN, 6.2 * mm, page_number_text(self._pageNumber, total))
            super().showPage()
        super().save()


def page_number_text(page: int, total: int) -> str:
    """The footer's page number: "page 2 of 4"."""
    return f"page {page} of {total}"


class _Page:
    """Header line and footer (disclaimer; the page number is `_NumberedCanvas`'s) drawn on every page, after its story:
    text extraction and screen readers without tags follow the drawing order, and read the
    footer before the title when it came first (accessibility audit, 2026-12-07)."""

    def __init__(self, context: ReportContext, model_name: str, demo: bool = False, cautioned: bool = False) -> None:
        self.context, self.model_name, self.demo, self.cautioned = context, model_name, demo, cautioned

    def __call__(self, canvas, doc) -> None:  # noqa: ANN001 - ReportLab callback signature
        canvas.saveState()
        canvas.setStrokeColor(ACCENT)
        canvas.setLineWidth(0.8)
        canvas.line(MARGIN, PAGE_H - 12 * mm, PAGE_W - MARGIN, PAGE_H - 12 * mm)
        c = self.context
        left, right = header_line(c.clinic_name, f"{c.patient_id} {c.patient_name}", c.report_date, PAGE_W - 2 * MARGIN)
        draw_text(canvas, MARGIN, PAGE_H - 10.5 * mm, left, HEADER_SIZE, bold=True)
        draw_text(canvas, PAGE_W - MARGIN, PAGE_H - 10.5 * mm, right, HEADER_SIZE, align="right")
        canvas.setFont(FONT, 6.8)
        canvas.setFillColor(colors.HexColor("#555555"))
        first, rest = _split_to_width(DISCLAIMER, PAGE_W - 2 * MARGIN - 15 * mm, canvas, FONT, 6.8)
        canvas.drawString(MARGIN, 9 * mm, first)
        canvas.drawString(MARGIN, 6.2 * mm, rest)
        if self.demo:  # a page printed or copied alone still says it
            draw_page_title(canvas, PAGE_W / 2, PAGE_H - 15 * mm, DEMO_TITLE, WARNING_RED)
        elif self.cautioned:  # a clinic's own weights: not validated, on every page too
            draw_page_title(canvas, PAGE_W / 2, PAGE_H - 15 * mm, CAUTIONS_TITLE, CAUTION_AMBER)
        canvas.restoreState()


def header_line(clinic: str, who: str, day: str, width: float, size: float = HEADER_SIZE) -> tuple[str, str]:
    """The running header's left (clinic, bold) and right (patient and date) texts, each
    shortened with an ellipsis so that both fit `width` points with a gap between them.

    A side that is short keeps its length and leaves the rest to the other; when both are
    long each gets half. The date stays whole; the patient is shortened before it.
    """
    left = clean_text(clinic).strip()
    who, day = " ".join(clean_text(who, keep_marks=True).split()), clean_text(day).strip()
    # After an Arabic name the bidi algorithm would print 2026-11-24 as 24-11-2026: a
    # left-to-right mark before it keeps its digits in order.
    shown_day = f"\u200e{day}" if day and has_rtl(who) else day
    right = f"{who}  {shown_day}".strip()
    room = width - HEADER_GAP
    left_w, right_w = text_width(left, size, bold=True), text_width(right, size)
    if left_w + right_w <= room:
        return left, right
    if left_w <= room / 2:
        left_room = left_w
    elif right_w <= room / 2:
        left_room = room - right_w
    else:
        left_room = room / 2
    right_room = room - left_room
    left = fit_text(left, left_room, size, bold=True)
    day_w = text_width(f"  {day}", size)
    if who and day and day_w < right_room:
        right = f"{fit_text(who, right_room - day_w, size)}  {shown_day}".strip()
    else:
        right = fit_text(right, right_room, size)
    return left, right


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
    demo = shows_demo_warning(context, model)
    subject, keywords = _record_info(context)
    doc = BaseDocTemplate(
        str(path), pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=16 * mm, bottomMargin=15 * mm,
        # the properties need no font: the ID and clinic stay whole there when the page shows "?"
        title=plain_text(f"Facial palsy assessment {context.patient_id}").strip(), author=plain_text(context.clinic_name),
        subject=subject, keywords=keywords, creator=f"Palsy Grader {app.version_text()}",
        lang="en",  # the catalog's /Lang: a screen reader picks its voice by it
    )
    width = PAGE_W - 2 * MARGIN
    story: list = []
    story += _header(context, assessment, s, width)
    if demo:
        story += [Spacer(1, 5), _demo_warning(s, width)]
    cautions = cautions_box(model, width)
    if cautions is not None:
        story += [Spacer(1, 5), cautions]
    story += _grade_section(assessment, context, s, width)
    story += _measured_section(assessment, s, width)
    story += _flags_section(assessment, context, s)
    story.append(KeepTogether(_hb_section(_shown_grade(assessment, context), s, width)))
    if context.history:
        story.append(KeepTogether([
            Paragraph("Grade history", s["h2"]),
            history_chart(list(context.history), width=width, height=160),
            *_history_table(context.history, s),
        ]))
    story.append(KeepTogether([Paragraph("Notes", s["h2"]), _notes(context.notes, s["body"], width)]))
    # the version that analysed it, where the record keeps it (the body's or its model record's `app_version`)
    analysed_by = assessment.get("app_version") or model.get("app_version")
    story.append(KeepTogether(_model_section(model, context, s, width, analysed_by)))
    story += _photo_section(assessment, images, s, width)
    page = _Page(context, str(model.get("name", "")), demo, cautions is not None)
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="normal")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPageEnd=page, pagesize=A4)])
    doc.build(story, canvasmaker=_NumberedCanvas)
    return path


def unprinted_warning(context: ReportContext) -> str:
    """What the report prints as "?" for want of a font ("the patient's name (Devanagari)"),
    what it leaves to the PDF reader's Asian fonts (blank in a reader without them), and what
    still identifies the patient; "" when it prints every letter with its own fonts. The
    report looks finished either way, so the window and `palsy assess` say it."""
    fields = (("the clinic name", context.clinic_name), ("the patient ID", context.patient_id),
              ("the patient's name", context.patient_name), ("the clinician's name", context.clinician),
              ("the notes", context.notes))
    lost, borrowed = _fields_with(fields, unprintable), _fields_with(fields, reader_font_chars)
    if not lost and not borrowed:
        return ""
    told = [
        f"the report could not print {_listed(lost)} with the fonts it carries: it shows ? there" if lost else "",
        f"the report leaves {_listed(borrowed)} to the PDF reader's own Asian fonts: "
        "a reader without them shows nothing there" if borrowed else "",
        _identified_by(context),
    ]
    return "; ".join(filter(None, told))


def _fields_with(fields: tuple[tuple[str, object], ...], chars_of: Callable[[object], str]) -> list[str]:
    """The fields in which `chars_of` finds characters, each with their scripts ("the
    patient's name (Devanagari)")."""
    named = [(label, script_names(chars_of(text))) for label, text in fields]
    return [f"{label} ({', '.join(scripts)})" for label, scripts in named if scripts]


def _listed(items: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    return ", ".join(items[:-1]) + " and " + items[-1] if len(items) > 1 else items[0]


def _identified_by(context: ReportContext) -> str:
    """What on the report, or in its properties, still tells whose it is ("" when no ID was
    given): an ID in CJK may show blank, so it does not count."""
    patient_id = plain_text(context.patient_id).strip()
    if patient_id and not unprintable(patient_id) and not reader_font_chars(patient_id):
        return f"the patient ID {patient_id} on it identifies the patient"
    if context.assessment_id is not None:
        return f"its record number (assessment {context.assessment_id}) identifies the patient"
    return "the PDF's properties (title) keep the patient ID as typed" if patient_id else ""


def _record_info(context: ReportContext) -> tuple[str, str]:
    """The PDF's subject and keywords: the assessment's number in the records, so that a
    person holding a copy (File > Properties) can find its record."""
    subject = "House-Brackmann facial palsy assessment"
    if context.assessment_id is None:
        return subject, "Palsy Grader, House-Brackmann"
    patient = plain_text(context.patient_id).strip()
    subject += f"; Palsy Grader assessment {context.assessment_id}" + (f", patient {patient}" if patient else "")
    return subject, f"Palsy Grader, House-Brackmann, assessment {context.assessment_id}"


def _demo_warning(s: dict, width: float) -> Table:
    """The red-bordered box that says the demonstration weights made this report."""
    return warning_box([_p(DEMO_TITLE, s["warning_title"]), _p(DEMO_TEXT, s["warning"])], WARNING_RED, WARNING_FILL,
                       width)


def _sides(registered: str | None, measured: str | None) -> str:
    """"left (registered), right (measured)": the patient form's side and the photos'."""
    first = f"{registered} (registered)" if registered in ("left", "right", "none") else "not registered"
    second = f"{measured} (measured)" if measured in ("left", "right", "none") else "not measured"
    return f"{first}, {second}"


def _measured_side(assessment: Mapping) -> str | None:
    measured = assessment.get("measured")
    grade = measured.get("grade") if isinstance(measured, Mapping) else None
    return measured_side(assessment.get("affected_side"), grade)


def _shown_grade(assessment: Mapping, context: ReportContext) -> str:
    return context.confirmed_grade or assessment.get("grade", "")


def _logo(path_text: str | None) -> Image | None:
    """The clinic logo scaled into 40 x 18 mm; None when no logo is set.

    The path is typed in Settings: a file that is not a readable image stops the report
    with a message naming it, rather than with ReportLab's error from inside the build.
    What is embedded is load_image's upright 8-bit RGB (EXIF rotation applied; a 16-bit
    grey PNG, which ReportLab draws blank, converted), as a PNG at print size.
    """
    if not path_text:
        return None
    if not Path(path_text).is_file():  # chosen in Settings, then moved or deleted
        raise InputError(f"the clinic logo {path_text} is missing; choose it again in Settings, or clear the logo there.")
    try:
        # decoded completely, as a patient photo is (a truncated file fails here)
        pixels = load_image(path_text, label=f"the clinic logo {path_text}", purpose="using it as the logo")
    except ImageTooLargeError as error:
        raise InputError(f"{error}, or choose a smaller logo in Settings.") from None
    except InputError:
        raise InputError(
            f"the clinic logo {path_text} cannot be read as an image (damaged, or not a PNG or JPEG file); "
            "choose another logo in Settings."
        ) from None
    logo = Image(_logo_png(pixels))
    scale = min(18 * mm / logo.imageHeight, 40 * mm / logo.imageWidth)
    logo.drawHeight, logo.drawWidth = logo.imageHeight * scale, logo.imageWidth * scale
    return logo


def _logo_png(pixels: np.ndarray) -> io.BytesIO:
    """The logo as an in-memory PNG, shrunk to LOGO_MAX_PX on its longer side: 40 mm at
    300 dpi is 472 px, and a camera-sized logo would only make the PDF larger."""
    image = PILImage.fromarray(pixels)
    image.thumbnail((LOGO_MAX_PX, LOGO_MAX_PX), PILImage.Resampling.LANCZOS)
    data = io.BytesIO()
    image.save(data, "PNG")
    data.seek(0)
    return data


def _header(context: ReportContext, assessment: Mapping, s: dict, width: float) -> list:
    logo = _logo(context.clinic_logo)
    title_width = width - 45 * mm if logo is not None else width
    # about CLINIC_NAME_LINES lines, shortened with "…": beside a logo, a table row cannot
    # be split over pages, and a 2,000-character name failed every export (LayoutError)
    clinic = fit_text(context.clinic_name or "", CLINIC_NAME_LINES * (title_width - 12), s["title"].fontSize, bold=True)
    title = [_p(clinic, _aligned(clinic, s["title"]), width=title_width), _p("Facial palsy assessment (House-Brackmann)", s["body"])]
    if logo is not None:
        head = Table([[title, logo]], colWidths=[width - 45 * mm, 45 * mm])
        head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (1, 0), (1, 0), "RIGHT")]))
        out: list = [head]
    else:
        out = list(title)

    w = width / 4
    widths = [w * 0.7, w * 1.3, w * 0.8, w * 1.2]

    def value(text: str, empty: str, column: int = 1) -> Paragraph:  # user text: wraps inside its cell
        return _p(text or empty, s["value"], width=widths[column])

    def label(text: str) -> Paragraph:
        return _p(text, s["label"])

    rows = [
        [label("Patient ID"), value(context.patient_id, "-"), label("Name"), value(context.patient_name, "-", 3)],
        # the patient form's words for a field left blank ("-" on paper, "not recorded" on screen)
        [label("Date of birth"), value(context.date_of_birth, NOT_RECORDED), label("Sex"), value(context.sex, NOT_RECORDED, 3)],
        [label("Clinician"), value(context.clinician, "(not confirmed)"), label("Photos taken" if context.photo_days else "Assessment date"), value(context.report_date, "-", 3)],
        [label("Affected side"), value(_sides(context.registered_side, _measured_side(assessment)), "-"),
         label("Record"), value("" if context.assessment_id is None else f"assessment {context.assessment_id}", "not stored", 3)],
    ]
    out += [Spacer(1, 4), _table(rows, widths, header=False, extra=[
        ("BACKGROUND", (0, 0), (0, -1), LIGHT), ("BACKGROUND", (2, 0), (2, -1), LIGHT),
    ])]
    return out


def _grade_section(a: Mapping, context: ReportContext, s: dict, width: float) -> list:
    confirmed = context.confirmed_grade
    probabilities = a.get("probabilities", {})
    box_title = "Confirmed grade" if confirmed else "Network's grade (not yet confirmed)"
    box = [
        _p(box_title, s["caption"]),
        _p(confirmed or a.get("grade", "-"), s["big"]),
        _p(f"by {context.clinician}" if confirmed and context.clinician else ("review and confirm before use" if not confirmed else ""),
           s["caption"], width=40 * mm),
    ]
    summary = grade_summary(a, context)
    if confirmed and confirmed != a.get("grade"):
        summary.append(["Clinician override", f"network said {a.get('grade')}, clinician confirmed {confirmed}"])
    summary_table = Table([[_p(k, s["cellb"]), _p(v, s["cell"])] for k, v in summary], colWidths=[28 * mm, 52 * mm])
    summary_table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.4, GRID), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    overridden = bool(confirmed) and confirmed != a.get("grade")  # the network's bar is then not the orange box's grade
    chart = probability_chart(probabilities, highlight=a.get("grade"), width=width - 40 * mm - 82 * mm, height=105,
                              overridden=overridden)
    row = Table([[box, summary_table, chart]], colWidths=[40 * mm, 82 * mm, width - 122 * mm])
    row.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("BOX", (0, 0), (0, 0), 1.2, HIGHLIGHT),
        ("BACKGROUND", (0, 0), (0, 0), colors.HexColor("#fff6ea")),
    ]))
    return [Paragraph("Grade", s["h2"]), row]


def grade_summary(a: Mapping, context: ReportContext) -> list[list[str]]:
    """The grade box's rows beside it: each grade with its House-Brackmann name, in the results
    screen's words (`results_logic.grade_label`): the confirmed one with who and when, the
    network's with its probability so named, the measured one with its function."""
    measured = a.get("measured", {})
    probabilities = a.get("probabilities", {})
    top = max(probabilities.values()) if probabilities else 0.0
    network = a.get("grade")
    rows = []
    if context.confirmed_grade:
        rows.append(["Confirmed grade", grade_label(context.confirmed_grade) + confirmed_by_text(context)])
    # a no-break space before "%": a narrow cell put the "%" alone on the next line
    probability = f" (probability {_unbroken(spaced_percent(top_probability_text(top)))})" if probabilities else ""
    rows.append(["Network grade", (grade_label(network) if network else "-") + probability])
    grade, mf = measured.get("grade"), measured.get("function_percent")
    function = f" ({mf:.0f}\u00a0% function by {HOUSE_MEASURE})" if mf is not None else ""
    rows.append(["Measured grade", (grade_label(grade) + function) if grade else NO_MEASURED_GRADE])
    rows.append(["Measured side", SIDE_WORDS.get(_measured_side(a) or "", "not measured")])
    return rows


def _unbroken(percent: str) -> str:
    """"49.96 %" with a no-break space: the number and its "%" stay on one line."""
    return percent.replace(" %", "\u00a0%")


def confirmed_by_text(context: ReportContext) -> str:
    """", confirmed by Dr X on 2026-12-07 13:10 CET": who confirmed the grade and when (the
    local minute, its zone named), as far as the records tell; "" when neither is known."""
    who = f" by {context.clinician}" if context.clinician else ""
    when = f" on {confirmed_time(context)}" if confirmed_time(context) else ""
    return f", confirmed{who}{when}" if who or when else ""


def confirmed_time(context: ReportContext) -> str:
    """When the grade was confirmed, as the local minute with its zone; "" when not known."""
    stamp = (context.confirmed_at or "").strip()
    return local_minute_zoned(stamp) if stamp and parse_stamp(stamp) else ""


def _measured_section(a: Mapping, s: dict, width: float) -> list:
    measured = a.get("measured", {})
    regions = measured.get("regions", {})
    out: list = [Paragraph("Measured regional function (from the parsing masks, each expression against rest)", s["h2"])]
    if not regions:
        out.append(_p(measured_unavailable_text(measured.get("notes") or []), s["body"]))
        return out
    rows = [["Region", "Expression", "Left", "Right", "Ratio", "Function", "Note"]]
    doubtful = doubtful_photos(f for f in a.get("flags", []) if isinstance(f, Mapping))
    marked = []  # rows measured on a doubtful photo: tinted and marked, as on the results page
    for name, r in regions.items():
        percent = r.get("percent")
        function = "-" if percent is None else f"{percent:.0f} %"
        note = r.get("note") or ("weaker: " + r["weaker_side"] if r.get("weaker_side") else "")
        note = "; ".join(filter(None, (note, wider_than_rest(name, r.get("left"), r.get("right")))))
        if r.get("expression") in doubtful:
            function += " \u26a0"
            note = "; ".join(filter(None, (DOUBTFUL_MARK, note)))  # the whole sentence once, under the table
            marked.append(len(rows))
        rows.append([
            _p(r.get("label", r.get("name")), s["value"]), _p(EXPRESSION_LABELS.get(r.get("expression"), r.get("expression")), s["value"]),
            _movement_cell(r.get("left"), name), _movement_cell(r.get("right"), name), ratio_text(r), function,
            _p(note, s["cell"]),
        ])
    widths = [35 * mm, 25 * mm, 14 * mm, 14 * mm, 17 * mm, 17 * mm]
    widths.append(width - sum(widths))
    out.append(_table(rows, widths, extra=[("BACKGROUND", (0, i), (-1, i), WARNING_FILL) for i in marked]))
    out.append(Spacer(1, 3))
    if marked:
        out.append(_p(f"\u26a0 {DOUBTFUL_MARK}: {DOUBTFUL_NOTE}.", s["small"]))
    out.append(_p(
        "Movements in units of the inter-eye distance (eye closure: closed share of the rest opening); "
        "ratio = weaker side / stronger side. "
        "Left and right are the patient's sides. " + _method(measured.get("method")), s["small"]))
    shown = {r.get("label") for r in regions.values()}
    for note in measured.get("notes", []):
        if note.split(":")[0] not in shown:  # region notes are already in the table
            out.append(_p("Note: " + note, s["small"]))
    return out


def ratio_text(region: Mapping) -> str:
    """A region's ratio from the same rounding as its Function column: a stored 0.725 (72.5003 %)
    printed "0.72" beside "73 %"."""
    percent = region.get("percent")
    if isinstance(percent, (int, float)) and not isinstance(percent, bool):
        return f"{int(f'{percent:.0f}') / 100:.2f}"
    return _fmt(region.get("ratio"))


def _method(text: object) -> str:
    """The measure's method text, naming House's measure as the rest of the report does."""
    return method_in_current_words(text)


def _flags_section(a: Mapping, context: ReportContext, s: dict) -> list:
    """The pipeline's flags in words, and whether the patient record's affected side differs
    from the measured one."""
    # the partial-measure flag worded from the stored regions, as the table beside it reads them
    stored = restated_flags([f for f in a.get("flags", []) if isinstance(f, Mapping)], a.get("measured") or {})
    flags = review_flags(stored, context.registered_side,
                         a.get("affected_side"), context.photo_days if context.photos_apart else None)
    out: list = [Paragraph(REVIEW_FLAGS, s["h2"])]
    if not flags:
        out.append(_p("None.", s["body"]))
    for title, detail in flags:
        out.append(Paragraph(f"<b>{markup(title)}</b>: {markup(detail)}", s["body"]))
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


def _history_table(history: Sequence[HistoryPoint], s: dict) -> list:
    """The last HISTORY_TABLE_VISITS visits in the chart's order (oldest first, as the header
    says), each with its local time when the point carries a timestamp, so that two visits of
    one day differ; above them, how many earlier visits only the chart shows."""
    shown = list(history)[-HISTORY_TABLE_VISITS:]
    # header words as paragraphs: one too long for its column wraps instead of running over
    # the grid line; each column fits its header on one line as worded (bold 7.5 pt)
    rows = [[_p(text, s["label"]) for text in ("Visit, local time (oldest first)", "Confirmed grade", "Measured function")]]
    # an empty cell is an en dash, as on the history page
    rows += [[_p(_visit_time(p.date), s["value"]), _p(p.grade or EMPTY_CELL, s["value"]),
              _p(EMPTY_CELL if p.function_percent is None else f"{p.function_percent:.0f} %", s["value"])] for p in shown]
    table = _table(rows, [55 * mm, 31 * mm, 35 * mm])
    earlier = len(history) - len(shown)
    if not earlier:
        return [table]
    said = "1 earlier visit is" if earlier == 1 else f"{earlier} earlier visits are"
    return [_p(f"The last {len(shown)} of {len(history)} visits; the {said} shown in the chart.", s["small"]), table]


def _visit_time(text: str) -> str:
    """A history point's date: a stored timestamp (UTC) as local YYYY-MM-DD HH:MM with the
    zone named (a report is read elsewhere: "CET" says which clock), as the history page
    shows it; a plain date (no time recorded) as it is."""
    text = (text or "").strip()
    try:
        date.fromisoformat(text)
        return text
    except ValueError:
        return local_minute_zoned(text) if parse_stamp(text) else text


def _model_section(model: Mapping, context: ReportContext, s: dict, width: float, analysed_by: object = None) -> list:
    training = model.get("training_data")
    # the software beside the weights' name, on one line: the section keeps its height
    rows = [
        ["Model", _p(f"{model.get('name', '-')} (configuration {model.get('config', '-')})", s["cell"]),
         "Software", _p(software_text(analysed_by), s["cell"])],
        ["SHA-256", _p(model.get("sha256") or "not from a file (untrained or in-memory network)", s["cell"]), "", ""],
        ["Training data", _p(describe_training(sorted_data_sets(training)), s["cell"]), "", ""],
    ]
    value = (width - 28 * mm - 18 * mm) / 2
    table = _table(rows, [28 * mm, value, 18 * mm, value], header=False, extra=[
        ("FONTNAME", (0, 0), (0, -1), FONT_BOLD), ("BACKGROUND", (0, 0), (0, -1), LIGHT),
        ("FONTNAME", (2, 0), (2, 0), FONT_BOLD), ("BACKGROUND", (2, 0), (2, 0), LIGHT),
        ("SPAN", (1, 1), (3, 1)), ("SPAN", (1, 2), (3, 2)),
    ])
    out = [Paragraph("Model", s["h2"]), table, Spacer(1, 6), _p(DISCLAIMER, s["body"])]
    if context.confirmed_grade and context.clinician and context.assessment_id is not None:
        out += [Spacer(1, 3), _p(confirmation_statement(context), s["small"])]
    return out


def software_text(analysed: object = None) -> str:
    """The software behind the measured grade (bands, thresholds and method are code that
    changed between releases): "Palsy Grader 0.3.0 (commit abc1234)". The version that
    analysed the photos, when the record names it (`app_version`) and another one prints the
    report, is named first."""
    printing = f"Palsy Grader {app.version_text()}"
    if isinstance(analysed, str) and analysed.strip() and analysed.strip() != app.version_text():
        return f"analysed by Palsy Grader {analysed.strip()}; this report printed by {printing}"
    return printing


def sorted_data_sets(training: object) -> object:
    """The training record with its keys in name order (stages, data sets), as the records keep
    it (JSON with sorted keys): the live report listed the data sets in the training's order,
    the re-exported one of the same visit in name order (auditor a3, F6.6)."""
    if not isinstance(training, Mapping):
        return training
    try:
        return json.loads(json.dumps(training, sort_keys=True, default=str))
    except (TypeError, ValueError, RecursionError):  # keys of mixed types: as recorded
        return training


def confirmation_statement(context: ReportContext) -> str:
    """What "confirmed by" means on this report: a name entered, not a signature. The review's
    Clinician field starts with Settings' default clinician, so the name may have been accepted
    rather than typed (evaluator's audit, 2026-12-07)."""
    when = confirmed_time(context)
    return (
        f"Confirmed by {context.clinician}{f' on {when}' if when else ''}: the name entered when confirming the grade in Palsy Grader, not a "
        "handwritten or digital signature. The confirmation is in the records' audit trail, and the records keep "
        f"this file's SHA-256 with assessment {context.assessment_id}; \"palsy records verify FILE.pdf\" tells "
        "whether a copy is that stored report."
    )


def _as_jpeg(path: Path) -> io.BytesIO | str | None:
    """The image as JPEG (a path or in-memory), or None when it cannot be decoded.

    ReportLab embeds JPEG as is, while PNG pixels are zlib-compressed again (about 12 ms per
    photo on the 2-core machine). The file is decoded completely first: a stored photo
    damaged on disk (a truncated JPEG or PNG) must not abort the report from inside the build.
    """
    try:
        with PILImage.open(path) as image:
            image.load()
            if image.format == "JPEG" and image.mode in ("RGB", "L"):
                return str(path)
            rgb = image.convert("RGB")
    except (OSError, ValueError, PILImage.DecompressionBombError):  # UnidentifiedImageError is an OSError
        return None
    data = io.BytesIO()
    rgb.save(data, "JPEG", quality=90)
    data.seek(0)
    return data


def _unreadable(kind: str, width: float, height: float) -> Drawing:
    """Grey box standing in for an image file that exists but cannot be decoded."""
    box = Drawing(width, height)
    box.add(Rect(0, 0, width, height, fillColor=colors.HexColor("#d9d9d9"), strokeColor=colors.HexColor("#9a9a9a"), strokeWidth=0.6))
    box.add(String(width / 2, height / 2 - 3, f"{kind} unreadable", fontName=FONT, fontSize=8, fillColor=colors.HexColor("#444444"), textAnchor="middle"))
    return box


def _aspect(path: str | os.PathLike | None) -> float | None:
    """Width / height of an image file from its header, or None."""
    if not path or not Path(path).is_file():
        return None
    try:
        with PILImage.open(path) as image:
            w, h = image.size
    except (OSError, ValueError, PILImage.DecompressionBombError):
        return None
    return w / h if w > 0 and h > 0 else None


def _heading_row(s: dict, cell: float, seg_ratio: float) -> Table:
    """The section's heading with the attention heat's colour key beside it, over the attention
    column: one key for the attention images of a page, on the heading's line so that the photo
    rows keep their place on the pages (accessibility audit, 2026-12-07)."""
    h2 = s["h2"]
    title = Paragraph("Expression photos, segmentation and attention",
                      ParagraphStyle("h2_row", parent=h2, spaceBefore=0, spaceAfter=0))
    # the heading's spaces as the row's: the page joins them with the neighbours' as before
    row = Table([[title, _heat_key(cell)]], colWidths=[cell * (1 + seg_ratio) + 5 * mm, cell + 3 * mm])
    row.setStyle(TableStyle([
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (0, 0), 0), ("LEFTPADDING", (1, 0), (1, 0), 1),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]))
    return row


def _classes_line(s: dict) -> Paragraph:
    """The segmentation classes as text: the legend beside each image is pixels, which a screen
    reader skips."""
    classes = ", ".join(name.replace("_", " ") for name in CLASSES[1:])
    return _p(f"Segmentation classes: {classes} (each image's legend lists those found in its photo; left and right "
              "are the patient's sides: the patient's left is on the image's right). A caption's "
              "grade is the network's answer for that photo alone; the network grade is their mean.", s["small"])


def _heat_key(width: float, steps: int = 64) -> Drawing:
    """The attention heat's colour strip as the images lay it over a photo (`heat_blend`, here
    over mid-grey: the cold end is see-through), "little" under its cold end and "much
    attention" under its hot one, as PDF text."""
    key = Drawing(width, 14)  # the heading's leading: the row is no taller than the heading was
    step = width / steps
    ramp = np.linspace(0.0, 1.0, steps)[None, :]
    for i, (r, g, b) in enumerate(heat_blend(np.full((1, steps, 3), 128, np.uint8), ramp)[0]):
        colour = colors.Color(r / 255, g / 255, b / 255)
        key.add(Rect(i * step, 7.5, step + 0.3, 6, fillColor=colour, strokeColor=None))  # overlap: no hairline gaps
    key.add(Rect(0, 7.5, width, 6, fillColor=None, strokeColor=colors.HexColor("#9a9a9a"), strokeWidth=0.4))
    grey = colors.HexColor("#444444")
    key.add(String(0, 1, "little", fontName=FONT, fontSize=6.5, fillColor=grey))
    key.add(String(width, 1, "much attention", fontName=FONT, fontSize=6.5, fillColor=grey, textAnchor="end"))
    return key


def _photo_section(a: Mapping, images: Mapping, s: dict, width: float) -> list:
    expressions = [e for e in EXPRESSIONS if e in a.get("expressions", {})]
    if not expressions:
        return []
    # Photo, segmentation (with its legend panel, wider by LEGEND_WIDTH) and attention at one scale.
    first = images.get(expressions[0], {})
    seg_ratio = (first.get("photo") and _aspect(first.get("segmentation"))) or (256 + LEGEND_WIDTH) / 256
    cell = (width - 8 * mm) / (2 + seg_ratio)
    blocks: list[list] = []
    for e in expressions:
        info = a["expressions"][e]
        files = images.get(e, {})
        row = []
        for kind, w in (("photo", cell), ("segmentation", cell * seg_ratio), ("attention", cell)):
            f = files.get(kind)
            if not (f and Path(f).is_file()):
                row.append(_p(f"({kind} not available)", s["caption"]))
                continue
            source = _as_jpeg(Path(f))
            if source is None:
                row.append(_unreadable(kind, w, cell))
                continue
            img = Image(source)
            ratio = img.imageHeight / img.imageWidth
            img.drawWidth, img.drawHeight = w, w * ratio
            row.append(img)
        probs = info.get("probabilities", {})
        top = max(probs, key=probs.get) if probs else "-"
        q = info.get("quality", {})
        # what failed, said after "quality:" (with "not met" the caption of a clipped photo took two lines)
        verdict = " not recorded" if not q else " passed" if q.get("passed") else ": " + failed_checks_text(q.get("checks", {}))
        # the network's answer for this photo alone: "network grade III" under a page-1 network grade
        # of I (their mean) read as a contradiction
        caption = f"{EXPRESSION_LABELS.get(e, e)}: this photo alone {top} ({100 * probs.get(top, 0):.0f} %); quality{verdict}"
        grid = Table([row], colWidths=[cell + 2 * mm, cell * seg_ratio + 2 * mm, cell + 2 * mm])
        grid.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("LEFTPADDING", (0, 0), (-1, -1), 1), ("RIGHTPADDING", (0, 0), (-1, -1), 1)]))
        blocks.append([_p(caption, s["body"]), grid, Spacer(1, 5)])
    blocks[-1].insert(-1, _classes_line(s))  # under the last images, where a page has room (not on the heading's)
    # One table, its heading row (title, heat key, the "where it looked, not why" caveat) repeated on
    # every page its rows reach: a photo page printed alone keeps the key (auditor a3, F6.11). A row
    # (one expression) is never split, and the heading never stands alone at the foot of a page.
    heading = [_heading_row(s, cell, seg_ratio), _p(ATTENTION_NOTE, s["caption"])]
    h2 = s["h2"]
    table = Table([[heading]] + [[block] for block in blocks], colWidths=[width], repeatRows=1,
                  spaceBefore=h2.spaceBefore)
    table.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                               ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                               ("BOTTOMPADDING", (0, 0), (0, 0), h2.spaceAfter)]))
    return [table]
