"""A labels.csv row with more values than the header names is refused with its line and what to
do (audit a2 finding 5): `,train` typed at the end of a row without a split column in the header
was cut off without a word, and the automatic split could hold that very patient out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.cli import main
from models.data.patients import PatientDataset, listed_patient_ids
from models.errors import InputError


def _labels(root: Path, text: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "labels.csv").write_text(text, encoding="utf-8")
    return root


def test_a_split_typed_without_a_split_column_is_refused_naming_the_line(tmp_path):
    root = _labels(tmp_path, "patient_id,grade,side\nP-01,II,left\nP-02,III,right,train\nP-03,I,none\n")
    with pytest.raises(InputError) as caught:
        PatientDataset(root)
    assert str(caught.value) == (
        f"{root / 'labels.csv'} line 3 has 4 values, the header names 3 (patient_id,grade,side): add a split column "
        "to the header (train, val or test for every row) or remove the extra value")
    with pytest.raises(InputError, match="line 3 has 4 values"):
        listed_patient_ids(root / "labels.csv")


def test_an_extra_value_beside_a_split_column_is_refused_too(tmp_path):
    root = _labels(tmp_path, "patient_id;grade;side;split\nP-01;II;left;train;val\n")
    with pytest.raises(InputError, match=re.escape("line 2 has 5 values, the header names 4 (patient_id,grade,side,split): "
                                                   "remove the extra value")):
        PatientDataset(root)


def test_empty_values_past_the_header_are_read_as_before(tmp_path):
    # a spreadsheet's trailing separators lose nothing
    root = _labels(tmp_path, "patient_id,grade,side\r\nP-01,II,left,\r\nP-02,I,none,,\r\n")
    assert PatientDataset(root).patient_ids() == ["P-01", "P-02"]


def test_the_command_says_it_in_one_line(tmp_path, capsys):
    root = _labels(tmp_path / "set", "patient_id,grade,side\nP-01,II,left,train\n")
    assert main(["train", "clinic", "--data", str(root), "--out", str(tmp_path / "run"), "--minutes", "1"]) == 2
    err = capsys.readouterr().err
    assert "line 2 has 4 values, the header names 3" in err and len(err.strip().splitlines()) == 1, err
