"""The patient form and the patients page to a screen reader (a6 #5, #6, #7): a refused Save
and the "same person?" question are announced at once and given to the field that takes the
keyboard as its description (they were silent, and a second Return saved the same person under
a second ID unheard); the unfinished-assessment bar's buttons are named, describe the bar, and
the bar is announced when it appears; the date's format is in its label, not only the
placeholder that an 18 pt font cut."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.pages.patient import PatientDialog, PatientPage
from app.records_gateway import PatientInfo
from app.widgets.announce import ANNOUNCED
from tests.gui.gui_helpers import WAIT_MS, draft_with_photos


def _form(qtbot, gateway) -> PatientDialog:
    dialog = PatientDialog(gateway)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitActive(dialog)
    return dialog


def _saved_with_return(dialog: PatientDialog, patient_id: str, name: str, typed_date: str) -> None:
    """The form filled in, the date typed, and Return pressed in the date field (Save); what
    was announced before is forgotten."""
    dialog.id_edit.setText(patient_id)
    dialog.name_edit.setText(name)
    dialog.dob_edit.setFocus()
    QTest.keyClicks(dialog.dob_edit, typed_date)
    ANNOUNCED.clear()
    QTest.keyClick(dialog.dob_edit, Qt.Key.Key_Return)


def test_the_same_person_question_is_said_and_moves_the_keyboard(qtbot, store_gateway) -> None:
    store_gateway.save_patient(PatientInfo("MRN-1001", "Ada Lovelace", birth_date="1970-01-31"), is_new=True)
    dialog = _form(qtbot, store_gateway)
    _saved_with_return(dialog, "MRN-1002", "Ada Lovelace", "1970-01-31")
    question = dialog.error_label.text()
    assert "MRN-1001" in question and dialog.isVisible() and dialog.saved is None
    assert (question, True) in ANNOUNCED  # said at once, not only written under the form
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.name_edit, timeout=WAIT_MS)
    assert dialog.name_edit.accessibleDescription() == question  # read with the field the keyboard is on
    dialog.name_edit.setText("Ada King")  # an edit: the question no longer stands
    assert dialog.name_edit.accessibleDescription() == ""


def test_a_refused_date_is_said_though_the_keyboard_is_already_there(qtbot, store_gateway) -> None:
    dialog = _form(qtbot, store_gateway)
    _saved_with_return(dialog, "MRN-7", "Bo Carlsson", "31/01/1970")
    refusal = dialog.error_label.text()
    assert refusal and (refusal, True) in ANNOUNCED
    assert dialog.dob_edit.accessibleDescription() == refusal
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.dob_edit, timeout=WAIT_MS)
    QTest.keyClick(dialog.dob_edit, Qt.Key.Key_Backspace)
    assert dialog.dob_edit.accessibleDescription() == ""


def test_a_registered_id_is_said_on_the_id_field(qtbot, store_gateway) -> None:
    store_gateway.save_patient(PatientInfo("MRN-1001", "Ada Lovelace"), is_new=True)
    dialog = _form(qtbot, store_gateway)
    dialog.id_edit.setText("MRN-1001")
    dialog.name_edit.setText("Someone Else")
    dialog.name_edit.setFocus()
    ANNOUNCED.clear()
    dialog.accept()
    refusal = dialog.error_label.text()
    assert "already registered" in refusal and (refusal, True) in ANNOUNCED
    assert dialog.id_edit.accessibleDescription() == refusal
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.id_edit, timeout=WAIT_MS)


def test_the_date_format_is_in_its_label(qtbot, store_gateway) -> None:
    dialog = _form(qtbot, store_gateway)
    assert "YYYY-MM-DD" in dialog.dob_label.text() and "blank if unknown" in dialog.dob_label.text()
    assert dialog.dob_label.wordWrap() and dialog.dob_label.buddy() is dialog.dob_edit


def test_the_unfinished_assessment_bar_is_named_and_said(qtbot, tmp_path: Path) -> None:
    from app.gateway_store import open_gateway

    folder = tmp_path / "records"
    draft_with_photos(folder, "D-1", "Dora Draft")
    gateway = open_gateway(folder)
    page = PatientPage(gateway)
    qtbot.addWidget(page)
    ANNOUNCED.clear()
    page.show_unfinished(*gateway.offered_draft())
    text = page.resume_label.text()
    assert "Dora Draft" in text
    assert page.resume_button.accessibleName() == "Resume the unfinished assessment"
    assert page.discard_button.accessibleName() == "Discard the unfinished assessment"
    assert page.resume_button.accessibleDescription() == text == page.discard_button.accessibleDescription()
    assert (" ".join(text.split()), False) in ANNOUNCED  # politely, when it appears
    said = len(ANNOUNCED)
    page.show_unfinished(*gateway.offered_draft())  # filled again (back on the page): not said twice
    assert len(ANNOUNCED) == said
