"""Layout at clinic screen sizes (the layout audit of 2026-12-06): a long data folder does not
make the window wider than the screen, the Settings dialog and the results page keep their
buttons in view, the history legend and table have room, and the capture page keeps the
patient's name and ID."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from app.camera.demo_source import DemoPatientSource
from app.gateway_store import open_gateway
from app.main_window import MainWindow, Services
from app.settings import Settings
from tests.gui.gui_helpers import WAIT_MS, close_window


def _window(qtbot, folder: Path) -> MainWindow:
    """A shown main window over a fresh store; no model is loaded (not needed here)."""
    window = MainWindow(Services(settings=Settings(), gateway=open_gateway(folder),
                                 source_factory=lambda: DemoPatientSource(grade=4, side="left", seed=3, frame_size=(320, 240)),
                                 ask=lambda parent, title, text: True), load_model_on_show=False)
    window.show()
    qtbot.waitExposed(window, timeout=WAIT_MS)
    return window


# -- 1. a long data folder and the window's minimum width ----------------------------------
def test_a_long_data_folder_leaves_the_window_narrow_enough_for_a_small_screen(qtbot, tmp_path: Path) -> None:
    folder = tmp_path / ("Otolaryngology_Head_and_Neck/Facial_Nerve_Clinic_Shared_Records/"
                         "PalsyGrader_Assessments_2026/palsy_records_main_site")
    folder = Path(str(folder) + "_" * max(0, 150 - len(str(folder))))
    assert len(str(folder)) >= 150
    window = _window(qtbot, folder)
    try:
        for width in (1400, 1000, 800):  # the first fit ran with room to spare: it must not stay the minimum
            window.resize(width, 600)
            QApplication.processEvents()
        assert window.minimumSizeHint().width() < 700
        assert window.minimumWidth() < 700
        label = window.data_label
        assert label.text() != label.full_text() and label.text().startswith("data: ")  # shortened in the middle
        assert label.toolTip() == f"Data folder in use: {folder}"
        assert label.width() > 0 and label.geometry().right() < window.statusBar().width()
        window.resize(1600, 600)  # with room again, it reads whole
        QApplication.processEvents()
        QApplication.processEvents()
        assert label.text() == label.full_text()
    finally:
        close_window(window)


# -- 2. and 3. the Settings dialog on a small screen ---------------------------------------
LONG_FOLDER = Path("/mnt/regional-hospital-fileserver/Otolaryngology_Head_and_Neck_Surgery/"
                   "Facial_Nerve_Clinic_Shared_Records/PalsyGrader_Assessments_2026/palsy_records_main")


def test_the_settings_dialog_scrolls_and_keeps_save_in_view_when_small(qtbot) -> None:
    from app.pages.settings_dialog import SettingsDialog

    dialog = SettingsDialog(Settings(), folder_in_use=LONG_FOLDER)
    qtbot.addWidget(dialog)
    room = dialog.screen().availableGeometry()
    assert dialog.width() <= room.width() and dialog.height() <= room.height()  # opens on the screen
    assert dialog.minimumSizeHint().height() < 300  # at 200 % with a taskbar: 500 high to draw on
    dialog.resize(700, 450)
    dialog.show()
    qtbot.waitExposed(dialog)
    QApplication.processEvents()
    assert dialog.height() <= 450
    for button in dialog.buttons.buttons():  # Save and Cancel inside the dialog, not below it
        corner = button.mapTo(dialog, button.rect().bottomRight())
        assert dialog.rect().contains(corner), button.text()
    assert dialog.scroll.verticalScrollBar().maximum() > 0  # the groups scroll instead
    dialog.close()


def test_the_folder_in_use_reads_on_one_line_and_whole_in_its_tooltip(qtbot) -> None:
    from app.pages.settings_dialog import SettingsDialog

    dialog = SettingsDialog(Settings(), folder_in_use=LONG_FOLDER)
    qtbot.addWidget(dialog)
    dialog.resize(700, 450)
    dialog.show()
    qtbot.waitExposed(dialog)
    QApplication.processEvents()
    label = dialog.folder_in_use
    assert label.height() >= label.fontMetrics().height()  # the whole line, never cut mid-line
    shown = label.text()
    assert shown != label.full_text() and "\u2026" in shown  # shortened in the middle, with an ellipsis
    assert shown.startswith("In use now: /mnt/") and shown.endswith("palsy_records_main")
    assert label.fontMetrics().horizontalAdvance(shown) <= label.contentsRect().width()
    assert label.toolTip() == f"In use now: {LONG_FOLDER}"
    assert dialog.folder_note.isVisibleTo(dialog)  # a change takes effect at the next start
    dialog.close()


# -- 5. and 6. the history page ------------------------------------------------------------
def _visits(count: int) -> list:
    from app.pages.history_logic import REGION_LABELS
    from app.records_gateway import AssessmentInfo

    regions = {name: {"percent": 40.0 + i * 7} for i, name in enumerate(REGION_LABELS)}
    return [AssessmentInfo(i, "MRN-1", "confirmed" if i % 2 else "analysed",
                           f"2026-{1 + i % 12:02d}-{1 + i % 27:02d}T10:{i:02d}:00+00:00", model_grade="III",
                           confirmed_grade="III" if i % 2 else None, clinician="Dr A",
                           result={"measured": {"function_percent": 55.0 + i % 10, "regions": regions}})
            for i in range(count)]


def test_legend_columns_follow_the_width() -> None:
    from app.pages.history import LEGEND_MAX_COLUMNS, legend_columns

    entries = [130.0, 120.0, 95.0, 170.0, 110.0, 150.0]
    assert legend_columns(2000, entries) == LEGEND_MAX_COLUMNS
    assert legend_columns(340, entries) == 2  # 170 + 150 and a gap
    assert legend_columns(300, entries) == 1
    assert legend_columns(50, entries) == 1  # never none
    assert legend_columns(500, [100.0]) == 1  # no more columns than entries


def test_the_history_legend_shows_every_name_whole_on_a_narrow_window(qtbot) -> None:
    from app.pages.history import HistoryPage

    page = HistoryPage()
    qtbot.addWidget(page)
    page.resize(1000, 620)  # a 1024-pixel screen: each plot about 480 wide
    page.show()
    qtbot.waitExposed(page)
    page.show_history("Jane Doe (MRN-1)", _visits(41))
    QApplication.processEvents()
    legend, plot = page.legend, page.function_plot
    assert len(legend.items) >= 6 and legend.columnCount < 3
    view = plot.getPlotItem().vb
    assert legend.width() <= view.width() + 1  # no wider than the plot's drawing area
    for _sample, label in legend.items:  # every name whole, inside the plot widget
        box = label.mapRectToScene(label.boundingRect())
        assert plot.sceneRect().contains(box), label.text
        assert label.width() >= label.item.boundingRect().width()  # the text item is not cut
    assert legend.mapRectToScene(legend.boundingRect()).top() >= view.mapRectToScene(view.boundingRect()).bottom()
    page.resize(1900, 620)  # room again: three a row
    QApplication.processEvents()
    assert legend.columnCount == 3
    page.close()


def test_the_history_table_shows_many_visits_and_its_height_can_be_changed(qtbot) -> None:
    from app.pages.history import HistoryPage

    page = HistoryPage()
    qtbot.addWidget(page)
    page.resize(1000, 620)
    page.show()
    qtbot.waitExposed(page)
    page.show_history("Jane Doe (MRN-1)", _visits(41))
    QApplication.processEvents()
    table = page.table
    assert table.viewport().height() >= 6 * table.rowHeight(0)  # 2-5 of 41 showed
    top, bottom = page.splitter.sizes()
    page.splitter.setSizes([top + bottom - 150, 150])  # the user drags the line down
    QApplication.processEvents()
    assert table.viewport().height() > 8 * table.rowHeight(0)
    page.close()


# -- 8. the capture page's patient line ----------------------------------------------------
def test_the_capture_page_keeps_the_name_and_id_whole_and_shows_the_source_below(qtbot, tmp_path: Path) -> None:
    from app.records_gateway import PatientInfo

    name = "Jane Alexandra Whitfield-Montgomery"
    window = _window(qtbot, tmp_path / "records")
    try:
        window.gateway.save_patient(PatientInfo("MRN-2041", name), is_new=True)
        window.patients.refresh()
        window.resize(1000, 700)  # a 1024-pixel screen
        window.start_assessment("MRN-2041")
        QApplication.processEvents()
        page = window.capture
        line, source = page.patient_line, page.source_line
        assert line.text() == f"Patient: \u2068{name}\u2069 (MRN-2041)"  # whole, nothing shortened
        assert source.isVisible() and source.text() == "The synthetic demo patient (no camera)"
        assert source.geometry().top() >= line.geometry().bottom()  # a line of its own, below
        page.begin(page.session, window._source_factory, read_only=True, who="Patient: Ann (MRN-3)")
        assert line.text() == "Patient: Ann (MRN-3)" and source.isHidden()  # one line: no source line
    finally:
        close_window(window)


# -- 7. the review notes -------------------------------------------------------------------
def _result():
    from app.analysis import AnalysisResult

    return AnalysisResult("III", {"III": 0.6}, "left", "III", 50.0, [], [], {}, {}, {})


def test_the_review_notes_show_about_six_lines(qtbot) -> None:
    from app.pages.results import ResultsPage

    page = ResultsPage()
    qtbot.addWidget(page)
    page.show_result(_result(), "Ada Lovelace (MRN-1)", "analysed", clinician="Dr Kim")
    page.notes_edit.setPlainText("Override: the brow is weaker on the left at rest and on elevation. " * 8)  # 500+ letters
    page.resize(1000, 900)
    page.show()
    qtbot.waitExposed(page)
    QApplication.processEvents()
    line = page.notes_edit.fontMetrics().lineSpacing()
    assert page.notes_edit.viewport().height() >= 5.5 * line  # about six lines: 2-4 showed in 60 px
    page.close()


# -- 4. Confirm, Export and Back stay in view ----------------------------------------------
def _activate(qtbot, window: QWidget) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT_MS)


def _show_results(qtbot, window: MainWindow, **kwargs) -> None:
    """The results page on show, the keyboard on its ticked grade (the page change gives it
    the focus a moment later)."""
    window.results.show_result(_result(), "Ada Lovelace (MRN-1)", kwargs.pop("status", "analysed"), **kwargs)
    window.stack.setCurrentWidget(window.results)
    if QApplication.activeWindow() is window:
        ticked = window.results.grade_buttons.checkedButton()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is ticked, timeout=WAIT_MS)


def _visible_in_window(window: QWidget, widget: QWidget) -> bool:
    """`widget` wholly inside the window and inside every scroll view around it."""
    rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    if not window.rect().contains(rect):
        return False
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if parent.objectName() == "qt_scrollarea_viewport":
            view = QRect(parent.mapTo(window, QPoint(0, 0)), parent.size())
            if not view.contains(rect):
                return False
        parent = parent.parentWidget()
    return True


def _in_view(area, widget: QWidget) -> bool:
    view = area.viewport()
    return view.rect().contains(QRect(widget.mapTo(view, QPoint(0, 0)), widget.size()))


@pytest.mark.parametrize("size", [(1024, 700), (1366, 700), (1280, 640), (900, 460)])
def test_confirm_export_and_back_are_in_view_without_scrolling(qtbot, tmp_path: Path, size) -> None:
    window = _window(qtbot, tmp_path / "records")
    try:
        window.resize(*size)
        _show_results(qtbot, window, clinician="Dr Kim")
        qtbot.wait(20)
        QApplication.processEvents()
        page = window.results
        for button in (page.confirm_button, page.export_button, page.back_button):
            assert _visible_in_window(window, button), (size, button.text())
        assert page.body_area.verticalScrollBar().maximum() > 0  # the rest scrolls above them
    finally:
        close_window(window)


def test_tab_goes_from_the_notes_to_confirm_export_and_back(qtbot, tmp_path: Path) -> None:
    window = _window(qtbot, tmp_path / "records")
    try:
        _activate(qtbot, window)
        window.resize(1024, 700)
        _show_results(qtbot, window, status="confirmed", confirmed="III", clinician="Dr Kim")
        page = window.results
        page.expression_combo.setFocus()  # the keyboard on the page (a focus coming back scrolls nothing)
        qtbot.waitUntil(lambda: QApplication.focusWidget() is page.expression_combo, timeout=WAIT_MS)
        page.notes_edit.setFocus()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is page.notes_edit, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: _in_view(page.body_area, page.notes_edit), timeout=WAIT_MS)  # scrolled to it
        QTest.keyClick(page.notes_edit, Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is page.confirm_button
        QTest.keyClick(page.confirm_button, Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is page.export_button
        QTest.keyClick(page.export_button, Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is page.back_button
        page.expression_combo.setFocus()  # and back up: the scrolling part follows the keyboard
        qtbot.waitUntil(lambda: _in_view(page.body_area, page.expression_combo), timeout=WAIT_MS)
    finally:
        close_window(window)


def test_a_refused_confirm_shows_its_reason(qtbot, tmp_path: Path) -> None:
    window = _window(qtbot, tmp_path / "records")
    try:
        _activate(qtbot, window)
        window.resize(1024, 600)
        _show_results(qtbot, window, clinician="")
        page = window.results
        page.body_area.verticalScrollBar().setValue(0)  # the user looks at the photo
        page.expression_combo.setFocus()
        page.confirm_button.click()  # no clinician: refused, and the form is scrolled to
        assert page.review_error.text()
        qtbot.waitUntil(lambda: _in_view(page.body_area, page.review_error), timeout=WAIT_MS)
    finally:
        close_window(window)
