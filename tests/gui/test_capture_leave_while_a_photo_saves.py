"""Moving on from an assessment whose last photo is still being written never holds the window
(DESIGN §1): beginning the next patient, or resuming another draft, returns at once, the photo
is still saved, and its failure is said naming the patient; reading back the draft whose photo
is being written waits for it with the window painting, a wait cursor and a status line. It was
a blocking wait on the GUI thread of up to 10 s, with no cursor and no word."""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from app.records.errors import StorageError
from app.records_gateway import PatientInfo
from tests.gui.gui_helpers import WAIT_MS

ANN = "Ann Example (MRN-1)"
SAVE_S = 5.0  # the longest a save takes: the test lets it end sooner, once the window moved on


class SlowSave:
    """The store's save_capture, held until `gate` opens (at most SAVE_S), then failing when
    `full`; `ended` is set once it returned."""

    def __init__(self, save, full: bool = False) -> None:  # noqa: ANN001
        self.save, self.full = save, full
        self.gate, self.ended = threading.Event(), threading.Event()

    def __call__(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN204
        try:
            self.gate.wait(SAVE_S)
            if self.full:
                raise StorageError("cannot write rest.png: the disk is full.")
            return self.save(*args, **kwargs)
        finally:
            self.ended.set()


def _window(open_window):  # noqa: ANN001, ANN202
    window = open_window()
    window.gateway.save_patient(PatientInfo("MRN-1", "Ann Example"), is_new=True)
    window.gateway.save_patient(PatientInfo("MRN-2", "Bob Example"), is_new=True)
    return window


def _rest_taken(qtbot, window, monkeypatch, full: bool = False) -> tuple[int, SlowSave]:  # noqa: ANN001
    """Ann's Rest photo taken, its save held; her assessment's number and the save."""
    window.start_assessment("MRN-1")
    slow = SlowSave(window.gateway.save_capture, full)
    monkeypatch.setattr(window.gateway, "save_capture", slow)
    page = window.capture
    qtbot.waitUntil(lambda: page._last_packet is not None, timeout=WAIT_MS)
    assert page.capture_now()
    return page.session.assessment_id, slow


def _bob_begun_while_ann_saves(qtbot, window, monkeypatch, full: bool = False) -> tuple[int, SlowSave]:  # noqa: ANN001
    """Ann's Rest photo taken, and Bob's assessment begun while it is being written: it did not
    wait for it. Ann's assessment's number and her photo's save."""
    ann, slow = _rest_taken(qtbot, window, monkeypatch, full)
    window.start_assessment("MRN-2")
    assert not slow.ended.is_set()  # returned while Ann's photo is being written: it waited for it
    return ann, slow


def test_the_next_patient_begins_at_once_and_the_last_photo_is_still_saved(
        qtbot, open_window, monkeypatch) -> None:
    window = _window(open_window)
    ann, slow = _bob_begun_while_ann_saves(qtbot, window, monkeypatch)
    assert window.capture.session.assessment_id != ann
    slow.gate.set()
    qtbot.waitUntil(lambda: not window.capture._left, timeout=WAIT_MS)
    assert "rest" in window.gateway.assessment(ann).captures


def test_the_last_photo_failing_after_the_next_patient_began_is_said_naming_its_patient(
        qtbot, open_window, monkeypatch) -> None:
    window = _window(open_window)
    _ann, slow = _bob_begun_while_ann_saves(qtbot, window, monkeypatch, full=True)
    slow.gate.set()
    said = f"The Rest photo of {ANN} could not be saved (cannot write rest.png: the disk is full)"
    qtbot.waitUntil(lambda: said in window.notice.text(), timeout=WAIT_MS)
    assert "Bob" not in window.notice.text()


def test_resuming_another_draft_does_not_wait_for_the_last_photo(
        qtbot, open_window, monkeypatch) -> None:
    window = _window(open_window)
    window.start_assessment("MRN-2")
    page = window.capture
    qtbot.waitUntil(lambda: page._last_packet is not None, timeout=WAIT_MS)
    assert page.capture_now()  # Bob's draft, with his Rest photo
    bob = page.session.assessment_id
    qtbot.waitUntil(lambda: not page.session.busy, timeout=WAIT_MS)
    ann, slow = _rest_taken(qtbot, window, monkeypatch)
    window.resume_assessment(bob)
    assert not slow.ended.is_set()
    assert page.session.assessment_id == bob and "rest" in page.session.photos
    slow.gate.set()
    qtbot.waitUntil(lambda: not page._left, timeout=WAIT_MS)
    assert "rest" in window.gateway.assessment(ann).captures


def test_reading_back_the_draft_being_saved_waits_with_the_window_painting(
        qtbot, caplog, open_window, monkeypatch) -> None:
    window = _window(open_window)
    ann, slow = _rest_taken(qtbot, window, monkeypatch)
    seen: list[tuple[object, str]] = []

    def beat() -> None:  # a heartbeat: it fires only while the window's events run
        cursor = QApplication.overrideCursor()
        seen.append((cursor.shape() if cursor is not None else None, window.statusBar().currentMessage()))
        if len(seen) == 5:
            slow.gate.set()  # the photo is written once the window painted on for a while

    heart = QTimer()
    heart.setInterval(10)
    heart.timeout.connect(beat)
    heart.start()
    try:
        with caplog.at_level(logging.INFO):
            window.resume_assessment(ann)
    finally:
        heart.stop()
    assert len(seen) >= 5, seen  # a blocking wait let no timer fire until the save ended
    assert seen[0] == (Qt.CursorShape.WaitCursor, f"Saving the last photo of {ANN}\u2026")
    assert QApplication.overrideCursor() is None
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert f"Saving the last photo of assessment {ann}" in logged and "Ann" not in logged  # DESIGN §9
    assert window.capture.session.assessment_id == ann and "rest" in window.capture.session.photos
