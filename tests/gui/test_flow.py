"""The whole flow through the real window: patient -> capture -> analyse -> override -> PDF."""

from __future__ import annotations

import re
from pathlib import Path

from pypdf import PdfReader
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication

from app.local_time import local_date
from app.records import Store
from tests.gui.gui_helpers import WAIT_MS, capture_all, close_window, make_window


def _images_drawn(pdf: Path) -> int:
    """Images drawn on the pages (ReportLab stores identical images once and draws them again)."""
    return sum(len(re.findall(rb"/FormXob\.\w+ Do", page.get_contents().get_data())) for page in PdfReader(str(pdf)).pages)


def test_full_flow_create_capture_analyse_override_export(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        dialog = window.patients.open_dialog(None)
        dialog.id_edit.setText("MRN-100")
        dialog.name_edit.setText("Grace Hopper")
        dialog.side_combo.setCurrentText("left")
        dialog.accept()
        assert window.patients.selected() == "MRN-100"

        window.patients.start_button.click()
        assert window.stack.currentWidget() is window.capture
        capture_all(qtbot, window)
        # each photo was stored the moment it was taken
        assert len(window.gateway.assessment(window.assessment_id).captures) == 6

        window.capture.analyse_button.click()
        qtbot.waitUntil(lambda: window.stack.currentWidget() is window.results, timeout=WAIT_MS)
        model_grade = window.result.grade
        override = "VI" if model_grade != "VI" else "I"
        assert not window.results.export_button.isEnabled()  # a report needs a confirmed grade

        window.results.grade_buttons.button(["I", "II", "III", "IV", "V", "VI"].index(override)).setChecked(True)
        window.results.clinician_edit.setText("Dr. Test")
        window.results.notes_edit.setPlainText("override in test")
        window.results.confirm_button.click()
        assert window.results.export_button.isEnabled()
        window.results.export_button.click()
        qtbot.waitUntil(lambda: window.last_report is not None, timeout=WAIT_MS)
        pdf = window.last_report
        assert pdf is not None and pdf.is_file()
        text = "".join(page.extract_text() for page in PdfReader(str(pdf)).pages)
        assert "MRN-100" in text and override in text
        live_images = _images_drawn(pdf)
        assert live_images == 18  # each expression: crop, segmentation and attention
        assessment_id = window.assessment_id

        # reopen it read-only from the history and export again from the stored record
        window.show_history("MRN-100")
        # the recomputed overlays reach the page on the GUI thread (a lambda slot ran them on the worker's)
        threads = []
        real_show_images = window.results.show_images
        window.results.show_images = lambda result: (threads.append(QThread.currentThread()), real_show_images(result))
        window.history.open_button.click()
        assert window.results.read_only
        assert f"visit of {local_date(window.gateway.assessment(assessment_id).created)}" in window.results.title.full_text()
        # a report made before the overlays are recomputed from the stored photos would lack them
        assert window.results.overlays_pending and not window.results.export_button.isEnabled()
        qtbot.waitUntil(lambda: window.results.export_button.isEnabled(), timeout=WAIT_MS)
        assert not window.results.overlays_pending
        qtbot.waitUntil(lambda: bool(threads), timeout=WAIT_MS)
        assert all(thread is QApplication.instance().thread() for thread in threads)
        window.results.export_button.click()
        qtbot.waitUntil(lambda: window._export_id is None, timeout=WAIT_MS)
        # rendered again from the stored record, it is the live report to the byte but for its
        # render time: that report stands, no second copy is kept
        assert window.last_report == pdf and "saved already, unchanged" in window.statusBar().currentMessage()
        assert window.last_report.is_file() and window.last_report.read_bytes().startswith(b"%PDF")
        # with the overlays recomputed from the stored photos, as the live report had them
        # (it used to show the stored photos only, "segmentation not available")
        assert _images_drawn(window.last_report) == live_images
        assert "segmentation not available" not in "".join(page.extract_text() for page in PdfReader(str(window.last_report)).pages)
    finally:
        close_window(window)

    store = Store.open(data_folder)
    try:
        stored = store.get_assessment(assessment_id)
        assert stored.status == "confirmed"
        assert stored.confirmed_grade == override
        assert stored.model_grade == model_grade
        entries = [e for e in store.audit_trail("assessment", assessment_id) if e.field == "confirmed_grade"]
        assert entries and entries[-1].new_value == override and entries[-1].actor == "Dr. Test"
        assert "override" in entries[-1].reason
    finally:
        store.close()
