"""The results page as the visual audit of s15/v2 found it: it opens at the top of its body with
the keyboard on the grade to confirm, which stays in view below the body (#1); a result with
nothing measured says why, in the report's words, instead of an empty table (#2); a reopened
visit names the weights that graded it and, when they are not the loaded ones, its own
record's warning (#10); the side line and the flags' heading read as the report's (#12)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication, QWidget

from app.analysis import AnalysisResult, RegionRow
from app.gateway_store import open_gateway
from app.main_window import MainWindow, Services
from app.pages.results import ResultsPage
from app.pages.results_logic import measured_unavailable_text, side_text
from app.records_gateway import PatientInfo
from app.settings import Settings
from app.widgets.tones import WARNING, tone_css
from models.pipeline.assess import Flag
from models.resources import UNVALIDATED_CAUTION
from tests.gui.gui_helpers import WAIT_MS, close_window

WHY = "rest photo: both eyes must be visible in the rest mask; measured function unavailable"
REGIONS = [RegionRow(name, 0.05, 0.12, 40.0, "", "D", True, "smile")
           for name in ("Brow raise", "Eye closure", "Commissure excursion", "Nasal ala lift", "Cheek lateral extent")]


def _result(regions: list | None = None, flags: list | None = None) -> AnalysisResult:
    rows = REGIONS if regions is None else regions
    return AnalysisResult("III", {"III": 0.6, "II": 0.4}, "left", "III" if rows else None, 50.0 if rows else None,
                          rows, flags or [], {}, {}, {})


def _window(qtbot, folder: Path) -> MainWindow:
    """A shown, active main window over a fresh store; no model is loaded."""
    window = MainWindow(Services(settings=Settings(), gateway=open_gateway(folder), ask=lambda *_: True),
                        load_model_on_show=False)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=WAIT_MS)
    return window


def _seen(widget: QWidget) -> bool:
    """`widget` is drawn whole in its window (no scroll area clips it)."""
    window = widget.window()
    rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if not QRect(parent.mapTo(window, QPoint(0, 0)), parent.size()).contains(rect):
            return False
        parent = parent.parentWidget()
    return True


# -- #1: the page opens at the top of its body -----------------------------------------------
def test_results_open_at_the_top_of_the_body_with_the_grade_in_view(qtbot, data_folder: Path) -> None:
    window = _window(qtbot, data_folder)
    try:
        window.resize(1000, 520)  # a 1366x768 laptop at 125-150 %: the body scrolls
        page = window.results
        page.show_result(_result(), "Ada Lovelace (MRN-1)", "analysed", clinician="Dr Kim")
        window.stack.setCurrentWidget(page)
        ticked = page.grade_buttons.checkedButton()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is ticked, timeout=WAIT_MS)  # the keyboard on the grade
        qtbot.wait(50)
        QApplication.processEvents()
        bar = page.body_area.verticalScrollBar()
        assert bar.maximum() > 0  # the body does scroll here
        assert bar.value() == 0  # yet it opens at its top: the photo, the chart and the table whole
        assert _seen(page.expression_combo) and _seen(page.chart)
        assert _seen(ticked) and _seen(page.confirm_button)  # the grade to confirm in view, beside Confirm
        bar.setValue(bar.maximum())  # the user scrolls down to the notes...
        page.show_result(_result(), "Ben Ode (MRN-2)", "analysed", clinician="Dr Kim")  # ...the next result
        QApplication.processEvents()
        assert bar.value() == 0
    finally:
        close_window(window)


# -- #2: nothing measured ----------------------------------------------------------------------
def test_nothing_measured_says_why_as_the_report_does(qtbot) -> None:
    page = ResultsPage()
    qtbot.addWidget(page)
    result = _result(regions=[])
    result.raw = SimpleNamespace(measured=_measured_none([WHY]))
    page.show_result(result, "Ada Lovelace (MRN-1)", "analysed")
    assert page.regions.isHidden()  # no empty table
    assert not page.regions_missing.isHidden()
    assert page.regions_missing.text() == f"Not available: {WHY}" == _report_sentence([WHY])
    page.show_result(_result(), "Ada Lovelace (MRN-1)", "analysed")  # measured again: the table is back
    assert not page.regions.isHidden() and page.regions_missing.isHidden()


def test_the_sentence_is_the_reports(qtbot) -> None:
    """The page's words for nothing measured are those the report prints, with and without a reason."""
    for notes in ([WHY], [], ["no rest photo: measured function needs the rest baseline", "second"]):
        assert measured_unavailable_text(notes) == _report_sentence(notes)


def _measured_none(notes: list[str]):
    from models.pipeline.measures import MeasuredFunction

    return MeasuredFunction(None, None, "none", None, notes=notes)


def _report_sentence(notes: list[str]) -> str:
    """What the report prints under its "Measured regional function" heading for no region."""
    from reportlab.lib.units import mm

    from app.report import pdf

    section = pdf._measured_section({"measured": {"regions": {}, "notes": notes}}, pdf._styles(), 170 * mm)
    return section[1].text


# -- #10: a reopened visit names the weights that graded it ----------------------------------------
def _stored_visit(window: MainWindow) -> int:
    """A confirmed visit graded by weights of a file that record no cautions (not validated)
    and with nothing measured; no photos."""
    gateway = window.gateway
    gateway.save_patient(PatientInfo("MRN-1", "Ada Lovelace"), is_new=True)
    visit = gateway.start_assessment("MRN-1")
    gateway.record_results(visit, "II", None, {
        "grade": "II", "probabilities": {"II": 0.19}, "affected_side": "left",
        "measured": {"grade": None, "function_percent": None, "regions": {}, "notes": [WHY]},
        "model": {"name": "untrained", "config": "compact", "sha256": "a" * 64, "path": "/x/untrained.pt"},
    })
    gateway.confirm(visit, "III", "Dr Kim", "Brow and commissure weaker on the left.")
    return visit


def test_a_reopened_visit_names_the_weights_that_graded_it(qtbot, data_folder: Path) -> None:
    window = _window(qtbot, data_folder)
    try:
        visit = _stored_visit(window)
        window.model_handle = SimpleNamespace(sha256="b" * 64, name="demo_compact", is_demo=True)  # other weights
        window.open_read_only(visit)
        page = window.results
        label = page.graded_by_label
        assert not label.isHidden()
        assert label.text() == ("Graded by untrained (sha256 aaaaaaaa\u2026): not validated "
                                "\u2014 not the weights loaded now.")
        assert tone_css(WARNING) in label.styleSheet()  # the amber of its report's box
        assert UNVALIDATED_CAUTION in label.toolTip()
        assert page.regions_missing.text() == f"Not available: {WHY}"  # the stored reason, as its report
        window.model_handle = SimpleNamespace(sha256="a" * 64, name="untrained", is_demo=False)  # these weights
        window.open_read_only(visit)
        assert label.text() == "Graded by untrained (sha256 aaaaaaaa\u2026), the weights loaded now."
        page.show_result(_result(), "Ben Ode (MRN-2)", "analysed")  # a live result: no such line
        assert label.isHidden()
    finally:
        close_window(window)


# -- #12: the report's order and heading ----------------------------------------------------------
def test_the_sides_and_the_flags_heading_read_as_the_report(qtbot) -> None:
    assert side_text("left", "left") == "Affected side (patient's): left (registered), left (measured)"
    assert side_text(None, "left") == "Affected side (patient's): left (registered), not measured"
    page = ResultsPage()
    qtbot.addWidget(page)
    page.show_result(_result(flags=[Flag("low_confidence", "top probability 0.26 is below 0.5")]),
                     "Ada Lovelace (MRN-1)", "analysed", registered_side="left")
    assert "left (registered), left (measured)" in page.grade_label.text()
    assert ">Review flags</b>" in page.flags.text() and "Flags for review" not in page.flags.text()


def test_a_click_on_a_partly_hidden_control_of_the_body_is_a_click(qtbot, data_folder: Path, font_15pt) -> None:
    """As test_keyboard_and_contrast's test of the grade button, which is no longer in the body
    (it cannot be partly hidden now): the press gave the control the focus, the page scrolled
    it into view, and the release fell outside it."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    window = _window(qtbot, data_folder)
    try:
        window.resize(900, 460)
        page = window.results
        page.show_result(_result(), "Ada Lovelace (MRN-1)", "analysed", clinician="Dr Kim")
        window.stack.setCurrentWidget(page)
        qtbot.waitUntil(lambda: QApplication.focusWidget() is page.grade_buttons.checkedButton(), timeout=WAIT_MS)
        area = page.body_area
        view, bar = area.viewport(), area.verticalScrollBar()
        target = page.class_boxes[max(page.class_boxes)]  # the last class, low in the body
        assert target.isChecked()
        bar.setValue(target.mapTo(area.widget(), QPoint(0, 0)).y() - view.height() + 8)  # its top 8 px show
        QApplication.processEvents()
        assert 0 < view.height() - target.mapTo(view, QPoint(0, 0)).y() <= 10
        before, local = bar.value(), QPoint(8, 3)
        where = target.mapToGlobal(local)  # the mouse does not move with the page
        QTest.mousePress(target, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, local)
        QApplication.processEvents()
        QTest.mouseRelease(target, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, target.mapFromGlobal(where))
        assert not target.isChecked()  # clicked: the class is hidden
        assert bar.value() == before
    finally:
        close_window(window)
