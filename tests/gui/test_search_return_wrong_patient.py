"""Return typed in the patients search field never starts an assessment (audit 2026-12-06):
the list's Return shortcut was a window shortcut (PySide6 ignores the constructor's
`context=`), so typing "MRN-10" and Return started MRN-100's assessment, the patient the
list still had selected from the last visit. Return in the field moves to the list, where
the typed patient is selected; the Resume question names the patient; pages name the date
of birth with the ID."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QShortcut
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.pages.patient_logic import search_selection
from app.records_gateway import PatientInfo
from tests.gui.gui_helpers import WAIT_MS, close_window, make_window

K = Qt.Key


def _activate(qtbot, window) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def _type(widget, text: str) -> None:
    for char in text:
        QTest.keyClick(widget, char)


def test_the_lists_return_shortcuts_act_only_while_the_list_has_the_focus(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        for page in (window.patients, window.history):
            shortcuts = page.table.findChildren(QShortcut)
            assert len(shortcuts) == 2
            assert {s.context() for s in shortcuts} == {Qt.ShortcutContext.WidgetShortcut}
    finally:
        close_window(window)


def test_return_in_the_search_field_starts_nothing_and_the_typed_id_is_selected(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    asked = []
    window = make_window(qtbot, data_folder, tiny_weights, choose=lambda *args: asked.append(args[2]) or None)
    try:
        window.gateway.save_patient(PatientInfo("MRN-10", "Next Patient", "1980-01-01"), is_new=True)
        window.gateway.save_patient(PatientInfo("MRN-100", "Previous Patient", "1950-01-01"), is_new=True)
        page = window.patients
        page.refresh()
        page.select("MRN-100")  # left selected by the last visit
        _activate(qtbot, window)
        page.search.setFocus()
        qtbot.waitUntil(lambda: window.focusWidget() is page.search, timeout=WAIT_MS)
        _type(page.search, "MRN-10")
        assert page.table.rowCount() == 2
        assert page.selected() == "MRN-10"  # the typed ID, not the one selected before
        QTest.keyClick(page.search, K.Key_Return)
        assert window.stack.currentWidget() is page and not asked
        assert window.gateway.unfinished() == []
        qtbot.waitUntil(lambda: window.focusWidget() is page.table, timeout=WAIT_MS)
        # the line under the list says what the next Return does (usability review 2026-12-06)
        assert page.empty_hint.text() == ("Press Return to start an assessment of Next Patient (MRN-10, born "
                                          "1980-01-01), or Ctrl+F to search again.")
        assert page.table.accessibleDescription() == page.empty_hint.text()  # a screen reader says it too
        page.search.setFocus()  # the keyboard leaves the list: the line goes (review: it stayed)
        qtbot.waitUntil(lambda: window.focusWidget() is page.search, timeout=WAIT_MS)
        assert page.empty_hint.text() == ""
        page.table.setFocus()
        qtbot.waitUntil(lambda: window.focusWidget() is page.table, timeout=WAIT_MS)
        assert page.empty_hint.text().startswith("Press Return to start an assessment of Next Patient (MRN-10")
        QTest.keyClick(page.table, K.Key_Return)  # in the list, Return starts the selected patient
        assert window.stack.currentWidget() is window.capture
        assert window.patient_id == "MRN-10"
        assert "MRN-10, born 1980-01-01" in window.capture.patient_line.full_text()
    finally:
        close_window(window)


def test_the_resume_question_names_the_patient(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    asked = []  # answered Cancel: nothing happens
    window = make_window(qtbot, data_folder, tiny_weights, choose=lambda *args: asked.append(args[2]) or None)
    try:
        window.gateway.save_patient(PatientInfo("MRN-100", "Carl Other", "1950-01-01"), is_new=True)
        window.gateway.start_assessment("MRN-100")
        window.start_assessment("MRN-100")
        assert len(asked) == 1
        assert asked[0].startswith("Carl Other (MRN-100, born 1950-01-01) has an unfinished assessment started ")
    finally:
        close_window(window)


def test_search_selection() -> None:
    ids = ["MRN-10", "MRN-100"]
    assert search_selection("mrn-10", ids, keep="MRN-100") == 0  # the typed ID, by the store's comparison
    assert search_selection("MRN-1", ids, keep="MRN-100") is None  # a prefix of both: nothing kept
    assert search_selection("MRN-10", ["MRN-100"], keep=None) == 0  # the only match
    assert search_selection("", ids, keep="MRN-100") == 1  # nothing typed: kept
    assert search_selection("", ids, keep="X") is None
    assert search_selection("zz", [], keep="MRN-100") is None


def test_return_with_several_matches_says_how_to_choose_and_down_takes_the_first(
        qtbot, data_folder: Path, tiny_weights: Path) -> None:
    """Usability review 2026-12-06: after Return nothing was selected and nothing said so, a
    second Return did nothing, and Down then selected the second patient."""
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        window.gateway.save_patient(PatientInfo("MRN-2041", "Jane Doe"), is_new=True)
        window.gateway.save_patient(PatientInfo("MRN-2042", "John Roe"), is_new=True)
        page = window.patients
        page.refresh()
        _activate(qtbot, window)
        page.search.setFocus()
        qtbot.waitUntil(lambda: window.focusWidget() is page.search, timeout=WAIT_MS)
        _type(page.search, "MRN-20")
        assert page.table.rowCount() == 2 and page.selected() is None
        QTest.keyClick(page.search, K.Key_Return)
        qtbot.waitUntil(lambda: window.focusWidget() is page.table, timeout=WAIT_MS)
        assert page.empty_hint.text() == "2 patients match: choose one with \u2191/\u2193, then press Return."
        QTest.keyClick(page.table, K.Key_Down)
        assert page.selected() == page.table.item(0, 0).data(Qt.ItemDataRole.UserRole)
        assert page.empty_hint.text().startswith("Press Return to start an assessment of ")
    finally:
        close_window(window)


def test_the_window_title_names_the_patient_without_the_date_of_birth(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    """The title shows in the taskbar and screen-sharing lists: name and ID only."""
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        window.gateway.save_patient(PatientInfo("MRN-7", "Jo Ames", "1970-01-31"), is_new=True)
        window.show_patient_title("MRN-7")
        assert window.windowTitle() == "Palsy Grader \u2013 Jo Ames (MRN-7)"
    finally:
        close_window(window)
