"""The automatic patient split: rare grades train, large grades keep the split the shipped
card's figures were made with (audit_cml finding 1)."""

from __future__ import annotations

import hashlib
from collections import Counter

import pytest

from models.data.patients import assign_splits, fill_empty_splits
from models.labels import GRADES
from models.train.clinic import grade_gaps

_OLD_CYCLE = ("train", "train", "train", "train", "val", "test")


def old_assign_splits(patients: dict[str, int], seed: int = 0) -> dict[str, str]:
    """`assign_splits` as it was before 2026-12-06 (the reference the large sets must match)."""
    def key(pid: str) -> str:
        return hashlib.sha256(f"{seed}:{pid}".encode()).hexdigest()

    result: dict[str, str] = {}
    by_grade: dict[int, list[str]] = {}
    for pid, grade in patients.items():
        by_grade.setdefault(grade, []).append(pid)
    for grade, ids in by_grade.items():
        ids.sort(key=key)
        for rank, pid in enumerate(ids):
            result[pid] = _OLD_CYCLE[(rank + grade) % len(_OLD_CYCLE)]
    return fill_empty_splits(result, patients, order=key)


@pytest.mark.parametrize("seed", [0, 1, 7])
def test_a_synthetic_size_set_keeps_its_old_split(seed):
    patients = {f"syn{seed}_{i:05d}": i % 6 for i in range(720)}  # 120 patients a grade
    assert assign_splits(patients, seed) == old_assign_splits(patients, seed)
    uneven = {f"MRN{i:06d}": (i * 7) % 6 for i in range(37)} | {f"X{i}": 5 for i in range(6)}  # every grade >= 6
    assert assign_splits(uneven, seed) == old_assign_splits(uneven, seed)


def test_a_lone_patient_of_a_rare_grade_trains():
    base = {f"A{i}": 0 for i in range(10)} | {f"B{i}": 1 for i in range(10)}
    for grade in range(2, 6):  # grades of its own (I and II have 10 patients: the cycle)
        for seed in range(4):
            assert assign_splits(base | {"LONE": grade}, seed)["LONE"] == "train"
    splits = assign_splits(base | {"V1": 4, "V2": 4, "VI1": 5})
    assert splits["VI1"] == "train" and "train" in {splits["V1"], splits["V2"]}
    assert {"train", "val", "test"} == set(splits.values())


def test_only_grades_without_a_training_patient_change():
    for n in (18, 30, 43):  # 3-8 patients a grade: every grade already had a training patient
        patients = {f"p{i}": i % 6 for i in range(n)}
        assert assign_splits(patients) == old_assign_splits(patients)
    assert Counter(assign_splits({f"p{i}": i % 6 for i in range(30)}).values()) == {"train": 20, "val": 5, "test": 5}
    lone = {f"p{i}": i % 4 for i in range(24)} | {"V": 4}  # the lone V went to val
    changed = {pid for pid, split in assign_splits(lone).items() if old_assign_splits(lone)[pid] != split}
    assert changed == {"V"}


def test_the_warning_for_an_untrained_grade_says_how_to_choose_the_split():
    grades = {s: dict.fromkeys(GRADES, 0) for s in ("train", "val", "test")}
    grades["train"].update({"I": 3, "II": 3})
    grades["test"].update({"I": 1, "V": 1})
    notes = " ".join(grade_gaps(grades))
    assert "No training patient has grade III, IV, V, VI" in notes
    assert "Grade V is in the set but held out: to choose which patients train" in notes
    assert "add a split column to labels.csv" in notes
    assert "figures mean little" not in notes  # 6 training patients for 3 grades


def test_too_few_training_patients_for_the_grades_present_are_warned_of():
    grades = {s: dict.fromkeys(GRADES, 0) for s in ("train", "val", "test")}
    grades["train"]["V"] = 1  # sets/tiny3 of the audit: 1 / 1 / 1
    grades["val"]["II"] = grades["test"]["II"] = 1
    notes = grade_gaps(grades)
    assert notes[0].startswith("Only 1 training patient for the 2 grades in the set (fewer than 2 a grade)")
    assert "its test figures mean little" in notes[0]


def test_one_training_patient_per_grade_is_too_few_overall():
    # Three patients for three grades: more than the per-grade minimum in total, yet fewer
    # than it for each grade; the overall warning, not a list of grades, is the one to give.
    grades = {s: dict.fromkeys(GRADES, 0) for s in ("train", "val", "test")}
    grades["train"].update(I=1, II=1, III=1)
    grades["val"]["I"] = 1
    grades["test"].update(I=1, II=1, III=1)
    notes = grade_gaps(grades)
    assert notes[0].startswith("Only 3 training patients for the 3 grades in the set (fewer than 2 a grade)"), notes
    assert not any(n.startswith("Grades I, II, III:") for n in notes), notes


def test_a_grade_with_one_training_patient_is_warned_of_among_many_others():
    # ten grade I and one grade V in train: enough "on average", nothing said of grade V
    grades = {s: dict.fromkeys(GRADES, 0) for s in ("train", "val", "test")}
    grades["train"].update(I=10, V=1)
    grades["val"]["I"] = grades["test"]["I"] = 2
    notes = grade_gaps(grades)
    assert any(n.startswith("Grade V: fewer than 2 training patients") for n in notes), notes
    assert not any(n.startswith("Only ") for n in notes)
