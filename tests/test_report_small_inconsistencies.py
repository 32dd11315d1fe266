"""Smaller inconsistencies of the PDF report (auditor a3, F6): a row's ratio and function from
one rounding, a negative eye closure explained, the history naming its grades "confirmed", the
legend's sides the patient's, the training data in one order, chart labels that never round up
to 50, the overridden network bar not in the confirmed grade's colour, and the heat key on
every photo page, running from cold ("little") to hot as on screen."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pypdf import PdfReader
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Rect, String

from app.pages.results_logic import heat_key_colours
from app.report import charts
from app.report.charts import HIGHLIGHT, HistoryPoint, history_chart, probability_chart
from app.report.pdf import ReportContext, _heat_key, write_report
from models.labels import EXPRESSIONS, GRADES
from models.pipeline.overlays import save_png


def _region(label: str, expression: str, left: float, right: float, ratio: float, percent: float) -> dict:
    return {"label": label, "expression": expression, "left": left, "right": right, "ratio": ratio,
            "percent": percent, "weaker_side": "left", "judged": True, "note": ""}


BODY = {
    "grade": "III",
    "probabilities": {"II": 0.3, "III": 0.7},
    "affected_side": "left",
    "measured": {"grade": "III", "function_percent": 60.0, "regions": {
        # stored 0.725 is 0.72499999... in binary: "0.72" beside "73 %"
        "brow": _region("Brow elevation", "raise_eyebrows", 0.0725, 0.1, 0.725, 72.5003),
        "eye": _region("Eye closure", "close_eyes", -0.12, 0.85, 0.0, 0.0),
    }},
    "expressions": {"rest": {"probabilities": {"III": 0.7}, "quality": {"passed": True}}},
}


def _flat(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(str(path)).pages).split())


def _report(tmp_path: Path, body: dict | None = None, name: str = "r.pdf", **context: object) -> Path:
    return write_report(tmp_path / name, body or BODY, ReportContext(assessment_date="2026-11-24", **context))


def test_ratio_and_function_come_from_one_rounding(tmp_path: Path) -> None:
    text = _flat(_report(tmp_path))
    row = text[text.index("Brow elevation Raise eyebrows"):][:80]
    assert " 0.73 73 % " in row, row


def test_a_negative_eye_closure_is_explained(tmp_path: Path) -> None:
    text = _flat(_report(tmp_path))
    row = text[text.index("Eye closure Close eyes"):][:120]
    assert "-0.12" in row and "the left eye opened wider than at rest" in row, row
    assert text.count("opened wider than at rest") == 1  # the brow row says nothing of it


def test_the_history_names_its_grades_confirmed(tmp_path: Path) -> None:
    history = [HistoryPoint("2026-01-10", "V", 15.0), HistoryPoint("2026-11-24", "III", 60.0)]
    text = _flat(_report(tmp_path, history=history, confirmed_grade="III", clinician="Dr"))
    assert "Visit, local time (oldest first) Confirmed grade Measured function" in text
    titles = [node.text for node in history_chart(history).contents if isinstance(node, String)]
    assert "Confirmed House-Brackmann grade over time" in titles


def test_the_segmentation_key_says_the_sides_are_the_patients(tmp_path: Path) -> None:
    text = _flat(_report(tmp_path))
    assert "left and right are the patient's sides: the patient's left is on the image's right" in text


def test_training_data_sets_are_listed_in_one_order(tmp_path: Path) -> None:
    def training(order: list[str]) -> dict:
        sets = {"patients_train": {"images": 3600, "split": "all"}, "fasseg": {"images": 167, "split": "train"}}
        return {"command": "palsy train demo", "stage1": {"stage": "parsing", "steps": 5, "data": {k: sets[k] for k in order}}}

    def printed(order: list[str], name: str) -> str:
        body = {**BODY, "model": {"name": "demo.pt", "training_data": training(order)}}
        text = _flat(_report(tmp_path, body, name=name))
        return text[text.index("Training data"):text.index("This software supports", text.index("Training data"))]

    live, stored = printed(["patients_train", "fasseg"], "live.pdf"), printed(["fasseg", "patients_train"], "stored.pdf")
    assert live == stored
    assert live.index("fasseg (167 images") < live.index("patients_train (3600 images")


def _chart(drawing) -> VerticalBarChart:  # noqa: ANN001
    return next(node for node in drawing.contents if isinstance(node, VerticalBarChart))


def test_chart_labels_never_round_up_to_fifty() -> None:
    assert charts.bar_label(49.96) == "49.96"  # as "III (49.96 %)" beside it
    assert charts.bar_label(70.4) == "70" and charts.bar_label(25.0) == "25" and charts.bar_label(0.0) == "0"
    assert charts.bar_label(49.99999) == "<50"  # its text is words ("just under 50%"): they spanned three bars
    chart = _chart(probability_chart({"II": 0.25, "III": 0.4996, "IV": 0.2504}, highlight="III"))
    assert [chart._getLabelText(0, i) for i in range(len(GRADES))] == ["0", "25", "49.96", "25", "0", "0"]


def test_an_overridden_network_bar_is_not_the_confirmed_grades_colour() -> None:
    probabilities = {"IV": 0.6, "VI": 0.4}
    shown = probability_chart(probabilities, highlight="IV")
    assert _chart(shown).bars[(0, GRADES.index("IV"))].fillColor == HIGHLIGHT  # not overridden: the grade shown
    overridden = probability_chart(probabilities, highlight="IV", overridden=True)
    assert _chart(overridden).bars[(0, GRADES.index("IV"))].fillColor != HIGHLIGHT
    assert "network" in [node.text for node in overridden.contents if isinstance(node, String)]


def test_an_overridden_report_draws_the_network_bar_apart(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    from app.report import pdf

    asked: list[bool] = []
    real = pdf.probability_chart
    monkeypatch.setattr(pdf, "probability_chart", lambda *a, **k: asked.append(k.get("overridden")) or real(*a, **k))
    _report(tmp_path, confirmed_grade="VI", clinician="Dr", name="override.pdf")
    _report(tmp_path, confirmed_grade="III", clinician="Dr", name="same.pdf")
    assert asked == [True, False]


def test_every_page_with_photo_rows_has_the_heat_key_and_caveat(tmp_path: Path) -> None:
    photo = save_png(np.full((256, 256, 3), 120, np.uint8), tmp_path / "photo.png")
    images = {e: {"photo": photo, "segmentation": photo, "attention": photo} for e in EXPRESSIONS}
    body = {**BODY, "expressions": {e: {"probabilities": {"III": 0.7}, "quality": {"passed": True}} for e in EXPRESSIONS}}
    reader = PdfReader(str(write_report(tmp_path / "photos.pdf", body, ReportContext(), images)))
    photo_pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    photo_pages = [text for text in photo_pages if "this photo alone" in text]
    assert len(photo_pages) >= 2
    for text in photo_pages:
        assert "little much attention" in text and "where the network's attention layer looked, not why" in text
        assert text.index("much attention") < text.index("this photo alone")  # read before the images


def test_the_printed_heat_key_runs_from_cold_to_hot_as_on_screen() -> None:
    # reversed, the key put the hottest white over "little": the attention maps were read backwards
    fills = [node.fillColor for node in _heat_key(100.0, steps=64).contents
             if isinstance(node, Rect) and node.fillColor is not None]
    strip = [tuple(round(255 * v) for v in (c.red, c.green, c.blue)) for c in fills]
    assert len(strip) == 64
    assert strip[0] == tuple(heat_key_colours()[0])  # "little": the photo's grey shows through, as on screen
    assert sum(strip[-1]) == max(sum(c) for c in strip) > sum(strip[0])  # "much attention": the brightest
