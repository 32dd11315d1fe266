"""A review typed whose copy the data folder cannot take (a full disk, a read-only or vanished
folder) is lost if Palsy Grader closes: the status bar says so once, naming the patient, and the
"Leave without confirming the grade?" question no longer promises it survives a close (audit16
r1, defect 2). With the copy written, the question says it does. The line says why the copy was
not kept (a full disk, notes too long...), and names the patient as every page does, with the date
of birth; the log has the reason and the assessment's number, never the name."""

from __future__ import annotations

import errno
import logging
from collections.abc import Callable
from pathlib import Path

import pytest

import app.review_drafts as review_drafts
from app.main_window import MainWindow
from app.records.errors import storage_error_from_os
from app.records_gateway import PatientInfo
from tests.gui.gui_helpers import WAIT_MS, analysed_assessment

NOTES = "Synkinesis of the left mouth corner on eye closure"
UNKEPT = "could not be kept in the data folder"
BORN = "1961-04-12"


def _asking(texts: list[str]) -> Callable[..., bool]:
    return lambda parent, title, text: texts.append(text) or True


def _analysed_with_birth_date(qtbot, window: MainWindow, patient_id: str, name: str) -> int:  # noqa: ANN001
    visit = analysed_assessment(qtbot, window, patient_id, name)
    window.gateway.save_patient(PatientInfo(patient_id, name, birth_date=BORN), is_new=False)
    return visit


def _disk_full(path: Path, data: bytes, **_kw: object) -> None:
    """`atomic_write` on a full disk: the StorageError it raises for ENOSPC."""
    error = OSError(errno.ENOSPC, "No space left on device")
    raise storage_error_from_os(error, "write", path) from error


def test_a_review_the_data_folder_cannot_take_is_said_once_and_not_promised(
        qtbot, open_window: Callable[..., MainWindow], monkeypatch: pytest.MonkeyPatch,  # noqa: ANN001
        caplog: pytest.LogCaptureFixture) -> None:
    asked: list[str] = []
    window = open_window(ask=_asking(asked))
    visit = _analysed_with_birth_date(qtbot, window, "MRN-R", "Rita Review")

    monkeypatch.setattr(review_drafts, "atomic_write", _disk_full)
    bar = window.statusBar()
    page = window.results
    with caplog.at_level(logging.INFO, logger="app.main_window"):
        page.clinician_edit.setText("Dr Kim")
        page.notes_edit.setPlainText(NOTES)
        qtbot.waitUntil(lambda: UNKEPT in bar.currentMessage(), timeout=WAIT_MS)  # once the typing paused
    said = bar.currentMessage()
    assert said == (f"The review typed for Rita Review (MRN-R, born {BORN}) could not be kept in the data folder "
                    "(the disk is full): it is lost if Palsy Grader closes \u2014 confirm it now")
    logged = [r.getMessage() for r in caplog.records if UNKEPT in r.getMessage()]
    assert logged == [f"notice: The review typed for assessment {visit} could not be kept in the data folder "
                      "(the disk is full): it is lost if Palsy Grader closes \u2014 confirm it now"]
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


def test_notes_too_long_to_keep_are_said_with_the_reason(
        qtbot, open_window: Callable[..., MainWindow], monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    window = open_window()
    _analysed_with_birth_date(qtbot, window, "MRN-L", "Lena Long")
    monkeypatch.setattr(review_drafts, "MAX_DRAFT_BYTES", 200)  # below NOTES * 4 alone: no megabyte typed here
    window.results.notes_edit.setPlainText(NOTES * 4)
    window.results.write_kept_reviews()  # as the typing pauses
    said = window.statusBar().currentMessage()
    assert UNKEPT in said and f"Lena Long (MRN-L, born {BORN})" in said
    assert f"({review_drafts.TOO_LONG})" in said and "shorten them" in said and "confirm it now" not in said
