"""A saved report is handed on from the window: File > Open report (the system's viewer, which
prints it) and Save a copy of the report (where the user chooses, named for the patient and the
visit), also beside "Report saved" in the status bar. No real viewer or file dialog: both are faked."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog

from app.local_time import local_minute
from models.labels import GRADES
from tests.gui.gui_helpers import WAIT_MS, analysed_assessment, close_window, make_window


def confirm(window, clinician: str = "Dr T") -> None:
    window.results.clinician_edit.setText(clinician)
    window.results.grade_buttons.button(GRADES.index(window.results.result.grade)).click()  # flagged: none is ticked
    window.results.confirm_button.click()
    assert window.results.status == "confirmed"


def export(qtbot, window) -> Path:
    window.export_pdf()
    qtbot.waitUntil(lambda: window._export_id is None, timeout=WAIT_MS)
    assert window.last_report is not None and window.last_report.is_file()
    return window.last_report


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files handed to the system's viewer."""
    files: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", staticmethod(lambda url: files.append(url.toLocalFile()) or True))
    return files


def test_open_report_opens_the_saved_pdf_of_the_visit_on_screen(qtbot, data_folder: Path, tiny_weights: Path,
                                                                  opened: list[str]) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        analysed_assessment(qtbot, window)
        confirm(window)
        assert not window.open_report_action.isEnabled()  # confirmed, not exported yet
        assert not window.copy_report_action.isEnabled()
        path = export(qtbot, window)
        assert window.open_report_action.isEnabled() and window.copy_report_action.isEnabled()
        window.open_report_action.trigger()
        assert opened == [str(path)]

        # beside "Report saved", for that report
        bar = window.statusBar()
        assert bar.currentMessage() == "Report saved for Ada Lovelace (MRN-1)"  # the path in its details
        assert bar.current_details() == f"Report saved for Ada Lovelace (MRN-1): {path}"
        assert [b.text() for b in bar.offered] == ["Open report", "Save a copy\u2026"]
        bar.offered[0].click()
        assert opened == [str(path), str(path)]

        # confirmed again (a note added): that report shows the record as it was, and is not offered
        window.results.notes_edit.setPlainText("Seen with her daughter")
        window.results.confirm_button.click()
        assert window.statusBar().currentMessage().startswith("Grade ")
        assert not bar.offered
        assert not window.open_report_action.isEnabled() and not window.copy_report_action.isEnabled()
        again = export(qtbot, window)
        assert window.open_report_action.isEnabled()
        visit = window.assessment_id
        window.show_patients()  # the patients page shows no visit
        assert not window.open_report_action.isEnabled()

        window.open_read_only(visit)  # from the history, another day: the visit's report as it stands
        qtbot.waitUntil(lambda: window.stack.currentWidget() is window.results, timeout=WAIT_MS)
        assert window.open_report_action.isEnabled()
        window.open_report_action.trigger()
        assert opened[-1] == str(again) != str(path)
    finally:
        close_window(window)


def test_save_a_copy_proposes_the_patient_and_visit_and_never_overwrites_the_original(
        qtbot, data_folder: Path, tiny_weights: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    proposed: list[str] = []
    answer: list[str] = []

    def save_dialog(parent, caption: str, start: str, filters: str) -> tuple[str, str]:
        proposed.append(start)
        return answer.pop(0), filters

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(save_dialog))
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        analysed_assessment(qtbot, window, "MRN/7", "Ada  Lovelace")
        confirm(window)
        original = export(qtbot, window)
        stored = original.read_bytes()
        started = local_minute(window.gateway.assessment(window.assessment_id).created)  # "2026-12-07 09:30"
        visit_date, visit_time = started[:10], started[11:].replace(":", "")

        answer.append(str(tmp_path / "for the chart.pdf"))
        window.copy_report_action.trigger()
        assert Path(proposed[-1]).name == f"MRN-7_Ada Lovelace_{visit_date}_{visit_time}_HB-report.pdf"
        assert (tmp_path / "for the chart.pdf").read_bytes() == stored
        assert window.statusBar().currentMessage() == f"Copy of the report saved: {tmp_path / 'for the chart.pdf'}"

        answer.append(str(original))  # over the stored original: refused
        window.copy_report_action.trigger()
        assert Path(proposed[-1]).parent == tmp_path  # it starts where the last copy went
        assert original.read_bytes() == stored
        assert window.statusBar().currentMessage().startswith(
            "The copy was not saved: a copy of the report cannot be saved in the data folder")

        answer.append("")  # Cancel
        window.copy_report_action.trigger()
        assert window.statusBar().currentMessage().startswith("The copy was not saved")
    finally:
        close_window(window)


def test_the_first_export_asks_reportlab_on_the_worker_not_the_window(qtbot, data_folder: Path, tiny_weights: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """What the PDF could not print is asked through ReportLab, whose first import froze the
    window (0.1-0.6 s): it is asked on the export's worker thread."""
    import threading

    import app.report.pdf as pdf

    asked_on: list[bool] = []
    real = pdf.unprinted_warning
    monkeypatch.setattr(pdf, "unprinted_warning",
                        lambda context: asked_on.append(threading.current_thread() is threading.main_thread())
                        or real(context))
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        analysed_assessment(qtbot, window, "IN-01", "राहुल शर्मा")
        confirm(window)
        export(qtbot, window)
        assert asked_on == [False]
        assert "could not print the patient's name (Devanagari)" in window.statusBar().currentMessage()
    finally:
        close_window(window)


def test_a_report_predating_a_corrected_name_is_not_handed_on(qtbot, data_folder: Path, tiny_weights: Path,
                                                               opened: list[str]) -> None:
    """The PDF prints the name as it was: Open report says why it is not offered."""
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        analysed_assessment(qtbot, window)
        confirm(window)
        export(qtbot, window)
        patient = window.gateway.get_patient("MRN-1")
        window.gateway.save_patient(replace(patient, name="Ada King"), is_new=False)  # at another station
        window.open_report_action.trigger()
        assert opened == []
        assert window.statusBar().currentMessage() == (
            "The saved report predates a change to the records (the patient's details): export it again (Ctrl+E)")
        window.offer_report_actions()
        assert not window.open_report_action.isEnabled() and not window.copy_report_action.isEnabled()
    finally:
        close_window(window)


def test_a_copy_named_without_pdf_is_saved_as_pdf(qtbot, data_folder: Path, tiny_weights: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """A dialog that adds no suffix (Qt's own, GTK): ".pdf" is added, never over a file the dialog did not ask about."""
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda parent, caption, start, filters: (str(tmp_path / "Ada report"), filters)))
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        analysed_assessment(qtbot, window)
        confirm(window)
        original = export(qtbot, window)
        window.copy_report_action.trigger()
        assert (tmp_path / "Ada report.pdf").read_bytes() == original.read_bytes()
        assert not (tmp_path / "Ada report").exists()
        assert window.statusBar().currentMessage() == f"Copy of the report saved: {tmp_path / 'Ada report.pdf'}"

        (tmp_path / "Ada report.pdf").write_bytes(b"a colleague's file")
        window.copy_report_action.trigger()
        assert (tmp_path / "Ada report.pdf").read_bytes() == b"a colleague's file"
        assert window.statusBar().currentMessage().startswith(
            f"The copy was not saved: {tmp_path / 'Ada report.pdf'} exists; choose another name")
    finally:
        close_window(window)
