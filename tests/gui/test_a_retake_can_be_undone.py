"""Retake (R, one key: typed by mistake in the steps list too) can be undone: the status bar says
which photo was taken off and offers Undo (Ctrl+Z too), which puts the same photo back on the
record while its step is still empty; after a new photo of that step it says why not. A stray
"a" says that auto-capture was switched."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from app.gateway_store import StoreGateway
from app.pages.capture_logic import CaptureSession
from app.records import Store
from models.errors import InputError
from models.labels import EXPRESSIONS
from tests.gui.capture_helpers import rest_taken_then_shown_again, start
from tests.gui.gui_helpers import WAIT_MS, capture_all


def _frame(value: int) -> np.ndarray:
    return np.random.default_rng(value).integers(0, 256, (48, 64, 3), dtype=np.uint8)


def test_undo_puts_the_same_photo_back_on_the_record(tmp_path: Path) -> None:
    gateway = StoreGateway(Store.open(tmp_path / "data"))
    try:
        gateway.store.create_patient("P1", name="Ada")
        aid = gateway.start_assessment("P1")
        with ThreadPoolExecutor(max_workers=1) as pool:
            session = CaptureSession(aid, gateway, submit=pool.submit)
            session.capture(_frame(1))  # rest
            session.capture(_frame(2))  # close_eyes
            assert session.undo_refusal() == "Nothing to undo: no photo was taken off since this assessment was opened here"
            photo = session.photos["rest"]
            assert session.retake("rest") is photo
            assert session.undo_refusal() is None
            assert session.undo_retake() is photo
            assert session.wait_for_saves(10.0) == [] and not session.busy
            assert session.photos["rest"] is photo
            # a second Ctrl+Z said no photo had been taken off
            assert session.undo_refusal() == "Nothing to undo: the photo of Rest is back already"
        stored = gateway.assessment(aid).captures
        assert sorted(stored) == ["close_eyes", "rest"]
        assert gateway.store.record_problems() == []
    finally:
        gateway.close()


def test_undo_is_refused_once_the_step_has_a_new_photo(tmp_path: Path) -> None:
    gateway = StoreGateway(Store.open(tmp_path / "data"))
    try:
        gateway.store.create_patient("P1", name="Ada")
        aid = gateway.start_assessment("P1")
        session = CaptureSession(aid, gateway)
        session.capture(_frame(1))
        session.retake("rest")
        new = session.capture(_frame(3))  # rest again
        assert session.undo_refusal() == ("The photo of Rest taken off was not put back: Rest has a new photo "
                                          "(Retake takes that one off)")
        with pytest.raises(InputError, match="Rest has a new photo"):
            session.undo_retake()
        assert session.photos["rest"] is new
    finally:
        gateway.close()


def _start(window, patient_id: str = "MRN-7") -> None:
    start(window, patient_id, "Cara Diaz")


def _status(window) -> str:
    return window.statusBar().currentMessage()


def test_a_stray_r_is_undone_with_the_status_bars_undo_and_the_draft_keeps_the_photo(
        qtbot, open_window) -> None:
    window = open_window()
    _start(window)
    capture_all(qtbot, window)
    page, draft = window.capture, window.assessment_id
    page.session.go_to(EXPRESSIONS.index("rest"))
    photo = page.session.photos["rest"]
    page.steps.setFocus()
    qtbot.keyClick(page.steps, Qt.Key.Key_R)  # type-ahead for "Rest": the window's R takes it off
    assert "rest" not in page.session.photos
    assert _status(window) == "Photo of Rest taken off: take it again, or Undo"
    (undo,) = window.statusBar().offered
    assert undo.text() == "Undo"
    undo.click()
    assert page.session.photos["rest"] is photo
    assert _status(window) == "Photo of Rest put back"
    qtbot.waitUntil(lambda: not page.session.busy, timeout=WAIT_MS)
    assert page.session.complete and page.analyse_button.isEnabled()
    window.show_patients()
    window.resume_assessment(draft)
    assert np.array_equal(window.session.photos["rest"].rgb, photo.rgb)
    assert window.gateway.store.record_problems() == []


def test_ctrl_z_undoes_a_retake_only_while_its_step_is_empty(qtbot, open_window) -> None:
    window = open_window()
    _start(window)
    page = window.capture
    rest_taken_then_shown_again(qtbot, page)
    assert window.undo_retake_action.shortcut() == QKeySequence("Ctrl+Z")
    page.retake_button.click()  # any way of retaking
    qtbot.keyClick(page.steps, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert "rest" in page.session.photos and _status(window) == "Photo of Rest put back"
    qtbot.waitUntil(lambda: not page.session.busy, timeout=WAIT_MS)
    window.retake_action.trigger()
    qtbot.waitUntil(lambda: page.capture_button.isEnabled() and page._last_packet is not None, timeout=WAIT_MS)
    assert page.capture_now()  # a new photo of Rest
    page.session.go_to(0)
    new = page.session.photos["rest"]
    window.undo_retake_action.trigger()
    assert page.session.photos["rest"] is new
    assert _status(window) == ("The photo of Rest taken off was not put back: Rest has a new photo "
                               "(Retake takes that one off)")
    window.show_patients()
    assert not window.undo_retake_action.isEnabled()  # the capture page's key only


def test_a_stray_a_says_that_auto_capture_was_switched(qtbot, open_window) -> None:
    window = open_window()
    _start(window)
    page = window.capture
    page.steps.setFocus()
    qtbot.keyClick(page.steps, Qt.Key.Key_A)
    assert page.auto_box.isChecked()
    assert _status(window) == "Auto-capture at peak switched on (A switches it off)"
    qtbot.keyClick(page.steps, Qt.Key.Key_A)
    assert not page.auto_box.isChecked()
    assert _status(window) == "Auto-capture at peak switched off (A switches it on)"


def test_undo_from_another_assessment_puts_nothing_back(qtbot, open_window) -> None:
    window = open_window()
    _start(window)
    page = window.capture
    rest_taken_then_shown_again(qtbot, page)
    first = page.session
    page.retake()
    window.show_patients()
    _start(window, "MRN-8")
    page.undo_retake(first)  # the first assessment's Undo, pressed late
    assert _status(window) == ("Nothing put back: the photo was taken off another assessment than the one "
                               "on this page")
    assert "rest" not in first.photos and "rest" not in page.session.photos


def test_the_status_bars_undo_puts_nothing_back_once_the_page_is_left(qtbot, open_window) -> None:
    # after Back to patients (the message still showing) it put a photo back into a draft the
    # patients page listed, or into one already discarded for having none
    window = open_window()
    _start(window)
    page, draft = window.capture, window.assessment_id
    capture_all(qtbot, window)
    page.session.go_to(0)
    page.retake_button.click()
    (undo,) = window.statusBar().offered
    session = page.session
    window.show_patients()
    # the message and its Undo leave with the capture page
    assert not window.statusBar().offered and "taken off" not in _status(window)
    window._undo_offered_retake(session)  # a click that came in between puts nothing back either
    assert _status(window) == "Nothing put back: the assessment was left; resume it and take the photo again"
    qtbot.waitUntil(lambda: not page.session.busy, timeout=WAIT_MS)
    assert sorted(window.gateway.assessment(draft).captures) == sorted(set(EXPRESSIONS) - {"rest"})  # as the patients page says
