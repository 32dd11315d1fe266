"""A reopened visit whose record cannot be trusted is flagged on the results page and no report
is made of it, by the Export button and Ctrl+E alike (audit s1, findings 2, 3 and 5):

- its row disagrees with its own audit trail (one UPDATE of the confirmed grade showed as
  "Confirmed: grade II ... by Dr X", and Export stored a new report printing the forged grade
  under the real clinician's name);
- its stored analysis gives another network grade than its row (two grades on screen);
- stored photos are missing or damaged (the new report silently lacked them and the flag)."""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.main_window import MainWindow
from tests.gui.gui_helpers import WAIT_MS, analysed_assessment, close_window, make_window
from tests.records.records_helpers import edit_behind_the_app


@pytest.fixture
def confirmed(qtbot, data_folder: Path, tiny_weights: Path) -> Iterator[tuple[MainWindow, int, str]]:  # noqa: ANN001
    """A window with MRN-1's visit analysed and confirmed at the network's grade (no report yet);
    (window, visit, grade)."""
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        visit = analysed_assessment(qtbot, window)
        grade = window.result.grade
        window.gateway.confirm(visit, grade, "Dr Kim", "")
        yield window, visit, grade
    finally:
        close_window(window)


def _other(grade: str) -> str:
    return "II" if grade != "II" else "III"


def _reopen(qtbot, window: MainWindow, visit: int) -> None:  # noqa: ANN001
    window.show_history("MRN-1")
    window.open_read_only(visit)
    assert window.stack.currentWidget() is window.results and window.result is not None
    qtbot.waitUntil(lambda: not window.results.overlays_pending, timeout=WAIT_MS)


def _refused(qtbot, window: MainWindow, visit: int, words: str) -> None:  # noqa: ANN001
    """The page's button is off saying `words`, and Ctrl+E says it and stores nothing."""
    button = window.results.export_button
    assert not button.isEnabled() and words in button.toolTip()
    window.export_action.trigger()  # Ctrl+E
    assert window._export_id is None
    assert words in window.statusBar().currentMessage()
    assert window.gateway.saved_reports(visit) == []


def _edit_confirmed_grade(window: MainWindow, visit: int, grade: str) -> str:
    edit_behind_the_app(window.gateway.folder, "UPDATE assessments SET confirmed_grade = ? WHERE id = ?", _other(grade), visit)
    return f"its confirmed grade is {_other(grade)} but its audit trail says {grade}"


def _edit_stored_grade(window: MainWindow, visit: int, grade: str) -> str:
    result = window.gateway.assessment(visit).result
    result["grade"] = _other(grade)
    edit_behind_the_app(window.gateway.folder, "UPDATE assessments SET result_json = ? WHERE id = ?", json.dumps(result), visit)
    return f"its stored analysis gives network grade {_other(grade)} but its record says {grade}"


def _edit_probabilities(window: MainWindow, visit: int, grade: str) -> str:
    """The stored probabilities put another grade highest (`records check` said so; the window,
    judging by another rule, exported a chart contradicting its grade: review r2 #4)."""
    result = window.gateway.assessment(visit).result
    result["probabilities"] = {g: (0.9 if g == _other(grade) else 0.02) for g in result["probabilities"]}
    edit_behind_the_app(window.gateway.folder, "UPDATE assessments SET result_json = ? WHERE id = ?", json.dumps(result), visit)
    return f"its stored analysis's probabilities put grade {_other(grade)} highest but its record says network grade {grade}"


EDITS: dict[str, Callable[[MainWindow, int, str], str]] = {
    "confirmed grade": _edit_confirmed_grade, "stored analysis": _edit_stored_grade,
    "probabilities": _edit_probabilities}


@pytest.mark.parametrize("edit", EDITS)
def test_a_record_edited_outside_the_app_is_flagged_and_not_exported(qtbot, confirmed, edit: str) -> None:  # noqa: ANN001
    window, visit, grade = confirmed
    difference = EDITS[edit](window, visit, grade)
    _reopen(qtbot, window, visit)
    flags = window.results.flags.text()
    assert "This visit&#x27;s record was changed outside Palsy Grader" in flags and html.escape(difference) in flags
    assert "palsy records check" in flags and "`" not in flags
    decision = window.results.decision_label.text()  # what the record says, not "✓ Confirmed" as the clinician's
    assert decision.startswith("The record says grade ") and "changed outside Palsy Grader" in decision
    assert "\u2713" not in decision
    _refused(qtbot, window, visit, f"This visit's record was changed outside Palsy Grader: {difference}")


def test_a_visit_with_missing_or_damaged_photos_is_not_exported(qtbot, confirmed) -> None:  # noqa: ANN001
    window, visit, _ = confirmed
    captures = window.gateway.assessment(visit).captures
    Path(captures["close_eyes"]).unlink()
    Path(captures["rest"]).write_bytes(b"not a photo")
    _reopen(qtbot, window, visit)
    assert "Stored photos missing or damaged" in window.results.flags.text()
    _refused(qtbot, window, visit, "Stored photos of this visit are missing or damaged (rest, close eyes): restore "
                                   "them from a backup first (palsy records check lists them)")


def test_an_untouched_visit_is_exported_after_reopening(qtbot, confirmed) -> None:  # noqa: ANN001
    window, visit, _ = confirmed
    _reopen(qtbot, window, visit)
    assert "changed outside Palsy Grader" not in window.results.flags.text()
    assert window.results.decision_label.text().startswith("\u2713 Confirmed: grade ")
    assert window.results.export_button.isEnabled()
    window.export_action.trigger()
    qtbot.waitUntil(lambda: window._export_id is None and window.last_report is not None, timeout=WAIT_MS)
    assert len(window.gateway.saved_reports(visit)) == 1
