"""A clinic run's stage1.pt / stage2.pt are refused for grading wherever they are copied: their
own training record names them as a run's intermediate stages (a clinic moves weights to the
capture station); a stage file an older release wrote, which carries no such record, is
refused beside its run's state.json only."""

from __future__ import annotations

import shutil

import pytest
import torch

from models.checkpoint import load_checkpoint, save_checkpoint
from models.errors import CheckpointError
from models.pipeline.loader import CLINIC_RUN, CLINIC_STAGE, clear_model_cache, load_model
from models.train.clinic import ClinicRecipe, run_clinic

pytestmark = pytest.mark.usefixtures("one_thread", "whole_photos")
CPU = torch.device("cpu")


@pytest.fixture
def run(tiny_patients, tiny_weights, tmp_path):
    work = tmp_path / "run"
    run_clinic(ClinicRecipe(patients=str(tiny_patients), init=str(tiny_weights), work=str(work), steps=1,
                            batch_size=2), CPU)
    clear_model_cache()
    yield work
    clear_model_cache()


def test_a_copied_stage_file_is_refused_naming_its_runs_clinic_pt(run, tmp_path):
    station = tmp_path / "capture station"
    station.mkdir()
    for name in ("stage1.pt", "stage2.pt"):
        copied = shutil.copy(run / name, station / name)
        with pytest.raises(CheckpointError, match=rf"intermediate stage of a `palsy train clinic` run.*use "
                                                  rf"{run.resolve() / 'clinic.pt'}"):
            load_model(copied, "cpu")
        renamed = shutil.copy(run / name, station / f"clinic weights {name}")  # the name does not matter
        with pytest.raises(CheckpointError, match="intermediate stage"):
            load_model(renamed, "cpu")
    assert load_model(shutil.copy(run / "clinic.pt", station / "clinic.pt"), "cpu").model is not None


def test_an_unmarked_stage_file_of_an_older_release_is_refused_beside_its_state_only(run, tmp_path):
    model, meta = load_checkpoint(run / "stage2.pt")
    training = {k: v for k, v in meta["training"].items() if k not in (CLINIC_STAGE, CLINIC_RUN)}
    save_checkpoint(model, run / "stage2.pt", training=training, extra={"train_state": meta["train_state"]})
    with pytest.raises(CheckpointError, match="intermediate stage"):
        load_model(run / "stage2.pt", "cpu")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert load_model(shutil.copy(run / "stage2.pt", elsewhere / "stage2.pt"), "cpu").model is not None


def test_evaluate_notes_a_copied_stage_as_one(run, tmp_path, tiny_patients, capsys):
    # `palsy evaluate` scores a stage (a measurement), and says whose figures they are: copied
    # out of its run too (the note was given beside state.json only)
    from app.cli import main

    station = tmp_path / "capture station"
    station.mkdir()
    copied = shutil.copy(run / "stage2.pt", station / "stage2.pt")
    assert main(["evaluate", "grading", "--data", str(tiny_patients), "--weights", str(copied), "--split", "test",
                 "--json"]) == 0
    err = capsys.readouterr().err
    assert f"note: {copied} is an intermediate stage of the `palsy train clinic` run in {run.resolve()}" in err
