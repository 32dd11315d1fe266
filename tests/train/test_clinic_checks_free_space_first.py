"""A clinic run refuses an --out without room for its checkpoints before it decodes a photo or
trains a step (a full disk showed at the first save, after the training), naming the space
needed: stage 1's checkpoint stays while stage 2's is written beside its previous save before
replacing it; a stage file already there is counted as on the disk."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch

import models.train.clinic as clinic
import models.train.clinic_space as clinic_space
from models.cascade import build_model
from models.checkpoint import read_checkpoint
from models.config import get_config
from models.errors import InputError
from models.train.clinic import ClinicRecipe, run_clinic
from models.train.clinic_space import check_free_space, space_needed, stage_checkpoint_bytes

pytestmark = pytest.mark.usefixtures("one_thread", "whole_photos")
CPU = torch.device("cpu")


def test_the_estimate_is_about_a_stage_checkpoints_size(tiny_patients, tiny_weights, tmp_path):
    work = tmp_path / "run"
    run_clinic(ClinicRecipe(patients=str(tiny_patients), init=str(tiny_weights), work=str(work), steps=1,
                            batch_size=2), CPU)
    tensors = read_checkpoint(tiny_weights)["state_dict"]
    for stage in ("stage1", "stage2"):
        assert 1.0 <= stage_checkpoint_bytes(tensors, stage) / (work / f"{stage}.pt").stat().st_size <= 1.05


def _refusal(work, free: int, need: int, beside: int) -> str:
    return (f"{work} has {free / 1e6:.0f} MB free; the run needs about {need / 1e6:.0f} MB: a stage checkpoint of "
            f"about {beside / 1e6:.0f} MB is written beside the old one before replacing it; free space or choose "
            "another --out")


def test_too_little_free_space_is_refused_before_any_photo_is_read(tiny_patients, tiny_weights, tmp_path,
                                                                     monkeypatch):
    # stage1.pt stays while stage2.pt is saved beside its previous save
    tensors = read_checkpoint(tiny_weights)["state_dict"]
    s1, s2 = (stage_checkpoint_bytes(tensors, stage) for stage in ("stage1", "stage2"))
    need = max(2 * s1, s1 + 2 * s2)
    monkeypatch.setattr(clinic_space.shutil, "disk_usage", lambda path: SimpleNamespace(free=need - 1))
    monkeypatch.setattr(clinic, "check_and_keep", lambda *args, **kwargs: pytest.fail("photos decoded"))
    work = tmp_path / "run"
    with pytest.raises(InputError) as caught:
        run_clinic(ClinicRecipe(patients=str(tiny_patients), init=str(tiny_weights), work=str(work), steps=1,
                                batch_size=2), CPU)
    assert str(caught.value) == _refusal(work, need - 1, need, s2 if need == s1 + 2 * s2 else s1)
    assert not (work / "stage1.pt").exists()


@pytest.mark.parametrize("config", ["compact", "paper"])
def test_both_stages_need_stage_one_kept_and_stage_two_twice(config, tmp_path):
    tensors = build_model(get_config(config)).state_dict()  # estimated, not trained
    s1, s2 = (stage_checkpoint_bytes(tensors, stage) for stage in ("stage1", "stage2"))
    assert space_needed(tmp_path, tensors, ["stage1", "stage2"]) == (s1 + 2 * s2, s2)
    assert s1 + 2 * s2 > 2 * max(s1, s2)  # more than the larger file twice, which let the run fill the disk


def test_a_finished_stage_one_is_on_the_disk_already(tiny_weights, tmp_path, monkeypatch):
    tensors = read_checkpoint(tiny_weights)["state_dict"]
    (tmp_path / "stage1.pt").write_bytes(b"kept")
    s2 = stage_checkpoint_bytes(tensors, "stage2")
    monkeypatch.setattr(clinic_space.shutil, "disk_usage", lambda path: SimpleNamespace(free=2 * s2 - 1))
    with pytest.raises(InputError) as caught:
        check_free_space(tmp_path, tensors, ["stage2"])
    assert str(caught.value) == _refusal(tmp_path, 2 * s2 - 1, 2 * s2, s2)
    monkeypatch.setattr(clinic_space.shutil, "disk_usage", lambda path: SimpleNamespace(free=2 * s2))
    check_free_space(tmp_path, tensors, ["stage2"])


def test_an_interrupted_stage_is_rewritten_in_place(tiny_weights, tmp_path, monkeypatch):
    tensors = read_checkpoint(tiny_weights)["state_dict"]
    s1, s2 = (stage_checkpoint_bytes(tensors, stage) for stage in ("stage1", "stage2"))
    (tmp_path / "stage2.pt").write_bytes(b"interrupted")
    assert space_needed(tmp_path, tensors, ["stage2"]) == (s2, s2)
    monkeypatch.setattr(clinic_space.shutil, "disk_usage", lambda path: SimpleNamespace(free=s2))
    check_free_space(tmp_path, tensors, ["stage2"])  # room for the new save beside the interrupted one
    (tmp_path / "stage2.pt").unlink()
    (tmp_path / "stage1.pt").write_bytes(b"interrupted")
    assert space_needed(tmp_path, tensors, ["stage1", "stage2"]) == (max(s1, 2 * s2), s1 if s1 > 2 * s2 else s2)
