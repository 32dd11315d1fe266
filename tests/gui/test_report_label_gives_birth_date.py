"""The export's messages name the patient as every page does, with the date of birth ("Report for
Jo Ames (MRN-7, born 1970-01-31) failed"): two records of one name are told apart there too. The
log carries no name."""

from __future__ import annotations

import logging

import pytest

from app.records.errors import StorageError
from app.records_gateway import PatientInfo
from models.labels import GRADES
from tests.gui.gui_helpers import WAIT_MS, analysed_assessment

BORN = "1958-11-02"


def test_a_failed_report_names_the_patient_with_the_date_of_birth(qtbot, open_window,  # noqa: ANN001
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    def failing(*_args: object) -> bytes:
        raise StorageError("cannot write the report in tmp: the disk is full")

    window = open_window(render_report=failing)
    analysed_assessment(qtbot, window, "MRN-B", "Bea Born")
    window.gateway.save_patient(PatientInfo("MRN-B", "Bea Born", birth_date=BORN), is_new=False)
    window.results.clinician_edit.setText("Dr T")
    window.results.grade_buttons.button(GRADES.index(window.results.result.grade)).click()
    window.results.confirm_button.click()
    with caplog.at_level(logging.INFO):
        window.export_pdf()
        qtbot.waitUntil(lambda: window._export_id is None, timeout=WAIT_MS)
    assert f"Report for Bea Born (MRN-B, born {BORN}) failed" in window.notice.text()
    assert "Bea Born" not in caplog.text
