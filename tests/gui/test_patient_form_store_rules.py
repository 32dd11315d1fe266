"""The patient form follows the store's rules: a patient whose ID the store and an import
accept ("MÜ-ß-01") can be edited, and a date of birth typed in Arabic-Indic or Persian digits
is the date it names."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.gateway_store import open_gateway
from app.pages.patient import PatientDialog
from app.pages.patient_logic import PatientFormError, typed_birth_date, validate_patient
from app.records_gateway import PatientInfo


@pytest.mark.parametrize("patient_id", ["MÜ-ß-01", "IN 01", "राहुल-01", "X" * 64])
def test_an_id_the_store_takes_is_taken_by_the_form(patient_id: str) -> None:
    assert validate_patient(patient_id, "A", "", "", "unknown", "").patient_id == patient_id


@pytest.mark.parametrize("patient_id", ["", "  ", "X" * 65, "A\u202eB", "A\x00B"])
def test_an_id_the_store_refuses_is_refused_by_the_form(patient_id: str) -> None:
    with pytest.raises(PatientFormError) as err:
        validate_patient(patient_id, "A", "", "", "unknown", "")
    assert err.value.field == "patient_id" and str(err.value)[:1].isupper()


def test_an_imported_patient_with_a_non_ascii_id_can_be_edited(qtbot, tmp_path: Path) -> None:
    gateway = open_gateway(tmp_path / "data")
    try:
        gateway.save_patient(PatientInfo("MÜ-ß-01", "Jürgen Müller"), is_new=True)
        dialog = PatientDialog(gateway, gateway.get_patient("MÜ-ß-01"))
        qtbot.addWidget(dialog)
        assert dialog.id_edit.isReadOnly()
        dialog.name_edit.setText("Jürgen Müller-Straße")
        dialog.accept()
        assert dialog.error_label.text() == ""
        assert gateway.get_patient("MÜ-ß-01").name == "Jürgen Müller-Straße"
    finally:
        gateway.close()


@pytest.mark.parametrize("typed", ["١٩٨٠-٠٣-١٥", "۱۹۸۰-۰۳-۱۵", "١٩٨٠٠٣١٥", "१९८०-०३-१५"])
def test_a_birth_date_in_other_digits_is_the_date_it_names(typed: str) -> None:
    info = validate_patient("P1", "A", typed_birth_date(typed), "", "unknown", "")
    assert info.birth_date == "1980-03-15"


def test_a_birth_date_of_other_number_signs_is_still_refused() -> None:
    with pytest.raises(PatientFormError, match="must be YYYY-MM-DD"):
        validate_patient("P1", "A", typed_birth_date("1980-03-1²"), "", "unknown", "")
