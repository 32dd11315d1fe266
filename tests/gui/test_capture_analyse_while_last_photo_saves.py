"""Analyse (Ctrl+Enter) pressed while the sixth photo is still being written said "Capture all
six expressions first; missing: " with nothing after the colon, and the key was lost. It says
which photo is being saved, and the analysis starts once it is; a save that fails drops the
request (the photo must be taken again)."""

from __future__ import annotations

import threading
from pathlib import Path

from app.records.errors import StorageError
from models.labels import EXPRESSIONS
from tests.gui.gui_helpers import WAIT_MS, close_window, make_window
from tests.gui.test_capture_guards import _start


def _take_all_with_the_last_save_held(qtbot, window, monkeypatch, fail: bool) -> threading.Event:
    """The six photos, the last one's save held until the returned gate is set (then failing
    when `fail`)."""
    gate = threading.Event()
    save = window.gateway.save_capture

    def held(assessment_id, expression, rgb, quality):  # noqa: ANN001, ANN202
        if expression == EXPRESSIONS[-1]:
            gate.wait(WAIT_MS / 1000)
            if fail:
                raise StorageError("cannot write puff_cheeks.png: the disk is full")
        return save(assessment_id, expression, rgb, quality)

    monkeypatch.setattr(window.gateway, "save_capture", held)
    page = window.capture
    for _ in EXPRESSIONS:
        qtbot.waitUntil(lambda: page.capture_button.isEnabled() and page._last_packet is not None, timeout=WAIT_MS)
        assert page.capture_now()
    qtbot.waitUntil(lambda: page.session.unsaved == [EXPRESSIONS[-1]], timeout=WAIT_MS)
    return gate


def test_analyse_while_the_last_photo_saves_says_so_and_starts_once_it_is_saved(qtbot, data_folder: Path,
                                                                               tiny_weights: Path, monkeypatch) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    gate = threading.Event()
    try:
        _start(window)
        page = window.capture
        gate = _take_all_with_the_last_save_held(qtbot, window, monkeypatch, fail=False)
        assert page.analyse_button.toolTip() == "The Puff cheeks photo is still being saved: Analyse is possible in a moment"
        window.start_analysis()  # Ctrl+Enter
        assert window.statusBar().currentMessage() == (
            "The Puff cheeks photo is still being saved: the analysis starts once it is saved")
        assert not window.analysing
        gate.set()
        qtbot.waitUntil(lambda: window.stack.currentWidget() is window.results, timeout=WAIT_MS)
        assert window.gateway.assessment(window.assessment_id).status == "analysed"
    finally:
        gate.set()
        close_window(window)


def test_a_save_that_fails_drops_the_analysis_asked_meanwhile(qtbot, data_folder: Path, tiny_weights: Path,
                                                              monkeypatch) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    gate = threading.Event()
    try:
        _start(window)
        page = window.capture
        gate = _take_all_with_the_last_save_held(qtbot, window, monkeypatch, fail=True)
        window.start_analysis()
        gate.set()
        qtbot.waitUntil(lambda: not page.session.busy and EXPRESSIONS[-1] not in page.session.photos, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: window.notice.isVisible(), timeout=WAIT_MS)
        assert "The Puff cheeks photo could not be saved" in window.notice.text()
        assert not window.analysing and window.stack.currentWidget() is page
        assert page._analyse_after_save is None  # dropped: a photo taken again later does not start it unasked
    finally:
        gate.set()
        close_window(window)
