"""Back on the patients page after a visit (workflow audit 2026-12-07): the keyboard was on the
list with the patient just finished selected, and one Return by habit started another
assessment of them, unasked, so that the next patient's photos went into their record. Now the
search field starts empty with the keyboard in it, starting a patient assessed today asks first
(No the default), the New patient form's "already registered" refusal opens that patient, and
results left unconfirmed are offered above the list."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.pages.patient_logic import time_today
from app.records_gateway import PatientInfo
from tests.gui.gui_helpers import WAIT_MS, analysed_assessment, close_window, make_window

K = Qt.Key
AGAIN = "Assess again today?"


def _activate(qtbot, window) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def test_after_a_visit_return_does_not_start_the_patient_just_finished(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    asked: list[tuple[str, str]] = []
    # "Leave without confirming?": Yes; "Assess again today?": No, as its default button
    window = make_window(qtbot, data_folder, tiny_weights,
                         ask=lambda parent, title, text: asked.append((title, text)) or title != AGAIN)
    try:
        visit = analysed_assessment(qtbot, window, "MRN-1002", "Bo Carlsson")
        window.patients.search.setText("Bo")  # typed before the visit
        _activate(qtbot, window)
        window.show_patients()
        page = window.patients
        assert window.stack.currentWidget() is page
        qtbot.wait(100)  # the page's keyboard start is set in the next event-loop turn (`_focus_page`)
        assert QApplication.focusWidget() is page.search
        assert page.search.text() == ""
        assert page.selected() == "MRN-1002"  # Edit and History stay at hand
        QTest.keyClick(page.search, K.Key_Return)  # moves to the list, starts nothing
        assert window.stack.currentWidget() is page
        qtbot.waitUntil(lambda: QApplication.focusWidget() is page.table, timeout=WAIT_MS)
        QTest.keyClick(page.table, K.Key_Return)
        title, text = asked[-1]
        at = time_today(window.gateway.assessment(visit).created)
        assert title == AGAIN and at is not None
        assert text.startswith(f"Bo Carlsson (MRN-1002) was assessed at {at} today (its grade awaits confirmation). "
                               "Start another assessment of Bo Carlsson?")
        assert window.stack.currentWidget() is page  # No: nothing started
        assert window.gateway.unfinished("MRN-1002") == []
    finally:
        close_window(window)


def test_a_patient_last_assessed_on_another_day_starts_unasked(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        store = window.gateway.store
        store.create_patient("MRN-7", name="Ada Lovelace")
        yesterday = (datetime.now(timezone.utc) - timedelta(days=1, hours=1)).isoformat(timespec="milliseconds")
        earlier = store.start_assessment("MRN-7", created_at=yesterday).id
        store.record_results(earlier, {"grade": "III"}, model_grade="III")
        store.confirm_grade(earlier, "III", "Dr A")
        window.start_assessment("MRN-7")
        assert window.stack.currentWidget() is window.capture
        assert AGAIN not in window.asked
    finally:
        close_window(window)


def test_a_new_patient_with_a_registered_id_offers_to_open_that_patient(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        window.gateway.save_patient(PatientInfo("MRN-1001", "Anna Berg", "1970-01-02"), is_new=True)
        window.gateway.save_patient(PatientInfo("MRN-1002", "Bo Carlsson"), is_new=True)
        page = window.patients
        page.refresh()
        page.select("MRN-1002")  # the patient just finished
        dialog = page.open_dialog(None)
        dialog.id_edit.setText("mrn-1001")  # the store's comparison: capitals aside, the same ID
        dialog.name_edit.setText("Anna Berg")
        dialog.accept()
        assert dialog.isVisible()
        assert dialog.error_label.text() == (
            "Patient ID MRN-1001 is already registered (mrn-1001 is the same ID: IDs that differ only in capitals, dashes "
            "or spaces are one ID): Anna Berg, born 1970-01-02. Press Open MRN-1001 to select them on the patients page, "
            "or correct the ID if this is someone else.")
        assert dialog.open_button.isVisible() and dialog.open_button.text() == "&Open MRN-1001"
        assert not dialog.open_button.isDefault()  # Return stays Save: the stored patient may be someone else
        dialog.open_button.click()
        assert not dialog.isVisible() and page.dialog is None
        assert page.selected() == "MRN-1001" and page.search.text() == "MRN-1001"
        qtbot.waitUntil(lambda: window.focusWidget() is page.table, timeout=WAIT_MS)
        assert [p.patient_id for p in window.gateway.search_patients("")] == ["MRN-1002", "MRN-1001"]  # nothing saved
    finally:
        close_window(window)


def test_a_changed_id_takes_the_open_button_away(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        window.gateway.save_patient(PatientInfo("MRN-1001", "Anna Berg"), is_new=True)
        dialog = window.patients.open_dialog(None)
        dialog.id_edit.setText("MRN-1001")
        dialog.name_edit.setText("Carl Dahl")
        dialog.accept()
        assert dialog.open_button.isVisible()
        dialog.id_edit.setText("MRN-1003")
        assert not dialog.open_button.isVisible()
        dialog.accept()  # a free ID: saved
        assert window.gateway.get_patient("MRN-1003").name == "Carl Dahl"
    finally:
        close_window(window)


def test_a_result_left_unconfirmed_is_offered_and_open_reopens_it_for_review(qtbot, data_folder: Path, tiny_weights: Path) -> None:
    window = make_window(qtbot, data_folder, tiny_weights)
    try:
        first = analysed_assessment(qtbot, window, "MRN-1001", "Anna Berg")
        second = analysed_assessment(qtbot, window, "MRN-1002", "Bo Carlsson")  # Anna's left unconfirmed: Yes
        window.results.back_button.click()  # Bo's left unconfirmed too
        page = window.patients
        assert window.statusBar().currentMessage() == ("Not confirmed yet: the bar above the list and MRN-1002's "
                                                       "history offer it to confirm the grade")
        assert not page.review_box.isHidden()
        at = time_today(window.gateway.assessment(second).updated)
        assert page.review_label.text() == f"2 results await confirmation: Bo Carlsson (MRN-1002), analysed {at}, and 1 more."
        page.review_button.click()
        assert window.stack.currentWidget() is window.results
        assert (window.assessment_id, window.patient_id) == (second, "MRN-1002")
        assert not window.results.read_only and window.results.status == "analysed"
        qtbot.waitUntil(lambda: not window.results.overlays_pending, timeout=WAIT_MS)
        window.gateway.confirm(second, "II", "Dr A", "")  # as Confirm grade stores it
        window.show_patients()
        assert page.review_label.text().startswith("A result awaits confirmation: Anna Berg (MRN-1001), analysed ")
        assert page._review_id == first
    finally:
        close_window(window)
