"""A folder that is no data set is refused with the files a data set holds, not with a pointer
to a design document the installation does not ship."""

from __future__ import annotations

import pytest

from app.cli import main
from models.data.parsing import ParsingDataset
from models.data.patients import PatientDataset
from models.errors import InputError


def test_evaluate_parsing_on_a_blank_folder_names_the_layout(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PALSY_HOME", str(tmp_path / "home"))
    blank = tmp_path / "blank"
    blank.mkdir()
    assert main(["evaluate", "parsing", "--data", str(blank)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"palsy: error: {blank} is not a parsing data set: classes.json is missing; give a folder holding images/, "
        "masks/ and classes.json, or a patient set (labels.csv)")


def test_a_folder_without_labels_is_refused_with_the_patient_layout(tmp_path):
    with pytest.raises(InputError) as caught:
        PatientDataset(tmp_path)
    assert str(caught.value) == (
        f"{tmp_path} is not a patient data set: labels.csv is missing; give a folder holding labels.csv "
        "(patient_id,grade,side) and a folder of expression photos for each patient")


@pytest.mark.parametrize("open_set", [ParsingDataset.open, PatientDataset])
def test_no_refusal_points_to_the_design_document(tmp_path, open_set):
    with pytest.raises(InputError) as caught:
        open_set(tmp_path)
    assert "DESIGN" not in str(caught.value)
