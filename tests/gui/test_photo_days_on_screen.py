"""The results page flags photos of several days (a draft resumed another day) when the
analysis ends and when the visit is reopened: the window passes the photos' capture times."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from app.records_gateway import PatientInfo
from tests.gui.gui_helpers import WAIT_MS, capture_all, close_window, make_window

FLAG = "Photos taken on different days"


def test_photos_of_two_days_are_flagged_after_analysis_and_on_reopening(
        qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        window.gateway.save_patient(PatientInfo("MRN-1", "Test Person"), is_new=True)
        window.patients.refresh()
        window.start_assessment("MRN-1")
        capture_all(qtbot, window)
        assessment_id = window.assessment_id
        with sqlite3.connect(data_folder / "palsy.db") as conn:  # the rest photo taken 16 days earlier
            conn.execute("UPDATE captures SET captured_at = '2026-11-20T09:00:00+00:00' "
                         "WHERE assessment_id = ? AND expression = 'rest'", (assessment_id,))
        conn.close()
        window.start_analysis()
        qtbot.waitUntil(lambda: window.stack.currentWidget() is window.results, timeout=WAIT_MS)
        assert FLAG in window.results.flags.text()
        assert window.gateway.assessment(assessment_id).captured_at["rest"] == "2026-11-20T09:00:00+00:00"
        window.show_history("MRN-1")
        window.open_read_only(assessment_id)
        assert FLAG in window.results.flags.text()
    finally:
        close_window(window)


def test_the_unfinished_bar_says_when_a_drafts_photos_are_from_another_day(qtbot) -> None:
    from datetime import datetime, timedelta, timezone

    from app.pages.patient import PatientPage
    from tests.doubles import MemoryRecords

    records = MemoryRecords()
    records.save_patient(PatientInfo("MRN-D", "Dora Draft"), is_new=True)
    old = records.assessments[records.start_assessment("MRN-D")]
    page = PatientPage(records)
    qtbot.addWidget(page)
    page.show_unfinished(old)
    assert "Dora Draft" in page.resume_label.text() and "not comparable" not in page.resume_label.text()
    old.created = (datetime.now(timezone.utc) - timedelta(days=16)).isoformat(timespec="seconds")
    page.show_unfinished(old)
    assert "Its photos were taken 16 days ago" in page.resume_label.text()
    assert "not comparable" in page.resume_label.text()
