"""A rerun of a clinic run with another recipe is refused naming what the run used and what
was asked, so the user can type the run's value again or see that the data folder moved."""

from __future__ import annotations

import shutil

import pytest
import torch

from models.errors import InputError
from models.train.clinic import ClinicRecipe, run_clinic

pytestmark = pytest.mark.usefixtures("one_thread", "whole_photos")
CPU = torch.device("cpu")


def test_the_refusal_names_the_runs_value_and_the_asked_one(tiny_patients, tiny_weights, tmp_path):
    work = str(tmp_path / "run")
    run_clinic(ClinicRecipe(patients=str(tiny_patients), init=str(tiny_weights), work=work, minutes=30, steps=1,
                            batch_size=2), CPU)
    with pytest.raises(InputError, match=r"another recipe \(differs in minutes: 30 in the run, 10 asked\); rerun"):
        run_clinic(ClinicRecipe(patients=str(tiny_patients), init=str(tiny_weights), work=work, minutes=10, steps=1,
                                batch_size=2), CPU)
    moved = shutil.copytree(tiny_patients, tmp_path / "moved")
    with pytest.raises(InputError) as caught:
        run_clinic(ClinicRecipe(patients=str(moved), init=str(tiny_weights), work=work, minutes=30, steps=1,
                                batch_size=2), CPU)
    assert f"(differs in patients: {tiny_patients.resolve()} in the run, {moved.resolve()} asked)" in str(caught.value)
