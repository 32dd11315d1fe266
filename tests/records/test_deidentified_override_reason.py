"""A grade override's reason through a de-identified export, and how `records check` lists
overrides without one."""

from __future__ import annotations

import json
from pathlib import Path

from app.records import Store
from app.records.export_folder import NOTES_REMOVED, export_patient
from app.records.export_format import MANIFEST
from app.records.import_folder import import_patient


def _overrides(store: Store, patient_id: str, count: int, notes: str) -> list[int]:
    """`count` visits whose clinician confirmed grade V over the network's II with `notes`."""
    store.create_patient(patient_id, name="Ada Lovelace")
    numbers = []
    for _ in range(count):
        aid = store.start_assessment(patient_id).id
        store.record_results(aid, {}, model_grade="II")
        store.confirm_grade(aid, "V", clinician="Dr Byron", notes=notes)
        numbers.append(aid)
    return numbers


def test_a_deidentified_export_says_the_notes_were_removed(tmp_path: Path) -> None:
    with Store.open(tmp_path / "clinic") as store:
        _overrides(store, "OV-1", 1, "Ada could not close the eye")
        store.create_patient("OV-2")
        quiet = store.start_assessment("OV-2").id
        store.record_results(quiet, {}, model_grade="II")
        store.confirm_grade(quiet, "II", clinician="Dr Byron", notes="")
        folder = export_patient(store, "OV-1", tmp_path / "out", deidentify=True, pseudonym="STUDY-1")
        empty = export_patient(store, "OV-2", tmp_path / "out", deidentify=True, pseudonym="STUDY-2")
    text = (folder / MANIFEST).read_text()
    assert "Ada" not in text and "eye" not in text
    [visit] = json.loads(text)["assessments"]
    assert visit["notes"] == NOTES_REMOVED
    [unnoted] = json.loads((empty / MANIFEST).read_text())["assessments"]
    assert unnoted["notes"] == ""  # no notes: nothing was removed
    with Store.open(tmp_path / "research") as research:
        import_patient(research, folder)
        assert research.history("STUDY-1")[0].notes == NOTES_REMOVED
        assert research.record_notes() == []  # the override had a reason: not listed as one without


def test_a_plain_export_keeps_the_notes(tmp_path: Path) -> None:
    with Store.open(tmp_path / "clinic") as store:
        _overrides(store, "OV-1", 1, "could not close the eye")
        folder = export_patient(store, "OV-1", tmp_path / "out")
    [visit] = json.loads((folder / MANIFEST).read_text())["assessments"]
    assert visit["notes"] == "could not close the eye"


def test_overrides_without_a_reason_are_one_note_per_patient(tmp_path: Path) -> None:
    with Store.open(tmp_path / "clinic") as store:
        many = _overrides(store, "OV-9", 12, "")
        [one] = _overrides(store, "OV-1", 1, "")
        notes = store.record_notes()
    assert len(notes) == 2
    single, grouped = notes  # ordered by patient ID
    assert single.startswith(f"assessment {one} of patient OV-1: override without a recorded reason: grade V")
    listed = ", ".join(map(str, many[:10]))
    assert grouped.startswith(f"patient OV-9: 12 overrides without a recorded reason (assessments {listed} and 2 more)")
    assert "nothing to repair" in grouped
