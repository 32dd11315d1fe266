"""An assessment analysed in the window stores the patient record's affected side and the
side disagreement in its assessment.json, as `palsy assess` does (the GUI judged it only at
display time, so an export of the record said nothing of it); the screen and the report
judge against the record as it is now, so a corrected record clears the flag."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from app.analysis import run_analysis
from app.records_gateway import PatientInfo
from models.pipeline.flag_wording import review_flags
from tests.gui.gui_helpers import WAIT_MS, capture_all, close_window, make_window

SIDE_FLAG = "Affected side differs from the patient record"


def _measured_right_weaker(photos, handle, progress):  # noqa: ANN001, ANN201
    """The real analysis, its measurement set to a grade IV palsy of the right side."""
    result = run_analysis(photos, handle, progress)
    raw = result.raw
    raw.measured = dataclasses.replace(raw.measured, grade="IV", affected_side="right", weaker_side="right")
    return dataclasses.replace(result, affected_side="right", measured_grade="IV")


def test_the_stored_record_carries_the_registered_side_and_the_disagreement(
        qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights, analyse=_measured_right_weaker)
    try:
        window.gateway.save_patient(PatientInfo("MRN-1", "Test Person", affected_side="left"), is_new=True)
        window.patients.refresh()
        window.start_assessment("MRN-1")
        capture_all(qtbot, window)
        window.start_analysis()
        qtbot.waitUntil(lambda: window.stack.currentWidget() is window.results, timeout=WAIT_MS)
        stored = window.gateway.assessment(window.assessment_id).result
        assert stored["registered_side"] == "left" and stored["affected_side"] == "right"
        [flag] = [f for f in stored["flags"] if f["code"] == "side_disagreement"]
        assert "record says the left side is affected" in flag["message"]
        assert window.results.flags.text().count(SIDE_FLAG) == 1  # shown once, not stored and judged
    finally:
        close_window(window)
    # the record corrected to the right side: the stored flag no longer stands
    assert SIDE_FLAG not in [t for t, _ in review_flags(stored["flags"], "right", "right")]
    assert [t for t, _ in review_flags(stored["flags"], "left", "right")].count(SIDE_FLAG) == 1
