"""A review typed but not confirmed survives a crash (a kill, a power cut, a session end): the
grade, clinician and notes are kept in the data folder shortly after the typing stops, and a
new window over the same folder brings them back with the analysed visit, saying they were
typed before Palsy Grader closed; Confirm stores them and forgets the kept copy, as marking
the visit entered in error does. A damaged copy never stops the visit opening."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from app.main_window import MainWindow
from app.pages.results_logic import KEPT_FROM_BEFORE_NOTE
from app.review_drafts import DRAFTS_DIR, ReviewDrafts, ReviewForm, visit_key
from tests.gui.gui_helpers import WAIT_MS, analysed_assessment
from tests.records.records_helpers import tiny_png

NOTES = "Synkinesis of the left mouth corner on eye closure, brow weaker than at the last visit"


def test_a_review_typed_before_a_crash_is_back_in_the_next_window(qtbot, open_window: Callable[..., MainWindow]) -> None:  # noqa: ANN001
    crashed = open_window()
    visit = analysed_assessment(qtbot, crashed, "MRN-R", "Rita Review")
    page = crashed.results
    page.grade_buttons.button(3).setChecked(True)  # IV
    page.clinician_edit.setText("Dr Kim")
    page.notes_edit.setPlainText(NOTES)
    draft = crashed.gateway.folder / DRAFTS_DIR / f"{visit:06d}.json"
    # written once the typing pauses, with the page still on screen: no close, no page left
    qtbot.waitUntil(lambda: draft.is_file() and not page.kept_reviews.unwritten, timeout=WAIT_MS)
    assert page.isVisible() and crashed.stack.currentWidget() is page

    # the first window is never closed (killed): a new one over the same data folder
    after = open_window()
    assert after.patients.offered_review_id == visit  # the result is offered back, as before
    after.patients.review_button.click()
    again = after.results
    assert after.stack.currentWidget() is again and after.assessment_id == visit and not again.read_only
    assert (again.selected_grade(), again.clinician_edit.text(), again.notes_edit.toPlainText()) == ("IV", "Dr Kim", NOTES)
    assert again.kept_note.isVisibleTo(again) and again.kept_note.text() == KEPT_FROM_BEFORE_NOTE

    qtbot.waitUntil(lambda: not again.overlays_pending, timeout=WAIT_MS)
    again.confirm()
    info = after.gateway.assessment(visit)
    assert (info.status, info.confirmed_grade, info.clinician, info.notes) == ("confirmed", "IV", "Dr Kim", NOTES)
    assert not draft.exists()  # on record now: the kept copy is gone
    assert not again.kept_note.isVisibleTo(again)


def _stored_analysed_visit(window: MainWindow) -> int:
    """An analysed visit awaiting confirmation, written straight into the window's store."""
    store = window.gateway.store
    store.create_patient("MRN-W", name="Walter Wrong")
    visit = store.start_assessment("MRN-W").id
    store.save_capture(visit, "rest", tiny_png(5))
    store.record_results(visit, {"grade": "III"}, model_grade="III")
    return visit


def _left_by_a_crash(window: MainWindow, visit: int) -> Path:
    """The kept review a crashed run left for `visit` (written as that run wrote it)."""
    info = window.gateway.assessment(visit)
    drafts = ReviewDrafts(window.gateway.folder, lambda _a: visit_key(info.patient_id, info.created))
    assert drafts.save(visit, ReviewForm("IV", "Dr Kim", NOTES))
    return drafts.path(visit)


def test_a_damaged_kept_review_does_not_stop_the_visit_opening(qtbot, open_window: Callable[..., MainWindow]) -> None:  # noqa: ANN001
    window = open_window()
    visit = _stored_analysed_visit(window)
    draft = _left_by_a_crash(window, visit)
    draft.write_bytes(b'{"version": 1, "assessment": ' + str(visit).encode() + b', "grade": "IV", "clin')  # cut short
    window.open_read_only(visit)
    page = window.results
    assert window.stack.currentWidget() is page and page.assessment_id == visit and page.status == "analysed"
    assert page.clinician_edit.text() == "" and page.notes_edit.toPlainText() == ""  # the visit as stored
    assert not page.kept_note.isVisibleTo(page)
    qtbot.waitUntil(lambda: not page.overlays_pending, timeout=WAIT_MS)


def test_a_visit_entered_in_error_forgets_its_kept_review(qtbot, open_window: Callable[..., MainWindow]) -> None:  # noqa: ANN001
    window = open_window(ask_reason=lambda parent, title, text: "recorded under the wrong patient")
    visit = _stored_analysed_visit(window)
    draft = _left_by_a_crash(window, visit)
    window.withdraw_visit(visit)
    assert window.gateway.assessment(visit).status == "discarded"
    assert not draft.exists()


def test_a_review_kept_for_a_visit_confirmed_elsewhere_is_removed_at_start(qtbot, open_window: Callable[..., MainWindow]) -> None:  # noqa: ANN001
    first = open_window()
    visit = _stored_analysed_visit(first)
    draft = _left_by_a_crash(first, visit)
    first.gateway.store.confirm_grade(visit, "III", "Dr Lee")  # another station, or `palsy records`
    open_window()  # the next start over the same data folder
    assert not draft.exists()  # the typed notes do not linger beside the record


def test_a_review_kept_for_a_visit_this_database_lacks_is_removed_at_start(qtbot, open_window: Callable[..., MainWindow]) -> None:  # noqa: ANN001
    """An older palsy.db restored: a form kept for a number it does not have, or for another visit
    of that number, can never be shown, and holds typed notes: removed at the next start."""
    first = open_window()
    visit = _stored_analysed_visit(first)
    drafts = ReviewDrafts(first.gateway.folder, lambda _a: visit_key("MRN-GONE", "2026-01-01T09:00:00"))
    assert drafts.save(999, ReviewForm("IV", "Dr Kim", NOTES)) and drafts.save(visit, ReviewForm("II", "Dr Kim", NOTES))
    open_window()
    assert not drafts.path(999).exists()  # no such visit here
    assert not drafts.path(visit).exists()  # typed for another visit of the same number
