"""Keyboard reach and legibility (the accessibility audit of 2026-12-05): the focused control
is scrolled into view at a large font and shows its focus mark (not under a mouse press, not
undoing the user's own scrolling), the status bar's message is never covered by its labels
and goes with the page it was about (not one to act on), Recent messages shows plain text,
coloured text keeps a 4.5:1
contrast on a light and a dark palette (the crash-recovery bar too), the history charts are no
Tab stops and tell confirmed grades by shape, a read-only visit's clinician and notes are
reachable and unchanged, Confirm and the patient search have shortcuts (Return in Clinician
goes to Notes, never confirms), a refused override
sends the keyboard to Notes, Down goes from the search to the list, the results table's
headers are not cut, and the controls have accessible names."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QRect, Qt
from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QFrame, QLabel, QWidget

from app.analysis import AnalysisResult, RegionRow
from app.camera.demo_source import DemoPatientSource
from app.gateway_store import open_gateway
from app.help_dialogs import shortcut_rows
from app.main_window import MainWindow, Services
from app.pages.history import CONFIRMED_SYMBOL, UNCONFIRMED_SYMBOL, HistoryPage
from app.pages.patient import PatientDialog, PatientPage
from app.pages.results import ResultsPage
from app.records.errors import StorageError
from app.records_gateway import AssessmentInfo, PatientInfo
from app.settings import Settings
from app.widgets.page_stack import PageArea
from app.widgets.tones import MIN_CONTRAST, SUCCESS, WARNING, contrast_ratio, set_tone, tone_css
from models.errors import PalsyError
from models.pipeline.assess import Flag
from tests.gui.gui_helpers import WAIT_MS, close_window, draft_with_photos

K = Qt.Key
M = Qt.KeyboardModifier
STORED = {"grade": "III", "probabilities": {"III": 0.6}, "measured": {"grade": "III", "function_percent": 50.0}}


def _result(flags: list | None = None, regions: list | None = None) -> AnalysisResult:
    return AnalysisResult("III", {"III": 0.6}, "left", "III", 50.0, regions or [], flags or [], {}, {}, {})


def _dark_palette() -> QPalette:
    """A high-contrast dark theme, as the audit used: white text on black."""
    palette = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, "#000000"), (QPalette.ColorRole.WindowText, "#ffffff"),
                         (QPalette.ColorRole.Base, "#000000"), (QPalette.ColorRole.AlternateBase, "#1a1a1a"),
                         (QPalette.ColorRole.Text, "#ffffff"), (QPalette.ColorRole.Button, "#000000"),
                         (QPalette.ColorRole.ButtonText, "#ffff00"), (QPalette.ColorRole.Highlight, "#00ffff"),
                         (QPalette.ColorRole.HighlightedText, "#000000"),
                         (QPalette.ColorRole.PlaceholderText, "#c0c0c0")):
        palette.setColor(role, QColor(colour))
    return palette


@pytest.fixture(params=["light", "dark"])
def palette_kind(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    """The application's default (light) palette, or a dark one; put back after."""
    old = QPalette(qapp.palette())
    if request.param == "dark":
        qapp.setPalette(_dark_palette())
    yield request.param
    qapp.setPalette(old)


@pytest.fixture
def font_15pt(qapp: QApplication) -> Iterator[None]:
    """The application font at 15 pt (the audit's large font), put back after."""
    old = qapp.font()
    big = QFont(old)
    big.setPointSizeF(15)
    qapp.setFont(big)
    yield
    qapp.setFont(old)


def _activate(qtbot, window: QWidget) -> None:
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT_MS)


def _window(qtbot, folder: Path, **services) -> MainWindow:
    """A shown, active main window over a fresh store; no model is loaded (not needed here)."""
    services.setdefault("ask", lambda parent, title, text: True)
    window = MainWindow(Services(settings=Settings(), gateway=open_gateway(folder),
                                 source_factory=lambda: DemoPatientSource(grade=4, side="left", seed=3, frame_size=(320, 240)),
                                 **services), load_model_on_show=False)
    _activate(qtbot, window)
    return window


def _show_results(qtbot, window: MainWindow, **kwargs) -> None:
    window.results.show_result(_result(), "Ada Lovelace (MRN-1)", kwargs.pop("status", "analysed"), **kwargs)
    window.stack.setCurrentWidget(window.results)


def _in_view(window: MainWindow, widget: QWidget) -> bool:
    area = widget
    while area is not None and area.parentWidget() is not window.stack:
        area = area.parentWidget()
    viewport = area.viewport()
    rect = QRect(widget.mapTo(viewport, widget.rect().topLeft()), widget.size())
    return viewport.rect().contains(rect)


def _effective(label: QWidget) -> tuple[QColor, list[QColor]]:
    """The colour a label's text is drawn in (its style sheet applied) and the backgrounds
    under it: its own (a style sheet's background) and the window's."""
    label.ensurePolished()
    palette = label.palette()
    backgrounds = [palette.color(QPalette.ColorRole.Window)]
    if not label.styleSheet() and not (label.parentWidget() and label.parentWidget().styleSheet()):
        backgrounds.append(QApplication.palette().color(QPalette.ColorRole.Window))
    return palette.color(label.foregroundRole()), backgrounds


def _assert_readable(label: QWidget, what: str) -> None:
    text, backgrounds = _effective(label)
    for background in backgrounds:
        ratio = contrast_ratio(text, background)
        assert ratio >= MIN_CONTRAST, f"{what}: {text.name()} on {background.name()} is {ratio:.2f}:1"


# -- 1. the focused control is in view and marked ------------------------------------------
def test_the_ticked_grade_is_scrolled_into_view_at_a_large_font(qtbot, data_folder: Path, font_15pt) -> None:
    window = _window(qtbot, data_folder)
    try:
        window.resize(900, 460)  # the review form is below the view: the page scrolls
        _show_results(qtbot, window)
        ticked = window.results.grade_buttons.checkedButton()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is ticked, timeout=WAIT_MS)
        qtbot.waitUntil(lambda: _in_view(window, ticked), timeout=WAIT_MS)
        # the style draws the focus mark only after a keyboard focus change (Fusion)
        assert window.testAttribute(Qt.WidgetAttribute.WA_KeyboardFocusChange)
        QTest.keyClick(ticked, K.Key_Tab)
        QTest.keyClick(QApplication.focusWidget(), K.Key_Tab)  # on to the notes
        assert QApplication.focusWidget() is window.results.notes_edit
        assert _in_view(window, window.results.notes_edit)
        window.results.back_button.setFocus()  # the last control, far down
        qtbot.waitUntil(lambda: _in_view(window, window.results.back_button), timeout=WAIT_MS)
        window.results.expression_combo.setFocus()  # and back up
        qtbot.waitUntil(lambda: _in_view(window, window.results.expression_combo), timeout=WAIT_MS)
    finally:
        close_window(window)


def _results_at_15pt(qtbot, window: MainWindow) -> PageArea:
    """The results page in a small window at 15 pt (it scrolls), its ticked grade focused."""
    window.resize(900, 460)
    _show_results(qtbot, window, clinician="Dr Kim")
    ticked = window.results.grade_buttons.checkedButton()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is ticked and _in_view(window, ticked), timeout=WAIT_MS)
    area = window.results.body_area  # the page's body scrolls; Confirm, Export and Back stay below it
    assert area.verticalScrollBar().maximum() > 0
    return area


# A click on a partly hidden control of the body: tests/gui/test_results_visual_audit_v2.py (the grade row
# this test used sits in the fixed bar below the body now, never partly hidden).


def test_the_users_own_scrolling_stays_when_the_window_comes_back_or_resizes(qtbot, data_folder: Path,
                                                                             font_15pt) -> None:
    window = _window(qtbot, data_folder)
    try:
        area = _results_at_15pt(qtbot, window)
        bar = area.verticalScrollBar()
        bar.setValue(0)  # the user scrolls up to the photo (a wheel)
        dialog = window.show_recent_messages()  # a dialog opens and closes: the window's focus comes back
        qtbot.waitUntil(lambda: QApplication.activeWindow() is dialog, timeout=WAIT_MS)
        dialog.reject()
        _activate(qtbot, window)
        qtbot.waitUntil(lambda: QApplication.focusWidget() is window.results.grade_buttons.checkedButton(),
                        timeout=WAIT_MS)
        qtbot.wait(50)
        assert bar.value() == 0
        window.resize(905, 460)  # the page is resized with the window
        qtbot.wait(50)
        assert bar.value() == 0
        QTest.keyClick(QApplication.focusWidget(), K.Key_Tab)  # the keyboard moves: its control in view again
        assert QApplication.focusWidget() is window.results.clinician_edit
        qtbot.waitUntil(lambda: _in_view(window, window.results.clinician_edit), timeout=WAIT_MS)
    finally:
        close_window(window)


# -- 2. the status bar's message -----------------------------------------------------------
def test_a_status_message_is_not_covered_by_the_labels_and_reads_in_full(qtbot, tmp_path: Path, font_15pt) -> None:
    folder = tmp_path / ("a-long-folder-name-for-the-clinic-records-" * 2) / "records"
    window = _window(qtbot, folder)
    try:
        window.resize(1000, 600)
        window.source_label.setText("source: demo patient (grade IV, left side)")
        bar = window.statusBar()
        window.notify("Confirm the grade")
        QApplication.processEvents()
        message = bar.message_label
        labels = [window.data_label, window.source_label, window.model_label, window.device_label]
        for label in labels:  # side by side, never drawn over each other
            assert not message.geometry().intersects(label.geometry()), label.text()
        assert message.text() == "Confirm the grade"  # a short message whole
        assert window.data_label.text() != window.data_label.full_text()  # the path gave way, in the middle
        assert window.data_label.text().startswith("data: ") and window.data_label.text().endswith("records")
        long = f"Report saved: {folder}/reports/MRN-1_2026-12-05_assessment-12.pdf"
        window.notify(long)
        QApplication.processEvents()
        assert bar.currentMessage() == long and bar.toolTip() == long
        assert message.accessibleName() == long  # a screen reader reads it whole
        assert message.text().startswith("Report saved: ") and message.text().endswith(".pdf")
        for label in labels:
            assert not message.geometry().intersects(label.geometry()), label.text()
        dialog = window.show_recent_messages()  # by keyboard: View > Recent messages
        try:
            shown = dialog.browser.toPlainText()
            assert long in shown and "Confirm the grade" in shown
            assert shown.index(long) < shown.index("Confirm the grade")  # newest first
        finally:
            dialog.close()
    finally:
        close_window(window)


def test_a_message_about_the_page_left_goes_with_it(qtbot, data_folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    window = _window(qtbot, data_folder)
    try:
        _show_results(qtbot, window, status="confirmed", confirmed="III", clinician="Dr", read_only=True)
        window.notify("Overlays recomputed from the stored photos with the current model")
        # shown a while ago, on the results page (every message counts as old)
        monkeypatch.setattr("app.main_window.FRESH_MESSAGE_S", -1.0, raising=False)
        window.show_patients()
        assert window.statusBar().currentMessage() == ""
        monkeypatch.undo()
        window.gateway.save_patient(PatientInfo("MRN-1", "Ada Lovelace"), is_new=True)
        window.patient_id = "MRN-1"
        _show_results(qtbot, window)
        window._leave_results()  # a message that comes with the change stays
        assert window.stack.currentWidget() is window.patients
        assert "Not confirmed yet" in window.statusBar().currentMessage()
        window.notify("Select a patient to show their history")
        window.stack.setCurrentWidget(window.history)
        assert window.statusBar().currentMessage() == "Select a patient to show their history"
    finally:
        close_window(window)


def _window_with_old_messages(qtbot, data_folder: Path, monkeypatch: pytest.MonkeyPatch) -> MainWindow:
    """A window with patient MRN-1 in which every status message counts as old (shown more than
    a second before a page change)."""
    window = _window(qtbot, data_folder)
    window.gateway.save_patient(PatientInfo("MRN-1", "Ada Lovelace"), is_new=True)
    window.patients.refresh()
    monkeypatch.setattr("app.main_window.FRESH_MESSAGE_S", -1.0)
    return window


def test_a_message_to_act_on_stays_when_the_page_changes(qtbot, data_folder: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """The crash-recovery notice (30 s), "Settings NOT saved" and a settings problem shown with
    no timeout went with the next page change, unread."""
    window = _window_with_old_messages(qtbot, data_folder, monkeypatch)
    try:
        bar = window.statusBar()
        for message, timeout in (("2 photo(s) from an interrupted session were never recorded; they were kept "
                                  "in X/recovered", 30000),
                                 ("Settings NOT saved: the disk is full.", 30000),
                                 ("The settings file has a value out of range: the default is used", 0)):
            window.notify(message, timeout)
            window.show_history("MRN-1")
            assert bar.currentMessage() == message
            window.show_patients()
            assert bar.currentMessage() == message
            window.start_assessment("MRN-1")  # the capture page opens
            assert window.stack.currentWidget() is window.capture
            assert bar.currentMessage() == message
            window.show_patients()
            assert bar.currentMessage() == message
        window.notify("Overlays recomputed from the stored photos with the current model")  # 8 s: about its page
        window.show_history("MRN-1")
        assert bar.currentMessage() == ""
    finally:
        close_window(window)


def test_an_unreadable_photo_of_a_resumed_assessment_is_told(qtbot, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "records"
    draft = draft_with_photos(folder, "MRN-1", "Ada Lovelace")
    window = _window(qtbot, folder)
    try:
        load = window.gateway.load_photo

        def damaged(assessment_id: int, expression: str):
            if expression == "close_eyes":
                raise PalsyError("the file is damaged")
            return load(assessment_id, expression)

        monkeypatch.setattr(window.gateway, "load_photo", damaged)
        window.resume_assessment(draft)
        assert window.stack.currentWidget() is window.capture
        assert "The Close eyes photo could not be read" in window.statusBar().currentMessage()  # not cleared at once
    finally:
        close_window(window)


def test_recent_messages_show_each_message_as_plain_text(qtbot, data_folder: Path) -> None:
    window = _window(qtbot, data_folder)
    try:
        messages = ["Report saved: \\\\clinic-nas\\palsy\\reports\\MRN_1_a_b.pdf",  # a network path
                    "Could not discard: line one\nline two | with a pipe",
                    "weird *star* and <b>bold</b> and `code`  and two spaces",
                    "Report saved: /tmp/x__init__y/MRN_1_*_2.pdf"]
        for message in messages:
            window.notify(message)
        dialog = window.show_recent_messages()
        try:
            shown = dialog.browser.toPlainText()
            for message in messages:
                assert message in shown, message
        finally:
            dialog.close()
    finally:
        close_window(window)


# -- 3, 4. contrast on a light and a dark palette ------------------------------------------
def test_coloured_text_is_readable_on_light_and_dark_palettes(qtbot, data_folder: Path, palette_kind: str) -> None:
    window = _window(qtbot, data_folder)
    try:
        window.gateway.save_patient(PatientInfo("MRN-9", "Maria Rossi"), is_new=True)
        window.patients.search.setText("nobody by this name")  # "No patient matches…"
        assert window.patients.empty_hint.isVisibleTo(window.patients)
        window.capture.patient_line.setText("Maria Rossi (MRN-9) \u2013 demo patient")
        results = window.results
        results.show_result(_result(), "Maria Rossi (MRN-9)", "analysed")
        results.grade_buttons.button(0).setChecked(True)  # an override without a note: refused
        results.clinician_edit.setText("Dr Kim")
        results.confirm()
        assert results.review_error.text()
        results.mark_confirmed("III", "Dr Kim", "")
        assert results.decision_label.text()
        for label, what in ((window.capture.patient_line, "capture page patient line"),
                            (results.decision_label, "Confirmed: grade"), (results.review_error, "review error"),
                            (window.patients.empty_hint, "no patient matches")):
            _assert_readable(label, f"{what} ({palette_kind})")
        dialog = window.patients.open_dialog(None)
        try:
            dialog.accept()  # no ID: refused with a red line
            assert dialog.error_label.text()
            _assert_readable(dialog.error_label, f"new patient error ({palette_kind})")
        finally:
            dialog.reject()
    finally:
        close_window(window)


def test_a_label_follows_a_palette_switched_on_later(qtbot, qapp) -> None:
    page = ResultsPage()
    qtbot.addWidget(page)
    page.review_error.setText("Enter the clinician's name")
    old = QPalette(qapp.palette())
    try:
        qapp.setPalette(_dark_palette())
        QApplication.processEvents()
        _assert_readable(page.review_error, "review error after switching to dark")
    finally:
        qapp.setPalette(old)


def test_a_tone_on_a_frame_leaves_the_tone_of_a_label_inside_it(qtbot) -> None:
    frame = QFrame()
    qtbot.addWidget(frame)
    label = QLabel("Saved", frame)
    set_tone(label, SUCCESS)
    set_tone(frame, WARNING)  # found the label's keeper (a grandchild) and changed its tone
    QApplication.sendEvent(label, QEvent(QEvent.Type.PaletteChange))  # the label's keeper applies its tone again
    assert tone_css(SUCCESS) in label.styleSheet()
    assert tone_css(WARNING) in frame.styleSheet()


def test_the_unfinished_assessment_bar_is_readable_on_a_dark_palette(qtbot, tmp_path: Path, palette_kind: str) -> None:
    folder = tmp_path / "records"
    draft_with_photos(folder, "MRN-D", "Dora Draft")
    gateway = open_gateway(folder)
    try:
        page = PatientPage(gateway)
        qtbot.addWidget(page)
        page.show_unfinished(*gateway.offered_draft())
        assert "Dora Draft" in page.resume_label.text()
        _assert_readable(page.resume_label, f"unfinished-assessment bar ({palette_kind})")
    finally:
        gateway.close()


def test_a_doubtful_measurement_keeps_dark_text_on_its_light_background(qtbot, palette_kind: str) -> None:
    page = ResultsPage()
    qtbot.addWidget(page)
    regions = [RegionRow("brow_elevation", 0.04, 0.19, 23.0, unit="D", expression="raise_eyebrows")]
    flags = [Flag("failed_quality", "quality check(s) failed", "raise_eyebrows")]
    page.show_result(_result(flags, regions), "Ada (MRN-1)", "analysed")
    item = page.regions.item(0, 1)
    assert item.background().style() != Qt.BrushStyle.NoBrush, "the row is not marked: the test needs a doubtful photo"
    ratio = contrast_ratio(item.foreground().color(), item.background().color())
    assert item.foreground().style() != Qt.BrushStyle.NoBrush and ratio >= MIN_CONTRAST


# -- 5, 11. the history charts ----------------------------------------------------------------
def _visits() -> list[AssessmentInfo]:
    return [AssessmentInfo(1, "MRN-1", "confirmed", "2024-01-10T09:00:00+00:00", model_grade="III",
                           confirmed_grade="III", clinician="Dr", result=STORED),
            AssessmentInfo(2, "MRN-1", "analysed", "2024-03-10T09:00:00+00:00", model_grade="IV", result=STORED)]


def test_history_charts_are_no_tab_stops(qtbot) -> None:
    page = HistoryPage()
    qtbot.addWidget(page)
    for plot in (page.grade_plot, page.function_plot):
        assert plot.focusPolicy() == Qt.FocusPolicy.NoFocus
        assert plot.accessibleName()


def test_confirmed_grades_differ_by_shape_not_colour_alone(qtbot) -> None:
    page = HistoryPage()
    qtbot.addWidget(page)
    page.show_history("Ada (MRN-1)", _visits())
    points = page.grade_plot.listDataItems()[0]
    symbols = list(points.opts["symbol"])
    # oldest first: the confirmed visit, then the analysed one
    assert symbols == [CONFIRMED_SYMBOL, UNCONFIRMED_SYMBOL] and CONFIRMED_SYMBOL != UNCONFIRMED_SYMBOL
    # the key, in a legend under the plot (in the title it was cut off at 150 % or a large font)
    assert [label.text for _sample, label in page.grade_legend.items] == ["confirmed", "network's grade, not confirmed"]


# -- 6. a read-only visit ----------------------------------------------------------------------
def test_a_read_only_visits_notes_are_reachable_legible_and_unchangeable(qtbot) -> None:
    page = ResultsPage()
    qtbot.addWidget(page)
    page.show_result(_result(), "Ada (MRN-1)", "confirmed", "IV", "Dr Kim", "brow weaker", read_only=True)
    _activate(qtbot, page)
    for edit in (page.clinician_edit, page.notes_edit):
        assert edit.isEnabled() and edit.isReadOnly()  # a Tab stop, drawn in the normal text colour
    page.clinician_edit.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.clinician_edit, timeout=WAIT_MS)
    QTest.keyClicks(page.clinician_edit, "X")
    QTest.keyClick(page.clinician_edit, K.Key_Backspace)
    QTest.keyClick(page.clinician_edit, K.Key_Tab)
    assert QApplication.focusWidget() is page.notes_edit  # Tab reaches the notes
    QTest.keyClicks(page.notes_edit, "changed")
    QTest.keyClick(page.notes_edit, K.Key_Delete)
    assert page.clinician_edit.text() == "Dr Kim" and page.notes_edit.toPlainText() == "brow weaker"
    assert not page.confirm_button.isEnabled()
    assert not any(b.isEnabled() for b in page.grade_buttons.buttons())
    with qtbot.assertNotEmitted(page.confirm_requested):
        page.confirm()
        QTest.keyClick(page.clinician_edit, K.Key_Return)
    # a review opened after it is editable again
    page.show_result(_result(), "Ada (MRN-1)", "analysed")
    assert not page.clinician_edit.isReadOnly() and not page.notes_edit.isReadOnly()


# -- 7. shortcuts ------------------------------------------------------------------------------
def test_confirm_has_a_shortcut_and_return_in_the_clinician_field_goes_to_notes(qtbot, data_folder: Path) -> None:
    window = _window(qtbot, data_folder)
    try:
        _show_results(qtbot, window, clinician="Dr Default")  # a default clinician filled in
        results = window.results
        # Return (and keypad Enter) after the name goes on to Notes: Tab then Return wrote an
        # audited confirmation of the model's grade before any note
        for key, modifiers in ((K.Key_Return, M.NoModifier), (K.Key_Enter, M.KeypadModifier)):
            results.clinician_edit.setFocus()
            qtbot.waitUntil(lambda: QApplication.focusWidget() is results.clinician_edit, timeout=WAIT_MS)
            with qtbot.assertNotEmitted(results.confirm_requested):
                QTest.keyClick(results.clinician_edit, key, modifiers)
            assert QApplication.focusWidget() is results.notes_edit
            assert results.notes_edit.toPlainText() == "" and results.review_error.text() == ""
        assert window.statusBar().currentMessage() == ""  # nothing confirmed
        with qtbot.waitSignal(results.confirm_requested, timeout=WAIT_MS):
            QTest.keyClick(results.notes_edit, K.Key_Return, M.ControlModifier | M.ShiftModifier)
        assert results.notes_edit.toPlainText() == ""  # no line break typed
        assert "Return in the Clinician" not in results.confirm_button.toolTip()
        window.stack.setCurrentWidget(window.capture)
        assert not window.confirm_action.isEnabled()  # the results page's only
    finally:
        close_window(window)


def test_confirm_on_a_read_only_visit_says_why_nothing_happens(qtbot, data_folder: Path) -> None:
    window = _window(qtbot, data_folder)
    try:
        _show_results(qtbot, window, status="confirmed", confirmed="III", clinician="Dr Kim", read_only=True)
        window.statusBar().clearMessage()
        with qtbot.assertNotEmitted(window.results.confirm_requested):
            window.confirm_action.trigger()  # Ctrl+Shift+Return, as Ctrl+E explains its refusal
        assert "read-only" in window.statusBar().currentMessage()
    finally:
        close_window(window)


def test_ctrl_f_goes_to_the_patient_search(qtbot, data_folder: Path) -> None:
    window = _window(qtbot, data_folder)
    try:
        window.gateway.save_patient(PatientInfo("MRN-1", "Ada Lovelace"), is_new=True)
        window.patients.refresh()
        window.patients.select("MRN-1")
        window.patients.search.setText("ad")
        window.patients.table.setFocus()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is window.patients.table, timeout=WAIT_MS)
        QTest.keyClick(window.patients.table, K.Key_F, M.ControlModifier)
        assert QApplication.focusWidget() is window.patients.search
        assert window.patients.search.selectedText() == "ad"  # typing replaces the search
        _show_results(qtbot, window)  # from another page: the patients page's search
        qtbot.waitUntil(lambda: QApplication.focusWidget() is window.results.grade_buttons.checkedButton(),
                        timeout=WAIT_MS)
        QTest.keyClick(QApplication.focusWidget(), K.Key_F, M.ControlModifier)
        assert window.stack.currentWidget() is window.patients
        qtbot.wait(50)  # the page's own start (the selected patient's row) does not take it back
        assert QApplication.focusWidget() is window.patients.search
    finally:
        close_window(window)


def test_the_shortcuts_help_lists_confirm_and_find(qtbot, data_folder: Path) -> None:
    window = _window(qtbot, data_folder)
    try:
        tops = window.menuBar().actions()
        menus = [top.menu() for top in tops if top.menu() is not None]
        rows = dict(shortcut_rows([a for menu in menus for a in menu.actions()]))
        assert "Ctrl+Shift+Return" in rows["Confirm grade"]
        assert rows["Find patient"] == "Ctrl+F"
    finally:
        close_window(window)


# -- 8. a refused override sends the keyboard to Notes ----------------------------------------
def test_a_refused_override_moves_the_focus_to_notes(qtbot) -> None:
    page = ResultsPage()
    qtbot.addWidget(page)
    page.show_result(_result(), "Ada (MRN-1)", "analysed", clinician="Dr Kim")
    _activate(qtbot, page)
    other = page.grade_buttons.button(4)  # V, the model said III
    other.setChecked(True)
    page.confirm_button.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.confirm_button, timeout=WAIT_MS)
    with qtbot.assertNotEmitted(page.confirm_requested):
        QTest.keyClick(page.confirm_button, K.Key_Space)
    assert "Notes" in page.review_error.text()
    assert QApplication.focusWidget() is page.notes_edit


# -- 9. Down from the search to the list -------------------------------------------------------
def test_down_in_the_search_goes_to_the_patient_list(qtbot, tmp_path: Path) -> None:
    gateway = open_gateway(tmp_path / "records")
    try:
        for pid, name in (("MRN-1", "Ada Lovelace"), ("MRN-2", "Adam Smith")):
            gateway.save_patient(PatientInfo(pid, name), is_new=True)
        page = PatientPage(gateway)
        qtbot.addWidget(page)
        _activate(qtbot, page)
        page.search.setFocus()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is page.search, timeout=WAIT_MS)
        QTest.keyClicks(page.search, "ad")
        assert page.selected() is None  # two matches: none chosen yet
        QTest.keyClick(page.search, K.Key_Down)
        assert QApplication.focusWidget() is page.table
        assert page.selected() is not None  # the first one: Return starts it, Down goes on
        first = page.selected()
        QTest.keyClick(page.table, K.Key_Down)
        assert page.selected() not in (None, first)
    finally:
        gateway.close()


# -- 10. the results table's headers -----------------------------------------------------------
def test_the_results_table_headers_are_not_cut_at_a_large_font(qtbot, font_15pt) -> None:
    page = ResultsPage()
    qtbot.addWidget(page)
    page.resize(1000, 900)
    regions = [RegionRow("eye_closure", 0.40, 1.00, 40.0, unit="fraction"),
               RegionRow("commissure_excursion", 0.05, 0.08, 65.0, unit="D")]
    page.show_result(_result(regions=regions), "Ada (MRN-1)", "analysed")
    page.show()
    qtbot.waitExposed(page)
    header = page.regions.horizontalHeader()
    metrics = header.fontMetrics()
    for column in range(4):
        text = page.regions.horizontalHeaderItem(column).text()
        for line in text.splitlines():  # each line of a header fits its column
            assert header.sectionSize(column) >= metrics.horizontalAdvance(line) + 8, (text, header.sectionSize(column))
        assert header.height() >= len(text.splitlines()) * metrics.height(), text  # and every line shows


# -- 12. accessible names ----------------------------------------------------------------------
def test_the_controls_have_accessible_names(qtbot, tmp_path: Path) -> None:
    from app.pages.settings_dialog import SettingsDialog

    results = ResultsPage()
    qtbot.addWidget(results)
    for widget in (results.expression_combo, results.attention_combo, results.opacity, results.clinician_edit,
                   results.notes_edit):
        assert widget.accessibleName(), widget
    dialog = SettingsDialog(Settings(), None, folder_in_use=tmp_path)
    qtbot.addWidget(dialog)
    for widget in (dialog.source, dialog.demo_grade, dialog.demo_side, dialog.device, dialog.clinician, dialog.clinic):
        assert widget.accessibleName(), widget
    assert dialog.clinician.accessibleName() == "Default clinician"
    gateway = open_gateway(tmp_path / "records")
    try:
        patient = PatientDialog(gateway)
        qtbot.addWidget(patient)
        names = [w.accessibleName() for w in (patient.id_edit, patient.name_edit, patient.dob_edit,
                                               patient.sex_combo, patient.side_combo, patient.notes_edit)]
        assert all(names) and len(set(names)) == len(names)
    finally:
        gateway.close()


def test_a_failed_report_or_save_stays_when_the_page_changes(qtbot, data_folder: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """"Report could not be saved", "Report failed" and "Results could not be saved" are to act
    on (export again, free space): they outlast a page change as crash recovery's notice does."""
    window = _window_with_old_messages(qtbot, data_folder, monkeypatch)
    try:
        bar = window.statusBar()
        window._report_failed("the disk is full")
        window.show_history("MRN-1")
        assert bar.currentMessage() == "Report failed: the disk is full"

        def refuse(*_args, **_kwargs):
            raise StorageError("the disk is full")

        monkeypatch.setattr("app.window_report.store_report", refuse)
        window._export_id = 1
        window._report_rendered(b"%PDF-1.4")
        window.show_patients()
        assert bar.currentMessage() == "Report could not be saved: the disk is full"
    finally:
        close_window(window)
