"""A report being written when Palsy Grader is killed, crashes or loses power is said at the next
start, as one lost at a close that gave up waiting: its export notes it in DATA/tmp when it
starts, and takes the note off once the report is saved or its failure said. A window started on
the same data folder while the first still writes stands for the next start after a kill (the
first is never closed, as a killed one never is)."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import app.window_report as window_report
from app.export import STAGING_DIR, render_pdf
from app.main_window import UNSAVED_REPORT
from app.records.errors import StorageError
from models.labels import GRADES
from tests.gui.gui_helpers import WAIT_MS, analysed_assessment

LOST = "was not saved (A-1, visit of"


def _confirmed(qtbot, window) -> int:  # noqa: ANN001
    aid = analysed_assessment(qtbot, window, "A-1", "Alice A")
    window.results.clinician_edit.setText("Dr T")
    window.results.grade_buttons.button(GRADES.index(window.results.result.grade)).click()  # flagged: none is ticked
    window.results.confirm_button.click()
    return aid


def _exported(qtbot, window) -> None:  # noqa: ANN001
    window.export_pdf()
    qtbot.waitUntil(lambda: window._export_id is None, timeout=WAIT_MS)


def test_a_report_being_written_at_a_kill_is_said_at_the_next_start(qtbot, open_window, data_folder: Path) -> None:
    started, gate = threading.Event(), threading.Event()

    def never_finishing(*args):  # noqa: ANN002, ANN202 - the render of a report as the process is killed
        started.set()
        gate.wait(WAIT_MS / 1000)
        return render_pdf(*args)

    window = open_window(render_report=never_finishing)
    try:
        _confirmed(qtbot, window)
        window.export_pdf()
        qtbot.waitUntil(started.is_set, timeout=WAIT_MS)
        assert window.statusBar().currentMessage() == "Writing the report\u2026"
        after_the_kill = open_window()  # the first one never closed: nothing at close wrote the note
        assert LOST in after_the_kill.notice.text()
        assert "open the visit from the patient's history and export it again" in after_the_kill.notice.text()
    finally:
        gate.set()
    qtbot.waitUntil(lambda: window._export_id is None, timeout=WAIT_MS)  # its note, said already, is gone
    assert window.last_report is not None


def test_a_report_saved_leaves_nothing_to_say(qtbot, open_window, data_folder: Path) -> None:
    window = open_window()
    _confirmed(qtbot, window)
    _exported(qtbot, window)
    assert window.last_report is not None
    assert not (data_folder / STAGING_DIR / UNSAVED_REPORT).exists()
    assert "was not saved" not in open_window().notice.text()


def test_a_report_whose_failure_was_said_is_not_said_again(qtbot, open_window, data_folder: Path) -> None:
    def failing(*args):  # noqa: ANN002, ANN202
        raise StorageError("cannot write the report in tmp: the disk is full")

    window = open_window(render_report=failing)
    _confirmed(qtbot, window)
    _exported(qtbot, window)
    assert "Report for Alice A (A-1) failed" in window.notice.text()
    assert not (data_folder / STAGING_DIR / UNSAVED_REPORT).exists()
    assert "was not saved" not in open_window().notice.text()


def test_a_noted_report_that_was_saved_after_all_is_not_said(qtbot, open_window, data_folder: Path) -> None:
    window = open_window()
    aid = _confirmed(qtbot, window)
    _exported(qtbot, window)
    # killed after the report was kept, before its note was taken off
    marker = data_folder / STAGING_DIR / UNSAVED_REPORT
    marker.write_text(f"{aid}\n", encoding="utf-8")
    again = open_window()
    assert "was not saved" not in again.notice.text()
    assert not marker.exists()  # read once, as ever


def test_a_note_that_cannot_be_written_never_stops_the_export(qtbot, open_window, data_folder: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise StorageError("the data folder is read-only")

    window = open_window()
    _confirmed(qtbot, window)
    monkeypatch.setattr(window_report, "ensure_private_dir", refused)
    _exported(qtbot, window)
    assert window.last_report is not None and window.last_report.is_file()
    assert window.statusBar().currentMessage().startswith("Report saved for Alice A (A-1)")
