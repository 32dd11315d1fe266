"""A de-identified export of a patient whose name has a word that spells a code the app writes
("John Smith III", "Vi Nguyen"): the name words are removed from free text, but the stored
grades stay (review r2 #1: the grades were blanked, and the receiving station refused the
export as damaged, "Export the patient again", which failed the same way every time)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.records import Store
from app.records.export_folder import export_patient
from app.records.export_format import MANIFEST
from app.records.import_folder import import_patient
from tests.records.records_helpers import tiny_png

PROBABILITIES = {"I": 0.02, "II": 0.08, "III": 0.1, "IV": 0.1, "V": 0.1, "VI": 0.6}


@pytest.mark.parametrize("name", ["John Smith VI", "Vi Nguyen"])
def test_the_grades_survive_a_name_that_spells_one(tmp_path: Path, name: str) -> None:
    with Store.open(tmp_path / "clinic") as store:
        store.create_patient("MRN-3", name=name)
        visit = store.start_assessment("MRN-3").id
        store.save_capture(visit, "rest", tiny_png(3))
        result = {"grade": "VI", "probabilities": PROBABILITIES, "affected_side": "left",
                  "measured": {"grade": "VI", "function_percent": 0.0, "affected_side": "left"},
                  "notes": [f"{name} could not close the eye"]}
        store.record_results(visit, result, model_grade="VI", measured_grade="VI")
        store.confirm_grade(visit, "VI", "Dr A")
        folder = export_patient(store, "MRN-3", tmp_path / "out", deidentify=True, pseudonym="STUDY-3")
    [exported] = json.loads((folder / MANIFEST).read_text())["assessments"]
    assert exported["result"]["grade"] == "VI" and exported["result"]["measured"]["grade"] == "VI"
    assert exported["result"]["affected_side"] == "left"
    assert "Nguyen" not in json.dumps(exported) and "Smith" not in json.dumps(exported)  # still de-identified
    with Store.open(tmp_path / "research") as research:
        import_patient(research, folder)
        [visit_there] = research.history("STUDY-3")
        assert visit_there.model_grade == "VI" and visit_there.confirmed_grade == "VI"
        assert research.integrity_problems() == []
