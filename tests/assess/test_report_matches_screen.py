"""The PDF report says what the results screen says: measurements from a doubtful photo are
marked, the demo notice names what each network was trained on, the history tells two visits
of one day apart, the grade is the network's by one name, and the clinic logo is embedded as
decoded (16-bit grey, EXIF rotation) or refused as too large in those words."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image as PILImage
from pypdf import PdfReader

from app.report.charts import HistoryPoint
from app.report.pdf import ReportContext, write_report
from models.errors import InputError
from models.pipeline.flag_wording import DOUBTFUL_NOTE


def _region(label: str, expression: str, percent: float) -> dict:
    return {"label": label, "expression": expression, "left": 0.27, "right": 0.25, "ratio": percent / 100,
            "percent": percent, "weaker_side": "right", "judged": True, "note": ""}


BODY = {
    "grade": "III",
    "probabilities": {"II": 0.3, "III": 0.7},
    "affected_side": "right",
    "measured": {"grade": "III", "function_percent": 60.0, "regions": {
        "brow": _region("Brow elevation", "raise_eyebrows", 61.0),
        "eye": _region("Eye closure", "close_eyes", 94.0),
    }},
    "expressions": {"rest": {"probabilities": {"III": 0.7}, "quality": {"passed": True}}},
    "flags": [{"code": "failed_quality", "message": "close_eyes: quality check(s) failed: sharpness",
               "expression": "close_eyes"}],
}


def _text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def _flat(text: str) -> str:
    return " ".join(text.split())


def _report(tmp_path: Path, body: dict | None = None, **context) -> Path:  # noqa: ANN003
    return write_report(tmp_path / "r.pdf", body or BODY, ReportContext(assessment_date="2026-11-24", **context))


# --- 1. measurements from a doubtful photo ------------------------------------------------


@pytest.mark.parametrize("code", ["failed_quality", "face_not_detected"])
def test_measurements_from_a_doubtful_photo_are_marked_as_on_the_results_page(tmp_path: Path, code: str) -> None:
    body = {**BODY, "flags": [{**BODY["flags"][0], "code": code}]}
    text = _flat(_text(_report(tmp_path, body)))
    assert "94 % \u26a0" in text  # the eye closure row, taken from the close-eyes photo
    assert "61 % \u26a0" not in text and "61 %" in text  # the brow row's photo passed
    assert "doubtful photo; weaker: right" in text  # the row says so briefly
    assert text.count(_flat(DOUBTFUL_NOTE)) == 1  # and the sentence why stands once, under the table
    assert text.count("\u26a0") == 2  # the row's mark and the footnote's


def test_a_doubtful_rest_photo_puts_every_measurement_in_doubt(tmp_path: Path) -> None:
    # every movement is measured against rest: a failed rest photo marked no row
    body = {**BODY, "flags": [{"code": "face_not_detected", "message": "Rest: no face detected", "expression": "rest"}]}
    text = _flat(_text(_report(tmp_path, body)))
    assert "94 % \u26a0" in text and "61 % \u26a0" in text
    assert text.count(_flat(DOUBTFUL_NOTE)) == 1


def test_a_report_without_doubtful_photos_marks_nothing(tmp_path: Path) -> None:
    body = {**BODY, "flags": [{"code": "low_confidence", "message": "review carefully", "expression": None}]}
    text = _flat(_text(_report(tmp_path, body)))
    assert "\u26a0" not in text and _flat(DOUBTFUL_NOTE) not in text


# --- 2. the demo notice ---------------------------------------------------------------------


def test_the_demo_notice_names_what_each_network_was_trained_on(tmp_path: Path) -> None:
    text = _flat(_text(_report(tmp_path, demo_model=True)))
    assert "weights were trained on synthetic faces only" not in text  # the face parser also saw real photos
    assert "The grading network was trained on synthetic faces only" in text
    assert "the face parser behind the measurements and overlays on synthetic faces and public research photo sets" in text


# --- 3. the history's visits ----------------------------------------------------------------


@pytest.fixture
def berlin_time(in_time_zone: Callable[[str], None]) -> None:
    in_time_zone("Europe/Berlin")


def test_history_rows_show_the_local_time_so_two_visits_of_one_day_differ(tmp_path: Path, berlin_time: None) -> None:
    history = [HistoryPoint("2026-01-10", "V", 15.0),  # a plain date: no time recorded
               HistoryPoint("2026-03-10T09:05:00+00:00", "IV", 30.0),
               HistoryPoint("2026-03-10T14:40:00+00:00", "III", 41.0)]
    text = _flat(_text(_report(tmp_path, history=history)))
    assert "Visit, local time (oldest first)" in text
    rows = [text.index(row) for row in ("2026-01-10 V 15 %", "2026-03-10 10:05 CET IV 30 %", "2026-03-10 15:40 CET III 41 %")]
    assert rows == sorted(rows)  # oldest first, as the chart reads


# --- 4. one name for the network's grade ----------------------------------------------------


def test_the_unconfirmed_grade_is_called_the_networks(tmp_path: Path) -> None:
    text = _flat(_text(_report(tmp_path)))
    assert "Network's grade (not yet confirmed)" in text and "Model's grade" not in text


# --- 5. the clinic logo ---------------------------------------------------------------------


def _logo_pixels(path: Path) -> np.ndarray:
    """The logo image embedded on page 1, as RGB."""
    (image,) = PdfReader(str(path)).pages[0].images
    return np.asarray(PILImage.open(io.BytesIO(image.data)).convert("RGB"))


def test_a_16_bit_grey_logo_is_embedded_as_its_picture_not_a_blank_box(tmp_path: Path) -> None:
    # A dark grey left half (16384 of 65535: 64 of 255) and a white right half; embedded as
    # the file was, every value above 255 was drawn white, so the logo was a blank box.
    grey = np.full((60, 160), 16384, np.uint16)
    grey[:, 80:] = 65535
    logo = tmp_path / "logo16.png"
    PILImage.fromarray(grey).save(logo)
    assert PILImage.open(logo).mode.startswith("I")
    pixels = _logo_pixels(_report(tmp_path, clinic_logo=str(logo)))
    assert pixels.shape[:2] == (60, 160)
    assert abs(int(pixels[:, :70].mean()) - 64) <= 2 and pixels[:, 90:].min() > 250


def test_the_logo_is_embedded_upright_per_its_exif_orientation(tmp_path: Path) -> None:
    wide = np.zeros((100, 300, 3), np.uint8)
    wide[:, :150] = (200, 30, 30)
    logo = tmp_path / "logo.jpg"
    exif = PILImage.Exif()
    exif[0x0112] = 6  # stored sideways: shown rotated 90 degrees clockwise
    PILImage.fromarray(wide).save(logo, exif=exif, quality=95)
    pixels = _logo_pixels(_report(tmp_path, clinic_logo=str(logo)))
    assert pixels.shape[:2] == (300, 100)
    assert pixels[:140, :, 0].mean() > 150 and pixels[160:, :, 0].mean() < 60  # red on top after the turn


def test_a_camera_sized_logo_is_embedded_at_print_size(tmp_path: Path) -> None:
    logo = tmp_path / "big.png"
    PILImage.fromarray(np.full((1500, 4000, 3), 90, np.uint8)).save(logo)
    assert max(_logo_pixels(_report(tmp_path, clinic_logo=str(logo))).shape[:2]) <= 600


def test_a_logo_with_too_many_pixels_is_refused_as_too_large(tmp_path: Path) -> None:
    logo = tmp_path / "huge.png"
    PILImage.new("1", (8000, 6000)).save(logo)  # 48 megapixels, a small file
    with pytest.raises(InputError, match="too large") as caught:
        _report(tmp_path, clinic_logo=str(logo))
    message = str(caught.value)
    assert str(logo) in message and "48 megapixels" in message and "Settings" in message
    assert "damaged" not in message


def test_the_grade_line_never_rounds_up_to_the_confidence_threshold(tmp_path: Path) -> None:
    # review: the flag said 49.96% (< 50%) beside a grade line reading "III (50 %)"
    body = {**BODY, "probabilities": {"II": 0.2, "III": 0.4996, "IV": 0.3004}}
    text = _flat(_text(_report(tmp_path, body)))
    assert "(probability 49.96 %)" in text and "probability 50 %" not in text
