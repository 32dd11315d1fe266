"""A photo that could not be saved (a full disk) is a lasting notice, read whole, not an elided
status-bar line that goes after 8 s."""

from __future__ import annotations

from pathlib import Path

from app.main_window import photo_not_saved
from tests.gui.gui_helpers import close_window, make_window

FULL = ("The Rest photo could not be saved (cannot write /clinic/data/photos/000001/rest.png: the disk is full; "
        "nothing saved before was lost. Free some disk space (or choose another data folder) and try again.); "
        "take it again")


def test_save_failures_are_told_from_other_capture_messages() -> None:
    assert photo_not_saved(FULL)
    assert photo_not_saved("Could not save the photo: the disk is full")
    assert photo_not_saved("Could not retake the photo: the database is busy")
    assert not photo_not_saved("Rest is already taken \u2013 press R to retake")
    assert not photo_not_saved("Camera problem: no frames")


def test_a_photo_not_saved_stays_above_the_pages_until_the_capture_page_is_left(qtbot, data_folder: Path,
                                                                                tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        window.stack.setCurrentWidget(window.capture)
        window.capture.notify.emit(FULL)
        assert window.notice.isVisible() and window.notice.text() == FULL  # whole, word-wrapped
        assert window.statusBar().currentMessage() == FULL
        window.capture.notify.emit("Rest is already taken \u2013 press R to retake")
        assert window.notice.text() == FULL  # a later, ordinary message does not take it away
        window.show_patients()
        assert not window.notice.isVisible()
    finally:
        close_window(window)
