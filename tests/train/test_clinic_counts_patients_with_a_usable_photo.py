"""A patient whose photos all had no face found is neither trained nor scored on: the grade
warnings, the card's counts and the weights' cautions count the patients the run used, and
say how many labels.csv lists where that is more."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import torch

from models.cascade import build_model
from models.checkpoint import load_checkpoint, save_checkpoint
from models.config import get_config
from models.train.clinic import ClinicRecipe, run_clinic
from tests.train.framed_helpers import faceless, framed_set

pytestmark = pytest.mark.usefixtures("one_thread")
CPU = torch.device("cpu")
# patient, grade, split: the lone grade V training patient and a test patient have no usable photo
ROWS = [("syn7_00000", "III", "train"), ("syn7_00001", "II", "train"), ("syn7_00002", "V", "train"),
        ("syn7_00003", "I", "val"), ("syn7_00004", "IV", "test"), ("syn7_00005", "VI", "test")]
FACELESS = ("syn7_00002", "syn7_00005")


def _data(root: Path) -> Path:
    framed_set(root, len(ROWS))
    with (root / "labels.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["patient_id", "grade", "side", "split"])
        writer.writerows((pid, grade, "none" if grade == "I" else "left", split) for pid, grade, split in ROWS)
    for pid in FACELESS:
        for photo in (root / pid).glob("*.png"):
            faceless(photo)
    return root


def test_patients_without_a_usable_photo_are_not_counted_as_trained_or_tested(tmp_path, capsys):
    data = _data(tmp_path / "data")
    weights = tmp_path / "w.pt"
    save_checkpoint(build_model(get_config("compact").with_input_size(64), seed=0), weights)
    work = tmp_path / "run"
    results = run_clinic(ClinicRecipe(patients=str(data), init=str(weights), work=str(work), steps=1, batch_size=2), CPU)
    err = capsys.readouterr().err
    assert "No training patient has grade I, IV, V, VI" in err and "Grade V: fewer than" not in err
    cautions = load_checkpoint(work / "clinic.pt")[1]["cautions"]
    assert cautions[0].startswith("Trained on 2 patients of this clinic, tested on 1 (test accuracy ")
    assert cautions[1] == ("3 train patients listed, 2 trained on; 2 test patients listed, 1 scored: the others had "
                           "no photo in which a face was found.")
    assert any(c.startswith("No training patient has grade I, IV, V, VI:") for c in cautions)
    assert results["patients"] == {"train": 2, "val": 1, "test": 1}
    card = (work / "clinic.md").read_text()
    assert ": 2 train / 1 val / 1 test patients (split by patient; " in card
    assert ("3 train patients listed, 2 trained on; 2 test patients listed, 1 scored: the others had no photo in "
            "which a face was found (syn7_00002, syn7_00005).") in card
    assert "- Grades per split: train I 0, II 1, III 1, IV 0, V 0, VI 0; " in card
