"""A photo that could not be saved (a full disk) is a lasting notice, read whole, not an elided
status-bar line that goes after 8 s. The capture page says so with its own signal
(`save_failed`): the window once recognised such messages by their wording."""

from __future__ import annotations

from pathlib import Path

from app.records.errors import StorageError
from app.records_gateway import PatientInfo
from tests.gui.gui_helpers import WAIT_MS, close_window, make_window

FULL = ("cannot write /clinic/data/photos/000001/rest.png: the disk is full; nothing saved before was lost. "
        "Free some disk space (or choose another data folder) and try again.")


def test_a_photo_not_saved_stays_above_the_pages_until_the_capture_page_is_left(qtbot, data_folder: Path,
                                                                                tiny_weights: Path, monkeypatch) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        window.gateway.save_patient(PatientInfo("MRN-1", "Test Person"), is_new=True)
        window.start_assessment("MRN-1")

        def disk_full(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            raise StorageError(FULL)

        monkeypatch.setattr(window.gateway, "save_capture", disk_full)
        page = window.capture
        qtbot.waitUntil(lambda: page._last_packet is not None, timeout=WAIT_MS)
        assert page.capture_now()  # taken; its save fails on the saver thread
        qtbot.waitUntil(lambda: window.notice.isVisible(), timeout=WAIT_MS)
        said = window.notice.text()
        assert said.startswith("The Rest photo could not be saved") and FULL in said  # whole, word-wrapped
        assert window.statusBar().currentMessage() == said
        page.notify.emit("Rest is already taken \u2013 press R to retake")
        assert window.notice.text() == said  # a later, ordinary message does not take it away
        window.show_patients()
        assert not window.notice.isVisible()
    finally:
        close_window(window)
