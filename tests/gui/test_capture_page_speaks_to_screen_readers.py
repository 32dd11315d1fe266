"""The capture page to a screen reader: the progress bar, the live preview and the step's
drawing have names (the bar's stage and the face guide's state as descriptions, kept up to
date); the red error box and the analysis's end (finished, cancelled, failed) are announced,
as the keyboard stays on the steps list."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtGui import QImage

from app.camera.file_sources import PhotoFolderSource
from app.records_gateway import PatientInfo
from app.widgets.announce import ANNOUNCED
from app.widgets.preview import PreviewWidget
from models.errors import InputError
from models.labels import EXPRESSIONS
from tests.gui.gui_helpers import WAIT_MS, capture_all, close_window, make_window
from tests.gui.test_capture_guards import _photo_folder
from tests.gui.test_flow_edges import slow_analysis


def _start(window, patient_id: str = "MRN-3", name: str = "Eve Stone") -> None:
    window.gateway.save_patient(PatientInfo(patient_id, name), is_new=True)
    window.patients.refresh()
    window.start_assessment(patient_id)


def test_the_preview_says_where_the_face_is(qtbot) -> None:
    preview = PreviewWidget()
    qtbot.addWidget(preview)
    assert preview.accessibleName() == "Live camera preview"
    frame = np.zeros((240, 320, 3), np.uint8)
    preview.show_frame(frame, None, False)
    assert preview.accessibleDescription() == "No face found: move into the guide"
    preview.show_frame(frame, (100, 60, 120, 140), False)
    assert preview.accessibleDescription() == "Face found, not ready: see the checks below the preview"
    preview.show_frame(frame, (100, 60, 120, 140), True)
    assert preview.accessibleDescription() == "Face in the guide, every check passed: ready to capture"
    preview.clear("Camera stopped")
    assert preview.accessibleDescription() == "Camera stopped"


def test_the_drawing_names_the_step_and_the_bar_its_stage(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights, analyse=slow_analysis)
    try:
        _start(window)
        page = window.capture
        assert page.illustration.accessibleName() == "Drawing: Rest"
        page.next_step()
        assert page.illustration.accessibleName() == "Drawing: Close eyes"
        assert page.progress.accessibleName() == "Analysis progress"
        capture_all(qtbot, window)
        window.start_analysis()
        qtbot.waitUntil(lambda: page.progress.accessibleDescription() == "warming up", timeout=WAIT_MS)
        assert page.progress_label.text() == "warming up"
        ANNOUNCED.clear()
        window.cancel_analysis()
        qtbot.waitUntil(lambda: not window.analysing, timeout=WAIT_MS)
        assert page.progress.accessibleDescription() == page.progress_label.text() == "Analysis cancelled; the photos are kept."
        assert ("Analysis cancelled; the photos are kept.", False) in ANNOUNCED
    finally:
        close_window(window)


def _fails(photos, handle, progress):
    raise InputError("the Rest photo is too dark: add light")


def test_a_failed_analysis_is_announced_at_once(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights, analyse=_fails)
    try:
        _start(window)
        capture_all(qtbot, window)
        ANNOUNCED.clear()
        window.start_analysis()
        qtbot.waitUntil(lambda: not window.analysing, timeout=WAIT_MS)
        assert ("Analysis failed: the Rest photo is too dark: add light", True) in ANNOUNCED
    finally:
        close_window(window)


def test_an_analysis_is_announced_as_it_starts_and_its_result_once(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    # its start was silent, and its end was said twice at once ("… finished", then the summary)
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        _start(window)
        capture_all(qtbot, window)
        ANNOUNCED.clear()
        window.start_analysis()
        assert ANNOUNCED[0] == ("Analysing the photos of Eve Stone (MRN-3): Escape cancels", False)
        qtbot.waitUntil(lambda: window.stack.currentWidget() is window.results, timeout=WAIT_MS)
        said = [text for text, _ in ANNOUNCED]
        assert said[-1].startswith("Results for Eve Stone (MRN-3).")
        assert not any("finished" in text for text in said)
    finally:
        close_window(window)


def test_the_error_box_is_announced_when_it_appears(qtbot, data_folder: Path, tiny_weights: Path, tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    _photo_folder(folder, EXPRESSIONS[1:])  # no rest photo
    window = make_window(qtbot, data_folder, tiny_weights, source_factory=lambda: PhotoFolderSource(folder))
    try:
        ANNOUNCED.clear()
        _start(window)
        page = window.capture
        qtbot.waitUntil(lambda: page.error_box.isVisible(), timeout=WAIT_MS)
        text = page.error_label.text()
        assert text.startswith("No picture for this step:") and "no rest photo" in text
        assert list(ANNOUNCED).count((text, True)) == 1
        page._on_camera_failed("The camera stopped: it was unplugged; press Retry")
        assert ("The camera stopped: it was unplugged; press Retry", True) in ANNOUNCED
    finally:
        close_window(window)


def _guide_drawn(preview: PreviewWidget, ready: bool) -> float:
    """The share of points along the guide oval where its line is drawn (a grey frame filling
    the preview, no face box; the oval as `paintEvent` places it)."""
    preview.show_frame(np.full((240, 320, 3), 128, np.uint8), None, ready)
    image = preview.grab().toImage().convertToFormat(QImage.Format.Format_RGB888)
    rgb = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    rgb = rgb[:, :image.width() * 3].reshape(image.height(), image.width(), 3).astype(int)
    ry = image.height() * 0.78 / 2
    rx = ry * 0.72
    angles = np.linspace(0, 2 * np.pi, 720, endpoint=False)
    ys = np.round(image.height() / 2 + ry * np.sin(angles)).astype(int)
    xs = np.round(image.width() / 2 + rx * np.cos(angles)).astype(int)
    points = rgb[ys, xs]
    return float((points.max(axis=1) - points.min(axis=1) > 60).mean())  # coloured, not the grey frame


def test_the_guide_says_ready_by_its_line_not_by_colour_alone(qtbot) -> None:
    # its green and amber look alike (yellow) under red-green colour blindness: ready is a
    # solid line, not ready a dashed one
    preview = PreviewWidget()
    qtbot.addWidget(preview)
    preview.resize(320, 240)
    solid, dashed = _guide_drawn(preview, True), _guide_drawn(preview, False)
    assert solid > 0.97 and dashed < 0.9, (solid, dashed)


def test_each_photo_taken_is_said_and_the_last_says_what_comes_next(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    # six Space presses were silent: the list moving on ("Close eyes, not taken") was all a reader said
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        _start(window)
        ANNOUNCED.clear()
        capture_all(qtbot, window)
        said = [text for text, _ in ANNOUNCED if " taken" in text]
        assert said[0] == "Rest taken (1 of 6)" and said[1] == "Close eyes taken (2 of 6)"
        assert said[-1] == "Puff cheeks taken: all 6 photos taken; Ctrl+Enter analyses"  # as the Analyse button names it
    finally:
        close_window(window)
