"""A confirmation the store refuses (a full disk, a data folder gone) is said where the user
looks (audit a1, defect 6): the reason under the review form was below the fold at 1366x768,
so Confirm seemed to do nothing; now the form scrolls to it, and the status bar says it."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QApplication

from app.main_window import MainWindow
from app.records.errors import StorageError
from tests.gui.gui_helpers import WAIT_MS, analysed_assessment
from tests.gui.test_results_review_r1 import _in_window

FULL = ("cannot save to the database /clinic/palsy.db: the disk is full; nothing saved before was lost. "
        "Free some disk space and try again.")


def test_a_refused_confirmation_is_in_view_and_in_the_status_bar(qtbot, open_window: Callable[..., MainWindow],
                                                                 monkeypatch) -> None:  # noqa: ANN001
    window = open_window()
    visit = analysed_assessment(qtbot, window, "MRN-F", "Fay Full")
    window.resize(1000, 520)  # a 1366x768 laptop at 125-150 %: the side panel scrolls
    page = window.results
    qtbot.waitUntil(lambda: not page.overlays_pending, timeout=WAIT_MS)
    page.grade_buttons.button(1).setChecked(True)
    page.clinician_edit.setText("Dr Kim")
    page.notes_edit.setPlainText("Brow weaker on the left. " * 40)  # long notes push the form down
    QApplication.processEvents()

    def refuse(*_args: object) -> None:
        raise StorageError(FULL)

    monkeypatch.setattr(window.gateway, "confirm", refuse)
    page.confirm()
    QApplication.processEvents()
    assert page.review_error.text() == FULL
    assert _in_window(page.review_error)  # scrolled into view, not below the fold
    assert window.statusBar().currentMessage() == f"The grade was not confirmed: {FULL}"
    assert window.gateway.assessment(visit).status == "analysed"
    assert page.clinician_edit.text() == "Dr Kim"  # the form as typed, to confirm again
