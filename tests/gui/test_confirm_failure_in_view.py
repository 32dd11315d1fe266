"""A confirmation the store refuses (a full disk, a data folder gone) is said where the user
looks (audit a1, defect 6): the reason under the review form was below the fold at 1366x768,
so Confirm seemed to do nothing; now the form scrolls to it, and the status bar says it."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtWidgets import QApplication

import app.pages.results as results_module
import app.widgets.status_bar as status_bar_module
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


def test_a_refused_confirmation_is_spoken_once_without_the_path_and_goes_with_the_page(
        qtbot, open_window: Callable[..., MainWindow], monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    """Said once to a screen reader (the page and the bar both said it), without the database's
    path; the bar's line, which does not say whose grade it was, goes when the results page is
    left (it stayed on every page) (audit16 r1, defect 5)."""
    spoken: list[str] = []
    for module in (results_module, status_bar_module):
        real = module.announce
        monkeypatch.setattr(module, "announce",
                            lambda widget, text, *a, _real=real, **k: (spoken.append(text), _real(widget, text, *a, **k))[1])
    window = open_window()
    analysed_assessment(qtbot, window, "MRN-F", "Fay Full")
    page = window.results
    qtbot.waitUntil(lambda: not page.overlays_pending, timeout=WAIT_MS)
    page.grade_buttons.button(1).setChecked(True)
    page.clinician_edit.setText("Dr Kim")
    page.notes_edit.setPlainText("Brow weaker on the left, synkinesis of the mouth corner on eye closure.")

    def refuse(*_args: object) -> None:
        raise StorageError(FULL)

    monkeypatch.setattr(window.gateway, "confirm", refuse)
    spoken.clear()
    page.confirm()
    QApplication.processEvents()
    said = [text for text in spoken if "disk is full" in text]
    assert len(said) == 1 and "/clinic" not in said[0] and "palsy.db" not in said[0]
    assert said[0].startswith("The grade was not confirmed")
    assert window.statusBar().currentMessage() == f"The grade was not confirmed: {FULL}"  # the path shown

    window.show_patients()
    assert window.stack.currentWidget() is window.patients
    assert not window.statusBar().currentMessage().startswith("The grade was not confirmed")
