"""Export and the history page (opened, or filled again after "Entered in error…") read the
patient's visits on the GUI thread without their photos, which neither uses: listing a
500-visit patient's 3,000 photos took four fifths of that read."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.records import Store
from models.labels import GRADES
from tests.gui.gui_helpers import WAIT_MS, analysed_assessment, close_window, make_window


def test_export_and_the_history_page_read_no_photos_of_past_visits(
        qtbot, data_folder: Path, tiny_weights: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    listed: list[str] = []  # the patients whose visits were read with their photos
    real = Store.history_with_captures
    monkeypatch.setattr(Store, "history_with_captures", lambda self, patient_id: listed.append(patient_id)
                        or real(self, patient_id))
    window = make_window(qtbot, data_folder, tiny_weights, ask_reason=lambda *_args: "recorded under the wrong patient")
    try:
        visit = analysed_assessment(qtbot, window)
        store = window.gateway.store
        earlier = store.start_assessment("MRN-1", created_at="2026-01-05T09:00:00.000+00:00").id
        store.record_results(earlier, {"grade": "II"}, model_grade="II")
        store.confirm_grade(earlier, "II", "Dr T")
        wrong = store.start_assessment("MRN-1", created_at="2026-02-05T09:00:00.000+00:00").id
        store.record_results(wrong, {"grade": "V"}, model_grade="V")
        window.results.clinician_edit.setText("Dr T")
        window.results.grade_buttons.button(GRADES.index(window.results.result.grade)).click()
        window.results.confirm_button.click()
        window.export_pdf()
        qtbot.waitUntil(lambda: window._export_id is None, timeout=WAIT_MS)
        assert window.statusBar().currentMessage() == "Report saved for Ada Lovelace (MRN-1)"
        assert window.gateway.store.reports(visit)  # kept: the grade history it was drawn from still held
        window.show_history("MRN-1")
        assert window.history.table.rowCount() == 3
        window.withdraw_visit(wrong)
        assert window.history.table.rowCount() == 2
        assert listed == []
    finally:
        close_window(window)
