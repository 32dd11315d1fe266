"""Keyboard access: Tab leaves the tables and the notes boxes, Return acts on a table's selected
row, the measurements table is read-only, a date of birth can be typed, Ctrl+H shows the
selected patient's history."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QTableWidget, QTableWidgetItem, QWidget

from app.gateway_store import open_gateway
from app.pages.history import HistoryPage
from app.pages.patient import PatientDialog, PatientPage
from app.pages.results import ResultsPage
from app.records_gateway import PatientInfo, RecordsGateway
from tests.gui.gui_helpers import close_window, make_window

K = Qt.Key


@pytest.fixture
def gateway(data_folder: Path) -> Iterator[RecordsGateway]:
    g = open_gateway(data_folder)
    yield g
    g.close()


def _next_tab_stop(widget: QWidget) -> QWidget:
    """The next widget in `widget`'s focus chain that Tab stops at."""
    widget = widget.nextInFocusChain()
    while not widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
        widget = widget.nextInFocusChain()
    return widget


def _show(qtbot, widget: QWidget) -> None:
    widget.show()
    widget.activateWindow()
    qtbot.waitExposed(widget)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget)


def _focus(qtbot, widget: QWidget) -> None:
    widget.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is widget)


def _fill(table: QTableWidget, rows: list[tuple[object, list[str]]]) -> None:
    table.setRowCount(len(rows))
    for r, (key, texts) in enumerate(rows):
        for c, text in enumerate(texts):
            item = QTableWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, key)
            table.setItem(r, c, item)


def _tab_leaves(qtbot, table: QTableWidget) -> None:
    """Tab from the first cell moves the focus out of the table (not to the next cell)."""
    table.setCurrentCell(0, 0)
    _focus(qtbot, table)
    QTest.keyClick(table, K.Key_Tab)
    assert QApplication.focusWidget() is not table
    assert table.currentColumn() == 0


def test_patients_table_tab_leaves_and_return_starts_the_selected_patient(qtbot, gateway) -> None:
    for pid in ("P-1", "P-2"):
        gateway.save_patient(PatientInfo(pid, f"Person {pid}"), is_new=True)
    page = PatientPage(gateway)
    qtbot.addWidget(page)
    _show(qtbot, page)
    try:
        assert not page.table.tabKeyNavigation()
        _tab_leaves(qtbot, page.table)
        page.select("P-2")
        _focus(qtbot, page.table)
        with qtbot.waitSignal(page.start_assessment, timeout=2000) as blocker:
            QTest.keyClick(page.table, K.Key_Return)
        assert blocker.args == ["P-2"]  # as a double-click does
    finally:
        page.close()


def test_history_table_tab_leaves_and_return_opens_the_selected_assessment(qtbot) -> None:
    page = HistoryPage()
    qtbot.addWidget(page)
    _fill(page.table, [(7, ["2026-01-02", "confirmed", "m", "", "", ""]), (9, ["2026-01-01", "analysed", "m", "", "", ""])])
    _show(qtbot, page)
    try:
        assert not page.table.tabKeyNavigation()
        _tab_leaves(qtbot, page.table)
        page.table.selectRow(1)
        _focus(qtbot, page.table)
        with qtbot.waitSignal(page.open_requested, timeout=2000) as blocker:
            QTest.keyClick(page.table, K.Key_Enter)
        assert blocker.args == [9]
    finally:
        page.close()


def test_the_plots_show_no_auto_range_button(qtbot) -> None:
    # pyqtgraph's "A" button sat in the corner of the history's grade plot
    from app.pages.results import ResultsPage

    history, results = HistoryPage(), ResultsPage()
    for page in (history, results):
        qtbot.addWidget(page)
    for plot in (history.grade_plot, history.function_plot, results.chart):
        assert plot.getPlotItem().buttonsHidden and not plot.getPlotItem().autoBtn.isVisible()


def test_results_regions_table_is_read_only_and_notes_pass_tab_on(qtbot) -> None:
    page = ResultsPage()
    qtbot.addWidget(page)
    _fill(page.regions, [(None, ["brow", "80", "40", "50 %"]), (None, ["mouth", "70", "35", "50 %"])])
    _show(qtbot, page)
    try:
        assert page.regions.editTriggers() == page.regions.EditTrigger.NoEditTriggers
        assert not page.regions.tabKeyNavigation()
        page.regions.setCurrentCell(0, 1)
        _focus(qtbot, page.regions)
        QTest.keyClicks(page.regions, "99")  # would start an editor by default
        QTest.keyClick(QApplication.focusWidget(), K.Key_Return)
        assert page.regions.item(0, 1).text() == "80"
        _tab_leaves(qtbot, page.regions)

        _focus(qtbot, page.notes_edit)
        QTest.keyClicks(page.notes_edit, "mild synkinesis")
        QTest.keyClick(page.notes_edit, K.Key_Tab)
        assert page.notes_edit.toPlainText() == "mild synkinesis"
        assert QApplication.focusWidget() is not page.notes_edit
        _focus(qtbot, page.notes_edit)
        QTest.keyClick(page.notes_edit, K.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
        assert QApplication.focusWidget() is page.clinician_edit
    finally:
        page.close()


def _dialog(qtbot, gateway, pid: str) -> PatientDialog:
    dialog = PatientDialog(gateway)
    qtbot.addWidget(dialog)
    _show(qtbot, dialog)
    _focus(qtbot, dialog.id_edit)
    QTest.keyClicks(dialog.id_edit, pid)
    QTest.keyClick(dialog.id_edit, K.Key_Tab)
    QTest.keyClicks(QApplication.focusWidget(), f"Person {pid}")
    QTest.keyClick(QApplication.focusWidget(), K.Key_Tab)
    assert QApplication.focusWidget() is dialog.dob_edit
    return dialog


@pytest.mark.parametrize("typed, stored", [("19700315", "1970-03-15"), ("1970-03-15", "1970-03-15"), ("", "")])
def test_a_typed_date_of_birth_is_saved(qtbot, gateway, typed: str, stored: str) -> None:
    dialog = _dialog(qtbot, gateway, "DOB-1")
    try:
        QTest.keyClicks(dialog.dob_edit, typed)
        QTest.keyClick(dialog.dob_edit, K.Key_Tab)
        assert QApplication.focusWidget() is not dialog.dob_edit  # Tab leaves the field
        dialog.accept()
        assert not dialog.isVisible(), dialog.error_label.text()
        assert gateway.get_patient("DOB-1").birth_date == stored
    finally:
        dialog.close()


@pytest.mark.parametrize("typed", ["1970-13-40", "15/03/1970", "2999-01-01"])
def test_a_bad_date_of_birth_is_refused_with_a_message(qtbot, gateway, typed: str) -> None:
    dialog = _dialog(qtbot, gateway, "DOB-2")
    try:
        QTest.keyClicks(dialog.dob_edit, typed)
        dialog.accept()
        assert dialog.isVisible()
        assert "date of birth" in dialog.error_label.text().lower()  # "The date of birth is in the future" too
        assert gateway.search_patients("DOB-2") == []
    finally:
        dialog.close()


def test_patient_dialog_notes_pass_tab_on(qtbot, gateway) -> None:
    dialog = PatientDialog(gateway)
    qtbot.addWidget(dialog)
    _show(qtbot, dialog)
    try:
        _focus(qtbot, dialog.notes_edit)
        QTest.keyClicks(dialog.notes_edit, "kb note")
        QTest.keyClick(dialog.notes_edit, K.Key_Tab)
        assert dialog.notes_edit.toPlainText() == "kb note"
        assert QApplication.focusWidget() is not dialog.notes_edit
    finally:
        dialog.close()


def test_ctrl_h_shows_the_selected_patients_history(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        for pid in ("H-1", "H-2"):
            window.gateway.save_patient(PatientInfo(pid, f"Person {pid}"), is_new=True)
        window.show_patients()
        window.patients.table.clearSelection()
        window.history_action.trigger()  # nothing selected: said, not silent
        assert window.stack.currentWidget() is window.patients
        assert "Select a patient" in window.statusBar().currentMessage()

        window.patients.select("H-2")  # fresh launch, a patient selected
        window.history_action.trigger()
        assert window.stack.currentWidget() is window.history
        assert "H-2" in window.history.title.full_text()

        window.show_patients()  # H-2 was the last worked on; H-1 is selected now
        window.patients.select("H-1")
        window.history_action.trigger()
        assert "H-1" in window.history.title.full_text()

        window.history_action.trigger()  # elsewhere: the current patient
        assert window.stack.currentWidget() is window.history and "H-1" in window.history.title.full_text()
    finally:
        close_window(window)


def test_the_patients_page_guides_a_first_start_and_tabs_top_to_bottom(qtbot, gateway) -> None:
    # an empty list said nothing, the disabled buttons gave no reason, and Tab reached the
    # unfinished-assessment bar at the top only after New patient at the bottom
    page = PatientPage(gateway)
    qtbot.addWidget(page)
    _show(qtbot, page)
    try:
        assert "No patients yet" in page.empty_hint.text() and page.empty_hint.isVisible()
        assert page.start_button.toolTip() == "Select a patient in the list first"
        gateway.save_patient(PatientInfo("P-1", "Ana"), is_new=True)
        page.refresh()
        assert page.empty_hint.isHidden()
        page.search.setText("zz")
        assert "No patient matches" in page.empty_hint.text()
        page.search.setText("p-1")
        assert page.start_button.isEnabled() and page.start_button.toolTip() == ""
        assert page.resume_button.nextInFocusChain() is page.discard_button
        # then the Open of the results awaiting confirmation (its bar's frame and text take no focus)
        assert _next_tab_stop(page.discard_button) is page.review_button
        assert _next_tab_stop(page.review_button) is page.search
        page.open_dialog(None)
        dialog = page.dialog
        dialog.id_edit.setText("p-1")
        dialog.name_edit.setText("Other")
        dialog.accept()
        # the stored patient named, with Open offered (it only pointed to the search)
        assert dialog.error_label.text().startswith("Patient ID P-1 is already registered (p-1 is the same ID")
        dialog.reject()
    finally:
        page.close()


def test_settings_has_a_shortcut_on_every_platform(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        assert not window.settings_action.shortcut().isEmpty()  # Preferences is empty on Linux and Windows
    finally:
        close_window(window)
