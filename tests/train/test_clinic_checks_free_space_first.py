"""A clinic run refuses an --out without room for its checkpoints before it decodes a photo or
trains a step (a full disk showed at the first save, after the training), naming the space
needed: a save writes the new checkpoint beside the old one before replacing it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch

import models.train.clinic as clinic
from models.checkpoint import read_checkpoint
from models.errors import InputError
from models.train.clinic import ClinicRecipe, run_clinic, stage_checkpoint_bytes

pytestmark = pytest.mark.usefixtures("one_thread", "whole_photos")
CPU = torch.device("cpu")


def test_the_estimate_is_about_a_stage_checkpoints_size(tiny_patients, tiny_weights, tmp_path):
    work = tmp_path / "run"
    run_clinic(ClinicRecipe(patients=str(tiny_patients), init=str(tiny_weights), work=str(work), steps=1,
                            batch_size=2), CPU)
    tensors = read_checkpoint(tiny_weights)["state_dict"]
    for stage in ("stage1", "stage2"):
        assert 1.0 <= stage_checkpoint_bytes(tensors, stage) / (work / f"{stage}.pt").stat().st_size <= 1.05


def test_too_little_free_space_is_refused_before_any_photo_is_read(tiny_patients, tiny_weights, tmp_path,
                                                                     monkeypatch):
    need = 2 * stage_checkpoint_bytes(read_checkpoint(tiny_weights)["state_dict"], "stage1")  # the larger
    monkeypatch.setattr(clinic.shutil, "disk_usage", lambda path: SimpleNamespace(free=need - 1))
    monkeypatch.setattr(clinic, "check_and_keep", lambda *args, **kwargs: pytest.fail("photos decoded"))
    work = tmp_path / "run"
    with pytest.raises(InputError) as caught:
        run_clinic(ClinicRecipe(patients=str(tiny_patients), init=str(tiny_weights), work=str(work), steps=1,
                                batch_size=2), CPU)
    assert str(caught.value) == (f"{work} has {(need - 1) / 1e6:.0f} MB free; the run needs about {need / 1e6:.0f} MB: "
                                 f"a stage checkpoint of about {need / 2e6:.0f} MB is written beside the old one "
                                 "before replacing it; free space or choose another --out")
    assert not (work / "stage1.pt").exists()
