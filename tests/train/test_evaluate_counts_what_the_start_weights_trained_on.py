"""Clinic weights fine-tuned from other weights hold what those trained on: `palsy evaluate` on a
set the start weights trained on (the demo's synthetic patients) must not call it unseen because
the clinic run's own training patients are others."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from app.cli import main
from app.commands import evaluate
from models.cascade import build_model
from models.checkpoint import read_checkpoint, save_checkpoint
from models.config import get_config
from models.data.patients import PatientDataset, patient_digest
from models.train.clinic import ClinicRecipe, run_clinic
from tests.train.training_record_helpers import DEMO_RECORD, INCLUDED, NONE_TRAINED, synth_set

pytestmark = pytest.mark.usefixtures("one_thread")




def _clinic_record(init_sha256: str | None, **start: dict) -> dict:
    """A clinic run's record whose own training patient is none of the synthetic ones."""
    return {"command": "palsy train clinic", "splits": {"train": [patient_digest("p001_000")], "val": [], "test": []},
            "init_sha256": init_sha256, **start}


def test_a_clinic_record_counts_its_start_weights_training_patients(tmp_path: Path) -> None:
    trained_on = PatientDataset(synth_set(tmp_path / "trained_on", 1))
    held_out = PatientDataset(synth_set(tmp_path / "held_out", 900001))
    from_demo = _clinic_record("ab" * 32, init_training=DEMO_RECORD)
    assert evaluate.trained_in_set(from_demo, trained_on) == 2
    assert evaluate.trained_in_set(from_demo, held_out) == 0
    # A clinic run from a clinic run from the demo: both start records count.
    assert evaluate.trained_in_set(_clinic_record("cd" * 32, init_training=from_demo), trained_on) == 2
    # Started from weights whose record names nothing (or a run before the record was kept): unknown.
    assert evaluate.trained_in_set(_clinic_record("ab" * 32, init_training={}), held_out) is None
    assert evaluate.trained_in_set(_clinic_record("ab" * 32), held_out) is None
    assert evaluate.trained_in_set(_clinic_record(None), trained_on) == 0  # from scratch: its own patients only


def test_clinic_weights_from_demo_weights_name_the_demos_patients_as_trained(tiny_patients: Path, tmp_path: Path,
                                                                          capsys, whole_photos) -> None:
    start = tmp_path / "demo.pt"
    save_checkpoint(build_model(get_config("compact").with_input_size(64), seed=0), start, training=DEMO_RECORD)
    work = tmp_path / "clinic"
    run_clinic(ClinicRecipe(patients=str(tiny_patients), init=str(start), work=str(work), steps=2, batch_size=2),
               torch.device("cpu"))
    assert read_checkpoint(work / "clinic.pt")["training"]["init_training"] == DEMO_RECORD
    trained_on, held_out = synth_set(tmp_path / "trained_on", 1), synth_set(tmp_path / "held_out", 900001)
    for data, part in ((trained_on, INCLUDED), (held_out, NONE_TRAINED)):
        capsys.readouterr()
        assert main(["evaluate", "grading", "--data", str(data), "--weights", str(work / "clinic.pt")]) == 0
        assert capsys.readouterr().out.splitlines()[0] == f"scored 2 patients: {part}"
    # The clinic card states the test patients' top probability as the demo card does.
    card = (work / "clinic.md").read_text(encoding="utf-8")
    assert "the network's probability for its grade (its top probability, shown beside the network grade on the results page and in the report) is " in card
    assert "among the 3 test patients, so such results are" in card
