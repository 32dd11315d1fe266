"""A date of birth typed or changed in the patient form is refused after the local today (the
store's rule, up to today at UTC+14, saved a typo a day or two ahead unasked west of it), while
a stored date the form shows unchanged never blocks a save. The pre-1900 question is asked once
per date: correcting the name after answering it does not ask it again."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.pages.patient import PatientDialog
from app.pages.patient_logic import SAVE_ANYWAY, PatientFormError, validate_patient


def test_a_typed_date_after_the_local_today_is_refused(behind_utc) -> None:
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    with pytest.raises(PatientFormError, match=f"Date of birth {tomorrow} lies after today") as err:
        validate_patient("P1", "A", tomorrow, "", "unknown", "")
    assert err.value.field == "birth_date"


def test_a_shown_date_after_the_local_today_does_not_block_the_save(behind_utc) -> None:
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    assert validate_patient("P1", "B", tomorrow, "", "unknown", "", shown_birth_date=tomorrow).birth_date == tomorrow


def test_the_edit_dialog_refuses_a_date_changed_to_tomorrow(qtbot, store_gateway, behind_utc) -> None:
    store_gateway.store.create_patient("P-1", name="Ada", birth_date="1970-04-03")
    dialog = PatientDialog(store_gateway, store_gateway.get_patient("P-1"))
    qtbot.addWidget(dialog)
    dialog.dob_edit.setText((date.today() + timedelta(days=1)).isoformat())
    dialog.accept()
    assert "lies after today" in dialog.error_label.text() and dialog.saved is None
    assert store_gateway.get_patient("P-1").birth_date == "1970-04-03"


def test_the_pre_1900_question_is_not_asked_again_after_a_name_edit(qtbot, store_gateway) -> None:
    dialog = PatientDialog(store_gateway)
    qtbot.addWidget(dialog)
    dialog.id_edit.setText("P-1")
    dialog.name_edit.setText("Ada Old")
    dialog.dob_edit.setText("1850-04-03")
    dialog.accept()
    assert "lies before 1900" in dialog.error_label.text() and dialog.save_button.text() == SAVE_ANYWAY
    dialog.name_edit.setText("Ada Olde")
    dialog.accept()
    assert dialog.saved is not None and store_gateway.get_patient("P-1").name == "Ada Olde"


def test_the_pre_1900_question_is_asked_again_for_another_date(qtbot, store_gateway) -> None:
    dialog = PatientDialog(store_gateway)
    qtbot.addWidget(dialog)
    dialog.id_edit.setText("P-1")
    dialog.name_edit.setText("Ada Old")
    dialog.dob_edit.setText("1850-04-03")
    dialog.accept()
    dialog.dob_edit.setText("1097-04-03")
    dialog.accept()
    assert "1097-04-03 lies before 1900" in dialog.error_label.text() and dialog.saved is None
