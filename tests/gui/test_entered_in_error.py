"""The history page's "Entered in error…": a past visit recorded under the wrong patient is
withdrawn with a reason, after a question naming the patient and the visit; drafts are left to
the patients page's Discard."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from app.local_time import local_minute
from app.pages.history import (
    DRAFT_TIP,
    ENTERED_IN_ERROR_TIP,
    EnteredInErrorDialog,
    HistoryPage,
    ask_entered_in_error,
)
from app.pages.history_logic import entered_in_error_question, visit_words, withdrawable
from app.records.audit_agreement import ENTERED_IN_ERROR
from app.records_gateway import AssessmentInfo
from tests.gui.gui_helpers import close_window, make_window
from tests.records.records_helpers import confirmed_assessment, tiny_png

WRONG_PATIENT = "recorded under the wrong patient"


def _visits() -> list[AssessmentInfo]:
    return [
        AssessmentInfo(1, "MRN-1", "confirmed", "2026-11-02T09:00:00.000+00:00", "II", None, "II", "Dr Kim"),
        AssessmentInfo(2, "MRN-1", "analysed", "2026-11-09T09:00:00.000+00:00", "III"),
        AssessmentInfo(3, "MRN-1", "draft", "2026-11-16T09:00:00.000+00:00"),
    ]


def _select(page: HistoryPage, assessment_id: int) -> None:
    row = next(r for r in range(page.table.rowCount())
               if page.table.item(r, 0).data(Qt.ItemDataRole.UserRole) == assessment_id)
    page.table.selectRow(row)


# -- headless logic ------------------------------------------------------------------------------

def test_only_analysed_and_confirmed_visits_are_withdrawn() -> None:
    assert [withdrawable(a) for a in _visits()] == [True, True, False]
    assert not withdrawable(None)


def test_the_question_names_the_patient_and_the_visits_date_and_grade() -> None:
    confirmed, analysed, _draft = _visits()
    question = entered_in_error_question("Ada Lovelace (MRN-1, born 1980-12-10)", confirmed)
    assert question.startswith("Patient: Ada Lovelace (MRN-1, born 1980-12-10)\n"
                               f"Visit: {local_minute(confirmed.created)}, grade II, confirmed by Dr Kim\n\n")
    assert "Nothing is deleted" in question
    assert visit_words(analysed) == f"visit of {local_minute(analysed.created)} (network grade III, not confirmed)"


# -- the page --------------------------------------------------------------------------------------

def test_the_action_follows_the_selected_visit(qtbot) -> None:
    page = HistoryPage()
    qtbot.addWidget(page)
    page.show_history("Ada (MRN-1)", _visits())
    asked: list[int] = []
    page.withdraw_requested.connect(asked.append)
    _select(page, 3)  # the draft: the patients page's Discard
    assert not page.withdraw_button.isEnabled()
    assert page.withdraw_button.toolTip() == DRAFT_TIP
    assert not [a for a in page.visit_menu().actions() if a.text().startswith("Entered")][0].isEnabled()
    page.withdraw_button.click()
    assert asked == []
    for visit in (1, 2):
        _select(page, visit)
        assert page.withdraw_button.isEnabled() and page.withdraw_button.toolTip() == ENTERED_IN_ERROR_TIP
    page.withdraw_button.click()
    _select(page, 1)
    menu = page.visit_menu()
    assert [a.text() for a in menu.actions()] == ["Open", "Entered in error\u2026"]
    assert all(a.isEnabled() for a in menu.actions())
    menu.actions()[1].trigger()  # the context menu (right click or the menu key)
    assert asked == [2, 1]


def test_the_action_is_a_keyboard_stop(qtbot) -> None:
    page = HistoryPage()
    qtbot.addWidget(page)
    page.show_history("Ada (MRN-1)", _visits())
    page.show()
    page.activateWindow()
    qtbot.waitExposed(page)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page)
    try:
        asked: list[int] = []
        page.withdraw_requested.connect(asked.append)
        _select(page, 2)
        page.table.setFocus()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is page.table)
        for _ in range(6):  # Tab leaves the table; the button is reached and Space presses it
            if QApplication.focusWidget() is page.withdraw_button:
                break
            qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        assert QApplication.focusWidget() is page.withdraw_button
        qtbot.keyClick(page.withdraw_button, Qt.Key.Key_Space)
        assert asked == [2]
        assert page.table.contextMenuPolicy() == Qt.ContextMenuPolicy.CustomContextMenu  # the menu key too
    finally:
        page.close()


def test_the_dialog_requires_a_reason(qtbot) -> None:
    dialog = EnteredInErrorDialog(None, "Mark the visit entered in error?", "Mark the visit of Ada (MRN-1)?")
    qtbot.addWidget(dialog)
    assert not dialog.confirm_button.isEnabled()
    dialog.reason_edit.setText("   ")
    assert not dialog.confirm_button.isEnabled()
    dialog.reason_edit.setText(f"  {WRONG_PATIENT} ")
    assert dialog.confirm_button.isEnabled() and dialog.reason() == WRONG_PATIENT
    assert dialog.reason_edit.maxLength() == 500
    assert dialog.question.textFormat() == Qt.TextFormat.PlainText  # a name is never HTML


@pytest.mark.parametrize("confirm", [True, False])
def test_the_dialog_answers_the_reason_or_none(qtbot, confirm: bool) -> None:
    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, EnteredInErrorDialog)
        dialog.reason_edit.setText(WRONG_PATIENT)
        (dialog.confirm_button if confirm else dialog.buttons.button(dialog.buttons.StandardButton.Cancel)).click()

    QTimer.singleShot(0, answer)
    assert ask_entered_in_error(None, "Mark?", "Mark the visit?") == (WRONG_PATIENT if confirm else None)


# -- the window ------------------------------------------------------------------------------------

def _window_with_visits(qtbot, data_folder: Path, tiny_weights: Path, answer: str | None):  # noqa: ANN202
    questions: list[tuple[str, str]] = []
    window = make_window(qtbot, data_folder, tiny_weights,
                         ask_reason=lambda parent, title, text: questions.append((title, text)) or answer)
    store = window.gateway.store
    first = confirmed_assessment(store, "MRN-1", "Ada Lovelace", "II", "Dr Kim")
    wrong = store.start_assessment("MRN-1").id
    store.save_capture(wrong, "rest", tiny_png(4))
    store.record_results(wrong, {"grade": "V", "measured": {"function_percent": 40.0}}, model_grade="V")
    store.confirm_grade(wrong, "V", "Dr Kim")
    window.show_history("MRN-1")
    return window, questions, first, wrong


def _grade_points(window) -> int:  # noqa: ANN001
    items = window.history.grade_plot.getPlotItem().listDataItems()
    return sum(0 if item.getData()[0] is None else len(item.getData()[0]) for item in items)


def test_entered_in_error_withdraws_the_visit_from_history_and_plot(qtbot, data_folder: Path,
                                                                     tiny_weights: Path) -> None:
    window, questions, first, wrong = _window_with_visits(qtbot, data_folder, tiny_weights, WRONG_PATIENT)
    try:
        page = window.history
        assert page.table.rowCount() == 2 and _grade_points(window) == 2
        _select(page, wrong)
        page.withdraw_button.click()
        [(title, question)] = questions
        created = window.gateway.store.get_assessment(wrong).created_at
        assert title == "Mark visit as entered in error?"
        assert question.startswith(f"Patient: Ada Lovelace (MRN-1)\nVisit: {local_minute(created)}, grade V, "
                                   "confirmed by Dr Kim\n\n")
        assert window.gateway.store.get_assessment(wrong).status == "discarded"
        trail = window.gateway.store.audit_trail("assessment", wrong)
        assert (trail[-1].old_value, trail[-1].new_value, trail[-1].reason) == (
            "confirmed", "discarded", ENTERED_IN_ERROR + WRONG_PATIENT)
        assert page.table.rowCount() == 1
        assert page.table.item(0, 0).data(Qt.ItemDataRole.UserRole) == first
        assert _grade_points(window) == 1
        assert page.function_plot.getPlotItem().listDataItems() == []  # its function % was the only one
        assert window.statusBar().currentMessage() == (
            f"Visit of {local_minute(created)} marked entered in error (Ada Lovelace, MRN-1). "
            "Reason saved in the audit trail.")
        assert page.empty.isVisible() and page.empty.text() == "1 visit marked entered in error is not shown."
    finally:
        close_window(window)


def test_cancel_keeps_the_visit(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window, questions, _first, wrong = _window_with_visits(qtbot, data_folder, tiny_weights, None)
    try:
        _select(window.history, wrong)
        window.history.withdraw_button.click()
        assert len(questions) == 1
        assert window.gateway.store.get_assessment(wrong).status == "confirmed"
        assert window.history.table.rowCount() == 2
        assert window.statusBar().currentMessage().endswith("of Ada Lovelace (MRN-1) was kept")
    finally:
        close_window(window)


def test_a_draft_is_not_withdrawn_from_the_history(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window, questions, _first, _wrong = _window_with_visits(qtbot, data_folder, tiny_weights, WRONG_PATIENT)
    try:
        draft = window.gateway.store.start_assessment("MRN-1").id
        window.show_history("MRN-1")
        _select(window.history, draft)
        assert not window.history.withdraw_button.isEnabled()
        window.withdraw_visit(draft)  # a stale request (another window analysed nothing meanwhile)
        assert questions == []
        assert window.gateway.store.get_assessment(draft).status == "draft"
        assert "is draft: discard it from the patients page" in window.statusBar().currentMessage()
    finally:
        close_window(window)
