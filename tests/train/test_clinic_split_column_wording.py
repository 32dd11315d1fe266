"""A clinic whose labels.csv has a split column that holds every patient of a grade out of train
is told to move one to train, not to "add a split column" it already has (the caution travels
in clinic.pt onto every report those weights grade)."""

from __future__ import annotations

from pathlib import Path

from models.data.patients import PatientDataset
from models.labels import GRADES
from models.train.clinic import from_split_column, grade_gaps, run_warnings

HEADER = "patient_id,grade,side,split\n"


def held_out(*grades: str) -> dict[str, dict[str, int]]:
    counts = {s: dict.fromkeys(GRADES, 0) for s in ("train", "val", "test")}
    counts["train"].update(I=3, II=3)
    counts["test"].update(I=1, **dict.fromkeys(grades, 1))
    return counts


def test_a_split_column_that_holds_out_a_grade_is_named_as_the_cause() -> None:
    notes = " ".join(grade_gaps(held_out("V", "VI"), split_column=True))
    assert ("labels.csv's split column puts every grade V, VI patient in val/test: move at least one of each to "
            "train") in notes
    assert "add a split column" not in notes
    one = " ".join(grade_gaps(held_out("V"), split_column=True))
    assert "puts every grade V patient in val/test: move at least one to train (docs/train.md" in one


def test_without_a_split_column_the_hint_is_to_add_one() -> None:
    notes = " ".join(grade_gaps(held_out("V")))
    assert "Grade V is in the set but held out" in notes and "add a split column to labels.csv" in notes


def test_the_data_set_tells_which_split_it_used(tmp_path: Path) -> None:
    (tmp_path / "column").mkdir()
    (tmp_path / "column" / "labels.csv").write_text(HEADER + "P1,I,none,train\nP2,V,left,test\n")
    (tmp_path / "none").mkdir()
    (tmp_path / "none" / "labels.csv").write_text("patient_id,grade,side\nP1,I,none\nP2,V,left\n")
    assert from_split_column(PatientDataset(tmp_path / "column").split_source)
    assert not from_split_column(PatientDataset(tmp_path / "none").split_source)
    assert not from_split_column(None)  # results of a run from before it was recorded


def test_the_weights_cautions_follow_the_runs_split_source(tmp_path: Path) -> None:
    (tmp_path / "labels.csv").write_text(HEADER + "P1,I,none,train\nP2,V,left,test\n")
    results = {"grades": held_out("V"), "state": {}, "split_source": PatientDataset(tmp_path).split_source}
    assert "labels.csv's split column puts every grade V patient" in " ".join(run_warnings(results, named=False))
    del results["split_source"]
    assert "add a split column" in " ".join(run_warnings(results, named=False))
