"""An export's folder is named after the patient ID (or pseudonym): an ID that is a Windows
device name ("CON", "com1", "NUL.txt") would make Windows open the device instead of a folder
(portability audit, 2026-12-06); such a name gets a '_', and the export imports as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.records import Store
from app.records.export_folder import export_patient
from app.records.import_folder import import_patient
from models.folder_names import is_windows_device_name
from tests.records.records_helpers import tiny_png


@pytest.mark.parametrize(("patient_id", "folder"), [("CON", "CON_"), ("com1", "com1_"), ("NUL.txt", "NUL_.txt"),
                                                    ("Con-12", "Con-12"), ("AUX_1", "AUX_1"), ("COM10", "COM10")])
def test_a_device_name_id_exports_to_a_folder_windows_can_make(store: Store, tmp_path: Path, patient_id: str,
                                                              folder: str) -> None:
    store.create_patient(patient_id, name="Ana")
    aid = store.start_assessment(patient_id).id
    store.save_capture(aid, "rest", tiny_png(61))
    exported = export_patient(store, patient_id, tmp_path / "usb")
    assert exported.name == folder and not is_windows_device_name(exported.name)
    with Store.open(tmp_path / "station2") as target:
        assert import_patient(target, exported, actor="admin").patient_id == patient_id


def test_device_names_are_told_apart_from_ids_that_only_start_alike() -> None:
    assert all(map(is_windows_device_name, ["CON", "prn", "Aux", "nul.txt", "COM1", "lpt9", "COM\u00b9", "CON .png"]))
    assert not any(map(is_windows_device_name, ["CONX", "Con-12", "COM10", "COM0", "LPT", "AUX_1", "MRN-CON"]))
