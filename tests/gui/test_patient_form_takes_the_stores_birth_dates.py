"""The patient form refuses a date of birth by the store's rule (`validate.birth_date`): a patient
imported with a date the store took (today at UTC+14 where it is still yesterday, a date before
1900) can be edited; a date before 1900 typed in the form is asked about, not refused. A date is
quoted back as typed, and an input method's full-width or a pasted non-breaking hyphen is '-'."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from app.gateway_store import StoreGateway
from app.pages.patient import PatientDialog
from app.pages.patient_logic import SAVE_ANYWAY, PatientFormError, validate_patient


def _edit_name(qtbot, store_gateway: StoreGateway, patient_id: str, name: str) -> PatientDialog:
    dialog = PatientDialog(store_gateway, store_gateway.get_patient(patient_id))
    qtbot.addWidget(dialog)
    dialog.name_edit.setText(name)
    dialog.accept()
    return dialog


def test_a_newborn_imported_where_it_is_still_yesterday_can_be_edited(qtbot, store_gateway, behind_utc) -> None:
    born = datetime.now(timezone(timedelta(hours=14))).date()  # registered "today" in Kiribati or Auckland
    assert born > date.today()
    store_gateway.store.create_patient("NB-1", name="Baby Ngata", birth_date=born.isoformat())  # as an import does
    dialog = _edit_name(qtbot, store_gateway, "NB-1", "Aroha Ngata")
    assert dialog.error_label.text() == ""
    assert store_gateway.get_patient("NB-1").name == "Aroha Ngata"
    assert store_gateway.get_patient("NB-1").birth_date == born.isoformat()


def test_a_patient_imported_with_a_birth_date_before_1900_can_be_edited(qtbot, store_gateway) -> None:
    store_gateway.store.create_patient("OLD-1", name="Ada Old", birth_date="1850-01-01")  # as an import does
    dialog = _edit_name(qtbot, store_gateway, "OLD-1", "Ada Older")
    assert dialog.error_label.text() == ""
    assert store_gateway.get_patient("OLD-1").name == "Ada Older"


def test_a_birth_date_before_1900_typed_in_the_form_is_asked_about_then_saved(qtbot, store_gateway) -> None:
    dialog = PatientDialog(store_gateway)
    qtbot.addWidget(dialog)
    dialog.id_edit.setText("P-1")
    dialog.name_edit.setText("Ada Old")
    dialog.dob_edit.setText("1097-04-03")
    dialog.accept()
    assert "1097-04-03 lies before 1900: check the year" in dialog.error_label.text()
    assert dialog.save_button.text() == SAVE_ANYWAY and dialog.saved is None
    dialog.accept()
    assert store_gateway.get_patient("P-1").birth_date == "1097-04-03"


def test_the_form_refuses_what_the_store_refuses() -> None:
    with pytest.raises(PatientFormError, match="The date of birth is in the future") as err:
        validate_patient("P1", "A", (date.today() + timedelta(days=400)).isoformat(), "", "unknown", "")
    assert err.value.field == "birth_date"


def test_a_day_first_date_is_quoted_as_typed_and_told_to_put_the_year_first() -> None:
    with pytest.raises(PatientFormError) as err:
        validate_patient("P1", "A", "03041970", "", "unknown", "")
    assert "Date of birth 03041970 is not a valid date" in str(err.value) and "year first" in str(err.value)
    assert "0304-19-70" not in str(err.value)


@pytest.mark.parametrize("typed", ["１９７０－０４－０３", "1970\u201104\u201103", "1970\u201204\u201203", "1970\u221204\u221203"])
def test_a_date_with_a_hyphen_of_another_form_is_the_date_it_names(typed: str) -> None:
    assert validate_patient("P1", "A", typed, "", "unknown", "").birth_date == "1970-04-03"


def test_a_date_of_no_real_day_in_full_width_is_quoted_as_typed() -> None:
    with pytest.raises(PatientFormError, match="Date of birth １９７０－１３－４０ is not a valid date"):
        validate_patient("P1", "A", " １９７０－１３－４０ ", "", "unknown", "")
