"""A review typed whose copy the data folder cannot take (a full disk, a read-only or vanished
folder) is lost if Palsy Grader closes: the status bar says so once, naming the patient, and the
"Leave without confirming the grade?" question no longer promises it survives a close (audit16
r1, defect 2). With the copy written, the question says it does."""

from __future__ import annotations

from collections.abc import Callable

import pytest

import app.review_drafts as review_drafts
from app.main_window import MainWindow
from app.records.errors import StorageError
from tests.gui.gui_helpers import WAIT_MS, analysed_assessment

NOTES = "Synkinesis of the left mouth corner on eye closure"
UNKEPT = "could not be kept in the data folder"


def _asking(texts: list[str]) -> Callable[..., bool]:
    return lambda parent, title, text: texts.append(text) or True


def test_a_review_the_data_folder_cannot_take_is_said_once_and_not_promised(
        qtbot, open_window: Callable[..., MainWindow], monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    asked: list[str] = []
    window = open_window(ask=_asking(asked))
    analysed_assessment(qtbot, window, "MRN-R", "Rita Review")

    def full(path: object, data: bytes, **_kw: object) -> None:
        raise StorageError("cannot write the file: the disk is full; nothing saved before was lost")

    monkeypatch.setattr(review_drafts, "atomic_write", full)
    bar = window.statusBar()
    page = window.results
    page.clinician_edit.setText("Dr Kim")
    page.notes_edit.setPlainText(NOTES)
    qtbot.waitUntil(lambda: UNKEPT in bar.currentMessage(), timeout=WAIT_MS)  # once the typing paused
    said = bar.currentMessage()
    assert UNKEPT in said and "Rita Review (MRN-R)" in said
    assert "lost if Palsy Grader closes" in said and "confirm it now" in said
    bar.clearMessage()
    page.notes_edit.setPlainText(NOTES + ", brow weaker")
    page.write_kept_reviews()  # still failing: not said again
    assert bar.currentMessage() == ""

    window.show_patients()
    assert window.stack.currentWidget() is window.patients
    assert "kept until Palsy Grader closes" in asked[-1] and "even if Palsy Grader closes" not in asked[-1]


def test_a_review_kept_in_the_data_folder_is_promised_to_survive_a_close(
        qtbot, open_window: Callable[..., MainWindow]) -> None:  # noqa: ANN001
    asked: list[str] = []
    window = open_window(ask=_asking(asked))
    analysed_assessment(qtbot, window, "MRN-K", "Kay Kept")
    window.results.clinician_edit.setText("Dr Kim")
    window.results.notes_edit.setPlainText(NOTES)
    window.show_patients()  # within the pause: written before the question is asked
    assert "kept, even if Palsy Grader closes, until the grade is confirmed" in asked[-1]
    assert UNKEPT not in window.statusBar().currentMessage()
