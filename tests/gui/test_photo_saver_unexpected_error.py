"""A bug on the photo-saver thread is logged at ERROR with its traceback, and the therapist reads
that something unexpected went wrong (the details in the log), not a KeyError's "'quality_score'".
A full disk keeps its own line and is no ERROR."""

from __future__ import annotations

import errno
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from app.pages.capture_logic import CaptureSession
from app.records_gateway import PatientInfo
from tests.doubles import MemoryRecords
from tests.gui.gui_helpers import WAIT_MS, close_window, make_window


def _take_a_photo_whose_save_raises(qtbot, window, monkeypatch, error: BaseException) -> str:
    """Capture the Rest photo with the store's save raising `error`; the notice that follows."""
    window.gateway.save_patient(PatientInfo("MRN-1", "Test Person"), is_new=True)
    window.start_assessment("MRN-1")

    def failing_save(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise error

    monkeypatch.setattr(window.gateway, "save_capture", failing_save)
    page = window.capture
    qtbot.waitUntil(lambda: page._last_packet is not None, timeout=WAIT_MS)
    assert page.capture_now()  # taken; its save fails on the saver thread
    qtbot.waitUntil(lambda: window.notice.isVisible(), timeout=WAIT_MS)
    return window.notice.text()


def _errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_bug_in_the_save_is_logged_with_its_traceback_and_said_as_unexpected(
        qtbot, caplog, data_folder: Path, tiny_weights: Path, monkeypatch) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        said = _take_a_photo_whose_save_raises(qtbot, window, monkeypatch, KeyError("quality_score"))
        # no palsy.log here (a run from source keeps none): the notice does not send anyone to one
        assert said.startswith("The Rest photo could not be saved (something unexpected went wrong, and no log is being kept")
        assert "quality_score" not in said
        [record] = _errors(caplog)
        assert record.getMessage() == "saving the rest photo failed"
        kind, _error, trace = record.exc_info
        assert kind is KeyError and trace is not None  # where the save broke
    finally:
        close_window(window)


def test_a_full_disk_keeps_its_own_line_and_is_no_error(
        qtbot, caplog, data_folder: Path, tiny_weights: Path, monkeypatch) -> None:
    full = OSError(errno.ENOSPC, "No space left on device")
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        said = _take_a_photo_whose_save_raises(qtbot, window, monkeypatch, full)
        assert said == f"The Rest photo could not be saved ({full}); take it again"
        assert _errors(caplog) == []
    finally:
        close_window(window)


def test_a_bug_in_taking_a_rejected_photo_back_is_logged_with_its_traceback(caplog) -> None:
    records = MemoryRecords()
    records.save_patient(PatientInfo("P1", "A"), is_new=True)
    session = CaptureSession(records.start_assessment("P1"), records)

    def broken_withdraw(assessment_id: int, expression: str) -> None:
        raise KeyError("capture_id")

    records.withdraw_capture = broken_withdraw
    with ThreadPoolExecutor(max_workers=1) as pool:
        session.submit = pool.submit
        session.capture(np.zeros((48, 64, 3), np.uint8))
        session.retake("rest")
        session.wait_for_saves(5.0)
    [(expression, error)] = session.take_withdraw_failures()
    assert expression == "rest" and isinstance(error, KeyError)
    [record] = _errors(caplog)
    assert record.getMessage() == "taking back the rest photo failed" and record.exc_info[0] is KeyError
