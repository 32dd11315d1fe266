"""The PDF report's text: any script, no control characters or boxes, literal markup, text
that wraps or is shortened inside its space, notes with their line breaks, unreadable
images, and the grade history's time axis."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from pypdf import PdfReader
from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Circle, Group, String, UserNode, mmult, transformPoint
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics

from app.report import fonts
from app.report.charts import MAX_DATE_LABELS, HistoryPoint, history_chart
from app.report.pdf import MARGIN, PAGE_H, PAGE_W, ReportContext, header_line, write_report
from models.errors import InputError
from models.labels import GRADES
from models.pipeline.overlays import save_png

BODY = {
    "grade": "III",
    "probabilities": {"II": 0.3, "III": 0.7},
    "affected_side": "left",
    "expressions": {"rest": {"probabilities": {"III": 0.7}, "quality": {"passed": True}}},
}
HEADER_Y = PAGE_H - 10.5 * mm


@dataclass
class Run:
    """One piece of text as drawn on a page: where it starts and ends (points)."""

    page: int
    text: str
    x: float
    y: float
    end: float


def _runs(path: Path) -> list[Run]:
    """Every text piece of the PDF with its position and drawn width."""
    runs: list[Run] = []
    for number, page in enumerate(PdfReader(str(path)).pages, 1):

        def visit(text, cm, tm, font_dict, font_size, number=number):  # noqa: ANN001, ANN202 - pypdf's callback
            if not text.strip() or font_dict is None:
                return
            x = cm[0] * tm[4] + cm[2] * tm[5] + cm[4]
            y = cm[1] * tm[4] + cm[3] * tm[5] + cm[5]
            base = str(font_dict.get("/BaseFont", "/Helvetica")).lstrip("/").split("+")[-1]
            font = base if base in pdfmetrics.getRegisteredFontNames() or base in pdfmetrics.standardFonts else fonts.FONT
            width = pdfmetrics.stringWidth(text.rstrip("\n"), font, font_size * abs(cm[0]) * abs(tm[0] or 1))
            runs.append(Run(number, text.rstrip("\n"), x, y, x + width))

        page.extract_text(visitor_text=visit)
    return runs


def _text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def _report(tmp_path: Path, name: str = "r.pdf", body: dict | None = None, images: dict | None = None, **context) -> Path:  # noqa: ANN003
    return write_report(tmp_path / name, body or BODY, ReportContext(assessment_date="2026-11-24", **context), images)


# --- fonts and text cleaning -------------------------------------------------------------


def test_fonts_are_bundled_and_found_when_frozen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for file in fonts.FONT_FILES.values():
        assert (fonts.fonts_dir() / file).is_file()
    assert (fonts.fonts_dir() / "LICENSE-DejaVu.txt").is_file()
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert fonts.fonts_dir() == tmp_path / "resources" / "fonts"


def test_non_latin_names_print_as_text_in_embedded_fonts(tmp_path: Path) -> None:
    path = _report(
        tmp_path, clinic_name="Klinika Łódź", patient_id="ĞÜR-7", patient_name="Иванова Γεωργία Łukasz",
        clinician="王秀英 / 김민수", notes="Пациентка: улучшение. 患者好转。 محمد",
    )
    text = _text(path)
    for needle in ("Klinika Łódź", "ĞÜR-7", "Иванова Γεωργία Łukasz", "Пациентка: улучшение.", "王秀英", "患者好转。", "김민수"):
        assert needle in text, needle
    assert set(fonts.visual_order("محمد")) <= set(text)  # joined and reordered (tests/assess/test_report_rtl.py)
    assert "?" not in text  # every one of these characters has a font
    page_fonts = PdfReader(str(path)).pages[0]["/Resources"]["/Font"]
    used = {str(f.get_object()["/BaseFont"]).lstrip("/").split("+")[-1]: f.get_object() for f in page_fonts.values()}
    assert {"DejaVuSans", "DejaVuSans-Bold", fonts.CJK_FONT} <= set(used)
    for name in ("DejaVuSans", "DejaVuSans-Bold"):  # embedded (subset), not left to the reader
        descendant = used[name]
        descriptor = descendant.get("/FontDescriptor") or descendant["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert "/FontFile2" in descriptor.get_object()


def test_clean_text_drops_controls_and_marks_uncovered_characters() -> None:
    assert fonts.clean_text("Ann\x00e\x1b\u200b\u202eX\u202c\tY\ufeff") == "AnneX Y"
    assert fonts.clean_text("a\nb\r\nc") == "a b c"
    assert fonts.clean_text("a\nb\r\nc\u2028d", multiline=True) == "a\nb\nc\nd"
    assert fonts.clean_text("unicorn \U0001F984 \ue000") == "unicorn ? ?"  # emoji, private use
    assert fonts.clean_text("Zoe\u0308") == "Zoë"  # decomposed accents composed


def test_control_characters_and_emoji_do_not_reach_the_pdf(tmp_path: Path) -> None:
    path = _report(
        tmp_path, patient_name="Ann\x00e\x1b[31m\u200bX\tY", clinician="Dr\x0cZ",
        notes="a\x01b \u202eRTL\u202c unicorn \U0001F984 tab\there",
    )
    text = _text(path)
    assert "Anne[31mX Y" in text and "Dr Z" in text
    assert "ab RTL unicorn ? tab here" in text
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f\u200b\u202a-\u202e\ufeff]", text)


def test_markup_like_text_prints_literally(tmp_path: Path) -> None:
    path = _report(
        tmp_path, clinic_name="<b>Clinic & Co</b>", patient_id="<b>P&1", patient_name="<b>unclosed",
        clinician="a & b < c", notes="<font size=80>BIG</font> &amp; <br/> 王<i>秀",
    )
    text = " ".join(_text(path).split())
    for needle in ("<b>Clinic & Co</b>", "<b>P&1", "<b>unclosed", "a & b < c", "<font size=80>BIG</font> &amp; <br/> 王<i>秀"):
        assert needle in text, needle


# --- space: cells, running header --------------------------------------------------------


def test_long_id_name_and_clinician_wrap_inside_the_page(tmp_path: Path) -> None:
    name = "Maria Fernanda Rodríguez-Villanueva de la Cruz"
    path = _report(tmp_path, patient_id="M" * 64, patient_name=name, clinician="Dr " + "B" * 197,
                   clinic_name="Department of Otorhinolaryngology, Head and Neck Surgery, University Hospital")
    runs = _runs(path)
    for run in runs:
        assert MARGIN - 1 <= run.x and run.end <= PAGE_W - MARGIN + 1, run
    table = [r for r in runs if r.page == 1 and r.y < HEADER_Y - 5]

    def lines(part: str) -> set[int]:
        return {round(r.y) for r in table if part in r.text}

    # Each of the three values takes more than one line of its cell.
    assert len(lines("MMMM")) >= 2 and len(lines("BBBB")) >= 2
    assert lines("Maria") and lines("Cruz") and lines("Maria") != lines("Cruz")


def test_running_header_is_shortened_with_an_ellipsis(tmp_path: Path) -> None:
    width = PAGE_W - 2 * MARGIN
    clinic = "Department of Otorhinolaryngology, Head and Neck Surgery, University Hospital"
    left, right = header_line(clinic, "MRN-0012345678 Maria Fernanda Rodríguez-Villanueva de la Cruz", "2024-12-01", width)
    assert left.endswith("…") and right.endswith("…  2024-12-01") and right.startswith("MRN-0012345678 Maria")
    assert fonts.text_width(left, 8, bold=True) + fonts.text_width(right, 8) <= width - 6 * mm
    # A short side stays whole and leaves its room to the other.
    left, right = header_line("Riverside ENT", "P1 " + "Maximiliana " * 20, "2024-12-01", width)
    assert left == "Riverside ENT" and right.endswith("…  2024-12-01")
    assert header_line("Riverside ENT", "P1 Jane Roe", "2024-12-01", width) == ("Riverside ENT", "P1 Jane Roe  2024-12-01")

    path = _report(tmp_path, clinic_name=clinic, patient_id="P1", patient_name="Maximiliana Wilhelmina Theodora " * 7)
    for page in (1, 2):
        header = sorted((r for r in _runs(path) if r.page == page and abs(r.y - HEADER_Y) < 1), key=lambda r: r.x)
        assert header[0].x >= MARGIN - 0.5 and header[-1].end <= PAGE_W - MARGIN + 0.5
        assert all(a.end <= b.x for a, b in zip(header, header[1:], strict=False)), header  # nothing overprinted
        assert "…" in "".join(r.text for r in header) and "2026-11-24" in header[-1].text


# --- notes -------------------------------------------------------------------------------


def test_notes_keep_their_line_breaks_and_paragraph_gaps(tmp_path: Path) -> None:
    path = _report(tmp_path, notes="first line\nsecond line\n\n\n\nnew paragraph")
    y = {r.text.strip(): r.y for r in _runs(path) if r.text.strip() in ("first line", "second line", "new paragraph")}
    assert set(y) == {"first line", "second line", "new paragraph"}
    line = y["first line"] - y["second line"]
    assert line > 5  # the next line, below
    assert y["second line"] - y["new paragraph"] == pytest.approx(2 * line)  # one blank line between paragraphs


# --- images ------------------------------------------------------------------------------


def test_unreadable_logo_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "logo.png"
    bad.write_bytes(b"\x89PNG not really")
    with pytest.raises(InputError, match="choose another logo in Settings") as caught:
        _report(tmp_path, clinic_logo=str(bad))
    assert str(bad) in str(caught.value)
    good = save_png(np.full((40, 120, 3), (20, 90, 160), np.uint8), tmp_path / "good.png")
    truncated = tmp_path / "truncated.png"
    truncated.write_bytes(good.read_bytes()[:60])
    with pytest.raises(InputError, match="truncated.png"):
        _report(tmp_path, clinic_logo=str(truncated))
    # set in Settings, then deleted: it was left out without a word
    with pytest.raises(InputError, match="gone.png is missing; choose it again in Settings"):
        _report(tmp_path, clinic_logo=str(tmp_path / "gone.png"))


@pytest.mark.parametrize("suffix", [".png", ".jpg"])
def test_damaged_photo_is_drawn_as_a_placeholder(tmp_path: Path, suffix: str) -> None:
    import cv2

    rng = np.random.default_rng(0)
    whole = [tmp_path / f"whole{i}{suffix}" for i in range(3)]
    for path in whole:
        assert cv2.imwrite(str(path), rng.integers(0, 255, (256, 256, 3), np.uint8))
    damaged = tmp_path / f"damaged{suffix}"
    damaged.write_bytes(whole[0].read_bytes()[: whole[0].stat().st_size // 3])
    body = {**BODY, "expressions": {e: BODY["expressions"]["rest"] for e in ("rest", "close_eyes")}}
    images = {"rest": {"photo": damaged, "attention": whole[1]}, "close_eyes": {"photo": whole[2]}}
    path = _report(tmp_path, body=body, images=images)
    text = _text(path)
    assert "photo unreadable" in text and text.count("photo unreadable") == 1
    assert sum(len(page.images) for page in PdfReader(str(path)).pages) == 2  # the readable ones


def test_photo_heading_is_never_left_alone_at_the_foot_of_a_page(tmp_path: Path) -> None:
    """Notes of growing length push the photo section down line by line; wherever the page
    breaks, the heading is on the page of the first photo block."""
    photo = save_png(np.full((256, 256, 3), 128, np.uint8), tmp_path / "photo.png")
    images = {"rest": {"photo": photo}}
    for lines in range(0, 80, 4):
        path = _report(tmp_path, name=f"r{lines}.pdf", images=images, notes="\n".join(["line"] * (lines + 1)))
        pages = [page.extract_text() for page in PdfReader(str(path)).pages]
        heading = next(i for i, t in enumerate(pages) if "Expression photos, segmentation and attention" in t)
        assert "Rest: this photo alone III" in pages[heading], lines


# --- grade history chart -----------------------------------------------------------------


def _weekly(n: int) -> list[HistoryPoint]:
    start = date(2024, 1, 1)
    return [HistoryPoint((start + timedelta(days=7 * i)).isoformat(), GRADES[5 - min(i * 6 // n, 5)], 10.0 + i) for i in range(n)]


def _placed(drawing) -> list[tuple[object, float, float]]:  # noqa: ANN001
    """Every primitive shape the drawing draws (widgets such as labels and markers expanded),
    with its anchor point in drawing coordinates (x, y; circles: centre)."""
    out = []

    def walk(node, transform):  # noqa: ANN001, ANN202
        if isinstance(node, UserNode):
            node = node.provideNode()
        if isinstance(node, Group):
            transform = mmult(transform, node.transform)
            for child in node.contents:
                walk(child, transform)
            return
        x, y = (node.cx, node.cy) if isinstance(node, Circle) else (getattr(node, "x", 0.0), getattr(node, "y", 0.0))
        out.append((node, *transformPoint(transform, (x, y))))

    walk(drawing, (1, 0, 0, 1, 0, 0))
    return out


def _date_labels(drawing) -> list[tuple[String, float]]:  # noqa: ANN001
    """(label, x) of the chart's date labels, left to right."""
    found = [(s, x) for s, x, _ in _placed(drawing) if isinstance(s, String) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", s.text)]
    return sorted(found, key=lambda item: item[1])


def _marker_xs(drawing) -> list[float]:  # noqa: ANN001
    return sorted(x for shape, x, _ in _placed(drawing) if isinstance(shape, Circle))


@pytest.mark.parametrize("visits", [1, 2, 60])
def test_history_chart_draws_at_most_eight_dates_that_do_not_overlap(visits: int) -> None:
    drawing = history_chart(_weekly(visits), width=500, height=160)
    assert renderPDF.drawToString(drawing).startswith(b"%PDF")
    labels = _date_labels(drawing)
    assert len(labels) == min(visits, 2) or 2 < len(labels) <= MAX_DATE_LABELS
    assert labels[0][0].text == "2024-01-01"
    assert visits < 2 or labels[-1][0].text == _weekly(visits)[-1].date  # the latest visit is named
    for (a, ax), (b, bx) in zip(labels, labels[1:], strict=False):
        assert bx - ax > pdfmetrics.stringWidth(a.text, a.fontName, a.fontSize), (a.text, b.text)  # no overlap
    assert len(_marker_xs(drawing)) == visits


def test_history_chart_spaces_visits_by_time() -> None:
    history = [HistoryPoint("2024-01-01", "V"), HistoryPoint("2024-01-08", "IV"), HistoryPoint("2024-12-03", "II")]
    xs = _marker_xs(history_chart(history))
    assert len(xs) == 3
    assert (xs[1] - xs[0]) / (xs[2] - xs[1]) == pytest.approx(7 / 330, rel=1e-6)


def test_history_chart_reads_stored_timestamps_and_skips_unknown_grades() -> None:
    history = [HistoryPoint("2024-01-01T10:00:00+00:00", "V"), HistoryPoint("2024-01-31", ""), HistoryPoint("2024-03-01", "IV")]
    drawing = history_chart(history)
    assert len(_marker_xs(drawing)) == 2
    assert _date_labels(drawing)[-1][0].text == "2024-03-01"


def test_history_chart_draws_two_visits_of_one_day_as_two_points_under_one_date() -> None:
    # a morning and an afternoon visit of one day shared one x: a vertical line, or one marker
    history = [HistoryPoint("2024-01-01", "V"), HistoryPoint("2024-01-08T11:00:00+00:00", "IV"),
               HistoryPoint("2024-01-08T13:00:00+00:00", "III")]
    drawing = history_chart(history)
    xs = _marker_xs(drawing)
    assert len(xs) == 3 and xs[0] < xs[1] < xs[2]
    assert 0.01 < (xs[2] - xs[1]) / (xs[1] - xs[0]) < 0.015  # two hours against about a week
    assert [label.text for label, _ in _date_labels(drawing)].count("2024-01-08") == 1


def test_history_chart_keeps_two_visits_in_the_hour_repeated_at_the_end_of_summer_time(in_time_zone) -> None:
    # St John's left summer time at 04:30 UTC on 2026-11-01: 04:20 and 04:40 UTC read 01:50 and
    # 01:10 local (naive local times put the later visit first)
    from app.report.charts import history_positions

    in_time_zone("America/St_Johns")
    xs = history_positions([HistoryPoint("2026-11-01T04:20:00+00:00", "IV"),
                            HistoryPoint("2026-11-01T04:40:00+00:00", "III")])
    assert xs == pytest.approx([0.0, 20 / 1440])


def test_a_very_long_clinic_name_beside_a_logo_is_shortened_not_fatal(tmp_path: Path) -> None:
    # a 2,000-character clinic name beside a logo failed every export with ReportLab's LayoutError
    logo = save_png(np.full((40, 120, 3), (20, 90, 160), np.uint8), tmp_path / "logo.png")
    name = "Klinik " + "Nord " * 400
    path = write_report(tmp_path / "r.pdf", {"grade": "III", "probabilities": {"III": 0.7}},
                        ReportContext(assessment_date="2026-11-24", clinic_name=name, clinic_logo=str(logo)), None)
    first = PdfReader(str(path)).pages[0].extract_text()
    assert fonts.ELLIPSIS in first and "Klinik Nord" in first
