"""Nothing typed is lost without a question, and nothing unfinished is hidden: leaving an
unconfirmed review, quitting during an analysis, starting again for a patient with an unfinished
assessment; the capture page's way back, the window title on a shared station, the patients
list keeping its selection."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from app.records_gateway import PatientInfo
from app.widgets.ask import ask_choice
from models.labels import GRADES
from tests.gui.gui_helpers import (
    WAIT_MS,
    analysed_assessment,
    capture_all,
    draft_with_photos,
    user_close,
)
from tests.gui.test_flow_edges import slow_analysis

NOT_CONFIRMED = "The grade is not confirmed yet. Leave anyway?"


def _asking(answers: list[bool], asked: list[str]):
    def ask(parent, title, text):
        asked.append(text)
        return answers.pop(0) if answers else True

    return ask


def test_every_way_out_of_an_unconfirmed_review_asks_first(qtbot, open_window) -> None:
    # a review typed but not confirmed was dropped without a word by Ctrl+1, Ctrl+N, Ctrl+H,
    # closing the window and Ctrl+Q (only Back said, afterwards, that it waits in the history)
    answers: list[bool] = []
    asked: list[str] = []
    window = open_window(ask=_asking(answers, asked))
    assessment_id = analysed_assessment(qtbot, window)
    page = window.results
    page.clinician_edit.setText("Dr. Test")
    page.notes_edit.setPlainText("typed, not confirmed")
    ways_out = (page.back_button.click, window.patients_action.trigger, window.new_patient_action.trigger,
                window.history_action.trigger, lambda: user_close(window), window.quit_action.trigger)
    answers[:] = [False] * len(ways_out)  # No (the default, as Esc): stay
    for leave in ways_out:
        leave()
        assert window.stack.currentWidget() is page and window.isVisible()
    assert answers == [] and len(asked) == len(ways_out)
    assert all(NOT_CONFIRMED in text and "'analysed'" in text for text in asked)
    assert page.notes_edit.toPlainText() == "typed, not confirmed"
    answers[:] = [True]
    page.back_button.click()  # Yes: leave; it waits in the history, as the status bar says
    assert window.stack.currentWidget() is window.patients and len(asked) == len(ways_out) + 1
    assert "Not confirmed yet" in window.statusBar().currentMessage()
    assert window.gateway.assessment(assessment_id).status == "analysed"
    # reopened for review from the history it asks too; read-only once confirmed it does not
    window.show_history("MRN-1")
    window.history.open_button.click()
    assert window.stack.currentWidget() is page and not page.read_only
    answers[:] = [True]
    window.patients_action.trigger()
    assert len(asked) == len(ways_out) + 2 and NOT_CONFIRMED in asked[-1]


def test_closing_during_an_analysis_asks_first(qtbot, open_window) -> None:
    answers: list[bool] = []
    asked: list[str] = []
    window = open_window(analyse=slow_analysis, ask=_asking(answers, asked))
    window.gateway.save_patient(PatientInfo("MRN-1", "Ada Lovelace"), is_new=True)
    window.start_assessment("MRN-1")
    capture_all(qtbot, window)
    window.start_analysis()
    assert window.analysing
    answers[:] = [False, False]
    assert not user_close(window)  # the close button
    window.quit_action.trigger()  # Ctrl+Q
    assert window.isVisible() and window.analysing and not window._closed
    assert asked == ["An analysis is running; quit anyway? The photos are kept."] * 2
    answers[:] = [True]
    assert user_close(window)
    assert not window.isVisible() and window._closed and len(asked) == 3


def test_start_offers_the_patients_unfinished_assessment(qtbot, data_folder: Path, open_window) -> None:
    # Start assessment made a second draft silently and hid the first one
    draft = draft_with_photos(data_folder, "MRN-D", "Dora Draft")
    questions: list[tuple[str, tuple[str, ...]]] = []
    answers: list[str | None] = []

    def choose(parent, title, text, choices):
        questions.append((text, choices))
        return answers.pop(0)

    window = open_window(choose=choose)
    window.gateway.save_patient(PatientInfo("MRN-2", "Other One"), is_new=True)
    answers[:] = [None]  # Cancel / Esc: nothing happens
    window.start_assessment("MRN-D")
    assert window.stack.currentWidget() is window.patients
    assert [d.assessment_id for d in window.gateway.unfinished()] == [draft]
    [(text, choices)] = questions
    assert choices[0] == "Resume" and "Start new" in choices  # Resume is the default
    assert text.startswith("Dora Draft (MRN-D) has an unfinished assessment started ") and "(3 of 6 photos taken). Resume it, or start a new one?" in text
    answers[:] = ["Resume"]
    window.start_assessment("MRN-D")
    assert window.stack.currentWidget() is window.capture and window.assessment_id == draft
    assert sorted(window.session.photos) == ["close_eyes", "raise_eyebrows", "rest"]
    window.show_patients()
    answers[:] = ["Start new"]
    window.start_assessment("MRN-D")
    assert window.assessment_id != draft and window.session.photos == {}
    assert window.gateway.assessment(draft).status == "draft"  # still offered
    window.show_patients()
    window.start_assessment("MRN-2")  # nothing unfinished: no question
    assert len(questions) == 3 and window.stack.currentWidget() is window.capture


def test_the_resume_question_defaults_to_resume_and_esc_cancels(qtbot) -> None:
    seen: list[str] = []

    def answer(key: Qt.Key) -> None:
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen.append(box.defaultButton().text())
        qtbot.keyClick(box, key)

    for key, expected in ((Qt.Key.Key_Escape, None), (Qt.Key.Key_Return, "Resume")):
        QTimer.singleShot(0, lambda key=key: answer(key))
        assert ask_choice(None, "Resume the unfinished assessment?", "Resume ...?", ("Resume", "Start new")) == expected
    assert seen == ["Resume", "Resume"]


def test_the_capture_page_has_a_way_back_and_the_title_names_only_the_patient_on_screen(
    qtbot, open_window
) -> None:
    window = open_window()
    window.gateway.save_patient(PatientInfo("MRN-1", "Ada Lovelace"), is_new=True)
    window.start_assessment("MRN-1")
    assert window.windowTitle() == "Palsy Grader \u2013 Ada Lovelace (MRN-1)"
    window.capture.back_button.click()  # as View > Patients (Ctrl+1)
    assert window.stack.currentWidget() is window.patients
    assert window.windowTitle() == "Palsy Grader"  # a shared station: the name left the title
    window.show_history("MRN-1")
    assert window.windowTitle() == "Palsy Grader \u2013 Ada Lovelace (MRN-1)"
    window.show_patients()
    assert window.windowTitle() == "Palsy Grader"


def test_back_from_results_keeps_the_patient_selected_and_titled(qtbot, open_window) -> None:
    window = open_window()
    window.gateway.save_patient(PatientInfo("MRN-0", "Someone Else"), is_new=True)
    window.patients.refresh()
    analysed_assessment(qtbot, window)
    assert window.windowTitle() == "Palsy Grader \u2013 Ada Lovelace (MRN-1)"
    window.results.clinician_edit.setText("Dr. Test")
    window.results.grade_buttons.button(GRADES.index(window.results.result.grade)).click()  # flagged: none is ticked
    window.results.confirm_button.click()
    window.results.back_button.click()
    assert window.stack.currentWidget() is window.patients and window.windowTitle() == "Palsy Grader"
    assert window.patients.selected() == "MRN-1"
    assert window.patients.edit_button.isEnabled() and window.patients.history_button.isEnabled()


def test_retake_clears_the_stale_analysis_message(qtbot, open_window) -> None:
    window = open_window(analyse=slow_analysis)
    window.gateway.save_patient(PatientInfo("MRN-1", "Ada Lovelace"), is_new=True)
    window.start_assessment("MRN-1")
    capture_all(qtbot, window)
    window.start_analysis()
    window.cancel_analysis()
    qtbot.waitUntil(lambda: not window.analysing, timeout=WAIT_MS)
    label = window.capture.progress_label
    assert "cancelled" in label.text() and not label.isHidden()
    window.retake_action.trigger()  # R
    assert label.text() == "" and label.isHidden()


def test_an_expression_photo_like_the_rest_photo_is_marked_on_its_step(
    qtbot, open_window
) -> None:
    # a photo identical to rest was accepted with green badges
    window = open_window()
    window.gateway.save_patient(PatientInfo("MRN-1", "Ada Lovelace"), is_new=True)
    window.start_assessment("MRN-1")
    page = window.capture
    qtbot.waitUntil(lambda: page._last_packet is not None, timeout=WAIT_MS)
    assert page.capture_now()  # rest
    rest = page.session.photos["rest"].rgb
    page.session.capture(rest.copy())  # close eyes: the rest photo again
    assert page.session.wait_for_saves(WAIT_MS / 1000) == []
    item = page.steps.item(1)
    assert "\u26a0 no movement\nagainst rest \u2013 retake?" in item.text()
    assert item.background().color().name() == "#fdebd0"
    assert "\u2713" in page.steps.item(0).text()  # rest itself is never marked
    page.session.retake("close_eyes")
    assert "not taken" in page.steps.item(1).text() and item.background().style() == Qt.BrushStyle.NoBrush


def test_start_does_not_offer_the_assessment_being_analysed(qtbot, open_window) -> None:
    # Start for the patient whose analysis still ran offered "Resume the unfinished assessment
    # (6 of 6 photos)": the very one being analysed; so did the patients page's bar
    from tests.gui.test_quitting import until_cancelled

    offered: list[str] = []
    window = open_window(analyse=until_cancelled,
                         choose=lambda parent, title, text, choices: offered.append(text) or None)
    window.gateway.save_patient(PatientInfo("MRN-1", "Ada Lovelace"), is_new=True)
    window.start_assessment("MRN-1")
    capture_all(qtbot, window)
    window.start_analysis()
    analysed = window.assessment_id
    window.show_patients()
    window.start_assessment("MRN-1")
    assert window.analysing and offered == [] and window.assessment_id != analysed  # a new one, no question
    window.show_patients()
    assert window.patients._resume_id is None  # not the analysed one; the new one, left empty, is discarded
    window.cancel_analysis()
    qtbot.waitUntil(lambda: not window.analysing, timeout=WAIT_MS)
    # cancelled, it is a draft again: offered on the patients page, and by Start
    assert window.patients._resume_id == analysed and not window.patients.resume_box.isHidden()
    window.start_assessment("MRN-1")
    assert len(offered) == 1 and "6 of 6 photos" in offered[0]
