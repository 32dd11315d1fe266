"""The results page as review s15/r1 found it: a flagged result's note and a kept review's note
stay in view beside the grade row below the scrolling body (D1); the "Graded by" line covers a
live result once other weights are loaded (D2), claims no match while weights load (D3), and
claims nothing either way for a record without a checksum (D6)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QApplication, QWidget

from app.main_window import MainWindow
from app.pages.results_logic import (
    FLAGGED_NOTE,
    KEPT_REVIEW_NOTE,
    ReviewForm,
    graded_by_shown,
    graded_by_text,
)
from app.records_gateway import PatientInfo
from app.widgets.tones import ERROR, tone_css
from models.pipeline.assess import Flag
from tests.gui.gui_helpers import WAIT_MS, close_window
from tests.gui.test_results_visual_audit_v2 import _result, _seen, _window

DEMO = {"name": "demo_compact", "config": "compact", "sha256": "d" * 64, "path": "/x/demo_compact.pt"}
DEMO_LINE = "Graded by demo_compact (sha256 dddddddd\u2026): the demonstration weights, not for diagnosis"
FLAG = Flag("low_confidence", "top probability 0.45 is below 0.5")


def _handle(sha: str, name: str, demo: bool) -> SimpleNamespace:
    """A loaded model as `_model_loaded` gets it from the worker (no checkpoint meta)."""
    return SimpleNamespace(sha256=sha, name=name, is_demo=demo, path=f"/x/{name}.pt", device="cpu", meta=None)


def _in_window(widget: QWidget) -> bool:
    """`widget` is shown, drawn whole inside its window's rectangle and clipped by no parent."""
    window = widget.window()
    rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    return widget.isVisible() and not rect.isEmpty() and window.rect().contains(rect) and _seen(widget)


# -- D1: the notes that say why no grade is ticked, or that a review came back, stay in view --------
def _opened(qtbot, window: MainWindow, **kwargs) -> None:
    page = window.results
    window.stack.setCurrentWidget(page)
    page.show_result(_result(flags=[FLAG]), "Ada Lovelace (MRN-1)", "analysed", clinician="Dr Kim", **kwargs)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is page.initial_focus(), timeout=WAIT_MS)
    QApplication.processEvents()


def test_a_flagged_results_note_is_in_view_when_the_page_opens(qtbot, data_folder: Path) -> None:
    window = _window(qtbot, data_folder)
    try:
        window.resize(1000, 520)  # a 1366x768 laptop at 125-150 %: the body scrolls
        _opened(qtbot, window)
        page = window.results
        bar = page.body_area.verticalScrollBar()
        assert bar.maximum() > 0 and bar.value() == 0  # the body scrolls, and opens at its top
        assert page.flagged_note.text() == FLAGGED_NOTE
        assert _in_window(page.flagged_note)  # beside the grade row with nothing ticked
        assert _in_window(page.grade_row)
        assert not page.body_area.isAncestorOf(page.flagged_note)  # in the fixed bar, whatever the scrolling
        bar.setValue(bar.maximum())
        QApplication.processEvents()
        assert _in_window(page.flagged_note)
        page.grade_buttons.button(2).click()  # a grade chosen: the note goes, as before
        assert page.flagged_note.isHidden()
    finally:
        close_window(window)


def test_a_kept_reviews_note_is_in_view_when_the_page_opens(qtbot, data_folder: Path) -> None:
    window = _window(qtbot, data_folder)
    try:
        window.resize(1000, 520)
        page = window.results
        page.kept_reviews.keep(7, ReviewForm("IV", "Dr Kim", "Brow weaker on the left"))
        _opened(qtbot, window, assessment_id=7)
        assert page.selected_grade() == "IV"  # the review typed earlier is back
        assert page.kept_note.text() == KEPT_REVIEW_NOTE
        assert page.body_area.verticalScrollBar().value() == 0
        assert _in_window(page.kept_note) and not page.body_area.isAncestorOf(page.kept_note)
    finally:
        close_window(window)


# -- D2: a live result says which weights graded it once others are loaded ----------------------------
def test_a_live_result_names_the_demo_weights_once_others_are_loaded(qtbot, data_folder: Path) -> None:
    window = _window(qtbot, data_folder)
    try:
        _live_demo_result(window)
        label = window.results.graded_by_label
        assert label.isHidden()  # the red banner says it: the weights that graded it are loaded
        window._model_loaded(_handle("e" * 64, "clinic", False))  # Settings -> Model: other weights
        assert not label.isHidden()
        assert label.text() == DEMO_LINE + " \u2014 not the weights loaded now."
        assert tone_css(ERROR) in label.styleSheet()
        window._model_loaded(_handle("D" * 64, "demo_compact", True))  # the same weights again
        assert label.isHidden()
    finally:
        close_window(window)


# -- D3: while other weights load, the line claims no match ---------------------------------------------
def test_the_line_claims_no_match_while_weights_load(qtbot, data_folder: Path, monkeypatch) -> None:
    window = _window(qtbot, data_folder)
    try:
        gateway = window.gateway
        gateway.save_patient(PatientInfo("MRN-1", "Ada Lovelace"), is_new=True)
        visit = gateway.start_assessment("MRN-1")
        gateway.record_results(visit, "II", None, {
            "grade": "II", "probabilities": {"II": 0.9}, "affected_side": "left",
            "measured": {"grade": None, "function_percent": None, "regions": {}, "notes": []}, "model": dict(DEMO)})
        gateway.confirm(visit, "III", "Dr Kim", "Brow weaker on the left.")
        window._model_loaded(_handle("d" * 64, "demo_compact", True))
        window.open_read_only(visit)
        label = window.results.graded_by_label
        assert label.text() == "Graded by demo_compact (sha256 dddddddd\u2026), the weights loaded now."
        monkeypatch.setattr(window, "_run", lambda worker: None)  # the load never answers here
        window.load_model()  # Settings picked other weights: "model: loading…"
        assert window.model_handle is None
        assert label.text() == DEMO_LINE + "."
        assert not label.isHidden() and tone_css(ERROR) in label.styleSheet()
    finally:
        close_window(window)


def test_a_live_result_is_named_while_weights_load(qtbot, data_folder: Path, monkeypatch) -> None:
    window = _window(qtbot, data_folder)
    try:
        _live_demo_result(window)
        monkeypatch.setattr(window, "_run", lambda worker: None)
        window.load_model()
        assert window.results.graded_by_label.text() == DEMO_LINE + "."
    finally:
        close_window(window)


def test_an_analysis_that_ends_while_weights_load_names_its_weights(qtbot, data_folder: Path, monkeypatch) -> None:
    """The analysis ran on the demo weights; Settings started loading others before it ended:
    the banner speaks of the load, so the page names the weights that graded it at once."""
    window = _window(qtbot, data_folder)
    try:
        window._model_loaded(_handle("d" * 64, "demo_compact", True))
        monkeypatch.setattr(window, "_run", lambda worker: None)  # the load never answers here
        window.load_model()
        result = _result()
        result.model = dict(DEMO)
        window.gateway.save_patient(PatientInfo("MRN-1", "Ada Lovelace"), is_new=True)
        visit = window.gateway.start_assessment("MRN-1")
        window.stack.setCurrentWidget(window.capture)  # still on the capture page, as Analyse left it
        window.patient_id, window.assessment_id, window.result = "MRN-1", visit, result
        window._analysed_patient = "MRN-1"
        window._show_new_result()
        assert window.stack.currentWidget() is window.results and window.results.result is result
        label = window.results.graded_by_label
        assert not label.isHidden() and label.text() == DEMO_LINE + "."
    finally:
        close_window(window)


def _live_demo_result(window: MainWindow) -> None:
    """A live result the demo weights graded, on the results page while they are loaded."""
    window._model_loaded(_handle("d" * 64, "demo_compact", True))
    result = _result()
    result.model = dict(DEMO)
    window.patient_id, window.assessment_id, window.result = "MRN-1", 7, result
    window.stack.setCurrentWidget(window.results)
    window.results.show_result(result, "Ada Lovelace (MRN-1)", "analysed", assessment_id=7)


# -- D6: no checksum recorded, a digest in capitals ------------------------------------------------------
def test_a_record_without_a_checksum_is_not_said_to_be_other_weights() -> None:
    record = {"name": "demo_compact", "path": "/opt/palsy/demo_compact.pt"}
    text, _kind = graded_by_text(record, "d" * 64, True, [])
    assert text == ("Graded by demo_compact (no checksum recorded): the demonstration weights, not for "
                    "diagnosis \u2014 the loaded weights may differ.")
    assert graded_by_text(record, None, True, [])[0] == ("Graded by demo_compact (no checksum recorded): "
                                                         "the demonstration weights, not for diagnosis.")


def test_digests_are_compared_whatever_their_case() -> None:
    text, kind = graded_by_text({"name": "clinic", "sha256": "A" * 64}, "a" * 64, False, ["Not validated."])
    assert (text, kind) == ("Graded by clinic (sha256 AAAAAAAA\u2026), the weights loaded now.", "")
    assert not graded_by_shown({"name": "clinic", "sha256": "A" * 64}, "a" * 64, reopened=False)
    assert graded_by_shown({"name": "clinic", "sha256": "A" * 64}, "a" * 64, reopened=True)
    assert graded_by_shown({"name": "clinic", "sha256": "A" * 64}, "b" * 64, reopened=False)
    assert graded_by_shown({"name": "clinic", "sha256": "A" * 64}, None, reopened=False)  # none loaded
    assert not graded_by_shown({}, "b" * 64, reopened=False)  # a live result of no record: nothing to say
