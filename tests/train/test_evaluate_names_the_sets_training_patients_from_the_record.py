"""`palsy evaluate grading` on a whole set says whether its figures include patients the weights
trained on from the weights' training record, not from the set's split column (`palsy synth`
writes one into every set, the model card's held-out set too); and its "confidence" figure says
it is the precision, not the network's top probability the app flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli import main
from app.commands import evaluate
from models.cascade import build_model
from models.checkpoint import read_checkpoint, save_checkpoint
from models.config import get_config
from models.data.patients import PatientDataset, patient_digest
from models.resources import default_weights_path
from tests.train.training_record_helpers import DEMO_RECORD, INCLUDED, NONE_TRAINED, synth_set

pytestmark = pytest.mark.usefixtures("one_thread")




def _weights(path: Path, training: dict) -> Path:
    save_checkpoint(build_model(get_config("compact").with_input_size(64), seed=0), path, training=training)
    return path


def _first_line(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    capsys.readouterr()
    assert main(["evaluate", "grading", *args]) == 0
    return capsys.readouterr().out.splitlines()[0]


def test_the_demo_recipes_held_out_set_is_not_called_training_patients(tmp_path: Path, capsys) -> None:
    weights = _weights(tmp_path / "demo.pt", DEMO_RECORD)
    held_out = synth_set(tmp_path / "held_out", 900001)
    assert _first_line(capsys, "--data", str(held_out), "--weights", str(weights)) == f"scored 2 patients: {NONE_TRAINED}"
    trained_on = synth_set(tmp_path / "trained_on", 1)  # the first patients of the recipe's training set
    assert _first_line(capsys, "--data", str(trained_on), "--weights", str(weights)) == f"scored 2 patients: {INCLUDED}"
    unknown = _weights(tmp_path / "no_record.pt", {})  # what these weights saw is unknown
    assert _first_line(capsys, "--data", str(held_out), "--weights", str(unknown)) == f"scored 2 patients: {INCLUDED}"


def test_the_printed_confidence_says_it_is_the_precision(tmp_path: Path, capsys) -> None:
    weights = _weights(tmp_path / "demo.pt", DEMO_RECORD)
    capsys.readouterr()
    assert main(["evaluate", "grading", "--data", str(synth_set(tmp_path / "set", 900001)), "--weights", str(weights)]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("confidence "))
    assert "(precision: the paper's name for it, not the network's top probability)" in line


def test_a_clinic_record_counts_the_set_patients_it_lists_as_trained(tmp_path: Path) -> None:
    patients = PatientDataset(synth_set(tmp_path / "set", 900001))
    first, second = patients.patient_ids("all")
    assert evaluate.trained_in_set({"splits": {"train": [patient_digest("other")], "val": [], "test": []}}, patients) == 0
    assert evaluate.trained_in_set({"splits": {"train": [patient_digest(second)], "val": [], "test": []}}, patients) == 1
    assert evaluate.trained_in_set({"command": "palsy train grading"}, patients) is None


def test_the_shipped_weights_did_not_train_on_the_cards_held_out_seed(tmp_path: Path) -> None:
    training = read_checkpoint(default_weights_path())["training"]
    assert evaluate.trained_in_set(training, PatientDataset(synth_set(tmp_path / "held_out", 900001))) == 0
    assert evaluate.trained_in_set(training, PatientDataset(synth_set(tmp_path / "trained_on", 1))) == 2


def test_scored_line_keeps_the_hint_where_training_patients_are_in_or_unknown() -> None:
    report = {"confusion": [[3, 0], [0, 1]]}
    assert evaluate.scored_line(report, "all", "patient", trained=0) == f"scored 4 patients: {NONE_TRAINED}"
    assert evaluate.scored_line(report, "auto", "patient", trained=2) == f"scored 4 patients: {INCLUDED}"
    assert evaluate.scored_line(report, "all", "patient", trained=None) == f"scored 4 patients: {INCLUDED}"
    assert evaluate.scored_line(report, "test", "patient", trained=0) == "scored 4 patients: the test split"
