"""The capture wizard never stores the wrong picture: a folder without a step's photo, a
frame of the step before, and photos changed while an analysis reads them."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from app.camera.file_sources import PhotoFolderSource
from models.labels import EXPRESSIONS
from tests.gui.capture_helpers import fed_by_hand, pull

# under these names for the tests that import them from here too
from tests.gui.capture_helpers import photo_folder as _photo_folder
from tests.gui.capture_helpers import start as _start
from tests.gui.gui_helpers import WAIT_MS, capture_all
from tests.gui.test_flow_edges import slow_analysis


def test_a_folder_without_a_steps_photo_blocks_that_step_only(qtbot, open_window, tmp_path: Path) -> None:
    folder = tmp_path / "photos"
    _photo_folder(folder, EXPRESSIONS[:-1])  # no puff_cheeks photo
    page = _start(open_window(source_factory=lambda: PhotoFolderSource(folder))).capture
    for _ in EXPRESSIONS[:-1]:
        qtbot.waitUntil(lambda: page._last_packet is not None, timeout=WAIT_MS)
        assert page.capture_now()
    assert page.session.expression == "puff_cheeks"
    qtbot.waitUntil(lambda: page.error_box.isVisible(), timeout=WAIT_MS)
    assert "no puff_cheeks photo" in page.error_label.text()
    reports: list[str] = []
    page.camera.step_failed.connect(lambda expression, message: reports.append(expression))
    qtbot.wait(300)
    assert reports == []  # said once per visit to the step, not over and over
    # nothing to capture: no other expression's photo stands in for it
    assert page._last_packet is None and not page.capture_button.isEnabled() and not page.capture_now()
    assert page.camera.running  # the source runs on for the other steps
    page.previous_step()
    qtbot.waitUntil(lambda: not page.error_box.isVisible(), timeout=WAIT_MS)
    page.next_step()
    qtbot.waitUntil(lambda: page.error_box.isVisible(), timeout=WAIT_MS)
    assert "puff_cheeks" not in page.session.photos


def test_a_frame_of_the_step_before_is_never_captured(qtbot, open_window) -> None:
    window = _start(open_window())
    page = window.capture
    fed_by_hand(qtbot, page)
    assert page.capture_now()  # rest
    assert page.session.expression == "close_eyes" and page._last_packet is None
    frame = np.zeros((240, 320, 3), np.uint8)
    pull(page, frame, "rest", index=1)
    assert page._last_packet is None and not page.capture_now()
    pull(page, frame, "close_eyes", index=2)
    assert page._last_packet is not None
    # a held Space key takes one photo, not one per key repeat
    assert not window.capture_action.autoRepeat() and not window.retake_action.autoRepeat()


def test_photos_cannot_change_while_an_analysis_reads_them(qtbot, open_window) -> None:
    window = _start(open_window(analyse=slow_analysis))
    capture_all(qtbot, window)
    page = window.capture
    page.previous_step()
    taken = page.session.photos[page.session.expression]
    with qtbot.waitSignal(page.progress.valueChanged, timeout=WAIT_MS):
        page.analyse_button.click()
    assert window.analysing
    assert not page.retake_button.isEnabled() and not page.capture_button.isEnabled()
    page.retake()
    assert page.session.photos[page.session.expression] is taken and not page.capture_now()
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.results, timeout=WAIT_MS)
    info = window.gateway.assessment(window.assessment_id)
    assert info.status == "analysed" and len(info.captures) == 6
    window.stack.setCurrentWidget(page)
    assert page.retake_button.isEnabled()  # editable again once the analysis is over
