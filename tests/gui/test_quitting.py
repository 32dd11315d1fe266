"""Quitting: the user's own close asks before dropping an unconfirmed grade or a running
analysis; a session end (logout, shutdown) closes without a question; every worker thread is
stopped at shutdown."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from PySide6.QtCore import SIGNAL
from PySide6.QtWidgets import QApplication

from app.records_gateway import PatientInfo
from tests.gui.gui_helpers import (
    analysed_assessment,
    capture_all,
    close_window,
    make_window,
    user_close,
)


def until_cancelled(photos, handle, progress):
    """An analysis that runs until it is cancelled (20 s at most)."""
    for _ in range(2000):
        progress.check()
        time.sleep(0.01)
    raise AssertionError("never cancelled")


def _recording(answers: list[bool], asked: list[str]):
    def ask(parent, title, text):
        asked.append(title)
        return answers.pop(0) if answers else True

    return ask


def test_a_session_end_closes_without_questions(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    # at a logout QApplication.closeAllWindows() got "Leave without confirming?" (and "Quit during
    # the analysis?"), and No aborted the quit: the window stayed open, the logout blocked
    answers: list[bool] = []
    asked: list[str] = []
    window = make_window(qtbot, data_folder, tiny_weights, ask=_recording(answers, asked))
    try:
        assessment_id = analysed_assessment(qtbot, window)
        answers[:] = [False, False]  # No: stay, if the user had asked for it
        assert not user_close(window) and asked == ["Leave without confirming the grade?"]
        window.quit_action.trigger()
        assert window.isVisible() and not window._closed and len(asked) == 2
        asked.clear()
        answers[:] = [False] * 3
        QApplication.closeAllWindows()
        assert asked == [] and not window.isVisible() and window._closed
        assert window.gateway.assessment(assessment_id).status == "analysed"  # nothing lost
    finally:
        close_window(window)


def test_a_logout_during_an_analysis_closes_without_questions(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    answers: list[bool] = []
    asked: list[str] = []
    commit_data = SIGNAL("commitDataRequest(QSessionManager&)")
    handlers = QApplication.instance().receivers(commit_data)
    window = make_window(qtbot, data_folder, tiny_weights, ask=_recording(answers, asked), analyse=until_cancelled)
    try:
        window.gateway.save_patient(PatientInfo("MRN-1", "Ada Lovelace"), is_new=True)
        window.start_assessment("MRN-1")
        capture_all(qtbot, window)
        window.start_analysis()
        answers[:] = [False] * 3
        assert not user_close(window) and asked == ["Quit during the analysis?"]
        asked.clear()
        started = time.monotonic()
        # the session manager's logout (commitDataRequest carries a QSessionManager that a test
        # cannot make: the window's connected handler is called as the signal would)
        assert QApplication.instance().receivers(commit_data) == handlers + 1
        window.session_ending()
        assert window.isVisible() and not window._closed  # Qt: no quitting in commitDataRequest itself
        assert user_close(window)  # the window manager's close at the logout: no question now
        assert asked == [] and not window.isVisible() and window._closed
        assert window._threads == [] and time.monotonic() - started < 10  # the analysis was cancelled
        assert len(window.gateway.assessment(window.assessment_id).captures) == 6  # the photos are kept
    finally:
        close_window(window)


def test_shutdown_stops_an_overlay_recompute_too(qtbot, data_folder: Path, tiny_weights: Path, caplog) -> None:
    # only the analysis worker was cancelled: a slow overlay recompute of a reopened assessment
    # was waited on for 10 s, left running ("1 worker thread(s) still running at shutdown") and
    # its QThread destroyed while running
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        assessment_id = analysed_assessment(qtbot, window)
        window.services.analyse = until_cancelled
        window.show_history("MRN-1")
        window.open_read_only(assessment_id)
        assert window.results.overlays_pending and window._threads
        started = time.monotonic()
        with caplog.at_level(logging.WARNING, logger="app.main_window"):
            window.close()
        assert time.monotonic() - started < 5
        assert window._threads == [] and "still running at shutdown" not in caplog.text
    finally:
        close_window(window)
