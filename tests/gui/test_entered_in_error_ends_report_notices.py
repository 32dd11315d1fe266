"""A visit marked entered in error leaves the history: no notice may still ask the therapist to
export its report again (the notice named the wrong patient's visit and stood all session)."""

from __future__ import annotations

from pathlib import Path

from app.export import STAGING_DIR
from app.main_window import UNSAVED_REPORT
from app.records import Store
from app.window_report import report_notice_key
from tests.gui.gui_helpers import close_window, make_window

WANTED = "was not saved"


def _analysed_visit(folder: Path, patient_id: str) -> int:
    """An analysed visit of a new patient, written straight to the store; its number."""
    with Store.open(folder) as store:
        store.create_patient(patient_id, name="Wrong Person", actor="test")
        visit = store.start_assessment(patient_id, actor="test")
        store.record_results(visit.id, {"grade": "III"}, model_grade="III")
        return visit.id


def _report_lost_at_last_close(folder: Path, *assessment_ids: int) -> None:
    marker = folder / STAGING_DIR / UNSAVED_REPORT
    marker.parent.mkdir(exist_ok=True)
    marker.write_text("".join(f"{aid}\n" for aid in assessment_ids))


def test_a_visit_marked_entered_in_error_before_the_start_is_not_asked_for(
        qtbot, data_folder: Path, tiny_weights: Path) -> None:
    withdrawn = _analysed_visit(data_folder, "MRN-7")
    kept = _analysed_visit(data_folder, "MRN-8")
    with Store.open(data_folder) as store:  # on another station, before this start
        store.withdraw_assessment(withdrawn, actor="other station", reason="recorded under the wrong patient")
    _report_lost_at_last_close(data_folder, withdrawn, kept)
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        assert WANTED in window.notice.text() and "MRN-8" in window.notice.text()
        assert "MRN-7" not in window.notice.text()
    finally:
        close_window(window)


def test_marking_the_visit_entered_in_error_ends_the_notices_asking_for_its_report(
        qtbot, data_folder: Path, tiny_weights: Path) -> None:
    visit = _analysed_visit(data_folder, "MRN-8")
    _report_lost_at_last_close(data_folder, visit)
    window = make_window(qtbot, data_folder, tiny_weights, ask_reason=lambda *_args: "recorded under the wrong patient")
    try:
        assert WANTED in window.notice.text() and "MRN-8" in window.notice.text()
        window.set_notice(report_notice_key(visit), "Report for Wrong Person (MRN-8) could not be saved: the disk is full")
        window.withdraw_visit(visit)
        assert window.gateway.assessment(visit).status == "discarded"
        assert "MRN-8" not in window.notice.text() and not window.notice.isVisibleTo(window)
    finally:
        close_window(window)
