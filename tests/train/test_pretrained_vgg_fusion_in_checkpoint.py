"""A stage 2 started with `--pretrained-vgg` trains E2 with the residual z fusion and records it in
the checkpoint's configuration (`e2_residual_fusion`), so the file loads into the same network
and grades as it trained; the fusion's scale, 0 at the start, learns (where it starts and why:
tests/models/test_e2_fusion_keeps_pretrained_vgg.py)."""

from __future__ import annotations

import pytest
import torch
from torchvision.models.vgg import make_layers

from models.checkpoint import load_checkpoint, read_checkpoint
from models.config import get_config
from models.train.loop import LoopSettings
from models.train.stages import DataSpec, Pretrained, train_grading, train_parsing

CPU = torch.device("cpu")
pytestmark = pytest.mark.usefixtures("one_thread")


def _stand_in_vgg(path) -> str:
    """A torchvision-layout VGG state dict (`features.N` keys, random weights) of the compact E2's
    widths, so the small network can start from it as the paper configuration does from VGG16."""
    torch.manual_seed(0)
    features = make_layers(list(get_config("compact").e2_layers), batch_norm=True)
    torch.save({f"features.{key}": value for key, value in features.state_dict().items()}, path)
    return str(path)


def test_a_pretrained_vgg_stage_2_records_the_residual_fusion_and_trains_its_scale(tiny_patients, tmp_path):
    quiet = {"progress": None, "batch_size": 2}
    stage1, stage2 = tmp_path / "stage1.pt", tmp_path / "stage2.pt"
    train_parsing([DataSpec(tiny_patients, split="all")], stage1, LoopSettings("parsing", steps=1), CPU, input_size=64, **quiet)
    assert read_checkpoint(stage1)["config"]["e2_residual_fusion"] is False
    model, _ = train_grading(tiny_patients, stage2, LoopSettings("grading", steps=2), CPU, init=stage1,
                             pretrained=Pretrained(vgg=_stand_in_vgg(tmp_path / "vgg.pth")), **quiet)
    assert read_checkpoint(stage2)["config"]["e2_residual_fusion"] is True
    loaded, _ = load_checkpoint(stage2)
    assert loaded.config.e2_residual_fusion and loaded.e2.fusion_scale.item() != 0.0
    images = torch.rand(2, 3, 64, 64, generator=torch.Generator().manual_seed(0))
    with torch.inference_mode():
        assert torch.equal(loaded.eval().grade(images), model.cpu().eval().grade(images))
