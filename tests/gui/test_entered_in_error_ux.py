"""Usability of "Entered in error…": the question says the patient and the visit on lines of
their own and "This cannot be undone." apart, in bold; after a withdrawal a lasting line under
the visits says how many are not shown (an only visit withdrawn read "No assessments yet."); the
status bar's word is short; the button sits on the left, away from Open."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.local_time import local_minute
from app.pages.history import EnteredInErrorDialog, HistoryPage
from app.pages.history_logic import (
    CANNOT_BE_UNDONE,
    ENTERED_IN_ERROR_TITLE,
    entered_in_error_question,
    withdrawn_note,
)
from app.records_gateway import AssessmentInfo
from tests.gui.gui_helpers import close_window, make_window
from tests.records.records_helpers import confirmed_assessment

WRONG_PATIENT = "recorded under the wrong patient"


def _visits() -> list[AssessmentInfo]:
    return [
        AssessmentInfo(1, "MRN-1", "confirmed", "2026-11-02T09:00:00.000+00:00", "II", None, "IV", "Dr. A. Example"),
        AssessmentInfo(2, "MRN-1", "analysed", "2026-11-09T09:00:00.000+00:00", "III"),
    ]


# -- the question ----------------------------------------------------------------------------------

def test_the_question_puts_patient_and_visit_on_lines_of_their_own() -> None:
    confirmed, analysed = _visits()
    question = entered_in_error_question("Jane Doe (MRN-2041, born 1968-04-12)", confirmed)
    lines = question.split("\n")
    assert lines[0] == "Patient: Jane Doe (MRN-2041, born 1968-04-12)"
    assert lines[1] == f"Visit: {local_minute(confirmed.created)}, grade IV, confirmed by Dr. A. Example"
    assert lines[2] == ""
    assert lines[3] == ("Use this when the visit was recorded under the wrong patient. It will no longer appear in "
                        "this patient's history, graphs or later reports. Nothing is deleted, and your reason is "
                        "recorded in the audit trail.")
    assert lines[4:] == ["", "This cannot be undone."] and CANNOT_BE_UNDONE == "This cannot be undone."
    assert "undone here" not in question  # "here" hinted it could be undone elsewhere
    assert ENTERED_IN_ERROR_TITLE == "Mark visit as entered in error?"
    analysed_lines = entered_in_error_question("Ada (MRN-1)", analysed).split("\n")
    assert analysed_lines[1] == f"Visit: {local_minute(analysed.created)}, network grade III, not confirmed"


def test_the_dialog_shows_cannot_be_undone_apart_in_bold_and_names_as_typed(qtbot) -> None:
    name = "<b>X</b> &amp; Co (MRN-<i>1</i>)"
    dialog = EnteredInErrorDialog(None, ENTERED_IN_ERROR_TITLE, entered_in_error_question(name, _visits()[0]))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.windowTitle() == "Mark visit as entered in error?"
    assert dialog.warning.isVisible() and dialog.warning.text() == "This cannot be undone."
    assert dialog.warning.font().bold() and not dialog.question.font().bold()
    assert "undone" not in dialog.question.text()  # not at the end of the paragraph any more
    assert dialog.question.text().startswith(f"Patient: {name}\nVisit: ")  # the name literally, tags and all
    for label in (dialog.question, dialog.warning):
        assert label.textFormat() == Qt.TextFormat.PlainText  # never HTML
    # on screen, under the question and above the reason
    assert dialog.question.geometry().bottom() < dialog.warning.geometry().top()
    assert dialog.warning.geometry().bottom() < dialog.reason_edit.geometry().top()


def test_another_question_is_shown_whole(qtbot) -> None:
    dialog = EnteredInErrorDialog(None, "Mark?", "Mark the visit?\n\nNo warning here.")
    qtbot.addWidget(dialog)
    assert dialog.question.text() == "Mark the visit?\n\nNo warning here." and dialog.warning.isHidden()


# -- the line under the visits ---------------------------------------------------------------------

def test_the_note_counts_the_visits_not_shown() -> None:
    assert withdrawn_note(3, 0) == ""
    assert withdrawn_note(3, 1) == "1 visit marked entered in error is not shown."
    assert withdrawn_note(3, 2) == "2 visits marked entered in error are not shown."
    assert withdrawn_note(0, 0) == "No assessments yet."
    assert withdrawn_note(0, 1) == "No assessments to show (1 marked entered in error)."


def test_the_page_keeps_the_line_muted_under_the_visits(qtbot) -> None:
    page = HistoryPage()
    qtbot.addWidget(page)
    page.resize(1000, 700)
    page.show()
    qtbot.waitExposed(page)
    page.show_history("Ada (MRN-1)", _visits(), withdrawn=2)
    assert page.empty.isVisible() and page.empty.text() == "2 visits marked entered in error are not shown."
    assert page.empty.textFormat() == Qt.TextFormat.PlainText
    assert "color:" in page.empty.styleSheet()  # the muted tone
    table_bottom = page.table.mapTo(page, page.table.rect().bottomLeft()).y()
    assert page.empty.mapTo(page, page.empty.rect().topLeft()).y() > table_bottom
    page.show_history("Ada (MRN-1)", [], withdrawn=1)
    assert page.empty.isVisible() and page.empty.text() == "No assessments to show (1 marked entered in error)."
    page.show_history("Ada (MRN-1)", _visits())
    assert page.empty.isHidden()
    page.show_history("Ada (MRN-1)", [])
    assert page.empty.text() == "No assessments yet."


# -- the button row --------------------------------------------------------------------------------

def test_entered_in_error_sits_on_the_left_away_from_open(qtbot) -> None:
    page = HistoryPage()
    qtbot.addWidget(page)
    page.resize(1200, 700)
    page.show_history("Ada (MRN-1)", _visits())
    page.show()
    page.activateWindow()
    qtbot.waitExposed(page)
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page)
    try:
        back, withdraw, opened = (b.geometry() for b in (page.back_button, page.withdraw_button, page.open_button))
        assert back.right() < withdraw.left() < withdraw.right() < opened.left()
        # a gap after Back, a wider one (the stretch) before Open, which stays rightmost
        assert withdraw.left() - back.right() > 2 * page.layout().spacing()
        assert opened.left() - withdraw.right() > 4 * (withdraw.left() - back.right())
        assert opened.right() > page.width() - 2 * page.layout().contentsMargins().right() - 2
        # Tab goes left to right: the table, Back, Entered in error…, Open
        page.table.setFocus()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is page.table)
        order = []
        for _ in range(3):
            qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
            order.append(QApplication.focusWidget())
        assert order == [page.back_button, page.withdraw_button, page.open_button]
    finally:
        page.close()


# -- the window ------------------------------------------------------------------------------------

def test_the_only_visit_withdrawn_is_said_not_no_assessments_yet(qtbot, data_folder: Path, tiny_weights: Path,
                                                                 caplog) -> None:
    window = make_window(qtbot, data_folder, tiny_weights, ask_reason=lambda parent, title, text: WRONG_PATIENT)
    try:
        store = window.gateway.store
        only = confirmed_assessment(store, "MRN-1", "Ada Lovelace", "II", "Dr Kim")
        draft = window.gateway.start_assessment("MRN-1")
        window.gateway.discard(draft)  # a draft discarded from the patients page: not a withdrawn visit
        window.show_history("MRN-1")
        page = window.history
        assert page.table.rowCount() == 1 and page.empty.isHidden()
        page.table.selectRow(0)
        with caplog.at_level(logging.INFO, logger="app.main_window"):
            page.withdraw_button.click()
        assert store.get_assessment(only).status == "discarded"
        assert page.table.rowCount() == 0
        assert page.empty.isVisible() and page.empty.text() == "No assessments to show (1 marked entered in error)."
        created = store.get_assessment(only).created_at
        assert window.statusBar().currentMessage() == (
            f"Visit of {local_minute(created)} marked entered in error (Ada Lovelace, MRN-1). "
            "Reason saved in the audit trail.")
        # the window's notice (the store logs its own line, at INFO when another test left the
        # root logger there): by number, never the name, in every record
        assert not [r for r in caplog.records if "Ada" in r.getMessage()]
        logged = [r.getMessage() for r in caplog.records
                  if r.name == "app.main_window" and "marked entered in error" in r.getMessage()]
        assert logged == [f"notice: Visit of {local_minute(created)} marked entered in error (assessment {only}). "
                          "Reason saved in the audit trail."]
        # it stays: the history shown again still says it
        window.show_history("MRN-1")
        assert page.empty.text() == "No assessments to show (1 marked entered in error)."
        assert window.gateway.withdrawn_count("MRN-1") == 1
    finally:
        close_window(window)
